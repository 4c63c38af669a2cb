//! A fixed number of places for long-lived work (event streams, long-poll waits): taking one
//! past the limit fails at once, and a place comes back when its guard is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// At most `max` places, shared.
#[derive(Debug, Clone)]
pub struct Slots {
    used: Arc<AtomicUsize>,
    max: usize,
}

/// One place taken; dropping it gives it back.
#[derive(Debug)]
pub struct Slot(Arc<AtomicUsize>);

impl Slots {
    pub fn new(max: usize) -> Self {
        Self {
            used: Arc::new(AtomicUsize::new(0)),
            max,
        }
    }

    /// A place, or `None` when all `max` are taken.
    pub fn take(&self) -> Option<Slot> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(self.used.clone()))
    }

    /// How many places are taken now.
    pub fn in_use(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_past_the_limit_are_refused_until_one_is_given_back() {
        let slots = Slots::new(2);
        let a = slots.take().unwrap();
        let _b = slots.take().unwrap();
        assert!(slots.take().is_none());
        assert_eq!(slots.in_use(), 2);
        drop(a);
        assert!(slots.take().is_some());
    }
}
