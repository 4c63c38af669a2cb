//! `taurusdb-emulator healthcheck`: asks a running emulator whether it is healthy, so a
//! container image needs no curl. A plain HTTP/1.1 GET over a socket, with timeouts.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long the check may take to connect, and then to read the answer.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The health URL of an emulator on this host, on `port`.
pub fn default_url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/_emulator/health")
}

/// Checks `url` (`http://HOST:PORT/PATH`): `Ok` when it answers 200 `{"status": "ok"}`, else
/// what went wrong.
pub fn check(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url:?} is not an http:// URL"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/_emulator/health"),
    };
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority} has no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut answer = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut answer)
        .map_err(|e| format!("no answer: {e}"))?;
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or_default();
    if !status_line.starts_with("HTTP/1.1 200") {
        return Err(format!("unhealthy: {status_line:?}"));
    }
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let healthy =
        serde_json::from_str::<serde_json::Value>(body).is_ok_and(|v| v["status"] == "ok");
    if healthy {
        Ok(())
    } else {
        Err(format!("unhealthy: {body:?}"))
    }
}
