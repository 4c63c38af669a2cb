//! Middleware for every routed request: injected request faults, the request journal, and a
//! wake-up for those waiting on a backup.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::extract::RequestTime;
use super::request_id;
use super::respond::json;
use super::routes;
use crate::Emulator;
use crate::journal::JournalEntry;

#[derive(Serialize)]
struct InjectedBody<'a> {
    error_code: &'a str,
    error_msg: &'a str,
}

/// Applies the first matching request fault, checks an AK/SK signature if there is one, runs
/// the request, and journals it.
pub(super) async fn observe(
    State(emulator): State<Arc<Emulator>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let time = emulator.clock.now();
    let mut request = request;
    request.extensions_mut().insert(RequestTime(time));
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let operation = routes::operation(
        &method,
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let fault = operation
        .filter(|o| o.is_api())
        .and_then(|o| emulator.faults.take(o.name()));
    let injected = match fault {
        Some(fault) => {
            if !fault.delay.is_zero() {
                tokio::time::sleep(fault.delay).await;
            }
            fault.error
        }
        None => None,
    };
    let response = match injected {
        Some(error) => json(
            StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &InjectedBody {
                error_code: &error.error_code,
                error_msg: &error.error_msg,
            },
        ),
        None => super::signed::check(&emulator, request, next).await,
    };
    let entry = JournalEntry {
        time,
        method: method.as_str().to_owned(),
        path,
        operation: operation.map_or("unknown", routes::Operation::name),
        status: response.status().as_u16(),
        duration: started.elapsed(),
        request_id: request_id::current().unwrap_or_default(),
    };
    tracing::info!(
        target: "taurusdb_emulator::access",
        method = %entry.method,
        path = %entry.path,
        operation = entry.operation,
        status = entry.status,
        duration_ms = entry.duration_ms(),
        request_id = %entry.request_id,
        "request"
    );
    emulator.journal.record(entry);
    emulator.changed();
    response
}
