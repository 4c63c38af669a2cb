//! What the store answers with: backups with their instance's name, instances with what
//! their backups add up to, pages of both, and the per-project state view.

use crate::domain::catalog::Flavor;
use crate::domain::{Backup, Instance, Job, ProjectId};

use super::completion::Completion;

/// A backup with the name of its instance, as list responses show it.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupView {
    pub backup: Backup,
    pub instance_name: String,
}

/// One page of a backup list and the number of matches before paging.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackupPage {
    pub backups: Vec<BackupView>,
    pub total_count: usize,
}

/// An instance with what is derived from its backups, as the instance pages show it.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceView {
    pub project_id: ProjectId,
    pub instance: Instance,
    /// Space used by the instance's backups, in MB.
    pub backup_used_mb: u64,
    /// Its flavor in the catalogue (none for a flavor only fixtures name).
    pub flavor: Option<Flavor>,
}

/// One page of the instance list and the number of matches before paging.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstancePage {
    pub instances: Vec<InstanceView>,
    pub total_count: usize,
}

/// A backup in the state view: with how it will finish and why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupState {
    pub view: BackupView,
    pub completion: Completion,
    pub fail_reason: Option<String>,
}

/// Everything one project holds, for the state view.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectState {
    pub id: ProjectId,
    pub name: String,
    pub tokens: Vec<String>,
    /// By id (the first ones only when the view is limited).
    pub instances: Vec<InstanceView>,
    /// How many instances the project holds, whether or not all are in `instances`.
    pub instance_count: usize,
    /// Newest first.
    pub backups: Vec<BackupState>,
    /// How many backups the project holds, whether or not all are in `backups`.
    pub backup_count: usize,
    /// Oldest first (newest first when the view is limited).
    pub jobs: Vec<Job>,
    /// How many jobs the project has, whether or not all are in `jobs`.
    pub job_count: usize,
}

/// An instance's completed full backups (their ends) and how long its backups are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupHistory {
    pub full_backup_ends: Vec<chrono::DateTime<chrono::Utc>>,
    pub keep_days: u16,
}

impl BackupHistory {
    /// The times the instance can be restored to at `now` (see `domain::restore`).
    pub fn restorable_ranges(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Vec<crate::domain::restore::RestoreRange> {
        crate::domain::restore::restorable_ranges(&self.full_backup_ends, self.keep_days, now)
    }
}
