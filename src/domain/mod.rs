//! The emulated service's model: identifiers, backups, instances and jobs, with the rules the
//! real API enforces on each. Nothing here knows about HTTP.

pub mod backup;
pub mod backup_query;
pub mod catalog;
pub mod identity;
pub mod ids;
pub mod incremental;
pub mod instance;
pub mod instance_backup_query;
pub mod instance_change;
pub mod instance_query;
pub mod job;
pub mod lifecycle;
pub mod logs;
pub mod network;
pub mod new_instance;
pub mod node;
pub mod policy;
pub mod proxy;
pub mod quota;
pub mod restore;
pub mod sql_filter;
pub mod time;

pub use backup::{
    Backup, BackupDescription, BackupName, BackupStatus, BackupText, BackupType, NewBackup,
};
pub use backup_query::{BackupQuery, RawBackupQuery};
pub use ids::{BackupId, IdSource, InstanceId, JobId, NodeId, ProjectId, RequestIds, random_seed};
pub use instance::{Instance, InstanceProfile, InstanceStatus};
pub use instance_backup_query::{InstanceBackupQuery, RawInstanceBackupQuery};
pub use instance_query::{InstanceQuery, RawInstanceQuery};
pub use job::{Job, JobKind, JobStatus, RestorePoint, RestoreSource};
pub use lifecycle::LifecycleMode;
pub use policy::{BackupPolicy, OffsitePolicy};

/// A short text of an instance or a node (a region, a version, a zone, an address): up to 24
/// bytes are held in place, with no allocation of their own. An instance has some twenty
/// of them, most a few bytes long, and each allocation costs its bytes and 16 more.
pub type Text = compact_str::CompactString;

/// A set of bytes as a table by byte, for rules checked on every request: ASCII letters and
/// digits when `alphanumeric`, and the bytes of `extra`.
const fn byte_set(alphanumeric: bool, extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = alphanumeric && (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_byte_set_holds_exactly_its_bytes() {
        let set = super::byte_set(true, b"-_");
        let expected = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        assert!((0..=255u8).all(|b| set[usize::from(b)] == expected(b)));
        let set = super::byte_set(false, b"<=");
        assert!((0..=255u8).all(|b| set[usize::from(b)] == (b == b'<' || b == b'=')));
    }
}
