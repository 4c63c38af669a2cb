//! Backups: their validated name and description, their status and type, and the record the
//! store keeps for each.

use chrono::{DateTime, TimeDelta, Utc};

use super::ids::{BackupId, InstanceId, JobId};
use crate::error::ApiError;

/// The bytes a backup name is made of (ASCII letters, digits, `-`, `_`), as a table by byte.
const NAME_BYTE: [bool; 256] = super::byte_set(true, b"-_");

/// A backup name: 4 to 64 characters, starting with a letter, made only of ASCII letters,
/// digits, `-` and `_` (the create page's rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupName(Box<str>);

impl BackupName {
    /// Enforces the name rule; a breach is `DBS.280277`. A `String` is kept without a copy.
    pub fn parse(name: impl AsRef<str> + Into<Box<str>>) -> Result<Self, ApiError> {
        Self::check(name.as_ref())?;
        Ok(Self(name.into()))
    }

    /// Whether `s` keeps the name rule (`DBS.280277` if not), without keeping it.
    pub fn check(s: &str) -> Result<(), ApiError> {
        let mut bytes = s.bytes();
        let starts_with_letter = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
        let ok = starts_with_letter
            && (4..=64).contains(&s.len())
            && bytes.all(|b| NAME_BYTE[usize::from(b)]);
        if ok {
            Ok(())
        } else {
            Err(ApiError::InvalidBackupName)
        }
    }

    /// A name the emulator made itself (automated backups, fixtures), taken as is.
    pub fn trusted(s: &str) -> Self {
        Self(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The characters the create page forbids in a description, plus the carriage return and line
/// feed that the user guide also forbids, as a table by byte. All ASCII: in UTF-8 their bytes
/// are never part of another character, so a text is searched byte by byte.
const FORBIDDEN_IN_DESCRIPTION: [bool; 256] = super::byte_set(false, b"><!\"&'=\r\n");

/// A backup description: at most 256 characters, none of `>!<"&'=`, no line breaks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupDescription(Box<str>);

impl BackupDescription {
    /// Enforces the description rule; a breach is `DBS.280127`. A `String` is kept without
    /// a copy.
    pub fn parse(description: impl AsRef<str> + Into<Box<str>>) -> Result<Self, ApiError> {
        Self::check(description.as_ref())?;
        Ok(Self(description.into()))
    }

    /// Whether `s` keeps the description rule (`DBS.280127` if not), without keeping it.
    pub fn check(s: &str) -> Result<(), ApiError> {
        // At most 256 bytes are at most 256 characters: only a longer text is counted.
        let short = s.len() <= 256 || s.chars().count() <= 256;
        if short && !s.bytes().any(|b| FORBIDDEN_IN_DESCRIPTION[usize::from(b)]) {
            Ok(())
        } else {
            Err(ApiError::InvalidBackupDescription)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A backup's status. `AVAILABLE` is documented but never reached by default, since
/// Terraform waits for `COMPLETED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupStatus {
    Building,
    Completed,
    Failed,
    Available,
}

impl BackupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupStatus::Building => "BUILDING",
            BackupStatus::Completed => "COMPLETED",
            BackupStatus::Failed => "FAILED",
            BackupStatus::Available => "AVAILABLE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Building,
            Self::Completed,
            Self::Failed,
            Self::Available,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }
}

/// Whether a backup was made on request or by the automated policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupType {
    Manual,
    Auto,
}

impl BackupType {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupType::Manual => "manual",
            BackupType::Auto => "auto",
        }
    }

    /// Reads the `backup_type` filter: `auto` or `manual`, nothing else.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "manual" => Some(Self::Manual),
            "auto" => Some(Self::Auto),
            _ => None,
        }
    }
}

/// A backup's name and description in one allocation: a million stored backups would
/// otherwise pay for two small allocations each (48 bytes more a backup). The name's length
/// leads the text as one character (U+0000 to U+00FF), so the whole is one boxed `str` of 16
/// bytes: a length field beside it would pad the stored backup by 8 bytes, past an allocator
/// size class (16 bytes more a backup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupText {
    /// The name's length as a character, the name, then the description.
    text: Box<str>,
}

impl BackupText {
    pub fn new(name: BackupName, description: BackupDescription) -> Self {
        Self::join(name.as_str(), description.as_str())
    }

    /// The text of a name and a description already checked.
    fn join(name: &str, description: &str) -> Self {
        // Names are checked to 64 bytes, automated ones are about 40: a longer one (from
        // fixtures) is cut at a character boundary rather than refused.
        let mut name_len = name.len().min(usize::from(u8::MAX));
        while !name.is_char_boundary(name_len) {
            name_len -= 1;
        }
        let length = char::from(name_len as u8);
        let mut text = String::with_capacity(length.len_utf8() + name_len + description.len());
        text.push(length);
        text.push_str(&name[..name_len]);
        text.push_str(description);
        Self {
            text: text.into_boxed_str(),
        }
    }

    /// Where the name starts and ends in the text.
    fn name_range(&self) -> std::ops::Range<usize> {
        let length = self.text.chars().next().unwrap_or_default();
        let start = length.len_utf8();
        start..start + length as usize
    }

    pub fn name(&self) -> &str {
        &self.text[self.name_range()]
    }

    pub fn description(&self) -> &str {
        &self.text[self.name_range().end..]
    }
}

/// One backup as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    pub id: BackupId,
    pub instance_id: InstanceId,
    /// The name and the description ([`Backup::name`], [`Backup::description`]).
    pub text: BackupText,
    pub backup_type: BackupType,
    pub status: BackupStatus,
    pub begin_time: DateTime<Utc>,
    /// Set when the backup finishes, successfully or not.
    pub end_time: Option<DateTime<Utc>>,
    /// Size in MB; 0 until the backup completes.
    /// (A `u32`, up to 4 PB: with it the stored backup is 8 bytes smaller.)
    pub size_mb: u32,
    /// The job that tracks a backup made through the API; fixtures may seed backups without.
    pub job_id: Option<JobId>,
}

impl Backup {
    pub fn name(&self) -> &str {
        self.text.name()
    }

    pub fn description(&self) -> &str {
        self.text.description()
    }

    /// A backup that starts `BUILDING` at `begin_time`: the one way a backup begins, whether
    /// a client asked for it, a policy window started it, or fixtures seed it.
    pub fn building(
        id: BackupId,
        instance_id: InstanceId,
        text: BackupText,
        backup_type: BackupType,
        begin_time: DateTime<Utc>,
        job_id: Option<JobId>,
    ) -> Self {
        Self {
            id,
            instance_id,
            text,
            backup_type,
            status: BackupStatus::Building,
            begin_time,
            end_time: None,
            size_mb: 0,
            job_id,
        }
    }

    /// Whether a client may delete it: not an automated backup, and not while it builds
    /// (`DBS.200022` otherwise).
    pub fn check_deletable(&self) -> Result<(), ApiError> {
        if self.backup_type == BackupType::Auto || self.status == BackupStatus::Building {
            return Err(ApiError::BackupStatusForbids);
        }
        Ok(())
    }

    /// Whether a batch delete may remove it: an automated backup is refused for its type
    /// (`DBS.201204`), a building one for its status (`DBS.201208`).
    pub fn check_batch_deletable(&self) -> Result<(), ApiError> {
        if self.backup_type == BackupType::Auto {
            return Err(ApiError::BackupTypeForbids);
        }
        self.check_deletable()
    }

    /// Whole minutes from start to end, rounded up, as `take_up_time` reports; 0 while building.
    pub fn take_up_minutes(&self) -> i64 {
        match self.end_time {
            Some(end) => {
                let secs = (end - self.begin_time).max(TimeDelta::zero()).num_seconds();
                (secs + 59) / 60
            }
            None => 0,
        }
    }

    /// When it expires: a finished automated backup, while automated backups run, its
    /// instance's `retention` after it began (asked only then); any other backup never.
    pub fn expiry(
        &self,
        automated_backups: bool,
        retention: impl FnOnce() -> Option<TimeDelta>,
    ) -> Option<DateTime<Utc>> {
        if self.backup_type != BackupType::Auto
            || self.status == BackupStatus::Building
            || !automated_backups
        {
            return None;
        }
        Some(self.begin_time + retention()?)
    }

    /// Finishes a building backup at `at`: `COMPLETED` with a size, or `FAILED` without one.
    pub fn finish(&mut self, at: DateTime<Utc>, succeeded: bool) {
        self.end_time = Some(at);
        if succeeded {
            self.status = BackupStatus::Completed;
            self.size_mb = simulated_size_mb(&self.id);
        } else {
            self.status = BackupStatus::Failed;
        }
    }
}

/// A plausible, stable size for a finished backup, between 1 000 and 3 999 MB, derived from its
/// id so that the same backup always reports the same size.
fn simulated_size_mb(id: &BackupId) -> u32 {
    let hash = id.as_str().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    1000 + (hash % 3000) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_description_share_one_allocation_and_read_back_apart() {
        let text = BackupText::new(
            BackupName::parse("nightly-1").unwrap(),
            BackupDescription::parse("vor dem Update: ä").unwrap(),
        );
        assert_eq!(
            (text.name(), text.description()),
            ("nightly-1", "vor dem Update: ä")
        );
        let empty = BackupText::new(BackupName::trusted("auto"), BackupDescription::default());
        assert_eq!((empty.name(), empty.description()), ("auto", ""));
        let long = "ä".repeat(200);
        let cut = BackupText::new(
            BackupName::trusted(&long),
            BackupDescription::parse("d").unwrap(),
        );
        assert_eq!(cut.name(), "ä".repeat(127), "cut at a character boundary");
        assert_eq!(cut.description(), "d");
        let longest = "x".repeat(255);
        let full = BackupText::new(
            BackupName::trusted(&longest),
            BackupDescription::parse("ä").unwrap(),
        );
        assert_eq!((full.name(), full.description()), (longest.as_str(), "ä"));
        assert_eq!(
            size_of::<BackupText>(),
            16,
            "one boxed str, no length beside it"
        );
    }

    #[test]
    fn name_of_4_to_64_letters_digits_hyphens_underscores_is_accepted() {
        for ok in [
            "back",
            "backup-1",
            "Backup_2026-01",
            &format!("b{}", "x".repeat(63)),
        ] {
            assert!(BackupName::parse(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn name_shorter_than_4_or_longer_than_64_is_refused() {
        for bad in ["", "b", "bac", &format!("b{}", "x".repeat(64))] {
            assert_eq!(
                BackupName::parse(bad),
                Err(ApiError::InvalidBackupName),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn name_must_start_with_a_letter() {
        for bad in ["1backup", "-backup", "_backup"] {
            assert_eq!(
                BackupName::parse(bad),
                Err(ApiError::InvalidBackupName),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn name_with_other_characters_is_refused() {
        for bad in [
            "back up",
            "backup.1",
            "backup/1",
            "bäckup-1",
            "backup-1\n",
            "備份備份",
        ] {
            assert_eq!(
                BackupName::parse(bad),
                Err(ApiError::InvalidBackupName),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn description_up_to_256_characters_is_accepted() {
        for ok in [
            "",
            "Manual backup",
            &"é".repeat(256),
            "nightly (before upgrade): v1.2, ok?",
        ] {
            assert!(BackupDescription::parse(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn description_over_256_characters_is_refused() {
        for long in ["d".repeat(257), "é".repeat(257)] {
            assert_eq!(
                BackupDescription::parse(long),
                Err(ApiError::InvalidBackupDescription)
            );
        }
    }

    #[test]
    fn description_with_a_forbidden_character_is_refused() {
        for c in ['>', '!', '<', '"', '&', '\'', '=', '\r', '\n'] {
            let s = format!("before {c} after");
            assert_eq!(
                BackupDescription::parse(s.as_str()),
                Err(ApiError::InvalidBackupDescription),
                "{s:?}"
            );
        }
    }

    #[test]
    fn take_up_time_rounds_up_to_whole_minutes() {
        let begin = DateTime::UNIX_EPOCH;
        let mut backup = Backup {
            id: BackupId::from_raw("b1182ccdda034f2b9535f3dca5c47e71br07"),
            instance_id: InstanceId::parse("07033b125fd94a8a96896f8bcfee6ddain07").unwrap(),
            text: BackupText::new(
                BackupName::trusted("backup-1"),
                BackupDescription::default(),
            ),
            backup_type: BackupType::Manual,
            status: BackupStatus::Building,
            begin_time: begin,
            end_time: None,
            size_mb: 0,
            job_id: None,
        };
        assert_eq!(backup.take_up_minutes(), 0);
        backup.finish(begin + TimeDelta::seconds(5), true);
        assert_eq!(backup.take_up_minutes(), 1);
        assert_eq!(backup.status, BackupStatus::Completed);
        assert!((1000..4000).contains(&backup.size_mb));
        backup.end_time = Some(begin + TimeDelta::seconds(120));
        assert_eq!(backup.take_up_minutes(), 2);
    }

    #[test]
    fn statuses_and_types_read_back_their_wire_names() {
        for s in ["BUILDING", "COMPLETED", "FAILED", "AVAILABLE"] {
            assert_eq!(BackupStatus::parse(s).map(BackupStatus::as_str), Some(s));
        }
        assert_eq!(BackupType::parse("auto"), Some(BackupType::Auto));
        assert_eq!(BackupType::parse("manual"), Some(BackupType::Manual));
        assert_eq!(BackupType::parse("Manual"), None);
    }

    fn a_backup(backup_type: BackupType) -> Backup {
        Backup::building(
            BackupId::from_raw("b"),
            InstanceId::parse("0123456789abcdef0123456789abcdefin07").unwrap(),
            BackupText::new(
                BackupName::parse("backup-1").unwrap(),
                BackupDescription::default(),
            ),
            backup_type,
            DateTime::UNIX_EPOCH,
            None,
        )
    }

    #[test]
    fn a_new_backup_is_building_with_no_end_and_no_size() {
        let b = a_backup(BackupType::Manual);
        assert_eq!(
            (b.status, b.end_time, b.size_mb),
            (BackupStatus::Building, None, 0)
        );
    }

    #[test]
    fn only_a_finished_manual_backup_may_be_deleted() {
        let mut manual = a_backup(BackupType::Manual);
        assert_eq!(manual.check_deletable(), Err(ApiError::BackupStatusForbids));
        manual.finish(DateTime::UNIX_EPOCH + TimeDelta::minutes(1), true);
        assert_eq!(manual.check_deletable(), Ok(()));
        let mut auto = a_backup(BackupType::Auto);
        auto.finish(DateTime::UNIX_EPOCH + TimeDelta::minutes(1), true);
        assert_eq!(auto.check_deletable(), Err(ApiError::BackupStatusForbids));
    }

    #[test]
    fn an_empty_instance_id_is_a_missing_parameter() {
        assert_eq!(
            NewBackup::parse("", "backup-1", "").unwrap_err(),
            ApiError::Parameter
        );
    }
}

/// A validated request to create a manual backup.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBackup<'a> {
    /// An instance id of the right shape (see [`InstanceId::parse`]), to look the instance
    /// up by; the backup takes the stored instance's id.
    pub instance_id: &'a str,
    /// The checked name and description, as the backup keeps them.
    pub text: BackupText,
}

impl<'a> NewBackup<'a> {
    /// Applies the create page's rules in the order the emulator checks them: instance id
    /// given, its shape, then name, then description. The texts are read where they are
    /// (the request body) and copied once, into the backup's text.
    pub fn parse(instance_id: &'a str, name: &str, description: &str) -> Result<Self, ApiError> {
        // An empty instance id is a missing parameter, not an unknown instance.
        if instance_id.is_empty() {
            return Err(ApiError::Parameter);
        }
        InstanceId::check(instance_id)?;
        BackupName::check(name)?;
        BackupDescription::check(description)?;
        Ok(Self {
            instance_id,
            text: BackupText::join(name, description),
        })
    }
}
