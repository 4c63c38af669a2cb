//! Reading request bodies, the one way every route does it: into one buffer, copied frame by
//! frame (a small frame must not keep its connection's read buffer alive), at most the body
//! limit, within the body timeout. A body over the limit answers 413 at once, and the rest of
//! it is read and thrown away in the background for a bounded size and time (a lingering
//! close), so that a client that writes its whole body before reading sees the 413 instead of
//! a broken pipe.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use futures_util::FutureExt;
use http_body_util::BodyExt;

use crate::emulator::Settings;
use crate::error::ApiError;

/// The most bytes of an oversized body read and thrown away after its 413.
pub(super) const DRAIN_BYTES: u64 = 16 * 1024 * 1024;

/// How a body is read: the limit and the timeout of the emulator's settings.
#[derive(Debug, Clone, Copy)]
pub struct BodyRules {
    pub limit: usize,
    pub timeout: Duration,
}

impl BodyRules {
    /// The emulator's: at most `max_body_bytes`, within `body_timeout`.
    pub fn of(settings: &Settings) -> Self {
        Self {
            limit: settings.max_body_bytes,
            timeout: settings.body_timeout,
        }
    }
}

/// The whole body: 413 `PayloadTooLarge` past the limit (declared or sent), 408
/// `BodyTimeout` when it does not arrive in time, 400 `Parameter` when the client breaks off.
pub(super) async fn read(
    headers: &HeaderMap,
    body: Body,
    rules: BodyRules,
) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > rules.limit as u64) {
        linger(body, rules.timeout);
        return Err(ApiError::PayloadTooLarge);
    }
    let mut body = body;
    let mut buffer = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    let outcome = {
        let mut collect = std::pin::pin!(async {
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|_| ApiError::Parameter)?;
                if let Ok(data) = frame.into_data() {
                    if buffer.len() + data.len() > rules.limit {
                        return Err(ApiError::PayloadTooLarge);
                    }
                    buffer.extend_from_slice(&data);
                }
            }
            Ok(())
        });
        // A small body has usually come with the request's head: read at once, it needs no
        // timer.
        match collect.as_mut().now_or_never() {
            Some(read) => Ok(read),
            None => tokio::time::timeout(rules.timeout, collect).await,
        }
    };
    match outcome {
        Err(_) => Err(ApiError::BodyTimeout),
        Ok(Err(ApiError::PayloadTooLarge)) => {
            linger(body, rules.timeout);
            Err(ApiError::PayloadTooLarge)
        }
        Ok(Err(e)) => Err(e),
        Ok(Ok(())) => Ok(Bytes::from(buffer)),
    }
}

/// Reads and drops what is left of `body`, at most [`DRAIN_BYTES`] and `timeout`, while the
/// answer goes out; then the connection closes.
fn linger(mut body: Body, timeout: Duration) {
    tokio::spawn(async move {
        let drain = async {
            let mut drained = 0u64;
            while let Some(Ok(frame)) = body.frame().await {
                if let Ok(data) = frame.into_data() {
                    drained += data.len() as u64;
                    if drained > DRAIN_BYTES {
                        break;
                    }
                }
            }
        };
        let _ = tokio::time::timeout(timeout, drain).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(limit: usize) -> BodyRules {
        BodyRules {
            limit,
            timeout: Duration::from_secs(5),
        }
    }

    fn stream_of(chunks: Vec<&'static [u8]>) -> Body {
        let frames = chunks
            .into_iter()
            .map(|c| Ok::<_, std::convert::Infallible>(Bytes::from_static(c)));
        Body::from_stream(futures_util::stream::iter(frames))
    }

    #[tokio::test]
    async fn a_body_in_many_frames_is_one_buffer() {
        let body = stream_of(vec![b"{\"a\"", b":", b" 1}"]);
        let bytes = read(&HeaderMap::new(), body, rules(64)).await.unwrap();
        assert_eq!(&bytes[..], b"{\"a\": 1}");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_413_whether_declared_or_sent() {
        let body = stream_of(vec![b"12345", b"6"]);
        assert_eq!(
            read(&HeaderMap::new(), body, rules(5)).await,
            Err(ApiError::PayloadTooLarge)
        );
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, "6".parse().unwrap());
        assert_eq!(
            read(&headers, Body::from("123456"), rules(5)).await,
            Err(ApiError::PayloadTooLarge)
        );
        assert_eq!(
            read(&HeaderMap::new(), Body::from("12345"), rules(5))
                .await
                .map(|b| b.len()),
            Ok(5)
        );
    }

    #[tokio::test]
    async fn a_body_that_never_ends_times_out() {
        let body = Body::from_stream(futures_util::stream::pending::<Result<Bytes, String>>());
        let rules = BodyRules {
            limit: 10,
            timeout: Duration::from_millis(20),
        };
        assert_eq!(
            read(&HeaderMap::new(), body, rules).await,
            Err(ApiError::BodyTimeout)
        );
    }
}
