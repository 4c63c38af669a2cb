//! The request journal: what was asked and answered.

use super::*;

#[derive(Serialize)]
pub(in crate::http) struct JournalItem {
    time: String,
    method: String,
    path: String,
    operation: String,
    /// What the client was answered; `None` when a fault left it without an answer.
    status: Option<u16>,
    duration_ms: f64,
    request_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fault: Option<FaultItem>,
}

/// The request fault that struck a request.
#[derive(Serialize)]
pub(in crate::http) struct FaultItem {
    id: u64,
    phase: &'static str,
    committed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    connection: Option<&'static str>,
}

impl From<JournalEntry> for JournalItem {
    fn from(e: JournalEntry) -> Self {
        let duration_ms = e.duration_ms();
        Self {
            time: format_api_time(e.time),
            method: e.method.into_owned(),
            path: e.path,
            operation: e.operation.to_owned(),
            status: e.fault.is_none_or(|f| f.answered).then_some(e.status),
            duration_ms,
            request_id: e.request_id.map(|id| id.to_string()).unwrap_or_default(),
            fault: e.fault.map(|f| FaultItem {
                id: f.id,
                phase: f.phase,
                committed: f.committed,
                connection: f.connection,
            }),
        }
    }
}

#[derive(Serialize)]
pub(in crate::http) struct JournalBody {
    capacity: usize,
    requests: Vec<JournalItem>,
}

/// `GET /_emulator/requests`: the last requests, oldest first.
pub(in crate::http) async fn requests(State(emulator): State<Arc<Emulator>>) -> Response {
    json(
        StatusCode::OK,
        &JournalBody {
            capacity: emulator.journal.capacity(),
            requests: emulator
                .journal
                .entries()
                .into_iter()
                .map(JournalItem::from)
                .collect(),
        },
    )
}

/// `DELETE /_emulator/requests`: empties the journal.
pub(in crate::http) async fn clear_requests(State(emulator): State<Arc<Emulator>>) -> Response {
    emulator.journal.clear();
    json(StatusCode::OK, &Done { status: "cleared" })
}
