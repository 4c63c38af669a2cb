//! One backup at a time: complete, fail or hold it, find it, wait for it.

use super::*;

#[derive(Serialize)]
pub(in crate::http) struct CommandDone {
    backup_id: String,
    status: &'static str,
}

/// `POST /_emulator/backups/{backup_id}/complete`: a building backup completes now.
pub(in crate::http) async fn complete(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(backup_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let t = emulator
        .store
        .complete_backup(&backup_id, emulator.clock.now())?;
    Ok(command_done(t))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(in crate::http) struct FailBody {
    reason: Option<String>,
}

/// The failure reason when none is given.
pub(in crate::http) const DEFAULT_FAIL_REASON: &str = "Backup failed.";

/// `POST /_emulator/backups/{backup_id}/fail [{"reason"}]`: a building backup fails now; its
/// job is `Failed` with `fail_reason`, its instance `ACTIVE` again. The body is optional.
pub(in crate::http) async fn fail(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(backup_id): ApiPath<String>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let reason = fail_reason(request, &emulator, DEFAULT_FAIL_REASON).await?;
    let t = emulator
        .store
        .fail_backup(&backup_id, reason, emulator.clock.now())?;
    Ok(command_done(t))
}

/// The reason of an optional `{"reason"}` body; `default` without one.
pub(in crate::http) async fn fail_reason(
    request: axum::extract::Request,
    emulator: &Arc<Emulator>,
    default: &str,
) -> Result<String, ApiError> {
    let body = crate::http::extract::read_body(request, emulator).await?;
    let body: FailBody = if body.iter().all(u8::is_ascii_whitespace) {
        FailBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| bad(e.to_string()))?
    };
    Ok(body.reason.unwrap_or_else(|| default.to_owned()))
}

pub(in crate::http) fn command_done(t: Transition) -> Response {
    json(
        StatusCode::OK,
        &CommandDone {
            backup_id: match t.subject {
                Subject::Backup(id) => id.to_string(),
                Subject::Job(id) => id.to_string(),
            },
            status: match t.kind {
                crate::store::TransitionKind::Failed => "FAILED",
                _ => "COMPLETED",
            },
        },
    )
}

/// `POST /_emulator/backups/{backup_id}/hold`: a building backup stays `BUILDING` until it
/// is completed or failed here.
pub(in crate::http) async fn hold(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(backup_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let view = emulator
        .store
        .hold_backup(&backup_id, emulator.clock.now())?;
    Ok(json(
        StatusCode::OK,
        &CommandDone {
            backup_id: view.backup.id.to_string(),
            status: "BUILDING",
        },
    ))
}

#[derive(Deserialize)]
pub(in crate::http) struct WaitParams {
    pub(in crate::http) status: Option<String>,
    pub(in crate::http) timeout: Option<String>,
}

impl WaitParams {
    /// The timeout asked for (30 s without one), at most [`MAX_WAIT`].
    pub(in crate::http) fn timeout(&self) -> Result<Duration, ApiError> {
        let timeout = match self.timeout.as_deref() {
            None | Some("") => Duration::from_secs(30),
            Some(t) => parse_duration(t).map_err(bad)?,
        };
        if timeout > MAX_WAIT {
            return Err(bad("timeout must be at most 10m"));
        }
        Ok(timeout)
    }
}

/// The longest wait one request may ask for.
pub(in crate::http) const MAX_WAIT: Duration = Duration::from_secs(600);
/// How often a wait looks again when nothing wakes it (the real clock moves on its own).
pub(in crate::http) const WAIT_RECHECK: Duration = Duration::from_millis(20);

/// `GET /_emulator/backups/{backup_id}/wait?status=COMPLETED&timeout=30s`: answers the backup
/// (as the list shows it) as soon as it has that status; 408 at the timeout; 409 at once if
/// it finished with another status; 404 if there is no such backup.
pub(in crate::http) async fn wait(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(backup_id): ApiPath<String>,
    ApiQuery(params): ApiQuery<WaitParams>,
) -> Result<Response, ApiError> {
    let wanted = match params.status.as_deref() {
        None | Some("") => BackupStatus::Completed,
        Some(s) => BackupStatus::parse(s).ok_or_else(|| {
            bad(format!(
                "status {s:?} is not BUILDING, COMPLETED, FAILED or AVAILABLE"
            ))
        })?,
    };
    long_poll(&emulator, params.timeout()?, "backup", || {
        let view = emulator
            .store
            .find_backup(&backup_id, emulator.clock.now())
            .ok_or(ApiError::BackupNotFound)?;
        let status = view.backup.status;
        if status == wanted {
            return Ok(Some(json(StatusCode::OK, &BackupItem::from(view))));
        }
        if status != BackupStatus::Building {
            return Err(ApiError::WaitEndedElsewhere("backup", status.as_str()));
        }
        Ok(None)
    })
    .await
}

/// A long poll, for the waits of the control API: asks `look` until it answers (or refuses)
/// each time something changed, and at least every [`WAIT_RECHECK`] (the real clock moves on
/// its own); at `timeout` 408 for `what`; 503 at once when the server stops. It takes one of
/// the `--max-waiters` places while it waits.
pub(in crate::http) async fn long_poll(
    emulator: &Arc<Emulator>,
    timeout: Duration,
    what: &'static str,
    mut look: impl FnMut() -> Result<Option<Response>, ApiError>,
) -> Result<Response, ApiError> {
    let deadline = Instant::now() + timeout;
    let _place = emulator
        .long_polls
        .take()
        .ok_or(ApiError::Busy("long-poll waits (--max-waiters)"))?;
    let _waiting = Waiting::new(emulator);
    let mut stopping = emulator.stopping.subscribe();
    loop {
        // Taken before looking, so that a change between the look and the wait wakes it.
        let changed = emulator.changes.notified();
        if let Some(answer) = look()? {
            return Ok(answer);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ApiError::WaitTimeout(what));
        }
        // A stopping server ends the wait at once instead of holding the stop for its grace.
        tokio::select! {
            _ = tokio::time::timeout(left.min(WAIT_RECHECK), changed) => {}
            _ = stopping.wait_for(|stop| *stop) => return Err(ApiError::Stopping),
        }
    }
}

/// Counts one waiting on changes (a request or an event stream), so that requests notify
/// only while someone waits.
pub(in crate::http) struct Waiting(Arc<Emulator>);

impl Waiting {
    pub(in crate::http) fn new(emulator: &Arc<Emulator>) -> Self {
        emulator
            .waiters
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self(emulator.clone())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0
            .waiters
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}
