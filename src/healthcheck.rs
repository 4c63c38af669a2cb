//! `taurusdb-emulator healthcheck`: asks a running emulator whether it is healthy, so a
//! container image needs no curl. A plain HTTP/1.1 GET over a socket (or TLS, trusting the
//! certificate it is given; without one, on a loopback address only, taking the server's), with
//! timeouts.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long the check may take to connect, and then to read the answer.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The health URL of an emulator on this host, on `port`, over TLS or not.
pub fn default_url(port: u16, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://127.0.0.1:{port}/_emulator/health")
}

/// Checks `url` (`http://HOST:PORT/PATH`): `Ok` when it answers 200 `{"status": "ok"}`, else
/// what went wrong.
pub fn check(url: &str, ca_pem: Option<&[u8]>) -> Result<(), String> {
    let (tls, rest) = match (url.strip_prefix("http://"), url.strip_prefix("https://")) {
        (Some(rest), _) => (false, rest),
        (_, Some(rest)) => (true, rest),
        _ => return Err(format!("{url:?} is not an http:// or https:// URL")),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/_emulator/health"),
    };
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority} has no address"))?;
    let stream = TcpStream::connect_timeout(&addr, TIMEOUT)
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    let answer = if tls {
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host)
            .trim_start_matches('[')
            .trim_end_matches(']');
        // A certificate to trust is checked; without one, only a probe of this machine's own
        // loopback (a container's health check, whose emulator made its CA in memory) goes on,
        // taking the certificate the server shows.
        let config = match ca_pem {
            Some(ca) => crate::tls::client_config(ca)?,
            None if addr.ip().is_loopback() => crate::tls::loopback_probe_config()?,
            None => {
                return Err(
                    "an https:// URL other than a loopback one needs the certificate \
                            to trust: --ca FILE (or TAURUSDB_EMULATOR_TLS_CA_OUT)"
                        .to_owned(),
                );
            }
        };
        let name = rustls::pki_types::ServerName::try_from(host.to_owned())
            .map_err(|e| format!("{host:?} is not a host name: {e}"))?;
        let connection = rustls::ClientConnection::new(config, name).map_err(|e| e.to_string())?;
        exchange(rustls::StreamOwned::new(connection, stream), &request)?
    } else {
        exchange(stream, &request)?
    };
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

/// Sends `request` and reads the answer until the server closes (at most 64 KiB).
fn exchange(mut stream: impl Read + Write, request: &str) -> Result<Vec<u8>, String> {
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("cannot send the request: {e}"))?;
    let mut answer = Vec::new();
    match stream.take(64 * 1024).read_to_end(&mut answer) {
        Ok(_) => Ok(answer),
        // A TLS server that closes without close_notify still sent a whole answer.
        Err(_) if !answer.is_empty() => Ok(answer),
        Err(e) => Err(format!("no answer: {e}")),
    }
}
