//! Handlers of the read-replica endpoints: add replicas, delete a node.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiJson, ApiPath, Authorized, Now};
use super::respond::json;
use super::wire::instance_changes::JobIdResponse;
use super::wire::nodes::{AddReplicasBody, AddReplicasResponse};
use crate::domain::{InstanceId, NodeId};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// Emulates "Creating a Read Replica" (`gaussdb_04_0015`): `POST
/// …/instances/{instance_id}/nodes/enlarge {"priorities": [...]}` → `201 {"instance_id",
/// "node_names", "job_id"}`, one job per new node, their ids joined by commas. Each node reads
/// `BUILD` until its job ends.
pub(super) async fn add_replicas(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<AddReplicasBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let priorities: Vec<i64> = body
        .priorities
        .as_ref()
        .and_then(serde_json::Value::as_array)
        .ok_or(ApiError::Parameter)?
        .iter()
        .map(|p| p.as_i64().ok_or(ApiError::Parameter))
        .collect::<Result<_, _>>()?;
    let (node_names, jobs) =
        emulator
            .store
            .add_replicas(&caller.project, &instance_id, &priorities, now)?;
    let job_ids: Vec<String> = jobs.iter().map(|j| j.id.to_string()).collect();
    Ok(json(
        StatusCode::CREATED,
        &AddReplicasResponse {
            instance_id: instance_id.to_string(),
            node_names,
            job_id: job_ids.join(","),
        },
    ))
}

/// Emulates "Deleting a Read Replica" (`gaussdb_04_0016`): `DELETE
/// …/instances/{instance_id}/nodes/{node_id}` → `200 {"job_id"}`. The node reads `DELETING`
/// until the job ends; deleting the master fails over to the replica of the best priority.
pub(super) async fn delete_node(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id, node_id)): ApiPath<(String, String, String)>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let node_id = NodeId::parse(&node_id)?;
    let job = emulator
        .store
        .delete_node(&caller.project, &instance_id, &node_id, now)?;
    Ok(json(
        StatusCode::OK,
        &JobIdResponse {
            job_id: job.id.to_string(),
        },
    ))
}
