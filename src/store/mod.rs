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

mod backups;
mod completion;
mod control;
mod failures;
mod iam;
mod instance_changes;
mod instances;
mod ordered;
mod pages;
mod project;
mod proxies;
mod quotas;
mod sharded;
mod snapshot;
mod state;
mod tasks;
mod views;

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub use self::backups::Created;
pub use self::completion::Completion;
pub use self::failures::{FailureRule, FailureTarget};
pub use self::pages::{BackupCursor, JobCursor, PAGE, ProjectHead, walk_pages};
pub use self::proxies::NewProxy;
pub use self::quotas::QuotaView;
pub use self::snapshot::Snapshot;
pub use self::state::MAX_ISSUED_TOKENS;
use self::state::State;
pub use self::tasks::INSTANCE_QUOTA;
pub use self::views::{
    BackupHistory, BackupPage, BackupState, BackupView, InstancePage, InstanceView, ProjectState,
};
use crate::domain::catalog::Catalog;
use crate::domain::{IdSource, InstanceId, ProjectId};
use crate::fixtures::{Fixtures, FixturesText};

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
    /// What a reset returns to, read again on each reset.
    initial: FixturesText,
    initial_lifecycle: Lifecycle,
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
        state.catalog = Arc::new(fixtures.catalog.over(&Catalog::default()));
        for seed in &fixtures.projects {
            state.load_project(seed, now);
        }
        Self {
            state: RwLock::new(state),
            generation: std::sync::atomic::AtomicU64::new(0),
            initial: fixtures.text.clone(),
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

    /// The catalogue: what flavors, engine versions and templates the service offers.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.read().catalog.clone()
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
}
