//! Limits on a request's head, answered in the API's format: a URI longer than
//! [`MAX_URI_BYTES`] is 414, headers larger than [`MAX_HEADER_BYTES`] are 431.

use axum::extract::Request;

use crate::error::ApiError;

pub(super) const MAX_URI_BYTES: usize = 8 * 1024;
pub(super) const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Refuses a request whose URI or headers are too large.
pub(super) fn check(request: &Request) -> Result<(), ApiError> {
    let uri = request.uri();
    let uri_bytes = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if uri_bytes > MAX_URI_BYTES {
        return Err(ApiError::UriTooLong);
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Err(ApiError::HeadersTooLarge);
    }
    Ok(())
}
