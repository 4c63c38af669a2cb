//! `POST /v3/{project_id}/backups/create`: the success answer and every rule, with its code.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn example() -> Value {
    json!({"instance_id": INSTANCE, "name": "backup-1", "description": "Manual backup"})
}

#[tokio::test]
async fn the_documentation_example_answers_201_building_with_a_job_id() {
    let app = TestApp::new();
    let response = app.create(example()).await;
    assert_eq!(response.status, StatusCode::CREATED);
    response.assert_json_content_type();
    let body = response.json();
    let id = body["backup"]["id"].as_str().unwrap().to_owned();
    let job_id = body["job_id"].as_str().unwrap().to_owned();
    assert_eq!(
        body,
        json!({
            "backup": {
                "id": id,
                "name": "backup-1",
                "description": "Manual backup",
                "begin_time": "2026-04-24T10:19:57+0000",
                "status": "BUILDING",
                "type": "manual",
                "instance_id": INSTANCE
            },
            "job_id": job_id
        })
    );
    assert_eq!(id.len(), 36, "{id}");
    assert!(id.ends_with("br07"));
    assert!(
        id[..32]
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
    let job = uuid::Uuid::parse_str(&job_id).unwrap();
    assert_eq!(job.get_version_num(), 4);
    assert_eq!(job.hyphenated().to_string(), job_id);
}

#[tokio::test]
async fn the_example_request_text_with_its_spacing_is_accepted_verbatim() {
    let app = TestApp::new();
    let text = "{\n\"instance_id\" : \"07033b125fd94a8a96896f8bcfee6ddain07\",\n\"name\" : \"backup-1\",\n\"description\": \"Manual backup\"\n}";
    let response = app
        .raw(
            Method::POST,
            &format!("/v3/{PROJECT}/backups/create"),
            &[
                ("X-Auth-Token", "any-token"),
                ("Content-Type", "application/json"),
            ],
            text,
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
}

#[tokio::test]
async fn a_description_left_out_or_null_is_echoed_as_empty() {
    let app = TestApp::new();
    let body = app.create_ok(INSTANCE, "backup-1").await;
    assert_eq!(body["backup"]["description"], "");
    let response = app
        .create(json!({"instance_id": SECOND_INSTANCE, "name": "backup-2", "description": null}))
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(response.json()["backup"]["description"], "");
}

#[tokio::test]
async fn unknown_fields_in_the_body_are_ignored() {
    let app = TestApp::new();
    let response = app
        .create(json!({"instance_id": INSTANCE, "name": "backup-1", "backup_level": "1", "x": [1]}))
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
}

#[tokio::test]
async fn every_json_content_type_a_client_sends_is_accepted() {
    for (i, content_type) in [
        "application/json",
        "application/json;charset=utf-8",
        "application/json;charset=UTF-8",
        "application/json; charset=utf8",
        "APPLICATION/JSON",
    ]
    .into_iter()
    .enumerate()
    {
        let app = TestApp::new();
        let response = app
            .raw(
                Method::POST,
                &format!("/v3/{PROJECT}/backups/create"),
                &[("x-auth-token", TOKEN), ("content-type", content_type)],
                json!({"instance_id": INSTANCE, "name": format!("backup-{i}")}).to_string(),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{content_type}");
    }
}

// --- authentication -------------------------------------------------------------------------

#[tokio::test]
async fn a_missing_token_is_401_with_the_gateway_body() {
    let app = TestApp::new();
    let response = app
        .raw(
            Method::POST,
            &format!("/v3/{PROJECT}/backups/create"),
            &[("content-type", "application/json")],
            example().to_string(),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    let request_id = response.request_id();
    assert_eq!(request_id.len(), 32);
    assert_eq!(
        response.json(),
        json!({
            "error_code": "APIGW.0301",
            "error_msg": "Incorrect IAM authentication information: x-auth-token not found",
            "request_id": request_id
        })
    );
}

#[tokio::test]
async fn an_empty_token_is_401() {
    let app = TestApp::new();
    let response = app.create_in(PROJECT, "", example()).await;
    response.assert_gateway_error(
        401,
        "APIGW.0301",
        "Incorrect IAM authentication information: x-auth-token not found",
    );
}

#[tokio::test]
async fn loose_auth_accepts_any_token_on_any_project() {
    let app = TestApp::new();
    let response = app
        .create_in(
            OTHER_PROJECT,
            "whatever",
            json!({"instance_id": OTHER_INSTANCE, "name": "backup-1"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
}

#[tokio::test]
async fn strict_auth_accepts_a_projects_own_token() {
    let app = TestApp::strict();
    assert_eq!(app.create(example()).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn strict_auth_refuses_an_unknown_token_with_401() {
    let app = TestApp::strict();
    let response = app.create_in(PROJECT, "forged", example()).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.json(),
        json!({
            "error_code": "APIGW.0301",
            "error_msg": "Incorrect IAM authentication information: decrypt token fail",
            "request_id": response.request_id()
        })
    );
}

#[tokio::test]
async fn strict_auth_refuses_a_token_on_another_projects_path_with_403() {
    let app = TestApp::strict();
    let response = app
        .create_in(
            OTHER_PROJECT,
            TOKEN,
            json!({"instance_id": OTHER_INSTANCE, "name": "backup-1"}),
        )
        .await;
    response.assert_error(403, "DBS.280056", "Invalid token.");
}

// --- the body ---------------------------------------------------------------------------------

async fn post_raw(
    app: &TestApp,
    content_type: Option<&str>,
    body: &str,
) -> crate::helpers::TestResponse {
    let mut headers = vec![("x-auth-token", TOKEN)];
    if let Some(ct) = content_type {
        headers.push(("content-type", ct));
    }
    app.raw(
        Method::POST,
        &format!("/v3/{PROJECT}/backups/create"),
        &headers,
        body.to_owned(),
    )
    .await
}

#[tokio::test]
async fn an_empty_body_is_200006() {
    let app = TestApp::new();
    for body in ["", "  \n"] {
        post_raw(&app, Some("application/json"), body)
            .await
            .assert_error(
                400,
                "DBS.200006",
                "The request is null. Enter a request parameter.",
            );
    }
    post_raw(&app, None, "").await.assert_error(
        400,
        "DBS.200006",
        "The request is null. Enter a request parameter.",
    );
}

#[tokio::test]
async fn malformed_json_is_200001() {
    let app = TestApp::new();
    // The documentation's own 201 example lacks a comma; a request written like it is refused.
    for body in [
        "{",
        "{\"instance_id\": \"x\" \"name\": \"y\"}",
        "not json",
        "{\"instance_id\": \"07033b125fd94a8a96896f8bcfee6ddain07\", \"name\": \"backup-1\",}",
    ] {
        post_raw(&app, Some("application/json"), body)
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
}

#[tokio::test]
async fn a_body_that_is_not_declared_as_json_is_200001() {
    let app = TestApp::new();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        post_raw(&app, content_type, &example().to_string())
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
}

#[tokio::test]
async fn a_json_body_that_is_not_an_object_is_200001() {
    let app = TestApp::new();
    for body in ["[]", "\"backup\"", "42", "null", "true"] {
        post_raw(&app, Some("application/json"), body)
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
}

#[tokio::test]
async fn wrong_json_types_are_200001() {
    let app = TestApp::new();
    for body in [
        json!({"instance_id": 7, "name": "backup-1"}),
        json!({"instance_id": INSTANCE, "name": ["backup-1"]}),
        json!({"instance_id": INSTANCE, "name": null}),
        json!({"instance_id": INSTANCE, "name": "backup-1", "description": 5}),
        json!({"instance_id": {"id": INSTANCE}, "name": "backup-1"}),
    ] {
        app.create(body)
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
}

#[tokio::test]
async fn missing_required_fields_are_200001() {
    let app = TestApp::new();
    for body in [
        json!({"name": "backup-1"}),
        json!({"instance_id": INSTANCE}),
        json!({"description": "Manual backup"}),
        json!({}),
        json!({"instance_id": "", "name": "backup-1"}),
    ] {
        app.create(body)
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
}

#[tokio::test]
async fn a_malformed_instance_id_is_280404() {
    let app = TestApp::new();
    for id in [
        "not an id",
        "07033b125fd94a8a96896f8bcfee6dda/in07",
        &"a".repeat(65),
        "ïd",
    ] {
        app.create(json!({"instance_id": id, "name": "backup-1"}))
            .await
            .assert_error(
                400,
                "DBS.280404",
                "Invalid DB instance ID or node ID format.",
            );
    }
}

#[tokio::test]
async fn a_name_breaking_the_name_rule_is_280277() {
    let app = TestApp::new();
    for name in [
        "",
        "bac",
        "1backup",
        "-backup",
        "back up",
        "backup.1",
        "bäckup-1",
        &format!("b{}", "x".repeat(64)),
    ] {
        app.create(json!({"instance_id": INSTANCE, "name": name}))
            .await
            .assert_error(400, "DBS.280277", "Invalid object name.");
    }
}

#[tokio::test]
async fn names_at_the_edges_of_the_rule_are_accepted() {
    let app = TestApp::new();
    let edge_names = ["back", "B_1-", &format!("b{}", "x".repeat(63))];
    let instances = [INSTANCE, SECOND_INSTANCE, OTHER_INSTANCE];
    for (name, instance) in edge_names.iter().zip(instances) {
        let project = if instance == OTHER_INSTANCE {
            OTHER_PROJECT
        } else {
            PROJECT
        };
        let response = app
            .create_in(
                project,
                TOKEN,
                json!({"instance_id": instance, "name": name}),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{name}: {}",
            response.text
        );
        assert_eq!(response.json()["backup"]["name"], *name);
    }
}

#[tokio::test]
async fn a_description_breaking_the_description_rule_is_280127() {
    let app = TestApp::new();
    let long = "d".repeat(257);
    for description in [
        "a > b",
        "hi!",
        "<x>",
        "say \"hi\"",
        "a & b",
        "it's",
        "a=b",
        "two\nlines",
        "cr\r",
        &long,
    ] {
        app.create(
            json!({"instance_id": INSTANCE, "name": "backup-1", "description": description}),
        )
        .await
        .assert_error(400, "DBS.280127", "Invalid backup description.");
    }
}

#[tokio::test]
async fn a_description_of_256_characters_is_accepted() {
    let app = TestApp::new();
    let description = "é".repeat(256);
    let response = app
        .create(json!({"instance_id": INSTANCE, "name": "backup-1", "description": description}))
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
    assert_eq!(response.json()["backup"]["description"], description);
}

// --- business rules ---------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_instance_is_404() {
    let app = TestApp::new();
    app.create(json!({"instance_id": "99999999999999999999999999999999in07", "name": "backup-1"}))
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

#[tokio::test]
async fn an_instance_of_another_project_is_404() {
    let app = TestApp::new();
    app.create(json!({"instance_id": OTHER_INSTANCE, "name": "backup-1"}))
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

#[tokio::test]
async fn an_unknown_project_has_no_instances() {
    let app = TestApp::new();
    app.create_in("ffffffffffffffffffffffffffffffff", TOKEN, example())
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

#[tokio::test]
async fn an_instance_that_is_not_active_is_409() {
    let app = TestApp::new();
    app.create(json!({"instance_id": REBOOTING_INSTANCE, "name": "backup-1"}))
        .await
        .assert_error(
            409,
            "DBS.200011",
            "Another operation is being performed on the DB instance or the DB instance is faulty.",
        );
}

#[tokio::test]
async fn an_instance_with_full_storage_is_200316() {
    let app = TestApp::new();
    app.create(json!({"instance_id": FULL_INSTANCE, "name": "backup-1"}))
        .await
        .assert_error(
            409,
            "DBS.200316",
            "This operation cannot be performed because the DB instance status is Storage full.",
        );
}

#[tokio::test]
async fn a_frozen_instance_is_280449() {
    let app = TestApp::new();
    app.create(json!({"instance_id": FROZEN_INSTANCE, "name": "backup-1"}))
        .await
        .assert_error(
            400,
            "DBS.280449",
            "Operation not allowed on frozen objects.",
        );
}

#[tokio::test]
async fn a_second_backup_while_one_builds_is_201205() {
    let app = TestApp::new();
    app.create_ok(INSTANCE, "backup-1").await;
    app.create(json!({"instance_id": INSTANCE, "name": "backup-2"}))
        .await
        .assert_error(409, "DBS.201205", "Backup is in progress, please wait.");
    // Another instance of the project is not blocked.
    app.create_ok(SECOND_INSTANCE, "backup-3").await;
}

#[tokio::test]
async fn a_new_backup_is_accepted_once_the_previous_one_completed() {
    let app = TestApp::new();
    app.create_ok(INSTANCE, "backup-1").await;
    app.advance_quietly(chrono::TimeDelta::seconds(5));
    app.create_ok(INSTANCE, "backup-2").await;
}

#[tokio::test]
async fn backup_names_need_not_be_unique() {
    let app = TestApp::new();
    let first = app.create_ok(INSTANCE, "nightly").await;
    app.advance(5.0).await;
    let second = app.create_ok(INSTANCE, "nightly").await;
    assert_ne!(first["backup"]["id"], second["backup"]["id"]);
}

// --- the order of checks ----------------------------------------------------------------------

#[tokio::test]
async fn the_token_is_checked_before_the_body() {
    let app = TestApp::new();
    let response = post_raw_without_token(&app, "{").await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
}

async fn post_raw_without_token(app: &TestApp, body: &str) -> crate::helpers::TestResponse {
    app.raw(
        Method::POST,
        &format!("/v3/{PROJECT}/backups/create"),
        &[("content-type", "application/json")],
        body.to_owned(),
    )
    .await
}

#[tokio::test]
async fn the_project_of_the_path_is_checked_before_the_body() {
    let app = TestApp::strict();
    let response = app
        .create_in(OTHER_PROJECT, TOKEN, json!({"name": 1}))
        .await;
    response.assert_error(403, "DBS.280056", "Invalid token.");
}

#[tokio::test]
async fn an_empty_body_is_reported_before_a_missing_content_type() {
    let app = TestApp::new();
    post_raw(&app, None, "").await.assert_error(
        400,
        "DBS.200006",
        "The request is null. Enter a request parameter.",
    );
}

#[tokio::test]
async fn json_types_are_checked_before_the_field_rules() {
    let app = TestApp::new();
    app.create(json!({"instance_id": "bad id!", "name": 5}))
        .await
        .assert_error(400, "DBS.200001", "Parameter error.");
}

#[tokio::test]
async fn the_instance_id_is_checked_before_the_name_and_the_name_before_the_description() {
    let app = TestApp::new();
    app.create(json!({"instance_id": "bad id!", "name": "1", "description": "<"}))
        .await
        .assert_error(
            400,
            "DBS.280404",
            "Invalid DB instance ID or node ID format.",
        );
    app.create(json!({"instance_id": INSTANCE, "name": "1", "description": "<"}))
        .await
        .assert_error(400, "DBS.280277", "Invalid object name.");
}

#[tokio::test]
async fn the_body_rules_are_checked_before_the_instance_exists() {
    let app = TestApp::new();
    app.create(json!({"instance_id": "99999999999999999999999999999999in07", "name": "backup-1", "description": "="}))
        .await
        .assert_error(400, "DBS.280127", "Invalid backup description.");
}

#[tokio::test]
async fn a_building_backup_is_reported_before_the_instance_status_it_causes() {
    let app = TestApp::new();
    app.create_ok(INSTANCE, "backup-1").await;
    // The instance now reads BACKING UP, yet the answer names the backup in progress.
    app.create(json!({"instance_id": INSTANCE, "name": "backup-2"}))
        .await
        .assert_error(409, "DBS.201205", "Backup is in progress, please wait.");
}

#[tokio::test]
async fn texts_sent_with_json_escapes_are_read_unescaped_and_answered_as_json() {
    let app = TestApp::new();
    // `\u0075` is `u`, `\\` a backslash, `\t` a tab: every text of the body may be escaped.
    let body = r#"{"instance_id": "07033b125fd94a8a96896f8bcfee6dda\u0069n07",
                   "name": "back\u0075p-1", "description": "C:\\dumps\tnightly \u00e4"}"#;
    let response = app
        .post_with(
            &format!("/v3/{PROJECT}/backups/create"),
            &[
                ("x-auth-token", TOKEN),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await;
    assert_eq!(response.status.as_u16(), 201, "{}", response.text);
    let backup = &response.json()["backup"];
    assert_eq!(backup["instance_id"], INSTANCE);
    assert_eq!(backup["name"], "backup-1");
    assert_eq!(backup["description"], "C:\\dumps\tnightly ä");
    assert!(
        response
            .text
            .contains(r#""description":"C:\\dumps\tnightly ä""#),
        "{}",
        response.text
    );
    let listed = app.backup(backup["id"].as_str().unwrap()).await;
    assert_eq!(listed["description"], "C:\\dumps\tnightly ä");
}
