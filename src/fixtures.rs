//! The starting state: projects, their tokens and their instances, read from JSON.
//!
//! Without `--fixtures` the emulator starts from `fixtures/default.json`, compiled into the
//! binary. The format is documented in the README; unknown keys are refused so that a typo is
//! reported rather than silently ignored.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use crate::domain::{Instance, InstanceId, InstanceStatus, ProjectId};

/// The built-in starting state (the documentation's example project and instance).
pub const DEFAULT_FIXTURES: &str = include_str!("../fixtures/default.json");

/// A validated starting state.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixtures {
    pub projects: Vec<ProjectSeed>,
}

/// One project of the starting state.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSeed {
    pub id: ProjectId,
    pub name: String,
    /// Tokens accepted for this project in `strict` auth.
    pub tokens: Vec<String>,
    pub instances: Vec<Instance>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixturesFile {
    projects: Vec<ProjectFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    tokens: Vec<String>,
    #[serde(default)]
    instances: Vec<InstanceFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceFile {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

impl Fixtures {
    /// The built-in defaults.
    pub fn builtin() -> Self {
        Self::parse(DEFAULT_FIXTURES).expect("fixtures/default.json is valid")
    }

    /// Reads and validates a fixtures file; the error names the file and the problem.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read fixtures file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("invalid fixtures file {}: {e}", path.display()))
    }

    /// Parses and validates fixtures JSON.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: FixturesFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut project_ids = HashSet::new();
        let mut tokens = HashSet::new();
        let mut instance_ids = HashSet::new();
        let mut projects = Vec::with_capacity(file.projects.len());
        for (p, project) in file.projects.into_iter().enumerate() {
            let at = format!("projects[{p}]");
            let id = ProjectId::parse(&project.id).map_err(|e| format!("{at}.id: {e}"))?;
            if !project_ids.insert(id.clone()) {
                return Err(format!("{at}.id: project {id} is listed twice"));
            }
            for (t, token) in project.tokens.iter().enumerate() {
                if token.is_empty() {
                    return Err(format!("{at}.tokens[{t}]: a token cannot be empty"));
                }
                if !tokens.insert(token.clone()) {
                    return Err(format!(
                        "{at}.tokens[{t}]: token {token:?} is given to more than one project"
                    ));
                }
            }
            let mut instances = Vec::with_capacity(project.instances.len());
            for (i, instance) in project.instances.into_iter().enumerate() {
                let at = format!("{at}.instances[{i}]");
                let id = InstanceId::parse(&instance.id).map_err(|_| {
                    format!(
                        "{at}.id: {:?} is not an instance id (1 to 64 letters, digits or hyphens, \
                         e.g. 07033b125fd94a8a96896f8bcfee6ddain07)",
                        instance.id
                    )
                })?;
                if !instance_ids.insert(id.clone()) {
                    return Err(format!("{at}.id: instance {id} is listed twice"));
                }
                let status = match instance.status.as_deref() {
                    None => InstanceStatus::Active,
                    Some(s) => InstanceStatus::parse(s).ok_or_else(|| {
                        format!(
                            "{at}.status: {s:?} is not an instance status (one of {})",
                            InstanceStatus::all_names().join(", ")
                        )
                    })?,
                };
                if status == InstanceStatus::BackingUp {
                    return Err(format!(
                        "{at}.status: BACKING UP is derived from a building backup and cannot be set"
                    ));
                }
                let name = instance.name.unwrap_or_else(|| {
                    format!("taurusdb-{}", &id.as_str()[..4.min(id.as_str().len())])
                });
                instances.push(Instance {
                    id,
                    name,
                    base_status: status,
                    building: None,
                });
            }
            projects.push(ProjectSeed {
                id,
                name: project.name.unwrap_or_else(|| "eu-de".to_owned()),
                tokens: project.tokens,
                instances,
            });
        }
        Ok(Self { projects })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_defaults_hold_the_documentation_example() {
        let f = Fixtures::builtin();
        assert_eq!(f.projects.len(), 1);
        let project = &f.projects[0];
        assert_eq!(project.id.as_str(), "619d3e78f61b4be68bc5aa0b59edcf7b");
        assert_eq!(
            project.instances[0].id.as_str(),
            "07033b125fd94a8a96896f8bcfee6ddain07"
        );
        assert_eq!(project.instances[0].base_status, InstanceStatus::Active);
    }

    #[test]
    fn omitted_fields_get_defaults() {
        let f = Fixtures::parse(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"0123456789abcdef0123456789abcdefin07"}]}]}"#,
        )
        .unwrap();
        let p = &f.projects[0];
        assert_eq!(p.name, "eu-de");
        assert!(p.tokens.is_empty());
        assert_eq!(p.instances[0].name, "taurusdb-0123");
        assert_eq!(p.instances[0].base_status, InstanceStatus::Active);
    }

    fn problem(text: &str) -> String {
        Fixtures::parse(text).unwrap_err()
    }

    #[test]
    fn malformed_fixtures_name_the_problem() {
        assert!(problem("{").contains("EOF"));
        assert!(problem(r#"{"projects":[{"id":"x"}]}"#).contains("projects[0].id"));
        assert!(problem(r#"{"projets":[]}"#).contains("unknown field `projets`"));
        let bad_status = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"abcin07","status":"RUNNING"}]}]}"#,
        );
        assert!(
            bad_status.contains("projects[0].instances[0].status"),
            "{bad_status}"
        );
        assert!(bad_status.contains("ACTIVE"), "{bad_status}");
    }

    #[test]
    fn duplicates_are_refused() {
        let twice = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef","tokens":["t"]},
                            {"id":"fedcba9876543210fedcba9876543210","tokens":["t"]}]}"#,
        );
        assert!(twice.contains("more than one project"), "{twice}");
        let instance_twice = problem(
            r#"{"projects":[{"id":"0123456789abcdef0123456789abcdef",
                "instances":[{"id":"abcin07"},{"id":"abcin07"}]}]}"#,
        );
        assert!(instance_twice.contains("listed twice"), "{instance_twice}");
    }
}
