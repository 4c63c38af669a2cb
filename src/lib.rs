//! taurusdb-emulator: a local, in-memory emulator of the Open Telekom Cloud TaurusDB
//! (GaussDB for MySQL) backup API.
//!
//! [`Emulator`] holds the state and settings of one emulator; [`router`] serves it over HTTP.
//! `main.rs` and the tests build both the same way, so each test runs its own emulator:
//!
//! ```
//! use std::sync::Arc;
//! use axum::body::Body;
//! use axum::http::Request;
//! use taurusdb_emulator::clock::ManualClock;
//! use taurusdb_emulator::fixtures::Fixtures;
//! use taurusdb_emulator::{Emulator, Settings, router};
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let clock = Arc::new(ManualClock::new("2026-04-24T10:19:57Z".parse().unwrap()));
//! let emulator = Emulator::new(&Fixtures::builtin(), clock, Settings::default());
//! let create = Request::post("/v3/619d3e78f61b4be68bc5aa0b59edcf7b/backups/create")
//!     .header("x-auth-token", "any-token")
//!     .header("content-type", "application/json")
//!     .body(Body::from(r#"{"instance_id": "07033b125fd94a8a96896f8bcfee6ddain07", "name": "backup-1"}"#))
//!     .unwrap();
//! let response = router(emulator.clone()).oneshot(create).await.unwrap();
//! assert_eq!(response.status(), 201);
//! # }
//! ```
//!
//! # Layers
//!
//! Each module may use those below it, never those above (`cargo doc` draws this map; the
//! modules' own docs say what each owns):
//!
//! | layer | modules | knows of |
//! | --- | --- | --- |
//! | process | `main.rs` | clap, tracing's subscriber, everything below |
//! | wiring | this crate root ([`Emulator`], [`Settings`], [`run`], [`spawn`]), [`config`], [`persist`], [`ticker`], [`healthcheck`], [`tls`] | the layers below |
//! | HTTP | [`http`] (the only axum importer) | everything below |
//! | access | [`auth`], [`signature`], [`iam`] | store, domain, errors |
//! | state | [`store`] (one lock; each method a whole check-and-change), [`faults`], [`journal`], [`slots`] | domain, errors |
//! | rules | [`domain`] (backups, instances, jobs, policies, ids, time), [`fixtures`] (the starting state's file format), [`clock`] | errors |
//! | errors | [`error`] (the API's one catalogue) | nothing |
//!
//! Where the code still imports the wrong way (to be moved, not copied): [`auth`] and the
//! IAM handlers take `AuthMode` from [`config`]; [`clock`] derives clap's `ValueEnum`;
//! [`config`] reads the store's lifecycle mode and the fixtures' time format; the store
//! returns [`iam`]'s errors, a second catalogue beside [`error`].
//!
//! # A request's way through
//!
//! Outermost first, as [`router`] stacks them: `request_id::assign` (the request id),
//! `limits::enforce` (URI and header sizes), the panic catcher (a panic becomes the API's 500
//! body) and the body limit; then, on routed requests, `record` (the request's time and
//! operation, read once; afterwards the journal, the access log and a wake-up for waiters),
//! `inject` (request faults), `signed::verify` (AK/SK signatures, over the raw body), the
//! control guard on `/_emulator/…` (origin, host and token), and the handler: extractors in
//! check order (credentials, then path, then body), one store call, one wire struct.

pub mod auth;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod faults;
pub mod fixtures;
pub mod healthcheck;
pub mod http;
pub mod iam;
pub mod journal;
pub mod persist;
pub mod signature;
pub mod slots;
pub mod store;
pub mod ticker;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::TimeDelta;

use crate::auth::AuthMode;
use crate::clock::{Clock, ClockMode, ManualClock, SystemClock};
use crate::config::Config;
use crate::domain::{IdSource, random_seed};
use crate::faults::Faults;
use crate::fixtures::Fixtures;
use crate::journal::Journal;
use crate::store::{Lifecycle, Store};

pub use crate::http::{router, serve};

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
    /// The most jobs of deleted backups one project keeps.
    pub max_jobs_per_project: usize,
    /// Who may use the control plane.
    pub control: crate::http::guard::ControlAccess,
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
            control: crate::http::guard::ControlAccess {
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

impl Settings {
    /// How request bodies are read: at most `max_body_bytes`, within `body_timeout`.
    pub fn body_rules(&self) -> crate::http::BodyRules {
        crate::http::BodyRules {
            limit: self.max_body_bytes,
            timeout: self.body_timeout,
        }
    }

    pub fn from_config(config: &Config) -> Self {
        Self {
            auth: config.auth,
            lifecycle: Lifecycle {
                mode: config.lifecycle,
                backup_duration: TimeDelta::from_std(config.backup_duration)
                    .unwrap_or(TimeDelta::MAX),
                automated_backups: config.automated_backups,
            },
            max_body_bytes: config.max_body_bytes,
            seed: config.seed,
            journal_size: config.journal_size,
            header_timeout: config.request_timeout,
            body_timeout: config.request_timeout,
            max_backups_per_project: config.max_backups_per_project,
            job_retention: TimeDelta::from_std(config.job_retention).unwrap_or(TimeDelta::MAX),
            max_jobs_per_project: config.max_jobs_per_project,
            control: crate::http::guard::ControlAccess {
                disabled: config.control_plane == config::Switch::Off,
                token: config.control_token.clone().filter(|t| !t.is_empty()),
                allowed_hosts: config.allowed_hosts.clone(),
                listen_host: config.host.clone(),
            },
            max_connections: config.max_connections,
            max_event_streams: config.max_event_streams,
            max_waiters: config.max_waiters,
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
    pub request_ids: parking_lot::Mutex<IdSource>,
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
        let seed = settings
            .seed
            .unwrap_or_else(|| random_seed().unwrap_or(0x7a75_7275_7364_6200));
        let store = Store::new(
            fixtures,
            clock.now(),
            settings.lifecycle,
            IdSource::new(seed),
        );
        store.set_backup_quota(settings.max_backups_per_project);
        store.set_job_history(settings.job_retention, settings.max_jobs_per_project);
        Arc::new(Self {
            store: Arc::new(store),
            journal: Journal::new(settings.journal_size),
            request_ids: parking_lot::Mutex::new(IdSource::new(seed ^ 0x5eed_0f4e_91e5_7000)),
            faults: Faults::default(),
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

    /// The emulator the command line asks for: from its state file when there is one, else
    /// from the fixtures. Fails on an unreadable fixtures or state file.
    pub fn from_config(config: &Config) -> Result<Arc<Self>, String> {
        let fixtures = match &config.fixtures {
            Some(path) => Fixtures::load(path)?,
            None => Fixtures::builtin(),
        };
        let restored = match &config.state_file {
            Some(path) => persist::load(path)?,
            None => None,
        };
        if restored.is_some() && config.start_time.is_some() {
            return Err("--start-time cannot apply: the state file holds the clock".into());
        }
        let clock: Arc<dyn Clock> = match (config.clock, config.start_time, &restored) {
            (ClockMode::Real, Some(_), _) => {
                return Err("--start-time needs --clock manual: a real clock starts now".into());
            }
            (ClockMode::Real, None, Some(r)) if r.clock_mode == ClockMode::Real => {
                Arc::new(SystemClock::with_offset(r.offset))
            }
            (ClockMode::Real, None, _) => Arc::new(SystemClock::new()),
            (ClockMode::Manual, _, Some(r)) => Arc::new(ManualClock::new(r.now)),
            (ClockMode::Manual, start, None) => {
                Arc::new(ManualClock::new(start.unwrap_or_else(SystemClock::wall)))
            }
        };
        let mut settings = Settings::from_config(config);
        settings.tls = crate::tls::Tls::from_config(config)?.map(Arc::new);
        if settings.seed.is_none() {
            settings.seed = Some(random_seed()?);
        }
        if let Some(r) = &restored {
            settings.lifecycle = r.lifecycle;
        }
        let emulator = Self::new(&fixtures, clock, settings);
        if let Some(r) = restored {
            let path = config
                .state_file
                .as_deref()
                .unwrap_or_else(|| std::path::Path::new(""));
            let state = Fixtures::from_file(r.fixtures).map_err(|e| {
                format!(
                    "state file {} cannot be used ({e}); it was left as it is",
                    path.display()
                )
            })?;
            emulator.store.replace_all(&state, emulator.clock.now());
        }
        Ok(emulator)
    }
}

/// Runs `emulator` on `listener` until `shutdown` resolves. The one place that starts what
/// an emulator runs: the ticker, the state writer (with a `state_file`) and the server; and
/// that stops them in order: the server (requests in flight finish), the ticker, the writer,
/// then a last save. Returns whether that save succeeded (`true` without a state file).
pub async fn run(
    listener: tokio::net::TcpListener,
    emulator: Arc<Emulator>,
    state_file: Option<&std::path::Path>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<bool> {
    let ticker = ticker::spawn_ticker(emulator.clone(), ticker::TICK);
    let writer = state_file.map(|path| persist::spawn_writer(emulator.clone(), path.to_owned()));
    let served = serve(listener, emulator.clone(), shutdown).await;
    ticker.abort();
    let saved = match (writer, state_file) {
        (Some(writer), Some(path)) => {
            writer.abort();
            persist::save_and_report(&emulator, path, &mut None)
        }
        _ => true,
    };
    served.map(|()| saved)
}

/// Starts `emulator` on 127.0.0.1 with a port the OS picks, in the background; returns the
/// bound address. For tests.
pub async fn spawn(emulator: Arc<Emulator>) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(run(listener, emulator, None, std::future::pending()));
    Ok(addr)
}
