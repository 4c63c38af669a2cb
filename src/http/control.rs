//! Emulator-only endpoints under `/_emulator/`: state, time, one backup at a time, failures,
//! the request journal, waiting, and the OpenAPI document. Never under `/v3/`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::respond::{json, streamed_json};
use super::routes::Operation;
use super::wire::{BackupItem, InstanceListItem, JobResponse};
use crate::domain::time::format_api_time;
use crate::domain::time::parse_duration;
use crate::domain::{BackupStatus, InstanceId, ProjectId};
use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::faults::{InjectedError, RequestFault};
use crate::fixtures::{Fixtures, file::FixturesFile};
use crate::journal::JournalEntry;
use crate::store::{
    Completion, FailureRule, Lifecycle, LifecycleMode, Snapshot, Transition, walk_pages,
};

fn bad(detail: impl Into<String>) -> ApiError {
    ApiError::ControlParameter(detail.into())
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

/// `GET /_emulator/health` → `200 {"status": "ok"}` once requests are served; `503
/// {"status": "failing", "problem"}` while the state file cannot be written, so that a health
/// check does not call an emulator that is losing its data healthy.
pub(super) async fn health(State(emulator): State<Arc<Emulator>>) -> Response {
    match emulator.save_failure.lock().clone() {
        None => json(
            StatusCode::OK,
            &Health {
                status: "ok",
                problem: None,
            },
        ),
        Some(problem) => json(
            StatusCode::SERVICE_UNAVAILABLE,
            &Health {
                status: "failing",
                problem: Some(problem),
            },
        ),
    }
}

/// `GET /_emulator/tls/ca.pem`: the certificate a client trusts to reach this emulator over
/// HTTPS (the CA made at start, or the `--tls-cert` chain); 404 when it serves plain HTTP.
pub(super) async fn tls_ca(State(emulator): State<Arc<Emulator>>) -> Result<Response, ApiError> {
    let tls = emulator.settings.tls.as_ref().ok_or(ApiError::NoTls)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
        tls.ca_pem.clone(),
    )
        .into_response())
}

/// The OpenAPI document of the emulated and the control API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// `GET /_emulator/openapi.json`.
pub(super) async fn openapi() -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            super::respond::JSON_CONTENT_TYPE,
        )],
        OPENAPI,
    )
        .into_response()
}

#[derive(Deserialize)]
pub(super) struct ProjectParam {
    project_id: Option<String>,
}

impl ProjectParam {
    pub(super) fn project(&self) -> Option<ProjectId> {
        self.project_id
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(ProjectId::from_path)
    }
}

// --- state ----------------------------------------------------------------------------------

/// The state as `/_emulator/state` and the dashboard show it.
#[derive(Serialize)]
pub(super) struct StateBody {
    now: String,
    clock: &'static str,
    lifecycle: LifecycleBody,
    projects: Vec<ProjectStateBody>,
}

#[derive(Serialize)]
struct ProjectStateBody {
    id: String,
    name: String,
    tokens: Vec<String>,
    instances: Vec<InstanceListItem>,
    instance_count: usize,
    backups: Vec<BackupStateBody>,
    backup_count: usize,
    jobs: Vec<serde_json::Value>,
    job_count: usize,
}

#[derive(Serialize)]
struct BackupStateBody {
    #[serde(flatten)]
    backup: BackupItem,
    /// How a building backup finishes: `at <time>`, `on advance at <time>`, `after N reads`,
    /// `held`; `null` once finished.
    finishes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_reason: Option<String>,
}

fn describe(completion: Completion) -> Option<String> {
    match completion {
        Completion::Done => None,
        Completion::At(t) => Some(format!("at {}", format_api_time(t))),
        Completion::OnAdvance(t) => Some(format!("on advance at {}", format_api_time(t))),
        Completion::AfterReads(n) => Some(format!("after {n} reads")),
        Completion::Held => Some("held".to_owned()),
    }
}

/// Every project (or one) with its first `limit` instances and its newest `limit` backups and
/// jobs (both newest first), as the dashboard's events show them. The whole state is written
/// page by page instead ([`StateDoc`]).
pub(super) fn state_body(
    emulator: &Emulator,
    project: Option<&ProjectId>,
    limit: usize,
) -> StateBody {
    let now = emulator.clock.now();
    let projects = emulator.store.state_view(project, now, Some(limit));
    StateBody {
        now: format_api_time(now),
        clock: emulator.clock.mode().as_str(),
        lifecycle: LifecycleBody::from(emulator.store.lifecycle()),
        projects: projects
            .into_iter()
            .map(|p| ProjectStateBody {
                id: p.id.to_string(),
                name: p.name,
                tokens: p.tokens,
                instances: p
                    .instances
                    .into_iter()
                    .map(InstanceListItem::from)
                    .collect(),
                instance_count: p.instance_count,
                backups: p.backups.into_iter().map(backup_state_body).collect(),
                backup_count: p.backup_count,
                jobs: p
                    .jobs
                    .into_iter()
                    .map(|j| serde_json::to_value(JobResponse::from(j).job).unwrap_or_default())
                    .collect(),
                job_count: p.job_count,
            })
            .collect(),
    }
}

/// `GET /_emulator/state[?project_id=]`: every project (or one) with its instances, backups
/// and jobs, as the API shows them, plus how each building backup will finish. Written out as
/// it is read, a page at a time, so that a store of any size costs a page of memory.
pub(super) async fn state(
    State(emulator): State<Arc<Emulator>>,
    ApiQuery(param): ApiQuery<ProjectParam>,
) -> Response {
    let now = emulator.clock.now();
    let projects = emulator.store.project_list(param.project().as_ref());
    let timeout = emulator.settings.body_timeout;
    streamed_json(
        StatusCode::OK,
        StateDoc {
            emulator,
            projects,
            now,
        },
        timeout,
    )
}

/// The whole state, as [`StateBody`] writes it, read page by page.
struct StateDoc {
    emulator: Arc<Emulator>,
    projects: Vec<ProjectId>,
    now: DateTime<Utc>,
}

impl Serialize for StateDoc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("StateBody", 4)?;
        s.serialize_field("now", &format_api_time(self.now))?;
        s.serialize_field("clock", self.emulator.clock.mode().as_str())?;
        s.serialize_field(
            "lifecycle",
            &LifecycleBody::from(self.emulator.store.lifecycle()),
        )?;
        s.serialize_field("projects", &ProjectStates(self))?;
        s.end()
    }
}

struct ProjectStates<'a>(&'a StateDoc);

impl Serialize for ProjectStates<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let store = &self.0.emulator.store;
        let mut seq = serializer.serialize_seq(None)?;
        for id in &self.0.projects {
            if let Some(head) = store.project_head(id, self.0.now) {
                seq.serialize_element(&ProjectStateDoc { store, id, head })?;
            }
        }
        seq.end()
    }
}

/// One project of the state, as [`ProjectStateBody`] writes it.
struct ProjectStateDoc<'a> {
    store: &'a crate::store::Store,
    id: &'a ProjectId,
    head: crate::store::ProjectHead,
}

impl Serialize for ProjectStateDoc<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Backups<'a>(&'a ProjectStateDoc<'a>);
        impl Serialize for Backups<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let p = self.0;
                let mut seq = serializer.serialize_seq(None)?;
                walk_pages(
                    |after| p.store.backup_page(p.id, p.head.epoch, after),
                    |b| seq.serialize_element(&backup_state_body(b)),
                )?;
                seq.end()
            }
        }
        struct Jobs<'a>(&'a ProjectStateDoc<'a>);
        impl Serialize for Jobs<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let p = self.0;
                let mut seq = serializer.serialize_seq(None)?;
                walk_pages(
                    |after| p.store.job_page(p.id, p.head.epoch, after),
                    |j| seq.serialize_element(&JobResponse::from(j).job),
                )?;
                seq.end()
            }
        }
        let h = &self.head;
        let mut s = serializer.serialize_struct("ProjectStateBody", 9)?;
        s.serialize_field("id", self.id.as_str())?;
        s.serialize_field("name", &h.name)?;
        s.serialize_field("tokens", &h.tokens)?;
        let instances: Vec<InstanceListItem> = h
            .instances
            .iter()
            .cloned()
            .map(InstanceListItem::from)
            .collect();
        s.serialize_field("instances", &instances)?;
        s.serialize_field("instance_count", &h.instances.len())?;
        s.serialize_field("backups", &Backups(self))?;
        s.serialize_field("backup_count", &self.store.project_counts(self.id).0)?;
        s.serialize_field("jobs", &Jobs(self))?;
        s.serialize_field("job_count", &self.store.project_counts(self.id).1)?;
        s.end()
    }
}

/// A backup of the state view.
fn backup_state_body(b: crate::store::BackupState) -> BackupStateBody {
    BackupStateBody {
        backup: BackupItem::from(b.view),
        finishes: describe(b.completion),
        fail_reason: b.fail_reason,
    }
}

#[derive(Serialize)]
struct Done {
    status: &'static str,
}

/// `POST /_emulator/reset[?project_id=]`: back to the starting fixtures — one project, or
/// everything (projects, lifecycle, backup failure rules and request faults).
pub(super) async fn reset(
    State(emulator): State<Arc<Emulator>>,
    ApiQuery(param): ApiQuery<ProjectParam>,
) -> Response {
    let project = param.project();
    emulator.store.reset(project.as_ref(), emulator.clock.now());
    if project.is_none() {
        emulator.faults.clear();
    }
    json(StatusCode::OK, &Done { status: "reset" })
}

#[derive(Serialize)]
struct Loaded {
    projects: Vec<String>,
}

/// `POST /_emulator/fixtures`: adds the document's projects, each replacing any project of the
/// same id whole (same format as `--fixtures`).
pub(super) async fn fixtures(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(file): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    let file: FixturesFile = serde_json::from_value(file).map_err(|e| bad(e.to_string()))?;
    let fixtures = Fixtures::from_file(file).map_err(bad)?;
    emulator
        .store
        .apply_fixtures(&fixtures, emulator.clock.now())
        .map_err(bad)?;
    Ok(json(
        StatusCode::OK,
        &Loaded {
            projects: fixtures.projects.iter().map(|p| p.id.to_string()).collect(),
        },
    ))
}

/// `GET /_emulator/snapshot[?project_id=]`: the state as a fixtures document; posting it to
/// `/_emulator/fixtures` restores it.
pub(super) async fn snapshot(
    State(emulator): State<Arc<Emulator>>,
    ApiQuery(param): ApiQuery<ProjectParam>,
) -> Response {
    let snapshot = Snapshot::new(emulator.store.clone(), param.project().as_ref());
    streamed_json(StatusCode::OK, snapshot, emulator.settings.body_timeout)
}

// --- time -----------------------------------------------------------------------------------

#[derive(Serialize)]
struct ClockState {
    now: String,
    mode: &'static str,
}

/// `GET /_emulator/clock` → `{"now", "mode"}`.
pub(super) async fn clock(State(emulator): State<Arc<Emulator>>) -> Response {
    json(
        StatusCode::OK,
        &ClockState {
            now: format_api_time(emulator.clock.now()),
            mode: emulator.clock.mode().as_str(),
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AdvanceBody {
    seconds: f64,
}

#[derive(Serialize)]
struct Advanced {
    now: String,
    mode: &'static str,
    /// What happened because of this advance, in the order it happened: the first
    /// [`MAX_LISTED_TRANSITIONS`].
    transitions: Vec<TransitionItem>,
    /// How many transitions there were in all.
    transition_count: usize,
}

#[derive(Serialize)]
struct TransitionItem {
    project_id: String,
    backup_id: String,
    /// `started`, `completed`, `failed` or `expired`.
    event: &'static str,
    at: String,
}

impl From<Transition> for TransitionItem {
    fn from(t: Transition) -> Self {
        Self {
            project_id: t.project_id.to_string(),
            backup_id: t.backup_id.to_string(),
            event: t.kind.as_str(),
            at: format_api_time(t.at),
        }
    }
}

/// The longest single advance: ten years.
const MAX_ADVANCE_SECONDS: f64 = 10.0 * 365.0 * 24.0 * 3600.0;

/// An advance moves the clock this far at a time, applying what is due under the store's lock
/// for each step only, so that other requests go on meanwhile.
const ADVANCE_STEP: TimeDelta = TimeDelta::hours(6);

/// The most transitions an advance's answer lists; `transition_count` counts them all.
const MAX_LISTED_TRANSITIONS: usize = 1000;

/// `POST /_emulator/clock/advance {"seconds": N}`: moves the clock forward by N seconds (in
/// either clock mode) and applies everything due by then before answering. Refused, changing
/// nothing, past 9999-12-31T23:59:59+0000, the last time the API's format can write.
pub(super) async fn advance(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(body): ApiJson<AdvanceBody>,
) -> Result<Response, ApiError> {
    if !(body.seconds.is_finite() && (0.0..=MAX_ADVANCE_SECONDS).contains(&body.seconds)) {
        return Err(bad(format!(
            "seconds must be a number from 0 to {MAX_ADVANCE_SECONDS}"
        )));
    }
    let by = TimeDelta::milliseconds((body.seconds * 1000.0).round() as i64);
    let target = emulator.clock.now().checked_add_signed(by);
    if target.is_none_or(|t| t > crate::clock::LATEST) {
        return Err(bad(crate::clock::OutOfRange.to_string()));
    }
    let mut listed = Vec::new();
    let mut count = 0;
    let mut left = by;
    let now = loop {
        let step = left.min(ADVANCE_STEP);
        let now = emulator
            .clock
            .advance(step)
            .map_err(|e| bad(e.to_string()))?;
        let transitions = emulator.store.advance_to(now);
        count += transitions.len();
        let room = MAX_LISTED_TRANSITIONS - listed.len();
        listed.extend(transitions.into_iter().take(room).map(TransitionItem::from));
        left -= step;
        if left <= TimeDelta::zero() {
            break now;
        }
        tokio::task::yield_now().await;
    };
    Ok(json(
        StatusCode::OK,
        &Advanced {
            now: format_api_time(now),
            mode: emulator.clock.mode().as_str(),
            transitions: listed,
            transition_count: count,
        },
    ))
}

#[derive(Serialize)]
struct LifecycleBody {
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reads: Option<u32>,
    backup_duration: String,
    automated_backups: bool,
}

impl From<Lifecycle> for LifecycleBody {
    fn from(l: Lifecycle) -> Self {
        let (mode, reads) = l.mode.parts();
        Self {
            mode,
            reads,
            backup_duration: format!("{}ms", l.backup_duration.num_milliseconds()),
            automated_backups: l.automated_backups,
        }
    }
}

/// `GET /_emulator/lifecycle`.
pub(super) async fn lifecycle(State(emulator): State<Arc<Emulator>>) -> Response {
    json(
        StatusCode::OK,
        &LifecycleBody::from(emulator.store.lifecycle()),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LifecycleUpdate {
    mode: Option<String>,
    reads: Option<u32>,
    backup_duration: Option<String>,
    automated_backups: Option<bool>,
}

/// `PUT /_emulator/lifecycle {"mode", "reads", "backup_duration", "automated_backups"}`: any
/// of them; applies to backups started from now on.
pub(super) async fn set_lifecycle(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(update): ApiJson<LifecycleUpdate>,
) -> Result<Response, ApiError> {
    let mut lifecycle = emulator.store.lifecycle();
    if let Some(mode) = update.mode.as_deref() {
        lifecycle.mode = LifecycleMode::from_parts(mode, update.reads).map_err(bad)?;
    } else if update.reads.is_some() {
        return Err(bad("\"reads\" goes only with mode reads"));
    }
    if let Some(d) = update.backup_duration.as_deref() {
        let d = parse_duration(d).map_err(bad)?;
        lifecycle.backup_duration = TimeDelta::from_std(d).map_err(|e| bad(e.to_string()))?;
    }
    if let Some(a) = update.automated_backups {
        lifecycle.automated_backups = a;
    }
    emulator
        .store
        .set_lifecycle(lifecycle, emulator.clock.now());
    Ok(json(StatusCode::OK, &LifecycleBody::from(lifecycle)))
}

// --- one backup at a time -------------------------------------------------------------------

#[derive(Serialize)]
struct CommandDone {
    backup_id: String,
    status: &'static str,
}

/// `POST /_emulator/backups/{backup_id}/complete`: a building backup completes now.
pub(super) async fn complete(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(backup_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let t = emulator
        .store
        .complete_backup(&backup_id, emulator.clock.now())?;
    Ok(command_done(t))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct FailBody {
    reason: Option<String>,
}

/// The failure reason when none is given.
const DEFAULT_FAIL_REASON: &str = "Backup failed.";

/// `POST /_emulator/backups/{backup_id}/fail [{"reason"}]`: a building backup fails now; its
/// job is `Failed` with `fail_reason`, its instance `ACTIVE` again. The body is optional.
pub(super) async fn fail(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(backup_id): ApiPath<String>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let body = super::extract::read_body(request, &emulator).await?;
    let body: FailBody = if body.iter().all(u8::is_ascii_whitespace) {
        FailBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| bad(e.to_string()))?
    };
    let reason = body
        .reason
        .unwrap_or_else(|| DEFAULT_FAIL_REASON.to_owned());
    let t = emulator
        .store
        .fail_backup(&backup_id, reason, emulator.clock.now())?;
    Ok(command_done(t))
}

fn command_done(t: Transition) -> Response {
    json(
        StatusCode::OK,
        &CommandDone {
            backup_id: t.backup_id.to_string(),
            status: match t.kind {
                crate::store::TransitionKind::Failed => "FAILED",
                _ => "COMPLETED",
            },
        },
    )
}

/// `POST /_emulator/backups/{backup_id}/hold`: a building backup stays `BUILDING` until it
/// is completed or failed here.
pub(super) async fn hold(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(backup_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let view = emulator
        .store
        .hold_backup(&backup_id, emulator.clock.now())?;
    Ok(json(
        StatusCode::OK,
        &CommandDone {
            backup_id: view.backup.id.to_string(),
            status: "BUILDING",
        },
    ))
}

#[derive(Deserialize)]
pub(super) struct WaitParams {
    status: Option<String>,
    timeout: Option<String>,
}

/// The longest wait one request may ask for.
const MAX_WAIT: Duration = Duration::from_secs(600);
/// How often a wait looks again when nothing wakes it (the real clock moves on its own).
const WAIT_RECHECK: Duration = Duration::from_millis(20);

/// `GET /_emulator/backups/{backup_id}/wait?status=COMPLETED&timeout=30s`: answers the backup
/// (as the list shows it) as soon as it has that status; 408 at the timeout; 409 at once if
/// it finished with another status; 404 if there is no such backup.
pub(super) async fn wait(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(backup_id): ApiPath<String>,
    ApiQuery(params): ApiQuery<WaitParams>,
) -> Result<Response, ApiError> {
    let wanted = match params.status.as_deref() {
        None | Some("") => BackupStatus::Completed,
        Some(s) => BackupStatus::parse(s).ok_or_else(|| {
            bad(format!(
                "status {s:?} is not BUILDING, COMPLETED, FAILED or AVAILABLE"
            ))
        })?,
    };
    let timeout = match params.timeout.as_deref() {
        None | Some("") => Duration::from_secs(30),
        Some(t) => parse_duration(t).map_err(bad)?,
    };
    if timeout > MAX_WAIT {
        return Err(bad("timeout must be at most 10m"));
    }
    let deadline = Instant::now() + timeout;
    let _place = emulator
        .long_polls
        .take()
        .ok_or(ApiError::Busy("long-poll waits (--max-waiters)"))?;
    let _waiting = Waiting::new(&emulator);
    let mut stopping = emulator.stopping.subscribe();
    loop {
        let changed = emulator.changes.notified();
        let view = emulator
            .store
            .find_backup(&backup_id, emulator.clock.now())
            .ok_or(ApiError::BackupNotFound)?;
        let status = view.backup.status;
        if status == wanted {
            return Ok(json(StatusCode::OK, &BackupItem::from(view)));
        }
        if status != BackupStatus::Building {
            return Err(ApiError::WaitEndedElsewhere(status.as_str()));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ApiError::WaitTimeout);
        }
        // A stopping server ends the wait at once instead of holding the stop for its grace.
        tokio::select! {
            _ = tokio::time::timeout(left.min(WAIT_RECHECK), changed) => {}
            _ = stopping.wait_for(|stop| *stop) => return Err(ApiError::Stopping),
        }
    }
}

/// Counts one waiting on changes (a request or an event stream), so that requests notify
/// only while someone waits.
pub(super) struct Waiting(Arc<Emulator>);

impl Waiting {
    pub(super) fn new(emulator: &Arc<Emulator>) -> Self {
        emulator
            .waiters
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self(emulator.clone())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0
            .waiters
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

// --- failures -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RequestFaultBody {
    operation: String,
    #[serde(default = "one")]
    count: u32,
    status: Option<u16>,
    error_code: Option<String>,
    error_msg: Option<String>,
    delay: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Serialize)]
struct RequestFaultItem {
    id: u64,
    operation: String,
    remaining: u32,
    hits: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_msg: Option<String>,
    delay: String,
}

impl From<RequestFault> for RequestFaultItem {
    fn from(f: RequestFault) -> Self {
        Self {
            id: f.id,
            operation: f.operation,
            remaining: f.remaining,
            hits: f.hits,
            status: f.error.as_ref().map(|e| e.status),
            error_code: f.error.as_ref().map(|e| e.error_code.clone()),
            error_msg: f.error.map(|e| e.error_msg),
            delay: format!("{}ms", f.delay.as_millis()),
        }
    }
}

/// `POST /_emulator/faults/requests {"operation", "count", "status", "error_code",
/// "error_msg", "delay"}`: the next `count` calls of `operation` (a name from the route
/// table, or `*`) answer that error in the API's format, or answer after `delay`, or both.
pub(super) async fn fault_requests(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(body): ApiJson<RequestFaultBody>,
) -> Result<Response, ApiError> {
    let targetable = Operation::from_name(&body.operation).is_some_and(Operation::is_api);
    if body.operation != "*" && !targetable {
        let names: Vec<&str> = Operation::ALL
            .iter()
            .filter(|o| o.is_api())
            .map(|o| o.name())
            .collect();
        return Err(bad(format!(
            "operation {:?} is not one of *, {}",
            body.operation,
            names.join(", ")
        )));
    }
    let delay = body
        .delay
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(bad)?
        .unwrap_or_default();
    let error = match (body.status, body.error_code, body.error_msg) {
        (None, None, None) if !delay.is_zero() => None,
        (None, None, None) => return Err(bad("give status (with error_code, error_msg) or delay")),
        (Some(status), code, msg) => {
            if !(400..=599).contains(&status) {
                return Err(bad("status must be from 400 to 599"));
            }
            Some(InjectedError {
                status,
                error_code: code.unwrap_or_else(|| "DBS.108000".to_owned()),
                error_msg: msg.unwrap_or_else(|| "Server failure.".to_owned()),
            })
        }
        (None, ..) => return Err(bad("error_code and error_msg need a status")),
    };
    let fault = emulator
        .faults
        .add(body.operation, body.count, error, delay)
        .map_err(bad)?;
    Ok(json(StatusCode::CREATED, &RequestFaultItem::from(fault)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BackupFaultBody {
    #[serde(default = "one")]
    count: u32,
    instance_id: Option<String>,
    reason: Option<String>,
}

#[derive(Serialize)]
struct BackupFaultItem {
    id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_id: Option<String>,
    remaining: u32,
    hits: u32,
    reason: String,
}

impl From<FailureRule> for BackupFaultItem {
    fn from(r: FailureRule) -> Self {
        Self {
            id: r.id,
            instance_id: r.instance_id.map(|i| i.to_string()),
            remaining: r.remaining,
            hits: r.hits,
            reason: r.reason,
        }
    }
}

/// `POST /_emulator/faults/backups {"count", "instance_id", "reason"}`: the next `count`
/// backups started (of that instance, or of any) end `FAILED` with `reason`.
pub(super) async fn fault_backups(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(body): ApiJson<BackupFaultBody>,
) -> Result<Response, ApiError> {
    let instance = body
        .instance_id
        .as_deref()
        .map(InstanceId::parse)
        .transpose()?;
    let rule = emulator
        .store
        .add_failure_rule(
            instance,
            body.count,
            body.reason
                .unwrap_or_else(|| DEFAULT_FAIL_REASON.to_owned()),
        )
        .map_err(bad)?;
    Ok(json(StatusCode::CREATED, &BackupFaultItem::from(rule)))
}

#[derive(Serialize)]
pub(super) struct FaultList {
    requests: Vec<RequestFaultItem>,
    backups: Vec<BackupFaultItem>,
}

/// Every fault since the last clear, with hits and calls left.
/// The faults set, oldest first; with `newest`, only that many of the newest of each kind.
pub(super) fn fault_list(emulator: &Emulator, newest: Option<usize>) -> FaultList {
    fn last<T>(mut items: Vec<T>, newest: Option<usize>) -> Vec<T> {
        let keep = newest.unwrap_or(usize::MAX).min(items.len());
        items.split_off(items.len() - keep)
    }
    FaultList {
        requests: last(emulator.faults.list(), newest)
            .into_iter()
            .map(RequestFaultItem::from)
            .collect(),
        backups: last(emulator.store.failure_rules(), newest)
            .into_iter()
            .map(BackupFaultItem::from)
            .collect(),
    }
}

/// `GET /_emulator/faults`: every fault since the last clear, with hits and calls left.
pub(super) async fn faults(State(emulator): State<Arc<Emulator>>) -> Response {
    json(StatusCode::OK, &fault_list(&emulator, None))
}

/// `DELETE /_emulator/faults`: clears request faults and backup failure rules.
pub(super) async fn clear_faults(State(emulator): State<Arc<Emulator>>) -> Response {
    emulator.faults.clear();
    emulator.store.clear_failure_rules();
    json(StatusCode::OK, &Done { status: "cleared" })
}

// --- the journal ----------------------------------------------------------------------------

#[derive(Serialize)]
pub(super) struct JournalItem {
    time: String,
    method: String,
    path: String,
    operation: String,
    status: u16,
    duration_ms: f64,
    request_id: String,
}

impl From<JournalEntry> for JournalItem {
    fn from(e: JournalEntry) -> Self {
        let duration_ms = e.duration_ms();
        Self {
            time: format_api_time(e.time),
            method: e.method,
            path: e.path,
            operation: e.operation.to_owned(),
            status: e.status,
            duration_ms,
            request_id: e.request_id,
        }
    }
}

#[derive(Serialize)]
struct JournalBody {
    capacity: usize,
    requests: Vec<JournalItem>,
}

/// `GET /_emulator/requests`: the last requests, oldest first.
pub(super) async fn requests(State(emulator): State<Arc<Emulator>>) -> Response {
    json(
        StatusCode::OK,
        &JournalBody {
            capacity: emulator.journal.capacity(),
            requests: emulator
                .journal
                .entries()
                .into_iter()
                .map(JournalItem::from)
                .collect(),
        },
    )
}

/// `DELETE /_emulator/requests`: empties the journal.
pub(super) async fn clear_requests(State(emulator): State<Arc<Emulator>>) -> Response {
    emulator.journal.clear();
    json(StatusCode::OK, &Done { status: "cleared" })
}
