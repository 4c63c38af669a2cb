//! A request id for every request: sent back as `X-Request-Id` (where the Huawei SDK reads it)
//! and, for gateway errors, in the body.

use std::cell::Cell;

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, Utc};

use crate::emulator::Emulator;
use crate::journal::RequestId;

/// What the request being answered is known by: its id, and (once stamped) its time.
struct Current {
    id: RequestId,
    time: Cell<Option<DateTime<Utc>>>,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// The Huawei SDK reads the first, openstacksdk the second.
const HEADERS: [HeaderName; 2] = [
    HeaderName::from_static("x-openstack-request-id"),
    HeaderName::from_static("x-request-id"),
];

/// The id of the request being answered, when called while answering one.
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(|c| c.id).ok()
}

/// Notes when the request being answered arrived, in emulator time, for every step after.
/// (A task-local, not a request extension: the extensions' map would grow for it.)
pub(super) fn set_time(time: DateTime<Utc>) {
    let _ = CURRENT.try_with(|c| c.time.set(Some(time)));
}

/// When the request being answered arrived, once [`set_time`] noted it.
pub(super) fn time() -> Option<DateTime<Utc>> {
    CURRENT.try_with(|c| c.time.get()).ok().flatten()
}

/// A new request id: 32 hex digits, from the emulator's id source.
pub(super) fn next_id(emulator: &Emulator) -> RequestId {
    emulator.request_ids.lock().request_id()
}

/// Answers `answer` as the request with this id: the id is current (for error bodies and
/// the journal) while it runs, and goes on the response's headers.
pub(super) async fn answer_as(
    id: RequestId,
    answer: impl std::future::Future<Output = Response>,
) -> Response {
    let current = Current {
        id,
        time: Cell::new(None),
    };
    let mut response = CURRENT.scope(current, answer).await;
    if let Ok(value) = HeaderValue::from_bytes(id.as_bytes()) {
        let [openstack, huawei] = HEADERS;
        response.headers_mut().insert(openstack, value.clone());
        response.headers_mut().insert(huawei, value);
    }
    response
}
