//! The store's side of the emulated IAM: which project a token or an access key belongs to,
//! tokens issued for users' passwords (or other tokens), and projects by name. Keystone's
//! wire format and errors are the HTTP layer's.

use chrono::{DateTime, Utc};

use super::Store;
use super::state::IssuedToken;
use crate::domain::ProjectId;
use crate::domain::identity::{Identity, Issued, Scope, TOKEN_LIFETIME, TokenRequest, same_secret};
use crate::signature::SigningKey;

impl Store {
    /// The project a token is valid for: a fixtures token, or one the emulator's IAM issued
    /// that has not expired by `now`.
    pub fn token_project(&self, token: &str, now: DateTime<Utc>) -> Option<ProjectId> {
        self.read().token_owner(token, now)
    }

    /// The secret key and project of an access key.
    pub fn access_key(&self, access_key: &str) -> Option<(SigningKey, ProjectId)> {
        self.read().access_keys.get(access_key).cloned()
    }

    /// Issues a token for `request` (`POST /v3/auth/tokens`). In `strict` auth the user (or
    /// token) must be known and belong to the project of the scope; in `loose` auth anyone
    /// gets a token for any project named by id, or for the first project with the name.
    pub fn issue_token(
        &self,
        request: &TokenRequest,
        strict: bool,
        now: DateTime<Utc>,
    ) -> Option<Issued> {
        let mut state = self.write();
        // Whose project the credentials are for, in strict auth.
        let (owner, user_name, domain_name, method) = match &request.identity {
            Identity::Password {
                user,
                password,
                domain,
            } => {
                let owner = if strict {
                    let mut found = state
                        .projects
                        .iter()
                        .flat_map(|(pid, p)| p.users.iter().map(move |u| (pid, u)));
                    let (pid, _) = found.find(|(_, u)| {
                        &u.name == user
                            && same_secret(&u.password, password)
                            && (domain.is_none() || u.domain.is_none() || u.domain == *domain)
                    })?;
                    Some(pid.clone())
                } else {
                    None
                };
                (owner, user.clone(), domain.clone(), "password")
            }
            Identity::Token(token) => {
                let owner = if strict {
                    Some(state.token_owner(token, now)?)
                } else if token.is_empty() {
                    return None;
                } else {
                    None
                };
                (owner, "emulator-user".to_owned(), None, "token")
            }
        };
        let name_of = |pid: &ProjectId| state.projects.get(pid).map(|p| p.name.to_string());
        let domain_name = domain_name.unwrap_or_else(|| "emulator".to_owned());
        let project = match &request.scope {
            Scope::ProjectId(id) => {
                let pid = ProjectId::from_path(id);
                if owner.as_ref().is_some_and(|o| o != &pid) {
                    return None;
                }
                let name = name_of(&pid).unwrap_or_else(|| "eu-de".to_owned());
                Some((pid, name))
            }
            Scope::ProjectName(name) => {
                let mut named: Vec<&ProjectId> = state
                    .projects
                    .iter()
                    .filter(|(pid, p)| p.name == name && owner.as_ref().is_none_or(|o| o == *pid))
                    .map(|(pid, _)| pid)
                    .collect();
                named.sort();
                let pid = named.first().map(|p| (*p).clone())?;
                Some((pid, name.clone()))
            }
            // A password user's own domain only (by name, or the `{name}-id` token bodies
            // report); a token was checked above.
            Scope::Domain(asked) => {
                let own = *asked == domain_name || *asked == format!("{domain_name}-id");
                if strict && method == "password" && !own {
                    return None;
                }
                None
            }
        };
        let token = format!(
            "MIIemu{:032x}{:032x}",
            state.ids.next_u128(),
            state.ids.next_u128()
        );
        let expires_at = now + TOKEN_LIFETIME;
        // A domain-scoped token is not kept: it is valid for no project's API.
        if let Some((project_id, _)) = &project {
            state.keep_issued(
                token.clone(),
                IssuedToken {
                    project_id: project_id.clone(),
                    expires_at,
                },
                now,
            );
        }
        Some(Issued {
            token,
            method,
            user_name,
            domain_name,
            project: project.map(|(id, name)| (id.to_string(), name)),
            issued_at: now,
            expires_at,
        })
    }

    /// How many tokens the emulator's IAM keeps now (expired ones go as new ones come).
    pub fn issued_token_count(&self) -> usize {
        self.read().issued.len()
    }

    /// A project's name (its region, or `region_subproject`), if the project exists.
    pub fn project_name(&self, project_id: &ProjectId) -> Option<String> {
        self.read()
            .projects
            .get(project_id)
            .map(|p| p.name.to_string())
    }

    /// Projects by name (all without one), sorted by id; only `visible_to` when given.
    pub fn projects_named(
        &self,
        name: Option<&str>,
        visible_to: Option<&ProjectId>,
    ) -> Vec<(ProjectId, String)> {
        let state = self.read();
        let mut found: Vec<(ProjectId, String)> = state
            .projects
            .iter()
            .filter(|(pid, p)| {
                name.is_none_or(|n| p.name == n) && visible_to.is_none_or(|v| v == *pid)
            })
            .map(|(pid, p)| (pid.clone(), p.name.to_string()))
            .collect();
        found.sort();
        found
    }
}
