//! `POST /_emulator/instances/{instance_id}/logs`: log entries a test's code will read
//! through the error- and slow-log APIs.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::bad;
use crate::domain::InstanceId;
use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::fixtures::parts::LogsFile;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::respond::json;

/// How many entries of each kind the instance holds now.
#[derive(Debug, Serialize)]
struct Added {
    error_logs: usize,
    slow_logs: usize,
}

/// `POST /_emulator/instances/{instance_id}/logs {"error_logs": [...], "slow_logs": [...]}`
/// (the fixtures' `logs` format): adds the entries to the instance, in whichever project it
/// is; a node left out is the master, a time left out now. `201 {"error_logs", "slow_logs"}`
/// counts what it holds.
pub(in crate::http) async fn add_logs(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(instance_id): ApiPath<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let logs: LogsFile = serde_json::from_value(body).map_err(|e| bad(e.to_string()))?;
    let (error_logs, slow_logs) =
        emulator
            .store
            .add_logs(&instance_id, &logs, emulator.clock.now())?;
    Ok(json(
        StatusCode::CREATED,
        &Added {
            error_logs,
            slow_logs,
        },
    ))
}
