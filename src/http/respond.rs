//! Success bodies: JSON with the content type the API answers with.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The `Content-Type` of every response.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// `value` as a JSON response with `status`.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(JSON_CONTENT_TYPE),
            )],
            body,
        )
            .into_response(),
        // Our wire types always serialize; should one ever not, say so in the API's format.
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(JSON_CONTENT_TYPE),
            )],
            r#"{"error_code":"DBS.108000","error_msg":"Server failure."}"#,
        )
            .into_response(),
    }
}
