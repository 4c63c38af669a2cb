//! Bodies of the read-replica endpoints (`http/nodes.rs`).

use serde::{Deserialize, Serialize};

/// Body of `POST …/instances/{instance_id}/nodes/enlarge`: `priorities` untyped (anything but
/// a list of whole numbers is `DBS.200001`); Huawei's zones and billing fields are ignored.
#[derive(Debug, Deserialize)]
pub struct AddReplicasBody {
    pub priorities: Option<serde_json::Value>,
}

/// `201` answer of adding replicas: one job per new node, their ids joined by commas (as the
/// real service answers, and as gophertelekomcloud and Terraform split them).
#[derive(Debug, Serialize)]
pub struct AddReplicasResponse {
    pub instance_id: String,
    pub node_names: Vec<String>,
    pub job_id: String,
}
