//! An ordered map in sorted chunks of up to 64 entries, for the indexes of backups by time.
//!
//! Backups come newest first: a `BTreeMap` fed at one end splits each full node in two and
//! never fills either again, so its nodes stay a little over half full — some 77 bytes a backup
//! in the project's index and 43 in its instance's (`docs/benchmarks.md`). Here an entry that
//! overflows a chunk at its front or back starts a chunk of its own, so chunks fill up: about
//! the entry's own size. A range is found by a look-up among the chunks (a sixty-fourth as
//! many) and a binary search within one, then read chunk by chunk, a page skipped a chunk at
//! a time.

use std::collections::BTreeMap;
use std::ops::{Bound, RangeBounds};

/// The most entries a chunk holds.
const CHUNK: usize = 64;

pub(super) struct Ordered<K, V> {
    /// The entries in order, in chunks keyed by their last (greatest) key; none is empty.
    chunks: BTreeMap<K, Vec<(K, V)>>,
    len: usize,
}

impl<K, V> Default for Ordered<K, V> {
    fn default() -> Self {
        Self {
            chunks: BTreeMap::new(),
            len: 0,
        }
    }
}

impl<K: Ord + Copy, V> Ordered<K, V> {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The key of the chunk `key` belongs in: the first ending at or after it, else the last.
    fn chunk_of(&self, key: &K) -> Option<K> {
        self.chunks
            .range(key..)
            .next()
            .or_else(|| self.chunks.last_key_value())
            .map(|(last, _)| *last)
    }

    #[cfg(test)]
    fn get(&self, key: &K) -> Option<&V> {
        let (_, chunk) = self.chunks.range(key..).next()?;
        let at = chunk.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        Some(&chunk[at].1)
    }

    /// Enters `value` under `key`, returning the value it replaces.
    pub(super) fn insert(&mut self, key: K, value: V) -> Option<V> {
        let Some(last) = self.chunk_of(&key) else {
            self.chunks.insert(key, chunk_with(key, value));
            self.len = 1;
            return None;
        };
        let chunk = self.chunks.get_mut(&last)?;
        let at = match chunk.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(at) => return Some(std::mem::replace(&mut chunk[at].1, value)),
            Err(at) => at,
        };
        self.len += 1;
        if key < last && chunk.len() < CHUNK {
            // The common case: within the chunk, whose last key stays.
            chunk.insert(at, (key, value));
            return None;
        }
        let mut chunk = self.chunks.remove(&last)?;
        if chunk.len() < CHUNK {
            // Its last key changes: filed again.
            chunk.insert(at, (key, value));
            self.put(chunk);
            return None;
        }
        // Full: the new entry starts a chunk of its own at either end, else the chunk halves.
        let rest = if at == 0 {
            self.put(std::mem::replace(&mut chunk, chunk_with(key, value)));
            None
        } else if at == chunk.len() {
            Some(chunk_with(key, value))
        } else {
            let mut rest = chunk.split_off(CHUNK / 2);
            if at <= CHUNK / 2 {
                chunk.insert(at, (key, value));
            } else {
                rest.insert(at - CHUNK / 2, (key, value));
            }
            Some(rest)
        };
        self.put(chunk);
        if let Some(rest) = rest {
            self.put(rest);
        }
        None
    }

    /// Removes the entry of `key`, returning its value.
    pub(super) fn remove(&mut self, key: &K) -> Option<V> {
        let (&last, chunk) = self.chunks.range_mut(key..).next()?;
        let at = chunk.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        let (_, value) = chunk.remove(at);
        self.len -= 1;
        if chunk.is_empty() || *key == last {
            // Gone, or keyed by a key it no longer holds.
            let chunk = self.chunks.remove(&last)?;
            if !chunk.is_empty() {
                self.put(chunk);
            }
        }
        Some(value)
    }

    /// Files a chunk (not empty) under its last key.
    fn put(&mut self, chunk: Vec<(K, V)>) {
        if let Some(&(last, _)) = chunk.last() {
            self.chunks.insert(last, chunk);
        }
    }

    /// The entries within `range`, in order (either way).
    pub(super) fn range<R: RangeBounds<K>>(
        &self,
        range: R,
    ) -> impl DoubleEndedIterator<Item = (&K, &V)> + use<'_, K, V, R> {
        let (start, end) = (range.start_bound().cloned(), range.end_bound().cloned());
        // The chunks from the one holding the start to the one holding the end.
        let first = match start {
            Bound::Included(k) | Bound::Excluded(k) => self.chunks.range(k..).next(),
            Bound::Unbounded => self.chunks.first_key_value(),
        };
        let last = match end {
            Bound::Included(k) | Bound::Excluded(k) => self
                .chunks
                .range(k..)
                .next()
                .or_else(|| self.chunks.last_key_value()),
            Bound::Unbounded => self.chunks.last_key_value(),
        };
        let chunks = match (first, last) {
            (Some((first, _)), Some((last, _))) if first <= last => {
                Some(self.chunks.range(*first..=*last))
            }
            _ => None,
        };
        chunks
            .into_iter()
            .flatten()
            .flat_map(move |(_, chunk)| within(chunk, start, end))
            .map(|(k, v)| (k, v))
    }

    pub(super) fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> {
        self.chunks
            .values()
            .flat_map(|chunk| chunk.iter())
            .map(|(k, v)| (k, v))
    }

    pub(super) fn values(&self) -> impl DoubleEndedIterator<Item = &V> {
        self.iter().map(|(_, v)| v)
    }
}

/// A chunk's first entry, with room for a full chunk.
fn chunk_with<K, V>(key: K, value: V) -> Vec<(K, V)> {
    let mut chunk = Vec::with_capacity(CHUNK);
    chunk.push((key, value));
    chunk
}

/// The part of a chunk within the bounds.
fn within<K: Ord, V>(chunk: &[(K, V)], start: Bound<K>, end: Bound<K>) -> &[(K, V)] {
    let from = match &start {
        Bound::Included(s) => chunk.partition_point(|(k, _)| k < s),
        Bound::Excluded(s) => chunk.partition_point(|(k, _)| k <= s),
        Bound::Unbounded => 0,
    };
    let to = match &end {
        Bound::Included(e) => chunk.partition_point(|(k, _)| k <= e),
        Bound::Excluded(e) => chunk.partition_point(|(k, _)| k < e),
        Bound::Unbounded => chunk.len(),
    };
    chunk.get(from..to.max(from)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inserts and removes, in runs at either end and at random places, checked against a
    /// `BTreeMap` after each step, with ranges of every kind.
    #[test]
    fn it_behaves_as_an_ordered_map() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut draw = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let mut ordered: Ordered<u64, u64> = Ordered::default();
        let mut expected: BTreeMap<u64, u64> = BTreeMap::new();
        let (mut low, mut high) = (1_000_000_u64, 1_000_000_u64);
        for step in 0..6000_u64 {
            let key = match draw(8) {
                // Newest first: each new key the smallest; sometimes the greatest.
                0..=3 => {
                    low -= 1;
                    low
                }
                4 => {
                    high += 1;
                    high
                }
                _ => low + draw(high - low + 1),
            };
            if draw(4) == 0 {
                assert_eq!(ordered.remove(&key), expected.remove(&key), "{step}");
            } else {
                assert_eq!(
                    ordered.insert(key, step),
                    expected.insert(key, step),
                    "{step}"
                );
            }
            assert_eq!(ordered.len(), expected.len());
            assert!(
                ordered
                    .chunks
                    .values()
                    .all(|c| !c.is_empty() && c.len() <= CHUNK)
            );
            let probe = low + draw(high - low + 2);
            assert_eq!(ordered.get(&probe), expected.get(&probe));
            if step % 50 == 0 {
                let a = low.saturating_sub(2) + draw(high - low + 4);
                let b = a + draw(300);
                let pairs = |i: &mut dyn DoubleEndedIterator<Item = (&u64, &u64)>| {
                    i.map(|(k, v)| (*k, *v)).collect::<Vec<_>>()
                };
                assert_eq!(
                    pairs(&mut ordered.range(a..=b)),
                    pairs(&mut expected.range(a..=b))
                );
                assert_eq!(
                    pairs(&mut ordered.range(a..b)),
                    pairs(&mut expected.range(a..b))
                );
                assert_eq!(
                    pairs(&mut ordered.range(..b)),
                    pairs(&mut expected.range(..b))
                );
                assert_eq!(
                    pairs(&mut ordered.range(a..)),
                    pairs(&mut expected.range(a..))
                );
                assert_eq!(
                    pairs(&mut ordered.range(a..=b).rev()),
                    pairs(&mut expected.range(a..=b).rev())
                );
                assert_eq!(pairs(&mut ordered.iter()), pairs(&mut expected.iter()));
            }
        }
        // Fed newest first, the chunks are full but for the newest.
        let mut fed: Ordered<u64, ()> = Ordered::default();
        for key in (0..6400).rev() {
            fed.insert(key, ());
        }
        assert_eq!(fed.chunks.len(), 100);
        assert_eq!(fed.range(..).count(), 6400);
    }
}
