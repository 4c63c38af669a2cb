//! Jobs of their own in the state: restores and creations started, finished and read, failure
//! rules taken, and the job history kept within its bounds.

use chrono::{DateTime, Utc};

use super::{Due, State};
use crate::domain::{
    BackupId, Instance, InstanceId, InstanceStatus, Job, JobId, JobKind, JobStatus, ProjectId,
};
use crate::store::completion::{Completion, Outcome};
use crate::store::failures::FailureTarget;
use crate::store::{Subject, Transition, TransitionKind};

impl State {
    /// Applies the job history's bounds to a project whose detached jobs changed: at most
    /// `max_jobs`, none older than `job_retention` at `now`; queues the next look.
    pub(in crate::store) fn keep_jobs(&mut self, project_id: &ProjectId, now: DateTime<Utc>) {
        let (retention, keep) = (self.job_retention, self.max_jobs);
        let Some(project) = self.projects.get_mut(project_id) else {
            return;
        };
        // A job that ended `retention` ago or earlier is forgotten; the next look comes when
        // the oldest one left reaches that age, which is after `now`.
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

    /// The reason of the first failure rule for `target` that applies to any of `instances`,
    /// counting it as used.
    pub(super) fn take_failure(
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

    /// A new backup id and the job id derived from it, neither of which any project holds. A
    /// source of a given seed starts its sequence over on every start, and a state file or a
    /// snapshot may hold what it drew before: its ids are checked (one look in each project)
    /// and drawn again if held. Any other source's are new (see [`crate::domain::IdSource::repeats`]).
    pub(in crate::store) fn new_backup_ids(&mut self) -> (BackupId, JobId) {
        loop {
            let (backup, job) = BackupId::generate_with_job(&mut self.ids);
            let taken = self.ids.repeats()
                && self
                    .projects
                    .values()
                    .any(|p| p.holds_backup_or_job(&backup, &job));
            if !taken {
                return (backup, job);
            }
        }
    }

    /// A new job id no project holds (see [`State::new_backup_ids`]).
    fn new_job_id(&mut self) -> JobId {
        loop {
            let id = JobId::generate(&mut self.ids);
            if !(self.ids.repeats() && self.projects.values().any(|p| p.has_job(&id))) {
                return id;
            }
        }
    }

    /// A new running job of `kind` on `instance` at `now`.
    pub(in crate::store) fn new_job(
        &mut self,
        instance: &Instance,
        kind: JobKind,
        now: DateTime<Utc>,
    ) -> Job {
        Job {
            id: self.new_job_id(),
            status: JobStatus::Running,
            created: now,
            ended: None,
            instance_id: instance.id.clone(),
            instance_name: instance.name.clone(),
            kind,
            fail_reason: None,
        }
    }

    /// Starts a restore, an instance's creation or a change: its job runs as the lifecycle
    /// says (failing if a failure rule catches it) and holds the instance `RESTORING`,
    /// `BUILD`, `MODIFYING` or `MODIFYING DATABASE PORT` meanwhile, if its kind does.
    pub(in crate::store) fn start_task(&mut self, project_id: &ProjectId, job: Job) {
        let source = job.kind.source().map(|s| s.instance_id.clone());
        let instances: Vec<&InstanceId> = std::iter::once(&job.instance_id)
            .chain(source.as_ref())
            .collect();
        let fail_reason = self.take_failure(FailureTarget::of(&job.kind), &instances);
        let completion = self.completion_for(job.created);
        if let Some(status) = holding_status(&job.kind)
            && let Ok(instance) = self.instance_mut(project_id, &job.instance_id)
        {
            instance.base_status = status;
        }
        self.insert_task(project_id, job, completion, fail_reason);
    }

    /// Records a running restore or creation and queues its finish.
    pub(super) fn insert_task(
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

    pub(super) fn finish_job_due(
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

    /// Ends a running restore, creation or change: its instance is `ACTIVE` again (a failed
    /// creation leaves it `FAILED`); a created instance takes its first full backup and its
    /// policy's windows from then on; a change takes effect, or is dropped if it failed.
    pub(in crate::store) fn finish_job(
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
            && holding_status(&job.kind) == Some(instance.base_status)
        {
            instance.base_status = if created && failed {
                InstanceStatus::Failed
            } else {
                InstanceStatus::Active
            };
            instance.profile.updated = at;
        }
        if let JobKind::Change(change) = &job.kind {
            self.end_change(project_id, &job.instance_id, change, failed, at);
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

    /// Counts one read of a running job of an instance's own (the job, or its instance): one
    /// bound to finish after reads finishes on the read after its last allowed one.
    pub(in crate::store) fn count_job_read(
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
}

/// The status a running job holds its instance in, if any.
pub(super) fn holding_status(kind: &JobKind) -> Option<InstanceStatus> {
    match kind {
        JobKind::CreateInstance(_) => Some(InstanceStatus::Build),
        JobKind::Restore(_) => Some(InstanceStatus::Restoring),
        JobKind::Change(change) => change.holding_status(),
        JobKind::Backup(_) => None,
    }
}
