//! Restores and instance creations: jobs of their own that hold an instance `RESTORING` or
//! `BUILD` while they run, and the control commands on any job.

use chrono::{DateTime, Utc};

use super::Store;
use super::completion::Outcome;
use super::state::State;
use super::views::InstanceView;
use crate::domain::instance::InstanceStatus;
use crate::domain::new_instance::{NewInstance, same_engine_version};
use crate::domain::node::initial_nodes;
use crate::domain::quota::usage_of;
use crate::domain::restore::{EndSpan, RestoreRange, covers};
use crate::domain::{
    BackupStatus, Instance, InstanceId, Job, JobId, JobKind, JobStatus, ProjectId, RestorePoint,
    RestoreSource,
};
use crate::error::ApiError;

/// The most instances one project may hold unless its fixtures say otherwise; creating more
/// is `DBS.200046`.
pub const INSTANCE_QUOTA: usize = crate::domain::quota::DEFAULT_INSTANCE_QUOTA;

impl State {
    /// The source of a restore, checked: it exists (`DBS.200013`), and the backup is one of
    /// its full backups (`DBS.201010`) that has completed (`DBS.201208`), or the time lies in
    /// one of its restorable ranges at `now` (`DBS.200001`).
    fn check_source(
        &self,
        project_id: &ProjectId,
        source: &RestoreSource,
        now: DateTime<Utc>,
    ) -> Result<&Instance, ApiError> {
        let (project, instance) = self
            .instance(project_id, &source.instance_id)
            .map_err(|_| ApiError::SourceInstanceNotFound)?;
        match &source.point {
            RestorePoint::Backup(id) => {
                let stored = project
                    .backups
                    .get(id.as_str())
                    .filter(|s| s.backup.instance_id == source.instance_id)
                    .ok_or(ApiError::BackupNotFound)?;
                if stored.backup.status != BackupStatus::Completed {
                    return Err(ApiError::BackupStatusForbids);
                }
            }
            RestorePoint::Time(t) => {
                let instant = RestoreRange { start: *t, end: *t };
                let span = EndSpan::restorable(Some(instant), instance.policy.keep_days, now);
                let ranges = project.history(instance, now, span).restorable_ranges(now);
                if !covers(&ranges, *t) {
                    return Err(ApiError::Parameter);
                }
            }
        }
        Ok(instance)
    }

    /// The project and id of any job.
    fn find_job(&self, job_id: &str) -> Option<(ProjectId, Job)> {
        let id = JobId::parse(job_id)?;
        let mut found: Vec<(&ProjectId, Job)> = self
            .projects
            .iter()
            .filter_map(|(pid, p)| Some((pid, p.job(&id)?)))
            .collect();
        found.sort_by(|a, b| a.0.cmp(b.0));
        found
            .into_iter()
            .next()
            .map(|(pid, job)| (pid.clone(), job))
    }
}

impl Store {
    /// The job with this id in this project (`DBS.200543` when there is none). Reading a job
    /// counts as reading its backup.
    pub fn job(
        &self,
        project_id: &ProjectId,
        job_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.apply_due(now);
        let job_id = JobId::parse(job_id).ok_or(ApiError::JobNotFound)?;
        let find = |state: &State| {
            state
                .projects
                .get(project_id)
                .and_then(|p| p.job(&job_id))
                .ok_or(ApiError::JobNotFound)
        };
        {
            let state = self.read();
            if state
                .projects
                .get(project_id)
                .is_none_or(|p| p.read_waiters == 0)
            {
                return find(&state);
            }
        }
        let mut state = self.write();
        let job = find(&state)?;
        match job.backup_id() {
            Some(backup_id) => state.count_reads(project_id, std::slice::from_ref(backup_id), now),
            None => state.count_job_read(project_id, &job.id, now),
        }
        find(&state)
    }

    /// Restores `source` onto the existing instance `target` (the same one or another): the
    /// target must exist (`DBS.200002`), not be frozen (`DBS.280449`), be `ACTIVE`
    /// (`DBS.200011`) and share the source's engine version and table-name case sensitivity
    /// (`DBS.201207`); the source must exist (`DBS.200013`) with the backup completed
    /// (`DBS.201010`, `DBS.201208`) or the time restorable (`DBS.200001`). The target reads
    /// `RESTORING` until the returned job finishes.
    pub fn restore_instance(
        &self,
        project_id: &ProjectId,
        target: &InstanceId,
        source: RestoreSource,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        let mut guard = self.write();
        let state = &mut *guard;
        state.settle(now);
        let now = state.latest;
        let (_, target) = state.instance(project_id, target)?;
        target.status().check_can_restore()?;
        if !target.tasks.is_empty() {
            return Err(ApiError::InstanceOperationRunning);
        }
        let origin = state.check_source(project_id, &source, now)?;
        if !same_engine_version(
            &origin.profile.datastore_version,
            &target.profile.datastore_version,
        ) || origin.profile.lower_case_table_names != target.profile.lower_case_table_names
        {
            return Err(ApiError::EngineMismatch);
        }
        let target = target.clone();
        let job = state.new_job(&target, JobKind::Restore(source), now);
        state.start_task(project_id, job.clone());
        Ok(job)
    }

    /// Creates an instance as `request` describes (restoring its source if it has one, which
    /// must be of the same engine version, `DBS.201207`): it reads `BUILD` until the returned
    /// job finishes, then `ACTIVE` (or `FAILED`). At most the project's instance quota
    /// ([`INSTANCE_QUOTA`] unless set), and within its enterprise project's quotas
    /// (`DBS.200046`).
    pub fn create_instance(
        &self,
        project_id: &ProjectId,
        request: &NewInstance,
        now: DateTime<Utc>,
    ) -> Result<(InstanceView, Job), ApiError> {
        let mut guard = self.write();
        let state = &mut *guard;
        state.settle(now);
        let now = state.latest;
        // A project the emulator does not know has no region to create in.
        let project = state
            .projects
            .get(project_id)
            .ok_or(ApiError::InvalidRegion)?;
        if project.instances.len() >= project.instance_quota {
            return Err(ApiError::InstanceQuota);
        }
        project.whole_network().check_placement(
            &request.vpc_id,
            &request.subnet_id,
            request.security_group_id.as_deref(),
        )?;
        if let Some(source) = &request.restore {
            let origin = state.check_source(project_id, source, now)?;
            if !same_engine_version(
                &origin.profile.datastore_version,
                &request.datastore_version,
            ) {
                return Err(ApiError::EngineMismatch);
            }
        }
        let id = loop {
            let id = InstanceId::generate(&mut state.ids);
            if !state
                .projects
                .values()
                .any(|p| p.instances.contains_key(&id))
            {
                break id;
            }
        };
        let profile = request.profile(&id, now);
        let nodes = 1 + request.slave_count as usize;
        if let Some(project) = state.projects.get(project_id) {
            project.check_ep_room(
                &profile.enterprise_project_id,
                usage_of(nodes, &profile.vcpus, &profile.ram),
            )?;
        }
        let nodes = initial_nodes(
            &id,
            &request.name,
            profile.placement(),
            now,
            1 + request.slave_count,
        );
        let instance = Instance::new(
            id,
            request.name.clone(),
            InstanceStatus::Build,
            request.policy.clone(),
            profile,
            nodes,
        );
        let job = state.new_job(
            &instance,
            JobKind::CreateInstance(request.restore.clone()),
            now,
        );
        let instance_id = instance.id.clone();
        if let Some(project) = state.projects.get_mut(project_id) {
            project.insert_instance(instance);
        }
        state.start_task(project_id, job.clone());
        let (project, instance) = state.instance(project_id, &instance_id)?;
        Ok((
            project.view_instance(project_id, instance, &state.catalog),
            job,
        ))
    }

    /// Any job by id, wherever it is, without counting a read (for waiting on it).
    pub fn find_job(&self, job_id: &str, now: DateTime<Utc>) -> Option<Job> {
        self.apply_due(now);
        self.read().find_job(job_id).map(|(_, job)| job)
    }

    /// Completes a running job now: a backup's job through its backup, a restore or creation
    /// itself. Unknown: `UnknownJob`; not running: `JobEnded`.
    pub fn complete_job(&self, job_id: &str, now: DateTime<Utc>) -> Result<Job, ApiError> {
        self.job_command(job_id, now, Outcome::Succeed)
    }

    /// Fails a running job now with `reason`, as [`Store::complete_job`] finds it.
    pub fn fail_job(
        &self,
        job_id: &str,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.job_command(job_id, now, Outcome::Fail(reason))
    }

    fn job_command(
        &self,
        job_id: &str,
        now: DateTime<Utc>,
        outcome: Outcome,
    ) -> Result<Job, ApiError> {
        let mut state = self.write();
        state.settle(now);
        let (pid, job) = running(&state, job_id)?;
        match job.backup_id() {
            Some(backup_id) => state.finish(&pid, backup_id, now, outcome),
            None => state.finish_job(&pid, &job.id, now, outcome),
        };
        state
            .projects
            .get(&pid)
            .and_then(|p| p.job(&job.id))
            .ok_or(ApiError::UnknownJob)
    }

    /// Keeps a running job running until it is completed or failed by a command.
    pub fn hold_job(&self, job_id: &str, now: DateTime<Utc>) -> Result<Job, ApiError> {
        let mut state = self.write();
        state.settle(now);
        let (pid, job) = running(&state, job_id)?;
        let project = state.projects.get_mut(&pid).ok_or(ApiError::UnknownJob)?;
        match job.backup_id() {
            Some(backup_id) => project.set_completion(backup_id, super::Completion::Held),
            None => project.set_task_completion(&job.id, super::Completion::Held),
        }
        Ok(job)
    }
}

/// A job that is still running, with its project.
fn running(state: &State, job_id: &str) -> Result<(ProjectId, Job), ApiError> {
    let (pid, job) = state.find_job(job_id).ok_or(ApiError::UnknownJob)?;
    if job.status != JobStatus::Running {
        return Err(ApiError::JobEnded);
    }
    Ok((pid, job))
}
