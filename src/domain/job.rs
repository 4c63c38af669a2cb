//! Jobs (tasks): the asynchronous record a create returns as `job_id`.

use chrono::{DateTime, Utc};

use super::ids::{BackupId, InstanceId, JobId};

/// The name the emulator gives a backup job; the real name is not documented.
pub const BACKUP_JOB_NAME: &str = "CreateGaussDBforMySQLBackup";

/// A job's status as the task API spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Running,
    Completed,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "Running",
            JobStatus::Completed => "Completed",
            JobStatus::Failed => "Failed",
        }
    }
}

/// One job as a client reads it. While its backup exists it is derived from the backup;
/// deleting the backup leaves the job as a record of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub name: &'static str,
    pub status: JobStatus,
    pub created: DateTime<Utc>,
    pub ended: Option<DateTime<Utc>>,
    pub instance_id: InstanceId,
    pub instance_name: String,
    pub backup_id: BackupId,
    pub fail_reason: Option<String>,
}
