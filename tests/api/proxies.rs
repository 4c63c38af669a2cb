//! Database proxies and SQL throttling: each change a job the lifecycle, the job controls and
//! failure rules drive like every other, the rules and codes of each request, and the state
//! they leave in snapshots.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const NO_PROXY: &str = "Proxy instance does not exist.";

impl TestApp {
    /// A request that must answer `status` with only a job id; returns the job id.
    async fn job_call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> String {
        let response = self.api(method, path, body).await;
        assert_eq!(response.status.as_u16(), status, "{}", response.text);
        response.json()["job_id"].as_str().unwrap().to_owned()
    }

    async fn finish(&self, job_id: &str) {
        let done = self
            .control_post(&format!("/_emulator/jobs/{job_id}/complete"), "{}")
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    }

    /// Adds a read replica to `INSTANCE` and lets it finish; returns the instance's nodes.
    async fn with_replica(&self) -> Vec<Value> {
        let added = self
            .api(
                Method::POST,
                &format!("/instances/{INSTANCE}/nodes/enlarge"),
                Some(json!({"priorities": [1]})),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
        self.finish(added.json()["job_id"].as_str().unwrap()).await;
        let details = self
            .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}"))
            .await;
        details.json()["instance"]["nodes"]
            .as_array()
            .unwrap()
            .clone()
    }

    async fn proxies(&self) -> Vec<Value> {
        let listed = self
            .api(Method::GET, &format!("/instances/{INSTANCE}/proxies"), None)
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
        listed.json()["proxy_list"].as_array().unwrap().clone()
    }
}

fn enable(changes: Value) -> Value {
    let mut body = json!({"flavor_ref": "gaussdb.proxy.large.x86.2", "node_num": 2,
                          "proxy_name": "test-proxy", "proxy_mode": "readwrite"});
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn proxy_flavors_start_with_2_vcpus_and_4_gb_sold_in_every_zone_as_strings() {
    let app = TestApp::new();
    let response = app
        .api(
            Method::GET,
            &format!("/instances/{INSTANCE}/proxy/flavors"),
            None,
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let groups = response.json()["proxy_flavor_groups"].clone();
    assert_eq!(groups[0]["group_type"], "x86");
    let first = &groups[0]["proxy_flavors"][0];
    assert_eq!(
        (
            &first["vcpus"],
            &first["ram"],
            &first["db_type"],
            &first["spec_code"]
        ),
        (
            &json!("2"),
            &json!("4"),
            &json!("Proxy"),
            &json!("gaussdb.proxy.large.x86.2")
        )
    );
    assert_eq!(
        first["az_status"],
        json!({"eu-de-01": "normal", "eu-de-02": "normal", "eu-de-03": "normal"})
    );
    app.api(
        Method::GET,
        "/instances/00000000000000000000000000000000in07/proxy/flavors",
        None,
    )
    .await
    .assert_error(404, "DBS.200002", "The DB instance does not exist.");
}

#[tokio::test]
async fn a_proxy_needs_a_read_replica_and_a_valid_request() {
    let app = TestApp::new();
    let path = format!("/instances/{INSTANCE}/proxy");
    app.api(Method::POST, &path, Some(enable(json!({}))))
        .await
        .assert_error(
            409,
            "DBS.280406",
            "Operation not allowed by the DB instance type or status.",
        );
    let nodes = app.with_replica().await;
    let refusals = [
        (
            json!({"flavor_ref": "gaussdb.mysql.large.x86.4"}),
            400,
            "DBS.280434",
        ),
        (json!({"node_num": 1}), 400, "DBS.200001"),
        (json!({"node_num": 33}), 400, "DBS.200001"),
        (json!({"node_num": "2"}), 400, "DBS.200001"),
        (json!({"proxy_name": "1proxy"}), 400, "DBS.200001"),
        (json!({"proxy_mode": "readmostly"}), 400, "DBS.270026"),
        (
            json!({"nodes_read_weight": [{"id": "nope", "weight": 10}]}),
            400,
            "DBS.270025",
        ),
        (
            json!({"nodes_read_weight": [{"id": nodes[1]["id"], "weight": 1001}]}),
            400,
            "DBS.270025",
        ),
        (
            json!({"proxy_mode": "readonly", "nodes_read_weight": [{"id": nodes[0]["id"], "weight": 10}]}),
            400,
            "DBS.270025",
        ),
    ];
    for (changes, status, code) in refusals {
        let response = app
            .api(Method::POST, &path, Some(enable(changes.clone())))
            .await;
        assert_eq!(
            response.status.as_u16(),
            status,
            "{changes}: {}",
            response.text
        );
        assert_eq!(response.json()["error_code"], code, "{changes}");
    }
    assert!(app.proxies().await.is_empty(), "nothing refused was kept");
    app.api(Method::DELETE, &path, None)
        .await
        .assert_error(400, "DBS.270024", NO_PROXY);
}

#[tokio::test]
async fn a_proxy_is_enabled_weighted_resized_enlarged_and_disabled_each_at_its_jobs_end() {
    let app = TestApp::new();
    let nodes = app.with_replica().await;
    let (master, replica) = (nodes[0]["id"].clone(), nodes[1]["id"].clone());
    let enable_job = app
        .job_call(
            Method::POST,
            &format!("/instances/{INSTANCE}/proxy"),
            Some(enable(
                json!({"nodes_read_weight": [{"id": master, "weight": 50}]}),
            )),
            201,
        )
        .await;
    let job = app.job(&enable_job).await.json()["job"].clone();
    assert_eq!(
        (&job["name"], &job["status"]),
        (&json!("OpenGaussDBforMySQLProxy"), &json!("Running"))
    );
    let [proxy] = <[Value; 1]>::try_from(app.proxies().await).unwrap();
    assert_eq!(proxy["proxy"]["status"], "ENABLING PROXY");
    assert!(
        proxy["proxy"]["pool_id"]
            .as_str()
            .unwrap()
            .ends_with("po01")
    );
    app.api(
        Method::PUT,
        &format!("/instances/{INSTANCE}/name"),
        Some(json!({"name": "renamed"})),
    )
    .await
    .assert_error(
        409,
        "DBS.200019",
        "Another operation is being performed on the DB instance or the DB instance is faulty.",
    );
    app.finish(&enable_job).await;

    let [listed] = <[Value; 1]>::try_from(app.proxies().await).unwrap();
    let p = &listed["proxy"];
    assert_eq!(
        (&p["status"], &p["pool_status"], &p["port"], &p["node_num"]),
        (&json!("ACTIVE"), &json!("ACTIVE"), &json!(3306), &json!(2))
    );
    assert_eq!(
        (&p["vcpus"], &p["ram"], &p["name"], &p["mode"]),
        (
            &json!("2"),
            &json!("4"),
            &json!("test-proxy"),
            &json!("Cluster")
        )
    );
    assert!(
        p["address"].as_str().unwrap().starts_with("192.168.")
            && !p["elb_vip"].as_str().unwrap().is_empty()
    );
    assert_eq!(p["nodes"][0]["role"], "master");
    assert_eq!(
        (
            &listed["master_node"]["id"],
            &listed["master_node"]["weight"]
        ),
        (&master, &json!(50))
    );
    // A replica's default weight: 50 per vCPU of the instance's flavor (4).
    assert_eq!(
        (
            &listed["readonly_nodes"][0]["id"],
            &listed["readonly_nodes"][0]["weight"]
        ),
        (&replica, &json!(200))
    );
    let pool = p["pool_id"].as_str().unwrap().to_owned();

    let weight = app
        .job_call(
            Method::PUT,
            &format!("/instances/{INSTANCE}/proxy/{pool}/weight"),
            Some(json!({"master_weight": 100, "readonly_nodes": [{"id": replica, "weight": 300}]})),
            200,
        )
        .await;
    assert_eq!(app.proxies().await[0]["proxy"]["status"], "CHANGING WEIGHT");
    app.finish(&weight).await;
    let listed = app.proxies().await[0].clone();
    assert_eq!(
        (
            &listed["master_node"]["weight"],
            &listed["readonly_nodes"][0]["weight"]
        ),
        (&json!(100), &json!(300))
    );

    // Flavor and nodes neither wait for nor hold the instance: both run at once, and a
    // rename starts meanwhile.
    let resize = app
        .job_call(
            Method::PUT,
            &format!("/instances/{INSTANCE}/proxy/{pool}/flavor"),
            Some(json!({"flavor_ref": "gaussdb.proxy.xlarge.x86.2"})),
            200,
        )
        .await;
    assert_eq!(
        app.proxies().await[0]["proxy"]["status"],
        "ACTIVE",
        "a flavor change keeps it ACTIVE"
    );
    let enlarge = app
        .job_call(
            Method::POST,
            &format!("/instances/{INSTANCE}/proxy/enlarge"),
            Some(json!({"node_num": 1, "proxy_id": pool})),
            201,
        )
        .await;
    assert_eq!(
        app.proxies().await[0]["proxy"]["status"],
        "ADDING PROXY NODE"
    );
    let rename = app
        .job_call(
            Method::PUT,
            &format!("/instances/{INSTANCE}/name"),
            Some(json!({"name": "renamed"})),
            200,
        )
        .await;
    app.api(
        Method::POST,
        &format!("/instances/{INSTANCE}/proxy/enlarge"),
        Some(json!({"node_num": 31})),
    )
    .await
    .assert_error(400, "DBS.200001", "Parameter error.");
    for job in [&resize, &enlarge, &rename] {
        app.finish(job).await;
    }
    let p = app.proxies().await[0]["proxy"].clone();
    assert_eq!(
        (
            &p["flavor_ref"],
            &p["vcpus"],
            &p["ram"],
            &p["node_num"],
            &p["status"]
        ),
        (
            &json!("gaussdb.proxy.xlarge.x86.2"),
            &json!("4"),
            &json!("8"),
            &json!(3),
            &json!("ACTIVE")
        )
    );

    // A failed job changes nothing and leaves the proxy ACTIVE.
    let failing = app
        .job_call(
            Method::PUT,
            &format!("/instances/{INSTANCE}/proxy/{pool}/weight"),
            Some(json!({"master_weight": 7})),
            200,
        )
        .await;
    app.control_post(
        &format!("/_emulator/jobs/{failing}/fail"),
        r#"{"reason": "injected"}"#,
    )
    .await;
    let listed = app.proxies().await[0].clone();
    assert_eq!(
        (&listed["proxy"]["status"], &listed["master_node"]["weight"]),
        (&json!("ACTIVE"), &json!(100))
    );

    let unknown =
        format!("/instances/{INSTANCE}/proxy/00000000000000000000000000000000po01/flavor");
    app.api(
        Method::PUT,
        &unknown,
        Some(json!({"flavor_ref": "gaussdb.proxy.large.x86.2"})),
    )
    .await
    .assert_error(400, "DBS.270024", NO_PROXY);
    let disable = app
        .job_call(
            Method::DELETE,
            &format!("/instances/{INSTANCE}/proxy"),
            None,
            200,
        )
        .await;
    assert_eq!(
        app.job(&disable).await.json()["job"]["name"],
        "CloseGaussDBforMySQLProxy"
    );
    assert_eq!(app.proxies().await[0]["proxy"]["status"], "DISABLING PROXY");
    app.finish(&disable).await;
    assert!(app.proxies().await.is_empty());
}

#[tokio::test]
async fn with_two_proxies_a_disable_names_one_and_a_fifth_is_refused() {
    let app = TestApp::new();
    app.with_replica().await;
    let path = format!("/instances/{INSTANCE}/proxy");
    for _ in 0..4 {
        let job = app
            .job_call(Method::POST, &path, Some(enable(json!({}))), 201)
            .await;
        app.finish(&job).await;
    }
    app.api(Method::POST, &path, Some(enable(json!({}))))
        .await
        .assert_error(
            409,
            "DBS.280406",
            "Operation not allowed by the DB instance type or status.",
        );
    app.api(Method::DELETE, &path, None).await.assert_error(
        400,
        "DBS.270027",
        "Select a proxy instance.",
    );
    let pools: Vec<String> = app
        .proxies()
        .await
        .iter()
        .map(|p| p["proxy"]["pool_id"].as_str().unwrap().to_owned())
        .collect();
    let paged = app
        .api(
            Method::GET,
            &format!("/instances/{INSTANCE}/proxies?offset=1&limit=2"),
            None,
        )
        .await
        .json();
    assert_eq!(paged["proxy_list"].as_array().unwrap().len(), 2);
    assert_eq!(
        paged["proxy_list"][0]["proxy"]["pool_id"],
        pools[1].as_str()
    );
    let job = app
        .job_call(
            Method::DELETE,
            &path,
            Some(json!({"proxy_ids": [pools[0], pools[2]]})),
            200,
        )
        .await;
    app.finish(&job).await;
    let left: Vec<Value> = app
        .proxies()
        .await
        .iter()
        .map(|p| p["proxy"]["pool_id"].clone())
        .collect();
    assert_eq!(left, vec![json!(pools[1]), json!(pools[3])]);
}

#[tokio::test]
async fn sql_throttling_is_off_until_switched_and_rules_are_set_read_and_deleted_per_node() {
    let app = TestApp::new();
    let nodes = app.with_replica().await;
    let node = nodes[0]["id"].as_str().unwrap().to_owned();
    let switch = format!("/instances/{INSTANCE}/sql-filter/switch");
    let rules = format!("/instances/{INSTANCE}/sql-filter/rules");
    assert_eq!(
        app.api(Method::GET, &switch, None).await.json(),
        json!({"switch_status": "OFF"})
    );
    app.api(Method::POST, &switch, Some(json!({"switch_status": "on"})))
        .await
        .assert_error(400, "DBS.200001", "Parameter error.");
    let on = app
        .job_call(
            Method::POST,
            &switch,
            Some(json!({"switch_status": "ON"})),
            200,
        )
        .await;
    assert_eq!(
        app.api(Method::GET, &switch, None).await.json()["switch_status"],
        "OFF",
        "at the job's end"
    );
    app.finish(&on).await;
    assert_eq!(
        app.api(Method::GET, &switch, None).await.json()["switch_status"],
        "ON"
    );

    let set = json!({"sql_filter_rules": [{"node_id": node, "rules": [
        {"sql_type": "SELECT", "patterns": [{"pattern": "select~from~t1", "max_concurrency": 10},
                                            {"pattern": "select~from~t2", "max_concurrency": 5}]},
        {"sql_type": "UPDATE", "patterns": [{"pattern": "update~t1~set", "max_concurrency": 3}]}]}]});
    let job = app.job_call(Method::PUT, &rules, Some(set), 200).await;
    let before = app
        .api(Method::GET, &format!("{rules}?node_id={node}"), None)
        .await
        .json();
    assert_eq!(before["sql_filter_rules"], json!([]), "{before}");
    app.finish(&job).await;
    let read = app
        .api(Method::GET, &format!("{rules}?node_id={node}"), None)
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let read = read.json();
    assert_eq!(read["node_id"], node.as_str());
    assert_eq!(read["sql_filter_rules"][0]["sql_type"], "SELECT");
    let first = &read["sql_filter_rules"][0]["patterns"][0];
    assert_eq!(
        (
            &first["pattern"],
            &first["max_concurrency"],
            &first["cur_concurrency"]
        ),
        (&json!("select~from~t1"), &json!(10), &json!(0))
    );
    assert!(
        read.to_string()
            .contains("\"expire_at\":9223372036854775807"),
        "an exact 64-bit never"
    );
    assert_eq!(first["create_at"], app.now().timestamp());
    for query in ["type=SELECT", "sql_type=select"] {
        let only = app
            .api(
                Method::GET,
                &format!("{rules}?node_id={node}&{query}"),
                None,
            )
            .await
            .json();
        assert_eq!(
            only["sql_filter_rules"].as_array().unwrap().len(),
            1,
            "{query}"
        );
    }

    let refusals = [
        (format!("{rules}?sql_type=SELECT"), 400, "DBS.200001"),
        (
            format!("{rules}?node_id=ffffffffffffffffffffffffffffffffno07"),
            400,
            "DBS.212005",
        ),
        (
            format!("{rules}?node_id={node}&type=DROP"),
            400,
            "DBS.200001",
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
    for (bad, code) in [
        (
            json!({"sql_filter_rules": [{"node_id": node, "rules": [{"sql_type": "SELECT", "patterns": [{"pattern": "select~", "max_concurrency": 1}]}]}]}),
            "DBS.200001",
        ),
        (
            json!({"sql_filter_rules": [{"node_id": node, "rules": [{"sql_type": "SELECT", "patterns": [{"pattern": "a", "max_concurrency": -1}]}]}]}),
            "DBS.200001",
        ),
        (
            json!({"sql_filter_rules": [{"node_id": node, "rules": [{"sql_type": "SELECT", "patterns": [{"pattern": "a", "max_concurrency": 1}]}, {"sql_type": "select", "patterns": [{"pattern": "b", "max_concurrency": 1}]}]}]}),
            "DBS.200001",
        ),
        (
            json!({"sql_filter_rules": [{"node_id": "ffffffffffffffffffffffffffffffffno07", "rules": [{"sql_type": "SELECT", "patterns": [{"pattern": "a", "max_concurrency": 1}]}]}]}),
            "DBS.212005",
        ),
        (json!({"sql_filter_rules": []}), "DBS.200001"),
    ] {
        let response = app.api(Method::PUT, &rules, Some(bad.clone())).await;
        assert_eq!(response.json()["error_code"], code, "{bad}");
    }

    let delete = json!({"sql_filter_rules": [{"node_id": node, "rules": [
        {"sql_type": "SELECT", "patterns": ["select~from~t1", "never~set"]},
        {"sql_type": "UPDATE", "patterns": ["update~t1~set"]}]}]});
    let job = app
        .job_call(Method::DELETE, &rules, Some(delete), 200)
        .await;
    assert_eq!(
        app.job(&job).await.json()["job"]["name"],
        "GaussDBforMySQLDeleteSqlFilterRule"
    );
    app.finish(&job).await;
    let left = app
        .api(Method::GET, &format!("{rules}?node_id={node}"), None)
        .await
        .json();
    assert_eq!(
        left["sql_filter_rules"],
        json!([{"sql_type": "SELECT", "patterns": [
        {"pattern": "select~from~t2", "max_concurrency": 5, "cur_concurrency": 0, "cur_reject": 0,
         "create_at": app.now().timestamp(), "expire_at": i64::MAX}]}])
    );
}

#[tokio::test]
async fn proxies_and_sql_rules_survive_a_snapshot_posted_back_with_their_running_jobs() {
    let app = TestApp::new();
    let nodes = app.with_replica().await;
    let job = app
        .job_call(
            Method::POST,
            &format!("/instances/{INSTANCE}/proxy"),
            Some(enable(json!({}))),
            201,
        )
        .await;
    app.finish(&job).await;
    let rule = json!({"sql_filter_rules": [{"node_id": nodes[1]["id"], "rules": [
        {"sql_type": "INSERT", "patterns": [{"pattern": "insert~into~t", "max_concurrency": 4}]}]}]});
    let rule_job = app
        .job_call(
            Method::PUT,
            &format!("/instances/{INSTANCE}/sql-filter/rules"),
            Some(rule),
            200,
        )
        .await;
    let pool = app.proxies().await[0]["proxy"]["pool_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let enlarge = app
        .job_call(
            Method::POST,
            &format!("/instances/{INSTANCE}/proxy/enlarge"),
            Some(json!({"node_num": 2})),
            201,
        )
        .await;
    let proxies_before = app.proxies().await;

    let snapshot = app.get("/_emulator/snapshot").await.json();
    TestApp::assert_a_reset_returns_to(&snapshot).await;
    let reset = app.control_post("/_emulator/reset", "{}").await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
    let loaded = app
        .control_post("/_emulator/fixtures", &snapshot.to_string())
        .await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.text);
    assert_eq!(
        app.get("/_emulator/snapshot").await.json(),
        snapshot,
        "the same state"
    );
    assert_eq!(app.proxies().await, proxies_before);
    app.finish(&enlarge).await;
    app.finish(&rule_job).await;
    let p = app.proxies().await[0]["proxy"].clone();
    assert_eq!(
        (&p["pool_id"], &p["node_num"], &p["status"]),
        (&json!(pool), &json!(4), &json!("ACTIVE"))
    );
    let read = app
        .api(
            Method::GET,
            &format!(
                "/instances/{INSTANCE}/sql-filter/rules?node_id={}",
                nodes[1]["id"].as_str().unwrap()
            ),
            None,
        )
        .await
        .json();
    assert_eq!(read["sql_filter_rules"][0]["sql_type"], "INSERT");
}

#[tokio::test]
async fn sql_throttling_runs_beside_a_proxy_being_enabled_and_a_proxy_fault_fails_the_next_proxy_job()
 {
    let app = TestApp::new();
    let nodes = app.with_replica().await;
    let fault = app
        .control_post(
            "/_emulator/faults/backups",
            &json!({"operation": "proxy", "count": 1, "reason": "no capacity"}).to_string(),
        )
        .await;
    assert_eq!(fault.status, StatusCode::CREATED, "{}", fault.text);
    let path = format!("/instances/{INSTANCE}/proxy");
    let failing = app
        .job_call(Method::POST, &path, Some(enable(json!({}))), 201)
        .await;
    // Terraform creates a rule and a proxy of one instance at once.
    let rule = json!({"sql_filter_rules": [{"node_id": nodes[0]["id"], "rules": [
        {"sql_type": "SELECT", "patterns": [{"pattern": "select~from~t1", "max_concurrency": 20}]}]}]});
    let rule_job = app
        .job_call(
            Method::PUT,
            &format!("/instances/{INSTANCE}/sql-filter/rules"),
            Some(rule),
            200,
        )
        .await;
    app.advance(60.0).await;
    let job = app.job(&failing).await.json()["job"].clone();
    assert_eq!(
        (&job["status"], &job["fail_reason"]),
        (&json!("Failed"), &json!("no capacity"))
    );
    assert!(
        app.proxies().await.is_empty(),
        "a failed enabling leaves no proxy"
    );
    assert_eq!(
        app.job(&rule_job).await.json()["job"]["status"],
        "Completed"
    );
    let enabled = app
        .job_call(Method::POST, &path, Some(enable(json!({}))), 201)
        .await;
    app.advance(60.0).await;
    assert_eq!(app.job(&enabled).await.json()["job"]["status"], "Completed");
    assert_eq!(app.proxies().await[0]["proxy"]["status"], "ACTIVE");
}

#[tokio::test]
async fn under_instant_lifecycle_a_client_polling_only_the_proxy_list_sees_each_proxy_job_settle() {
    let app = TestApp::new();
    app.with_replica().await;
    app.set_lifecycle(json!({"mode": "instant"})).await;
    // gophertelekomcloud's proxy test waits on the list, never on these jobs.
    app.job_call(
        Method::POST,
        &format!("/instances/{INSTANCE}/proxy"),
        Some(enable(json!({}))),
        201,
    )
    .await;
    assert_eq!(app.proxies().await[0]["proxy"]["status"], "ACTIVE");
    let pool = app.proxies().await[0]["proxy"]["pool_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.job_call(
        Method::PUT,
        &format!("/instances/{INSTANCE}/proxy/{pool}/flavor"),
        Some(json!({"flavor_ref": "gaussdb.proxy.xlarge.x86.2"})),
        200,
    )
    .await;
    app.job_call(
        Method::POST,
        &format!("/instances/{INSTANCE}/proxy/enlarge"),
        Some(json!({"node_num": 1, "proxy_id": pool})),
        201,
    )
    .await;
    let p = app.proxies().await[0]["proxy"].clone();
    assert_eq!(
        (&p["status"], &p["node_num"], &p["flavor_ref"]),
        (
            &json!("ACTIVE"),
            &json!(3),
            &json!("gaussdb.proxy.xlarge.x86.2")
        )
    );
}

#[tokio::test]
async fn a_fixtures_proxy_or_sql_throttling_job_must_carry_a_valid_change() {
    let app = TestApp::new();
    let job = |change: Value| {
        let mut job = json!({"id": "dff1d289-4d03-4942-8b9f-463ea07c000d", "instance_id": INSTANCE,
                             "status": "Running", "created": "2026-04-24T10:19:57Z", "held": true});
        for (k, v) in change.as_object().unwrap() {
            job[k] = v.clone();
        }
        json!({"projects": [{"id": PROJECT, "tokens": [TOKEN], "instances": [{"id": INSTANCE}],
                             "jobs": [job]}]})
        .to_string()
    };
    for (bad, key) in [
        (json!({"type": "proxy"}), "proxy_change"),
        (
            json!({"type": "proxy", "proxy_change": {"action": "resize", "pool_id": "p", "flavor": "gaussdb.mysql.large.x86.4"}}),
            "proxy_change",
        ),
        (
            json!({"type": "proxy", "proxy_change": {"action": "weights", "pool_id": "p", "master": 1001, "replicas": []}}),
            "proxy_change",
        ),
        (
            json!({"type": "sql_filter", "sql_filter_change": {"action": "delete", "rules": [{"node_id": "n", "sql_type": "DROP", "pattern": "x"}]}}),
            "sql_filter_change",
        ),
    ] {
        let refused = app
            .control_post("/_emulator/fixtures", &job(bad.clone()))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            refused.text
        );
        assert!(refused.text.contains(key), "{bad}: {}", refused.text);
    }
    let fine = json!({"type": "sql_filter", "sql_filter_change": {"action": "switch", "on": true}});
    let loaded = app.control_post("/_emulator/fixtures", &job(fine)).await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.text);
}
