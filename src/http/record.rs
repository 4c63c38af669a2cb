//! The first and last steps of a routed request: [`stamp`] notes its time and operation (read
//! once, for every step and the handler), [`finish`] journals and logs the answer and wakes
//! whoever waits on a change.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::extract::RequestTime;
use super::request_id;
use super::routes::{self, Operation};
use crate::emulator::Emulator;
use crate::journal::JournalEntry;

/// What [`stamp`] noted of a request, for [`finish`].
pub(super) struct Stamp {
    started: Instant,
    time: DateTime<Utc>,
    method: Method,
    path: String,
    pub(super) operation: Option<Operation>,
}

/// Notes the request's time and operation (read once, for every step and the handler).
pub(super) fn stamp(emulator: &Emulator, request: &mut Request) -> Stamp {
    let started = Instant::now();
    let time = emulator.clock.now();
    let operation = routes::operation(
        request.method(),
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    request.extensions_mut().insert(RequestTime(time));
    Stamp {
        started,
        time,
        method: request.method().clone(),
        path: request.uri().path().to_owned(),
        operation,
    }
}

/// Journals and logs the answer, and wakes whoever waits on a change.
pub(super) fn finish(emulator: &Emulator, stamp: Stamp, response: &Response) {
    let entry = JournalEntry {
        time: stamp.time,
        method: stamp.method.as_str().to_owned(),
        path: stamp.path,
        operation: stamp.operation.map_or("unknown", Operation::name),
        status: response.status().as_u16(),
        duration: stamp.started.elapsed(),
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
}
