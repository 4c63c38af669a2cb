//! What a change job does to its instance when it ends: the change takes effect, or, if the
//! job failed, what it began is undone (a replica being added goes, one being deleted stays).

use chrono::{DateTime, Utc};

use super::State;
use crate::domain::instance_change::InstanceChange;
use crate::domain::node::{NodeState, remove_node, rename_nodes};
use crate::domain::{BackupId, BackupType, InstanceId, ProjectId};
use crate::store::completion::Outcome;

/// Why a backup still building when its instance is deleted fails.
const DELETED_WHILE_BUILDING: &str = "The DB instance was deleted.";

impl State {
    /// Applies (or, when `failed`, drops) a change job's change to its instance at `at`.
    pub(super) fn end_change(
        &mut self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        change: &InstanceChange,
        failed: bool,
        at: DateTime<Utc>,
    ) {
        if !failed && *change == InstanceChange::Delete {
            self.remove_instance(project_id, instance_id, at);
            return;
        }
        let catalog = self.catalog.clone();
        let Ok(instance) = self.instance_mut(project_id, instance_id) else {
            return;
        };
        match (change, failed) {
            (InstanceChange::Proxy(change), failed) => {
                change.end(&mut instance.proxies, failed);
                return;
            }
            (InstanceChange::AddNode(id), true) => instance.nodes.retain(|n| n.id != *id),
            (InstanceChange::DeleteNode(id), true) | (InstanceChange::AddNode(id), false) => {
                if let Some(node) = instance.nodes.iter_mut().find(|n| n.id == *id) {
                    node.state = NodeState::Ready;
                }
            }
            (_, true) => return,
            (InstanceChange::DeleteNode(id), false) => {
                remove_node(&mut instance.nodes, id);
                instance.sql_filter.forget_node(id.as_str());
                for proxy in &mut instance.proxies {
                    proxy.weights.remove(id.as_str());
                }
            }
            (InstanceChange::SqlFilter(change), false) => {
                change.apply(&mut instance.sql_filter, at.timestamp());
                return;
            }
            (InstanceChange::Rename { name, nodes_too }, false) => {
                if *nodes_too {
                    rename_nodes(&mut instance.nodes, name);
                }
                instance.name.clone_from(name);
            }
            (InstanceChange::Resize { flavor }, false) => {
                // A flavor the catalogue no longer has (fixtures replaced it meanwhile) is
                // taken by name.
                match catalog.flavor(flavor) {
                    Some(flavor) => instance.profile.take_flavor(flavor),
                    None => instance.profile.flavor_ref = flavor.as_str().into(),
                }
            }
            (InstanceChange::Port(port), false) => instance.profile.port = *port,
            (InstanceChange::Monitoring(period), false) => instance.profile.monitoring = *period,
            (InstanceChange::Delete, false) => {}
        }
        instance.profile.updated = at;
    }

    /// Removes a deleted instance with its read replicas and automated backups; a backup of
    /// it still building fails first, and its manual backups stay (the user guide's rule).
    fn remove_instance(
        &mut self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        at: DateTime<Utc>,
    ) {
        let Ok((_, instance)) = self.instance(project_id, instance_id) else {
            return;
        };
        if let Some(building) = instance.building.clone() {
            self.finish(
                project_id,
                &building,
                at,
                Outcome::Fail(DELETED_WHILE_BUILDING.to_owned()),
            );
        }
        let Some(project) = self.projects.get_mut(project_id) else {
            return;
        };
        let automated: Vec<BackupId> = project
            .backups_of(instance_id)
            .filter(|b| b.backup_type == BackupType::Auto)
            .map(|b| b.id.clone())
            .collect();
        for id in automated {
            project.remove_backup(id.as_str());
        }
        project.remove_instance(instance_id);
    }
}
