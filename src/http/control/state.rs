//! The whole state: its view, reset, fixtures at run time and snapshots.

use super::*;

/// The state as `/_emulator/state` and the dashboard show it.
#[derive(Serialize)]
pub(in crate::http) struct StateBody {
    now: String,
    clock: &'static str,
    lifecycle: LifecycleBody,
    projects: Vec<ProjectStateBody>,
}

#[derive(Serialize)]
pub(in crate::http) struct ProjectStateBody {
    id: String,
    name: String,
    tokens: Vec<String>,
    instances: Vec<InstanceListItem>,
    instance_count: usize,
    backups: Vec<BackupStateBody>,
    backup_count: usize,
    jobs: Vec<serde_json::Value>,
    job_count: usize,
}

#[derive(Serialize)]
pub(in crate::http) struct BackupStateBody {
    #[serde(flatten)]
    backup: BackupItem,
    /// How a building backup finishes: `at <time>`, `on advance at <time>`, `after N reads`,
    /// `held`; `null` once finished.
    finishes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_reason: Option<String>,
}

pub(in crate::http) fn describe(completion: Completion) -> Option<String> {
    match completion {
        Completion::Done => None,
        Completion::At(t) => Some(format!("at {}", format_api_time(t))),
        Completion::OnAdvance(t) => Some(format!("on advance at {}", format_api_time(t))),
        Completion::AfterReads(n) => Some(format!("after {n} reads")),
        Completion::Held => Some("held".to_owned()),
    }
}

/// Every project (or one) with its first `limit` instances and its newest `limit` backups and
/// jobs (both newest first), as the dashboard's events show them. The whole state is written
/// page by page instead ([`StateDoc`]).
pub(in crate::http) fn state_body(
    emulator: &Emulator,
    project: Option<&ProjectId>,
    limit: usize,
) -> StateBody {
    let now = emulator.clock.now();
    let projects = emulator.store.state_view(project, now, Some(limit));
    StateBody {
        now: format_api_time(now),
        clock: emulator.clock.mode().as_str(),
        lifecycle: LifecycleBody::from(emulator.store.lifecycle()),
        projects: projects
            .into_iter()
            .map(|p| ProjectStateBody {
                id: p.id.to_string(),
                name: p.name,
                tokens: p.tokens,
                instances: p
                    .instances
                    .into_iter()
                    .map(InstanceListItem::from)
                    .collect(),
                instance_count: p.instance_count,
                backups: p.backups.into_iter().map(backup_state_body).collect(),
                backup_count: p.backup_count,
                jobs: p
                    .jobs
                    .into_iter()
                    .map(|j| serde_json::to_value(JobResponse::from(j).job).unwrap_or_default())
                    .collect(),
                job_count: p.job_count,
            })
            .collect(),
    }
}

/// `GET /_emulator/state[?project_id=]`: every project (or one) with its instances, backups
/// and jobs, as the API shows them, plus how each building backup will finish. Written out as
/// it is read, a page at a time, so that a store of any size costs a page of memory.
pub(in crate::http) async fn state(
    State(emulator): State<Arc<Emulator>>,
    ApiQuery(param): ApiQuery<ProjectParam>,
) -> Response {
    let now = emulator.clock.now();
    let projects = emulator.store.project_list(param.project().as_ref());
    let timeout = emulator.settings.body_timeout;
    streamed_json(
        StatusCode::OK,
        StateDoc {
            emulator,
            projects,
            now,
        },
        timeout,
    )
}

/// The whole state, as [`StateBody`] writes it, read page by page.
pub(in crate::http) struct StateDoc {
    emulator: Arc<Emulator>,
    projects: Vec<ProjectId>,
    now: DateTime<Utc>,
}

impl Serialize for StateDoc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("StateBody", 4)?;
        s.serialize_field("now", &format_api_time(self.now))?;
        s.serialize_field("clock", self.emulator.clock.mode().as_str())?;
        s.serialize_field(
            "lifecycle",
            &LifecycleBody::from(self.emulator.store.lifecycle()),
        )?;
        s.serialize_field("projects", &ProjectStates(self))?;
        s.end()
    }
}

pub(in crate::http) struct ProjectStates<'a>(&'a StateDoc);

impl Serialize for ProjectStates<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let store = &self.0.emulator.store;
        let mut seq = serializer.serialize_seq(None)?;
        for id in &self.0.projects {
            if let Some(head) = store.project_head(id, self.0.now) {
                seq.serialize_element(&ProjectStateDoc { store, id, head })?;
            }
        }
        seq.end()
    }
}

/// One project of the state, as [`ProjectStateBody`] writes it.
pub(in crate::http) struct ProjectStateDoc<'a> {
    store: &'a crate::store::Store,
    id: &'a ProjectId,
    head: crate::store::ProjectHead,
}

impl Serialize for ProjectStateDoc<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Backups<'a>(&'a ProjectStateDoc<'a>);
        impl Serialize for Backups<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let p = self.0;
                let mut seq = serializer.serialize_seq(None)?;
                walk_pages(
                    |after| p.store.backup_page(p.id, p.head.epoch, after),
                    |b| seq.serialize_element(&backup_state_body(b)),
                )?;
                seq.end()
            }
        }
        struct Jobs<'a>(&'a ProjectStateDoc<'a>);
        impl Serialize for Jobs<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let p = self.0;
                let mut seq = serializer.serialize_seq(None)?;
                walk_pages(
                    |after| p.store.job_page(p.id, p.head.epoch, after),
                    |j| seq.serialize_element(&JobResponse::from(j).job),
                )?;
                seq.end()
            }
        }
        let h = &self.head;
        let mut s = serializer.serialize_struct("ProjectStateBody", 9)?;
        s.serialize_field("id", self.id.as_str())?;
        s.serialize_field("name", &h.name)?;
        s.serialize_field("tokens", &h.tokens)?;
        let instances: Vec<InstanceListItem> = h
            .instances
            .iter()
            .cloned()
            .map(InstanceListItem::from)
            .collect();
        s.serialize_field("instances", &instances)?;
        s.serialize_field("instance_count", &h.instances.len())?;
        s.serialize_field("backups", &Backups(self))?;
        s.serialize_field("backup_count", &self.store.project_counts(self.id).0)?;
        s.serialize_field("jobs", &Jobs(self))?;
        s.serialize_field("job_count", &self.store.project_counts(self.id).1)?;
        s.end()
    }
}

/// A backup of the state view.
pub(in crate::http) fn backup_state_body(b: crate::store::BackupState) -> BackupStateBody {
    BackupStateBody {
        backup: BackupItem::from(b.view),
        finishes: describe(b.completion),
        fail_reason: b.fail_reason,
    }
}

/// `POST /_emulator/reset[?project_id=]`: back to the starting fixtures — one project, or
/// everything (projects, lifecycle, backup failure rules and request faults).
pub(in crate::http) async fn reset(
    State(emulator): State<Arc<Emulator>>,
    ApiQuery(param): ApiQuery<ProjectParam>,
) -> Response {
    let project = param.project();
    if let Err(problem) = emulator.store.reset(project.as_ref(), emulator.clock.now()) {
        tracing::error!("reset: the starting fixtures do not read back: {problem}");
        return ApiError::Internal.into_response();
    }
    if project.is_none() {
        emulator.faults.clear();
    }
    json(StatusCode::OK, &Done { status: "reset" })
}

#[derive(Serialize)]
pub(in crate::http) struct Loaded {
    projects: Vec<String>,
}

/// `POST /_emulator/fixtures`: adds the document's projects, each replacing any project of the
/// same id whole (same format as `--fixtures`).
pub(in crate::http) async fn fixtures(
    State(emulator): State<Arc<Emulator>>,
    ApiJson(file): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    let file: FixturesFile = serde_json::from_value(file).map_err(|e| bad(e.to_string()))?;
    let fixtures = Fixtures::to_apply(file).map_err(bad)?;
    emulator
        .store
        .apply_fixtures(&fixtures, emulator.clock.now())
        .map_err(bad)?;
    Ok(json(
        StatusCode::OK,
        &Loaded {
            projects: fixtures.projects.iter().map(|p| p.id.to_string()).collect(),
        },
    ))
}

/// `GET /_emulator/snapshot[?project_id=]`: the state as a fixtures document; posting it to
/// `/_emulator/fixtures` restores it.
pub(in crate::http) async fn snapshot(
    State(emulator): State<Arc<Emulator>>,
    ApiQuery(param): ApiQuery<ProjectParam>,
) -> Response {
    let snapshot = Snapshot::new(emulator.store.clone(), param.project().as_ref());
    streamed_json(StatusCode::OK, snapshot, emulator.settings.body_timeout)
}
