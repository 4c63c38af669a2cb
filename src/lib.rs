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
//! Each module may use those of lower layers only; `tests/api/layers.rs` fails on an import
//! that goes up or sideways (tests and comments aside). Lowest first:
//!
//! | layer | modules |
//! | --- | --- |
//! | 0, leaves | [`error`] (the one error catalogue, API and IAM), [`clock`], [`faults`], [`journal`], [`signature`], [`slots`], [`tls`] |
//! | 1, rules | [`domain`]: backups, instances, jobs, policies, lifecycle modes, identities, ids, time |
//! | 2, starting state | [`fixtures`] (its file format and validation) |
//! | 3, state | [`store`]: one lock; each method a whole check-and-change; [`client_env`]: what a client needs to reach the emulator the fixtures describe |
//! | 4, access | [`auth`] (tokens and signatures), [`iam`] (Keystone's wire format) |
//! | 5, one emulator | [`emulator`]: [`Emulator`] and its [`Settings`] |
//! | 6, around it | [`http`] (the only axum importer), [`persist`] (the state file), [`ticker`] |
//! | 7, the command line | [`config`] (the only clap importer with `main.rs`), [`healthcheck`] |
//! | 8, wiring | this crate root: [`from_config`], [`run`] (starts and stops the ticker, the state writer and the server), [`spawn`] |
//!
//! # A request's way through
//!
//! Outermost first, as [`router`] stacks them: `pipeline::every` (the request id, then the
//! URI and header limits), the panic catcher (a panic becomes the API's 500 body) and the body
//! limit; then, on routed requests, `pipeline::routed`, whose steps are `record::stamp` (the
//! request's time and operation, read once), `inject::take` (the request fault that strikes
//! it, if any: `inject::apply` answers it before the rest, or after the handler committed),
//! `signed::verify` (AK/SK signatures, over the raw body), the control guard on
//! `/_emulator/…` (origin, host and token), the handler (extractors in check order:
//! credentials, then path, then body; one store call; one wire struct), and `record::finish`
//! (the journal, with the fault and whether the operation committed, the access log and a
//! wake-up for waiters); a connection fault is carried out by `server` (reset, close,
//! stall). The steps are functions called
//! in order rather than one layer each: every axum layer costs its own boxed future and
//! allocations on every request (three more layers cost 19 000 instructions per create).

pub mod auth;
pub mod client_env;
pub mod clock;
pub mod config;
pub mod domain;
pub mod emulator;
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

use crate::clock::{Clock, ClockMode, ManualClock, SystemClock};
use crate::config::Config;
use crate::domain::random_seed;
use crate::fixtures::Fixtures;
use crate::store::Lifecycle;

pub use crate::emulator::{ControlAccess, Emulator, Settings};
pub use crate::http::{router, serve};

/// The emulator the command line asks for: from its state file when there is one, else
/// from the fixtures. Fails on an unreadable fixtures or state file.
pub fn from_config(config: &Config) -> Result<Arc<Emulator>, String> {
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
    let mut settings = settings(config);
    settings.tls = crate::tls::Tls::configure(
        config.tls,
        &config.tls_hostnames,
        config.tls_cert.as_deref(),
        config.tls_key.as_deref(),
        config.tls_ca_out.as_deref(),
        // Clients check a certificate against their own clocks, not the emulator's.
        SystemClock::wall(),
    )?
    .map(Arc::new);
    // Without a seed the emulator draws one (`Emulator::new`); one that cannot stops here,
    // with the reason. The seed stays unset: a given seed is one that repeats itself from
    // start to start, and the ids it hands out are checked against those held.
    if settings.seed.is_none() {
        random_seed()?;
    }
    if let Some(r) = &restored {
        settings.lifecycle = r.lifecycle;
    }
    let emulator = Emulator::new(&fixtures, clock, settings);
    if let Some(r) = restored {
        let path = config
            .state_file
            .as_deref()
            .unwrap_or_else(|| std::path::Path::new(""));
        let state = Fixtures::to_apply(r.fixtures).map_err(|e| {
            format!(
                "state file {} cannot be used ({e}); it was left as it is",
                path.display()
            )
        })?;
        emulator.store.replace_all(&state, emulator.clock.now());
    }
    Ok(emulator)
}

/// The settings the command line asks for.
fn settings(config: &Config) -> Settings {
    Settings {
        auth: config.auth,
        lifecycle: Lifecycle {
            mode: config.lifecycle,
            backup_duration: TimeDelta::from_std(config.backup_duration).unwrap_or(TimeDelta::MAX),
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
        control: ControlAccess {
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
