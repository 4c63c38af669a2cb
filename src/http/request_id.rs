//! A request id for every request: sent back as `X-Request-Id` (where the Huawei SDK reads it)
//! and, for gateway errors, in the body.

use axum::http::HeaderValue;
use axum::response::Response;

use crate::emulator::Emulator;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered, when called while answering one.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// A new request id: 32 hex digits, from the emulator's id source.
pub(super) fn next_id(emulator: &Emulator) -> String {
    emulator.request_ids.lock().request_id()
}

/// Answers `answer` as the request with this id: the id is current (for error bodies and
/// the journal) while it runs, and goes on the response's headers.
pub(super) async fn answer_as(
    id: String,
    answer: impl std::future::Future<Output = Response>,
) -> Response {
    let mut response = REQUEST_ID.scope(id.clone(), answer).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        // The Huawei SDK reads the first, openstacksdk the second.
        response
            .headers_mut()
            .insert("x-openstack-request-id", value.clone());
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
