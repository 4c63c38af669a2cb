//! Bodies of the network look-ups (`http/network.rs`): VPC API v1's VPCs and subnets, and
//! Networking v2's security groups, with the fields gophertelekomcloud and the Terraform
//! provider read.

use serde::{Deserialize, Serialize};

use crate::domain::network::{SecurityGroup, Subnet, Vpc};

/// `200` answer of the VPC list.
#[derive(Debug, Serialize)]
pub struct VpcsResponse {
    pub vpcs: Vec<VpcItem>,
}

/// `200` answer of one VPC.
#[derive(Debug, Serialize)]
pub struct VpcResponse {
    pub vpc: VpcItem,
}

#[derive(Debug, Serialize)]
pub struct VpcItem {
    pub id: String,
    pub name: String,
    pub cidr: String,
    pub description: String,
    pub status: &'static str,
    pub routes: Vec<String>,
    pub enable_shared_snat: bool,
}

impl From<&Vpc> for VpcItem {
    fn from(v: &Vpc) -> Self {
        Self {
            id: v.id.clone(),
            name: v.name.clone(),
            cidr: v.cidr.clone(),
            description: v.description.clone(),
            status: "OK",
            routes: Vec::new(),
            enable_shared_snat: false,
        }
    }
}

/// Query of the subnet list.
#[derive(Debug, Default, Deserialize)]
pub struct SubnetsParams {
    pub vpc_id: Option<String>,
}

/// `200` answer of the subnet list.
#[derive(Debug, Serialize)]
pub struct SubnetsResponse {
    pub subnets: Vec<SubnetItem>,
}

/// `200` answer of one subnet.
#[derive(Debug, Serialize)]
pub struct SubnetResponse {
    pub subnet: SubnetItem,
}

#[derive(Debug, Serialize)]
pub struct SubnetItem {
    pub id: String,
    pub name: String,
    pub description: String,
    pub cidr: String,
    #[serde(rename = "dnsList")]
    pub dns_list: Vec<String>,
    pub status: &'static str,
    pub vpc_id: String,
    pub gateway_ip: String,
    pub dhcp_enable: bool,
    pub ipv6_enable: bool,
    pub primary_dns: String,
    pub secondary_dns: String,
    pub availability_zone: String,
    pub neutron_network_id: String,
    pub neutron_subnet_id: String,
    pub extra_dhcp_opts: Vec<String>,
}

impl From<&Subnet> for SubnetItem {
    fn from(s: &Subnet) -> Self {
        Self {
            id: s.id.clone(),
            name: s.name.clone(),
            description: String::new(),
            cidr: s.cidr.clone(),
            dns_list: [&s.primary_dns, &s.secondary_dns]
                .into_iter()
                .filter(|d| !d.is_empty())
                .cloned()
                .collect(),
            status: "ACTIVE",
            vpc_id: s.vpc_id.clone(),
            gateway_ip: s.gateway_ip.clone(),
            dhcp_enable: true,
            ipv6_enable: false,
            primary_dns: s.primary_dns.clone(),
            secondary_dns: s.secondary_dns.clone(),
            availability_zone: s.availability_zone.clone(),
            // On OTC a subnet's id is its Neutron network's.
            neutron_network_id: s.id.clone(),
            neutron_subnet_id: s.neutron_subnet_id.clone(),
            extra_dhcp_opts: Vec::new(),
        }
    }
}

/// Query of the security group list: Networking v2 filters by field.
#[derive(Debug, Default, Deserialize)]
pub struct SecurityGroupsParams {
    pub id: Option<String>,
    pub name: Option<String>,
    pub tenant_id: Option<String>,
    pub project_id: Option<String>,
}

/// `200` answer of the security group list.
#[derive(Debug, Serialize)]
pub struct SecurityGroupsResponse {
    pub security_groups: Vec<SecurityGroupItem>,
}

/// `200` answer of one security group.
#[derive(Debug, Serialize)]
pub struct SecurityGroupResponse {
    pub security_group: SecurityGroupItem,
}

#[derive(Debug, Serialize)]
pub struct SecurityGroupItem {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The owning project; left out when the caller's credentials name none (loose auth).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    pub security_group_rules: Vec<String>,
}

impl SecurityGroupItem {
    /// A group of the project `owner`, if the caller's credentials name one.
    pub fn new(g: &SecurityGroup, owner: Option<&str>) -> Self {
        Self {
            id: g.id.clone(),
            name: g.name.clone(),
            description: g.description.clone(),
            tenant_id: owner.map(str::to_owned),
            project_id: owner.map(str::to_owned),
            security_group_rules: Vec::new(),
        }
    }
}
