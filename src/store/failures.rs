//! Failure rules: "make the next N backups (restores, creations) of one instance, or any,
//! fail", and what each has caught.

use crate::domain::instance_change::InstanceChange;
use crate::domain::{InstanceId, JobKind};

/// What a failure rule makes fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureTarget {
    Backups,
    /// Restores to an existing instance.
    Restores,
    /// Instance creations, with or without a restore point.
    Creations,
    /// Changes of an instance: deletion, rename, flavor, port, monitoring, replicas, SQL
    /// throttling.
    Changes,
    /// Jobs of an instance's database proxies.
    Proxies,
}

impl FailureTarget {
    pub const ALL: [FailureTarget; 5] = [
        Self::Backups,
        Self::Restores,
        Self::Creations,
        Self::Changes,
        Self::Proxies,
    ];

    /// The control API's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Backups => "backup",
            Self::Restores => "restore",
            Self::Creations => "create_instance",
            Self::Changes => "change_instance",
            Self::Proxies => "proxy",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub(super) fn of(kind: &JobKind) -> Self {
        match kind {
            JobKind::Backup(_) => Self::Backups,
            JobKind::Restore(_) => Self::Restores,
            JobKind::CreateInstance(_) => Self::Creations,
            JobKind::Change(InstanceChange::Proxy(_)) => Self::Proxies,
            JobKind::Change(_) => Self::Changes,
        }
    }
}

/// "Make the next N backups (restores, creations, changes) of one instance, or any, fail." For a
/// restore the instance is its target or its source; for a creation, its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRule {
    pub id: u64,
    pub target: FailureTarget,
    pub instance_id: Option<InstanceId>,
    pub remaining: u32,
    pub hits: u32,
    pub reason: String,
}
