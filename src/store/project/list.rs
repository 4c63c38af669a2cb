//! The backup list's query over a project's indexes: narrowed to one backup, one instance or
//! the whole project, then to the time window, so that a page costs the page.

use super::{Project, SortKey, StoredBackup};
use crate::domain::{BackupId, BackupQuery, InstanceId};
use crate::store::ordered::Ordered;

impl Project {
    /// The ids of one page of backups matching `query`, newest first, and the number of
    /// matches before paging.
    pub(in crate::store) fn list(&self, query: &BackupQuery) -> (Vec<BackupId>, usize) {
        let matches = |stored: &StoredBackup| {
            let b = &stored.backup;
            query
                .instance_id
                .as_deref()
                .is_none_or(|i| b.instance_id.as_str() == i)
                && query.backup_type.is_none_or(|t| b.backup_type == t)
                && query.begin.is_none_or(|t| b.begin_time >= t)
                && query.end.is_none_or(|t| b.begin_time <= t)
                && query.name.as_deref().is_none_or(|n| b.name() == n)
                && query.instance_name.as_deref().is_none_or(|n| {
                    self.instances
                        .get(&b.instance_id)
                        .is_some_and(|i| i.name == n)
                })
        };

        // Narrow to the smallest index first: one backup, one instance, or the whole project.
        let instance_index = match (&query.backup_id, &query.instance_id) {
            (Some(id), _) => {
                let found = self.backups.get(id.as_str()).filter(|s| matches(s));
                let page = found
                    .filter(|_| query.offset == 0)
                    .map(|s| s.backup.id.clone());
                return (page.into_iter().collect(), usize::from(found.is_some()));
            }
            (None, Some(instance)) => match self.by_instance.get(instance.as_str()) {
                Some(index) => Some(index),
                None => return (Vec::new(), 0),
            },
            (None, None) => None,
        };
        // The ids of a range of the index, newest first.
        let ids =
            |range: std::ops::RangeInclusive<SortKey>| -> Box<dyn Iterator<Item = &BackupId> + '_> {
                match instance_index {
                    Some(keys) => Box::new(keys.range(range).map(|(_, id)| id)),
                    None => Box::new(self.newest_first.range(range).map(|(_, id)| id)),
                }
            };
        let residual =
            query.backup_type.is_some() || query.name.is_some() || query.instance_name.is_some();
        if !residual && query.begin.is_none() && query.end.is_none() {
            let page = ids(SortKey::FIRST..=SortKey::LAST)
                .skip(query.offset)
                .take(query.limit)
                .cloned()
                .collect();
            let total = instance_index.map_or(self.newest_first.len(), Ordered::len);
            return (page, total);
        }
        // The time window is a range of the newest-first index: `end` is its first key.
        let first = query
            .end
            .map_or(SortKey::FIRST, |t| SortKey::new(t, u64::MAX));
        let last = query.begin.map_or(SortKey::LAST, |t| SortKey::new(t, 0));
        if first > last {
            return (Vec::new(), 0);
        }
        let matching = ids(first..=last)
            .filter(|id| self.backups.get(*id).is_some_and(|stored| matches(stored)));
        let (page, total) = page_and_count(matching, query.offset, query.limit);
        (page.into_iter().cloned().collect(), total)
    }

    /// One page of an instance's backups by begin time (newest first unless `ascending`;
    /// ties by creation), read from its index, and how many it has.
    pub(in crate::store) fn page_by_begin_time(
        &self,
        instance_id: &InstanceId,
        offset: usize,
        limit: usize,
        ascending: bool,
    ) -> (Vec<BackupId>, usize) {
        let Some(index) = self.by_instance.get(instance_id) else {
            return (Vec::new(), 0);
        };
        let page = |ids: &mut dyn Iterator<Item = &BackupId>| {
            ids.skip(offset).take(limit).cloned().collect()
        };
        let ids = if ascending {
            page(&mut index.values().rev())
        } else {
            page(&mut index.values())
        };
        (ids, index.len())
    }
}

/// The page of `items` at `offset` (at most `limit`), and how many there are.
pub(in crate::store) fn page_and_count<T>(
    items: impl Iterator<Item = T>,
    offset: usize,
    limit: usize,
) -> (Vec<T>, usize) {
    let mut total = 0;
    let mut page = Vec::new();
    for item in items {
        if total >= offset && page.len() < limit {
            page.push(item);
        }
        total += 1;
    }
    (page, total)
}
