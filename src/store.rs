//! The emulator's state, in memory.
//!
//! One [`Store`] holds every project with its instances, backups and jobs. Each public method
//! does its whole check-and-change under one lock and returns owned values, so no lock outlives
//! a call. Every method that takes `now` first applies the transitions that are due by then, so
//! what a client reads always agrees with the clock, whether or not the ticker has run.
//!
//! Backups are indexed newest first per project and per instance, so a page costs the page,
//! and `BUILDING` backups wait in a deadline queue, so a tick costs only the due backups.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use parking_lot::RwLock;

use crate::domain::{
    Backup, BackupId, BackupQuery, BackupStatus, BackupType, Instance, InstanceId, InstanceStatus,
    Job, JobId, NewBackup, ProjectId,
};
use crate::error::ApiError;
use crate::fixtures::Fixtures;

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

/// A backup that finished during [`Store::advance_to`].
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub project_id: ProjectId,
    pub backup_id: BackupId,
    pub status: BackupStatus,
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

/// When a building backup is due to finish.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Deadline {
    at: DateTime<Utc>,
    seq: u64,
    project_id: ProjectId,
    backup_id: BackupId,
}

#[derive(Default)]
struct State {
    projects: HashMap<ProjectId, Project>,
    /// Token → the project it is valid for (`strict` auth).
    tokens: HashMap<String, ProjectId>,
    deadlines: BinaryHeap<Reverse<Deadline>>,
    seq: u64,
}

/// The in-memory state of every project.
pub struct Store {
    state: RwLock<State>,
}

impl Store {
    /// A store holding exactly the given starting state.
    pub fn new(fixtures: &Fixtures) -> Self {
        let mut state = State::default();
        for seed in &fixtures.projects {
            let project = Project {
                name: seed.name.clone(),
                instances: seed
                    .instances
                    .iter()
                    .map(|i| (i.id.clone(), i.clone()))
                    .collect(),
                ..Project::default()
            };
            for token in &seed.tokens {
                state.tokens.insert(token.clone(), seed.id.clone());
            }
            state.projects.insert(seed.id.clone(), project);
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
    /// `ACTIVE`), then records a `BUILDING` backup due to finish at `now + duration` and its
    /// running job.
    pub fn create_backup(
        &self,
        project_id: &ProjectId,
        request: NewBackup,
        now: DateTime<Utc>,
        duration: TimeDelta,
    ) -> Result<(Backup, JobId), ApiError> {
        let mut guard = self.state.write();
        let state = &mut *guard;
        state.apply_due(now);
        let project = state
            .projects
            .get_mut(project_id)
            .ok_or(ApiError::InstanceNotFound)?;
        let instance = project
            .instances
            .get_mut(&request.instance_id)
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

        let backup_id = BackupId::generate();
        let job_id = JobId::generate();
        instance.building = Some(backup_id.clone());
        let job = Job::for_backup(
            job_id,
            now,
            instance.id.clone(),
            instance.name.clone(),
            backup_id.clone(),
        );
        let backup = Backup {
            id: backup_id.clone(),
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
        state.seq += 1;
        let seq = state.seq;
        project.jobs.insert(job_id, job);
        project.insert_backup(backup.clone(), seq);
        state.deadlines.push(Reverse(Deadline {
            at: now + duration,
            seq,
            project_id: project_id.clone(),
            backup_id,
        }));
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
        let Some(project) = state.projects.get(project_id) else {
            return BackupPage::default();
        };
        project.list(query)
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
        Ok(project.remove_backup(backup_id).expect("checked above"))
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
    ) -> Result<Instance, ApiError> {
        self.apply_due(now);
        let state = self.state.read();
        state
            .projects
            .get(project_id)
            .and_then(|p| p.instances.get(instance_id))
            .cloned()
            .ok_or(ApiError::InstanceNotFound)
    }

    /// Applies every transition due by `now`: each building backup whose deadline has passed
    /// completes at its deadline. Returns what finished, in deadline order. The ticker, the
    /// clock-advance endpoint and every request go through here.
    pub fn advance_to(&self, now: DateTime<Utc>) -> Vec<Finished> {
        self.state.write().apply_due(now)
    }

    /// Takes the write lock only when something is due, so reads run in parallel otherwise.
    fn apply_due(&self, now: DateTime<Utc>) {
        if self
            .state
            .read()
            .next_deadline()
            .is_some_and(|at| at <= now)
        {
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
    fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.deadlines.peek().map(|Reverse(d)| d.at)
    }

    fn apply_due(&mut self, now: DateTime<Utc>) -> Vec<Finished> {
        let mut finished = Vec::new();
        while self.next_deadline().is_some_and(|at| at <= now) {
            let Some(Reverse(due)) = self.deadlines.pop() else {
                break;
            };
            let Some(project) = self.projects.get_mut(&due.project_id) else {
                continue;
            };
            if let Some(status) = project.finish_backup(&due.backup_id, due.at, None) {
                finished.push(Finished {
                    project_id: due.project_id,
                    backup_id: due.backup_id,
                    status,
                    at: due.at,
                });
            }
        }
        finished
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
        let range = index.range(first..=last);
        let mut total_count = 0;
        let mut backups = Vec::new();
        for id in range.map(|(_, id)| id) {
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
