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

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use parking_lot::RwLock;

use crate::domain::policy::automated_backup_name;
use crate::domain::{
    Backup, BackupDescription, BackupId, BackupName, BackupPolicy, BackupQuery, BackupStatus,
    BackupType, Instance, InstanceId, InstanceQuery, InstanceStatus, Job, JobId, NewBackup,
    ProjectId,
};
use crate::error::ApiError;
use crate::fixtures::Fixtures;

/// How backups move through time; fixed at start for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    /// How long a backup stays `BUILDING`.
    pub backup_duration: TimeDelta,
    /// Whether instances take automated backups in their policy windows (and drop them after
    /// `keep_days`).
    pub automated_backups: bool,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            backup_duration: TimeDelta::seconds(5),
            automated_backups: true,
        }
    }
}

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
    /// Space used by the instance's finished backups, in MB.
    pub backup_used_mb: u64,
}

/// One page of the instance list and the number of matches before paging.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstancePage {
    pub instances: Vec<InstanceView>,
    pub total_count: usize,
}

/// What happened to a backup while the clock moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionKind {
    /// An automated backup began in its policy window.
    Started,
    Completed,
    Failed,
    /// An automated backup passed its retention and was removed.
    Expired,
}

impl TransitionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransitionKind::Started => "started",
            TransitionKind::Completed => "completed",
            TransitionKind::Failed => "failed",
            TransitionKind::Expired => "expired",
        }
    }
}

/// One thing [`Store::advance_to`] did, at the time it took effect.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub project_id: ProjectId,
    pub backup_id: BackupId,
    pub kind: TransitionKind,
    pub at: DateTime<Utc>,
}

/// Orders backups newest first: later `begin_time` first, then later creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey(Reverse<DateTime<Utc>>, Reverse<u64>);

impl SortKey {
    const FIRST: SortKey = SortKey(Reverse(DateTime::<Utc>::MAX_UTC), Reverse(u64::MAX));
    const LAST: SortKey = SortKey(Reverse(DateTime::<Utc>::MIN_UTC), Reverse(0));

    fn new(begin: DateTime<Utc>, seq: u64) -> Self {
        Self(Reverse(begin), Reverse(seq))
    }
}

struct StoredBackup {
    backup: Backup,
    key: SortKey,
}

#[derive(Default)]
struct Project {
    name: String,
    instances: HashMap<InstanceId, Instance>,
    backups: HashMap<BackupId, StoredBackup>,
    newest_first: BTreeMap<SortKey, BackupId>,
    by_instance: HashMap<InstanceId, BTreeMap<SortKey, BackupId>>,
    jobs: HashMap<JobId, Job>,
}

/// Something due at a time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    /// A building backup finishes.
    Finish(BackupId),
    /// An instance's automated-backup window opens.
    Window(InstanceId),
    /// An automated backup may have outlived its retention.
    Expire(BackupId),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    at: DateTime<Utc>,
    seq: u64,
    project_id: ProjectId,
    due: Due,
}

struct State {
    projects: HashMap<ProjectId, Project>,
    /// Token → the project it is valid for (`strict` auth).
    tokens: HashMap<String, ProjectId>,
    events: BinaryHeap<Reverse<Event>>,
    seq: u64,
    lifecycle: Lifecycle,
}

/// The in-memory state of every project.
pub struct Store {
    state: RwLock<State>,
}

impl Store {
    /// A store holding exactly the given starting state at time `now`.
    pub fn new(fixtures: &Fixtures, now: DateTime<Utc>, lifecycle: Lifecycle) -> Self {
        let mut state = State {
            projects: HashMap::new(),
            tokens: HashMap::new(),
            events: BinaryHeap::new(),
            seq: 0,
            lifecycle,
        };
        for seed in &fixtures.projects {
            let mut project = Project {
                name: seed.name.clone(),
                ..Project::default()
            };
            for instance in &seed.instances {
                let instance = instance.build(&seed.name, now);
                project.instances.insert(instance.id.clone(), instance);
            }
            for token in &seed.tokens {
                state.tokens.insert(token.clone(), seed.id.clone());
            }
            state.projects.insert(seed.id.clone(), project);
            for backup in &seed.backups {
                state.insert_backup(&seed.id, backup.clone());
            }
            let instance_ids: Vec<InstanceId> =
                seed.instances.iter().map(|i| i.id.clone()).collect();
            for instance_id in instance_ids {
                state.schedule_window(&seed.id, &instance_id, now);
            }
        }
        Self {
            state: RwLock::new(state),
        }
    }

    /// The project a token is valid for, if any.
    pub fn token_project(&self, token: &str) -> Option<ProjectId> {
        self.state.read().tokens.get(token).cloned()
    }

    /// Starts a manual backup: checks the instance (exists, not frozen, no backup building,
    /// `ACTIVE`), then records a `BUILDING` backup due to finish after the backup duration, and
    /// its running job.
    pub fn create_backup(
        &self,
        project_id: &ProjectId,
        request: NewBackup,
        now: DateTime<Utc>,
    ) -> Result<(Backup, JobId), ApiError> {
        let mut state = self.state.write();
        state.apply_due(now);
        let instance = state
            .projects
            .get(project_id)
            .and_then(|p| p.instances.get(&request.instance_id))
            .ok_or(ApiError::InstanceNotFound)?;
        if instance.base_status == InstanceStatus::Frozen {
            return Err(ApiError::InstanceFrozen);
        }
        if instance.building.is_some() {
            return Err(ApiError::BackupInProgress);
        }
        match instance.base_status {
            InstanceStatus::Active => {}
            InstanceStatus::StorageFull => return Err(ApiError::InstanceStorageFull),
            _ => return Err(ApiError::InstanceBusy),
        }
        let job_id = JobId::generate();
        let job = Job::for_backup(
            job_id,
            now,
            instance.id.clone(),
            instance.name.clone(),
            BackupId::generate(),
        );
        let backup = Backup {
            id: job.backup_id.clone(),
            instance_id: request.instance_id,
            name: request.name,
            description: request.description,
            backup_type: BackupType::Manual,
            status: BackupStatus::Building,
            begin_time: now,
            end_time: None,
            size_mb: 0,
            job_id: Some(job_id),
        };
        state.start_backup(project_id, backup.clone(), Some(job));
        Ok((backup, job_id))
    }

    /// One page of the project's backups matching `query`, newest first, with the number of
    /// matches before paging. An unknown project or instance simply matches nothing.
    pub fn list_backups(
        &self,
        project_id: &ProjectId,
        query: &BackupQuery,
        now: DateTime<Utc>,
    ) -> BackupPage {
        self.apply_due(now);
        let state = self.state.read();
        state
            .projects
            .get(project_id)
            .map(|project| project.list(query))
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
        let mut state = self.state.write();
        state.apply_due(now);
        let project = state
            .projects
            .get_mut(project_id)
            .ok_or(ApiError::BackupNotFound)?;
        let stored = project
            .backups
            .get(backup_id)
            .ok_or(ApiError::BackupNotFound)?;
        if stored.backup.backup_type == BackupType::Auto
            || stored.backup.status == BackupStatus::Building
        {
            return Err(ApiError::BackupStatusForbids);
        }
        project
            .remove_backup(backup_id)
            .ok_or(ApiError::BackupNotFound)
    }

    /// The job with this id in this project (`DBS.200543` when there is none).
    pub fn job(
        &self,
        project_id: &ProjectId,
        job_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.apply_due(now);
        let job_id = JobId::parse(job_id).ok_or(ApiError::JobNotFound)?;
        let state = self.state.read();
        state
            .projects
            .get(project_id)
            .and_then(|p| p.jobs.get(&job_id))
            .cloned()
            .ok_or(ApiError::JobNotFound)
    }

    /// An instance of this project, as a client reads it (`DBS.200002` when there is none).
    pub fn instance(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
    ) -> Result<InstanceView, ApiError> {
        self.apply_due(now);
        let state = self.state.read();
        let project = state
            .projects
            .get(project_id)
            .ok_or(ApiError::InstanceNotFound)?;
        let instance = project
            .instances
            .get(instance_id)
            .ok_or(ApiError::InstanceNotFound)?;
        Ok(project.view(project_id, instance))
    }

    /// One page of the project's instances matching `query`, newest first.
    pub fn list_instances(
        &self,
        project_id: &ProjectId,
        query: &InstanceQuery,
        now: DateTime<Utc>,
    ) -> InstancePage {
        self.apply_due(now);
        let state = self.state.read();
        let Some(project) = state.projects.get(project_id) else {
            return InstancePage::default();
        };
        let mut matching: Vec<&Instance> = project
            .instances
            .values()
            .filter(|i| query.matches(i))
            .collect();
        matching.sort_by(|a, b| {
            (Reverse(a.profile.created), &a.id).cmp(&(Reverse(b.profile.created), &b.id))
        });
        InstancePage {
            total_count: matching.len(),
            instances: matching
                .into_iter()
                .skip(query.offset)
                .take(query.limit)
                .map(|i| project.view(project_id, i))
                .collect(),
        }
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
        let mut state = self.state.write();
        state.apply_due(now);
        let project = state
            .projects
            .get_mut(project_id)
            .ok_or(ApiError::InstanceNotFound)?;
        let instance = project
            .instances
            .get_mut(instance_id)
            .ok_or(ApiError::InstanceNotFound)?;
        if instance.status() != InstanceStatus::Active {
            return Err(ApiError::InstanceBusy);
        }
        instance.policy = policy;
        instance.profile.updated = now;
        let updated = instance.clone();
        // Retention may have shortened: look at each automated backup again.
        let automated: Vec<(BackupId, DateTime<Utc>)> = project
            .by_instance
            .get(instance_id)
            .into_iter()
            .flat_map(|index| index.values())
            .filter_map(|id| project.backups.get(id))
            .filter(|s| s.backup.backup_type == BackupType::Auto)
            .map(|s| (s.backup.id.clone(), s.backup.begin_time))
            .collect();
        let retention = updated.policy.retention();
        for (backup_id, begin) in automated {
            state.push(
                project_id,
                (begin + retention).max(now),
                Due::Expire(backup_id),
            );
        }
        state.schedule_window(project_id, instance_id, now);
        Ok(updated)
    }

    /// Applies everything due by `now`, each at its own due time, and returns what happened in
    /// that order. The ticker, the clock-advance endpoint and every request go through here.
    pub fn advance_to(&self, now: DateTime<Utc>) -> Vec<Transition> {
        self.state.write().apply_due(now)
    }

    /// Takes the write lock only when something is due, so reads run in parallel otherwise.
    fn apply_due(&self, now: DateTime<Utc>) {
        if self.state.read().next_due().is_some_and(|at| at <= now) {
            self.state.write().apply_due(now);
        }
    }

    /// The number of backups held in all projects.
    pub fn backup_count(&self) -> usize {
        self.state
            .read()
            .projects
            .values()
            .map(|p| p.backups.len())
            .sum()
    }

    /// The name of a project, if it exists.
    pub fn project_name(&self, project_id: &ProjectId) -> Option<String> {
        self.state
            .read()
            .projects
            .get(project_id)
            .map(|p| p.name.clone())
    }
}

impl State {
    fn next_due(&self) -> Option<DateTime<Utc>> {
        self.events.peek().map(|Reverse(e)| e.at)
    }

    fn push(&mut self, project_id: &ProjectId, at: DateTime<Utc>, due: Due) {
        self.seq += 1;
        self.events.push(Reverse(Event {
            at,
            seq: self.seq,
            project_id: project_id.clone(),
            due,
        }));
    }

    /// Indexes a backup (building or finished); a finished automated one gets its expiry.
    fn insert_backup(&mut self, project_id: &ProjectId, backup: Backup) {
        self.seq += 1;
        let seq = self.seq;
        let Some(project) = self.projects.get_mut(project_id) else {
            return;
        };
        let expiry = (backup.backup_type == BackupType::Auto
            && backup.status != BackupStatus::Building)
            .then(|| {
                project
                    .instances
                    .get(&backup.instance_id)
                    .map(|i| (backup.id.clone(), backup.begin_time + i.policy.retention()))
            })
            .flatten();
        project.insert_backup(backup, seq);
        if let Some((id, at)) = expiry
            && self.lifecycle.automated_backups
        {
            self.push(project_id, at, Due::Expire(id));
        }
    }

    /// Records a new `BUILDING` backup (and its job), marks its instance, and schedules its end.
    fn start_backup(&mut self, project_id: &ProjectId, backup: Backup, job: Option<Job>) {
        let Some(project) = self.projects.get_mut(project_id) else {
            return;
        };
        if let Some(instance) = project.instances.get_mut(&backup.instance_id) {
            instance.building = Some(backup.id.clone());
        }
        if let Some(job) = job {
            project.jobs.insert(job.id, job);
        }
        let finish_at = backup.begin_time + self.lifecycle.backup_duration;
        let id = backup.id.clone();
        self.insert_backup(project_id, backup);
        self.push(project_id, finish_at, Due::Finish(id));
    }

    /// Schedules an instance's next automated-backup window after `after`, replacing any
    /// earlier schedule (stale window events are ignored when they come due).
    fn schedule_window(
        &mut self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        after: DateTime<Utc>,
    ) {
        let enabled = self.lifecycle.automated_backups;
        let Some(instance) = self
            .projects
            .get_mut(project_id)
            .and_then(|p| p.instances.get_mut(instance_id))
        else {
            return;
        };
        let next = enabled
            .then(|| instance.policy.next_window_after(after))
            .flatten();
        instance.next_automated_backup = next;
        if let Some(at) = next {
            self.push(project_id, at, Due::Window(instance_id.clone()));
        }
    }

    fn apply_due(&mut self, now: DateTime<Utc>) -> Vec<Transition> {
        let mut done = Vec::new();
        while self.next_due().is_some_and(|at| at <= now) {
            let Some(Reverse(event)) = self.events.pop() else {
                break;
            };
            let transition = match event.due {
                Due::Finish(ref id) => self.finish(&event.project_id, id, event.at),
                Due::Window(ref id) => self.open_window(&event.project_id, id, event.at),
                Due::Expire(ref id) => self.expire(&event.project_id, id, event.at),
            };
            if let Some(kind) = transition {
                let backup_id = match event.due {
                    Due::Finish(id) | Due::Expire(id) => id,
                    Due::Window(instance_id) => self
                        .projects
                        .get(&event.project_id)
                        .and_then(|p| p.instances.get(&instance_id))
                        .and_then(|i| i.building.clone())
                        .expect("an automated backup was just started"),
                };
                done.push(Transition {
                    project_id: event.project_id,
                    backup_id,
                    kind,
                    at: event.at,
                });
            }
        }
        done
    }

    fn finish(
        &mut self,
        project_id: &ProjectId,
        backup_id: &BackupId,
        at: DateTime<Utc>,
    ) -> Option<TransitionKind> {
        let project = self.projects.get_mut(project_id)?;
        let status = project.finish_backup(backup_id, at, None)?;
        let backup = &project.backups.get(backup_id)?.backup;
        if backup.backup_type == BackupType::Auto && self.lifecycle.automated_backups {
            let retention = project
                .instances
                .get(&backup.instance_id)?
                .policy
                .retention();
            let expire_at = backup.begin_time + retention;
            self.push(project_id, expire_at, Due::Expire(backup_id.clone()));
        }
        Some(match status {
            BackupStatus::Failed => TransitionKind::Failed,
            _ => TransitionKind::Completed,
        })
    }

    /// An automated-backup window opens: schedule the next one, and take a backup if the
    /// instance is `ACTIVE` with nothing building (otherwise that day's backup is skipped).
    fn open_window(
        &mut self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        at: DateTime<Utc>,
    ) -> Option<TransitionKind> {
        let instance = self.projects.get(project_id)?.instances.get(instance_id)?;
        if instance.next_automated_backup != Some(at) {
            return None; // a stale schedule: the policy changed since
        }
        let can_back_up =
            instance.base_status == InstanceStatus::Active && instance.building.is_none();
        let backup = Backup {
            id: BackupId::generate(),
            instance_id: instance_id.clone(),
            name: BackupName::trusted(&automated_backup_name(&instance.name, at)),
            description: BackupDescription::default(),
            backup_type: BackupType::Auto,
            status: BackupStatus::Building,
            begin_time: at,
            end_time: None,
            size_mb: 0,
            job_id: None,
        };
        self.schedule_window(project_id, instance_id, at);
        if !can_back_up {
            return None;
        }
        self.start_backup(project_id, backup, None);
        Some(TransitionKind::Started)
    }

    /// Removes an automated backup whose retention has passed; if its policy now keeps it
    /// longer, looks again then.
    fn expire(
        &mut self,
        project_id: &ProjectId,
        backup_id: &BackupId,
        at: DateTime<Utc>,
    ) -> Option<TransitionKind> {
        let project = self.projects.get_mut(project_id)?;
        let backup = &project.backups.get(backup_id)?.backup;
        if backup.status == BackupStatus::Building {
            return None; // it gets its expiry when it finishes
        }
        let retention = project
            .instances
            .get(&backup.instance_id)?
            .policy
            .retention();
        let expires_at = backup.begin_time + retention;
        if expires_at > at {
            self.push(project_id, expires_at, Due::Expire(backup_id.clone()));
            return None;
        }
        project.remove_backup(backup_id.as_str())?;
        Some(TransitionKind::Expired)
    }
}

impl Project {
    fn insert_backup(&mut self, backup: Backup, seq: u64) {
        let key = SortKey::new(backup.begin_time, seq);
        self.newest_first.insert(key, backup.id.clone());
        self.by_instance
            .entry(backup.instance_id.clone())
            .or_default()
            .insert(key, backup.id.clone());
        self.backups
            .insert(backup.id.clone(), StoredBackup { backup, key });
    }

    fn remove_backup(&mut self, backup_id: &str) -> Option<Backup> {
        let StoredBackup { backup, key } = self.backups.remove(backup_id)?;
        self.newest_first.remove(&key);
        if let Some(index) = self.by_instance.get_mut(&backup.instance_id) {
            index.remove(&key);
            if index.is_empty() {
                self.by_instance.remove(&backup.instance_id);
            }
        }
        Some(backup)
    }

    /// Finishes a building backup (and its job, and frees its instance); `failure` makes it
    /// `FAILED`. Returns the new status, or `None` if the backup is gone or not building.
    fn finish_backup(
        &mut self,
        backup_id: &BackupId,
        at: DateTime<Utc>,
        failure: Option<String>,
    ) -> Option<BackupStatus> {
        let stored = self.backups.get_mut(backup_id)?;
        let backup = &mut stored.backup;
        if backup.status != BackupStatus::Building {
            return None;
        }
        backup.finish(at, failure.is_none());
        if let Some(instance) = self.instances.get_mut(&backup.instance_id)
            && instance.building.as_ref() == Some(backup_id)
        {
            instance.building = None;
        }
        if let Some(job) = backup.job_id.and_then(|id| self.jobs.get_mut(&id)) {
            job.finish(at, failure);
        }
        Some(backup.status)
    }

    fn view(&self, project_id: &ProjectId, instance: &Instance) -> InstanceView {
        let backup_used_mb = self
            .by_instance
            .get(&instance.id)
            .into_iter()
            .flat_map(|index| index.values())
            .filter_map(|id| self.backups.get(id))
            .map(|s| s.backup.size_mb)
            .sum();
        InstanceView {
            project_id: project_id.clone(),
            instance: instance.clone(),
            backup_used_mb,
        }
    }

    fn list(&self, query: &BackupQuery) -> BackupPage {
        let view = |id: &BackupId| {
            self.backups.get(id).map(|stored| BackupView {
                backup: stored.backup.clone(),
                instance_name: self
                    .instances
                    .get(&stored.backup.instance_id)
                    .map(|i| i.name.clone())
                    .unwrap_or_default(),
            })
        };
        let matches = |stored: &StoredBackup| {
            let b = &stored.backup;
            query
                .instance_id
                .as_deref()
                .is_none_or(|i| b.instance_id.as_str() == i)
                && query.backup_type.is_none_or(|t| b.backup_type == t)
                && query.begin.is_none_or(|t| b.begin_time >= t)
                && query.end.is_none_or(|t| b.begin_time <= t)
                && query.name.as_deref().is_none_or(|n| b.name.as_str() == n)
                && query.instance_name.as_deref().is_none_or(|n| {
                    self.instances
                        .get(&b.instance_id)
                        .is_some_and(|i| i.name == n)
                })
        };

        // Narrow to the smallest index first: one backup, one instance, or the whole project.
        let index = match (&query.backup_id, &query.instance_id) {
            (Some(id), _) => {
                let found = self
                    .backups
                    .get(id.as_str())
                    .filter(|stored| matches(stored));
                return BackupPage {
                    total_count: usize::from(found.is_some()),
                    backups: found
                        .filter(|_| query.offset == 0)
                        .and_then(|stored| view(&stored.backup.id))
                        .into_iter()
                        .collect(),
                };
            }
            (None, Some(instance)) => match self.by_instance.get(instance.as_str()) {
                Some(index) => index,
                None => return BackupPage::default(),
            },
            (None, None) => &self.newest_first,
        };
        let residual =
            query.backup_type.is_some() || query.name.is_some() || query.instance_name.is_some();
        if !residual && query.begin.is_none() && query.end.is_none() {
            let backups = index
                .values()
                .skip(query.offset)
                .take(query.limit)
                .filter_map(view)
                .collect();
            return BackupPage {
                backups,
                total_count: index.len(),
            };
        }
        // The time window is a range of the newest-first index: `end` is its first key.
        let first = query
            .end
            .map_or(SortKey::FIRST, |t| SortKey::new(t, u64::MAX));
        let last = query.begin.map_or(SortKey::LAST, |t| SortKey::new(t, 0));
        if first > last {
            return BackupPage::default();
        }
        let mut total_count = 0;
        let mut backups = Vec::new();
        for id in index.range(first..=last).map(|(_, id)| id) {
            let Some(stored) = self.backups.get(id) else {
                continue;
            };
            if !matches(stored) {
                continue;
            }
            if total_count >= query.offset && backups.len() < query.limit {
                backups.extend(view(id));
            }
            total_count += 1;
        }
        BackupPage {
            backups,
            total_count,
        }
    }
}
