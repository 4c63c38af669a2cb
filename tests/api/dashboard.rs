//! The dashboard page and the event stream it follows (the page itself is driven in a real
//! browser by `tests/browser/`).

use std::time::Duration;

use axum::body::Body;
use axum::http::Method;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use taurusdb_emulator::http::routes;

use crate::helpers::*;

/// Enough for any one event, however slow the machine: events come at most every 200 ms.
const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

/// A server-sent event stream read frame by frame.
struct Events {
    body: Body,
    buffer: String,
}

/// One event: its name, id and JSON data.
struct Event {
    name: String,
    id: String,
    data: Value,
}

impl Events {
    async fn open(app: &TestApp, uri: &str) -> Self {
        let response = app.open(uri).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            body: response.into_body(),
            buffer: String::new(),
        }
    }

    /// The next event that carries data (keep-alive comments are skipped); `None` when the
    /// stream ended.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut id, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        name = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("id: ") {
                        id = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if data.is_empty() {
                    continue;
                }
                return Some(Event {
                    name,
                    id,
                    data: serde_json::from_str(&data).expect("event data is JSON"),
                });
            }
            let frame = tokio::time::timeout(EVENT_TIMEOUT, self.body.frame())
                .await
                .expect("an event within the timeout")?
                .expect("the stream reads");
            if let Ok(bytes) = frame.into_data() {
                self.buffer.push_str(std::str::from_utf8(&bytes).unwrap());
            }
        }
    }

    /// The next state event for which `wanted` holds, skipping those before it.
    async fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Event {
        loop {
            let event = self.next().await.expect("the stream goes on");
            if wanted(&event.data) {
                return event;
            }
        }
    }
}

fn project<'a>(state: &'a Value, id: &str) -> &'a Value {
    state["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no project {id} in {state}"))
}

fn backup_status(state: &Value, backup_id: &str) -> Option<String> {
    project(state, PROJECT)["backups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == backup_id)
        .map(|b| b["status"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn the_dashboard_is_one_page_that_loads_nothing_from_elsewhere() {
    let app = TestApp::new();
    let page = app.get("/_emulator/ui").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(page.headers["cache-control"], "no-store");
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    assert!(page.text.starts_with("<!doctype html>"));
    for outside in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
        "<script src",
    ] {
        assert!(!page.text.contains(outside), "the page loads {outside}…");
    }
}

#[tokio::test]
async fn the_dashboard_states_sizes_in_the_unit_of_the_api_which_is_mb() {
    // The list page types `size` as "Backup size in MB"; the README and fixtures say MB too.
    let page = TestApp::new().get("/_emulator/ui").await;
    assert!(page.text.contains("\"Size (MB)\""));
    assert!(!page.text.contains("KB"));
}

#[test]
fn every_control_path_the_page_calls_is_in_the_route_table() {
    // The page calls paths relative to /_emulator/ui.
    let page = include_str!("../../src/http/dashboard.html");
    for (called, route) in [
        ("new EventSource(\"events\")", "/_emulator/events"),
        ("\"clock/advance\"", "/_emulator/clock/advance"),
        ("\"lifecycle\"", "/_emulator/lifecycle"),
        ("\"reset?project_id=\"", "/_emulator/reset"),
        (
            "backupPath(b.id, \"complete\")",
            "/_emulator/backups/{backup_id}/complete",
        ),
        (
            "backupPath(b.id, \"fail\")",
            "/_emulator/backups/{backup_id}/fail",
        ),
        (
            "backupPath(b.id, \"hold\")",
            "/_emulator/backups/{backup_id}/hold",
        ),
        (
            "jobPath(j.id, \"complete\")",
            "/_emulator/jobs/{job_id}/complete",
        ),
        ("jobPath(j.id, \"fail\")", "/_emulator/jobs/{job_id}/fail"),
        ("jobPath(j.id, \"hold\")", "/_emulator/jobs/{job_id}/hold"),
    ] {
        assert!(page.contains(called), "the page no longer calls {called}");
        assert!(
            routes::CONTROL.iter().any(|r| r.path == route),
            "{route} is not served"
        );
    }
}

#[tokio::test]
async fn the_event_stream_starts_with_the_state_and_follows_each_change() {
    let app = TestApp::new();
    let mut events = Events::open(&app, "/_emulator/events").await;
    let first = events.next().await.unwrap();
    assert_eq!((first.name.as_str(), first.id.as_str()), ("state", "0"));
    assert_eq!(first.data["now"], "2026-04-24T10:19:57+0000");
    assert_eq!(first.data["clock"], "manual");
    assert_eq!(first.data["lifecycle"]["mode"], "time");
    assert_eq!(project(&first.data, PROJECT)["backup_count"], 0);
    assert_eq!(
        project(&first.data, PROJECT)["instances"][0]["backup_strategy"],
        json!({"start_time": "19:00-20:00", "keep_days": "7"})
    );
    assert_eq!(first.data["faults"], json!({"requests": [], "backups": []}));
    assert_eq!(first.data["requests"][0]["path"], "/_emulator/events");

    let created = app.create_ok(INSTANCE, "watched").await;
    let id = created["backup"]["id"].as_str().unwrap().to_owned();
    let building = events.until(|s| backup_status(s, &id).is_some()).await;
    assert_eq!(backup_status(&building.data, &id).unwrap(), "BUILDING");
    let shown = &project(&building.data, PROJECT)["backups"][0];
    assert_eq!(shown["finishes"], "at 2026-04-24T10:20:02+0000");
    assert_eq!(
        project(&building.data, PROJECT)["jobs"][0]["status"],
        "Running"
    );
    let newest = &building.data["requests"][0];
    assert_eq!(
        (&newest["method"], &newest["operation"], &newest["status"]),
        (&json!("POST"), &json!("create"), &json!(201))
    );
    assert!(building.id.parse::<u64>().unwrap() >= 1);

    let response = app
        .raw(
            Method::POST,
            &format!("/_emulator/backups/{id}/complete"),
            &[("content-type", "application/json")],
            Body::empty(),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.text);
    let completed = events
        .until(|s| backup_status(s, &id).as_deref() == Some("COMPLETED"))
        .await;
    assert_eq!(
        project(&completed.data, PROJECT)["jobs"][0]["status"],
        "Completed"
    );
    assert!(completed.id.parse::<u64>().unwrap() > building.id.parse::<u64>().unwrap());
}

#[tokio::test]
async fn the_event_stream_follows_one_project_when_asked() {
    let app = TestApp::new();
    let mut events = Events::open(
        &app,
        &format!("/_emulator/events?project_id={OTHER_PROJECT}"),
    )
    .await;
    let first = events.next().await.unwrap();
    let projects = first.data["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0]["id"], OTHER_PROJECT);
}

#[tokio::test]
async fn the_event_stream_shows_the_newest_hundred_backups_and_jobs_and_counts_them_all() {
    let backups: Vec<Value> = (0..130)
        .map(|n| {
            json!({"instance_id": INSTANCE, "type": "manual", "name": format!("b{n:03}"),
                   "begin_time": format!("2026-04-01T{:02}:{:02}:00+0000", n / 60, n % 60)})
        })
        .collect();
    let fixtures = json!({"projects": [{"id": PROJECT, "tokens": [TOKEN],
        "instances": [{"id": INSTANCE}], "backups": backups}]});
    let app = TestApp::with_fixtures(&fixtures.to_string());
    // Jobs of backups made through the API, one of them deleted since (its job stays).
    for name in ["api-1", "api-2", "api-3"] {
        app.create_ok(INSTANCE, name).await;
        app.advance(60.0).await;
    }
    let deleted = app.list("").await.json()["backups"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app.delete(&deleted).await;
    assert_eq!(response.status, 200, "{}", response.text);

    let mut events = Events::open(&app, "/_emulator/events").await;
    let state = events.next().await.unwrap().data;
    let shown = project(&state, PROJECT);
    assert_eq!(shown["backup_count"], 132);
    assert_eq!(shown["backups"].as_array().unwrap().len(), 100);
    assert_eq!(shown["backups"][0]["name"], "api-3");
    assert_eq!(shown["backups"][2]["name"], "b129");
    assert_eq!(shown["backups"][99]["name"], "b032");
    // The state endpoint still shows everything, jobs oldest first; the view shows the
    // newest jobs, newest first.
    let full = app.get("/_emulator/state").await.json();
    let full = project(&full, PROJECT);
    assert_eq!(full["backups"].as_array().unwrap().len(), 132);
    let mut all_jobs = full["jobs"].as_array().unwrap().clone();
    assert_eq!(shown["job_count"], all_jobs.len());
    assert_eq!(full["job_count"], all_jobs.len());
    all_jobs.reverse();
    all_jobs.truncate(100);
    assert_eq!(shown["jobs"].as_array().unwrap(), &all_jobs);
    assert!(
        all_jobs
            .iter()
            .any(|j| j["entities"]["resource_ids"][0] == deleted)
    );
}

#[tokio::test]
async fn a_closed_event_stream_leaves_nothing_waiting() {
    let app = TestApp::new();
    let mut events = Events::open(&app, "/_emulator/events").await;
    events.next().await.unwrap();
    assert_eq!(
        app.emulator
            .waiters
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    drop(events);
    assert_eq!(
        app.emulator
            .waiters
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
}

#[tokio::test]
async fn a_stopping_emulator_ends_its_event_streams_and_stops() {
    let app = TestApp::new();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(taurusdb_emulator::serve(
        listener,
        app.emulator.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut stream = reqwest::Client::new()
        .get(format!("{base}/_emulator/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let first = tokio::time::timeout(EVENT_TIMEOUT, stream.chunk())
        .await
        .unwrap()
        .unwrap()
        .expect("a first event");
    assert!(first.starts_with(b"event: state\n"));
    stop.send(()).unwrap();
    // The stream ends (rather than holding the stop for its grace period) and serve returns.
    let rest = tokio::time::timeout(EVENT_TIMEOUT, async {
        while stream.chunk().await.ok().flatten().is_some() {}
    })
    .await;
    assert!(rest.is_ok(), "the event stream did not end");
    tokio::time::timeout(EVENT_TIMEOUT, server)
        .await
        .expect("serve returns")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_busy_emulator_sends_at_most_one_event_per_200_ms() {
    let app = std::sync::Arc::new(TestApp::new());
    let mut events = Events::open(&app, "/_emulator/events").await;
    events.next().await.unwrap();
    // Every request changes the journal, so each would be worth an event. A request every
    // 2 ms, for at most 30 s; stopped after the events were read.
    let busy = {
        let app = app.clone();
        tokio::spawn(async move {
            for _ in 0..15_000 {
                app.list("").await;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let mut arrivals = vec![std::time::Instant::now()];
    for _ in 0..3 {
        events.next().await.unwrap();
        arrivals.push(std::time::Instant::now());
    }
    busy.abort();
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(195), "events {gap:?} apart");
    }
}

#[tokio::test]
async fn the_event_stream_shows_the_first_hundred_instances_and_the_newest_fifty_faults() {
    // Before: every instance and every fault ever set went into each event (2 000 faults:
    // 120 MB/s to one dashboard). Bound: 300 instances, 120 faults of each kind.
    let instances: Vec<Value> = (0..300)
        .map(|i| json!({"id": format!("{i:032x}in07")}))
        .collect();
    let app = TestApp::with_fixtures(
        &json!({"projects": [{"id": PROJECT, "instances": instances}]}).to_string(),
    );
    for n in 0..120 {
        for (path, body) in [
            (
                "/_emulator/faults/requests",
                json!({"operation": "list", "count": n + 1, "delay": "1ms"}),
            ),
            ("/_emulator/faults/backups", json!({"count": n + 1})),
        ] {
            let response = app
                .raw(
                    Method::POST,
                    path,
                    &[("content-type", "application/json")],
                    body.to_string(),
                )
                .await;
            assert_eq!(response.status, 201, "{}", response.text);
        }
    }
    let mut events = Events::open(&app, "/_emulator/events").await;
    let view = events.next().await.unwrap().data;
    let project = project(&view, PROJECT);
    assert_eq!(project["instances"].as_array().unwrap().len(), 100);
    assert_eq!(project["instance_count"], 300);
    assert_eq!(project["instances"][0]["id"], format!("{:032x}in07", 0));
    for kind in ["requests", "backups"] {
        let faults = view["faults"][kind].as_array().unwrap();
        assert_eq!(faults.len(), 50, "{kind}");
        assert_eq!(
            faults[49]["remaining"], 120,
            "the newest {kind} fault is last"
        );
    }
}

#[tokio::test]
async fn the_event_stream_shows_a_restore_and_a_created_instance_as_they_run() {
    let app = TestApp::new();
    let backup = app.create_ok(INSTANCE, "to-restore").await;
    app.advance(5.0).await;
    let mut events = Events::open(&app, "/_emulator/events").await;
    events.next().await.unwrap();
    let restore = app
        .raw(
            Method::POST,
            &format!("/v3/{PROJECT}/instances/restore"),
            &[
                ("x-auth-token", TOKEN),
                ("content-type", "application/json"),
            ],
            json!({"source_instance_id": INSTANCE, "target_instance_id": SECOND_INSTANCE,
                   "type": "backup", "backup_id": backup["backup"]["id"]})
            .to_string(),
        )
        .await;
    assert_eq!(restore.status, 200, "{}", restore.text);
    let job_id = restore.json()["job_id"].as_str().unwrap().to_owned();
    let instance_status = |state: &Value, id: &str| {
        project(state, PROJECT)["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .map(|i| i["status"].as_str().unwrap().to_owned())
    };
    let restoring = events
        .until(|s| instance_status(s, SECOND_INSTANCE).as_deref() == Some("RESTORING"))
        .await;
    let job = &project(&restoring.data, PROJECT)["jobs"][0];
    assert_eq!(
        (&job["id"], &job["name"], &job["status"]),
        (
            &json!(job_id),
            &json!("RestoreGaussDBforMySQLInstance"),
            &json!("Running")
        )
    );
    app.advance(5.0).await;
    let done = events
        .until(|s| instance_status(s, SECOND_INSTANCE).as_deref() == Some("ACTIVE"))
        .await;
    assert_eq!(
        project(&done.data, PROJECT)["jobs"][0]["status"],
        "Completed"
    );
}
