//! How something running will finish, and how a finish comes about: what the backup table,
//! the job table and the due queue all speak of.

use chrono::{DateTime, Utc};

/// How a `BUILDING` backup will finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// It is not building.
    Done,
    /// At this time (a `Finish` event waits in the queue).
    At(DateTime<Utc>),
    /// At this time, but only through a clock advance.
    OnAdvance(DateTime<Utc>),
    /// After this many more reads of it or its job.
    AfterReads(u32),
    /// Only by an explicit command.
    Held,
}

/// How a finish comes about.
pub(super) enum Outcome {
    /// As the backup was bound to end: completed, or failed if a failure rule caught it.
    Natural,
    Succeed,
    Fail(String),
}

impl Outcome {
    /// The failure it ends in; a natural end fails with what it was bound to (`bound`).
    pub(super) fn failure(self, bound: Option<&str>) -> Option<String> {
        match self {
            Outcome::Natural => bound.map(str::to_owned),
            Outcome::Succeed => None,
            Outcome::Fail(reason) => Some(reason),
        }
    }
}
