//! Middleware for AK/SK-signed requests: the signature covers the raw body, so the body is
//! read here (within the body limit), checked with the raw path, query and headers, and put
//! back for the handler. The verdict travels in the request's extensions to [`caller`].
//!
//! [`caller`]: super::extract::caller

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};

use crate::auth::check_signature;
use crate::emulator::Emulator;
use crate::signature;

/// Whether a request is AK/SK-signed (its `Authorization` is an `SDK-…` signature).
pub(super) fn is_signed(request: &Request) -> bool {
    request
        .headers()
        .get(AUTHORIZATION)
        .is_some_and(|v| v.as_bytes().starts_with(b"SDK-"))
}

/// Checks the signature of a signed request (leaving others as they are), then runs it.
pub(super) async fn verify<F: Future<Output = Response>>(
    emulator: &Emulator,
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    if !is_signed(&request) {
        return next(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let body = match super::body::read(
        &parts.headers,
        body,
        super::body::BodyRules::of(&emulator.settings),
    )
    .await
    {
        Ok(body) => body,
        Err(e) => return e.into_response(),
    };
    // Found by a walk over the few headers a request has, names compared as they are: a
    // look-up by name would parse and hash each of the signed names first.
    let header = |name: &str| {
        parts
            .headers
            .iter()
            .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.to_str().ok())
    };
    let authorization = header(AUTHORIZATION.as_str()).unwrap_or_default();
    let verdict = check_signature(
        emulator.settings.auth,
        &emulator.store,
        authorization,
        &signature::Request {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or_default(),
            header: &header,
            body: &body,
        },
        super::extract::request_time(emulator),
    );
    parts.extensions.insert(verdict);
    next(Request::from_parts(parts, Body::from(body))).await
}
