//! Changes to an existing instance, each a job of its own (deletion, rename, flavor, port,
//! seconds-level monitoring, a replica added or deleted), and the rules of each request, with
//! the codes of the error table (`api-instances.md` §4, §11).

use super::ids::NodeId;
use super::instance::{Instance, InstanceStatus, name_ok, password_ok};
use super::proxy::ProxyChange;
use super::sql_filter::SqlFilterChange;
use crate::error::ApiError;

/// What a change job does to its instance when it completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceChange {
    /// The instance goes, with its replicas and automated backups; manual backups stay.
    Delete,
    /// A new name, and the nodes' names after it when `nodes_too`.
    Rename { name: String, nodes_too: bool },
    /// Every node takes this flavor (spec code).
    Resize { flavor: String },
    /// The database port of the instance and its nodes.
    Port(u16),
    /// Seconds-level monitoring: off (`None`) or on every 1 or 5 seconds.
    Monitoring(Option<u8>),
    /// This replica, `BUILD` meanwhile, is ready.
    AddNode(NodeId),
    /// This node, `DELETING` meanwhile, goes (a master fails over to a replica).
    DeleteNode(NodeId),
    /// A change of the instance's database proxies.
    Proxy(ProxyChange),
    /// A change of the instance's SQL throttling.
    SqlFilter(SqlFilterChange),
}

impl InstanceChange {
    /// The job's name (Huawei Cloud's job list names them; `api-instances.md` §2).
    pub fn job_name(&self) -> &'static str {
        match self {
            Self::Delete => "DeleteGaussDBforMySQLInstance",
            Self::Rename { .. } => "RenameGaussDBforMySQLInstance",
            Self::Resize { .. } => "ResizeGaussDBforMySQLFlavor",
            Self::Port(_) => "ModifyGaussDBforMySQLPort",
            Self::Monitoring(_) => "GaussDBforMySQLModifyInstanceMetricExtend",
            Self::AddNode(_) => "AddGaussDBforMySQLNodes",
            Self::DeleteNode(_) => "DeleteGaussDBforMySQLNode",
            Self::Proxy(change) => change.job_name(),
            Self::SqlFilter(change) => change.job_name(),
        }
    }

    /// The status the instance shows while the job runs, if not its own: `MODIFYING` for a
    /// flavor change, `MODIFYING DATABASE PORT` for a port change.
    pub fn holding_status(&self) -> Option<InstanceStatus> {
        match self {
            Self::Resize { .. } => Some(InstanceStatus::Modifying),
            Self::Port(_) => Some(InstanceStatus::ModifyingDatabasePort),
            _ => None,
        }
    }

    /// Whether the job holds its instance while it runs (other changes wait, `DBS.200019`):
    /// all do but a proxy's nodes, flavor and weights, and SQL throttling (Terraform sets a
    /// rule and enables a proxy of one instance at once, and never retries a 409).
    pub fn holds_instance(&self) -> bool {
        match self {
            Self::Proxy(change) => change.holds_instance(),
            Self::SqlFilter(_) => false,
            _ => true,
        }
    }

    /// The node the job works on, for node jobs.
    pub fn node(&self) -> Option<&NodeId> {
        match self {
            Self::AddNode(id) | Self::DeleteNode(id) => Some(id),
            _ => None,
        }
    }
}

impl Instance {
    /// Whether a change other than deletion may start: not frozen (`DBS.280449`), no job of
    /// its own running (`DBS.200019`: "another operation"), and `ACTIVE` (`DBS.200011`; a
    /// backup in progress does not count).
    pub fn check_can_start_change(&self) -> Result<(), ApiError> {
        if self.base_status == InstanceStatus::Frozen {
            return Err(ApiError::InstanceFrozen);
        }
        if !self.tasks.is_empty() {
            return Err(ApiError::InstanceOperationRunning);
        }
        self.base_status.check_can_change()
    }

    /// Whether the instance may be deleted: not frozen (`DBS.280449`), no job of its own
    /// running, and `ACTIVE` (a backup may run: it fails), or `FAILED` (`DBS.200019`
    /// otherwise: building, restoring, being modified).
    pub fn check_can_delete(&self) -> Result<(), ApiError> {
        if self.base_status == InstanceStatus::Frozen {
            return Err(ApiError::InstanceFrozen);
        }
        match self.base_status {
            InstanceStatus::Active | InstanceStatus::Failed if self.tasks.is_empty() => Ok(()),
            _ => Err(ApiError::InstanceOperationRunning),
        }
    }

    /// Whether the root password may be reset: not frozen, nothing of its own running, and
    /// not while it is being created, restored, rebooted, modified, switched over or is
    /// faulty (the user guide's list; `DBS.200019`).
    pub fn check_can_reset_password(&self) -> Result<(), ApiError> {
        if self.base_status == InstanceStatus::Frozen {
            return Err(ApiError::InstanceFrozen);
        }
        match self.base_status {
            InstanceStatus::Active | InstanceStatus::StorageFull if self.tasks.is_empty() => Ok(()),
            _ => Err(ApiError::InstanceOperationRunning),
        }
    }
}

/// A rename: the instance name rule (`DBS.200021`); `is_modify_node_name` is `"true"` (the
/// default) or `"false"` (`DBS.200001`).
pub fn rename(
    name: Option<&str>,
    is_modify_node_name: Option<&str>,
) -> Result<InstanceChange, ApiError> {
    let name = name
        .filter(|n| name_ok(n))
        .ok_or(ApiError::InvalidInstanceName)?;
    let nodes_too = match is_modify_node_name {
        None => true,
        Some(flag) if flag.eq_ignore_ascii_case("true") => true,
        Some(flag) if flag.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err(ApiError::Parameter),
    };
    Ok(InstanceChange::Rename {
        name: name.to_owned(),
        nodes_too,
    })
}

/// Ports the API page reserves.
const RESERVED_PORTS: [i64; 9] = [5342, 5343, 5344, 5345, 12017, 20000, 20201, 20202, 33062];

/// A database port: 1024 to 65535 but the reserved ones (`DBS.280364`).
pub fn port(port: Option<i64>) -> Result<u16, ApiError> {
    port.filter(|p| (1024..=65535).contains(p) && !RESERVED_PORTS.contains(p))
        .map(|p| p as u16)
        .ok_or(ApiError::InvalidPort)
}

/// Seconds-level monitoring: `monitor_switch` is required; while on, `period` is 1 or 5 (5
/// when left out); while off, `period` is ignored (`DBS.200001` otherwise).
pub fn monitoring(switch: Option<bool>, period: Option<i64>) -> Result<Option<u8>, ApiError> {
    match (switch.ok_or(ApiError::Parameter)?, period) {
        (false, _) => Ok(None),
        (true, None) => Ok(Some(5)),
        (true, Some(p @ (1 | 5))) => Ok(Some(p as u8)),
        (true, Some(_)) => Err(ApiError::Parameter),
    }
}

/// A new root password: the creation's password rule (`DBS.200052`).
pub fn check_password(password: Option<&str>) -> Result<(), ApiError> {
    if password.is_some_and(password_ok) {
        Ok(())
    } else {
        Err(ApiError::InvalidPassword)
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::domain::{BackupPolicy, InstanceId, InstanceProfile, JobId};

    fn instance() -> Instance {
        let id = InstanceId::parse("07033b125fd94a8a96896f8bcfee6ddain07").unwrap();
        let profile = InstanceProfile::defaults(&id, "eu-de", DateTime::UNIX_EPOCH);
        Instance::new(
            id,
            "db-1".into(),
            InstanceStatus::Active,
            BackupPolicy::default(),
            profile,
            Vec::new(),
        )
    }

    #[test]
    fn a_rename_takes_the_instance_name_rule_and_a_text_flag_for_the_nodes() {
        assert_eq!(
            rename(Some("db-2_x"), Some("false")),
            Ok(InstanceChange::Rename {
                name: "db-2_x".into(),
                nodes_too: false
            })
        );
        assert!(matches!(
            rename(Some("db-2"), None),
            Ok(InstanceChange::Rename {
                nodes_too: true,
                ..
            })
        ));
        for bad in [None, Some("1db"), Some("db"), Some("db 2")] {
            assert_eq!(
                rename(bad, None),
                Err(ApiError::InvalidInstanceName),
                "{bad:?}"
            );
        }
        assert_eq!(rename(Some("db-2"), Some("yes")), Err(ApiError::Parameter));
    }

    #[test]
    fn a_port_is_1024_to_65535_but_the_reserved_ones() {
        assert_eq!(port(Some(3307)), Ok(3307));
        assert_eq!(port(Some(1024)), Ok(1024));
        assert_eq!(port(Some(65535)), Ok(65535));
        for bad in [
            None,
            Some(1023),
            Some(65536),
            Some(5343),
            Some(33062),
            Some(-1),
        ] {
            assert_eq!(port(bad), Err(ApiError::InvalidPort), "{bad:?}");
        }
    }

    #[test]
    fn monitoring_is_on_every_1_or_5_seconds_or_off_whatever_the_period() {
        assert_eq!(monitoring(Some(true), Some(1)), Ok(Some(1)));
        assert_eq!(monitoring(Some(true), None), Ok(Some(5)));
        assert_eq!(monitoring(Some(false), Some(7)), Ok(None));
        assert_eq!(monitoring(Some(true), Some(2)), Err(ApiError::Parameter));
        assert_eq!(monitoring(None, Some(5)), Err(ApiError::Parameter));
    }

    #[test]
    fn a_change_waits_for_the_instance_and_a_delete_takes_a_failed_one() {
        let mut i = instance();
        assert_eq!(i.check_can_start_change(), Ok(()));
        assert_eq!(i.check_can_delete(), Ok(()));
        i.building = Some(crate::domain::BackupId::from_raw("b"));
        assert_eq!(
            i.check_can_start_change(),
            Ok(()),
            "a backup does not block a change"
        );
        i.tasks
            .push(JobId::parse("dff1d289-4d03-4942-8b9f-463ea07c000d").unwrap());
        assert_eq!(
            i.check_can_start_change(),
            Err(ApiError::InstanceOperationRunning)
        );
        assert_eq!(
            i.check_can_delete(),
            Err(ApiError::InstanceOperationRunning)
        );
        i.tasks.clear();
        i.base_status = InstanceStatus::Failed;
        assert_eq!(i.check_can_start_change(), Err(ApiError::InstanceBusy));
        assert_eq!(i.check_can_delete(), Ok(()));
        assert_eq!(
            i.check_can_reset_password(),
            Err(ApiError::InstanceOperationRunning)
        );
        i.base_status = InstanceStatus::Frozen;
        assert_eq!(i.check_can_delete(), Err(ApiError::InstanceFrozen));
        assert_eq!(i.check_can_start_change(), Err(ApiError::InstanceFrozen));
    }

    #[test]
    fn each_change_has_its_job_name_and_only_flavor_and_port_hold_a_status() {
        assert_eq!(
            InstanceChange::Delete.job_name(),
            "DeleteGaussDBforMySQLInstance"
        );
        assert_eq!(
            InstanceChange::Port(3307).holding_status(),
            Some(InstanceStatus::ModifyingDatabasePort)
        );
        assert_eq!(
            InstanceChange::Resize { flavor: "f".into() }.holding_status(),
            Some(InstanceStatus::Modifying)
        );
        assert_eq!(InstanceChange::Monitoring(None).holding_status(), None);
        assert_eq!(check_password(Some("Root1234#New")), Ok(()));
        assert_eq!(check_password(Some("weak")), Err(ApiError::InvalidPassword));
    }
}
