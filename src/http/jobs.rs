//! Handler of the job (task) endpoint.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiQuery, Authorized, Now};
use super::respond::json;
use super::wire::jobs::{JobParams, JobResponse};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// Emulates "Obtaining Information About a Task with a Specified ID" (`ShowGaussMySqlJobInfo`):
/// `GET /v3/{project_id}/jobs?id={job_id}` → `200 {"job": {...}}`; no `id` is `DBS.200001`,
/// an unknown one `DBS.200543`.
pub(super) async fn show(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiQuery(params): ApiQuery<JobParams>,
) -> Result<Response, ApiError> {
    let id = params
        .id
        .filter(|id| !id.is_empty())
        .ok_or(ApiError::Parameter)?;
    let job = emulator.store.job(&caller.project, &id, now)?;
    Ok(json(StatusCode::OK, &JobResponse::from(job)))
}
