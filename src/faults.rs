//! Request faults: "make the next N calls (or a share of the calls) of this operation fail this
//! way, before it runs or after it committed". The control API adds them; the HTTP layer asks
//! for the fault due for each request and applies it. Nothing here knows about HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

/// When a fault strikes: before the operation runs (it never happens), or after it committed
/// (it happened, and the client never learns it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Before,
    After,
}

impl Phase {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "before" => Some(Self::Before),
            "after" => Some(Self::After),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Before => "before",
            Self::After => "after",
        }
    }
}

/// What happens to the connection instead of (or while) answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionFault {
    /// Reset (RST): the client gets no answer and a connection error.
    Reset,
    /// Closed (FIN) without an answer.
    Close,
    /// Never answered: the connection stays open, silent, until the client gives up (or the
    /// emulator stops).
    Stall,
    /// The answer's body sent one byte at a time.
    Trickle,
}

impl ConnectionFault {
    pub const NAMES: [&'static str; 4] = ["reset", "close", "stall", "trickle"];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "reset" => Some(Self::Reset),
            "close" => Some(Self::Close),
            "stall" => Some(Self::Stall),
            "trickle" => Some(Self::Trickle),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Whether the client gets an answer at all.
    pub fn answers(self) -> bool {
        self == Self::Trickle
    }
}

/// An error answered instead of the real one, in the API's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedError {
    pub status: u16,
    pub error_code: String,
    pub error_msg: String,
    /// Answered by the API gateway in front of the service: its body also carries
    /// `request_id`.
    pub gateway: bool,
}

/// A named error a real client meets and may retry: its status and the exact body the real
/// service (or the gateway in front of it) sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    pub status: u16,
    pub error_code: &'static str,
    pub error_msg: &'static str,
    pub gateway: bool,
}

const ANOTHER_OPERATION: &str =
    "Another operation is being performed on the DB instance or the DB instance is faulty.";
const STATUS_NOT_ALLOWED: &str = "This operation is not allowed by the DB instance status.";

const fn service(name: &'static str, status: u16, code: &'static str, msg: &'static str) -> Preset {
    Preset {
        name,
        status,
        error_code: code,
        error_msg: msg,
        gateway: false,
    }
}

const fn gateway(name: &'static str, status: u16, code: &'static str, msg: &'static str) -> Preset {
    Preset {
        name,
        status,
        error_code: code,
        error_msg: msg,
        gateway: true,
    }
}

/// The presets: the 409 codes the Terraform providers (mean to) retry, the gateway's
/// throttling and 5xx answers, and the service's own 500.
pub const PRESETS: [Preset; 11] = [
    service("busy", 409, "DBS.200019", ANOTHER_OPERATION),
    service("DBS.200019", 409, "DBS.200019", ANOTHER_OPERATION),
    service("DBS.200047", 409, "DBS.200047", ANOTHER_OPERATION),
    service("DBS.201014", 409, "DBS.201014", STATUS_NOT_ALLOWED),
    service("DBS.201015", 409, "DBS.201015", ANOTHER_OPERATION),
    service("DBS.05000084", 409, "DBS.05000084", ANOTHER_OPERATION),
    service("DBS.212033", 409, "DBS.212033", ANOTHER_OPERATION),
    service("server-error", 500, "DBS.108000", "Server failure."),
    gateway(
        "throttled",
        429,
        "APIGW.0308",
        "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute",
    ),
    gateway(
        "backend-unavailable",
        502,
        "APIGW.0201",
        "Backend unavailable.",
    ),
    gateway("backend-timeout", 504, "APIGW.0201", "Backend timeout."),
];

impl Preset {
    pub fn find(name: &str) -> Option<&'static Self> {
        PRESETS.iter().find(|p| p.name == name)
    }

    pub fn error(&self) -> InjectedError {
        InjectedError {
            status: self.status,
            error_code: self.error_code.to_owned(),
            error_msg: self.error_msg.to_owned(),
            gateway: self.gateway,
        }
    }
}

/// Which requests a fault strikes, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    /// An operation name (see the route table), or `*` for every API operation.
    pub operation: String,
    /// Only requests with this method (upper case), this project in the path, this instance
    /// in the path; `None` matches any.
    pub method: Option<String>,
    pub project: Option<String>,
    pub instance: Option<String>,
    pub phase: Phase,
    /// How many requests it strikes at most; `None`: every one it matches (with a rate).
    pub count: Option<u32>,
    /// The share of matching requests it strikes, drawn from a sequence of the emulator's
    /// seed and the fault's id; `None`: every one.
    pub rate: Option<f64>,
    /// The error to answer; `None` answers normally (or not at all, by `connection`).
    pub error: Option<InjectedError>,
    /// The preset `error` comes from, if any.
    pub preset: Option<&'static str>,
    pub connection: Option<ConnectionFault>,
    /// A pause before the answer (or the fault).
    pub delay: Duration,
    /// The pause between bytes of a trickled answer.
    pub interval: Duration,
}

/// The longest pause a fault may make (a delay, or between trickled bytes).
pub const MAX_PAUSE: Duration = Duration::from_secs(3600);

/// The pause between bytes of a trickled answer when none is given.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(10);

impl FaultSpec {
    /// A fault for the next `count` calls of `operation`, before they run, that does nothing
    /// yet: the fields set after say what it does.
    pub fn new(operation: impl Into<String>) -> Self {
        Self {
            operation: operation.into(),
            method: None,
            project: None,
            instance: None,
            phase: Phase::Before,
            count: Some(1),
            rate: None,
            error: None,
            preset: None,
            connection: None,
            delay: Duration::ZERO,
            interval: DEFAULT_INTERVAL,
        }
    }

    /// Whether the fault does something, and does it in one way.
    pub fn check(&self) -> Result<(), String> {
        if let Some(rate) = self.rate
            && !(rate > 0.0 && rate <= 1.0)
        {
            return Err("rate must be above 0 and at most 1".into());
        }
        if self.delay > MAX_PAUSE || self.interval > MAX_PAUSE {
            return Err("delay and interval must be at most 1h".into());
        }
        if let Some(error) = &self.error
            && !(400..=599).contains(&error.status)
        {
            return Err("status must be from 400 to 599".into());
        }
        match self.connection {
            Some(c) if !c.answers() && self.error.is_some() => Err(format!(
                "a {} connection answers nothing: give no status or preset",
                c.as_str()
            )),
            Some(ConnectionFault::Trickle) if self.phase == Phase::Before && self.error.is_none() => {
                Err("trickle before the operation runs needs an error to answer: give status or preset (or phase after)".into())
            }
            None if self.error.is_none() && self.delay.is_zero() => {
                Err("give status (with error_code, error_msg), preset, connection or delay".into())
            }
            _ => Ok(()),
        }
    }

    fn matches(&self, request: &FaultRequest) -> bool {
        fn same(wanted: Option<&String>, got: Option<&str>) -> bool {
            wanted.is_none_or(|w| Some(w.as_str()) == got)
        }
        (self.operation == request.operation || self.operation == "*")
            && same(self.method.as_ref(), Some(request.method))
            && same(self.project.as_ref(), request.project)
            && same(self.instance.as_ref(), request.instance)
    }
}

/// What a fault is matched against: the request's operation, method and the project and
/// instance its path names.
#[derive(Debug, Clone, Copy)]
pub struct FaultRequest<'a> {
    pub operation: &'a str,
    pub method: &'a str,
    pub project: Option<&'a str>,
    pub instance: Option<&'a str>,
}

/// A fault set, with what it did so far.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFault {
    pub id: u64,
    pub spec: FaultSpec,
    /// Requests it may still strike; `None`: no limit.
    pub remaining: Option<u32>,
    /// Requests it struck.
    pub hits: u32,
    /// Requests it matched (struck, or spared by its rate).
    pub matched: u32,
}

impl RequestFault {
    fn armed(&self) -> bool {
        self.remaining != Some(0)
    }
}

/// The fault that struck a request: what the HTTP layer does with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: u64,
    pub phase: Phase,
    pub error: Option<InjectedError>,
    pub connection: Option<ConnectionFault>,
    pub delay: Duration,
    pub interval: Duration,
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

/// A number in [0, 1) for the `n`-th request a fault matched: a hash of the seed, the fault
/// and `n` (MurmurHash3's 64-bit finaliser), so that each fault draws its own sequence, the
/// same in every run with the same seed, whatever other requests come between.
fn draw(seed: u64, fault: u64, n: u32) -> f64 {
    let mut x = seed
        ^ fault.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ u64::from(n).wrapping_mul(0xd6e8_feb8_6659_fd93);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The request faults set, in the order they were added.
#[derive(Debug, Default)]
pub struct Faults {
    faults: Mutex<Vec<RequestFault>>,
    next_id: Mutex<u64>,
    /// Where rates draw from: the emulator's seed.
    seed: u64,
    /// How many faults may still strike, kept with `faults` under its lock: every request asks
    /// for its fault, and without one armed it is answered without the lock (which every
    /// worker would otherwise take on every request).
    armed: AtomicUsize,
}

impl Faults {
    /// Faults whose rates draw from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    /// Adds a fault, checked.
    pub fn add(&self, spec: FaultSpec) -> Result<RequestFault, String> {
        spec.check()?;
        let mut faults = self.faults.lock();
        make_room(&mut faults, |f| !f.armed())?;
        let mut next = self.next_id.lock();
        *next += 1;
        let fault = RequestFault {
            id: *next,
            remaining: spec.count,
            spec,
            hits: 0,
            matched: 0,
        };
        faults.push(fault.clone());
        self.rearm(&faults);
        Ok(fault)
    }

    /// Whether any fault may strike: when none may, a request need not describe itself.
    pub fn armed(&self) -> bool {
        self.armed.load(Ordering::Acquire) > 0
    }

    /// The first fault that strikes `request`, counted. A fault with a rate that matches the
    /// request but spares it counts the request and lets the next fault have it.
    pub fn take(&self, request: &FaultRequest) -> Option<Hit> {
        if !self.armed() {
            return None;
        }
        let mut faults = self.faults.lock();
        let mut struck = None;
        for fault in faults.iter_mut() {
            if !fault.armed() || !fault.spec.matches(request) {
                continue;
            }
            let n = fault.matched;
            fault.matched = fault.matched.saturating_add(1);
            if let Some(rate) = fault.spec.rate
                && draw(self.seed, fault.id, n) >= rate
            {
                continue;
            }
            fault.hits = fault.hits.saturating_add(1);
            if let Some(remaining) = &mut fault.remaining {
                *remaining -= 1;
            }
            struck = Some(Hit {
                id: fault.id,
                phase: fault.spec.phase,
                error: fault.spec.error.clone(),
                connection: fault.spec.connection,
                delay: fault.spec.delay,
                interval: fault.spec.interval,
            });
            break;
        }
        self.rearm(&faults);
        struck
    }

    /// Counts the faults that may still strike; called under the lock, after each change.
    fn rearm(&self, faults: &[RequestFault]) {
        let armed = faults.iter().filter(|f| f.armed()).count();
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

    fn request(operation: &str) -> FaultRequest<'_> {
        FaultRequest {
            operation,
            method: "POST",
            project: Some("p1"),
            instance: Some("i1"),
        }
    }

    fn failing(operation: &str, count: Option<u32>) -> FaultSpec {
        FaultSpec {
            count,
            error: Some(Preset::find("busy").unwrap().error()),
            ..FaultSpec::new(operation)
        }
    }

    #[test]
    fn a_fault_fires_exactly_count_times_for_its_operation() {
        let faults = Faults::default();
        faults.add(failing("create", Some(2))).unwrap();
        assert!(faults.take(&request("list")).is_none());
        assert!(faults.take(&request("create")).is_some());
        assert!(faults.take(&request("create")).is_some());
        assert!(faults.take(&request("create")).is_none());
        assert_eq!(faults.list()[0].hits, 2);
        assert_eq!(faults.list()[0].remaining, Some(0));
        assert!(!faults.armed());
    }

    #[test]
    fn a_fault_added_after_the_others_ran_out_or_were_cleared_fires() {
        let faults = Faults::default();
        faults.add(failing("create", Some(1))).unwrap();
        assert!(faults.take(&request("create")).is_some());
        assert!(faults.take(&request("create")).is_none(), "ran out");
        faults.add(failing("list", Some(1))).unwrap();
        assert!(faults.take(&request("list")).is_some());
        faults.add(failing("list", Some(5))).unwrap();
        faults.clear();
        assert!(faults.take(&request("list")).is_none(), "cleared");
        faults.add(failing("*", Some(1))).unwrap();
        assert!(faults.take(&request("delete")).is_some());
    }

    #[test]
    fn a_fault_matches_only_its_method_project_and_instance() {
        let faults = Faults::default();
        faults
            .add(FaultSpec {
                method: Some("POST".into()),
                project: Some("p2".into()),
                instance: Some("i2".into()),
                ..failing("*", None)
            })
            .unwrap();
        let mut other = request("create");
        assert!(faults.take(&other).is_none(), "another project");
        other.project = Some("p2");
        assert!(faults.take(&other).is_none(), "another instance");
        other.instance = Some("i2");
        other.method = "GET";
        assert!(faults.take(&other).is_none(), "another method");
        other.method = "POST";
        assert!(faults.take(&other).is_some());
        assert!(faults.take(&other).is_some(), "no count: every match");
        assert_eq!(faults.list()[0].remaining, None);
    }

    #[test]
    fn a_rate_strikes_about_its_share_the_same_requests_for_the_same_seed() {
        // Which of `n` matching requests a 5 % fault strikes, with this seed.
        let struck = |seed: u64, n: usize| {
            let faults = Faults::new(seed);
            faults
                .add(FaultSpec {
                    rate: Some(0.05),
                    ..failing("create", None)
                })
                .unwrap();
            (0..n)
                .filter(|_| faults.take(&request("create")).is_some())
                .collect::<Vec<_>>()
        };
        let share = struck(7, 2000).len();
        assert!((60..=140).contains(&share), "{share}");
        assert_eq!(struck(7, 200), struck(7, 200));
        assert_ne!(struck(7, 200), struck(8, 200));
    }

    #[test]
    fn a_spared_request_goes_to_the_next_fault() {
        let faults = Faults::new(1);
        faults
            .add(FaultSpec {
                rate: Some(f64::MIN_POSITIVE),
                ..failing("create", None)
            })
            .unwrap();
        faults.add(failing("create", Some(1))).unwrap();
        assert_eq!(faults.take(&request("create")).unwrap().id, 2);
        assert_eq!(faults.list()[0].matched, 1);
        assert_eq!(faults.list()[0].hits, 0);
    }

    #[test]
    fn faults_that_do_nothing_or_two_things_at_once_are_refused() {
        assert!(FaultSpec::new("create").check().is_err(), "nothing");
        let reset_with_error = FaultSpec {
            connection: Some(ConnectionFault::Reset),
            ..failing("create", Some(1))
        };
        assert!(reset_with_error.check().is_err());
        let trickle_before = FaultSpec {
            connection: Some(ConnectionFault::Trickle),
            ..FaultSpec::new("create")
        };
        assert!(trickle_before.check().is_err());
        let trickle_after = FaultSpec {
            phase: Phase::After,
            ..trickle_before
        };
        assert!(trickle_after.check().is_ok());
        let nothing_after_commit = FaultSpec {
            phase: Phase::After,
            ..FaultSpec::new("create")
        };
        assert!(nothing_after_commit.check().is_err());
        let late_after_commit = FaultSpec {
            delay: Duration::from_secs(1),
            ..nothing_after_commit
        };
        assert!(late_after_commit.check().is_ok());
        for rate in [0.0, 1.5, f64::NAN] {
            let bad = FaultSpec {
                rate: Some(rate),
                ..failing("create", None)
            };
            assert!(bad.check().is_err(), "{rate}");
        }
        assert!(Preset::find("throttled").unwrap().gateway);
        assert!(Preset::find("nothing").is_none());
    }
}
