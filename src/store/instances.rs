//! An instance as the API reads and changes it: details, list, its backups and backup
//! history, its backup policy, encryption and offsite policy.

use std::sync::RwLockWriteGuard;

use chrono::{DateTime, Utc};

use super::Store;
use super::project::page_and_count;
use super::state::State;
use super::views::{BackupHistory, BackupPage, InstancePage, InstanceView};
use crate::domain::network::Network;
use crate::domain::restore::EndSpan;
use crate::domain::{
    BackupPolicy, Instance, InstanceBackupQuery, InstanceId, InstanceQuery, OffsitePolicy,
    ProjectId,
};
use crate::error::ApiError;

impl Store {
    /// An instance of this project, as a client reads it (`DBS.200002` when there is none).
    /// The read counts as a read of its running jobs and of its building backup.
    pub fn instance(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
    ) -> Result<InstanceView, ApiError> {
        self.apply_due(now);
        {
            let state = self.read();
            let (project, instance) = state.instance(project_id, instance_id)?;
            if project.read_waiters == 0
                || (instance.tasks.is_empty()
                    && instance.side_jobs.is_empty()
                    && instance.building.is_none())
            {
                return Ok(project.view_instance(project_id, instance, &state.catalog));
            }
        }
        // Reading an instance counts as reading its running jobs and its building backup, so
        // that a client polling only the instance sees it settle in every lifecycle mode.
        let mut state = self.write();
        let (_, instance) = state.instance(project_id, instance_id)?;
        let tasks: Vec<crate::domain::JobId> = instance
            .tasks
            .iter()
            .chain(&instance.side_jobs)
            .copied()
            .collect();
        let building = instance.building.clone();
        for task in &tasks {
            state.count_job_read(project_id, task, now);
        }
        if let Some(backup) = building {
            state.count_reads(project_id, &[backup], now);
        }
        // A deletion that ended on this read leaves nothing to show (`DBS.200002`).
        let (project, instance) = state.instance(project_id, instance_id)?;
        Ok(project.view_instance(project_id, instance, &state.catalog))
    }

    /// One page of one instance's full backups (automated and manual), as `query` orders and
    /// filters them, and how many matched; an unknown instance is `DBS.200002`. Each backup
    /// on the page counts as read.
    pub fn instance_backups(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        query: &InstanceBackupQuery,
        now: DateTime<Utc>,
    ) -> Result<BackupPage, ApiError> {
        self.apply_due(now);
        // The page is chosen under the read lock (other requests go on meanwhile), from the
        // stored backups themselves; only the page is rendered.
        let (read, total_count) = {
            let state = self.read();
            let (project, _) = state.instance(project_id, instance_id)?;
            match query.by_begin_time() {
                Some(ascending) => {
                    project.page_by_begin_time(instance_id, query.offset, query.limit, ascending)
                }
                None => {
                    let backups = project.stored_backups_of(instance_id);
                    let (page, total_count) = query.apply(backups, |s| &s.backup, |s| s.seq);
                    (
                        page.iter().map(|s| s.backup.id.clone()).collect(),
                        total_count,
                    )
                }
            }
        };
        let mut state = self.write();
        state.settle(now);
        state.count_reads(project_id, &read, now);
        // A read may have finished a backup on the page: show it as it is now (and the
        // project as it is: it may have been reset since the page was chosen).
        let (project, _) = state.instance(project_id, instance_id)?;
        Ok(project.page(&read, total_count))
    }

    /// What an instance's restorable times and incremental backups derive from: the ends of
    /// its completed full backups that `span` needs (given the policy's retention, in days)
    /// and the retention. An unknown instance is `DBS.200002`.
    pub fn backup_history(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
        span: impl FnOnce(u16) -> EndSpan,
    ) -> Result<BackupHistory, ApiError> {
        self.apply_due(now);
        let state = self.read();
        let (project, instance) = state.instance(project_id, instance_id)?;
        Ok(project.history(instance, now, span(instance.policy.keep_days)))
    }

    /// One page of the project's instances matching `query`, newest first.
    pub fn list_instances(
        &self,
        project_id: &ProjectId,
        query: &InstanceQuery,
        now: DateTime<Utc>,
    ) -> InstancePage {
        self.apply_due(now);
        let state = self.read();
        let Some(project) = state.projects.get(project_id) else {
            return InstancePage::default();
        };
        // Without filters, the page alone is read; with them, each instance is tested once.
        let (instances, total_count): (Vec<&Instance>, usize) = if query.filters_nothing() {
            let page = project.instances_newest_first().skip(query.offset);
            (page.take(query.limit).collect(), project.instances.len())
        } else {
            let matching = project
                .instances_newest_first()
                .filter(|i| query.matches(i));
            page_and_count(matching, query.offset, query.limit)
        };
        InstancePage {
            total_count,
            instances: instances
                .into_iter()
                .map(|i| project.view_instance(project_id, i, &state.catalog))
                .collect(),
        }
    }

    /// Changes one instance under one lock: applies what is due, finds it (`DBS.200002`),
    /// checks it may be changed when `only_active` (`DBS.200011` otherwise), applies `change`
    /// and stamps `updated`. Returns the lock, for what follows from the change, and the
    /// instance as changed.
    fn change_instance(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        now: DateTime<Utc>,
        only_active: bool,
        change: impl FnOnce(&mut Instance),
    ) -> Result<(RwLockWriteGuard<'_, State>, Instance), ApiError> {
        let mut state = self.write();
        state.settle(now);
        let instance = state.instance_mut(project_id, instance_id)?;
        if only_active {
            instance.status().check_can_change()?;
        }
        change(instance);
        instance.profile.updated = now;
        let changed = instance.clone();
        Ok((state, changed))
    }

    /// Replaces an instance's automated backup policy (`DBS.200002` for an unknown instance,
    /// `DBS.200011` unless it is `ACTIVE`); the next window and retention follow at once.
    pub fn update_policy(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        policy: BackupPolicy,
        now: DateTime<Utc>,
    ) -> Result<Instance, ApiError> {
        let (mut state, updated) =
            self.change_instance(project_id, instance_id, now, true, |i| i.policy = policy)?;
        state.reschedule_expiry(project_id, instance_id, now);
        state.schedule_window(project_id, instance_id, now);
        Ok(updated)
    }

    /// Turns backup encryption on (with this KMS key) or off (`None`) for an instance, and
    /// returns the instance. An unknown instance is `DBS.200002`.
    pub fn set_backup_encryption(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        key: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Instance, ApiError> {
        let change = |i: &mut Instance| i.profile.backup_encryption_key = key;
        Ok(self
            .change_instance(project_id, instance_id, now, false, change)?
            .1)
    }

    /// Sets an instance's cross-region backup policy; the instance must be `ACTIVE`
    /// (`DBS.200011` otherwise). An unknown instance is `DBS.200002`.
    pub fn set_offsite_policy(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        policy: OffsitePolicy,
        now: DateTime<Utc>,
    ) -> Result<Instance, ApiError> {
        let change = |i: &mut Instance| i.profile.offsite_policy = Some(Box::new(policy));
        Ok(self
            .change_instance(project_id, instance_id, now, true, change)?
            .1)
    }

    /// A project's VPCs, subnets and security groups; an unknown project (loose auth) has the
    /// built-in ones of `eu-de`.
    pub fn network(&self, project_id: Option<&ProjectId>) -> Network {
        let state = self.read();
        match project_id.and_then(|id| state.projects.get(id)) {
            Some(project) => project.whole_network(),
            None => Network::builtin("eu-de"),
        }
    }
}
