//! The network a TaurusDB configuration looks up before it creates an instance: VPCs and
//! subnets (VPC API v1) and security groups (Networking v2), read-only. Every project has a
//! default VPC, subnet and security group; fixtures add more.

use crate::error::ApiError;

/// A VPC, as `GET /v1/{project_id}/vpcs` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vpc {
    pub id: String,
    pub name: String,
    pub cidr: String,
    pub description: String,
}

/// A subnet of a VPC, as `GET /v1/{project_id}/subnets` lists it. Its `id` is the network id
/// a TaurusDB instance's `subnet_id` names (Neutron's network id on OTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub name: String,
    pub cidr: String,
    pub gateway_ip: String,
    pub vpc_id: String,
    pub availability_zone: String,
    pub primary_dns: String,
    pub secondary_dns: String,
    /// Neutron's subnet id (a subnet's `neutron_subnet_id`).
    pub neutron_subnet_id: String,
}

/// A security group, as `GET /v2.0/security-groups` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// The VPCs, subnets and security groups of a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub security_groups: Vec<SecurityGroup>,
}

impl Network {
    /// No VPCs, subnets or security groups.
    pub const NONE: Network = Network {
        vpcs: Vec::new(),
        subnets: Vec::new(),
        security_groups: Vec::new(),
    };
}

/// The default VPC's id: the one the documentation's create example (and every client test)
/// names.
pub const DEFAULT_VPC: &str = "3cedfc54-b105-4652-a4e0-847b11576b58";
/// The default subnet's (network) id, of the same example.
pub const DEFAULT_SUBNET: &str = "c1cfa53c-65d3-431e-8552-326bf310c7ad";
/// The default security group's id.
pub const DEFAULT_SECURITY_GROUP: &str = "ee83dccd-4e82-4bdb-ae84-5ccd4e83d55b";

impl Network {
    /// What every project has in `region`: a VPC `vpc-default` with a subnet `subnet-default`
    /// in the region's first zone, and the security group `default` every tenant has.
    pub fn builtin(region: &str) -> Self {
        Self {
            vpcs: vec![Vpc {
                id: DEFAULT_VPC.to_owned(),
                name: "vpc-default".to_owned(),
                cidr: "192.168.0.0/16".to_owned(),
                description: "The emulator's default VPC".to_owned(),
            }],
            subnets: vec![Subnet {
                id: DEFAULT_SUBNET.to_owned(),
                name: "subnet-default".to_owned(),
                cidr: "192.168.0.0/24".to_owned(),
                gateway_ip: "192.168.0.1".to_owned(),
                vpc_id: DEFAULT_VPC.to_owned(),
                availability_zone: format!("{region}-01"),
                primary_dns: "100.125.4.25".to_owned(),
                secondary_dns: "100.125.129.199".to_owned(),
                neutron_subnet_id: "5b4e0f46-9f1d-4c6b-8a27-64d1c2e0a9f3".to_owned(),
            }],
            security_groups: vec![SecurityGroup {
                id: DEFAULT_SECURITY_GROUP.to_owned(),
                name: "default".to_owned(),
                description: "Default security group".to_owned(),
            }],
        }
    }

    /// This network with `more` added.
    pub fn and(mut self, more: &Network) -> Self {
        self.vpcs.extend(more.vpcs.iter().cloned());
        self.subnets.extend(more.subnets.iter().cloned());
        self.security_groups
            .extend(more.security_groups.iter().cloned());
        self
    }

    /// Whether an instance may be placed so: the VPC exists (404 `DBS.200503`), the subnet
    /// exists in it (404 `DBS.200501`), the security group, if named, exists (404
    /// `DBS.200050`).
    pub fn check_placement(
        &self,
        vpc_id: &str,
        subnet_id: &str,
        security_group_id: Option<&str>,
    ) -> Result<(), ApiError> {
        if !self.vpcs.iter().any(|v| v.id == vpc_id) {
            return Err(ApiError::VpcNotFound);
        }
        if !self
            .subnets
            .iter()
            .any(|s| s.id == subnet_id && s.vpc_id == vpc_id)
        {
            return Err(ApiError::SubnetNotFound);
        }
        if let Some(group) = security_group_id
            && !self.security_groups.iter().any(|g| g.id == group)
        {
            return Err(ApiError::SecurityGroupNotFound);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_goes_into_a_known_vpc_a_subnet_of_it_and_a_known_group() {
        let mut network = Network::builtin("eu-de");
        let other = Network {
            vpcs: vec![Vpc {
                id: "vpc-2".into(),
                name: "second".into(),
                cidr: "10.0.0.0/8".into(),
                description: String::new(),
            }],
            ..Network::default()
        };
        network = network.and(&other);
        assert_eq!(
            network.check_placement(DEFAULT_VPC, DEFAULT_SUBNET, Some(DEFAULT_SECURITY_GROUP)),
            Ok(())
        );
        assert_eq!(
            network.check_placement(DEFAULT_VPC, DEFAULT_SUBNET, None),
            Ok(())
        );
        assert_eq!(
            network.check_placement("vpc-9", DEFAULT_SUBNET, None),
            Err(ApiError::VpcNotFound)
        );
        assert_eq!(
            network.check_placement("vpc-2", DEFAULT_SUBNET, None),
            Err(ApiError::SubnetNotFound),
            "the subnet is the default VPC's"
        );
        assert_eq!(
            network.check_placement(DEFAULT_VPC, DEFAULT_SUBNET, Some("sg-9")),
            Err(ApiError::SecurityGroupNotFound)
        );
        assert_eq!(network.subnets[0].availability_zone, "eu-de-01");
    }
}
