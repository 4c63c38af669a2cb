//! The emulator's state, in memory.
//!
//! One [`Store`] holds every project with its instances, backups and jobs. Each public method
//! does its whole check-and-change under one lock and returns owned values, so no lock outlives
//! a call. Every method that takes `now` first applies what is due by then, so what a client
//! reads always agrees with the clock, whether or not the ticker has run.
//!
//! Time-driven work waits in one event queue ordered by due time: a building backup finishing,
//! an instance's automated-backup window opening, an automated backup reaching the end of its
//! retention. Applying the queue costs the due events, not the size of the store; each event
//! takes effect at its own due time, so a week of clock travel replays the week exactly.
//! Backups are indexed newest first per project and per instance, so a page costs the page.

mod iam;
mod pages;
mod project;
mod sharded;
mod snapshot;
mod state;
mod tasks;
mod views;

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub use self::pages::{BackupCursor, JobCursor, ProjectHead, walk_pages};
pub use self::project::Completion;
pub use self::snapshot::{PAGE, Snapshot};

pub use self::state::MAX_ISSUED_TOKENS;
pub use self::state::{FailureRule, FailureTarget};
use self::state::{Outcome, State};
pub use self::tasks::INSTANCE_QUOTA;
pub use self::views::{
    BackupHistory, BackupPage, BackupState, BackupView, InstancePage, InstanceView, ProjectState,
};
use crate::domain::{
    Backup, BackupId, BackupPolicy, BackupQuery, BackupStatus, BackupType, IdSource, Instance,
    InstanceBackupQuery, InstanceId, InstanceQuery, Job, JobId, NewBackup, OffsitePolicy,
    ProjectId,
};
use crate::error::ApiError;
use crate::fixtures::Fixtures;

pub use crate::domain::lifecycle::{LifecycleMode, Subject, Transition, TransitionKind};

/// How backups move through time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub mode: LifecycleMode,
    /// How long a backup stays `BUILDING` in the `time` and `manual` modes.
    pub backup_duration: TimeDelta,
    /// Whether instances take automated backups in their policy windows (and drop them after
    /// `keep_days`).
    pub automated_backups: bool,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            mode: LifecycleMode::Time,
            backup_duration: TimeDelta::seconds(5),
            automated_backups: true,
        }
    }
}

/// The in-memory state of every project.
pub struct Store {
    /// The standard library's lock rather than parking_lot's: a writer that finds it taken
    /// spins a little and then sleeps on a futex, where parking_lot's spins with
    /// `sched_yield`, handing the core to whatever else runs there — on a machine whose cores
    /// the clients share, about one system call and one task switch in four creates for
    /// nothing (`docs/benchmarks.md`). A panic under the lock (caught per request) leaves it
    /// poisoned; the state is used on as parking_lot's lock would have left it.
    state: RwLock<State>,
    /// Counts the times the state was taken for writing: what has not moved has not changed,
    /// which is all the state-file writer needs to know.
    generation: std::sync::atomic::AtomicU64,
    /// What a reset returns to.
    initial: Fixtures,
    initial_lifecycle: Lifecycle,
}

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
    /// A store holding exactly the given starting state at time `now`, drawing ids from `ids`.
    pub fn new(
        fixtures: &Fixtures,
        now: DateTime<Utc>,
        lifecycle: Lifecycle,
        ids: IdSource,
    ) -> Self {
        let mut state = State::new(lifecycle, ids);
        for seed in &fixtures.projects {
            state.load_project(seed, now);
        }
        Self {
            state: RwLock::new(state),
            generation: std::sync::atomic::AtomicU64::new(0),
            initial: fixtures.clone(),
            initial_lifecycle: lifecycle,
        }
    }

    /// The state, for a change: every writer goes through here, so the generation counts them.
    /// It moves once the lock is held, so whoever reads a generation and then the state sees
    /// at least the changes that generation counts.
    fn write(&self) -> RwLockWriteGuard<'_, State> {
        let guard = self.state.write().unwrap_or_else(PoisonError::into_inner);
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        guard
    }

    /// The state, for reading.
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many times the state has been taken for a change; equal readings mean no change
    /// between them.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Bounds the job history: jobs whose backups were deleted are kept for `retention` from
    /// their creation, and at most `max` of them per project (the oldest go first).
    pub fn set_job_history(&self, retention: TimeDelta, max: usize) {
        let mut state = self.write();
        state.job_retention = retention;
        state.max_jobs = max;
    }

    /// Caps the number of backups each project may hold.
    pub fn set_backup_quota(&self, quota: usize) {
        self.write().backup_quota = quota;
    }

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
        let (backup_id, job_id) = BackupId::generate_with_job(&mut state.ids);
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

    /// An instance of this project, as a client reads it (`DBS.200002` when there is none).
    pub fn instance(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
    ) -> Result<InstanceView, ApiError> {
        self.apply_due(now);
        {
            let state = self.read();
            let (project, instance) = state.instance(project_id, instance_id)?;
            if project.read_waiters == 0 || instance.task.is_none() {
                return Ok(project.view_instance(project_id, instance));
            }
        }
        // Reading a building or restoring instance counts as reading its job.
        let mut state = self.write();
        let task = state.instance(project_id, instance_id)?.1.task;
        if let Some(task) = task {
            state.count_job_read(project_id, &task, now);
        }
        let (project, instance) = state.instance(project_id, instance_id)?;
        Ok(project.view_instance(project_id, instance))
    }

    /// One page of one instance's full backups (automated and manual), as `query` orders and
    /// filters them, and how many matched; an unknown instance is `DBS.200002`. Each backup
    /// on the page counts as read.
    pub fn instance_backups(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        query: &InstanceBackupQuery,
        now: DateTime<Utc>,
    ) -> Result<BackupPage, ApiError> {
        let mut state = self.write();
        state.settle(now);
        let (project, _) = state.instance(project_id, instance_id)?;
        // Order and page the stored backups themselves; only the page is rendered.
        let backups: Vec<&Backup> = project.backups_of(instance_id).collect();
        let (page, total_count) = query.apply(backups, |b| b);
        let read: Vec<BackupId> = page.iter().map(|b| b.id.clone()).collect();
        state.count_reads(project_id, &read, now);
        // A read may have finished a backup on the page: show it as it is now.
        let project = &state.projects[project_id];
        Ok(project.page(&read, total_count))
    }

    /// What an instance's restorable times and incremental backups derive from: the ends of
    /// its completed full backups and its policy's retention. An unknown instance is
    /// `DBS.200002`.
    pub fn backup_history(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
    ) -> Result<BackupHistory, ApiError> {
        self.apply_due(now);
        let state = self.read();
        let (project, instance) = state.instance(project_id, instance_id)?;
        Ok(project.history(instance))
    }

    /// One page of the project's instances matching `query`, newest first.
    pub fn list_instances(
        &self,
        project_id: &ProjectId,
        query: &InstanceQuery,
        now: DateTime<Utc>,
    ) -> InstancePage {
        self.apply_due(now);
        let state = self.read();
        let Some(project) = state.projects.get(project_id) else {
            return InstancePage::default();
        };
        let mut matching: Vec<&Instance> = project
            .instances
            .values()
            .filter(|i| query.matches(i))
            .collect();
        sort_instances(&mut matching);
        InstancePage {
            total_count: matching.len(),
            instances: matching
                .into_iter()
                .skip(query.offset)
                .take(query.limit)
                .map(|i| project.view_instance(project_id, i))
                .collect(),
        }
    }

    /// Changes one instance under one lock: applies what is due, finds it (`DBS.200002`),
    /// checks it may be changed when `only_active` (`DBS.200011` otherwise), applies `change`
    /// and stamps `updated`. Returns the lock, for what follows from the change, and the
    /// instance as changed.
    fn change_instance(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
        only_active: bool,
        change: impl FnOnce(&mut Instance),
    ) -> Result<(RwLockWriteGuard<'_, State>, Instance), ApiError> {
        let mut state = self.write();
        state.settle(now);
        let instance = state.instance_mut(project_id, instance_id)?;
        if only_active {
            instance.status().check_can_change()?;
        }
        change(instance);
        instance.profile.updated = now;
        let changed = instance.clone();
        Ok((state, changed))
    }

    /// Replaces an instance's automated backup policy (`DBS.200002` for an unknown instance,
    /// `DBS.200011` unless it is `ACTIVE`); the next window and retention follow at once.
    pub fn update_policy(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        policy: BackupPolicy,
        now: DateTime<Utc>,
    ) -> Result<Instance, ApiError> {
        let (mut state, updated) =
            self.change_instance(project_id, instance_id, now, true, |i| i.policy = policy)?;
        state.reschedule_expiry(project_id, instance_id, now);
        state.schedule_window(project_id, instance_id, now);
        Ok(updated)
    }

    /// Turns backup encryption on (with this KMS key) or off (`None`) for an instance, and
    /// returns the instance. An unknown instance is `DBS.200002`.
    pub fn set_backup_encryption(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        key: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Instance, ApiError> {
        let change = |i: &mut Instance| i.profile.backup_encryption_key = key;
        Ok(self
            .change_instance(project_id, instance_id, now, false, change)?
            .1)
    }

    /// Sets an instance's cross-region backup policy; the instance must be `ACTIVE`
    /// (`DBS.200011` otherwise). An unknown instance is `DBS.200002`.
    pub fn set_offsite_policy(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        policy: OffsitePolicy,
        now: DateTime<Utc>,
    ) -> Result<Instance, ApiError> {
        let change = |i: &mut Instance| i.profile.offsite_policy = Some(policy);
        Ok(self
            .change_instance(project_id, instance_id, now, true, change)?
            .1)
    }

    /// Applies everything due by `now` — including what the `manual` lifecycle leaves to a
    /// clock advance — each at its own time, and returns what happened in that order.
    pub fn advance_to(&self, now: DateTime<Utc>) -> Vec<Transition> {
        self.write().apply_due(now, true)
    }

    /// Applies what is due by `now` as the passage of time does (the ticker's step).
    pub fn tick(&self, now: DateTime<Utc>) -> Vec<Transition> {
        if self.read().next_due().is_some_and(|at| at <= now) {
            self.write().apply_due(now, false)
        } else {
            Vec::new()
        }
    }

    /// Takes the write lock only when something is due, so reads run in parallel otherwise.
    fn apply_due(&self, now: DateTime<Utc>) {
        self.tick(now);
    }

    /// The current lifecycle.
    pub fn lifecycle(&self) -> Lifecycle {
        self.read().lifecycle
    }

    /// Changes the lifecycle for backups started from now on; turning automated backups on or
    /// off takes effect for every instance at once.
    pub fn set_lifecycle(&self, lifecycle: Lifecycle, now: DateTime<Utc>) {
        let mut state = self.write();
        state.settle(now);
        let automated_changed = state.lifecycle.automated_backups != lifecycle.automated_backups;
        state.lifecycle = lifecycle;
        if automated_changed {
            let mut instances: Vec<(ProjectId, InstanceId)> = state
                .projects
                .iter()
                .flat_map(|(pid, p)| p.instances.keys().map(move |i| (pid.clone(), i.clone())))
                .collect();
            instances.sort();
            for (pid, iid) in instances {
                state.schedule_window(&pid, &iid, now);
                state.reschedule_expiry(&pid, &iid, now);
            }
        }
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

    /// Makes the next `count` backups started (of `instance`, or of any) end `FAILED`.
    pub fn add_failure_rule(
        &self,
        target: FailureTarget,
        instance_id: Option<InstanceId>,
        count: u32,
        reason: String,
    ) -> Result<FailureRule, String> {
        let mut state = self.write();
        crate::faults::make_room(&mut state.failure_rules, |r| r.remaining == 0)?;
        let rule = FailureRule {
            id: state.next_seq(),
            target,
            instance_id,
            remaining: count,
            hits: 0,
            reason,
        };
        state.failure_rules.push(rule.clone());
        Ok(rule)
    }

    /// The backup failure rules, with how often each has fired.
    pub fn failure_rules(&self) -> Vec<FailureRule> {
        self.read().failure_rules.clone()
    }

    pub fn clear_failure_rules(&self) {
        self.write().failure_rules.clear();
    }

    /// Back to the starting fixtures: one project (removed if it was not in them), or
    /// everything — projects, lifecycle and failure rules.
    pub fn reset(&self, project_id: Option<&ProjectId>, now: DateTime<Utc>) {
        let mut state = self.write();
        match project_id {
            Some(pid) => {
                state.remove_project(pid);
                if let Some(seed) = self.initial.projects.iter().find(|p| &p.id == pid) {
                    state.load_project(seed, now);
                }
            }
            None => {
                let ids = state.ids.clone();
                let quota = state.backup_quota;
                *state = State::new(self.initial_lifecycle, ids);
                state.backup_quota = quota;
                for seed in &self.initial.projects {
                    state.load_project(seed, now);
                }
            }
        }
    }

    /// Replaces every project by the fixtures' (restoring a saved state).
    pub fn replace_all(&self, fixtures: &Fixtures, now: DateTime<Utc>) {
        let mut state = self.write();
        let ids: Vec<ProjectId> = state.projects.keys().cloned().collect();
        for id in ids {
            state.remove_project(&id);
        }
        for seed in &fixtures.projects {
            state.load_project(seed, now);
        }
    }

    /// Adds the fixtures' projects, each replacing any project of the same id whole. Refused,
    /// changing nothing, when a token already belongs to a project they do not replace.
    pub fn apply_fixtures(&self, fixtures: &Fixtures, now: DateTime<Utc>) -> Result<(), String> {
        let mut state = self.write();
        state.settle(now);
        // What a new project takes must not belong to a project it does not replace: tokens
        // and access keys select a project, and the control API finds backups and jobs by id.
        let replaced = |id: &ProjectId| fixtures.projects.iter().any(|s| &s.id == id);
        for (p, seed) in fixtures.projects.iter().enumerate() {
            for token in &seed.tokens {
                if let Some(owner) = state.tokens.get(token)
                    && !replaced(owner)
                {
                    return Err(format!(
                        "projects[{p}].tokens: token {token:?} already belongs to project {owner}"
                    ));
                }
            }
            for credential in &seed.credentials {
                if let Some((_, owner)) = state.access_keys.get(&credential.ak)
                    && !replaced(owner)
                {
                    return Err(format!(
                        "projects[{p}].credentials: access key {:?} already belongs to project \
                         {owner}",
                        credential.ak
                    ));
                }
            }
            let others = state.projects.iter().filter(|(id, _)| !replaced(id));
            for (owner, project) in others {
                let backup_ids = seed.backups.iter().filter_map(|b| b.id.as_ref());
                if let Some(id) = backup_ids
                    .into_iter()
                    .find(|id| project.backups.contains_key(*id))
                {
                    return Err(format!(
                        "projects[{p}].backups: backup {id} already belongs to project {owner}"
                    ));
                }
                let job_ids = seed
                    .jobs
                    .iter()
                    .map(|j| &j.job.id)
                    .chain(seed.backups.iter().filter_map(|b| b.backup.job_id.as_ref()));
                if let Some(id) = job_ids.into_iter().find(|id| project.has_job(id)) {
                    return Err(format!(
                        "projects[{p}].jobs: job {id} already belongs to project {owner}"
                    ));
                }
            }
        }
        for seed in &fixtures.projects {
            state.load_project(seed, now);
        }
        Ok(())
    }

    /// Every project (or one), sorted by id: in full, or with only the newest `limit` backups
    /// and jobs of each (the counts say how many there are).
    pub fn state_view(
        &self,
        project_id: Option<&ProjectId>,
        now: DateTime<Utc>,
        limit: Option<usize>,
    ) -> Vec<ProjectState> {
        self.apply_due(now);
        let state = self.read();
        state
            .project_ids(project_id)
            .into_iter()
            .map(|pid| {
                let p = &state.projects[pid];
                let mut instances: Vec<&Instance> = p.instances.values().collect();
                sort_instances(&mut instances);
                let mut tokens = p.tokens.clone();
                tokens.sort();
                let (jobs, job_count) = match limit {
                    Some(limit) => p.newest_jobs(limit),
                    None => {
                        let jobs = p.all_jobs();
                        let count = jobs.len();
                        (jobs, count)
                    }
                };
                ProjectState {
                    id: pid.clone(),
                    name: p.name.clone(),
                    tokens,
                    instances: instances
                        .into_iter()
                        .take(limit.unwrap_or(usize::MAX))
                        .map(|i| p.view_instance(pid, i))
                        .collect(),
                    instance_count: p.instances.len(),
                    backups: p
                        .newest_first
                        .values()
                        .take(limit.unwrap_or(usize::MAX))
                        .filter_map(|id| {
                            Some(BackupState {
                                view: p.view_backup(id)?,
                                completion: p.completion(id.as_str()),
                                fail_reason: p.fail_reason(id.as_str()).map(str::to_owned),
                            })
                        })
                        .collect(),
                    backup_count: p.backups.len(),
                    jobs,
                    job_count,
                }
            })
            .collect()
    }
}

/// Instances newest first, then by id.
fn sort_instances(instances: &mut [&Instance]) {
    instances.sort_by(|a, b| {
        (std::cmp::Reverse(a.profile.created), &a.id)
            .cmp(&(std::cmp::Reverse(b.profile.created), &b.id))
    });
}
