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

/// One job as the store keeps it. It outlives its backup: deleting the backup leaves the job.
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

impl Job {
    /// A running job for a backup that was just started.
    pub fn for_backup(
        id: JobId,
        created: DateTime<Utc>,
        instance_id: InstanceId,
        instance_name: String,
        backup_id: BackupId,
    ) -> Self {
        Self {
            id,
            name: BACKUP_JOB_NAME,
            status: JobStatus::Running,
            created,
            ended: None,
            instance_id,
            instance_name,
            backup_id,
            fail_reason: None,
        }
    }

    /// Ends the job at `at`, `Completed` or `Failed` with a reason.
    pub fn finish(&mut self, at: DateTime<Utc>, failure: Option<String>) {
        self.ended = Some(at);
        self.status = if failure.is_some() {
            JobStatus::Failed
        } else {
            JobStatus::Completed
        };
        self.fail_reason = failure;
    }
}
