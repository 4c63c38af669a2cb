//! Quotas: a project's enterprise projects' (instances, vCPUs, RAM) and its own instance
//! quota, what each has in use, and where they are enforced.

use chrono::{DateTime, Utc};

use super::Store;
use super::project::Project;
use crate::domain::quota::{EpQuota, Usage, usage_of};
use crate::domain::{Instance, ProjectId};
use crate::error::ApiError;

/// What an instance uses: itself, and its flavor once per node.
pub(super) fn instance_usage(instance: &Instance) -> Usage {
    let p = &instance.profile;
    usage_of(instance.nodes.len(), &p.vcpus, &p.ram)
}

impl Project {
    /// What the instances of an enterprise project use.
    pub(super) fn ep_usage(&self, ep_id: &str) -> Usage {
        let mut used = Usage::default();
        for instance in self.instances.values() {
            if instance.profile.enterprise_project_id == ep_id {
                used += instance_usage(instance);
            }
        }
        used
    }

    /// Whether an enterprise project has room for `more` (`DBS.200046`): no quota set is no
    /// limit.
    pub(super) fn check_ep_room(&self, ep_id: &str, more: Usage) -> Result<(), ApiError> {
        match self.quotas.iter().find(|q| q.id == ep_id) {
            // Nothing to count against: the default enterprise project is unlimited.
            Some(quota) if !quota.is_unlimited() => quota.check_room(self.ep_usage(ep_id), more),
            _ => Ok(()),
        }
    }
}

/// One enterprise project's quotas with what remains of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaView {
    pub quota: EpQuota,
    pub remaining: Usage,
}

impl Store {
    /// The enterprise projects' quotas, those named `name` only when given, a page of them
    /// and how many there are.
    pub fn quotas(
        &self,
        project_id: &ProjectId,
        name: Option<&str>,
        offset: usize,
        limit: usize,
        now: DateTime<Utc>,
    ) -> (Vec<QuotaView>, usize) {
        self.apply_due(now);
        let state = self.read();
        let Some(project) = state.projects.get(project_id) else {
            return (Vec::new(), 0);
        };
        let matching: Vec<&EpQuota> = project
            .quotas
            .iter()
            .filter(|q| name.is_none_or(|n| q.name == n))
            .collect();
        let total = matching.len();
        let page = matching
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|q| QuotaView {
                remaining: q.remaining(project.ep_usage(&q.id)),
                quota: q.clone(),
            })
            .collect();
        (page, total)
    }

    /// Sets (or adds) these enterprise projects' quotas, all or none: each value −1 or within
    /// its maximum and not below what is in use (`DBS.280271`). A quota without a name takes
    /// the one held for its id, else the id.
    pub fn set_quotas(
        &self,
        project_id: &ProjectId,
        mut quotas: Vec<EpQuota>,
        now: DateTime<Utc>,
    ) -> Result<Vec<EpQuota>, ApiError> {
        let mut state = self.write();
        state.settle(now);
        let project = state
            .projects
            .get_mut(project_id)
            .ok_or(ApiError::InvalidRegion)?;
        for quota in &mut quotas {
            if quota.name.is_empty() {
                quota.name = project
                    .quotas
                    .iter()
                    .find(|q| q.id == quota.id)
                    .map_or_else(|| quota.id.clone(), |q| q.name.clone());
            }
        }
        for quota in &quotas {
            quota.check(project.ep_usage(&quota.id))?;
        }
        for quota in &quotas {
            match project.quotas.iter_mut().find(|q| q.id == quota.id) {
                Some(held) => *held = quota.clone(),
                None => project.quotas.push(quota.clone()),
            }
        }
        Ok(quotas)
    }

    /// The project's instance quota and how many instances it holds.
    pub fn project_quota(&self, project_id: &ProjectId, now: DateTime<Utc>) -> (usize, usize) {
        self.apply_due(now);
        let state = self.read();
        state
            .projects
            .get(project_id)
            .map_or((super::INSTANCE_QUOTA, 0), |p| {
                (p.instance_quota, p.instances.len())
            })
    }
}
