//! A project's state written as fixtures, so that posting it back restores it exactly.

use super::Store;
use super::project::{Completion, Project};
use super::state::State;
use crate::domain::{BackupStatus, ProjectId};
use crate::fixtures::file::{BackupFile, FixturesFile, InstanceFile, JobFile, ProjectFile};
use crate::fixtures::write_time;

impl Store {
    /// One project (or every project) as a fixtures document.
    pub fn snapshot(&self, project_id: Option<&ProjectId>) -> FixturesFile {
        let state = self.state.read();
        snapshot(&state, project_id)
    }
}

fn snapshot(state: &State, project_id: Option<&ProjectId>) -> FixturesFile {
    FixturesFile {
        projects: state
            .project_ids(project_id)
            .into_iter()
            .map(|id| project_file(id, &state.projects[id]))
            .collect(),
    }
}

fn project_file(id: &ProjectId, project: &Project) -> ProjectFile {
    let mut instances: Vec<InstanceFile> = project
        .instances
        .values()
        .map(InstanceFile::from_instance)
        .collect();
    instances.sort_by(|a, b| a.id.cmp(&b.id));
    let mut tokens = project.tokens.clone();
    tokens.sort();
    // Oldest first, so that loading them again keeps their order.
    let backups = project
        .newest_first
        .values()
        .rev()
        .filter_map(|bid| project.backups.get(bid))
        .map(|stored| {
            let b = &stored.backup;
            let building = b.status == BackupStatus::Building;
            let (finish_at, finish_on_advance, reads_left, held) = match stored.completion {
                Completion::At(at) => (Some(write_time(at)), false, None, false),
                Completion::OnAdvance(at) => (Some(write_time(at)), true, None, false),
                Completion::AfterReads(n) => (None, false, Some(n), false),
                Completion::Held => (None, false, None, true),
                Completion::Done => (None, false, None, false),
            };
            BackupFile {
                id: Some(b.id.to_string()),
                instance_id: b.instance_id.to_string(),
                name: Some(b.name.as_str().to_owned()),
                description: Some(b.description.as_str().to_owned()),
                backup_type: Some(b.backup_type.as_str().to_owned()),
                status: Some(b.status.as_str().to_owned()),
                begin_time: write_time(b.begin_time),
                end_time: b.end_time.map(write_time),
                size: (!building).then_some(b.size_mb),
                job_id: b.job_id.map(|j| j.to_string()),
                fail_reason: stored.fail_reason.as_deref().map(str::to_owned),
                finish_at,
                finish_on_advance,
                reads_left,
                held,
            }
        })
        .collect();
    // Jobs of existing backups follow from them; only the others are written.
    let jobs: Vec<JobFile> = project
        .detached_jobs()
        .map(|j| JobFile {
            id: j.id.to_string(),
            backup_id: j.backup_id.to_string(),
            instance_id: j.instance_id.to_string(),
            instance_name: Some(j.instance_name.clone()),
            status: j.status.as_str().to_owned(),
            created: write_time(j.created),
            ended: j.ended.map(write_time),
            fail_reason: j.fail_reason.clone(),
        })
        .collect();
    ProjectFile {
        id: id.to_string(),
        name: Some(project.name.clone()),
        tokens,
        instances,
        backups,
        jobs,
        credentials: project.credentials.clone(),
        users: project.users.clone(),
    }
}
