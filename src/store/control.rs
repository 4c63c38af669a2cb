//! What the control API does to the whole store: failure rules, resets, fixtures loaded or
//! replaced, log entries added, and the state view.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Store;
use super::failures::{FailureRule, FailureTarget};
use super::state::State;
use super::views::{BackupState, ProjectState};
use crate::domain::catalog::Catalog;
use crate::domain::{Instance, InstanceId, ProjectId};
use crate::error::ApiError;
use crate::fixtures::Fixtures;

impl Store {
    /// Makes the next `count` backups started (of `instance`, or of any) end `FAILED`.
    pub fn add_failure_rule(
        &self,
        target: FailureTarget,
        instance_id: Option<InstanceId>,
        count: u32,
        reason: String,
    ) -> Result<FailureRule, String> {
        let mut state = self.write();
        crate::faults::make_room(&mut state.failure_rules, |r| r.remaining == 0)?;
        let rule = FailureRule {
            id: state.next_seq(),
            target,
            instance_id,
            remaining: count,
            hits: 0,
            reason,
        };
        state.failure_rules.push(rule.clone());
        Ok(rule)
    }

    /// The backup failure rules, with how often each has fired.
    pub fn failure_rules(&self) -> Vec<FailureRule> {
        self.read().failure_rules.clone()
    }

    pub fn clear_failure_rules(&self) {
        self.write().failure_rules.clear();
    }

    /// Back to the starting fixtures: one project (removed if it was not in them), or
    /// everything — projects, lifecycle and failure rules. Fails, changing nothing, only if
    /// the starting fixtures do not read back as they were kept (a bug).
    pub fn reset(&self, project_id: Option<&ProjectId>, now: DateTime<Utc>) -> Result<(), String> {
        let initial = self.initial.read(project_id)?;
        let mut state = self.write();
        match project_id {
            Some(pid) => {
                state.remove_project(pid);
                for seed in &initial.projects {
                    state.load_project(seed, now);
                }
            }
            None => {
                let ids = state.ids.clone();
                let (quota, retention, max_jobs) =
                    (state.backup_quota, state.job_retention, state.max_jobs);
                *state = State::new(self.initial_lifecycle, ids);
                state.backup_quota = quota;
                state.job_retention = retention;
                state.max_jobs = max_jobs;
                state.catalog = Arc::new(initial.catalog.over(&Catalog::default()));
                for seed in &initial.projects {
                    state.load_project(seed, now);
                }
            }
        }
        Ok(())
    }

    /// Replaces every project by the fixtures' (restoring a saved state).
    pub fn replace_all(&self, fixtures: &Fixtures, now: DateTime<Utc>) {
        let mut state = self.write();
        state.catalog = Arc::new(fixtures.catalog.over(&Catalog::default()));
        let ids: Vec<ProjectId> = state.projects.keys().cloned().collect();
        for id in ids {
            state.remove_project(&id);
        }
        for seed in &fixtures.projects {
            state.load_project(seed, now);
        }
    }

    /// Adds the fixtures' projects, each replacing any project of the same id whole. Refused,
    /// changing nothing, when a token already belongs to a project they do not replace.
    pub fn apply_fixtures(&self, fixtures: &Fixtures, now: DateTime<Utc>) -> Result<(), String> {
        let mut state = self.write();
        state.settle(now);
        // What a new project takes must not belong to a project it does not replace: tokens
        // and access keys select a project, and the control API finds backups and jobs by id.
        let replaced = |id: &ProjectId| fixtures.projects.iter().any(|s| &s.id == id);
        for (p, seed) in fixtures.projects.iter().enumerate() {
            for token in &seed.tokens {
                if let Some(owner) = state.tokens.get(token)
                    && !replaced(owner)
                {
                    return Err(format!(
                        "projects[{p}].tokens: token {token:?} already belongs to project {owner}"
                    ));
                }
            }
            for credential in &seed.credentials {
                if let Some((_, owner)) = state.access_keys.get(&credential.ak)
                    && !replaced(owner)
                {
                    return Err(format!(
                        "projects[{p}].credentials: access key {:?} already belongs to project \
                         {owner}",
                        credential.ak
                    ));
                }
            }
            let others = state.projects.iter().filter(|(id, _)| !replaced(id));
            for (owner, project) in others {
                let backup_ids = seed.backups.iter().filter_map(|b| b.id.as_ref());
                if let Some(id) = backup_ids
                    .into_iter()
                    .find(|id| project.backups.contains_key(*id))
                {
                    return Err(format!(
                        "projects[{p}].backups: backup {id} already belongs to project {owner}"
                    ));
                }
                let job_ids = seed
                    .jobs
                    .iter()
                    .map(|j| &j.job.id)
                    .chain(seed.backups.iter().filter_map(|b| b.backup.job_id.as_ref()));
                if let Some(id) = job_ids.into_iter().find(|id| project.has_job(id)) {
                    return Err(format!(
                        "projects[{p}].jobs: job {id} already belongs to project {owner}"
                    ));
                }
            }
        }
        if !fixtures.catalog.is_empty() {
            state.catalog = Arc::new(fixtures.catalog.over(&state.catalog));
        }
        for seed in &fixtures.projects {
            state.load_project(seed, now);
        }
        Ok(())
    }

    /// Every project (or one), sorted by id: in full, or with only the newest `limit` backups
    /// and jobs of each (the counts say how many there are).
    pub fn state_view(
        &self,
        project_id: Option<&ProjectId>,
        now: DateTime<Utc>,
        limit: Option<usize>,
    ) -> Vec<ProjectState> {
        self.apply_due(now);
        let state = self.read();
        state
            .project_ids(project_id)
            .into_iter()
            .map(|pid| {
                let p = &state.projects[pid];
                let instances: Vec<&Instance> = p.instances_newest_first().collect();
                let mut tokens = p.tokens.clone();
                tokens.sort();
                let (jobs, job_count) = match limit {
                    Some(limit) => p.newest_jobs(limit),
                    None => {
                        let jobs = p.all_jobs();
                        let count = jobs.len();
                        (jobs, count)
                    }
                };
                ProjectState {
                    id: pid.clone(),
                    name: p.name.to_string(),
                    tokens,
                    instances: instances
                        .into_iter()
                        .take(limit.unwrap_or(usize::MAX))
                        .map(|i| p.view_instance(pid, i, &state.catalog))
                        .collect(),
                    instance_count: p.instances.len(),
                    backups: p
                        .newest_first
                        .values()
                        .take(limit.unwrap_or(usize::MAX))
                        .filter_map(|id| {
                            Some(BackupState {
                                view: p.view_backup(id)?,
                                completion: p.completion(id.as_str()),
                                fail_reason: p.fail_reason(id.as_str()).map(str::to_owned),
                            })
                        })
                        .collect(),
                    backup_count: p.backups.len(),
                    jobs,
                    job_count,
                }
            })
            .collect()
    }
}

impl Store {
    /// Adds log entries to an instance of any project (the control plane's command): each
    /// names one of its nodes (the master when none), and an instance holds at most
    /// [`MAX_ENTRIES`](crate::domain::logs::MAX_ENTRIES) of each kind. Answers how many of each
    /// it holds now.
    pub fn add_logs(
        &self,
        instance_id: &crate::domain::InstanceId,
        logs: &crate::fixtures::parts::LogsFile,
        now: DateTime<Utc>,
    ) -> Result<(usize, usize), ApiError> {
        use crate::domain::logs::MAX_ENTRIES;
        let mut state = self.write();
        state.settle(now);
        let now = state.latest;
        let instance = state
            .projects
            .values_mut()
            .find_map(|p| p.instances.get_mut(instance_id))
            .ok_or(ApiError::InstanceNotFound)?;
        let added = crate::fixtures::parts::read_logs(logs, &instance.nodes, now)
            .map_err(ApiError::ControlParameter)?;
        let held = &instance.logs;
        if held.errors.len() + added.errors.len() > MAX_ENTRIES
            || held.slow.len() + added.slow.len() > MAX_ENTRIES
        {
            return Err(ApiError::ControlParameter(format!(
                "an instance holds at most {MAX_ENTRIES} error-log and {MAX_ENTRIES} slow-log \
                 entries"
            )));
        }
        let logs = std::sync::Arc::make_mut(&mut instance.logs);
        logs.errors.extend(added.errors);
        logs.slow.extend(added.slow);
        Ok((logs.errors.len(), logs.slow.len()))
    }
}
