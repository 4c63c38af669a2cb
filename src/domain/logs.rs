//! Error and slow logs of an instance's nodes (`api-instances.md` §9): the entries, the query
//! a client sends (time window, node, level or statement type, paging) and its rules.

use chrono::{DateTime, Duration, Utc};

use super::backup_query::parse_paging;
use super::node::Node;
use super::time::parse_api_time;
use crate::error::ApiError;

/// How far back a window may start: the last month (30 days).
pub const LOOKBACK_DAYS: i64 = 30;
/// At most this many stored entries of each kind per instance; adding more is refused.
pub const MAX_ENTRIES: usize = 10_000;

/// The error-log levels a query may filter by (besides `ALL`).
pub const LEVELS: [&str; 5] = ["INFO", "WARNING", "ERROR", "FATAL", "NOTE"];
/// The statement types a slow-log query may filter by (besides `ALL`).
pub const STATEMENTS: [&str; 7] = [
    "INSERT", "UPDATE", "SELECT", "DELETE", "CREATE", "DROP", "ALTER",
];

/// One error-log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLogEntry {
    pub node_id: String,
    pub time: DateTime<Utc>,
    pub level: &'static str,
    pub content: String,
}

/// One slow-log record.
#[derive(Debug, Clone, PartialEq)]
pub struct SlowLogEntry {
    pub node_id: String,
    pub start_time: DateTime<Utc>,
    /// `ALL` never: one of [`STATEMENTS`].
    pub sql_type: &'static str,
    /// Execution and lock time, in seconds.
    pub query_time: f64,
    pub lock_time: f64,
    pub rows_sent: u64,
    pub rows_examined: u64,
    pub count: u64,
    pub database: String,
    pub users: String,
    pub query_sample: String,
    pub client_ip: String,
}

/// The stored log entries of an instance (those the control plane or fixtures added).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceLogs {
    pub errors: Vec<ErrorLogEntry>,
    pub slow: Vec<SlowLogEntry>,
}

impl InstanceLogs {
    /// No entries, shared: an instance with no entries of its own holds no copy of its own
    /// (the first entry added makes one, through `Arc::make_mut`).
    pub fn none() -> std::sync::Arc<Self> {
        static NONE: std::sync::LazyLock<std::sync::Arc<InstanceLogs>> =
            std::sync::LazyLock::new(std::sync::Arc::default);
        NONE.clone()
    }

    /// These entries, as an instance holds them: without any, the shared empty log.
    pub fn shared(self) -> std::sync::Arc<Self> {
        if self == Self::default() {
            Self::none()
        } else {
            std::sync::Arc::new(self)
        }
    }
}

/// An error-log level or slow-log statement type of `allowed`, in any letter case.
pub fn pick(allowed: &[&'static str], s: &str) -> Option<&'static str> {
    allowed.iter().copied().find(|a| a.eq_ignore_ascii_case(s))
}

/// The line a node writes when it starts: every node has it, at its creation.
pub fn startup_line(node: &Node, port: u16) -> ErrorLogEntry {
    ErrorLogEntry {
        node_id: node.id.to_string(),
        time: node.created,
        level: "NOTE",
        content: format!(
            "[MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.22'  \
             socket: '/tmp/mysql.sock'  port: {port}"
        ),
    }
}

/// A log query as it arrives: every parameter a text, absent when not given.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawLogQuery<'a> {
    pub start_date: Option<&'a str>,
    pub end_date: Option<&'a str>,
    pub node_id: Option<&'a str>,
    /// `level` of an error-log query, `type` of a slow-log one.
    pub filter: Option<&'a str>,
    pub offset: Option<&'a str>,
    pub limit: Option<&'a str>,
}

/// A checked log query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub node_id: String,
    /// `None` for `ALL`.
    pub filter: Option<&'static str>,
    pub offset: usize,
    pub limit: usize,
}

impl LogQuery {
    /// Checks paging (`DBS.280439` for `limit`), then the window, node and filter
    /// (`DBS.200001`): both dates in the API's format, the end not before the start, the
    /// start within the last [`LOOKBACK_DAYS`] at `now`; `filter` `ALL` or one of `allowed`.
    pub fn parse(
        raw: &RawLogQuery<'_>,
        allowed: &[&'static str],
        now: DateTime<Utc>,
    ) -> Result<Self, ApiError> {
        let (limit, offset) = parse_paging(raw.limit, raw.offset)?;
        let date = |s: Option<&str>| s.and_then(parse_api_time).ok_or(ApiError::Parameter);
        let (start, end) = (date(raw.start_date)?, date(raw.end_date)?);
        if end < start || start < now - Duration::days(LOOKBACK_DAYS) {
            return Err(ApiError::Parameter);
        }
        let node_id = raw
            .node_id
            .filter(|n| !n.is_empty())
            .ok_or(ApiError::Parameter)?;
        let filter = match raw.filter.filter(|f| !f.is_empty()) {
            None => None,
            Some(f) if f.eq_ignore_ascii_case("ALL") => None,
            Some(f) => Some(pick(allowed, f).ok_or(ApiError::Parameter)?),
        };
        Ok(Self {
            start,
            end,
            node_id: node_id.to_owned(),
            filter,
            offset,
            limit,
        })
    }

    fn holds(&self, node_id: &str, time: DateTime<Utc>, kind: &str) -> bool {
        node_id == self.node_id
            && (self.start..=self.end).contains(&time)
            && self.filter.is_none_or(|f| f == kind)
    }

    /// The error-log lines of the query, newest first, paged, and how many there are in all.
    pub fn errors<'a>(
        &self,
        entries: impl Iterator<Item = &'a ErrorLogEntry>,
    ) -> (Vec<&'a ErrorLogEntry>, usize) {
        let mut hits: Vec<&ErrorLogEntry> = entries
            .filter(|e| self.holds(&e.node_id, e.time, e.level))
            .collect();
        hits.sort_by_key(|e| std::cmp::Reverse(e.time));
        self.page(hits)
    }

    /// The slow-log records of the query, newest first, paged, and how many there are in all.
    pub fn slow<'a>(&self, entries: &'a [SlowLogEntry]) -> (Vec<&'a SlowLogEntry>, usize) {
        let mut hits: Vec<&SlowLogEntry> = entries
            .iter()
            .filter(|e| self.holds(&e.node_id, e.start_time, e.sql_type))
            .collect();
        hits.sort_by_key(|e| std::cmp::Reverse(e.start_time));
        self.page(hits)
    }

    fn page<T>(&self, hits: Vec<T>) -> (Vec<T>, usize) {
        let total = hits.len();
        (
            hits.into_iter()
                .skip(self.offset)
                .take(self.limit)
                .collect(),
            total,
        )
    }
}

/// A client address as the slow log shows it: the middle two parts masked (`192.*.*.1`).
pub fn masked_ip(ip: &str) -> String {
    let parts: Vec<&str> = ip.split('.').collect();
    match parts.as_slice() {
        [a, _, _, d] => format!("{a}.*.*.{d}"),
        _ => ip.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        parse_api_time(s).unwrap()
    }

    fn raw<'a>(start: &'a str, end: &'a str) -> RawLogQuery<'a> {
        RawLogQuery {
            start_date: Some(start),
            end_date: Some(end),
            node_id: Some("n1"),
            ..RawLogQuery::default()
        }
    }

    fn line(node: &str, time: &str, level: &'static str) -> ErrorLogEntry {
        ErrorLogEntry {
            node_id: node.into(),
            time: at(time),
            level,
            content: "c".into(),
        }
    }

    #[test]
    fn a_window_is_two_api_times_in_order_within_the_last_month() {
        let now = at("2026-12-07T10:00:00+0000");
        let q = LogQuery::parse(
            &raw("2026-12-07T09:00:00+0100", "2026-12-07T10:00:00+0000"),
            &LEVELS,
            now,
        )
        .unwrap();
        assert_eq!(q.start, at("2026-12-07T08:00:00+0000"));
        assert_eq!((q.limit, q.offset, q.filter), (100, 0, None));
        for (start, end) in [
            ("2026-12-07T10:00:00+0000", "2026-12-07T09:00:00+0000"),
            ("2026-11-01T10:00:00+0000", "2026-12-07T09:00:00+0000"),
            ("yesterday", "2026-12-07T09:00:00+0000"),
        ] {
            assert_eq!(
                LogQuery::parse(&raw(start, end), &LEVELS, now),
                Err(ApiError::Parameter),
                "{start} {end}"
            );
        }
        let mut r = raw("2026-12-07T09:00:00+0000", "2026-12-07T10:00:00+0000");
        r.filter = Some("warning");
        assert_eq!(
            LogQuery::parse(&r, &LEVELS, now).unwrap().filter,
            Some("WARNING")
        );
        r.filter = Some("SELECT");
        assert_eq!(LogQuery::parse(&r, &LEVELS, now), Err(ApiError::Parameter));
        r.filter = None;
        r.limit = Some("101");
        assert_eq!(
            LogQuery::parse(&r, &LEVELS, now),
            Err(ApiError::InvalidLimit)
        );
        r.limit = None;
        r.node_id = None;
        assert_eq!(LogQuery::parse(&r, &LEVELS, now), Err(ApiError::Parameter));
    }

    #[test]
    fn lines_are_filtered_by_node_window_and_level_newest_first_then_paged() {
        let now = at("2026-12-07T10:00:00+0000");
        let lines = [
            line("n1", "2026-12-07T09:10:00+0000", "NOTE"),
            line("n1", "2026-12-07T09:20:00+0000", "ERROR"),
            line("n2", "2026-12-07T09:30:00+0000", "ERROR"),
            line("n1", "2026-12-07T08:00:00+0000", "ERROR"),
            line("n1", "2026-12-07T09:40:00+0000", "NOTE"),
        ];
        let mut r = raw("2026-12-07T09:00:00+0000", "2026-12-07T10:00:00+0000");
        let q = LogQuery::parse(&r, &LEVELS, now).unwrap();
        let (page, total) = q.errors(lines.iter());
        assert_eq!(total, 3);
        assert_eq!(page[0].time, at("2026-12-07T09:40:00+0000"));
        r.filter = Some("NOTE");
        r.offset = Some("1");
        r.limit = Some("1");
        let q = LogQuery::parse(&r, &LEVELS, now).unwrap();
        let (page, total) = q.errors(lines.iter());
        assert_eq!(total, 2);
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].time, at("2026-12-07T09:10:00+0000"));
        assert_eq!(masked_ip("192.168.0.1"), "192.*.*.1");
    }
}
