//! `GET /v3/{project_id}/jobs?id=`: the job of each backup.

use axum::http::Method;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_new_backups_job_is_running_then_completed() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "backup-1").await;
    let job_id = created["job_id"].as_str().unwrap();
    let backup_id = created["backup"]["id"].as_str().unwrap();
    let response = app.job(job_id).await;
    assert_eq!(response.status.as_u16(), 200);
    response.assert_json_content_type();
    assert_eq!(
        response.json(),
        json!({"job": {
            "id": job_id,
            "name": "CreateGaussDBforMySQLBackup",
            "status": "Running",
            "created": "2026-04-24T10:19:57+0000",
            "ended": "",
            "process": "",
            "instance": {"id": INSTANCE, "name": "taurusdb-instance01"},
            "entities": {"resource_ids": [backup_id]}
        }})
    );

    app.advance(5.0).await;
    let job = app.job(job_id).await.json();
    assert_eq!(job["job"]["status"], "Completed");
    assert_eq!(job["job"]["ended"], "2026-04-24T10:20:02+0000");
    assert!(job["job"].get("fail_reason").is_none());
}

/// A created backup's job is found through the backup (no table of jobs holds it): once the
/// backup is deleted, the job must live on as a record of its own, and be counted once.
#[tokio::test]
async fn a_deleted_backups_job_lives_on_and_is_counted_once() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "backup-1").await;
    let job_id = created["job_id"].as_str().unwrap();
    let backup_id = created["backup"]["id"].as_str().unwrap();
    app.advance(5.0).await;
    let job_count = |state: serde_json::Value| {
        state["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == PROJECT)
            .unwrap()["job_count"]
            .clone()
    };
    let before = job_count(app.get("/_emulator/state").await.json());
    let response = app.delete(backup_id).await;
    assert_eq!(response.status, 200, "{}", response.text);
    let job = app.job(job_id).await.json();
    assert_eq!(job["job"]["status"], "Completed");
    assert_eq!(job["job"]["entities"]["resource_ids"], json!([backup_id]));
    assert_eq!(job_count(app.get("/_emulator/state").await.json()), before);
    let listed = app.get("/_emulator/state").await.json();
    let ids: Vec<_> = listed["projects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["jobs"].as_array().unwrap())
        .filter(|j| j["id"] == job_id)
        .collect();
    assert_eq!(ids.len(), 1);
}

#[tokio::test]
async fn a_missing_job_id_is_200001() {
    let app = TestApp::new();
    for uri in [
        format!("/v3/{PROJECT}/jobs"),
        format!("/v3/{PROJECT}/jobs?id="),
    ] {
        app.get(&uri)
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
}

#[tokio::test]
async fn an_unknown_job_is_200543() {
    let app = TestApp::new();
    for id in ["e0fbbfc8-1ac4-4721-b9e9-7dd685c5bdd7", "not-a-uuid"] {
        app.job(id)
            .await
            .assert_error(400, "DBS.200543", "The job does not exist.");
    }
}

#[tokio::test]
async fn another_projects_job_does_not_exist_here() {
    let app = TestApp::new();
    let created = app.create_other_ok().await;
    app.job(created["job_id"].as_str().unwrap())
        .await
        .assert_error(400, "DBS.200543", "The job does not exist.");
}

#[tokio::test]
async fn a_job_that_ran_longer_than_the_retention_is_found_after_it_ends() {
    // Before: a creation held for eight days (retention seven) was forgotten the moment it
    // ended: the command that completed it answered 404 and a client polling the job went
    // from Running to "does not exist", never seeing Completed.
    let app = TestApp::new();
    let created = app
        .api(
            Method::POST,
            "/instances",
            Some(instance_body("long-runner", json!({}))),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let job = created.json()["job_id"].as_str().unwrap().to_owned();
    let held = app
        .control_post(&format!("/_emulator/jobs/{job}/hold"), "{}")
        .await;
    assert_eq!(held.status, 200, "{}", held.text);
    app.advance(8.0 * 86400.0).await;
    assert_eq!(app.job(&job).await.json()["job"]["status"], "Running");
    let completed = app
        .control_post(&format!("/_emulator/jobs/{job}/complete"), "{}")
        .await;
    assert_eq!(completed.status, 200, "{}", completed.text);
    assert_eq!(app.job(&job).await.json()["job"]["status"], "Completed");
    // Seven days after its end it is forgotten, as every finished job of its own.
    app.advance(7.0 * 86400.0 - 1.0).await;
    assert_eq!(app.job(&job).await.status, 200);
    app.advance(1.0).await;
    app.job(&job)
        .await
        .assert_error(400, "DBS.200543", "The job does not exist.");
}
