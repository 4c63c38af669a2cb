//! Who may call the API: `X-Auth-Token` (fixtures tokens or tokens the emulator's IAM issued)
//! and `SDK-HMAC-SHA256` AK/SK signatures, under `--auth loose|strict`.

use chrono::{DateTime, Utc};

use crate::domain::ProjectId;
use crate::error::ApiError;
use crate::signature::{self, Authorization, MAX_SKEW};
use crate::store::Store;

/// How requests are authenticated, as chosen by `--auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Any non-empty `X-Auth-Token` is accepted for any project.
    Loose,
    /// Only the fixtures' tokens, tokens the emulator's IAM issued and AK/SK signatures made
    /// with the fixtures' keys, each on its own project's paths.
    Strict,
}

impl AuthMode {
    /// Every mode.
    pub const ALL: [Self; 2] = [Self::Loose, Self::Strict];

    /// The mode's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::Loose => "loose",
            AuthMode::Strict => "strict",
        }
    }

    /// What the mode accepts, as `--help` says it.
    pub fn describe(self) -> &'static str {
        match self {
            AuthMode::Loose => "Any non-empty `X-Auth-Token` is accepted for any project",
            AuthMode::Strict => {
                "Only the fixtures' tokens, tokens the emulator's IAM issued and AK/SK signatures \
                 made with the fixtures' keys, each on its own project's paths"
            }
        }
    }
}

/// The credentials a request came with.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller<'a> {
    /// Neither a token nor a signature.
    Anonymous,
    /// An `X-Auth-Token` (possibly empty), borrowed from the request.
    Token(&'a str),
    /// An AK/SK signature, already checked against the raw request.
    Signed(SignedCheck),
}

/// The outcome of checking a signature: in `strict` auth the project of a verified access
/// key; in `loose` auth `None` (any well-formed signature is accepted).
#[derive(Debug, Clone, PartialEq)]
pub struct SignedCheck {
    pub outcome: Result<Option<ProjectId>, ApiError>,
}

/// The gateway's answer to any AK/SK problem.
const SIGNATURE_FAILED: ApiError = ApiError::Unauthenticated("verify aksk signature fail");

/// Checks an `Authorization` header that starts with `SDK-`: its form, and in `strict` auth
/// the access key, the `X-Sdk-Date` (within 15 minutes of `now`) and the signature itself.
pub fn check_signature(
    mode: AuthMode,
    store: &Store,
    authorization: &str,
    request: &signature::Request<'_>,
    now: DateTime<Utc>,
) -> SignedCheck {
    let outcome = (|| {
        let auth = Authorization::parse(authorization).ok_or(SIGNATURE_FAILED)?;
        let sdk_date = (request.header)("x-sdk-date").ok_or(SIGNATURE_FAILED)?;
        let signed_at = signature::parse_sdk_date(sdk_date).ok_or(SIGNATURE_FAILED)?;
        if mode == AuthMode::Loose {
            return Ok(None);
        }
        let (secret_key, project) = store.access_key(auth.access_key).ok_or(SIGNATURE_FAILED)?;
        if (signed_at - now).abs() > MAX_SKEW {
            return Err(SIGNATURE_FAILED);
        }
        let verified = signature::verify_request(&secret_key, request, &auth, sdk_date)
            .map_err(|_| SIGNATURE_FAILED)?;
        if verified {
            Ok(Some(project))
        } else {
            Err(SIGNATURE_FAILED)
        }
    })();
    SignedCheck { outcome }
}

/// The project the caller's credentials belong to: `Ok(None)` when they are good for any
/// project (`loose` auth). Missing, empty, unknown or expired credentials are 401.
pub fn caller_project(
    mode: AuthMode,
    store: &Store,
    caller: &Caller<'_>,
    now: DateTime<Utc>,
) -> Result<Option<ProjectId>, ApiError> {
    match caller {
        Caller::Anonymous => Err(ApiError::Unauthenticated("x-auth-token not found")),
        Caller::Token("") => Err(ApiError::Unauthenticated("x-auth-token not found")),
        Caller::Token(_) if mode == AuthMode::Loose => Ok(None),
        Caller::Token(token) => store
            .token_project(token, now)
            .map(Some)
            .ok_or(ApiError::Unauthenticated("decrypt token fail")),
        Caller::Signed(check) => check.outcome.clone(),
    }
}

/// Decides whether the caller may act on `project`: its credentials must be good, and (in
/// `strict` auth) belong to that project, else 403 `DBS.280056`.
pub fn authorize(
    mode: AuthMode,
    store: &Store,
    caller: &Caller<'_>,
    project: &ProjectId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    owns(caller_project(mode, store, caller, now)?.as_ref(), project)
}

/// Whether credentials of `owner` (none: good for any project) may act on `project`.
pub fn owns(owner: Option<&ProjectId>, project: &ProjectId) -> Result<(), ApiError> {
    match owner {
        Some(owner) if owner != project => Err(ApiError::TokenProjectMismatch),
        _ => Ok(()),
    }
}

pub use crate::domain::identity::same_secret;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;

    fn store() -> Store {
        Store::new(
            &Fixtures::builtin(),
            chrono::DateTime::UNIX_EPOCH,
            Default::default(),
            crate::domain::IdSource::new(1),
        )
    }

    fn project(id: &str) -> ProjectId {
        ProjectId::from_path(id)
    }

    const HOME: &str = "619d3e78f61b4be68bc5aa0b59edcf7b";
    const TOKEN: &str = "taurusdb-emulator-token";
    const NOW: DateTime<Utc> = DateTime::UNIX_EPOCH;

    fn token(t: &str) -> Caller<'_> {
        Caller::Token(t)
    }

    #[test]
    fn a_missing_or_empty_token_is_refused_in_both_modes() {
        let store = store();
        for mode in [AuthMode::Loose, AuthMode::Strict] {
            for caller in [Caller::Anonymous, token("")] {
                assert_eq!(
                    authorize(mode, &store, &caller, &project(HOME), NOW),
                    Err(ApiError::Unauthenticated("x-auth-token not found"))
                );
            }
        }
    }

    #[test]
    fn loose_accepts_any_token_on_any_project() {
        let store = store();
        assert_eq!(
            authorize(
                AuthMode::Loose,
                &store,
                &token("anything"),
                &project("other"),
                NOW
            ),
            Ok(())
        );
    }

    #[test]
    fn strict_accepts_a_fixtures_token_only_on_its_project() {
        let store = store();
        assert_eq!(
            authorize(AuthMode::Strict, &store, &token(TOKEN), &project(HOME), NOW),
            Ok(())
        );
        assert_eq!(
            authorize(
                AuthMode::Strict,
                &store,
                &token(TOKEN),
                &project("0123456789abcdef0123456789abcdef"),
                NOW
            ),
            Err(ApiError::TokenProjectMismatch)
        );
        assert_eq!(
            authorize(
                AuthMode::Strict,
                &store,
                &token("guess"),
                &project(HOME),
                NOW
            ),
            Err(ApiError::Unauthenticated("decrypt token fail"))
        );
    }

    #[test]
    fn a_signature_check_decides_for_a_signed_caller() {
        let store = store();
        let ok = Caller::Signed(SignedCheck {
            outcome: Ok(Some(project(HOME))),
        });
        assert_eq!(
            authorize(AuthMode::Strict, &store, &ok, &project(HOME), NOW),
            Ok(())
        );
        assert_eq!(
            authorize(AuthMode::Strict, &store, &ok, &project("other"), NOW),
            Err(ApiError::TokenProjectMismatch)
        );
        let bad = Caller::Signed(SignedCheck {
            outcome: Err(SIGNATURE_FAILED),
        });
        assert_eq!(
            authorize(AuthMode::Strict, &store, &bad, &project(HOME), NOW),
            Err(SIGNATURE_FAILED)
        );
    }

    #[test]
    fn secrets_are_equal_only_when_every_byte_is() {
        assert!(same_secret("emulator-password", "emulator-password"));
        assert!(!same_secret("emulator-passwore", "emulator-password"));
        assert!(!same_secret("emulator", "emulator-password"));
        assert!(!same_secret("", "x"));
    }
}
