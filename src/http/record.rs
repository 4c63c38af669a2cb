//! The outermost layer of a routed request: stamps it with its time and operation (read once,
//! for every layer and handler after it), then journals the answer, logs it, and wakes
//! whoever waits on a change.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::extract::RequestTime;
use super::request_id;
use super::routes::{self, Operation};
use crate::emulator::Emulator;
use crate::journal::JournalEntry;

/// The operation a request was routed to (none when no route matched), for the layers after
/// [`record`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Routed(pub(super) Option<Operation>);

/// Middleware: stamps, runs, then records the request.
pub(super) async fn record(
    State(emulator): State<Arc<Emulator>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let time = emulator.clock.now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let operation = routes::operation(
        &method,
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    request.extensions_mut().insert(RequestTime(time));
    request.extensions_mut().insert(Routed(operation));
    let response = next.run(request).await;
    let entry = JournalEntry {
        time,
        method: method.as_str().to_owned(),
        path,
        operation: operation.map_or("unknown", Operation::name),
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
