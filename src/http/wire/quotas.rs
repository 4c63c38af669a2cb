//! Bodies of the quota endpoints (`http/quotas.rs`): enterprise projects' quotas and the
//! project's own.

use serde::{Deserialize, Serialize};

/// Query of `GET /v3/{project_id}/quotas`.
#[derive(Debug, Deserialize)]
pub struct QuotasParams {
    pub offset: Option<String>,
    pub limit: Option<String>,
    pub enterprise_project_name: Option<String>,
}

/// Body of `POST` and `PUT /v3/{project_id}/quotas`; each value untyped, so that a text is
/// the list's own error.
#[derive(Debug, Deserialize)]
pub struct SetQuotasBody {
    pub quota_list: Option<Vec<SetQuotaItem>>,
}

#[derive(Debug, Deserialize)]
pub struct SetQuotaItem {
    pub enterprise_project_id: Option<String>,
    pub enterprise_project_name: Option<String>,
    pub instance_quota: Option<serde_json::Value>,
    pub vcpus_quota: Option<serde_json::Value>,
    pub ram_quota: Option<serde_json::Value>,
}

/// An enterprise project's quotas as set: every quota an integer.
#[derive(Debug, Serialize)]
pub struct QuotaSetItem {
    pub enterprise_project_id: String,
    pub enterprise_project_name: String,
    pub instance_quota: i64,
    pub vcpus_quota: i64,
    pub ram_quota: i64,
}

/// `201` (POST) and `200` (PUT) answer: the quotas set.
#[derive(Debug, Serialize)]
pub struct SetQuotasResponse {
    pub quota_list: Vec<QuotaSetItem>,
}

/// An enterprise project's quotas with what remains of them (−1 while unlimited).
#[derive(Debug, Serialize)]
pub struct QuotaItem {
    pub enterprise_project_id: String,
    pub enterprise_project_name: String,
    pub instance_quota: i64,
    pub vcpus_quota: i64,
    pub ram_quota: i64,
    pub availability_instance_quota: i64,
    pub availability_vcpus_quota: i64,
    pub availability_ram_quota: i64,
}

/// `200` answer of `GET /v3/{project_id}/quotas`.
#[derive(Debug, Serialize)]
pub struct QuotasResponse {
    pub quota_list: Vec<QuotaItem>,
    pub total_count: usize,
}

/// Query of `GET /v3/{project_id}/project-quotas`.
#[derive(Debug, Deserialize)]
pub struct ProjectQuotasParams {
    #[serde(rename = "type")]
    pub quota_type: Option<String>,
}

/// `200` answer of `GET /v3/{project_id}/project-quotas`: `used` and `quota` integers.
#[derive(Debug, Serialize)]
pub struct ProjectQuotasResponse {
    pub quotas: ProjectQuotas,
}

#[derive(Debug, Serialize)]
pub struct ProjectQuotas {
    pub resources: Vec<ProjectQuotaItem>,
}

#[derive(Debug, Serialize)]
pub struct ProjectQuotaItem {
    #[serde(rename = "type")]
    pub quota_type: &'static str,
    pub used: usize,
    pub quota: usize,
}
