//! The OpenAPI document agrees with the route table, and every route in the table is served.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::Method;
use taurusdb_emulator::http::routes::{API, CONTROL, IAM, NETWORK, Operation, ROOT};

use crate::helpers::*;

fn documented() -> BTreeSet<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(taurusdb_emulator::http::OPENAPI).unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    let mut routes = BTreeSet::new();
    for (path, methods) in doc["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            routes.insert((method.to_uppercase(), path.clone()));
        }
    }
    routes
}

fn table() -> BTreeSet<(String, String)> {
    std::iter::once(&ROOT)
        .chain(API)
        .chain(NETWORK)
        .chain(IAM)
        .chain(CONTROL)
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect()
}

#[test]
fn every_served_route_is_documented_and_every_documented_route_is_served() {
    let documented = documented();
    let table = table();
    let undocumented: Vec<_> = table.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&table).collect();
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:?}"
    );
}

#[test]
fn each_documented_operation_id_is_the_name_of_its_routes_operation() {
    let doc: serde_json::Value = serde_json::from_str(taurusdb_emulator::http::OPENAPI).unwrap();
    for route in std::iter::once(&ROOT)
        .chain(API)
        .chain(NETWORK)
        .chain(IAM)
        .chain(CONTROL)
    {
        let documented = &doc["paths"][route.path][route.method.to_lowercase()]["operationId"];
        assert_eq!(documented, route.operation.name(), "{route:?}");
    }
}

#[tokio::test]
async fn a_fault_may_target_each_api_and_iam_operation_and_no_control_one() {
    let app = TestApp::new();
    for operation in Operation::ALL {
        let body = serde_json::json!({"operation": operation.name(), "status": 503,
                                      "error_code": "X", "error_msg": "y"});
        let response = app
            .control_post("/_emulator/faults/requests", &body.to_string())
            .await;
        let want = if operation.is_api() { 201 } else { 400 };
        assert_eq!(
            response.status.as_u16(),
            want,
            "{operation:?}: {}",
            response.text
        );
    }
}

#[tokio::test]
async fn every_route_of_the_table_reaches_a_handler() {
    let app = TestApp::new();
    let paths = std::iter::once(&ROOT)
        .chain(API)
        .chain(NETWORK)
        .chain(IAM)
        .chain(CONTROL);
    for route in paths {
        let uri = route
            .path
            .replace("{project_id}", PROJECT)
            .replace("{instance_id}", INSTANCE)
            .replace("{backup_id}", "nope");
        if route.operation == Operation::Events {
            // The stream does not end; its head is enough.
            assert_eq!(app.open(&uri).await.status(), 200, "{route:?}");
            continue;
        }
        let method = Method::from_bytes(route.method.as_bytes()).unwrap();
        let uri = if route.operation == Operation::Wait {
            format!("{uri}?timeout=0s")
        } else {
            uri
        };
        let response = app
            .raw(method, &uri, &[("x-auth-token", TOKEN)], Body::empty())
            .await;
        let fell_through = response.status.as_u16() == 405
            || (response.status.as_u16() == 404 && response.text.contains("DBS.290013"));
        assert!(
            !fell_through,
            "{route:?} is not served: {} {}",
            response.status, response.text
        );
    }
}

#[tokio::test]
async fn the_document_is_served() {
    let app = TestApp::new();
    let response = app.get("/_emulator/openapi.json").await;
    assert_eq!(response.status.as_u16(), 200);
    response.assert_json_content_type();
    assert_eq!(response.json()["info"]["title"], "taurusdb-emulator");
}

/// A path with its `{…}` parameters unnamed, so that the README's `{id}` matches `{backup_id}`.
fn unnamed(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn the_readme_lists_every_api_and_control_route() {
    let readme = unnamed(include_str!("../../README.md"));
    for route in API.iter().chain(CONTROL) {
        let path = unnamed(route.path);
        let listed = format!("{} {path}", route.method);
        // Or a table row naming two methods at once: `GET`/`PUT /path`.
        let in_row = |line: &str| {
            line.contains(&format!("`{}`", route.method))
                && [" ", "`", "[", "?"]
                    .iter()
                    .any(|end| line.contains(&format!("{path}{end}")))
        };
        assert!(
            readme.contains(&listed) || readme.lines().any(in_row),
            "the README does not list {listed}"
        );
    }
}
