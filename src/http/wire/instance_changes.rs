//! Bodies of the endpoints that change an instance (`http/instance_changes.rs`): delete,
//! rename, root password, port, flavor, seconds-level monitoring.

use serde::{Deserialize, Serialize};

/// `200` answer of the changes that start a job.
#[derive(Debug, Serialize)]
pub struct JobIdResponse {
    pub job_id: String,
}

/// `200` answer of a password reset: the API page documents no body; every client takes an
/// empty object.
#[derive(Debug, Serialize)]
pub struct EmptyResponse {}

/// Body of `PUT …/instances/{instance_id}/name`. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
pub struct RenameBody {
    pub name: Option<String>,
    /// Huawei Cloud's `"true"` (the default) or `"false"`: rename the nodes too.
    pub is_modify_node_name: Option<String>,
}

/// Body of `POST …/instances/{instance_id}/password`.
#[derive(Debug, Deserialize)]
pub struct PasswordBody {
    pub password: Option<String>,
}

/// Body of `PUT …/instances/{instance_id}/port`: `port` untyped, so that a string or a
/// fraction is the port's own error (`DBS.280364`).
#[derive(Debug, Deserialize)]
pub struct PortBody {
    pub port: Option<serde_json::Value>,
}

/// Body of `POST …/instances/{instance_id}/action`. Huawei's `is_auto_pay` is ignored.
#[derive(Debug, Deserialize)]
pub struct ResizeBody {
    pub resize_flavor: Option<ResizeFlavor>,
}

#[derive(Debug, Deserialize)]
pub struct ResizeFlavor {
    pub spec_code: Option<String>,
}

/// Body of `PUT …/instances/{instance_id}/monitor-policy`, untyped: each field has its rule.
#[derive(Debug, Deserialize)]
pub struct MonitoringBody {
    pub monitor_switch: Option<serde_json::Value>,
    pub period: Option<serde_json::Value>,
}

/// `200` answer of `GET …/instances/{instance_id}/monitor-policy`: `period` (a number, as
/// gophertelekomcloud reads it) only while monitoring is on.
#[derive(Debug, Serialize)]
pub struct MonitoringResponse {
    pub monitor_switch: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<u8>,
}
