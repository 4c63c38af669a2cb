//! Who the emulated IAM knows and what it issues: users, access keys, token requests and
//! issued tokens. The Keystone wire format is `iam`'s; this is what the store keeps.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// How long an issued token is valid, in emulator time.
pub const TOKEN_LIFETIME: TimeDelta = TimeDelta::hours(24);

/// An access key and its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub ak: String,
    pub sk: String,
}

/// An IAM user: name, password and domain (account) name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub password: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// Who asks for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Password {
        user: String,
        password: String,
        /// The user's domain name, when given.
        domain: Option<String>,
    },
    Token(String),
}

/// What the token is for: a project, or the user's domain (account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    ProjectId(String),
    ProjectName(String),
    /// The domain's name or id; such a token is valid for no project's API.
    Domain(String),
}

/// A validated `POST /v3/auth/tokens` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub identity: Identity,
    pub scope: Scope,
}

/// A token the emulator issued, with what its body reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub token: String,
    pub method: &'static str,
    pub user_name: String,
    pub domain_name: String,
    /// The project's id and name; none for a domain-scoped token.
    pub project: Option<(String, String)>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Whether two secrets (passwords, tokens) are equal, in time that does not depend on where
/// they first differ, so that a client cannot find a secret by timing its guesses.
pub fn same_secret(given: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}
