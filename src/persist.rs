//! Opt-in persistence (`--state-file`): the whole state — projects with their backups (building
//! ones with their deadlines), jobs and credentials, the clock and the lifecycle — in one JSON
//! file, written atomically (temporary file, fsync, rename) at most 100 ms after a change.
//!
//! A file that cannot be read, is not JSON of this format, or has another version stops the
//! start with a message, and is never overwritten.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::Emulator;
use crate::clock::ClockMode;
use crate::fixtures::file::{FixturesFile, ProjectFile};
use crate::fixtures::{read_time, write_time};
use crate::store::{Lifecycle, LifecycleMode};

/// What the file says it is.
pub const FORMAT: &str = "taurusdb-emulator-state";
/// The version of the format this emulator reads and writes.
pub const VERSION: u32 = 1;
/// The longest a change waits before it is written.
pub const BATCH: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    pub format: String,
    pub version: u32,
    pub clock: SavedClock,
    pub lifecycle: SavedLifecycle,
    pub projects: Vec<ProjectFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedClock {
    /// `real` or `manual`.
    pub mode: String,
    /// The emulator's time when saved.
    pub now: String,
    /// For a real clock: how far it had been advanced, in milliseconds.
    pub offset_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedLifecycle {
    pub mode: String,
    pub reads: u32,
    pub backup_duration_ms: i64,
    pub automated_backups: bool,
}

impl From<Lifecycle> for SavedLifecycle {
    fn from(l: Lifecycle) -> Self {
        let (mode, reads) = match l.mode {
            LifecycleMode::Time => ("time", 0),
            LifecycleMode::Instant => ("instant", 0),
            LifecycleMode::Reads(n) => ("reads", n),
            LifecycleMode::Manual => ("manual", 0),
        };
        Self {
            mode: mode.to_owned(),
            reads,
            backup_duration_ms: l.backup_duration.num_milliseconds(),
            automated_backups: l.automated_backups,
        }
    }
}

impl SavedLifecycle {
    fn lifecycle(&self) -> Result<Lifecycle, String> {
        let mode = match self.mode.as_str() {
            "time" => LifecycleMode::Time,
            "instant" => LifecycleMode::Instant,
            "reads" => LifecycleMode::Reads(self.reads),
            "manual" => LifecycleMode::Manual,
            other => return Err(format!("lifecycle.mode {other:?} is unknown")),
        };
        Ok(Lifecycle {
            mode,
            backup_duration: TimeDelta::milliseconds(self.backup_duration_ms),
            automated_backups: self.automated_backups,
        })
    }
}

/// A state file read back: what the emulator restarts from.
pub struct Restored {
    pub fixtures: FixturesFile,
    pub now: DateTime<Utc>,
    pub clock_mode: ClockMode,
    pub offset: TimeDelta,
    pub lifecycle: Lifecycle,
}

/// Reads a state file; `Ok(None)` when there is none yet.
pub fn load(path: &Path) -> Result<Option<Restored>, String> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read state file {}: {e}", path.display())),
    };
    let bad = |problem: String| {
        format!(
            "state file {} cannot be used ({problem}); it was left as it is: move it away or \
             fix it to start",
            path.display()
        )
    };
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    if value["format"] != FORMAT {
        return Err(bad("not a taurusdb-emulator state file".to_owned()));
    }
    if value["version"] != VERSION {
        return Err(bad(format!(
            "version {} is not the version {VERSION} this emulator reads",
            value["version"]
        )));
    }
    let file: StateFile = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    let now = read_time(&file.clock.now).ok_or_else(|| bad("clock.now is not a time".into()))?;
    let clock_mode = match file.clock.mode.as_str() {
        "real" => ClockMode::Real,
        "manual" => ClockMode::Manual,
        other => return Err(bad(format!("clock.mode {other:?} is unknown"))),
    };
    Ok(Some(Restored {
        fixtures: FixturesFile {
            projects: file.projects,
        },
        now,
        clock_mode,
        offset: TimeDelta::milliseconds(file.clock.offset_ms),
        lifecycle: file.lifecycle.lifecycle().map_err(bad)?,
    }))
}

/// The emulator's whole state as a state file.
pub fn capture(emulator: &Emulator) -> StateFile {
    let now = emulator.clock.now();
    let mode = emulator.clock.mode();
    StateFile {
        format: FORMAT.to_owned(),
        version: VERSION,
        clock: SavedClock {
            mode: mode.as_str().to_owned(),
            now: write_time(now),
            offset_ms: emulator.clock.offset().num_milliseconds(),
        },
        lifecycle: emulator.store.lifecycle().into(),
        projects: emulator.store.snapshot(None).projects,
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename, fsync of
/// the folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = temporary_path(path);
    let mut file = File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(folder)?.sync_all()?;
    }
    Ok(())
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Writes the state now unless nothing changed since `last` was written; returns whether it
/// wrote. A real clock's reading moves on its own and is no change; its offset is.
pub fn save_if_changed(
    emulator: &Emulator,
    path: &Path,
    last: &mut Vec<u8>,
) -> std::io::Result<bool> {
    let mut state = capture(emulator);
    let now = std::mem::take(&mut state.clock.now);
    let manual_now = (emulator.clock.mode() == ClockMode::Manual).then_some(&now);
    let unchanged_part = serde_json::to_vec(&(&state, manual_now))?;
    if unchanged_part == *last {
        return Ok(false);
    }
    state.clock.now = now;
    write_atomically(path, &serde_json::to_vec_pretty(&state)?)?;
    *last = unchanged_part;
    Ok(true)
}

/// Writes the state at most [`BATCH`] after each change signalled on `emulator.persist`, until
/// aborted.
pub fn spawn_writer(emulator: Arc<Emulator>, path: PathBuf) -> tokio::task::JoinHandle<()> {
    emulator
        .persisting
        .store(true, std::sync::atomic::Ordering::Relaxed);
    tokio::spawn(async move {
        let mut last = Vec::new();
        loop {
            let emulator_for_write = emulator.clone();
            let path_for_write = path.clone();
            let mut previous = std::mem::take(&mut last);
            let result = tokio::task::spawn_blocking(move || {
                let outcome = save_if_changed(&emulator_for_write, &path_for_write, &mut previous);
                (outcome, previous)
            })
            .await;
            if let Ok((outcome, previous)) = result {
                if let Err(e) = outcome {
                    eprintln!(
                        "taurusdb-emulator: cannot write state file {}: {e}",
                        path.display()
                    );
                }
                last = previous;
            }
            emulator.persist.notified().await;
            tokio::time::sleep(BATCH / 2).await;
        }
    })
}
