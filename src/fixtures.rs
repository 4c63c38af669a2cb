//! The starting state: projects with their tokens, instances, backups and jobs, as JSON.
//!
//! Without `--fixtures` the emulator starts from `fixtures/default.json`, compiled into the
//! binary. The same format adds or replaces projects at run time (`POST /_emulator/fixtures`)
//! and is what `GET /_emulator/snapshot` writes, so a snapshot posted back restores its state
//! exactly. Unknown keys are refused so that a typo is reported rather than ignored.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::policy::automated_backup_name;
use crate::domain::{
    Backup, BackupDescription, BackupId, BackupName, BackupPolicy, BackupStatus, BackupType,
    Instance, InstanceId, InstanceProfile, InstanceStatus, Job, JobId, JobStatus, ProjectId,
};

/// The most nodes an instance has: one primary and up to 15 read replicas, as the service
/// allows.
pub const MAX_NODES: u32 = 16;

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
    /// Backups the project starts with, oldest first.
    pub backups: Vec<BackupSeed>,
    /// Jobs the project starts with (besides those its backups imply).
    pub jobs: Vec<Job>,
    /// AK/SK pairs accepted for this project in `strict` auth.
    pub credentials: Vec<Credential>,
    /// IAM users who can get a token for this project in `strict` auth.
    pub users: Vec<User>,
}

/// One instance of the starting state; [`InstanceSeed::build`] fills in what it leaves out.
#[derive(Debug, Clone)]
pub struct InstanceSeed {
    pub id: InstanceId,
    pub name: String,
    pub status: InstanceStatus,
    pub policy: BackupPolicy,
    file: InstanceFile,
}

impl InstanceSeed {
    /// The instance as the store starts with it, in region `region`, created at `now` unless
    /// the fixtures say when.
    pub fn build(&self, region: &str, now: DateTime<Utc>) -> Instance {
        let mut profile = InstanceProfile::defaults(&self.id, region, now);
        self.file.apply(&mut profile);
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

/// One backup of the starting state.
#[derive(Debug, Clone)]
pub struct BackupSeed {
    /// `None`: the store gives it a fresh id.
    pub id: Option<BackupId>,
    /// The backup; its `id` is a placeholder when `id` is `None`.
    pub backup: Backup,
    /// For a `BUILDING` backup, how it finishes.
    pub completion: SeedCompletion,
    /// For a `FAILED` backup, why; for a building one, the failure it is bound to end in.
    pub fail_reason: Option<String>,
}

/// How a seeded `BUILDING` backup finishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedCompletion {
    /// Not building.
    Finished,
    /// As the lifecycle would for a backup started when the fixtures are loaded.
    Lifecycle,
    /// At this time.
    At(DateTime<Utc>),
    /// At this time, but only through a clock advance (`manual` lifecycle).
    OnAdvance(DateTime<Utc>),
    /// After this many more reads.
    AfterReads(u32),
    /// Only by an explicit command.
    Held,
}

/// The file format, as read and as written by snapshots.
pub mod file {
    use super::*;

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FixturesFile {
        pub projects: Vec<ProjectFile>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ProjectFile {
        pub id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        #[serde(default)]
        pub tokens: Vec<String>,
        #[serde(default)]
        pub instances: Vec<InstanceFile>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub backups: Vec<BackupFile>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub jobs: Vec<JobFile>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub credentials: Vec<Credential>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub users: Vec<User>,
    }

    /// A number that fixtures may also write as a string, as the API does for some fields.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(untagged)]
    pub enum Number {
        Int(u64),
        Text(String),
    }

    impl Number {
        pub fn value(&self) -> Option<u64> {
            match self {
                Number::Int(n) => Some(*n),
                Number::Text(s) => s.parse().ok(),
            }
        }

        pub fn text(&self) -> String {
            match self {
                Number::Int(n) => n.to_string(),
                Number::Text(s) => s.clone(),
            }
        }
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PolicyFile {
        pub keep_days: Number,
        pub start_time: String,
        pub period: String,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct InstanceFile {
        pub id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub backup_policy: Option<PolicyFile>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub alias: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub port: Option<Number>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub region: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub datastore: Option<DatastoreFile>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub created: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub updated: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub db_user_name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub vpc_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub subnet_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub security_group_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub private_ips: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub public_ips: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub flavor_ref: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub flavor_info: Option<FlavorFile>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub volume: Option<VolumeFile>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub time_zone: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tags: Option<Vec<TagFile>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub enterprise_project_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub charge_info: Option<ChargeFile>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub az_mode: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub master_az_code: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub maintenance_window: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub configuration_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub dedicated_resource_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub node_count: Option<u32>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct DatastoreFile {
        #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
        pub datastore_type: Option<String>,
        pub version: Option<String>,
        pub kernel_version: Option<String>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct FlavorFile {
        pub vcpus: Option<Number>,
        pub ram: Option<Number>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct VolumeFile {
        #[serde(rename = "type")]
        pub volume_type: Option<String>,
        pub size: Option<Number>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct TagFile {
        pub key: String,
        pub value: String,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ChargeFile {
        pub charge_mode: String,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct BackupFile {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<String>,
        pub instance_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
        pub backup_type: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<String>,
        pub begin_time: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub end_time: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub size: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub job_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub fail_reason: Option<String>,
        /// BUILDING only: when it finishes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub finish_at: Option<String>,
        /// BUILDING only: `finish_at` applies only through a clock advance.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub finish_on_advance: bool,
        /// BUILDING only: it finishes after this many more reads.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reads_left: Option<u32>,
        /// BUILDING only: it finishes only by an explicit command.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pub held: bool,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct JobFile {
        pub id: String,
        pub backup_id: String,
        pub instance_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub instance_name: Option<String>,
        pub status: String,
        pub created: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub ended: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub fail_reason: Option<String>,
    }
}

use file::*;

pub use crate::domain::identity::{Credential, User};
pub use crate::domain::time::{read_time, write_time};

fn time_field(key: &str, s: &str) -> Result<DateTime<Utc>, String> {
    read_time(s).ok_or_else(|| format!("{key}: {s:?} is not a time like 2026-04-24T10:19:57+0000"))
}

impl InstanceFile {
    /// Checks what `apply` cannot report: times, numbers and the node count.
    fn check(&self) -> Result<(), String> {
        for (key, value) in [("created", &self.created), ("updated", &self.updated)] {
            if let Some(t) = value {
                time_field(key, t)?;
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
        if let Some(n) = self.node_count
            && !(1..=MAX_NODES).contains(&n)
        {
            return Err(format!(
                "node_count: an instance has 1 to {MAX_NODES} nodes (a primary and up to 15 read \
                 replicas), not {n}"
            ));
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
        if let Some(t) = self.created.as_deref().and_then(read_time) {
            p.created = t;
            p.updated = t;
        }
        if let Some(t) = self.updated.as_deref().and_then(read_time) {
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

    /// Every field of an instance, as a snapshot writes it.
    pub fn from_instance(i: &Instance) -> Self {
        let p = &i.profile;
        Self {
            id: i.id.to_string(),
            name: Some(i.name.clone()),
            status: Some(i.base_status.as_str().to_owned()),
            backup_policy: Some(PolicyFile {
                keep_days: Number::Int(u64::from(i.policy.keep_days)),
                start_time: i.policy.start_time(),
                period: i.policy.period_text(),
            }),
            alias: Some(p.alias.clone()),
            port: Some(Number::Int(u64::from(p.port))),
            region: Some(p.region.clone()),
            datastore: Some(DatastoreFile {
                datastore_type: None,
                version: Some(p.datastore_version.clone()),
                kernel_version: Some(p.kernel_version.clone()),
            }),
            created: Some(write_time(p.created)),
            updated: Some(write_time(p.updated)),
            db_user_name: Some(p.db_user_name.clone()),
            vpc_id: Some(p.vpc_id.clone()),
            subnet_id: Some(p.subnet_id.clone()),
            security_group_id: Some(p.security_group_id.clone()),
            private_ips: Some(p.private_ips.clone()),
            public_ips: Some(p.public_ips.clone()),
            flavor_ref: Some(p.flavor_ref.clone()),
            flavor_info: Some(FlavorFile {
                vcpus: Some(Number::Text(p.vcpus.clone())),
                ram: Some(Number::Text(p.ram.clone())),
            }),
            volume: Some(VolumeFile {
                volume_type: Some(p.volume_type.clone()),
                size: Some(Number::Int(p.volume_size)),
            }),
            time_zone: Some(p.time_zone.clone()),
            tags: Some(
                p.tags
                    .iter()
                    .map(|(key, value)| TagFile {
                        key: key.clone(),
                        value: value.clone(),
                    })
                    .collect(),
            ),
            enterprise_project_id: Some(p.enterprise_project_id.clone()),
            charge_info: Some(ChargeFile {
                charge_mode: p.charge_mode.clone(),
            }),
            az_mode: Some(p.az_mode.clone()),
            master_az_code: Some(p.master_az_code.clone()),
            maintenance_window: Some(p.maintenance_window.clone()),
            configuration_id: Some(p.configuration_id.clone()),
            dedicated_resource_id: Some(p.dedicated_resource_id.clone()),
            node_count: Some(p.node_count),
        }
    }
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
        Self::from_file(file)
    }

    /// Validates a fixtures document.
    pub fn from_file(file: FixturesFile) -> Result<Self, String> {
        let mut project_ids = HashSet::new();
        let mut tokens = HashSet::new();
        let mut instance_ids = HashSet::new();
        let mut backup_ids = HashSet::new();
        let mut access_keys = HashSet::new();
        let mut job_ids = HashSet::new();
        let mut users = HashSet::new();
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
            let mut building = HashSet::new();
            for (b, backup) in project.backups.into_iter().enumerate() {
                let at = format!("{at}.backups[{b}]");
                let seed = parse_backup(backup, &instances).map_err(|e| format!("{at}.{e}"))?;
                if let Some(id) = &seed.id
                    && !backup_ids.insert(id.clone())
                {
                    return Err(format!("{at}.id: backup {id} is listed twice"));
                }
                if seed.backup.status == BackupStatus::Building
                    && !building.insert(seed.backup.instance_id.clone())
                {
                    return Err(format!(
                        "{at}.status: instance {} already has a BUILDING backup",
                        seed.backup.instance_id
                    ));
                }
                backups.push(seed);
            }
            for (c, credential) in project.credentials.iter().enumerate() {
                if credential.ak.is_empty() || credential.sk.is_empty() {
                    return Err(format!("{at}.credentials[{c}]: ak and sk cannot be empty"));
                }
                if !access_keys.insert(credential.ak.clone()) {
                    return Err(format!(
                        "{at}.credentials[{c}].ak: {:?} is given to more than one project",
                        credential.ak
                    ));
                }
            }
            for (u, user) in project.users.iter().enumerate() {
                if user.name.is_empty() {
                    return Err(format!("{at}.users[{u}].name: a user needs a name"));
                }
                if !users.insert((user.domain.clone(), user.name.clone())) {
                    return Err(format!(
                        "{at}.users[{u}]: user {:?} is listed twice",
                        user.name
                    ));
                }
            }
            for (b, backup) in backups.iter().enumerate() {
                if let Some(job_id) = &backup.backup.job_id
                    && !job_ids.insert(*job_id)
                {
                    return Err(format!(
                        "{at}.backups[{b}].job_id: job {job_id} is listed twice"
                    ));
                }
            }
            let mut jobs = Vec::with_capacity(project.jobs.len());
            for (j, job) in project.jobs.into_iter().enumerate() {
                let at = format!("{at}.jobs[{j}]");
                let job = parse_job(job, &instances).map_err(|e| format!("{at}.{e}"))?;
                if !job_ids.insert(job.id) {
                    return Err(format!("{at}.id: job {} is listed twice", job.id));
                }
                jobs.push(job);
            }
            projects.push(ProjectSeed {
                id,
                name: project.name.unwrap_or_else(|| "eu-de".to_owned()),
                tokens: project.tokens,
                instances,
                backups,
                jobs,
                credentials: project.credentials,
                users: project.users,
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
        file: instance,
    })
}

fn parse_backup(backup: BackupFile, instances: &[InstanceSeed]) -> Result<BackupSeed, String> {
    let instance = instances
        .iter()
        .find(|i| i.id.as_str() == backup.instance_id)
        .ok_or_else(|| {
            format!(
                "instance_id: {:?} is not an instance of this project",
                backup.instance_id
            )
        })?;
    let begin_time = time_field("begin_time", &backup.begin_time)?;
    let backup_type = match backup.backup_type.as_deref() {
        None => BackupType::Manual,
        Some(t) => {
            BackupType::parse(t).ok_or_else(|| format!("type: {t:?} is not manual or auto"))?
        }
    };
    let status = match backup.status.as_deref() {
        None => BackupStatus::Completed,
        Some(s) => BackupStatus::parse(s).ok_or_else(|| {
            format!("status: {s:?} is not BUILDING, COMPLETED, FAILED or AVAILABLE")
        })?,
    };
    let building = status == BackupStatus::Building;
    let end_time = match (&backup.end_time, building) {
        (Some(_), true) => return Err("end_time: a BUILDING backup has not ended".to_owned()),
        (None, true) => None,
        (None, false) => Some(begin_time + TimeDelta::minutes(2)),
        (Some(t), false) => Some(
            read_time(t)
                .filter(|end| *end >= begin_time)
                .ok_or_else(|| format!("end_time: {t:?} is not a time at or after begin_time"))?,
        ),
    };
    let finish_at = backup
        .finish_at
        .as_deref()
        .map(|t| time_field("finish_at", t))
        .transpose()?;
    let completion = match (building, finish_at, backup.reads_left, backup.held) {
        (false, None, None, false) => SeedCompletion::Finished,
        (false, ..) => {
            return Err(
                "finish_at, reads_left and held apply only to a BUILDING backup".to_owned(),
            );
        }
        (true, None, None, false) => SeedCompletion::Lifecycle,
        (true, Some(at), None, false) if backup.finish_on_advance => SeedCompletion::OnAdvance(at),
        (true, Some(at), None, false) => SeedCompletion::At(at),
        (true, None, Some(n), false) => SeedCompletion::AfterReads(n),
        (true, None, None, true) => SeedCompletion::Held,
        (true, ..) => {
            return Err("give at most one of finish_at, reads_left and held".to_owned());
        }
    };
    let name = match backup.name {
        Some(n) => BackupName::parse(&n)
            .or_else(|_| match backup_type {
                // Automated backups carry the service's own names, which the rule does not cover.
                BackupType::Auto => Ok(BackupName::trusted(&n)),
                BackupType::Manual => Err(()),
            })
            .map_err(|_| format!("name: {n:?} breaks the backup name rule"))?,
        None => BackupName::trusted(&automated_backup_name(&instance.name, begin_time)),
    };
    let description = BackupDescription::parse(backup.description.as_deref().unwrap_or(""))
        .map_err(|_| "description: breaks the backup description rule".to_owned())?;
    let job_id = backup
        .job_id
        .as_deref()
        .map(|j| JobId::parse(j).ok_or_else(|| format!("job_id: {j:?} is not a UUID")))
        .transpose()?;
    let id = backup.id.as_deref().map(BackupId::from_raw);
    let mut built = Backup::building(
        id.clone().unwrap_or_else(|| BackupId::from_raw("")),
        instance.id.clone(),
        name,
        description,
        backup_type,
        begin_time,
        job_id,
    );
    if let Some(end) = end_time {
        built.finish(end, status != BackupStatus::Failed);
        built.status = status;
    }
    if let Some(size) = backup.size {
        built.size_mb = size;
    }
    Ok(BackupSeed {
        id,
        backup: built,
        completion,
        fail_reason: backup.fail_reason,
    })
}

fn parse_job(job: JobFile, instances: &[InstanceSeed]) -> Result<Job, String> {
    let id = JobId::parse(&job.id).ok_or_else(|| format!("id: {:?} is not a UUID", job.id))?;
    let instance_id = InstanceId::parse(&job.instance_id)
        .map_err(|_| format!("instance_id: {:?} is not an instance id", job.instance_id))?;
    let status = match job.status.as_str() {
        "Running" => JobStatus::Running,
        "Completed" => JobStatus::Completed,
        "Failed" => JobStatus::Failed,
        other => {
            return Err(format!(
                "status: {other:?} is not Running, Completed or Failed"
            ));
        }
    };
    let instance_name = job
        .instance_name
        .or_else(|| {
            instances
                .iter()
                .find(|i| i.id == instance_id)
                .map(|i| i.name.clone())
        })
        .unwrap_or_default();
    Ok(Job {
        id,
        name: crate::domain::job::BACKUP_JOB_NAME,
        status,
        created: time_field("created", &job.created)?,
        ended: job
            .ended
            .as_deref()
            .map(|t| time_field("ended", t))
            .transpose()?,
        instance_id,
        instance_name,
        backup_id: BackupId::from_raw(&job.backup_id),
        fail_reason: job.fail_reason,
    })
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
            read_time("2026-01-01T00:00:00Z").unwrap()
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
    fn backups_can_be_seeded() {
        let f = Fixtures::parse(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"abcin07", "name": "taurusdb-e747"}],
                "backups":[{"instance_id":"abcin07","type":"auto","begin_time":"2020-07-06T10:41:14+0800"},
                           {"id":"c0c9f155c7b7423a9d30f0175998b63bbr01","instance_id":"abcin07",
                            "name":"before-upgrade","begin_time":"2020-07-06T10:41:14+0800",
                            "end_time":"2020-07-06T10:43:14+0800","size":2803,"status":"FAILED",
                            "fail_reason":"disk"},
                           {"instance_id":"abcin07","name":"running","status":"BUILDING",
                            "begin_time":"2020-07-07T00:00:00Z","reads_left":2}]}]}"#,
        )
        .unwrap();
        let backups = &f.projects[0].backups;
        assert_eq!(backups[0].backup.backup_type, BackupType::Auto);
        assert_eq!(backups[0].backup.status, BackupStatus::Completed);
        assert_eq!(
            backups[0].backup.name.as_str(),
            "TaurusDB-e747-20200706024114000"
        );
        assert_eq!(backups[0].id, None);
        assert_eq!(
            backups[1].id.as_ref().map(BackupId::as_str),
            Some("c0c9f155c7b7423a9d30f0175998b63bbr01")
        );
        assert_eq!(backups[1].backup.status, BackupStatus::Failed);
        assert_eq!(backups[1].backup.size_mb, 2803);
        assert_eq!(backups[1].backup.take_up_minutes(), 2);
        assert_eq!(backups[1].fail_reason.as_deref(), Some("disk"));
        assert_eq!(backups[2].backup.status, BackupStatus::Building);
        assert_eq!(backups[2].completion, SeedCompletion::AfterReads(2));
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
        let typo = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"abcin07","prot":3306}]}]}"#,
        );
        assert!(typo.contains("unknown field `prot`"), "{typo}");
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
        let two_building = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef","instances":[{"id":"abcin07"}],
                "backups":[{"instance_id":"abcin07","status":"BUILDING","begin_time":"2020-07-06T10:41:14Z"},
                           {"instance_id":"abcin07","status":"BUILDING","begin_time":"2020-07-06T10:41:15Z"}]}]}"#,
        );
        assert!(
            two_building.contains("already has a BUILDING backup"),
            "{two_building}"
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

    #[test]
    fn times_read_both_formats_and_write_rfc_3339() {
        let t = read_time("2026-04-24T10:19:57.25Z").unwrap();
        assert_eq!(write_time(t), "2026-04-24T10:19:57.250Z");
        assert_eq!(read_time(&write_time(t)), Some(t));
        assert_eq!(
            read_time("2026-04-24T10:19:57+0000"),
            read_time("2026-04-24T10:19:57Z")
        );
    }
}
