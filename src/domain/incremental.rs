//! Incremental (log) backups: what `GET …/instances/{instance_id}/incremental-backups` lists
//! (Huawei Cloud's `ShowGaussMySqlIncrementalBackupList`). They are derived, not stored: after
//! each completed full backup, one every five minutes (see [`INCREMENTAL_EVERY`]) until the
//! next full backup or now, each covering the five minutes before it; those that ended before
//! the policy's retention window are gone. Newest first.

use chrono::{DateTime, TimeDelta, Utc};

use super::backup_query::given;
use super::ids::InstanceId;
use super::restore::{EndSpan, INCREMENTAL_EVERY};
use super::time::parse_api_time;
use crate::error::ApiError;

/// The page sizes the API allows; the first is the default.
pub const LIMITS: [usize; 3] = [10, 20, 50];

/// One incremental backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncrementalBackup {
    pub id: String,
    pub name: String,
    pub begin_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
}

/// A validated query: paging, and a window on `begin_time` (both ends, or neither).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncrementalQuery {
    pub offset: usize,
    pub limit: usize,
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl IncrementalQuery {
    /// `limit` 10, 20 or 50 (default 10), `offset` 0 or more, `begin_time` with a later
    /// `end_time` in the API's time format, and `display_offsite_backup` `true` or `false`
    /// (there are no cross-region copies to show); anything else is `DBS.200001`.
    pub fn parse(
        offset: Option<&str>,
        limit: Option<&str>,
        begin_time: Option<&str>,
        end_time: Option<&str>,
        display_offsite_backup: Option<&str>,
    ) -> Result<Self, ApiError> {
        if !matches!(given(display_offsite_backup), None | Some("true" | "false")) {
            return Err(ApiError::Parameter);
        }
        let limit = match given(limit) {
            None => LIMITS[0],
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| LIMITS.contains(n))
                .ok_or(ApiError::Parameter)?,
        };
        let offset = match given(offset) {
            None => 0,
            Some(s) => s.parse::<usize>().map_err(|_| ApiError::Parameter)?,
        };
        let time = |s: &str| parse_api_time(s).ok_or(ApiError::Parameter);
        let window = match (given(begin_time), given(end_time)) {
            (None, None) => None,
            (Some(b), Some(e)) => {
                let (b, e) = (time(b)?, time(e)?);
                if e <= b {
                    return Err(ApiError::Parameter);
                }
                Some((b, e))
            }
            _ => return Err(ApiError::Parameter),
        };
        Ok(Self {
            offset,
            limit,
            window,
        })
    }
}

impl IncrementalQuery {
    /// The full backups' ends the answer derives from (see [`EndSpan`]): those within the
    /// retention, and within the window if one is given (a run that began before it is found
    /// as the nearest end before it, the end of the last run as the nearest after it).
    pub fn span(&self, keep_days: u16, now: DateTime<Utc>) -> EndSpan {
        let kept_from = now - TimeDelta::days(i64::from(keep_days));
        let (begin, end) = self.window.unwrap_or((kept_from, now));
        EndSpan {
            from: Some(begin.max(kept_from)),
            to: end.min(now),
            neighbours: true,
        }
    }
}

/// One run of incremental backups after a full backup: the `n`th (from 1) ends at
/// `after + n × INCREMENTAL_EVERY`, for `n` in `first..=last`.
struct Run {
    after: DateTime<Utc>,
    first: i64,
    last: i64,
}

impl Run {
    fn end_of(&self, n: i64) -> DateTime<Utc> {
        self.after + TimeDelta::milliseconds(n * INCREMENTAL_EVERY.num_milliseconds())
    }

    /// The `n`s whose backup ends at or after `from` and begins within `window`.
    fn clip(mut self, from: DateTime<Utc>, window: Option<(DateTime<Utc>, DateTime<Utc>)>) -> Self {
        let step = INCREMENTAL_EVERY.num_milliseconds();
        let at_least = |t: DateTime<Utc>, offset: i64| {
            // The smallest n with after + (n - offset) × step >= t.
            ((t - self.after).num_milliseconds() + step - 1).div_euclid(step) + offset
        };
        self.first = self.first.max(at_least(from, 0));
        if let Some((begin, end)) = window {
            // A backup's begin is the end of the one before it.
            self.first = self.first.max(at_least(begin, 1));
            let at_most = (end - self.after).num_milliseconds().div_euclid(step) + 1;
            self.last = self.last.min(at_most);
        }
        self
    }

    fn count(&self) -> usize {
        usize::try_from((self.last - self.first + 1).max(0)).unwrap_or(0)
    }
}

/// The page `query` asks for of `instance`'s incremental backups, and how many match, given
/// the ends of its completed full backups (any order), its retention and `now`.
pub fn incremental_backups(
    instance: &InstanceId,
    full_backup_ends: &[DateTime<Utc>],
    keep_days: u16,
    now: DateTime<Utc>,
    query: &IncrementalQuery,
) -> (Vec<IncrementalBackup>, usize) {
    let kept_from = now - TimeDelta::days(i64::from(keep_days));
    // Only the runs after full backups within the retention: a restore needs its full backup
    // (see `restore::restorable_ranges`), so the list shows what can be restored.
    let ends: Vec<DateTime<Utc>> = super::restore::full_backups_until(full_backup_ends, now)
        .into_iter()
        .filter(|end| *end >= kept_from)
        .collect();
    let step = INCREMENTAL_EVERY.num_milliseconds();
    // Newest run first.
    let runs: Vec<Run> = ends
        .iter()
        .enumerate()
        .rev()
        .map(|(i, &after)| {
            let until = ends.get(i + 1).copied().unwrap_or(now);
            // Up to the next full backup (exclusive) or now (inclusive).
            let span = (until - after).num_milliseconds();
            let last = if i + 1 < ends.len() {
                (span - 1).div_euclid(step)
            } else {
                span.div_euclid(step)
            };
            Run {
                after,
                first: 1,
                last,
            }
            .clip(kept_from, query.window)
        })
        .collect();
    let total = runs.iter().map(Run::count).sum();
    let mut skip = query.offset;
    let mut page = Vec::with_capacity(query.limit);
    for run in &runs {
        let count = run.count();
        if skip >= count {
            skip -= count;
            continue;
        }
        let mut n = run.last - i64::try_from(skip).unwrap_or(i64::MAX);
        skip = 0;
        while n >= run.first && page.len() < query.limit {
            page.push(backup(instance, run.end_of(n - 1), run.end_of(n)));
            n -= 1;
        }
        if page.len() == query.limit {
            break;
        }
    }
    (page, total)
}

fn backup(
    instance: &InstanceId,
    begin_time: DateTime<Utc>,
    end_time: DateTime<Utc>,
) -> IncrementalBackup {
    // Stable ids: the instance's hash and the end time, shaped like a backup id.
    let hash = super::ids::stable_hash(instance.as_str(), 7);
    IncrementalBackup {
        id: format!("{hash:016x}{:016x}br07", end_time.timestamp_millis()),
        name: format!("GaussDBforMySQL--{}", end_time.format("%Y%m%d%H%M%S%3f")),
        begin_time,
        end_time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn instance() -> InstanceId {
        InstanceId::parse("0123456789abcdef0123456789abcdefin07").unwrap()
    }

    fn all(
        ends: &[DateTime<Utc>],
        now: DateTime<Utc>,
        window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> (Vec<IncrementalBackup>, usize) {
        let query = IncrementalQuery {
            offset: 0,
            limit: 50,
            window,
        };
        incremental_backups(&instance(), ends, 7, now, &query)
    }

    #[test]
    fn none_before_a_full_backup_then_one_every_five_minutes_newest_first() {
        assert_eq!(all(&[], at("2026-04-24T10:00:00Z"), None).1, 0);
        let (page, total) = all(
            &[at("2026-04-24T10:00:00Z")],
            at("2026-04-24T10:16:00Z"),
            None,
        );
        assert_eq!(total, 3);
        let ends: Vec<_> = page.iter().map(|b| b.end_time).collect();
        assert_eq!(
            ends,
            [
                at("2026-04-24T10:15:00Z"),
                at("2026-04-24T10:10:00Z"),
                at("2026-04-24T10:05:00Z")
            ]
        );
        assert_eq!(page[2].begin_time, at("2026-04-24T10:00:00Z"));
        assert_eq!(page[0].name, "GaussDBforMySQL--20260424101500000");
        assert!(page[0].id.ends_with("br07") && page[0].id.len() == 36);
    }

    #[test]
    fn a_new_full_backup_starts_a_new_run() {
        let (page, total) = all(
            &[at("2026-04-24T10:00:00Z"), at("2026-04-24T10:12:00Z")],
            at("2026-04-24T10:17:00Z"),
            None,
        );
        let ends: Vec<_> = page.iter().map(|b| b.end_time).collect();
        assert_eq!(total, 3);
        assert_eq!(
            ends,
            [
                at("2026-04-24T10:17:00Z"),
                at("2026-04-24T10:10:00Z"),
                at("2026-04-24T10:05:00Z")
            ]
        );
    }

    #[test]
    fn the_window_filters_on_begin_time_and_pages_skip_across_runs() {
        let ends = [at("2026-04-24T10:00:00Z")];
        let now = at("2026-04-24T11:00:00Z");
        let window = Some((at("2026-04-24T10:05:00Z"), at("2026-04-24T10:15:00Z")));
        let (page, total) = all(&ends, now, window);
        let begins: Vec<_> = page.iter().map(|b| b.begin_time).collect();
        assert_eq!(total, 3);
        assert_eq!(
            begins,
            [
                at("2026-04-24T10:15:00Z"),
                at("2026-04-24T10:10:00Z"),
                at("2026-04-24T10:05:00Z")
            ]
        );
        let second = IncrementalQuery {
            offset: 10,
            limit: 10,
            window: None,
        };
        let (page, total) = incremental_backups(&instance(), &ends, 7, now, &second);
        assert_eq!((page.len(), total), (2, 12));
        assert_eq!(page[1].end_time, at("2026-04-24T10:05:00Z"));
        let past = IncrementalQuery {
            offset: 12,
            limit: 10,
            window: None,
        };
        assert_eq!(
            incremental_backups(&instance(), &ends, 7, now, &past),
            (vec![], 12)
        );
    }

    #[test]
    fn backups_past_the_retention_are_gone_and_so_are_those_of_a_full_backup_past_it() {
        // A full backup older than the retention: its increments cannot be restored (the
        // restorable times offer it only as an instant), so none is listed. Before: 2 017.
        let (_, total) = all(
            &[at("2026-04-01T00:00:00Z")],
            at("2026-04-24T00:00:00Z"),
            None,
        );
        assert_eq!(total, 0);
        // One inside it: its increments, but not those before the retention's start.
        let (page, total) = all(
            &[at("2026-04-01T00:00:00Z"), at("2026-04-20T00:00:00Z")],
            at("2026-04-24T00:00:00Z"),
            None,
        );
        assert_eq!(total, 4 * 24 * 12);
        assert_eq!(page[0].end_time, at("2026-04-24T00:00:00Z"));
    }

    #[test]
    fn only_limits_of_10_20_or_50_and_whole_windows_are_accepted() {
        assert_eq!(
            IncrementalQuery::parse(None, None, None, None, None)
                .unwrap()
                .limit,
            10
        );
        for (limit, begin, end) in [
            (Some("15"), None, None),
            (None, Some("2026-04-24T10:00:00+0000"), None),
            (
                None,
                Some("2026-04-24T10:00:00+0000"),
                Some("2026-04-24T09:00:00+0000"),
            ),
            (None, Some("yesterday"), Some("2026-04-24T09:00:00+0000")),
        ] {
            assert_eq!(
                IncrementalQuery::parse(None, limit, begin, end, None),
                Err(ApiError::Parameter)
            );
        }
        assert!(IncrementalQuery::parse(None, None, None, None, Some("false")).is_ok());
        assert_eq!(
            IncrementalQuery::parse(None, None, None, None, Some("yes")),
            Err(ApiError::Parameter)
        );
    }
}
