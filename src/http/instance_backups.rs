//! Handlers of the endpoints about one instance's backups: the automated backup policy, its
//! full backups, restorable times, incremental backups, backup encryption and offsite policy.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Now};
use super::instances::instance_view;
use super::respond::json;
use super::wire::instance_backups::{
    BackupEncryptionBody, BackupEncryptionResponse, IncrementalBackupsParams,
    IncrementalBackupsResponse, InstanceBackupsParams, InstanceBackupsResponse, OffsitePolicyBody,
    OffsitePolicyResponse, PolicyResponse, PolicyUpdatedResponse, RestoreTimeParams,
    RestoreTimesResponse, UpdatePolicyBody,
};
use crate::domain::incremental::{self, IncrementalQuery};
use crate::domain::instance::encryption_key;
use crate::domain::restore::{self, EndSpan};
use crate::domain::{
    BackupPolicy, InstanceBackupQuery, InstanceId, OffsitePolicy, RawInstanceBackupQuery,
};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// Emulates "Querying an Automated Backup Policy" (`gaussdb_06_0005`):
/// `GET /v3/{project_id}/instances/{instance_id}/backups/policy` → `200 {"backup_policy"}`.
pub(super) async fn show_policy(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let view = instance_view(&emulator, &caller, &instance_id, now)?;
    Ok(json(
        StatusCode::OK,
        &PolicyResponse::from(&view.instance.policy),
    ))
}

/// Emulates "Modifying an Automated Backup Policy" (`gaussdb_06_0006`):
/// `PUT /v3/{project_id}/instances/{instance_id}/backups/policy/update` →
/// `200 {"status": "COMPLETED", "instance_id", "instance_name"}`. Both spellings of the
/// level-1 retention field are accepted and ignored.
pub(super) async fn update_policy(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<UpdatePolicyBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let fields = body
        .backup_policy
        .as_ref()
        .and_then(|v| v.as_object())
        .ok_or(ApiError::Parameter)?;
    let policy = BackupPolicy::parse_update(
        fields.get("start_time").and_then(|v| v.as_str()),
        fields.get("keep_days").and_then(|v| v.as_i64()),
        fields.get("period").and_then(|v| v.as_str()),
    )?;
    let instance = emulator
        .store
        .update_policy(&caller.project, &instance_id, policy, now)?;
    Ok(json(
        StatusCode::OK,
        &PolicyUpdatedResponse {
            status: "COMPLETED",
            instance_id: instance.id.to_string(),
            instance_name: instance.name,
        },
    ))
}

/// Emulates "Querying Full Backups of an Instance" (Huawei Cloud's `ShowInstanceBackups`):
/// `GET /v3/{project_id}/instances/{instance_id}/backups` → `200 {"backups": [...],
/// "total_count": "<n>"}`, newest first unless `order_field`/`order_rule` say otherwise.
pub(super) async fn backups(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<InstanceBackupsParams>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let query = InstanceBackupQuery::parse(&RawInstanceBackupQuery {
        offset: params.offset.as_deref(),
        limit: params.limit.as_deref(),
        order_field: params.order_field.as_deref(),
        order_rule: params.order_rule.as_deref(),
        filter_field: params.filter_field.as_deref(),
        filter_content: params.filter_content.as_deref(),
    })?;
    let page = emulator
        .store
        .instance_backups(&caller.project, &instance_id, &query, now)?;
    Ok(json(StatusCode::OK, &InstanceBackupsResponse::from(page)))
}

/// Emulates "Querying the Restorable Time Ranges" (Huawei Cloud's `ShowBackupRestoreTime`):
/// `GET /v3/{project_id}/instances/{instance_id}/restore-time[?date=yyyy-mm-dd]` →
/// `200 {"restore_times": [{"start_time", "end_time"}]}` in Unix milliseconds, derived from
/// the instance's completed full backups (see `domain::restore`). `start_time` with
/// `end_time` (milliseconds, as Huawei's Python SDK may send them) clip the answer when no
/// `date` is given.
pub(super) async fn restore_time(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<RestoreTimeParams>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let window = restore::query_window(
        params.date.as_deref(),
        params.start_time.as_deref(),
        params.end_time.as_deref(),
    )?;
    let history =
        emulator
            .store
            .backup_history(&caller.project, &instance_id, now, |keep_days| {
                EndSpan::restorable(window, keep_days, now)
            })?;
    let mut ranges = history.restorable_ranges(now);
    if let Some(window) = window {
        ranges = restore::within(ranges, window.start, window.end);
    }
    Ok(json(StatusCode::OK, &RestoreTimesResponse::from(ranges)))
}

/// Emulates "Querying Incremental Backups" (Huawei Cloud's
/// `ShowGaussMySqlIncrementalBackupList`): `GET
/// /v3/{project_id}/instances/{instance_id}/incremental-backups` → `200 {"backups": [...],
/// "total_count"}`, newest first, derived from the instance's full backups (see
/// `domain::incremental`); `limit` 10, 20 or 50; a window on `begin_time`.
pub(super) async fn incremental_backups(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<IncrementalBackupsParams>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let query = IncrementalQuery::parse(
        params.offset.as_deref(),
        params.limit.as_deref(),
        params.begin_time.as_deref(),
        params.end_time.as_deref(),
        params.display_offsite_backup.as_deref(),
    )?;
    let history =
        emulator
            .store
            .backup_history(&caller.project, &instance_id, now, |keep_days| {
                query.span(keep_days, now)
            })?;
    let (page, total) = incremental::incremental_backups(
        &instance_id,
        &history.full_backup_ends,
        history.keep_days,
        now,
        &query,
    );
    Ok(json(
        StatusCode::OK,
        &IncrementalBackupsResponse::new(&instance_id, page, total),
    ))
}

/// Emulates "Querying the Backup Encryption Status" (Huawei Cloud's
/// `DescribeBackupEncryptStatus`): `GET …/instances/{instance_id}/backups/encryption` →
/// `200 {"encryption_status": "on"|"off"}`.
pub(super) async fn show_encryption(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let view = instance_view(&emulator, &caller, &instance_id, now)?;
    Ok(json(
        StatusCode::OK,
        &BackupEncryptionResponse::from(&view.instance.profile),
    ))
}

/// Emulates "Enabling or Disabling Backup Encryption" (Huawei Cloud's
/// `ModifyBackupEncryptStatus`): `POST …/instances/{instance_id}/backups/encryption
/// {"encryption_status": "on", "type": "kms", "kms_key_id"}` (or `"off"` alone; values
/// case-insensitive) → `200 {"encryption_status"}`. Anything else is `DBS.200001`.
pub(super) async fn set_encryption(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<BackupEncryptionBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let key = encryption_key(
        &body.encryption_status,
        body.key_type.as_deref(),
        body.kms_key_id,
    )?;
    let instance = emulator
        .store
        .set_backup_encryption(&caller.project, &instance_id, key, now)?;
    Ok(json(
        StatusCode::OK,
        &BackupEncryptionResponse::from(&instance.profile),
    ))
}

/// Emulates "Configuring a Cross-Region Backup Policy" (Huawei Cloud's
/// `UpdateBackupOffsitePolicy`): `PUT …/instances/{instance_id}/backups/offsite-policy
/// {"backup_policy": {...}}` → `200 {"result": "SUCCESS"}`. The policy is kept (snapshots
/// show it); nothing is copied. There is no read of it in the API.
pub(super) async fn set_offsite_policy(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<OffsitePolicyBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let fields = body.backup_policy;
    let policy = OffsitePolicy {
        open_auto_backup: fields.open_auto_backup,
        open_incremental_backup: fields.open_incremental_backup,
        destination_project_id: fields.destination_project_id,
        destination_region: fields.destination_region,
        keep_days: fields.keep_days,
    };
    policy.check()?;
    emulator
        .store
        .set_offsite_policy(&caller.project, &instance_id, policy, now)?;
    Ok(json(
        StatusCode::OK,
        &OffsitePolicyResponse { result: "SUCCESS" },
    ))
}
