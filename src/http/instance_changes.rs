//! Handlers of the endpoints that change an instance: delete, rename, root password, port,
//! flavor, seconds-level monitoring. Each change but the password answers a job.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiJson, ApiPath, Authorized, Now};
use super::instances::instance_view;
use super::respond::json;
use super::wire::instance_changes::{
    EmptyResponse, JobIdResponse, MonitoringBody, MonitoringResponse, PasswordBody, PortBody,
    RenameBody, ResizeBody,
};
use crate::domain::instance_change::{self, InstanceChange};
use crate::domain::{InstanceId, Job};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// `200 {"job_id"}`.
pub(super) fn job_answer(job: &Job) -> Response {
    job_answer_as(StatusCode::OK, job)
}

/// `{"job_id"}` with this status (the calls that create something answer 201).
pub(super) fn job_answer_as(status: StatusCode, job: &Job) -> Response {
    json(
        status,
        &JobIdResponse {
            job_id: job.id.to_string(),
        },
    )
}

/// Emulates "Deleting a DB Instance" (`gaussdb_04_0007`): `DELETE
/// /v3/{project_id}/instances/{instance_id}` → `200 {"job_id"}`. The instance reads as before
/// until the job ends, then answers `DBS.200002`; its replicas and automated backups go with
/// it, its manual backups stay.
pub(super) async fn delete(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let job = emulator
        .store
        .delete_instance(&caller.project, &instance_id, now)?;
    Ok(job_answer(&job))
}

/// Emulates "Changing a DB Instance Name" (`gaussdb_04_0018`): `PUT
/// …/instances/{instance_id}/name {"name"}` → `200 {"job_id"}`; the name (and the nodes'
/// names, unless `is_modify_node_name` is `"false"`) changes when the job ends.
pub(super) async fn rename(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<RenameBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let change =
        instance_change::rename(body.name.as_deref(), body.is_modify_node_name.as_deref())?;
    let job = emulator
        .store
        .change_instance_setting(&caller.project, &instance_id, change, now)?;
    Ok(job_answer(&job))
}

/// Emulates "Resetting a Database Password" (`gaussdb_04_0019`): `POST
/// …/instances/{instance_id}/password {"password"}` → `200 {}`, no job.
pub(super) async fn reset_password(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    instance_change::check_password(body.password.as_deref())?;
    emulator
        .store
        .reset_password(&caller.project, &instance_id, now)?;
    Ok(json(StatusCode::OK, &EmptyResponse {}))
}

/// Emulates "Changing a Database Port" (`UpdateGaussMySqlInstancePort`): `PUT
/// …/instances/{instance_id}/port {"port"}` → `200 {"job_id"}`; the instance reads `MODIFYING
/// DATABASE PORT` until the job ends. The same port again is accepted.
pub(super) async fn change_port(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<PortBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let port = instance_change::port(body.port.as_ref().and_then(serde_json::Value::as_i64))?;
    let job = emulator.store.change_instance_setting(
        &caller.project,
        &instance_id,
        InstanceChange::Port(port),
        now,
    )?;
    Ok(job_answer(&job))
}

/// Emulates "Changing DB Instance Specifications" (`gaussdb_04_0020`): `POST
/// …/instances/{instance_id}/action {"resize_flavor": {"spec_code"}}` → `200 {"job_id"}`; the
/// instance reads `MODIFYING` until the job ends, then every node has the new flavor.
pub(super) async fn resize(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ResizeBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let spec_code = body
        .resize_flavor
        .and_then(|r| r.spec_code)
        .ok_or(ApiError::Parameter)?;
    let job = emulator
        .store
        .resize_instance(&caller.project, &instance_id, &spec_code, now)?;
    Ok(job_answer(&job))
}

/// Emulates "Querying the Collection Period of Monitoring by Seconds"
/// (`ShowInstanceMonitorExtend`): `GET …/instances/{instance_id}/monitor-policy` → `200
/// {"monitor_switch", "period"}`.
pub(super) async fn show_monitoring(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let view = instance_view(&emulator, &caller, &instance_id, now)?;
    let period = view.instance.profile.monitoring;
    Ok(json(
        StatusCode::OK,
        &MonitoringResponse {
            monitor_switch: period.is_some(),
            period,
        },
    ))
}

/// Emulates "Changing the Collection Period of Monitoring by Seconds"
/// (`UpdateInstanceMonitor`): `PUT …/instances/{instance_id}/monitor-policy
/// {"monitor_switch", "period"}` → `200 {"job_id"}`; the policy changes when the job ends.
pub(super) async fn set_monitoring(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<MonitoringBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let switch = match &body.monitor_switch {
        None => None,
        Some(v) => Some(v.as_bool().ok_or(ApiError::Parameter)?),
    };
    let period = match &body.period {
        None => None,
        Some(v) => Some(v.as_i64().ok_or(ApiError::Parameter)?),
    };
    let policy = instance_change::monitoring(switch, period)?;
    let job = emulator.store.change_instance_setting(
        &caller.project,
        &instance_id,
        InstanceChange::Monitoring(policy),
        now,
    )?;
    Ok(job_answer(&job))
}
