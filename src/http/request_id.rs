//! A request id for every request: sent back as `X-Request-Id` (where the Huawei SDK reads it)
//! and, for gateway errors, in the body.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::emulator::Emulator;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered, when called while answering one.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Middleware: gives the request an id (32 hex digits, from the emulator's id source) and
/// puts it on the response.
pub async fn assign(
    State(emulator): State<Arc<Emulator>>,
    request: Request,
    next: Next,
) -> Response {
    let id = emulator.request_ids.lock().request_id();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        // The Huawei SDK reads the first, openstacksdk the second.
        response
            .headers_mut()
            .insert("x-openstack-request-id", value.clone());
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
