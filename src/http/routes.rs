//! The route table: every method and path the emulator serves, with the operation name that
//! request faults and the journal use. The router is built from it, and the OpenAPI document
//! is checked against it.

use axum::http::Method;

pub use super::operation::Operation;

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub operation: Operation,
}

const fn route(method: &'static str, path: &'static str, operation: Operation) -> Route {
    Route {
        method,
        path,
        operation,
    }
}

/// The emulated API, relative to the service root. Each also answers under `/mysql`.
pub const API: &[Route] = &[
    route("GET", "/v3", Operation::Version),
    route("POST", "/v3/{project_id}/backups/create", Operation::Create),
    route("GET", "/v3/{project_id}/backups", Operation::List),
    route(
        "DELETE",
        "/v3/{project_id}/backups/{backup_id}",
        Operation::Delete,
    ),
    route("DELETE", "/v3/{project_id}/backups", Operation::BatchDelete),
    route("GET", "/v3/{project_id}/jobs", Operation::Job),
    route(
        "GET",
        "/v3/{project_id}/instances",
        Operation::ListInstances,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}",
        Operation::ShowInstance,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/backups/policy",
        Operation::ShowPolicy,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/backups",
        Operation::InstanceBackups,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/restore-time",
        Operation::RestoreTime,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/incremental-backups",
        Operation::IncrementalBackups,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/backups/encryption",
        Operation::ShowEncryption,
    ),
    route(
        "POST",
        "/v3/{project_id}/instances/{instance_id}/backups/encryption",
        Operation::SetEncryption,
    ),
    route(
        "PUT",
        "/v3/{project_id}/instances/{instance_id}/backups/offsite-policy",
        Operation::SetOffsitePolicy,
    ),
    route(
        "PUT",
        "/v3/{project_id}/instances/{instance_id}/backups/policy/update",
        Operation::UpdatePolicy,
    ),
    // The literal `restore` wins over the instance id in the same place.
    route(
        "POST",
        "/v3/{project_id}/instances/restore",
        Operation::RestoreInstance,
    ),
    route(
        "POST",
        "/v3/{project_id}/instances",
        Operation::CreateInstance,
    ),
    route(
        "DELETE",
        "/v3/{project_id}/instances/{instance_id}",
        Operation::DeleteInstance,
    ),
    route(
        "PUT",
        "/v3/{project_id}/instances/{instance_id}/name",
        Operation::RenameInstance,
    ),
    route(
        "POST",
        "/v3/{project_id}/instances/{instance_id}/password",
        Operation::ResetPassword,
    ),
    route(
        "PUT",
        "/v3/{project_id}/instances/{instance_id}/port",
        Operation::ChangePort,
    ),
    route(
        "POST",
        "/v3/{project_id}/instances/{instance_id}/action",
        Operation::ResizeFlavor,
    ),
    route(
        "POST",
        "/v3/{project_id}/instances/{instance_id}/nodes/enlarge",
        Operation::AddReplicas,
    ),
    route(
        "DELETE",
        "/v3/{project_id}/instances/{instance_id}/nodes/{node_id}",
        Operation::DeleteNode,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/monitor-policy",
        Operation::ShowMonitoring,
    ),
    route(
        "PUT",
        "/v3/{project_id}/instances/{instance_id}/monitor-policy",
        Operation::SetMonitoring,
    ),
    route(
        "POST",
        "/v3/{project_id}/instances/{instance_id}/proxy",
        Operation::EnableProxy,
    ),
    route(
        "DELETE",
        "/v3/{project_id}/instances/{instance_id}/proxy",
        Operation::DisableProxy,
    ),
    route(
        "POST",
        "/v3/{project_id}/instances/{instance_id}/proxy/enlarge",
        Operation::EnlargeProxy,
    ),
    route(
        "PUT",
        "/v3/{project_id}/instances/{instance_id}/proxy/{proxy_id}/flavor",
        Operation::ResizeProxy,
    ),
    route(
        "PUT",
        "/v3/{project_id}/instances/{instance_id}/proxy/{proxy_id}/weight",
        Operation::SetProxyWeights,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/proxies",
        Operation::ListProxies,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/proxy/flavors",
        Operation::ProxyFlavors,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/sql-filter/switch",
        Operation::ShowSqlFilterSwitch,
    ),
    route(
        "POST",
        "/v3/{project_id}/instances/{instance_id}/sql-filter/switch",
        Operation::SetSqlFilterSwitch,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/sql-filter/rules",
        Operation::ShowSqlFilterRules,
    ),
    route(
        "PUT",
        "/v3/{project_id}/instances/{instance_id}/sql-filter/rules",
        Operation::SetSqlFilterRules,
    ),
    route(
        "DELETE",
        "/v3/{project_id}/instances/{instance_id}/sql-filter/rules",
        Operation::DeleteSqlFilterRules,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/errorlog",
        Operation::ErrorLogs,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/slowlog",
        Operation::SlowLogs,
    ),
    route("GET", "/v3/{project_id}/quotas", Operation::ListQuotas),
    route("POST", "/v3/{project_id}/quotas", Operation::SetQuotas),
    route("PUT", "/v3/{project_id}/quotas", Operation::UpdateQuotas),
    route(
        "GET",
        "/v3/{project_id}/project-quotas",
        Operation::ProjectQuotas,
    ),
    route(
        "GET",
        "/v3/{project_id}/flavors/{database_name}",
        Operation::ListFlavors,
    ),
    route(
        "GET",
        "/v3/{project_id}/datastores/{database_name}",
        Operation::ListDatastores,
    ),
    route(
        "GET",
        "/v3/{project_id}/configurations",
        Operation::ListConfigurations,
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/configurations",
        Operation::InstanceConfigurations,
    ),
];

/// The network a TaurusDB configuration looks up (VPC API v1, Networking v2), read-only; the
/// IAM catalog points the `network` service here.
pub const NETWORK: &[Route] = &[
    route("GET", "/v1/{project_id}/vpcs", Operation::ListVpcs),
    route("GET", "/v1/{project_id}/vpcs/{vpc_id}", Operation::ShowVpc),
    route("GET", "/v1/{project_id}/subnets", Operation::ListSubnets),
    route(
        "GET",
        "/v1/{project_id}/subnets/{subnet_id}",
        Operation::ShowSubnet,
    ),
    route(
        "GET",
        "/v2.0/security-groups",
        Operation::ListSecurityGroups,
    ),
    route(
        "GET",
        "/v2.0/security-groups/{security_group_id}",
        Operation::ShowSecurityGroup,
    ),
];

/// The emulator's IAM, for clients that get a token or look their project up first.
pub const IAM: &[Route] = &[
    route("POST", "/v3/auth/tokens", Operation::IamTokens),
    route("GET", "/v3/projects", Operation::IamProjects),
];

/// The version list at the root.
pub const ROOT: Route = route("GET", "/", Operation::Versions);

/// The emulator-only control API.
pub const CONTROL: &[Route] = &[
    route("GET", "/_emulator/health", Operation::Health),
    route("GET", "/_emulator/openapi.json", Operation::OpenApi),
    route("GET", "/_emulator/state", Operation::State),
    route("POST", "/_emulator/reset", Operation::Reset),
    route("POST", "/_emulator/fixtures", Operation::Fixtures),
    route("GET", "/_emulator/snapshot", Operation::Snapshot),
    route("GET", "/_emulator/clock", Operation::Clock),
    route("POST", "/_emulator/clock/advance", Operation::Advance),
    route("GET", "/_emulator/lifecycle", Operation::Lifecycle),
    route("PUT", "/_emulator/lifecycle", Operation::SetLifecycle),
    route(
        "POST",
        "/_emulator/backups/{backup_id}/complete",
        Operation::Complete,
    ),
    route(
        "POST",
        "/_emulator/backups/{backup_id}/fail",
        Operation::Fail,
    ),
    route(
        "POST",
        "/_emulator/backups/{backup_id}/hold",
        Operation::Hold,
    ),
    route(
        "GET",
        "/_emulator/backups/{backup_id}/wait",
        Operation::Wait,
    ),
    route(
        "POST",
        "/_emulator/jobs/{job_id}/complete",
        Operation::JobComplete,
    ),
    route("POST", "/_emulator/jobs/{job_id}/fail", Operation::JobFail),
    route("POST", "/_emulator/jobs/{job_id}/hold", Operation::JobHold),
    route("GET", "/_emulator/jobs/{job_id}/wait", Operation::JobWait),
    route(
        "POST",
        "/_emulator/instances/{instance_id}/logs",
        Operation::AddLogs,
    ),
    route("GET", "/_emulator/faults", Operation::Faults),
    route("DELETE", "/_emulator/faults", Operation::ClearFaults),
    route(
        "POST",
        "/_emulator/faults/requests",
        Operation::FaultRequests,
    ),
    route("POST", "/_emulator/faults/backups", Operation::FaultBackups),
    route("GET", "/_emulator/requests", Operation::Requests),
    route("DELETE", "/_emulator/requests", Operation::ClearRequests),
    route("GET", "/_emulator/events", Operation::Events),
    route("GET", "/_emulator/ui", Operation::Ui),
    route("GET", "/_emulator/tls/ca.pem", Operation::TlsCa),
];

/// The route table as matchers: every route, and the API's again for the `/mysql` prefix.
struct Table {
    all: matchit::Router<Vec<&'static Route>>,
    api: matchit::Router<Vec<&'static Route>>,
}

impl Table {
    fn build() -> Self {
        fn matcher(
            routes: impl Iterator<Item = &'static Route>,
        ) -> matchit::Router<Vec<&'static Route>> {
            let mut by_path: Vec<(&str, Vec<&'static Route>)> = Vec::new();
            for route in routes {
                match by_path.iter_mut().find(|(path, _)| *path == route.path) {
                    Some((_, methods)) => methods.push(route),
                    None => by_path.push((route.path, vec![route])),
                }
            }
            let mut router = matchit::Router::new();
            for (path, methods) in by_path {
                // The table is ours and fixed: a conflict is a bug the tests catch at once.
                router
                    .insert(path, methods)
                    .expect("the route table's paths do not conflict");
            }
            router
        }
        Self {
            all: matcher(
                std::iter::once(&ROOT)
                    .chain(API)
                    .chain(NETWORK)
                    .chain(IAM)
                    .chain(CONTROL),
            ),
            api: matcher(API.iter()),
        }
    }
}

static TABLE: std::sync::LazyLock<Table> = std::sync::LazyLock::new(Table::build);

/// What a request's method and raw path (as the route table matches it) name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A route; `head` when it is a `GET` route answering a `HEAD` request (without a body).
    Route { route: &'static Route, head: bool },
    /// A path of the table, but not for this method: the routes of the path.
    MethodNotAllowed(&'static [&'static Route]),
    /// No route has this path.
    NotFound,
}

impl Target {
    /// The operation the request names; none for a `HEAD` or a request no route takes.
    pub fn operation(self) -> Option<Operation> {
        match self {
            Self::Route { route, head: false } => Some(route.operation),
            _ => None,
        }
    }
}

/// The routes of a path, and its parameters' raw values in order.
fn matched(path: &str) -> Option<matchit::Match<'static, '_, &'static Vec<&'static Route>>> {
    let table: &'static Table = &TABLE;
    match table.all.at(path) {
        Ok(found) => Some(found),
        Err(_) => {
            let rest = path.strip_prefix("/mysql").filter(|r| r.starts_with('/'))?;
            table.api.at(rest).ok()
        }
    }
}

/// The target of a request: matched once, in the pipeline, before anything else needs it (the
/// journal's operation, request faults, the handler).
pub fn target(method: &Method, path: &str) -> Target {
    let Some(found) = matched(path) else {
        return Target::NotFound;
    };
    let routes: &'static [&'static Route] = found.value;
    let head = *method == Method::HEAD;
    let wanted = if head { "GET" } else { method.as_str() };
    match routes.iter().find(|r| r.method == wanted) {
        Some(route) => Target::Route { route, head },
        None => Target::MethodNotAllowed(routes),
    }
}

/// The raw values of a path's `project_id` and `instance_id` parameters, where its route has
/// them (what request faults match).
pub fn project_and_instance(path: &str) -> (Option<&str>, Option<&str>) {
    matched(path).map_or((None, None), |found| {
        (
            found.params.get("project_id"),
            found.params.get("instance_id"),
        )
    })
}

/// The raw (not yet percent-decoded) values of a path's parameters, in the order of its route.
pub fn path_params(path: &str) -> Vec<&str> {
    matched(path).map_or_else(Vec::new, |found| {
        found.params.iter().map(|(_, value)| value).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operation a request names.
    fn operation(method: &Method, path: &str) -> Option<Operation> {
        target(method, path).operation()
    }

    #[test]
    fn each_operation_has_one_route_and_one_name() {
        let routed: Vec<Operation> = std::iter::once(&ROOT)
            .chain(API)
            .chain(NETWORK)
            .chain(IAM)
            .chain(CONTROL)
            .map(|r| r.operation)
            .collect();
        for operation in Operation::ALL {
            assert_eq!(
                routed.iter().filter(|o| *o == operation).count(),
                1,
                "{operation:?}"
            );
            assert_eq!(Operation::from_name(operation.name()), Some(*operation));
        }
        assert_eq!(routed.len(), Operation::ALL.len());
    }

    /// A path of the route with each `{param}` filled in.
    fn filled(path: &str) -> String {
        path.split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x1"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    #[test]
    fn every_route_is_matched_to_its_operation_and_the_api_also_under_mysql() {
        for route in std::iter::once(&ROOT)
            .chain(API)
            .chain(NETWORK)
            .chain(IAM)
            .chain(CONTROL)
        {
            let method = Method::from_bytes(route.method.as_bytes()).unwrap();
            let path = filled(route.path);
            assert_eq!(operation(&method, &path), Some(route.operation), "{path}");
            let under_mysql = operation(&method, &format!("/mysql{path}"));
            let api = API.contains(route);
            assert_eq!(under_mysql, api.then_some(route.operation), "/mysql{path}");
        }
        let restore = "/v3/p1/instances/restore";
        assert_eq!(
            operation(&Method::POST, restore),
            Some(Operation::RestoreInstance)
        );
        assert_eq!(operation(&Method::GET, restore), None, "not an instance id");
        assert_eq!(
            operation(&Method::GET, "/v3/p1/instances/i1"),
            Some(Operation::ShowInstance)
        );
        assert_eq!(operation(&Method::PATCH, "/v3/p1/backups"), None);
        assert_eq!(operation(&Method::GET, "/v3/p1/nothing"), None);
        assert_eq!(operation(&Method::GET, "/mysqlv3/p1/backups"), None);
    }

    #[test]
    fn head_takes_a_get_route_and_other_methods_name_the_paths_routes() {
        let Target::Route { route, head } = target(&Method::HEAD, "/mysql/v3") else {
            panic!("HEAD /mysql/v3 is the version's GET route");
        };
        assert_eq!((route.operation, head), (Operation::Version, true));
        assert_eq!(
            operation(&Method::HEAD, "/v3"),
            None,
            "not journalled as the GET"
        );
        let Target::MethodNotAllowed(routes) = target(&Method::PATCH, "/v3/p1/backups") else {
            panic!("the path has routes");
        };
        let methods: Vec<&str> = routes.iter().map(|r| r.method).collect();
        assert_eq!(methods, ["GET", "DELETE"]);
        assert_eq!(target(&Method::GET, "/mysql"), Target::NotFound);
        assert_eq!(
            target(&Method::POST, "/_emulator/nothing"),
            Target::NotFound
        );
    }

    #[test]
    fn path_parameters_come_in_the_routes_order_and_raw() {
        assert_eq!(
            path_params("/mysql/v3/p%31/instances/i1/backups/policy"),
            ["p%31", "i1"]
        );
        assert_eq!(path_params("/_emulator/jobs/j-1/wait"), ["j-1"]);
        assert!(path_params("/v3").is_empty());
        assert!(path_params("/nowhere").is_empty());
    }
}
