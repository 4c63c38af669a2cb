//! Every setting of the emulator: a `--flag`, a `TAURUSDB_EMULATOR_*` environment variable and
//! a built-in default, so that no file is ever required.

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::PossibleValue;
use clap::{Parser, Subcommand, ValueEnum};

use chrono::{DateTime, Utc};

use crate::clock::ClockMode;
use crate::domain::LifecycleMode;
use crate::domain::time::{parse_duration, read_time};

/// The port the emulator listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 18080;

pub use crate::auth::AuthMode;

// The modes' own modules know nothing of clap; their command-line spelling is here.

impl ValueEnum for AuthMode {
    fn value_variants<'a>() -> &'a [Self] {
        &AuthMode::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()).help(self.describe()))
    }
}

impl ValueEnum for ClockMode {
    fn value_variants<'a>() -> &'a [Self] {
        &ClockMode::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()).help(self.describe()))
    }
}

/// How log lines are written (to standard error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A feature turned on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// The command line.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "taurusdb-emulator",
    version,
    about = "Local emulator of the Open Telekom Cloud TaurusDB (GaussDB for MySQL) backup API",
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  \
        taurusdb-emulator\n  \
        taurusdb-emulator --port 0 --clock manual --backup-duration 2m\n  \
        TAURUSDB_EMULATOR_AUTH=strict taurusdb-emulator --fixtures my-fixtures.json\n  \
        taurusdb-emulator healthcheck --url http://127.0.0.1:18080/_emulator/health\n\n\
        While it runs:\n  \
        dashboard      http://HOST:PORT/_emulator/ui\n  \
        control API    http://HOST:PORT/_emulator/ (clock, lifecycle, faults, fixtures, reset, ...)\n  \
        API document   http://HOST:PORT/_emulator/openapi.json\n\n\
        Documentation: README.md, docs/guide.md and docs/ci-recipes.md in the source repository."
)]
pub struct Config {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on.
    #[arg(long, env = "TAURUSDB_EMULATOR_HOST", default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on; 0 lets the operating system pick a free one.
    #[arg(long, env = "TAURUSDB_EMULATOR_PORT", default_value_t = DEFAULT_PORT)]
    pub port: u16,

    /// How long a backup stays BUILDING, e.g. 0s, 250ms, 5s, 2m, 1h, 1d.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_BACKUP_DURATION",
        default_value = "5s",
        value_parser = parse_duration
    )]
    pub backup_duration: Duration,

    /// real: wall-clock time; manual: time moves only through POST /_emulator/clock/advance.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_CLOCK",
        value_enum,
        default_value = "real"
    )]
    pub clock: ClockMode,

    /// loose: any non-empty X-Auth-Token, or any well-formed AK/SK signature, on any project.
    /// strict: only the fixtures' tokens, tokens issued by the emulator's IAM (POST
    /// /v3/auth/tokens with a fixtures user's password) and AK/SK signatures verified against
    /// the fixtures' credentials, each valid on its own project's paths only.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_AUTH",
        value_enum,
        default_value = "loose"
    )]
    pub auth: AuthMode,

    /// When backups finish: time (after --backup-duration), instant (on the first read),
    /// reads:N (after N reads), manual (only through a clock advance or a command).
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_LIFECYCLE",
        default_value = "time",
        value_parser = parse_lifecycle
    )]
    pub lifecycle: LifecycleMode,

    /// With --clock manual: the instant the clock starts at, e.g. 2026-01-01T00:00:00Z.
    #[arg(long, env = "TAURUSDB_EMULATOR_START_TIME", value_parser = parse_start_time)]
    pub start_time: Option<DateTime<Utc>>,

    /// Makes backup, job and request ids a deterministic sequence from this number (an id a
    /// state file or a loaded snapshot already holds is skipped).
    #[arg(long, env = "TAURUSDB_EMULATOR_SEED")]
    pub seed: Option<u64>,

    /// How many of the last requests GET /_emulator/requests keeps.
    #[arg(long, env = "TAURUSDB_EMULATOR_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,

    /// How long a client may take to send a request's headers (over TLS, its handshake too,
    /// given at least 1s), and then its body.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_REQUEST_TIMEOUT",
        default_value = "10s",
        value_parser = parse_duration
    )]
    pub request_timeout: Duration,

    /// The most backups one project may hold; creating more answers 413 DBS.290003.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_MAX_BACKUPS_PER_PROJECT",
        default_value_t = 100_000
    )]
    pub max_backups_per_project: usize,

    /// How long a finished job no backup stands behind (a deleted backup's, a restore's, an
    /// instance creation's) stays queryable, from the job's end, in emulator time, e.g.
    /// 7d, 12h.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_JOB_RETENTION",
        default_value = "7d",
        value_parser = parse_duration
    )]
    pub job_retention: Duration,

    /// The most finished jobs of deleted backups, restores and instance creations one project
    /// keeps; the oldest go first.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_MAX_JOBS_PER_PROJECT",
        default_value_t = 10_000
    )]
    pub max_jobs_per_project: usize,

    /// Whether instances take automated backups in their policy windows (true or false).
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_AUTOMATED_BACKUPS",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    pub automated_backups: bool,

    /// Log lines as text or as JSON, on standard error.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,

    /// error, warn, info (adds one access-log line per request), debug or trace; or a
    /// tracing filter such as `taurusdb_emulator=debug`.
    #[arg(long, env = "TAURUSDB_EMULATOR_LOG_LEVEL", default_value = "warn")]
    pub log_level: String,

    /// Keep the whole state in this file (written atomically at most 100 ms after a change)
    /// and resume from it at start; without it the state lives in memory only.
    #[arg(long, env = "TAURUSDB_EMULATOR_STATE_FILE")]
    pub state_file: Option<PathBuf>,

    /// JSON file with the starting projects, tokens and instances (default: built in).
    #[arg(long, env = "TAURUSDB_EMULATOR_FIXTURES")]
    pub fixtures: Option<PathBuf>,

    /// Largest request body accepted, in bytes; larger ones answer 413.
    #[arg(long, env = "TAURUSDB_EMULATOR_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// The most connections open at once: past it the oldest idle one is closed, or, when none
    /// is idle, the new one is answered 503 (a health check as ever). Lowered to the open-file
    /// limit (ulimit -n) less 32.
    #[arg(long, env = "TAURUSDB_EMULATOR_MAX_CONNECTIONS", default_value_t = 512,
          value_parser = at_least_one)]
    pub max_connections: usize,

    /// The most event streams (/_emulator/events, the dashboard) open at once; more answer 503.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_MAX_EVENT_STREAMS",
        default_value_t = 32
    )]
    pub max_event_streams: usize,

    /// The most long-poll waits (/_emulator/backups/{id}/wait) at once; more answer 503.
    #[arg(long, env = "TAURUSDB_EMULATOR_MAX_WAITERS", default_value_t = 256)]
    pub max_waiters: usize,

    /// Serve HTTPS instead of HTTP, with a certificate made at start for localhost,
    /// 127.0.0.1, ::1 and every --tls-hostname, signed by a CA made at start (served at
    /// /_emulator/tls/ca.pem and written to --tls-ca-out).
    #[arg(long, env = "TAURUSDB_EMULATOR_TLS")]
    pub tls: bool,

    /// A further name for the generated certificate (repeat it, or comma-separate in the
    /// variable), e.g. gaussdb.eu-de.otc.t-systems.com.
    #[arg(
        long = "tls-hostname",
        env = "TAURUSDB_EMULATOR_TLS_HOSTNAMES",
        value_delimiter = ','
    )]
    pub tls_hostnames: Vec<String>,

    /// Serve HTTPS with this PEM certificate chain (with --tls-key) instead of a generated one.
    #[arg(long, env = "TAURUSDB_EMULATOR_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert.
    #[arg(long, env = "TAURUSDB_EMULATOR_TLS_KEY")]
    pub tls_key: Option<PathBuf>,

    /// Write the certificate clients should trust (the generated CA, or --tls-cert) here.
    #[arg(long, env = "TAURUSDB_EMULATOR_TLS_CA_OUT")]
    pub tls_ca_out: Option<PathBuf>,

    /// A secret every control request (/_emulator/… but health) and the dashboard must
    /// present, in the X-Emulator-Token header (the dashboard: open /_emulator/ui?token=…).
    #[arg(long, env = "TAURUSDB_EMULATOR_CONTROL_TOKEN", hide_env_values = true)]
    pub control_token: Option<String>,

    /// on: the control API and the dashboard are served; off: only /_emulator/health is.
    #[arg(
        long,
        env = "TAURUSDB_EMULATOR_CONTROL_PLANE",
        value_enum,
        default_value = "on"
    )]
    pub control_plane: Switch,

    /// A host name the control API answers to besides loopback names, IP addresses and
    /// --host (repeat it, or comma-separate in the variable; * for any). Others are refused,
    /// against DNS rebinding.
    #[arg(
        long = "allowed-host",
        env = "TAURUSDB_EMULATOR_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
}

/// What to do instead of serving.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Exit 0 if the emulator answers healthy, 1 otherwise (for container health checks).
    Healthcheck {
        /// Health URL [default: http://127.0.0.1:$TAURUSDB_EMULATOR_PORT/_emulator/health,
        /// https:// with TLS]
        #[arg(long)]
        url: Option<String>,
        /// For https://: the PEM certificate to trust [default: $TAURUSDB_EMULATOR_TLS_CA_OUT,
        /// else $TAURUSDB_EMULATOR_TLS_CERT; with neither, a loopback URL is probed taking the
        /// server's certificate]
        #[arg(long)]
        ca: Option<PathBuf>,
    },
    /// Print the settings each client needs to reach the emulator these options describe
    /// (its URL, the IAM, a project of the fixtures with its user, AK/SK, token and instance,
    /// the built-in network), in the form the client reads.
    Env {
        /// The emulator's base URL [default: http://127.0.0.1:$TAURUSDB_EMULATOR_PORT, https://
        /// with TLS]
        #[arg(long)]
        url: Option<String>,
        /// `sh`: export lines (HUAWEICLOUD_SDK_*, OS_*, TAURUSDB_EMULATOR_*); `clouds-yaml`;
        /// `terraform`: the OTC provider block; `json`: everything
        #[arg(long, default_value = "sh", value_parser = ["sh", "clouds-yaml", "terraform", "json"])]
        format: String,
        /// The fixtures project to speak for [default: the first]
        #[arg(long)]
        project: Option<String>,
    },
}

/// A count of at least one.
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{s:?} is not a whole number of at least 1")),
    }
}

/// Reads a lifecycle mode: `time`, `instant`, `manual` or `reads:N`.
pub fn parse_lifecycle(s: &str) -> Result<LifecycleMode, String> {
    s.parse()
}

/// Reads the manual clock's start: RFC 3339 or the API's time format.
pub fn parse_start_time(s: &str) -> Result<DateTime<Utc>, String> {
    read_time(s).ok_or_else(|| format!("{s:?} is not a time like 2026-01-01T00:00:00Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_flags() {
        let config = Config::try_parse_from(["taurusdb-emulator"]).unwrap();
        assert_eq!(config.host, "127.0.0.1");
        assert_eq!(config.port, DEFAULT_PORT);
        assert_eq!(config.backup_duration, Duration::from_secs(5));
        assert_eq!(config.clock, ClockMode::Real);
        assert_eq!(config.auth, AuthMode::Loose);
        assert_eq!(config.fixtures, None);
        assert!(config.automated_backups);
        assert_eq!(config.lifecycle, LifecycleMode::Time);
        assert_eq!(config.seed, None);
        assert_eq!(config.journal_size, 1000);
    }

    #[test]
    fn lifecycle_modes_are_named() {
        assert_eq!(parse_lifecycle("instant"), Ok(LifecycleMode::Instant));
        assert_eq!(parse_lifecycle("reads:3"), Ok(LifecycleMode::Reads(3)));
        assert_eq!(parse_lifecycle("manual"), Ok(LifecycleMode::Manual));
        assert!(parse_lifecycle("reads").is_err());
        assert!(parse_lifecycle("reads:-1").is_err());
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(Config::try_parse_from(["x", "--clock", "fast"]).is_err());
        assert!(Config::try_parse_from(["x", "--port", "70000"]).is_err());
        assert!(Config::try_parse_from(["x", "--backup-duration", "soon"]).is_err());
    }
}
