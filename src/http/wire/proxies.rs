//! Bodies of the database proxy endpoints (`http/proxies.rs`): enable, disable, add nodes,
//! flavor, read weights, the list and the flavors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A node's read weight in a request; both fields untyped, each with its rule.
#[derive(Debug, Deserialize)]
pub struct WeightItem {
    pub id: Option<String>,
    pub weight: Option<serde_json::Value>,
}

/// Body of `POST …/instances/{instance_id}/proxy`. Huawei-only fields are ignored.
#[derive(Debug, Deserialize)]
pub struct EnableProxyBody {
    pub flavor_ref: Option<String>,
    pub node_num: Option<serde_json::Value>,
    pub proxy_name: Option<String>,
    pub proxy_mode: Option<String>,
    pub nodes_read_weight: Option<Vec<WeightItem>>,
}

/// Body of `DELETE …/instances/{instance_id}/proxy`, optional.
#[derive(Debug, Default, Deserialize)]
pub struct DisableProxyBody {
    pub proxy_ids: Option<Vec<String>>,
}

/// Body of `POST …/instances/{instance_id}/proxy/enlarge`.
#[derive(Debug, Deserialize)]
pub struct EnlargeProxyBody {
    pub node_num: Option<serde_json::Value>,
    pub proxy_id: Option<String>,
}

/// Body of `PUT …/proxy/{proxy_id}/flavor`.
#[derive(Debug, Deserialize)]
pub struct ProxyFlavorBody {
    pub flavor_ref: Option<String>,
}

/// Body of `PUT …/proxy/{proxy_id}/weight`.
#[derive(Debug, Deserialize)]
pub struct ProxyWeightBody {
    pub master_weight: Option<serde_json::Value>,
    pub readonly_nodes: Option<Vec<WeightItem>>,
}

/// Query of `GET …/instances/{instance_id}/proxies`.
#[derive(Debug, Deserialize)]
pub struct ProxyListParams {
    pub offset: Option<String>,
    pub limit: Option<String>,
}

/// `200` answer of `GET …/instances/{instance_id}/proxies`.
#[derive(Debug, Serialize)]
pub struct ProxyListResponse {
    pub proxy_list: Vec<ProxyItem>,
}

#[derive(Debug, Serialize)]
pub struct ProxyItem {
    pub proxy: ProxyInfo,
    pub master_node: ProxyNodeWeight,
    pub readonly_nodes: Vec<ProxyNodeWeight>,
}

/// A proxy: `port`, `delay_threshold_in_seconds`, `node_num` integers; `vcpus`, `ram` strings.
#[derive(Debug, Serialize)]
pub struct ProxyInfo {
    pub pool_id: String,
    pub status: &'static str,
    pub pool_status: &'static str,
    pub address: String,
    pub port: u16,
    pub delay_threshold_in_seconds: u32,
    pub elb_vip: String,
    pub eip: &'static str,
    pub vcpus: String,
    pub ram: String,
    pub node_num: usize,
    pub mode: &'static str,
    pub nodes: Vec<ProxyNodeItem>,
    pub flavor_ref: String,
    pub name: String,
    pub transaction_split: &'static str,
    /// Huawei Cloud's field: `readwrite` or `readonly`.
    pub proxy_mode: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ProxyNodeItem {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub az_code: String,
    pub status: &'static str,
    pub frozen_flag: u8,
}

/// A database node as a proxy sees it, with its read weight (an integer).
#[derive(Debug, Serialize)]
pub struct ProxyNodeWeight {
    pub id: String,
    pub instance_id: String,
    pub status: &'static str,
    pub name: String,
    pub weight: u32,
    pub availability_zone: Vec<ZoneItem>,
}

#[derive(Debug, Serialize)]
pub struct ZoneItem {
    pub code: String,
    pub description: String,
}

/// `200` answer of `GET …/instances/{instance_id}/proxy/flavors`.
#[derive(Debug, Serialize)]
pub struct ProxyFlavorsResponse {
    pub proxy_flavor_groups: Vec<ProxyFlavorGroup>,
}

#[derive(Debug, Serialize)]
pub struct ProxyFlavorGroup {
    pub group_type: &'static str,
    pub proxy_flavors: Vec<ProxyFlavorItem>,
}

/// A proxy flavor: `vcpus`, `ram`, `db_type` strings; `az_status` by zone.
#[derive(Debug, Serialize)]
pub struct ProxyFlavorItem {
    pub id: &'static str,
    pub spec_code: &'static str,
    pub vcpus: String,
    pub ram: String,
    pub db_type: &'static str,
    pub az_status: BTreeMap<String, &'static str>,
}
