//! A hash map split into shards, so that growing it never rehashes everything at once: each
//! shard doubles on its own, and a doubling under the store's lock costs a sixty-fourth of the
//! map. (One big map stalled every request for tens of milliseconds at each doubling.)
//!
//! A table holds its entries alone, each knowing its key ([`Keyed`]): a backup is found by
//! the id it holds, and its table slot is one pointer, not a second copy of the id beside it
//! (with the table's empty slots, 33 bytes a backup at a million).
//!
//! Keys are hashed with foldhash (randomly seeded) rather than SipHash: the maps hold backups
//! and jobs under ids the emulator draws itself (or a fixtures author chose), so no client can
//! fill one with colliding keys, and SipHash cost about a tenth of a create.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

const SHARDS: usize = 64;

/// An entry that holds its own key.
pub(super) trait Keyed {
    type Key: Hash + Eq;
    fn key(&self) -> &Self::Key;
}

/// A map's entry: the key beside the value.
impl<K: Hash + Eq, V> Keyed for (K, V) {
    type Key = K;
    fn key(&self) -> &K {
        &self.0
    }
}

/// A set of entries found by their keys, in `SHARDS` tables.
pub(super) struct Table<T> {
    shards: Vec<HashTable<T>>,
    /// Picks the shard; `hasher` places an entry within it (the same bits for both would
    /// leave a shard's entries alike in the bits its table uses).
    picker: RandomState,
    hasher: RandomState,
    /// Entries in all shards, kept as they come and go: a create checks the quota against
    /// it, and summing the shards would read 64 of them.
    len: usize,
}

impl<T: Keyed> Default for Table<T> {
    /// Without shards until the first entry: an empty project's tables cost nothing (64
    /// empty tables are 2 KB).
    fn default() -> Self {
        Self {
            shards: Vec::new(),
            picker: RandomState::default(),
            hasher: RandomState::default(),
            len: 0,
        }
    }
}

impl<T: Keyed> Table<T> {
    /// The shard of `key` and its hash within it.
    fn place<Q: Hash + ?Sized>(&self, key: &Q) -> (usize, u64) {
        let shard = (self.picker.hash_one(key) % SHARDS as u64) as usize;
        (shard, self.hasher.hash_one(key))
    }

    /// The shard of `key` and its hash within it; `None` while there are no shards.
    fn find<Q: Hash + ?Sized>(&self, key: &Q) -> Option<(usize, u64)> {
        (!self.shards.is_empty()).then(|| self.place(key))
    }

    pub(super) fn get<Q>(&self, key: &Q) -> Option<&T>
    where
        T::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (shard, hash) = self.find(key)?;
        self.shards[shard].find(hash, |t| t.key().borrow() == key)
    }

    pub(super) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut T>
    where
        T::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (shard, hash) = self.find(key)?;
        self.shards[shard].find_mut(hash, |t| t.key().borrow() == key)
    }

    pub(super) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        T::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(key).is_some()
    }

    /// Enters `entry`, returning the one of its key it replaces.
    pub(super) fn insert(&mut self, entry: T) -> Option<T> {
        if self.shards.is_empty() {
            self.shards = (0..SHARDS).map(|_| HashTable::new()).collect();
        }
        let (shard, hash) = self.place(entry.key());
        let hasher = &self.hasher;
        match self.shards[shard].entry(
            hash,
            |t| t.key() == entry.key(),
            |t| hasher.hash_one(t.key()),
        ) {
            Entry::Occupied(mut occupied) => Some(std::mem::replace(occupied.get_mut(), entry)),
            Entry::Vacant(vacant) => {
                vacant.insert(entry);
                self.len += 1;
                None
            }
        }
    }

    pub(super) fn remove<Q>(&mut self, key: &Q) -> Option<T>
    where
        T::Key: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (shard, hash) = self.find(key)?;
        let found = self.shards[shard].find_entry(hash, |t| t.key().borrow() == key);
        let removed = found.ok()?.remove().0;
        self.len -= 1;
        Some(removed)
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &T> {
        self.shards.iter().flat_map(HashTable::iter)
    }
}

/// A map in shards: a table of key and value pairs.
pub(super) struct Sharded<K, V>(Table<(K, V)>);

impl<K: Hash + Eq, V> Default for Sharded<K, V> {
    fn default() -> Self {
        Self(Table::default())
    }
}

impl<K: Hash + Eq, V> Sharded<K, V> {
    pub(super) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.get(key).map(|(_, v)| v)
    }

    pub(super) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.get_mut(key).map(|(_, v)| v)
    }

    pub(super) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.contains_key(key)
    }

    pub(super) fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.0.insert((key, value)).map(|(_, v)| v)
    }

    pub(super) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.remove(key).map(|(_, v)| v)
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.values().map(|(k, _)| k)
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
        let sum: usize = map.keys().map(|k| *map.get(k.as_str()).unwrap()).sum();
        assert_eq!(sum, (0..1000).sum::<usize>() - 7);
    }
}
