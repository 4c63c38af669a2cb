//! Failures on demand: request faults and backup failure rules.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::http) struct RequestFaultBody {
    operation: String,
    #[serde(default = "one")]
    count: u32,
    status: Option<u16>,
    error_code: Option<String>,
    error_msg: Option<String>,
    delay: Option<String>,
}

pub(in crate::http) fn one() -> u32 {
    1
}

#[derive(Serialize)]
pub(in crate::http) struct RequestFaultItem {
    id: u64,
    operation: String,
    remaining: u32,
    hits: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_msg: Option<String>,
    delay: String,
}

impl From<RequestFault> for RequestFaultItem {
    fn from(f: RequestFault) -> Self {
        Self {
            id: f.id,
            operation: f.operation,
            remaining: f.remaining,
            hits: f.hits,
            status: f.error.as_ref().map(|e| e.status),
            error_code: f.error.as_ref().map(|e| e.error_code.clone()),
            error_msg: f.error.map(|e| e.error_msg),
            delay: format!("{}ms", f.delay.as_millis()),
        }
    }
}

/// `POST /_emulator/faults/requests {"operation", "count", "status", "error_code",
/// "error_msg", "delay"}`: the next `count` calls of `operation` (a name from the route
/// table, or `*`) answer that error in the API's format, or answer after `delay`, or both.
pub(in crate::http) async fn fault_requests(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(body): ApiJson<RequestFaultBody>,
) -> Result<Response, ApiError> {
    let targetable = Operation::from_name(&body.operation).is_some_and(Operation::is_api);
    if body.operation != "*" && !targetable {
        let names: Vec<&str> = Operation::ALL
            .iter()
            .filter(|o| o.is_api())
            .map(|o| o.name())
            .collect();
        return Err(bad(format!(
            "operation {:?} is not one of *, {}",
            body.operation,
            names.join(", ")
        )));
    }
    let delay = body
        .delay
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(bad)?
        .unwrap_or_default();
    let error = match (body.status, body.error_code, body.error_msg) {
        (None, None, None) if !delay.is_zero() => None,
        (None, None, None) => return Err(bad("give status (with error_code, error_msg) or delay")),
        (Some(status), code, msg) => {
            if !(400..=599).contains(&status) {
                return Err(bad("status must be from 400 to 599"));
            }
            Some(InjectedError {
                status,
                error_code: code.unwrap_or_else(|| "DBS.108000".to_owned()),
                error_msg: msg.unwrap_or_else(|| "Server failure.".to_owned()),
            })
        }
        (None, ..) => return Err(bad("error_code and error_msg need a status")),
    };
    let fault = emulator
        .faults
        .add(body.operation, body.count, error, delay)
        .map_err(bad)?;
    Ok(json(StatusCode::CREATED, &RequestFaultItem::from(fault)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::http) struct BackupFaultBody {
    #[serde(default = "one")]
    count: u32,
    /// `backup` (the default), `restore` or `create_instance`.
    operation: Option<String>,
    instance_id: Option<String>,
    reason: Option<String>,
}

#[derive(Serialize)]
pub(in crate::http) struct BackupFaultItem {
    id: u64,
    operation: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_id: Option<String>,
    remaining: u32,
    hits: u32,
    reason: String,
}

impl From<FailureRule> for BackupFaultItem {
    fn from(r: FailureRule) -> Self {
        Self {
            id: r.id,
            operation: r.target.as_str(),
            instance_id: r.instance_id.map(|i| i.to_string()),
            remaining: r.remaining,
            hits: r.hits,
            reason: r.reason,
        }
    }
}

/// `POST /_emulator/faults/backups {"count", "operation", "instance_id", "reason"}`: the next
/// `count` backups started (of that instance, or of any) end `FAILED` with `reason`; with
/// `"operation": "restore"` the next restores (onto or from that instance), with
/// `"create_instance"` the next instance creations (restoring from that instance, if one is
/// named) end `Failed` instead.
pub(in crate::http) async fn fault_backups(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(body): ApiJson<BackupFaultBody>,
) -> Result<Response, ApiError> {
    let instance = body
        .instance_id
        .as_deref()
        .map(InstanceId::parse)
        .transpose()?;
    let target = match body.operation.as_deref() {
        None => FailureTarget::Backups,
        Some(name) => FailureTarget::parse(name).ok_or_else(|| {
            bad(format!(
                "operation {name:?} is not backup, restore or create_instance"
            ))
        })?,
    };
    let rule = emulator
        .store
        .add_failure_rule(
            target,
            instance,
            body.count,
            body.reason
                .unwrap_or_else(|| DEFAULT_FAIL_REASON.to_owned()),
        )
        .map_err(bad)?;
    Ok(json(StatusCode::CREATED, &BackupFaultItem::from(rule)))
}

#[derive(Serialize)]
pub(in crate::http) struct FaultList {
    requests: Vec<RequestFaultItem>,
    backups: Vec<BackupFaultItem>,
}

/// Every fault since the last clear, with hits and calls left.
/// The faults set, oldest first; with `newest`, only that many of the newest of each kind.
pub(in crate::http) fn fault_list(emulator: &Emulator, newest: Option<usize>) -> FaultList {
    fn last<T>(mut items: Vec<T>, newest: Option<usize>) -> Vec<T> {
        let keep = newest.unwrap_or(usize::MAX).min(items.len());
        items.split_off(items.len() - keep)
    }
    FaultList {
        requests: last(emulator.faults.list(), newest)
            .into_iter()
            .map(RequestFaultItem::from)
            .collect(),
        backups: last(emulator.store.failure_rules(), newest)
            .into_iter()
            .map(BackupFaultItem::from)
            .collect(),
    }
}

/// `GET /_emulator/faults`: every fault since the last clear, with hits and calls left.
pub(in crate::http) async fn faults(State(emulator): State<Arc<Emulator>>) -> Response {
    json(StatusCode::OK, &fault_list(&emulator, None))
}

/// `DELETE /_emulator/faults`: clears request faults and backup failure rules.
pub(in crate::http) async fn clear_faults(State(emulator): State<Arc<Emulator>>) -> Response {
    emulator.faults.clear();
    emulator.store.clear_failure_rules();
    json(StatusCode::OK, &Done { status: "cleared" })
}
