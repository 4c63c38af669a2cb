//! Handlers of the quota endpoints: enterprise projects' quotas (list, set, modify) and the
//! project's instance quota.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiJson, ApiQuery, Authorized, Now};
use super::respond::json;
use super::wire::quotas::{
    ProjectQuotaItem, ProjectQuotas, ProjectQuotasParams, ProjectQuotasResponse, QuotaItem,
    QuotaSetItem, QuotasParams, QuotasResponse, SetQuotasBody, SetQuotasResponse,
};
use crate::domain::backup_query::parse_paging_by;
use crate::domain::quota::{EpQuota, MAX_QUOTA_ITEMS};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// The default page of the quota list.
const QUOTA_PAGE: usize = 10;
/// The highest offset the quota list takes.
const MAX_OFFSET: usize = 10_000;

/// Emulates "Querying Resource Quotas" (`ShowGaussMySqlQuotas`): `GET
/// /v3/{project_id}/quotas[?offset=&limit=&enterprise_project_name=]` → `200 {"quota_list",
/// "total_count"}` (10 a page unless `limit` says otherwise).
pub(super) async fn list(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiQuery(params): ApiQuery<QuotasParams>,
) -> Result<Response, ApiError> {
    let (limit, offset) = parse_paging_by(
        params.limit.as_deref(),
        params.offset.as_deref(),
        QUOTA_PAGE,
    )?;
    if offset > MAX_OFFSET {
        return Err(ApiError::Parameter);
    }
    let name = params
        .enterprise_project_name
        .as_deref()
        .filter(|n| !n.is_empty());
    let (page, total_count) = emulator
        .store
        .quotas(&caller.project, name, offset, limit, now);
    let quota_list = page
        .into_iter()
        .map(|v| QuotaItem {
            enterprise_project_id: v.quota.id.into(),
            enterprise_project_name: v.quota.name.into(),
            instance_quota: v.quota.instances,
            vcpus_quota: v.quota.vcpus,
            ram_quota: v.quota.ram,
            availability_instance_quota: v.remaining.instances,
            availability_vcpus_quota: v.remaining.vcpus,
            availability_ram_quota: v.remaining.ram,
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &QuotasResponse {
            quota_list,
            total_count,
        },
    ))
}

/// The quotas of a request: 1 to 10, each with an id and three whole numbers (`DBS.200001`).
/// The name OTC requires is optional (Huawei Cloud's schema has none): left out, the store
/// keeps the name it holds for the id, else the id.
fn read_quotas(body: SetQuotasBody) -> Result<Vec<EpQuota>, ApiError> {
    let list = body
        .quota_list
        .filter(|l| (1..=MAX_QUOTA_ITEMS).contains(&l.len()))
        .ok_or(ApiError::Parameter)?;
    let number = |v: Option<serde_json::Value>| {
        v.as_ref()
            .and_then(serde_json::Value::as_i64)
            .ok_or(ApiError::Parameter)
    };
    list.into_iter()
        .map(|q| {
            Ok(EpQuota {
                id: q.enterprise_project_id.ok_or(ApiError::Parameter)?.into(),
                name: q.enterprise_project_name.unwrap_or_default().into(),
                instances: number(q.instance_quota)?,
                vcpus: number(q.vcpus_quota)?,
                ram: number(q.ram_quota)?,
            })
        })
        .collect()
}

/// `POST` (201) and `PUT` (200) `/v3/{project_id}/quotas`: both set the listed enterprise
/// projects' quotas and answer them.
async fn set(
    emulator: &Emulator,
    caller: &Authorized,
    body: SetQuotasBody,
    status: StatusCode,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Response, ApiError> {
    let quotas = emulator
        .store
        .set_quotas(&caller.project, read_quotas(body)?, now)?;
    let quota_list = quotas
        .into_iter()
        .map(|q| QuotaSetItem {
            enterprise_project_id: q.id.into(),
            enterprise_project_name: q.name.into(),
            instance_quota: q.instances,
            vcpus_quota: q.vcpus,
            ram_quota: q.ram,
        })
        .collect();
    Ok(json(status, &SetQuotasResponse { quota_list }))
}

/// Emulates "Configuring Resource Quotas" (`SetGaussMySqlQuotas`): `POST
/// /v3/{project_id}/quotas {"quota_list"}` → `201 {"quota_list"}`.
pub(super) async fn create(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiJson(body): ApiJson<SetQuotasBody>,
) -> Result<Response, ApiError> {
    set(&emulator, &caller, body, StatusCode::CREATED, now).await
}

/// Emulates "Modifying Resource Quotas" (`UpdateGaussMySqlQuotas`): `PUT
/// /v3/{project_id}/quotas {"quota_list"}` → `200 {"quota_list"}`.
pub(super) async fn update(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiJson(body): ApiJson<SetQuotasBody>,
) -> Result<Response, ApiError> {
    set(&emulator, &caller, body, StatusCode::OK, now).await
}

/// Emulates "Querying the Instance Quota of a Tenant" (`ShowGaussMySqlProjectQuotas`): `GET
/// /v3/{project_id}/project-quotas[?type=instance]` → `200 {"quotas": {"resources"}}`.
pub(super) async fn project(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiQuery(params): ApiQuery<ProjectQuotasParams>,
) -> Result<Response, ApiError> {
    if params
        .quota_type
        .as_deref()
        .is_some_and(|t| !t.is_empty() && t != "instance")
    {
        return Err(ApiError::Parameter);
    }
    let (quota, used) = emulator.store.project_quota(&caller.project, now);
    Ok(json(
        StatusCode::OK,
        &ProjectQuotasResponse {
            quotas: ProjectQuotas {
                resources: vec![ProjectQuotaItem {
                    quota_type: "instance",
                    used,
                    quota,
                }],
            },
        },
    ))
}
