//! The ticker: a thin loop that applies what is due: backups finishing, automated backups
//! starting in their windows and expiring after their retention.
//!
//! All the work is [`tick`], which tests and the clock-advance endpoint reach through the same
//! [`Store::advance_to`]. Reads apply due transitions themselves, so the ticker only keeps the
//! state current between requests.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::emulator::Emulator;
use crate::store::{Store, Transition};

/// How often the ticker looks for due backups.
pub const TICK: Duration = Duration::from_millis(100);

/// One step: applies every transition due by the clock's current time.
pub fn tick(store: &Store, clock: &dyn Clock) -> Vec<Transition> {
    store.tick(clock.now())
}

/// Runs [`tick`] every `every` until the task is aborted, waking whoever waits on a change
/// when something happened.
pub fn spawn_ticker(emulator: Arc<Emulator>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if !tick(&emulator.store, emulator.clock.as_ref()).is_empty() {
                emulator.changed();
            }
        }
    })
}
