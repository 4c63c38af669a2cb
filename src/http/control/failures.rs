//! Failures on demand: request faults and backup failure rules.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(in crate::http) struct RequestFaultBody {
    operation: String,
    method: Option<String>,
    project_id: Option<String>,
    instance_id: Option<String>,
    phase: Option<String>,
    count: Option<u32>,
    rate: Option<f64>,
    preset: Option<String>,
    status: Option<u16>,
    error_code: Option<String>,
    error_msg: Option<String>,
    connection: Option<String>,
    delay: Option<String>,
    interval: Option<String>,
}

pub(in crate::http) fn one() -> u32 {
    1
}

#[derive(Serialize)]
pub(in crate::http) struct RequestFaultItem {
    id: u64,
    operation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_id: Option<String>,
    phase: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate: Option<f64>,
    /// Requests it may still strike; `null`: no limit.
    remaining: Option<u32>,
    hits: u32,
    matched: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_msg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    connection: Option<&'static str>,
    delay: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<String>,
}

impl From<RequestFault> for RequestFaultItem {
    fn from(f: RequestFault) -> Self {
        let spec = f.spec;
        let trickle = spec.connection == Some(ConnectionFault::Trickle);
        Self {
            id: f.id,
            operation: spec.operation,
            method: spec.method,
            project_id: spec.project,
            instance_id: spec.instance,
            phase: spec.phase.as_str(),
            rate: spec.rate,
            remaining: f.remaining,
            hits: f.hits,
            matched: f.matched,
            preset: spec.preset,
            status: spec.error.as_ref().map(|e| e.status),
            error_code: spec.error.as_ref().map(|e| e.error_code.clone()),
            error_msg: spec.error.map(|e| e.error_msg),
            connection: spec.connection.map(ConnectionFault::as_str),
            delay: format!("{}ms", spec.delay.as_millis()),
            interval: trickle.then(|| format!("{}ms", spec.interval.as_millis())),
        }
    }
}

/// The error a fault body names: a preset, or a status with a code and message.
fn fault_error(
    body: &mut RequestFaultBody,
) -> Result<Option<(InjectedError, Option<&'static str>)>, ApiError> {
    let (status, code, msg) = (body.status, body.error_code.take(), body.error_msg.take());
    if let Some(name) = body.preset.as_deref() {
        let preset = Preset::find(name).ok_or_else(|| {
            let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
            bad(format!(
                "preset {name:?} is not one of {}",
                names.join(", ")
            ))
        })?;
        if status.is_some() || code.is_some() || msg.is_some() {
            return Err(bad("give a preset or a status, not both"));
        }
        return Ok(Some((preset.error(), Some(preset.name))));
    }
    match (status, code, msg) {
        (None, None, None) => Ok(None),
        (Some(status), code, msg) => Ok(Some((
            InjectedError {
                status,
                error_code: code.unwrap_or_else(|| "DBS.108000".to_owned()),
                error_msg: msg.unwrap_or_else(|| "Server failure.".to_owned()),
                gateway: false,
            },
            None,
        ))),
        (None, ..) => Err(bad("error_code and error_msg need a status")),
    }
}

/// `POST /_emulator/faults/requests`: requests of `operation` (a name from the route table, or
/// `*`; of that `method`, `project_id`, `instance_id` if given) fail, `before` the operation
/// runs or `after` it committed (`phase`): the next `count` of them (default 1), or a `rate`
/// of them drawn from the seeded sequence; with an error (`preset`, or `status`,
/// `error_code`, `error_msg`), a `connection` fault (`reset`, `close`, `stall`, `trickle`
/// every `interval`) or an answer after `delay`.
pub(in crate::http) async fn fault_requests(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(mut body): ApiJson<RequestFaultBody>,
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
    let duration = |value: &Option<String>| {
        value
            .as_deref()
            .map(parse_duration)
            .transpose()
            .map_err(bad)
    };
    let delay = duration(&body.delay)?.unwrap_or_default();
    let interval = duration(&body.interval)?.unwrap_or(DEFAULT_INTERVAL);
    let phase = match body.phase.as_deref() {
        None => Phase::Before,
        Some(name) => Phase::parse(name)
            .ok_or_else(|| bad(format!("phase {name:?} is not before or after")))?,
    };
    let connection = body
        .connection
        .as_deref()
        .map(|name| {
            ConnectionFault::parse(name).ok_or_else(|| {
                bad(format!(
                    "connection {name:?} is not one of {}",
                    ConnectionFault::NAMES.join(", ")
                ))
            })
        })
        .transpose()?;
    let (error, preset) = fault_error(&mut body)?.unzip();
    let spec = FaultSpec {
        operation: body.operation,
        method: body.method.map(|m| m.to_ascii_uppercase()),
        project: body.project_id,
        instance: body.instance_id,
        phase,
        count: match (body.count, body.rate) {
            (Some(count), _) => Some(count),
            (None, Some(_)) => None,
            (None, None) => Some(one()),
        },
        rate: body.rate,
        error,
        preset: preset.flatten(),
        connection,
        delay,
        interval,
    };
    let fault = emulator.faults.add(spec).map_err(bad)?;
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
