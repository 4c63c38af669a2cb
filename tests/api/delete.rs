//! `DELETE /v3/{project_id}/backups/{backup_id}`.

use axum::body::Body;
use axum::http::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_completed_manual_backup_is_deleted_and_leaves_the_list() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "backup-f3c1").await;
    let id = created["backup"]["id"].as_str().unwrap();
    app.advance(5.0).await;
    let response = app.delete(id).await;
    assert_eq!(response.status.as_u16(), 200);
    response.assert_json_content_type();
    assert_eq!(
        response.json(),
        json!({"backup_id": id, "backup_name": "backup-f3c1"})
    );
    assert_eq!(
        app.list(&format!("backup_id={id}")).await.json(),
        json!({"backups": [], "total_count": 0})
    );
    assert_eq!(
        app.list(&format!("instance_id={INSTANCE}")).await.json()["total_count"],
        0
    );
    // Its job stays queryable.
    let job = app.job(created["job_id"].as_str().unwrap()).await;
    assert_eq!(job.json()["job"]["status"], "Completed");
}

#[tokio::test]
async fn deleting_twice_is_404_the_second_time() {
    let app = TestApp::new();
    let id = app.create_ok(INSTANCE, "backup-1").await["backup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.advance(5.0).await;
    assert_eq!(app.delete(&id).await.status.as_u16(), 200);
    app.delete(&id)
        .await
        .assert_error(404, "DBS.201010", "The backup information does not exist.");
}

#[tokio::test]
async fn an_unknown_backup_is_404() {
    let app = TestApp::new();
    app.delete("b1182ccdda034f2b9535f3dca5c47e71br07")
        .await
        .assert_error(404, "DBS.201010", "The backup information does not exist.");
}

#[tokio::test]
async fn another_projects_backup_is_404_and_survives() {
    let app = TestApp::new();
    let other = app.create_other_ok().await;
    let id = other["backup"]["id"].as_str().unwrap();
    app.advance(5.0).await;
    app.delete(id)
        .await
        .assert_error(404, "DBS.201010", "The backup information does not exist.");
    let still_there = app
        .raw(
            Method::GET,
            &format!("/v3/{OTHER_PROJECT}/backups?backup_id={id}"),
            &[("x-auth-token", OTHER_TOKEN)],
            Body::empty(),
        )
        .await;
    assert_eq!(still_there.json()["total_count"], 1);
}

#[tokio::test]
async fn a_building_backup_cannot_be_deleted() {
    let app = TestApp::new();
    let id = app.create_ok(INSTANCE, "backup-1").await["backup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.delete(&id).await.assert_error(
        400,
        "DBS.201208",
        "The operation is not allowed by the backup status.",
    );
    assert_eq!(app.backup(&id).await["status"], "BUILDING");
}

#[tokio::test]
async fn an_automated_backup_cannot_be_deleted() {
    let app = TestApp::new();
    // The default policy takes one every day at 19:00 UTC; the clock starts at 10:19:57.
    let advanced = app.advance(9.0 * 3600.0).await;
    assert_eq!(advanced["transitions"][0]["event"], "started");
    let auto = app.list("backup_type=auto").await.json();
    let id = auto["backups"][0]["id"].as_str().unwrap();
    assert_eq!(auto["backups"][0]["status"], "COMPLETED");
    app.delete(id).await.assert_error(
        400,
        "DBS.201208",
        "The operation is not allowed by the backup status.",
    );
}

#[tokio::test]
async fn a_failed_manual_backup_can_be_deleted() {
    let fixtures = json!({"projects": [{"id": PROJECT, "instances": [{"id": INSTANCE}],
        "backups": [{"id": "c0c9f155c7b7423a9d30f0175998b63bbr01", "instance_id": INSTANCE,
                     "name": "broken", "status": "FAILED", "begin_time": "2026-04-20T10:00:00+0000"}]}]});
    let app = TestApp::with_fixtures(&fixtures.to_string());
    let response = app.delete("c0c9f155c7b7423a9d30f0175998b63bbr01").await;
    assert_eq!(
        response.json(),
        json!({"backup_id": "c0c9f155c7b7423a9d30f0175998b63bbr01", "backup_name": "broken"})
    );
}

#[tokio::test]
async fn deleting_needs_a_token() {
    let app = TestApp::new();
    let response = app
        .raw(
            Method::DELETE,
            &format!("/v3/{PROJECT}/backups/x"),
            &[],
            Body::empty(),
        )
        .await;
    assert_eq!(response.status.as_u16(), 401);
}

// --- batch delete: `DELETE /v3/{project_id}/backups {"backup_ids": [...]}` -----------------

async fn batch_delete(app: &TestApp, body: serde_json::Value) -> TestResponse {
    app.raw(
        Method::DELETE,
        &format!("/v3/{PROJECT}/backups"),
        &[
            ("x-auth-token", TOKEN),
            ("content-type", "application/json"),
        ],
        Body::from(body.to_string()),
    )
    .await
}

#[tokio::test]
async fn a_batch_delete_removes_what_it_may_and_says_why_not_for_each_other_id() {
    let app = TestApp::new();
    app.advance(9.0 * 3600.0).await;
    let auto = app.list("backup_type=auto").await.json()["backups"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = app.create_ok(INSTANCE, "backup-done").await["backup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.advance(5.0).await;
    let building = app.create_ok(INSTANCE, "backup-building").await["backup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let unknown = "b1182ccdda034f2b9535f3dca5c47e71br07";
    let response = batch_delete(
        &app,
        json!({"backup_ids": [done, unknown, auto, building, done]}),
    )
    .await;
    assert_eq!(response.status.as_u16(), 200, "{}", response.text);
    response.assert_json_content_type();
    let missing = "The backup file does not exist.";
    assert_eq!(
        response.json(),
        json!({"success_count": 1, "failed_count": 4, "failed_results": [
            {"backup_id": unknown, "error_code": "DBS.201203", "error_msg": missing},
            {"backup_id": auto, "error_code": "DBS.201204", "error_msg": "The backup type is not allowed."},
            {"backup_id": building, "error_code": "DBS.201208",
             "error_msg": "The operation is not allowed by the backup status."},
            {"backup_id": done, "error_code": "DBS.201203", "error_msg": missing},
        ]})
    );
    assert_eq!(
        app.list(&format!("backup_id={done}")).await.json()["total_count"],
        0
    );
    assert_eq!(app.backup(&building).await["status"], "BUILDING");
    assert_eq!(app.backup(&auto).await["status"], "COMPLETED");
}

#[tokio::test]
async fn a_batch_of_none_or_more_than_50_ids_or_of_no_array_is_a_parameter_error() {
    let app = TestApp::new();
    let many: Vec<String> = (0..51).map(|i| format!("{i:032x}br07")).collect();
    for body in [
        json!({"backup_ids": []}),
        json!({"backup_ids": many}),
        json!({"backup_ids": "b1182ccdda034f2b9535f3dca5c47e71br07"}),
        json!({}),
    ] {
        batch_delete(&app, body)
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
}

#[tokio::test]
async fn a_batch_delete_of_another_projects_backup_finds_nothing() {
    let app = TestApp::new();
    let other = app.create_other_ok().await["backup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = batch_delete(&app, json!({"backup_ids": [other]})).await;
    assert_eq!(
        response.json()["failed_results"][0]["error_code"],
        "DBS.201203"
    );
    assert_eq!(response.json()["success_count"], 0);
}
