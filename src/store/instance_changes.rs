//! Changes to an instance as the API starts them: deletion, rename, flavor, port, monitoring,
//! read replicas added and deleted (each a job of its own), and the root password (none).

use chrono::{DateTime, Utc};

use super::Store;
use super::quotas::instance_usage;
use super::state::State;
use crate::domain::instance_change::InstanceChange;
use crate::domain::node::{
    NodeRole, NodeState, check_new_replicas, check_node_deletable, new_replicas,
};
use crate::domain::quota::{Usage, usage_of};
use crate::domain::{Instance, InstanceId, Job, JobKind, NodeId, ProjectId};
use crate::error::ApiError;

impl Store {
    /// Starts deleting an instance (`DBS.200002` unknown; see [`Instance::check_can_delete`]):
    /// it reads as it did until the job ends, then is gone.
    pub fn delete_instance(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.start_change(project_id, instance_id, now, |_, instance| {
            instance.check_can_delete()?;
            Ok(InstanceChange::Delete)
        })
    }

    /// Starts a change that needs only an idle `ACTIVE` instance: a rename, a port, a
    /// monitoring policy (see [`Instance::check_can_start_change`]).
    pub fn change_instance_setting(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        change: InstanceChange,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.start_change(project_id, instance_id, now, |_, instance| {
            instance.check_can_start_change()?;
            Ok(change)
        })
    }

    /// Starts changing every node's flavor to `spec_code` (known, `DBS.280434`; sold in the
    /// nodes' zones, `DBS.280450`); the instance reads `MODIFYING` meanwhile.
    pub fn resize_instance(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        spec_code: &str,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.start_change(project_id, instance_id, now, |state, instance| {
            instance.check_can_start_change()?;
            let zones = instance.nodes.iter().map(|n| n.az_code.as_str());
            let flavor =
                state
                    .catalog
                    .check_flavor_for(spec_code, &instance.profile.region, zones)?;
            let (now_uses, then_uses) = (
                instance_usage(instance),
                usage_of(instance.nodes.len(), &flavor.vcpus, &flavor.ram),
            );
            let growth = Usage {
                instances: 0,
                vcpus: then_uses.vcpus - now_uses.vcpus,
                ram: then_uses.ram - now_uses.ram,
            };
            if let Some(project) = state.projects.get(project_id) {
                project.check_ep_room(&instance.profile.enterprise_project_id, growth)?;
            }
            Ok(InstanceChange::Resize {
                flavor: flavor.spec_code.to_owned(),
            })
        })
    }

    /// Starts deleting a node (see [`check_node_deletable`]); it reads `DELETING` meanwhile.
    pub fn delete_node(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        node_id: &NodeId,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.start_change(project_id, instance_id, now, |state, instance| {
            instance.check_can_start_change()?;
            check_node_deletable(&instance.nodes, node_id)?;
            if let Ok(instance) = state.instance_mut(project_id, instance_id)
                && let Some(node) = instance.nodes.iter_mut().find(|n| n.id == *node_id)
            {
                node.state = NodeState::Deleting;
            }
            Ok(InstanceChange::DeleteNode(node_id.clone()))
        })
    }

    /// Adds a read replica per priority (see [`check_new_replicas`]), each `BUILD` until its own
    /// job ends; answers the new nodes' names and their jobs, in order.
    pub fn add_replicas(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        priorities: &[i64],
        now: DateTime<Utc>,
    ) -> Result<(Vec<String>, Vec<Job>), ApiError> {
        let mut guard = self.write();
        let state = &mut *guard;
        state.settle(now);
        let now = state.latest;
        let (_, instance) = state.instance(project_id, instance_id)?;
        instance.check_can_start_change()?;
        let replicas = instance
            .nodes
            .iter()
            .filter(|n| n.role == NodeRole::Slave)
            .count();
        check_new_replicas(priorities, replicas)?;
        let p = &instance.profile;
        let more = Usage {
            instances: 0,
            ..usage_of(priorities.len(), &p.vcpus, &p.ram)
        };
        state.projects.get(project_id).map_or(Ok(()), |project| {
            project.check_ep_room(&p.enterprise_project_id, more)
        })?;
        let instance = instance.clone();
        let added = new_replicas(
            &instance.nodes,
            &instance.name,
            instance.profile.placement(),
            priorities,
            &mut state.ids,
            now,
        );
        let mut names = Vec::with_capacity(added.len());
        let mut jobs = Vec::with_capacity(added.len());
        for node in added {
            names.push(node.name.to_string());
            let job = state.new_job(
                &instance,
                JobKind::Change(InstanceChange::AddNode(node.id.clone())),
                now,
            );
            state
                .instance_mut(project_id, instance_id)?
                .nodes
                .push(node);
            state.start_task(project_id, job.clone());
            jobs.push(job);
        }
        Ok((names, jobs))
    }

    /// Checks that the root password of an instance may be reset now (see
    /// [`Instance::check_can_reset_password`]); nothing a client reads changes.
    pub fn reset_password(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let mut state = self.write();
        state.settle(now);
        state
            .instance(project_id, instance_id)?
            .1
            .check_can_reset_password()
    }

    /// Starts the change `decide` makes of the instance (unknown: `DBS.200002`) as a job of
    /// its own, under one lock; `decide` may mark what the change begins (a node `DELETING`).
    pub(super) fn start_change(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
        decide: impl FnOnce(&mut State, &Instance) -> Result<InstanceChange, ApiError>,
    ) -> Result<Job, ApiError> {
        let mut guard = self.write();
        let state = &mut *guard;
        state.settle(now);
        let now = state.latest;
        let instance = state.instance(project_id, instance_id)?.1.clone();
        let change = decide(state, &instance)?;
        let job = state.new_job(&instance, JobKind::Change(change), now);
        state.start_task(project_id, job.clone());
        Ok(job)
    }
}
