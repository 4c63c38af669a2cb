//! Every error the emulator can answer, in one catalogue.
//!
//! Each variant documents its HTTP status and `error_code`. Codes and messages are quoted from
//! the TaurusDB error-code appendix (`DBS.*`) or from the API gateway (`APIGW.*`); which check
//! maps to which code is our choice where the documentation is silent (see README,
//! "Differences from the real service"). The HTTP layer turns an [`ApiError`] into
//! `{"error_code": ..., "error_msg": ...}`; nothing here knows about axum.

use std::fmt;

/// An error answered to a client in the API's own format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401 `APIGW.0301`: the token (or signature) is missing, empty or unknown. The gateway's
    /// body also carries `request_id`.
    Unauthenticated(&'static str),
    /// 403 `DBS.280056` "Invalid token.": a valid token used on another project's path.
    TokenProjectMismatch,
    /// 400 `DBS.200006`: a POST or PUT without a body.
    EmptyBody,
    /// 400 `DBS.200001` "Parameter error.": malformed JSON, wrong JSON types, a missing field,
    /// a body that is not JSON, or a bad query parameter.
    Parameter,
    /// 400 `DBS.200001`, with a detail after "Parameter error.": a bad request to an
    /// emulator-only endpoint, where a precise message helps more than fidelity.
    ControlParameter(String),
    /// 400 `DBS.280404`: `instance_id` is not shaped like an instance id.
    InvalidInstanceId,
    /// 400 `DBS.280277` "Invalid object name.": the backup name rule.
    InvalidBackupName,
    /// 400 `DBS.280127`: the backup description rule.
    InvalidBackupDescription,
    /// 400 `DBS.280439`: `limit` is not an integer in 1..=100.
    InvalidLimit,
    /// 400 `DBS.280216` "Invalid backup start time.": an unreadable `begin_time`/`end_time`
    /// filter, or `end_time` not after `begin_time`.
    InvalidTimeRange,
    /// 400 `DBS.280253` "Invalid backup start time.": a policy `start_time` that is not a
    /// one-hour window on the hour.
    InvalidPolicyStartTime,
    /// 400 `DBS.280250`: a policy `keep_days` that is not an integer in 1..=732.
    InvalidPolicyKeepDays,
    /// 400 `DBS.280251`: a policy `period` that is not distinct weekday digits 1-7.
    InvalidPolicyPeriod,
    /// 400 `DBS.280449`: the instance is `FROZEN`.
    InstanceFrozen,
    /// 400 `DBS.201208`: the backup cannot be deleted in its state (automated, or still
    /// `BUILDING`).
    BackupStatusForbids,
    /// 400 `DBS.201203` "The backup file does not exist.": an unknown id in a batch delete.
    BackupFileMissing,
    /// 400 `DBS.201204` "The backup type is not allowed.": an automated backup in a batch
    /// delete.
    BackupTypeForbids,
    /// 400 `DBS.200543`: no job with that id in this project.
    JobNotFound,
    /// 404 `DBS.200002`: no such instance in this project.
    InstanceNotFound,
    /// 404 `DBS.201010`: no such backup in this project.
    BackupNotFound,
    /// 404 `DBS.290013` "Resource not found.": no API at this path.
    ResourceNotFound,
    /// 405 `DBS.290013` "Resource not found.": the path exists, but not with this method.
    MethodNotAllowed,
    /// 408 `EMULATOR.WAIT_TIMEOUT`: a wait on a backup ran out (control API only).
    WaitTimeout(&'static str),
    /// 409 `EMULATOR.WAIT_ENDED`: a waited-on backup finished with another status (control
    /// API only).
    WaitEndedElsewhere(&'static str, &'static str),
    /// 409 `DBS.200011`: the instance is not `ACTIVE`.
    InstanceBusy,
    /// 409 `DBS.200316`: the instance is `STORAGE FULL`.
    InstanceStorageFull,
    /// 409 `DBS.201205`: another backup of the instance is still `BUILDING`.
    BackupInProgress,
    /// 413 `DBS.200001`: the request body is larger than the emulator accepts.
    PayloadTooLarge,
    /// 413 `DBS.290003`: the project holds as many backups as `--max-backups-per-project`
    /// allows (no backup quota is documented; this is the documented 413 quota error).
    BackupQuota,
    /// 408 `DBS.200001`: the request body did not arrive within the request timeout.
    BodyTimeout,
    /// 414 `DBS.200001`: the request URI is longer than the emulator accepts.
    UriTooLong,
    /// 431 `DBS.200001`: the request headers are larger than the emulator accepts.
    HeadersTooLarge,
    /// 401 `EMULATOR.CONTROL_TOKEN`: the control API has a `--control-token` and the request
    /// did not present it (control API only).
    ControlTokenMissing,
    /// 403 `EMULATOR.FORBIDDEN`: a control request from another origin, or to a host name the
    /// emulator does not answer to (control API only); the detail says which.
    ControlForbidden(&'static str),
    /// 503 `EMULATOR.BUSY`: the emulator holds as many of these (connections, event streams,
    /// waiters) as its settings allow; the detail names the limit.
    Busy(&'static str),
    /// 404 `EMULATOR.NO_TLS`: there is no certificate to give: the emulator serves plain HTTP
    /// (control API only).
    NoTls,
    /// 503 `EMULATOR.STOPPING`: the emulator stopped while the request waited (control API
    /// only).
    Stopping,
    /// 500 `DBS.108000` "Server failure.": a bug in the emulator (a caught panic).
    Internal,
    /// 400 `DBS.200021`: an instance name breaks the naming rule.
    InvalidInstanceName,
    /// 400 `DBS.200024`: not the project's region.
    InvalidRegion,
    /// 400 `DBS.200052`: the root password breaks the password rule.
    InvalidPassword,
    /// 400 `DBS.200048`.
    InvalidVpc,
    /// 400 `DBS.200049`.
    InvalidSubnet,
    /// 400 `DBS.200040`: not `gaussdb-mysql` 8.0.
    UnsupportedEngine,
    /// 400 `DBS.201207`: a restore's target differs from its source in engine version or
    /// table-name case sensitivity.
    EngineMismatch,
    /// 404 `DBS.200013`: a restore's source instance does not exist.
    SourceInstanceNotFound,
    /// 413 `DBS.200046`: the project holds as many instances as it may.
    InstanceQuota,
    /// Control API: 404 `DBS.200543`, no job of this id in any project.
    UnknownJob,
    /// Control API: 409 `EMULATOR.JOB_ENDED`, the job is not running any more.
    JobEnded,
    /// 409 `DBS.200019`: a job of the instance's own (a change, a restore) is running.
    InstanceOperationRunning,
    /// 400 `DBS.280434`: a spec code the flavor catalogue does not have.
    InvalidFlavor,
    /// 400 `DBS.280450`: the flavor is not sold in an AZ of the instance.
    FlavorSoldOut,
    /// 400 `DBS.200042`: a `database_name` other than `gaussdb-mysql`.
    UnknownEngine,
    /// 400 `DBS.280260`: `availability_zone_mode` missing, or not `single` or `multi`.
    InvalidAzMode,
    /// 400 `DBS.280364`: a port out of range or reserved.
    InvalidPort,
    /// 400 `DBS.200056`: more read replicas than an instance (15) or a request (9) may add.
    TooManyNodes,
    /// 400 `DBS.212005`: a node id that is not one of the instance's nodes.
    NodeNotInInstance,
    /// 409 `DBS.280406`: the operation is not allowed for the node or instance (the last
    /// read replica; a proxy without a read replica, or a fifth).
    NodeOperationForbidden,
    /// 404 `DBS.200503`: a creation's VPC is not one of the project's (also the network
    /// look-ups' answer for an unknown VPC, as the next two for theirs).
    VpcNotFound,
    /// 404 `DBS.200501`: a creation's subnet is not one of its VPC's.
    SubnetNotFound,
    /// 404 `DBS.200050`: a creation's security group is not one of the project's.
    SecurityGroupNotFound,
    /// 400 `DBS.270024`: no such proxy on the instance.
    ProxyNotFound,
    /// 400 `DBS.270025`: a read weight outside 0–1000, or of a node the instance lacks.
    InvalidWeight,
    /// 400 `DBS.270026`: a proxy mode other than `readwrite` and `readonly`.
    InvalidProxyMode,
    /// 400 `DBS.270027`: the instance has several proxies and the request names none.
    SelectProxy,
    /// 400 `DBS.280271`: a quota below −1, above its maximum, or below what is in use.
    OutOfRange,
}

/// Whose format an error body takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorSource {
    /// The TaurusDB service: `{"error_code", "error_msg"}`.
    Service,
    /// The API gateway in front of it: the same two keys plus `request_id`.
    Gateway,
}

impl ApiError {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        use ApiError::*;
        match self {
            Unauthenticated(_) => 401,
            TokenProjectMismatch => 403,
            EmptyBody
            | Parameter
            | ControlParameter(_)
            | InvalidInstanceId
            | InvalidBackupName
            | InvalidBackupDescription
            | InvalidLimit
            | InvalidTimeRange
            | InvalidPolicyStartTime
            | InvalidPolicyKeepDays
            | InvalidPolicyPeriod
            | InstanceFrozen
            | BackupStatusForbids
            | BackupFileMissing
            | BackupTypeForbids
            | JobNotFound
            | InvalidInstanceName
            | InvalidRegion
            | InvalidPassword
            | InvalidVpc
            | InvalidSubnet
            | UnsupportedEngine
            | EngineMismatch
            | InvalidFlavor
            | FlavorSoldOut
            | UnknownEngine
            | InvalidAzMode
            | InvalidPort
            | TooManyNodes
            | NodeNotInInstance
            | ProxyNotFound
            | InvalidWeight
            | InvalidProxyMode
            | SelectProxy
            | OutOfRange => 400,
            InstanceNotFound
            | BackupNotFound
            | ResourceNotFound
            | NoTls
            | SourceInstanceNotFound
            | UnknownJob
            | VpcNotFound
            | SubnetNotFound
            | SecurityGroupNotFound => 404,
            MethodNotAllowed => 405,
            WaitTimeout(_) => 408,
            WaitEndedElsewhere(..) | JobEnded => 409,
            InstanceBusy | InstanceStorageFull | BackupInProgress => 409,
            InstanceOperationRunning | NodeOperationForbidden => 409,
            PayloadTooLarge | BackupQuota | InstanceQuota => 413,
            BodyTimeout => 408,
            UriTooLong => 414,
            HeadersTooLarge => 431,
            ControlTokenMissing => 401,
            ControlForbidden(_) => 403,
            Busy(_) | Stopping => 503,
            Internal => 500,
        }
    }

    /// The `error_code` field.
    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            Unauthenticated(_) => "APIGW.0301",
            TokenProjectMismatch => "DBS.280056",
            EmptyBody => "DBS.200006",
            Parameter | ControlParameter(_) | PayloadTooLarge | BodyTimeout | UriTooLong
            | HeadersTooLarge => "DBS.200001",
            BackupQuota => "DBS.290003",
            InvalidInstanceId => "DBS.280404",
            InvalidBackupName => "DBS.280277",
            InvalidBackupDescription => "DBS.280127",
            InvalidLimit => "DBS.280439",
            InvalidTimeRange => "DBS.280216",
            InvalidPolicyStartTime => "DBS.280253",
            InvalidPolicyKeepDays => "DBS.280250",
            InvalidPolicyPeriod => "DBS.280251",
            InstanceFrozen => "DBS.280449",
            BackupStatusForbids => "DBS.201208",
            BackupFileMissing => "DBS.201203",
            BackupTypeForbids => "DBS.201204",
            JobNotFound => "DBS.200543",
            BackupNotFound => "DBS.201010",
            InstanceNotFound => "DBS.200002",
            ResourceNotFound | MethodNotAllowed => "DBS.290013",
            WaitTimeout(_) => "EMULATOR.WAIT_TIMEOUT",
            WaitEndedElsewhere(..) => "EMULATOR.WAIT_ENDED",
            JobEnded => "EMULATOR.JOB_ENDED",
            UnknownJob => "DBS.200543",
            InstanceBusy => "DBS.200011",
            InstanceStorageFull => "DBS.200316",
            BackupInProgress => "DBS.201205",
            ControlTokenMissing => "EMULATOR.CONTROL_TOKEN",
            ControlForbidden(_) => "EMULATOR.FORBIDDEN",
            Busy(_) => "EMULATOR.BUSY",
            Stopping => "EMULATOR.STOPPING",
            NoTls => "EMULATOR.NO_TLS",
            Internal => "DBS.108000",
            InvalidInstanceName => "DBS.200021",
            InvalidRegion => "DBS.200024",
            InvalidPassword => "DBS.200052",
            InvalidVpc => "DBS.200048",
            InvalidSubnet => "DBS.200049",
            UnsupportedEngine => "DBS.200040",
            EngineMismatch => "DBS.201207",
            SourceInstanceNotFound => "DBS.200013",
            InstanceQuota => "DBS.200046",
            InstanceOperationRunning => "DBS.200019",
            InvalidFlavor => "DBS.280434",
            FlavorSoldOut => "DBS.280450",
            UnknownEngine => "DBS.200042",
            InvalidAzMode => "DBS.280260",
            InvalidPort => "DBS.280364",
            TooManyNodes => "DBS.200056",
            NodeNotInInstance => "DBS.212005",
            NodeOperationForbidden => "DBS.280406",
            ProxyNotFound => "DBS.270024",
            InvalidWeight => "DBS.270025",
            InvalidProxyMode => "DBS.270026",
            SelectProxy => "DBS.270027",
            OutOfRange => "DBS.280271",
            VpcNotFound => "DBS.200503",
            SubnetNotFound => "DBS.200501",
            SecurityGroupNotFound => "DBS.200050",
        }
    }

    /// The `error_msg` field.
    pub fn message(&self) -> String {
        use ApiError::*;
        let text = match self {
            Unauthenticated(detail) => {
                return format!("Incorrect IAM authentication information: {detail}");
            }
            ControlParameter(detail) => return format!("Parameter error. {detail}"),
            ControlForbidden(detail) => return format!("Forbidden: {detail}"),
            Busy(limit) => {
                return format!("The emulator is at its limit of {limit}; try again later.");
            }
            WaitEndedElsewhere(what, status) => {
                return format!(
                    "The {what} finished as {status} without reaching the status waited for."
                );
            }
            WaitTimeout(what) => {
                return format!(
                    "The {what} did not reach the status waited for before the timeout."
                );
            }
            JobEnded => "The job has already ended.",
            UnknownJob => "The job does not exist.",
            TokenProjectMismatch => "Invalid token.",
            EmptyBody => "The request is null. Enter a request parameter.",
            Parameter => "Parameter error.",
            PayloadTooLarge => "Parameter error. The request body is too large.",
            BackupQuota => "The number of DB instances has reached the quota.",
            BodyTimeout => "Parameter error. The request body did not arrive in time.",
            UriTooLong => "Parameter error. The request URI is too long.",
            HeadersTooLarge => "Parameter error. The request headers are too large.",
            InvalidInstanceId => "Invalid DB instance ID or node ID format.",
            InvalidBackupName => "Invalid object name.",
            InvalidBackupDescription => "Invalid backup description.",
            InvalidLimit => "Invalid records. Enter a positive integer less than 100.",
            InvalidTimeRange => "Invalid backup start time.",
            InvalidPolicyStartTime => "Invalid backup start time.",
            InvalidPolicyKeepDays => "Invalid backup retention days.",
            InvalidPolicyPeriod => "Invalid backup cycle.",
            InstanceFrozen => "Operation not allowed on frozen objects.",
            BackupStatusForbids => "The operation is not allowed by the backup status.",
            BackupFileMissing => "The backup file does not exist.",
            BackupTypeForbids => "The backup type is not allowed.",
            JobNotFound => "The job does not exist.",
            BackupNotFound => "The backup information does not exist.",
            InstanceNotFound => "The DB instance does not exist.",
            ResourceNotFound | MethodNotAllowed => "Resource not found.",
            InstanceBusy | InstanceOperationRunning => {
                "Another operation is being performed on the DB instance or the DB instance is faulty."
            }
            InstanceStorageFull => {
                "This operation cannot be performed because the DB instance status is Storage full."
            }
            BackupInProgress => "Backup is in progress, please wait.",
            ControlTokenMissing => {
                "The control API needs the emulator's control token (X-Emulator-Token)."
            }
            Stopping => "The emulator is stopping.",
            NoTls => "The emulator serves plain HTTP; start it with --tls for HTTPS.",
            Internal => "Server failure.",
            InvalidInstanceName => "Invalid DB instance name.",
            InvalidRegion => "Invalid region.",
            InvalidPassword => "Invalid database root password.",
            InvalidVpc => "Invalid VPC ID.",
            InvalidSubnet => "Invalid subnet ID.",
            UnsupportedEngine | EngineMismatch => "The DB engine or version is not supported.",
            SourceInstanceNotFound => "The original DB instance does not exist.",
            InstanceQuota => "The number of DB instances has reached the quota.",
            InvalidFlavor => "Invalid specification code.",
            FlavorSoldOut => "The DB instance specifications are sold out.",
            UnknownEngine => "The DB engine does not exist.",
            InvalidAzMode => "Invalid AZ mode.",
            InvalidPort => "Invalid database port.",
            TooManyNodes => "The maximum number of nodes has been reached.",
            NodeNotInInstance => "The node does not belong to the group.",
            NodeOperationForbidden => "Operation not allowed by the DB instance type or status.",
            ProxyNotFound => "Proxy instance does not exist.",
            InvalidWeight => "Invalid weight.",
            InvalidProxyMode => "Invalid proxy mode.",
            SelectProxy => "Select a proxy instance.",
            OutOfRange => "The parameter value is out of range.",
            VpcNotFound => "The VPC does not exist or does not belong to the user.",
            SubnetNotFound => "The subnet does not exist or does not belong to the VPC.",
            SecurityGroupNotFound => {
                "The security group does not exist or does not belong to the VPC."
            }
        };
        text.to_owned()
    }

    /// Whether the service or the gateway in front of it answers this error.
    pub fn source(&self) -> ErrorSource {
        match self {
            ApiError::Unauthenticated(_) => ErrorSource::Gateway,
            _ => ErrorSource::Service,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status(), self.code(), self.message())
    }
}

impl std::error::Error for ApiError {}

/// A Keystone error: `{"error": {"code", "message", "title"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamError {
    pub code: u16,
    pub message: String,
}

impl IamError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            code: 400,
            message: message.into(),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            code: 401,
            message: message.into(),
        }
    }

    pub fn title(&self) -> &'static str {
        match self.code {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            _ => "Error",
        }
    }
}
