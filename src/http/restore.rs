//! Handlers of the restore side: restoring onto an existing instance, and creating an
//! instance (restoring a backup or a point in time into it, if asked).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiJson, Authorized, Now};
use super::respond::json;
use super::wire::{
    CreateInstanceBody, CreateInstanceResponse, RestoreBody, RestoreResponse, StringOrNumber,
};
use crate::domain::new_instance::{NewInstance, RawNewInstance, restore_point};
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

/// Emulates "Creating a DB Instance" (Huawei Cloud's `CreateGaussMySqlInstance`), which
/// with `restore_point` restores a backup or a point in time to a new instance:
/// `POST /v3/{project_id}/instances` → `201 {"instance": {...}, "job_id"}` (plus `order_id`
/// for yearly/monthly). The instance reads `BUILD` until the job ends, then `ACTIVE`.
pub(super) async fn create(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiJson(body): ApiJson<CreateInstanceBody>,
) -> Result<Response, ApiError> {
    let restore = match &body.restore_point {
        None => None,
        Some(point) => Some(RestoreSource {
            instance_id: InstanceId::parse(&point.source_instance_id)?,
            point: restore_point(
                point.restore_type.as_deref(),
                point.backup_id.as_deref(),
                point.restore_time,
                false,
            )?,
        }),
    };
    let number = |n: Option<&StringOrNumber>| match n {
        None => Ok(None),
        Some(n) => n.value().map(Some).ok_or(ApiError::Parameter),
    };
    let datastore = body.datastore.as_ref();
    let strategy = body.backup_strategy.as_ref();
    let raw = RawNewInstance {
        region: body.region.as_deref(),
        name: body.name.as_deref(),
        datastore_type: datastore.and_then(|d| d.datastore_type.as_deref()),
        datastore_version: datastore.and_then(|d| d.version.as_deref()),
        kernel_version: datastore.and_then(|d| d.kernel_version.as_deref()),
        mode: body.mode.as_deref(),
        flavor_ref: body.flavor_ref.as_deref(),
        vpc_id: body.vpc_id.as_deref(),
        subnet_id: body.subnet_id.as_deref(),
        security_group_id: body.security_group_id.as_deref(),
        password: body.password.as_deref(),
        availability_zone_mode: body.availability_zone_mode.as_deref(),
        master_availability_zone: body.master_availability_zone.as_deref(),
        slave_count: body.slave_count,
        backup_start_time: strategy.and_then(|s| s.start_time.as_deref()),
        backup_keep_days: number(strategy.and_then(|s| s.keep_days.as_ref()))?,
        backup_strategy: strategy.is_some(),
        charge_mode: body
            .charge_info
            .as_ref()
            .and_then(|c| c.charge_mode.as_deref()),
        time_zone: body.time_zone.as_deref(),
        configuration_id: body.configuration_id.as_deref(),
        enterprise_project_id: body.enterprise_project_id.as_deref(),
        dedicated_resource_id: body.dedicated_resource_id.as_deref(),
        lower_case_table_names: body.lower_case_table_names,
        volume_size: number(body.volume.as_ref().and_then(|v| v.size.as_ref()))?,
        tags: body
            .tags
            .iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect(),
        restore,
    };
    // An unknown project (loose auth) has no region, so no region can be right for it.
    let region = emulator
        .store
        .project_name(&caller.project)
        .ok_or(ApiError::InvalidRegion)?;
    let request = NewInstance::parse(raw, &region)?;
    let (view, job) = emulator
        .store
        .create_instance(&caller.project, &request, now)?;
    Ok(json(
        StatusCode::CREATED,
        &CreateInstanceResponse::new(&view, &request, &job.id),
    ))
}
