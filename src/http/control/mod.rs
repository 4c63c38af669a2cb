//! Emulator-only endpoints under `/_emulator/`, never under `/v3/`, a file per part: `state`,
//! `time`, `backups` (one backup at a time, and waiting for it), `failures` and `requests`
//! (the journal); health, the CA certificate and the OpenAPI document here.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::time::format_api_time;
use crate::domain::time::parse_duration;
use crate::domain::{BackupStatus, InstanceId, Job, JobStatus, ProjectId};
use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::faults::{
    ConnectionFault, DEFAULT_INTERVAL, FaultSpec, InjectedError, PRESETS, Phase, Preset,
    RequestFault,
};
use crate::fixtures::{Fixtures, file::FixturesFile};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::respond::{json, streamed_json};
use crate::http::routes::Operation;
use crate::http::wire::backups::BackupItem;
use crate::http::wire::instances::InstanceListItem;
use crate::http::wire::jobs::JobResponse;
use crate::journal::JournalEntry;
use crate::store::{
    Completion, FailureRule, FailureTarget, Lifecycle, LifecycleMode, Snapshot, Subject,
    Transition, walk_pages,
};

mod backups;
mod failures;
mod jobs;
mod logs;
mod requests;
mod state;
mod time;

pub(in crate::http) use self::backups::*;
pub(in crate::http) use self::failures::*;
pub(in crate::http) use self::jobs::*;
pub(in crate::http) use self::logs::*;
pub(in crate::http) use self::requests::*;
pub(in crate::http) use self::state::*;
pub(in crate::http) use self::time::*;

pub(in crate::http) fn bad(detail: impl Into<String>) -> ApiError {
    ApiError::ControlParameter(detail.into())
}

/// `{"status": …}`: what a command that changes state answers.
#[derive(Serialize)]
pub(in crate::http) struct Done {
    pub(in crate::http) status: &'static str,
}

#[derive(Serialize)]
pub(in crate::http) struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

/// `GET /_emulator/health` → `200 {"status": "ok"}` once requests are served; `503
/// {"status": "failing", "problem"}` while the state file cannot be written, so that a health
/// check does not call an emulator that is losing its data healthy.
pub(in crate::http) async fn health(State(emulator): State<Arc<Emulator>>) -> Response {
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
pub(in crate::http) async fn tls_ca(
    State(emulator): State<Arc<Emulator>>,
) -> Result<Response, ApiError> {
    let tls = emulator.settings.tls.as_ref().ok_or(ApiError::NoTls)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
        tls.ca_pem.clone(),
    )
        .into_response())
}

/// The OpenAPI document of the emulated and the control API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// `GET /_emulator/openapi.json`.
pub(in crate::http) async fn openapi() -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            crate::http::respond::JSON_CONTENT_TYPE,
        )],
        OPENAPI,
    )
        .into_response()
}

#[derive(Deserialize)]
pub(in crate::http) struct ProjectParam {
    project_id: Option<String>,
}

impl ProjectParam {
    pub(in crate::http) fn project(&self) -> Option<ProjectId> {
        self.project_id
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(ProjectId::from_path)
    }
}
