//! Request faults on the wire: the first fault with calls left for the request's operation
//! (of the emulated API or IAM, never the control plane) answers its error in the API's
//! format, or lets the request through late, or both.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::respond::json;
use super::routes::Operation;
use crate::emulator::Emulator;
use crate::faults::RequestFault;

#[derive(Serialize)]
struct InjectedBody<'a> {
    error_code: &'a str,
    error_msg: &'a str,
}

/// The request fault due for `operation`, if any, counted as used.
pub(super) fn take(emulator: &Emulator, operation: Option<Operation>) -> Option<RequestFault> {
    operation
        .filter(|o| o.is_api())
        .and_then(|o| emulator.faults.take(o.name()))
}

/// Applies a request fault: its answer, or `None` to go on (after its delay, when it has one).
pub(super) async fn apply(fault: RequestFault) -> Option<Response> {
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    let error = fault.error?;
    Some(json(
        StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &InjectedBody {
            error_code: &error.error_code,
            error_msg: &error.error_msg,
        },
    ))
}
