//! The version documents and the legacy `/mysql/v3` prefix.

use axum::body::Body;
use axum::http::Method;
use serde_json::json;

use crate::helpers::*;

fn v3() -> serde_json::Value {
    json!({"id": "v3", "links": [{"href": "", "rel": "self"}], "status": "CURRENT",
           "updated": "2020-10-29T03:30:42Z", "min_version": ""})
}

#[tokio::test]
async fn the_root_lists_the_api_versions_without_a_token() {
    let app = TestApp::new();
    let response = app.raw(Method::GET, "/", &[], Body::empty()).await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.json(), json!({"versions": [v3()]}));
}

#[tokio::test]
async fn v3_describes_itself_for_taurusdb_and_for_keystone_discovery() {
    let app = TestApp::new();
    let response = app
        .raw(
            Method::GET,
            "/v3",
            &[("host", "127.0.0.1:18080")],
            Body::empty(),
        )
        .await;
    assert_eq!(
        response.json(),
        json!({"version": {"id": "v3", "links": [{"href": "http://127.0.0.1:18080/v3/", "rel": "self"}],
               "status": "CURRENT", "updated": "2020-10-29T03:30:42Z", "min_version": "",
               "media-types": [{"base": "application/json",
                                "type": "application/vnd.openstack.identity-v3+json"}]}})
    );
}

#[tokio::test]
async fn the_legacy_prefix_serves_the_whole_workflow() {
    let app = TestApp::new();
    let legacy = format!("/mysql/v3/{PROJECT}");
    let headers = [
        ("x-auth-token", TOKEN),
        ("content-type", "application/json"),
    ];
    let created = app
        .raw(
            Method::POST,
            &format!("{legacy}/backups/create"),
            &headers,
            json!({"instance_id": INSTANCE, "name": "legacy-1"}).to_string(),
        )
        .await;
    assert_eq!(created.status.as_u16(), 201);
    let created = created.json();
    let id = created["backup"]["id"].as_str().unwrap();
    app.advance(5.0).await;
    let app = &app;
    let legacy = &legacy;
    let get = |path: String| async move {
        app.raw(
            Method::GET,
            &format!("{legacy}{path}"),
            &headers,
            Body::empty(),
        )
        .await
    };
    assert_eq!(
        get(format!("/backups?backup_id={id}")).await.json()["backups"][0]["status"],
        "COMPLETED"
    );
    let job = get(format!("/jobs?id={}", created["job_id"].as_str().unwrap())).await;
    assert_eq!(job.json()["job"]["status"], "Completed");
    assert_eq!(get("/instances".to_owned()).await.json()["total_count"], 5);
    assert_eq!(
        get(format!("/instances/{INSTANCE}")).await.json()["instance"]["id"],
        INSTANCE
    );
    assert_eq!(
        get(format!("/instances/{INSTANCE}/backups/policy"))
            .await
            .json()["backup_policy"]["keep_days"],
        7
    );
    let deleted = app
        .raw(
            Method::DELETE,
            &format!("{legacy}/backups/{id}"),
            &headers,
            Body::empty(),
        )
        .await;
    assert_eq!(
        deleted.json(),
        json!({"backup_id": id, "backup_name": "legacy-1"})
    );
    // Both prefixes see the same state.
    assert_eq!(app.list("").await.json()["total_count"], 0);
}

#[tokio::test]
async fn the_legacy_prefix_answers_the_same_errors() {
    let app = TestApp::new();
    let response = app
        .raw(
            Method::POST,
            &format!("/mysql/v3/{PROJECT}/backups/create"),
            &[
                ("x-auth-token", TOKEN),
                ("content-type", "application/json"),
            ],
            json!({"instance_id": INSTANCE, "name": "x"}).to_string(),
        )
        .await;
    response.assert_error(400, "DBS.280277", "Invalid object name.");
    let response = app
        .raw(
            Method::GET,
            &format!("/mysql/v3/{PROJECT}/backups"),
            &[],
            Body::empty(),
        )
        .await;
    assert_eq!(response.status.as_u16(), 401);
}
