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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Wall-clock time plus whatever has been advanced.
    Real,
    /// Time stands still until advanced.
    Manual,
}

impl ClockMode {
    /// Every mode.
    pub const ALL: [Self; 2] = [Self::Real, Self::Manual];

    /// The name used on the command line, in control responses and in the state file.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockMode::Real => "real",
            ClockMode::Manual => "manual",
        }
    }

    /// What the mode does, as `--help` says it.
    pub fn describe(self) -> &'static str {
        match self {
            ClockMode::Real => "Wall-clock time plus whatever has been advanced",
            ClockMode::Manual => "Time stands still until advanced",
        }
    }

    /// The mode of this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// A source of the current time that can be moved forward.
pub trait Clock: Send + Sync + 'static {
    /// The emulator's current time.
    fn now(&self) -> DateTime<Utc>;
    /// Moves the clock forward by `by` (never backwards) and returns the new time; refuses,
    /// changing nothing, to move past [`LATEST`].
    fn advance(&self, by: TimeDelta) -> Result<DateTime<Utc>, OutOfRange>;
    /// Which kind of clock this is.
    fn mode(&self) -> ClockMode;
    /// How far a real clock has been advanced past the wall clock (zero for a manual one).
    fn offset(&self) -> TimeDelta {
        TimeDelta::zero()
    }
}

/// The latest time the emulator's clock may read: the last second the API's time format
/// (`yyyy-mm-ddThh:mm:ss+0000`, four-digit years) can write. Bounding the clock keeps every
/// sum of a time and a duration in the store far inside chrono's range.
pub const LATEST: DateTime<Utc> = match DateTime::from_timestamp(253_402_300_799, 0) {
    Some(t) => t,
    None => DateTime::<Utc>::MAX_UTC,
};

/// An advance refused because it would take the clock past [`LATEST`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange;

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("The clock cannot move past 9999-12-31T23:59:59+0000.")
    }
}

/// `now + by`, if that is not past [`LATEST`].
fn later(now: DateTime<Utc>, by: TimeDelta) -> Result<DateTime<Utc>, OutOfRange> {
    now.checked_add_signed(by.max(TimeDelta::zero()))
        .filter(|t| *t <= LATEST)
        .ok_or(OutOfRange)
}

/// Wall-clock time, shifted by every advance made so far.
#[derive(Debug, Default)]
pub struct SystemClock {
    /// The shift, in milliseconds (enough for far more than the clock's range, where
    /// nanoseconds wrapped after 292 years): read on every request, so an atomic.
    offset_ms: AtomicI64,
}

impl SystemClock {
    /// A clock that reads the wall clock with no offset.
    pub fn new() -> Self {
        Self::default()
    }

    /// A clock already advanced by `offset` (restored from a state file), or by as much of
    /// it as keeps the clock within [`LATEST`].
    pub fn with_offset(offset: TimeDelta) -> Self {
        let clock = Self::new();
        let room = (LATEST - Self::wall()).num_milliseconds();
        clock
            .offset_ms
            .store(offset.num_milliseconds().clamp(0, room), Ordering::Relaxed);
        clock
    }

    /// The wall clock itself, unshifted: the one read of real time in the crate.
    #[expect(
        clippy::disallowed_methods,
        reason = "the one read of the wall clock the ban allows"
    )]
    pub fn wall() -> DateTime<Utc> {
        Utc::now()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        let now = Self::wall() + self.offset();
        now.min(LATEST)
    }

    fn advance(&self, by: TimeDelta) -> Result<DateTime<Utc>, OutOfRange> {
        let by_ms = by.max(TimeDelta::zero()).num_milliseconds();
        let wall = Self::wall();
        let mut after = wall;
        self.offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                let shifted = offset.checked_add(by_ms)?;
                after = later(wall, TimeDelta::milliseconds(shifted)).ok()?;
                Some(shifted)
            })
            .map_err(|_| OutOfRange)?;
        Ok(after)
    }

    fn mode(&self) -> ClockMode {
        ClockMode::Real
    }

    fn offset(&self) -> TimeDelta {
        TimeDelta::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }
}

/// A clock that stands still until it is advanced.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock frozen at `start` (at most [`LATEST`]).
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start.min(LATEST)),
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock()
    }

    fn advance(&self, by: TimeDelta) -> Result<DateTime<Utc>, OutOfRange> {
        let mut now = self.now.lock();
        *now = later(*now, by)?;
        Ok(*now)
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
        let later = clock.advance(TimeDelta::seconds(90)).unwrap();
        assert_eq!(later, start + TimeDelta::seconds(90));
        assert_eq!(clock.now(), later);
    }

    #[test]
    fn a_clock_never_moves_backwards() {
        let start = DateTime::UNIX_EPOCH;
        let clock = ManualClock::new(start);
        clock.advance(TimeDelta::seconds(-5)).unwrap();
        assert_eq!(clock.now(), start);
    }

    #[test]
    fn system_clock_advance_shifts_its_reading() {
        let clock = SystemClock::new();
        let before = clock.now();
        clock.advance(TimeDelta::hours(2)).unwrap();
        assert!(clock.now() >= before + TimeDelta::hours(2));
    }

    #[test]
    fn no_clock_moves_past_the_last_second_the_api_can_write() {
        assert_eq!(
            crate::domain::time::format_api_time(LATEST),
            "9999-12-31T23:59:59+0000"
        );
        let manual = ManualClock::new(LATEST - TimeDelta::seconds(10));
        assert_eq!(manual.advance(TimeDelta::seconds(11)), Err(OutOfRange));
        assert_eq!(
            manual.now(),
            LATEST - TimeDelta::seconds(10),
            "nothing changed"
        );
        assert_eq!(manual.advance(TimeDelta::seconds(10)), Ok(LATEST));
        assert_eq!(manual.advance(TimeDelta::MAX), Err(OutOfRange));

        let real = SystemClock::new();
        let before = real.offset();
        assert_eq!(real.advance(TimeDelta::days(9000 * 365)), Err(OutOfRange));
        assert_eq!(real.offset(), before, "nothing changed");
    }

    #[test]
    fn a_real_clock_advanced_for_centuries_in_steps_keeps_counting() {
        // Nanosecond offsets wrapped after 292 years (the clock then read 1742).
        let real = SystemClock::new();
        let start = real.now();
        for _ in 0..400 {
            real.advance(TimeDelta::days(365)).unwrap();
        }
        assert!(real.now() >= start + TimeDelta::days(400 * 365));
    }
}
