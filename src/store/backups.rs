//! The backups of the API and the control API: create, list, delete, batch delete; complete,
//! fail, hold and find one.

use chrono::{DateTime, Utc};

use super::Store;
use super::completion::{Completion, Outcome};
use super::state::State;
use super::views::{BackupPage, BackupView};
use crate::domain::{
    Backup, BackupId, BackupQuery, BackupStatus, BackupType, JobId, NewBackup, ProjectId,
};
use crate::error::ApiError;
use crate::store::Transition;

/// A manual backup as the store started it, for the create's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub id: BackupId,
    pub status: BackupStatus,
    pub backup_type: BackupType,
    pub begin_time: DateTime<Utc>,
    pub job_id: JobId,
}

impl Store {
    /// Starts a manual backup: checks the instance (exists, not frozen, no backup building,
    /// `ACTIVE`), then records a `BUILDING` backup that finishes as the lifecycle says, and
    /// its running job. Answers what the store gave the backup (its name and description are
    /// the request's): the caller makes its answer after the lock, which every other request
    /// waits for meanwhile.
    pub fn create_backup(
        &self,
        project_id: &ProjectId,
        request: NewBackup<'_>,
        now: DateTime<Utc>,
    ) -> Result<Created, ApiError> {
        let mut guard = self.write();
        let state = &mut *guard;
        state.settle(now);
        // Never earlier than what a request that took the lock before this one saw.
        let now = state.latest;
        let project = state.projects.get(project_id);
        let instance = project
            .and_then(|p| p.instances.get(request.instance_id))
            .ok_or(ApiError::InstanceNotFound)?;
        instance
            .base_status
            .check_can_back_up(instance.building.is_some())?;
        let instance_id = instance.id.clone();
        if project.is_some_and(|p| p.backups.len() >= state.backup_quota) {
            return Err(ApiError::BackupQuota);
        }
        // The job is found through the backup: no table of jobs grows with every create.
        let (backup_id, job_id) = state.new_backup_ids();
        let backup = Backup::building(
            backup_id,
            // The instance's own id, so that every backup shares its allocation.
            instance_id,
            request.text,
            BackupType::Manual,
            now,
            Some(job_id),
        );
        let created = Created {
            id: backup.id.clone(),
            status: backup.status,
            backup_type: backup.backup_type,
            begin_time: backup.begin_time,
            job_id,
        };
        state.start_backup(project_id, backup);
        Ok(created)
    }

    /// One page of the project's backups matching `query`, newest first, with the number of
    /// matches before paging. An unknown project or instance simply matches nothing. Each
    /// backup on the page counts as read.
    pub fn list_backups(
        &self,
        project_id: &ProjectId,
        query: &BackupQuery,
        now: DateTime<Utc>,
    ) -> BackupPage {
        self.apply_due(now);
        {
            let state = self.read();
            match state.projects.get(project_id) {
                None => return BackupPage::default(),
                Some(project) if project.read_waiters == 0 => {
                    let (ids, total) = project.list(query);
                    return project.page(&ids, total);
                }
                Some(_) => {}
            }
        }
        let mut state = self.write();
        let Some(project) = state.projects.get(project_id) else {
            return BackupPage::default();
        };
        let (ids, total) = project.list(query);
        state.count_reads(project_id, &ids, now);
        state
            .projects
            .get(project_id)
            .map(|p| p.page(&ids, total))
            .unwrap_or_default()
    }

    /// Deletes a finished manual backup and returns it. An unknown backup (or another
    /// project's) is `DBS.201010`; an automated or still building one is `DBS.201208`.
    pub fn delete_backup(
        &self,
        project_id: &ProjectId,
        backup_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Backup, ApiError> {
        let mut state = self.write();
        state.settle(now);
        let project = state
            .projects
            .get_mut(project_id)
            .ok_or(ApiError::BackupNotFound)?;
        let stored = project
            .backups
            .get(backup_id)
            .ok_or(ApiError::BackupNotFound)?;
        stored.backup.check_deletable()?;
        let removed = project
            .remove_backup(backup_id)
            .ok_or(ApiError::BackupNotFound)?;
        state.keep_jobs(project_id, now);
        Ok(removed)
    }

    /// Deletes each of `backup_ids` that a batch delete may remove, under one lock, and
    /// says for each what happened: the backup removed, or why not (`DBS.201203` unknown,
    /// `DBS.201204` automated, `DBS.201208` building).
    pub fn delete_backups(
        &self,
        project_id: &ProjectId,
        backup_ids: &[String],
        now: DateTime<Utc>,
    ) -> Vec<Result<Backup, ApiError>> {
        let mut state = self.write();
        state.settle(now);
        let Some(project) = state.projects.get_mut(project_id) else {
            return vec![Err(ApiError::BackupFileMissing); backup_ids.len()];
        };
        let results: Vec<Result<Backup, ApiError>> = backup_ids
            .iter()
            .map(|id| {
                let stored = project
                    .backups
                    .get(id.as_str())
                    .ok_or(ApiError::BackupFileMissing)?;
                stored.backup.check_batch_deletable()?;
                project.remove_backup(id).ok_or(ApiError::BackupFileMissing)
            })
            .collect();
        if results.iter().any(Result::is_ok) {
            state.keep_jobs(project_id, now);
        }
        results
    }

    /// Completes a building backup now, whatever it was bound to (`DBS.201010` if it does not
    /// exist, `DBS.201208` if it is not building).
    pub fn complete_backup(
        &self,
        backup_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Transition, ApiError> {
        self.command(backup_id, now, |state, pid, id| {
            state.finish(pid, id, now, Outcome::Succeed)
        })
    }

    /// Fails a building backup now: backup `FAILED`, job `Failed` with `reason`, instance free.
    pub fn fail_backup(
        &self,
        backup_id: &str,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<Transition, ApiError> {
        self.command(backup_id, now, move |state, pid, id| {
            state.finish(pid, id, now, Outcome::Fail(reason))
        })
    }

    /// Keeps a building backup `BUILDING` until it is completed or failed by a command.
    pub fn hold_backup(&self, backup_id: &str, now: DateTime<Utc>) -> Result<BackupView, ApiError> {
        let mut state = self.write();
        state.settle(now);
        let (pid, id) = Self::building(&state, backup_id)?;
        let project = state
            .projects
            .get_mut(&pid)
            .ok_or(ApiError::BackupNotFound)?;
        project.set_completion(&id, Completion::Held);
        project.view_backup(&id).ok_or(ApiError::BackupNotFound)
    }

    fn command(
        &self,
        backup_id: &str,
        now: DateTime<Utc>,
        act: impl FnOnce(&mut State, &ProjectId, &BackupId) -> Option<Transition>,
    ) -> Result<Transition, ApiError> {
        let mut state = self.write();
        state.settle(now);
        let (pid, id) = Self::building(&state, backup_id)?;
        act(&mut state, &pid, &id).ok_or(ApiError::BackupStatusForbids)
    }

    /// The project and id of a backup that is still building.
    fn building(state: &State, backup_id: &str) -> Result<(ProjectId, BackupId), ApiError> {
        let pid = state
            .project_of_backup(backup_id)
            .ok_or(ApiError::BackupNotFound)?;
        let stored = state.projects[&pid]
            .backups
            .get(backup_id)
            .ok_or(ApiError::BackupNotFound)?;
        if stored.backup.status != BackupStatus::Building {
            return Err(ApiError::BackupStatusForbids);
        }
        Ok((pid, stored.backup.id.clone()))
    }

    /// A backup wherever it is, without counting a read (for waiting on it).
    pub fn find_backup(&self, backup_id: &str, now: DateTime<Utc>) -> Option<BackupView> {
        self.apply_due(now);
        let state = self.read();
        let pid = state.project_of_backup(backup_id)?;
        state.projects[&pid].view_backup(&BackupId::from_raw(backup_id))
    }
}
