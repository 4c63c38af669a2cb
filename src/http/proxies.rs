//! Handlers of the database proxy endpoints: enable, disable, add nodes, flavor, read
//! weights (each answering a job), the list and the flavors.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiJson, ApiPath, ApiQuery, Authorized, Now, OptionalJson};
use super::instance_changes::{job_answer, job_answer_as};
use super::instances::instance_view;
use super::respond::json;
use super::wire::proxies::{
    DisableProxyBody, EnableProxyBody, EnlargeProxyBody, ProxyFlavorBody, ProxyFlavorGroup,
    ProxyFlavorItem, ProxyFlavorsResponse, ProxyInfo, ProxyItem, ProxyListParams,
    ProxyListResponse, ProxyNodeItem, ProxyNodeWeight, ProxyWeightBody, WeightItem, ZoneItem,
};
use crate::domain::backup_query::parse_paging_by;
use crate::domain::catalog;
use crate::domain::node::{Node, NodeRole};
use crate::domain::proxy::{PROXY_FLAVORS, Proxy, ProxyMode};
use crate::domain::{Instance, InstanceId};
use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::store::NewProxy;

/// The default page of the proxy list.
const PROXY_PAGE: usize = 10;

/// A whole number given as a JSON number (`DBS.200001` otherwise).
fn integer(value: Option<&serde_json::Value>) -> Result<i64, ApiError> {
    value
        .and_then(serde_json::Value::as_i64)
        .ok_or(ApiError::Parameter)
}

/// Read weights of a request: node ids with whole-number weights; a weight left out is 0.
fn weights(items: Option<Vec<WeightItem>>) -> Result<Vec<(String, i64)>, ApiError> {
    items
        .unwrap_or_default()
        .into_iter()
        .map(|w| {
            let id = w.id.ok_or(ApiError::InvalidWeight)?;
            let weight = match &w.weight {
                None => 0,
                Some(v) => v.as_i64().ok_or(ApiError::InvalidWeight)?,
            };
            Ok((id, weight))
        })
        .collect()
}

/// Emulates "Enabling a Database Proxy" (`CreateGaussMySqlProxy`): `POST
/// …/instances/{instance_id}/proxy` → `201 {"job_id"}`.
pub(super) async fn enable(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<EnableProxyBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let request = NewProxy {
        flavor_ref: body.flavor_ref.ok_or(ApiError::Parameter)?,
        node_num: integer(body.node_num.as_ref())?,
        name: body.proxy_name,
        mode: ProxyMode::parse(body.proxy_mode.as_deref())?,
        weights: weights(body.nodes_read_weight)?,
    };
    let job = emulator
        .store
        .enable_proxy(&caller.project, &instance_id, request, now)?;
    Ok(job_answer_as(StatusCode::CREATED, &job))
}

/// Emulates "Disabling a Database Proxy" (`DeleteGaussMySqlProxy`): `DELETE
/// …/instances/{instance_id}/proxy [{"proxy_ids"}]` → `200 {"job_id"}`.
pub(super) async fn disable(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    OptionalJson(body): OptionalJson<DisableProxyBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let job = emulator
        .store
        .disable_proxy(&caller.project, &instance_id, body.proxy_ids, now)?;
    Ok(job_answer(&job))
}

/// Emulates "Adding Proxy Nodes" (`ExpandGaussMySqlProxy`): `POST
/// …/instances/{instance_id}/proxy/enlarge {"node_num", "proxy_id"}` → `201 {"job_id"}`.
pub(super) async fn enlarge(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<EnlargeProxyBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let node_num = integer(body.node_num.as_ref())?;
    let job = emulator.store.enlarge_proxy(
        &caller.project,
        &instance_id,
        body.proxy_id.as_deref(),
        node_num,
        now,
    )?;
    Ok(job_answer_as(StatusCode::CREATED, &job))
}

/// Emulates "Changing the Specifications of a Database Proxy"
/// (`ChangeGaussMySqlProxySpecification`): `PUT …/proxy/{proxy_id}/flavor {"flavor_ref"}` →
/// `200 {"job_id"}`.
pub(super) async fn resize(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id, proxy_id)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<ProxyFlavorBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let flavor = body.flavor_ref.ok_or(ApiError::Parameter)?;
    let job =
        emulator
            .store
            .resize_proxy(&caller.project, &instance_id, &proxy_id, &flavor, now)?;
    Ok(job_answer(&job))
}

/// Emulates "Assigning Read Weights" (`SetGaussMySqlProxyWeight`): `PUT
/// …/proxy/{proxy_id}/weight {"master_weight", "readonly_nodes"}` → `200 {"job_id"}`.
pub(super) async fn set_weights(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id, proxy_id)): ApiPath<(String, String, String)>,
    ApiJson(body): ApiJson<ProxyWeightBody>,
) -> Result<Response, ApiError> {
    let instance_id = InstanceId::parse(&instance_id)?;
    let master = match &body.master_weight {
        None => None,
        Some(v) => Some(v.as_i64().ok_or(ApiError::InvalidWeight)?),
    };
    let replicas = weights(body.readonly_nodes)?;
    let job = emulator.store.set_proxy_weights(
        &caller.project,
        &instance_id,
        &proxy_id,
        master,
        replicas,
        now,
    )?;
    Ok(job_answer(&job))
}

/// Emulates "Querying Database Proxies" (`ShowGaussMySqlProxyList`): `GET
/// …/instances/{instance_id}/proxies[?offset=&limit=]` → `200 {"proxy_list"}` (10 a page
/// unless `limit` says otherwise).
pub(super) async fn list(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<ProxyListParams>,
) -> Result<Response, ApiError> {
    let (limit, offset) = parse_paging_by(
        params.limit.as_deref(),
        params.offset.as_deref(),
        PROXY_PAGE,
    )?;
    let view = instance_view(&emulator, &caller, &instance_id, now)?;
    let instance = &view.instance;
    let proxy_list = instance
        .proxies
        .iter()
        .skip(offset)
        .take(limit)
        .map(|p| proxy_item(instance, p))
        .collect();
    Ok(json(StatusCode::OK, &ProxyListResponse { proxy_list }))
}

fn proxy_item(instance: &Instance, proxy: &Proxy) -> ProxyItem {
    let (vcpus, ram) = proxy.size();
    let replica_vcpus = instance.profile.vcpus.parse().unwrap_or(0);
    let node = |n: &Node| ProxyNodeWeight {
        id: n.id.to_string(),
        instance_id: instance.id.to_string(),
        status: n.state.status().unwrap_or(instance.status().as_str()),
        name: n.name.to_string(),
        weight: proxy.weight_of(n, replica_vcpus),
        availability_zone: vec![ZoneItem {
            code: n.az_code.to_string(),
            description: n.az_code.to_string(),
        }],
    };
    let master = instance
        .nodes
        .iter()
        .find(|n| n.role == NodeRole::Master)
        .or(instance.nodes.first());
    ProxyItem {
        proxy: ProxyInfo {
            pool_id: proxy.pool_id.clone(),
            status: proxy.state.as_str(),
            pool_status: "ACTIVE",
            address: proxy.address.clone(),
            port: proxy.port,
            delay_threshold_in_seconds: 30,
            elb_vip: proxy.elb_vip.clone(),
            eip: "",
            vcpus: vcpus.to_string(),
            ram: ram.to_string(),
            node_num: proxy.nodes.len(),
            mode: "Cluster",
            nodes: proxy
                .nodes
                .iter()
                .enumerate()
                .map(|(i, id)| ProxyNodeItem {
                    id: id.clone(),
                    name: format!("PROXY-{}_{i}", proxy.pool_id),
                    role: if i == 0 { "master" } else { "slave" },
                    az_code: instance.profile.master_az_code.to_string(),
                    status: "ACTIVE",
                    frozen_flag: 0,
                })
                .collect(),
            flavor_ref: proxy.flavor_ref.clone(),
            name: proxy.name.clone(),
            transaction_split: "OFF",
            proxy_mode: proxy.mode.as_str(),
        },
        master_node: master.map(node).unwrap_or_else(|| ProxyNodeWeight {
            id: String::new(),
            instance_id: instance.id.to_string(),
            status: instance.status().as_str(),
            name: String::new(),
            weight: proxy.master_weight,
            availability_zone: Vec::new(),
        }),
        readonly_nodes: instance
            .nodes
            .iter()
            .filter(|n| n.role == NodeRole::Slave)
            .map(node)
            .collect(),
    }
}

/// Emulates "Querying Database Proxy Specifications" (`ShowGaussMySqlProxyFlavors`): `GET
/// …/instances/{instance_id}/proxy/flavors` → `200 {"proxy_flavor_groups"}`, sold in every
/// zone of the instance's region.
pub(super) async fn flavors(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let view = instance_view(&emulator, &caller, &instance_id, now)?;
    let zones = catalog::azs(&view.instance.profile.region);
    let proxy_flavors = PROXY_FLAVORS
        .iter()
        .map(|f| ProxyFlavorItem {
            id: f.id,
            spec_code: f.spec_code,
            vcpus: f.vcpus.to_string(),
            ram: f.ram.to_string(),
            db_type: "Proxy",
            az_status: zones.iter().map(|z| (z.clone(), "normal")).collect(),
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &ProxyFlavorsResponse {
            proxy_flavor_groups: vec![ProxyFlavorGroup {
                group_type: "x86",
                proxy_flavors,
            }],
        },
    ))
}
