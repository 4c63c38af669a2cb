//! The emulated service's model: identifiers, backups, instances and jobs, with the rules the
//! real API enforces on each. Nothing here knows about HTTP.

pub mod backup;
pub mod backup_query;
pub mod identity;
pub mod ids;
pub mod incremental;
pub mod instance;
pub mod instance_backup_query;
pub mod instance_query;
pub mod job;
pub mod lifecycle;
pub mod new_instance;
pub mod policy;
pub mod restore;
pub mod time;

pub use backup::{
    Backup, BackupDescription, BackupName, BackupStatus, BackupText, BackupType, NewBackup,
};
pub use backup_query::{BackupQuery, RawBackupQuery};
pub use ids::{BackupId, IdSource, InstanceId, JobId, ProjectId, RequestIds, random_seed};
pub use instance::{Instance, InstanceProfile, InstanceStatus};
pub use instance_backup_query::{InstanceBackupQuery, RawInstanceBackupQuery};
pub use instance_query::{InstanceQuery, RawInstanceQuery};
pub use job::{Job, JobKind, JobStatus, RestorePoint, RestoreSource};
pub use lifecycle::LifecycleMode;
pub use policy::{BackupPolicy, OffsitePolicy};
