//! The API version documents: `GET /` and `GET /v3` ("Querying API Versions" and "Querying a
//! Specified API Version"). They need no token.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::respond::json;

#[derive(Serialize)]
struct Version {
    id: &'static str,
    links: [Link; 1],
    status: &'static str,
    updated: &'static str,
    min_version: &'static str,
}

#[derive(Serialize)]
struct Link {
    href: &'static str,
    rel: &'static str,
}

/// v3, released 2020-10-29 per the documentation; `href` is `""` as documented.
const V3: Version = Version {
    id: "v3",
    links: [Link {
        href: "",
        rel: "self",
    }],
    status: "CURRENT",
    updated: "2020-10-29T03:30:42Z",
    min_version: "",
};

#[derive(Serialize)]
struct Versions {
    versions: [Version; 1],
}

#[derive(Serialize)]
struct OneVersion {
    /// The page types it as an array of version objects.
    version: [Version; 1],
}

/// `GET /` → `{"versions": [...]}`.
pub async fn list() -> Response {
    json(StatusCode::OK, &Versions { versions: [V3] })
}

/// `GET /v3` → `{"version": [...]}`.
pub async fn v3() -> Response {
    json(StatusCode::OK, &OneVersion { version: [V3] })
}
