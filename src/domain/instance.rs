//! DB instances: their documented statuses and the record the store keeps for each.

use super::ids::{BackupId, InstanceId};

/// An instance status as the API spells it (the instance-details page's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceStatus {
    Build,
    Active,
    Failed,
    Frozen,
    Modifying,
    Rebooting,
    Restoring,
    ModifyingInstanceType,
    Switchover,
    Migrating,
    BackingUp,
    ModifyingDatabasePort,
    StorageFull,
}

impl InstanceStatus {
    const ALL: [InstanceStatus; 13] = [
        Self::Build,
        Self::Active,
        Self::Failed,
        Self::Frozen,
        Self::Modifying,
        Self::Rebooting,
        Self::Restoring,
        Self::ModifyingInstanceType,
        Self::Switchover,
        Self::Migrating,
        Self::BackingUp,
        Self::ModifyingDatabasePort,
        Self::StorageFull,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Build => "BUILD",
            Self::Active => "ACTIVE",
            Self::Failed => "FAILED",
            Self::Frozen => "FROZEN",
            Self::Modifying => "MODIFYING",
            Self::Rebooting => "REBOOTING",
            Self::Restoring => "RESTORING",
            Self::ModifyingInstanceType => "MODIFYING INSTANCE TYPE",
            Self::Switchover => "SWITCHOVER",
            Self::Migrating => "MIGRATING",
            Self::BackingUp => "BACKING UP",
            Self::ModifyingDatabasePort => "MODIFYING DATABASE PORT",
            Self::StorageFull => "STORAGE FULL",
        }
    }

    /// Reads a documented status; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Every documented status, for error messages.
    pub fn all_names() -> Vec<&'static str> {
        Self::ALL.into_iter().map(Self::as_str).collect()
    }
}

/// One DB instance as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub id: InstanceId,
    pub name: String,
    /// The status the instance has of itself (from fixtures); see [`Instance::status`].
    pub base_status: InstanceStatus,
    /// The backup of this instance that is still `BUILDING`, if any: at most one at a time.
    pub building: Option<BackupId>,
}

impl Instance {
    /// The status a client reads: `BACKING UP` while an `ACTIVE` instance has a backup building.
    pub fn status(&self) -> InstanceStatus {
        match (self.base_status, &self.building) {
            (InstanceStatus::Active, Some(_)) => InstanceStatus::BackingUp,
            (status, _) => status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_reads_back() {
        for name in InstanceStatus::all_names() {
            assert_eq!(
                InstanceStatus::parse(name).map(InstanceStatus::as_str),
                Some(name)
            );
        }
        assert_eq!(InstanceStatus::parse("active"), None);
    }

    #[test]
    fn an_active_instance_reads_backing_up_while_a_backup_builds() {
        let mut instance = Instance {
            id: InstanceId::parse("07033b125fd94a8a96896f8bcfee6ddain07").unwrap(),
            name: "taurusdb-instance01".into(),
            base_status: InstanceStatus::Active,
            building: None,
        };
        assert_eq!(instance.status(), InstanceStatus::Active);
        instance.building = Some(BackupId::generate());
        assert_eq!(instance.status(), InstanceStatus::BackingUp);
        instance.base_status = InstanceStatus::Frozen;
        assert_eq!(instance.status(), InstanceStatus::Frozen);
    }
}
