//! The built binary on a real socket: the startup line, flags and env vars, fixtures files,
//! and the documentation's example end to end.

use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{
    INSTANCE, OTHER_PROJECT, OTHER_TOKEN, PROJECT, client, get_json, run_to_exit, start, temp_dir,
    wait_for_exit, wait_until, wait_until_async,
};

use crate::helpers::BINARY;

#[tokio::test]
async fn the_binary_prints_one_line_with_the_bound_port() {
    let running = start(&["--port", "0"], &[]);
    let port: u16 = running
        .line
        .strip_prefix("taurusdb-emulator listening on http://127.0.0.1:")
        .expect("host 127.0.0.1 by default")
        .parse()
        .expect("a port number");
    assert_ne!(port, 0);
    let health = client()
        .get(format!("{}/_emulator/health", running.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
}

#[tokio::test]
async fn the_documentation_example_goes_from_building_to_completed() {
    let running = start(&["--port", "0"], &[]);
    let response = client()
        .post(format!("{}/v3/{PROJECT}/backups/create", running.base))
        .header("X-Auth-Token", "any-token-will-do")
        .header("Content-Type", "application/json")
        .body(r#"{"instance_id" : "07033b125fd94a8a96896f8bcfee6ddain07", "name" : "backup-1", "description": "Manual backup"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(
        response.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    assert!(response.headers().contains_key("x-request-id"));
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["backup"]["status"], "BUILDING");
    let id = created["backup"]["id"].as_str().unwrap();

    let list = format!("{}/v3/{PROJECT}/backups?backup_id={id}", running.base);
    assert_eq!(get_json(&list).await["backups"][0]["status"], "BUILDING");
    // The default duration is 5 s of the emulator's clock: move it rather than wait.
    let advanced = post_json(
        format!("{}/_emulator/clock/advance", running.base),
        json!({"seconds": 5}),
    )
    .await;
    assert_eq!(advanced["mode"], "real");
    assert_eq!(get_json(&list).await["backups"][0]["status"], "COMPLETED");
    let instance = get_json(&format!(
        "{}/v3/{PROJECT}/backups?instance_id={INSTANCE}",
        running.base
    ))
    .await;
    assert_eq!(instance["total_count"], 1);
}

#[tokio::test]
async fn every_option_can_come_from_the_environment() {
    let running = start(
        &[],
        &[
            ("TAURUSDB_EMULATOR_PORT", "0"),
            ("TAURUSDB_EMULATOR_CLOCK", "manual"),
            ("TAURUSDB_EMULATOR_AUTH", "strict"),
            ("TAURUSDB_EMULATOR_BACKUP_DURATION", "2m"),
        ],
    );
    let clock = get_json(&format!("{}/_emulator/clock", running.base)).await;
    assert_eq!(clock["mode"], "manual");
    // strict: "any" is not a fixtures token.
    let response = client()
        .get(format!("{}/v3/{PROJECT}/backups", running.base))
        .header("X-Auth-Token", "any")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    // 2m: still building after 119 s of emulator time.
    let created: Value = client()
        .post(format!("{}/v3/{PROJECT}/backups/create", running.base))
        .header("X-Auth-Token", "taurusdb-emulator-token")
        .json(&json!({"instance_id": INSTANCE, "name": "backup-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job = format!(
        "{}/v3/{PROJECT}/jobs?id={}",
        running.base,
        created["job_id"].as_str().unwrap()
    );
    let advance = |s: u32| {
        client()
            .post(format!("{}/_emulator/clock/advance", running.base))
            .json(&json!({ "seconds": s }))
            .send()
    };
    advance(119).await.unwrap();
    let status = |v: Value| v["job"]["status"].as_str().unwrap().to_owned();
    let token_get = |url: String| async move {
        client()
            .get(url)
            .header("X-Auth-Token", "taurusdb-emulator-token")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert_eq!(status(token_get(job.clone()).await), "Running");
    advance(1).await.unwrap();
    assert_eq!(status(token_get(job).await), "Completed");
}

#[tokio::test]
async fn a_fixtures_file_sets_the_starting_state() {
    let dir = std::env::temp_dir().join(format!("taurusdb-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fixtures.json");
    std::fs::write(
        &path,
        json!({"projects": [{"id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "tokens": ["t1"],
                "instances": [{"id": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbin07", "name": "mine"}]}]})
        .to_string(),
    )
    .unwrap();
    let running = start(
        &[
            "--port",
            "0",
            "--auth",
            "strict",
            "--fixtures",
            path.to_str().unwrap(),
        ],
        &[],
    );
    let response = client()
        .post(format!(
            "{}/v3/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/backups/create",
            running.base
        ))
        .header("X-Auth-Token", "t1")
        .json(&json!({"instance_id": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbin07", "name": "backup-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    // The built-in example project is not there.
    let response = client()
        .post(format!("{}/v3/{PROJECT}/backups/create", running.base))
        .header("X-Auth-Token", "t1")
        .json(&json!({"instance_id": INSTANCE, "name": "backup-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_malformed_fixtures_file_stops_the_start_naming_the_file_and_the_problem() {
    let dir = std::env::temp_dir().join(format!("taurusdb-emulator-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.json");
    std::fs::write(&path, r#"{"projects": [{"id": "not-hex"}]}"#).unwrap();
    let (code, stderr) = run_to_exit(&["--port", "0", "--fixtures", path.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("broken.json"), "{stderr}");
    assert!(stderr.contains("projects[0].id"), "{stderr}");
    let (code, stderr) = run_to_exit(&["--port", "0", "--fixtures", "/nonexistent/fixtures.json"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("/nonexistent/fixtures.json"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_flags_and_values_stop_the_start_with_exit_code_2() {
    for args in [
        &["--clock", "fast"][..],
        &["--backup-duration", "soon"],
        &["--auth", "none"],
        &["--no-such-flag"],
    ] {
        let (code, stderr) = run_to_exit(args);
        assert_eq!(code, Some(2), "{args:?}");
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[test]
fn sigterm_stops_the_emulator_with_exit_code_0() {
    let mut running = start(&["--port", "0"], &[]);
    let pid = running.child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    assert_eq!(
        wait_for_exit(&mut running.child, "the emulator, on SIGTERM,"),
        Some(0)
    );
}

#[tokio::test]
async fn healthcheck_exits_0_for_a_healthy_emulator_and_1_otherwise() {
    let running = start(&["--port", "0"], &[]);
    let url = format!("{}/_emulator/health", running.base);
    let status = Command::new(BINARY)
        .args(["healthcheck", "--url", &url])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let port = running.base.rsplit(':').next().unwrap().to_owned();
    // The default URL follows TAURUSDB_EMULATOR_PORT, as in the container image.
    let status = Command::new(BINARY)
        .arg("healthcheck")
        .env("TAURUSDB_EMULATOR_PORT", &port)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let (code, stderr) = run_to_exit(&["healthcheck", "--url", &format!("{}/nope", running.base)]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("404"), "{stderr}");
    drop(running);
    let (code, stderr) = run_to_exit(&["healthcheck", "--url", &url]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("cannot connect"), "{stderr}");
}

#[test]
fn env_prints_each_clients_settings_for_the_emulator_the_options_describe() {
    let env = |args: &[&str], vars: &[(&str, &str)]| {
        let out = Command::new(BINARY)
            .arg("env")
            .args(args)
            .env_remove("TAURUSDB_EMULATOR_FIXTURES")
            .envs(vars.iter().copied())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, shell, _) = env(&[], &[("TAURUSDB_EMULATOR_PORT", "18099")]);
    assert_eq!(code, Some(0));
    assert!(
        shell.starts_with("export TAURUSDB_EMULATOR_URL='http://127.0.0.1:18099'\n"),
        "{shell}"
    );
    assert!(
        shell.contains("export OS_AUTH_URL='http://127.0.0.1:18099/v3'\n"),
        "{shell}"
    );
    assert!(
        shell.contains(&format!("export HUAWEICLOUD_SDK_PROJECT_ID='{PROJECT}'\n")),
        "{shell}"
    );
    let (_, tls, _) = env(&[], &[("TAURUSDB_EMULATOR_TLS", "true")]);
    assert!(tls.contains("'https://127.0.0.1:18080/v3'"), "{tls}");

    let dir = temp_dir("env-fixtures");
    let fixtures = dir.join("fixtures.json");
    std::fs::write(
        &fixtures,
        json!({"projects": [
            {"id": PROJECT, "name": "eu-de", "instances": [{"id": INSTANCE}]},
            {"id": OTHER_PROJECT, "name": "eu-nl_team", "tokens": [OTHER_TOKEN],
             "users": [{"name": "o'brien", "password": "p\"w${x}", "domain": "d"}]}
        ]})
        .to_string(),
    )
    .unwrap();
    let path = fixtures.to_str().unwrap();
    let (code, json, _) = env(
        &[
            "--format",
            "json",
            "--project",
            OTHER_PROJECT,
            "--url",
            "https://db.test:8443/",
        ],
        &[("TAURUSDB_EMULATOR_FIXTURES", path)],
    );
    assert_eq!(code, Some(0));
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (
            &json["auth_url"],
            &json["region"],
            &json["token"],
            &json["access_key"]
        ),
        (
            &json!("https://db.test:8443/v3"),
            &json!("eu-nl"),
            &json!(OTHER_TOKEN),
            &Value::Null
        )
    );
    let (_, shell, _) = env(
        &["--project", OTHER_PROJECT],
        &[("TAURUSDB_EMULATOR_FIXTURES", path)],
    );
    assert!(
        shell.contains(r"export OS_USERNAME='o'\''brien'"),
        "{shell}"
    );
    assert!(
        !shell.contains("HUAWEICLOUD_SDK_AK"),
        "no AK/SK in these fixtures: {shell}"
    );
    let (_, terraform, _) = env(
        &["--format", "terraform", "--project", OTHER_PROJECT],
        &[("TAURUSDB_EMULATOR_FIXTURES", path)],
    );
    assert!(
        terraform.contains(r#"  password    = "p\"w$${x}""#),
        "{terraform}"
    );
    let (_, yaml, _) = env(
        &["--format", "clouds-yaml"],
        &[("TAURUSDB_EMULATOR_FIXTURES", path)],
    );
    assert!(
        !yaml.contains("username"),
        "the first project has no user: {yaml}"
    );

    let (code, _, stderr) = env(&["--project", "nope"], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no project nope"), "{stderr}");
    let (code, _, stderr) = env(&[], &[("TAURUSDB_EMULATOR_FIXTURES", "/nonexistent.json")]);
    assert_eq!(code, Some(2), "{stderr}");
}

#[tokio::test]
async fn a_manual_clock_can_start_at_a_given_instant() {
    let running = start(
        &[
            "--port",
            "0",
            "--clock",
            "manual",
            "--start-time",
            "2026-01-01T00:00:00Z",
        ],
        &[],
    );
    let clock = get_json(&format!("{}/_emulator/clock", running.base)).await;
    assert_eq!(
        clock,
        json!({"now": "2026-01-01T00:00:00+0000", "mode": "manual"})
    );
}

#[test]
fn a_start_time_without_a_manual_clock_refuses_to_start() {
    let (code, stderr) = run_to_exit(&["--port", "0", "--start-time", "2026-01-01T00:00:00Z"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--clock manual"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_lets_requests_in_flight_finish_and_exits_0() {
    for signal in ["-TERM", "-INT"] {
        let mut running = start(&["--port", "0"], &[]);
        let faults = client()
            .post(format!("{}/_emulator/faults/requests", running.base))
            .json(&json!({"operation": "list", "delay": "600ms"}))
            .send()
            .await
            .unwrap();
        assert_eq!(faults.status().as_u16(), 201);
        let url = format!("{}/v3/{PROJECT}/backups", running.base);
        let in_flight = tokio::spawn(async move {
            client()
                .get(url)
                .header("X-Auth-Token", "t")
                .send()
                .await
                .map(|r| r.status().as_u16())
        });
        // The request has arrived once the fault counts it; it then waits 600 ms inside.
        let faults_url = format!("{}/_emulator/faults", running.base);
        wait_until_async("the request reaches the emulator", || async {
            get_json(&faults_url).await["requests"][0]["hits"] == 1
        })
        .await;
        let pid = running.child.id().to_string();
        assert!(
            Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap()
                .success()
        );
        assert_eq!(
            in_flight.await.unwrap().unwrap(),
            200,
            "{signal}: the request in flight is answered"
        );
        let code = wait_for_exit(&mut running.child, signal);
        assert_eq!(code, Some(0), "{signal}");
    }
}

/// Waits until the state file mentions `needle`.
fn wait_for_file(path: &std::path::Path, needle: &str) {
    wait_until(&format!("the state file holds {needle}"), || {
        std::fs::read_to_string(path).is_ok_and(|t| t.contains(needle))
    });
}

async fn post_json(url: String, body: Value) -> Value {
    client()
        .post(url)
        .header("X-Auth-Token", "t")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn with_a_state_file_a_killed_emulator_resumes_where_it_stopped() {
    let dir = temp_dir("state");
    let state = dir.join("state.json");
    let args = [
        "--port",
        "0",
        "--clock",
        "manual",
        "--state-file",
        state.to_str().unwrap(),
    ];
    let mut first = start(
        &[&args[..], &["--start-time", "2026-04-24T10:19:57Z"]].concat(),
        &[],
    );
    let create = format!("{}/v3/{PROJECT}/backups/create", first.base);
    let done = post_json(
        create.clone(),
        json!({"instance_id": INSTANCE, "name": "done"}),
    )
    .await;
    post_json(
        format!("{}/_emulator/clock/advance", first.base),
        json!({"seconds": 5}),
    )
    .await;
    let building = post_json(create, json!({"instance_id": INSTANCE, "name": "building"})).await;
    let building_id = building["backup"]["id"].as_str().unwrap().to_owned();
    // A catalogue of its own is kept too.
    post_json(
        format!("{}/_emulator/fixtures", first.base),
        json!({"catalog": {"templates": [{"id": "kept-template", "name": "Kept"}]}, "projects": []}),
    )
    .await;
    post_json(
        format!("{}/_emulator/clock/advance", first.base),
        json!({"seconds": 2}),
    )
    .await;
    wait_for_file(&state, &building_id);
    wait_for_file(&state, "2026-04-24T10:20:04Z");
    wait_for_file(&state, "kept-template");
    first.child.kill().unwrap(); // SIGKILL: no chance to save on the way out
    first.child.wait().unwrap();

    let second = start(&args, &[]);
    let clock = get_json(&format!("{}/_emulator/clock", second.base)).await;
    assert_eq!(clock["now"], "2026-04-24T10:20:04+0000");
    let list = get_json(&format!("{}/v3/{PROJECT}/backups", second.base)).await;
    assert_eq!(list["total_count"], 2);
    assert_eq!(list["backups"][0]["id"], building_id);
    assert_eq!(list["backups"][0]["status"], "BUILDING");
    assert_eq!(list["backups"][1]["id"], done["backup"]["id"]);
    assert_eq!(list["backups"][1]["status"], "COMPLETED");
    // The building backup kept its deadline: 3 more seconds.
    let advanced = post_json(
        format!("{}/_emulator/clock/advance", second.base),
        json!({"seconds": 3}),
    )
    .await;
    assert_eq!(
        advanced["transitions"][0]["backup_id"],
        building_id.as_str()
    );
    assert_eq!(advanced["transitions"][0]["at"], "2026-04-24T10:20:07+0000");
    let job = get_json(&format!(
        "{}/v3/{PROJECT}/jobs?id={}",
        second.base,
        done["job_id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(job["job"]["status"], "Completed");
    let templates = get_json(&format!("{}/v3/{PROJECT}/configurations", second.base)).await;
    assert_eq!(templates["configurations"][0]["id"], "kept-template");
    drop(second);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_corrupt_or_unknown_state_file_stops_the_start_and_is_left_alone() {
    let dir = temp_dir("corrupt");
    for (name, text) in [
        (
            "corrupt.json",
            "{\"format\": \"taurusdb-emulator-state\", \"versi",
        ),
        (
            "future.json",
            "{\"format\": \"taurusdb-emulator-state\", \"version\": 99}",
        ),
        ("other.json", "{\"projects\": []}"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let (code, stderr) = run_to_exit(&["--port", "0", "--state-file", path.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{name}");
        assert!(
            stderr.contains(name) && stderr.contains("left as it is"),
            "{name}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "{name} was not touched"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_graceful_stop_saves_the_state() {
    let dir = temp_dir("graceful");
    let state = dir.join("state.json");
    let mut running = start(
        &["--port", "0", "--state-file", state.to_str().unwrap()],
        &[],
    );
    running.stop_and_read_stderr();
    assert_eq!(running.child.wait().unwrap().code(), Some(0));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["format"], "taurusdb-emulator-state");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["projects"][0]["id"], PROJECT);
    assert!(!dir.join("state.json.tmp").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn info_logging_writes_one_access_line_per_request_to_stderr_only() {
    let mut running = start(
        &["--port", "0", "--log-level", "info", "--log-format", "json"],
        &[],
    );
    let response = client()
        .get(format!("{}/_emulator/health", running.base))
        .send()
        .await
        .unwrap();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let stderr = running.stop_and_read_stderr();
    let access: Vec<Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["target"] == "taurusdb_emulator::access")
        .collect();
    assert_eq!(access.len(), 1, "{stderr}");
    let fields = &access[0]["fields"];
    assert_eq!(fields["method"], "GET");
    assert_eq!(fields["path"], "/_emulator/health");
    assert_eq!(fields["status"], 200);
    assert_eq!(fields["request_id"], request_id.as_str());
    assert!(fields["duration_ms"].is_number());
}

#[tokio::test]
async fn text_logs_to_a_pipe_have_no_colour_codes_and_short_durations() {
    let mut running = start(&["--port", "0", "--log-level", "info"], &[]);
    client()
        .get(format!("{}/_emulator/health", running.base))
        .send()
        .await
        .unwrap();
    let stderr = running.stop_and_read_stderr();
    assert!(!stderr.contains('\x1b'), "colour codes in {stderr:?}");
    let access = stderr
        .lines()
        .find(|l| l.contains("/_emulator/health"))
        .unwrap_or_else(|| panic!("no access line in {stderr:?}"));
    let duration = access
        .split_whitespace()
        .find_map(|w| w.strip_prefix("duration_ms="))
        .unwrap_or_else(|| panic!("no duration in {access:?}"));
    let decimals = duration.split('.').nth(1).map_or(0, str::len);
    assert!(
        duration.parse::<f64>().is_ok() && decimals <= 3,
        "duration_ms={duration} is not milliseconds to the microsecond"
    );
}

#[tokio::test]
async fn the_readme_409_example_shows_the_headers_the_emulator_sends_but_the_date() {
    const README: &str = include_str!("../../README.md");
    let example: Vec<&str> = README
        .lines()
        .skip_while(|l| !l.starts_with("HTTP/1.1 409 Conflict"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    let mut documented: Vec<String> = example
        .iter()
        .map(|l| l.split(':').next().unwrap().to_owned())
        .collect();
    // The transcript leaves out the one header that differs from run to run.
    let command = README
        .lines()
        .find(|l| l.starts_with("$ curl -s -D - ") && l.contains("backup-3"))
        .unwrap();
    assert!(
        command.ends_with("| tr -d '\\r' | grep -v '^date:'"),
        "{command}"
    );
    documented.push("date".to_owned());
    documented.sort();
    let running = start(&["--port", "0"], &[]);
    post_json(
        format!("{}/_emulator/faults/requests", running.base),
        json!({"operation": "create", "count": 1, "status": 409,
               "error_code": "DBS.200019", "error_msg": "busy"}),
    )
    .await;
    let response = client()
        .post(format!("{}/v3/{PROJECT}/backups/create", running.base))
        .header("X-Auth-Token", "t")
        .json(&json!({"instance_id": INSTANCE, "name": "backup-3"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let mut sent: Vec<String> = response
        .headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .collect();
    sent.sort();
    assert_eq!(documented, sent);
}

/// Each flag of `--help` as (flag, environment variable, default), in the order shown.
fn help_options() -> Vec<(String, String, Option<String>)> {
    let help = std::process::Command::new(BINARY)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let mut options = Vec::new();
    for block in help.split("\n      --").skip(1) {
        let flag = format!("--{}", block.split([' ', '\n']).next().unwrap());
        let bracketed = |key: &str| {
            block
                .lines()
                .find_map(|l| l.trim().strip_prefix(key)?.strip_suffix(']'))
                .map(str::to_owned)
        };
        let Some(env) = bracketed("[env: ") else {
            continue; // --help and --version
        };
        let env = env.trim_end_matches('=').to_owned();
        options.push((flag, env, bracketed("[default: ")));
    }
    options
}

#[test]
fn the_readme_options_table_names_every_flag_with_its_variable_and_default_as_help_does() {
    const README: &str = include_str!("../../README.md");
    let table: Vec<Vec<&str>> = README
        .lines()
        .skip_while(|l| *l != "## Options")
        .skip_while(|l| !l.starts_with("| `--"))
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split(" | ").map(|c| c.trim_matches(['|', ' '])).collect())
        .collect();
    let code = |cell: &str| -> Vec<String> {
        cell.split(", ")
            .filter_map(|c| c.strip_prefix('`')?.strip_suffix('`'))
            .map(str::to_owned)
            .collect()
    };
    let mut documented = Vec::new();
    for row in &table {
        for (flag, env) in code(row[0]).into_iter().zip(code(row[1])) {
            // A default in code is a value; words (none, now, built in) say there is none.
            let default = code(row[2]).into_iter().next();
            documented.push((flag, env, default));
        }
    }
    let mut shown = help_options();
    documented.sort();
    shown.sort();
    assert!(shown.len() >= 25, "{shown:?}");
    assert_eq!(documented, shown);
}
