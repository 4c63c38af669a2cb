//! The emulator's one source of time.
//!
//! Everything that needs "now" holds an `Arc<dyn Clock>`. [`SystemClock`] is the only place in
//! the crate that reads the wall clock; [`ManualClock`] moves only when it is advanced, so tests
//! control time completely. Both can be advanced, which is what `POST /_emulator/clock/advance`
//! does in either mode.

use chrono::{DateTime, TimeDelta, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

use parking_lot::Mutex;

/// Which clock the emulator runs on, as chosen by `--clock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockMode {
    /// Wall-clock time plus whatever has been advanced.
    Real,
    /// Time stands still until advanced.
    Manual,
}

impl ClockMode {
    /// The name used on the command line and in control responses.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockMode::Real => "real",
            ClockMode::Manual => "manual",
        }
    }
}

/// A source of the current time that can be moved forward.
pub trait Clock: Send + Sync + 'static {
    /// The emulator's current time.
    fn now(&self) -> DateTime<Utc>;
    /// Moves the clock forward by `by` (never backwards) and returns the new time.
    fn advance(&self, by: TimeDelta) -> DateTime<Utc>;
    /// Which kind of clock this is.
    fn mode(&self) -> ClockMode;
    /// How far a real clock has been advanced past the wall clock (zero for a manual one).
    fn offset(&self) -> TimeDelta {
        TimeDelta::zero()
    }
}

/// Wall-clock time, shifted by every advance made so far.
#[derive(Debug, Default)]
pub struct SystemClock {
    /// The shift, in nanoseconds: read on every request, so an atomic rather than a lock.
    offset_nanos: AtomicI64,
}

impl SystemClock {
    /// A clock that reads the wall clock with no offset.
    pub fn new() -> Self {
        Self::default()
    }

    /// A clock already advanced by `offset` (restored from a state file).
    pub fn with_offset(offset: TimeDelta) -> Self {
        let clock = Self::new();
        clock.advance(offset);
        clock
    }

    /// The wall clock itself, unshifted: the one read of real time in the crate.
    #[allow(clippy::disallowed_methods)]
    pub fn wall() -> DateTime<Utc> {
        Utc::now()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Self::wall() + self.offset()
    }

    fn advance(&self, by: TimeDelta) -> DateTime<Utc> {
        let nanos = by
            .max(TimeDelta::zero())
            .num_nanoseconds()
            .unwrap_or(i64::MAX);
        let before = self.offset_nanos.fetch_add(nanos, Ordering::Relaxed);
        Self::wall() + TimeDelta::nanoseconds(before.saturating_add(nanos))
    }

    fn mode(&self) -> ClockMode {
        ClockMode::Real
    }

    fn offset(&self) -> TimeDelta {
        TimeDelta::nanoseconds(self.offset_nanos.load(Ordering::Relaxed))
    }
}

/// A clock that stands still until it is advanced.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock frozen at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock()
    }

    fn advance(&self, by: TimeDelta) -> DateTime<Utc> {
        let mut now = self.now.lock();
        *now += by.max(TimeDelta::zero());
        *now
    }

    fn mode(&self) -> ClockMode {
        ClockMode::Manual
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_stands_still_until_advanced() {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        assert_eq!(clock.now(), start);
        let later = clock.advance(TimeDelta::seconds(90));
        assert_eq!(later, start + TimeDelta::seconds(90));
        assert_eq!(clock.now(), later);
    }

    #[test]
    fn a_clock_never_moves_backwards() {
        let start = DateTime::UNIX_EPOCH;
        let clock = ManualClock::new(start);
        clock.advance(TimeDelta::seconds(-5));
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn system_clock_advance_shifts_its_reading() {
        let clock = SystemClock::new();
        let before = clock.now();
        clock.advance(TimeDelta::hours(2));
        assert!(clock.now() >= before + TimeDelta::hours(2));
    }
}
