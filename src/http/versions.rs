//! The API version documents: `GET /` and `GET /v3` ("Querying API Versions" and "Querying a
//! Specified API Version"). They need no token.

use axum::http::{HeaderMap, StatusCode};
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

/// `GET /v3` answers for TaurusDB and for IAM at once, as both share the path: the TaurusDB
/// fields plus what keystoneauth's version discovery reads (`links` with a real `href`,
/// `media-types`). The TaurusDB page types `version` as an array; keystoneauth needs an
/// object, and TaurusDB's clients never read it, so it is an object.
#[derive(Serialize)]
struct OneVersion {
    version: V3Document,
}

#[derive(Serialize)]
struct V3Document {
    id: &'static str,
    links: [OwnedLink; 1],
    status: &'static str,
    updated: &'static str,
    min_version: &'static str,
    #[serde(rename = "media-types")]
    media_types: [MediaType; 1],
}

#[derive(Serialize)]
struct OwnedLink {
    href: String,
    rel: &'static str,
}

#[derive(Serialize)]
struct MediaType {
    base: &'static str,
    #[serde(rename = "type")]
    media_type: &'static str,
}

/// `GET /` → `{"versions": [...]}`.
pub(super) async fn list() -> Response {
    json(StatusCode::OK, &Versions { versions: [V3] })
}

/// `GET /v3` → `{"version": {...}}`.
pub(super) async fn v3(
    axum::extract::State(emulator): axum::extract::State<std::sync::Arc<crate::emulator::Emulator>>,
    headers: HeaderMap,
) -> Response {
    let document = V3Document {
        id: V3.id,
        links: [OwnedLink {
            href: format!("{}/v3/", super::iam::base_url(&emulator, &headers)),
            rel: "self",
        }],
        status: V3.status,
        updated: V3.updated,
        min_version: V3.min_version,
        media_types: [MediaType {
            base: "application/json",
            media_type: "application/vnd.openstack.identity-v3+json",
        }],
    };
    json(StatusCode::OK, &OneVersion { version: document })
}
