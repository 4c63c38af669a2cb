//! Time and the lifecycle: the clock, advancing it, and how backups finish.

use super::*;

#[derive(Serialize)]
pub(in crate::http) struct ClockState {
    now: String,
    mode: &'static str,
}

/// `GET /_emulator/clock` → `{"now", "mode"}`.
pub(in crate::http) async fn clock(State(emulator): State<Arc<Emulator>>) -> Response {
    json(
        StatusCode::OK,
        &ClockState {
            now: format_api_time(emulator.clock.now()),
            mode: emulator.clock.mode().as_str(),
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::http) struct AdvanceBody {
    seconds: f64,
}

#[derive(Serialize)]
pub(in crate::http) struct Advanced {
    now: String,
    mode: &'static str,
    /// What happened because of this advance, in the order it happened: the first
    /// [`MAX_LISTED_TRANSITIONS`].
    transitions: Vec<TransitionItem>,
    /// How many transitions there were in all.
    transition_count: usize,
}

#[derive(Serialize)]
pub(in crate::http) struct TransitionItem {
    project_id: String,
    /// A backup's transition.
    #[serde(skip_serializing_if = "Option::is_none")]
    backup_id: Option<String>,
    /// A restore's or an instance creation's.
    #[serde(skip_serializing_if = "Option::is_none")]
    job_id: Option<String>,
    /// `started`, `completed`, `failed` or `expired`.
    event: &'static str,
    at: String,
}

impl From<Transition> for TransitionItem {
    fn from(t: Transition) -> Self {
        Self {
            project_id: t.project_id.to_string(),
            backup_id: match &t.subject {
                Subject::Backup(id) => Some(id.to_string()),
                Subject::Job(_) => None,
            },
            job_id: match &t.subject {
                Subject::Job(id) => Some(id.to_string()),
                Subject::Backup(_) => None,
            },
            event: t.kind.as_str(),
            at: format_api_time(t.at),
        }
    }
}

/// The longest single advance: ten years.
pub(in crate::http) const MAX_ADVANCE_SECONDS: f64 = 10.0 * 365.0 * 24.0 * 3600.0;

/// An advance moves the clock this far at a time, applying what is due under the store's lock
/// for each step only, so that other requests go on meanwhile.
pub(in crate::http) const ADVANCE_STEP: TimeDelta = TimeDelta::hours(6);

/// The most transitions an advance's answer lists; `transition_count` counts them all.
pub(in crate::http) const MAX_LISTED_TRANSITIONS: usize = 1000;

/// `POST /_emulator/clock/advance {"seconds": N}`: moves the clock forward by N seconds (in
/// either clock mode) and applies everything due by then before answering. Refused, changing
/// nothing, past 9999-12-31T23:59:59+0000, the last time the API's format can write.
pub(in crate::http) async fn advance(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(body): ApiJson<AdvanceBody>,
) -> Result<Response, ApiError> {
    if !(body.seconds.is_finite() && (0.0..=MAX_ADVANCE_SECONDS).contains(&body.seconds)) {
        return Err(bad(format!(
            "seconds must be a number from 0 to {MAX_ADVANCE_SECONDS}"
        )));
    }
    let by = TimeDelta::milliseconds((body.seconds * 1000.0).round() as i64);
    let target = emulator.clock.now().checked_add_signed(by);
    if target.is_none_or(|t| t > crate::clock::LATEST) {
        return Err(bad(crate::clock::OutOfRange.to_string()));
    }
    let mut listed = Vec::new();
    let mut count = 0;
    let mut left = by;
    let now = loop {
        let step = left.min(ADVANCE_STEP);
        let now = emulator
            .clock
            .advance(step)
            .map_err(|e| bad(e.to_string()))?;
        let transitions = emulator.store.advance_to(now);
        count += transitions.len();
        let room = MAX_LISTED_TRANSITIONS - listed.len();
        listed.extend(transitions.into_iter().take(room).map(TransitionItem::from));
        left -= step;
        if left <= TimeDelta::zero() {
            break now;
        }
        tokio::task::yield_now().await;
    };
    Ok(json(
        StatusCode::OK,
        &Advanced {
            now: format_api_time(now),
            mode: emulator.clock.mode().as_str(),
            transitions: listed,
            transition_count: count,
        },
    ))
}

#[derive(Serialize)]
pub(in crate::http) struct LifecycleBody {
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reads: Option<u32>,
    backup_duration: String,
    automated_backups: bool,
}

impl From<Lifecycle> for LifecycleBody {
    fn from(l: Lifecycle) -> Self {
        let (mode, reads) = l.mode.parts();
        Self {
            mode,
            reads,
            backup_duration: format!("{}ms", l.backup_duration.num_milliseconds()),
            automated_backups: l.automated_backups,
        }
    }
}

/// `GET /_emulator/lifecycle`.
pub(in crate::http) async fn lifecycle(State(emulator): State<Arc<Emulator>>) -> Response {
    json(
        StatusCode::OK,
        &LifecycleBody::from(emulator.store.lifecycle()),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::http) struct LifecycleUpdate {
    mode: Option<String>,
    reads: Option<u32>,
    backup_duration: Option<String>,
    automated_backups: Option<bool>,
}

/// `PUT /_emulator/lifecycle {"mode", "reads", "backup_duration", "automated_backups"}`: any
/// of them; applies to backups started from now on.
pub(in crate::http) async fn set_lifecycle(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(update): ApiJson<LifecycleUpdate>,
) -> Result<Response, ApiError> {
    let mut lifecycle = emulator.store.lifecycle();
    if let Some(mode) = update.mode.as_deref() {
        lifecycle.mode = LifecycleMode::from_parts(mode, update.reads).map_err(bad)?;
    } else if update.reads.is_some() {
        return Err(bad("\"reads\" goes only with mode reads"));
    }
    if let Some(d) = update.backup_duration.as_deref() {
        let d = parse_duration(d).map_err(bad)?;
        lifecycle.backup_duration = TimeDelta::from_std(d).map_err(|e| bad(e.to_string()))?;
    }
    if let Some(a) = update.automated_backups {
        lifecycle.automated_backups = a;
    }
    emulator
        .store
        .set_lifecycle(lifecycle, emulator.clock.now());
    Ok(json(StatusCode::OK, &LifecycleBody::from(lifecycle)))
}
