//! Request faults on the wire. The first fault that strikes a request of the emulated API or
//! IAM (never the control plane) decides what the client gets: before the operation runs, its
//! error (or nothing, by a connection fault) and the operation never happens; after, the
//! operation runs and commits, then the client gets the fault instead of (or, trickled, as)
//! the real answer. The answer carries the journal's note of it ([`JournalFault`]) and, for
//! a connection fault, the [`ConnectionFault`] the server then applies to the connection.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use serde::Serialize;

use super::respond::json;
use super::routes::{self, Operation};
use super::{body, request_id};
use crate::emulator::Emulator;
use crate::faults::{ConnectionFault, FaultRequest, Hit, InjectedError, Phase};
use crate::journal::JournalFault;

/// What a stalled answer waits for: the emulator's stop (or the client, giving up).
#[derive(Clone)]
pub(super) struct StallUntil(pub(super) tokio::sync::watch::Receiver<bool>);

#[derive(Serialize)]
struct InjectedBody<'a> {
    error_code: &'a str,
    error_msg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

/// The fault that strikes a request of `operation` (`method`, `path`), if any, counted as
/// used.
pub(super) fn take(
    emulator: &Emulator,
    operation: Option<Operation>,
    method: &str,
    path: &str,
) -> Option<Hit> {
    if !emulator.faults.armed() {
        return None;
    }
    let operation = operation.filter(|o| o.is_api())?;
    let (project, instance) = routes::project_and_instance(path);
    emulator.faults.take(&FaultRequest {
        operation: operation.name(),
        method,
        project,
        instance,
    })
}

/// Answers a struck request: `run` is the operation (with its signature check), run before or
/// instead of the fault as its phase says.
pub(super) async fn apply<F>(
    emulator: &Emulator,
    hit: Hit,
    request: Request,
    run: impl FnOnce(Request) -> F,
) -> Response
where
    F: Future<Output = Response>,
{
    let pause = |delay: Duration| async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    };
    let (answer, committed) = match hit.phase {
        Phase::Before => {
            pause(hit.delay).await;
            if hit.error.is_none() && hit.connection.is_none() {
                // Only late: the operation runs.
                let answer = run(request).await;
                let committed = answer.status().is_success();
                (answer, committed)
            } else {
                // The operation never runs; its body is read all the same, so that the
                // connection goes on (or closes) cleanly.
                let (parts, unread) = request.into_parts();
                let rules = body::BodyRules::of(&emulator.settings);
                let _ = body::read(&parts.headers, unread, rules).await;
                (placeholder(), false)
            }
        }
        Phase::After => {
            let answer = run(request).await;
            let committed = answer.status().is_success();
            pause(hit.delay).await;
            (answer, committed)
        }
    };
    let mut answer = match &hit.error {
        Some(error) => injected(error),
        None => answer,
    };
    if hit.connection == Some(ConnectionFault::Trickle) {
        answer = trickled(answer, hit.interval).await;
    }
    // Reset, closed or stalled by the server, once the journal has the request.
    if let Some(connection) = hit.connection.filter(|c| !c.answers()) {
        answer.extensions_mut().insert(connection);
        if connection == ConnectionFault::Stall {
            let stopping = emulator.stopping.subscribe();
            answer.extensions_mut().insert(StallUntil(stopping));
        }
    }
    answer.extensions_mut().insert(JournalFault {
        id: hit.id,
        phase: hit.phase.as_str(),
        committed,
        connection: hit.connection.map(ConnectionFault::as_str),
        answered: hit.connection.is_none_or(ConnectionFault::answers),
    });
    answer
}

/// What stands for an answer that is never sent.
fn placeholder() -> Response {
    let mut answer = Response::new(Body::empty());
    *answer.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    answer
}

/// The fault's error in the API's format (the gateway's with its `request_id`).
fn injected(error: &InjectedError) -> Response {
    json(
        StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &InjectedBody {
            error_code: &error.error_code,
            error_msg: &error.error_msg,
            request_id: error
                .gateway
                .then(|| request_id::current().map(|id| id.to_string()))
                .flatten(),
        },
    )
}

/// The answer with its body sent one byte at a time, `interval` apart (its length declared,
/// so that the client waits for every byte).
async fn trickled(answer: Response, interval: Duration) -> Response {
    let (mut parts, body) = answer.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let bytes = futures_util::stream::iter(0..bytes.len()).then(move |i| {
        let byte = bytes.slice(i..=i);
        async move {
            if i > 0 {
                tokio::time::sleep(interval).await;
            }
            Ok::<Bytes, std::convert::Infallible>(byte)
        }
    });
    Response::from_parts(parts, Body::from_stream(bytes))
}
