//! Handlers of the network look-ups a TaurusDB configuration makes before it creates an
//! instance: VPCs and subnets (VPC API v1) and security groups (Networking v2), read from the
//! project's built-in and fixtures network. Nothing of them can be created or changed.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiPath, ApiQuery, Authorized, Credentialed};
use super::respond::json;
use super::wire::network::{
    SecurityGroupItem, SecurityGroupResponse, SecurityGroupsParams, SecurityGroupsResponse,
    SubnetItem, SubnetResponse, SubnetsParams, SubnetsResponse, VpcItem, VpcResponse, VpcsResponse,
};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// Emulates VPC "Querying VPCs": `GET /v1/{project_id}/vpcs` → `200 {"vpcs": [...]}`.
pub(super) async fn vpcs(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
) -> Result<Response, ApiError> {
    let network = emulator.store.network(Some(&caller.project));
    let vpcs = network.vpcs.iter().map(VpcItem::from).collect();
    Ok(json(StatusCode::OK, &VpcsResponse { vpcs }))
}

/// Emulates VPC "Querying VPC Details": `GET /v1/{project_id}/vpcs/{vpc_id}` → `200 {"vpc"}`.
pub(super) async fn vpc(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    ApiPath((_, vpc_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let network = emulator.store.network(Some(&caller.project));
    let vpc = network
        .vpcs
        .iter()
        .find(|v| v.id == vpc_id)
        .ok_or(ApiError::VpcNotFound)?;
    Ok(json(StatusCode::OK, &VpcResponse { vpc: vpc.into() }))
}

/// Emulates VPC "Querying Subnets": `GET /v1/{project_id}/subnets[?vpc_id=]` → `200
/// {"subnets": [...]}`.
pub(super) async fn subnets(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    ApiQuery(params): ApiQuery<SubnetsParams>,
) -> Result<Response, ApiError> {
    let network = emulator.store.network(Some(&caller.project));
    let subnets = network
        .subnets
        .iter()
        .filter(|s| params.vpc_id.as_deref().is_none_or(|v| v == s.vpc_id))
        .map(SubnetItem::from)
        .collect();
    Ok(json(StatusCode::OK, &SubnetsResponse { subnets }))
}

/// Emulates VPC "Querying Subnet Details": `GET /v1/{project_id}/subnets/{subnet_id}` → `200
/// {"subnet"}`.
pub(super) async fn subnet(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    ApiPath((_, subnet_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let network = emulator.store.network(Some(&caller.project));
    let subnet = network
        .subnets
        .iter()
        .find(|s| s.id == subnet_id)
        .ok_or(ApiError::SubnetNotFound)?;
    Ok(json(
        StatusCode::OK,
        &SubnetResponse {
            subnet: subnet.into(),
        },
    ))
}

/// Emulates Networking v2 "Listing Security Groups": `GET /v2.0/security-groups[?name=&id=]`
/// → `200 {"security_groups": [...]}` of the caller's project.
pub(super) async fn security_groups(
    State(emulator): State<Arc<Emulator>>,
    caller: Credentialed,
    ApiQuery(params): ApiQuery<SecurityGroupsParams>,
) -> Result<Response, ApiError> {
    let owner = caller.project.as_ref().map(|p| p.as_str());
    let network = emulator.store.network(caller.project.as_ref());
    let tenant = params
        .tenant_id
        .as_deref()
        .or(params.project_id.as_deref())
        .filter(|t| !t.is_empty());
    let security_groups = network
        .security_groups
        .iter()
        .filter(|g| params.id.as_deref().is_none_or(|id| id == g.id))
        .filter(|g| params.name.as_deref().is_none_or(|name| name == g.name))
        .filter(|_| tenant.is_none_or(|t| Some(t) == owner))
        .map(|g| SecurityGroupItem::new(g, owner))
        .collect();
    Ok(json(
        StatusCode::OK,
        &SecurityGroupsResponse { security_groups },
    ))
}

/// Emulates Networking v2 "Showing a Security Group": `GET
/// /v2.0/security-groups/{security_group_id}` → `200 {"security_group"}`.
pub(super) async fn security_group(
    State(emulator): State<Arc<Emulator>>,
    caller: Credentialed,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let owner = caller.project.as_ref().map(|p| p.as_str());
    let network = emulator.store.network(caller.project.as_ref());
    let group = network
        .security_groups
        .iter()
        .find(|g| g.id == id)
        .ok_or(ApiError::SecurityGroupNotFound)?;
    Ok(json(
        StatusCode::OK,
        &SecurityGroupResponse {
            security_group: SecurityGroupItem::new(group, owner),
        },
    ))
}
