//! `GET /v3/{project_id}/backups`: filters, paging, order and JSON types.

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::helpers::*;

/// Makes `n` completed backups of `instance`, one a minute; returns their ids, oldest first.
async fn completed_backups(app: &TestApp, instance: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let body = app.create_ok(instance, &format!("backup-{i}")).await;
        ids.push(body["backup"]["id"].as_str().unwrap().to_owned());
        app.advance(60.0).await;
    }
    ids
}

fn ids(body: &Value) -> Vec<String> {
    body["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect()
}

fn newest_first(mut ids: Vec<String>) -> Vec<String> {
    ids.reverse();
    ids
}

#[tokio::test]
async fn an_empty_project_lists_nothing() {
    let app = TestApp::new();
    let response = app.list("").await;
    assert_eq!(response.status.as_u16(), 200);
    response.assert_json_content_type();
    assert_eq!(response.json(), json!({"backups": [], "total_count": 0}));
}

#[tokio::test]
async fn a_building_backup_lists_with_every_field_and_json_type() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "backup-1").await;
    let id = created["backup"]["id"].as_str().unwrap();
    assert_eq!(
        app.backup(id).await,
        json!({
            "id": id,
            "name": "backup-1",
            "begin_time": "2026-04-24T10:19:57+0000",
            "end_time": "",
            "take_up_time": 0,
            "status": "BUILDING",
            "type": "manual",
            "size": 0,
            "datastore": {"type": "gaussdb-mysql", "version": "8.0"},
            "instance_id": INSTANCE,
            "instance_name": "taurusdb-instance01",
            "description": ""
        })
    );
}

#[tokio::test]
async fn a_completed_backup_has_end_time_take_up_time_and_size_as_numbers() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "backup-1").await;
    app.advance(5.0).await;
    let backup = app.backup(created["backup"]["id"].as_str().unwrap()).await;
    assert_eq!(backup["status"], "COMPLETED");
    assert_eq!(backup["end_time"], "2026-04-24T10:20:02+0000");
    assert_eq!(backup["take_up_time"], 1);
    assert!(
        backup["size"].is_u64() && backup["size"].as_u64().unwrap() > 0,
        "{backup}"
    );
}

#[tokio::test]
async fn backups_are_listed_newest_first_with_total_count() {
    let app = TestApp::new();
    let made = completed_backups(&app, INSTANCE, 3).await;
    let body = app.list("").await.json();
    assert_eq!(body["total_count"], 3);
    assert_eq!(ids(&body), newest_first(made));
}

#[tokio::test]
async fn backups_made_in_the_same_second_keep_their_creation_order() {
    let app = TestApp::new();
    let a = app.create_ok(INSTANCE, "backup-a").await;
    let b = app.create_ok(SECOND_INSTANCE, "backup-b").await;
    let body = app.list("").await.json();
    assert_eq!(
        ids(&body),
        vec![
            b["backup"]["id"].as_str().unwrap(),
            a["backup"]["id"].as_str().unwrap()
        ]
    );
}

#[tokio::test]
async fn offset_and_limit_page_after_filtering_and_total_count_ignores_paging() {
    let app = TestApp::new();
    let all = newest_first(completed_backups(&app, INSTANCE, 5).await);
    let body = app.list("offset=1&limit=2").await.json();
    assert_eq!(body["total_count"], 5);
    assert_eq!(ids(&body), all[1..3].to_vec());
    let body = app.list("offset=4&limit=100").await.json();
    assert_eq!(ids(&body), all[4..].to_vec());
    let body = app.list("offset=5").await.json();
    assert_eq!(body, json!({"backups": [], "total_count": 5}));
}

#[tokio::test]
async fn the_default_page_holds_100_backups() {
    let app = TestApp::new();
    completed_backups(&app, INSTANCE, 101).await;
    let body = app.list("").await.json();
    assert_eq!(body["total_count"], 101);
    assert_eq!(body["backups"].as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn instance_id_filters_to_one_instance() {
    let app = TestApp::new();
    let first = completed_backups(&app, INSTANCE, 2).await;
    let second = completed_backups(&app, SECOND_INSTANCE, 1).await;
    let body = app.list(&format!("instance_id={INSTANCE}")).await.json();
    assert_eq!(body["total_count"], 2);
    assert_eq!(ids(&body), newest_first(first));
    let body = app
        .list(&format!("instance_id={SECOND_INSTANCE}"))
        .await
        .json();
    assert_eq!(ids(&body), second);
}

#[tokio::test]
async fn backup_id_filters_to_one_backup() {
    let app = TestApp::new();
    let made = completed_backups(&app, INSTANCE, 3).await;
    let body = app.list(&format!("backup_id={}", made[1])).await.json();
    assert_eq!(body["total_count"], 1);
    assert_eq!(ids(&body), vec![made[1].clone()]);
    // Combined with an instance it does not belong to, it matches nothing.
    let body = app
        .list(&format!(
            "backup_id={}&instance_id={SECOND_INSTANCE}",
            made[1]
        ))
        .await
        .json();
    assert_eq!(body, json!({"backups": [], "total_count": 0}));
}

#[tokio::test]
async fn unknown_ids_give_200_and_an_empty_list() {
    let app = TestApp::new();
    completed_backups(&app, INSTANCE, 1).await;
    for query in [
        "backup_id=00000000000000000000000000000000br07",
        "instance_id=99999999999999999999999999999999in07",
        "instance_id=not%20an%20id",
    ] {
        let response = app.list(query).await;
        assert_eq!(response.status.as_u16(), 200, "{query}");
        assert_eq!(
            response.json(),
            json!({"backups": [], "total_count": 0}),
            "{query}"
        );
    }
}

#[tokio::test]
async fn backup_type_filters_manual_and_auto() {
    let app = TestApp::new();
    completed_backups(&app, INSTANCE, 2).await;
    assert_eq!(
        app.list("backup_type=manual").await.json()["total_count"],
        2
    );
    assert_eq!(
        app.list("backup_type=auto").await.json(),
        json!({"backups": [], "total_count": 0})
    );
}

#[tokio::test]
async fn begin_time_and_end_time_keep_backups_begun_inside_the_window() {
    let app = TestApp::new();
    // Backups begin at 10:19:57, 10:20:57, 10:21:57 and 10:22:57.
    let made = completed_backups(&app, INSTANCE, 4).await;
    let body = app
        .list("begin_time=2026-04-24T10:20:57%2B0000&end_time=2026-04-24T10:21:57%2B0000")
        .await
        .json();
    assert_eq!(body["total_count"], 2);
    assert_eq!(ids(&body), vec![made[2].clone(), made[1].clone()]);
    // One bound alone applies just that bound.
    let body = app.list("begin_time=2026-04-24T10:21:00Z").await.json();
    assert_eq!(ids(&body), vec![made[3].clone(), made[2].clone()]);
    let body = app.list("end_time=2026-04-24T10:20:00%2B0000").await.json();
    assert_eq!(ids(&body), vec![made[0].clone()]);
}

#[tokio::test]
async fn an_unescaped_plus_in_a_time_is_read_as_the_documentation_writes_it() {
    let app = TestApp::new();
    let made = completed_backups(&app, INSTANCE, 2).await;
    // 18:20:00+0800 is 10:20:00 UTC; the raw '+' arrives as a space after form decoding.
    let body = app.list("begin_time=2026-04-24T18:20:00+0800").await.json();
    assert_eq!(ids(&body), vec![made[1].clone()]);
}

#[tokio::test]
async fn time_filters_combine_with_paging() {
    let app = TestApp::new();
    let made = completed_backups(&app, INSTANCE, 5).await;
    let body = app
        .list("begin_time=2026-04-24T10:20:00Z&offset=1&limit=2")
        .await
        .json();
    assert_eq!(body["total_count"], 4);
    assert_eq!(ids(&body), vec![made[3].clone(), made[2].clone()]);
}

#[tokio::test]
async fn a_limit_outside_1_to_100_is_280439() {
    let app = TestApp::new();
    for limit in ["0", "101", "-1", "abc", "1.5"] {
        app.list(&format!("limit={limit}")).await.assert_error(
            400,
            "DBS.280439",
            "Invalid records. Enter a positive integer less than 100.",
        );
    }
}

#[tokio::test]
async fn a_negative_or_non_numeric_offset_is_200001() {
    let app = TestApp::new();
    for offset in ["-1", "x"] {
        app.list(&format!("offset={offset}")).await.assert_error(
            400,
            "DBS.200001",
            "Parameter error.",
        );
    }
}

#[tokio::test]
async fn an_unknown_backup_type_is_200001() {
    let app = TestApp::new();
    app.list("backup_type=incremental")
        .await
        .assert_error(400, "DBS.200001", "Parameter error.");
}

#[tokio::test]
async fn an_unreadable_or_inverted_time_window_is_280216() {
    let app = TestApp::new();
    for query in [
        "begin_time=yesterday",
        "end_time=2026-04-24",
        "begin_time=2026-04-24T10:00:00Z&end_time=2026-04-24T09:00:00Z",
        "begin_time=2026-04-24T10:00:00Z&end_time=2026-04-24T10:00:00Z",
    ] {
        app.list(query)
            .await
            .assert_error(400, "DBS.280216", "Invalid backup start time.");
    }
}

#[tokio::test]
async fn another_projects_backups_are_not_listed() {
    let app = TestApp::new();
    let other = app.create_other_ok().await;
    let body = app.list("").await.json();
    assert_eq!(body, json!({"backups": [], "total_count": 0}));
    let body = app
        .list(&format!(
            "backup_id={}",
            other["backup"]["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(body["total_count"], 0);
}

#[tokio::test]
async fn listing_needs_a_token_too() {
    let app = TestApp::new();
    let response = app
        .raw(
            axum::http::Method::GET,
            &format!("/v3/{PROJECT}/backups"),
            &[],
            axum::body::Body::empty(),
        )
        .await;
    response.assert_gateway_error(
        401,
        "APIGW.0301",
        "Incorrect IAM authentication information: x-auth-token not found",
    );
}

#[tokio::test]
async fn a_bad_limit_is_reported_after_a_bad_token() {
    let app = TestApp::strict();
    let response = app
        .raw(
            axum::http::Method::GET,
            &format!("/v3/{PROJECT}/backups?limit=0"),
            &[("x-auth-token", "forged")],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(response.status.as_u16(), 401);
}

#[tokio::test]
async fn a_get_with_a_json_content_type_and_no_body_is_fine() {
    let app = TestApp::new();
    let response = app
        .raw(
            axum::http::Method::GET,
            &format!("/v3/{PROJECT}/backups"),
            &[
                ("x-auth-token", TOKEN),
                ("content-type", "application/json"),
            ],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(response.status.as_u16(), 200);
}

#[tokio::test]
async fn a_backup_past_its_deadline_reads_completed_without_any_tick() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "backup-1").await;
    app.advance_quietly(TimeDelta::seconds(60));
    let backup = app.backup(created["backup"]["id"].as_str().unwrap()).await;
    assert_eq!(backup["status"], "COMPLETED");
    // It completed at its deadline, not when it was read.
    assert_eq!(backup["end_time"], "2026-04-24T10:20:02+0000");
}
