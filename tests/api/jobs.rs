//! `GET /v3/{project_id}/jobs?id=`: the job of each backup.

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
