//! A request id for every request: sent back as `X-Request-Id` (where the Huawei SDK reads it)
//! and, for gateway errors, in the body.

use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, Utc};
use futures_util::FutureExt;

use crate::emulator::Emulator;
use crate::journal::RequestId;

/// What the request being answered is known by: its id, and (once stamped) its time.
struct Current {
    id: RequestId,
    time: Option<DateTime<Utc>>,
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

/// When the request being answered arrived, in emulator time, as [`answer_as`] was told.
/// (A task-local, not a request extension: the extensions' map would grow for it.)
pub(super) fn time() -> Option<DateTime<Utc>> {
    CURRENT.try_with(|c| c.time).ok().flatten()
}

/// A new request id: 32 hex digits, from the emulator's id source.
pub(super) fn next_id(emulator: &Emulator) -> RequestId {
    emulator.request_ids.next()
}

/// Answers `answer` as the request with this id, which arrived at `time` (in emulator time,
/// once stamped): both are current (for error bodies, the journal, the handler's `now`) while
/// it runs, and the id goes on the response's headers. (Not an `async fn`: one would keep
/// `answer` twice in its state, which is most of a request's.)
pub(super) fn answer_as(
    id: RequestId,
    time: Option<DateTime<Utc>>,
    answer: impl std::future::Future<Output = Response>,
) -> impl std::future::Future<Output = Response> {
    let current = Current { id, time };
    CURRENT.scope(current, answer).map(move |mut response| {
        // A value each: a copy of 32 bytes costs less than sharing one (a clone turns the
        // value's buffer into a reference-counted one, an allocation and atomics of its own).
        for name in HEADERS {
            if let Ok(value) = HeaderValue::from_bytes(id.as_bytes()) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    })
}
