//! Automated backups taken by the policy as the clock passes its windows, and dropped after
//! `keep_days`.

use axum::http::Method;
use chrono::TimeDelta;
use serde_json::{Value, json};
use taurusdb_emulator::Settings;

use crate::helpers::*;

async fn set_policy(app: &TestApp, instance: &str, start: &str, keep_days: u32, period: &str) {
    let response = app
        .raw(
            Method::PUT,
            &format!("/v3/{PROJECT}/instances/{instance}/backups/policy/update"),
            &[("x-auth-token", TOKEN), ("content-type", "application/json")],
            json!({"backup_policy": {"start_time": start, "keep_days": keep_days, "period": period}})
                .to_string(),
        )
        .await;
    assert_eq!(response.status.as_u16(), 200, "{}", response.text);
}

async fn automated(app: &TestApp, instance: &str) -> Vec<Value> {
    let body = app
        .list(&format!("backup_type=auto&instance_id={instance}"))
        .await
        .json();
    body["backups"].as_array().unwrap().clone()
}

fn begin_times(backups: &[Value]) -> Vec<&str> {
    backups
        .iter()
        .map(|b| b["begin_time"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_week_of_daily_backups_kept_3_days_leaves_exactly_the_last_3() {
    let app = TestApp::new();
    // The clock starts on Friday 2026-04-24 at 10:19:57 UTC.
    set_policy(&app, INSTANCE, "19:00-20:00", 3, "1,2,3,4,5,6,7").await;
    app.advance(7.0 * 24.0 * 3600.0).await;
    // Now is Friday 2026-05-01 10:19:57: backups began every day 04-24 .. 04-30 at 19:00, and
    // those begun more than 3 days ago are gone.
    let backups = automated(&app, INSTANCE).await;
    assert_eq!(
        begin_times(&backups),
        vec![
            "2026-04-30T19:00:00+0000",
            "2026-04-29T19:00:00+0000",
            "2026-04-28T19:00:00+0000"
        ]
    );
    for b in &backups {
        assert_eq!(b["status"], "COMPLETED");
        assert_eq!(b["type"], "auto");
        assert_eq!(b["take_up_time"], 1);
        assert!(
            b["name"]
                .as_str()
                .unwrap()
                .starts_with("TaurusDB-instance01-202604"),
            "{b}"
        );
    }
    assert_eq!(backups[0]["name"], "TaurusDB-instance01-20260430190000000");
}

#[tokio::test]
async fn only_the_policy_days_get_a_backup() {
    let app = TestApp::new();
    // Monday and Wednesday at 02:00, kept a week.
    set_policy(&app, INSTANCE, "02:00-03:00", 7, "1,3").await;
    app.advance(6.0 * 24.0 * 3600.0).await;
    assert_eq!(
        begin_times(&automated(&app, INSTANCE).await),
        vec!["2026-04-29T02:00:00+0000", "2026-04-27T02:00:00+0000"]
    );
}

#[tokio::test]
async fn an_automated_backup_builds_like_a_manual_one() {
    let app = TestApp::new();
    let advanced = app.advance(8.0 * 3600.0 + 40.0 * 60.0 + 3.0).await; // to 19:00:00
    let started = &advanced["transitions"].as_array().unwrap();
    // Every ACTIVE instance of both projects starts one; the others skip the day.
    assert_eq!(started.len(), 3, "{advanced}");
    assert!(
        started
            .iter()
            .all(|t| t["event"] == "started" && t["at"] == "2026-04-24T19:00:00+0000")
    );
    let backup = &automated(&app, INSTANCE).await[0];
    assert_eq!(backup["status"], "BUILDING");
    let instance = app
        .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}"))
        .await
        .json();
    assert_eq!(instance["instance"]["status"], "BACKING UP");
    app.create(json!({"instance_id": INSTANCE, "name": "manual-1"}))
        .await
        .assert_error(409, "DBS.201205", "Backup is in progress, please wait.");
    let advanced = app.advance(5.0).await;
    assert_eq!(advanced["transitions"][0]["event"], "completed");
    assert_eq!(automated(&app, INSTANCE).await[0]["status"], "COMPLETED");
}

#[tokio::test]
async fn a_window_is_skipped_while_a_manual_backup_builds() {
    let app = TestApp::with_duration(TimeDelta::hours(1));
    app.advance(8.0 * 3600.0 + 30.0 * 60.0).await; // 18:49:57
    app.create_ok(INSTANCE, "long-manual").await;
    app.advance(2.0 * 3600.0).await;
    assert!(automated(&app, INSTANCE).await.is_empty());
    // The next day's window takes its backup as usual.
    app.advance(24.0 * 3600.0).await;
    assert_eq!(
        begin_times(&automated(&app, INSTANCE).await),
        vec!["2026-04-25T19:00:00+0000"]
    );
}

#[tokio::test]
async fn shortening_keep_days_drops_older_automated_backups() {
    let app = TestApp::new();
    app.advance(5.0 * 24.0 * 3600.0).await; // daily at 19:00, kept 7 days: 5 backups
    assert_eq!(automated(&app, INSTANCE).await.len(), 5);
    set_policy(&app, INSTANCE, "19:00-20:00", 2, "1,2,3,4,5,6,7").await;
    assert_eq!(
        begin_times(&automated(&app, INSTANCE).await),
        vec!["2026-04-28T19:00:00+0000", "2026-04-27T19:00:00+0000"]
    );
}

#[tokio::test]
async fn seeded_automated_backups_expire_after_keep_days() {
    let fixtures = json!({"projects": [{"id": PROJECT, "instances": [{"id": INSTANCE,
    "backup_policy": {"keep_days": 2, "start_time": "19:00-20:00", "period": "1"}}],
    "backups": [
        {"instance_id": INSTANCE, "type": "auto", "begin_time": "2026-04-23T19:00:00+0000"},
        {"instance_id": INSTANCE, "type": "manual", "name": "keep-me", "begin_time": "2026-04-01T00:00:00+0000"}
    ]}]});
    let app = TestApp::with_fixtures(&fixtures.to_string());
    assert_eq!(app.list("").await.json()["total_count"], 2);
    let advanced = app.advance(36.0 * 3600.0).await; // past 04-25T19:00
    assert_eq!(advanced["transitions"][0]["event"], "expired");
    assert_eq!(advanced["transitions"][0]["at"], "2026-04-25T19:00:00+0000");
    let left = app.list("").await.json();
    assert_eq!(left["total_count"], 1);
    assert_eq!(left["backups"][0]["name"], "keep-me");
}

#[tokio::test]
async fn automated_backups_can_be_turned_off() {
    let mut settings = Settings::default();
    settings.lifecycle.automated_backups = false;
    let app = TestApp::with_settings(settings);
    app.advance(7.0 * 24.0 * 3600.0).await;
    assert_eq!(
        app.list("").await.json(),
        json!({"backups": [], "total_count": 0})
    );
}
