//! The test control plane: state, reset, fixtures, snapshots, lifecycle modes, one backup at a
//! time, failures, the journal and waiting.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use taurusdb_emulator::Settings;

use crate::helpers::*;

/// A control request; like every client of the control API, it declares JSON whenever it
/// changes something, body or not.
async fn control(app: &TestApp, method: Method, uri: &str, body: Option<Value>) -> TestResponse {
    let headers = if method == Method::GET {
        vec![]
    } else {
        vec![("content-type", "application/json")]
    };
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    app.raw(method, uri, &headers, body).await
}

async fn post(app: &TestApp, uri: &str, body: Value) -> Value {
    let response = control(app, Method::POST, uri, Some(body)).await;
    assert!(
        response.status.is_success(),
        "{uri}: {} {}",
        response.status,
        response.text
    );
    response.json()
}

fn id_of(created: &Value) -> String {
    created["backup"]["id"].as_str().unwrap().to_owned()
}

// --- state, reset, fixtures, snapshots ------------------------------------------------------

#[tokio::test]
async fn resetting_one_project_leaves_another_intact() {
    let app = TestApp::new();
    app.create_ok(INSTANCE, "mine").await;
    app.create_other_ok().await;
    let reset = control(
        &app,
        Method::POST,
        &format!("/_emulator/reset?project_id={PROJECT}"),
        None,
    )
    .await;
    assert_eq!(reset.json(), json!({"status": "reset"}));
    assert_eq!(app.list("").await.json()["total_count"], 0);
    let other = app
        .raw(
            Method::GET,
            &format!("/v3/{OTHER_PROJECT}/backups"),
            &[("x-auth-token", OTHER_TOKEN)],
            Body::empty(),
        )
        .await;
    assert_eq!(other.json()["total_count"], 1);
    // The reset instance is free again.
    app.create_ok(INSTANCE, "again").await;
}

#[tokio::test]
async fn a_full_reset_restores_the_starting_state_lifecycle_and_faults() {
    let app = TestApp::new();
    app.create_ok(INSTANCE, "mine").await;
    app.create_other_ok().await;
    control(
        &app,
        Method::PUT,
        "/_emulator/lifecycle",
        Some(json!({"mode": "instant"})),
    )
    .await;
    post(
        &app,
        "/_emulator/faults/requests",
        json!({"operation": "list", "status": 500}),
    )
    .await;
    post(&app, "/_emulator/reset", json!({})).await;
    assert_eq!(
        app.list("").await.json(),
        json!({"backups": [], "total_count": 0})
    );
    let lifecycle = app.get("/_emulator/lifecycle").await.json();
    assert_eq!(lifecycle["mode"], "time");
    assert_eq!(
        app.get("/_emulator/faults").await.json(),
        json!({"requests": [], "backups": []})
    );
}

#[tokio::test]
async fn the_state_shows_every_project_instance_backup_and_job() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "mine").await;
    let state = app.get("/_emulator/state").await.json();
    assert_eq!(state["now"], "2026-04-24T10:19:57+0000");
    assert_eq!(state["clock"], "manual");
    assert_eq!(state["lifecycle"]["mode"], "time");
    let projects = state["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 2);
    let mine = projects.iter().find(|p| p["id"] == PROJECT).unwrap();
    assert_eq!(mine["tokens"], json!([TOKEN]));
    assert_eq!(mine["instances"].as_array().unwrap().len(), 5);
    assert_eq!(mine["backups"][0]["id"], created["backup"]["id"]);
    assert_eq!(mine["backups"][0]["status"], "BUILDING");
    assert_eq!(
        mine["backups"][0]["finishes"],
        "at 2026-04-24T10:20:02+0000"
    );
    assert_eq!(mine["jobs"][0]["id"], created["job_id"]);
    let one = app
        .get(&format!("/_emulator/state?project_id={OTHER_PROJECT}"))
        .await
        .json();
    assert_eq!(one["projects"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn fixtures_add_and_replace_projects_at_run_time() {
    let app = TestApp::new();
    let added = post(
        &app,
        "/_emulator/fixtures",
        json!({"projects": [{"id": "abababababababababababababababab", "tokens": ["new-token"],
                             "instances": [{"id": "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdin07"}]}]}),
    )
    .await;
    assert_eq!(
        added,
        json!({"projects": ["abababababababababababababababab"]})
    );
    let response = app
        .create_in(
            "abababababababababababababababab",
            "new-token",
            json!({"instance_id": "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdin07", "name": "new-1"}),
        )
        .await;
    assert_eq!(response.status.as_u16(), 201);
    // Replacing a project replaces it whole.
    post(
        &app,
        "/_emulator/fixtures",
        json!({"projects": [{"id": PROJECT, "tokens": [TOKEN],
        "instances": [{"id": "efefefefefefefefefefefefefefefefin07", "name": "only"}]}]}),
    )
    .await;
    let instances = app.get(&format!("/v3/{PROJECT}/instances")).await.json();
    assert_eq!(instances["total_count"], 1);
    assert_eq!(instances["instances"][0]["name"], "only");
    // What was posted is not what a reset returns to: the starting fixtures are.
    let started = TestApp::new().get("/_emulator/state").await.json();
    post(&app, "/_emulator/reset", json!({})).await;
    assert_eq!(app.get("/_emulator/state").await.json(), started);
}

#[tokio::test]
async fn invalid_fixtures_are_refused_with_the_problem_and_change_nothing() {
    let app = TestApp::new();
    let response = control(
        &app,
        Method::POST,
        "/_emulator/fixtures",
        Some(json!({"projects": [{"id": "not-hex"}]})),
    )
    .await;
    assert_eq!(response.status.as_u16(), 400);
    assert!(
        response.json()["error_msg"]
            .as_str()
            .unwrap()
            .contains("projects[0].id")
    );
    let stolen = control(&app, Method::POST, "/_emulator/fixtures",
        Some(json!({"projects": [{"id": "abababababababababababababababab", "tokens": [OTHER_TOKEN]}]}))).await;
    assert_eq!(stolen.status.as_u16(), 400);
    assert!(
        stolen.json()["error_msg"]
            .as_str()
            .unwrap()
            .contains("already belongs"),
        "{}",
        stolen.text
    );
    assert_eq!(
        app.get("/_emulator/state").await.json()["projects"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_snapshot_posted_back_restores_the_project_exactly() {
    let app = TestApp::new();
    // A world with a completed, a failed, a held and a deleted backup, and automated ones.
    let done = app.create_ok(INSTANCE, "done").await;
    app.advance(5.0).await;
    let deleted = app.create_ok(INSTANCE, "deleted").await;
    app.advance(5.0).await;
    app.delete(&id_of(&deleted)).await;
    let failed = app.create_ok(INSTANCE, "failed").await;
    post(
        &app,
        &format!("/_emulator/backups/{}/fail", id_of(&failed)),
        json!({"reason": "disk full"}),
    )
    .await;
    app.advance(9.0 * 3600.0).await; // automated backups at 19:00
    let held = app.create_ok(INSTANCE, "held").await;
    post(
        &app,
        &format!("/_emulator/backups/{}/hold", id_of(&held)),
        json!({}),
    )
    .await;
    app.create_ok(SECOND_INSTANCE, "building").await;

    let snapshot = app
        .get(&format!("/_emulator/snapshot?project_id={PROJECT}"))
        .await
        .json();
    let listed = app.list("").await.json();
    let jobs = app.job(done["job_id"].as_str().unwrap()).await.json();

    post(
        &app,
        &format!("/_emulator/reset?project_id={PROJECT}"),
        json!({}),
    )
    .await;
    assert_eq!(app.list("").await.json()["total_count"], 0);
    post(&app, "/_emulator/fixtures", snapshot.clone()).await;

    assert_eq!(
        app.get(&format!("/_emulator/snapshot?project_id={PROJECT}"))
            .await
            .json(),
        snapshot
    );
    assert_eq!(app.list("").await.json(), listed);
    assert_eq!(app.job(done["job_id"].as_str().unwrap()).await.json(), jobs);
    let deleted_job = app.job(deleted["job_id"].as_str().unwrap()).await.json();
    assert_eq!(deleted_job["job"]["status"], "Completed");
    let failed_job = app.job(failed["job_id"].as_str().unwrap()).await.json();
    assert_eq!(failed_job["job"]["fail_reason"], "disk full");
    // The restored world goes on as before: the held backup is still held, the other builds.
    let advanced = app.advance(5.0).await;
    assert_eq!(
        advanced["transitions"].as_array().unwrap().len(),
        1,
        "{advanced}"
    );
    assert_eq!(app.backup(&id_of(&held)).await["status"], "BUILDING");
}

// --- lifecycle modes ------------------------------------------------------------------------

async fn set_lifecycle(app: &TestApp, body: Value) -> Value {
    let response = control(app, Method::PUT, "/_emulator/lifecycle", Some(body)).await;
    assert_eq!(response.status.as_u16(), 200, "{}", response.text);
    response.json()
}

#[tokio::test]
async fn instant_backups_complete_on_the_first_read() {
    let app = TestApp::new();
    let lifecycle = set_lifecycle(&app, json!({"mode": "instant"})).await;
    assert_eq!(
        lifecycle,
        json!({"mode": "instant", "backup_duration": "5000ms", "automated_backups": true})
    );
    let created = app.create_ok(INSTANCE, "fast").await;
    assert_eq!(created["backup"]["status"], "BUILDING");
    assert_eq!(app.backup(&id_of(&created)).await["status"], "COMPLETED");
}

#[tokio::test]
async fn reads_backups_complete_after_n_reads_of_the_backup_or_its_job() {
    let app = TestApp::new();
    set_lifecycle(&app, json!({"mode": "reads", "reads": 2})).await;
    let created = app.create_ok(INSTANCE, "polled").await;
    let id = id_of(&created);
    let job = created["job_id"].as_str().unwrap();
    assert_eq!(app.backup(&id).await["status"], "BUILDING");
    assert_eq!(app.job(job).await.json()["job"]["status"], "Running");
    assert_eq!(app.job(job).await.json()["job"]["status"], "Completed");
    assert_eq!(app.backup(&id).await["status"], "COMPLETED");
}

#[tokio::test]
async fn manual_backups_complete_only_through_a_clock_advance() {
    let app = TestApp::new();
    set_lifecycle(&app, json!({"mode": "manual", "backup_duration": "1m"})).await;
    let created = app.create_ok(INSTANCE, "manual").await;
    let id = id_of(&created);
    // Time passes on its own (as a real clock would), yet the backup stays BUILDING...
    app.advance_quietly(chrono::TimeDelta::hours(1));
    assert_eq!(app.backup(&id).await["status"], "BUILDING");
    // ...until an advance applies it, at its due time.
    let advanced = app.advance(0.0).await;
    assert_eq!(advanced["transitions"][0]["event"], "completed");
    assert_eq!(advanced["transitions"][0]["at"], "2026-04-24T10:20:57+0000");
    assert_eq!(app.backup(&id).await["status"], "COMPLETED");
}

#[tokio::test]
async fn a_lifecycle_change_applies_to_later_backups() {
    let app = TestApp::new();
    let before = app.create_ok(INSTANCE, "before").await;
    set_lifecycle(&app, json!({"mode": "instant"})).await;
    let after = app.create_ok(SECOND_INSTANCE, "after").await;
    assert_eq!(app.backup(&id_of(&after)).await["status"], "COMPLETED");
    assert_eq!(app.backup(&id_of(&before)).await["status"], "BUILDING");
}

#[tokio::test]
async fn bad_lifecycle_changes_are_refused() {
    let app = TestApp::new();
    for body in [
        json!({"mode": "fast"}),
        json!({"mode": "reads"}),
        json!({"mode": "time", "reads": 3}),
        json!({"backup_duration": "soon"}),
        json!({"speed": 1}),
    ] {
        let response = control(
            &app,
            Method::PUT,
            "/_emulator/lifecycle",
            Some(body.clone()),
        )
        .await;
        response.assert_control_refusal(&body.to_string());
    }
    assert_eq!(app.get("/_emulator/lifecycle").await.json()["mode"], "time");
}

// --- one backup at a time -------------------------------------------------------------------

#[tokio::test]
async fn a_held_backup_stays_building_until_completed() {
    let app = TestApp::new();
    let id = id_of(&app.create_ok(INSTANCE, "held").await);
    let held = post(&app, &format!("/_emulator/backups/{id}/hold"), json!({})).await;
    assert_eq!(held, json!({"backup_id": id, "status": "BUILDING"}));
    app.advance(7.0 * 24.0 * 3600.0).await;
    assert_eq!(app.backup(&id).await["status"], "BUILDING");
    let done = post(
        &app,
        &format!("/_emulator/backups/{id}/complete"),
        json!({}),
    )
    .await;
    assert_eq!(done, json!({"backup_id": id, "status": "COMPLETED"}));
    let backup = app.backup(&id).await;
    assert_eq!(backup["status"], "COMPLETED");
    assert_eq!(backup["end_time"], "2026-05-01T10:19:57+0000");
}

#[tokio::test]
async fn failing_a_backup_fails_its_job_and_frees_the_instance() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "doomed").await;
    let id = id_of(&created);
    let failed = post(
        &app,
        &format!("/_emulator/backups/{id}/fail"),
        json!({"reason": "disk full"}),
    )
    .await;
    assert_eq!(failed, json!({"backup_id": id, "status": "FAILED"}));
    assert_eq!(app.backup(&id).await["status"], "FAILED");
    let job = app.job(created["job_id"].as_str().unwrap()).await.json();
    assert_eq!(job["job"]["status"], "Failed");
    assert_eq!(job["job"]["fail_reason"], "disk full");
    let instance = app
        .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}"))
        .await
        .json();
    assert_eq!(instance["instance"]["status"], "ACTIVE");
    // Without a body the reason is a default one.
    let other = id_of(&app.create_ok(INSTANCE, "doomed-2").await);
    let response = control(
        &app,
        Method::POST,
        &format!("/_emulator/backups/{other}/fail"),
        None,
    )
    .await;
    assert_eq!(response.status.as_u16(), 200);
}

#[tokio::test]
async fn commands_on_finished_or_unknown_backups_are_refused() {
    let app = TestApp::new();
    let id = id_of(&app.create_ok(INSTANCE, "done").await);
    app.advance(5.0).await;
    for command in ["complete", "fail", "hold"] {
        let response = control(
            &app,
            Method::POST,
            &format!("/_emulator/backups/{id}/{command}"),
            None,
        )
        .await;
        response.assert_error(
            400,
            "DBS.201208",
            "The operation is not allowed by the backup status.",
        );
        let response = control(
            &app,
            Method::POST,
            &format!("/_emulator/backups/nope/{command}"),
            None,
        )
        .await;
        response.assert_error(404, "DBS.201010", "The backup information does not exist.");
    }
}

// --- failures -------------------------------------------------------------------------------

#[tokio::test]
async fn the_next_n_backups_of_an_instance_fail_and_then_no_more() {
    let app = TestApp::new();
    let rule = post(
        &app,
        "/_emulator/faults/backups",
        json!({"count": 2, "instance_id": INSTANCE, "reason": "injected"}),
    )
    .await;
    assert_eq!(rule["remaining"], 2);
    let mut statuses = Vec::new();
    for n in 0..3 {
        let created = app.create_ok(INSTANCE, &format!("backup-{n}")).await;
        app.advance(5.0).await;
        statuses.push(
            app.backup(&id_of(&created)).await["status"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        if n == 0 {
            let job = app.job(created["job_id"].as_str().unwrap()).await.json();
            assert_eq!(job["job"]["fail_reason"], "injected");
        }
    }
    assert_eq!(statuses, vec!["FAILED", "FAILED", "COMPLETED"]);
    // Another instance was never affected.
    let other = app.create_ok(SECOND_INSTANCE, "other").await;
    app.advance(5.0).await;
    assert_eq!(app.backup(&id_of(&other)).await["status"], "COMPLETED");
    let faults = app.get("/_emulator/faults").await.json();
    assert_eq!(faults["backups"][0]["hits"], 2);
    assert_eq!(faults["backups"][0]["remaining"], 0);
}

#[tokio::test]
async fn the_next_n_calls_of_an_operation_answer_the_injected_error() {
    let app = TestApp::new();
    let fault = post(
        &app,
        "/_emulator/faults/requests",
        json!({"operation": "create", "count": 2,
        "status": 503, "error_code": "DBS.290006", "error_msg": "Failed to process the request."}),
    )
    .await;
    assert_eq!(fault["remaining"], 2);
    for _ in 0..2 {
        let response = app
            .create(json!({"instance_id": INSTANCE, "name": "backup-1"}))
            .await;
        response.assert_error(503, "DBS.290006", "Failed to process the request.");
        assert!(response.headers.contains_key("x-request-id"));
    }
    // Other operations were never affected; the third create goes through.
    assert_eq!(app.list("").await.status.as_u16(), 200);
    assert_eq!(
        app.create(json!({"instance_id": INSTANCE, "name": "backup-1"}))
            .await
            .status
            .as_u16(),
        201
    );
    let faults = app.get("/_emulator/faults").await.json();
    assert_eq!(faults["requests"][0]["hits"], 2);
    assert_eq!(faults["requests"][0]["remaining"], 0);
    let cleared = control(&app, Method::DELETE, "/_emulator/faults", None).await;
    assert_eq!(cleared.json(), json!({"status": "cleared"}));
    assert_eq!(
        app.get("/_emulator/faults").await.json(),
        json!({"requests": [], "backups": []})
    );
}

#[tokio::test]
async fn an_injected_delay_answers_late_but_normally() {
    let app = TestApp::new();
    post(
        &app,
        "/_emulator/faults/requests",
        json!({"operation": "list", "delay": "150ms"}),
    )
    .await;
    let started = Instant::now();
    let response = app.list("").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(response.status.as_u16(), 200);
    // Only the first call is delayed: the fault is spent.
    let faults = app.get("/_emulator/faults").await.json();
    assert_eq!(
        (
            &faults["requests"][0]["hits"],
            &faults["requests"][0]["remaining"]
        ),
        (&json!(1), &json!(0))
    );
    assert_eq!(app.list("").await.status.as_u16(), 200);
}

#[tokio::test]
async fn a_wildcard_fault_hits_any_api_operation_but_not_the_control_api() {
    let app = TestApp::new();
    post(
        &app,
        "/_emulator/faults/requests",
        json!({"operation": "*", "count": 1, "status": 500}),
    )
    .await;
    assert_eq!(app.get("/_emulator/health").await.status.as_u16(), 200);
    app.get(&format!("/v3/{PROJECT}/instances"))
        .await
        .assert_error(500, "DBS.108000", "Server failure.");
    assert_eq!(
        app.get(&format!("/v3/{PROJECT}/instances"))
            .await
            .status
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn unknown_operations_and_bad_faults_are_refused() {
    let app = TestApp::new();
    for body in [
        json!({"operation": "_reset", "status": 500}),
        json!({"operation": "explode", "status": 500}),
        json!({"operation": "list"}),
        json!({"operation": "list", "status": 200}),
        json!({"operation": "list", "error_code": "X"}),
    ] {
        let response = control(
            &app,
            Method::POST,
            "/_emulator/faults/requests",
            Some(body.clone()),
        )
        .await;
        assert_eq!(response.status.as_u16(), 400, "{body}");
    }
}

// --- the journal ----------------------------------------------------------------------------

#[tokio::test]
async fn the_journal_records_each_request_and_stays_bounded() {
    let app = TestApp::with_settings(Settings {
        journal_size: 3,
        ..Settings::default()
    });
    let created = app
        .create(json!({"instance_id": INSTANCE, "name": "backup-1"}))
        .await;
    let journal = app.get("/_emulator/requests").await.json();
    assert_eq!(journal["capacity"], 3);
    let entry = &journal["requests"][0];
    assert_eq!(entry["method"], "POST");
    assert_eq!(entry["path"], format!("/v3/{PROJECT}/backups/create"));
    assert_eq!(entry["operation"], "create");
    assert_eq!(entry["status"], 201);
    assert_eq!(entry["time"], "2026-04-24T10:19:57+0000");
    assert_eq!(entry["request_id"], created.request_id());
    assert!(entry["duration_ms"].is_number());
    for _ in 0..10 {
        app.get("/nowhere").await;
    }
    let journal = app.get("/_emulator/requests").await.json();
    let requests = journal["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 3, "{journal}");
    assert_eq!(requests[0]["operation"], "unknown");
    assert_eq!(requests[0]["status"], 404);
    assert_eq!(requests[2]["operation"], "unknown");
    control(&app, Method::DELETE, "/_emulator/requests", None).await;
    let journal = app.get("/_emulator/requests").await.json();
    // A request is journaled once answered: only the clear itself is there.
    assert_eq!(
        journal["requests"].as_array().unwrap().len(),
        1,
        "{journal}"
    );
    assert_eq!(journal["requests"][0]["operation"], "_clear_requests");
}

// --- waiting --------------------------------------------------------------------------------

#[tokio::test]
async fn waiting_answers_as_soon_as_the_backup_completes() {
    let app = std::sync::Arc::new(TestApp::new());
    let id = id_of(&app.create_ok(INSTANCE, "awaited").await);
    let waiter = {
        let app = app.clone();
        let id = id.clone();
        tokio::spawn(async move {
            app.get(&format!(
                "/_emulator/backups/{id}/wait?status=COMPLETED&timeout=10s"
            ))
            .await
        })
    };
    tokio::task::yield_now().await;
    assert!(!waiter.is_finished());
    app.advance(5.0).await;
    let response = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.json()["id"], id);
    assert_eq!(response.json()["status"], "COMPLETED");
}

#[tokio::test]
async fn waiting_for_a_status_already_reached_answers_at_once() {
    let app = TestApp::new();
    let id = id_of(&app.create_ok(INSTANCE, "awaited").await);
    let response = app
        .get(&format!("/_emulator/backups/{id}/wait?status=BUILDING"))
        .await;
    assert_eq!(response.json()["status"], "BUILDING");
}

#[tokio::test]
async fn waiting_times_out_with_408() {
    let app = TestApp::new();
    let id = id_of(&app.create_ok(INSTANCE, "slow").await);
    app.get(&format!(
        "/_emulator/backups/{id}/wait?status=COMPLETED&timeout=50ms"
    ))
    .await
    .assert_error(
        408,
        "EMULATOR.WAIT_TIMEOUT",
        "The backup did not reach the status waited for before the timeout.",
    );
}

#[tokio::test]
async fn waiting_for_completion_of_a_failed_backup_answers_409_at_once() {
    let app = TestApp::new();
    let id = id_of(&app.create_ok(INSTANCE, "doomed").await);
    post(&app, &format!("/_emulator/backups/{id}/fail"), json!({})).await;
    app.get(&format!("/_emulator/backups/{id}/wait?timeout=10s"))
        .await
        .assert_error(
            409,
            "EMULATOR.WAIT_ENDED",
            "The backup finished as FAILED without reaching the status waited for.",
        );
    app.get("/_emulator/backups/nope/wait").await.assert_error(
        404,
        "DBS.201010",
        "The backup information does not exist.",
    );
    for query in ["status=DONE", "timeout=soon", "timeout=11m"] {
        let response = app
            .get(&format!("/_emulator/backups/{id}/wait?{query}"))
            .await;
        assert_eq!(response.status.as_u16(), 400, "{query}");
    }
}

// --- reproducibility ------------------------------------------------------------------------

#[tokio::test]
async fn two_seeded_runs_with_the_same_requests_answer_identically() {
    async fn run() -> Vec<(String, String)> {
        let app = TestApp::with_settings(Settings {
            seed: Some(42),
            ..Settings::default()
        });
        let mut answers = Vec::new();
        let created = app
            .create(json!({"instance_id": INSTANCE, "name": "seeded"}))
            .await;
        let job = created.json()["job_id"].as_str().unwrap().to_owned();
        answers.push((created.request_id(), created.text));
        app.advance(9.0 * 3600.0).await; // automated backups too
        for response in [
            app.list("").await,
            app.job(&job).await,
            app.get("/_emulator/snapshot").await,
        ] {
            answers.push((response.request_id(), response.text));
        }
        answers
    }
    let first = run().await;
    assert_eq!(first, run().await);
    let unseeded = TestApp::new()
        .create(json!({"instance_id": INSTANCE, "name": "seeded"}))
        .await;
    assert_ne!(unseeded.text, first[0].1);
}

#[tokio::test]
async fn a_seeded_run_given_an_earlier_seeded_runs_state_draws_ids_it_does_not_hold() {
    // Before: the second run's first backup took the first run's first backup's id and job
    // id, overwriting it; the list showed the new one twice and its snapshot could not be
    // posted back.
    let seeded = || {
        TestApp::with_settings(Settings {
            seed: Some(1),
            ..Settings::default()
        })
    };
    let first = seeded();
    let mut held = Vec::new();
    for name in ["first-one", "second-one"] {
        let created = first.create_ok(INSTANCE, name).await;
        held.push(created["backup"]["id"].as_str().unwrap().to_owned());
        held.push(created["job_id"].as_str().unwrap().to_owned());
        first.advance(10.0).await;
    }
    let renamed = first
        .api(
            Method::PUT,
            &format!("/instances/{INSTANCE}/name"),
            Some(json!({"name": "renamed"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    held.push(renamed.json()["job_id"].as_str().unwrap().to_owned());
    first.advance(60.0).await;
    let snapshot = first.get("/_emulator/snapshot").await.text;

    let second = seeded();
    let loaded = second.control_post("/_emulator/fixtures", &snapshot).await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.text);
    second.advance(60.0).await;
    let third = second.create_ok(INSTANCE, "third-one").await;
    let (id, job) = (
        third["backup"]["id"].as_str().unwrap(),
        third["job_id"].as_str().unwrap(),
    );
    assert!(
        !held.iter().any(|h| h == id || h == job),
        "{id} {job} in {held:?}"
    );
    let renamed = second
        .api(
            Method::PUT,
            &format!("/instances/{INSTANCE}/name"),
            Some(json!({"name": "renamed-again"})),
        )
        .await;
    let job = renamed.json()["job_id"].as_str().unwrap().to_owned();
    assert!(!held.contains(&job), "{job} in {held:?}");
    second.advance(60.0).await;
    let names: Vec<String> = second.list("").await.json()["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["third-one", "second-one", "first-one"]);
    // Its snapshot loads again: no id is listed twice.
    let again = second.get("/_emulator/snapshot").await.text;
    let loaded = seeded().control_post("/_emulator/fixtures", &again).await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.text);
}
