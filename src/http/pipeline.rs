//! The request pipeline, as two middleware functions that run named steps in order (one
//! function per part rather than a layer per step: each axum layer costs a boxed future and
//! its allocations on every request).
//!
//! Every request: [`every`] gives it its id, then checks the URI and header limits.
//! Routed requests: [`routed`] stamps the time and operation, applies a request fault,
//! verifies an AK/SK signature, runs the handler, then records the answer.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{inject, limits, record, request_id, signed};
use crate::emulator::Emulator;

/// Middleware for every request: id, then limits.
pub(super) async fn every(
    State(emulator): State<Arc<Emulator>>,
    request: Request,
    next: Next,
) -> Response {
    let id = request_id::next_id(&emulator);
    request_id::answer_as(id, async move {
        match limits::check(&request) {
            Err(refused) => refused.into_response(),
            Ok(()) => next.run(request).await,
        }
    })
    .await
}

/// Middleware for routed requests: stamp, fault, signature, handler, record.
pub(super) async fn routed(
    State(emulator): State<Arc<Emulator>>,
    mut request: Request,
    next: Next,
) -> Response {
    let stamp = record::stamp(&emulator, &mut request);
    let response = match inject::fault(&emulator, stamp.operation).await {
        Some(injected) => injected,
        None => signed::verify(&emulator, request, next).await,
    };
    record::finish(&emulator, stamp, &response);
    response
}
