//! Handlers of the instance endpoints: list, details, creation (restoring a backup or a point
//! in time into the new instance, if asked).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use chrono::{DateTime, Utc};

use super::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Now};
use super::respond::json;
use super::wire::instances::{
    CreateInstanceBody, CreateInstanceResponse, InstanceResponse, ListInstancesParams,
    ListInstancesResponse,
};
use super::wire::json::StringOrNumber;
use crate::domain::new_instance::{NewInstance, RawNewInstance, restore_point};
use crate::domain::{InstanceId, InstanceQuery, RawInstanceQuery, RestoreSource};
use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::store::InstanceView;

/// Emulates "Querying DB Instances" (`gaussdb_04_0005`): `GET /v3/{project_id}/instances` →
/// `200 {"instances": [...], "total_count"}`.
pub(super) async fn list(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiQuery(params): ApiQuery<ListInstancesParams>,
) -> Result<Response, ApiError> {
    let query = InstanceQuery::parse(&RawInstanceQuery {
        id: params.id.as_deref(),
        name: params.name.as_deref(),
        instance_type: params.instance_type.as_deref(),
        datastore_type: params.datastore_type.as_deref(),
        vpc_id: params.vpc_id.as_deref(),
        subnet_id: params.subnet_id.as_deref(),
        private_ip: params.private_ip.as_deref(),
        readonly_private_ip: params.readonly_private_ip.as_deref(),
        proxy_ip: params.proxy_ip.as_deref(),
        tags: params.tags.as_deref(),
        offset: params.offset.as_deref(),
        limit: params.limit.as_deref(),
    })?;
    let page = emulator.store.list_instances(&caller.project, &query, now);
    Ok(json(StatusCode::OK, &ListInstancesResponse::from(page)))
}

/// The instance a path names: a malformed id is `DBS.280404`, an unknown one `DBS.200002`.
pub(super) fn instance_view(
    emulator: &Emulator,
    caller: &Authorized,
    instance_id: &str,
    now: DateTime<Utc>,
) -> Result<InstanceView, ApiError> {
    let instance_id = InstanceId::parse(instance_id)?;
    emulator.store.instance(&caller.project, &instance_id, now)
}

/// Emulates "Querying Details of a DB Instance" (`gaussdb_04_0006`):
/// `GET /v3/{project_id}/instances/{instance_id}` → `200 {"instance": {...}}`.
pub(super) async fn show(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let view = instance_view(&emulator, &caller, &instance_id, now)?;
    Ok(json(StatusCode::OK, &InstanceResponse::from(view)))
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
    let request = NewInstance::parse(raw, &region, &emulator.store.catalog())?;
    let (view, job) = emulator
        .store
        .create_instance(&caller.project, &request, now)?;
    Ok(json(
        StatusCode::CREATED,
        &CreateInstanceResponse::new(&view, &request, &job.id),
    ))
}
