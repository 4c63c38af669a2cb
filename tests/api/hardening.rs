//! Hostile and long-running use: each test reproduces an attack on the built binary or the
//! router, bounded in load and time (the bound is in its name or comment), and checks that the
//! emulator neither grows, wedges, loses data nor obeys a stranger.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::*;

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap()
}

/// A raw connection to a running emulator.
fn connect(base: &str) -> TcpStream {
    let stream = TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
}

/// Reads a whole answer until the server closes or the timeout: status line and body.
fn read_answer(stream: &mut TcpStream) -> String {
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

#[test]
fn bodies_trickled_a_byte_a_segment_cost_their_size_not_a_read_buffer_each() {
    // Bound: 8 connections × 24 500 bytes, one byte per TCP segment, to the IAM route (which
    // had no body timeout). Before: ~4 KB of memory held per byte (about 800 MB here, kept
    // after the connections closed). Now: the bytes themselves, in one buffer per request.
    let running = start(&["--port", "0"], &[]);
    let pid = running.child.id();
    let before = rss_kib(pid);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let base = running.base.clone();
            std::thread::spawn(move || {
                let mut stream = connect(&base);
                let length = 24_500;
                write!(
                    stream,
                    "POST /v3/auth/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                     Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
                )
                .unwrap();
                for _ in 0..length {
                    if stream.write_all(b" ").is_err() {
                        break;
                    }
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
    assert!(grown_mib < 48, "memory grew by {grown_mib} MiB");
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
    let started = Instant::now();
    let answer = read_answer(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(
        r#"{"error_code":"DBS.200001","error_msg":"Parameter error. The request body did not arrive in time."}"#
    ));
    assert!(started.elapsed() < Duration::from_secs(10));
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

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("taurusdb-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
    let (status, _) = call(
        "POST",
        &format!("{}/v3/{PROJECT}/backups/create", running.base),
        Some(json!({"instance_id": INSTANCE, "name": "last-day"})),
    )
    .await;
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
