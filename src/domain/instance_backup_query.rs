//! The query of one instance's full backups (`GET …/instances/{instance_id}/backups`, Huawei
//! Cloud's `ShowInstanceBackups`): paging, an order and a name filter, validated, and applied.

use std::cmp::Ordering;

use super::backup::Backup;
use super::backup_query::{given, parse_paging};
use crate::error::ApiError;

/// What a page is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderField {
    Name,
    BeginTime,
    Type,
}

/// Query parameters as a client sent them (an empty value counts as not sent).
#[derive(Debug, Clone, Default)]
pub struct RawInstanceBackupQuery<'a> {
    pub offset: Option<&'a str>,
    pub limit: Option<&'a str>,
    pub order_field: Option<&'a str>,
    pub order_rule: Option<&'a str>,
    pub filter_field: Option<&'a str>,
    pub filter_content: Option<&'a str>,
}

/// A validated query: by default the newest first, 100 to a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceBackupQuery {
    pub offset: usize,
    pub limit: usize,
    pub order: OrderField,
    pub ascending: bool,
    /// Only backups of exactly this name.
    pub name: Option<String>,
}

impl InstanceBackupQuery {
    /// Checks paging (`DBS.280439` for `limit`, `DBS.200001` for `offset`), then the order
    /// (`name`, `beginTime` or `type`; `asc` or `desc`) and the filter (only on `name`), each
    /// else `DBS.200001`.
    pub fn parse(raw: &RawInstanceBackupQuery<'_>) -> Result<Self, ApiError> {
        let (limit, offset) = parse_paging(raw.limit, raw.offset)?;
        let order = match given(raw.order_field) {
            None | Some("beginTime") => OrderField::BeginTime,
            Some("name") => OrderField::Name,
            Some("type") => OrderField::Type,
            Some(_) => return Err(ApiError::Parameter),
        };
        let ascending = match given(raw.order_rule) {
            None | Some("desc") => false,
            Some("asc") => true,
            Some(_) => return Err(ApiError::Parameter),
        };
        let name = match (given(raw.filter_field), given(raw.filter_content)) {
            (None, None) => None,
            (Some("name"), Some(content)) => Some(content.to_owned()),
            _ => return Err(ApiError::Parameter),
        };
        Ok(Self {
            offset,
            limit,
            order,
            ascending,
            name,
        })
    }

    /// The order when it is by begin time alone (no filter): `Some(ascending)`. Such a page
    /// is read from an index by begin time instead ([`Self::apply`] gives the same page).
    pub fn by_begin_time(&self) -> Option<bool> {
        (self.name.is_none() && self.order == OrderField::BeginTime).then_some(self.ascending)
    }

    /// Filters, orders and pages `backups` (one instance's): the page and how many matched.
    /// Ties keep the newest first, then the latest `created` (the store's creation order), so
    /// that pages never overlap. Only the page is sorted: the backups before it and after it
    /// are set apart by selection, in linear time.
    pub fn apply<T, K: Ord>(
        &self,
        mut backups: Vec<T>,
        backup: impl Fn(&T) -> &Backup,
        created: impl Fn(&T) -> K,
    ) -> (Vec<T>, usize) {
        if let Some(name) = &self.name {
            backups.retain(|b| backup(b).name() == name);
        }
        let newest_first = |a: &T, b: &T| {
            backup(b)
                .begin_time
                .cmp(&backup(a).begin_time)
                .then_with(|| created(b).cmp(&created(a)))
        };
        let order = |x: &T, y: &T| {
            let (a, b) = (backup(x), backup(y));
            let by_field = match self.order {
                OrderField::Name => a.name().cmp(b.name()),
                OrderField::Type => a.backup_type.as_str().cmp(b.backup_type.as_str()),
                OrderField::BeginTime => newest_first(y, x),
            };
            let by_field = if self.ascending {
                by_field
            } else {
                by_field.reverse()
            };
            match by_field {
                Ordering::Equal => newest_first(x, y),
                other => other,
            }
        };
        let total = backups.len();
        if self.offset >= total {
            return (Vec::new(), total);
        }
        if self.offset > 0 {
            backups.select_nth_unstable_by(self.offset, order);
        }
        let rest = &mut backups[self.offset..];
        if self.limit < rest.len() {
            rest.select_nth_unstable_by(self.limit, order);
        }
        let end = self.offset + self.limit.min(total - self.offset);
        backups[self.offset..end].sort_by(order);
        let page = backups.drain(self.offset..end).collect();
        (page, total)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta};

    use super::*;
    use crate::domain::{
        BackupDescription, BackupId, BackupName, BackupText, BackupType, InstanceId,
    };

    fn backup(id: &str, name: &str, minutes: i64, backup_type: BackupType) -> Backup {
        Backup::building(
            BackupId::from_raw(id),
            InstanceId::parse("0123456789abcdef0123456789abcdefin07").unwrap(),
            BackupText::new(
                BackupName::parse(name).unwrap(),
                BackupDescription::default(),
            ),
            backup_type,
            DateTime::UNIX_EPOCH + TimeDelta::minutes(minutes),
            None,
        )
    }

    fn ids(page: &[Backup]) -> Vec<&str> {
        page.iter().map(|b| b.id.as_str()).collect()
    }

    fn query(raw: RawInstanceBackupQuery<'_>) -> InstanceBackupQuery {
        InstanceBackupQuery::parse(&raw).unwrap()
    }

    fn three() -> Vec<Backup> {
        vec![
            backup("a", "nightly-b", 1, BackupType::Manual),
            backup("b", "nightly-a", 3, BackupType::Auto),
            backup("c", "nightly-c", 2, BackupType::Manual),
        ]
    }

    #[test]
    fn every_page_is_the_page_of_the_whole_list_sorted() {
        // Names and times repeat, so the ties decide too.
        let all: Vec<Backup> = (0..23)
            .map(|i| {
                let kind = if i % 3 == 0 {
                    BackupType::Auto
                } else {
                    BackupType::Manual
                };
                backup(
                    &format!("id-{:02}", (i * 7) % 23),
                    &format!("name-{}", i % 4),
                    i % 5,
                    kind,
                )
            })
            .collect();
        for (field, rule) in [
            ("beginTime", "desc"),
            ("beginTime", "asc"),
            ("name", "asc"),
            ("name", "desc"),
            ("type", "asc"),
            ("type", "desc"),
        ] {
            let whole = query(RawInstanceBackupQuery {
                order_field: Some(field),
                order_rule: Some(rule),
                limit: Some("100"),
                ..Default::default()
            })
            .apply(all.clone(), |b| b, |b| b.id.clone())
            .0;
            for offset in 0..26 {
                for limit in 1..12 {
                    let (offset_text, limit_text) = (offset.to_string(), limit.to_string());
                    let (page, total) = query(RawInstanceBackupQuery {
                        order_field: Some(field),
                        order_rule: Some(rule),
                        offset: Some(&offset_text),
                        limit: Some(&limit_text),
                        ..Default::default()
                    })
                    .apply(all.clone(), |b| b, |b| b.id.clone());
                    let expected: Vec<&Backup> = whole.iter().skip(offset).take(limit).collect();
                    assert_eq!(
                        page.iter().collect::<Vec<_>>(),
                        expected,
                        "{field} {rule} {offset} {limit}"
                    );
                    assert_eq!(total, 23);
                }
            }
        }
    }

    #[test]
    fn by_default_the_newest_come_first() {
        let (page, total) =
            query(RawInstanceBackupQuery::default()).apply(three(), |b| b, |b| b.id.clone());
        assert_eq!((ids(&page), total), (vec!["b", "c", "a"], 3));
    }

    #[test]
    fn a_page_can_be_ordered_by_name_or_begin_time_either_way() {
        let asc = query(RawInstanceBackupQuery {
            order_field: Some("beginTime"),
            order_rule: Some("asc"),
            ..Default::default()
        });
        assert_eq!(
            ids(&asc.apply(three(), |b| b, |b| b.id.clone()).0),
            ["a", "c", "b"]
        );
        let by_name = query(RawInstanceBackupQuery {
            order_field: Some("name"),
            order_rule: Some("asc"),
            ..Default::default()
        });
        assert_eq!(
            ids(&by_name.apply(three(), |b| b, |b| b.id.clone()).0),
            ["b", "a", "c"]
        );
    }

    #[test]
    fn a_name_filter_keeps_that_name_only_and_pages_count_matches() {
        let named = query(RawInstanceBackupQuery {
            filter_field: Some("name"),
            filter_content: Some("nightly-c"),
            ..Default::default()
        });
        assert_eq!(named.apply(three(), |b| b, |b| b.id.clone()).1, 1);
        let second = query(RawInstanceBackupQuery {
            offset: Some("1"),
            limit: Some("1"),
            ..Default::default()
        });
        let (page, total) = second.apply(three(), |b| b, |b| b.id.clone());
        assert_eq!((ids(&page), total), (vec!["c"], 3));
    }

    #[test]
    fn unknown_orders_and_filters_are_parameter_errors() {
        for raw in [
            RawInstanceBackupQuery {
                order_field: Some("size"),
                ..Default::default()
            },
            RawInstanceBackupQuery {
                order_rule: Some("up"),
                ..Default::default()
            },
            RawInstanceBackupQuery {
                filter_field: Some("status"),
                filter_content: Some("x"),
                ..Default::default()
            },
            RawInstanceBackupQuery {
                filter_field: Some("name"),
                ..Default::default()
            },
        ] {
            assert_eq!(
                InstanceBackupQuery::parse(&raw),
                Err(ApiError::Parameter),
                "{raw:?}"
            );
        }
    }
}
