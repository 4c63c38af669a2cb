//! Jobs (tasks): the asynchronous record a create or a restore returns as `job_id`.

use chrono::{DateTime, Utc};

use super::ids::{BackupId, InstanceId, JobId};
use super::instance_change::InstanceChange;

/// The name the emulator gives a backup job; the real name is not documented.
pub const BACKUP_JOB_NAME: &str = "CreateGaussDBforMySQLBackup";
/// A restore to the original or an existing instance; the real name is not documented.
pub const RESTORE_JOB_NAME: &str = "RestoreGaussDBforMySQLInstance";
/// A restore to a new instance, as Huawei Cloud's job list names it.
pub const RESTORE_NEW_JOB_NAME: &str = "RestoreGaussDBforMySQLNewInstance";
/// The creation of an instance, as Huawei Cloud's job list names it.
pub const CREATE_INSTANCE_JOB_NAME: &str = "CreateGaussDBforMySQLInstance";

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

    /// The status of this spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Running, Self::Completed, Self::Failed]
            .into_iter()
            .find(|status| status.as_str() == s)
    }
}

/// What a restore brings back: a full backup, or a point in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestorePoint {
    Backup(BackupId),
    Time(DateTime<Utc>),
}

/// Where a restore's data comes from: an instance, and the backup or time of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreSource {
    pub instance_id: InstanceId,
    pub point: RestorePoint,
}

/// What a job does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    /// Builds this backup (of the job's instance).
    Backup(BackupId),
    /// Restores onto the job's instance, which already existed.
    Restore(RestoreSource),
    /// Creates the job's instance, with the data of a restore source if there is one.
    CreateInstance(Option<RestoreSource>),
    /// Changes the job's instance (or one of its nodes), or deletes it.
    Change(InstanceChange),
}

impl JobKind {
    /// The job's name, as the task API gives it.
    pub fn name(&self) -> &'static str {
        match self {
            JobKind::Backup(_) => BACKUP_JOB_NAME,
            JobKind::Restore(_) => RESTORE_JOB_NAME,
            JobKind::CreateInstance(Some(_)) => RESTORE_NEW_JOB_NAME,
            JobKind::CreateInstance(None) => CREATE_INSTANCE_JOB_NAME,
            JobKind::Change(change) => change.job_name(),
        }
    }

    /// Whether the job holds its instance while it runs (see
    /// [`InstanceChange::holds_instance`]).
    pub fn holds_instance(&self) -> bool {
        match self {
            JobKind::Change(change) => change.holds_instance(),
            _ => true,
        }
    }

    /// The restore source, for the kinds that have one.
    pub fn source(&self) -> Option<&RestoreSource> {
        match self {
            JobKind::Restore(source) | JobKind::CreateInstance(Some(source)) => Some(source),
            _ => None,
        }
    }
}

/// One job as a client reads it. A backup's job is derived from the backup while the backup
/// exists; deleting the backup leaves the job as a record of its own. Restores and instance
/// creations are records of their own from the start.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub status: JobStatus,
    pub created: DateTime<Utc>,
    pub ended: Option<DateTime<Utc>>,
    /// The instance the job works on: the backed-up, the restored or the created one.
    pub instance_id: InstanceId,
    pub instance_name: String,
    pub kind: JobKind,
    pub fail_reason: Option<String>,
}

impl Job {
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// The job's `entities.resource_ids`: the backup it builds; the instance a restore
    /// overwrites; the server and volume of a created instance (as Huawei Cloud's example
    /// shows them); the node a node job works on, or the instance a change changes.
    pub fn resource_ids(&self) -> Vec<String> {
        match &self.kind {
            JobKind::Backup(id) => vec![id.to_string()],
            JobKind::Restore(_) => vec![self.instance_id.to_string()],
            JobKind::CreateInstance(_) => vec![
                format!("{}.vm", self.instance_id),
                format!("{}.volume", self.instance_id),
            ],
            JobKind::Change(change) => vec![match change.node() {
                Some(node) => node.to_string(),
                None => self.instance_id.to_string(),
            }],
        }
    }

    /// The backup the job builds, if it is a backup's.
    pub fn backup_id(&self) -> Option<&BackupId> {
        match &self.kind {
            JobKind::Backup(id) => Some(id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_name_and_resources() {
        let instance_id = InstanceId::parse("07033b125fd94a8a96896f8bcfee6ddain07").unwrap();
        let source = RestoreSource {
            instance_id: instance_id.clone(),
            point: RestorePoint::Time(DateTime::UNIX_EPOCH),
        };
        let job = |kind| Job {
            id: JobId::parse("dff1d289-4d03-4942-8b9f-463ea07c000d").unwrap(),
            status: JobStatus::Running,
            created: DateTime::UNIX_EPOCH,
            ended: None,
            instance_id: instance_id.clone(),
            instance_name: "i".into(),
            kind,
            fail_reason: None,
        };
        let restore = job(JobKind::Restore(source.clone()));
        assert_eq!(restore.name(), RESTORE_JOB_NAME);
        assert_eq!(restore.resource_ids(), vec![instance_id.to_string()]);
        let new = job(JobKind::CreateInstance(Some(source)));
        assert_eq!(new.name(), "RestoreGaussDBforMySQLNewInstance");
        assert_eq!(
            new.resource_ids(),
            vec![format!("{instance_id}.vm"), format!("{instance_id}.volume")]
        );
        let created = job(JobKind::CreateInstance(None));
        assert_eq!(created.name(), "CreateGaussDBforMySQLInstance");
        assert_eq!(created.backup_id(), None);
        assert_eq!(JobStatus::parse("Failed"), Some(JobStatus::Failed));
        assert_eq!(JobStatus::parse("failed"), None);
    }
}
