//! Point-in-time restore: which times of an instance can be restored, derived from its
//! history. A point can be restored when a completed full backup ended at or before it and the
//! incremental (log) backups taken after that backup still cover it (from the second its end
//! is shown in).
//!
//! Our model of what Huawei Cloud describes (its incremental backups run every five minutes
//! after the latest full or incremental one; logs are kept as long as the backup policy keeps
//! backups): the continuous range starts at the end of the earliest full backup within the
//! retention window (`now - keep_days`) and ends at the latest five-minute incremental point,
//! so it lags "now" by up to five minutes. An older full backup, whose logs are gone, can
//! still be restored as it was: a range of one instant at its end.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::backup_query::given;
use crate::error::ApiError;

/// How often an incremental backup captures the changes since the last one.
pub const INCREMENTAL_EVERY: TimeDelta = TimeDelta::minutes(5);

/// A restorable range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestoreRange {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl RestoreRange {
    /// The range as the API gives it: Unix milliseconds.
    pub fn millis(&self) -> (i64, i64) {
        (self.start.timestamp_millis(), self.end.timestamp_millis())
    }
}

/// Which ends of an instance's completed full backups a question about its history needs:
/// those from `from` (or the first) to `to`, with `neighbours` the nearest one on each side of
/// that span, and the first within the retention and the latest (so that a store answers
/// without reading every backup the instance has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndSpan {
    pub from: Option<DateTime<Utc>>,
    pub to: DateTime<Utc>,
    pub neighbours: bool,
}

impl EndSpan {
    /// For the restorable ranges within `window` (all of them without one): besides the
    /// continuous range (from the first kept end to the latest), each older end is a range of
    /// its own, shown in the window when it ends in it or within the second after it.
    pub fn restorable(window: Option<RestoreRange>, keep_days: u16, now: DateTime<Utc>) -> Self {
        let window_start = now - TimeDelta::days(i64::from(keep_days));
        match window {
            Some(w) => Self {
                from: Some(w.start),
                to: (w.end.checked_add_signed(TimeDelta::seconds(1)))
                    .unwrap_or(DateTime::<Utc>::MAX_UTC)
                    .min(window_start),
                neighbours: false,
            },
            None => Self {
                from: None,
                to: window_start,
                neighbours: false,
            },
        }
    }
}

/// The ends of completed full backups that are not in the future, oldest first, once each.
pub fn full_backups_until(
    full_backup_ends: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let mut ends: Vec<DateTime<Utc>> = full_backup_ends
        .iter()
        .copied()
        .filter(|e| *e <= now)
        .collect();
    ends.sort();
    ends.dedup();
    ends
}

/// The restorable ranges, oldest first, of an instance whose completed full backups ended at
/// `full_backup_ends` (any order), with logs kept `keep_days`, at `now`.
pub fn restorable_ranges(
    full_backup_ends: &[DateTime<Utc>],
    keep_days: u16,
    now: DateTime<Utc>,
) -> Vec<RestoreRange> {
    let ends = full_backups_until(full_backup_ends, now);
    let window_start = now - TimeDelta::days(i64::from(keep_days));
    let (old, kept): (Vec<_>, Vec<_>) = ends.iter().partition(|end| **end < window_start);
    // A range starts at the second its full backup's end is shown in (`end_time` has no
    // fractions), so that a restore to the time a client was shown is taken.
    let mut ranges: Vec<RestoreRange> = old
        .into_iter()
        .map(|end| RestoreRange {
            start: shown(end),
            end,
        })
        .collect();
    if let (Some(&first), Some(&latest)) = (kept.first(), kept.last()) {
        // The last incremental point: whole five-minute steps after the latest full backup.
        let step = INCREMENTAL_EVERY.num_milliseconds();
        let steps = (now - latest).num_milliseconds() / step;
        let last_log = latest + TimeDelta::milliseconds(steps * step);
        ranges.push(RestoreRange {
            start: shown(first),
            end: last_log,
        });
    }
    ranges
}

/// A time as the API shows it: to the second, the fraction cut off.
fn shown(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// Whether a restore to `t` is possible: some range covers it, to the millisecond the API
/// gives ranges in (a range's ends are shown truncated to milliseconds, and a client restores
/// to exactly what it was shown).
pub fn covers(ranges: &[RestoreRange], t: DateTime<Utc>) -> bool {
    let t = t.timestamp_millis();
    ranges.iter().any(|r| {
        let (start, end) = r.millis();
        start <= t && t <= end
    })
}

/// The window a restorable-times query asks for, if any: the UTC day `date` (`yyyy-mm-dd`),
/// or else `start_time` to `end_time` in Unix milliseconds (both or neither). Empty values
/// count as not sent; anything malformed is `DBS.200001`.
pub fn query_window(
    date: Option<&str>,
    start_time: Option<&str>,
    end_time: Option<&str>,
) -> Result<Option<RestoreRange>, ApiError> {
    let millis = |s: &str| {
        s.parse::<i64>()
            .ok()
            .and_then(DateTime::<Utc>::from_timestamp_millis)
            .ok_or(ApiError::Parameter)
    };
    match (given(date), given(start_time), given(end_time)) {
        (Some(date), _, _) => day_window(date).map(Some),
        (None, None, None) => Ok(None),
        (None, Some(start), Some(end)) => Ok(Some(RestoreRange {
            start: millis(start)?,
            end: millis(end)?,
        })),
        (None, _, _) => Err(ApiError::Parameter),
    }
}

/// The UTC day `date` (`yyyy-mm-dd`) as a window of milliseconds; else `DBS.200001`.
fn day_window(date: &str) -> Result<RestoreRange, ApiError> {
    if date.len() != 10 {
        return Err(ApiError::Parameter);
    }
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| ApiError::Parameter)?;
    let start = day
        .and_hms_opt(0, 0, 0)
        .ok_or(ApiError::Parameter)?
        .and_utc();
    Ok(RestoreRange {
        start,
        end: start + TimeDelta::days(1) - TimeDelta::milliseconds(1),
    })
}

/// Clips `ranges` to the UTC day `date` (`yyyy-mm-dd`), dropping those outside it; a malformed
/// date is `DBS.200001`.
pub fn within_day(ranges: Vec<RestoreRange>, date: &str) -> Result<Vec<RestoreRange>, ApiError> {
    let day = day_window(date)?;
    Ok(within(ranges, day.start, day.end))
}

/// Clips `ranges` to `[start, end]`, dropping those outside it.
pub fn within(
    ranges: Vec<RestoreRange>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<RestoreRange> {
    ranges
        .into_iter()
        .filter(|r| r.end >= start && r.start <= end)
        .map(|r| RestoreRange {
            start: r.start.max(start),
            end: r.end.min(end),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_restore_time_is_covered_to_the_millisecond_shown() {
        let end = at("2026-04-24T10:00:10.123456Z");
        let ranges = [RestoreRange { start: end, end }];
        let shown = DateTime::from_timestamp_millis(end.timestamp_millis()).unwrap();
        assert!(covers(&ranges, shown));
        assert!(!covers(&ranges, shown - TimeDelta::milliseconds(1)));
        assert!(!covers(&ranges, shown + TimeDelta::milliseconds(1)));
    }

    #[test]
    fn a_range_starts_at_the_second_its_backup_is_shown_to_have_ended() {
        // Before: a range starting 954 ms after the shown end_time refused a restore to it.
        let end = at("2026-04-24T10:00:10.954Z");
        for keep_days in [7, 0] {
            let ranges = restorable_ranges(&[end], keep_days, at("2026-04-24T10:20:00Z"));
            let start = ranges[0].start;
            assert_eq!(start, at("2026-04-24T10:00:10Z"), "keep_days {keep_days}");
            assert!(covers(&ranges, at("2026-04-24T10:00:10Z")));
            assert!(!covers(&ranges, at("2026-04-24T10:00:09.999Z")));
        }
    }

    #[test]
    fn without_a_completed_full_backup_nothing_can_be_restored() {
        assert_eq!(restorable_ranges(&[], 7, at("2026-04-24T10:00:00Z")), []);
    }

    #[test]
    fn the_range_runs_from_the_first_backup_to_the_last_five_minute_incremental_point() {
        let ranges = restorable_ranges(
            &[at("2026-04-24T10:00:10Z"), at("2026-04-23T10:00:00Z")],
            7,
            at("2026-04-24T10:12:00Z"),
        );
        assert_eq!(
            ranges,
            [RestoreRange {
                start: at("2026-04-23T10:00:00Z"),
                end: at("2026-04-24T10:10:10Z"),
            }]
        );
    }

    #[test]
    fn a_backup_older_than_the_retention_is_restorable_only_as_it_was() {
        let old = at("2026-04-01T08:00:00Z");
        let ranges = restorable_ranges(
            &[old, at("2026-04-24T09:00:00Z")],
            7,
            at("2026-04-24T09:03:00Z"),
        );
        assert_eq!(
            ranges[0],
            RestoreRange {
                start: old,
                end: old
            }
        );
        assert_eq!(ranges[1].start, at("2026-04-24T09:00:00Z"));
        assert_eq!(
            ranges[1].end,
            at("2026-04-24T09:00:00Z"),
            "no incremental point yet"
        );
    }

    #[test]
    fn a_day_clips_the_ranges_to_it_and_a_bad_day_is_refused() {
        let ranges = vec![RestoreRange {
            start: at("2026-04-23T10:00:00Z"),
            end: at("2026-04-24T10:10:00Z"),
        }];
        assert_eq!(
            within_day(ranges.clone(), "2026-04-24").unwrap(),
            [RestoreRange {
                start: at("2026-04-24T00:00:00Z"),
                end: at("2026-04-24T10:10:00Z")
            }]
        );
        assert_eq!(within_day(ranges.clone(), "2026-04-25").unwrap(), []);
        for bad in [
            "2026-4-24",
            "24.04.2026",
            "2026-02-30",
            "2026-04-24T00:00:00Z",
        ] {
            assert_eq!(
                within_day(ranges.clone(), bad),
                Err(ApiError::Parameter),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_query_asks_for_a_day_or_a_millisecond_window_or_nothing() {
        assert_eq!(query_window(None, Some(""), None), Ok(None));
        assert_eq!(
            query_window(Some("2026-04-24"), Some("x"), None),
            Ok(Some(RestoreRange {
                start: at("2026-04-24T00:00:00Z"),
                end: at("2026-04-24T23:59:59.999Z")
            }))
        );
        assert_eq!(
            query_window(None, Some("1000"), Some("2000"))
                .unwrap()
                .map(|w| w.millis()),
            Some((1000, 2000))
        );
        for (start, end) in [(Some("1"), None), (None, Some("1")), (Some("x"), Some("1"))] {
            assert_eq!(query_window(None, start, end), Err(ApiError::Parameter));
        }
    }
}
