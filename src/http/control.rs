//! Emulator-only endpoints under `/_emulator/`: health and the clock. Never under `/v3/`.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use super::extract::ApiJson;
use super::respond::json;
use crate::Emulator;
use crate::domain::time::format_api_time;
use crate::error::ApiError;
use crate::store::Transition;

/// The control routes, to be merged into the API router.
pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/_emulator/health", get(health))
        .route("/_emulator/clock", get(clock))
        .route("/_emulator/clock/advance", post(advance))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// `GET /_emulator/health` → `200 {"status": "ok"}` once requests are served.
async fn health() -> Response {
    json(StatusCode::OK, &Health { status: "ok" })
}

#[derive(Serialize)]
struct ClockState {
    now: String,
    mode: &'static str,
}

impl ClockState {
    fn read(emulator: &Emulator) -> Self {
        Self {
            now: format_api_time(emulator.clock.now()),
            mode: emulator.clock.mode().as_str(),
        }
    }
}

/// `GET /_emulator/clock` → `{"now", "mode"}`.
async fn clock(State(emulator): State<Arc<Emulator>>) -> Response {
    json(StatusCode::OK, &ClockState::read(&emulator))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    seconds: f64,
}

#[derive(Serialize)]
struct Advanced {
    now: String,
    mode: &'static str,
    /// What happened because of this advance, in the order it happened.
    transitions: Vec<TransitionItem>,
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

/// `POST /_emulator/clock/advance {"seconds": N}`: moves the clock forward by N seconds (in
/// either clock mode) and applies every transition due by then before answering.
async fn advance(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(body): ApiJson<AdvanceBody>,
) -> Result<Response, ApiError> {
    if !(body.seconds.is_finite() && (0.0..=MAX_ADVANCE_SECONDS).contains(&body.seconds)) {
        return Err(ApiError::ControlParameter(format!(
            "seconds must be a number from 0 to {MAX_ADVANCE_SECONDS}"
        )));
    }
    let by = TimeDelta::milliseconds((body.seconds * 1000.0).round() as i64);
    let now = emulator.clock.advance(by);
    let transitions = emulator.store.advance_to(now);
    Ok(json(
        StatusCode::OK,
        &Advanced {
            now: format_api_time(now),
            mode: emulator.clock.mode().as_str(),
            transitions: transitions.into_iter().map(TransitionItem::from).collect(),
        },
    ))
}
