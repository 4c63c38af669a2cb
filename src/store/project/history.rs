//! An instance's history of completed full backups, read from its index by begin time rather
//! than from every backup it has: restorable times and incremental backups cost what their
//! span holds, not what the instance holds.

use std::ops::RangeInclusive;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Project, SortKey};
use crate::domain::restore::EndSpan;
use crate::domain::{Backup, BackupId, BackupStatus, Instance};
use crate::store::ordered::Ordered;
use crate::store::views::BackupHistory;

impl Project {
    /// The ends of `instance`'s completed full backups that `span` needs (see [`EndSpan`]):
    /// those in it (and the nearest on each side if asked), the first at or after the
    /// retention's start and the latest at or before `now`; with its policy's retention.
    pub(in crate::store) fn history(
        &self,
        instance: &Instance,
        now: DateTime<Utc>,
        span: EndSpan,
    ) -> BackupHistory {
        let keep_days = instance.policy.keep_days;
        let Some(index) = self.by_instance.get(&instance.id) else {
            return BackupHistory {
                full_backup_ends: Vec::new(),
                keep_days,
            };
        };
        let ends = Ends {
            project: self,
            index,
            longest: TimeDelta::microseconds(
                self.totals
                    .get(&instance.id)
                    .map_or(0, |t| t.longest_micros),
            ),
        };
        let mut full_backup_ends = ends.between(span.from, span.to);
        if span.neighbours {
            full_backup_ends.extend(span.from.and_then(|from| ends.at_or_before(from)));
            full_backup_ends.extend(ends.at_or_after(span.to));
        }
        full_backup_ends.extend(ends.at_or_after(now - TimeDelta::days(i64::from(keep_days))));
        full_backup_ends.extend(ends.at_or_before(now));
        BackupHistory {
            full_backup_ends,
            keep_days,
        }
    }
}

/// One instance's index, read for the ends of its completed backups. A backup ends at most
/// `longest` after it began, so the backups that ended by a time began by it, and those that
/// ended after it began after it less `longest`.
struct Ends<'a> {
    project: &'a Project,
    index: &'a Ordered<SortKey, BackupId>,
    longest: TimeDelta,
}

impl Ends<'_> {
    /// The earliest a backup that ended at `t` can have begun (a microsecond earlier still,
    /// for the index's microseconds); the earliest time there is for a `t` near it.
    fn began_by(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        t.checked_sub_signed(self.longest + TimeDelta::microseconds(1))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The backups that began within `begun` (newest first), each with its end if it is a
    /// completed one.
    fn begun(
        &self,
        begun: RangeInclusive<SortKey>,
    ) -> impl DoubleEndedIterator<Item = (&Backup, Option<DateTime<Utc>>)> {
        self.index
            .range(begun)
            .filter_map(|(_, id)| self.project.backups.get(id))
            .map(|stored| {
                let b = &stored.backup;
                let end = b.end_time.filter(|_| b.status == BackupStatus::Completed);
                (b, end)
            })
    }

    /// Every end from `from` (or the first) to `to`.
    fn between(&self, from: Option<DateTime<Utc>>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        if from.is_some_and(|from| from > to) {
            return Vec::new();
        }
        let first_begun = from.map_or(SortKey::LAST, |from| SortKey::new(self.began_by(from), 0));
        self.begun(SortKey::new(to, u64::MAX)..=first_begun)
            .filter_map(|(_, end)| end)
            .filter(|end| from.is_none_or(|from| *end >= from) && *end <= to)
            .collect()
    }

    /// The latest end at or before `t`: among the backups that began by `t`, newest first,
    /// until one began too early to end after the latest found.
    fn at_or_before(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut latest: Option<DateTime<Utc>> = None;
        for (backup, end) in self.begun(SortKey::new(t, u64::MAX)..=SortKey::LAST) {
            if latest.is_some_and(|l| self.began_by(l) > backup.begin_time) {
                break;
            }
            if let Some(end) = end.filter(|e| *e <= t) {
                latest = latest.max(Some(end));
            }
        }
        latest
    }

    /// The first end at or after `t`: among the backups that began after `t` less `longest`,
    /// oldest first, until one began after the first found.
    fn at_or_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let from = SortKey::new(self.began_by(t), 0);
        let mut first: Option<DateTime<Utc>> = None;
        for (backup, end) in self.begun(SortKey::FIRST..=from).rev() {
            if first.is_some_and(|f| backup.begin_time > f) {
                break;
            }
            if let Some(end) = end.filter(|e| *e >= t) {
                first = Some(first.map_or(end, |f| f.min(end)));
            }
        }
        first
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta, Utc};

    use crate::domain::incremental::{self, IncrementalQuery};
    use crate::domain::restore::{self, EndSpan, RestoreRange};
    use crate::domain::{
        IdSource, InstanceBackupQuery, InstanceId, ProjectId, RawInstanceBackupQuery,
    };
    use crate::fixtures::Fixtures;
    use crate::store::{Lifecycle, Store};

    const PROJECT: &str = "0123456789abcdef0123456789abcdef";
    const INSTANCE: &str = "0123456789abcdef0123456789abcdefin07";
    const KEEP_DAYS: u16 = 3;

    /// A seeded backup: begin, end (if finished) and whether it completed.
    struct Seeded {
        begin: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
        completed: bool,
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .to_utc()
    }

    /// A small generator, so that the cases are the same in every run.
    struct Draw(u64);

    impl Draw {
        fn below(&mut self, n: i64) -> i64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % n as u64) as i64
        }
    }

    /// 400 backups over the last ten days, some beginning in the same second, most ending
    /// within hours, a few running for days, some failed and one still building.
    fn seeded(draw: &mut Draw) -> (Store, Vec<Seeded>) {
        let mut seeded = Vec::new();
        let mut backups = Vec::new();
        for n in 0..400 {
            let begin = now() - TimeDelta::seconds(draw.below(10 * 86_400));
            let begin = if n % 7 == 1 {
                seeded.last().map_or(begin, |s: &Seeded| s.begin)
            } else {
                begin
            };
            let ran = if n % 50 == 3 {
                draw.below(3 * 86_400)
            } else {
                draw.below(4 * 3600)
            };
            // Still building at `now` (the lifecycle ends it 5 s after it began).
            let building = n == 399;
            let begin = if building {
                now() - TimeDelta::seconds(1)
            } else {
                begin
            };
            let completed = !building && n % 11 != 5;
            let end = (!building).then(|| (begin + TimeDelta::seconds(ran)).min(now()));
            let status = if building {
                "BUILDING"
            } else if completed {
                "COMPLETED"
            } else {
                "FAILED"
            };
            let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let mut backup = serde_json::json!({
                "id": format!("{n:032x}br07"), "instance_id": INSTANCE, "name": format!("backup-{n:04}"),
                "status": status, "begin_time": fmt(begin),
            });
            if let Some(end) = end {
                backup["end_time"] = fmt(end).into();
            }
            backups.push(backup);
            seeded.push(Seeded {
                begin,
                end,
                completed,
            });
        }
        let fixtures = serde_json::json!({"projects": [{"id": PROJECT, "instances": [{"id": INSTANCE,
            "backup_policy": {"keep_days": KEEP_DAYS, "start_time": "19:00-20:00", "period": "1"}}],
            "backups": backups}]});
        let fixtures = Fixtures::parse(&fixtures.to_string()).unwrap();
        let lifecycle = Lifecycle {
            automated_backups: false,
            ..Lifecycle::default()
        };
        (
            Store::new(&fixtures, now(), lifecycle, IdSource::new(1)),
            seeded,
        )
    }

    fn ids() -> (ProjectId, InstanceId) {
        (
            ProjectId::from_path(PROJECT),
            InstanceId::parse(INSTANCE).unwrap(),
        )
    }

    #[test]
    fn the_ends_read_from_the_index_answer_as_all_ends_would() {
        let mut draw = Draw(7);
        let (store, seeded) = seeded(&mut draw);
        let (project, instance) = ids();
        let all: Vec<DateTime<Utc>> = seeded
            .iter()
            .filter(|s| s.completed)
            .filter_map(|s| s.end)
            .collect();
        let mut windows: Vec<Option<RestoreRange>> = vec![None];
        for _ in 0..300 {
            let start = now() - TimeDelta::milliseconds(draw.below(11 * 86_400_000));
            let end = start + TimeDelta::milliseconds(draw.below(2 * 86_400_000));
            windows.push(Some(RestoreRange { start, end }));
        }
        for window in windows {
            let history = store
                .backup_history(&project, &instance, now(), |keep| {
                    EndSpan::restorable(window, keep, now())
                })
                .unwrap();
            let clip = |ranges: Vec<RestoreRange>| match window {
                Some(w) => restore::within(ranges, w.start, w.end),
                None => ranges,
            };
            let expected = clip(restore::restorable_ranges(&all, KEEP_DAYS, now()));
            let got = clip(history.restorable_ranges(now()));
            if got != expected {
                let first = got.iter().zip(&expected).position(|(a, b)| a != b);
                panic!(
                    "{window:?}: {} vs {} ranges, first differing {first:?}: {:?} vs {:?}",
                    got.len(),
                    expected.len(),
                    first.map(|i| got[i]),
                    first.map(|i| expected[i])
                );
            }
            assert!(
                history.full_backup_ends.len() < all.len() || window.is_none(),
                "{window:?}"
            );

            let Some(w) = window.filter(|w| w.end > w.start) else {
                continue;
            };
            for (offset, limit) in [(0, 10), (3, 50), (40, 20)] {
                let query = IncrementalQuery {
                    offset,
                    limit,
                    window: Some((w.start, w.end)),
                };
                let history = store
                    .backup_history(&project, &instance, now(), |keep| query.span(keep, now()))
                    .unwrap();
                assert_eq!(
                    incremental::incremental_backups(
                        &instance,
                        &history.full_backup_ends,
                        KEEP_DAYS,
                        now(),
                        &query
                    ),
                    incremental::incremental_backups(&instance, &all, KEEP_DAYS, now(), &query),
                    "{query:?}"
                );
            }
        }
    }

    #[test]
    fn an_instances_page_by_begin_time_is_its_slice_of_the_whole_order() {
        let (store, seeded) = seeded(&mut Draw(11));
        let (project, instance) = ids();
        // Newest first; ties: the later seeded first.
        let mut order: Vec<usize> = (0..seeded.len()).collect();
        order.sort_by(|&a, &b| seeded[b].begin.cmp(&seeded[a].begin).then(b.cmp(&a)));
        let id = |n: usize| format!("{n:032x}br07");
        for (rule, expected) in [
            ("desc", order.iter().map(|&n| id(n)).collect::<Vec<_>>()),
            ("asc", order.iter().rev().map(|&n| id(n)).collect()),
        ] {
            for (offset, limit) in [(0, 100), (0, 1), (7, 13), (395, 10), (400, 5)] {
                let (offset_text, limit_text) = (offset.to_string(), limit.to_string());
                let query = InstanceBackupQuery::parse(&RawInstanceBackupQuery {
                    order_field: Some("beginTime"),
                    order_rule: Some(rule),
                    offset: Some(&offset_text),
                    limit: Some(&limit_text),
                    ..Default::default()
                })
                .unwrap();
                assert!(query.by_begin_time().is_some());
                let page = store
                    .instance_backups(&project, &instance, &query, now())
                    .unwrap();
                let got: Vec<String> = page
                    .backups
                    .iter()
                    .map(|v| v.backup.id.as_str().to_owned())
                    .collect();
                let want: Vec<String> = expected.iter().skip(offset).take(limit).cloned().collect();
                assert_eq!(got, want, "{rule} {offset} {limit}");
                assert_eq!(page.total_count, 400);
            }
        }
    }
}
