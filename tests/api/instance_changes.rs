//! Instance management: delete, rename, root password, port, flavor, seconds-level monitoring,
//! read replicas, each a job that the lifecycle, the job controls, failure rules and snapshots
//! drive like every other; and the catalogues behind them.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const BUSY: &str =
    "Another operation is being performed on the DB instance or the DB instance is faulty.";

impl TestApp {
    /// The instance's details, which must be found.
    async fn details(&self, id: &str) -> Value {
        let response = self.get(&format!("/v3/{PROJECT}/instances/{id}")).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        response.json()["instance"].clone()
    }

    /// Starts a change that must be accepted with `200 {"job_id"}`; returns the job id.
    async fn change(&self, method: Method, path: &str, body: Option<Value>) -> String {
        let response = self.api(method, path, body).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        let body = response.json();
        assert_eq!(body.as_object().unwrap().len(), 1, "only job_id: {body}");
        body["job_id"].as_str().unwrap().to_owned()
    }

    async fn job_of(&self, id: &str) -> Value {
        let response = self.job(id).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        response.json()["job"].clone()
    }

    /// Adds replicas of these priorities to `INSTANCE`; returns the answer.
    async fn add_replicas(&self, priorities: Value) -> Value {
        let response = self
            .api(
                Method::POST,
                &format!("/instances/{INSTANCE}/nodes/enlarge"),
                Some(json!({ "priorities": priorities })),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        response.json()
    }
}

fn names(nodes: &Value) -> Vec<String> {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_deleted_instance_reads_as_before_until_its_job_ends_then_is_gone_with_its_automated_backups()
 {
    let app = TestApp::new();
    let manual = app.create_ok(INSTANCE, "keep-me").await;
    app.advance(5.0).await;
    let manual_id = manual["backup"]["id"].as_str().unwrap().to_owned();
    // An automated backup: the policy's window (19:00) opens.
    app.advance(10.0 * 3600.0).await;
    let backups = app.list(&format!("instance_id={INSTANCE}")).await.json();
    assert_eq!(backups["total_count"], 2, "{backups}");

    let job_id = app
        .change(Method::DELETE, &format!("/instances/{INSTANCE}"), None)
        .await;
    let job = app.job_of(&job_id).await;
    assert_eq!(job["name"], "DeleteGaussDBforMySQLInstance");
    assert_eq!(job["status"], "Running");
    assert_eq!(job["instance"]["id"], INSTANCE);
    assert_eq!(app.details(INSTANCE).await["status"], "ACTIVE");
    app.api(
        Method::PUT,
        &format!("/instances/{INSTANCE}/name"),
        Some(json!({"name": "late"})),
    )
    .await
    .assert_error(409, "DBS.200019", BUSY);

    app.advance(5.0).await;
    assert_eq!(app.job_of(&job_id).await["status"], "Completed");
    app.get(&format!("/v3/{PROJECT}/instances/{INSTANCE}"))
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
    let listed = app
        .get(&format!("/v3/{PROJECT}/instances?id={INSTANCE}"))
        .await
        .json();
    assert_eq!(listed["total_count"], 0);
    let left = app.list(&format!("instance_id={INSTANCE}")).await.json();
    assert_eq!(left["total_count"], 1, "the manual backup stays: {left}");
    assert_eq!(left["backups"][0]["id"], manual_id.as_str());
    app.api(Method::DELETE, &format!("/instances/{INSTANCE}"), None)
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

#[tokio::test]
async fn deleting_an_instance_that_backs_up_fails_the_backup_and_a_frozen_one_is_refused() {
    let app = TestApp::new();
    let created = app.create_ok(INSTANCE, "interrupted").await;
    let backup_id = created["backup"]["id"].as_str().unwrap().to_owned();
    let job_id = app
        .change(Method::DELETE, &format!("/instances/{INSTANCE}"), None)
        .await;
    app.control_post(&format!("/_emulator/jobs/{job_id}/complete"), "{}")
        .await;
    let backup = app.backup(&backup_id).await;
    assert_eq!(backup["status"], "FAILED", "{backup}");
    app.api(
        Method::DELETE,
        &format!("/instances/{FROZEN_INSTANCE}"),
        None,
    )
    .await
    .assert_error(
        400,
        "DBS.280449",
        "Operation not allowed on frozen objects.",
    );
    app.api(
        Method::DELETE,
        &format!("/instances/{REBOOTING_INSTANCE}"),
        None,
    )
    .await
    .assert_error(409, "DBS.200019", BUSY);
}

#[tokio::test]
async fn a_rename_takes_effect_when_its_job_ends_and_renames_the_nodes_unless_asked_not_to() {
    let app = TestApp::new();
    app.add_replicas(json!([1])).await;
    app.advance(5.0).await;
    let path = format!("/instances/{INSTANCE}/name");
    let job_id = app
        .change(Method::PUT, &path, Some(json!({"name": "orders-db"})))
        .await;
    assert_eq!(
        app.job_of(&job_id).await["name"],
        "RenameGaussDBforMySQLInstance"
    );
    assert_eq!(app.details(INSTANCE).await["name"], "taurusdb-instance01");
    app.advance(5.0).await;
    let details = app.details(INSTANCE).await;
    assert_eq!(details["name"], "orders-db");
    assert_eq!(
        names(&details["nodes"]),
        ["orders-db_node01", "orders-db_node02"]
    );

    app.change(
        Method::PUT,
        &path,
        Some(json!({"name": "billing", "is_modify_node_name": "false"})),
    )
    .await;
    app.advance(5.0).await;
    let details = app.details(INSTANCE).await;
    assert_eq!(details["name"], "billing");
    assert_eq!(
        names(&details["nodes"]),
        ["orders-db_node01", "orders-db_node02"]
    );

    app.api(
        Method::PUT,
        &path,
        Some(json!({"name": "1-starts-with-a-digit"})),
    )
    .await
    .assert_error(400, "DBS.200021", "Invalid DB instance name.");
    app.api(
        Method::PUT,
        &path,
        Some(json!({"name": "fine", "is_modify_node_name": "yes"})),
    )
    .await
    .assert_error(400, "DBS.200001", "Parameter error.");
    app.api(Method::PUT, &path, None).await.assert_error(
        400,
        "DBS.200006",
        "The request is null. Enter a request parameter.",
    );
}

#[tokio::test]
async fn a_port_change_holds_the_instance_then_changes_every_port_and_refuses_reserved_ports() {
    let app = TestApp::new();
    let path = format!("/instances/{INSTANCE}/port");
    let job_id = app
        .change(Method::PUT, &path, Some(json!({"port": 3307})))
        .await;
    assert_eq!(
        app.job_of(&job_id).await["name"],
        "ModifyGaussDBforMySQLPort"
    );
    let details = app.details(INSTANCE).await;
    assert_eq!(details["status"], "MODIFYING DATABASE PORT");
    assert_eq!(details["port"], "3306");
    app.api(Method::PUT, &path, Some(json!({"port": 3308})))
        .await
        .assert_error(409, "DBS.200019", BUSY);
    app.advance(5.0).await;
    let details = app.details(INSTANCE).await;
    assert_eq!(details["status"], "ACTIVE");
    assert_eq!(details["port"], "3307", "a string on the instance");
    assert_eq!(details["nodes"][0]["port"], 3307, "a number on a node");
    // The same port again is a change like any other (Terraform sends it on create).
    app.change(Method::PUT, &path, Some(json!({"port": 3307})))
        .await;
    app.advance(5.0).await;
    for bad in [
        json!(1023),
        json!(65536),
        json!(33062),
        json!("3309"),
        json!(3309.5),
    ] {
        app.api(Method::PUT, &path, Some(json!({ "port": bad })))
            .await
            .assert_error(400, "DBS.280364", "Invalid database port.");
    }
}

#[tokio::test]
async fn a_flavor_change_holds_the_instance_modifying_then_gives_every_node_the_flavors_numbers() {
    let app = TestApp::new();
    app.add_replicas(json!([1])).await;
    app.advance(5.0).await;
    let path = format!("/instances/{INSTANCE}/action");
    let body = json!({"resize_flavor": {"spec_code": "gaussdb.mysql.2xlarge.x86.8"}});
    let job_id = app.change(Method::POST, &path, Some(body)).await;
    assert_eq!(
        app.job_of(&job_id).await["name"],
        "ResizeGaussDBforMySQLFlavor"
    );
    assert_eq!(app.details(INSTANCE).await["status"], "MODIFYING");
    app.advance(5.0).await;
    let details = app.details(INSTANCE).await;
    assert_eq!(details["status"], "ACTIVE");
    for node in details["nodes"].as_array().unwrap() {
        assert_eq!(node["flavor_ref"], "gaussdb.mysql.2xlarge.x86.8");
        assert_eq!(
            (node["vcpus"].clone(), node["ram"].clone()),
            (json!("8"), json!("64"))
        );
        assert_eq!(node["max_connections"], "20000");
    }
    let listed = app
        .get(&format!("/v3/{PROJECT}/instances?id={INSTANCE}"))
        .await
        .json();
    assert_eq!(
        listed["instances"][0]["flavor_info"],
        json!({"vcpus": "8", "ram": "64"})
    );

    app.api(
        Method::POST,
        &path,
        Some(json!({"resize_flavor": {"spec_code": "gaussdb.mysql.tiny"}})),
    )
    .await
    .assert_error(400, "DBS.280434", "Invalid specification code.");
    app.api(Method::POST, &path, Some(json!({"resize_flavor": {}})))
        .await
        .assert_error(400, "DBS.200001", "Parameter error.");
}

#[tokio::test]
async fn a_flavor_not_sold_in_a_zone_of_the_nodes_is_refused() {
    let app = TestApp::new();
    let created = app
        .api(
            Method::POST,
            "/instances",
            Some(instance_body(
                "multi-az",
                json!({"flavor_ref": "gaussdb.mysql.xlarge.x86.8",
                       "availability_zone_mode": "multi", "slave_count": 1}),
            )),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json()["instance"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.advance(5.0).await;
    let details = app.details(&id).await;
    let master = &details["nodes"][0];
    assert_eq!(
        (master["vcpus"].clone(), master["ram"].clone()),
        (json!("4"), json!("32"))
    );
    let response = app
        .raw(
            Method::POST,
            &format!("/v3/{PROJECT}/instances/{id}/nodes/enlarge"),
            &[
                ("x-auth-token", TOKEN),
                ("content-type", "application/json"),
            ],
            json!({"priorities": [2]}).to_string(),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    app.advance(5.0).await;
    let zones: Vec<Value> = app.details(&id).await["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["az_code"].clone())
        .collect();
    assert_eq!(
        zones,
        [json!("eu-de-01"), json!("eu-de-01"), json!("eu-de-02")]
    );
    app.api(
        Method::POST,
        &format!("/instances/{id}/action"),
        Some(json!({"resize_flavor": {"spec_code": "gaussdb.mysql.large.x86.4"}})),
    )
    .await
    .assert_error(
        400,
        "DBS.280450",
        "The DB instance specifications are sold out.",
    );
}

#[tokio::test]
async fn replicas_are_added_one_job_each_build_until_it_ends_and_are_numbered_after_the_master() {
    let app = TestApp::new();
    let added = app.add_replicas(json!([1, 2])).await;
    assert_eq!(added["instance_id"], INSTANCE);
    assert_eq!(
        added["node_names"],
        json!(["taurusdb-instance01_node02", "taurusdb-instance01_node03"])
    );
    let jobs: Vec<String> = added["job_id"]
        .as_str()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    assert_eq!(jobs.len(), 2);
    for job in &jobs {
        let job = app.job_of(job).await;
        assert_eq!(job["name"], "AddGaussDBforMySQLNodes");
        assert_eq!(job["status"], "Running");
    }
    let details = app.details(INSTANCE).await;
    assert_eq!(details["node_count"], 3);
    let statuses: Vec<Value> = details["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("ACTIVE"), json!("BUILD"), json!("BUILD")]);
    assert_eq!(details["nodes"][2]["priority"], 2);
    assert_eq!(details["nodes"][1]["type"], "slave");
    // The replicas' jobs hold the instance against other changes.
    app.api(
        Method::POST,
        &format!("/instances/{INSTANCE}/nodes/enlarge"),
        Some(json!({"priorities": [1]})),
    )
    .await
    .assert_error(409, "DBS.200019", BUSY);
    app.advance(5.0).await;
    let details = app.details(INSTANCE).await;
    assert!(
        details["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "ACTIVE"),
        "{details}"
    );
    let node_ids: Vec<&str> = details["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let job = app.job_of(&jobs[1]).await;
    assert_eq!(job["entities"]["resource_ids"], json!([node_ids[2]]));
}

#[tokio::test]
async fn replicas_come_with_one_priority_each_nine_at_a_time_and_fifteen_in_all() {
    let app = TestApp::new();
    let path = format!("/instances/{INSTANCE}/nodes/enlarge");
    for bad in [
        json!({}),
        json!({"priorities": []}),
        json!({"priorities": [0]}),
        json!({"priorities": ["1"]}),
        json!({"priorities": 1}),
    ] {
        app.api(Method::POST, &path, Some(bad)).await.assert_error(
            400,
            "DBS.200001",
            "Parameter error.",
        );
    }
    let too_many = "The maximum number of nodes has been reached.";
    app.api(
        Method::POST,
        &path,
        Some(json!({"priorities": vec![1; 10]})),
    )
    .await
    .assert_error(400, "DBS.200056", too_many);
    app.add_replicas(json!(vec![1; 9])).await;
    app.advance(5.0).await;
    app.add_replicas(json!(vec![1; 6])).await;
    app.advance(5.0).await;
    assert_eq!(app.details(INSTANCE).await["node_count"], 16);
    app.api(Method::POST, &path, Some(json!({"priorities": [1]})))
        .await
        .assert_error(400, "DBS.200056", too_many);
}

#[tokio::test]
async fn a_deleted_replica_reads_deleting_until_its_job_ends_and_the_last_one_stays() {
    let app = TestApp::new();
    app.add_replicas(json!([1, 1])).await;
    app.advance(5.0).await;
    let nodes = app.details(INSTANCE).await["nodes"].clone();
    let replica = nodes[1]["id"].as_str().unwrap().to_owned();
    let job_id = app
        .change(
            Method::DELETE,
            &format!("/instances/{INSTANCE}/nodes/{replica}"),
            None,
        )
        .await;
    assert_eq!(
        app.job_of(&job_id).await["name"],
        "DeleteGaussDBforMySQLNode"
    );
    let details = app.details(INSTANCE).await;
    assert_eq!(details["nodes"][1]["status"], "DELETING");
    assert_eq!(details["status"], "ACTIVE");
    app.advance(5.0).await;
    let details = app.details(INSTANCE).await;
    assert_eq!(details["node_count"], 2);
    assert!(
        details["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["id"] != replica.as_str())
    );
    let last = details["nodes"][1]["id"].as_str().unwrap().to_owned();
    app.api(
        Method::DELETE,
        &format!("/instances/{INSTANCE}/nodes/{last}"),
        None,
    )
    .await
    .assert_error(
        409,
        "DBS.280406",
        "Operation not allowed by the DB instance type or status.",
    );
    app.api(
        Method::DELETE,
        &format!("/instances/{INSTANCE}/nodes/99999999999999999999999999999999no07"),
        None,
    )
    .await
    .assert_error(400, "DBS.212005", "The node does not belong to the group.");
    app.api(
        Method::DELETE,
        &format!("/instances/{INSTANCE}/nodes/not.a.node"),
        None,
    )
    .await
    .assert_error(
        400,
        "DBS.280404",
        "Invalid DB instance ID or node ID format.",
    );
}

#[tokio::test]
async fn deleting_the_master_promotes_the_replica_of_the_best_priority() {
    let app = TestApp::new();
    app.add_replicas(json!([3, 2])).await;
    app.advance(5.0).await;
    let nodes = app.details(INSTANCE).await["nodes"].clone();
    let (master, best) = (nodes[0]["id"].clone(), nodes[2]["id"].clone());
    app.change(
        Method::DELETE,
        &format!("/instances/{INSTANCE}/nodes/{}", master.as_str().unwrap()),
        None,
    )
    .await;
    app.advance(5.0).await;
    let nodes = app.details(INSTANCE).await["nodes"].clone();
    assert_eq!(nodes.as_array().unwrap().len(), 2);
    assert_eq!(
        (nodes[0]["id"].clone(), nodes[0]["type"].clone()),
        (best, json!("master"))
    );
}

#[tokio::test]
async fn monitoring_is_off_until_a_change_turns_it_on_and_reads_a_period_only_while_on() {
    let app = TestApp::new();
    let path = format!("/instances/{INSTANCE}/monitor-policy");
    assert_eq!(
        app.api(Method::GET, &path, None).await.json(),
        json!({"monitor_switch": false})
    );
    let job_id = app
        .change(
            Method::PUT,
            &path,
            Some(json!({"monitor_switch": true, "period": 1})),
        )
        .await;
    assert_eq!(
        app.job_of(&job_id).await["name"],
        "GaussDBforMySQLModifyInstanceMetricExtend"
    );
    assert_eq!(
        app.api(Method::GET, &path, None).await.json(),
        json!({"monitor_switch": false})
    );
    app.advance(5.0).await;
    assert_eq!(
        app.api(Method::GET, &path, None).await.json(),
        json!({"monitor_switch": true, "period": 1})
    );
    for bad in [
        json!({"period": 5}),
        json!({"monitor_switch": "on"}),
        json!({"monitor_switch": true, "period": 2}),
    ] {
        app.api(Method::PUT, &path, Some(bad)).await.assert_error(
            400,
            "DBS.200001",
            "Parameter error.",
        );
    }
}

#[tokio::test]
async fn a_password_reset_answers_an_empty_object_and_checks_the_password_and_the_instance() {
    let app = TestApp::new();
    let path = format!("/instances/{INSTANCE}/password");
    let response = app
        .api(
            Method::POST,
            &path,
            Some(json!({"password": "Root1234#New"})),
        )
        .await;
    assert_eq!(
        (response.status, response.json()),
        (StatusCode::OK, json!({}))
    );
    app.api(Method::POST, &path, Some(json!({"password": "password"})))
        .await
        .assert_error(400, "DBS.200052", "Invalid database root password.");
    app.change(
        Method::PUT,
        &format!("/instances/{INSTANCE}/port"),
        Some(json!({"port": 3307})),
    )
    .await;
    app.api(
        Method::POST,
        &path,
        Some(json!({"password": "Root1234#New"})),
    )
    .await
    .assert_error(409, "DBS.200019", BUSY);
}

#[tokio::test]
async fn a_failed_change_is_dropped_and_a_failed_replica_goes() {
    let app = TestApp::new();
    let rule = json!({"operation": "change_instance", "count": 2, "reason": "injected"});
    let response = app
        .control_post("/_emulator/faults/backups", &rule.to_string())
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let rename = app
        .change(
            Method::PUT,
            &format!("/instances/{SECOND_INSTANCE}/name"),
            Some(json!({"name": "never"})),
        )
        .await;
    let added = app.add_replicas(json!([1])).await;
    app.advance(5.0).await;
    let job = app.job_of(&rename).await;
    assert_eq!(
        (job["status"].clone(), job["fail_reason"].clone()),
        (json!("Failed"), json!("injected"))
    );
    let add_job = app.job_of(added["job_id"].as_str().unwrap()).await;
    assert_eq!(add_job["status"], "Failed");
    assert_ne!(app.details(SECOND_INSTANCE).await["name"], "never");
    let details = app.details(INSTANCE).await;
    assert_eq!(details["node_count"], 1, "{details}");
}

#[tokio::test]
async fn a_running_change_survives_a_snapshot_posted_back_and_then_takes_effect() {
    let app = TestApp::new();
    app.add_replicas(json!([1])).await;
    let job_id = app
        .change(
            Method::PUT,
            &format!("/instances/{SECOND_INSTANCE}/port"),
            Some(json!({"port": 4406})),
        )
        .await;
    let snapshot = app
        .get(&format!("/_emulator/snapshot?project_id={PROJECT}"))
        .await
        .text;
    TestApp::assert_a_reset_returns_to(&serde_json::from_str(&snapshot).unwrap()).await;
    let fresh = TestApp::new();
    let loaded = fresh.control_post("/_emulator/fixtures", &snapshot).await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.text);
    assert_eq!(
        fresh.details(SECOND_INSTANCE).await["status"],
        "MODIFYING DATABASE PORT"
    );
    assert_eq!(fresh.details(INSTANCE).await["nodes"][1]["status"], "BUILD");
    assert_eq!(fresh.job_of(&job_id).await["status"], "Running");
    fresh.advance(5.0).await;
    let details = fresh.details(SECOND_INSTANCE).await;
    assert_eq!(
        (details["status"].clone(), details["port"].clone()),
        (json!("ACTIVE"), json!("4406"))
    );
    assert_eq!(
        fresh.details(INSTANCE).await["nodes"][1]["status"],
        "ACTIVE"
    );
    assert_eq!(fresh.job_of(&job_id).await["status"], "Completed");
}

#[tokio::test]
async fn under_instant_lifecycle_a_client_polling_only_the_instance_sees_it_settle() {
    let app = TestApp::new();
    app.set_lifecycle(json!({"mode": "instant"})).await;
    let created = app
        .api(
            Method::POST,
            "/instances",
            Some(instance_body(
                "polled",
                json!({"flavor_ref": "gaussdb.mysql.xlarge.x86.8"}),
            )),
        )
        .await;
    let id = created.json()["instance"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(
            app.details(&id).await["status"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(seen.iter().all(|s| s == "ACTIVE"), "{seen:?}");
    // Its first full backup finished without being read itself.
    let backups = app.list(&format!("instance_id={id}")).await.json();
    assert_eq!(backups["backups"][0]["status"], "COMPLETED", "{backups}");

    // A change, too, ends on the read of its instance.
    app.change(
        Method::PUT,
        &format!("/instances/{id}/port"),
        Some(json!({"port": 3307})),
    )
    .await;
    let details = app.details(&id).await;
    assert_eq!(
        (details["status"].clone(), details["port"].clone()),
        (json!("ACTIVE"), json!("3307"))
    );
    app.change(Method::DELETE, &format!("/instances/{id}"), None)
        .await;
    app.get(&format!("/v3/{PROJECT}/instances/{id}"))
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

#[tokio::test]
async fn under_a_reads_lifecycle_a_change_ends_on_the_instance_read_after_its_allowed_ones() {
    let app = TestApp::new();
    app.set_lifecycle(json!({"mode": "reads", "reads": 2}))
        .await;
    app.change(
        Method::PUT,
        &format!("/instances/{INSTANCE}/port"),
        Some(json!({"port": 3307})),
    )
    .await;
    let statuses: Vec<String> = {
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(
                app.details(INSTANCE).await["status"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        seen
    };
    assert_eq!(
        statuses,
        [
            "MODIFYING DATABASE PORT",
            "MODIFYING DATABASE PORT",
            "ACTIVE"
        ]
    );
    assert_eq!(app.details(INSTANCE).await["port"], "3307");
}

#[tokio::test]
async fn the_flavor_catalogue_needs_an_az_mode_and_the_engine_and_filters_by_spec_code() {
    let app = TestApp::new();
    let flavors = async |query: &str| {
        app.get(&format!("/v3/{PROJECT}/flavors/gaussdb-mysql{query}"))
            .await
    };
    let all = flavors("?availability_zone_mode=multi").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    let all = all.json()["flavors"].clone();
    assert!(all.as_array().unwrap().len() >= 6);
    assert_eq!(
        all[0],
        json!({"id": "76a13bbd-766d-3821-8699-7ec37e8761b8", "spec_code": "gaussdb.mysql.large.x86.4",
               "vcpus": "2", "ram": "8", "type": "x86", "version_name": "8.0", "instance_mode": "Cluster",
               "az_status": {"eu-de-01": "normal", "eu-de-02": "unsupported", "eu-de-03": "normal"}})
    );
    let one = flavors("?availability_zone_mode=Single&spec_code=gaussdb.mysql.xlarge.x86.8")
        .await
        .json();
    assert_eq!(one["flavors"].as_array().unwrap().len(), 1);
    assert_eq!(one["flavors"][0]["ram"], "32");
    let none = flavors("?availability_zone_mode=single&version_name=5.7")
        .await
        .json();
    assert_eq!(none, json!({"flavors": []}));
    flavors("")
        .await
        .assert_error(400, "DBS.280260", "Invalid AZ mode.");
    flavors("?availability_zone_mode=double")
        .await
        .assert_error(400, "DBS.280260", "Invalid AZ mode.");
    app.get(&format!(
        "/v3/{PROJECT}/flavors/mysql?availability_zone_mode=single"
    ))
    .await
    .assert_error(400, "DBS.200042", "The DB engine does not exist.");
}

#[tokio::test]
async fn versions_templates_and_an_instances_parameters_are_listed_and_paged() {
    let app = TestApp::new();
    let versions = app
        .get(&format!("/v3/{PROJECT}/datastores/gaussdb-mysql"))
        .await
        .json();
    assert_eq!(
        versions["datastores"][0]["id"],
        "887ce2b1-29a8-337f-b3d1-9b75394447b9"
    );
    assert_eq!(versions["datastores"][0]["name"], "8.0");
    let templates = app
        .get(&format!("/v3/{PROJECT}/configurations"))
        .await
        .json();
    assert_eq!(templates["total_count"], 1);
    let default = &templates["configurations"][0];
    assert_eq!(default["id"], "43570e0de32e40c5a15f831aa5ce4176pr07");
    assert_eq!(default["name"], "Default-TaurusDB V2.0");
    assert_eq!(default["user_defined"], false);
    let past = app
        .get(&format!("/v3/{PROJECT}/configurations?offset=1"))
        .await
        .json();
    assert_eq!(past, json!({"configurations": [], "total_count": 1}));
    app.get(&format!("/v3/{PROJECT}/configurations?limit=0"))
        .await
        .assert_error(
            400,
            "DBS.280439",
            "Invalid records. Enter a positive integer less than 100.",
        );

    let path = format!("/v3/{PROJECT}/instances/{INSTANCE}/configurations");
    let all = app.get(&path).await.json();
    let total = all["total_count"].as_u64().unwrap();
    assert_eq!(
        total as usize,
        all["parameter_values"].as_array().unwrap().len()
    );
    let page = app.get(&format!("{path}?offset=1&limit=2")).await.json();
    assert_eq!(page["parameter_values"].as_array().unwrap().len(), 2);
    assert_eq!(page["parameter_values"][0], all["parameter_values"][1]);
    let max = all["parameter_values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "max_connections")
        .unwrap();
    assert_eq!(
        max["value"], "5000",
        "the default instance's flavor, xlarge.x86.4"
    );
    assert!(
        all["parameter_values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["value"].is_string())
    );
}

#[tokio::test]
async fn a_creation_takes_its_flavors_numbers_and_refuses_a_flavor_the_catalogue_lacks() {
    let app = TestApp::new();
    let body =
        |flavor: &str| instance_body("sized", json!({"flavor_ref": flavor, "slave_count": 1}));
    let created = app
        .api(
            Method::POST,
            "/instances",
            Some(body("gaussdb.mysql.xlarge.x86.8")),
        )
        .await;
    let id = created.json()["instance"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let details = app.details(&id).await;
    assert_eq!(details["datastore"]["version"], "8.0.22");
    assert_eq!(details["node_count"], 2);
    assert_eq!(
        (
            details["nodes"][1]["vcpus"].clone(),
            details["nodes"][1]["ram"].clone()
        ),
        (json!("4"), json!("32"))
    );
    app.api(
        Method::POST,
        "/instances",
        Some(body("gaussdb.mysql.nano.x86.1")),
    )
    .await
    .assert_error(400, "DBS.280434", "Invalid specification code.");
}
