//! Opt-in persistence (`--state-file`): the whole state — projects with their backups (building
//! ones with their deadlines), jobs and credentials, the clock and the lifecycle — in one JSON
//! file, written atomically (temporary file, fsync, rename) at most 100 ms after a change.
//!
//! A file that cannot be read, is not JSON of this format, or has another version stops the
//! start with a message, and is never overwritten.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::ClockMode;
use crate::domain::LifecycleMode;
use crate::domain::time::{read_time, write_time};
use crate::emulator::Emulator;
use crate::fixtures::file::{CatalogFile, FixturesFile, ProjectFile};
use crate::store::{Lifecycle, Snapshot};

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
    /// The catalogue's lists that are not the built-in ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<CatalogFile>,
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
        let (mode, reads) = l.mode.parts();
        Self {
            mode: mode.to_owned(),
            reads: reads.unwrap_or(0),
            backup_duration_ms: l.backup_duration.num_milliseconds(),
            automated_backups: l.automated_backups,
        }
    }
}

impl SavedLifecycle {
    fn lifecycle(&self) -> Result<Lifecycle, String> {
        // The file holds a count for every mode (0 but for `reads`).
        let reads = (self.mode == LifecycleMode::READS).then_some(self.reads);
        let mode =
            LifecycleMode::from_parts(&self.mode, reads).map_err(|e| format!("lifecycle: {e}"))?;
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
    let clock_mode = ClockMode::from_name(&file.clock.mode)
        .ok_or_else(|| bad(format!("clock.mode {:?} is unknown", file.clock.mode)))?;
    Ok(Some(Restored {
        fixtures: FixturesFile {
            catalog: file.catalog,
            projects: file.projects,
        },
        now,
        clock_mode,
        offset: TimeDelta::milliseconds(file.clock.offset_ms),
        lifecycle: file.lifecycle.lifecycle().map_err(bad)?,
    }))
}

/// The emulator's whole state, as a state file is written: its projects page by page (see
/// [`Snapshot`]), so that saving a store of any size costs a page of memory.
#[derive(Serialize)]
pub struct Capture {
    format: &'static str,
    version: u32,
    clock: SavedClock,
    lifecycle: SavedLifecycle,
    #[serde(skip_serializing_if = "Option::is_none")]
    catalog: Option<CatalogFile>,
    projects: SnapshotProjects,
}

/// The `projects` of a [`Capture`].
struct SnapshotProjects(Snapshot);

impl Serialize for SnapshotProjects {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.project_items().serialize(serializer)
    }
}

/// The emulator's whole state, to be written as a state file.
pub fn capture(emulator: &Emulator) -> Capture {
    let now = emulator.clock.now();
    let mode = emulator.clock.mode();
    Capture {
        format: FORMAT,
        version: VERSION,
        clock: SavedClock {
            mode: mode.as_str().to_owned(),
            now: write_time(now),
            offset_ms: emulator.clock.offset().num_milliseconds(),
        },
        lifecycle: emulator.store.lifecycle().into(),
        catalog: CatalogFile::from_catalog(&emulator.store.catalog()),
        projects: SnapshotProjects(Snapshot::new(emulator.store.clone(), None)),
    }
}

/// The state file of a running emulator: its path, and the lock on `PATH.lock` that keeps a
/// second emulator off it for as long as this value lives.
pub struct Persistence {
    path: PathBuf,
    _lock: File,
}

impl Persistence {
    /// Takes `path` for this emulator: its folder must take a new file (checked by writing
    /// one), and no other emulator may hold it. Refused with the reason otherwise.
    pub fn open(path: &Path) -> Result<Self, String> {
        let lock_path = sibling(path, ".lock");
        let lock = private_file(&lock_path, false).map_err(|e| {
            format!(
                "cannot use state file {}: cannot create {} ({e})",
                path.display(),
                lock_path.display()
            )
        })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "state file {} is in use by another emulator (it holds {})",
                    path.display(),
                    lock_path.display()
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(format!("cannot lock {}: {e}", lock_path.display()));
            }
        }
        write_atomically(path, None).map_err(|e| {
            format!(
                "cannot write state file {}: {e}; give a path in a writable folder",
                path.display()
            )
        })?;
        Ok(Self {
            path: path.to_owned(),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Opens a file only its owner may read: the state holds secret keys and passwords.
fn private_file(path: &Path, truncate: bool) -> std::io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Writes the state to `path` atomically: a temporary file of a name no other writer uses,
/// beside it, mode 0600, fsync, rename, fsync of the folder. With `state` `None`, only checks
/// that this works, leaving `path` as it is. A failed write leaves no temporary file.
pub fn write_atomically(path: &Path, state: Option<&Capture>) -> std::io::Result<()> {
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = sibling(path, &format!(".{}.{n}.tmp", std::process::id()));
    let written = (|| {
        let file = private_file(&temporary, true)?;
        let mut writer = std::io::BufWriter::new(file);
        if let Some(state) = state {
            serde_json::to_writer_pretty(&mut writer, state)?;
        }
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        if state.is_none() {
            return fs::remove_file(&temporary);
        }
        fs::rename(&temporary, path)?;
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            File::open(folder)?.sync_all()?;
        }
        Ok(())
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// Writes the state now unless nothing changed since the store's generation `last` was
/// written; returns whether it wrote. Telling a change costs one counter read: the store
/// counts every change (and the clock's advances, which go through it).
pub fn save_if_changed(
    emulator: &Emulator,
    path: &Path,
    last: &mut Option<u64>,
) -> std::io::Result<bool> {
    let generation = emulator.store.generation();
    if *last == Some(generation) {
        return Ok(false);
    }
    write_atomically(path, Some(&capture(emulator)))?;
    *last = Some(generation);
    Ok(true)
}

/// Saves once, recording the outcome where `/_emulator/health` reports it.
pub fn save_and_report(emulator: &Emulator, path: &Path, last: &mut Option<u64>) -> bool {
    match save_if_changed(emulator, path, last) {
        Ok(_) => {
            *emulator.save_failure.lock() = None;
            true
        }
        Err(e) => {
            let problem = format!("cannot write state file {}: {e}", path.display());
            tracing::error!("{problem}");
            *emulator.save_failure.lock() = Some(problem);
            false
        }
    }
}

/// Writes the state at most [`BATCH`] after each change signalled on `emulator.persist`, until
/// aborted.
pub fn spawn_writer(emulator: Arc<Emulator>, path: PathBuf) -> tokio::task::JoinHandle<()> {
    emulator
        .persisting
        .store(true, std::sync::atomic::Ordering::Relaxed);
    tokio::spawn(async move {
        let mut last = None;
        loop {
            if emulator.store.generation() != last.unwrap_or(u64::MAX) {
                let emulator_for_write = emulator.clone();
                let path_for_write = path.clone();
                let mut previous = last;
                if let Ok(previous) = tokio::task::spawn_blocking(move || {
                    save_and_report(&emulator_for_write, &path_for_write, &mut previous);
                    previous
                })
                .await
                {
                    last = previous;
                }
            }
            emulator.persist.notified().await;
            tokio::time::sleep(BATCH / 2).await;
        }
    })
}
