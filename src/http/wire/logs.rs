//! Bodies of the log endpoints (`http/logs.rs`): error and slow logs.

use serde::{Deserialize, Serialize};

/// Query of `GET …/errorlog` (`level`) and `…/slowlog` (`type`). Unknown parameters are
/// ignored (the provider's slow-log data source sends one named `-`).
#[derive(Debug, Deserialize)]
pub struct LogParams {
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub node_id: Option<String>,
    pub offset: Option<String>,
    pub limit: Option<String>,
    pub level: Option<String>,
    #[serde(rename = "type")]
    pub statement: Option<String>,
}

/// `200` answer of `GET …/errorlog`.
#[derive(Debug, Serialize)]
pub struct ErrorLogResponse {
    pub error_log_list: Vec<ErrorLogItem>,
    pub total_record: usize,
}

/// One line: `time` in UTC without an offset (`2022-07-17T07:34:33`).
#[derive(Debug, Serialize)]
pub struct ErrorLogItem {
    pub node_id: String,
    pub time: String,
    pub level: &'static str,
    pub content: String,
}

/// `200` answer of `GET …/slowlog`: `long_query_time` a string.
#[derive(Debug, Serialize)]
pub struct SlowLogResponse {
    pub slow_log_list: Vec<SlowLogItem>,
    pub long_query_time: &'static str,
    pub total_record: usize,
}

/// One record: every field a string.
#[derive(Debug, Serialize)]
pub struct SlowLogItem {
    pub node_id: String,
    pub count: String,
    pub time: String,
    pub lock_time: String,
    pub rows_sent: String,
    pub rows_examined: String,
    pub database: String,
    pub users: String,
    pub query_sample: String,
    #[serde(rename = "type")]
    pub sql_type: &'static str,
    pub start_time: String,
    pub client_ip: String,
}
