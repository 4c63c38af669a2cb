//! Bodies of the restore endpoint (`http/restore.rs`) and the restore point an instance
//! creation may carry.

use serde::{Deserialize, Serialize};

/// Body of `POST /v3/{project_id}/instances/restore`. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
pub struct RestoreBody {
    pub target_instance_id: String,
    pub source_instance_id: String,
    #[serde(rename = "type")]
    pub restore_type: Option<String>,
    pub backup_id: Option<String>,
    /// Unix milliseconds.
    pub restore_time: Option<i64>,
}

/// `200` answer of a restore.
#[derive(Debug, Serialize)]
pub struct RestoreResponse {
    pub job_id: String,
}

/// Where a new instance's data comes from: a backup, or a point in time of an instance.
#[derive(Debug, Deserialize)]
pub struct RestorePointBody {
    pub source_instance_id: String,
    #[serde(rename = "type")]
    pub restore_type: Option<String>,
    pub backup_id: Option<String>,
    pub restore_time: Option<i64>,
}
