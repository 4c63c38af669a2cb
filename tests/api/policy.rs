//! The automated backup policy: query and modify, with every rule of the modify page.

use axum::http::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn policy_uri(instance: &str) -> String {
    format!("/v3/{PROJECT}/instances/{instance}/backups/policy")
}

async fn update(app: &TestApp, instance: &str, body: Value) -> TestResponse {
    app.raw(
        Method::PUT,
        &format!("/v3/{PROJECT}/instances/{instance}/backups/policy/update"),
        &[
            ("x-auth-token", TOKEN),
            ("content-type", "application/json;charset=UTF-8"),
        ],
        body.to_string(),
    )
    .await
}

fn policy(start_time: Value, keep_days: Value, period: Value) -> Value {
    json!({"backup_policy": {"start_time": start_time, "keep_days": keep_days, "period": period}})
}

#[tokio::test]
async fn a_new_instance_has_the_default_policy() {
    let app = TestApp::new();
    let response = app.get(&policy_uri(INSTANCE)).await;
    assert_eq!(response.status.as_u16(), 200);
    response.assert_json_content_type();
    assert_eq!(
        response.json(),
        json!({"backup_policy": {"keep_days": 7, "start_time": "19:00-20:00", "period": "1,2,3,4,5,6,7"}})
    );
}

#[tokio::test]
async fn a_policy_change_answers_completed_and_shows_everywhere() {
    let app = TestApp::new();
    let response = update(
        &app,
        INSTANCE,
        policy(json!("21:00-22:00"), json!(3), json!("5,1,3")),
    )
    .await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(
        response.json(),
        json!({"status": "COMPLETED", "instance_id": INSTANCE, "instance_name": "taurusdb-instance01"})
    );
    assert_eq!(
        app.get(&policy_uri(INSTANCE)).await.json(),
        json!({"backup_policy": {"keep_days": 3, "start_time": "21:00-22:00", "period": "1,3,5"}})
    );
    let instance = app
        .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}"))
        .await
        .json();
    assert_eq!(
        instance["instance"]["backup_strategy"],
        json!({"start_time": "21:00-22:00", "keep_days": "3"})
    );
}

#[tokio::test]
async fn both_spellings_of_the_level_1_field_are_accepted() {
    let app = TestApp::new();
    for key in [
        "retention_num_backup_level-1",
        "retention_num_backup_level1",
    ] {
        let body = json!({"backup_policy": {"start_time": "23:00-00:00", "keep_days": 1,
                                            "period": "7", key: 1}});
        let response = update(&app, INSTANCE, body).await;
        assert_eq!(response.status.as_u16(), 200, "{key}: {}", response.text);
    }
    let shown = app.get(&policy_uri(INSTANCE)).await.json();
    assert_eq!(
        shown["backup_policy"].as_object().unwrap().len(),
        3,
        "{shown}"
    );
}

#[tokio::test]
async fn a_start_time_that_is_not_a_one_hour_window_on_the_hour_is_280253() {
    let app = TestApp::new();
    for start in [
        json!("21:00-23:00"),
        json!("21:30-22:30"),
        json!(""),
        json!(21),
        json!(null),
    ] {
        update(&app, INSTANCE, policy(start, json!(7), json!("1")))
            .await
            .assert_error(400, "DBS.280253", "Invalid backup start time.");
    }
    let response = update(
        &app,
        INSTANCE,
        json!({"backup_policy": {"keep_days": 7, "period": "1"}}),
    )
    .await;
    response.assert_error(400, "DBS.280253", "Invalid backup start time.");
}

#[tokio::test]
async fn keep_days_outside_1_to_732_or_not_an_integer_is_280250() {
    let app = TestApp::new();
    for keep in [
        json!(0),
        json!(733),
        json!(-1),
        json!("7"),
        json!(7.5),
        json!(null),
    ] {
        update(
            &app,
            INSTANCE,
            policy(json!("01:00-02:00"), keep, json!("1")),
        )
        .await
        .assert_error(400, "DBS.280250", "Invalid backup retention days.");
    }
}

#[tokio::test]
async fn a_period_that_is_not_distinct_weekdays_is_280251() {
    let app = TestApp::new();
    for period in [
        json!(""),
        json!("0"),
        json!("8"),
        json!("1,1"),
        json!("1, 2"),
        json!(12),
        json!("1,"),
    ] {
        update(
            &app,
            INSTANCE,
            policy(json!("01:00-02:00"), json!(7), period),
        )
        .await
        .assert_error(400, "DBS.280251", "Invalid backup cycle.");
    }
}

#[tokio::test]
async fn a_missing_or_malformed_backup_policy_object_is_200001() {
    let app = TestApp::new();
    for body in [json!({}), json!({"backup_policy": "daily"}), json!([])] {
        update(&app, INSTANCE, body)
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
    let empty = app
        .raw(
            Method::PUT,
            &format!("/v3/{PROJECT}/instances/{INSTANCE}/backups/policy/update"),
            &[
                ("x-auth-token", TOKEN),
                ("content-type", "application/json"),
            ],
            "",
        )
        .await;
    empty.assert_error(
        400,
        "DBS.200006",
        "The request is null. Enter a request parameter.",
    );
}

#[tokio::test]
async fn an_unknown_instance_is_404_for_query_and_modify() {
    let app = TestApp::new();
    let unknown = "99999999999999999999999999999999in07";
    app.get(&policy_uri(unknown)).await.assert_error(
        404,
        "DBS.200002",
        "The DB instance does not exist.",
    );
    update(
        &app,
        unknown,
        policy(json!("01:00-02:00"), json!(7), json!("1")),
    )
    .await
    .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

#[tokio::test]
async fn the_body_is_checked_before_the_instance_exists() {
    let app = TestApp::new();
    update(
        &app,
        "99999999999999999999999999999999in07",
        policy(json!("x"), json!(7), json!("1")),
    )
    .await
    .assert_error(400, "DBS.280253", "Invalid backup start time.");
}

#[tokio::test]
async fn an_instance_that_is_not_active_cannot_change_its_policy() {
    let app = TestApp::new();
    let busy =
        "Another operation is being performed on the DB instance or the DB instance is faulty.";
    update(
        &app,
        REBOOTING_INSTANCE,
        policy(json!("01:00-02:00"), json!(7), json!("1")),
    )
    .await
    .assert_error(409, "DBS.200011", busy);
    app.create_ok(INSTANCE, "backup-1").await;
    update(
        &app,
        INSTANCE,
        policy(json!("01:00-02:00"), json!(7), json!("1")),
    )
    .await
    .assert_error(409, "DBS.200011", busy);
}
