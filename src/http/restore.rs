//! Handler of restoring a backup or a point in time onto an existing instance (a new
//! instance restored from one is created by `instances::create`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiJson, Authorized, Now};
use super::respond::json;
use super::wire::restore::{RestoreBody, RestoreResponse};
use crate::domain::new_instance::restore_point;
use crate::domain::{InstanceId, RestoreSource};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// Emulates "Restoring Data to the Original Instance or an Existing Instance" (Huawei
/// Cloud's `RestoreOldInstance`): `POST /v3/{project_id}/instances/restore
/// {"target_instance_id", "source_instance_id", "type": "backup"|"timestamp", "backup_id" |
/// "restore_time"}` → `200 {"job_id"}`. The target reads `RESTORING` until the job ends.
pub(super) async fn restore(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiJson(body): ApiJson<RestoreBody>,
) -> Result<Response, ApiError> {
    let target = InstanceId::parse(&body.target_instance_id)?;
    let source = RestoreSource {
        instance_id: InstanceId::parse(&body.source_instance_id)?,
        point: restore_point(
            body.restore_type.as_deref(),
            body.backup_id.as_deref(),
            body.restore_time,
            true,
        )?,
    };
    let job = emulator
        .store
        .restore_instance(&caller.project, &target, source, now)?;
    Ok(json(
        StatusCode::OK,
        &RestoreResponse {
            job_id: job.id.to_string(),
        },
    ))
}
