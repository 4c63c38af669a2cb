//! The backup list's query: filters and paging, validated.

use chrono::{DateTime, Utc};

use super::backup::BackupType;
use super::time::parse_api_time;
use crate::error::ApiError;

/// The largest and default page size.
pub const MAX_LIMIT: usize = 100;

/// Query parameters of `GET /v3/{project_id}/backups` as a client sent them. An empty value
/// counts as not sent.
#[derive(Debug, Clone, Default)]
pub struct RawBackupQuery<'a> {
    pub instance_id: Option<&'a str>,
    pub backup_id: Option<&'a str>,
    pub backup_type: Option<&'a str>,
    pub offset: Option<&'a str>,
    pub limit: Option<&'a str>,
    pub begin_time: Option<&'a str>,
    pub end_time: Option<&'a str>,
    pub name: Option<&'a str>,
    pub instance_name: Option<&'a str>,
}

/// A validated backup list query.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupQuery {
    pub instance_id: Option<String>,
    pub backup_id: Option<String>,
    pub backup_type: Option<BackupType>,
    /// Keep backups that began at or after this time.
    pub begin: Option<DateTime<Utc>>,
    /// Keep backups that began at or before this time.
    pub end: Option<DateTime<Utc>>,
    pub name: Option<String>,
    pub instance_name: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

impl Default for BackupQuery {
    fn default() -> Self {
        Self {
            instance_id: None,
            backup_id: None,
            backup_type: None,
            begin: None,
            end: None,
            name: None,
            instance_name: None,
            offset: 0,
            limit: MAX_LIMIT,
        }
    }
}

/// A query value, unless it is missing or empty (an empty value counts as not sent).
pub fn given(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

/// Reads `limit` (1..=100, default 100; else `DBS.280439`) and `offset` (0 or more, default
/// 0; else `DBS.200001`), in that order, as every list of the API pages them.
pub fn parse_paging(limit: Option<&str>, offset: Option<&str>) -> Result<(usize, usize), ApiError> {
    parse_paging_by(limit, offset, MAX_LIMIT)
}

/// [`parse_paging`] for a list whose page is `page` long unless `limit` says otherwise (the
/// proxy and quota lists: 10).
pub fn parse_paging_by(
    limit: Option<&str>,
    offset: Option<&str>,
    page: usize,
) -> Result<(usize, usize), ApiError> {
    let limit = match given(limit) {
        None => page,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or(ApiError::InvalidLimit)?,
    };
    let offset = match given(offset) {
        None => 0,
        Some(s) => s.parse::<usize>().map_err(|_| ApiError::Parameter)?,
    };
    Ok((limit, offset))
}

impl BackupQuery {
    /// Checks `limit` (`DBS.280439`), `offset` and `backup_type` (`DBS.200001`), then the time
    /// window (`DBS.280216`), in that order.
    pub fn parse(raw: &RawBackupQuery<'_>) -> Result<Self, ApiError> {
        let (limit, offset) = parse_paging(raw.limit, raw.offset)?;
        let backup_type = given(raw.backup_type)
            .map(|s| BackupType::parse(s).ok_or(ApiError::Parameter))
            .transpose()?;
        let time = |v: Option<&str>| {
            given(v)
                .map(|s| parse_api_time(s).ok_or(ApiError::InvalidTimeRange))
                .transpose()
        };
        let begin = time(raw.begin_time)?;
        let end = time(raw.end_time)?;
        if let (Some(b), Some(e)) = (begin, end)
            && e <= b
        {
            return Err(ApiError::InvalidTimeRange);
        }
        let owned = |v: Option<&str>| given(v).map(str::to_owned);
        Ok(Self {
            instance_id: owned(raw.instance_id),
            backup_id: owned(raw.backup_id),
            backup_type,
            begin,
            end,
            name: owned(raw.name),
            instance_name: owned(raw.instance_name),
            offset,
            limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_given_means_first_page_of_100() {
        let q = BackupQuery::parse(&RawBackupQuery::default()).unwrap();
        assert_eq!(q, BackupQuery::default());
    }

    #[test]
    fn limit_must_be_an_integer_from_1_to_100() {
        for ok in ["1", "50", "100"] {
            let q = BackupQuery::parse(&RawBackupQuery {
                limit: Some(ok),
                ..Default::default()
            });
            assert_eq!(q.unwrap().limit, ok.parse::<usize>().unwrap());
        }
        for bad in ["0", "101", "-1", "ten", "1.5", " 5"] {
            let q = BackupQuery::parse(&RawBackupQuery {
                limit: Some(bad),
                ..Default::default()
            });
            assert_eq!(q, Err(ApiError::InvalidLimit), "{bad:?}");
        }
    }

    #[test]
    fn offset_must_be_a_non_negative_integer() {
        let q = BackupQuery::parse(&RawBackupQuery {
            offset: Some("7"),
            ..Default::default()
        });
        assert_eq!(q.unwrap().offset, 7);
        for bad in ["-1", "x", "1e3"] {
            let q = BackupQuery::parse(&RawBackupQuery {
                offset: Some(bad),
                ..Default::default()
            });
            assert_eq!(q, Err(ApiError::Parameter), "{bad:?}");
        }
    }

    #[test]
    fn backup_type_is_auto_or_manual() {
        let q = BackupQuery::parse(&RawBackupQuery {
            backup_type: Some("auto"),
            ..Default::default()
        });
        assert_eq!(q.unwrap().backup_type, Some(BackupType::Auto));
        let q = BackupQuery::parse(&RawBackupQuery {
            backup_type: Some("full"),
            ..Default::default()
        });
        assert_eq!(q, Err(ApiError::Parameter));
    }

    #[test]
    fn end_time_must_be_after_begin_time() {
        let raw = RawBackupQuery {
            begin_time: Some("2026-01-02T00:00:00+0000"),
            end_time: Some("2026-01-02T00:00:00+0000"),
            ..Default::default()
        };
        assert_eq!(BackupQuery::parse(&raw), Err(ApiError::InvalidTimeRange));
        let raw = RawBackupQuery {
            begin_time: Some("yesterday"),
            ..Default::default()
        };
        assert_eq!(BackupQuery::parse(&raw), Err(ApiError::InvalidTimeRange));
    }

    #[test]
    fn limit_is_checked_before_the_time_window() {
        let raw = RawBackupQuery {
            limit: Some("0"),
            begin_time: Some("bad"),
            ..Default::default()
        };
        assert_eq!(BackupQuery::parse(&raw), Err(ApiError::InvalidLimit));
    }

    #[test]
    fn empty_values_count_as_not_sent() {
        let raw = RawBackupQuery {
            limit: Some(""),
            instance_id: Some(""),
            ..Default::default()
        };
        assert_eq!(BackupQuery::parse(&raw), Ok(BackupQuery::default()));
    }
}
