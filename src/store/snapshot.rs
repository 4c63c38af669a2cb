//! A project's state written as fixtures, so that posting it back restores it exactly.
//!
//! The document is written page by page: [`Snapshot`] serializes itself taking the store's read
//! lock for one page of [`PAGE`] backups at a time, so that writing a store of any size costs a
//! page of memory and holds up no change for longer than a page. A snapshot of a store that
//! changes meanwhile is therefore taken over that time: each backup as it was when its page
//! was read.

use std::sync::Arc;

use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use std::ops::Bound;

use super::Store;
use super::completion::Completion;
use super::pages::PAGE;
use super::pages::walk_pages;
use super::project::{OwnJob, Project, SortKey, StoredBackup};
use crate::domain::instance_change::InstanceChange;
use crate::domain::time::write_time;
use crate::domain::{BackupStatus, JobKind, ProjectId, RestorePoint, RestoreSource};
use crate::fixtures::file::{
    BackupFile, CatalogFile, FixturesFile, InstanceFile, JobFile, NetworkFile, ProjectFile,
};
use crate::fixtures::parts::QuotasFile;

impl Store {
    /// One project (or every project) as a fixtures document, whole in memory.
    pub fn snapshot(&self, project_id: Option<&ProjectId>) -> FixturesFile {
        let ids = self.project_list(project_id);
        let projects = ids
            .iter()
            .filter_map(|id| {
                let (mut file, epoch, _) = self.snapshot_head(id)?;
                let _ = walk_pages(
                    |after| self.snapshot_page(id, epoch, after),
                    |backup| {
                        file.backups.push(backup);
                        Ok::<_, ()>(())
                    },
                );
                Some(file)
            })
            .collect();
        FixturesFile {
            catalog: CatalogFile::from_catalog(&self.catalog()),
            projects,
        }
    }

    /// The ids of every project, or of `only` if it exists, sorted.
    pub fn project_list(&self, only: Option<&ProjectId>) -> Vec<ProjectId> {
        let state = self.read();
        state.project_ids(only).into_iter().cloned().collect()
    }

    /// A project's fixtures without its backups, and its epoch (which tells whether it is
    /// still the same project when its pages are read).
    fn snapshot_head(&self, id: &ProjectId) -> Option<(ProjectFile, u64, bool)> {
        let state = self.read();
        let project = state.projects.get(id)?;
        let has_backups = !project.newest_first.is_empty();
        Some((project_head(id, project), project.epoch, has_backups))
    }

    /// The next page of a project's backups, oldest first, after `after`; `None` when the
    /// project is gone or was replaced. The second value is where the next page starts, if
    /// there may be one.
    fn snapshot_page(
        &self,
        id: &ProjectId,
        epoch: u64,
        after: Option<SortKey>,
    ) -> Option<(Vec<BackupFile>, Option<SortKey>)> {
        let state = self.read();
        let project = state.projects.get(id).filter(|p| p.epoch == epoch)?;
        // Oldest first is the index read backwards: keys before `after`, from the end.
        let until = after.map_or(Bound::Unbounded, Bound::Excluded);
        let keys = project.newest_first.range((Bound::Unbounded, until));
        let page: Vec<(SortKey, BackupFile)> = keys
            .rev()
            .take(PAGE)
            .filter_map(|(key, bid)| Some((*key, backup_file(project, project.backups.get(bid)?))))
            .collect();
        let next = (page.len() == PAGE).then(|| page[PAGE - 1].0);
        Some((page.into_iter().map(|(_, b)| b).collect(), next))
    }
}

/// The snapshot document of one project (or all), written page by page.
pub struct Snapshot {
    store: Arc<Store>,
    /// The catalogue's lists that are not the built-in ones.
    catalog: Option<CatalogFile>,
    projects: Vec<ProjectId>,
}

impl Snapshot {
    pub fn new(store: Arc<Store>, only: Option<&ProjectId>) -> Self {
        let projects = store.project_list(only);
        let catalog = CatalogFile::from_catalog(&store.catalog());
        Self {
            store,
            catalog,
            projects,
        }
    }

    /// The projects it writes, in order.
    pub fn projects(&self) -> &[ProjectId] {
        &self.projects
    }

    /// Writes the `projects` array's items; for documents that add keys around it.
    pub fn project_items(&self) -> ProjectItems<'_> {
        ProjectItems(self)
    }
}

impl Serialize for Snapshot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(catalog) = &self.catalog {
            map.serialize_entry("catalog", catalog)?;
        }
        map.serialize_entry("projects", &ProjectItems(self))?;
        map.end()
    }
}

/// The projects of a [`Snapshot`], as a JSON array.
pub struct ProjectItems<'a>(&'a Snapshot);

impl Serialize for ProjectItems<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let store = &self.0.store;
        let mut seq = serializer.serialize_seq(None)?;
        for id in &self.0.projects {
            // A project removed since the list was taken is left out.
            if let Some((head, epoch, has_backups)) = store.snapshot_head(id) {
                seq.serialize_element(&ProjectDoc {
                    store,
                    id,
                    epoch,
                    head,
                    has_backups,
                })?;
            }
        }
        seq.end()
    }
}

/// One project: its head as taken, its backups page by page.
struct ProjectDoc<'a> {
    store: &'a Store,
    id: &'a ProjectId,
    epoch: u64,
    head: ProjectFile,
    has_backups: bool,
}

impl Serialize for ProjectDoc<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The fields of `ProjectFile`, in its order, with its rules for leaving them out.
        let h = &self.head;
        let mut s = serializer.serialize_struct("ProjectFile", 10)?;
        s.serialize_field("id", &h.id)?;
        if h.name.is_some() {
            s.serialize_field("name", &h.name)?;
        }
        s.serialize_field("tokens", &h.tokens)?;
        s.serialize_field("instances", &h.instances)?;
        if self.has_backups {
            s.serialize_field(
                "backups",
                &BackupPages {
                    store: self.store,
                    id: self.id,
                    epoch: self.epoch,
                },
            )?;
        }
        if !h.jobs.is_empty() {
            s.serialize_field("jobs", &h.jobs)?;
        }
        if !h.credentials.is_empty() {
            s.serialize_field("credentials", &h.credentials)?;
        }
        if !h.users.is_empty() {
            s.serialize_field("users", &h.users)?;
        }
        if h.network.is_some() {
            s.serialize_field("network", &h.network)?;
        }
        if h.quotas.is_some() {
            s.serialize_field("quotas", &h.quotas)?;
        }
        s.end()
    }
}

/// A project's backups, oldest first, read a page at a time.
struct BackupPages<'a> {
    store: &'a Store,
    id: &'a ProjectId,
    epoch: u64,
}

impl Serialize for BackupPages<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        walk_pages(
            |after| self.store.snapshot_page(self.id, self.epoch, after),
            |backup| seq.serialize_element(&backup),
        )?;
        seq.end()
    }
}

/// A project's fixtures, but for its backups. Jobs of existing backups follow from them;
/// only the others are written. Taking them now, before the backups' pages, means a backup
/// deleted while its page is still to come loses its job from the snapshot, rather than
/// having it written twice.
fn project_head(id: &ProjectId, project: &Project) -> ProjectFile {
    let mut instances: Vec<InstanceFile> = project
        .instances
        .values()
        .map(|i| InstanceFile::from_instance(i))
        .collect();
    instances.sort_by(|a, b| a.id.cmp(&b.id));
    let mut tokens = project.tokens.clone();
    tokens.sort();
    ProjectFile {
        id: id.to_string(),
        name: Some(project.name.to_string()),
        tokens,
        instances,
        backups: Vec::new(),
        jobs: project.own_jobs().into_iter().map(job_file).collect(),
        credentials: project.credentials.clone(),
        users: project.users.clone(),
        network: NetworkFile::from_network(project.own_network()),
        quotas: QuotasFile::from_quotas(project.instance_quota, &project.quotas),
    }
}

fn backup_file(project: &Project, stored: &StoredBackup) -> BackupFile {
    let b = &stored.backup;
    let building = b.status == BackupStatus::Building;
    let completion = project.completion(b.id.as_str());
    let (finish_at, finish_on_advance, reads_left, held) = completion_fields(completion);
    BackupFile {
        id: Some(b.id.to_string()),
        instance_id: b.instance_id.to_string(),
        name: Some(b.name().to_owned()),
        description: Some(b.description().to_owned()),
        backup_type: Some(b.backup_type.as_str().to_owned()),
        status: Some(b.status.as_str().to_owned()),
        begin_time: write_time(b.begin_time),
        end_time: b.end_time.map(write_time),
        size: (!building).then_some(u64::from(b.size_mb)),
        job_id: b.job_id.map(|j| j.to_string()),
        fail_reason: project.fail_reason(b.id.as_str()).map(str::to_owned),
        finish_at,
        finish_on_advance,
        reads_left,
        held,
    }
}

fn job_file(own: &OwnJob) -> JobFile {
    let j = &own.job;
    let (finish_at, finish_on_advance, reads_left, held) = completion_fields(own.completion);
    let (job_type, backup_id, source_instance_id, restore_time) = match &j.kind {
        JobKind::Backup(id) => ("backup", Some(id.to_string()), None, None),
        JobKind::Restore(source) => restore_fields("restore", Some(source)),
        JobKind::CreateInstance(source) => restore_fields("create_instance", source.as_ref()),
        JobKind::Change(change) => (change_type(change), None, None, None),
    };
    JobFile {
        id: j.id.to_string(),
        job_type: (job_type != "backup").then(|| job_type.to_owned()),
        backup_id,
        source_instance_id,
        restore_time,
        new_name: match &j.kind {
            JobKind::Change(InstanceChange::Rename { name, .. }) => Some(name.clone()),
            _ => None,
        },
        rename_nodes: match &j.kind {
            JobKind::Change(InstanceChange::Rename { nodes_too, .. }) => Some(*nodes_too),
            _ => None,
        },
        flavor_ref: match &j.kind {
            JobKind::Change(InstanceChange::Resize { flavor }) => Some(flavor.clone()),
            _ => None,
        },
        port: match &j.kind {
            JobKind::Change(InstanceChange::Port(port)) => Some(*port),
            _ => None,
        },
        monitor_period: match &j.kind {
            JobKind::Change(InstanceChange::Monitoring(period)) => *period,
            _ => None,
        },
        node_id: match &j.kind {
            JobKind::Change(change) => change.node().map(ToString::to_string),
            _ => None,
        },
        proxy_change: match &j.kind {
            JobKind::Change(InstanceChange::Proxy(change)) => Some(change.clone()),
            _ => None,
        },
        sql_filter_change: match &j.kind {
            JobKind::Change(InstanceChange::SqlFilter(change)) => Some(change.clone()),
            _ => None,
        },
        instance_id: j.instance_id.to_string(),
        instance_name: Some(j.instance_name.clone()),
        status: j.status.as_str().to_owned(),
        created: write_time(j.created),
        ended: j.ended.map(write_time),
        fail_reason: j
            .fail_reason
            .clone()
            .or_else(|| own.bound_failure.as_deref().map(str::to_owned)),
        finish_at,
        finish_on_advance,
        reads_left,
        held,
    }
}

/// The file's `type` of a change job.
fn change_type(change: &InstanceChange) -> &'static str {
    match change {
        InstanceChange::Delete => "delete_instance",
        InstanceChange::Rename { .. } => "rename_instance",
        InstanceChange::Resize { .. } => "resize_flavor",
        InstanceChange::Port(_) => "change_port",
        InstanceChange::Monitoring(_) => "set_monitoring",
        InstanceChange::AddNode(_) => "add_node",
        InstanceChange::DeleteNode(_) => "delete_node",
        InstanceChange::Proxy(_) => "proxy",
        InstanceChange::SqlFilter(_) => "sql_filter",
    }
}

/// A job's type, and its restore source as `backup_id`, `source_instance_id` and
/// `restore_time`.
fn restore_fields(
    job_type: &'static str,
    source: Option<&RestoreSource>,
) -> (&'static str, Option<String>, Option<String>, Option<String>) {
    let Some(source) = source else {
        return (job_type, None, None, None);
    };
    let (backup_id, restore_time) = match &source.point {
        RestorePoint::Backup(id) => (Some(id.to_string()), None),
        RestorePoint::Time(t) => (None, Some(write_time(*t))),
    };
    (
        job_type,
        backup_id,
        Some(source.instance_id.to_string()),
        restore_time,
    )
}

/// How a running thing finishes, as the file's `finish_at`, `finish_on_advance`, `reads_left`
/// and `held`.
fn completion_fields(completion: Completion) -> (Option<String>, bool, Option<u32>, bool) {
    match completion {
        Completion::At(at) => (Some(write_time(at)), false, None, false),
        Completion::OnAdvance(at) => (Some(write_time(at)), true, None, false),
        Completion::AfterReads(n) => (None, false, Some(n), false),
        Completion::Held => (None, false, None, true),
        Completion::Done => (None, false, None, false),
    }
}
