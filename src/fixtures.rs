//! The starting state: projects, their tokens, instances and finished backups, read from JSON.
//!
//! Without `--fixtures` the emulator starts from `fixtures/default.json`, compiled into the
//! binary. The format is documented in the README; unknown keys are refused so that a typo is
//! reported rather than silently ignored.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;

use crate::domain::time::parse_api_time;
use crate::domain::{
    Backup, BackupDescription, BackupId, BackupName, BackupPolicy, BackupStatus, BackupType,
    Instance, InstanceId, InstanceProfile, InstanceStatus, ProjectId,
};

/// The built-in starting state (the documentation's example project and instance).
pub const DEFAULT_FIXTURES: &str = include_str!("../fixtures/default.json");

/// A validated starting state.
#[derive(Debug, Clone)]
pub struct Fixtures {
    pub projects: Vec<ProjectSeed>,
}

/// One project of the starting state.
#[derive(Debug, Clone)]
pub struct ProjectSeed {
    pub id: ProjectId,
    pub name: String,
    /// Tokens accepted for this project in `strict` auth.
    pub tokens: Vec<String>,
    pub instances: Vec<InstanceSeed>,
    /// Finished backups the project starts with.
    pub backups: Vec<Backup>,
}

/// One instance of the starting state; [`InstanceSeed::build`] fills in what it leaves out.
#[derive(Debug, Clone)]
pub struct InstanceSeed {
    pub id: InstanceId,
    pub name: String,
    pub status: InstanceStatus,
    pub policy: BackupPolicy,
    profile: InstanceFile,
}

impl InstanceSeed {
    /// The instance as the store starts with it, in region `region`, created at `now` unless
    /// the fixtures say when.
    pub fn build(&self, region: &str, now: DateTime<Utc>) -> Instance {
        let mut profile = InstanceProfile::defaults(&self.id, region, now);
        self.profile.apply(&mut profile);
        Instance {
            id: self.id.clone(),
            name: self.name.clone(),
            base_status: self.status,
            building: None,
            policy: self.policy.clone(),
            next_automated_backup: None,
            profile,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixturesFile {
    projects: Vec<ProjectFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    tokens: Vec<String>,
    #[serde(default)]
    instances: Vec<InstanceFile>,
    #[serde(default)]
    backups: Vec<BackupFile>,
}

/// A number that fixtures may also write as a string, as the API itself does for some fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Number {
    Int(u64),
    Text(String),
}

impl Number {
    fn value(&self) -> Option<u64> {
        match self {
            Number::Int(n) => Some(*n),
            Number::Text(s) => s.parse().ok(),
        }
    }

    fn text(&self) -> String {
        match self {
            Number::Int(n) => n.to_string(),
            Number::Text(s) => s.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    keep_days: Number,
    start_time: String,
    period: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceFile {
    id: String,
    name: Option<String>,
    status: Option<String>,
    backup_policy: Option<PolicyFile>,
    alias: Option<String>,
    port: Option<Number>,
    region: Option<String>,
    datastore: Option<DatastoreFile>,
    created: Option<String>,
    updated: Option<String>,
    db_user_name: Option<String>,
    vpc_id: Option<String>,
    subnet_id: Option<String>,
    security_group_id: Option<String>,
    private_ips: Option<Vec<String>>,
    public_ips: Option<Vec<String>>,
    flavor_ref: Option<String>,
    flavor_info: Option<FlavorFile>,
    volume: Option<VolumeFile>,
    time_zone: Option<String>,
    tags: Option<Vec<TagFile>>,
    enterprise_project_id: Option<String>,
    charge_info: Option<ChargeFile>,
    az_mode: Option<String>,
    master_az_code: Option<String>,
    maintenance_window: Option<String>,
    configuration_id: Option<String>,
    dedicated_resource_id: Option<String>,
    node_count: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatastoreFile {
    #[serde(rename = "type", default)]
    _type: Option<String>,
    version: Option<String>,
    kernel_version: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlavorFile {
    vcpus: Option<Number>,
    ram: Option<Number>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct VolumeFile {
    #[serde(rename = "type")]
    volume_type: Option<String>,
    size: Option<Number>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TagFile {
    key: String,
    value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChargeFile {
    charge_mode: String,
}

impl InstanceFile {
    /// Checks what `apply` cannot report: times, numbers and the node count.
    fn check(&self) -> Result<(), String> {
        for (key, value) in [("created", &self.created), ("updated", &self.updated)] {
            if let Some(t) = value
                && parse_api_time(t).is_none()
            {
                return Err(format!(
                    "{key}: {t:?} is not a time like 2026-04-24T10:19:57+0000"
                ));
            }
        }
        if let Some(port) = &self.port
            && port.value().and_then(|p| u16::try_from(p).ok()).is_none()
        {
            return Err(format!("port: {:?} is not a port number", port.text()));
        }
        if let Some(size) = self.volume.as_ref().and_then(|v| v.size.as_ref())
            && size.value().is_none()
        {
            return Err(format!(
                "volume.size: {:?} is not a number of GB",
                size.text()
            ));
        }
        if self.node_count == Some(0) {
            return Err("node_count: an instance has at least one node".to_owned());
        }
        Ok(())
    }

    fn apply(&self, p: &mut InstanceProfile) {
        fn set(target: &mut String, value: &Option<String>) {
            if let Some(v) = value {
                target.clone_from(v);
            }
        }
        set(&mut p.alias, &self.alias);
        set(&mut p.region, &self.region);
        set(&mut p.db_user_name, &self.db_user_name);
        set(&mut p.vpc_id, &self.vpc_id);
        set(&mut p.subnet_id, &self.subnet_id);
        set(&mut p.security_group_id, &self.security_group_id);
        set(&mut p.flavor_ref, &self.flavor_ref);
        set(&mut p.time_zone, &self.time_zone);
        set(&mut p.enterprise_project_id, &self.enterprise_project_id);
        set(&mut p.az_mode, &self.az_mode);
        set(&mut p.master_az_code, &self.master_az_code);
        set(&mut p.maintenance_window, &self.maintenance_window);
        set(&mut p.configuration_id, &self.configuration_id);
        set(&mut p.dedicated_resource_id, &self.dedicated_resource_id);
        if let Some(port) = self.port.as_ref().and_then(Number::value) {
            p.port = u16::try_from(port).unwrap_or(p.port);
        }
        if let Some(d) = &self.datastore {
            set(&mut p.datastore_version, &d.version);
            set(&mut p.kernel_version, &d.kernel_version);
        }
        if let Some(t) = self.created.as_deref().and_then(parse_api_time) {
            p.created = t;
            p.updated = t;
        }
        if let Some(t) = self.updated.as_deref().and_then(parse_api_time) {
            p.updated = t;
        }
        if let Some(ips) = &self.private_ips {
            p.private_ips.clone_from(ips);
        }
        if let Some(ips) = &self.public_ips {
            p.public_ips.clone_from(ips);
        }
        if let Some(f) = &self.flavor_info {
            if let Some(v) = &f.vcpus {
                p.vcpus = v.text();
            }
            if let Some(r) = &f.ram {
                p.ram = r.text();
            }
        }
        if let Some(v) = &self.volume {
            set(&mut p.volume_type, &v.volume_type);
            if let Some(size) = v.size.as_ref().and_then(Number::value) {
                p.volume_size = size;
            }
        }
        if let Some(tags) = &self.tags {
            p.tags = tags
                .iter()
                .map(|t| (t.key.clone(), t.value.clone()))
                .collect();
        }
        if let Some(c) = &self.charge_info {
            p.charge_mode.clone_from(&c.charge_mode);
        }
        if let Some(n) = self.node_count {
            p.node_count = n;
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BackupFile {
    #[serde(default)]
    id: Option<String>,
    instance_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(rename = "type", default)]
    backup_type: Option<String>,
    #[serde(default)]
    status: Option<String>,
    begin_time: String,
    #[serde(default)]
    end_time: Option<String>,
    #[serde(default)]
    size: Option<u64>,
}

impl Fixtures {
    /// The built-in defaults.
    pub fn builtin() -> Self {
        Self::parse(DEFAULT_FIXTURES).expect("fixtures/default.json is valid")
    }

    /// Reads and validates a fixtures file; the error names the file and the problem.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read fixtures file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("invalid fixtures file {}: {e}", path.display()))
    }

    /// Parses and validates fixtures JSON.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: FixturesFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut project_ids = HashSet::new();
        let mut tokens = HashSet::new();
        let mut instance_ids = HashSet::new();
        let mut backup_ids = HashSet::new();
        let mut projects = Vec::with_capacity(file.projects.len());
        for (p, project) in file.projects.into_iter().enumerate() {
            let at = format!("projects[{p}]");
            let id = ProjectId::parse(&project.id).map_err(|e| format!("{at}.id: {e}"))?;
            if !project_ids.insert(id.clone()) {
                return Err(format!("{at}.id: project {id} is listed twice"));
            }
            for (t, token) in project.tokens.iter().enumerate() {
                if token.is_empty() {
                    return Err(format!("{at}.tokens[{t}]: a token cannot be empty"));
                }
                if !tokens.insert(token.clone()) {
                    return Err(format!(
                        "{at}.tokens[{t}]: token {token:?} is given to more than one project"
                    ));
                }
            }
            let mut instances = Vec::with_capacity(project.instances.len());
            for (i, instance) in project.instances.into_iter().enumerate() {
                let at = format!("{at}.instances[{i}]");
                let seed = parse_instance(instance).map_err(|e| format!("{at}.{e}"))?;
                if !instance_ids.insert(seed.id.clone()) {
                    return Err(format!("{at}.id: instance {} is listed twice", seed.id));
                }
                instances.push(seed);
            }
            let mut backups = Vec::with_capacity(project.backups.len());
            for (b, backup) in project.backups.into_iter().enumerate() {
                let at = format!("{at}.backups[{b}]");
                let backup = parse_backup(backup, &instances).map_err(|e| format!("{at}.{e}"))?;
                if !backup_ids.insert(backup.id.clone()) {
                    return Err(format!("{at}.id: backup {} is listed twice", backup.id));
                }
                backups.push(backup);
            }
            projects.push(ProjectSeed {
                id,
                name: project.name.unwrap_or_else(|| "eu-de".to_owned()),
                tokens: project.tokens,
                instances,
                backups,
            });
        }
        Ok(Self { projects })
    }
}

fn parse_instance(instance: InstanceFile) -> Result<InstanceSeed, String> {
    let id = InstanceId::parse(&instance.id).map_err(|_| {
        format!(
            "id: {:?} is not an instance id (1 to 64 letters, digits or hyphens, \
             e.g. 07033b125fd94a8a96896f8bcfee6ddain07)",
            instance.id
        )
    })?;
    let status = match instance.status.as_deref() {
        None => InstanceStatus::Active,
        Some(s) => InstanceStatus::parse(s).ok_or_else(|| {
            format!(
                "status: {s:?} is not an instance status (one of {})",
                InstanceStatus::all_names().join(", ")
            )
        })?,
    };
    if status == InstanceStatus::BackingUp {
        return Err(
            "status: BACKING UP is derived from a building backup and cannot be set".into(),
        );
    }
    let policy = match &instance.backup_policy {
        None => BackupPolicy::default(),
        Some(p) => BackupPolicy {
            keep_days: BackupPolicy::parse_keep_days(p.keep_days.value().map(|n| n as i64))
                .map_err(|_| "backup_policy.keep_days: must be a whole number from 1 to 732")?,
            start_hour: BackupPolicy::parse_start_time(&p.start_time).map_err(|_| {
                format!(
                    "backup_policy.start_time: {:?} is not a one-hour window like 19:00-20:00",
                    p.start_time
                )
            })?,
            period: BackupPolicy::parse_period(&p.period).map_err(|_| {
                format!(
                    "backup_policy.period: {:?} is not weekdays 1-7 separated by commas",
                    p.period
                )
            })?,
        },
    };
    instance.check()?;
    let name = instance
        .name
        .clone()
        .unwrap_or_else(|| format!("taurusdb-{}", &id.as_str()[..4.min(id.as_str().len())]));
    Ok(InstanceSeed {
        id,
        name,
        status,
        policy,
        profile: instance,
    })
}

fn parse_backup(backup: BackupFile, instances: &[InstanceSeed]) -> Result<Backup, String> {
    let instance = instances
        .iter()
        .find(|i| i.id.as_str() == backup.instance_id)
        .ok_or_else(|| {
            format!(
                "instance_id: {:?} is not an instance of this project",
                backup.instance_id
            )
        })?;
    let begin_time = parse_api_time(&backup.begin_time).ok_or_else(|| {
        format!(
            "begin_time: {:?} is not a time like 2026-04-24T10:19:57+0000",
            backup.begin_time
        )
    })?;
    let end_time = match &backup.end_time {
        None => begin_time + TimeDelta::minutes(2),
        Some(t) => parse_api_time(t)
            .filter(|end| *end >= begin_time)
            .ok_or_else(|| format!("end_time: {t:?} is not a time at or after begin_time"))?,
    };
    let backup_type = match backup.backup_type.as_deref() {
        None => BackupType::Manual,
        Some(t) => {
            BackupType::parse(t).ok_or_else(|| format!("type: {t:?} is not manual or auto"))?
        }
    };
    let status = match backup.status.as_deref() {
        None => BackupStatus::Completed,
        Some(s) => BackupStatus::parse(s)
            .filter(|s| *s != BackupStatus::Building)
            .ok_or_else(|| format!("status: {s:?} is not COMPLETED, FAILED or AVAILABLE"))?,
    };
    let name = match backup.name {
        Some(n) => BackupName::parse(&n)
            .or_else(|_| match backup_type {
                // Automated backups carry the service's own names, which the rule does not cover.
                BackupType::Auto => Ok(BackupName::trusted(&n)),
                BackupType::Manual => Err(()),
            })
            .map_err(|_| format!("name: {n:?} breaks the backup name rule"))?,
        None => BackupName::trusted(&crate::domain::policy::automated_backup_name(
            &instance.name,
            begin_time,
        )),
    };
    let description = BackupDescription::parse(backup.description.as_deref().unwrap_or(""))
        .map_err(|_| "description: breaks the backup description rule".to_owned())?;
    let id = backup
        .id
        .map(|id| BackupId::from_raw(&id))
        .unwrap_or_else(BackupId::generate);
    let mut built = Backup {
        id,
        instance_id: instance.id.clone(),
        name,
        description,
        backup_type,
        status: BackupStatus::Building,
        begin_time,
        end_time: None,
        size_mb: 0,
        job_id: None,
    };
    built.finish(end_time, status != BackupStatus::Failed);
    built.status = status;
    if let Some(size) = backup.size {
        built.size_mb = size;
    }
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_defaults_hold_the_documentation_example() {
        let f = Fixtures::builtin();
        assert_eq!(f.projects.len(), 1);
        let project = &f.projects[0];
        assert_eq!(project.id.as_str(), "619d3e78f61b4be68bc5aa0b59edcf7b");
        assert_eq!(
            project.instances[0].id.as_str(),
            "07033b125fd94a8a96896f8bcfee6ddain07"
        );
        assert_eq!(project.instances[0].status, InstanceStatus::Active);
    }

    #[test]
    fn omitted_fields_get_defaults() {
        let f = Fixtures::parse(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"0123456789abcdef0123456789abcdefin07"}]}]}"#,
        )
        .unwrap();
        let p = &f.projects[0];
        assert_eq!(p.name, "eu-de");
        assert!(p.tokens.is_empty());
        let instance = p.instances[0].build("eu-de", DateTime::UNIX_EPOCH);
        assert_eq!(instance.name, "taurusdb-0123");
        assert_eq!(instance.base_status, InstanceStatus::Active);
        assert_eq!(instance.policy, BackupPolicy::default());
        assert_eq!(instance.profile.port, 3306);
    }

    #[test]
    fn instance_fields_and_policy_can_be_set() {
        let f = Fixtures::parse(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"abcin07", "port": "3307", "flavor_info": {"vcpus": 8, "ram": "32"},
                  "volume": {"type": "POOL", "size": 40}, "tags": [{"key": "env", "value": "ci"}],
                  "created": "2026-01-01T00:00:00+0000", "node_count": 3,
                  "backup_policy": {"keep_days": 3, "start_time": "23:00-00:00", "period": "1,3,5"}}]}]}"#,
        )
        .unwrap();
        let instance = f.projects[0].instances[0].build("eu-de", DateTime::UNIX_EPOCH);
        assert_eq!(instance.profile.port, 3307);
        assert_eq!(instance.profile.vcpus, "8");
        assert_eq!(instance.profile.ram, "32");
        assert_eq!(instance.profile.volume_size, 40);
        assert_eq!(
            instance.profile.tags,
            vec![("env".to_owned(), "ci".to_owned())]
        );
        assert_eq!(instance.profile.node_count, 3);
        assert_eq!(
            instance.profile.created,
            parse_api_time("2026-01-01T00:00:00Z").unwrap()
        );
        assert_eq!(
            instance.policy,
            BackupPolicy {
                keep_days: 3,
                start_hour: 23,
                period: vec![1, 3, 5]
            }
        );
    }

    #[test]
    fn finished_backups_can_be_seeded() {
        let f = Fixtures::parse(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"abcin07", "name": "taurusdb-e747"}],
                "backups":[{"instance_id":"abcin07","type":"auto","begin_time":"2020-07-06T10:41:14+0800"},
                           {"id":"c0c9f155c7b7423a9d30f0175998b63bbr01","instance_id":"abcin07",
                            "name":"before-upgrade","begin_time":"2020-07-06T10:41:14+0800",
                            "end_time":"2020-07-06T10:43:14+0800","size":2803,"status":"FAILED"}]}]}"#,
        )
        .unwrap();
        let backups = &f.projects[0].backups;
        assert_eq!(backups[0].backup_type, BackupType::Auto);
        assert_eq!(backups[0].status, BackupStatus::Completed);
        assert_eq!(backups[0].name.as_str(), "TaurusDB-e747-20200706024114000");
        assert_eq!(
            backups[1].id.as_str(),
            "c0c9f155c7b7423a9d30f0175998b63bbr01"
        );
        assert_eq!(backups[1].status, BackupStatus::Failed);
        assert_eq!(backups[1].size_mb, 2803);
        assert_eq!(backups[1].take_up_minutes(), 2);
    }

    fn problem(text: &str) -> String {
        Fixtures::parse(text).unwrap_err()
    }

    #[test]
    fn malformed_fixtures_name_the_problem() {
        assert!(problem("{").contains("EOF"));
        assert!(problem(r#"{"projects":[{"id":"x"}]}"#).contains("projects[0].id"));
        assert!(problem(r#"{"projets":[]}"#).contains("unknown field `projets`"));
        let bad_status = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"abcin07","status":"RUNNING"}]}]}"#,
        );
        assert!(
            bad_status.contains("projects[0].instances[0].status"),
            "{bad_status}"
        );
        assert!(bad_status.contains("ACTIVE"), "{bad_status}");
        let bad_policy = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"abcin07","backup_policy":{"keep_days":0,"start_time":"19:00-20:00","period":"1"}}]}]}"#,
        );
        assert!(
            bad_policy.contains("instances[0].backup_policy.keep_days"),
            "{bad_policy}"
        );
        let bad_backup = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "backups":[{"instance_id":"nowhere","begin_time":"2020-07-06T10:41:14+0800"}]}]}"#,
        );
        assert!(
            bad_backup.contains("projects[0].backups[0].instance_id"),
            "{bad_backup}"
        );
    }

    #[test]
    fn duplicates_are_refused() {
        let twice = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef","tokens":["t"]},
                            {"id":"fedcba9876543210fedcba9876543210","tokens":["t"]}]}"#,
        );
        assert!(twice.contains("more than one project"), "{twice}");
        let instance_twice = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"abcin07"},{"id":"abcin07"}]}]}"#,
        );
        assert!(instance_twice.contains("listed twice"), "{instance_twice}");
    }
}
