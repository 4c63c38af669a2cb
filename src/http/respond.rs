//! Success bodies: JSON with the content type the API answers with.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The `Content-Type` of every response.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// Gives an answer whose length is known its `Content-Length` (hyper writes it from the body
/// for every answer it sends: this is for an answer whose body is dropped, a `HEAD`'s).
pub fn with_content_length(mut response: Response) -> Response {
    use axum::body::HttpBody;
    if !response.headers().contains_key(header::CONTENT_LENGTH)
        && let Some(size) = response.body().size_hint().exact()
    {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    response
}

/// How many bytes a JSON answer's buffer starts with.
const INITIAL_BODY: usize = 512;

/// `value` as a JSON response with `status`.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    // Room for a create's answer or an error at once, instead of growing from 128 bytes.
    let mut body = Vec::with_capacity(INITIAL_BODY);
    match serde_json::to_writer(&mut body, value) {
        Ok(()) => json_bytes(status, body),
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

/// `body`, JSON already, as a response with `status`.
pub fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )],
        body,
    )
        .into_response()
}

/// How much of a streamed answer is sent at a time.
const CHUNK: usize = 64 * 1024;

/// `value` as a JSON response with `status`, serialized on a blocking thread while it is sent,
/// a chunk at a time: for documents that read the store page by page ([`Snapshot`] and the
/// state), whose size follows the store's. A client that takes no chunk for `stall` is
/// dropped, so a stalled reader holds no thread for long.
///
/// [`Snapshot`]: crate::store::Snapshot
pub fn streamed_json<T: Serialize + Send + 'static>(
    status: StatusCode,
    value: T,
    stall: std::time::Duration,
) -> Response {
    let (chunks, receiver) = tokio::sync::mpsc::channel::<axum::body::Bytes>(2);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut writer = ChunkWriter {
            chunks,
            runtime,
            stall,
            buffer: Vec::with_capacity(CHUNK),
        };
        if serde_json::to_writer(&mut writer, &value).is_ok() {
            let _ = std::io::Write::flush(&mut writer);
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let chunk = receiver.recv().await?;
        Some((Ok::<_, std::convert::Infallible>(chunk), receiver))
    });
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_CONTENT_TYPE),
        )],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

/// Hands what is written to the response a chunk at a time.
struct ChunkWriter {
    chunks: tokio::sync::mpsc::Sender<axum::body::Bytes>,
    runtime: tokio::runtime::Handle,
    stall: std::time::Duration,
    buffer: Vec<u8>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = axum::body::Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        let sent = self
            .runtime
            .block_on(tokio::time::timeout(self.stall, self.chunks.send(chunk)));
        match sent {
            Ok(Ok(())) => Ok(()),
            _ => Err(std::io::Error::other(
                "the client went away or stopped reading",
            )),
        }
    }
}

impl std::io::Write for ChunkWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
