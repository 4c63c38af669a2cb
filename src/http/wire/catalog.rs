//! Bodies of the catalogue endpoints (`http/catalog.rs`): flavors, engine versions,
//! parameter templates, an instance's parameters. Numbers of a flavor are strings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::catalog::{EngineVersion, Flavor, Parameter, Template};

/// Query of `GET /v3/{project_id}/flavors/{database_name}`.
#[derive(Debug, Default, Deserialize)]
pub struct FlavorsParams {
    pub version_name: Option<String>,
    pub availability_zone_mode: Option<String>,
    pub spec_code: Option<String>,
}

/// `200` answer of the flavor list.
#[derive(Debug, Serialize)]
pub struct FlavorsResponse {
    pub flavors: Vec<FlavorItem>,
}

#[derive(Debug, Serialize)]
pub struct FlavorItem {
    pub id: &'static str,
    pub spec_code: &'static str,
    pub vcpus: &'static str,
    pub ram: &'static str,
    #[serde(rename = "type")]
    pub flavor_type: &'static str,
    pub version_name: &'static str,
    pub instance_mode: &'static str,
    pub az_status: BTreeMap<String, &'static str>,
}

impl FlavorItem {
    /// A flavor as `region` sells it.
    pub fn new(flavor: &Flavor, region: &str) -> Self {
        Self {
            id: flavor.id,
            spec_code: flavor.spec_code,
            vcpus: flavor.vcpus,
            ram: flavor.ram,
            flavor_type: "x86",
            version_name: "8.0",
            instance_mode: "Cluster",
            az_status: flavor.az_status(region).into_iter().collect(),
        }
    }
}

/// `200` answer of the engine versions.
#[derive(Debug, Serialize)]
pub struct DatastoresResponse {
    pub datastores: Vec<DatastoreItem>,
}

#[derive(Debug, Serialize)]
pub struct DatastoreItem {
    pub id: &'static str,
    pub name: &'static str,
    pub version: &'static str,
    pub kernel_version: &'static str,
}

impl From<&EngineVersion> for DatastoreItem {
    fn from(v: &EngineVersion) -> Self {
        Self {
            id: v.id,
            name: v.name,
            version: v.version,
            kernel_version: v.kernel_version,
        }
    }
}

/// Query of the paged lists here: `offset` and `limit`, as text.
#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    pub offset: Option<String>,
    pub limit: Option<String>,
}

/// `200` answer of the template list.
#[derive(Debug, Serialize)]
pub struct ConfigurationsResponse {
    pub configurations: Vec<ConfigurationItem>,
    pub total_count: usize,
}

#[derive(Debug, Serialize)]
pub struct ConfigurationItem {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub datastore_version_name: &'static str,
    pub datastore_name: &'static str,
    pub created: &'static str,
    pub updated: &'static str,
    pub user_defined: bool,
}

impl From<&Template> for ConfigurationItem {
    fn from(t: &Template) -> Self {
        Self {
            id: t.id,
            name: t.name,
            description: t.description,
            datastore_version_name: t.datastore_version_name,
            datastore_name: t.datastore_name,
            created: t.created,
            updated: t.created,
            user_defined: t.user_defined,
        }
    }
}

/// `200` answer of an instance's parameters.
#[derive(Debug, Serialize)]
pub struct InstanceConfigurationsResponse {
    pub configurations: InstanceTemplate,
    pub total_count: usize,
    pub parameter_values: Vec<ParameterItem>,
}

/// The template an instance's parameters come from, as the API page's example shows it.
#[derive(Debug, Serialize)]
pub struct InstanceTemplate {
    pub datastore_version_name: &'static str,
    pub datastore_name: &'static str,
    pub configuration_id: String,
    pub created: String,
    pub updated: String,
}

#[derive(Debug, Serialize)]
pub struct ParameterItem {
    pub name: &'static str,
    /// A string whatever the parameter's type (gophertelekomcloud reads a string).
    pub value: String,
    pub restart_required: bool,
    pub readonly: bool,
    pub value_range: String,
    #[serde(rename = "type")]
    pub value_type: &'static str,
    pub description: &'static str,
}

impl From<Parameter> for ParameterItem {
    fn from(p: Parameter) -> Self {
        Self {
            name: p.name,
            value: p.value,
            restart_required: p.restart_required,
            readonly: p.readonly,
            value_range: p.value_range,
            value_type: p.value_type,
            description: p.description,
        }
    }
}
