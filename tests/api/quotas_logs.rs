//! Quotas (enterprise projects' and the project's own, enforced on creation, resize and new
//! replicas) and the error and slow logs of an instance's nodes, with the control endpoint
//! that adds log entries.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const OUT_OF_RANGE: &str = "The parameter value is out of range.";

fn quota(id: &str, name: &str, instances: i64, vcpus: i64, ram: i64) -> Value {
    json!({"enterprise_project_id": id, "enterprise_project_name": name,
           "instance_quota": instances, "vcpus_quota": vcpus, "ram_quota": ram})
}

#[tokio::test]
async fn the_default_enterprise_project_is_unlimited_and_quotas_are_set_listed_and_paged() {
    let app = TestApp::new();
    let listed = app
        .api(Method::GET, "/quotas?enterprise_project_name=default", None)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(
        listed.json(),
        json!({"quota_list": [{"enterprise_project_id": "0", "enterprise_project_name": "default",
            "instance_quota": -1, "vcpus_quota": -1, "ram_quota": -1,
            "availability_instance_quota": -1, "availability_vcpus_quota": -1,
            "availability_ram_quota": -1}], "total_count": 1})
    );
    let set = app
        .api(
            Method::POST,
            "/quotas",
            Some(json!({"quota_list": [quota("ep-1", "one", 4, 9, 19)]})),
        )
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.text);
    assert_eq!(
        set.json(),
        json!({"quota_list": [quota("ep-1", "one", 4, 9, 19)]})
    );
    let put = app
        .api(
            Method::PUT,
            "/quotas",
            Some(json!({"quota_list": [quota("ep-1", "one", 9, 19, 39)]})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    for i in 2..=11 {
        let response = app
            .api(
                Method::PUT,
                "/quotas",
                Some(json!({"quota_list": [quota(&format!("ep-{i}"), "many", 1, 1, 1)]})),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK);
    }
    let page = app.api(Method::GET, "/quotas", None).await.json();
    assert_eq!(
        (
            page["total_count"].clone(),
            page["quota_list"].as_array().unwrap().len()
        ),
        (json!(12), 10)
    );
    assert_eq!(page["quota_list"][1]["instance_quota"], 9);
    assert_eq!(page["quota_list"][1]["availability_instance_quota"], 9);
    let rest = app
        .api(Method::GET, "/quotas?offset=10&limit=5", None)
        .await
        .json();
    assert_eq!(rest["quota_list"].as_array().unwrap().len(), 2);
    app.api(Method::GET, "/quotas?limit=0", None)
        .await
        .assert_error(
            400,
            "DBS.280439",
            "Invalid records. Enter a positive integer less than 100.",
        );

    let eleven: Vec<Value> = (0..11)
        .map(|i| quota(&format!("x{i}"), "x", 1, 1, 1))
        .collect();
    for (bad, status, code) in [
        (json!({"quota_list": eleven}), 400, "DBS.200001"),
        (json!({"quota_list": []}), 400, "DBS.200001"),
        (
            json!({"quota_list": [{"enterprise_project_id": "x", "enterprise_project_name": "x", "instance_quota": 1, "vcpus_quota": 1}]}),
            400,
            "DBS.200001",
        ),
        (
            json!({"quota_list": [quota("x", "x", -2, 1, 1)]}),
            400,
            "DBS.280271",
        ),
        (
            json!({"quota_list": [quota("x", "x", 100_001, 1, 1)]}),
            400,
            "DBS.280271",
        ),
    ] {
        let response = app.api(Method::POST, "/quotas", Some(bad.clone())).await;
        assert_eq!(
            (
                response.status.as_u16(),
                response.json()["error_code"].clone()
            ),
            (status, json!(code)),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn an_enterprise_projects_quota_bounds_its_instances_vcpus_and_ram() {
    let app = TestApp::new();
    let ep = "b2f3c5d1-0000-4000-8000-000000000001";
    // xlarge.x86.4: 4 vCPUs and 16 GB a node.
    let set = app
        .api(
            Method::POST,
            "/quotas",
            Some(json!({"quota_list": [quota(ep, "team", 1, 8, -1)]})),
        )
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.text);
    let body = |name: &str, replicas: i64| {
        instance_body(
            name,
            json!({"enterprise_project_id": ep, "slave_count": replicas}),
        )
    };
    let too_big = app
        .api(Method::POST, "/instances", Some(body("big-one", 2)))
        .await;
    too_big.assert_error(
        413,
        "DBS.200046",
        "The number of DB instances has reached the quota.",
    );
    let created = app
        .api(Method::POST, "/instances", Some(body("team-db", 1)))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    app.api(Method::POST, "/instances", Some(body("second", 0)))
        .await
        .assert_error(
            413,
            "DBS.200046",
            "The number of DB instances has reached the quota.",
        );
    let other_ep = app
        .api(
            Method::POST,
            "/instances",
            Some(instance_body("default-ep", json!({}))),
        )
        .await;
    assert_eq!(
        other_ep.status,
        StatusCode::CREATED,
        "another enterprise project is not bound"
    );
    let listed = app
        .api(Method::GET, "/quotas?enterprise_project_name=team", None)
        .await
        .json();
    let q = &listed["quota_list"][0];
    assert_eq!(
        (
            &q["availability_instance_quota"],
            &q["availability_vcpus_quota"],
            &q["availability_ram_quota"]
        ),
        (&json!(0), &json!(0), &json!(-1))
    );
    app.api(
        Method::PUT,
        "/quotas",
        Some(json!({"quota_list": [quota(ep, "team", 1, 7, -1)]})),
    )
    .await
    .assert_error(400, "DBS.280271", OUT_OF_RANGE);

    let projects = app.api(Method::GET, "/project-quotas", None).await;
    assert_eq!(projects.status, StatusCode::OK, "{}", projects.text);
    let resources = projects.json()["quotas"]["resources"].clone();
    assert_eq!(resources[0]["type"], "instance");
    assert_eq!(resources[0]["quota"], 1000);
    assert!(resources[0]["used"].as_u64().unwrap() >= 7, "{resources}");
    app.api(Method::GET, "/project-quotas?type=volume", None)
        .await
        .assert_error(400, "DBS.200001", "Parameter error.");
}

#[tokio::test]
async fn a_projects_instance_quota_comes_from_its_fixtures() {
    let app = TestApp::with_fixtures(
        &json!({"projects": [{"id": PROJECT, "name": "eu-de", "tokens": [TOKEN],
            "instances": [{"id": INSTANCE}], "quotas": {"instances": 1,
            "enterprise_projects": [quota("0", "default", 5, -1, -1)]}}]})
        .to_string(),
    );
    app.api(
        Method::POST,
        "/instances",
        Some(instance_body("one-too-many", json!({}))),
    )
    .await
    .assert_error(
        413,
        "DBS.200046",
        "The number of DB instances has reached the quota.",
    );
    let resources = app
        .api(Method::GET, "/project-quotas?type=instance", None)
        .await
        .json();
    assert_eq!(
        resources,
        json!({"quotas": {"resources": [{"type": "instance", "used": 1, "quota": 1}]}})
    );
    let listed = app.api(Method::GET, "/quotas", None).await.json();
    assert_eq!(listed["quota_list"][0]["availability_instance_quota"], 4);
    let snapshot = app.get("/_emulator/snapshot").await.json();
    TestApp::assert_a_reset_returns_to(&snapshot).await;
    let project = snapshot["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == PROJECT)
        .unwrap();
    assert_eq!(project["quotas"]["instances"], 1);
    let bad = app
        .control_post(
            "/_emulator/fixtures",
            &json!({"projects": [{"id": PROJECT, "tokens": [TOKEN],
        "quotas": {"enterprise_projects": [quota("a", "a", -5, 1, 1)]}}]})
            .to_string(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    assert!(
        bad.text.contains("quotas.enterprise_projects[0]"),
        "{}",
        bad.text
    );
}

fn window(app: &TestApp, back_hours: i64, ahead_hours: i64) -> String {
    let at = |h: i64| {
        (app.now() + chrono::TimeDelta::hours(h))
            .format("%Y-%m-%dT%H:%M:%S%z")
            .to_string()
    };
    format!(
        "start_date={}&end_date={}",
        at(-back_hours).replace('+', "%2B"),
        at(ahead_hours).replace('+', "%2B")
    )
}

async fn master(app: &TestApp) -> String {
    master_of(app, INSTANCE).await
}

async fn master_of(app: &TestApp, instance: &str) -> String {
    let details = app
        .get(&format!("/v3/{PROJECT}/instances/{instance}"))
        .await
        .json();
    details["instance"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn error_logs_hold_each_nodes_start_up_and_what_the_control_plane_adds_newest_first() {
    let app = TestApp::new();
    let node = master(&app).await;
    let path = format!("/instances/{INSTANCE}/errorlog");
    let read = app
        .api(
            Method::GET,
            &format!("{path}?{}&node_id={node}", window(&app, 24 * 29, 1)),
            None,
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let read = read.json();
    assert_eq!(read["total_record"], 1, "{read}");
    let line = &read["error_log_list"][0];
    assert_eq!(
        (&line["node_id"], &line["level"]),
        (&json!(node), &json!("NOTE"))
    );
    assert!(
        line["content"]
            .as_str()
            .unwrap()
            .contains("ready for connections")
    );
    assert!(
        !line["time"].as_str().unwrap().contains('+'),
        "UTC without an offset: {line}"
    );

    let t = |h: i64| (app.now() - chrono::TimeDelta::hours(h)).to_rfc3339();
    let added = app
        .control_post(
            &format!("/_emulator/instances/{INSTANCE}/logs"),
            &json!({"error_logs": [
                {"content": "[MY013508] [Repl] do failed: 1", "time": t(2)},
                {"content": "disk nearly full", "level": "warning", "time": t(1), "node_id": node},
            ]})
            .to_string(),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_eq!(added.json(), json!({"error_logs": 2, "slow_logs": 0}));
    // Instances without entries of their own share one empty log: the entries went to this
    // one only.
    let other = master_of(&app, SECOND_INSTANCE).await;
    let others = app
        .api(
            Method::GET,
            &format!(
                "/instances/{SECOND_INSTANCE}/errorlog?{}&node_id={other}",
                window(&app, 3, 0)
            ),
            None,
        )
        .await
        .json();
    assert_eq!(others["total_record"], 1, "{others}");
    let read = app
        .api(
            Method::GET,
            &format!("{path}?{}&node_id={node}", window(&app, 3, 0)),
            None,
        )
        .await
        .json();
    let contents: Vec<&str> = read["error_log_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["content"].as_str().unwrap())
        .collect();
    // The instance (and its master) started when the fixtures loaded: now.
    assert!(
        contents[0].contains("ready for connections"),
        "{contents:?}"
    );
    assert_eq!(
        contents[1..],
        ["disk nearly full", "[MY013508] [Repl] do failed: 1"]
    );
    let levels = app
        .api(
            Method::GET,
            &format!("{path}?{}&node_id={node}&level=ERROR", window(&app, 3, 0)),
            None,
        )
        .await
        .json();
    assert_eq!(levels["total_record"], 1);
    let paged = app
        .api(
            Method::GET,
            &format!(
                "{path}?{}&node_id={node}&offset=1&limit=1",
                window(&app, 48, 0)
            ),
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            paged["total_record"].clone(),
            paged["error_log_list"].as_array().unwrap().len()
        ),
        (json!(3), 1)
    );
    assert_eq!(paged["error_log_list"][0]["content"], "disk nearly full");

    let refusals = [
        (format!("{path}?{}", window(&app, 1, 0)), 400, "DBS.200001"),
        (
            format!("{path}?{}&node_id={node}", window(&app, 24 * 31, 0)),
            400,
            "DBS.200001",
        ),
        (
            format!("{path}?{}&node_id={node}", window(&app, -1, -2)),
            400,
            "DBS.200001",
        ),
        (
            format!("{path}?start_date=yesterday&end_date=today&node_id={node}"),
            400,
            "DBS.200001",
        ),
        (
            format!("{path}?{}&node_id={node}&level=LOUD", window(&app, 1, 0)),
            400,
            "DBS.200001",
        ),
        (
            format!(
                "{path}?{}&node_id=ffffffffffffffffffffffffffffffffno07",
                window(&app, 1, 0)
            ),
            400,
            "DBS.212005",
        ),
        (
            format!("{path}?{}&node_id={node}&limit=101", window(&app, 1, 0)),
            400,
            "DBS.280439",
        ),
        (
            format!(
                "/instances/00000000000000000000000000000000in07/errorlog?{}&node_id={node}",
                window(&app, 1, 0)
            ),
            404,
            "DBS.200002",
        ),
    ];
    for (uri, status, code) in refusals {
        let response = app.api(Method::GET, &uri, None).await;
        assert_eq!(
            (
                response.status.as_u16(),
                response.json()["error_code"].clone()
            ),
            (status, json!(code)),
            "{uri}"
        );
    }
    let refused = app
        .control_post(
            &format!("/_emulator/instances/{INSTANCE}/logs"),
            r#"{"error_logs": [{"content": "x", "node_id": "nope"}]}"#,
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert!(
        refused.text.contains("error_logs[0].node_id"),
        "{}",
        refused.text
    );
}

#[tokio::test]
async fn slow_logs_are_what_the_control_plane_adds_every_field_a_string_and_unknown_parameters_ignored()
 {
    let app = TestApp::new();
    let node = master(&app).await;
    let path = format!("/instances/{INSTANCE}/slowlog");
    let empty = app
        .api(
            Method::GET,
            &format!("{path}?{}&node_id={node}&-=x", window(&app, 1, 0)),
            None,
        )
        .await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text);
    assert_eq!(
        empty.json(),
        json!({"slow_log_list": [], "long_query_time": "1", "total_record": 0})
    );
    let added = app
        .control_post(
            &format!("/_emulator/instances/{INSTANCE}/logs"),
            &json!({"slow_logs": [
                {"query_sample": "select * from t1", "query_time": 1.04899, "lock_time": 0.0001,
                 "rows_sent": 3, "rows_examined": 1000, "database": "shop", "users": "app",
                 "client_ip": "192.168.0.1", "type": "select"},
                {"query_sample": "update t1 set a = 1", "type": "UPDATE"},
            ]})
            .to_string(),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let read = app
        .api(
            Method::GET,
            &format!("{path}?{}&node_id={node}&type=SELECT", window(&app, 1, 0)),
            None,
        )
        .await
        .json();
    assert_eq!(read["total_record"], 1);
    let entry = &read["slow_log_list"][0];
    assert_eq!(
        entry,
        &json!({"node_id": node, "count": "1", "time": "1.04899 s", "lock_time": "0.0001 s",
                "rows_sent": "3", "rows_examined": "1000", "database": "shop", "users": "app",
                "query_sample": "select * from t1", "type": "SELECT",
                "start_time": app.now().format("%Y-%m-%dT%H:%M:%S+0000").to_string(),
                "client_ip": "192.*.*.1"})
    );
    let all = app
        .api(
            Method::GET,
            &format!("{path}?{}&node_id={node}&type=ALL", window(&app, 1, 0)),
            None,
        )
        .await
        .json();
    assert_eq!(all["total_record"], 2);
    let snapshot = app.get("/_emulator/snapshot").await.json();
    TestApp::assert_a_reset_returns_to(&snapshot).await;
    let instance = snapshot["projects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["instances"].as_array().unwrap().iter())
        .find(|i| i["id"] == INSTANCE)
        .unwrap()
        .clone();
    assert_eq!(instance["logs"]["slow_logs"].as_array().unwrap().len(), 2);
    app.api(
        Method::GET,
        &format!("{path}?{}&node_id={node}&type=MERGE", window(&app, 1, 0)),
        None,
    )
    .await
    .assert_error(400, "DBS.200001", "Parameter error.");
}
