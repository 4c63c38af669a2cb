//! BUILDING → COMPLETED on the emulator's clock, and the clock's control endpoints.

use std::sync::Arc;

use axum::http::Method;
use chrono::TimeDelta;
use serde_json::json;
use taurusdb_emulator::clock::SystemClock;
use taurusdb_emulator::domain::InstanceId;
use taurusdb_emulator::domain::InstanceStatus;
use taurusdb_emulator::{Emulator, Settings, router};

use crate::helpers::*;

async fn status_of(app: &TestApp, id: &str) -> String {
    app.backup(id).await["status"].as_str().unwrap().to_owned()
}

fn instance_status(app: &TestApp, id: &str) -> InstanceStatus {
    app.emulator
        .store
        .instance(
            &taurusdb_emulator::domain::ProjectId::from_path(PROJECT),
            &InstanceId::parse(id).unwrap(),
            app.now(),
        )
        .unwrap()
        .instance
        .status()
}

#[tokio::test]
async fn a_backup_builds_for_exactly_the_backup_duration() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "backup-1").await;
    let id = created["backup"]["id"].as_str().unwrap();
    app.advance(4.999).await;
    assert_eq!(status_of(&app, id).await, "BUILDING");
    app.advance(0.001).await;
    assert_eq!(status_of(&app, id).await, "COMPLETED");
}

#[tokio::test]
async fn the_instance_reads_backing_up_while_its_backup_builds() {
    let app = TestApp::new();
    assert_eq!(instance_status(&app, INSTANCE), InstanceStatus::Active);
    app.create_ok(INSTANCE, "backup-1").await;
    assert_eq!(instance_status(&app, INSTANCE), InstanceStatus::BackingUp);
    assert_eq!(
        instance_status(&app, SECOND_INSTANCE),
        InstanceStatus::Active
    );
    app.advance(5.0).await;
    assert_eq!(instance_status(&app, INSTANCE), InstanceStatus::Active);
}

#[tokio::test]
async fn advancing_the_clock_reports_what_finished() {
    let app = TestApp::new();
    let a = app.create_ok(INSTANCE, "backup-a").await;
    app.advance(2.0).await;
    let b = app.create_ok(SECOND_INSTANCE, "backup-b").await;
    let advanced = app.advance(10.0).await;
    assert_eq!(
        advanced,
        json!({
            "now": "2026-04-24T10:20:09+0000",
            "mode": "manual",
            "transitions": [
                {"project_id": PROJECT, "backup_id": a["backup"]["id"], "event": "completed",
                 "at": "2026-04-24T10:20:02+0000"},
                {"project_id": PROJECT, "backup_id": b["backup"]["id"], "event": "completed",
                 "at": "2026-04-24T10:20:04+0000"}
            ],
            "transition_count": 2
        })
    );
    assert_eq!(app.advance(60.0).await["transitions"], json!([]));
}

#[tokio::test]
async fn a_zero_duration_backup_answers_building_and_reads_completed_next() {
    let app = TestApp::with_duration(TimeDelta::zero());
    let created = app.create_ok(INSTANCE, "backup-1").await;
    assert_eq!(created["backup"]["status"], "BUILDING");
    let id = created["backup"]["id"].as_str().unwrap();
    assert_eq!(status_of(&app, id).await, "COMPLETED");
    let job = app.job(created["job_id"].as_str().unwrap()).await.json();
    assert_eq!(job["job"]["status"], "Completed");
}

#[tokio::test]
async fn the_backup_duration_is_a_setting() {
    let app = TestApp::with_duration(TimeDelta::minutes(2));
    let created = app.create_ok(INSTANCE, "backup-1").await;
    let id = created["backup"]["id"].as_str().unwrap();
    app.advance(119.0).await;
    assert_eq!(status_of(&app, id).await, "BUILDING");
    app.advance(1.0).await;
    let backup = app.backup(id).await;
    assert_eq!(backup["status"], "COMPLETED");
    assert_eq!(backup["take_up_time"], 2);
}

#[tokio::test]
async fn the_clock_endpoint_tells_the_time_and_mode() {
    let app = TestApp::new();
    let response = app.get("/_emulator/clock").await;
    assert_eq!(
        response.json(),
        json!({"now": "2026-04-24T10:19:57+0000", "mode": "manual"})
    );
    app.advance(3600.0).await;
    assert_eq!(
        app.get("/_emulator/clock").await.json()["now"],
        "2026-04-24T11:19:57+0000"
    );
}

#[tokio::test]
async fn advancing_a_real_clock_completes_backups_at_once() {
    let emulator = Emulator::new(
        &fixtures(),
        Arc::new(SystemClock::new()),
        Settings::default(),
    );
    let app = router(emulator.clone());
    let project = taurusdb_emulator::domain::ProjectId::from_path(PROJECT);
    let request = taurusdb_emulator::domain::NewBackup::parse(INSTANCE, "backup-1", "").unwrap();
    let before = emulator.clock.now();
    emulator
        .store
        .create_backup(&project, request, before)
        .unwrap();
    let response = tower::ServiceExt::oneshot(
        app,
        axum::http::Request::post("/_emulator/clock/advance")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(r#"{"seconds": 7200}"#))
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["mode"], "real");
    assert_eq!(body["transitions"][0]["event"], "completed");
    assert!(emulator.clock.now() >= before + TimeDelta::hours(2));
}

#[tokio::test]
async fn a_bad_advance_is_refused_in_the_api_format() {
    let app = TestApp::new();
    for body in [
        r#"{"seconds": -1}"#,
        r#"{"seconds": "5"}"#,
        r#"{}"#,
        r#"{"seconds": 1e300}"#,
        r#"{"secs": 5}"#,
    ] {
        let response = app
            .raw(
                Method::POST,
                "/_emulator/clock/advance",
                &[("content-type", "application/json")],
                body,
            )
            .await;
        response.assert_control_refusal(body);
    }
    assert_eq!(
        app.get("/_emulator/clock").await.json()["now"],
        "2026-04-24T10:19:57+0000"
    );
}

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::new();
    let response = app.get("/_emulator/health").await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.json(), json!({"status": "ok"}));
}

#[tokio::test]
async fn a_backup_begun_within_its_duration_of_the_end_of_time_finishes_then_and_its_snapshot_loads()
 {
    // Before: its finish_at was in year 10000, which a snapshot wrote and nothing could read
    // back ("the next start exited 2").
    let mut settings = Settings::default();
    settings.lifecycle.automated_backups = false;
    let app = TestApp::with_settings(settings.clone());
    let end = chrono::DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z")
        .unwrap()
        .to_utc();
    app.advance_quietly(end - app.now() - chrono::TimeDelta::seconds(2));
    let created = app.create_ok(INSTANCE, "last-one").await;
    let snapshot = app
        .get(&format!("/_emulator/snapshot?project_id={PROJECT}"))
        .await
        .json();
    let backup = &snapshot["projects"][0]["backups"][0];
    assert_eq!(backup["finish_at"], "9999-12-31T23:59:59Z", "{backup}");
    let fresh = TestApp::with_settings(settings);
    let loaded = fresh
        .control_post("/_emulator/fixtures", &snapshot.to_string())
        .await;
    assert_eq!(loaded.status.as_u16(), 200, "{}", loaded.text);
    app.advance(2.0).await;
    let id = created["backup"]["id"].as_str().unwrap();
    assert_eq!(app.backup(id).await["end_time"], "9999-12-31T23:59:59+0000");
}
