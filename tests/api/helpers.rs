//! A test emulator per test: in-process router on a manual clock, plus request helpers.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::{DateTime, TimeDelta, Utc};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use taurusdb_emulator::clock::{Clock, ManualClock};
use taurusdb_emulator::config::AuthMode;
use taurusdb_emulator::fixtures::Fixtures;
use taurusdb_emulator::{Emulator, Settings, router};
use tower::ServiceExt;

/// The built binary, for tests on a real socket.
pub(crate) const BINARY: &str = env!("CARGO_BIN_EXE_taurusdb-emulator");

/// The documentation's example project and instance, in the built-in fixtures.
pub(crate) const PROJECT: &str = "619d3e78f61b4be68bc5aa0b59edcf7b";
pub(crate) const INSTANCE: &str = "07033b125fd94a8a96896f8bcfee6ddain07";
/// The token the built-in fixtures list for `PROJECT`.
pub(crate) const TOKEN: &str = "taurusdb-emulator-token";

/// A second project with instances in every interesting state, for strict auth and isolation.
pub(crate) const OTHER_PROJECT: &str = "0123456789abcdef0123456789abcdef";
pub(crate) const OTHER_TOKEN: &str = "other-project-token";
pub(crate) const OTHER_INSTANCE: &str = "fedcba9876543210fedcba9876543210in07";
pub(crate) const REBOOTING_INSTANCE: &str = "11111111111111111111111111111111in07";
pub(crate) const FROZEN_INSTANCE: &str = "22222222222222222222222222222222in07";
pub(crate) const FULL_INSTANCE: &str = "33333333333333333333333333333333in07";
pub(crate) const SECOND_INSTANCE: &str = "44444444444444444444444444444444in07";

pub(crate) fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-04-24T10:19:57Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn fixtures() -> Fixtures {
    Fixtures::parse(
        &json!({"projects": [
            {"id": PROJECT, "name": "eu-de", "tokens": [TOKEN], "instances": [
                {"id": INSTANCE, "name": "taurusdb-instance01", "status": "ACTIVE"},
                {"id": SECOND_INSTANCE, "name": "taurusdb-instance02"},
                {"id": REBOOTING_INSTANCE, "name": "rebooting", "status": "REBOOTING"},
                {"id": FROZEN_INSTANCE, "name": "frozen", "status": "FROZEN"},
                {"id": FULL_INSTANCE, "name": "full", "status": "STORAGE FULL"}
            ]},
            {"id": OTHER_PROJECT, "name": "eu-nl", "tokens": [OTHER_TOKEN], "instances": [
                {"id": OTHER_INSTANCE, "name": "other"}
            ]}
        ]})
        .to_string(),
    )
    .unwrap()
}

/// A create-instance body as Terraform sends it, on the built-in network, single-AZ in
/// eu-de-01 with no read replica, with `changes` laid over it (any key of the request; a
/// `null` leaves the key out).
pub(crate) fn instance_body(name: &str, changes: Value) -> Value {
    let mut body = json!({
        "name": name, "region": "eu-de",
        "datastore": {"type": "gaussdb-mysql", "version": "8.0"},
        "mode": "Cluster", "flavor_ref": "gaussdb.mysql.xlarge.x86.4",
        "vpc_id": "3cedfc54-b105-4652-a4e0-847b11576b58",
        "subnet_id": "c1cfa53c-65d3-431e-8552-326bf310c7ad",
        "password": "Test@12345678", "availability_zone_mode": "single",
        "master_availability_zone": "eu-de-01", "slave_count": 0
    });
    let fields = body.as_object_mut().unwrap();
    for (key, value) in changes.as_object().expect("changes are an object") {
        if value.is_null() {
            fields.remove(key);
        } else {
            fields.insert(key.clone(), value.clone());
        }
    }
    body
}

pub(crate) struct TestApp {
    pub emulator: Arc<Emulator>,
    pub clock: Arc<ManualClock>,
    router: Router,
}

pub(crate) struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl TestResponse {
    /// The body as JSON; panics with the body text when it is not JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.text))
    }

    /// Asserts the whole error answer: status, body and the JSON content type.
    pub(crate) fn assert_error(&self, status: u16, code: &str, msg: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(self.json(), json!({"error_code": code, "error_msg": msg}));
        self.assert_json_content_type();
    }

    /// Asserts a gateway error (`APIGW.*`) whole: its body also carries the request id, the
    /// same as the `X-Request-Id` header.
    pub(crate) fn assert_gateway_error(&self, status: u16, code: &str, msg: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(
            self.json(),
            json!({"error_code": code, "error_msg": msg, "request_id": self.request_id()})
        );
        self.assert_json_content_type();
    }

    /// Asserts a control API refusal whole: 400 `DBS.200001`, a body of exactly the code and
    /// the API's parameter error, followed by what was wrong when the emulator can say it (a
    /// body of the wrong shape gets the bare message).
    pub(crate) fn assert_control_refusal(&self, what: &str) {
        assert_eq!(self.status.as_u16(), 400, "{what}: {}", self.text);
        let body = self.json();
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["error_code", "error_msg"], "{what}");
        assert_eq!(body["error_code"], "DBS.200001", "{what}");
        let msg = body["error_msg"].as_str().unwrap();
        assert!(
            msg == "Parameter error." || msg.starts_with("Parameter error. "),
            "{what}: {msg}"
        );
        self.assert_json_content_type();
    }

    pub(crate) fn assert_json_content_type(&self) {
        assert_eq!(
            self.headers
                .get("content-type")
                .map(|v| v.to_str().unwrap()),
            Some("application/json;charset=UTF-8")
        );
    }

    pub(crate) fn request_id(&self) -> String {
        self.headers
            .get("x-request-id")
            .expect("every response has X-Request-Id")
            .to_str()
            .unwrap()
            .to_owned()
    }
}

impl TestApp {
    /// Loose auth, a manual clock at `start_time()`, backups that take 5 s.
    pub(crate) fn new() -> Self {
        Self::with_settings(Settings::default())
    }

    pub(crate) fn strict() -> Self {
        Self::with_settings(Settings {
            auth: AuthMode::Strict,
            ..Settings::default()
        })
    }

    /// Backups that take `duration`.
    pub(crate) fn with_duration(duration: TimeDelta) -> Self {
        let mut settings = Settings::default();
        settings.lifecycle.backup_duration = duration;
        Self::with_settings(settings)
    }

    /// Other fixtures, loose auth and the default lifecycle.
    pub(crate) fn with_fixtures(json: &str) -> Self {
        Self::build(&Fixtures::parse(json).unwrap(), Settings::default())
    }

    /// Other fixtures and other settings.
    pub(crate) fn with_fixtures_and_settings(json: &str, settings: Settings) -> Self {
        Self::build(&Fixtures::parse(json).unwrap(), settings)
    }

    pub(crate) fn with_settings(settings: Settings) -> Self {
        Self::build(&fixtures(), settings)
    }

    fn build(fixtures: &Fixtures, settings: Settings) -> Self {
        let clock = Arc::new(ManualClock::new(start_time()));
        let emulator = Emulator::new(fixtures, clock.clone(), settings);
        Self {
            router: router(emulator.clone()),
            emulator,
            clock,
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The response as it comes, for bodies that do not end (event streams).
    pub(crate) async fn open(&self, uri: &str) -> axum::response::Response {
        let request = Request::get(uri).body(Body::empty()).unwrap();
        self.router.clone().oneshot(request).await.unwrap()
    }

    pub(crate) async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            text: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
        }
    }

    /// A request with the given headers and raw body.
    pub(crate) async fn raw(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(body.into()).unwrap()).await
    }

    /// A GET with these headers.
    pub(crate) async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> TestResponse {
        self.raw(Method::GET, uri, headers, Body::empty()).await
    }

    /// A POST with these headers and body.
    pub(crate) async fn post_with(
        &self,
        uri: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> TestResponse {
        self.raw(Method::POST, uri, headers, body.to_owned()).await
    }

    /// `PUT /_emulator/lifecycle` with this body, which must be taken (200).
    pub(crate) async fn set_lifecycle(&self, body: Value) {
        let response = self
            .raw(
                Method::PUT,
                "/_emulator/lifecycle",
                &[("content-type", "application/json")],
                body.to_string(),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    }

    /// A control POST, declared JSON as every control client must, with this body.
    pub(crate) async fn control_post(&self, uri: &str, body: &str) -> TestResponse {
        self.post_with(uri, &[("content-type", "application/json")], body)
            .await
    }

    /// An emulator started from `snapshot` (a `GET /_emulator/snapshot` body) holds it
    /// again after a reset, whole or of each of its projects: the emulator keeps its starting
    /// fixtures as compact text, and every part of the format must read back as it was.
    pub(crate) async fn assert_a_reset_returns_to(snapshot: &Value) {
        let app = TestApp::with_fixtures(&snapshot.to_string());
        let started = app.get("/_emulator/snapshot").await.json();
        let mut resets = vec!["/_emulator/reset".to_owned()];
        for project in started["projects"].as_array().unwrap() {
            resets.push(format!(
                "/_emulator/reset?project_id={}",
                project["id"].as_str().unwrap()
            ));
        }
        for reset in resets {
            let answer = app.control_post(&reset, "").await;
            assert_eq!(answer.status, StatusCode::OK, "{reset}: {}", answer.text);
            assert_eq!(
                app.get("/_emulator/snapshot").await.json(),
                started,
                "after {reset}"
            );
        }
    }

    /// `POST /v3/{PROJECT}/backups/create` with a token and a JSON body.
    pub(crate) async fn create(&self, body: Value) -> TestResponse {
        self.create_in(PROJECT, TOKEN, body).await
    }

    pub(crate) async fn create_in(&self, project: &str, token: &str, body: Value) -> TestResponse {
        self.raw(
            Method::POST,
            &format!("/v3/{project}/backups/create"),
            &[
                ("x-auth-token", token),
                ("content-type", "application/json"),
            ],
            body.to_string(),
        )
        .await
    }

    /// Creates a backup of `instance` that must succeed; returns the 201 body.
    pub(crate) async fn create_ok(&self, instance: &str, name: &str) -> Value {
        let response = self
            .create(json!({"instance_id": instance, "name": name}))
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        response.json()
    }

    /// Creates a backup in `OTHER_PROJECT` with its own token, which must succeed; returns the
    /// 201 body.
    pub(crate) async fn create_other_ok(&self) -> Value {
        let response = self
            .create_in(
                OTHER_PROJECT,
                OTHER_TOKEN,
                json!({"instance_id": OTHER_INSTANCE, "name": "other-1"}),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
        response.json()
    }

    /// `DELETE /v3/{PROJECT}/backups/{id}` as the Huawei SDK sends it: the project's token, a
    /// JSON content type and no body.
    pub(crate) async fn delete(&self, id: &str) -> TestResponse {
        self.raw(
            Method::DELETE,
            &format!("/v3/{PROJECT}/backups/{id}"),
            &[
                ("x-auth-token", TOKEN),
                ("content-type", "application/json"),
            ],
            Body::empty(),
        )
        .await
    }

    /// `{method} /v3/{PROJECT}{path}` as the SDKs send it: the token, a JSON content type, the
    /// body if there is one.
    pub(crate) async fn api(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> TestResponse {
        self.raw(
            method,
            &format!("/v3/{PROJECT}{path}"),
            &[
                ("x-auth-token", TOKEN),
                ("content-type", "application/json"),
            ],
            body.map_or_else(Body::empty, |b| Body::from(b.to_string())),
        )
        .await
    }

    /// A GET with the project's token.
    pub(crate) async fn get(&self, uri: &str) -> TestResponse {
        self.raw(Method::GET, uri, &[("x-auth-token", TOKEN)], Body::empty())
            .await
    }

    /// `GET /v3/{PROJECT}/backups?{query}`.
    pub(crate) async fn list(&self, query: &str) -> TestResponse {
        self.get(&format!("/v3/{PROJECT}/backups?{query}")).await
    }

    /// The one backup with this id, as the list shows it.
    pub(crate) async fn backup(&self, id: &str) -> Value {
        let body = self.list(&format!("backup_id={id}")).await.json();
        assert_eq!(body["total_count"], 1, "{body}");
        body["backups"][0].clone()
    }

    /// `GET /v3/{PROJECT}/jobs?id={id}`.
    pub(crate) async fn job(&self, id: &str) -> TestResponse {
        self.get(&format!("/v3/{PROJECT}/jobs?id={id}")).await
    }

    /// Moves the clock through the control endpoint, as a test suite would.
    pub(crate) async fn advance(&self, seconds: f64) -> Value {
        let response = self
            .raw(
                Method::POST,
                "/_emulator/clock/advance",
                &[("content-type", "application/json")],
                json!({ "seconds": seconds }).to_string(),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text);
        response.json()
    }

    /// Moves the clock without going through HTTP, leaving transitions to the next read.
    pub(crate) fn advance_quietly(&self, by: TimeDelta) {
        self.clock.advance(by).expect("within the clock's range");
    }
}

/// A running emulator process, killed when dropped.
pub(crate) struct Running {
    pub child: Child,
    pub base: String,
    pub line: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Stops the emulator with SIGTERM and returns all it wrote to standard error.
    pub(crate) fn stop_and_read_stderr(&mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        self.child.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut stderr).unwrap();
        stderr
    }
}

/// Starts the binary and waits (at most 10 s) for its startup line.
pub(crate) fn start(args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut command = Command::new(BINARY);
    command.args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    start_command(command)
}

/// Starts `command` (the binary, or something that runs it) and waits (at most 10 s) for the
/// emulator's startup line.
pub(crate) fn start_command(mut command: Command) -> Running {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a startup line within 10 s");
    let line = line.trim_end().to_owned();
    let base = line
        .strip_prefix("taurusdb-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected startup line {line:?}"))
        .to_owned();
    Running { child, base, line }
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// The JSON a GET of `url` answers, with a token (any is good in loose auth).
pub(crate) async fn get_json(url: &str) -> Value {
    client()
        .get(url)
        .header("X-Auth-Token", TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// An emulator of these fixtures and settings on the system clock, served in this process on
/// a port the system picks.
pub(crate) async fn serve(
    fixtures: &Fixtures,
    settings: Settings,
) -> (Arc<Emulator>, std::net::SocketAddr) {
    let emulator = Emulator::new(
        fixtures,
        Arc::new(taurusdb_emulator::clock::SystemClock::new()),
        settings,
    );
    let addr = taurusdb_emulator::spawn(emulator.clone()).await.unwrap();
    (emulator, addr)
}

/// Runs the binary until it exits (at most 10 s): its exit code and standard error.
pub(crate) fn run_to_exit(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(BINARY)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let code = wait_for_exit(&mut child, "the binary");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (code, stderr)
}

/// A fresh, empty folder for one test (named for it and this process).
pub(crate) fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("taurusdb-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// --- waiting and raw sockets ----------------------------------------------------------------
//
// The one harness for tests that wait on something outside the test (a process, a file, a
// socket): each wait polls a condition and fails after [`HANG_GUARD`], which guards against a
// hang and asserts nothing about speed.

/// How long a test waits for something that should happen before it calls it a hang.
pub(crate) const HANG_GUARD: Duration = Duration::from_secs(10);

/// Polls `condition` until it holds; fails, naming `what`, after [`HANG_GUARD`].
pub(crate) fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + HANG_GUARD;
    while !condition() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// [`wait_until`] for conditions that need the async runtime.
pub(crate) async fn wait_until_async<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + HANG_GUARD;
    while !condition().await {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until `child` exits and returns its exit code.
pub(crate) fn wait_for_exit(child: &mut Child, what: &str) -> Option<i32> {
    let mut code = None;
    wait_until(&format!("{what} exits"), || {
        match child.try_wait().unwrap() {
            Some(status) => {
                code = status.code();
                true
            }
            None => false,
        }
    });
    code
}

/// A raw connection to a running emulator.
pub(crate) fn connect(base: &str) -> TcpStream {
    let stream = TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
}

/// Reads a whole answer until the server closes or the timeout: status line and body.
pub(crate) fn read_answer(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                answer.extend_from_slice(&buffer[..n]);
                if let Some(head_end) = find(&answer, b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&answer[..head_end]).to_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .and_then(|v| v.trim().parse::<usize>().ok());
                    if length.is_some_and(|n| answer.len() >= head_end + 4 + n) {
                        break;
                    }
                }
            }
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether a raw connection was closed by the server (it reads end of stream or a reset).
pub(crate) fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut byte = [0u8; 1];
    !matches!(stream.read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
        || e.kind() == std::io::ErrorKind::TimedOut)
}

/// Reads until the server closes or `limit` passes; returns what arrived and whether it closed.
pub(crate) fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0_u8; 4096];
    while started.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&received).into_owned(), true),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return (String::from_utf8_lossy(&received).into_owned(), true),
        }
    }
    (String::from_utf8_lossy(&received).into_owned(), false)
}
