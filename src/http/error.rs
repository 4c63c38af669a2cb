//! How an [`ApiError`] goes on the wire: its status and `{"error_code", "error_msg"}`, plus
//! `request_id` when the API gateway is the one answering.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::request_id;
use super::respond::json;
use crate::error::{ApiError, ErrorSource};

#[derive(Serialize)]
struct ErrorBody {
    error_code: &'static str,
    error_msg: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let request_id = match self.source() {
            ErrorSource::Gateway => request_id::current().map(|id| id.to_string()),
            ErrorSource::Service => None,
        };
        json(
            status,
            &ErrorBody {
                error_code: self.code(),
                error_msg: self.message(),
                request_id,
            },
        )
    }
}
