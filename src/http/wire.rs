//! Request and response bodies exactly as they travel: field names and JSON types of the API
//! pages (numbers stay numbers, unfinished times are `""`).

use serde::{Deserialize, Serialize};

use crate::domain::time::format_api_time;
use crate::domain::{Backup, Job};
use crate::store::{BackupPage, BackupView};

/// Body of `POST /v3/{project_id}/backups/create`. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
pub struct CreateBackupBody {
    pub instance_id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// `201` answer of a create.
#[derive(Debug, Serialize)]
pub struct CreateBackupResponse {
    pub backup: CreatedBackup,
    pub job_id: String,
}

#[derive(Debug, Serialize)]
pub struct CreatedBackup {
    pub id: String,
    pub name: String,
    pub description: String,
    pub begin_time: String,
    pub status: &'static str,
    #[serde(rename = "type")]
    pub backup_type: &'static str,
    pub instance_id: String,
}

impl CreateBackupResponse {
    pub fn new(backup: &Backup, job_id: String) -> Self {
        Self {
            backup: CreatedBackup {
                id: backup.id.to_string(),
                name: backup.name.as_str().to_owned(),
                description: backup.description.as_str().to_owned(),
                begin_time: format_api_time(backup.begin_time),
                status: backup.status.as_str(),
                backup_type: backup.backup_type.as_str(),
                instance_id: backup.instance_id.to_string(),
            },
            job_id,
        }
    }
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
            name: b.name.as_str().to_owned(),
            begin_time: format_api_time(b.begin_time),
            end_time: b.end_time.map(format_api_time).unwrap_or_default(),
            status: b.status.as_str(),
            backup_type: b.backup_type.as_str(),
            size: b.size_mb,
            datastore: Datastore::GAUSSDB_MYSQL,
            instance_id: b.instance_id.to_string(),
            instance_name: view.instance_name,
            description: b.description.as_str().to_owned(),
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
            backup_name: backup.name.as_str().to_owned(),
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
        Self {
            job: JobItem {
                id: job.id.to_string(),
                name: job.name,
                status: job.status.as_str(),
                created: format_api_time(job.created),
                ended: job.ended.map(format_api_time).unwrap_or_default(),
                process: String::new(),
                instance: JobInstance {
                    id: job.instance_id.to_string(),
                    name: job.instance_name,
                },
                entities: JobEntities {
                    resource_ids: vec![job.backup_id.to_string()],
                },
                fail_reason: job.fail_reason,
            },
        }
    }
}
