//! `GET /v3/{project_id}/instances` and `GET /v3/{project_id}/instances/{instance_id}`.

use axum::body::Body;
use axum::http::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn names(body: &Value) -> Vec<&str> {
    body["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_list_holds_the_projects_instances_with_the_sdk_json_types() {
    let app = TestApp::new();
    let response = app.get(&format!("/v3/{PROJECT}/instances")).await;
    assert_eq!(response.status.as_u16(), 200);
    response.assert_json_content_type();
    let body = response.json();
    assert_eq!(body["total_count"], 5);
    let item = body["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == INSTANCE)
        .unwrap()
        .clone();
    let keys: Vec<&str> = item
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "id",
        "name",
        "status",
        "private_ips",
        "public_ips",
        "port",
        "type",
        "region",
        "datastore",
        "created",
        "updated",
        "db_user_name",
        "vpc_id",
        "subnet_id",
        "security_group_id",
        "flavor_ref",
        "flavor_info",
        "volume",
        "backup_strategy",
        "time_zone",
        "dedicated_resource_id",
        "tags",
        "enterprise_project_id",
        "charge_info",
        "proxy_ips",
        "readonly_private_ips",
    ];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(item["name"], "taurusdb-instance01");
    assert_eq!(item["status"], "ACTIVE");
    assert_eq!(item["port"], "3306");
    assert_eq!(item["type"], "Cluster");
    assert_eq!(item["region"], "eu-de");
    assert_eq!(item["datastore"]["type"], "gaussdb-mysql");
    assert_eq!(item["datastore"]["version"], "8.0.22");
    assert!(item["private_ips"].as_array().unwrap()[0].is_string());
    assert_eq!(item["public_ips"], json!([]));
    assert!(item["flavor_info"]["vcpus"].is_string() && item["flavor_info"]["ram"].is_string());
    assert!(item["volume"]["size"].is_string());
    assert_eq!(
        item["backup_strategy"],
        json!({"start_time": "19:00-20:00", "keep_days": "7"})
    );
    assert_eq!(item["enterprise_project_id"], "0");
    assert_eq!(item["created"], "2026-04-24T10:19:57+0000");
}

#[tokio::test]
async fn the_details_have_every_field_with_the_sdk_json_types() {
    let app = TestApp::new();
    let response = app
        .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}"))
        .await;
    assert_eq!(response.status.as_u16(), 200);
    let i = response.json()["instance"].clone();
    let mut keys: Vec<&str> = i.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = vec![
        "id",
        "name",
        "project_id",
        "status",
        "port",
        "alias",
        "type",
        "charge_info",
        "node_count",
        "datastore",
        "backup_used_space",
        "created",
        "updated",
        "private_write_ips",
        "private_dns_names",
        "public_ips",
        "db_user_name",
        "vpc_id",
        "subnet_id",
        "security_group_id",
        "configuration_id",
        "backup_strategy",
        "nodes",
        "enterprise_project_id",
        "time_zone",
        "az_mode",
        "master_az_code",
        "maintenance_window",
        "tags",
        "dedicated_resource_id",
        "proxies",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(i["id"], INSTANCE);
    assert_eq!(i["project_id"], PROJECT);
    assert_eq!(i["port"], "3306");
    assert_eq!(i["node_count"], 1);
    assert_eq!(i["public_ips"], "");
    assert!(i["private_write_ips"].is_array());
    assert!(i["backup_used_space"].is_number());
    assert_eq!(i["backup_strategy"]["keep_days"], "7");
    assert_eq!(
        i["charge_info"],
        json!({"charge_mode": "postPaid", "order_id": ""})
    );
    let node = &i["nodes"][0];
    assert_eq!(node["type"], "master");
    assert_eq!(node["port"], 3306);
    assert_eq!(node["priority"], 1);
    assert!(node["volume"]["size"].is_u64());
    assert!(node["volume"]["used"].is_string());
    assert!(
        node["vcpus"].is_string() && node["ram"].is_string() && node["max_connections"].is_string()
    );
    assert!(node["id"].as_str().unwrap().ends_with("no07"));
    assert_eq!(node["need_restart"], false);
}

#[tokio::test]
async fn the_instance_reads_backing_up_while_a_backup_builds_and_active_after() {
    let app = TestApp::new();
    let uri = format!("/v3/{PROJECT}/instances/{INSTANCE}");
    app.create_ok(INSTANCE, "backup-1").await;
    assert_eq!(
        app.get(&uri).await.json()["instance"]["status"],
        "BACKING UP"
    );
    let listed = app
        .get(&format!("/v3/{PROJECT}/instances?id={INSTANCE}"))
        .await
        .json();
    assert_eq!(listed["instances"][0]["status"], "BACKING UP");
    app.advance(5.0).await;
    let instance = app.get(&uri).await.json()["instance"].clone();
    assert_eq!(instance["status"], "ACTIVE");
    assert!(instance["backup_used_space"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn fixtures_set_instance_fields() {
    let fixtures = json!({"projects": [{"id": PROJECT, "name": "eu-nl", "instances": [{
        "id": INSTANCE, "name": "orders", "port": 3307, "public_ips": ["80.158.1.2"],
        "flavor_info": {"vcpus": "8", "ram": "64"}, "volume": {"type": "POOL", "size": 100},
        "tags": [{"key": "env", "value": "ci"}], "node_count": 3, "vpc_id": "vpc-1",
        "datastore": {"version": "8.0", "kernel_version": "2.0.57.240900"},
        "backup_policy": {"keep_days": 30, "start_time": "02:00-03:00", "period": "1,4"}
    }]}]});
    let app = TestApp::with_fixtures(&fixtures.to_string());
    let i = app
        .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}"))
        .await
        .json()["instance"]
        .clone();
    assert_eq!(i["port"], "3307");
    assert_eq!(i["public_ips"], "80.158.1.2");
    assert_eq!(i["node_count"], 3);
    assert_eq!(i["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(i["nodes"][1]["type"], "slave");
    assert_eq!(i["nodes"][2]["name"], "orders_node03");
    assert_eq!(i["vpc_id"], "vpc-1");
    assert_eq!(i["datastore"]["kernel_version"], "2.0.57.240900");
    assert_eq!(i["tags"], json!([{"key": "env", "value": "ci"}]));
    assert_eq!(
        i["backup_strategy"],
        json!({"start_time": "02:00-03:00", "keep_days": "30"})
    );
    let listed = app.get(&format!("/v3/{PROJECT}/instances")).await.json()["instances"][0].clone();
    assert_eq!(listed["region"], "eu-nl");
    assert_eq!(listed["public_ips"], json!(["80.158.1.2"]));
    assert_eq!(listed["flavor_info"], json!({"vcpus": "8", "ram": "64"}));
    assert_eq!(listed["volume"], json!({"type": "POOL", "size": "100"}));
}

#[tokio::test]
async fn id_and_name_match_exactly_or_by_substring_with_a_leading_asterisk() {
    let app = TestApp::new();
    let body = app
        .get(&format!("/v3/{PROJECT}/instances?name=taurusdb-instance01"))
        .await
        .json();
    assert_eq!(names(&body), vec!["taurusdb-instance01"]);
    let body = app
        .get(&format!("/v3/{PROJECT}/instances?name=instance0"))
        .await
        .json();
    assert_eq!(body["total_count"], 0);
    let mut body = app
        .get(&format!("/v3/{PROJECT}/instances?name=*instance0"))
        .await
        .json();
    let mut found = names(&body);
    found.sort_unstable();
    assert_eq!(found, vec!["taurusdb-instance01", "taurusdb-instance02"]);
    body = app
        .get(&format!("/v3/{PROJECT}/instances?id={REBOOTING_INSTANCE}"))
        .await
        .json();
    assert_eq!(names(&body), vec!["rebooting"]);
    body = app
        .get(&format!("/v3/{PROJECT}/instances?id=*2222"))
        .await
        .json();
    assert_eq!(names(&body), vec!["frozen"]);
}

#[tokio::test]
async fn network_and_tag_filters_match_exactly() {
    let fixtures = json!({"projects": [{"id": PROJECT, "instances": [
        {"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaain07", "name": "a", "vpc_id": "vpc-1", "subnet_id": "sub-1",
         "private_ips": ["192.168.0.10"], "tags": [{"key": "env", "value": "ci"}, {"key": "team", "value": "db"}]},
        {"id": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbin07", "name": "b", "vpc_id": "vpc-2", "subnet_id": "sub-1",
         "private_ips": ["192.168.0.11"], "tags": [{"key": "env", "value": "prod"}]}
    ]}]});
    let app = TestApp::with_fixtures(&fixtures.to_string());
    for (query, expected) in [
        ("vpc_id=vpc-1", vec!["a"]),
        ("subnet_id=sub-1", vec!["a", "b"]),
        ("private_ip=192.168.0.11", vec!["b"]),
        ("tags=env=ci", vec!["a"]),
        ("tags=env=ci,team=db", vec!["a"]),
        ("tags=env=ci,team=ops", vec![]),
        ("type=Cluster&datastore_type=gaussdb-mysql", vec!["a", "b"]),
        ("proxy_ip=10.0.0.1", vec![]),
    ] {
        let body = app
            .get(&format!("/v3/{PROJECT}/instances?{query}"))
            .await
            .json();
        let mut found = names(&body);
        found.sort_unstable();
        assert_eq!(found, expected, "{query}");
        assert_eq!(body["total_count"], expected.len(), "{query}");
    }
}

#[tokio::test]
async fn offset_and_limit_page_the_instances() {
    let app = TestApp::new();
    let all = app.get(&format!("/v3/{PROJECT}/instances")).await.json();
    let page = app
        .get(&format!("/v3/{PROJECT}/instances?offset=1&limit=2"))
        .await
        .json();
    assert_eq!(page["total_count"], 5);
    assert_eq!(names(&page), names(&all)[1..3].to_vec());
}

#[tokio::test]
async fn bad_instance_list_queries_are_refused() {
    let app = TestApp::new();
    for (query, code) in [
        ("name=*", "DBS.200001"),
        ("id=*", "DBS.200001"),
        ("type=Single", "DBS.200001"),
        ("datastore_type=mysql", "DBS.200001"),
        ("tags=env", "DBS.200001"),
        ("offset=-1", "DBS.200001"),
        ("limit=0", "DBS.280439"),
        ("limit=101", "DBS.280439"),
    ] {
        let response = app.get(&format!("/v3/{PROJECT}/instances?{query}")).await;
        let msg = match code {
            "DBS.280439" => "Invalid records. Enter a positive integer less than 100.",
            _ => "Parameter error.",
        };
        response.assert_error(400, code, msg);
    }
}

#[tokio::test]
async fn an_unknown_or_foreign_instance_is_404() {
    let app = TestApp::new();
    for id in ["99999999999999999999999999999999in07", OTHER_INSTANCE] {
        app.get(&format!("/v3/{PROJECT}/instances/{id}"))
            .await
            .assert_error(404, "DBS.200002", "The DB instance does not exist.");
    }
}

#[tokio::test]
async fn a_malformed_instance_id_in_the_path_is_280404() {
    let app = TestApp::new();
    app.get(&format!("/v3/{PROJECT}/instances/bad%20id"))
        .await
        .assert_error(
            400,
            "DBS.280404",
            "Invalid DB instance ID or node ID format.",
        );
}

#[tokio::test]
async fn another_projects_instances_are_not_listed() {
    let app = TestApp::new();
    let response = app
        .raw(
            Method::GET,
            &format!("/v3/{OTHER_PROJECT}/instances"),
            &[("x-auth-token", OTHER_TOKEN)],
            Body::empty(),
        )
        .await;
    assert_eq!(names(&response.json()), vec!["other"]);
}

// --- one instance's full backups: `GET …/instances/{instance_id}/backups` ------------------

#[tokio::test]
async fn an_instances_full_backups_come_newest_first_in_their_own_shape_with_a_string_count() {
    let app = TestApp::new();
    let first = app.create_ok(INSTANCE, "backup-first").await;
    app.advance(5.0).await;
    let second = app.create_ok(INSTANCE, "backup-second").await;
    app.create_other_ok().await;
    let response = app
        .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}/backups"))
        .await;
    assert_eq!(response.status.as_u16(), 200, "{}", response.text);
    let body = response.json();
    assert_eq!(body["total_count"], "2");
    let ids: Vec<&str> = body["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [&second["backup"]["id"], &first["backup"]["id"]]);
    let done = &body["backups"][1];
    assert_eq!(
        (
            &done["status"],
            &done["size_unit"],
            &done["instance_id"],
            &done["instance_name"]
        ),
        (
            &json!("COMPLETED"),
            &json!("KB"),
            &json!(INSTANCE),
            &json!("taurusdb-instance01")
        )
    );
    for (key, value) in done.as_object().unwrap() {
        assert!(value.is_string(), "{key} is a string: {value}");
    }
    assert_eq!(done["created"], first["backup"]["begin_time"]);
    assert_ne!(done["size"], "0");
    assert_eq!(
        body["backups"][0]["size"], "0",
        "a building backup has no size yet"
    );
}

#[tokio::test]
async fn an_instances_backups_can_be_ordered_filtered_and_paged_past_the_end() {
    let app = TestApp::new();
    for name in ["backup-b", "backup-a", "backup-c"] {
        app.create_ok(INSTANCE, name).await;
        app.advance(5.0).await;
    }
    let names = |query: &'static str| {
        let app = &app;
        async move {
            let body = app
                .get(&format!(
                    "/v3/{PROJECT}/instances/{INSTANCE}/backups?{query}"
                ))
                .await
                .json();
            let names: Vec<String> = body["backups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["name"].as_str().unwrap().to_owned())
                .collect();
            (names, body["total_count"].as_str().unwrap().to_owned())
        }
    };
    assert_eq!(
        names("order_field=name&order_rule=asc").await.0,
        ["backup-a", "backup-b", "backup-c"]
    );
    assert_eq!(
        names("order_field=beginTime&order_rule=asc").await.0,
        ["backup-b", "backup-a", "backup-c"]
    );
    assert_eq!(
        names("filter_field=name&filter_content=backup-a").await,
        (vec!["backup-a".to_owned()], "1".to_owned())
    );
    assert_eq!(names("offset=3&limit=100").await, (vec![], "3".to_owned()));
}

#[tokio::test]
async fn an_instances_backups_refuse_bad_queries_and_unknown_or_malformed_instances() {
    let app = TestApp::new();
    let base = format!("/v3/{PROJECT}/instances/{INSTANCE}/backups");
    for query in [
        "order_field=size",
        "order_rule=up",
        "filter_field=status&filter_content=x",
        "offset=-1",
    ] {
        app.get(&format!("{base}?{query}")).await.assert_error(
            400,
            "DBS.200001",
            "Parameter error.",
        );
    }
    app.get(&format!("{base}?limit=101")).await.assert_error(
        400,
        "DBS.280439",
        "Invalid records. Enter a positive integer less than 100.",
    );
    app.get(&format!(
        "/v3/{PROJECT}/instances/99999999999999999999999999999999in07/backups"
    ))
    .await
    .assert_error(404, "DBS.200002", "The DB instance does not exist.");
    app.get(&format!("/v3/{PROJECT}/instances/{OTHER_INSTANCE}/backups"))
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

// --- restorable times: `GET …/instances/{instance_id}/restore-time` -------------------------

fn millis(text: &str) -> i64 {
    chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
        .unwrap()
        .timestamp_millis()
}

#[tokio::test]
async fn nothing_can_be_restored_before_a_full_backup_completes_then_from_its_end_on() {
    let app = TestApp::new();
    let url = format!("/v3/{PROJECT}/instances/{INSTANCE}/restore-time");
    assert_eq!(app.get(&url).await.json(), json!({"restore_times": []}));
    let created = app.create_ok(INSTANCE, "backup-1").await;
    assert_eq!(app.get(&url).await.json(), json!({"restore_times": []}));
    app.advance(5.0).await;
    let end = millis(
        app.backup(created["backup"]["id"].as_str().unwrap()).await["end_time"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(
        app.get(&url).await.json(),
        json!({"restore_times": [{"start_time": end, "end_time": end}]}),
        "no incremental point yet"
    );
    // Eleven minutes on, the logs reach the second five-minute point after the backup.
    app.advance(11.0 * 60.0).await;
    assert_eq!(
        app.get(&url).await.json(),
        json!({"restore_times": [{"start_time": end, "end_time": end + 10 * 60 * 1000}]})
    );
    let backup = app.backup(created["backup"]["id"].as_str().unwrap()).await;
    let day = &backup["end_time"].as_str().unwrap()[..10];
    assert_eq!(
        app.get(&format!("{url}?date={day}")).await.json()["restore_times"][0]["start_time"],
        end
    );
    assert_eq!(
        app.get(&format!("{url}?date=2020-01-01")).await.json(),
        json!({"restore_times": []})
    );
    let window = format!("{url}?start_time={}&end_time={}", end + 1000, end + 2000);
    assert_eq!(
        app.get(&window).await.json(),
        json!({"restore_times": [{"start_time": end + 1000, "end_time": end + 2000}]})
    );
}

#[tokio::test]
async fn restorable_times_refuse_bad_days_half_windows_and_unknown_instances() {
    let app = TestApp::new();
    let url = format!("/v3/{PROJECT}/instances/{INSTANCE}/restore-time");
    for query in [
        "date=2026-4-24",
        "date=tomorrow",
        "start_time=1",
        "end_time=1",
        "start_time=x&end_time=1",
    ] {
        app.get(&format!("{url}?{query}")).await.assert_error(
            400,
            "DBS.200001",
            "Parameter error.",
        );
    }
    app.get(&format!(
        "/v3/{PROJECT}/instances/{OTHER_INSTANCE}/restore-time"
    ))
    .await
    .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

// --- incremental backups: `GET …/instances/{instance_id}/incremental-backups` ---------------

#[tokio::test]
async fn incremental_backups_follow_a_completed_full_backup_every_five_minutes_newest_first() {
    let app = TestApp::new();
    let url = format!("/v3/{PROJECT}/instances/{INSTANCE}/incremental-backups");
    assert_eq!(
        app.get(&url).await.json(),
        json!({"backups": [], "total_count": 0})
    );
    let created = app.create_ok(INSTANCE, "backup-1").await;
    app.advance(5.0).await;
    app.advance(11.0 * 60.0).await;
    let full = app.backup(created["backup"]["id"].as_str().unwrap()).await;
    let body = app.get(&url).await.json();
    assert_eq!(body["total_count"], 2);
    let newest = &body["backups"][0];
    assert_eq!(
        millis(newest["end_time"].as_str().unwrap()),
        millis(full["end_time"].as_str().unwrap()) + 10 * 60 * 1000
    );
    assert_eq!(body["backups"][1]["begin_time"], full["end_time"]);
    assert_eq!(
        (&newest["instance_id"], &newest["backup_type"]),
        (&json!(INSTANCE), &json!("Log"))
    );
    assert!(newest["size"].is_f64());
    // Paging past the end, as Terraform does, is an empty page.
    assert_eq!(
        app.get(&format!("{url}?offset=2")).await.json(),
        json!({"backups": [], "total_count": 2})
    );
}

#[tokio::test]
async fn incremental_backups_take_only_limits_of_10_20_or_50_and_whole_windows() {
    let app = TestApp::new();
    let url = format!("/v3/{PROJECT}/instances/{INSTANCE}/incremental-backups");
    for query in [
        "limit=15",
        "offset=-1",
        "begin_time=2026-04-24T10:00:00%2B0000",
        "begin_time=2026-04-24T10:00:00%2B0000&end_time=2026-04-24T09:00:00%2B0000",
    ] {
        app.get(&format!("{url}?{query}")).await.assert_error(
            400,
            "DBS.200001",
            "Parameter error.",
        );
    }
    assert_eq!(
        app.get(&format!("{url}?limit=50")).await.status.as_u16(),
        200
    );
    app.get(&format!(
        "/v3/{PROJECT}/instances/{OTHER_INSTANCE}/incremental-backups"
    ))
    .await
    .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

// --- backup encryption: `GET`/`POST …/instances/{instance_id}/backups/encryption` -----------

async fn set_encryption(app: &TestApp, body: serde_json::Value) -> TestResponse {
    app.raw(
        Method::POST,
        &format!("/v3/{PROJECT}/instances/{INSTANCE}/backups/encryption"),
        &[
            ("x-auth-token", TOKEN),
            ("content-type", "application/json"),
        ],
        axum::body::Body::from(body.to_string()),
    )
    .await
}

#[tokio::test]
async fn backup_encryption_is_off_until_turned_on_with_a_kms_key_and_survives_a_snapshot() {
    let app = TestApp::new();
    let url = format!("/v3/{PROJECT}/instances/{INSTANCE}/backups/encryption");
    assert_eq!(
        app.get(&url).await.json(),
        json!({"encryption_status": "off"})
    );
    let on = set_encryption(
        &app,
        json!({"encryption_status": "ON", "type": "KMS", "kms_key_id": "4f2d6a3e-1b7c-4e0a-9d51-0c8e2b7a6f19"}),
    )
    .await;
    assert_eq!(on.json(), json!({"encryption_status": "on"}));
    assert_eq!(
        app.get(&url).await.json(),
        json!({"encryption_status": "on"})
    );
    // The key is part of the instance's state: a snapshot carries it back.
    let snapshot = app
        .get(&format!("/_emulator/snapshot?project_id={PROJECT}"))
        .await
        .json();
    TestApp::assert_a_reset_returns_to(&snapshot).await;
    assert_eq!(
        snapshot["projects"][0]["instances"][0]["backup_encryption_key"],
        "4f2d6a3e-1b7c-4e0a-9d51-0c8e2b7a6f19"
    );
    assert_eq!(
        set_encryption(&app, json!({"encryption_status": "off"}))
            .await
            .json()["encryption_status"],
        "off"
    );
    app.control_post("/_emulator/fixtures", &snapshot.to_string())
        .await;
    assert_eq!(
        app.get(&url).await.json(),
        json!({"encryption_status": "on"})
    );
}

#[tokio::test]
async fn turning_encryption_on_needs_kms_and_a_key_and_the_status_is_on_or_off() {
    let app = TestApp::new();
    for body in [
        json!({"encryption_status": "on"}),
        json!({"encryption_status": "on", "type": "kms"}),
        json!({"encryption_status": "on", "type": "aes", "kms_key_id": "k"}),
        json!({"encryption_status": "maybe"}),
        json!({"type": "kms"}),
        // A key the state would keep is bounded (60 000 characters were taken before).
        json!({"encryption_status": "on", "type": "kms", "kms_key_id": "k".repeat(65)}),
    ] {
        set_encryption(&app, body)
            .await
            .assert_error(400, "DBS.200001", "Parameter error.");
    }
    app.get(&format!(
        "/v3/{PROJECT}/instances/{OTHER_INSTANCE}/backups/encryption"
    ))
    .await
    .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

// --- cross-region backup policy: `PUT …/instances/{instance_id}/backups/offsite-policy` -----

async fn set_offsite(app: &TestApp, instance: &str, policy: serde_json::Value) -> TestResponse {
    app.raw(
        Method::PUT,
        &format!("/v3/{PROJECT}/instances/{instance}/backups/offsite-policy"),
        &[
            ("x-auth-token", TOKEN),
            ("content-type", "application/json"),
        ],
        Body::from(json!({"backup_policy": policy}).to_string()),
    )
    .await
}

fn offsite(auto: bool, incremental: bool, keep_days: i64) -> serde_json::Value {
    json!({"open_auto_backup": auto, "open_incremental_backup": incremental,
           "destination_project_id": OTHER_PROJECT, "destination_region": "eu-nl",
           "keep_days": keep_days})
}

#[tokio::test]
async fn a_cross_region_policy_answers_success_in_capitals_and_is_kept_in_the_state() {
    let app = TestApp::new();
    let response = set_offsite(&app, INSTANCE, offsite(true, true, 30)).await;
    assert_eq!(response.status.as_u16(), 200, "{}", response.text);
    assert_eq!(response.json(), json!({"result": "SUCCESS"}));
    let snapshot = app
        .get(&format!("/_emulator/snapshot?project_id={PROJECT}"))
        .await
        .json();
    TestApp::assert_a_reset_returns_to(&snapshot).await;
    assert_eq!(
        snapshot["projects"][0]["instances"][0]["offsite_backup_policy"],
        offsite(true, true, 30)
    );
}

#[tokio::test]
async fn a_cross_region_policy_is_refused_when_broken_or_while_the_instance_is_busy() {
    let app = TestApp::new();
    for policy in [
        offsite(false, true, 7),
        offsite(true, false, 0),
        offsite(true, false, 1826),
        json!({"open_auto_backup": "yes"}),
        {
            let mut far = offsite(true, false, 7);
            far["destination_region"] = json!("r".repeat(65));
            far
        },
    ] {
        set_offsite(&app, INSTANCE, policy).await.assert_error(
            400,
            "DBS.200001",
            "Parameter error.",
        );
    }
    set_offsite(&app, REBOOTING_INSTANCE, offsite(true, false, 7))
        .await
        .assert_error(
            409,
            "DBS.200011",
            "Another operation is being performed on the DB instance or the DB instance is faulty.",
        );
    set_offsite(&app, OTHER_INSTANCE, offsite(true, false, 7))
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}
