//! The automated backup policy: when automated backups run and how long they are kept.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeDelta, Timelike, Utc};

use super::ids::MAX_FIELD;
use crate::error::ApiError;

/// An instance's automated backup policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupPolicy {
    /// Days an automated backup is kept, 1..=732.
    pub keep_days: u16,
    /// Hour (UTC) the one-hour backup window opens; the window is `hh:00-(hh+1):00`.
    pub start_hour: u8,
    /// Weekdays with a backup, 1 = Monday ... 7 = Sunday, ascending, no duplicates.
    pub period: Vec<u8>,
}

impl Default for BackupPolicy {
    /// Our choice for an instance whose fixtures set none: every day at 19:00 UTC, kept 7 days.
    fn default() -> Self {
        Self {
            keep_days: 7,
            start_hour: 19,
            period: (1..=7).collect(),
        }
    }
}

impl BackupPolicy {
    /// Reads `hh:00-HH:00` with `HH` = `hh` + 1 (wrapping at midnight); else `DBS.280253`.
    pub fn parse_start_time(s: &str) -> Result<u8, ApiError> {
        let hour = |h: &str| {
            (h.len() == 2 && h.bytes().all(|b| b.is_ascii_digit()))
                .then(|| h.parse::<u8>().ok())
                .flatten()
                .filter(|h| *h < 24)
        };
        let parsed = s
            .split_once('-')
            .and_then(|(from, to)| Some((from.split_once(':')?, to.split_once(':')?)))
            .and_then(|((fh, fm), (th, tm))| {
                let (fh, th) = (hour(fh)?, hour(th)?);
                (fm == "00" && tm == "00" && th == (fh + 1) % 24).then_some(fh)
            });
        parsed.ok_or(ApiError::InvalidPolicyStartTime)
    }

    /// Reads `keep_days`, an integer 1..=732; else `DBS.280250`.
    pub fn parse_keep_days(n: Option<i64>) -> Result<u16, ApiError> {
        n.filter(|n| (1..=732).contains(n))
            .map(|n| n as u16)
            .ok_or(ApiError::InvalidPolicyKeepDays)
    }

    /// Reads `period`: weekday digits 1-7 separated by commas, no duplicates; else
    /// `DBS.280251`.
    pub fn parse_period(s: &str) -> Result<Vec<u8>, ApiError> {
        let mut days = Vec::new();
        for part in s.split(',') {
            let day = match part.as_bytes() {
                [d @ b'1'..=b'7'] => d - b'0',
                _ => return Err(ApiError::InvalidPolicyPeriod),
            };
            if days.contains(&day) {
                return Err(ApiError::InvalidPolicyPeriod);
            }
            days.push(day);
        }
        days.sort_unstable();
        Ok(days)
    }

    /// A new policy from the fields of a modify request, checked in the page's order:
    /// `start_time` (`DBS.280253`), `keep_days` (`DBS.280250`), `period` (`DBS.280251`).
    /// A field of the wrong JSON type arrives as `None` and breaks its rule.
    pub fn parse_update(
        start_time: Option<&str>,
        keep_days: Option<i64>,
        period: Option<&str>,
    ) -> Result<Self, ApiError> {
        let start_hour = Self::parse_start_time(start_time.unwrap_or_default())?;
        let keep_days = Self::parse_keep_days(keep_days)?;
        let period = Self::parse_period(period.unwrap_or_default())?;
        Ok(Self {
            keep_days,
            start_hour,
            period,
        })
    }

    /// `start_time` as the API writes it, e.g. `19:00-20:00`.
    pub fn start_time(&self) -> String {
        format!(
            "{:02}:00-{:02}:00",
            self.start_hour,
            (self.start_hour + 1) % 24
        )
    }

    /// `period` as the API writes it, e.g. `1,2,3,4,5,6,7`.
    pub fn period_text(&self) -> String {
        self.period
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// How long an automated backup is kept.
    pub fn retention(&self) -> TimeDelta {
        TimeDelta::days(i64::from(self.keep_days))
    }

    /// The first window opening strictly after `t`: an `hh:00` on a policy weekday.
    pub fn next_window_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let time = NaiveTime::from_hms_opt(u32::from(self.start_hour), 0, 0)?;
        (0..=7).find_map(|offset| {
            let day = t.date_naive() + Duration::days(offset);
            let at = day.and_time(time).and_utc();
            let weekday = day.weekday().number_from_monday() as u8;
            (at > t && self.period.contains(&weekday)).then_some(at)
        })
    }
}

/// The name the service gives an automated backup: `TaurusDB-<part of the instance
/// name>-<yyyyMMddHHmmssSSS>`, like `TaurusDB-e747-20200705185048266`.
pub fn automated_backup_name(instance_name: &str, at: DateTime<Utc>) -> String {
    let part: String = instance_name
        .rsplit('-')
        .next()
        .unwrap_or(instance_name)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(32)
        .collect();
    let part = if part.is_empty() {
        "instance".to_owned()
    } else {
        part
    };
    format!(
        "TaurusDB-{part}-{}{:03}",
        at.format("%Y%m%d%H%M%S"),
        at.nanosecond() / 1_000_000 % 1000
    )
}

/// Where and how an instance's backups are copied to another region (the cross-region, or
/// "offsite", policy); the emulator keeps it and copies nothing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffsitePolicy {
    pub open_auto_backup: bool,
    pub open_incremental_backup: bool,
    pub destination_project_id: String,
    pub destination_region: String,
    pub keep_days: u16,
}

impl OffsitePolicy {
    /// The most days a cross-region copy is kept.
    pub const MAX_KEEP_DAYS: u16 = 1825;

    /// The update's rules: incremental copies only with full ones, both destinations given
    /// (at most 64 characters each: a project id has 32, a region a few),
    /// `keep_days` 1 to 1825; else `DBS.200001`.
    pub fn check(&self) -> Result<(), ApiError> {
        let given = |s: &str| !s.trim().is_empty() && s.chars().count() <= MAX_FIELD;
        let valid = (self.open_auto_backup || !self.open_incremental_backup)
            && given(&self.destination_project_id)
            && given(&self.destination_region)
            && (1..=Self::MAX_KEEP_DAYS).contains(&self.keep_days);
        if valid {
            Ok(())
        } else {
            Err(ApiError::Parameter)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn start_time_is_a_one_hour_window_on_the_hour() {
        assert_eq!(BackupPolicy::parse_start_time("21:00-22:00"), Ok(21));
        assert_eq!(BackupPolicy::parse_start_time("00:00-01:00"), Ok(0));
        assert_eq!(BackupPolicy::parse_start_time("23:00-00:00"), Ok(23));
    }

    #[test]
    fn start_time_breaking_the_window_rule_is_refused() {
        for bad in [
            "",
            "21:00",
            "21:00-23:00",
            "21:30-22:30",
            "21:00-22:01",
            "24:00-01:00",
            "9:00-10:00",
            "21:00-22:00 ",
            "aa:00-bb:00",
            "21-22",
        ] {
            assert_eq!(
                BackupPolicy::parse_start_time(bad),
                Err(ApiError::InvalidPolicyStartTime),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn keep_days_is_1_to_732() {
        assert_eq!(BackupPolicy::parse_keep_days(Some(1)), Ok(1));
        assert_eq!(BackupPolicy::parse_keep_days(Some(732)), Ok(732));
        for bad in [Some(0), Some(733), Some(-1), None] {
            assert_eq!(
                BackupPolicy::parse_keep_days(bad),
                Err(ApiError::InvalidPolicyKeepDays)
            );
        }
    }

    #[test]
    fn period_is_distinct_weekday_digits_separated_by_commas() {
        assert_eq!(
            BackupPolicy::parse_period("1,2,3,4,5"),
            Ok(vec![1, 2, 3, 4, 5])
        );
        assert_eq!(BackupPolicy::parse_period("7,1"), Ok(vec![1, 7]));
        for bad in ["", "0", "8", "1,,2", "1,1", "1, 2", "1;2", "12", "mon"] {
            assert_eq!(
                BackupPolicy::parse_period(bad),
                Err(ApiError::InvalidPolicyPeriod),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_update_checks_start_time_then_keep_days_then_period() {
        assert_eq!(
            BackupPolicy::parse_update(None, None, None),
            Err(ApiError::InvalidPolicyStartTime)
        );
        assert_eq!(
            BackupPolicy::parse_update(Some("01:00-02:00"), Some(0), Some("x")),
            Err(ApiError::InvalidPolicyKeepDays)
        );
        assert_eq!(
            BackupPolicy::parse_update(Some("01:00-02:00"), Some(1), Some("x")),
            Err(ApiError::InvalidPolicyPeriod)
        );
        assert_eq!(
            BackupPolicy::parse_update(Some("01:00-02:00"), Some(1), Some("2")),
            Ok(BackupPolicy {
                keep_days: 1,
                start_hour: 1,
                period: vec![2]
            })
        );
    }

    #[test]
    fn the_policy_reads_back_as_the_api_writes_it() {
        let policy = BackupPolicy {
            keep_days: 3,
            start_hour: 23,
            period: vec![1, 3],
        };
        assert_eq!(policy.start_time(), "23:00-00:00");
        assert_eq!(policy.period_text(), "1,3");
    }

    #[test]
    fn the_next_window_is_on_a_policy_day_after_the_given_time() {
        // 2026-04-24 is a Friday (5).
        let policy = BackupPolicy {
            keep_days: 7,
            start_hour: 19,
            period: vec![1, 5],
        };
        let friday_morning = utc("2026-04-24T10:00:00Z");
        assert_eq!(
            policy.next_window_after(friday_morning),
            Some(utc("2026-04-24T19:00:00Z"))
        );
        // Exactly at a window, the next one is the following policy day (Monday).
        assert_eq!(
            policy.next_window_after(utc("2026-04-24T19:00:00Z")),
            Some(utc("2026-04-27T19:00:00Z"))
        );
        let every_day = BackupPolicy::default();
        assert_eq!(
            every_day.next_window_after(utc("2026-04-24T20:00:00Z")),
            Some(utc("2026-04-25T19:00:00Z"))
        );
    }

    #[test]
    fn automated_backup_names_look_like_the_documentation() {
        let at = utc("2020-07-05T18:50:48.266Z");
        assert_eq!(
            automated_backup_name("taurusdb-e747", at),
            "TaurusDB-e747-20200705185048266"
        );
    }

    fn offsite(auto: bool, incremental: bool, keep_days: u16) -> OffsitePolicy {
        OffsitePolicy {
            open_auto_backup: auto,
            open_incremental_backup: incremental,
            destination_project_id: "0123456789abcdef0123456789abcdef".into(),
            destination_region: "eu-nl".into(),
            keep_days,
        }
    }

    #[test]
    fn an_offsite_policy_copies_increments_only_with_full_backups_for_1_to_1825_days() {
        assert_eq!(offsite(true, true, 1825).check(), Ok(()));
        assert_eq!(offsite(false, false, 1).check(), Ok(()));
        assert_eq!(offsite(false, true, 7).check(), Err(ApiError::Parameter));
        assert_eq!(offsite(true, false, 0).check(), Err(ApiError::Parameter));
        assert_eq!(offsite(true, false, 1826).check(), Err(ApiError::Parameter));
        let mut nowhere = offsite(true, false, 7);
        nowhere.destination_region = " ".into();
        assert_eq!(nowhere.check(), Err(ApiError::Parameter));
        // Kept strings are bounded: 30 000 characters each were taken before.
        let mut long = offsite(true, false, 7);
        long.destination_project_id = "x".repeat(MAX_FIELD + 1);
        assert_eq!(long.check(), Err(ApiError::Parameter));
        long.destination_project_id = "x".repeat(MAX_FIELD);
        assert_eq!(long.check(), Ok(()));
    }
}
