//! Reliability on a real socket: concurrency, limits, slow clients, isolation.

use std::collections::HashSet;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use axum::body::Body;
use axum::http::Method;
use chrono::TimeDelta;
use serde_json::{Value, json};
use taurusdb_emulator::Settings;
use taurusdb_emulator::config::AuthMode;
use taurusdb_emulator::fixtures::Fixtures;

use crate::helpers::*;

fn many_instances(n: usize) -> Fixtures {
    let instances: Vec<Value> = (0..n)
        .map(|i| json!({"id": format!("{i:032x}in07")}))
        .collect();
    Fixtures::parse(
        &json!({"projects": [{"id": PROJECT, "tokens": [TOKEN], "instances": instances}]})
            .to_string(),
    )
    .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap()
}

async fn create(
    client: &reqwest::Client,
    addr: SocketAddr,
    instance: &str,
    name: &str,
) -> (u16, Value) {
    let response = client
        .post(format!("http://{addr}/v3/{PROJECT}/backups/create"))
        .header("X-Auth-Token", TOKEN)
        .json(&json!({"instance_id": instance, "name": name}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_creates_are_each_listed_exactly_once() {
    const CLIENTS: usize = 32;
    const EACH: usize = 125;
    const INSTANCES: usize = 200;
    let mut settings = Settings::default();
    settings.lifecycle.backup_duration = TimeDelta::zero();
    settings.lifecycle.automated_backups = false;
    let (_emulator, addr) = serve(&many_instances(INSTANCES), settings).await;
    let client = client();
    let run = async {
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let client = client.clone();
                tokio::spawn(async move {
                    let mut made = Vec::new();
                    for n in 0..EACH {
                        let instance = format!("{:032x}in07", (c * EACH + n) % INSTANCES);
                        let (status, body) =
                            create(&client, addr, &instance, &format!("b-{c}-{n}")).await;
                        assert!(status < 500, "{status} {body}");
                        if status == 201 {
                            made.push(body["backup"]["id"].as_str().unwrap().to_owned());
                        }
                    }
                    made
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        all
    };
    let created = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("bounded in time");
    let unique: HashSet<&String> = created.iter().collect();
    assert_eq!(unique.len(), created.len(), "ids are unique");
    assert_eq!(
        created.len(),
        CLIENTS * EACH,
        "with a zero duration every create succeeds"
    );
    // Every 201 is in the list exactly once, instance by instance.
    let mut listed = Vec::new();
    for i in 0..INSTANCES {
        let mut offset = 0;
        loop {
            let page = get_json(&format!(
                "http://{addr}/v3/{PROJECT}/backups?instance_id={i:032x}in07&offset={offset}&limit=100"
            ))
            .await;
            let backups = page["backups"].as_array().unwrap();
            listed.extend(backups.iter().map(|b| b["id"].as_str().unwrap().to_owned()));
            offset += backups.len();
            if backups.is_empty() || offset >= page["total_count"].as_u64().unwrap() as usize {
                break;
            }
        }
    }
    listed.sort();
    let mut expected = created.clone();
    expected.sort();
    assert_eq!(listed, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_creates_race_on_one_instance_exactly_one_wins() {
    let mut settings = Settings::default();
    settings.lifecycle.backup_duration = TimeDelta::hours(1);
    let (_emulator, addr) = serve(&many_instances(10), settings).await;
    let client = client();
    for i in 0..10 {
        let instance = format!("{i:032x}in07");
        let racers: Vec<_> = (0..32)
            .map(|r| {
                let client = client.clone();
                let instance = instance.clone();
                tokio::spawn(
                    async move { create(&client, addr, &instance, &format!("race-{r}")).await },
                )
            })
            .collect();
        let mut statuses = Vec::new();
        for racer in racers {
            let (status, body) = racer.await.unwrap();
            if status == 409 {
                assert_eq!(
                    body,
                    json!({"error_code": "DBS.201205", "error_msg": "Backup is in progress, please wait."})
                );
            }
            statuses.push(status);
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            31,
            "{statuses:?}"
        );
    }
}

#[tokio::test]
async fn a_project_full_of_backups_answers_the_quota_error() {
    let mut settings = Settings {
        max_backups_per_project: 3,
        ..Settings::default()
    };
    settings.lifecycle.backup_duration = TimeDelta::zero();
    let app = TestApp::with_settings(settings);
    for n in 0..3 {
        app.create_ok(INSTANCE, &format!("backup-{n}")).await;
    }
    app.create(json!({"instance_id": INSTANCE, "name": "backup-3"}))
        .await
        .assert_error(
            413,
            "DBS.290003",
            "The number of DB instances has reached the quota.",
        );
}

#[tokio::test]
async fn an_overlong_uri_or_oversized_headers_are_refused_in_the_api_format() {
    let app = TestApp::new();
    let long = format!("/v3/{PROJECT}/backups?name={}", "x".repeat(9000));
    app.get(&long).await.assert_error(
        414,
        "DBS.200001",
        "Parameter error. The request URI is too long.",
    );
    let big = "y".repeat(8000);
    let response = app
        .raw(
            Method::GET,
            &format!("/v3/{PROJECT}/backups"),
            &[
                ("x-auth-token", TOKEN),
                ("x-one", &big),
                ("x-two", &big),
                ("x-three", &big),
            ],
            Body::empty(),
        )
        .await;
    response.assert_error(
        431,
        "DBS.200001",
        "Parameter error. The request headers are too large.",
    );
}

fn quick_timeouts() -> Settings {
    Settings {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        ..Settings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_times_out_without_holding_up_others() {
    let (_emulator, addr) = serve(&Fixtures::builtin(), quick_timeouts()).await;
    let slow_head = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        read_until_closed(&mut stream, Duration::from_secs(5))
    });
    let slow_body = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST /v3/{PROJECT}/backups/create HTTP/1.1\r\nHost: x\r\nX-Auth-Token: t\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"instance_id\""
        );
        stream.write_all(head.as_bytes()).unwrap();
        read_until_closed(&mut stream, Duration::from_secs(5))
    });
    // Meanwhile others are served at once.
    let health = client()
        .get(format!("http://{addr}/_emulator/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let (_, closed) = slow_head.await.unwrap();
    assert!(
        closed,
        "a client that never finishes its headers is disconnected"
    );
    let (answer, _) = slow_body.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#"{"error_code":"DBS.200001","error_msg":"Parameter error. The request body did not arrive in time."}"#), "{answer}");
}

/// The header-read timeout runs again once an answer is sent: a kept-alive connection that
/// sends no next request is closed after it, while an answer that outlasts it (an event
/// stream) is not cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_waits_a_timeout_for_its_next_head_and_an_answer_is_not_cut() {
    let (_emulator, addr) = serve(&Fixtures::builtin(), quick_timeouts()).await;
    let kept_alive = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let started = std::time::Instant::now();
        let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(5));
        (answer, closed, started.elapsed())
    });
    let streaming = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .write_all(format!("GET /_emulator/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .unwrap();
        // Three header timeouts long.
        read_until_closed(&mut stream, Duration::from_millis(900))
    });
    let (answer, closed, took) = kept_alive.await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle kept-alive connection is closed");
    assert!(took >= Duration::from_millis(300), "closed after {took:?}");
    let (events, closed) = streaming.await.unwrap();
    assert!(events.starts_with("HTTP/1.1 200"), "{events}");
    assert!(events.contains("data:"), "{events}");
    assert!(
        !closed,
        "an event stream outlasting the header timeout is cut"
    );
}

// --- isolation ------------------------------------------------------------------------------

#[tokio::test]
async fn in_strict_auth_one_projects_credentials_reach_nothing_of_another() {
    let app = TestApp::strict();
    let theirs = app.create_other_ok().await;
    let their_backup = theirs["backup"]["id"].as_str().unwrap();
    let their_job = theirs["job_id"].as_str().unwrap();
    // Our token on every endpoint of their project: 403.
    let policy =
        json!({"backup_policy": {"start_time": "01:00-02:00", "keep_days": 1, "period": "1"}})
            .to_string();
    let create = json!({"instance_id": OTHER_INSTANCE, "name": "mine"}).to_string();
    for (method, path, body) in [
        (
            Method::POST,
            format!("/v3/{OTHER_PROJECT}/backups/create"),
            create.clone(),
        ),
        (
            Method::GET,
            format!("/v3/{OTHER_PROJECT}/backups"),
            String::new(),
        ),
        (
            Method::DELETE,
            format!("/v3/{OTHER_PROJECT}/backups/{their_backup}"),
            String::new(),
        ),
        (
            Method::GET,
            format!("/v3/{OTHER_PROJECT}/jobs?id={their_job}"),
            String::new(),
        ),
        (
            Method::GET,
            format!("/v3/{OTHER_PROJECT}/instances"),
            String::new(),
        ),
        (
            Method::GET,
            format!("/v3/{OTHER_PROJECT}/instances/{OTHER_INSTANCE}"),
            String::new(),
        ),
        (
            Method::GET,
            format!("/v3/{OTHER_PROJECT}/instances/{OTHER_INSTANCE}/backups/policy"),
            String::new(),
        ),
        (
            Method::PUT,
            format!("/v3/{OTHER_PROJECT}/instances/{OTHER_INSTANCE}/backups/policy/update"),
            policy.clone(),
        ),
    ] {
        for prefix in ["", "/mysql"] {
            let response = app
                .raw(
                    method.clone(),
                    &format!("{prefix}{path}"),
                    &[
                        ("x-auth-token", TOKEN),
                        ("content-type", "application/json"),
                    ],
                    body.clone(),
                )
                .await;
            response.assert_error(403, "DBS.280056", "Invalid token.");
        }
    }
    // Their ids on our own paths: as if they did not exist.
    app.delete(their_backup).await.assert_error(
        404,
        "DBS.201010",
        "The backup information does not exist.",
    );
    app.job(their_job)
        .await
        .assert_error(400, "DBS.200543", "The job does not exist.");
    assert_eq!(
        app.list(&format!("backup_id={their_backup}")).await.json()["total_count"],
        0
    );
    app.get(&format!("/v3/{PROJECT}/instances/{OTHER_INSTANCE}"))
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
    app.create(json!({"instance_id": OTHER_INSTANCE, "name": "mine"}))
        .await
        .assert_error(404, "DBS.200002", "The DB instance does not exist.");
    // And nothing of theirs changed.
    let snapshot = app
        .get(&format!("/_emulator/state?project_id={OTHER_PROJECT}"))
        .await
        .json();
    assert_eq!(
        snapshot["projects"][0]["backups"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        snapshot["projects"][0]["instances"][0]["backup_strategy"]["keep_days"],
        "7"
    );
    let _ = AuthMode::Strict;
}

/// Every route but `GET`s, its `{…}` filled with ids of the fixtures (or made up).
fn filled(path: &str) -> String {
    path.replace("{project_id}", PROJECT)
        .replace("{instance_id}", INSTANCE)
        .split('/')
        .map(|s| if s.starts_with('{') { "x0001" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn a_body_a_handler_never_reads_does_not_cost_the_kept_alive_connection() {
    use std::io::Read;
    use taurusdb_emulator::http::routes::{API, CONTROL, IAM};
    let running = crate::helpers::start(&["--port", "0"], &[]);
    let host = running.base.trim_start_matches("http://").to_owned();
    let mut closed = Vec::new();
    for route in API.iter().chain(IAM).chain(CONTROL) {
        if route.method == "GET" || route.path.contains("tls") {
            continue;
        }
        let mut stream = connect(&running.base);
        let path = filled(route.path);
        // The head first, the body a moment later, as Java's HttpClient sends them.
        let head = format!(
            "{} {path} HTTP/1.1\r\nHost: {host}\r\nX-Auth-Token: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n",
            route.method
        );
        stream.write_all(head.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        stream.write_all(b"{}").unwrap();
        let first = read_answer(&mut stream);
        assert!(
            first.starts_with("HTTP/1.1 "),
            "{} {path}: {first}",
            route.method
        );
        let again = format!("GET /_emulator/health HTTP/1.1\r\nHost: {host}\r\n\r\n");
        let answered = stream.write_all(again.as_bytes()).is_ok() && {
            let mut buffer = [0u8; 16];
            matches!(stream.read(&mut buffer), Ok(n) if n > 0)
        };
        if !answered {
            closed.push(format!("{} {}", route.method, route.path));
        }
    }
    assert!(closed.is_empty(), "the connection ended after: {closed:#?}");
}
