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
pub struct FlavorsResponse<'a> {
    pub flavors: Vec<FlavorItem<'a>>,
}

#[derive(Debug, Serialize)]
pub struct FlavorItem<'a> {
    pub id: &'a str,
    pub spec_code: &'a str,
    pub vcpus: &'a str,
    pub ram: &'a str,
    #[serde(rename = "type")]
    pub flavor_type: &'a str,
    pub version_name: &'a str,
    pub instance_mode: &'a str,
    pub az_status: BTreeMap<String, &'a str>,
}

impl<'a> FlavorItem<'a> {
    /// A flavor as `region` sells it.
    pub fn new(flavor: &'a Flavor, region: &str) -> Self {
        Self {
            id: &flavor.id,
            spec_code: &flavor.spec_code,
            vcpus: &flavor.vcpus,
            ram: &flavor.ram,
            flavor_type: "x86",
            version_name: "8.0",
            instance_mode: "Cluster",
            az_status: flavor.az_status(region).into_iter().collect(),
        }
    }
}

/// `200` answer of the engine versions.
#[derive(Debug, Serialize)]
pub struct DatastoresResponse<'a> {
    pub datastores: Vec<DatastoreItem<'a>>,
}

#[derive(Debug, Serialize)]
pub struct DatastoreItem<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: &'a str,
    pub kernel_version: &'a str,
}

impl<'a> From<&'a EngineVersion> for DatastoreItem<'a> {
    fn from(v: &'a EngineVersion) -> Self {
        Self {
            id: &v.id,
            name: &v.name,
            version: &v.version,
            kernel_version: &v.kernel_version,
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
pub struct ConfigurationsResponse<'a> {
    pub configurations: Vec<ConfigurationItem<'a>>,
    pub total_count: usize,
}

#[derive(Debug, Serialize)]
pub struct ConfigurationItem<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub datastore_version_name: &'a str,
    pub datastore_name: &'a str,
    pub created: &'a str,
    pub updated: &'a str,
    pub user_defined: bool,
}

impl<'a> From<&'a Template> for ConfigurationItem<'a> {
    fn from(t: &'a Template) -> Self {
        Self {
            id: &t.id,
            name: &t.name,
            description: &t.description,
            datastore_version_name: &t.datastore_version_name,
            datastore_name: &t.datastore_name,
            created: &t.created,
            updated: &t.created,
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
