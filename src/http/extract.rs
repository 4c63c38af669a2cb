//! Extractors whose every rejection is an [`ApiError`], so no framework error text ever reaches
//! a client. The raw axum extractors are banned elsewhere by `clippy.toml`.
//!
//! Handlers take them in check order: [`Authorized`] (token, then path), then [`ApiJson`]
//! (body), so when several things are wrong the first in that order answers.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use crate::auth::{self, Caller, SignedCheck};
use crate::domain::ProjectId;
use crate::emulator::Emulator;
use crate::error::ApiError;

/// A caller whose credentials are good for the `{project_id}` in the path.
#[derive(Debug, Clone)]
pub struct Authorized {
    pub project: ProjectId,
}

impl FromRequestParts<Arc<Emulator>> for Authorized {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        emulator: &Arc<Emulator>,
    ) -> Result<Self, Self::Rejection> {
        // The credentials are checked before the path, the path before the body.
        let now = request_time(emulator);
        let owner =
            auth::caller_project(emulator.settings.auth, &emulator.store, &caller(parts), now)?;
        let project = match project_segment(parts.uri.path()) {
            Some(plain) => ProjectId::from_path(plain),
            // Percent-encoded: decoded as every path parameter is.
            None => {
                let params = path_params(parts.uri.path())?;
                // Every API route's first parameter is the project.
                let project = params.first().ok_or(ApiError::ResourceNotFound)?;
                ProjectId::from_path(project)
            }
        };
        auth::owns(owner.as_ref(), &project)?;
        Ok(Self { project })
    }
}

/// A caller with good credentials, for the paths that name no project (Networking v2): the
/// project its credentials belong to, if they name one (in loose auth, a token the emulator
/// knows).
#[derive(Debug, Clone)]
pub struct Credentialed {
    pub project: Option<ProjectId>,
}

impl FromRequestParts<Arc<Emulator>> for Credentialed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        emulator: &Arc<Emulator>,
    ) -> Result<Self, Self::Rejection> {
        let now = request_time(emulator);
        let caller = caller(parts);
        let owner = auth::caller_project(emulator.settings.auth, &emulator.store, &caller, now)?;
        let project = owner.or_else(|| match caller {
            Caller::Token(token) => emulator.store.token_project(token, now),
            _ => None,
        });
        Ok(Self { project })
    }
}

/// The `{project_id}` of an API path (`[/mysql]/v3/{project_id}/…`), when it needs no
/// percent-decoding.
fn project_segment(path: &str) -> Option<&str> {
    let path = path.strip_prefix("/mysql").unwrap_or(path);
    let rest = path.strip_prefix("/v3/")?;
    // `find` and `contains` of one ASCII character search with memchr, not byte by byte.
    let segment = rest.find('/').map_or(rest, |end| &rest[..end]);
    (!segment.is_empty() && !segment.contains('%')).then_some(segment)
}

/// When the request arrived, in emulator time: read once, by the first step that needs it
/// (the stamp), and used by everything after it (credentials, the handler, the journal); the
/// clock's time for a request that came by another way.
pub fn request_time(emulator: &Emulator) -> DateTime<Utc> {
    super::request_id::time().unwrap_or_else(|| emulator.clock.now())
}

/// A handler's `now`: the request's time (see [`request_time`]).
#[derive(Debug, Clone, Copy)]
pub struct Now(pub DateTime<Utc>);

impl FromRequestParts<Arc<Emulator>> for Now {
    type Rejection = ApiError;

    async fn from_request_parts(
        _parts: &mut Parts,
        emulator: &Arc<Emulator>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(request_time(emulator)))
    }
}

/// The credentials of a request: `X-Auth-Token` first (as the capture server did when both
/// came), then a signature the signing middleware checked, else none.
pub fn caller(parts: &Parts) -> Caller<'_> {
    if let Some(value) = parts.headers.get("x-auth-token") {
        return match value.to_str() {
            Ok(token) => Caller::Token(token),
            // Not text: no token of ours looks like that.
            Err(_) => Caller::Token("\u{0}"),
        };
    }
    parts
        .extensions
        .get::<SignedCheck>()
        .cloned()
        .map_or(Caller::Anonymous, Caller::Signed)
}

/// Path parameters, in the order of the route's path: a `String` for a route with one,
/// `(String, String)` for one with two. A value that is not UTF-8 once percent-decoded, or a
/// count that does not fit `T`, is `DBS.200001`.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

/// What [`ApiPath`] can hold.
pub trait FromPathParams: Sized {
    /// From the decoded values, in the route's order; none when their count does not fit.
    fn from_params(values: Vec<String>) -> Option<Self>;
}

impl FromPathParams for String {
    fn from_params(values: Vec<String>) -> Option<Self> {
        let [value]: [String; 1] = values.try_into().ok()?;
        Some(value)
    }
}

impl FromPathParams for (String, String) {
    fn from_params(values: Vec<String>) -> Option<Self> {
        let [first, second]: [String; 2] = values.try_into().ok()?;
        Some((first, second))
    }
}

impl FromPathParams for (String, String, String) {
    fn from_params(values: Vec<String>) -> Option<Self> {
        let [first, second, third]: [String; 3] = values.try_into().ok()?;
        Some((first, second, third))
    }
}

impl<S: Send + Sync, T: FromPathParams + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        T::from_params(path_params(parts.uri.path())?)
            .map(ApiPath)
            .ok_or(ApiError::Parameter)
    }
}

/// The percent-decoded values of a path's parameters (matched again here: only the routes
/// that take parameters other than the project pay for it).
fn path_params(path: &str) -> Result<Vec<String>, ApiError> {
    super::routes::path_params(path)
        .into_iter()
        .map(|raw| {
            percent_encoding::percent_decode_str(raw)
                .decode_utf8()
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| ApiError::Parameter)
        })
        .collect()
}

/// A JSON request body: empty is `DBS.200006`; too large is 413; a body that is not declared
/// as JSON, is not JSON, or does not fit `T` is `DBS.200001`.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<Emulator>> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(
        request: Request,
        emulator: &Arc<Emulator>,
    ) -> Result<Self, Self::Rejection> {
        let body = ApiBody::from_request(request, emulator).await?;
        body.parse().map(ApiJson)
    }
}

/// A JSON request body that may be left out (`DELETE` with or without one): empty is
/// `T::default()`; otherwise as [`ApiJson`].
#[derive(Debug, Clone)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<Arc<Emulator>> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(
        request: Request,
        emulator: &Arc<Emulator>,
    ) -> Result<Self, Self::Rejection> {
        match ApiBody::from_request(request, emulator).await {
            Err(ApiError::EmptyBody) => Ok(OptionalJson(T::default())),
            Err(e) => Err(e),
            Ok(body) => body.parse().map(OptionalJson),
        }
    }
}

/// A JSON request body as [`ApiJson`] checks it, kept as bytes: for a handler that reads it
/// with its texts borrowed from the body ([`ApiBody::parse`] into a type with `Cow` fields)
/// instead of copied, one allocation each.
#[derive(Debug, Clone)]
pub struct ApiBody(Bytes);

impl ApiBody {
    /// The body as `T`; what does not fit is `DBS.200001`.
    pub fn parse<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.0).map_err(|_| ApiError::Parameter)
    }
}

impl FromRequest<Arc<Emulator>> for ApiBody {
    type Rejection = ApiError;

    async fn from_request(
        request: Request,
        emulator: &Arc<Emulator>,
    ) -> Result<Self, Self::Rejection> {
        let declared_json = is_json(request.headers());
        let bytes = read_body(request, emulator).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::EmptyBody);
        }
        if !declared_json {
            return Err(ApiError::Parameter);
        }
        Ok(Self(bytes))
    }
}

/// The whole body, within the body limit (413) and the request timeout (408).
pub async fn read_body(request: Request, emulator: &Arc<Emulator>) -> Result<Bytes, ApiError> {
    let (parts, body) = request.into_parts();
    super::body::read(
        &parts.headers,
        body,
        super::body::BodyRules::of(&emulator.settings),
    )
    .await
}

/// Whether `Content-Type` is `application/json`, in any letter case and with any parameters
/// (`application/json;charset=utf-8`, `application/json; charset=UTF-8`, ...).
pub(super) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Query parameters; anything that does not fit `T` is `DBS.200001`. Unknown parameters are
/// ignored.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    #[expect(
        clippy::disallowed_types,
        reason = "the wrapped extractor; its rejection becomes an ApiError here"
    )]
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|_| ApiError::Parameter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, content_type.parse().unwrap());
        h
    }

    #[test]
    fn json_content_types_of_every_client_are_accepted() {
        for ct in [
            "application/json",
            "application/json;charset=UTF-8",
            "application/json;charset=utf-8",
            "Application/JSON; charset=utf8",
        ] {
            assert!(is_json(&headers(ct)), "{ct}");
        }
    }

    #[test]
    fn other_content_types_are_not_json() {
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/jsonx",
        ] {
            assert!(!is_json(&headers(ct)), "{ct}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn the_project_is_read_from_the_path_unless_it_is_percent_encoded() {
        assert_eq!(project_segment("/v3/619d3e78/backups"), Some("619d3e78"));
        assert_eq!(project_segment("/mysql/v3/619d3e78/jobs"), Some("619d3e78"));
        assert_eq!(project_segment("/v3/619d%33e78/jobs"), None);
        assert_eq!(project_segment("/v3//jobs"), None);
        assert_eq!(project_segment("/v2/619d3e78/jobs"), None);
    }

    #[test]
    fn path_parameters_are_percent_decoded_and_must_be_text() {
        assert_eq!(
            path_params("/mysql/v3/p%31/instances/i%2D1/backups/policy"),
            Ok(vec!["p1".to_owned(), "i-1".to_owned()])
        );
        assert_eq!(path_params("/v3/p1/backups/%FF"), Err(ApiError::Parameter));
        assert_eq!(
            <(String, String)>::from_params(vec!["p1".into(), "b1".into()]),
            Some(("p1".into(), "b1".into()))
        );
        assert_eq!(String::from_params(vec!["p1".into(), "b1".into()]), None);
    }
}
