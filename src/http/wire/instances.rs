//! Bodies of the instance endpoints (`http/instances.rs`): list, details, creation. JSON
//! types follow what the SDKs read, which differs between the list and the details.

use serde::{Deserialize, Serialize};

use super::json::StringOrNumber;
use super::restore::RestorePointBody;
use crate::domain::catalog;
use crate::domain::ids::derived_uuid;
use crate::domain::new_instance::NewInstance;
use crate::domain::time::format_api_time;
use crate::domain::{Instance, InstanceProfile, InstanceStatus, JobId};
use crate::store::{InstancePage, InstanceView};

/// Query of `GET /v3/{project_id}/instances`, as text; validated by `InstanceQuery::parse`.
#[derive(Debug, Default, Deserialize)]
pub struct ListInstancesParams {
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub instance_type: Option<String>,
    pub datastore_type: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub private_ip: Option<String>,
    pub readonly_private_ip: Option<String>,
    pub proxy_ip: Option<String>,
    pub tags: Option<String>,
    pub offset: Option<String>,
    pub limit: Option<String>,
}

/// `200` answer of the instance list.
#[derive(Debug, Serialize)]
pub struct ListInstancesResponse {
    pub instances: Vec<InstanceListItem>,
    pub total_count: usize,
}

/// An instance in the list. JSON types follow the SDKs: `port`, `flavor_info.*`,
/// `volume.size` and `backup_strategy.keep_days` are strings.
#[derive(Debug, Serialize)]
pub struct InstanceListItem {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub private_ips: Vec<String>,
    pub public_ips: Vec<String>,
    pub port: String,
    #[serde(rename = "type")]
    pub instance_type: &'static str,
    pub region: String,
    pub datastore: InstanceDatastore,
    pub created: String,
    pub updated: String,
    pub db_user_name: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub flavor_ref: String,
    pub flavor_info: FlavorInfo,
    pub volume: ListVolume,
    pub backup_strategy: BackupStrategy,
    pub time_zone: String,
    pub dedicated_resource_id: String,
    pub tags: Vec<Tag>,
    pub enterprise_project_id: String,
    pub charge_info: ListChargeInfo,
    pub proxy_ips: Vec<String>,
    pub readonly_private_ips: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct InstanceDatastore {
    #[serde(rename = "type")]
    pub datastore_type: &'static str,
    pub version: String,
    pub kernel_version: String,
}

#[derive(Debug, Serialize)]
pub struct FlavorInfo {
    pub vcpus: String,
    pub ram: String,
}

#[derive(Debug, Serialize)]
pub struct ListVolume {
    #[serde(rename = "type")]
    pub volume_type: String,
    pub size: String,
}

#[derive(Debug, Serialize)]
pub struct BackupStrategy {
    pub start_time: String,
    pub keep_days: String,
}

#[derive(Debug, Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct ListChargeInfo {
    pub charge_mode: String,
}

/// `200` answer of the instance details.
#[derive(Debug, Serialize)]
pub struct InstanceResponse {
    pub instance: InstanceDetail,
}

/// An instance in full. `public_ips` is a string here (an array in the list); `node_count`,
/// `backup_used_space` and the nodes' `port`, `priority` and `volume.size` are numbers.
#[derive(Debug, Serialize)]
pub struct InstanceDetail {
    pub id: String,
    pub name: String,
    pub project_id: String,
    pub status: &'static str,
    pub port: String,
    pub alias: String,
    #[serde(rename = "type")]
    pub instance_type: &'static str,
    pub charge_info: DetailChargeInfo,
    pub node_count: u32,
    pub datastore: InstanceDatastore,
    pub backup_used_space: f64,
    pub created: String,
    pub updated: String,
    pub private_write_ips: Vec<String>,
    pub private_dns_names: Vec<String>,
    pub public_ips: String,
    pub db_user_name: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub configuration_id: String,
    pub backup_strategy: BackupStrategy,
    pub nodes: Vec<Node>,
    pub enterprise_project_id: String,
    pub time_zone: String,
    pub az_mode: String,
    pub master_az_code: String,
    pub maintenance_window: String,
    pub tags: Vec<Tag>,
    pub dedicated_resource_id: String,
    pub proxies: Vec<Proxy>,
}

#[derive(Debug, Serialize)]
pub struct DetailChargeInfo {
    pub charge_mode: String,
    pub order_id: String,
}

#[derive(Debug, Serialize)]
pub struct Node {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub node_type: &'static str,
    pub status: &'static str,
    pub port: u16,
    pub private_read_ips: Vec<String>,
    pub volume: NodeVolume,
    pub az_code: String,
    pub region_code: String,
    pub created: String,
    pub updated: String,
    pub flavor_id: String,
    pub flavor_ref: String,
    pub max_connections: String,
    pub vcpus: String,
    pub ram: String,
    pub need_restart: bool,
    pub priority: i64,
}

#[derive(Debug, Serialize)]
pub struct NodeVolume {
    #[serde(rename = "type")]
    pub volume_type: String,
    pub used: String,
    pub size: u64,
}

#[derive(Debug, Serialize)]
pub struct Proxy {
    pub pool_id: String,
    pub name: String,
    pub address: String,
}

fn tags(profile: &InstanceProfile) -> Vec<Tag> {
    profile
        .tags
        .iter()
        .map(|(key, value)| Tag {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

fn datastore(profile: &InstanceProfile) -> InstanceDatastore {
    InstanceDatastore {
        datastore_type: "gaussdb-mysql",
        version: profile.datastore_version.to_string(),
        kernel_version: profile.kernel_version.to_string(),
    }
}

fn backup_strategy(instance: &Instance) -> BackupStrategy {
    BackupStrategy {
        start_time: instance.policy.start_time(),
        keep_days: instance.policy.keep_days.to_string(),
    }
}

/// Every instance is a TaurusDB cluster.
const INSTANCE_TYPE: &str = "Cluster";

impl From<InstanceView> for InstanceListItem {
    fn from(view: InstanceView) -> Self {
        let i = view.instance;
        let p = &i.profile;
        Self {
            status: i.status().as_str(),
            private_ips: p.private_ips.iter().map(ToString::to_string).collect(),
            public_ips: p.public_ips.clone(),
            port: p.port.to_string(),
            instance_type: INSTANCE_TYPE,
            region: p.region.to_string(),
            datastore: datastore(p),
            created: format_api_time(p.created),
            updated: format_api_time(p.updated),
            db_user_name: p.db_user_name.to_string(),
            vpc_id: p.vpc_id.to_string(),
            subnet_id: p.subnet_id.to_string(),
            security_group_id: p.security_group_id.to_string(),
            flavor_ref: p.flavor_ref.to_string(),
            flavor_info: FlavorInfo {
                vcpus: p.vcpus.to_string(),
                ram: p.ram.to_string(),
            },
            volume: ListVolume {
                volume_type: p.volume_type.to_string(),
                size: p.volume_size.to_string(),
            },
            backup_strategy: backup_strategy(&i),
            time_zone: p.time_zone.to_string(),
            dedicated_resource_id: p.dedicated_resource_id.to_string(),
            tags: tags(p),
            enterprise_project_id: p.enterprise_project_id.to_string(),
            charge_info: ListChargeInfo {
                charge_mode: p.charge_mode.to_string(),
            },
            proxy_ips: i.proxies.iter().map(|x| x.address.clone()).collect(),
            readonly_private_ips: Vec::new(),
            id: i.id.to_string(),
            name: i.name.clone(),
        }
    }
}

impl From<InstancePage> for ListInstancesResponse {
    fn from(page: InstancePage) -> Self {
        Self {
            instances: page
                .instances
                .into_iter()
                .map(InstanceListItem::from)
                .collect(),
            total_count: page.total_count,
        }
    }
}

impl From<InstanceView> for InstanceResponse {
    fn from(view: InstanceView) -> Self {
        let i = &view.instance;
        let p = &i.profile;
        let status = i.status();
        let node_status = match status {
            InstanceStatus::BackingUp => InstanceStatus::Active.as_str(),
            other => other.as_str(),
        };
        let flavor = view.flavor.as_ref();
        let nodes = i
            .nodes
            .iter()
            .map(|n| Node {
                id: n.id.to_string(),
                name: n.name.to_string(),
                node_type: n.role.as_str(),
                status: n.state.status().unwrap_or(node_status),
                port: p.port,
                private_read_ips: vec![n.private_ip.to_string()],
                volume: NodeVolume {
                    volume_type: p.volume_type.to_string(),
                    used: "0.07".to_owned(),
                    size: p.volume_size,
                },
                az_code: n.az_code.to_string(),
                region_code: p.region.to_string(),
                created: format_api_time(n.created),
                updated: format_api_time(p.updated),
                flavor_id: flavor.map_or_else(|| derived_uuid(&p.flavor_ref, 0), |f| f.id.clone()),
                flavor_ref: p.flavor_ref.to_string(),
                max_connections: catalog::max_connections(flavor).to_owned(),
                vcpus: p.vcpus.to_string(),
                ram: p.ram.to_string(),
                need_restart: false,
                priority: n.priority,
            })
            .collect();
        Self {
            instance: InstanceDetail {
                id: i.id.to_string(),
                name: i.name.clone(),
                project_id: view.project_id.to_string(),
                status: status.as_str(),
                port: p.port.to_string(),
                alias: p.alias.to_string(),
                instance_type: INSTANCE_TYPE,
                charge_info: DetailChargeInfo {
                    charge_mode: p.charge_mode.to_string(),
                    order_id: String::new(),
                },
                node_count: i.nodes.len() as u32,
                datastore: datastore(p),
                backup_used_space: (view.backup_used_mb as f64 / 1024.0 * 100.0).round() / 100.0,
                created: format_api_time(p.created),
                updated: format_api_time(p.updated),
                private_write_ips: p.private_ips.iter().map(ToString::to_string).collect(),
                private_dns_names: Vec::new(),
                public_ips: p.public_ips.first().cloned().unwrap_or_default(),
                db_user_name: p.db_user_name.to_string(),
                vpc_id: p.vpc_id.to_string(),
                subnet_id: p.subnet_id.to_string(),
                security_group_id: p.security_group_id.to_string(),
                configuration_id: p.configuration_id.to_string(),
                backup_strategy: backup_strategy(i),
                nodes,
                enterprise_project_id: p.enterprise_project_id.to_string(),
                time_zone: p.time_zone.to_string(),
                az_mode: p.az_mode.to_string(),
                master_az_code: p.master_az_code.to_string(),
                maintenance_window: p.maintenance_window.to_string(),
                tags: tags(p),
                dedicated_resource_id: p.dedicated_resource_id.to_string(),
                proxies: i
                    .proxies
                    .iter()
                    .map(|x| Proxy {
                        pool_id: x.pool_id.clone(),
                        name: x.name.clone(),
                        address: x.address.clone(),
                    })
                    .collect(),
            },
        }
    }
}

/// Body of `POST /v3/{project_id}/instances`. Unknown fields are ignored; fields the
/// emulator keeps nothing of (`tde_info`, `enable_binlog`, `volume_auto_expand`) are taken
/// whatever their shape.
#[derive(Debug, Deserialize)]
pub struct CreateInstanceBody {
    pub region: Option<String>,
    pub name: Option<String>,
    pub datastore: Option<DatastoreBody>,
    pub mode: Option<String>,
    pub flavor_ref: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub security_group_id: Option<String>,
    pub password: Option<String>,
    pub availability_zone_mode: Option<String>,
    pub master_availability_zone: Option<String>,
    pub slave_count: Option<i64>,
    pub backup_strategy: Option<BackupStrategyBody>,
    pub charge_info: Option<ChargeInfoBody>,
    pub time_zone: Option<String>,
    pub configuration_id: Option<String>,
    pub enterprise_project_id: Option<String>,
    pub dedicated_resource_id: Option<String>,
    pub lower_case_table_names: Option<i64>,
    pub volume: Option<VolumeBody>,
    #[serde(default)]
    pub tags: Vec<TagBody>,
    pub restore_point: Option<RestorePointBody>,
}

#[derive(Debug, Deserialize)]
pub struct DatastoreBody {
    #[serde(rename = "type")]
    pub datastore_type: Option<String>,
    pub version: Option<String>,
    pub kernel_version: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct BackupStrategyBody {
    pub start_time: Option<String>,
    /// Typed string in the API; a number is taken too.
    pub keep_days: Option<StringOrNumber>,
}

#[derive(Debug, Deserialize)]
pub struct ChargeInfoBody {
    pub charge_mode: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct VolumeBody {
    /// Typed string in the API; a number is taken too.
    pub size: Option<StringOrNumber>,
}

#[derive(Debug, Deserialize)]
pub struct TagBody {
    pub key: String,
    pub value: String,
}

/// `201` answer of an instance creation.
#[derive(Debug, Serialize)]
pub struct CreateInstanceResponse {
    pub instance: CreatedInstance,
    pub job_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
}

/// The instance as a creation answers it. `port` and `backup_strategy.keep_days` are strings
/// (Terraform reads `port` into a string), `volume.size` a number.
#[derive(Debug, Serialize)]
pub struct CreatedInstance {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub region: String,
    pub mode: String,
    pub flavor_ref: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub availability_zone_mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub master_availability_zone: Option<String>,
    pub configuration_id: String,
    pub datastore: InstanceDatastore,
    pub port: String,
    pub backup_strategy: BackupStrategy,
    pub charge_info: ListChargeInfo,
    pub volume: CreatedVolume,
    pub enterprise_project_id: String,
}

#[derive(Debug, Serialize)]
pub struct CreatedVolume {
    pub size: u64,
}

impl CreateInstanceResponse {
    /// The answer for `request`, which created `view` with `job_id`.
    pub fn new(view: &InstanceView, request: &NewInstance, job_id: &JobId) -> Self {
        let i = &view.instance;
        let p = &i.profile;
        // An order id in the shape of Huawei Cloud's (`CS2308241236EEXVF`), from the job's.
        let order_id = request.prepaid.then(|| {
            let hex: String = job_id.to_string().replace('-', "");
            format!("CS{}", hex[..15].to_ascii_uppercase())
        });
        Self {
            instance: CreatedInstance {
                id: i.id.to_string(),
                name: i.name.clone(),
                status: i.status().as_str(),
                region: p.region.to_string(),
                mode: request.mode.clone(),
                flavor_ref: p.flavor_ref.to_string(),
                vpc_id: p.vpc_id.to_string(),
                subnet_id: p.subnet_id.to_string(),
                security_group_id: p.security_group_id.to_string(),
                availability_zone_mode: p.az_mode.to_string(),
                master_availability_zone: request.master_az.clone(),
                configuration_id: p.configuration_id.to_string(),
                datastore: datastore(p),
                port: p.port.to_string(),
                backup_strategy: backup_strategy(i),
                charge_info: ListChargeInfo {
                    charge_mode: p.charge_mode.to_string(),
                },
                volume: CreatedVolume {
                    size: p.volume_size,
                },
                enterprise_project_id: p.enterprise_project_id.to_string(),
            },
            job_id: job_id.to_string(),
            order_id,
        }
    }
}
