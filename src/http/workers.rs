//! The threads connections are served on: a current-thread runtime for each core, and each
//! connection kept on one of them from its accept to its close (given to each in turn).
//!
//! On the work-stealing runtime a connection's task moved between workers: each move woke a
//! parked worker (a `futex` call and a task switch), and what one worker allocated for a
//! request the other freed, taking the allocator's arena lock — together more than half of
//! the emulator's `futex` calls under load, and the throughput varied with how the tasks
//! happened to move (`docs/benchmarks.md`, round 8). The accept loop and the background work
//! (the ticker, the state-file writer) stay on the main runtime; the store and the waiters
//! are shared as before.

use std::future::Future;
use std::num::NonZero;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

/// The connection threads; dropping them stops each, closing the connections still on it.
pub(super) struct Workers {
    workers: Vec<Worker>,
    next: AtomicUsize,
}

struct Worker {
    handle: Handle,
    /// Dropped (with the workers) to stop the thread: its runtime then ends with every task
    /// on it.
    _stop: oneshot::Sender<()>,
}

impl Workers {
    /// A thread with its own runtime for each core the process may use.
    pub(super) fn start() -> std::io::Result<Self> {
        let count = std::thread::available_parallelism().map_or(1, NonZero::get);
        let workers = (0..count)
            .map(Worker::start)
            .collect::<std::io::Result<_>>()?;
        Ok(Self {
            workers,
            next: AtomicUsize::new(0),
        })
    }

    /// Serves `stream` with `serve` on the next thread in turn. The stream moves to that
    /// thread's runtime (its readiness then comes from that thread's own poller); one that
    /// cannot move (closed in between) is dropped.
    pub(super) fn spawn<S, F>(&self, stream: TcpStream, serve: S)
    where
        S: FnOnce(TcpStream) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let Ok(stream) = stream.into_std() else {
            return;
        };
        let at = self.next.fetch_add(1, Ordering::Relaxed) % self.workers.len();
        self.workers[at].handle.spawn(async move {
            if let Ok(stream) = TcpStream::from_std(stream) {
                serve(stream).await;
            }
        });
    }
}

impl Worker {
    fn start(n: usize) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(format!("taurusdb-conn-{n}"))
            .spawn(move || {
                // Runs the connections' tasks until told to stop (or the server is gone);
                // the runtime then drops what is left on it.
                let _ = runtime.block_on(stopped);
            })?;
        Ok(Self {
            handle,
            _stop: stop,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_are_served_on_each_thread_in_turn_until_the_workers_stop() {
        let workers = Workers::start().unwrap();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let address = listener.local_addr().unwrap();
        let (names, mut served) = tokio::sync::mpsc::unbounded_channel();
        for _ in 0..2 * workers.workers.len() {
            let _client = TcpStream::connect(address).await.unwrap();
            let (stream, _) = listener.accept().await.unwrap();
            let names = names.clone();
            workers.spawn(stream, move |stream| async move {
                let thread = std::thread::current().name().map(str::to_owned);
                let _ = names.send((thread, stream.peer_addr().is_ok()));
            });
        }
        let mut threads = std::collections::BTreeMap::new();
        for _ in 0..2 * workers.workers.len() {
            let (thread, registered) = served.recv().await.unwrap();
            assert!(registered, "the stream works on its new thread");
            *threads.entry(thread.unwrap()).or_insert(0) += 1;
        }
        assert_eq!(threads.len(), workers.workers.len(), "{threads:?}");
        assert!(threads.values().all(|&n| n == 2), "{threads:?}");
        // Stopped, a thread's runtime drops what is still on it: a task left waiting ends.
        let (held, mut released) = tokio::sync::mpsc::unbounded_channel::<()>();
        let _client = TcpStream::connect(address).await.unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        workers.spawn(stream, move |_stream| async move {
            let _held = held;
            std::future::pending::<()>().await;
        });
        drop(workers);
        assert_eq!(released.recv().await, None, "the waiting task was dropped");
    }
}
