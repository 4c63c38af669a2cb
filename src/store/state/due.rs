//! The time-driven rules: backups started, finished and expired, automated-backup windows,
//! and the queue of what is due applied in time order.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};

use super::{Due, Event, State};
use crate::clock::LATEST;
use crate::domain::policy::automated_backup_name;
use crate::domain::{
    Backup, BackupDescription, BackupId, BackupName, BackupStatus, BackupText, BackupType,
    InstanceId, ProjectId,
};
use crate::store::completion::{Completion, Outcome};
use crate::store::failures::FailureTarget;
use crate::store::{LifecycleMode, Transition, TransitionKind};

impl State {
    /// How a backup begun at `begin` finishes under the current lifecycle.
    pub(super) fn completion_for(&self, begin: DateTime<Utc>) -> Completion {
        // Never past the last time the clock (and the files' time format) can reach: a thing
        // begun within its duration of the end of time finishes at the end of time.
        let at = begin
            .checked_add_signed(self.lifecycle.backup_duration)
            .filter(|t| *t <= LATEST)
            .unwrap_or(LATEST);
        match self.lifecycle.mode {
            LifecycleMode::Time => Completion::At(at),
            LifecycleMode::Manual => Completion::OnAdvance(at),
            LifecycleMode::Instant => Completion::AfterReads(0),
            LifecycleMode::Reads(n) => Completion::AfterReads(n),
        }
    }

    /// Indexes a backup and queues what its state calls for: its finish if it is building,
    /// its expiry if it is a finished automated one.
    pub(super) fn insert_backup(
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
    pub(super) fn expiry_of(
        &self,
        project_id: &ProjectId,
        backup: &Backup,
    ) -> Option<DateTime<Utc>> {
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
    pub(in crate::store) fn start_backup(&mut self, project_id: &ProjectId, backup: Backup) {
        let fail_reason = self.take_failure(FailureTarget::Backups, &[&backup.instance_id]);
        let completion = self.completion_for(backup.begin_time);
        self.insert_backup(project_id, backup, completion, fail_reason);
    }

    /// Schedules an instance's next automated-backup window after `after`, replacing any
    /// earlier schedule (stale window events are ignored when they come due).
    pub(in crate::store) fn schedule_window(
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
    pub(in crate::store) fn reschedule_expiry(
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
    pub(in crate::store) fn apply_due(
        &mut self,
        now: DateTime<Utc>,
        via_advance: bool,
    ) -> Vec<Transition> {
        let mut done = Vec::new();
        self.apply_due_each(now, via_advance, |t| done.push(t));
        done
    }

    /// Applies everything due by `now`, as [`State::apply_due`] does, for a request that has
    /// no use for the transitions (and so keeps no list of them).
    pub(in crate::store) fn settle(&mut self, now: DateTime<Utc>) {
        self.apply_due_each(now, false, drop);
    }

    pub(super) fn apply_due_each(
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

    pub(super) fn finish_due(
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
    pub(in crate::store) fn finish(
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
    pub(super) fn finish_as(
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
    pub(in crate::store) fn count_reads(
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
    pub(super) fn open_window(
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
    pub(super) fn take_automated_backup(
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
            self.new_backup_ids().0,
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
    pub(super) fn expire(
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
}
