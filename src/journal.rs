//! The request journal: the last answered requests, for `GET /_emulator/requests` and the
//! dashboard. The HTTP layer writes one entry per request; nothing here knows about HTTP.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;

/// The id a request is known by: 32 lowercase hex digits, kept inline (it is made, sent,
/// journaled and logged on every request, and copying 32 bytes costs less than an
/// allocation).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId([u8; 32]);

impl RequestId {
    /// The id of these 32 hex digits.
    pub fn from_hex(digits: [u8; 32]) -> Self {
        Self(digits)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// One answered request.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalEntry {
    /// The emulator's time when the request arrived.
    pub time: DateTime<Utc>,
    /// The method as sent: standard ones are kept without an allocation.
    pub method: Cow<'static, str>,
    pub path: String,
    /// The route table's name of the operation.
    pub operation: &'static str,
    pub status: u16,
    pub duration: Duration,
    /// `None` for a request answered before it had one.
    pub request_id: Option<RequestId>,
    /// The request fault that struck it, if one did.
    pub fault: Option<JournalFault>,
}

/// The request fault that struck a request, and whether the operation had committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalFault {
    pub id: u64,
    /// `before` or `after` the operation ran.
    pub phase: &'static str,
    /// Whether the operation ran and succeeded (its answer was a 2xx) before the fault.
    pub committed: bool,
    /// `reset`, `close`, `stall` or `trickle`, for a connection fault.
    pub connection: Option<&'static str>,
    /// Whether the client got an answer (not for a reset, closed or stalled connection).
    pub answered: bool,
}

/// A method's name, borrowed for the standard methods.
pub fn method_name(method: &str) -> Cow<'static, str> {
    const STANDARD: [&str; 9] = [
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT",
    ];
    match STANDARD.iter().find(|m| **m == method) {
        Some(m) => Cow::Borrowed(m),
        None => Cow::Owned(method.to_owned()),
    }
}

impl JournalEntry {
    /// How long the request took, in milliseconds rounded to the microsecond (`0.064`), as the
    /// journal and the access log write it.
    pub fn duration_ms(&self) -> f64 {
        (self.duration.as_secs_f64() * 1e6).round() / 1e3
    }
}

/// The last requests, at most `capacity` of them.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<JournalEntry>>,
    capacity: usize,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(4096))),
            capacity,
        }
    }

    /// Records a request, dropping the oldest when full.
    pub fn record(&self, entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock();
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.entries.lock().iter().cloned().collect()
    }

    /// The last `n` entries, newest first.
    pub fn latest(&self, n: usize) -> Vec<JournalEntry> {
        self.entries.lock().iter().rev().take(n).cloned().collect()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn clear(&self) {
        self.entries.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u16) -> JournalEntry {
        JournalEntry {
            time: DateTime::UNIX_EPOCH,
            method: Cow::Borrowed("GET"),
            path: "/".into(),
            operation: "list",
            status: n,
            duration: Duration::ZERO,
            request_id: None,
            fault: None,
        }
    }

    #[test]
    fn the_journal_keeps_only_the_last_entries() {
        let journal = Journal::new(3);
        for n in 0..10 {
            journal.record(entry(n));
        }
        let statuses: Vec<u16> = journal.entries().iter().map(|e| e.status).collect();
        assert_eq!(statuses, vec![7, 8, 9]);
        let latest: Vec<u16> = journal.latest(2).iter().map(|e| e.status).collect();
        assert_eq!(latest, vec![9, 8]);
        journal.clear();
        assert!(journal.entries().is_empty());
    }
}
