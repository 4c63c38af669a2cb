//! Handlers of the backup endpoints.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiBody, ApiJson, ApiPath, ApiQuery, Authorized, Now};
use super::respond::{json, json_bytes};
use super::wire::backups::{
    BatchDeleteBody, BatchDeleteResponse, CreateBackupBody, CreateBackupResponse,
    DeleteBackupResponse, ListBackupsParams, ListBackupsResponse,
};
use crate::domain::{BackupQuery, NewBackup, RawBackupQuery};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// Emulates "Creating a Manual Backup" (`gaussdb_06_0003`):
/// `POST /v3/{project_id}/backups/create` → `201 {"backup": {...}, "job_id"}`.
pub(super) async fn create(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    body: ApiBody,
) -> Result<Response, ApiError> {
    let body: CreateBackupBody = body.parse()?;
    let description = body.description.as_deref().unwrap_or_default();
    let request = NewBackup::parse(&body.instance_id, &body.name, description)?;
    let created = emulator
        .store
        .create_backup(&caller.project, request, now)?;
    let answer = CreateBackupResponse::new(&created, &body.instance_id, &body.name, description);
    Ok(json_bytes(StatusCode::CREATED, answer.to_json()))
}

/// Emulates "Querying Backups" (`gaussdb_06_0004`): `GET /v3/{project_id}/backups` →
/// `200 {"backups": [...], "total_count"}`, newest first.
pub(super) async fn list(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiQuery(params): ApiQuery<ListBackupsParams>,
) -> Result<Response, ApiError> {
    let query = BackupQuery::parse(&RawBackupQuery {
        instance_id: params.instance_id.as_deref(),
        backup_id: params.backup_id.as_deref(),
        backup_type: params.backup_type.as_deref(),
        offset: params.offset.as_deref(),
        limit: params.limit.as_deref(),
        begin_time: params.begin_time.as_deref(),
        end_time: params.end_time.as_deref(),
        name: params.name.as_deref(),
        instance_name: params.instance_name.as_deref(),
    })?;
    let page = emulator.store.list_backups(&caller.project, &query, now);
    Ok(json(StatusCode::OK, &ListBackupsResponse::from(page)))
}

/// Emulates "Deleting a Manual Backup" (`DeleteGaussMySqlBackup`):
/// `DELETE /v3/{project_id}/backups/{backup_id}` → `200 {"backup_id", "backup_name"}`.
pub(super) async fn delete(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, backup_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let backup = emulator
        .store
        .delete_backup(&caller.project, &backup_id, now)?;
    Ok(json(StatusCode::OK, &DeleteBackupResponse::from(&backup)))
}

/// The most ids one batch delete may name.
const MAX_BATCH_DELETE: usize = 50;

/// Emulates "Deleting Manual Backups in Batches" (`BatchDeleteBackup`):
/// `DELETE /v3/{project_id}/backups {"backup_ids": [...]}` → `200 {"success_count",
/// "failed_count", "failed_results"}`, also when some ids fail (each with its code). No ids,
/// or more than 50, is 400 `DBS.200001`.
pub(super) async fn batch_delete(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiJson(body): ApiJson<BatchDeleteBody>,
) -> Result<Response, ApiError> {
    if body.backup_ids.is_empty() || body.backup_ids.len() > MAX_BATCH_DELETE {
        return Err(ApiError::Parameter);
    }
    let results = emulator
        .store
        .delete_backups(&caller.project, &body.backup_ids, now);
    Ok(json(
        StatusCode::OK,
        &BatchDeleteResponse::new(&body.backup_ids, &results),
    ))
}
