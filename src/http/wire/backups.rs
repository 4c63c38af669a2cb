//! Bodies of the backup endpoints (`http/backups.rs`): create, list, delete, batch delete.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::json::{json_plain, json_str};
use crate::domain::time::{ApiTime, format_api_time};
use crate::domain::{Backup, JobId};
use crate::error::ApiError;
use crate::store::{BackupPage, BackupView, Created};

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

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::domain::{BackupId, BackupType, IdSource};

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
