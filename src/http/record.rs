//! The first and last steps of a routed request: [`stamp`] notes its time and target (read
//! once, for every step and the handler), [`finish`] journals and logs the answer and wakes
//! whoever waits on a change.

use std::time::Instant;

use axum::extract::Request;
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::request_id;
use super::routes::{self, Operation, Target};
use crate::emulator::Emulator;
use crate::journal::{self, JournalEntry, JournalFault, RequestId};
use std::borrow::Cow;

/// What [`stamp`] noted of a request, for [`finish`].
pub(super) struct Stamp {
    started: Instant,
    pub(super) time: DateTime<Utc>,
    method: Cow<'static, str>,
    path: String,
    pub(super) target: Target,
}

impl Stamp {
    pub(super) fn operation(&self) -> Option<Operation> {
        self.target.operation()
    }

    pub(super) fn method(&self) -> &str {
        &self.method
    }

    pub(super) fn path(&self) -> &str {
        &self.path
    }
}

/// Notes the request's time and target (read once, for every step and the handler, which
/// find the time through [`request_id::answer_as`]).
pub(super) fn stamp(emulator: &Emulator, request: &Request) -> Stamp {
    let started = Instant::now();
    let time = emulator.clock.now();
    let target = routes::target(request.method(), request.uri().path());
    Stamp {
        started,
        time,
        method: journal::method_name(request.method().as_str()),
        path: request.uri().path().to_owned(),
        target,
    }
}

/// Journals and logs the answer, and wakes whoever waits on a change.
pub(super) fn finish(emulator: &Emulator, stamp: Stamp, response: &Response) {
    let operation = stamp.operation().map_or("unknown", Operation::name);
    let entry = JournalEntry {
        time: stamp.time,
        method: stamp.method,
        path: stamp.path,
        operation,
        status: response.status().as_u16(),
        duration: stamp.started.elapsed(),
        request_id: request_id::current(),
        // Noted by `inject::apply` on an answer a fault struck.
        fault: response.extensions().get::<JournalFault>().copied(),
    };
    tracing::info!(
        target: "taurusdb_emulator::access",
        method = %entry.method,
        path = %entry.path,
        operation = entry.operation,
        status = entry.status,
        duration_ms = entry.duration_ms(),
        request_id = entry.request_id.as_ref().map_or("", RequestId::as_str),
        "request"
    );
    emulator.journal.record(entry);
    emulator.changed();
}
