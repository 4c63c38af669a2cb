//! Hostile and long-running use: each test reproduces an attack on the built binary or the
//! router, bounded in load and time (the bound is in its name or comment), and checks that the
//! emulator neither grows, wedges, loses data nor obeys a stranger.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;

/// A memory figure of a process from /proc (`VmRSS`, `VmHWM`, ...), in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap()
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    status_kib(pid, "VmRSS")
}

#[test]
fn bodies_trickled_a_byte_a_segment_cost_their_size_not_a_read_buffer_each() {
    // Bound: 8 connections × 2 000 bytes, one byte a millisecond (each its own segment), to
    // the IAM route, which had no body timeout: about 2 s. Before: ~4 KB of memory held per
    // byte, kept after the connections closed (+54 MB here; 20 × 24.5 KB reached 2 GB). Now:
    // the bytes themselves, in one buffer per request.
    let running = start(&["--port", "0"], &[]);
    let pid = running.child.id();
    let before = rss_kib(pid);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let base = running.base.clone();
            std::thread::spawn(move || {
                let mut stream = connect(&base);
                let length = 2_000;
                write!(
                    stream,
                    "POST /v3/auth/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                     Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
                )
                .unwrap();
                for _ in 0..length {
                    stream.write_all(b" ").unwrap();
                    std::thread::sleep(Duration::from_millis(1));
                }
                read_answer(&mut stream)
            })
        })
        .collect();
    for thread in threads {
        let answer = thread.join().unwrap();
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    }
    let grown_mib = rss_kib(pid).saturating_sub(before) / 1024;
    assert!(grown_mib < 16, "memory grew by {grown_mib} MiB");
}

#[test]
fn the_iam_route_reads_its_body_under_the_request_timeout() {
    // Bound: a body that never arrives, against a 1 s request timeout; answered 408 within 10 s.
    let running = start(&["--port", "0", "--request-timeout", "1s"], &[]);
    let mut stream = connect(&running.base);
    stream
        .write_all(
            b"POST /v3/auth/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        )
        .unwrap();
    // The 408 itself shows the body timeout fired (the read would wait 20 s for more).
    let answer = read_answer(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(
        r#"{"error_code":"DBS.200001","error_msg":"Parameter error. The request body did not arrive in time."}"#
    ));
}

#[test]
fn a_client_that_writes_a_5_mb_body_before_reading_reads_the_413() {
    // Python's urllib and requests write the whole body first; without draining it the
    // emulator's close reset the connection and the client saw a broken pipe (over ~3 MB).
    let running = start(&["--port", "0"], &[]);
    let body = vec![b'x'; 5 * 1024 * 1024];
    let mut stream = connect(&running.base);
    write!(
        stream,
        "POST /v3/{PROJECT}/backups/create HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: t\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body).expect("the whole body is taken");
    let answer = read_answer(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.ends_with(
        r#"{"error_code":"DBS.200001","error_msg":"Parameter error. The request body is too large."}"#
    ));
}

/// A create on the documentation's instance of a running emulator: the status.
async fn create_on(base: &str, name: impl std::fmt::Display) -> u16 {
    let url = format!("{base}/v3/{PROJECT}/backups/create");
    let body = json!({"instance_id": INSTANCE, "name": name.to_string()});
    call("POST", &url, Some(body)).await.0
}

/// One request to a running emulator: status and JSON body.
async fn call(method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = client()
        .request(method.parse().unwrap(), url)
        .header("X-Auth-Token", "t");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_clock_stops_at_the_last_second_the_api_can_write_and_a_saved_clock_restarts() {
    // Before: a manual clock saved as +10020-09-09T00:00:00Z, which the next start refused.
    let dir = temp_dir("clock-end");
    let state = dir.join("state.json");
    let args = [
        "--port",
        "0",
        "--clock",
        "manual",
        "--automated-backups",
        "false",
        "--state-file",
        state.to_str().unwrap(),
    ];
    let mut with_start = args.to_vec();
    with_start.extend(["--start-time", "9999-12-30T00:00:00Z"]);
    let mut running = start(&with_start, &[]);
    let advance = format!("{}/_emulator/clock/advance", running.base);
    let (status, body) = call("POST", &advance, Some(json!({"seconds": 86400}))).await;
    assert_eq!(
        (status, &body["now"]),
        (200, &json!("9999-12-31T00:00:00+0000"))
    );
    let (status, body) = call("POST", &advance, Some(json!({"seconds": 2 * 86400}))).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error_code": "DBS.200001",
               "error_msg": "Parameter error. The clock cannot move past 9999-12-31T23:59:59+0000."})
    );
    let (_, clock) = call("GET", &format!("{}/_emulator/clock", running.base), None).await;
    assert_eq!(
        clock["now"], "9999-12-31T00:00:00+0000",
        "the refused advance changed nothing"
    );
    let status = create_on(&running.base, "last-day").await;
    assert_eq!(status, 201);
    running.stop_and_read_stderr();

    let restarted = start(&args, &[]);
    let (_, clock) = call("GET", &format!("{}/_emulator/clock", restarted.base), None).await;
    assert_eq!(clock["now"], "9999-12-31T00:00:00+0000");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_long_advance_lets_other_requests_through_and_answers_a_bounded_body() {
    // Bound: 40 instances with daily automated backups, one advance of two years (about
    // 90 000 transitions). Before: the store's lock was held for the whole span, every other
    // request waited, and the answer listed every transition (about 500 MB for ten years and
    // 300 instances).
    let instances: Vec<Value> = (0..40)
        .map(|i| json!({"id": format!("{i:032x}in07")}))
        .collect();
    let dir = temp_dir("long-advance");
    let fixtures = dir.join("fixtures.json");
    std::fs::write(
        &fixtures,
        json!({"projects": [{"id": PROJECT, "instances": instances}]}).to_string(),
    )
    .unwrap();
    let running = start(
        &[
            "--port",
            "0",
            "--clock",
            "manual",
            "--fixtures",
            fixtures.to_str().unwrap(),
        ],
        &[],
    );
    let advance_url = format!("{}/_emulator/clock/advance", running.base);
    let advance = tokio::spawn(async move {
        call(
            "POST",
            &advance_url,
            Some(json!({"seconds": 2 * 365 * 86400})),
        )
        .await
    });
    // Wait until the advance is under way: the clock has moved.
    let clock_url = format!("{}/_emulator/clock", running.base);
    let started = call("GET", &clock_url, None).await.1["now"].clone();
    let moved = loop {
        let now = call("GET", &clock_url, None).await.1["now"].clone();
        if now != started || advance.is_finished() {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let listed = call(
        "GET",
        &format!("{}/v3/{PROJECT}/backups?limit=1", running.base),
        None,
    )
    .await;
    assert_eq!(listed.0, 200);
    assert!(
        !advance.is_finished(),
        "a read during the advance (clock at {moved}) waited for all of it"
    );
    let (status, body) = advance.await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["transitions"].as_array().unwrap().len(), 1000);
    let count = body["transition_count"].as_u64().unwrap();
    assert!(count > 80_000, "{count}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `POST /_emulator/fixtures` on an in-process emulator.
async fn load(app: &TestApp, fixtures: &Value) -> TestResponse {
    app.control_post("/_emulator/fixtures", &fixtures.to_string())
        .await
}

#[tokio::test]
async fn a_project_cloned_from_a_snapshot_cannot_take_the_access_keys_backups_or_jobs_of_another() {
    // Before: the clone's copy of the access key silently moved it to the clone (the first
    // project's SK stopped working), and a copied backup id made the control endpoints act on
    // the wrong backup.
    let app = TestApp::with_fixtures(
        &json!({"projects": [{"id": PROJECT, "credentials": [{"ak": "AK1", "sk": "SK1"}],
                              "instances": [{"id": INSTANCE}]}]})
        .to_string(),
    );
    let created = app.create_ok(INSTANCE, "original").await;
    let backup_id = created["backup"]["id"].as_str().unwrap().to_owned();
    let job_id = created["job_id"].as_str().unwrap().to_owned();
    let mut clone = app
        .get(&format!("/_emulator/snapshot?project_id={PROJECT}"))
        .await
        .json();
    let copy = &mut clone["projects"][0];
    copy["id"] = json!("abababababababababababababababab");

    load(&app, &clone).await.assert_error(
        400,
        "DBS.200001",
        &format!(
            "Parameter error. projects[0].credentials: access key \"AK1\" already belongs to \
             project {PROJECT}"
        ),
    );
    clone["projects"][0]["credentials"] = json!([]);
    load(&app, &clone).await.assert_error(
        400,
        "DBS.200001",
        &format!(
            "Parameter error. projects[0].backups: backup {backup_id} already belongs to project \
             {PROJECT}"
        ),
    );
    clone["projects"][0]["backups"][0]
        .as_object_mut()
        .unwrap()
        .remove("id");
    load(&app, &clone).await.assert_error(
        400,
        "DBS.200001",
        &format!(
            "Parameter error. projects[0].jobs: job {job_id} already belongs to project {PROJECT}"
        ),
    );
    clone["projects"][0]["backups"][0]
        .as_object_mut()
        .unwrap()
        .remove("job_id");
    assert_eq!(load(&app, &clone).await.status, 200);
    // The first project keeps what it had.
    let state = app
        .get(&format!("/_emulator/snapshot?project_id={PROJECT}"))
        .await
        .json();
    assert_eq!(
        state["projects"][0]["credentials"],
        json!([{"ak": "AK1", "sk": "SK1"}])
    );
    assert_eq!(state["projects"][0]["backups"][0]["id"], backup_id.as_str());
}

#[test]
fn one_fixtures_file_cannot_give_a_job_id_to_two_projects() {
    let job = "0c4a5b47-5f2c-4a43-9a6a-2f1e3f2ad7c1";
    let backup = |project: &str| {
        json!({"id": project, "instances": [{"id": format!("{project}in07")}],
               "backups": [{"instance_id": format!("{project}in07"),
                            "begin_time": "2026-04-24T10:00:00Z", "job_id": job}]})
    };
    let problem = taurusdb_emulator::fixtures::Fixtures::parse(
        &json!({"projects": [backup("0123456789abcdef0123456789abcdef"),
                             backup("fedcba9876543210fedcba9876543210")]})
        .to_string(),
    )
    .err()
    .unwrap();
    assert_eq!(
        problem,
        format!("projects[1].backups[0].job_id: job {job} is listed twice")
    );
}

fn with_control(control: taurusdb_emulator::ControlAccess) -> TestApp {
    TestApp::with_settings(taurusdb_emulator::Settings {
        control,
        ..taurusdb_emulator::Settings::default()
    })
}

#[tokio::test]
async fn a_web_page_on_another_site_cannot_reset_or_replace_the_state() {
    // Before: `POST /_emulator/reset` with `Origin: http://evil.example` and a text/plain body
    // (a request any page may send without asking) answered 200.
    let app = TestApp::new();
    app.create_ok(INSTANCE, "kept").await;
    let forged = app
        .post_with(
            "/_emulator/reset",
            &[
                ("origin", "http://evil.example"),
                ("content-type", "text/plain"),
            ],
            "",
        )
        .await;
    forged.assert_error(
        403,
        "EMULATOR.FORBIDDEN",
        "Forbidden: the control API answers requests from its own pages only",
    );
    let not_json = app
        .post_with(
            "/_emulator/fixtures",
            &[("content-type", "text/plain")],
            r#"{"projects": []}"#,
        )
        .await;
    not_json.assert_error(
        400,
        "DBS.200001",
        "Parameter error. Control requests that change state declare Content-Type: \
         application/json.",
    );
    let from_a_fetch = app
        .post_with(
            "/_emulator/reset",
            &[
                ("sec-fetch-site", "cross-site"),
                ("content-type", "application/json"),
            ],
            "",
        )
        .await;
    assert_eq!(from_a_fetch.status, 403);
    assert_eq!(
        app.list("").await.json()["total_count"],
        1,
        "nothing was reset"
    );
    // Its own pages, and clients that send no Origin, go on working.
    let own = app
        .post_with(
            "/_emulator/reset",
            &[
                ("origin", "http://127.0.0.1:18080"),
                ("host", "127.0.0.1:18080"),
                ("content-type", "application/json"),
            ],
            "",
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
}

#[tokio::test]
async fn a_rebound_host_name_cannot_read_the_snapshot_with_its_secrets() {
    // Before: `Host: attacker.example` got every token, AK/SK and password.
    let app = TestApp::new();
    let rebound = app
        .get_with("/_emulator/snapshot", &[("host", "attacker.example:18080")])
        .await;
    rebound.assert_error(
        403,
        "EMULATOR.FORBIDDEN",
        "Forbidden: the control API does not answer to this host name (add it with \
         --allowed-host)",
    );
    for host in ["localhost:18080", "127.0.0.1:18080", "[::1]:18080"] {
        let ok = app.get_with("/_emulator/snapshot", &[("host", host)]).await;
        assert_eq!(ok.status, 200, "{host}");
    }
    let allowed = with_control(taurusdb_emulator::ControlAccess {
        allowed_hosts: vec!["taurusdb".into()],
        ..Default::default()
    });
    let ok = allowed
        .get_with("/_emulator/state", &[("host", "taurusdb:18080")])
        .await;
    assert_eq!(ok.status, 200);
    // The API itself answers any host name: clients reach it under the cloud's names.
    let api = app
        .get_with(
            &format!("/v3/{PROJECT}/backups"),
            &[
                ("host", "gaussdb.eu-de.otc.t-systems.com"),
                ("x-auth-token", "t"),
            ],
        )
        .await;
    assert_eq!(api.status, 200);
}

#[tokio::test]
async fn with_a_control_token_every_control_call_but_health_needs_it_and_the_dashboard_works() {
    let app = with_control(taurusdb_emulator::ControlAccess {
        token: Some("s3cret".into()),
        ..Default::default()
    });
    app.get("/_emulator/state").await.assert_error(
        401,
        "EMULATOR.CONTROL_TOKEN",
        "The control API needs the emulator's control token (X-Emulator-Token).",
    );
    assert_eq!(app.get("/_emulator/ui").await.status, 401);
    assert_eq!(app.get("/_emulator/health").await.status, 200);
    let wrong = app
        .get_with("/_emulator/state", &[("x-emulator-token", "guess")])
        .await;
    assert_eq!(wrong.status, 401);
    let right = app
        .get_with("/_emulator/state", &[("x-emulator-token", "s3cret")])
        .await;
    assert_eq!(right.status, 200);
    // The dashboard: opened once with the token, then its page and stream run on a cookie.
    let opened = app.get("/_emulator/ui?token=s3cret").await;
    assert_eq!(opened.status, 303);
    assert_eq!(opened.headers["location"], "ui");
    let cookie = opened.headers["set-cookie"].to_str().unwrap().to_owned();
    assert_eq!(
        cookie,
        "taurusdb-emulator-token=s3cret; Path=/; HttpOnly; SameSite=Strict"
    );
    let pair = cookie.split(';').next().unwrap();
    for path in ["/_emulator/ui", "/_emulator/state"] {
        let page = app.get_with(path, &[("cookie", pair)]).await;
        assert_eq!(page.status, 200, "{path}");
    }
    assert_eq!(app.get("/_emulator/ui?token=guess").await.status, 401);
}

#[tokio::test]
async fn with_the_control_plane_off_only_health_answers() {
    let app = with_control(taurusdb_emulator::ControlAccess {
        disabled: true,
        ..Default::default()
    });
    assert_eq!(app.get("/_emulator/health").await.status, 200);
    for path in [
        "/_emulator/ui",
        "/_emulator/state",
        "/_emulator/snapshot",
        "/_emulator/events",
    ] {
        app.get(path)
            .await
            .assert_error(404, "DBS.290013", "Resource not found.");
    }
    assert_eq!(app.list("").await.status, 200, "the API is served");
}

#[test]
fn a_state_file_where_nothing_can_be_written_stops_the_start_with_exit_code_2() {
    // Before: the emulator started, reported healthy, logged each failed save and exited 0.
    let (code, stderr) = run_to_exit(&["--port", "0", "--state-file", "/proc/taurusdb-state.json"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("taurusdb-emulator: cannot use state file /proc/taurusdb-state.json"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_second_emulator_on_the_same_state_file_is_refused_and_the_first_keeps_its_data() {
    // Before: no lock; both wrote the same temporary name, one's data was lost, both exited 0.
    let dir = temp_dir("two-on-one");
    let state = dir.join("state.json");
    let path = state.to_str().unwrap();
    let mut first = start(&["--port", "0", "--state-file", path], &[]);
    let status = create_on(&first.base, "first").await;
    assert_eq!(status, 201);
    let (code, stderr) = run_to_exit(&["--port", "0", "--state-file", path]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is in use by another emulator"), "{stderr}");
    first.stop_and_read_stderr();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["projects"][0]["backups"][0]["name"], "first");
    // Once the first has stopped, the file is free again.
    let again = start(&["--port", "0", "--state-file", path], &[]);
    drop(again);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_state_file_holding_keys_and_passwords_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("mode");
    let state = dir.join("state.json");
    let mut running = start(
        &["--port", "0", "--state-file", state.to_str().unwrap()],
        &[],
    );
    running.stop_and_read_stderr();
    let mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn reads_and_health_checks_do_not_count_as_changes_to_save() {
    // Before: each request made a full capture and serialisation of the state to find out.
    let app = TestApp::new();
    let before = app.emulator.store.generation();
    for _ in 0..20 {
        assert_eq!(app.get("/_emulator/health").await.status, 200);
        assert_eq!(app.list("").await.status, 200);
    }
    assert_eq!(app.emulator.store.generation(), before);
    app.create_ok(INSTANCE, "a-change").await;
    assert!(app.emulator.store.generation() > before);
}

#[tokio::test]
async fn a_full_disk_is_reported_by_the_health_check_and_the_exit_code_and_leaves_no_temporary_file()
 {
    // Bound: a 96 KiB file system, at most 1 000 creates. Before: 150 creates, SIGTERM, exit 0,
    // and a restart showed 66 (84 backups lost without a word), with a partial .tmp left.
    if !std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
    {
        eprintln!("skipped: mounting a small file system needs root");
        return;
    }
    let dir = temp_dir("disk-full");
    let mount = dir.join("small");
    std::fs::create_dir_all(&mount).unwrap();
    let state = mount.join("state.json");
    let mut command = std::process::Command::new("unshare");
    command.args([
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        r#"mount -t tmpfs -o size=96k tmpfs "$1" && exec "$2" --port 0 --backup-duration 0s --automated-backups false --state-file "$1/state.json""#,
        "sh",
        mount.to_str().unwrap(),
        BINARY,
    ]);
    let mut running = start_command(command);
    // The emulator's view of its file system, from outside its mount namespace.
    let seen = format!("/proc/{}/root{}", running.child.id(), mount.display());
    let health = format!("{}/_emulator/health", running.base);
    let mut failing = Value::Null;
    for n in 0..1000 {
        assert_eq!(
            create_on(&running.base, format!("backup-{n:04}")).await,
            201
        );
        let (status, body) = call("GET", &health, None).await;
        if status == 503 {
            failing = body;
            break;
        }
        // Saves come at most 100 ms after a change: give the writer its turn now and then.
        if n % 50 == 49 {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    assert_eq!(failing["status"], "failing", "the disk never filled");
    let problem = failing["problem"].as_str().unwrap();
    assert!(problem.contains("No space left on device"), "{problem}");
    let left: Vec<String> = std::fs::read_dir(&seen)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.iter().all(|name| !name.ends_with(".tmp")), "{left:?}");
    let last_good: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{seen}/state.json")).unwrap())
            .expect("the last good state stays whole");
    assert!(last_good["projects"][0]["backups"].is_array());
    let stderr = running.stop_and_read_stderr();
    assert_eq!(running.child.wait().unwrap().code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write state file"), "{stderr}");
    let _ = state;
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn iam_tokens_are_forgotten_when_they_expire_and_past_ten_thousand() {
    // Before: never purged (910 000 issued: +215 MB). Bound: 10 050 tokens issued in-process.
    use taurusdb_emulator::iam::TokenRequest;
    use taurusdb_emulator::store::MAX_ISSUED_TOKENS;
    let app = TestApp::new();
    let store = &app.emulator.store;
    let request = TokenRequest::parse(&json!({"auth": {
        "identity": {"methods": ["password"],
                     "password": {"user": {"name": "u", "password": "p"}}},
        "scope": {"project": {"id": PROJECT}}}}))
    .unwrap();
    let first = store.issue_token(&request, false, app.now()).unwrap().token;
    assert!(store.token_project(&first, app.now()).is_some());
    for _ in 0..MAX_ISSUED_TOKENS + 49 {
        store.issue_token(&request, false, app.now()).unwrap();
    }
    assert_eq!(store.issued_token_count(), MAX_ISSUED_TOKENS);
    assert_eq!(
        store.token_project(&first, app.now()),
        None,
        "the oldest went first"
    );
    // A day later every one of them has expired; the next issue forgets them all.
    let later = app.now() + chrono::TimeDelta::hours(25);
    store.issue_token(&request, false, later).unwrap();
    assert_eq!(store.issued_token_count(), 1);
}

#[test]
fn an_instance_has_at_most_sixteen_nodes_as_the_service_allows() {
    // Before: up to 4 294 967 295 (1 000 000 nodes: one instance read answered 502 MB).
    let fixtures = |n: u64| {
        json!({"projects": [{"id": PROJECT, "instances": [{"id": INSTANCE, "node_count": n}]}]})
            .to_string()
    };
    assert!(taurusdb_emulator::fixtures::Fixtures::parse(&fixtures(16)).is_ok());
    assert_eq!(
        taurusdb_emulator::fixtures::Fixtures::parse(&fixtures(1_000_000)).err(),
        Some(
            "projects[0].instances[0].node_count: an instance has 1 to 16 nodes (a primary and \
             up to 15 read replicas), not 1000000"
                .to_owned()
        )
    );
}

#[tokio::test]
async fn at_most_a_thousand_faults_are_active_and_used_ones_make_room() {
    let app = TestApp::new();
    let add = |operation: &str| {
        let fault = json!({"operation": operation, "count": 1, "status": 409,
                           "error_code": "DBS.200019", "error_msg": "busy"});
        let fault = fault.to_string();
        let app = &app;
        async move { app.control_post("/_emulator/faults/requests", &fault).await }
    };
    assert_eq!(add("create").await.status, 201);
    for _ in 1..1000 {
        assert_eq!(add("list").await.status, 201);
    }
    add("list").await.assert_error(
        400,
        "DBS.200001",
        "Parameter error. at most 1000 faults can be active; clear them with DELETE \
         /_emulator/faults",
    );
    // The create fault fires, and so makes room.
    assert_eq!(
        app.create(json!({"instance_id": INSTANCE, "name": "faulty"}))
            .await
            .status,
        409
    );
    assert_eq!(add("list").await.status, 201);
    let faults = app.get("/_emulator/faults").await.json();
    assert_eq!(faults["requests"].as_array().unwrap().len(), 1000);
    assert_eq!(
        faults["requests"][0]["operation"], "list",
        "the used one went"
    );
}

#[tokio::test]
async fn idle_connections_past_the_limit_make_room_and_the_health_check_answers() {
    // Bound: 80 idle connections against 64 file descriptors, with the default
    // --max-connections (which the open-file limit lowers to 32). Before: they took every
    // descriptor; the health check hung until the header timeout (here 30 s) closed them.
    let mut command = std::process::Command::new("prlimit");
    command.args([
        "--nofile=64:64",
        BINARY,
        "--port",
        "0",
        "--request-timeout",
        "30s",
    ]);
    let running = start_command(command);
    let mut idle: Vec<TcpStream> = (0..80).map(|_| connect(&running.base)).collect();
    let health = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
        .get(format!("{}/_emulator/health", running.base))
        .send()
        .await
        .expect("the health check answers while idle connections crowd the emulator");
    assert_eq!(health.status(), 200);
    // The oldest idle ones made room.
    let closed = idle[..40]
        .iter_mut()
        .map(closed_by_server)
        .filter(|c| *c)
        .count();
    assert_eq!(closed, 40, "the 40 oldest idle connections were closed");
}

#[test]
fn a_new_connection_past_the_limit_of_busy_ones_reads_a_503_in_the_api_format() {
    // Bound: 5 connections each inside a request body that never ends, --max-connections 5.
    let running = start(
        &[
            "--port",
            "0",
            "--max-connections",
            "5",
            "--request-timeout",
            "30s",
        ],
        &[],
    );
    let busy: Vec<TcpStream> = (0..5)
        .map(|_| {
            let mut stream = connect(&running.base);
            write!(
                stream,
                "POST /v3/auth/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n\
                 Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            )
            .unwrap();
            // "100 Continue" comes once the handler reads the body: the request is in progress.
            let mut interim = [0u8; 25];
            stream.read_exact(&mut interim).unwrap();
            assert!(interim.starts_with(b"HTTP/1.1 100 Continue"));
            stream.write_all(b"{").unwrap();
            stream
        })
        .collect();
    let mut extra = connect(&running.base);
    extra
        .write_all(b"GET /v3/auth/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let answer = read_answer(&mut extra);
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable"),
        "{answer}"
    );
    assert!(answer.ends_with(
        r#"{"error_code":"EMULATOR.BUSY","error_msg":"The emulator is at its limit of open connections (--max-connections); try again later."}"#
    ), "{answer}");
    // The health check is answered past the cap (it read 503 before, so an orchestrator
    // restarted an emulator that was only busy).
    let mut health = connect(&running.base);
    health
        .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let answer = read_answer(&mut health);
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with(r#"{"status":"ok"}"#), "{answer}");
    let (code, _) = healthcheck(&running.base);
    assert_eq!(code, Some(0), "the healthcheck command too");
    drop(busy);
}

/// `taurusdb-emulator healthcheck --url BASE/_emulator/health`: its exit code and stderr.
fn healthcheck(base: &str) -> (Option<i32>, String) {
    run_to_exit(&["healthcheck", "--url", &format!("{base}/_emulator/health")])
}

#[tokio::test]
async fn event_streams_and_long_poll_waits_past_their_limits_answer_503() {
    let app = TestApp::with_settings(taurusdb_emulator::Settings {
        max_event_streams: 2,
        max_waiters: 1,
        ..taurusdb_emulator::Settings::default()
    });
    let first = app.open("/_emulator/events").await;
    let second = app.open("/_emulator/events").await;
    app.get("/_emulator/events").await.assert_error(
        503,
        "EMULATOR.BUSY",
        "The emulator is at its limit of event streams (--max-event-streams); try again later.",
    );
    drop(first);
    assert_eq!(
        app.open("/_emulator/events").await.status(),
        200,
        "a closed one made room"
    );
    drop(second);

    let created = app.create_ok(INSTANCE, "waited-on").await;
    let id = created["backup"]["id"].as_str().unwrap().to_owned();
    let first_wait = format!("/_emulator/backups/{id}/wait?timeout=30s");
    let waiting = app.open(&first_wait);
    let refused = async {
        // The first wait has its place once the second is refused.
        loop {
            let response = app
                .get(&format!("/_emulator/backups/{id}/wait?timeout=0s"))
                .await;
            if response.status == 503 {
                return response;
            }
            tokio::task::yield_now().await;
        }
    };
    tokio::select! {
        _ = waiting => panic!("the first wait ended before the second was refused"),
        response = refused => response.assert_error(
            503,
            "EMULATOR.BUSY",
            "The emulator is at its limit of long-poll waits (--max-waiters); try again later.",
        ),
    }
}

#[tokio::test]
async fn jobs_of_deleted_backups_are_forgotten_after_the_retention_and_past_the_cap() {
    // Before: each deleted backup left its job behind forever (58 307 create → complete →
    // delete cycles in 60 s: 0 backups, 58 307 jobs, RSS rising ~350 bytes a cycle).
    // Bound: 2 000 cycles with at most 50 jobs kept, then a retention of one hour.
    let app = TestApp::with_settings(taurusdb_emulator::Settings {
        job_retention: chrono::TimeDelta::hours(1),
        max_jobs_per_project: 50,
        ..taurusdb_emulator::Settings::default()
    });
    let job_count = || async {
        app.get(&format!("/_emulator/state?project_id={PROJECT}"))
            .await
            .json()["projects"][0]["job_count"]
            .as_u64()
            .unwrap()
    };
    let mut jobs = Vec::new();
    for n in 0..2000 {
        let created = app.create_ok(INSTANCE, &format!("cycle-{n:04}")).await;
        let id = created["backup"]["id"].as_str().unwrap().to_owned();
        jobs.push(created["job_id"].as_str().unwrap().to_owned());
        let done = app
            .control_post(&format!("/_emulator/backups/{id}/complete"), "")
            .await;
        assert_eq!(done.status, 200);
        assert_eq!(app.delete(&id).await.status, 200);
        app.advance_quietly(chrono::TimeDelta::seconds(1));
    }
    assert_eq!(job_count().await, 50);
    app.job(&jobs[0])
        .await
        .assert_error(400, "DBS.200543", "The job does not exist.");
    assert_eq!(
        app.job(&jobs[1999]).await.status,
        200,
        "the newest are kept"
    );
    app.advance(3600.0).await;
    assert_eq!(
        job_count().await,
        0,
        "an hour on, all have passed their retention"
    );
    app.job(&jobs[1999])
        .await
        .assert_error(400, "DBS.200543", "The job does not exist.");

    // A whole reset keeps the bounds (it dropped them before).
    assert_eq!(app.control_post("/_emulator/reset", "{}").await.status, 200);
    for n in 0..60 {
        let created = app.create_ok(INSTANCE, &format!("after-{n:02}")).await;
        let id = created["backup"]["id"].as_str().unwrap().to_owned();
        app.control_post(&format!("/_emulator/backups/{id}/complete"), "")
            .await;
        assert_eq!(app.delete(&id).await.status, 200);
    }
    assert_eq!(job_count().await, 50, "the cap holds after a reset");
}

/// The peak resident memory of a process since it was last reset, in KiB.
fn peak_kib(pid: u32) -> u64 {
    status_kib(pid, "VmHWM")
}

/// Resets a process's peak resident memory to what it holds now (Linux's clear_refs 5).
fn reset_peak(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").unwrap();
}

#[tokio::test]
async fn the_state_and_the_snapshot_of_a_large_store_are_written_in_pages_of_bounded_memory() {
    // Bound: 60 000 backups (with 60 000 jobs of deleted backups' kind capped away: all made
    // by fixtures). Before: the whole answer was built in memory (58 000 jobs: +170 MB for one
    // state call; a store of 1 000 000 backups needed gigabytes).
    let backups: Vec<Value> = (0..60_000)
        .map(|n| {
            json!({"instance_id": INSTANCE, "name": format!("seeded-{n:05}"),
                   "job_id": uuid_of(n),
                   "begin_time": format!("2026-0{}-{:02}T{:02}:{:02}:00Z",
                                         1 + n / 40_000, 1 + n / 1440 % 28, n / 60 % 24, n % 60)})
        })
        .collect();
    let dir = temp_dir("large-store");
    let fixtures = dir.join("fixtures.json");
    std::fs::write(
        &fixtures,
        json!({"projects": [{"id": PROJECT, "instances": [{"id": INSTANCE}], "backups": backups}]})
            .to_string(),
    )
    .unwrap();
    let running = start(
        &[
            "--port",
            "0",
            "--clock",
            "manual",
            "--automated-backups",
            "false",
            "--fixtures",
            fixtures.to_str().unwrap(),
        ],
        &[],
    );
    let pid = running.child.id();
    for path in ["/_emulator/state", "/_emulator/snapshot"] {
        reset_peak(pid);
        let before = rss_kib(pid);
        let body = client()
            .get(format!("{}{path}", running.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let grown = peak_kib(pid).saturating_sub(before) / 1024;
        let document: Value = serde_json::from_str(&body).unwrap();
        let project = &document["projects"][0];
        assert_eq!(
            project["backups"].as_array().unwrap().len(),
            60_000,
            "{path}"
        );
        assert!(
            grown < 24,
            "{path}: the peak grew by {grown} MiB for a {} MiB answer",
            body.len() >> 20
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A job id for backup `n` of the large store.
fn uuid_of(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}
