//! The whole state view (`/_emulator/state`) in pages: a project's head, then its backups
//! newest first and its jobs oldest first, [`PAGE`] at a time, each page under the read lock
//! alone. A client writing the view out as it comes needs a page of memory, whatever the
//! size of the store.

use std::ops::Bound;

use chrono::{DateTime, Utc};

use super::Store;
use super::project::SortKey;
use super::views::{BackupState, InstanceView};
use crate::domain::{Instance, Job, JobId, ProjectId};

/// How many backups (or jobs) one page holds.
pub const PAGE: usize = 1000;

/// Calls `each` on every item of the pages `page` hands out: the first for `None`, each next
/// for the cursor of the one before, until a page comes without a cursor (or none comes).
pub fn walk_pages<T, C, E>(
    mut page: impl FnMut(Option<C>) -> Option<(Vec<T>, Option<C>)>,
    mut each: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let mut after = None;
    while let Some((items, next)) = page(after.take()) {
        for item in items {
            each(item)?;
        }
        match next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    Ok(())
}

/// Where the next page of a project's backups starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupCursor(SortKey);

/// Where the next page of a project's jobs starts: after this creation time and id.
pub type JobCursor = (DateTime<Utc>, JobId);

/// A project as the state view starts it.
#[derive(Debug, Clone)]
pub struct ProjectHead {
    pub name: String,
    pub tokens: Vec<String>,
    /// By creation, newest first, as the instance list orders them.
    pub instances: Vec<InstanceView>,
    /// Which incarnation of the project the pages must come from.
    pub epoch: u64,
}

impl Store {
    /// A project's head, after applying what is due by `now`.
    pub fn project_head(&self, id: &ProjectId, now: DateTime<Utc>) -> Option<ProjectHead> {
        self.tick(now);
        let state = self.read();
        let p = state.projects.get(id)?;
        let instances: Vec<&Instance> = p.instances_newest_first().collect();
        let mut tokens = p.tokens.clone();
        tokens.sort();
        Some(ProjectHead {
            name: p.name.to_string(),
            tokens,
            instances: instances
                .iter()
                .map(|i| p.view_instance(id, i, &state.catalog))
                .collect(),
            epoch: p.epoch,
        })
    }

    /// The next page of a project's backups, newest first; `None` once the project is gone
    /// or replaced. The cursor is where the page after starts, if there may be one.
    pub fn backup_page(
        &self,
        id: &ProjectId,
        epoch: u64,
        after: Option<BackupCursor>,
    ) -> Option<(Vec<BackupState>, Option<BackupCursor>)> {
        let state = self.read();
        let p = state.projects.get(id).filter(|p| p.epoch == epoch)?;
        let from = after.map_or(Bound::Unbounded, |BackupCursor(key)| Bound::Excluded(key));
        let page: Vec<(SortKey, BackupState)> = p
            .newest_first
            .range((from, Bound::Unbounded))
            .take(PAGE)
            .filter_map(|(key, bid)| {
                Some((
                    *key,
                    BackupState {
                        view: p.view_backup(bid)?,
                        completion: p.completion(bid.as_str()),
                        fail_reason: p.fail_reason(bid.as_str()).map(str::to_owned),
                    },
                ))
            })
            .collect();
        let next = (page.len() == PAGE).then(|| BackupCursor(page[PAGE - 1].0));
        Some((page.into_iter().map(|(_, b)| b).collect(), next))
    }

    /// The next page of a project's jobs, oldest first (by creation, then id, as
    /// `all_jobs` orders them): the jobs of its backups merged with the jobs whose backups
    /// were deleted. `None` once the project is gone or replaced.
    pub fn job_page(
        &self,
        id: &ProjectId,
        epoch: u64,
        after: Option<JobCursor>,
    ) -> Option<(Vec<Job>, Option<JobCursor>)> {
        let state = self.read();
        let p = state.projects.get(id).filter(|p| p.epoch == epoch)?;
        // A backup's job is created when the backup begins: its backups from the cursor's
        // time on, oldest first (the index read backwards), with every backup that ties with
        // the last one taken, since ties go by job id.
        let until = after.map_or(Bound::Unbounded, |(t, _)| {
            Bound::Included(SortKey::new(t, 0))
        });
        let backups = p.newest_first.range((Bound::Unbounded, until));
        let mut keys: Vec<JobCursor> = Vec::new();
        let mut last_begin = None;
        for bid in backups.rev().map(|(_, bid)| bid) {
            let Some(stored) = p.backups.get(bid) else {
                continue;
            };
            let Some(job_id) = stored.backup.job_id else {
                continue;
            };
            let begin = stored.backup.begin_time;
            if keys.len() >= PAGE && last_begin != Some(begin) {
                break;
            }
            let key = (begin, job_id);
            if after.is_none_or(|a| key > a) {
                keys.push(key);
                last_begin = Some(begin);
            }
        }
        keys.extend(p.own_keys(after, PAGE));
        keys.sort_unstable();
        keys.truncate(PAGE);
        let next = (keys.len() == PAGE).then(|| keys[PAGE - 1]);
        let jobs = keys.iter().filter_map(|(_, job)| p.job(job)).collect();
        Some((jobs, next))
    }

    /// How many backups and jobs a project holds now.
    pub fn project_counts(&self, id: &ProjectId) -> (usize, usize) {
        let state = self.read();
        state
            .projects
            .get(id)
            .map_or((0, 0), |p| (p.backups.len(), p.job_count()))
    }
}
