//! Projects in and out of the state: a project built from its seed, a project removed with
//! its credentials, and the tokens the emulator's IAM issued.

use chrono::{DateTime, Utc};

use super::State;
use super::jobs::holding_status;
use crate::domain::{InstanceId, ProjectId};
use crate::fixtures::{ProjectSeed, SeedCompletion};
use crate::signature::SigningKey;
use crate::store::completion::Completion;
use crate::store::project::Project;

/// The most tokens the emulator's IAM keeps; issuing one more forgets the oldest.
pub const MAX_ISSUED_TOKENS: usize = 10_000;

/// A token the emulator's IAM issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::store) struct IssuedToken {
    pub project_id: ProjectId,
    pub expires_at: DateTime<Utc>,
}

impl State {
    /// The project a token is valid for: a fixtures token, or one the emulator's IAM issued
    /// that has not expired by `now`.
    pub(in crate::store) fn token_owner(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Option<ProjectId> {
        self.tokens.get(token).cloned().or_else(|| {
            self.issued
                .get(token)
                .filter(|t| t.expires_at > now)
                .map(|t| t.project_id.clone())
        })
    }

    /// Keeps `token` for its project until it expires; forgets expired tokens and, past
    /// [`MAX_ISSUED_TOKENS`], the oldest ones.
    pub(in crate::store) fn keep_issued(
        &mut self,
        token: String,
        issued: IssuedToken,
        now: DateTime<Utc>,
    ) {
        while let Some((expires_at, oldest)) = self.issued_order.front() {
            if *expires_at > now && self.issued_order.len() < MAX_ISSUED_TOKENS {
                break;
            }
            self.issued.remove(oldest);
            self.issued_order.pop_front();
        }
        self.issued_order
            .push_back((issued.expires_at, token.clone()));
        self.issued.insert(token, issued);
    }

    /// Removes a project with its tokens, access keys and the tokens issued for it.
    pub(in crate::store) fn remove_project(&mut self, project_id: &ProjectId) {
        if let Some(project) = self.projects.remove(project_id) {
            for token in project.tokens {
                self.tokens.remove(&token);
            }
            for credential in project.credentials {
                self.access_keys.remove(&credential.ak);
            }
            self.issued.retain(|_, t| &t.project_id != project_id);
        }
    }

    /// Builds a project from its seed at time `now`, replacing any project of that id.
    pub(in crate::store) fn load_project(&mut self, seed: &ProjectSeed, now: DateTime<Utc>) {
        self.remove_project(&seed.id);
        let epoch = self.next_seq();
        let mut project = Project::new(seed, epoch);
        for instance in &seed.instances {
            let instance = instance.build(&seed.name, now);
            project.insert_instance(instance);
        }
        let mut tasks = Vec::new();
        for job in &seed.jobs {
            match job.completion {
                SeedCompletion::Finished => project.insert_detached_job(job.job.clone()),
                _ => tasks.push(job),
            }
        }
        for token in &seed.tokens {
            self.tokens.insert(token.clone(), seed.id.clone());
        }
        for credential in &seed.credentials {
            self.access_keys.insert(
                credential.ak.clone(),
                (SigningKey::new(&credential.sk), seed.id.clone()),
            );
        }
        self.projects.insert(seed.id.clone(), Box::new(project));
        self.keep_jobs(&seed.id, now);

        for backup_seed in &seed.backups {
            let mut backup = backup_seed.backup.clone();
            if let Some(id) = &backup_seed.id {
                backup.id = id.clone();
            } else {
                backup.id = self.new_backup_ids().0;
            }
            let completion = self.completion_of(&backup_seed.completion, backup.begin_time);
            self.insert_backup(
                &seed.id,
                backup,
                completion,
                backup_seed.fail_reason.as_deref().map(Box::from),
            );
        }
        for task in tasks {
            let mut job = task.job.clone();
            let bound_failure = job.fail_reason.take().map(Box::from);
            let completion = self.completion_of(&task.completion, job.created);
            if let Some(status) = holding_status(&job.kind)
                && let Some(instance) = self
                    .projects
                    .get_mut(&seed.id)
                    .and_then(|p| p.instances.get_mut(&job.instance_id))
            {
                instance.base_status = status;
            }
            self.insert_task(&seed.id, job, completion, bound_failure);
        }
        let instance_ids: Vec<InstanceId> = seed.instances.iter().map(|i| i.id.clone()).collect();
        for instance_id in instance_ids {
            self.schedule_window(&seed.id, &instance_id, now);
        }
    }

    /// How a seeded running thing begun at `begin` finishes.
    pub(super) fn completion_of(&self, seed: &SeedCompletion, begin: DateTime<Utc>) -> Completion {
        match seed {
            SeedCompletion::Finished => Completion::Done,
            SeedCompletion::Lifecycle => self.completion_for(begin),
            SeedCompletion::At(at) => Completion::At(*at),
            SeedCompletion::OnAdvance(at) => Completion::OnAdvance(*at),
            SeedCompletion::AfterReads(n) => Completion::AfterReads(*n),
            SeedCompletion::Held => Completion::Held,
        }
    }
}
