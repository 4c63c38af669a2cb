//! A hash map split into shards, so that growing it never rehashes everything at once: each
//! shard doubles on its own, and a doubling under the store's lock costs a sixty-fourth of the
//! map. (One big map stalled every request for tens of milliseconds at each doubling.)
//!
//! Keys are hashed with foldhash (randomly seeded) rather than SipHash: the maps hold backups
//! and jobs under ids the emulator draws itself (or a fixtures author chose), so no client can
//! fill one with colliding keys, and SipHash cost about a tenth of a create.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

use foldhash::fast::RandomState;

const SHARDS: usize = 64;

pub(super) struct Sharded<K, V> {
    shards: Vec<HashMap<K, V, RandomState>>,
    /// Picks the shard; each shard hashes again with its own seed.
    picker: RandomState,
    /// Entries in all shards, kept as they come and go: a create checks the quota against
    /// it, and summing the shards would read 64 of them.
    len: usize,
}

impl<K: Hash + Eq, V> Default for Sharded<K, V> {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| HashMap::with_hasher(RandomState::default()))
                .collect(),
            picker: RandomState::default(),
            len: 0,
        }
    }
}

impl<K: Hash + Eq, V> Sharded<K, V> {
    fn shard<Q: Hash + ?Sized>(&self, key: &Q) -> usize {
        (self.picker.hash_one(key) % SHARDS as u64) as usize
    }

    pub(super) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.shards[self.shard(key)].get(key)
    }

    pub(super) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let shard = self.shard(key);
        self.shards[shard].get_mut(key)
    }

    pub(super) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(key).is_some()
    }

    pub(super) fn insert(&mut self, key: K, value: V) -> Option<V> {
        let shard = self.shard(&key);
        let old = self.shards[shard].insert(key, value);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub(super) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let shard = self.shard(key);
        let removed = self.shards[shard].remove(key);
        if removed.is_some() {
            self.len -= 1;
        }
        removed
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &K> {
        self.shards.iter().flat_map(HashMap::keys)
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &V> {
        self.shards.iter().flat_map(HashMap::values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_behaves_as_one_map() {
        let mut map: Sharded<String, usize> = Sharded::default();
        for i in 0..1000 {
            assert_eq!(map.insert(format!("k{i}"), i), None);
        }
        assert_eq!(map.len(), 1000);
        assert_eq!(map.insert("k7".to_owned(), 7), Some(7));
        assert_eq!(map.len(), 1000);
        assert_eq!(map.remove("nope"), None);
        assert_eq!(map.len(), 1000);
        assert_eq!(map.get("k7"), Some(&7));
        *map.get_mut("k7").unwrap() = 70;
        assert_eq!(map.remove("k7"), Some(70));
        assert!(!map.contains_key("k7"));
        assert_eq!(map.len(), 999);
        assert_eq!(map.keys().count(), 999);
        assert_eq!(map.values().sum::<usize>(), (0..1000).sum::<usize>() - 7);
    }
}
