//! Everything the store's lock guards, and the time-driven rules applied to it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use foldhash::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::project::{Completion, Project};
use super::{Lifecycle, LifecycleMode, Subject, Transition, TransitionKind};
use crate::domain::policy::automated_backup_name;
use crate::domain::{
    Backup, BackupDescription, BackupId, BackupName, BackupStatus, BackupText, BackupType,
    IdSource, Instance, InstanceId, InstanceStatus, Job, JobId, JobKind, JobStatus, ProjectId,
};
use crate::error::ApiError;
use crate::fixtures::{ProjectSeed, SeedCompletion};

/// Something due at a time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Due {
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
pub(super) struct Event {
    pub at: DateTime<Utc>,
    pub seq: u64,
    pub project_id: ProjectId,
    pub epoch: u64,
    pub due: Due,
}

/// What a failure rule makes fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureTarget {
    Backups,
    /// Restores to an existing instance.
    Restores,
    /// Instance creations, with or without a restore point.
    Creations,
}

impl FailureTarget {
    pub const ALL: [FailureTarget; 3] = [Self::Backups, Self::Restores, Self::Creations];

    /// The control API's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Backups => "backup",
            Self::Restores => "restore",
            Self::Creations => "create_instance",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    fn of(kind: &JobKind) -> Self {
        match kind {
            JobKind::Backup(_) => Self::Backups,
            JobKind::Restore(_) => Self::Restores,
            JobKind::CreateInstance(_) => Self::Creations,
        }
    }
}

/// "Make the next N backups (restores, creations) of one instance, or any, fail." For a
/// restore the instance is its target or its source; for a creation, its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRule {
    pub id: u64,
    pub target: FailureTarget,
    pub instance_id: Option<InstanceId>,
    pub remaining: u32,
    pub hits: u32,
    pub reason: String,
}

/// The most tokens the emulator's IAM keeps; issuing one more forgets the oldest.
pub const MAX_ISSUED_TOKENS: usize = 10_000;

/// A token the emulator's IAM issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IssuedToken {
    pub project_id: ProjectId,
    pub expires_at: DateTime<Utc>,
}

/// How a finish comes about.
pub(super) enum Outcome {
    /// As the backup was bound to end: completed, or failed if a failure rule caught it.
    Natural,
    Succeed,
    Fail(String),
}

impl Outcome {
    /// The failure it ends in; a natural end fails with what it was bound to (`bound`).
    pub(super) fn failure(self, bound: Option<&str>) -> Option<String> {
        match self {
            Outcome::Natural => bound.map(str::to_owned),
            Outcome::Succeed => None,
            Outcome::Fail(reason) => Some(reason),
        }
    }
}

pub(super) struct State {
    pub projects: HashMap<ProjectId, Project>,
    /// Fixtures token → the project it is valid for (`strict` auth).
    pub tokens: HashMap<String, ProjectId>,
    /// Access key → its secret key and project (`strict` auth).
    pub access_keys: HashMap<String, (String, ProjectId)>,
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

    /// Applies the job history's bounds to a project whose detached jobs changed: at most
    /// `max_jobs`, none older than `job_retention` at `now`; queues the next look.
    pub(super) fn keep_jobs(&mut self, project_id: &ProjectId, now: DateTime<Utc>) {
        let (retention, keep) = (self.job_retention, self.max_jobs);
        let Some(project) = self.projects.get_mut(project_id) else {
            return;
        };
        // A job created `retention` ago or earlier is forgotten; the next look comes when the
        // oldest one left reaches that age, which is after `now`.
        let until = now
            .checked_sub_signed(retention)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let oldest = project.forget_jobs(until, keep);
        if let Some(oldest) = oldest
            && project.forget_at.is_none()
        {
            let at = oldest
                .checked_add_signed(retention)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            project.forget_at = Some(at);
            self.push(project_id, at, Due::ForgetJobs, false);
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
            .ok_or(ApiError::InstanceNotFound)
    }

    /// The project a token is valid for: a fixtures token, or one the emulator's IAM issued
    /// that has not expired by `now`.
    pub(super) fn token_owner(&self, token: &str, now: DateTime<Utc>) -> Option<ProjectId> {
        self.tokens.get(token).cloned().or_else(|| {
            self.issued
                .get(token)
                .filter(|t| t.expires_at > now)
                .map(|t| t.project_id.clone())
        })
    }

    /// Keeps `token` for its project until it expires; forgets expired tokens and, past
    /// [`MAX_ISSUED_TOKENS`], the oldest ones.
    pub(super) fn keep_issued(&mut self, token: String, issued: IssuedToken, now: DateTime<Utc>) {
        while let Some((expires_at, oldest)) = self.issued_order.front() {
            if *expires_at > now && self.issued_order.len() < MAX_ISSUED_TOKENS {
                break;
            }
            self.issued.remove(oldest);
            self.issued_order.pop_front();
        }
        self.issued_order
            .push_back((issued.expires_at, token.clone()));
        self.issued.insert(token, issued);
    }

    /// Removes a project with its tokens, access keys and the tokens issued for it.
    pub(super) fn remove_project(&mut self, project_id: &ProjectId) {
        if let Some(project) = self.projects.remove(project_id) {
            for token in project.tokens {
                self.tokens.remove(&token);
            }
            for credential in project.credentials {
                self.access_keys.remove(&credential.ak);
            }
            self.issued.retain(|_, t| &t.project_id != project_id);
        }
    }

    /// Builds a project from its seed at time `now`, replacing any project of that id.
    pub(super) fn load_project(&mut self, seed: &ProjectSeed, now: DateTime<Utc>) {
        self.remove_project(&seed.id);
        let epoch = self.next_seq();
        let mut project = Project::new(seed, epoch);
        for instance in &seed.instances {
            let instance = instance.build(&seed.name, now);
            project.instances.insert(instance.id.clone(), instance);
        }
        let mut tasks = Vec::new();
        for job in &seed.jobs {
            match job.completion {
                SeedCompletion::Finished => project.insert_detached_job(job.job.clone()),
                _ => tasks.push(job),
            }
        }
        for token in &seed.tokens {
            self.tokens.insert(token.clone(), seed.id.clone());
        }
        for credential in &seed.credentials {
            self.access_keys.insert(
                credential.ak.clone(),
                (credential.sk.clone(), seed.id.clone()),
            );
        }
        self.projects.insert(seed.id.clone(), project);
        self.keep_jobs(&seed.id, now);

        for backup_seed in &seed.backups {
            let mut backup = backup_seed.backup.clone();
            if let Some(id) = &backup_seed.id {
                backup.id = id.clone();
            } else {
                backup.id = BackupId::generate(&mut self.ids);
            }
            let completion = self.completion_of(&backup_seed.completion, backup.begin_time);
            self.insert_backup(
                &seed.id,
                backup,
                completion,
                backup_seed.fail_reason.as_deref().map(Box::from),
            );
        }
        for task in tasks {
            let mut job = task.job.clone();
            let bound_failure = job.fail_reason.take().map(Box::from);
            let completion = self.completion_of(&task.completion, job.created);
            if let Some(instance) = self
                .projects
                .get_mut(&seed.id)
                .and_then(|p| p.instances.get_mut(&job.instance_id))
            {
                instance.base_status = holding_status(&job.kind);
            }
            self.insert_task(&seed.id, job, completion, bound_failure);
        }
        let instance_ids: Vec<InstanceId> = seed.instances.iter().map(|i| i.id.clone()).collect();
        for instance_id in instance_ids {
            self.schedule_window(&seed.id, &instance_id, now);
        }
    }

    /// How a seeded running thing begun at `begin` finishes.
    fn completion_of(&self, seed: &SeedCompletion, begin: DateTime<Utc>) -> Completion {
        match seed {
            SeedCompletion::Finished => Completion::Done,
            SeedCompletion::Lifecycle => self.completion_for(begin),
            SeedCompletion::At(at) => Completion::At(*at),
            SeedCompletion::OnAdvance(at) => Completion::OnAdvance(*at),
            SeedCompletion::AfterReads(n) => Completion::AfterReads(*n),
            SeedCompletion::Held => Completion::Held,
        }
    }

    /// How a backup begun at `begin` finishes under the current lifecycle.
    fn completion_for(&self, begin: DateTime<Utc>) -> Completion {
        let at = begin + self.lifecycle.backup_duration;
        match self.lifecycle.mode {
            LifecycleMode::Time => Completion::At(at),
            LifecycleMode::Manual => Completion::OnAdvance(at),
            LifecycleMode::Instant => Completion::AfterReads(0),
            LifecycleMode::Reads(n) => Completion::AfterReads(n),
        }
    }

    /// Indexes a backup and queues what its state calls for: its finish if it is building,
    /// its expiry if it is a finished automated one.
    fn insert_backup(
        &mut self,
        project_id: &ProjectId,
        backup: Backup,
        completion: Completion,
        fail_reason: Option<Box<str>>,
    ) {
        let seq = self.next_seq();
        let id = backup.id.clone();
        let expiry = self.expiry_of(project_id, &backup);
        let Some(project) = self.projects.get_mut(project_id) else {
            return;
        };
        project.insert_backup(backup, seq, completion, fail_reason);
        match completion {
            Completion::At(at) => self.push(project_id, at, Due::Finish(id), false),
            Completion::OnAdvance(at) => self.push(project_id, at, Due::Finish(id), true),
            _ => {
                if let Some(at) = expiry {
                    self.push(project_id, at, Due::Expire(id), false);
                }
            }
        }
    }

    /// When a finished automated backup expires, if automated backups run.
    fn expiry_of(&self, project_id: &ProjectId, backup: &Backup) -> Option<DateTime<Utc>> {
        backup.expiry(self.lifecycle.automated_backups, || {
            let instance = self
                .projects
                .get(project_id)?
                .instances
                .get(&backup.instance_id)?;
            Some(instance.policy.retention())
        })
    }

    /// Starts a `BUILDING` backup (and its job): it finishes as the lifecycle says, and ends
    /// `FAILED` if a failure rule catches it.
    pub(super) fn start_backup(&mut self, project_id: &ProjectId, backup: Backup) {
        let fail_reason = self.take_failure(FailureTarget::Backups, &[&backup.instance_id]);
        let completion = self.completion_for(backup.begin_time);
        self.insert_backup(project_id, backup, completion, fail_reason);
    }

    /// The reason of the first failure rule for `target` that applies to any of `instances`,
    /// counting it as used.
    fn take_failure(
        &mut self,
        target: FailureTarget,
        instances: &[&InstanceId],
    ) -> Option<Box<str>> {
        let rule = self.failure_rules.iter_mut().find(|r| {
            r.remaining > 0
                && r.target == target
                && r.instance_id
                    .as_ref()
                    .is_none_or(|i| instances.contains(&i))
        })?;
        rule.remaining -= 1;
        rule.hits += 1;
        Some(Box::from(rule.reason.as_str()))
    }

    /// Starts a restore or an instance's creation: its job runs as the lifecycle says (failing
    /// if a failure rule catches it) and holds the instance `RESTORING` or `BUILD` meanwhile.
    pub(super) fn start_task(&mut self, project_id: &ProjectId, job: Job) {
        let source = job.kind.source().map(|s| s.instance_id.clone());
        let instances: Vec<&InstanceId> = std::iter::once(&job.instance_id)
            .chain(source.as_ref())
            .collect();
        let fail_reason = self.take_failure(FailureTarget::of(&job.kind), &instances);
        let completion = self.completion_for(job.created);
        if let Ok(instance) = self.instance_mut(project_id, &job.instance_id) {
            instance.base_status = holding_status(&job.kind);
        }
        self.insert_task(project_id, job, completion, fail_reason);
    }

    /// Records a running restore or creation and queues its finish.
    fn insert_task(
        &mut self,
        project_id: &ProjectId,
        job: Job,
        completion: Completion,
        bound_failure: Option<Box<str>>,
    ) {
        let id = job.id;
        let Some(project) = self.projects.get_mut(project_id) else {
            return;
        };
        project.insert_task(job, completion, bound_failure);
        match completion {
            Completion::At(at) => self.push(project_id, at, Due::FinishJob(id), false),
            Completion::OnAdvance(at) => self.push(project_id, at, Due::FinishJob(id), true),
            _ => {}
        }
    }

    fn finish_job_due(
        &mut self,
        project_id: &ProjectId,
        id: &JobId,
        at: DateTime<Utc>,
    ) -> Option<Transition> {
        let own = self.projects.get(project_id)?.own_job(id)?;
        match own.completion {
            Completion::At(t) | Completion::OnAdvance(t) if t == at => {
                self.finish_job(project_id, id, at, Outcome::Natural)
            }
            _ => None,
        }
    }

    /// Ends a running restore or creation: its instance is `ACTIVE` again (a failed creation
    /// leaves it `FAILED`); a created instance takes its first full backup and its policy's
    /// windows from then on.
    pub(super) fn finish_job(
        &mut self,
        project_id: &ProjectId,
        id: &JobId,
        at: DateTime<Utc>,
        outcome: Outcome,
    ) -> Option<Transition> {
        let project = self.projects.get_mut(project_id)?;
        let failure = outcome.failure(project.own_job(id)?.bound_failure.as_deref());
        let job = project.finish_task(id, at, failure)?;
        let created = matches!(job.kind, JobKind::CreateInstance(_));
        let failed = job.status == JobStatus::Failed;
        if let Some(instance) = project.instances.get_mut(&job.instance_id)
            && instance.base_status == holding_status(&job.kind)
        {
            instance.base_status = if created && failed {
                InstanceStatus::Failed
            } else {
                InstanceStatus::Active
            };
            instance.profile.updated = at;
        }
        if created && !failed {
            if self.lifecycle.automated_backups {
                self.push(
                    project_id,
                    at,
                    Due::FirstBackup(job.instance_id.clone()),
                    false,
                );
            }
            self.schedule_window(project_id, &job.instance_id, at);
        }
        self.keep_jobs(project_id, at);
        Some(Transition {
            project_id: project_id.clone(),
            subject: Subject::Job(job.id),
            kind: if failed {
                TransitionKind::Failed
            } else {
                TransitionKind::Completed
            },
            at,
        })
    }

    /// Counts one read of a running restore or creation (its job, or its instance): one
    /// bound to finish after reads finishes on the read after its last allowed one.
    pub(super) fn count_job_read(
        &mut self,
        project_id: &ProjectId,
        id: &JobId,
        now: DateTime<Utc>,
    ) {
        let Some(project) = self.projects.get_mut(project_id) else {
            return;
        };
        match project.own_job(id).map(|o| o.completion) {
            Some(Completion::AfterReads(0)) => {
                self.finish_job(project_id, id, now, Outcome::Natural);
            }
            Some(Completion::AfterReads(n)) => {
                project.set_task_completion(id, Completion::AfterReads(n - 1));
            }
            _ => {}
        }
    }

    /// Schedules an instance's next automated-backup window after `after`, replacing any
    /// earlier schedule (stale window events are ignored when they come due).
    pub(super) fn schedule_window(
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
            self.push(project_id, at, Due::Window(instance_id.clone()), false);
        }
    }

    /// Re-examines the retention of an instance's automated backups (after a policy change).
    pub(super) fn reschedule_expiry(
        &mut self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
    ) {
        let Some(project) = self.projects.get(project_id) else {
            return;
        };
        let due: Vec<(BackupId, DateTime<Utc>)> = project
            .backups_of(instance_id)
            .filter_map(|b| self.expiry_of(project_id, b).map(|at| (b.id.clone(), at)))
            .collect();
        for (id, at) in due {
            self.push(project_id, at.max(now), Due::Expire(id), false);
        }
    }

    /// Applies everything due by `now` in time order, each at its own time; `via_advance`
    /// also applies the finishes that only a clock advance applies.
    pub(super) fn apply_due(&mut self, now: DateTime<Utc>, via_advance: bool) -> Vec<Transition> {
        let mut done = Vec::new();
        self.apply_due_each(now, via_advance, |t| done.push(t));
        done
    }

    /// Applies everything due by `now`, as [`State::apply_due`] does, for a request that has
    /// no use for the transitions (and so keeps no list of them).
    pub(super) fn settle(&mut self, now: DateTime<Utc>) {
        self.apply_due_each(now, false, drop);
    }

    fn apply_due_each(
        &mut self,
        now: DateTime<Utc>,
        via_advance: bool,
        mut done: impl FnMut(Transition),
    ) {
        let now = now.max(self.latest);
        self.latest = now;
        loop {
            let advance_head = if via_advance {
                self.advance_events.peek()
            } else {
                None
            };
            let from_advance = match (self.events.peek(), advance_head) {
                (Some(Reverse(r)), Some(Reverse(a))) => (a.at, a.seq) < (r.at, r.seq),
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (None, None) => break,
            };
            let heap = if from_advance {
                &mut self.advance_events
            } else {
                &mut self.events
            };
            // The earliest of the two heads: if it is not due, nothing is.
            if heap.peek().is_none_or(|Reverse(e)| e.at > now) {
                break;
            }
            let Some(Reverse(event)) = heap.pop() else {
                break;
            };
            if self.projects.get(&event.project_id).map(|p| p.epoch) != Some(event.epoch) {
                continue; // the project was replaced since
            }
            let Event {
                project_id,
                at,
                due,
                ..
            } = event;
            let transition = match due {
                // The event's ids move into the transition: a finish, one per create, clones
                // none (the project's id is shared by every request on every worker).
                Due::Finish(id) => self
                    .finish_due(&project_id, &id, at)
                    .map(|kind| Transition::of_backup(project_id, id, kind, at)),
                Due::Window(id) => self.open_window(&project_id, &id, at),
                Due::Expire(id) => self.expire(&project_id, &id, at),
                Due::FinishJob(id) => self.finish_job_due(&project_id, &id, at),
                Due::FirstBackup(id) => self.take_automated_backup(&project_id, &id, at),
                Due::ForgetJobs => {
                    if let Some(project) = self.projects.get_mut(&project_id) {
                        project.forget_at = None;
                    }
                    self.keep_jobs(&project_id, at);
                    None
                }
            };
            if let Some(transition) = transition {
                done(transition);
            }
        }
    }

    fn finish_due(
        &mut self,
        project_id: &ProjectId,
        id: &BackupId,
        at: DateTime<Utc>,
    ) -> Option<TransitionKind> {
        match self.projects.get(project_id)?.completion(id.as_str()) {
            Completion::At(t) | Completion::OnAdvance(t) if t == at => {
                self.finish_as(project_id, id, at, Outcome::Natural)
            }
            _ => None, // held, completed or failed by a command since
        }
    }

    /// Finishes a building backup; queues its expiry if it is automated.
    pub(super) fn finish(
        &mut self,
        project_id: &ProjectId,
        id: &BackupId,
        at: DateTime<Utc>,
        outcome: Outcome,
    ) -> Option<Transition> {
        let kind = self.finish_as(project_id, id, at, outcome)?;
        Some(Transition::of_backup(
            project_id.clone(),
            id.clone(),
            kind,
            at,
        ))
    }

    /// Finishes a building backup as [`State::finish`] does, answering only how it ended.
    fn finish_as(
        &mut self,
        project_id: &ProjectId,
        id: &BackupId,
        at: DateTime<Utc>,
        outcome: Outcome,
    ) -> Option<TransitionKind> {
        let automated_backups = self.lifecycle.automated_backups;
        let (status, expires) =
            self.projects
                .get_mut(project_id)?
                .finish_backup(id, at, outcome, automated_backups)?;
        if let Some(expire_at) = expires {
            self.push(project_id, expire_at, Due::Expire(id.clone()), false);
        }
        Some(match status {
            BackupStatus::Failed => TransitionKind::Failed,
            _ => TransitionKind::Completed,
        })
    }

    /// Counts one read of each backup: one bound to finish after reads finishes on the read
    /// after its last allowed one.
    pub(super) fn count_reads(
        &mut self,
        project_id: &ProjectId,
        ids: &[BackupId],
        now: DateTime<Utc>,
    ) {
        for id in ids {
            let Some(project) = self.projects.get_mut(project_id) else {
                return;
            };
            let completion = project
                .backups
                .contains_key(id.as_str())
                .then(|| project.completion(id.as_str()));
            match completion {
                Some(Completion::AfterReads(0)) => {
                    self.finish(project_id, id, now, Outcome::Natural);
                }
                Some(Completion::AfterReads(n)) => {
                    project.set_completion(id, Completion::AfterReads(n - 1));
                }
                _ => {}
            }
        }
    }

    /// An automated-backup window opens: schedule the next one, and take a backup if the
    /// instance is `ACTIVE` with nothing building (otherwise that day's backup is skipped).
    fn open_window(
        &mut self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        at: DateTime<Utc>,
    ) -> Option<Transition> {
        let instance = self.projects.get(project_id)?.instances.get(instance_id)?;
        if instance.next_automated_backup != Some(at) {
            return None; // a stale schedule: the policy changed since
        }
        self.schedule_window(project_id, instance_id, at);
        self.take_automated_backup(project_id, instance_id, at)
    }

    /// Starts an automated backup of an instance at `at` if it is `ACTIVE` with nothing
    /// building and the project has room (otherwise it is skipped).
    fn take_automated_backup(
        &mut self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        at: DateTime<Utc>,
    ) -> Option<Transition> {
        let instance = self.projects.get(project_id)?.instances.get(instance_id)?;
        let full = self
            .projects
            .get(project_id)
            .is_some_and(|p| p.backups.len() >= self.backup_quota);
        let can_back_up = !full
            && instance
                .base_status
                .check_can_back_up(instance.building.is_some())
                .is_ok();
        let name = BackupName::trusted(&automated_backup_name(&instance.name, at));
        if !can_back_up {
            return None;
        }
        let backup = Backup::building(
            BackupId::generate(&mut self.ids),
            instance_id.clone(),
            BackupText::new(name, BackupDescription::default()),
            BackupType::Auto,
            at,
            None,
        );
        let backup_id = backup.id.clone();
        self.start_backup(project_id, backup);
        Some(Transition::of_backup(
            project_id.clone(),
            backup_id,
            TransitionKind::Started,
            at,
        ))
    }

    /// Removes an automated backup whose retention has passed; if its policy now keeps it
    /// longer, looks again then.
    fn expire(
        &mut self,
        project_id: &ProjectId,
        id: &BackupId,
        at: DateTime<Utc>,
    ) -> Option<Transition> {
        let backup = &self.projects.get(project_id)?.backups.get(id)?.backup;
        let expires_at = self.expiry_of(project_id, backup)?;
        if expires_at > at {
            self.push(project_id, expires_at, Due::Expire(id.clone()), false);
            return None;
        }
        self.projects
            .get_mut(project_id)?
            .remove_backup(id.as_str())?;
        Some(Transition::of_backup(
            project_id.clone(),
            id.clone(),
            TransitionKind::Expired,
            at,
        ))
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

/// The status a running job holds its instance in.
fn holding_status(kind: &JobKind) -> InstanceStatus {
    match kind {
        JobKind::CreateInstance(_) => InstanceStatus::Build,
        _ => InstanceStatus::Restoring,
    }
}
