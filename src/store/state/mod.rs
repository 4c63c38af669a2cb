//! Everything the store's lock guards: the projects, the credentials, the queue of what is
//! due, the settings of the lifecycle and the job history. The rules applied to it are in the
//! files below: `due` (time), `jobs` (jobs of their own), `changes` (what a change job does to
//! its instance), `load` (projects in and out).

mod changes;
mod due;
mod jobs;
mod load;

pub(in crate::store) use self::load::IssuedToken;
pub use self::load::MAX_ISSUED_TOKENS;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use foldhash::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::Lifecycle;
use super::failures::FailureRule;
use super::project::Project;
use crate::domain::catalog::Catalog;
use crate::domain::{BackupId, IdSource, Instance, InstanceId, JobId, ProjectId};
use crate::error::ApiError;
use crate::signature::SigningKey;

/// Something due at a time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(in crate::store) enum Due {
    /// A building backup finishes.
    Finish(BackupId),
    /// An instance's automated-backup window opens.
    Window(InstanceId),
    /// An automated backup may have outlived its retention.
    Expire(BackupId),
    /// The project's oldest detached job may have outlived the job retention.
    ForgetJobs,
    /// A running restore or instance creation finishes.
    FinishJob(JobId),
    /// A newly created instance takes its first full backup.
    FirstBackup(InstanceId),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(in crate::store) struct Event {
    pub at: DateTime<Utc>,
    pub seq: u64,
    pub project_id: ProjectId,
    pub epoch: u64,
    pub due: Due,
}

pub(super) struct State {
    /// Boxed: a project's fields are some 600 bytes, and a hash table's empty slots as large
    /// as that were most of what an empty project cost.
    pub projects: HashMap<ProjectId, Box<Project>>,
    /// Fixtures token → the project it is valid for (`strict` auth).
    pub tokens: HashMap<String, ProjectId>,
    /// Access key → its secret key and project (`strict` auth).
    pub access_keys: HashMap<String, (SigningKey, ProjectId)>,
    /// Tokens issued by `POST /v3/auth/tokens`.
    pub issued: HashMap<String, IssuedToken>,
    /// The issued tokens in the order they expire (all live equally long), so that expired
    /// ones, and the oldest past [`MAX_ISSUED_TOKENS`], are dropped without a scan.
    pub issued_order: std::collections::VecDeque<(DateTime<Utc>, String)>,
    events: BinaryHeap<Reverse<Event>>,
    /// Finishes that only a clock advance applies (`manual` lifecycle).
    advance_events: BinaryHeap<Reverse<Event>>,
    seq: u64,
    pub lifecycle: Lifecycle,
    pub ids: IdSource,
    pub failure_rules: Vec<FailureRule>,
    /// The most backups one project may hold; creating more is refused.
    pub backup_quota: usize,
    /// How long a job no backup stands behind (its backup was deleted) is kept, from its
    /// creation, and how many such jobs a project keeps at most.
    pub job_retention: TimeDelta,
    pub max_jobs: usize,
    /// The latest time any operation has seen: requests read the clock before they take the
    /// lock, so one that waited must not act earlier than the one before it.
    pub latest: DateTime<Utc>,
    /// Flavors, engine versions and templates: the built-in ones or the fixtures'.
    pub catalog: std::sync::Arc<Catalog>,
}

impl State {
    pub(super) fn new(lifecycle: Lifecycle, ids: IdSource) -> Self {
        Self {
            projects: HashMap::default(),
            tokens: HashMap::default(),
            access_keys: HashMap::default(),
            issued: HashMap::default(),
            issued_order: std::collections::VecDeque::new(),
            events: BinaryHeap::new(),
            advance_events: BinaryHeap::new(),
            seq: 0,
            lifecycle,
            ids,
            failure_rules: Vec::new(),
            backup_quota: usize::MAX,
            job_retention: TimeDelta::MAX,
            max_jobs: usize::MAX,
            latest: DateTime::<Utc>::MIN_UTC,
            catalog: std::sync::Arc::default(),
        }
    }

    pub(super) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(super) fn next_due(&self) -> Option<DateTime<Utc>> {
        self.events.peek().map(|Reverse(e)| e.at)
    }

    fn push(&mut self, project_id: &ProjectId, at: DateTime<Utc>, due: Due, on_advance: bool) {
        let Some(epoch) = self.projects.get(project_id).map(|p| p.epoch) else {
            return;
        };
        let event = Reverse(Event {
            at,
            seq: self.next_seq(),
            project_id: project_id.clone(),
            epoch,
            due,
        });
        if on_advance {
            self.advance_events.push(event);
        } else {
            self.events.push(event);
        }
    }

    /// A project and one of its instances (`DBS.200002` when either is unknown).
    pub(super) fn instance(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
    ) -> Result<(&Project, &Instance), ApiError> {
        let project = self
            .projects
            .get(project_id)
            .ok_or(ApiError::InstanceNotFound)?;
        let instance = project
            .instances
            .get(instance_id)
            .ok_or(ApiError::InstanceNotFound)?;
        Ok((project, instance))
    }

    /// An instance of a project, to change (`DBS.200002` when either is unknown).
    pub(super) fn instance_mut(
        &mut self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
    ) -> Result<&mut Instance, ApiError> {
        self.projects
            .get_mut(project_id)
            .and_then(|p| p.instances.get_mut(instance_id))
            .map(|i| &mut **i)
            .ok_or(ApiError::InstanceNotFound)
    }

    /// Every project's id (or just `only`, if it exists), sorted.
    pub(super) fn project_ids(&self, only: Option<&ProjectId>) -> Vec<&ProjectId> {
        let mut ids: Vec<&ProjectId> = self
            .projects
            .keys()
            .filter(|id| only.is_none_or(|p| p == *id))
            .collect();
        ids.sort();
        ids
    }

    /// The project holding a backup id.
    pub(super) fn project_of_backup(&self, id: &str) -> Option<ProjectId> {
        let mut ids: Vec<&ProjectId> = self
            .projects
            .iter()
            .filter(|(_, p)| p.backups.contains_key(id))
            .map(|(pid, _)| pid)
            .collect();
        ids.sort();
        ids.first().map(|id| (*id).clone())
    }
}
