//! Request and response bodies exactly as they travel: field names and JSON types of the API
//! pages (numbers stay numbers, unfinished times are `""`).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::domain::incremental::IncrementalBackup;
use crate::domain::instance::derived_uuid;
use crate::domain::new_instance::NewInstance;
use crate::domain::restore::RestoreRange;
use crate::domain::time::{ApiTime, format_api_time};
use crate::domain::{
    Backup, BackupPolicy, Instance, InstanceId, InstanceProfile, InstanceStatus, Job, JobId,
};
use crate::error::ApiError;
use crate::store::{BackupPage, BackupView, Created, InstancePage, InstanceView};

/// Body of `POST /v3/{project_id}/backups/create`. Unknown fields are ignored. Its texts are
/// borrowed from the body unless they hold escapes.
#[derive(Debug, Deserialize)]
pub struct CreateBackupBody<'a> {
    #[serde(borrow)]
    pub instance_id: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(default, borrow)]
    pub description: Option<Cow<'a, str>>,
}

/// `201` answer of a create.
#[derive(Debug, Serialize)]
pub struct CreateBackupResponse<'a> {
    pub backup: CreatedBackup<'a>,
    pub job_id: JobId,
}

/// The created backup, borrowed from the stored one: only the time is written anew.
#[derive(Debug, Serialize)]
pub struct CreatedBackup<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub begin_time: ApiTime,
    pub status: &'static str,
    #[serde(rename = "type")]
    pub backup_type: &'static str,
    pub instance_id: &'a str,
}

impl<'a> CreateBackupResponse<'a> {
    /// The answer to a create: what the store gave the backup, with the instance id, name and
    /// description it was created with (the instance's id as the request wrote it, which the
    /// store found it by: the same text).
    pub fn new(
        created: &'a Created,
        instance_id: &'a str,
        name: &'a str,
        description: &'a str,
    ) -> Self {
        Self {
            backup: CreatedBackup {
                id: created.id.as_str(),
                name,
                description,
                begin_time: ApiTime(created.begin_time),
                status: created.status.as_str(),
                backup_type: created.backup_type.as_str(),
                instance_id,
            },
            job_id: created.job_id,
        }
    }

    /// The answer as JSON, written field by field: what `serde_json` writes for it (a test
    /// holds them equal), without its escaping loop over the keys and the texts that need
    /// none — most of what serialising a create's answer cost.
    pub fn to_json(&self) -> Vec<u8> {
        let backup = &self.backup;
        let mut out = Vec::with_capacity(320);
        out.extend_from_slice(br#"{"backup":{"id":"#);
        json_str(&mut out, backup.id);
        out.extend_from_slice(br#","name":"#);
        json_str(&mut out, backup.name);
        out.extend_from_slice(br#","description":"#);
        json_str(&mut out, backup.description);
        out.extend_from_slice(br#","begin_time":"#);
        backup
            .begin_time
            .with_text(|text| json_plain(&mut out, text));
        out.extend_from_slice(br#","status":"#);
        json_plain(&mut out, backup.status);
        out.extend_from_slice(br#","type":"#);
        json_plain(&mut out, backup.backup_type);
        out.extend_from_slice(br#","instance_id":"#);
        // Letters, digits and hyphens (`InstanceId::parse`).
        json_plain(&mut out, backup.instance_id);
        out.extend_from_slice(br#"},"job_id":"#);
        self.job_id.with_text(|text| json_plain(&mut out, text));
        out.push(b'}');
        out
    }
}

/// `s` as a JSON string: as it is when nothing in it needs escaping (what `serde_json`
/// escapes: control characters, `"` and `\`), else escaped by `serde_json`.
fn json_str(out: &mut Vec<u8>, s: &str) {
    if needs_escaping(s.as_bytes()) {
        // Writing a string into a vector cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        json_plain(out, s);
    }
}

/// Whether `bytes` hold a control character, `"` or `\`: eight bytes at a time (the usual
/// bit tricks: a byte below 0x20 is a lane that borrows when 0x20 is taken from it, an equal
/// byte one that is zero after an exclusive or), then the rest one by one.
fn needs_escaping(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(lanes);
        let quote = zero(x ^ (ONES * u64::from(b'"')));
        let backslash = zero(x ^ (ONES * u64::from(b'\\')));
        if below(x, 0x20) | quote | backslash != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// `s`, a text of ours that needs no escaping (a time, an id of a checked shape, a status),
/// as a JSON string.
fn json_plain(out: &mut Vec<u8>, s: &str) {
    debug_assert!(!needs_escaping(s.as_bytes()), "{s:?}");
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Query of `GET /v3/{project_id}/backups`, as text; validated by `BackupQuery::parse`.
#[derive(Debug, Default, Deserialize)]
pub struct ListBackupsParams {
    pub instance_id: Option<String>,
    pub backup_id: Option<String>,
    pub backup_type: Option<String>,
    pub offset: Option<String>,
    pub limit: Option<String>,
    pub begin_time: Option<String>,
    pub end_time: Option<String>,
    pub name: Option<String>,
    pub instance_name: Option<String>,
}

/// `200` answer of the backup list.
#[derive(Debug, Serialize)]
pub struct ListBackupsResponse {
    pub backups: Vec<BackupItem>,
    pub total_count: usize,
}

#[derive(Debug, Serialize)]
pub struct BackupItem {
    pub id: String,
    pub name: String,
    pub begin_time: String,
    pub end_time: String,
    pub take_up_time: i64,
    pub status: &'static str,
    #[serde(rename = "type")]
    pub backup_type: &'static str,
    pub size: u64,
    pub datastore: Datastore,
    pub instance_id: String,
    pub instance_name: String,
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct Datastore {
    #[serde(rename = "type")]
    pub datastore_type: &'static str,
    pub version: &'static str,
}

impl Datastore {
    /// The only engine TaurusDB runs.
    pub const GAUSSDB_MYSQL: Datastore = Datastore {
        datastore_type: "gaussdb-mysql",
        version: "8.0",
    };
}

impl From<BackupView> for BackupItem {
    fn from(view: BackupView) -> Self {
        let b = view.backup;
        Self {
            take_up_time: b.take_up_minutes(),
            id: b.id.to_string(),
            name: b.name().to_owned(),
            begin_time: format_api_time(b.begin_time),
            end_time: b.end_time.map(format_api_time).unwrap_or_default(),
            status: b.status.as_str(),
            backup_type: b.backup_type.as_str(),
            size: u64::from(b.size_mb),
            datastore: Datastore::GAUSSDB_MYSQL,
            instance_id: b.instance_id.to_string(),
            instance_name: view.instance_name,
            description: b.description().to_owned(),
        }
    }
}

impl From<BackupPage> for ListBackupsResponse {
    fn from(page: BackupPage) -> Self {
        Self {
            backups: page.backups.into_iter().map(BackupItem::from).collect(),
            total_count: page.total_count,
        }
    }
}

/// `200` answer of a delete.
#[derive(Debug, Serialize)]
pub struct DeleteBackupResponse {
    pub backup_id: String,
    pub backup_name: String,
}

impl From<&Backup> for DeleteBackupResponse {
    fn from(backup: &Backup) -> Self {
        Self {
            backup_id: backup.id.to_string(),
            backup_name: backup.name().to_owned(),
        }
    }
}

/// Query of `GET /v3/{project_id}/instances/{instance_id}/backups`, as text; validated by
/// `InstanceBackupQuery::parse`.
#[derive(Debug, Default, Deserialize)]
pub struct InstanceBackupsParams {
    pub offset: Option<String>,
    pub limit: Option<String>,
    pub order_field: Option<String>,
    pub order_rule: Option<String>,
    pub filter_field: Option<String>,
    pub filter_content: Option<String>,
}

/// `200` answer of one instance's full backups: its own backup shape, every field a string,
/// `total_count` too.
#[derive(Debug, Serialize)]
pub struct InstanceBackupsResponse {
    pub backups: Vec<InstanceBackupItem>,
    pub total_count: String,
}

/// One full backup as the instance's list shows it (Huawei Cloud's `BackupV3`).
#[derive(Debug, Serialize)]
pub struct InstanceBackupItem {
    pub id: String,
    pub name: String,
    pub description: String,
    pub instance_id: String,
    pub instance_name: String,
    pub size: String,
    pub size_unit: &'static str,
    pub status: &'static str,
    pub created: String,
    pub updated: String,
    pub backup_type: &'static str,
    pub backup_method: &'static str,
    pub backup_level: &'static str,
    pub backup_mode: &'static str,
    pub use_detail: &'static str,
    pub time_zone: &'static str,
}

impl From<BackupPage> for InstanceBackupsResponse {
    fn from(page: BackupPage) -> Self {
        Self {
            total_count: page.total_count.to_string(),
            backups: page
                .backups
                .into_iter()
                .map(|view| {
                    let b = view.backup;
                    InstanceBackupItem {
                        id: b.id.to_string(),
                        name: b.name().to_owned(),
                        description: b.description().to_owned(),
                        instance_id: b.instance_id.to_string(),
                        instance_name: view.instance_name,
                        // In KB, the unit the field is given in.
                        size: (u64::from(b.size_mb) * 1024).to_string(),
                        size_unit: "KB",
                        status: b.status.as_str(),
                        created: format_api_time(b.begin_time),
                        updated: format_api_time(b.end_time.unwrap_or(b.begin_time)),
                        // A physical full backup, kept in the region: the values the service
                        // names for that.
                        backup_type: "Db",
                        backup_method: "Db",
                        backup_level: "1",
                        backup_mode: "completed",
                        use_detail: "",
                        time_zone: "UTC",
                    }
                })
                .collect(),
        }
    }
}

/// Query of `GET /v3/{project_id}/instances/{instance_id}/restore-time`.
#[derive(Debug, Default, Deserialize)]
pub struct RestoreTimeParams {
    /// A UTC day, `yyyy-mm-dd`.
    pub date: Option<String>,
    /// Unix milliseconds; with `end_time`, and only without `date`.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
}

/// `200` answer of the restorable times: Unix milliseconds.
#[derive(Debug, Serialize)]
pub struct RestoreTimesResponse {
    pub restore_times: Vec<RestoreTimeItem>,
}

#[derive(Debug, Serialize)]
pub struct RestoreTimeItem {
    pub start_time: i64,
    pub end_time: i64,
}

impl From<Vec<RestoreRange>> for RestoreTimesResponse {
    fn from(ranges: Vec<RestoreRange>) -> Self {
        Self {
            restore_times: ranges
                .iter()
                .map(|r| {
                    let (start_time, end_time) = r.millis();
                    RestoreTimeItem {
                        start_time,
                        end_time,
                    }
                })
                .collect(),
        }
    }
}

/// Query of `GET /v3/{project_id}/instances/{instance_id}/incremental-backups`.
#[derive(Debug, Default, Deserialize)]
pub struct IncrementalBackupsParams {
    pub offset: Option<String>,
    pub limit: Option<String>,
    pub begin_time: Option<String>,
    pub end_time: Option<String>,
    /// Cross-region incremental backups too; there are none in the emulator.
    pub display_offsite_backup: Option<String>,
}

/// `200` answer of the incremental backups.
#[derive(Debug, Serialize)]
pub struct IncrementalBackupsResponse {
    pub backups: Vec<IncrementalBackupItem>,
    pub total_count: usize,
}

#[derive(Debug, Serialize)]
pub struct IncrementalBackupItem {
    pub id: String,
    pub name: String,
    pub begin_time: String,
    pub end_time: String,
    pub instance_id: String,
    /// In KB: a log of an instance nobody writes to.
    pub size: f64,
    pub backup_type: &'static str,
}

impl IncrementalBackupsResponse {
    pub fn new(instance_id: &InstanceId, page: Vec<IncrementalBackup>, total_count: usize) -> Self {
        Self {
            backups: page
                .into_iter()
                .map(|b| IncrementalBackupItem {
                    id: b.id,
                    name: b.name,
                    begin_time: format_api_time(b.begin_time),
                    end_time: format_api_time(b.end_time),
                    instance_id: instance_id.to_string(),
                    size: 0.125,
                    backup_type: "Log",
                })
                .collect(),
            total_count,
        }
    }
}

/// Body of `POST …/instances/{instance_id}/backups/encryption`, as text; checked by the
/// handler. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
pub struct BackupEncryptionBody {
    pub encryption_status: String,
    #[serde(rename = "type")]
    pub key_type: Option<String>,
    pub kms_key_id: Option<String>,
}

/// `200` answer of both encryption endpoints.
#[derive(Debug, Serialize)]
pub struct BackupEncryptionResponse {
    pub encryption_status: &'static str,
}

impl From<&InstanceProfile> for BackupEncryptionResponse {
    fn from(profile: &InstanceProfile) -> Self {
        Self {
            encryption_status: if profile.backup_encryption_key.is_some() {
                "on"
            } else {
                "off"
            },
        }
    }
}

/// Body of `PUT …/instances/{instance_id}/backups/offsite-policy`: every field required, of
/// its JSON type.
#[derive(Debug, Deserialize)]
pub struct OffsitePolicyBody {
    pub backup_policy: OffsitePolicyFields,
}

#[derive(Debug, Deserialize)]
pub struct OffsitePolicyFields {
    pub open_auto_backup: bool,
    pub open_incremental_backup: bool,
    pub destination_project_id: String,
    pub destination_region: String,
    pub keep_days: u16,
}

/// `200` answer of the offsite policy update: `SUCCESS` in capitals, which the Huawei
/// Terraform provider requires (the API page's example has it in lower case).
#[derive(Debug, Serialize)]
pub struct OffsitePolicyResponse {
    pub result: &'static str,
}

/// Body of `DELETE /v3/{project_id}/backups`. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
pub struct BatchDeleteBody {
    pub backup_ids: Vec<String>,
}

/// `200` answer of a batch delete, also when some ids could not be deleted.
#[derive(Debug, Serialize)]
pub struct BatchDeleteResponse {
    pub success_count: usize,
    pub failed_count: usize,
    pub failed_results: Vec<BatchDeleteFailure>,
}

/// One id a batch delete could not delete, and why.
#[derive(Debug, Serialize)]
pub struct BatchDeleteFailure {
    pub backup_id: String,
    pub error_code: &'static str,
    pub error_msg: String,
}

impl BatchDeleteResponse {
    /// The answer for `backup_ids` and what happened to each, in the same order.
    pub fn new(backup_ids: &[String], results: &[Result<Backup, ApiError>]) -> Self {
        let failed_results: Vec<BatchDeleteFailure> = backup_ids
            .iter()
            .zip(results)
            .filter_map(|(id, result)| {
                result.as_ref().err().map(|e| BatchDeleteFailure {
                    backup_id: id.clone(),
                    error_code: e.code(),
                    error_msg: e.message(),
                })
            })
            .collect();
        Self {
            success_count: results.len() - failed_results.len(),
            failed_count: failed_results.len(),
            failed_results,
        }
    }
}

/// Query of `GET /v3/{project_id}/jobs`.
#[derive(Debug, Deserialize)]
pub struct JobParams {
    pub id: Option<String>,
}

/// `200` answer of the job query.
#[derive(Debug, Serialize)]
pub struct JobResponse {
    pub job: JobItem,
}

#[derive(Debug, Serialize)]
pub struct JobItem {
    pub id: String,
    pub name: &'static str,
    pub status: &'static str,
    pub created: String,
    pub ended: String,
    pub process: String,
    pub instance: JobInstance,
    pub entities: JobEntities,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct JobInstance {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct JobEntities {
    pub resource_ids: Vec<String>,
}

impl From<Job> for JobResponse {
    fn from(job: Job) -> Self {
        let resource_ids = job.resource_ids();
        Self {
            job: JobItem {
                id: job.id.to_string(),
                name: job.name(),
                status: job.status.as_str(),
                created: format_api_time(job.created),
                ended: job.ended.map(format_api_time).unwrap_or_default(),
                process: String::new(),
                instance: JobInstance {
                    id: job.instance_id.to_string(),
                    name: job.instance_name,
                },
                entities: JobEntities { resource_ids },
                fail_reason: job.fail_reason,
            },
        }
    }
}

/// Query of `GET /v3/{project_id}/instances`, as text; validated by `InstanceQuery::parse`.
#[derive(Debug, Default, Deserialize)]
pub struct ListInstancesParams {
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub instance_type: Option<String>,
    pub datastore_type: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub private_ip: Option<String>,
    pub readonly_private_ip: Option<String>,
    pub proxy_ip: Option<String>,
    pub tags: Option<String>,
    pub offset: Option<String>,
    pub limit: Option<String>,
}

/// `200` answer of the instance list.
#[derive(Debug, Serialize)]
pub struct ListInstancesResponse {
    pub instances: Vec<InstanceListItem>,
    pub total_count: usize,
}

/// An instance in the list. JSON types follow the SDKs: `port`, `flavor_info.*`,
/// `volume.size` and `backup_strategy.keep_days` are strings.
#[derive(Debug, Serialize)]
pub struct InstanceListItem {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub private_ips: Vec<String>,
    pub public_ips: Vec<String>,
    pub port: String,
    #[serde(rename = "type")]
    pub instance_type: &'static str,
    pub region: String,
    pub datastore: InstanceDatastore,
    pub created: String,
    pub updated: String,
    pub db_user_name: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub flavor_ref: String,
    pub flavor_info: FlavorInfo,
    pub volume: ListVolume,
    pub backup_strategy: BackupStrategy,
    pub time_zone: String,
    pub dedicated_resource_id: String,
    pub tags: Vec<Tag>,
    pub enterprise_project_id: String,
    pub charge_info: ListChargeInfo,
    pub proxy_ips: Vec<String>,
    pub readonly_private_ips: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct InstanceDatastore {
    #[serde(rename = "type")]
    pub datastore_type: &'static str,
    pub version: String,
    pub kernel_version: String,
}

#[derive(Debug, Serialize)]
pub struct FlavorInfo {
    pub vcpus: String,
    pub ram: String,
}

#[derive(Debug, Serialize)]
pub struct ListVolume {
    #[serde(rename = "type")]
    pub volume_type: String,
    pub size: String,
}

#[derive(Debug, Serialize)]
pub struct BackupStrategy {
    pub start_time: String,
    pub keep_days: String,
}

#[derive(Debug, Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct ListChargeInfo {
    pub charge_mode: String,
}

/// `200` answer of the instance details.
#[derive(Debug, Serialize)]
pub struct InstanceResponse {
    pub instance: InstanceDetail,
}

/// An instance in full. `public_ips` is a string here (an array in the list); `node_count`,
/// `backup_used_space` and the nodes' `port`, `priority` and `volume.size` are numbers.
#[derive(Debug, Serialize)]
pub struct InstanceDetail {
    pub id: String,
    pub name: String,
    pub project_id: String,
    pub status: &'static str,
    pub port: String,
    pub alias: String,
    #[serde(rename = "type")]
    pub instance_type: &'static str,
    pub charge_info: DetailChargeInfo,
    pub node_count: u32,
    pub datastore: InstanceDatastore,
    pub backup_used_space: f64,
    pub created: String,
    pub updated: String,
    pub private_write_ips: Vec<String>,
    pub private_dns_names: Vec<String>,
    pub public_ips: String,
    pub db_user_name: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub configuration_id: String,
    pub backup_strategy: BackupStrategy,
    pub nodes: Vec<Node>,
    pub enterprise_project_id: String,
    pub time_zone: String,
    pub az_mode: String,
    pub master_az_code: String,
    pub maintenance_window: String,
    pub tags: Vec<Tag>,
    pub dedicated_resource_id: String,
    pub proxies: Vec<Proxy>,
}

#[derive(Debug, Serialize)]
pub struct DetailChargeInfo {
    pub charge_mode: String,
    pub order_id: String,
}

#[derive(Debug, Serialize)]
pub struct Node {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub node_type: &'static str,
    pub status: &'static str,
    pub port: u16,
    pub private_read_ips: Vec<String>,
    pub volume: NodeVolume,
    pub az_code: String,
    pub region_code: String,
    pub created: String,
    pub updated: String,
    pub flavor_id: String,
    pub flavor_ref: String,
    pub max_connections: String,
    pub vcpus: String,
    pub ram: String,
    pub need_restart: bool,
    pub priority: i32,
}

#[derive(Debug, Serialize)]
pub struct NodeVolume {
    #[serde(rename = "type")]
    pub volume_type: String,
    pub used: String,
    pub size: u64,
}

#[derive(Debug, Serialize)]
pub struct Proxy {
    pub pool_id: String,
    pub name: String,
    pub address: String,
}

fn tags(profile: &InstanceProfile) -> Vec<Tag> {
    profile
        .tags
        .iter()
        .map(|(key, value)| Tag {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

fn datastore(profile: &InstanceProfile) -> InstanceDatastore {
    InstanceDatastore {
        datastore_type: "gaussdb-mysql",
        version: profile.datastore_version.clone(),
        kernel_version: profile.kernel_version.clone(),
    }
}

fn backup_strategy(instance: &Instance) -> BackupStrategy {
    BackupStrategy {
        start_time: instance.policy.start_time(),
        keep_days: instance.policy.keep_days.to_string(),
    }
}

/// Every instance is a TaurusDB cluster.
const INSTANCE_TYPE: &str = "Cluster";

impl From<InstanceView> for InstanceListItem {
    fn from(view: InstanceView) -> Self {
        let i = view.instance;
        let p = &i.profile;
        Self {
            status: i.status().as_str(),
            private_ips: p.private_ips.clone(),
            public_ips: p.public_ips.clone(),
            port: p.port.to_string(),
            instance_type: INSTANCE_TYPE,
            region: p.region.clone(),
            datastore: datastore(p),
            created: format_api_time(p.created),
            updated: format_api_time(p.updated),
            db_user_name: p.db_user_name.clone(),
            vpc_id: p.vpc_id.clone(),
            subnet_id: p.subnet_id.clone(),
            security_group_id: p.security_group_id.clone(),
            flavor_ref: p.flavor_ref.clone(),
            flavor_info: FlavorInfo {
                vcpus: p.vcpus.clone(),
                ram: p.ram.clone(),
            },
            volume: ListVolume {
                volume_type: p.volume_type.clone(),
                size: p.volume_size.to_string(),
            },
            backup_strategy: backup_strategy(&i),
            time_zone: p.time_zone.clone(),
            dedicated_resource_id: p.dedicated_resource_id.clone(),
            tags: tags(p),
            enterprise_project_id: p.enterprise_project_id.clone(),
            charge_info: ListChargeInfo {
                charge_mode: p.charge_mode.clone(),
            },
            proxy_ips: Vec::new(),
            readonly_private_ips: Vec::new(),
            id: i.id.to_string(),
            name: i.name.clone(),
        }
    }
}

impl From<InstancePage> for ListInstancesResponse {
    fn from(page: InstancePage) -> Self {
        Self {
            instances: page
                .instances
                .into_iter()
                .map(InstanceListItem::from)
                .collect(),
            total_count: page.total_count,
        }
    }
}

impl From<InstanceView> for InstanceResponse {
    fn from(view: InstanceView) -> Self {
        let i = &view.instance;
        let p = &i.profile;
        let status = i.status();
        let node_status = match status {
            InstanceStatus::BackingUp => InstanceStatus::Active.as_str(),
            other => other.as_str(),
        };
        let nodes = (0..p.node_count)
            .map(|n| {
                let ip = p.private_ips.first().map(|ip| bump_ip(ip, n + 1));
                Node {
                    id: format!(
                        "{}no07",
                        derived_uuid(i.id.as_str(), 10 + n as u8).replace('-', "")
                    ),
                    name: format!("{}_node{:02}", i.name, n + 1),
                    node_type: if n == 0 { "master" } else { "slave" },
                    status: node_status,
                    port: p.port,
                    private_read_ips: ip.into_iter().collect(),
                    volume: NodeVolume {
                        volume_type: p.volume_type.clone(),
                        used: "0.07".to_owned(),
                        size: p.volume_size,
                    },
                    az_code: p.master_az_code.clone(),
                    region_code: p.region.clone(),
                    created: format_api_time(p.created),
                    updated: format_api_time(p.updated),
                    flavor_id: derived_uuid(&p.flavor_ref, 0),
                    flavor_ref: p.flavor_ref.clone(),
                    max_connections: "10000".to_owned(),
                    vcpus: p.vcpus.clone(),
                    ram: p.ram.clone(),
                    need_restart: false,
                    priority: 1,
                }
            })
            .collect();
        Self {
            instance: InstanceDetail {
                id: i.id.to_string(),
                name: i.name.clone(),
                project_id: view.project_id.to_string(),
                status: status.as_str(),
                port: p.port.to_string(),
                alias: p.alias.clone(),
                instance_type: INSTANCE_TYPE,
                charge_info: DetailChargeInfo {
                    charge_mode: p.charge_mode.clone(),
                    order_id: String::new(),
                },
                node_count: p.node_count,
                datastore: datastore(p),
                backup_used_space: (view.backup_used_mb as f64 / 1024.0 * 100.0).round() / 100.0,
                created: format_api_time(p.created),
                updated: format_api_time(p.updated),
                private_write_ips: p.private_ips.clone(),
                private_dns_names: Vec::new(),
                public_ips: p.public_ips.first().cloned().unwrap_or_default(),
                db_user_name: p.db_user_name.clone(),
                vpc_id: p.vpc_id.clone(),
                subnet_id: p.subnet_id.clone(),
                security_group_id: p.security_group_id.clone(),
                configuration_id: p.configuration_id.clone(),
                backup_strategy: backup_strategy(i),
                nodes,
                enterprise_project_id: p.enterprise_project_id.clone(),
                time_zone: p.time_zone.clone(),
                az_mode: p.az_mode.clone(),
                master_az_code: p.master_az_code.clone(),
                maintenance_window: p.maintenance_window.clone(),
                tags: tags(p),
                dedicated_resource_id: p.dedicated_resource_id.clone(),
                proxies: Vec::new(),
            },
        }
    }
}

/// A node's read address: the instance's address with the last number moved by `by`.
fn bump_ip(ip: &str, by: u32) -> String {
    match ip.rsplit_once('.') {
        Some((head, last)) => match last.parse::<u32>() {
            Ok(n) => format!("{head}.{}", (n + by) % 254 + 1),
            Err(_) => ip.to_owned(),
        },
        None => ip.to_owned(),
    }
}

/// Body of `PUT .../backups/policy/update`; each field is checked by its own rule, so they
/// arrive untyped.
#[derive(Debug, Deserialize)]
pub struct UpdatePolicyBody {
    pub backup_policy: Option<serde_json::Value>,
}

/// `200` answer of the policy query.
#[derive(Debug, Serialize)]
pub struct PolicyResponse {
    pub backup_policy: PolicyItem,
}

#[derive(Debug, Serialize)]
pub struct PolicyItem {
    pub keep_days: u16,
    pub start_time: String,
    pub period: String,
}

impl From<&BackupPolicy> for PolicyResponse {
    fn from(policy: &BackupPolicy) -> Self {
        Self {
            backup_policy: PolicyItem {
                keep_days: policy.keep_days,
                start_time: policy.start_time(),
                period: policy.period_text(),
            },
        }
    }
}

/// `200` answer of a policy change.
#[derive(Debug, Serialize)]
pub struct PolicyUpdatedResponse {
    pub status: &'static str,
    pub instance_id: String,
    pub instance_name: String,
}

/// Body of `POST /v3/{project_id}/instances/restore`. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
pub struct RestoreBody {
    pub target_instance_id: String,
    pub source_instance_id: String,
    #[serde(rename = "type")]
    pub restore_type: Option<String>,
    pub backup_id: Option<String>,
    /// Unix milliseconds.
    pub restore_time: Option<i64>,
}

/// `200` answer of a restore.
#[derive(Debug, Serialize)]
pub struct RestoreResponse {
    pub job_id: String,
}

/// Body of `POST /v3/{project_id}/instances`. Unknown fields are ignored; fields the
/// emulator keeps nothing of (`tde_info`, `enable_binlog`, `volume_auto_expand`) are taken
/// whatever their shape.
#[derive(Debug, Deserialize)]
pub struct CreateInstanceBody {
    pub region: Option<String>,
    pub name: Option<String>,
    pub datastore: Option<DatastoreBody>,
    pub mode: Option<String>,
    pub flavor_ref: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub security_group_id: Option<String>,
    pub password: Option<String>,
    pub availability_zone_mode: Option<String>,
    pub master_availability_zone: Option<String>,
    pub slave_count: Option<i64>,
    pub backup_strategy: Option<BackupStrategyBody>,
    pub charge_info: Option<ChargeInfoBody>,
    pub time_zone: Option<String>,
    pub configuration_id: Option<String>,
    pub enterprise_project_id: Option<String>,
    pub dedicated_resource_id: Option<String>,
    pub lower_case_table_names: Option<i64>,
    pub volume: Option<VolumeBody>,
    #[serde(default)]
    pub tags: Vec<TagBody>,
    pub restore_point: Option<RestorePointBody>,
}

#[derive(Debug, Deserialize)]
pub struct DatastoreBody {
    #[serde(rename = "type")]
    pub datastore_type: Option<String>,
    pub version: Option<String>,
    pub kernel_version: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct BackupStrategyBody {
    pub start_time: Option<String>,
    /// Typed string in the API; a number is taken too.
    pub keep_days: Option<StringOrNumber>,
}

#[derive(Debug, Deserialize)]
pub struct ChargeInfoBody {
    pub charge_mode: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct VolumeBody {
    /// Typed string in the API; a number is taken too.
    pub size: Option<StringOrNumber>,
}

#[derive(Debug, Deserialize)]
pub struct TagBody {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
pub struct RestorePointBody {
    pub source_instance_id: String,
    #[serde(rename = "type")]
    pub restore_type: Option<String>,
    pub backup_id: Option<String>,
    pub restore_time: Option<i64>,
}

/// A number the API types as a string, which clients send either way.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum StringOrNumber {
    Number(i64),
    Text(String),
}

impl StringOrNumber {
    /// The number; `None` for text that is not an integer.
    pub fn value(&self) -> Option<i64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(s) => s.trim().parse().ok(),
        }
    }
}

/// `201` answer of an instance creation.
#[derive(Debug, Serialize)]
pub struct CreateInstanceResponse {
    pub instance: CreatedInstance,
    pub job_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
}

/// The instance as a creation answers it. `port` and `backup_strategy.keep_days` are strings
/// (Terraform reads `port` into a string), `volume.size` a number.
#[derive(Debug, Serialize)]
pub struct CreatedInstance {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub region: String,
    pub mode: String,
    pub flavor_ref: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub availability_zone_mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_availability_zone: Option<String>,
    pub configuration_id: String,
    pub datastore: InstanceDatastore,
    pub port: String,
    pub backup_strategy: BackupStrategy,
    pub charge_info: ListChargeInfo,
    pub volume: CreatedVolume,
    pub enterprise_project_id: String,
}

#[derive(Debug, Serialize)]
pub struct CreatedVolume {
    pub size: u64,
}

impl CreateInstanceResponse {
    /// The answer for `request`, which created `view` with `job_id`.
    pub fn new(view: &InstanceView, request: &NewInstance, job_id: &JobId) -> Self {
        let i = &view.instance;
        let p = &i.profile;
        // An order id in the shape of Huawei Cloud's (`CS2308241236EEXVF`), from the job's.
        let order_id = request.prepaid.then(|| {
            let hex: String = job_id.to_string().replace('-', "");
            format!("CS{}", hex[..15].to_ascii_uppercase())
        });
        Self {
            instance: CreatedInstance {
                id: i.id.to_string(),
                name: i.name.clone(),
                status: i.status().as_str(),
                region: p.region.clone(),
                mode: request.mode.clone(),
                flavor_ref: p.flavor_ref.clone(),
                vpc_id: p.vpc_id.clone(),
                subnet_id: p.subnet_id.clone(),
                security_group_id: p.security_group_id.clone(),
                availability_zone_mode: p.az_mode.clone(),
                master_availability_zone: request.master_az.clone(),
                configuration_id: p.configuration_id.clone(),
                datastore: datastore(p),
                port: p.port.to_string(),
                backup_strategy: backup_strategy(i),
                charge_info: ListChargeInfo {
                    charge_mode: p.charge_mode.clone(),
                },
                volume: CreatedVolume {
                    size: p.volume_size,
                },
                enterprise_project_id: p.enterprise_project_id.clone(),
            },
            job_id: job_id.to_string(),
            order_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::domain::{BackupId, BackupType, IdSource};

    #[test]
    fn a_text_needs_escaping_exactly_when_it_holds_a_control_character_a_quote_or_a_backslash() {
        // Every byte value at every place of a 17-byte text (two 8-byte lanes and a rest),
        // among bytes that need none: just above 0x20, letters, and 0x80 and up.
        for fill in [b'a', b'!', 0x80, 0xff] {
            for place in 0..17 {
                for byte in 0..=255u8 {
                    let mut text = vec![fill; 17];
                    text[place] = byte;
                    let expected = byte < 0x20 || byte == b'"' || byte == b'\\';
                    assert_eq!(needs_escaping(&text), expected, "{fill} {place} {byte}");
                }
            }
        }
        assert!(!needs_escaping(b""));
    }

    #[test]
    fn a_creates_answer_is_written_as_serde_json_writes_it_whatever_its_texts() {
        let mut ids = IdSource::new(7);
        for (name, description) in [
            ("backup-1", ""),
            ("backup-1", "Manual backup"),
            ("auto", "vor dem Update: ä, \\ und\tTab \u{1}\u{7f}"),
            ("\"quoted\"", "ünïcödé ✓"),
        ] {
            let created = Created {
                id: BackupId::generate(&mut ids),
                status: crate::domain::BackupStatus::Building,
                backup_type: BackupType::Manual,
                begin_time: DateTime::from_timestamp(1_777_025_997, 0).unwrap(),
                job_id: JobId::generate(&mut ids),
            };
            let answer = CreateBackupResponse::new(
                &created,
                "07033b125fd94a8a96896f8bcfee6ddain07",
                name,
                description,
            );
            let written = answer.to_json();
            assert_eq!(
                String::from_utf8(written.clone()).unwrap(),
                serde_json::to_string(&answer).unwrap(),
                "{name:?} {description:?}"
            );
            let parsed: serde_json::Value = serde_json::from_slice(&written).unwrap();
            assert_eq!(parsed["backup"]["name"], name);
            assert_eq!(parsed["backup"]["description"], description);
        }
    }
}
