//! DB instances: their documented statuses and the record the store keeps for each.

use chrono::{DateTime, Utc};

use super::Text;
use super::catalog::Flavor;
use super::ids::{BackupId, InstanceId, JobId, MAX_FIELD, derived_uuid, stable_hash};
use super::node::{Node, Placement};
use super::policy::BackupPolicy;
use crate::error::ApiError;

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
    /// Whether an instance in this status may start a backup, `building` telling whether one
    /// builds already. Checked in this order: frozen, a backup in progress, then any status
    /// but `ACTIVE` (storage full has its own error).
    pub fn check_can_back_up(self, building: bool) -> Result<(), ApiError> {
        if self == Self::Frozen {
            return Err(ApiError::InstanceFrozen);
        }
        if building {
            return Err(ApiError::BackupInProgress);
        }
        match self {
            Self::Active => Ok(()),
            Self::StorageFull => Err(ApiError::InstanceStorageFull),
            _ => Err(ApiError::InstanceBusy),
        }
    }

    /// Whether an instance in this status may have its settings changed (backup policy,
    /// cross-region policy): only while `ACTIVE`, else `DBS.200011`.
    pub fn check_can_change(self) -> Result<(), ApiError> {
        if self == Self::Active {
            Ok(())
        } else {
            Err(ApiError::InstanceBusy)
        }
    }

    /// Whether an instance in this status may be restored onto: not frozen (`DBS.280449`),
    /// then only while `ACTIVE` (`DBS.200011`: restoring, building, backing up, ...).
    pub fn check_can_restore(self) -> Result<(), ApiError> {
        match self {
            Self::Frozen => Err(ApiError::InstanceFrozen),
            _ => self.check_can_change(),
        }
    }

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
    /// The running jobs of its own: its creation or a restore (which hold it `BUILD` or
    /// `RESTORING`), or a change (one at a time, or a replica added per job). While any runs,
    /// other changes are refused.
    pub tasks: Vec<JobId>,
    /// Its running jobs that other changes need not wait for: a proxy's nodes, flavor or
    /// weights, SQL throttling. A read of the instance counts as a read of each, as of `tasks`.
    pub side_jobs: Vec<JobId>,
    /// The master first, then the read replicas.
    pub nodes: Vec<Node>,
    pub policy: BackupPolicy,
    /// When the next automated backup is due, if automated backups run.
    pub next_automated_backup: Option<DateTime<Utc>>,
    /// Everything else a client reads about the instance.
    pub profile: InstanceProfile,
    /// Its database proxies.
    pub proxies: Vec<super::proxy::Proxy>,
    /// Its SQL throttling switch and rules.
    pub sql_filter: super::sql_filter::SqlFilter,
    /// The log entries added to it (shared: an instance is copied for every change).
    pub logs: std::sync::Arc<super::logs::InstanceLogs>,
}

/// The descriptive fields of an instance, as the instance pages list them. Fixtures may set
/// any of them; [`InstanceProfile::defaults`] fills in the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceProfile {
    pub alias: Text,
    pub port: u16,
    pub region: Text,
    pub datastore_version: Text,
    pub kernel_version: Text,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub db_user_name: Text,
    pub vpc_id: Text,
    pub subnet_id: Text,
    pub security_group_id: Text,
    pub private_ips: Vec<Text>,
    pub public_ips: Vec<String>,
    pub flavor_ref: Text,
    pub vcpus: Text,
    pub ram: Text,
    pub volume_type: Text,
    /// Storage size in GB.
    pub volume_size: u64,
    pub time_zone: Text,
    pub tags: Vec<(String, String)>,
    pub enterprise_project_id: Text,
    pub charge_mode: Text,
    pub az_mode: Text,
    pub master_az_code: Text,
    pub maintenance_window: Text,
    pub configuration_id: Text,
    pub dedicated_resource_id: Text,
    /// The KMS key backups are encrypted with; none while backup encryption is off.
    pub backup_encryption_key: Option<String>,
    /// The cross-region backup policy, once one was set (boxed: few instances have one).
    pub offsite_policy: Option<Box<super::policy::OffsitePolicy>>,
    /// Seconds-level monitoring: off, or every 1 or 5 seconds.
    pub monitoring: Option<u8>,
    /// Whether table names are case-insensitive (1, the default) or not (0); a restore needs
    /// the same on both sides.
    pub lower_case_table_names: u8,
}

impl InstanceProfile {
    /// Realistic values for an instance of `id` in region `region` created at `created`, stable
    /// for the same id: network ids and the private address are derived from it.
    pub fn defaults(id: &InstanceId, region: &str, created: DateTime<Utc>) -> Self {
        let seed = id.as_str();
        let h = stable_hash(seed, 0);
        Self {
            alias: Text::default(),
            port: 3306,
            region: region.into(),
            datastore_version: "8.0.22".into(),
            kernel_version: "2.0.29.1".into(),
            created,
            updated: created,
            db_user_name: "root".into(),
            vpc_id: derived_uuid(seed, 1).into(),
            subnet_id: derived_uuid(seed, 2).into(),
            security_group_id: derived_uuid(seed, 3).into(),
            private_ips: vec![compact_str::format_compact!(
                "192.168.{}.{}",
                h % 250,
                2 + (h >> 8) % 250
            )],
            public_ips: Vec::new(),
            flavor_ref: "gaussdb.mysql.xlarge.x86.4".into(),
            vcpus: "4".into(),
            ram: "16".into(),
            volume_type: "POOL".into(),
            volume_size: 10,
            time_zone: "UTC".into(),
            tags: Vec::new(),
            enterprise_project_id: "0".into(),
            charge_mode: "postPaid".into(),
            az_mode: "single".into(),
            master_az_code: compact_str::format_compact!("{region}-01"),
            maintenance_window: "18:00-22:00".into(),
            configuration_id: compact_str::format_compact!(
                "{}pr07",
                derived_uuid(seed, 4).replace('-', "")
            ),
            dedicated_resource_id: Text::default(),
            backup_encryption_key: None,
            offsite_policy: None,
            monitoring: None,
            lower_case_table_names: 1,
        }
    }
}

impl InstanceProfile {
    /// Takes a flavor: its spec code and its numbers.
    pub fn take_flavor(&mut self, flavor: &Flavor) {
        self.flavor_ref = Text::from(flavor.spec_code.as_str());
        self.vcpus = Text::from(flavor.vcpus.as_str());
        self.ram = Text::from(flavor.ram.as_str());
    }

    /// Where the instance's nodes go: its region, zones and address.
    pub fn placement(&self) -> Placement<'_> {
        Placement {
            region: &self.region,
            az_mode: &self.az_mode,
            master_az: &self.master_az_code,
            address: self.private_ips.first().map_or("192.168.0.2", Text::as_str),
        }
    }
}

impl Instance {
    /// An instance with nothing building or running.
    pub fn new(
        id: InstanceId,
        name: String,
        base_status: InstanceStatus,
        policy: BackupPolicy,
        profile: InstanceProfile,
        nodes: Vec<Node>,
    ) -> Self {
        Self {
            id,
            name,
            base_status,
            building: None,
            tasks: Vec::new(),
            side_jobs: Vec::new(),
            nodes,
            policy,
            next_automated_backup: None,
            profile,
            proxies: Vec::new(),
            sql_filter: super::sql_filter::SqlFilter::default(),
            logs: super::logs::InstanceLogs::none(),
        }
    }

    /// The status a client reads: `BACKING UP` while an `ACTIVE` instance has a backup building.
    pub fn status(&self) -> InstanceStatus {
        match (self.base_status, &self.building) {
            (InstanceStatus::Active, Some(_)) => InstanceStatus::BackingUp,
            (status, _) => status,
        }
    }
}

/// 4 to 64 characters (at most 64 bytes), starting with a letter, then letters, digits, `-`
/// and `_`; Chinese characters count as letters.
pub(super) fn name_ok(name: &str) -> bool {
    let letter = |c: char| c.is_ascii_alphabetic() || ('\u{4e00}'..='\u{9fff}').contains(&c);
    let count = name.chars().count();
    (4..=64).contains(&count)
        && name.len() <= 64
        && name.chars().next().is_some_and(letter)
        && name
            .chars()
            .all(|c| letter(c) || c.is_ascii_digit() || c == '-' || c == '_')
}

/// 8 to 32 characters with at least three of: upper case, lower case, digits, and the
/// special characters `~!@#$%^*-_=+?,()&`; nothing else.
pub(super) fn password_ok(password: &str) -> bool {
    const SPECIAL: &str = "~!@#$%^*-_=+?,()&";
    let kinds = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| SPECIAL.contains(c)),
    ];
    (8..=32).contains(&password.len())
        && password
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
        && kinds.iter().filter(|k| **k).count() >= 3
}

/// The backup encryption a request asks for: `Some(key)` for `on` with `type` `kms` and a
/// `kms_key_id` of at most 64 characters (a KMS key id is a UUID), `None` for `off` (values
/// case-insensitive); anything else is `DBS.200001`.
pub fn encryption_key(
    status: &str,
    key_type: Option<&str>,
    kms_key_id: Option<String>,
) -> Result<Option<String>, ApiError> {
    if status.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let kms = key_type.is_some_and(|t| t.eq_ignore_ascii_case("kms"));
    match (status.eq_ignore_ascii_case("on") && kms, kms_key_id) {
        (true, Some(key)) if !key.trim().is_empty() && key.chars().count() <= MAX_FIELD => {
            Ok(Some(key))
        }
        _ => Err(ApiError::Parameter),
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
        let id = InstanceId::parse("07033b125fd94a8a96896f8bcfee6ddain07").unwrap();
        let profile = InstanceProfile::defaults(&id, "eu-de", DateTime::UNIX_EPOCH);
        let mut instance = Instance::new(
            id,
            "taurusdb-instance01".into(),
            InstanceStatus::Active,
            BackupPolicy::default(),
            profile,
            Vec::new(),
        );
        assert_eq!(instance.status(), InstanceStatus::Active);
        instance.building = Some(BackupId::from_raw("b1182ccdda034f2b9535f3dca5c47e71br07"));
        assert_eq!(instance.status(), InstanceStatus::BackingUp);
        instance.base_status = InstanceStatus::Frozen;
        assert_eq!(instance.status(), InstanceStatus::Frozen);
    }

    #[test]
    fn default_profiles_are_stable_for_the_same_id_and_differ_between_ids() {
        let a = InstanceId::parse("07033b125fd94a8a96896f8bcfee6ddain07").unwrap();
        let b = InstanceId::parse("17033b125fd94a8a96896f8bcfee6ddain07").unwrap();
        let pa = InstanceProfile::defaults(&a, "eu-de", DateTime::UNIX_EPOCH);
        assert_eq!(
            pa,
            InstanceProfile::defaults(&a, "eu-de", DateTime::UNIX_EPOCH)
        );
        assert_ne!(
            pa.vpc_id,
            InstanceProfile::defaults(&b, "eu-de", DateTime::UNIX_EPOCH).vpc_id
        );
        assert_eq!(
            uuid::Uuid::parse_str(&pa.vpc_id).unwrap().get_version_num(),
            4
        );
        assert_eq!(pa.master_az_code, "eu-de-01");
    }

    #[test]
    fn only_an_active_instance_with_no_backup_building_may_back_up() {
        assert_eq!(InstanceStatus::Active.check_can_back_up(false), Ok(()));
        assert_eq!(
            InstanceStatus::Active.check_can_back_up(true),
            Err(ApiError::BackupInProgress)
        );
        assert_eq!(
            InstanceStatus::Frozen.check_can_back_up(true),
            Err(ApiError::InstanceFrozen)
        );
        assert_eq!(
            InstanceStatus::StorageFull.check_can_back_up(false),
            Err(ApiError::InstanceStorageFull)
        );
        assert_eq!(
            InstanceStatus::StorageFull.check_can_back_up(true),
            Err(ApiError::BackupInProgress)
        );
        for busy in [
            InstanceStatus::Build,
            InstanceStatus::Restoring,
            InstanceStatus::BackingUp,
        ] {
            assert_eq!(busy.check_can_back_up(false), Err(ApiError::InstanceBusy));
        }
    }

    #[test]
    fn only_an_active_instance_may_be_restored_onto_and_a_frozen_one_says_so() {
        assert_eq!(InstanceStatus::Active.check_can_restore(), Ok(()));
        assert_eq!(
            InstanceStatus::Frozen.check_can_restore(),
            Err(ApiError::InstanceFrozen)
        );
        for busy in [
            InstanceStatus::Restoring,
            InstanceStatus::Build,
            InstanceStatus::BackingUp,
            InstanceStatus::Rebooting,
        ] {
            assert_eq!(busy.check_can_restore(), Err(ApiError::InstanceBusy));
        }
    }

    #[test]
    fn only_an_active_instance_may_have_its_settings_changed() {
        assert_eq!(InstanceStatus::Active.check_can_change(), Ok(()));
        for other in [
            InstanceStatus::BackingUp,
            InstanceStatus::Frozen,
            InstanceStatus::Restoring,
        ] {
            assert_eq!(other.check_can_change(), Err(ApiError::InstanceBusy));
        }
    }

    #[test]
    fn encryption_is_on_with_kms_and_a_key_or_off_in_any_case() {
        let key = || Some("4f2d6a3e".to_owned());
        assert_eq!(encryption_key("ON", Some("KMS"), key()), Ok(key()));
        assert_eq!(encryption_key("Off", None, None), Ok(None));
        for (status, key_type, kms_key_id) in [
            ("on", None, key()),
            ("on", Some("kms"), None),
            ("on", Some("kms"), Some(" ".to_owned())),
            ("on", Some("kms"), Some("k".repeat(MAX_FIELD + 1))),
            ("on", Some("aes"), key()),
            ("maybe", Some("kms"), key()),
        ] {
            assert_eq!(
                encryption_key(status, key_type, kms_key_id),
                Err(ApiError::Parameter),
                "{status} {key_type:?}"
            );
        }
    }
}
