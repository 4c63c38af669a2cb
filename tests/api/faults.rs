//! Request faults as a client meets them: before the operation or after it committed, at a
//! seeded rate, matched by project, instance and method, the presets' exact bodies, and the
//! connection faults on a real socket.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use serde_json::{Value, json};
use taurusdb_emulator::{Emulator, Settings};

use crate::helpers::*;

async fn set_fault(app: &TestApp, body: Value) -> TestResponse {
    app.raw(
        Method::POST,
        "/_emulator/faults/requests",
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

async fn fault(app: &TestApp, body: Value) -> Value {
    let response = set_fault(app, body).await;
    assert_eq!(response.status.as_u16(), 201, "{}", response.text);
    response.json()
}

async fn backups(app: &TestApp) -> u64 {
    app.list("").await.json()["total_count"].as_u64().unwrap()
}

/// The journal's newest entry for a backup create.
async fn last_create(app: &TestApp) -> Value {
    let journal = app.get("/_emulator/requests").await.json();
    journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["operation"] == "create")
        .unwrap()
        .clone()
}

#[tokio::test]
async fn an_after_commit_500_answers_the_error_but_the_backup_is_made() {
    let app = TestApp::new();
    let set = fault(
        &app,
        json!({"operation": "create", "phase": "after", "preset": "server-error"}),
    )
    .await;
    assert_eq!(
        (&set["phase"], &set["preset"], &set["status"]),
        (&json!("after"), &json!("server-error"), &json!(500))
    );
    let response = app
        .create(json!({"instance_id": INSTANCE, "name": "nightly"}))
        .await;
    response.assert_error(500, "DBS.108000", "Server failure.");
    assert_eq!(backups(&app).await, 1, "the create committed");
    let entry = last_create(&app).await;
    assert_eq!(entry["status"], 500);
    assert_eq!(
        entry["fault"],
        json!({"id": set["id"], "phase": "after", "committed": true})
    );
    // A client that retries blindly meets the backup it made: the instance is busy with it.
    let retried = app
        .create(json!({"instance_id": INSTANCE, "name": "nightly"}))
        .await;
    assert_eq!(retried.status.as_u16(), 409, "{}", retried.text);
    assert_eq!(backups(&app).await, 1);
}

#[tokio::test]
async fn a_before_fault_leaves_nothing_behind_and_the_journal_says_so() {
    let app = TestApp::new();
    fault(&app, json!({"operation": "create", "preset": "busy"})).await;
    app.create(json!({"instance_id": INSTANCE, "name": "nightly"}))
        .await
        .assert_error(
            409,
            "DBS.200019",
            "Another operation is being performed on the DB instance or the DB instance is faulty.",
        );
    assert_eq!(backups(&app).await, 0);
    let entry = last_create(&app).await;
    assert_eq!(entry["fault"]["phase"], "before");
    assert_eq!(entry["fault"]["committed"], false);
    // An operation answered late, before it runs, still runs.
    fault(&app, json!({"operation": "create", "delay": "1ms"})).await;
    let late = app
        .create(json!({"instance_id": INSTANCE, "name": "late"}))
        .await;
    assert_eq!(late.status.as_u16(), 201, "{}", late.text);
    assert_eq!(last_create(&app).await["fault"]["committed"], true);
}

#[tokio::test]
async fn the_gateway_presets_answer_the_gateways_body_with_the_request_id() {
    let app = TestApp::new();
    let cases = [
        (
            "throttled",
            429,
            "APIGW.0308",
            "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute",
        ),
        (
            "backend-unavailable",
            502,
            "APIGW.0201",
            "Backend unavailable.",
        ),
        ("backend-timeout", 504, "APIGW.0201", "Backend timeout."),
    ];
    for (preset, status, code, message) in cases {
        fault(&app, json!({"operation": "list", "preset": preset})).await;
        let response = app.list("").await;
        assert_eq!(response.status.as_u16(), status);
        assert_eq!(
            response.json(),
            json!({"error_code": code, "error_msg": message, "request_id": response.request_id()})
        );
    }
    // The service's own presets carry no request_id, as its errors do not.
    for code in [
        "DBS.200047",
        "DBS.201014",
        "DBS.201015",
        "DBS.05000084",
        "DBS.212033",
    ] {
        fault(&app, json!({"operation": "list", "preset": code})).await;
        let body = app.list("").await.json();
        assert_eq!(body["error_code"], code);
        assert!(body.get("request_id").is_none(), "{body}");
    }
}

#[tokio::test]
async fn a_fault_strikes_only_its_project_instance_and_method() {
    let app = TestApp::new();
    let other = "0123456789abcdef0123456789abcdefin07";
    let set = fault(
        &app,
        json!({"operation": "*", "instance_id": other, "method": "get", "preset": "backend-timeout",
               "count": 2}),
    )
    .await;
    assert_eq!(set["method"], "GET");
    let instance = app
        .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}"))
        .await;
    assert_eq!(instance.status.as_u16(), 200, "another instance");
    let policy = app
        .raw(
            Method::PUT,
            &format!("/v3/{PROJECT}/instances/{other}/backups/policy/update"),
            &[("content-type", "application/json")],
            "{}",
        )
        .await;
    assert_ne!(policy.status.as_u16(), 504, "another method");
    let struck = app.get(&format!("/v3/{PROJECT}/instances/{other}")).await;
    assert_eq!(struck.status.as_u16(), 504);
    fault(
        &app,
        json!({"operation": "list", "project_id": "another", "preset": "busy"}),
    )
    .await;
    assert_eq!(app.list("").await.status.as_u16(), 200, "another project");
    let faults = app.get("/_emulator/faults").await.json();
    assert_eq!(
        (
            &faults["requests"][0]["hits"],
            &faults["requests"][0]["remaining"]
        ),
        (&json!(1), &json!(1))
    );
    assert_eq!(faults["requests"][1]["hits"], 0);
}

/// Which of `n` lists a 5 % fault strikes, on an emulator of this seed.
async fn struck_by_rate(seed: u64, n: usize) -> Vec<usize> {
    let app = TestApp::with_settings(Settings {
        seed: Some(seed),
        ..Settings::default()
    });
    let set = fault(
        &app,
        json!({"operation": "list", "rate": 0.05, "preset": "server-error"}),
    )
    .await;
    assert_eq!(
        set["remaining"],
        Value::Null,
        "a rate without a count has no limit"
    );
    let mut struck = Vec::new();
    for i in 0..n {
        if app.list("").await.status.as_u16() == 500 {
            struck.push(i);
        }
    }
    let listed = app.get("/_emulator/faults").await.json();
    assert_eq!(listed["requests"][0]["matched"], n);
    assert_eq!(listed["requests"][0]["hits"], struck.len());
    struck
}

#[tokio::test]
async fn a_seeded_rate_strikes_the_same_requests_in_every_run() {
    let first = struck_by_rate(42, 400).await;
    assert_eq!(first, struck_by_rate(42, 400).await);
    assert!((8..=40).contains(&first.len()), "{first:?}");
    assert_ne!(first, struck_by_rate(43, 400).await);
}

#[tokio::test]
async fn faults_that_make_no_sense_are_refused_with_the_reason() {
    let app = TestApp::new();
    for (body, reason) in [
        (
            json!({"operation": "create", "preset": "nope"}),
            "preset \"nope\" is not one of busy",
        ),
        (
            json!({"operation": "create", "preset": "busy", "status": 500}),
            "not both",
        ),
        (
            json!({"operation": "create", "connection": "reset", "status": 500}),
            "answers nothing",
        ),
        (
            json!({"operation": "create", "connection": "trickle"}),
            "needs an error",
        ),
        (
            json!({"operation": "create", "connection": "wiggle"}),
            "reset, close, stall, trickle",
        ),
        (
            json!({"operation": "create", "phase": "during", "preset": "busy"}),
            "before or after",
        ),
        (
            json!({"operation": "create", "rate": 0, "preset": "busy"}),
            "rate",
        ),
        (
            json!({"operation": "create", "phase": "after"}),
            "give status",
        ),
        (json!({"operation": "create", "delay": "2h"}), "at most 1h"),
    ] {
        let response = set_fault(&app, body.clone()).await;
        assert_eq!(response.status.as_u16(), 400, "{body}");
        let message = response.json()["error_msg"].as_str().unwrap().to_owned();
        assert!(message.contains(reason), "{body}: {message}");
    }
}

// --- connection faults, on a real socket ---------------------------------------------------

async fn running() -> (Arc<Emulator>, SocketAddr) {
    serve(&fixtures(), Settings::default()).await
}

/// Sends a backup create on a fresh connection: what comes back (bytes, or how it ended).
fn create_raw(addr: SocketAddr, read_timeout: Duration) -> std::io::Result<Vec<u8>> {
    let body = json!({"instance_id": INSTANCE, "name": "raw-backup"}).to_string();
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(read_timeout))?;
    write!(
        stream,
        "POST /v3/{PROJECT}/backups/create HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer)? {
            0 => return Ok(answer),
            n => answer.extend_from_slice(&buffer[..n]),
        }
        if complete(&answer) {
            return Ok(answer);
        }
    }
}

/// Whether `answer` holds a whole HTTP answer: its head and as many bytes as it declares.
fn complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|n| body.len() >= n)
}

async fn add(addr: SocketAddr, body: Value) {
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/_emulator/faults/requests"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
}

async fn state(addr: SocketAddr, path: &str) -> Value {
    get_json(&format!("http://{addr}{path}")).await
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_after_commit_breaks_the_connection_and_the_backup_exists() {
    let (_emulator, addr) = running().await;
    add(
        addr,
        json!({"operation": "create", "phase": "after", "connection": "reset"}),
    )
    .await;
    let outcome = blocking(move || create_raw(addr, HANG_GUARD)).await;
    let error = outcome.expect_err("no answer");
    assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}");
    let listed = state(addr, &format!("/v3/{PROJECT}/backups")).await;
    assert_eq!(listed["total_count"], 1);
    let journal = state(addr, "/_emulator/requests").await;
    let entry = journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "create")
        .unwrap()
        .clone();
    assert_eq!(entry["status"], Value::Null, "nothing was answered");
    assert_eq!(
        entry["fault"],
        json!({"id": 1, "phase": "after", "committed": true, "connection": "reset"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_before_the_operation_ends_the_connection_unanswered() {
    let (_emulator, addr) = running().await;
    add(addr, json!({"operation": "create", "connection": "close"})).await;
    let answer = blocking(move || create_raw(addr, HANG_GUARD)).await;
    assert_eq!(answer.expect("closed, not reset"), b"");
    let listed = state(addr, &format!("/v3/{PROJECT}/backups")).await;
    assert_eq!(listed["total_count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_answers_nothing_until_the_client_gives_up() {
    // One connection at most: the stalled one must make room once its client has gone.
    let (_emulator, addr) = serve(
        &fixtures(),
        Settings {
            max_connections: 1,
            ..Settings::default()
        },
    )
    .await;
    add(
        addr,
        json!({"operation": "create", "phase": "after", "connection": "stall"}),
    )
    .await;
    let outcome = blocking(move || create_raw(addr, Duration::from_millis(300))).await;
    let error = outcome.expect_err("no answer in time");
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error}"
    );
    let listed = state(addr, &format!("/v3/{PROJECT}/backups")).await;
    assert_eq!(listed["total_count"], 1, "it committed before the stall");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_answer_arrives_whole_a_byte_at_a_time() {
    let (_emulator, addr) = running().await;
    add(
        addr,
        json!({"operation": "create", "phase": "after", "connection": "trickle", "interval": "1ms"}),
    )
    .await;
    let answer = blocking(move || {
        let answer = create_raw(addr, HANG_GUARD).unwrap();
        String::from_utf8(answer).unwrap()
    })
    .await;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 201"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(body.len(), length);
    let created: Value = serde_json::from_str(body).unwrap();
    assert_eq!(created["backup"]["status"], "BUILDING");
}
