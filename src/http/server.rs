//! The accept loop: HTTP/1.1 connections with a header-read timeout and a header-size limit,
//! so a slow or oversized client cannot hold a worker, and a graceful stop that lets requests
//! in flight finish (for at most [`SHUTDOWN_GRACE`]).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use crate::emulator::Emulator;
use crate::error::ApiError;
use crate::faults::ConnectionFault;

/// The most a request's line and headers may take; hyper answers a bare 431 above it (our own
/// JSON answers start lower, see `limits`).
pub(super) const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How long a stop waits for requests in flight before it closes their connections.
pub(super) const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

/// The least time a TLS handshake is given, whatever `--request-timeout` says.
const HANDSHAKE_FLOOR: Duration = Duration::from_secs(1);

/// Serves `emulator` on `listener` until `shutdown` resolves; then stops accepting, lets
/// requests in flight finish, and returns. [`crate::run`] runs the background work beside it.
pub async fn serve(
    listener: tokio::net::TcpListener,
    emulator: Arc<Emulator>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_timeout = emulator.settings.header_timeout;
    let connections = Connections::new(emulator.settings.max_connections);
    let acceptor = emulator
        .settings
        .tls
        .as_ref()
        .map(|tls| tokio_rustls::TlsAcceptor::from(tls.config.clone()));
    let stopping = emulator.clone();
    let app = super::app(emulator);
    let workers = super::workers::Workers::start()?;
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
        let Some(entry) = connections.admit() else {
            let app = app.clone();
            match &acceptor {
                None => tokio::spawn(refuse(stream, app)),
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        let handshake = tokio::time::timeout(REFUSAL, acceptor.accept(stream));
                        if let Ok(Ok(stream)) = handshake.await {
                            refuse(stream, app).await;
                        }
                    })
                }
            };
            continue;
        };
        let connection = Connection {
            app: app.clone(),
            header_timeout,
            stop: stop_rx.clone(),
            entry,
            _open: open_rx.clone(),
        };
        match &acceptor {
            None => workers.spawn(stream, move |stream| {
                connection.serve(stream, header_timeout)
            }),
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                workers.spawn(stream, move |stream| async move {
                    // The handshake gets the time a client has for its headers, but never
                    // less than a floor (a zero timeout would fail every one); a connection
                    // still in it is idle, and is closed at once when a newer one needs its
                    // place, as a plain one is.
                    let budget = header_timeout.max(HANDSHAKE_FLOOR);
                    let handshake = tokio::time::timeout(budget, acceptor.accept(stream));
                    let evicted = connection.entry.evicted.clone();
                    tokio::select! {
                        shaken = handshake => {
                            if let Ok(Ok(stream)) = shaken {
                                // Nor less for the first head: a client sends it only once
                                // the handshake is done.
                                connection.serve(stream, budget).await;
                            }
                        }
                        () = evicted.notified() => {}
                    }
                })
            }
        };
    }
    drop(listener);
    stopping.stopping.send_replace(true);
    let _ = stop_tx.send(true);
    drop(open_rx);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, open_tx.closed()).await;
    // What is still open after the grace closes with its thread.
    drop(workers);
    Ok(())
}

/// One accepted connection and what serving it needs.
struct Connection<A> {
    app: A,
    header_timeout: Duration,
    stop: watch::Receiver<bool>,
    entry: Entry,
    /// Held while the connection is open, so that a stop can wait for it.
    _open: watch::Receiver<()>,
}

impl<A: super::App> Connection<A> {
    /// Serves HTTP/1.1 on `io` (a plain or a TLS stream) until the client goes, the server
    /// stops (gracefully), or the connection is closed to make room for a newer one. The
    /// first request head is given `first_head` (at least the header timeout).
    async fn serve<I>(mut self, io: I, first_head: Duration)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Socket + Unpin + Send + 'static,
    {
        let activity = self.entry.activity.clone();
        let app = self.app.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let app = app.clone();
            let working = Working::new(&activity);
            async move {
                let response = app
                    .oneshot(request.map(Body::new))
                    .await
                    .unwrap_or_else(|e| match e {});
                // A request fault that ends the connection without an answer: an error
                // makes hyper drop the connection unanswered (reset, when asked, by the
                // stream's guard).
                if let Some(fault) = response.extensions().get::<ConnectionFault>().copied() {
                    if fault == ConnectionFault::Reset {
                        working.0.reset.store(true, Ordering::Release);
                    }
                    // Silent until the client gives up (hyper then drops this future) or
                    // the emulator stops.
                    if let Some(super::inject::StallUntil(mut stopping)) =
                        response.into_parts().0.extensions.remove()
                    {
                        let _ = stopping.wait_for(|stopping| *stopping).await;
                    }
                    return Err(Unanswered(fault));
                }
                // Busy until the whole answer is sent (an event stream, a long body).
                Ok(response.map(|body| Sending { body, working }))
            }
        });
        let mut builder = http1::Builder::new();
        builder.max_buf_size(MAX_HEAD_BYTES);
        let io = Resettable {
            io,
            activity: self.entry.activity.clone(),
        };
        let connection = builder.serve_connection(TokioIo::new(io), service);
        tokio::pin!(connection);
        // The header-read timeout, kept here rather than by hyper: hyper arms a timer of the
        // runtime for every request head it waits for (an allocation, and twice the lock of
        // the connection thread's timer wheel); this one timer looks at the connection
        // once per timeout at most, and closes it when it has waited that long for a head.
        let header_deadline = tokio::time::sleep(first_head);
        tokio::pin!(header_deadline);
        loop {
            tokio::select! {
                // The connection first, then the signals: no random order drawn on every
                // wake-up, and the signals are still polled whenever the connection waits.
                biased;
                _ = connection.as_mut() => break,
                _ = self.stop.changed() => connection.as_mut().graceful_shutdown(),
                // Closed to make room for a newer connection while it sat idle.
                () = self.entry.evicted.notified() => break,
                () = header_deadline.as_mut() => {
                    let now = tokio::time::Instant::now();
                    match self.entry.activity.waiting_since() {
                        // Waited the whole timeout for a head: closed, as hyper's timeout
                        // would have.
                        Some(since) if now.into_std() >= since + self.header_timeout => break,
                        Some(since) => header_deadline
                            .as_mut()
                            .reset((since + self.header_timeout).into()),
                        // A request in progress: its head has come. (A zero timeout
                        // still looks only once a millisecond.)
                        None => header_deadline
                            .as_mut()
                            .reset(now + self.header_timeout.max(Duration::from_millis(1))),
                    }
                }
            }
        }
    }
}

/// The open connections, oldest first, for `--max-connections`.
struct Connections {
    table: Arc<Mutex<ConnectionTable>>,
    max: usize,
}

#[derive(Default)]
struct ConnectionTable {
    next: u64,
    /// By accept order: each connection's requests in progress and its eviction signal.
    open: BTreeMap<u64, (Arc<Activity>, Arc<Notify>)>,
}

/// A connection's requests in progress, and since when it has had none (so has waited for a
/// request's head).
struct Activity {
    busy: AtomicUsize,
    /// A request fault asked for the connection to be reset rather than closed.
    reset: AtomicBool,
    /// When the last request in progress ended (or the connection was accepted), in
    /// nanoseconds after `epoch`.
    idle_since: AtomicU64,
    epoch: Instant,
}

impl Activity {
    fn new() -> Self {
        Self {
            busy: AtomicUsize::new(0),
            reset: AtomicBool::new(false),
            idle_since: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn is_idle(&self) -> bool {
        self.busy.load(Ordering::Acquire) == 0
    }

    /// Since when the connection has waited for a request's head; `None` while a request is
    /// in progress.
    fn waiting_since(&self) -> Option<Instant> {
        self.is_idle()
            .then(|| self.epoch + Duration::from_nanos(self.idle_since.load(Ordering::Acquire)))
    }
}

/// A connection's place in the table, given back when dropped.
struct Entry {
    id: u64,
    activity: Arc<Activity>,
    evicted: Arc<Notify>,
    table: Arc<Mutex<ConnectionTable>>,
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.table.lock().open.remove(&self.id);
    }
}

/// File descriptors kept free of connections: the listener, the state file, the standard
/// streams, the runtime's own.
const RESERVED_DESCRIPTORS: usize = 32;

impl Connections {
    /// At most `max` connections, and never more than the open-file limit leaves room for,
    /// so that a crowd of connections cannot starve `accept` of descriptors.
    fn new(max: usize) -> Self {
        let room = open_file_limit().map(|limit| limit.saturating_sub(RESERVED_DESCRIPTORS));
        let max = match room {
            Some(room) if room < max => {
                tracing::warn!(
                    max_connections = room,
                    "the open-file limit leaves room for fewer connections than \
                     --max-connections; keeping to it"
                );
                room
            }
            _ => max,
        };
        Self {
            table: Arc::default(),
            max: max.max(1),
        }
    }

    /// A place for a new connection: at the limit, the oldest connection with no request in
    /// progress (waiting for its first or next request head) is closed to make room; if
    /// every one is busy, `None`.
    fn admit(&self) -> Option<Entry> {
        let mut table = self.table.lock();
        if table.open.len() >= self.max {
            let idle = table
                .open
                .iter()
                .find(|(_, (activity, _))| activity.is_idle())
                .map(|(id, _)| *id)?;
            if let Some((_, evicted)) = table.open.remove(&idle) {
                evicted.notify_one();
            }
        }
        table.next += 1;
        let id = table.next;
        let activity = Arc::new(Activity::new());
        let evicted = Arc::new(Notify::new());
        table.open.insert(id, (activity.clone(), evicted.clone()));
        Some(Entry {
            id,
            activity,
            evicted,
            table: self.table.clone(),
        })
    }
}

/// The process's soft limit of open files, from `/proc/self/limits` (Linux); `None` where
/// it cannot be read or is unlimited.
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// One request in progress on a connection, from its head to the end of its answer.
struct Working(Arc<Activity>);

impl Working {
    fn new(activity: &Arc<Activity>) -> Self {
        activity.busy.fetch_add(1, Ordering::AcqRel);
        Self(activity.clone())
    }
}

impl Drop for Working {
    fn drop(&mut self) {
        let activity = &self.0;
        // Noted before the count drops, so that whoever sees no request in progress sees
        // when the last one ended.
        let elapsed = u64::try_from(activity.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        activity.idle_since.store(elapsed, Ordering::Release);
        activity.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// An answer's body while hyper sends it, holding its connection busy until it is dropped.
/// Its length is the body's own: hyper writes `Content-Length` from it (a body of unknown
/// length would go chunked).
struct Sending {
    body: Body,
    /// Held, never read: dropped with the body, once hyper has sent it or given up.
    #[expect(dead_code, reason = "held for its Drop")]
    working: Working,
}

impl hyper::body::Body for Sending {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// The error a service answers to leave a request unanswered, as a connection fault asked.
#[derive(Debug)]
struct Unanswered(ConnectionFault);

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "connection fault: {}", self.0.as_str())
    }
}

impl std::error::Error for Unanswered {}

/// A connection's stream: a plain or a TLS one over TCP.
pub(super) trait Socket {
    fn tcp(&self) -> &tokio::net::TcpStream;
}

impl Socket for tokio::net::TcpStream {
    fn tcp(&self) -> &tokio::net::TcpStream {
        self
    }
}

impl Socket for tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    fn tcp(&self) -> &tokio::net::TcpStream {
        self.get_ref().0
    }
}

/// A connection's stream that is reset (RST) rather than closed when it is dropped after a
/// request fault asked for that (a zero linger makes the close a reset).
struct Resettable<I: Socket> {
    io: I,
    activity: Arc<Activity>,
}

impl<I: Socket> Drop for Resettable<I> {
    fn drop(&mut self) {
        if self.activity.reset.load(Ordering::Acquire) {
            let _ = self.io.tcp().set_zero_linger();
        }
    }
}

impl<I: Socket + tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Resettable<I> {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<I: Socket + tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Resettable<I> {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// How long a connection past `--max-connections` is kept, all told.
const REFUSAL: Duration = Duration::from_secs(1);

/// A connection past `--max-connections`: one request is read and answered, then the
/// connection is closed, within [`REFUSAL`]. A health check is answered as ever (an
/// orchestrator must not restart an emulator that is only busy: event streams, long polls and
/// slow bodies can hold every place); anything else reads 503 `EMULATOR.BUSY`.
async fn refuse<I, A>(io: I, app: A)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    A: super::App,
{
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let app = app.clone();
        async move {
            let response = if request.uri().path() == "/_emulator/health" {
                app.oneshot(request.map(Body::new))
                    .await
                    .unwrap_or_else(|e| match e {})
            } else {
                axum::response::IntoResponse::into_response(ApiError::Busy(
                    "open connections (--max-connections)",
                ))
            };
            Ok::<_, Infallible>(response)
        }
    });
    let answer = async {
        let mut builder = http1::Builder::new();
        builder.keep_alive(false).max_buf_size(MAX_HEAD_BYTES);
        let parts = builder
            .serve_connection(TokioIo::new(io), service)
            .without_shutdown()
            .await
            .map_err(std::io::Error::other)?;
        // The answer is sent; what the client still sends is read (and dropped) until it
        // closes, so that a close with unread data does not reset the answer away.
        let mut stream = parts.io.into_inner();
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut read = 0;
        while read < 64 * 1024 {
            match stream.read(&mut sink).await? {
                0 => break,
                n => read += n,
            }
        }
        Ok::<_, std::io::Error>(())
    };
    let _ = tokio::time::timeout(REFUSAL, answer).await;
}
