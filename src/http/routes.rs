//! The route table: every method and path the emulator serves, with the operation name that
//! request faults and the journal use. The router is built from it, and the OpenAPI document
//! is checked against it.

use axum::http::Method;

/// One route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub operation: &'static str,
}

const fn route(method: &'static str, path: &'static str, operation: &'static str) -> Route {
    Route {
        method,
        path,
        operation,
    }
}

/// The emulated API, relative to the service root. Each also answers under `/mysql`.
pub const API: &[Route] = &[
    route("GET", "/v3", "version"),
    route("POST", "/v3/{project_id}/backups/create", "create"),
    route("GET", "/v3/{project_id}/backups", "list"),
    route("DELETE", "/v3/{project_id}/backups/{backup_id}", "delete"),
    route("GET", "/v3/{project_id}/jobs", "job"),
    route("GET", "/v3/{project_id}/instances", "list_instances"),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}",
        "show_instance",
    ),
    route(
        "GET",
        "/v3/{project_id}/instances/{instance_id}/backups/policy",
        "show_policy",
    ),
    route(
        "PUT",
        "/v3/{project_id}/instances/{instance_id}/backups/policy/update",
        "update_policy",
    ),
];

/// The emulator's IAM, for clients that get a token or look their project up first.
pub const IAM: &[Route] = &[
    route("POST", "/v3/auth/tokens", "iam_tokens"),
    route("GET", "/v3/projects", "iam_projects"),
];

/// The version list at the root.
pub const ROOT: Route = route("GET", "/", "versions");

/// The emulator-only control API.
pub const CONTROL: &[Route] = &[
    route("GET", "/_emulator/health", "_health"),
    route("GET", "/_emulator/openapi.json", "_openapi"),
    route("GET", "/_emulator/state", "_state"),
    route("POST", "/_emulator/reset", "_reset"),
    route("POST", "/_emulator/fixtures", "_fixtures"),
    route("GET", "/_emulator/snapshot", "_snapshot"),
    route("GET", "/_emulator/clock", "_clock"),
    route("POST", "/_emulator/clock/advance", "_advance"),
    route("GET", "/_emulator/lifecycle", "_lifecycle"),
    route("PUT", "/_emulator/lifecycle", "_set_lifecycle"),
    route(
        "POST",
        "/_emulator/backups/{backup_id}/complete",
        "_complete",
    ),
    route("POST", "/_emulator/backups/{backup_id}/fail", "_fail"),
    route("POST", "/_emulator/backups/{backup_id}/hold", "_hold"),
    route("GET", "/_emulator/backups/{backup_id}/wait", "_wait"),
    route("GET", "/_emulator/faults", "_faults"),
    route("DELETE", "/_emulator/faults", "_clear_faults"),
    route("POST", "/_emulator/faults/requests", "_fault_requests"),
    route("POST", "/_emulator/faults/backups", "_fault_backups"),
    route("GET", "/_emulator/requests", "_requests"),
    route("DELETE", "/_emulator/requests", "_clear_requests"),
    route("GET", "/_emulator/events", "_events"),
    route("GET", "/_emulator/ui", "_ui"),
    route("GET", "/_emulator/tls/ca.pem", "_tls_ca"),
];

/// The operation a request was routed to (`unknown` when no route matched). Operations of
/// the emulated API have plain names; control operations start with `_`.
pub fn operation(method: &Method, matched_path: Option<&str>) -> &'static str {
    let Some(path) = matched_path else {
        return "unknown";
    };
    let path = path.strip_prefix("/mysql").unwrap_or(path);
    std::iter::once(&ROOT)
        .chain(API)
        .chain(IAM)
        .chain(CONTROL)
        .find(|r| r.path == path && r.method == method.as_str())
        .map_or("unknown", |r| r.operation)
}

/// Whether `name` is an operation of the emulated API or IAM, which request faults may target.
pub fn is_api_operation(name: &str) -> bool {
    name == "*" || ROOT.operation == name || API.iter().chain(IAM).any(|r| r.operation == name)
}
