//! Request faults on the wire: the first fault with calls left for the request's operation
//! (of the emulated API or IAM, never the control plane) answers its error in the API's
//! format, or lets the request through late, or both.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use super::record::Routed;
use super::respond::json;
use crate::emulator::Emulator;

#[derive(Serialize)]
struct InjectedBody<'a> {
    error_code: &'a str,
    error_msg: &'a str,
}

/// Middleware: applies a request fault, if one is due.
pub(super) async fn inject(
    State(emulator): State<Arc<Emulator>>,
    request: Request,
    next: Next,
) -> Response {
    let operation = request.extensions().get::<Routed>().and_then(|r| r.0);
    let fault = operation
        .filter(|o| o.is_api())
        .and_then(|o| emulator.faults.take(o.name()));
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    match fault.error {
        Some(error) => json(
            StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &InjectedBody {
                error_code: &error.error_code,
                error_msg: &error.error_msg,
            },
        ),
        None => next.run(request).await,
    }
}
