//! One emulator: its state, clock, settings and control plane, shared by the HTTP layer, the
//! ticker and the state writer. Built by the crate root from a configuration, or directly by
//! tests.

use std::sync::Arc;

use chrono::TimeDelta;

use crate::auth::AuthMode;
use crate::clock::Clock;
use crate::domain::{IdSource, RequestIds, random_seed};
use crate::faults::Faults;
use crate::fixtures::Fixtures;
use crate::journal::Journal;
use crate::slots;
use crate::store::{Lifecycle, Store};

/// Who may reach the control plane (the HTTP layer's guard applies it).
#[derive(Debug, Clone, Default)]
pub struct ControlAccess {
    /// Whether the control plane and the dashboard are served at all.
    pub disabled: bool,
    /// The token every control request must present, if any.
    pub token: Option<String>,
    /// Host names answered besides loopback names, IP addresses and the bound host; `*` is
    /// any.
    pub allowed_hosts: Vec<String>,
    /// The host the emulator was told to listen on.
    pub listen_host: String,
}

/// The settings that shape how requests are answered.
#[derive(Debug, Clone)]
pub struct Settings {
    pub auth: AuthMode,
    /// How backups move through time.
    pub lifecycle: Lifecycle,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Makes backup, job and request ids a deterministic sequence; `None` draws a seed from
    /// the operating system (or, if it has no randomness, uses a fixed one).
    pub seed: Option<u64>,
    /// How many requests the journal keeps.
    pub journal_size: usize,
    /// How long a client may take to send a request's headers, and then its body.
    pub header_timeout: std::time::Duration,
    pub body_timeout: std::time::Duration,
    /// The most backups one project may hold.
    pub max_backups_per_project: usize,
    /// How long the job of a deleted backup stays, from its creation, in emulator time.
    pub job_retention: TimeDelta,
    /// The most finished jobs of deleted backups, restores and instance creations one project
    /// keeps.
    pub max_jobs_per_project: usize,
    /// Who may use the control plane.
    pub control: ControlAccess,
    /// The most connections open at once; past it the oldest idle one is closed, or the new
    /// one is answered 503 when none is idle.
    pub max_connections: usize,
    /// The most event streams (`/_emulator/events`) open at once.
    pub max_event_streams: usize,
    /// The most long-poll waits (`/_emulator/backups/{id}/wait`) at once.
    pub max_waiters: usize,
    /// HTTPS, when set: the server's certificate and what clients trust.
    pub tls: Option<Arc<crate::tls::Tls>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            auth: AuthMode::Loose,
            lifecycle: Lifecycle::default(),
            max_body_bytes: 64 * 1024,
            seed: None,
            journal_size: 1000,
            header_timeout: std::time::Duration::from_secs(10),
            body_timeout: std::time::Duration::from_secs(10),
            max_backups_per_project: 100_000,
            job_retention: TimeDelta::days(7),
            max_jobs_per_project: 10_000,
            control: ControlAccess {
                listen_host: "127.0.0.1".to_owned(),
                ..Default::default()
            },
            max_connections: 512,
            max_event_streams: 32,
            max_waiters: 256,
            tls: None,
        }
    }
}

/// One emulator: its state, its clock, its settings and its control plane.
pub struct Emulator {
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    pub faults: Faults,
    pub journal: Journal,
    /// Where request ids come from (seeded with `--seed`).
    pub request_ids: RequestIds,
    /// Woken whenever state may have changed, for those waiting on a backup.
    pub changes: tokio::sync::Notify,
    /// Signalled whenever state may have changed, for the state-file writer.
    pub persist: tokio::sync::Notify,
    /// How many requests wait on `changes` now.
    pub waiters: std::sync::atomic::AtomicUsize,
    /// Whether a state-file writer runs.
    pub persisting: std::sync::atomic::AtomicBool,
    /// Why the last save of the state file failed, while it has not succeeded since; shown by
    /// `/_emulator/health`.
    pub save_failure: parking_lot::Mutex<Option<String>>,
    /// Places for event streams and for long-poll waits.
    pub event_streams: slots::Slots,
    pub long_polls: slots::Slots,
    /// Becomes `true` when the server stops, so that endless responses (event streams) end.
    pub stopping: tokio::sync::watch::Sender<bool>,
}

impl Emulator {
    /// An emulator starting from `fixtures`.
    pub fn new(fixtures: &Fixtures, clock: Arc<dyn Clock>, settings: Settings) -> Arc<Self> {
        let (seed, ids) = match settings.seed {
            Some(seed) => (seed, IdSource::given(seed)),
            None => {
                let seed = random_seed().unwrap_or(0x7a75_7275_7364_6200);
                (seed, IdSource::new(seed))
            }
        };
        let store = Store::new(fixtures, clock.now(), settings.lifecycle, ids);
        store.set_backup_quota(settings.max_backups_per_project);
        store.set_job_history(settings.job_retention, settings.max_jobs_per_project);
        Arc::new(Self {
            store: Arc::new(store),
            journal: Journal::new(settings.journal_size),
            request_ids: RequestIds::new(seed ^ 0x5eed_0f4e_91e5_7000),
            faults: Faults::new(seed),
            changes: tokio::sync::Notify::new(),
            persist: tokio::sync::Notify::new(),
            waiters: std::sync::atomic::AtomicUsize::new(0),
            persisting: std::sync::atomic::AtomicBool::new(false),
            save_failure: parking_lot::Mutex::new(None),
            event_streams: slots::Slots::new(settings.max_event_streams),
            long_polls: slots::Slots::new(settings.max_waiters),
            stopping: tokio::sync::watch::Sender::new(false),
            clock,
            settings,
        })
    }

    /// Something may have changed: wakes waiters and the state-file writer, if any.
    pub fn changed(&self) {
        if self.waiters.load(std::sync::atomic::Ordering::Relaxed) > 0 {
            self.changes.notify_waiters();
        }
        if self.persisting.load(std::sync::atomic::Ordering::Relaxed) {
            self.persist.notify_one();
        }
    }
}
