//! A project's table of jobs: jobs of their own (of deleted backups, restores, creations),
//! found by id, counted, paged and forgotten; the jobs of the emulator's backups are found
//! through their backups.

use chrono::{DateTime, Utc};

use super::{JobEntry, OwnJob, Project, StoredBackup, has_derived_job};
use crate::domain::{BackupId, BackupStatus, Job, JobId, JobKind, JobStatus};
use crate::store::completion::Completion;

impl Project {
    /// The jobs no backup stands behind, finished and running, oldest first (as `all_jobs`
    /// orders them).
    pub(in crate::store) fn own_jobs(&self) -> Vec<&OwnJob> {
        let mut keys: Vec<&(DateTime<Utc>, JobId)> =
            self.detached.iter().chain(self.tasks.iter()).collect();
        keys.sort_unstable();
        keys.into_iter()
            .filter_map(|(_, id)| self.own_job(id))
            .collect()
    }

    /// A job of its own by id.
    pub(in crate::store) fn own_job(&self, id: &JobId) -> Option<&OwnJob> {
        match self.jobs.get(id)? {
            JobEntry::Own(own) => Some(own),
            JobEntry::Backup(_) => None,
        }
    }

    /// Forgets detached jobs, oldest first, that ended at `until` or before (a job's end, not
    /// its creation: a restore or creation that ran longer than the retention is still found
    /// for a while after it ends), then the oldest past `keep`; returns when the oldest one
    /// left ended (after `until`).
    pub(in crate::store) fn forget_jobs(
        &mut self,
        until: DateTime<Utc>,
        keep: usize,
    ) -> Option<DateTime<Utc>> {
        while let Some(&(created, id)) = self.detached.first() {
            let ended = self
                .own_job(&id)
                .and_then(|own| own.job.ended)
                .map_or(created, |ended| ended.max(created));
            if ended > until && self.detached.len() <= keep {
                return Some(ended);
            }
            self.detached.pop_first();
            self.jobs.remove(&id);
        }
        None
    }

    /// The keys (creation, id) of the first `limit` finished and the first `limit` running
    /// jobs of their own after `after` (all without), unordered.
    pub(in crate::store) fn own_keys(
        &self,
        after: Option<(DateTime<Utc>, JobId)>,
        limit: usize,
    ) -> Vec<(DateTime<Utc>, JobId)> {
        let from = after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
        let range = (from, std::ops::Bound::Unbounded);
        self.detached
            .range(range)
            .take(limit)
            .chain(self.tasks.range(range).take(limit))
            .copied()
            .collect()
    }

    /// How many jobs the project has, of its backups and of deleted ones.
    pub(in crate::store) fn job_count(&self) -> usize {
        self.jobs.len() + self.derived_jobs
    }

    /// A finished job that no backup stands behind.
    pub(in crate::store) fn insert_detached_job(&mut self, job: Job) {
        self.detached.insert((job.created, job.id));
        let own = OwnJob {
            job,
            completion: Completion::Done,
            bound_failure: None,
        };
        self.jobs.insert(own.job.id, JobEntry::Own(Box::new(own)));
    }

    /// A running restore or creation, finishing as `completion` says; its instance is held.
    pub(in crate::store) fn insert_task(
        &mut self,
        job: Job,
        completion: Completion,
        bound_failure: Option<Box<str>>,
    ) {
        self.tasks.insert((job.created, job.id));
        if let Some(instance) = self.instances.get_mut(&job.instance_id) {
            if job.kind.holds_instance() {
                instance.tasks.push(job.id);
            } else {
                instance.side_jobs.push(job.id);
            }
        }
        if matches!(completion, Completion::AfterReads(_)) {
            self.read_waiters += 1;
        }
        let own = OwnJob {
            job,
            completion,
            bound_failure,
        };
        self.jobs.insert(own.job.id, JobEntry::Own(Box::new(own)));
    }

    /// Changes how a running restore or creation will finish, keeping `read_waiters` right.
    pub(in crate::store) fn set_task_completion(&mut self, id: &JobId, completion: Completion) {
        if let Some(JobEntry::Own(own)) = self.jobs.get_mut(id) {
            let was = matches!(own.completion, Completion::AfterReads(_));
            let is = matches!(completion, Completion::AfterReads(_));
            own.completion = completion;
            match (was, is) {
                (true, false) => self.read_waiters -= 1,
                (false, true) => self.read_waiters += 1,
                _ => {}
            }
        }
    }

    /// Ends a running restore or creation at `at`, failed if `failure` says why, and frees
    /// its instance; returns the job as it ended, or `None` if it is not running.
    pub(in crate::store) fn finish_task(
        &mut self,
        id: &JobId,
        at: DateTime<Utc>,
        failure: Option<String>,
    ) -> Option<Job> {
        let own = self.own_job(id)?;
        if own.job.status != JobStatus::Running || !self.tasks.contains(&(own.job.created, *id)) {
            return None;
        }
        self.set_task_completion(id, Completion::Done);
        let Some(JobEntry::Own(own)) = self.jobs.get_mut(id) else {
            return None;
        };
        own.bound_failure = None;
        let job = &mut own.job;
        job.status = if failure.is_some() {
            JobStatus::Failed
        } else {
            JobStatus::Completed
        };
        job.ended = Some(at);
        job.fail_reason = failure;
        let job = job.clone();
        self.tasks.remove(&(job.created, job.id));
        self.detached.insert((job.created, job.id));
        if let Some(instance) = self.instances.get_mut(&job.instance_id) {
            instance.tasks.retain(|t| *t != job.id);
            instance.side_jobs.retain(|t| *t != job.id);
        }
        Some(job)
    }

    /// The job of a backup, as its state implies.
    pub(super) fn job_of(&self, stored: &StoredBackup) -> Job {
        let b = &stored.backup;
        let status = match b.status {
            BackupStatus::Building => JobStatus::Running,
            BackupStatus::Failed => JobStatus::Failed,
            BackupStatus::Completed | BackupStatus::Available => JobStatus::Completed,
        };
        Job {
            id: b.job_id.unwrap_or_default(),
            status,
            created: b.begin_time,
            ended: b.end_time,
            instance_id: b.instance_id.clone(),
            instance_name: self
                .instances
                .get(&b.instance_id)
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            kind: JobKind::Backup(b.id.clone()),
            fail_reason: (status == JobStatus::Failed)
                .then(|| self.fail_reason(b.id.as_str()).map(str::to_owned))
                .flatten(),
        }
    }

    /// Whether a job of this id exists, whatever its state.
    /// Whether the project holds `backup` or `job`, `job` being the job derived from `backup`
    /// (which is found through that backup, so the backups and the table of jobs are all
    /// there is to look in).
    pub(in crate::store) fn holds_backup_or_job(&self, backup: &BackupId, job: &JobId) -> bool {
        self.backups.contains_key(backup) || self.jobs.contains_key(job)
    }

    pub(in crate::store) fn has_job(&self, id: &JobId) -> bool {
        self.jobs.contains_key(id) || self.backup_of_derived_job(id).is_some()
    }

    /// A job by id.
    pub(in crate::store) fn job(&self, id: &JobId) -> Option<Job> {
        match self.jobs.get(id) {
            Some(JobEntry::Backup(backup_id)) => {
                self.backups.get(backup_id).map(|s| self.job_of(s))
            }
            Some(JobEntry::Own(own)) => Some(own.job.clone()),
            None => self.backup_of_derived_job(id).map(|s| self.job_of(s)),
        }
    }

    /// The backup whose job this is, for a job id derived from a backup id.
    pub(super) fn backup_of_derived_job(&self, id: &JobId) -> Option<&StoredBackup> {
        let backup_id = id.derived_backup()?;
        let stored = self.backups.get(std::str::from_utf8(&backup_id).ok()?)?;
        (stored.backup.job_id == Some(*id)).then_some(&**stored)
    }

    /// The newest `limit` jobs, newest first (as `all_jobs` orders them, reversed), and how
    /// many jobs there are. Looks only at the newest backups and detached jobs: a backup's job
    /// is created when the backup begins, so no job of an older backup can be among them.
    pub(in crate::store) fn newest_jobs(&self, limit: usize) -> (Vec<Job>, usize) {
        let mut keys: Vec<(DateTime<Utc>, JobId)> = Vec::new();
        let mut taken = 0;
        let mut last_begin = None;
        for id in self.newest_first.values() {
            let Some(stored) = self.backups.get(id) else {
                continue;
            };
            let Some(job_id) = stored.backup.job_id else {
                continue;
            };
            let begin = stored.backup.begin_time;
            // Past `limit`, only backups that tie with the last one taken can still count.
            if taken >= limit && last_begin != Some(begin) {
                break;
            }
            keys.push((begin, job_id));
            taken += 1;
            last_begin = Some(begin);
        }
        keys.extend(self.detached.iter().rev().take(limit).copied());
        keys.extend(self.tasks.iter().rev().take(limit).copied());
        keys.sort_unstable_by(|a, b| b.cmp(a));
        keys.truncate(limit);
        let jobs = keys.iter().filter_map(|(_, id)| self.job(id)).collect();
        (jobs, self.job_count())
    }

    /// Every job, oldest first.
    pub(in crate::store) fn all_jobs(&self) -> Vec<Job> {
        let mut jobs: Vec<Job> = self
            .jobs
            .keys()
            .filter_map(|id| self.job(id))
            .chain(
                self.backups
                    .values()
                    .filter(|s| has_derived_job(&s.backup))
                    .map(|s| self.job_of(s)),
            )
            .collect();
        jobs.sort_by_key(|j| (j.created, j.id));
        jobs
    }
}
