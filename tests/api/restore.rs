//! The restore side: restoring onto an existing instance (`POST …/instances/restore`),
//! creating an instance with or without a restore point (`POST …/instances`), and how the
//! control plane drives, fails, waits for and saves both.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const RESTORE_JOB: &str = "RestoreGaussDBforMySQLInstance";

impl TestApp {
    /// `POST /v3/{PROJECT}{path}` with the project's token and a JSON body.
    async fn post_api(&self, path: &str, body: &Value) -> TestResponse {
        self.raw(
            Method::POST,
            &format!("/v3/{PROJECT}{path}"),
            &[
                ("x-auth-token", TOKEN),
                ("content-type", "application/json"),
            ],
            body.to_string(),
        )
        .await
    }

    async fn restore(&self, body: Value) -> TestResponse {
        self.post_api("/instances/restore", &body).await
    }

    async fn create_instance(&self, body: Value) -> TestResponse {
        self.post_api("/instances", &body).await
    }

    async fn instance_status(&self, id: &str) -> String {
        let body = self
            .get(&format!("/v3/{PROJECT}/instances/{id}"))
            .await
            .json();
        body["instance"]["status"].as_str().unwrap().to_owned()
    }

    /// A completed full backup of `INSTANCE`; returns its id.
    async fn completed_backup(&self) -> String {
        let created = self.create_ok(INSTANCE, "to-restore").await;
        self.advance(5.0).await;
        let id = created["backup"]["id"].as_str().unwrap().to_owned();
        assert_eq!(self.backup(&id).await["status"], "COMPLETED");
        id
    }

    async fn job_body(&self, id: &str) -> Value {
        let response = self.job(id).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        response.json()["job"].clone()
    }
}

fn by_backup(target: &str, backup_id: &str) -> Value {
    json!({"source_instance_id": INSTANCE, "target_instance_id": target,
           "type": "backup", "backup_id": backup_id})
}

/// What Terraform's `huaweicloud_taurusdb_instance` sends for a pay-per-use instance.
fn new_instance(name: &str) -> Value {
    instance_body(
        name,
        json!({"slave_count": 1, "time_zone": "UTC+08:00", "master_availability_zone": null}),
    )
}

#[tokio::test]
async fn a_restore_holds_its_target_restoring_until_the_job_completes() {
    let app = TestApp::new();
    let backup_id = app.completed_backup().await;
    let response = app.restore(by_backup(SECOND_INSTANCE, &backup_id)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let job_id = response.json()["job_id"].as_str().unwrap().to_owned();
    assert_eq!(response.json().as_object().unwrap().len(), 1, "only job_id");

    assert_eq!(app.instance_status(SECOND_INSTANCE).await, "RESTORING");
    assert_eq!(app.instance_status(INSTANCE).await, "ACTIVE", "the source");
    let job = app.job_body(&job_id).await;
    assert_eq!(job["name"], RESTORE_JOB);
    assert_eq!(job["status"], "Running");
    assert_eq!(job["instance"]["id"], SECOND_INSTANCE);
    assert_eq!(job["entities"]["resource_ids"], json!([SECOND_INSTANCE]));

    // What a restoring instance refuses.
    app.create(json!({"instance_id": SECOND_INSTANCE, "name": "during"}))
        .await
        .assert_error(
            409,
            "DBS.200011",
            "Another operation is being performed on the DB instance or the DB instance is faulty.",
        );
    app.restore(by_backup(SECOND_INSTANCE, &backup_id))
        .await
        .assert_error(
            409,
            "DBS.200011",
            "Another operation is being performed on the DB instance or the DB instance is faulty.",
        );
    let policy = app
        .raw(
            Method::PUT,
            &format!("/v3/{PROJECT}/instances/{SECOND_INSTANCE}/backups/policy/update"),
            &[("x-auth-token", TOKEN), ("content-type", "application/json")],
            json!({"backup_policy": {"start_time": "19:00-20:00", "keep_days": 7, "period": "1,2"}})
                .to_string(),
        )
        .await;
    policy.assert_error(
        409,
        "DBS.200011",
        "Another operation is being performed on the DB instance or the DB instance is faulty.",
    );

    let advanced = app.advance(5.0).await;
    assert_eq!(
        advanced["transitions"],
        json!([{"project_id": PROJECT, "job_id": job_id, "event": "completed",
                "at": advanced["now"]}])
    );
    assert_eq!(app.instance_status(SECOND_INSTANCE).await, "ACTIVE");
    let job = app.job_body(&job_id).await;
    assert_eq!(job["status"], "Completed");
    assert_eq!(job["ended"], advanced["now"]);
    // The original instance restores onto itself the same way.
    let response = app.restore(by_backup(INSTANCE, &backup_id)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(app.instance_status(INSTANCE).await, "RESTORING");
}

fn millis(text: &str) -> i64 {
    chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
        .unwrap()
        .timestamp_millis()
}

#[tokio::test]
async fn a_point_in_time_restore_takes_only_a_time_the_ranges_cover() {
    let app = TestApp::new();
    let backup_id = app.completed_backup().await;
    let end = millis(app.backup(&backup_id).await["end_time"].as_str().unwrap());
    app.advance(6.0 * 60.0).await;
    let ranges = app
        .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}/restore-time"))
        .await
        .json();
    let start = ranges["restore_times"][0]["start_time"].as_i64().unwrap();
    let last = ranges["restore_times"][0]["end_time"].as_i64().unwrap();
    assert_eq!((start, last), (end, end + 5 * 60 * 1000));
    let at = |t: i64| {
        json!({"source_instance_id": INSTANCE, "target_instance_id": SECOND_INSTANCE,
               "type": "timestamp", "restore_time": t})
    };
    for outside in [start - 1, last + 1] {
        app.restore(at(outside))
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
    let response = app.restore(at(last)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let job_id = response.json()["job_id"].as_str().unwrap().to_owned();
    assert_eq!(app.job_body(&job_id).await["status"], "Running");
}

#[tokio::test]
async fn a_window_at_the_ends_of_time_is_answered_not_failed() {
    // Before: the window's end plus the second a range may start late overflowed (500).
    let app = TestApp::new();
    app.completed_backup().await;
    app.advance(6.0 * 60.0).await;
    let path = format!("/v3/{PROJECT}/instances/{INSTANCE}/restore-time");
    for (start, end) in [
        (0_i64, 8_210_266_876_799_999_i64),
        (-8_334_601_228_800_000, 0),
    ] {
        let response = app
            .get(&format!("{path}?start_time={start}&end_time={end}"))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    }
    let all = app.get(&path).await.json();
    let widest = app
        .get(&format!(
            "{path}?start_time=-8334601228800000&end_time=8210266876799999"
        ))
        .await
        .json();
    assert_eq!(widest, all);
}

#[tokio::test]
async fn a_restore_to_a_backups_shown_end_time_is_taken_when_it_ended_within_a_second() {
    // Before: the range began at the backup's end to the millisecond (954 ms past the second
    // its end_time shows), and a restore to the end_time shown was refused.
    let app = TestApp::new();
    app.advance_quietly(chrono::TimeDelta::milliseconds(954));
    let backup_id = app.completed_backup().await;
    let shown = millis(app.backup(&backup_id).await["end_time"].as_str().unwrap());
    app.advance(60.0).await;
    let response = app
        .restore(
            json!({"source_instance_id": INSTANCE, "target_instance_id": SECOND_INSTANCE,
                        "type": "timestamp", "restore_time": shown}),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
}

#[tokio::test]
async fn incremental_backups_are_listed_only_where_a_restore_can_use_them() {
    // Before: eight days after the only full backup (kept seven), 2 016 incremental backups
    // were listed while the restorable times offered none of them.
    let mut settings = taurusdb_emulator::Settings::default();
    settings.lifecycle.automated_backups = false;
    let app = TestApp::with_settings(settings);
    app.completed_backup().await;
    app.advance(8.0 * 86400.0).await;
    let path = format!("/v3/{PROJECT}/instances/{INSTANCE}");
    let listed = app.get(&format!("{path}/incremental-backups")).await.json();
    let times = app.get(&format!("{path}/restore-time")).await.json();
    let ranges = times["restore_times"].as_array().unwrap();
    assert!(
        ranges.iter().all(|r| r["start_time"] == r["end_time"]),
        "only the backup as it was: {times}"
    );
    assert_eq!(listed["total_count"], 0, "{listed}");
}

#[tokio::test]
async fn each_restore_rule_answers_its_code() {
    let app = TestApp::new();
    let backup_id = app.completed_backup().await;
    let building = app.create_ok(INSTANCE, "building").await["backup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let busy =
        "Another operation is being performed on the DB instance or the DB instance is faulty.";
    let with = |changes: Value| {
        let mut body = by_backup(SECOND_INSTANCE, &backup_id);
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let cases = [
        (json!({"type": null}), 400, "DBS.200001", "Parameter error."),
        (
            json!({"type": "log"}),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            json!({"backup_id": null}),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            json!({"type": "timestamp"}),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            json!({"restore_time": "soon", "type": "timestamp"}),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            json!({"target_instance_id": null}),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            json!({"target_instance_id": "not an id"}),
            400,
            "DBS.280404",
            "Invalid DB instance ID or node ID format.",
        ),
        (
            json!({"target_instance_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaain07"}),
            404,
            "DBS.200002",
            "The DB instance does not exist.",
        ),
        (
            json!({"target_instance_id": OTHER_INSTANCE}),
            404,
            "DBS.200002",
            "The DB instance does not exist.",
        ),
        (
            json!({"source_instance_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaain07"}),
            404,
            "DBS.200013",
            "The original DB instance does not exist.",
        ),
        (
            json!({"backup_id": "00000000000000000000000000000000br07"}),
            404,
            "DBS.201010",
            "The backup information does not exist.",
        ),
        (
            json!({"source_instance_id": SECOND_INSTANCE}),
            404,
            "DBS.201010",
            "The backup information does not exist.",
        ),
        (
            json!({"backup_id": building}),
            400,
            "DBS.201208",
            "The operation is not allowed by the backup status.",
        ),
        (
            json!({"target_instance_id": FROZEN_INSTANCE}),
            400,
            "DBS.280449",
            "Operation not allowed on frozen objects.",
        ),
        (
            json!({"target_instance_id": REBOOTING_INSTANCE}),
            409,
            "DBS.200011",
            busy,
        ),
        (
            json!({"target_instance_id": INSTANCE}),
            409,
            "DBS.200011",
            busy,
        ),
    ];
    for (changes, status, code, message) in cases {
        let body = with(changes);
        let response = app.restore(body.clone()).await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{body}: {}",
            response.text
        );
        response.assert_error(status, code, message);
    }
    app.post_api("/instances/restore", &json!(null))
        .await
        .assert_error(400, "DBS.200001", "Parameter error.");
    app.raw(
        Method::POST,
        &format!("/v3/{PROJECT}/instances/restore"),
        &[
            ("x-auth-token", TOKEN),
            ("content-type", "application/json"),
        ],
        "",
    )
    .await
    .assert_error(
        400,
        "DBS.200006",
        "The request is null. Enter a request parameter.",
    );
    // `restore` is a path of its own, never an instance id.
    let get = app.get(&format!("/v3/{PROJECT}/instances/restore")).await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED, "{}", get.text);
    assert_eq!(get.json()["error_code"], "DBS.290013");
}

#[tokio::test]
async fn a_restore_needs_the_same_engine_settings_on_both_sides() {
    let app = TestApp::new();
    let backup_id = app.completed_backup().await;
    let mut body = new_instance("case-sensitive");
    body["lower_case_table_names"] = json!(0);
    let created = app.create_instance(body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json()["instance"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.advance(10.0).await;
    assert_eq!(app.instance_status(&id).await, "ACTIVE");
    app.restore(by_backup(&id, &backup_id)).await.assert_error(
        400,
        "DBS.201207",
        "The DB engine or version is not supported.",
    );
}

#[tokio::test]
async fn a_created_instance_builds_then_is_active_listed_and_takes_its_first_backup() {
    let app = TestApp::new();
    let response = app
        .create_instance(new_instance("gaussdb-mysql-instance1"))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let body = response.json();
    let instance = &body["instance"];
    let id = instance["id"].as_str().unwrap().to_owned();
    assert!(id.len() == 36 && id.ends_with("in07"), "{id}");
    assert_eq!(instance["status"], "BUILD");
    assert_eq!(instance["port"], "3306", "a string, as Terraform reads it");
    assert_eq!(instance["mode"], "Cluster");
    assert_eq!(instance["datastore"]["type"], "gaussdb-mysql");
    assert_eq!(instance["backup_strategy"]["keep_days"], "7");
    assert_eq!(instance["charge_info"]["charge_mode"], "postPaid");
    assert_eq!(
        instance["volume"]["size"], 0,
        "no volume asked for: the storage grows as needed, and Terraform reads no size"
    );
    assert!(body.get("order_id").is_none());
    let job = app.job_body(body["job_id"].as_str().unwrap()).await;
    assert_eq!(job["name"], "CreateGaussDBforMySQLInstance");
    assert_eq!(
        job["instance"],
        json!({"id": id, "name": "gaussdb-mysql-instance1"})
    );
    assert_eq!(
        job["entities"]["resource_ids"],
        json!([format!("{id}.vm"), format!("{id}.volume")])
    );

    assert_eq!(app.instance_status(&id).await, "BUILD");
    let listed = app
        .get(&format!("/v3/{PROJECT}/instances?id={id}"))
        .await
        .json();
    assert_eq!(listed["total_count"], 1);
    assert_eq!(
        listed["instances"][0]["vpc_id"],
        "3cedfc54-b105-4652-a4e0-847b11576b58"
    );
    assert_eq!(listed["instances"][0]["status"], "BUILD");
    app.create(json!({"instance_id": id, "name": "too-early"}))
        .await
        .assert_error(
            409,
            "DBS.200011",
            "Another operation is being performed on the DB instance or the DB instance is faulty.",
        );

    app.advance(5.0).await;
    // Active, and at once backing up its first full backup, as Terraform's wait expects.
    assert_eq!(app.instance_status(&id).await, "BACKING UP");
    let details = app
        .get(&format!("/v3/{PROJECT}/instances/{id}"))
        .await
        .json();
    assert_eq!(details["instance"]["node_count"], 2);
    assert_eq!(details["instance"]["time_zone"], "UTC+08:00");
    app.advance(5.0).await;
    assert_eq!(app.instance_status(&id).await, "ACTIVE");
    let backups = app.list(&format!("instance_id={id}")).await.json();
    assert_eq!(backups["total_count"], 1);
    assert_eq!(backups["backups"][0]["type"], "auto");
    assert_eq!(backups["backups"][0]["status"], "COMPLETED");
    assert_eq!(
        app.job_body(body["job_id"].as_str().unwrap()).await["status"],
        "Completed"
    );
}

#[tokio::test]
async fn an_instance_restored_from_a_backup_or_a_time_names_its_job_so() {
    let app = TestApp::new();
    let backup_id = app.completed_backup().await;
    let mut body = new_instance("restored-1");
    body["restore_point"] = json!({"source_instance_id": INSTANCE, "backup_id": backup_id});
    body["charge_info"] =
        json!({"charge_mode": "prePaid", "period_type": "month", "period_num": 1});
    let response = app.create_instance(body).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let created = response.json();
    assert!(created["order_id"].as_str().unwrap().starts_with("CS"));
    assert_eq!(created["instance"]["charge_info"]["charge_mode"], "prePaid");
    let job = app.job_body(created["job_id"].as_str().unwrap()).await;
    assert_eq!(job["name"], "RestoreGaussDBforMySQLNewInstance");

    let mut body = new_instance("restored-2");
    body["restore_point"] =
        json!({"source_instance_id": INSTANCE, "type": "timestamp", "restore_time": 1});
    app.create_instance(body.clone())
        .await
        .assert_error(400, "DBS.200001", "Parameter error.");
    body["restore_point"]["source_instance_id"] = json!(SECOND_INSTANCE);
    body["restore_point"]["type"] = json!("backup");
    body["restore_point"]["backup_id"] = json!(backup_id);
    app.create_instance(body.clone()).await.assert_error(
        404,
        "DBS.201010",
        "The backup information does not exist.",
    );
    body["restore_point"]["source_instance_id"] = json!("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaain07");
    app.create_instance(body).await.assert_error(
        404,
        "DBS.200013",
        "The original DB instance does not exist.",
    );
}

#[tokio::test]
async fn each_creation_rule_answers_its_code() {
    let app = TestApp::new();
    let cases = [
        (
            "name",
            json!("ab"),
            400,
            "DBS.200021",
            "Invalid DB instance name.",
        ),
        (
            "name",
            json!(null),
            400,
            "DBS.200021",
            "Invalid DB instance name.",
        ),
        (
            "password",
            json!("password"),
            400,
            "DBS.200052",
            "Invalid database root password.",
        ),
        (
            "region",
            json!("eu-nl"),
            400,
            "DBS.200024",
            "Invalid region.",
        ),
        ("vpc_id", json!(""), 400, "DBS.200048", "Invalid VPC ID."),
        (
            "subnet_id",
            json!("a/b"),
            400,
            "DBS.200049",
            "Invalid subnet ID.",
        ),
        (
            "datastore",
            json!({"type": "gaussdb-mysql", "version": "5.7"}),
            400,
            "DBS.200040",
            "The DB engine or version is not supported.",
        ),
        (
            "mode",
            json!("Single"),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            "slave_count",
            json!("1"),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            "slave_count",
            json!(10),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            "availability_zone_mode",
            json!("multi"),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            "backup_strategy",
            json!({"start_time": "08:00-10:00"}),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
        (
            "volume",
            json!({"size": "lots"}),
            400,
            "DBS.200001",
            "Parameter error.",
        ),
    ];
    for (field, value, status, code, message) in cases {
        let mut body = new_instance("gaussdb-mysql-instance1");
        body[field] = value;
        let response = app.create_instance(body.clone()).await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{body}: {}",
            response.text
        );
        response.assert_error(status, code, message);
    }
    let listed = app.get(&format!("/v3/{PROJECT}/instances")).await.json();
    assert_eq!(listed["total_count"], 5, "nothing was created");
    // A project the emulator does not know (loose auth) has no region to create in.
    app.raw(
        Method::POST,
        "/v3/abcdefabcdefabcdefabcdefabcdefab/instances",
        &[
            ("x-auth-token", TOKEN),
            ("content-type", "application/json"),
        ],
        new_instance("nowhere").to_string(),
    )
    .await
    .assert_error(400, "DBS.200024", "Invalid region.");
}

#[tokio::test]
async fn the_control_plane_completes_fails_holds_and_waits_for_restores_and_creations() {
    let app = TestApp::new();
    let backup_id = app.completed_backup().await;
    let restore = app
        .restore(by_backup(SECOND_INSTANCE, &backup_id))
        .await
        .json();
    let job_id = restore["job_id"].as_str().unwrap().to_owned();

    let held = app
        .control_post(&format!("/_emulator/jobs/{job_id}/hold"), "")
        .await;
    assert_eq!(held.json(), json!({"job_id": job_id, "status": "Running"}));
    app.advance(3600.0).await;
    assert_eq!(
        app.instance_status(SECOND_INSTANCE).await,
        "RESTORING",
        "held"
    );
    let waited = app
        .get(&format!("/_emulator/jobs/{job_id}/wait?timeout=0s"))
        .await;
    waited.assert_error(
        408,
        "EMULATOR.WAIT_TIMEOUT",
        "The job did not reach the status waited for before the timeout.",
    );
    let failed = app
        .control_post(
            &format!("/_emulator/jobs/{job_id}/fail"),
            r#"{"reason": "disk gone"}"#,
        )
        .await;
    assert_eq!(failed.json(), json!({"job_id": job_id, "status": "Failed"}));
    assert_eq!(app.instance_status(SECOND_INSTANCE).await, "ACTIVE");
    let job = app.job_body(&job_id).await;
    assert_eq!(
        (job["status"].as_str(), job["fail_reason"].as_str()),
        (Some("Failed"), Some("disk gone"))
    );
    app.get(&format!("/_emulator/jobs/{job_id}/wait"))
        .await
        .assert_error(
            409,
            "EMULATOR.WAIT_ENDED",
            "The job finished as Failed without reaching the status waited for.",
        );
    let waited = app
        .get(&format!("/_emulator/jobs/{job_id}/wait?status=Failed"))
        .await;
    assert_eq!(waited.json()["id"], job_id.as_str());
    app.control_post(&format!("/_emulator/jobs/{job_id}/complete"), "")
        .await
        .assert_error(409, "EMULATOR.JOB_ENDED", "The job has already ended.");
    app.control_post(
        "/_emulator/jobs/00000000-0000-4000-8000-000000000000/complete",
        "",
    )
    .await
    .assert_error(404, "DBS.200543", "The job does not exist.");

    // A creation failed by a command leaves its instance FAILED.
    let created = app.create_instance(new_instance("doomed")).await.json();
    let create_job = created["job_id"].as_str().unwrap();
    let id = created["instance"]["id"].as_str().unwrap();
    app.control_post(&format!("/_emulator/jobs/{create_job}/fail"), "")
        .await;
    assert_eq!(app.instance_status(id).await, "FAILED");
    assert_eq!(app.job_body(create_job).await["fail_reason"], "Job failed.");

    // A backup's job is driven through its backup.
    let backup = app.create_ok(INSTANCE, "through-its-job").await;
    let done = app
        .control_post(
            &format!(
                "/_emulator/jobs/{}/complete",
                backup["job_id"].as_str().unwrap()
            ),
            "",
        )
        .await;
    assert_eq!(done.json()["status"], "Completed");
    assert_eq!(
        app.backup(backup["backup"]["id"].as_str().unwrap()).await["status"],
        "COMPLETED"
    );
}

#[tokio::test]
async fn failure_rules_fail_the_next_restore_or_creation() {
    let app = TestApp::new();
    let backup_id = app.completed_backup().await;
    let rule = app
        .control_post(
            "/_emulator/faults/backups",
            &json!({"operation": "restore", "instance_id": SECOND_INSTANCE, "reason": "no space"})
                .to_string(),
        )
        .await;
    assert_eq!(rule.status, StatusCode::CREATED, "{}", rule.text);
    assert_eq!(rule.json()["operation"], "restore");
    let creation_rule = app
        .control_post(
            "/_emulator/faults/backups",
            r#"{"operation": "create_instance"}"#,
        )
        .await;
    assert_eq!(creation_rule.json()["operation"], "create_instance");
    app.control_post("/_emulator/faults/backups", r#"{"operation": "reboot"}"#)
        .await
        .assert_error(
            400,
            "DBS.200001",
            "Parameter error. operation \"reboot\" is not backup, restore or create_instance",
        );

    // A backup is not a restore: the rules leave it alone.
    let backup = app.create_ok(INSTANCE, "unaffected").await;
    app.advance(5.0).await;
    assert_eq!(
        app.backup(backup["backup"]["id"].as_str().unwrap()).await["status"],
        "COMPLETED"
    );
    let job_id = app
        .restore(by_backup(SECOND_INSTANCE, &backup_id))
        .await
        .json()["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app
        .create_instance(new_instance("never-built"))
        .await
        .json();
    app.advance(5.0).await;
    let job = app.job_body(&job_id).await;
    assert_eq!(
        (job["status"].as_str(), job["fail_reason"].as_str()),
        (Some("Failed"), Some("no space"))
    );
    assert_eq!(app.instance_status(SECOND_INSTANCE).await, "ACTIVE");
    let id = created["instance"]["id"].as_str().unwrap();
    assert_eq!(app.instance_status(id).await, "FAILED");
    let faults = app.get("/_emulator/faults").await.json();
    assert_eq!(faults["backups"][0]["hits"], 1);
    assert_eq!(faults["backups"][1]["hits"], 1);
}

#[tokio::test]
async fn a_snapshot_keeps_running_restores_and_created_instances() {
    let app = TestApp::new();
    let backup_id = app.completed_backup().await;
    let job_id = app
        .restore(by_backup(SECOND_INSTANCE, &backup_id))
        .await
        .json()["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut body = new_instance("restored-new");
    body["restore_point"] =
        json!({"source_instance_id": INSTANCE, "type": "backup", "backup_id": backup_id});
    body["lower_case_table_names"] = json!(1);
    let created = app.create_instance(body).await.json();
    let new_id = created["instance"]["id"].as_str().unwrap().to_owned();
    let create_job = created["job_id"].as_str().unwrap().to_owned();
    app.control_post(&format!("/_emulator/jobs/{create_job}/hold"), "")
        .await;

    let snapshot = app.get("/_emulator/snapshot").await.json();
    TestApp::assert_a_reset_returns_to(&snapshot).await;
    let before = app.get("/_emulator/state").await.json();
    app.control_post("/_emulator/reset", "").await;
    assert_eq!(app.instance_status(SECOND_INSTANCE).await, "ACTIVE");
    let loaded = app
        .control_post("/_emulator/fixtures", &snapshot.to_string())
        .await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.text);
    assert_eq!(
        app.get("/_emulator/state").await.json()["projects"],
        before["projects"]
    );
    assert_eq!(app.get("/_emulator/snapshot").await.json(), snapshot);

    assert_eq!(app.instance_status(SECOND_INSTANCE).await, "RESTORING");
    assert_eq!(app.instance_status(&new_id).await, "BUILD");
    app.advance(5.0).await;
    assert_eq!(app.job_body(&job_id).await["status"], "Completed");
    assert_eq!(app.instance_status(SECOND_INSTANCE).await, "ACTIVE");
    assert_eq!(app.instance_status(&new_id).await, "BUILD", "still held");
    app.control_post(&format!("/_emulator/jobs/{create_job}/complete"), "")
        .await;
    assert_eq!(app.instance_status(&new_id).await, "BACKING UP");
    let job = app.job_body(&create_job).await;
    assert_eq!(job["name"], "RestoreGaussDBforMySQLNewInstance");
}

#[tokio::test]
async fn in_the_instant_lifecycle_a_creation_ends_on_the_first_read_of_its_instance() {
    let app = TestApp::new();
    let set = app
        .raw(
            Method::PUT,
            "/_emulator/lifecycle",
            &[("content-type", "application/json")],
            r#"{"mode": "instant"}"#,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let created = app.create_instance(new_instance("instant-1")).await.json();
    assert_eq!(created["instance"]["status"], "BUILD");
    let id = created["instance"]["id"].as_str().unwrap();
    // Terraform waits on the instance's details, not on the job.
    assert_ne!(app.instance_status(id).await, "BUILD");
    assert_eq!(
        app.job_body(created["job_id"].as_str().unwrap()).await["status"],
        "Completed"
    );
}

#[tokio::test]
async fn a_project_holds_at_most_a_thousand_instances() {
    let app = TestApp::new();
    // The fixtures' five, then creations up to the quota.
    for n in 5..1000 {
        let response = app
            .create_instance(new_instance(&format!("bulk-{n}")))
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{n}: {}",
            response.text
        );
    }
    app.create_instance(new_instance("one-too-many"))
        .await
        .assert_error(
            413,
            "DBS.200046",
            "The number of DB instances has reached the quota.",
        );
    let listed = app
        .get(&format!("/v3/{PROJECT}/instances?limit=1"))
        .await
        .json();
    assert_eq!(listed["total_count"], 1000);
}

#[tokio::test]
async fn request_faults_target_restores_and_creations_by_their_operation_names() {
    let app = TestApp::new();
    let backup_id = app.completed_backup().await;
    for operation in ["restore_instance", "create_instance"] {
        let fault = app
            .control_post(
                "/_emulator/faults/requests",
                &json!({"operation": operation, "status": 409, "error_code": "DBS.200019",
                        "error_msg": "Another operation is being performed on the DB instance or the DB instance is faulty."})
                .to_string(),
            )
            .await;
        assert_eq!(fault.status, StatusCode::CREATED, "{}", fault.text);
    }
    let busy =
        "Another operation is being performed on the DB instance or the DB instance is faulty.";
    app.restore(by_backup(SECOND_INSTANCE, &backup_id))
        .await
        .assert_error(409, "DBS.200019", busy);
    app.create_instance(new_instance("faulted-1"))
        .await
        .assert_error(409, "DBS.200019", busy);
    assert_eq!(
        app.instance_status(SECOND_INSTANCE).await,
        "ACTIVE",
        "nothing ran"
    );
    // Each fault was used once; the next calls go through.
    let response = app.restore(by_backup(SECOND_INSTANCE, &backup_id)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let response = app.create_instance(new_instance("faulted-2")).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
}
