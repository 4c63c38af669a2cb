//! Quotas (`api-instances.md` §6): per enterprise project, instances, vCPUs and RAM (−1 is
//! unlimited), what remains of each, and the rules of setting them.

use crate::error::ApiError;

/// The enterprise project every project has: id `0`, name `default`.
pub const DEFAULT_EP_ID: &str = "0";
pub const DEFAULT_EP_NAME: &str = "default";
/// Unlimited.
pub const UNLIMITED: i64 = -1;
/// The documented maxima: 100,000 instances; 2,147,483,646 vCPUs and GB of RAM.
pub const MAX_INSTANCES: i64 = 100_000;
pub const MAX_RESOURCES: i64 = 2_147_483_646;
/// How many instances a project may hold unless its fixtures say otherwise.
pub const DEFAULT_INSTANCE_QUOTA: usize = 1000;
/// At most this many entries in one request.
pub const MAX_QUOTA_ITEMS: usize = 10;

/// The quotas of one enterprise project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpQuota {
    pub id: super::Text,
    pub name: super::Text,
    pub instances: i64,
    pub vcpus: i64,
    pub ram: i64,
}

impl EpQuota {
    /// The default enterprise project's, all unlimited (as the live cloud reads).
    pub fn default_project() -> Self {
        Self {
            id: DEFAULT_EP_ID.into(),
            name: DEFAULT_EP_NAME.into(),
            instances: UNLIMITED,
            vcpus: UNLIMITED,
            ram: UNLIMITED,
        }
    }

    /// Whether every quota is −1.
    pub fn is_unlimited(&self) -> bool {
        [self.instances, self.vcpus, self.ram] == [UNLIMITED; 3]
    }

    /// What remains of each quota with `used`: −1 while unlimited, never below 0.
    pub fn remaining(&self, used: Usage) -> Usage {
        let left = |quota: i64, used: i64| {
            if quota == UNLIMITED {
                UNLIMITED
            } else {
                (quota - used).max(0)
            }
        };
        Usage {
            instances: left(self.instances, used.instances),
            vcpus: left(self.vcpus, used.vcpus),
            ram: left(self.ram, used.ram),
        }
    }

    /// Checks the values of a quota to set: each −1 or within its maximum, and not below
    /// what is in use (`DBS.280271`).
    pub fn check(&self, used: Usage) -> Result<(), ApiError> {
        let fits = |quota: i64, max: i64, used: i64| {
            quota == UNLIMITED || ((0..=max).contains(&quota) && quota >= used)
        };
        if fits(self.instances, MAX_INSTANCES, used.instances)
            && fits(self.vcpus, MAX_RESOURCES, used.vcpus)
            && fits(self.ram, MAX_RESOURCES, used.ram)
        {
            Ok(())
        } else {
            Err(ApiError::OutOfRange)
        }
    }

    /// Whether `used` plus `more` stays within the quotas (`DBS.200046` otherwise).
    pub fn check_room(&self, used: Usage, more: Usage) -> Result<(), ApiError> {
        let room = |quota: i64, used: i64, more: i64| {
            quota == UNLIMITED || more <= 0 || used + more <= quota
        };
        if room(self.instances, used.instances, more.instances)
            && room(self.vcpus, used.vcpus, more.vcpus)
            && room(self.ram, used.ram, more.ram)
        {
            Ok(())
        } else {
            Err(ApiError::InstanceQuota)
        }
    }
}

/// Instances, vCPUs and GB of RAM in use (or remaining, or wanted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub instances: i64,
    pub vcpus: i64,
    pub ram: i64,
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Self) {
        self.instances += other.instances;
        self.vcpus += other.vcpus;
        self.ram += other.ram;
    }
}

/// What an instance of `nodes` nodes of a flavor of `vcpus` and `ram` (as the API writes
/// them, strings) uses: itself, and the flavor's vCPUs and RAM once per node.
pub fn usage_of(nodes: usize, vcpus: &str, ram: &str) -> Usage {
    let nodes = i64::try_from(nodes).unwrap_or(i64::MAX);
    let per = |s: &str| s.parse::<i64>().unwrap_or(0).saturating_mul(nodes);
    Usage {
        instances: 1,
        vcpus: per(vcpus),
        ram: per(ram),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(instances: i64, vcpus: i64, ram: i64) -> EpQuota {
        EpQuota {
            instances,
            vcpus,
            ram,
            ..EpQuota::default_project()
        }
    }

    #[test]
    fn unlimited_remains_unlimited_and_a_limit_what_is_not_used() {
        let used = Usage {
            instances: 2,
            vcpus: 16,
            ram: 64,
        };
        assert_eq!(
            EpQuota::default_project().remaining(used),
            Usage {
                instances: -1,
                vcpus: -1,
                ram: -1
            }
        );
        assert_eq!(
            quota(5, 10, -1).remaining(used),
            Usage {
                instances: 3,
                vcpus: 0,
                ram: -1
            }
        );
    }

    #[test]
    fn a_quota_is_minus_one_or_within_its_maximum_and_not_below_its_use() {
        let used = Usage {
            instances: 2,
            vcpus: 8,
            ram: 32,
        };
        assert_eq!(quota(-1, -1, -1).check(used), Ok(()));
        assert_eq!(quota(2, 8, 32).check(used), Ok(()));
        for bad in [
            quota(1, -1, -1),
            quota(-2, -1, -1),
            quota(100_001, -1, -1),
            quota(5, 7, -1),
        ] {
            assert_eq!(bad.check(used), Err(ApiError::OutOfRange), "{bad:?}");
        }
    }

    #[test]
    fn room_is_checked_for_each_quota_that_grows() {
        let used = usage_of(2, "4", "32");
        assert_eq!(used.vcpus, 8);
        assert_eq!(
            quota(1, -1, -1).check_room(used, usage_of(1, "2", "8")),
            Err(ApiError::InstanceQuota)
        );
        assert_eq!(
            quota(-1, 10, -1).check_room(used, usage_of(1, "2", "8")),
            Ok(())
        );
        assert_eq!(
            quota(-1, 9, -1).check_room(used, usage_of(1, "2", "8")),
            Err(ApiError::InstanceQuota)
        );
        let no_more = Usage::default();
        assert_eq!(
            quota(0, 0, 0).check_room(used, no_more),
            Ok(()),
            "nothing new: fine"
        );
    }
}
