//! Handlers of the catalogues: DB flavors, engine versions, parameter templates, and an
//! instance's parameters.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::extract::{ApiPath, ApiQuery, Authorized, Now};
use super::instances::instance_view;
use super::respond::json;
use super::wire::catalog::{
    ConfigurationItem, ConfigurationsResponse, DatastoreItem, DatastoresResponse, FlavorItem,
    FlavorsParams, FlavorsResponse, InstanceConfigurationsResponse, InstanceTemplate, PageParams,
    ParameterItem,
};
use crate::domain::backup_query::parse_paging;
use crate::domain::catalog;
use crate::domain::time::format_api_time;
use crate::emulator::Emulator;
use crate::error::ApiError;

/// Emulates "Querying Database Specifications" (`gaussdb_04_0002`): `GET
/// /v3/{project_id}/flavors/{database_name}?availability_zone_mode=single|multi` → `200
/// {"flavors": [...]}`, each with its sales status in the project's region's zones.
pub(super) async fn flavors(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    ApiPath((_, database_name)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<FlavorsParams>,
) -> Result<Response, ApiError> {
    catalog::check_engine(&database_name)?;
    catalog::check_az_mode(params.availability_zone_mode.as_deref())?;
    // A project the emulator does not know (loose auth) sells as eu-de does.
    let name = emulator.store.project_name(&caller.project);
    let region = name.as_deref().map_or("eu-de", catalog::region_of);
    let catalog = emulator.store.catalog();
    let flavors = catalog
        .flavors(params.version_name.as_deref(), params.spec_code.as_deref())
        .map(|f| FlavorItem::new(f, region))
        .collect();
    Ok(json(StatusCode::OK, &FlavorsResponse { flavors }))
}

/// Emulates "Querying Version Information About a DB Engine" (`gaussdb_04_0001`): `GET
/// /v3/{project_id}/datastores/{database_name}` → `200 {"datastores": [{"id", "name"}]}`.
pub(super) async fn datastores(
    State(emulator): State<Arc<Emulator>>,
    _caller: Authorized,
    ApiPath((_, database_name)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    catalog::check_engine(&database_name)?;
    let catalog = emulator.store.catalog();
    let datastores = catalog.versions.iter().map(DatastoreItem::from).collect();
    Ok(json(StatusCode::OK, &DatastoresResponse { datastores }))
}

/// Emulates "Querying Parameter Templates" (`gaussdb_04_0009`): `GET
/// /v3/{project_id}/configurations[?offset=&limit=]` → `200 {"configurations": [...],
/// "total_count"}`.
pub(super) async fn configurations(
    State(emulator): State<Arc<Emulator>>,
    _caller: Authorized,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    let (limit, offset) = parse_paging(params.limit.as_deref(), params.offset.as_deref())?;
    let catalog = emulator.store.catalog();
    let configurations = catalog
        .templates
        .iter()
        .skip(offset)
        .take(limit)
        .map(ConfigurationItem::from)
        .collect();
    Ok(json(
        StatusCode::OK,
        &ConfigurationsResponse {
            configurations,
            total_count: catalog.templates.len(),
        },
    ))
}

/// Emulates "Obtaining Parameter Information of a Specified DB Instance"
/// (`ListInstanceConfigurations`): `GET …/instances/{instance_id}/configurations
/// [?offset=&limit=]` → `200 {"configurations", "total_count", "parameter_values"}`.
pub(super) async fn instance_configurations(
    State(emulator): State<Arc<Emulator>>,
    caller: Authorized,
    Now(now): Now,
    ApiPath((_, instance_id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    let view = instance_view(&emulator, &caller, &instance_id, now)?;
    let (limit, offset) = parse_paging(params.limit.as_deref(), params.offset.as_deref())?;
    let profile = &view.instance.profile;
    let max_connections = catalog::max_connections(view.flavor.as_ref());
    let parameters = catalog::parameters(
        &profile.ram,
        max_connections,
        profile.lower_case_table_names,
    );
    let total_count = parameters.len();
    Ok(json(
        StatusCode::OK,
        &InstanceConfigurationsResponse {
            configurations: InstanceTemplate {
                datastore_version_name: "2.0",
                datastore_name: "taurus",
                configuration_id: profile.configuration_id.to_string(),
                created: format_api_time(profile.created),
                updated: format_api_time(profile.updated),
            },
            total_count,
            parameter_values: parameters
                .into_iter()
                .skip(offset)
                .take(limit)
                .map(ParameterItem::from)
                .collect(),
        },
    ))
}
