//! Handlers of the SQL throttling endpoints: the switch (read, set) and the rules of a node
//! (read, set, delete). Each change answers a job.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Now};
use super::instance_changes::job_answer;
use super::instances::instance_view;
use super::respond::json;
use super::wire::sql_filter::{
    DeleteRulesBody, NodeRules, PatternItem, RuleItem, RulesOfType, RulesParams, RulesResponse,
    SetRulesBody, SwitchBody, SwitchResponse,
};
use crate::domain::InstanceId;
use crate::domain::sql_filter::{NEVER, RuleKey, SqlFilterChange, check_pattern, sql_type};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// Emulates "Querying the SQL Throttling Switch" (`ShowSqlFilterControl`): `GET
/// …/sql-filter/switch` → `200 {"switch_status"}`, `OFF` on a new instance.
pub(super) async fn show_switch(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let view = instance_view(&emulator, &caller, &instance_id, now)?;
    let switch_status = if view.instance.sql_filter.on {
        "ON"
    } else {
        "OFF"
    };
    Ok(json(StatusCode::OK, &SwitchResponse { switch_status }))
}

/// Emulates "Enabling or Disabling SQL Throttling" (`UpdateSqlFilterControl`): `POST
/// …/sql-filter/switch {"switch_status": "ON"|"OFF"}` → `200 {"job_id"}`; the switch turns
/// when the job ends.
pub(super) async fn set_switch(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<SwitchBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let on = match body.switch_status.as_deref() {
        Some("ON") => true,
        Some("OFF") => false,
        _ => return Err(ApiError::Parameter),
    };
    let job = emulator.store.change_sql_filter(
        &caller.project,
        &instance_id,
        SqlFilterChange::Switch { on },
        now,
    )?;
    Ok(job_answer(&job))
}

/// Emulates "Querying SQL Throttling Rules" (`ShowSqlFilterRule`): `GET
/// …/sql-filter/rules?node_id=[&sql_type=|&type=]` → `200 {"node_id", "sql_filter_rules"}`,
/// only the statement types that have rules.
pub(super) async fn show_rules(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<RulesParams>,
) -> Result<Response, ApiError> {
    let node_id = params
        .node_id
        .filter(|n| !n.is_empty())
        .ok_or(ApiError::Parameter)?;
    let only = match params
        .sql_type
        .or(params.old_type)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(t) => Some(sql_type(&t)?),
    };
    let view = instance_view(&emulator, &caller, &instance_id, now)?;
    if !view.instance.nodes.iter().any(|n| n.id.as_str() == node_id) {
        return Err(ApiError::NodeNotInInstance);
    }
    let sql_filter_rules = view
        .instance
        .sql_filter
        .rules_of(&node_id, only)
        .into_iter()
        .map(|(sql_type, patterns)| RulesOfType {
            sql_type,
            patterns: patterns
                .into_iter()
                .map(|(pattern, rule)| RuleItem {
                    pattern: pattern.to_owned(),
                    max_concurrency: rule.max_concurrency,
                    cur_concurrency: 0,
                    cur_reject: 0,
                    create_at: rule.created,
                    expire_at: NEVER,
                })
                .collect(),
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &RulesResponse {
            node_id,
            sql_filter_rules,
        },
    ))
}

/// The rules of a request, checked (`DBS.200001`): each with a node, a statement type (each
/// once per node's list) and patterns; `value` reads each pattern.
fn rule_keys<P, T>(
    rules: Option<Vec<NodeRules<P>>>,
    mut value: impl FnMut(P) -> Result<(String, T), ApiError>,
) -> Result<Vec<(RuleKey, T)>, ApiError> {
    let rules = rules.filter(|r| !r.is_empty()).ok_or(ApiError::Parameter)?;
    let mut keys = Vec::new();
    for node in rules {
        let node_id = node.node_id.ok_or(ApiError::Parameter)?;
        let types = node
            .rules
            .filter(|r| !r.is_empty())
            .ok_or(ApiError::Parameter)?;
        let mut seen = Vec::new();
        for of_type in types {
            let t = sql_type(of_type.sql_type.as_deref().ok_or(ApiError::Parameter)?)?;
            if seen.contains(&t) {
                return Err(ApiError::Parameter);
            }
            seen.push(t);
            let patterns = of_type
                .patterns
                .filter(|p| !p.is_empty())
                .ok_or(ApiError::Parameter)?;
            for pattern in patterns {
                let (pattern, v) = value(pattern)?;
                check_pattern(&pattern)?;
                let key = RuleKey {
                    node_id: node_id.clone(),
                    sql_type: t.to_owned(),
                    pattern,
                };
                keys.push((key, v));
            }
        }
    }
    Ok(keys)
}

/// Emulates "Setting SQL Throttling Rules" (`SetSqlFilterRule`): `PUT …/sql-filter/rules
/// {"sql_filter_rules"}` → `200 {"job_id"}`; each rule replaces the one of its node, type and
/// pattern when the job ends.
pub(super) async fn set_rules(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<SetRulesBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let rules = rule_keys(body.sql_filter_rules, |p: PatternItem| {
        let max = p
            .max_concurrency
            .as_ref()
            .and_then(serde_json::Value::as_u64)
            .ok_or(ApiError::Parameter)?;
        Ok((p.pattern.ok_or(ApiError::Parameter)?, max))
    })?;
    let job = emulator.store.change_sql_filter(
        &caller.project,
        &instance_id,
        SqlFilterChange::Set { rules },
        now,
    )?;
    Ok(job_answer(&job))
}

/// Emulates "Deleting SQL Throttling Rules" (`DeleteSqlFilterRule`): `DELETE
/// …/sql-filter/rules {"sql_filter_rules"}` → `200 {"job_id"}`; the rules go when the job
/// ends (one that does not exist is no error).
pub(super) async fn delete_rules(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<DeleteRulesBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let rules = rule_keys(body.sql_filter_rules, |p: String| Ok((p, ())))?
        .into_iter()
        .map(|(key, ())| key)
        .collect();
    let job = emulator.store.change_sql_filter(
        &caller.project,
        &instance_id,
        SqlFilterChange::Delete { rules },
        now,
    )?;
    Ok(job_answer(&job))
}
