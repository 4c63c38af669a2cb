//! Who may call the API: the `X-Auth-Token` rules of `--auth loose|strict`.

use crate::config::AuthMode;
use crate::domain::ProjectId;
use crate::error::ApiError;
use crate::store::Store;

/// Decides whether `token` may act on `project`.
///
/// A missing or empty token is refused in both modes (401, as the gateway does). `loose`
/// accepts any other token; `strict` accepts only a fixtures token, and only on its own
/// project's paths (another project's path is 403 `DBS.280056`).
pub fn authorize(
    mode: AuthMode,
    store: &Store,
    token: Option<&str>,
    project: &ProjectId,
) -> Result<(), ApiError> {
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthenticated("x-auth-token not found"))?;
    match mode {
        AuthMode::Loose => Ok(()),
        AuthMode::Strict => match store.token_project(token) {
            None => Err(ApiError::Unauthenticated("decrypt token fail")),
            Some(owner) if &owner == project => Ok(()),
            Some(_) => Err(ApiError::TokenProjectMismatch),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;

    fn store() -> Store {
        Store::new(
            &Fixtures::builtin(),
            chrono::DateTime::UNIX_EPOCH,
            Default::default(),
            crate::domain::IdSource::Random,
        )
    }

    fn project(id: &str) -> ProjectId {
        ProjectId::from_path(id)
    }

    const HOME: &str = "619d3e78f61b4be68bc5aa0b59edcf7b";
    const TOKEN: &str = "taurusdb-emulator-token";

    #[test]
    fn a_missing_or_empty_token_is_refused_in_both_modes() {
        let store = store();
        for mode in [AuthMode::Loose, AuthMode::Strict] {
            for token in [None, Some("")] {
                assert_eq!(
                    authorize(mode, &store, token, &project(HOME)),
                    Err(ApiError::Unauthenticated("x-auth-token not found"))
                );
            }
        }
    }

    #[test]
    fn loose_accepts_any_token_on_any_project() {
        let store = store();
        assert_eq!(
            authorize(AuthMode::Loose, &store, Some("anything"), &project("other")),
            Ok(())
        );
    }

    #[test]
    fn strict_accepts_a_fixtures_token_only_on_its_project() {
        let store = store();
        assert_eq!(
            authorize(AuthMode::Strict, &store, Some(TOKEN), &project(HOME)),
            Ok(())
        );
        assert_eq!(
            authorize(
                AuthMode::Strict,
                &store,
                Some(TOKEN),
                &project("0123456789abcdef0123456789abcdef")
            ),
            Err(ApiError::TokenProjectMismatch)
        );
        assert_eq!(
            authorize(AuthMode::Strict, &store, Some("guess"), &project(HOME)),
            Err(ApiError::Unauthenticated("decrypt token fail"))
        );
    }
}
