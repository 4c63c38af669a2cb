//! The accept loop: HTTP/1.1 connections with a header-read timeout and a header-size limit,
//! so a slow or oversized client cannot hold a worker, and a graceful stop that lets requests
//! in flight finish (for at most [`SHUTDOWN_GRACE`]).

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::Emulator;

/// The most a request's line and headers may take; hyper answers a bare 431 above it (our own
/// JSON answers start lower, see `limits`).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How long a stop waits for requests in flight before it closes their connections.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

/// Serves `emulator` on `listener` until `shutdown` resolves, with the ticker running; then
/// stops accepting, lets requests in flight finish, and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    emulator: Arc<Emulator>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let ticker = crate::lifecycle::spawn_ticker(emulator.clone(), crate::lifecycle::TICK);
    let header_timeout = emulator.settings.header_timeout;
    let stopping = emulator.clone();
    let app = super::router(emulator);
    let (stop_tx, stop_rx) = watch::channel(false);
    let (open_tx, open_rx) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors or a connection reset before accept: go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut stop_rx = stop_rx.clone();
        let open_rx = open_rx.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let app = app.clone();
                async move {
                    Ok::<_, Infallible>(
                        app.oneshot(request.map(Body::new))
                            .await
                            .unwrap_or_else(|e| match e {}),
                    )
                }
            });
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_buf_size(MAX_HEAD_BYTES);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            loop {
                tokio::select! {
                    _ = connection.as_mut() => break,
                    _ = stop_rx.changed() => connection.as_mut().graceful_shutdown(),
                }
            }
            drop(open_rx);
        });
    }
    drop(listener);
    stopping.stopping.send_replace(true);
    let _ = stop_tx.send(true);
    drop(open_rx);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, open_tx.closed()).await;
    ticker.abort();
    Ok(())
}
