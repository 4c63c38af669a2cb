//! Bodies of the SQL throttling endpoints (`http/sql_filter.rs`): the switch and the rules.

use serde::{Deserialize, Serialize};

/// Body of `POST …/sql-filter/switch`.
#[derive(Debug, Deserialize)]
pub struct SwitchBody {
    pub switch_status: Option<String>,
}

/// `200` answer of `GET …/sql-filter/switch`.
#[derive(Debug, Serialize)]
pub struct SwitchResponse {
    pub switch_status: &'static str,
}

/// Query of `GET …/sql-filter/rules`: the statement type as `sql_type` (today's page) or
/// `type` (the older one, and gophertelekomcloud).
#[derive(Debug, Deserialize)]
pub struct RulesParams {
    pub node_id: Option<String>,
    pub sql_type: Option<String>,
    #[serde(rename = "type")]
    pub old_type: Option<String>,
}

/// Body of `PUT …/sql-filter/rules`.
#[derive(Debug, Deserialize)]
pub struct SetRulesBody {
    pub sql_filter_rules: Option<Vec<NodeRules<PatternItem>>>,
}

/// Body of `DELETE …/sql-filter/rules`: patterns are plain texts here.
#[derive(Debug, Deserialize)]
pub struct DeleteRulesBody {
    pub sql_filter_rules: Option<Vec<NodeRules<String>>>,
}

#[derive(Debug, Deserialize)]
pub struct NodeRules<P> {
    pub node_id: Option<String>,
    pub rules: Option<Vec<TypeRules<P>>>,
}

#[derive(Debug, Deserialize)]
pub struct TypeRules<P> {
    pub sql_type: Option<String>,
    pub patterns: Option<Vec<P>>,
}

#[derive(Debug, Deserialize)]
pub struct PatternItem {
    pub pattern: Option<String>,
    pub max_concurrency: Option<serde_json::Value>,
}

/// `200` answer of `GET …/sql-filter/rules`.
#[derive(Debug, Serialize)]
pub struct RulesResponse {
    pub node_id: String,
    pub sql_filter_rules: Vec<RulesOfType>,
}

#[derive(Debug, Serialize)]
pub struct RulesOfType {
    pub sql_type: &'static str,
    pub patterns: Vec<RuleItem>,
}

/// One rule: every number an integer, `expire_at` the largest 64-bit one for "never".
#[derive(Debug, Serialize)]
pub struct RuleItem {
    pub pattern: String,
    pub max_concurrency: u64,
    pub cur_concurrency: u64,
    pub cur_reject: u64,
    pub create_at: i64,
    pub expire_at: i64,
}
