//! Bodies of the endpoints about one instance's backups (`http/instance_backups.rs`): its full
//! backups, restorable times, incremental backups, backup encryption, offsite policy and
//! automated backup policy.

use serde::{Deserialize, Serialize};

use crate::domain::incremental::IncrementalBackup;
use crate::domain::restore::RestoreRange;
use crate::domain::time::format_api_time;
use crate::domain::{BackupPolicy, InstanceId, InstanceProfile};
use crate::store::BackupPage;

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
