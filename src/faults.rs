//! Request faults: "make the next N calls of this operation answer this error, or answer
//! late". The control API adds them; the HTTP layer consults them per request. Nothing here
//! knows about HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

/// "Make the next N calls of this operation answer this error, or answer late."
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFault {
    pub id: u64,
    /// An operation name (see the route table), or `*` for every API operation.
    pub operation: String,
    pub remaining: u32,
    pub hits: u32,
    /// The error to answer; `None` answers normally (after the delay).
    pub error: Option<InjectedError>,
    pub delay: Duration,
}

/// An error answered instead of the real one, in the API's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedError {
    pub status: u16,
    pub error_code: String,
    pub error_msg: String,
}

/// The most faults (and, in the store, backup failure rules) kept at once; an exhausted one
/// makes room for a new one, and a new one past this many active ones is refused.
pub const MAX_FAULTS: usize = 1000;

/// Makes room for one more item in a list of at most [`MAX_FAULTS`]: drops the oldest exhausted
/// one if the list is full, or says why there is no room.
pub fn make_room<T>(items: &mut Vec<T>, exhausted: impl Fn(&T) -> bool) -> Result<(), String> {
    if items.len() < MAX_FAULTS {
        return Ok(());
    }
    let oldest = items.iter().position(exhausted).ok_or_else(|| {
        format!(
            "at most {MAX_FAULTS} faults can be active; clear them with DELETE /_emulator/faults"
        )
    })?;
    items.remove(oldest);
    Ok(())
}

/// The active request faults, in the order they were added.
#[derive(Debug, Default)]
pub struct Faults {
    faults: Mutex<Vec<RequestFault>>,
    next_id: Mutex<u64>,
    /// How many faults have calls left, kept with `faults` under its lock: every request asks
    /// for its fault, and without one armed it is answered without the lock (which every
    /// worker would otherwise take on every request).
    armed: AtomicUsize,
}

impl Faults {
    /// Adds a fault for the next `count` calls of `operation`.
    pub fn add(
        &self,
        operation: String,
        count: u32,
        error: Option<InjectedError>,
        delay: Duration,
    ) -> Result<RequestFault, String> {
        let mut faults = self.faults.lock();
        make_room(&mut faults, |f| f.remaining == 0)?;
        let mut next = self.next_id.lock();
        *next += 1;
        let fault = RequestFault {
            id: *next,
            operation,
            remaining: count,
            hits: 0,
            error,
            delay,
        };
        faults.push(fault.clone());
        self.rearm(&faults);
        Ok(fault)
    }

    /// The first fault with calls left for `operation`, counted as hit.
    pub fn take(&self, operation: &str) -> Option<RequestFault> {
        if self.armed.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut faults = self.faults.lock();
        let fault = faults
            .iter_mut()
            .find(|f| f.remaining > 0 && (f.operation == operation || f.operation == "*"))?;
        fault.remaining -= 1;
        fault.hits += 1;
        let fault = fault.clone();
        self.rearm(&faults);
        Some(fault)
    }

    /// Counts the faults with calls left; called under the lock, after each change.
    fn rearm(&self, faults: &[RequestFault]) {
        let armed = faults.iter().filter(|f| f.remaining > 0).count();
        self.armed.store(armed, Ordering::Release);
    }

    /// Every fault added since the last clear, with its hits and calls left.
    pub fn list(&self) -> Vec<RequestFault> {
        self.faults.lock().clone()
    }

    pub fn clear(&self) {
        let mut faults = self.faults.lock();
        faults.clear();
        self.rearm(&faults);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_fires_exactly_count_times_for_its_operation() {
        let faults = Faults::default();
        faults
            .add("create".into(), 2, None, Duration::ZERO)
            .unwrap();
        assert!(faults.take("list").is_none());
        assert!(faults.take("create").is_some());
        assert!(faults.take("create").is_some());
        assert!(faults.take("create").is_none());
        assert_eq!(faults.list()[0].hits, 2);
        assert_eq!(faults.list()[0].remaining, 0);
    }

    #[test]
    fn a_fault_added_after_the_others_ran_out_or_were_cleared_fires() {
        let faults = Faults::default();
        faults
            .add("create".into(), 1, None, Duration::ZERO)
            .unwrap();
        assert!(faults.take("create").is_some());
        assert!(faults.take("create").is_none(), "ran out");
        faults.add("list".into(), 1, None, Duration::ZERO).unwrap();
        assert!(faults.take("list").is_some());
        faults.add("list".into(), 5, None, Duration::ZERO).unwrap();
        faults.clear();
        assert!(faults.take("list").is_none(), "cleared");
        faults.add("*".into(), 1, None, Duration::ZERO).unwrap();
        assert!(faults.take("delete").is_some());
    }

    #[test]
    fn a_wildcard_fault_matches_every_operation() {
        let faults = Faults::default();
        faults.add("*".into(), 1, None, Duration::ZERO).unwrap();
        assert!(faults.take("job").is_some());
        assert!(faults.take("list").is_none());
    }
}
