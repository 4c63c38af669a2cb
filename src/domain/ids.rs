//! Identifiers and their documented shapes.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::ApiError;
use crate::journal::RequestId;

/// The longest id or short text a request may give for the state to keep: flavor, zone, time
/// zone, engine version, KMS key, cross-region destination.
pub const MAX_FIELD: usize = 64;

/// A project (tenant) id. The documentation's examples are 32 lowercase hex digits; fixtures
/// must use that shape, while paths are matched as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(Arc<str>);

impl ProjectId {
    /// Accepts exactly 32 lowercase hexadecimal digits, the shape of every documented example.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(s.into()))
        } else {
            Err(format!(
                "project id {s:?} is not 32 lowercase hexadecimal digits"
            ))
        }
    }

    /// A project id taken from a request path, unchecked: an unknown project simply has
    /// nothing in it.
    pub fn from_path(s: &str) -> Self {
        Self(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The bytes an instance id is made of (ASCII letters, digits, `-`), as a table by byte.
const INSTANCE_ID_BYTE: [bool; 256] = super::byte_set(true, b"-");

/// A DB instance id. Real ids are 32 hex digits followed by `in07`; the documentation also
/// calls them "UUID format", so any 1 to 64 ASCII letters, digits and hyphens are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId(Arc<str>);

impl InstanceId {
    /// Enforces the instance id shape; anything else is `DBS.280404`.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        Self::check(s)?;
        Ok(Self(s.into()))
    }

    /// Whether `s` has the instance id shape (`DBS.280404` if not), without keeping it.
    pub fn check(s: &str) -> Result<(), ApiError> {
        let ok = (1..=64).contains(&s.len()) && s.bytes().all(|b| INSTANCE_ID_BYTE[usize::from(b)]);
        if ok {
            Ok(())
        } else {
            Err(ApiError::InvalidInstanceId)
        }
    }

    /// A fresh id in the real service's shape (`<32 hex>in07`, the digits a UUID v4's).
    pub fn generate(ids: &mut IdSource) -> Self {
        let mut id = [0u8; 36];
        id[..32].copy_from_slice(&hex32(uuid_v4(ids.next_u128()).as_u128()));
        id[32..].copy_from_slice(b"in07");
        Self(Arc::from(ascii_str(&id)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for InstanceId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A fresh id of 32 hex digits (a UUID v4's) and `suffix`: the shape of proxy (`po01`) and
/// proxy node (`pn01`) ids.
pub fn hex_id(ids: &mut IdSource, suffix: &str) -> String {
    let mut id = String::with_capacity(32 + suffix.len());
    id.push_str(ascii_str(&hex32(uuid_v4(ids.next_u128()).as_u128())));
    id.push_str(suffix);
    id
}

/// A node id: 32 hex digits and `no07`, like `799a0f2fa49a4151bf9f7063c1fbba36no07`; paths
/// are checked for the shape an instance id has (`DBS.280404` otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(Arc<str>);

impl NodeId {
    /// A node id from a path or a fixture: 1 to 64 letters, digits and hyphens
    /// (`DBS.280404` otherwise).
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        InstanceId::check(s)?;
        Ok(Self(s.into()))
    }

    /// A fresh id in the real service's shape (`<32 hex>no07`, the digits a UUID v4's).
    pub fn generate(ids: &mut IdSource) -> Self {
        let mut id = [0u8; 36];
        id[..32].copy_from_slice(&hex32(uuid_v4(ids.next_u128()).as_u128()));
        id[32..].copy_from_slice(b"no07");
        Self(Arc::from(ascii_str(&id)))
    }

    /// `<32 hex digits>no07` of these digits (a UUID's, dashes left out).
    pub fn from_uuid(uuid: &str) -> Self {
        Self(format!("{}no07", uuid.replace('-', "")).into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A backup id: 32 hex digits and a suffix, like `b1182ccdda034f2b9535f3dca5c47e71br07`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BackupId(Arc<str>);

impl BackupId {
    /// A fresh id in the real service's shape: `<32 hex>br07`, the digits a UUID v4's, as in
    /// every id the documentation shows (`b1182ccdda034f2b9535f3dca5c47e71br07`).
    pub fn generate(ids: &mut IdSource) -> Self {
        Self::generate_with_job(ids).0
    }

    /// A fresh id, as [`BackupId::generate`] makes it, and the job id derived from it (see
    /// [`JobId::is_derived_from`]).
    pub fn generate_with_job(ids: &mut IdSource) -> (Self, JobId) {
        let bits = uuid_v4(ids.next_u128()).as_u128();
        let id = Self(Arc::from(ascii_str(&backup_id_text(bits))));
        (id, JobId(uuid::Uuid::from_u128(bits ^ JOB_OF_BACKUP)))
    }

    /// An id as given by a client or a fixture; lookups simply miss when it does not exist.
    pub fn from_raw(s: &str) -> Self {
        Self(s.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for BackupId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BackupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A job id: a dashed UUID v4, like `e0fbbfc8-1ac4-4721-b9e9-7dd685c5bdd7`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(uuid::Uuid);

impl JobId {
    pub fn generate(ids: &mut IdSource) -> Self {
        Self(uuid_v4(ids.next_u128()))
    }

    /// Reads a job id from a query; `None` when it is not a UUID (and so names no job).
    pub fn parse(s: &str) -> Option<Self> {
        uuid::Uuid::try_parse(s).ok().map(Self)
    }

    /// The id of the backup this job would be derived from, as text (on the stack): a
    /// backup the emulator made has the job of its digits mixed with a fixed constant, so that
    /// the job is found through the backup and no table of jobs need hold it. Whether that
    /// backup exists, with this job, is for its project to say.
    pub fn derived_backup(&self) -> Option<[u8; 36]> {
        let bits = self.0.as_u128() ^ JOB_OF_BACKUP;
        is_uuid_v4(bits).then(|| backup_id_text(bits))
    }

    /// Whether this is the job id derived from `backup`'s id (never for an id of another
    /// shape than the emulator's, a fixture's say).
    pub fn is_derived_from(&self, backup: &BackupId) -> bool {
        self.derived_backup()
            .is_some_and(|id| backup.as_str().as_bytes() == id)
    }
}

/// What a backup's job id differs from the backup id's digits by (an arbitrary constant): zero
/// in the version and variant bits, so that the job id of a UUID v4 is one too, and mixing
/// twice gives the backup's digits back.
const JOB_OF_BACKUP: u128 = 0x5d0c_61f3_a7e2_0b94_3a86_f2d1_4c97_e05b & !UUID_V4_FIXED;

/// The bits a UUID v4 fixes: its version (the 13th digit, `4`) and variant (the top two bits
/// of the 17th).
const UUID_V4_FIXED: u128 = 0x0000_0000_0000_f000_c000_0000_0000_0000;

fn is_uuid_v4(bits: u128) -> bool {
    bits & UUID_V4_FIXED == 0x0000_0000_0000_4000_8000_0000_0000_0000
}

/// `<32 hex>br07` of these digits.
fn backup_id_text(bits: u128) -> [u8; 36] {
    let mut id = [0u8; 36];
    id[..32].copy_from_slice(&hex32(bits));
    id[32..].copy_from_slice(b"br07");
    id
}

/// Written as its dashed text without building a string.
impl JobId {
    /// `f` of the id's text, written on the stack (no string is built).
    pub fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let mut buffer = uuid::Uuid::encode_buffer();
        f(self.0.hyphenated().encode_lower(&mut buffer))
    }
}

impl serde::Serialize for JobId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with_text(|text| serializer.serialize_str(text))
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

/// A 64-bit FNV-1a hash of `seed` and `salt`: stable across runs and platforms.
pub fn stable_hash(seed: &str, salt: u8) -> u64 {
    seed.bytes()
        .chain(std::iter::once(salt))
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// A UUID-shaped id derived from `seed` and `salt`, the same every time.
pub fn derived_uuid(seed: &str, salt: u8) -> String {
    let hi = u128::from(stable_hash(seed, salt));
    let lo = u128::from(stable_hash(seed, salt.wrapping_add(128)));
    uuid::Builder::from_u128((hi << 64) | lo)
        .with_version(uuid::Version::Random)
        .with_variant(uuid::Variant::RFC4122)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Where new ids come from: a SplitMix64 sequence from a seed — given (`--seed`), so that two
/// runs with the same requests hand out the same ids, or drawn from the operating system once
/// ([`random_seed`]), rather than once per id.
#[derive(Debug, Clone)]
pub struct IdSource {
    state: u64,
    /// Whether the seed was given: such a source hands out the same ids on every start, so
    /// they may be ids a state file or a loaded snapshot already holds. One drawn from the
    /// operating system starts elsewhere each time (its ids repeat held ones only by chance,
    /// one in 2^122).
    given: bool,
}

impl IdSource {
    /// A source from a seed of its own drawing (see [`IdSource::given`]).
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed,
            given: false,
        }
    }

    /// A source from a seed the user gave (`--seed`), which repeats itself from start to start.
    pub fn given(seed: u64) -> Self {
        Self {
            state: seed,
            given: true,
        }
    }

    /// Whether its ids may repeat ones handed out by an earlier start.
    pub fn repeats(&self) -> bool {
        self.given
    }

    /// 128 fresh bits.
    pub fn next_u128(&mut self) -> u128 {
        let hi = splitmix64(&mut self.state);
        let lo = splitmix64(&mut self.state);
        (u128::from(hi) << 64) | u128::from(lo)
    }

    /// A request id: 32 lowercase hex digits.
    pub fn request_id(&mut self) -> RequestId {
        RequestId::from_hex(hex32(self.next_u128()))
    }
}

/// Request ids from a SplitMix64 sequence as [`IdSource`] makes them, shared by every worker
/// without a lock: SplitMix64's state only ever grows by its constant, so a request claims its
/// two steps with one atomic add. Requests taken one after another get the ids an
/// [`IdSource`] of the same seed would give.
#[derive(Debug)]
pub struct RequestIds(AtomicU64);

impl RequestIds {
    pub fn new(seed: u64) -> Self {
        Self(AtomicU64::new(seed))
    }

    pub fn next(&self) -> RequestId {
        let state = self
            .0
            .fetch_add(SPLITMIX64_STEP.wrapping_mul(2), Ordering::Relaxed);
        IdSource::new(state).request_id()
    }
}

/// A seed from the operating system's random source — the getrandom(2) system call, else
/// `/dev/urandom` (as the standard library's hash maps do) — or why there is none, so that a
/// process without randomness stops at start with a clear message instead of failing at its
/// first id (or its first hash map).
pub fn random_seed() -> Result<u64, String> {
    getrandom::u64().or_else(|call| {
        let mut bytes = [0u8; 8];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut bytes))
            .map(|()| u64::from_ne_bytes(bytes))
            .map_err(|file| {
                format!(
                    "cannot draw random numbers from the operating system (getrandom: {call}; \
                     /dev/urandom: {file}); the emulator needs one of them"
                )
            })
    })
}

/// `bits` as 32 lowercase hex digits, without the formatting machinery (ids are made on every
/// request).
fn hex32(bits: u128) -> [u8; 32] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    // A byte at a time: shifting a `u128` by a varying amount costs several instructions.
    for (pair, byte) in out.chunks_exact_mut(2).zip(bits.to_be_bytes()) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
    out
}

/// What each SplitMix64 step adds to its state.
const SPLITMIX64_STEP: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 step: a well-mixed 64-bit sequence from any seed.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(SPLITMIX64_STEP);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476b_d1ce_4e5b);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `bits` shaped as a UUID v4 (version and variant bits set).
fn uuid_v4(bits: u128) -> uuid::Uuid {
    uuid::Builder::from_u128(bits)
        .with_version(uuid::Version::Random)
        .with_variant(uuid::Variant::RFC4122)
        .into_uuid()
}

/// Text of bytes known to be ASCII (hex digits, letters and digits we wrote), without the
/// replacement machinery of `from_utf8_lossy`.
pub(crate) fn ascii(bytes: &[u8]) -> String {
    ascii_str(bytes).to_owned()
}

/// ASCII bytes we wrote ourselves, as text, borrowed.
fn ascii_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_request_ids_follow_the_sequence_of_an_id_source_with_the_same_seed() {
        let (shared, mut own) = (RequestIds::new(42), IdSource::new(42));
        for _ in 0..5 {
            assert_eq!(shared.next(), own.request_id());
        }
    }

    #[test]
    fn project_ids_in_fixtures_are_32_lowercase_hex() {
        assert!(ProjectId::parse("619d3e78f61b4be68bc5aa0b59edcf7b").is_ok());
        assert!(ProjectId::parse("619D3E78F61B4BE68BC5AA0B59EDCF7B").is_err());
        assert!(ProjectId::parse("619d3e78").is_err());
        assert!(ProjectId::parse("").is_err());
    }

    #[test]
    fn instance_ids_take_the_real_shape_and_uuids() {
        assert!(InstanceId::parse("07033b125fd94a8a96896f8bcfee6ddain07").is_ok());
        assert!(InstanceId::parse("2f4ddb93-b901-4b08-93d8-1d2e472f30fe").is_ok());
    }

    #[test]
    fn instance_ids_reject_other_characters_and_lengths() {
        for bad in ["", "bad id", "in07/..", "ïnstance", &"a".repeat(65)] {
            assert_eq!(
                InstanceId::parse(bad),
                Err(ApiError::InvalidInstanceId),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn generated_backup_ids_look_like_real_ones() {
        let ids = &mut IdSource::new(random_seed().unwrap());
        let id = BackupId::generate(ids);
        let s = id.as_str();
        assert_eq!(s.len(), 36);
        assert!(s.ends_with("br07"));
        assert!(
            s[..32]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_ne!(BackupId::generate(ids), id);
    }

    /// As in every backup id the documentation shows: the 13th digit `4`, the 17th one of
    /// `89ab`.
    #[test]
    fn generated_backup_and_instance_ids_have_the_digits_of_a_uuid_v4() {
        let ids = &mut IdSource::new(random_seed().unwrap());
        for _ in 0..1000 {
            let backup = BackupId::generate(ids);
            let instance = InstanceId::generate(ids);
            for id in [backup.as_str(), instance.as_str()] {
                assert_eq!(&id[12..13], "4", "{id}");
                assert!("89ab".contains(&id[16..17]), "{id}");
            }
        }
    }

    #[test]
    fn a_generated_backups_job_leads_back_to_the_backup_and_no_other() {
        let ids = &mut IdSource::new(random_seed().unwrap());
        let mut jobs = std::collections::HashSet::new();
        for _ in 0..1000 {
            let (backup, job) = BackupId::generate_with_job(ids);
            assert!(job.is_derived_from(&backup));
            let back = job.derived_backup().unwrap();
            assert_eq!(std::str::from_utf8(&back).unwrap(), backup.as_str());
            assert!(job.to_string().chars().nth(14) == Some('4'), "{job}");
            // Not the backup's digits with dashes: the two ids show no relation.
            assert_ne!(job.to_string().replace('-', ""), backup.as_str()[..32]);
            assert!(jobs.insert(job));
            // Ids of other shapes (a fixture's) have no derived job, not even this one.
            let digits = &backup.as_str()[..32];
            for other in [
                format!("{digits}br01"),
                format!("{}br07", digits.to_uppercase()),
                format!("{}1{}br07", &digits[..12], &digits[13..]),
                "short".to_owned(),
            ] {
                assert!(!job.is_derived_from(&BackupId::from_raw(&other)), "{other}");
            }
        }
        // Nor does every job id lead to a backup id.
        assert_eq!(
            JobId::parse("e0fbbfc8-1ac4-1721-b9e9-7dd685c5bdd7").and_then(|j| j.derived_backup()),
            None
        );
    }

    #[test]
    fn job_ids_are_dashed_uuid_v4() {
        let id = JobId::generate(&mut IdSource::new(7)).to_string();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(JobId::parse(&id).map(|j| j.to_string()), Some(id));
        assert_eq!(JobId::parse("nope"), None);
    }

    #[test]
    fn seeded_ids_repeat_across_runs_and_differ_between_seeds() {
        let run = |seed| {
            let mut ids = IdSource::new(seed);
            (
                BackupId::generate(&mut ids),
                JobId::generate(&mut ids),
                ids.request_id(),
            )
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
        let (backup, _, request) = run(42);
        assert_ne!(&backup.as_str()[..32], request.as_str());
    }

    #[test]
    fn hex_ids_are_the_formatters_hex() {
        for bits in [
            0u128,
            1,
            u128::MAX,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
        ] {
            assert_eq!(hex32(bits), format!("{bits:032x}").as_bytes());
        }
    }
}
