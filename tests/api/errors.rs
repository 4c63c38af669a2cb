//! Errors outside any one endpoint: unknown paths, wrong methods, oversized bodies, request ids.

use axum::body::Body;
use axum::http::Method;
use serde_json::json;
use taurusdb_emulator::Settings;

use crate::helpers::*;

#[tokio::test]
async fn an_unknown_path_is_404_in_the_api_format() {
    let app = TestApp::new();
    for uri in [
        "/v2",
        "/v2/x/backups",
        &format!("/v3/{PROJECT}/backup"),
        &format!("/mysql/v3/{PROJECT}/backup"),
        "/mysql",
        "/_emulator/nope",
    ] {
        let response = app.get(uri).await;
        response.assert_error(404, "DBS.290013", "Resource not found.");
    }
}

#[tokio::test]
async fn a_wrong_method_is_405_in_the_api_format() {
    let app = TestApp::new();
    for (method, uri) in [
        (Method::GET, format!("/v3/{PROJECT}/backups/create")),
        (Method::POST, format!("/v3/{PROJECT}/backups")),
        (Method::PUT, format!("/v3/{PROJECT}/backups")),
        (Method::DELETE, format!("/v3/{PROJECT}/jobs")),
        (Method::GET, "/_emulator/clock/advance".to_owned()),
    ] {
        let response = app
            .raw(
                method.clone(),
                &uri,
                &[("x-auth-token", TOKEN)],
                Body::empty(),
            )
            .await;
        response.assert_error(405, "DBS.290013", "Resource not found.");
    }
}

#[tokio::test]
async fn a_405_names_the_methods_the_path_takes() {
    let app = TestApp::new();
    for (method, uri, allow) in [
        (
            Method::PATCH,
            format!("/v3/{PROJECT}/backups"),
            "GET,HEAD,DELETE",
        ),
        (
            Method::GET,
            format!("/mysql/v3/{PROJECT}/backups/create"),
            "POST",
        ),
        (
            Method::DELETE,
            format!("/v3/{PROJECT}/instances/{INSTANCE}/backups/encryption"),
            "GET,HEAD,POST",
        ),
        (Method::POST, "/_emulator/health".to_owned(), "GET,HEAD"),
    ] {
        let response = app.raw(method, &uri, &[], Body::empty()).await;
        assert_eq!(response.status.as_u16(), 405, "{uri}");
        assert_eq!(response.headers["allow"], allow, "{uri}");
    }
}

#[tokio::test]
async fn head_is_answered_by_the_get_route_without_its_body() {
    let app = TestApp::new();
    let uri = format!("/v3/{PROJECT}/instances/{INSTANCE}/backups/policy");
    let get = app.get(&uri).await;
    let head = app
        .raw(
            Method::HEAD,
            &uri,
            &[("x-auth-token", TOKEN)],
            Body::empty(),
        )
        .await;
    assert_eq!((get.status.as_u16(), head.status.as_u16()), (200, 200));
    assert_eq!(head.text, "");
    assert_eq!(head.headers["content-length"], get.text.len().to_string());
    assert_eq!(head.headers["content-type"], get.headers["content-type"]);
    // A refused HEAD is refused as its GET is.
    let refused = app.raw(Method::HEAD, &uri, &[], Body::empty()).await;
    assert_eq!(refused.status.as_u16(), 401);
    assert_eq!(refused.text, "");
}

#[tokio::test]
async fn an_oversized_body_is_413_in_the_api_format() {
    let app = TestApp::with_settings(Settings {
        max_body_bytes: 1024,
        ..Settings::default()
    });
    let description = "d".repeat(2000);
    let response = app
        .create(json!({"instance_id": INSTANCE, "name": "backup-1", "description": description}))
        .await;
    response.assert_error(
        413,
        "DBS.200001",
        "Parameter error. The request body is too large.",
    );
    // Just under the limit is parsed as usual.
    let response = app
        .create(json!({"instance_id": INSTANCE, "name": "backup-1"}))
        .await;
    assert_eq!(response.status.as_u16(), 201);
}

#[tokio::test]
async fn every_response_carries_its_own_request_id() {
    let app = TestApp::new();
    let responses = [
        app.create(json!({"instance_id": INSTANCE, "name": "backup-1"}))
            .await,
        app.create(json!({"instance_id": INSTANCE, "name": "x"}))
            .await,
        app.list("").await,
        app.get("/nowhere").await,
        app.get("/_emulator/health").await,
    ];
    let ids: std::collections::HashSet<String> = responses.iter().map(|r| r.request_id()).collect();
    assert_eq!(ids.len(), responses.len());
    for id in ids {
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}

#[tokio::test]
async fn x_language_is_accepted_with_any_value() {
    let app = TestApp::new();
    for language in ["en-us", "zh-cn", "fr-fr"] {
        let response = app
            .raw(
                Method::GET,
                &format!("/v3/{PROJECT}/backups"),
                &[("x-auth-token", TOKEN), ("x-language", language)],
                Body::empty(),
            )
            .await;
        assert_eq!(response.status.as_u16(), 200, "{language}");
    }
}
