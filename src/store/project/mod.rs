//! One project's state: instances, backups with their indexes, jobs. The backup table is
//! here; the job table is in `jobs`, the list's query in `list`.

mod history;
mod jobs;
mod list;

pub(in crate::store) use list::page_and_count;

use std::cmp::Reverse;
use std::collections::BTreeSet;

use foldhash::HashMap;

use chrono::{DateTime, Utc};

use super::completion::{Completion, Outcome};
use super::ordered::Ordered;
use super::sharded::{Keyed, Sharded, Table};
use super::views::{BackupPage, BackupView, InstanceView};
use crate::domain::catalog::{Catalog, region_of};
use crate::domain::network::Network;
use crate::domain::quota::EpQuota;
use crate::domain::{Backup, BackupId, BackupStatus, Instance, InstanceId, Job, JobId, ProjectId};
use crate::fixtures::{Credential, ProjectSeed, User};

/// Orders backups newest first: later `begin_time` first, then later creation. The time is
/// kept to the microsecond (16 bytes a key instead of 24, in two indexes of every backup):
/// backups that begin within the same microsecond are ordered by creation, and a time window
/// read from an index is checked against each backup's exact `begin_time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct SortKey(Reverse<i64>, Reverse<u64>);

impl SortKey {
    const FIRST: SortKey = SortKey(Reverse(i64::MAX), Reverse(u64::MAX));
    const LAST: SortKey = SortKey(Reverse(i64::MIN), Reverse(0));

    pub(super) fn new(begin: DateTime<Utc>, seq: u64) -> Self {
        Self(Reverse(begin.timestamp_micros()), Reverse(seq))
    }
}

/// A stored backup. How a building one finishes and why a failed one failed are kept apart
/// ([`Project::completion`], [`Project::fail_reason`]): most backups are neither, and 32 bytes
/// in every stored backup would be most of what a backup costs beyond its own fields.
pub(super) struct StoredBackup {
    pub backup: Backup,
    /// Creation order, which breaks ties of `begin_time` in the indexes.
    pub seq: u64,
}

/// What only a building or failed backup has.
#[derive(Default)]
struct Unfinished {
    completion: Option<Completion>,
    /// Building: the failure it is bound to end in. Failed: why it failed.
    fail_reason: Option<Box<str>>,
}

/// Found in the project's table by its id.
impl Keyed for Box<StoredBackup> {
    type Key = BackupId;
    fn key(&self) -> &BackupId {
        &self.backup.id
    }
}

impl StoredBackup {
    fn sort_key(&self) -> SortKey {
        SortKey::new(self.backup.begin_time, self.seq)
    }
}

/// Where a job's state comes from: its backup while the backup exists (the job reads as the
/// backup's status says), else a record of its own.
enum JobEntry {
    Backup(BackupId),
    Own(Box<OwnJob>),
}

/// A job that is a record of its own: a deleted backup's, a restore, an instance's creation.
pub(super) struct OwnJob {
    pub job: Job,
    /// How a running restore or creation finishes; `Done` for any other.
    pub completion: Completion,
    /// A running restore or creation: the failure it is bound to end in.
    pub bound_failure: Option<Box<str>>,
}

pub(super) struct Project {
    pub name: crate::domain::Text,
    pub tokens: Vec<String>,
    pub credentials: Vec<Credential>,
    pub users: Vec<User>,
    /// Its VPCs, subnets and security groups besides the built-in ones, if it has any (most
    /// projects have none: 72 bytes saved in each).
    network: Option<Box<Network>>,
    /// How many instances it may hold (`DBS.200046` beyond).
    pub instance_quota: usize,
    /// Its enterprise projects' quotas, in the order they were first set.
    pub quotas: Vec<EpQuota>,
    /// Distinguishes this incarnation of the project from one it replaced, so that events
    /// queued for the old one are ignored.
    pub epoch: u64,
    /// Entered and removed through `insert_instance` and `remove_instance`, which keep
    /// `newest_instances` right. Boxed: an instance's fields are some 950 bytes, and a hash
    /// table's empty slots as large as that cost more than the instances.
    pub instances: HashMap<InstanceId, Box<Instance>>,
    /// The instances newest first (by creation, then id), as lists show them.
    newest_instances: BTreeSet<(Reverse<DateTime<Utc>>, InstanceId)>,
    /// Sharded maps grow without rehashing everything at once under the lock.
    /// Boxed: a hash table is up to half empty after it doubles, and empty slots of the size
    /// of a pointer cost far less than empty slots of the size of a backup.
    pub backups: Table<Box<StoredBackup>>,
    pub newest_first: Ordered<SortKey, BackupId>,
    /// Each instance's backups, as `newest_first` orders them.
    pub by_instance: HashMap<InstanceId, Ordered<SortKey, BackupId>>,
    /// Every job but those of backups the emulator made (whose job ids derive from their
    /// backup ids: [`JobId::is_derived_from`], counted by `derived_jobs`); private, so that
    /// only `insert_backup`, `remove_backup`, `insert_detached_job`, `insert_task` and
    /// `finish_task` change it, and `detached`, `tasks` and `derived_jobs` stay right.
    jobs: Sharded<JobId, JobEntry>,
    /// How many backups have a job derived from their ids (found through the backup, in no
    /// table: a create writes one hash table less, and a backup takes some 60 bytes less).
    derived_jobs: usize,
    /// The finished jobs of their own (of deleted backups, finished restores and creations,
    /// or from fixtures) by creation, for the newest jobs without looking at every job; these
    /// are the jobs the job history forgets.
    detached: BTreeSet<(DateTime<Utc>, JobId)>,
    /// The running restores and creations by creation; never forgotten while they run.
    tasks: BTreeSet<(DateTime<Utc>, JobId)>,
    /// How each building backup finishes and why each failed one failed (see
    /// [`StoredBackup`]).
    unfinished: HashMap<BackupId, Unfinished>,
    /// Each instance's backups' space and longest run (see [`Totals`]), kept as backups come,
    /// finish and go.
    totals: HashMap<InstanceId, Totals>,
    /// How many backups finish after reads; while none do, reads need no write lock.
    pub read_waiters: usize,
    /// When the oldest detached job is next looked at for forgetting, if an event is queued.
    pub forget_at: Option<DateTime<Utc>>,
}

impl Project {
    /// The project's VPCs, subnets and security groups: the built-in ones of its region, then
    /// its own.
    pub(super) fn whole_network(&self) -> Network {
        Network::builtin(region_of(&self.name)).and(self.own_network())
    }

    /// Its VPCs, subnets and security groups besides the built-in ones.
    pub(super) fn own_network(&self) -> &Network {
        static NONE: Network = Network::NONE;
        self.network.as_deref().unwrap_or(&NONE)
    }

    pub(super) fn new(seed: &ProjectSeed, epoch: u64) -> Self {
        Self {
            name: seed.name.as_str().into(),
            tokens: seed.tokens.clone(),
            credentials: seed.credentials.clone(),
            users: seed.users.clone(),
            network: (seed.network != Network::NONE).then(|| Box::new(seed.network.clone())),
            instance_quota: seed.quotas.instances,
            quotas: seed.quotas.enterprise_projects.clone(),
            epoch,
            instances: HashMap::default(),
            newest_instances: BTreeSet::new(),
            backups: Table::default(),
            newest_first: Ordered::default(),
            by_instance: HashMap::default(),
            jobs: Sharded::default(),
            derived_jobs: 0,
            detached: BTreeSet::new(),
            tasks: BTreeSet::new(),
            totals: HashMap::default(),
            unfinished: HashMap::default(),
            read_waiters: 0,
            forget_at: None,
        }
    }

    /// Enters an instance (replacing one of its id).
    pub(in crate::store) fn insert_instance(&mut self, instance: Instance) {
        self.remove_instance(&instance.id);
        self.newest_instances
            .insert((Reverse(instance.profile.created), instance.id.clone()));
        self.instances
            .insert(instance.id.clone(), Box::new(instance));
    }

    /// Removes an instance (not its backups).
    pub(in crate::store) fn remove_instance(&mut self, instance_id: &InstanceId) {
        if let Some(instance) = self.instances.remove(instance_id) {
            self.newest_instances
                .remove(&(Reverse(instance.profile.created), instance.id));
        }
    }

    /// The instances newest first (by creation, then id).
    pub(in crate::store) fn instances_newest_first(&self) -> impl Iterator<Item = &Instance> {
        self.newest_instances
            .iter()
            .filter_map(|(_, id)| self.instances.get(id).map(|i| &**i))
    }

    pub(super) fn insert_backup(
        &mut self,
        backup: Backup,
        seq: u64,
        completion: Completion,
        fail_reason: Option<Box<str>>,
    ) {
        let key = SortKey::new(backup.begin_time, seq);
        self.newest_first.insert(key, backup.id.clone());
        // Looked up before it is entered: an entry's key would be a clone of the instance's
        // id, whose count every worker's requests write.
        match self.by_instance.get_mut(&backup.instance_id) {
            Some(index) => {
                index.insert(key, backup.id.clone());
            }
            None => {
                let mut index = Ordered::default();
                index.insert(key, backup.id.clone());
                self.by_instance.insert(backup.instance_id.clone(), index);
            }
        }
        if backup.status == BackupStatus::Building
            && let Some(instance) = self.instances.get_mut(&backup.instance_id)
        {
            instance.building = Some(backup.id.clone());
        }
        if matches!(completion, Completion::AfterReads(_)) {
            self.read_waiters += 1;
        }
        if let Some(job_id) = backup.job_id {
            if has_derived_job(&backup) {
                self.derived_jobs += 1;
            } else {
                self.jobs
                    .insert(job_id, JobEntry::Backup(backup.id.clone()));
            }
        }
        change_totals(&mut self.totals, &backup, 0);
        if completion != Completion::Done || fail_reason.is_some() {
            let unfinished = Unfinished {
                completion: (completion != Completion::Done).then_some(completion),
                fail_reason,
            };
            self.unfinished.insert(backup.id.clone(), unfinished);
        }
        self.backups.insert(Box::new(StoredBackup { backup, seq }));
    }

    /// How a backup finishes: `Done` unless it is building.
    pub(super) fn completion(&self, id: &str) -> Completion {
        self.unfinished
            .get(id)
            .and_then(|u| u.completion)
            .unwrap_or(Completion::Done)
    }

    /// A building backup's bound failure, or why a failed one failed.
    pub(super) fn fail_reason(&self, id: &str) -> Option<&str> {
        self.unfinished.get(id)?.fail_reason.as_deref()
    }

    /// Removes a backup; its job, if any, lives on as a record of its own.
    pub(super) fn remove_backup(&mut self, backup_id: &str) -> Option<Backup> {
        let stored = self.backups.get(backup_id)?;
        let job = stored.backup.job_id.map(|id| (id, self.job_of(stored)));
        let stored = self.backups.remove(backup_id)?;
        if let Some((_, job)) = job {
            if has_derived_job(&stored.backup) {
                self.derived_jobs -= 1;
            }
            // In place of the backup's entry, if it had one.
            self.insert_detached_job(job);
        }
        if let Some(totals) = self.totals.get_mut(&stored.backup.instance_id) {
            totals.used_mb = totals
                .used_mb
                .saturating_sub(u64::from(stored.backup.size_mb));
        }
        let unfinished = self.unfinished.remove(backup_id);
        if let Some(Completion::AfterReads(_)) = unfinished.and_then(|u| u.completion) {
            self.read_waiters -= 1;
        }
        let key = stored.sort_key();
        self.newest_first.remove(&key);
        let backup = stored.backup;
        if let Some(index) = self.by_instance.get_mut(&backup.instance_id) {
            index.remove(&key);
            if index.is_empty() {
                self.by_instance.remove(&backup.instance_id);
            }
        }
        Some(backup)
    }

    /// Changes how a building backup will finish, keeping `read_waiters` right.
    pub(super) fn set_completion(&mut self, backup_id: &BackupId, completion: Completion) {
        if !self.backups.contains_key(backup_id.as_str()) {
            return;
        }
        let was = matches!(
            self.completion(backup_id.as_str()),
            Completion::AfterReads(_)
        );
        let is = matches!(completion, Completion::AfterReads(_));
        let done = completion == Completion::Done;
        match self.unfinished.get_mut(backup_id.as_str()) {
            Some(unfinished) => {
                unfinished.completion = (!done).then_some(completion);
                if done && unfinished.fail_reason.is_none() {
                    self.unfinished.remove(backup_id.as_str());
                }
            }
            None if !done => {
                let unfinished = Unfinished {
                    completion: Some(completion),
                    fail_reason: None,
                };
                self.unfinished.insert(backup_id.clone(), unfinished);
            }
            None => {}
        }
        match (was, is) {
            (true, false) => self.read_waiters -= 1,
            (false, true) => self.read_waiters += 1,
            _ => {}
        }
    }

    /// Finishes a building backup at `at` (with its job, and frees its instance), in the way
    /// `outcome` says: a failure makes it `FAILED`. Returns its new status and, for a finished
    /// automated backup while `automated_backups` run, when it expires; `None` if it is gone
    /// or not building. (Each map is looked up once: this runs for every backup.)
    pub(super) fn finish_backup(
        &mut self,
        backup_id: &BackupId,
        at: DateTime<Utc>,
        outcome: Outcome,
        automated_backups: bool,
    ) -> Option<(BackupStatus, Option<DateTime<Utc>>)> {
        let stored = self.backups.get_mut(backup_id)?;
        if stored.backup.status != BackupStatus::Building {
            return None;
        }
        // What only a building backup had goes; a failure's reason stays.
        let unfinished = self.unfinished.remove(backup_id.as_str());
        if let Some(Unfinished {
            completion: Some(Completion::AfterReads(_)),
            ..
        }) = unfinished
        {
            self.read_waiters -= 1;
        }
        let bound = unfinished.as_ref().and_then(|u| u.fail_reason.as_deref());
        let failure = outcome.failure(bound);
        let backup = &mut stored.backup;
        let size_before = backup.size_mb;
        backup.finish(at, failure.is_none());
        let status = backup.status;
        // The instance's id borrowed from the backup, not cloned (see `insert_backup`).
        let instance_id = &backup.instance_id;
        let instances = &mut self.instances;
        let expires = backup.expiry(automated_backups, || {
            instances.get(instance_id).map(|i| i.policy.retention())
        });
        if let Some(instance) = instances.get_mut(instance_id)
            && instance.building.as_ref() == Some(backup_id)
        {
            instance.building = None;
        }
        change_totals(&mut self.totals, backup, size_before);
        if let Some(reason) = failure {
            let failed = Unfinished {
                completion: None,
                fail_reason: Some(reason.into_boxed_str()),
            };
            self.unfinished.insert(backup_id.clone(), failed);
        }
        Some((status, expires))
    }

    /// An instance's stored backups in no particular order, found the cheaper way: through
    /// its index (a look-up each) when it holds few of the project's backups, else by one
    /// pass over them all (about twice as fast for a page of 100 000 of one instance:
    /// `bench/instance_backups.py`, `docs/benchmarks.md`).
    pub(super) fn stored_backups_of(&self, instance_id: &InstanceId) -> Vec<&StoredBackup> {
        let held = self
            .by_instance
            .get(instance_id)
            .map_or(0, |index| index.len());
        if held.saturating_mul(8) < self.backups.len() {
            self.by_instance
                .get(instance_id)
                .into_iter()
                .flat_map(|index| index.values())
                .filter_map(|id| self.backups.get(id))
                .map(|stored| &**stored)
                .collect()
        } else {
            let mut backups = Vec::with_capacity(held);
            backups.extend(
                self.backups
                    .values()
                    .map(|stored| &**stored)
                    .filter(|stored| stored.backup.instance_id == *instance_id),
            );
            backups
        }
    }

    /// An instance's backups, newest first (as the index orders them).
    pub(super) fn backups_of(&self, instance_id: &InstanceId) -> impl Iterator<Item = &Backup> {
        self.by_instance
            .get(instance_id)
            .into_iter()
            .flat_map(|index| index.values())
            .filter_map(|id| self.backups.get(id))
            .map(|stored| &stored.backup)
    }

    pub(super) fn view_backup(&self, id: &BackupId) -> Option<BackupView> {
        self.backups.get(id).map(|stored| BackupView {
            backup: stored.backup.clone(),
            instance_name: self
                .instances
                .get(&stored.backup.instance_id)
                .map(|i| i.name.clone())
                .unwrap_or_default(),
        })
    }

    /// An instance as answers show it, with its flavor of `catalog`.
    pub(super) fn view_instance(
        &self,
        project_id: &ProjectId,
        instance: &Instance,
        catalog: &Catalog,
    ) -> InstanceView {
        let backup_used_mb = self.totals.get(&instance.id).map_or(0, |t| t.used_mb);
        InstanceView {
            project_id: project_id.clone(),
            instance: instance.clone(),
            backup_used_mb,
            flavor: catalog.flavor(&instance.profile.flavor_ref).cloned(),
        }
    }

    /// Renders ids as list entries.
    pub(super) fn page(&self, ids: &[BackupId], total_count: usize) -> BackupPage {
        BackupPage {
            backups: ids.iter().filter_map(|id| self.view_backup(id)).collect(),
            total_count,
        }
    }
}

/// What an instance's backups add up to.
#[derive(Default, Clone, Copy)]
pub(super) struct Totals {
    /// Space used, in MB.
    pub used_mb: u64,
    /// The longest any of its backups ran (from its begin to its end), in microseconds: a
    /// backup that ended at `t` began at most this long before, so the backups that ended in a
    /// span are found among those that began in it or this long before ([`Project::history`]).
    /// Never shortened: a backup deleted leaves it as it was, which only widens the search.
    pub longest_micros: i64,
}

/// Counts `backup` (just stored or just finished, `size_before` MB until then) in its
/// instance's totals.
fn change_totals(totals: &mut HashMap<InstanceId, Totals>, backup: &Backup, size_before: u32) {
    // At most 20 000 years (fixtures' times have four-digit years), so that a time less it
    // stays within chrono's range.
    const AGES: i64 = 20_000 * 366 * 86_400 * 1_000_000;
    let ran = backup.end_time.map_or(0, |end| {
        (end - backup.begin_time)
            .num_microseconds()
            .map_or(AGES, |m| m.min(AGES))
    });
    let added = u64::from(backup.size_mb);
    // Looked up before it is entered (see `insert_backup`).
    let entry = match totals.get_mut(&backup.instance_id) {
        Some(entry) => entry,
        None => totals.entry(backup.instance_id.clone()).or_default(),
    };
    entry.used_mb = entry.used_mb.saturating_sub(u64::from(size_before)) + added;
    entry.longest_micros = entry.longest_micros.max(ran);
}

/// Whether a backup's job is the one derived from its id (found through the backup, not in
/// the project's table of jobs).
fn has_derived_job(backup: &Backup) -> bool {
    backup
        .job_id
        .is_some_and(|job| job.is_derived_from(&backup.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// glibc serves a request of up to 104 bytes from its 112-byte chunks and one of 105 to
    /// 120 from its 128-byte ones: a million stored backups differ by 16 MB across that line.
    #[test]
    fn a_stored_backup_stays_within_the_allocators_112_byte_chunks() {
        assert!(
            size_of::<StoredBackup>() <= 104,
            "{}",
            size_of::<StoredBackup>()
        );
    }
}
