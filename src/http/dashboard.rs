//! The dashboard: `GET /_emulator/ui`, one page embedded in the binary, and the stream of
//! server-sent events `GET /_emulator/events` that the page (or a test) follows. The page
//! acts only through the control API a test uses.

use std::convert::Infallible;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use serde::Serialize;
use tokio::time::Instant;

use super::control::{
    FaultList, JournalItem, ProjectParam, StateBody, Waiting, fault_list, state_body,
};
use super::extract::ApiQuery;
use crate::domain::ProjectId;
use crate::emulator::Emulator;
use crate::error::ApiError;

/// The page, with its styles and script.
pub(super) const PAGE: &str = include_str!("dashboard.html");

/// What the page may load and where it may connect: itself only. Its one script runs by its
/// hash, so no other inline script (an injected one) would.
static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "default-src 'none'; script-src '{}'; style-src 'unsafe-inline'; connect-src 'self'; \
         img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        script_hash(PAGE)
    )
});

/// `sha256-<base64>` of the page's one inline script, as a CSP source.
fn script_hash(page: &str) -> String {
    use base64::Engine;
    let script = page
        .split_once("<script>")
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map_or("", |(script, _)| script);
    let digest = ring::digest::digest(&ring::digest::SHA256, script.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// `GET /_emulator/ui`: the dashboard.
pub(super) async fn ui() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                CONTENT_SECURITY_POLICY.as_str(),
            ),
        ],
        PAGE,
    )
        .into_response()
}

/// How many backups and jobs of each project, and how many requests, one view shows.
pub(super) const VIEW_BACKUPS: usize = 100;
pub(super) const VIEW_REQUESTS: usize = 50;
/// How many of the newest request faults and backup failure rules one view shows.
pub(super) const VIEW_FAULTS: usize = 50;
/// Events come at most this often, however busy the emulator is.
pub(super) const MIN_GAP: Duration = Duration::from_millis(200);
/// How often the stream looks again when nothing wakes it (a real clock moves on its own).
const RECHECK: Duration = Duration::from_secs(1);
/// A comment line this often keeps idle connections open through proxies.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How soon a browser reconnects after the stream broke.
const RETRY: Duration = Duration::from_secs(1);

/// One `state` event: the state as `/_emulator/state` shows it, but only the newest
/// [`VIEW_BACKUPS`] backups and jobs of each project (newest first) with their counts, plus
/// the faults and the last [`VIEW_REQUESTS`] requests, newest first.
#[derive(Serialize)]
struct View {
    #[serde(flatten)]
    state: StateBody,
    faults: FaultList,
    requests: Vec<JournalItem>,
}

fn view(emulator: &Emulator, project: Option<&ProjectId>) -> String {
    let view = View {
        state: state_body(emulator, project, VIEW_BACKUPS),
        faults: fault_list(emulator, Some(VIEW_FAULTS)),
        requests: emulator
            .journal
            .latest(VIEW_REQUESTS)
            .into_iter()
            .map(JournalItem::from)
            .collect(),
    };
    serde_json::to_string(&view).unwrap_or_default()
}

/// `GET /_emulator/events[?project_id=]`: server-sent events. A `state` event (see [`View`])
/// comes at once, then whenever the view changed, at most every [`MIN_GAP`]; each has an
/// increasing `id`. The stream ends when the emulator stops.
pub(super) async fn events(
    State(emulator): State<Arc<Emulator>>,
    ApiQuery(param): ApiQuery<ProjectParam>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let place = emulator
        .event_streams
        .take()
        .ok_or(ApiError::Busy("event streams (--max-event-streams)"))?;
    let stream = Follower {
        _place: place,
        _waiting: Waiting::new(&emulator),
        stopping: emulator.stopping.subscribe(),
        project: param.project(),
        last: None,
        sent: 0,
        last_at: Instant::now(),
        emulator,
    };
    let stream = futures_util::stream::unfold(stream, |mut follower| async move {
        let event = follower.next().await?;
        Some((Ok(event), follower))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// One client following the state.
struct Follower {
    emulator: Arc<Emulator>,
    /// This stream's place among `--max-event-streams`.
    _place: crate::slots::Slot,
    /// Makes each change wake this stream, for as long as it lives.
    _waiting: Waiting,
    stopping: tokio::sync::watch::Receiver<bool>,
    project: Option<ProjectId>,
    /// The view last sent, and how many were sent.
    last: Option<String>,
    sent: u64,
    last_at: Instant,
}

impl Follower {
    /// The next event, no sooner than [`MIN_GAP`] after the one before; `None` once the
    /// emulator stops.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if self.sent > 0 {
                tokio::select! {
                    () = tokio::time::sleep_until(self.last_at + MIN_GAP) => {}
                    _ = self.stopping.changed() => return None,
                }
            }
            if *self.stopping.borrow() {
                return None;
            }
            let changed = self.emulator.changes.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let body = view(&self.emulator, self.project.as_ref());
            if self.last.as_deref() != Some(body.as_str()) {
                let mut event = Event::default()
                    .event("state")
                    .id(self.sent.to_string())
                    .data(&body);
                if self.sent == 0 {
                    event = event.retry(RETRY);
                }
                self.sent += 1;
                self.last = Some(body);
                self.last_at = Instant::now();
                return Some(event);
            }
            tokio::select! {
                () = &mut changed => {}
                () = tokio::time::sleep(RECHECK) => {}
                _ = self.stopping.changed() => return None,
            }
        }
    }
}
