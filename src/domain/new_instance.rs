//! Creating an instance (Huawei Cloud's `CreateGaussMySqlInstance`), with or without a restore
//! point: the request's rules, each with the code the error table gives it, and the instance
//! it describes.

use chrono::{DateTime, Utc};

use super::Text;
use super::catalog::{self, Catalog, Flavor};
use super::ids::InstanceId;
use super::instance::{InstanceProfile, name_ok, password_ok};
use super::job::{RestorePoint, RestoreSource};
use super::policy::BackupPolicy;
use crate::error::ApiError;

/// The most read replicas an instance may have.
pub const MAX_SLAVES: u32 = super::node::MAX_NEW_REPLICAS as u32;
/// The most tags an instance may have.
pub const MAX_TAGS: usize = 20;
pub use super::ids::MAX_FIELD;

/// The fields of a create request, as text and numbers; [`NewInstance::parse`] checks them.
#[derive(Debug, Default)]
pub struct RawNewInstance<'a> {
    pub region: Option<&'a str>,
    pub name: Option<&'a str>,
    pub datastore_type: Option<&'a str>,
    pub datastore_version: Option<&'a str>,
    pub kernel_version: Option<&'a str>,
    pub mode: Option<&'a str>,
    pub flavor_ref: Option<&'a str>,
    pub vpc_id: Option<&'a str>,
    pub subnet_id: Option<&'a str>,
    pub security_group_id: Option<&'a str>,
    pub password: Option<&'a str>,
    pub availability_zone_mode: Option<&'a str>,
    pub master_availability_zone: Option<&'a str>,
    pub slave_count: Option<i64>,
    pub backup_start_time: Option<&'a str>,
    /// `backup_strategy.keep_days`, typed string in the API (numbers are taken too).
    pub backup_keep_days: Option<i64>,
    /// Whether `backup_strategy` was sent at all.
    pub backup_strategy: bool,
    pub charge_mode: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    pub configuration_id: Option<&'a str>,
    pub enterprise_project_id: Option<&'a str>,
    pub dedicated_resource_id: Option<&'a str>,
    pub lower_case_table_names: Option<i64>,
    pub volume_size: Option<i64>,
    pub tags: Vec<(String, String)>,
    pub restore: Option<RestoreSource>,
}

/// A checked create request.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInstance {
    pub region: String,
    pub name: String,
    pub datastore_version: String,
    pub kernel_version: Option<String>,
    /// `Cluster` or `StandSingle`, echoed in the answer.
    pub mode: String,
    pub flavor_ref: String,
    /// The catalogue's flavor of `flavor_ref`, and the full version of `datastore_version`,
    /// as they were when the request was taken.
    pub flavor: Flavor,
    pub full_version: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: Option<String>,
    pub az_mode: String,
    pub master_az: Option<String>,
    pub slave_count: u32,
    pub policy: BackupPolicy,
    pub prepaid: bool,
    pub time_zone: String,
    pub configuration_id: Option<String>,
    pub enterprise_project_id: String,
    pub dedicated_resource_id: String,
    pub lower_case_table_names: u8,
    /// GB; none asked for: the instance's storage grows as it needs (read as size 0).
    pub volume_size: Option<u64>,
    pub tags: Vec<(String, String)>,
    pub restore: Option<RestoreSource>,
}

impl NewInstance {
    /// Checks a create request: the name (`DBS.200021`), the password (`DBS.200052`), the
    /// region against the project's (`DBS.200024`), the network (`DBS.200048`,
    /// `DBS.200049`), the engine (`DBS.200040`), anything else missing or malformed
    /// (`DBS.200001`). `backup_strategy` and `charge_info` are optional, as Terraform sends
    /// them only when configured. Flavors and versions are `catalog`'s.
    pub fn parse(
        raw: RawNewInstance<'_>,
        project_region: &str,
        catalog: &Catalog,
    ) -> Result<Self, ApiError> {
        let text = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        // Every text the instance keeps is bounded, so that no request grows the state by more
        // than a few hundred bytes per instance.
        let longest = [
            raw.datastore_version,
            raw.flavor_ref,
            raw.security_group_id,
            raw.master_availability_zone,
            raw.time_zone,
            raw.configuration_id,
            raw.enterprise_project_id,
            raw.dedicated_resource_id,
            raw.kernel_version,
        ]
        .iter()
        .flatten()
        .map(|v| v.len())
        .max()
        .unwrap_or(0);
        if longest > MAX_FIELD {
            return Err(ApiError::Parameter);
        }
        let name = raw
            .name
            .filter(|n| name_ok(n))
            .ok_or(ApiError::InvalidInstanceName)?;
        let region = text(raw.region)
            .filter(|r| region_matches(r, project_region))
            .ok_or(ApiError::InvalidRegion)?;
        if !raw.password.is_some_and(password_ok) {
            return Err(ApiError::InvalidPassword);
        }
        let vpc_id = text(raw.vpc_id)
            .filter(|v| network_id_ok(v))
            .ok_or(ApiError::InvalidVpc)?;
        let subnet_id = text(raw.subnet_id)
            .filter(|v| network_id_ok(v))
            .ok_or(ApiError::InvalidSubnet)?;
        let version = text(raw.datastore_version).ok_or(ApiError::UnsupportedEngine)?;
        if raw
            .datastore_type
            .is_none_or(|t| !t.eq_ignore_ascii_case("gaussdb-mysql"))
            || !(version_ok(&version) || catalog.knows_version(&version))
        {
            return Err(ApiError::UnsupportedEngine);
        }
        let mode = match raw.mode {
            Some(m @ ("Cluster" | "StandSingle")) => m.to_owned(),
            _ => return Err(ApiError::Parameter),
        };
        let flavor_ref = text(raw.flavor_ref).ok_or(ApiError::Parameter)?;
        let flavor = catalog
            .flavor(&flavor_ref)
            .cloned()
            .ok_or(ApiError::InvalidFlavor)?;
        let az_mode = match raw.availability_zone_mode {
            Some(m) if m.eq_ignore_ascii_case("single") => "single".to_owned(),
            Some(m) if m.eq_ignore_ascii_case("multi") => "multi".to_owned(),
            _ => return Err(ApiError::Parameter),
        };
        let master_az = text(raw.master_availability_zone);
        if az_mode == "multi" && master_az.is_none() {
            return Err(ApiError::Parameter);
        }
        let slave_count = raw
            .slave_count
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= MAX_SLAVES)
            .filter(|n| mode == "Cluster" || *n == 0)
            .ok_or(ApiError::Parameter)?;
        let mut policy = BackupPolicy::default();
        if raw.backup_strategy {
            policy.start_hour = BackupPolicy::parse_start_time(raw.backup_start_time.unwrap_or(""))
                .map_err(|_| ApiError::Parameter)?;
            if let Some(days) = raw.backup_keep_days {
                policy.keep_days =
                    BackupPolicy::parse_keep_days(Some(days)).map_err(|_| ApiError::Parameter)?;
            }
        }
        let prepaid = match raw.charge_mode {
            None => false,
            Some(m) if m.eq_ignore_ascii_case("postPaid") => false,
            Some(m) if m.eq_ignore_ascii_case("prePaid") => true,
            Some(_) => return Err(ApiError::Parameter),
        };
        let lower_case_table_names = match raw.lower_case_table_names {
            None => 1,
            Some(n @ (0 | 1)) => n as u8,
            Some(_) => return Err(ApiError::Parameter),
        };
        let volume_size = match raw.volume_size {
            None => None,
            Some(n) if (10..=128_000).contains(&n) => Some(n as u64),
            Some(_) => return Err(ApiError::Parameter),
        };
        let tag_ok = |(k, v): &(String, String)| {
            (1..=128).contains(&k.trim().chars().count()) && v.chars().count() <= 255
        };
        if raw.tags.len() > MAX_TAGS || !raw.tags.iter().all(tag_ok) {
            return Err(ApiError::Parameter);
        }
        Ok(Self {
            region,
            name: name.to_owned(),
            full_version: catalog.full_version(&version),
            datastore_version: version,
            flavor,
            kernel_version: text(raw.kernel_version),
            mode,
            flavor_ref,
            vpc_id,
            subnet_id,
            security_group_id: text(raw.security_group_id),
            az_mode,
            master_az,
            slave_count,
            policy,
            prepaid,
            time_zone: text(raw.time_zone).unwrap_or_else(|| "UTC".to_owned()),
            configuration_id: text(raw.configuration_id),
            enterprise_project_id: text(raw.enterprise_project_id)
                .unwrap_or_else(|| "0".to_owned()),
            dedicated_resource_id: text(raw.dedicated_resource_id).unwrap_or_default(),
            lower_case_table_names,
            volume_size,
            tags: raw.tags,
            restore: raw.restore,
        })
    }

    /// The profile of the instance this request creates, with id `id`, at `now`.
    pub fn profile(&self, id: &InstanceId, now: DateTime<Utc>) -> InstanceProfile {
        let mut p = InstanceProfile::defaults(id, &self.region, now);
        p.datastore_version = Text::from(self.full_version.as_str());
        if let Some(kernel) = &self.kernel_version {
            p.kernel_version = Text::from(kernel.as_str());
        }
        p.vpc_id = Text::from(self.vpc_id.as_str());
        p.subnet_id = Text::from(self.subnet_id.as_str());
        if let Some(group) = &self.security_group_id {
            p.security_group_id = Text::from(group.as_str());
        }
        p.az_mode = Text::from(self.az_mode.as_str());
        if let Some(az) = &self.master_az {
            p.master_az_code = Text::from(az.as_str());
        }
        p.time_zone = Text::from(self.time_zone.as_str());
        if let Some(configuration) = &self.configuration_id {
            p.configuration_id = Text::from(configuration.as_str());
        }
        p.enterprise_project_id = Text::from(self.enterprise_project_id.as_str());
        p.dedicated_resource_id = Text::from(self.dedicated_resource_id.as_str());
        p.charge_mode = if self.prepaid { "prePaid" } else { "postPaid" }.into();
        p.lower_case_table_names = self.lower_case_table_names;
        p.volume_size = self.volume_size.unwrap_or(0);
        p.tags.clone_from(&self.tags);
        p.take_flavor(&self.flavor);
        p
    }
}

/// A network id: up to 64 letters, digits and hyphens (real ones are UUIDs).
fn network_id_ok(id: &str) -> bool {
    id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `8.0`, or a full MySQL 8.0 version like `8.0.22`.
fn version_ok(version: &str) -> bool {
    version == "8.0"
        || version
            .strip_prefix("8.0.")
            .is_some_and(|patch| !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `region` is the project's (see [`catalog::region_of`]).
fn region_matches(region: &str, project_name: &str) -> bool {
    region == catalog::region_of(project_name)
}

/// Whether two datastore versions are the same engine version: their first two parts agree
/// (`8.0` and `8.0.22` do).
pub fn same_engine_version(a: &str, b: &str) -> bool {
    a.split('.').take(2).eq(b.split('.').take(2))
}

/// What a restore brings back, from a request's `type`, `backup_id` and `restore_time`:
/// `backup` needs `backup_id`, `timestamp` needs `restore_time` (Unix milliseconds). An
/// in-place restore must say which (`type_required`); a restore point of a create request
/// without `type` restores `backup_id`. Anything else is `DBS.200001`.
pub fn restore_point(
    kind: Option<&str>,
    backup_id: Option<&str>,
    restore_time: Option<i64>,
    type_required: bool,
) -> Result<RestorePoint, ApiError> {
    let backup = || {
        backup_id
            .filter(|b| !b.trim().is_empty())
            .map(|b| RestorePoint::Backup(super::ids::BackupId::from_raw(b)))
            .ok_or(ApiError::Parameter)
    };
    match kind {
        Some("backup") => backup(),
        None if !type_required => backup(),
        Some("timestamp") => restore_time
            .filter(|t| *t >= 0)
            .and_then(DateTime::<Utc>::from_timestamp_millis)
            .map(RestorePoint::Time)
            .ok_or(ApiError::Parameter),
        _ => Err(ApiError::Parameter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawNewInstance<'static> {
        RawNewInstance {
            region: Some("eu-de"),
            name: Some("gaussdb-mysql-instance1"),
            datastore_type: Some("gaussdb-mysql"),
            datastore_version: Some("8.0"),
            mode: Some("Cluster"),
            flavor_ref: Some("gaussdb.mysql.xlarge.x86.4"),
            vpc_id: Some("3cedfc54-b105-4652-a4e0-847b11576b58"),
            subnet_id: Some("c1cfa53c-65d3-431e-8552-326bf310c7ad"),
            password: Some("Test@12345678"),
            availability_zone_mode: Some("single"),
            slave_count: Some(1),
            ..RawNewInstance::default()
        }
    }

    #[test]
    fn a_request_like_terraforms_is_taken_with_the_defaults_it_leaves_out() {
        let new = NewInstance::parse(raw(), "eu-de", &Catalog::default()).unwrap();
        assert_eq!(new.policy, BackupPolicy::default());
        assert!(!new.prepaid);
        assert_eq!(new.time_zone, "UTC");
        assert_eq!(new.lower_case_table_names, 1);
        let id = InstanceId::parse("5eebbb4c0f9f4a99b42ed1b6334569aain07").unwrap();
        let profile = new.profile(&id, DateTime::UNIX_EPOCH);
        assert_eq!(new.slave_count, 1);
        let catalog = Catalog::default();
        let flavor = catalog.flavor(&new.flavor_ref).unwrap();
        assert_eq!(
            (
                profile.vcpus.as_str(),
                profile.ram.as_str(),
                profile.flavor_ref.as_str()
            ),
            (
                flavor.vcpus.as_str(),
                flavor.ram.as_str(),
                flavor.spec_code.as_str()
            )
        );
        assert_eq!(
            profile.datastore_version, "8.0.22",
            "8.0 reads as its full version"
        );
        assert_eq!(profile.vpc_id, "3cedfc54-b105-4652-a4e0-847b11576b58");
        assert_eq!(profile.charge_mode, "postPaid");
        assert!(NewInstance::parse(raw(), "eu-de_project", &catalog).is_ok());
    }

    #[test]
    fn each_rule_answers_its_code() {
        const LONG: &str = "a-string-of-sixty-five-characters-which-is-one-more-than-allowed-";
        assert_eq!(LONG.len(), MAX_FIELD + 1);
        // A full version of any length was taken before.
        let long_version: &'static str =
            "8.0.0000000000000000000000000000000000000000000000000000000000001";
        assert_eq!(long_version.len(), MAX_FIELD + 1);
        let cases: Vec<(RawNewInstance<'static>, ApiError)> = vec![
            (
                RawNewInstance {
                    flavor_ref: Some(LONG),
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    datastore_version: Some(long_version),
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    time_zone: Some(LONG),
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    tags: vec![(String::new(), "v".into())],
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    tags: vec![("k".into(), "v".repeat(256))],
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    name: Some("ab"),
                    ..raw()
                },
                ApiError::InvalidInstanceName,
            ),
            (
                RawNewInstance {
                    name: Some("1abc"),
                    ..raw()
                },
                ApiError::InvalidInstanceName,
            ),
            (
                RawNewInstance {
                    name: None,
                    ..raw()
                },
                ApiError::InvalidInstanceName,
            ),
            (
                RawNewInstance {
                    region: Some("eu-nl"),
                    ..raw()
                },
                ApiError::InvalidRegion,
            ),
            (
                RawNewInstance {
                    password: Some("short1A"),
                    ..raw()
                },
                ApiError::InvalidPassword,
            ),
            (
                RawNewInstance {
                    password: Some("alllowercase1"),
                    ..raw()
                },
                ApiError::InvalidPassword,
            ),
            (
                RawNewInstance {
                    vpc_id: None,
                    ..raw()
                },
                ApiError::InvalidVpc,
            ),
            (
                RawNewInstance {
                    subnet_id: Some("a b"),
                    ..raw()
                },
                ApiError::InvalidSubnet,
            ),
            (
                RawNewInstance {
                    datastore_version: Some("5.7"),
                    ..raw()
                },
                ApiError::UnsupportedEngine,
            ),
            (
                RawNewInstance {
                    datastore_type: Some("mysql"),
                    ..raw()
                },
                ApiError::UnsupportedEngine,
            ),
            (
                RawNewInstance {
                    mode: Some("Single"),
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    slave_count: Some(10),
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    mode: Some("StandSingle"),
                    slave_count: Some(1),
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    availability_zone_mode: Some("multi"),
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    backup_strategy: true,
                    backup_start_time: Some("08:00-10:00"),
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    charge_mode: Some("free"),
                    ..raw()
                },
                ApiError::Parameter,
            ),
            (
                RawNewInstance {
                    lower_case_table_names: Some(2),
                    ..raw()
                },
                ApiError::Parameter,
            ),
        ];
        for (request, code) in cases {
            let shown = format!("{request:?}");
            assert_eq!(
                NewInstance::parse(request, "eu-de", &Catalog::default()),
                Err(code),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_restore_point_needs_what_its_type_names() {
        assert_eq!(
            restore_point(None, Some("b1br07"), None, false),
            Ok(RestorePoint::Backup(super::super::ids::BackupId::from_raw(
                "b1br07"
            )))
        );
        assert_eq!(
            restore_point(None, Some("b1br07"), None, true),
            Err(ApiError::Parameter)
        );
        assert_eq!(
            restore_point(Some("timestamp"), None, Some(1_673_852_043_000), true),
            Ok(RestorePoint::Time(
                DateTime::from_timestamp_millis(1_673_852_043_000).unwrap()
            ))
        );
        assert_eq!(
            restore_point(Some("timestamp"), Some("b"), None, true),
            Err(ApiError::Parameter)
        );
        assert_eq!(
            restore_point(Some("backup"), Some(" "), None, true),
            Err(ApiError::Parameter)
        );
        assert_eq!(
            restore_point(Some("log"), Some("b"), Some(1), true),
            Err(ApiError::Parameter)
        );
        assert!(same_engine_version("8.0", "8.0.22"));
        assert!(!same_engine_version("8.0", "5.7"));
    }
}
