//! Who may use the control plane (`/_emulator/…` but `health`). A web page the developer
//! happens to open must not reset or read their emulator: requests from another origin, to a
//! host name the emulator does not answer to (DNS rebinding), and state-changing requests not
//! declared as JSON (which no HTML form can send) are refused. With `--control-token`, every
//! control request must present it; with `--control-plane off` there is none.

use axum::extract::Request;
use axum::http::header::{COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::same_secret;
use crate::emulator::{ControlAccess, Emulator};
use crate::error::ApiError;

/// The header a client presents the control token in.
pub const TOKEN_HEADER: &str = "x-emulator-token";
/// The cookie the dashboard keeps it in, once opened as `/_emulator/ui?token=…`.
pub const TOKEN_COOKIE: &str = "taurusdb-emulator-token";

impl ControlAccess {
    /// Whether a request to this host name (no port) may use the control plane.
    pub fn host_allowed(&self, name: &str) -> bool {
        let name = name.trim_start_matches('[').trim_end_matches(']');
        let name = name.strip_suffix('.').unwrap_or(name);
        name.parse::<std::net::IpAddr>().is_ok()
            || name.eq_ignore_ascii_case("localhost")
            || name.to_ascii_lowercase().ends_with(".localhost")
            || name.eq_ignore_ascii_case(&self.listen_host)
            || self
                .allowed_hosts
                .iter()
                .any(|h| h == "*" || h.eq_ignore_ascii_case(name))
    }
}

/// The check in front of every control route but `health`: the answer to give instead of the
/// route's, if the request is refused.
pub(super) fn refusal(emulator: &Emulator, request: &Request) -> Option<Response> {
    let access = &emulator.settings.control;
    if access.disabled {
        return Some(ApiError::ResourceNotFound.into_response());
    }
    if let Err(e) = check(access, request.method(), request.headers()) {
        return Some(e.into_response());
    }
    if let Some(token) = &access.token
        && !presents(request.headers(), token)
    {
        // The dashboard, opened as ui?token=…: keep the token in a cookie for the page's own
        // requests and its event stream, and drop it from the address bar.
        if let Some(given) = query_token(request)
            && same_secret(given, token)
        {
            return Some(remember(given));
        }
        return Some(ApiError::ControlTokenMissing.into_response());
    }
    None
}

/// The origin, host and content-type rules.
fn check(access: &ControlAccess, method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    if !access.host_allowed(host_name(host)) {
        return Err(ApiError::ControlForbidden(
            "the control API does not answer to this host name (add it with --allowed-host)",
        ));
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let same = origin.to_str().is_ok_and(|o| {
            o.strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"))
                .is_some_and(|authority| authority.eq_ignore_ascii_case(host))
        });
        if !same {
            return Err(ApiError::ControlForbidden(
                "the control API answers requests from its own pages only",
            ));
        }
    }
    if headers
        .get("sec-fetch-site")
        .is_some_and(|s| s.as_bytes() == b"cross-site")
    {
        return Err(ApiError::ControlForbidden(
            "the control API answers requests from its own pages only",
        ));
    }
    if method == Method::POST && !super::extract::is_json(headers) {
        return Err(ApiError::ControlParameter(
            "Control requests that change state declare Content-Type: application/json.".to_owned(),
        ));
    }
    Ok(())
}

/// `name` of `name:port`, `[v6]` of `[v6]:port`.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// Whether the request carries `token` in the header or the cookie.
fn presents(headers: &HeaderMap, token: &str) -> bool {
    let header = headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| same_secret(v, token));
    header
        || headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(name, value)| name == TOKEN_COOKIE && same_secret(value, token))
}

/// `token=…` of `GET /_emulator/ui?token=…`.
fn query_token(request: &Request) -> Option<&str> {
    if request.method() != Method::GET || !request.uri().path().ends_with("/_emulator/ui") {
        return None;
    }
    request
        .uri()
        .query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
}

/// A redirect to the dashboard that leaves the token in a same-site, script-proof cookie.
fn remember(token: &str) -> Response {
    let cookie = format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, "ui".to_owned()), (SET_COOKIE, cookie)],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access() -> ControlAccess {
        ControlAccess {
            allowed_hosts: vec!["taurusdb".into()],
            listen_host: "127.0.0.1".into(),
            ..ControlAccess::default()
        }
    }

    #[test]
    fn loopback_names_addresses_and_allowed_names_are_answered() {
        let access = access();
        for name in [
            "localhost",
            "LOCALHOST",
            "app.localhost",
            "127.0.0.1",
            "[::1]",
            "10.1.2.3",
            "taurusdb",
            "localhost.",
        ] {
            assert!(access.host_allowed(name), "{name}");
        }
        for name in [
            "attacker.example",
            "taurusdb.example",
            "localhost.attacker.example",
        ] {
            assert!(!access.host_allowed(name), "{name}");
        }
        let any = ControlAccess {
            allowed_hosts: vec!["*".into()],
            ..ControlAccess::default()
        };
        assert!(any.host_allowed("anything.example"));
    }

    #[test]
    fn host_names_lose_their_ports() {
        assert_eq!(host_name("localhost:18080"), "localhost");
        assert_eq!(host_name("[::1]:18080"), "[::1]");
        assert_eq!(host_name("taurusdb"), "taurusdb");
    }

    #[test]
    fn the_token_comes_in_the_header_or_the_dashboards_cookie() {
        let mut headers = HeaderMap::new();
        assert!(!presents(&headers, "s3cret"));
        headers.insert(TOKEN_HEADER, "s3cret".parse().unwrap());
        assert!(presents(&headers, "s3cret"));
        let mut cookies = HeaderMap::new();
        cookies.insert(
            COOKIE,
            "a=b; taurusdb-emulator-token=s3cret".parse().unwrap(),
        );
        assert!(presents(&cookies, "s3cret"));
        assert!(!presents(&cookies, "other"));
    }
}
