//! When a building backup finishes, and what happens to backups as time moves: the lifecycle
//! modes, with their one spelling (the command line's `reads:3`, the control API's
//! `{"mode": "reads", "reads": 3}` and the state file all go through here), and the
//! transitions the store reports.

use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::ids::{BackupId, JobId, ProjectId};

/// When a building backup finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleMode {
    /// After the backup duration.
    Time,
    /// On the first read of it or its job.
    Instant,
    /// After this many reads of it or its job (the next read sees it finished).
    Reads(u32),
    /// After the backup duration, but only through a clock advance (or a command).
    Manual,
}

impl LifecycleMode {
    /// The name of the mode that counts reads.
    pub const READS: &str = "reads";

    /// The mode's name, and its read count (only `reads` has one).
    pub fn parts(self) -> (&'static str, Option<u32>) {
        match self {
            Self::Time => ("time", None),
            Self::Instant => ("instant", None),
            Self::Reads(n) => (Self::READS, Some(n)),
            Self::Manual => ("manual", None),
        }
    }

    /// The mode of this name: `reads` needs its count, the others take none.
    pub fn from_parts(name: &str, reads: Option<u32>) -> Result<Self, String> {
        let mode = match name {
            "time" => Self::Time,
            "instant" => Self::Instant,
            "manual" => Self::Manual,
            Self::READS => Self::Reads(reads.ok_or("mode reads needs \"reads\": N")?),
            other => {
                return Err(format!(
                    "mode {other:?} is not time, instant, reads or manual"
                ));
            }
        };
        if reads.is_some() && !matches!(mode, Self::Reads(_)) {
            return Err("\"reads\" goes only with mode reads".to_owned());
        }
        Ok(mode)
    }
}

/// The command line's spelling: `time`, `instant`, `manual` or `reads:N`.
impl FromStr for LifecycleMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let reads = s.strip_prefix("reads:").map(str::parse::<u32>);
        match reads {
            Some(Ok(n)) => Ok(Self::Reads(n)),
            Some(Err(_)) => Err(format!("{s:?} is not time, instant, manual or reads:N")),
            None if s == Self::READS => {
                Err(format!("{s:?} is not time, instant, manual or reads:N"))
            }
            None => Self::from_parts(s, None)
                .map_err(|_| format!("{s:?} is not time, instant, manual or reads:N")),
        }
    }
}

/// What happened to a backup, or to a restore or an instance's creation (both jobs of their
/// own), as time moved or a command was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionKind {
    /// An automated backup began in its policy window.
    Started,
    Completed,
    Failed,
    /// An automated backup passed its retention and was removed.
    Expired,
}

impl TransitionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransitionKind::Started => "started",
            TransitionKind::Completed => "completed",
            TransitionKind::Failed => "failed",
            TransitionKind::Expired => "expired",
        }
    }
}

/// What a transition happened to.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Backup(BackupId),
    /// A restore or an instance's creation.
    Job(JobId),
}

/// One thing that happened, at the time it took effect.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub project_id: ProjectId,
    pub subject: Subject,
    pub kind: TransitionKind,
    pub at: DateTime<Utc>,
}

impl Transition {
    /// A backup's transition.
    pub fn of_backup(
        project_id: ProjectId,
        id: BackupId,
        kind: TransitionKind,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            project_id,
            subject: Subject::Backup(id),
            kind,
            at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mode_is_read_back_from_its_parts() {
        for mode in [
            LifecycleMode::Time,
            LifecycleMode::Instant,
            LifecycleMode::Reads(3),
            LifecycleMode::Manual,
        ] {
            let (name, reads) = mode.parts();
            assert_eq!(LifecycleMode::from_parts(name, reads), Ok(mode));
        }
    }

    #[test]
    fn reads_needs_a_count_and_no_other_mode_takes_one() {
        assert!(LifecycleMode::from_parts("reads", None).is_err());
        assert!(LifecycleMode::from_parts("time", Some(2)).is_err());
        assert!(LifecycleMode::from_parts("soon", None).is_err());
    }

    #[test]
    fn the_command_line_spells_reads_with_its_count() {
        assert_eq!("reads:3".parse(), Ok(LifecycleMode::Reads(3)));
        assert_eq!("instant".parse(), Ok(LifecycleMode::Instant));
        for wrong in ["reads", "reads:", "reads:x", "never", "reads:-1"] {
            assert!(wrong.parse::<LifecycleMode>().is_err(), "{wrong}");
        }
    }
}
