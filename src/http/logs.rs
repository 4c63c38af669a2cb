//! Handlers of the log endpoints: error and slow logs of an instance's node.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::extract::{ApiPath, ApiQuery, Authorized, Now};
use super::instances::instance_view;
use super::respond::json;
use super::wire::logs::{ErrorLogItem, ErrorLogResponse, LogParams, SlowLogItem, SlowLogResponse};
use crate::domain::logs::{LEVELS, LogQuery, RawLogQuery, STATEMENTS, masked_ip, startup_line};
use crate::domain::time::format_api_time;
use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::store::InstanceView;

/// The slow-query threshold the instance parameters list (`long_query_time`), in seconds.
const LONG_QUERY_TIME: &str = "1";

/// The query checked against the instance: its node must be one of the instance's
/// (`DBS.212005`).
fn query(
    emulator: &Emulator,
    caller: &Authorized,
    instance_id: &str,
    params: &LogParams,
    filter: Option<&str>,
    allowed: &[&'static str],
    now: DateTime<Utc>,
) -> Result<(InstanceView, LogQuery), ApiError> {
    let raw = RawLogQuery {
        start_date: params.start_date.as_deref(),
        end_date: params.end_date.as_deref(),
        node_id: params.node_id.as_deref(),
        filter,
        offset: params.offset.as_deref(),
        limit: params.limit.as_deref(),
    };
    let query = LogQuery::parse(&raw, allowed, now)?;
    let view = instance_view(emulator, caller, instance_id, now)?;
    if !view
        .instance
        .nodes
        .iter()
        .any(|n| n.id.as_str() == query.node_id)
    {
        return Err(ApiError::NodeNotInInstance);
    }
    Ok((view, query))
}

/// A time as the error log writes it: UTC, no offset.
fn log_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Emulates "Querying Error Logs" (`ListGaussMySqlErrorLog`): `GET
/// …/instances/{instance_id}/errorlog?start_date=&end_date=&node_id=[&level=&offset=&limit=]`
/// → `200 {"error_log_list", "total_record"}`, newest first. Every node's start-up line is
/// there, with the entries added through fixtures or the control plane.
pub(super) async fn errors(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<LogParams>,
) -> Result<Response, ApiError> {
    let (view, query) = query(
        &emulator,
        &caller,
        &instance_id,
        &params,
        params.level.as_deref(),
        &LEVELS,
        now,
    )?;
    let instance = &view.instance;
    let startup: Vec<_> = instance
        .nodes
        .iter()
        .map(|n| startup_line(n, instance.profile.port))
        .collect();
    let (page, total_record) = query.errors(startup.iter().chain(instance.logs.errors.iter()));
    let error_log_list = page
        .into_iter()
        .map(|e| ErrorLogItem {
            node_id: e.node_id.clone(),
            time: log_time(e.time),
            level: e.level,
            content: e.content.clone(),
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &ErrorLogResponse {
            error_log_list,
            total_record,
        },
    ))
}

/// Emulates "Querying Slow Logs" (`ListGaussMySqlSlowLog`): `GET
/// …/instances/{instance_id}/slowlog?start_date=&end_date=&node_id=[&type=&offset=&limit=]` →
/// `200 {"slow_log_list", "long_query_time", "total_record"}`, newest first: the records added
/// through fixtures or the control plane.
pub(super) async fn slow(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<LogParams>,
) -> Result<Response, ApiError> {
    let (view, query) = query(
        &emulator,
        &caller,
        &instance_id,
        &params,
        params.statement.as_deref(),
        &STATEMENTS,
        now,
    )?;
    let (page, total_record) = query.slow(&view.instance.logs.slow);
    let slow_log_list = page
        .into_iter()
        .map(|s| SlowLogItem {
            node_id: s.node_id.clone(),
            count: s.count.to_string(),
            time: format!("{} s", s.query_time),
            lock_time: format!("{} s", s.lock_time),
            rows_sent: s.rows_sent.to_string(),
            rows_examined: s.rows_examined.to_string(),
            database: s.database.clone(),
            users: s.users.clone(),
            query_sample: s.query_sample.clone(),
            sql_type: s.sql_type,
            start_time: format_api_time(s.start_time),
            client_ip: masked_ip(&s.client_ip),
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &SlowLogResponse {
            slow_log_list,
            long_query_time: LONG_QUERY_TIME,
            total_record,
        },
    ))
}
