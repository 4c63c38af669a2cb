//! The request pipeline, as two middleware functions that run named steps in order (one
//! function per part rather than a layer per step: each axum layer costs a boxed future and
//! its allocations on every request).
//!
//! Every request: [`every`] gives it its id, checks the URI and header limits, stamps the time
//! and the operation (matched against the route table here, so that this one layer wraps the
//! router instead of a layer wrapping each route), applies a request fault, verifies an AK/SK
//! signature, runs the router, then records the answer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{inject, limits, record, request_id, respond, signed};
use crate::emulator::Emulator;

/// Middleware for every request: id, limits, stamp, fault, signature, router, record.
pub(super) async fn every(
    State(emulator): State<Arc<Emulator>>,
    mut request: Request,
    next: Next,
) -> Response {
    let id = request_id::next_id(&emulator);
    request_id::answer_as(id, async move {
        if let Err(refused) = limits::check(&request) {
            return respond::with_content_length(refused.into_response());
        }
        let stamp = record::stamp(&emulator, &mut request);
        let response = match inject::fault(&emulator, stamp.operation).await {
            Some(injected) => respond::with_content_length(injected),
            None => signed::verify(&emulator, request, next).await,
        };
        record::finish(&emulator, stamp, &response);
        response
    })
    .await
}
