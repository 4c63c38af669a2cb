//! The emulator's IAM (Keystone v3) endpoints: tokens and projects by name. Their errors take
//! Keystone's shape, `{"error": {"code", "message", "title"}}`, as the clients expect there.

use std::sync::Arc;

use axum::extract::Request;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::extract::{ApiQuery, Now, caller};
use super::respond::json;
use crate::auth;
use crate::auth::AuthMode;
use crate::emulator::Emulator;
use crate::iam::{IamError, Issued, TokenRequest, keystone_time};

/// The URL the client reached the emulator at: its scheme, and the `Host` header.
pub(super) fn base_url(emulator: &Emulator, headers: &HeaderMap) -> String {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let scheme = if emulator.settings.tls.is_some() {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

fn iam_error(e: &IamError) -> Response {
    json(
        StatusCode::from_u16(e.code).unwrap_or(StatusCode::UNAUTHORIZED),
        &json!({"error": {"code": e.code, "message": e.message, "title": e.title()}}),
    )
}

#[derive(Deserialize)]
pub(super) struct TokenParams {
    nocatalog: Option<String>,
}

/// Emulates IAM "Obtaining a User Token Through Password Authentication":
/// `POST /v3/auth/tokens` → 201, the token in `X-Subject-Token`, and a body whose catalog
/// points `gaussdb-mysql` at this emulator as the client reached it.
pub(super) async fn tokens(
    State(emulator): State<Arc<Emulator>>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<TokenParams>,
    Now(now): Now,
    request: Request,
) -> Response {
    let body = match super::body::read(
        &headers,
        request.into_body(),
        super::body::BodyRules::of(&emulator.settings),
    )
    .await
    {
        Ok(body) => body,
        Err(e) => return e.into_response(),
    };
    let request = match serde_json::from_slice::<Value>(&body)
        .map_err(|_| IamError::bad_request("The request body is not JSON."))
        .and_then(|v| TokenRequest::parse(&v))
    {
        Ok(r) => r,
        Err(e) => return iam_error(&e),
    };
    let strict = emulator.settings.auth == AuthMode::Strict;
    let Some(issued) = emulator.store.issue_token(&request, strict, now) else {
        return iam_error(&IamError::unauthorized(
            "The request you have made requires authentication.",
        ));
    };
    let with_catalog = params.nocatalog.is_none_or(|v| v.is_empty());
    let body = token_body(&issued, &base_url(&emulator, &headers), with_catalog);
    let mut response = json(StatusCode::CREATED, &body);
    if let Ok(value) = HeaderValue::from_str(&issued.token) {
        response.headers_mut().insert("x-subject-token", value);
    }
    response
}

fn token_body(issued: &Issued, base: &str, with_catalog: bool) -> Value {
    let domain = json!({"id": format!("{}-id", issued.domain_name), "name": issued.domain_name});
    let mut token = json!({
        "methods": [issued.method],
        "expires_at": keystone_time(issued.expires_at),
        "issued_at": keystone_time(issued.issued_at),
        "user": {"id": format!("{}-id", issued.user_name), "name": issued.user_name,
                 "domain": domain, "password_expires_at": ""},
        "roles": [{"id": "te_admin-id", "name": "te_admin"}],
    });
    let Some((project_id, region)) = &issued.project else {
        // Scoped to the domain: no project, and a catalog of the global services only.
        token["domain"] = domain;
        if with_catalog {
            token["catalog"] = json!([{"type": "identity", "id": "identity", "name": "iam",
                "endpoints": [{"id": "identity-endpoint", "interface": "public", "region": "*",
                               "region_id": "*", "url": format!("{base}/v3")}]}]);
        }
        return json!({"token": token});
    };
    token["project"] = json!({"id": project_id, "name": region, "domain": domain});
    if with_catalog {
        let endpoint = |kind: &str, url: String| {
            json!([{"id": format!("{kind}-endpoint"), "interface": "public", "region": region,
                    "region_id": region, "url": url}])
        };
        // gophertelekomcloud (and so the OTC Terraform provider) finds TaurusDB by taking the
        // block storage entry (`volumev2`, EVS's `…/v2/{project_id}` on the real cloud) and
        // replacing its `v2` with `v3` and `evs` with `gaussdb-mysql`: the entry is here for
        // that, and nothing is served under it.
        token["catalog"] = json!([
            {"type": "gaussdb-mysql", "id": "gaussdb-mysql", "name": "gaussdb-mysql",
             "endpoints": endpoint("gaussdb-mysql", format!("{base}/v3"))},
            {"type": "volumev2", "id": "volumev2", "name": "evs",
             "endpoints": endpoint("volumev2", format!("{base}/v2/{project_id}"))},
            {"type": "identity", "id": "identity", "name": "iam",
             "endpoints": endpoint("identity", format!("{base}/v3"))},
            // The VPC service: clients add `v1/` (VPCs, subnets) or `v2.0/` (security groups).
            {"type": "network", "id": "network", "name": "vpc",
             "endpoints": endpoint("network", format!("{base}/"))}
        ]);
    }
    json!({"token": token})
}

#[derive(Deserialize)]
pub(super) struct ProjectsParams {
    name: Option<String>,
}

#[derive(Serialize)]
struct ProjectItem {
    id: String,
    name: String,
    description: &'static str,
    domain_id: &'static str,
    enabled: bool,
    is_domain: bool,
    parent_id: &'static str,
}

/// Emulates IAM "Querying Projects": `GET /v3/projects[?name=]` → the projects the caller's
/// credentials may see (in `strict` auth only its own), as the Huawei SDK looks its project
/// up by region name.
pub(super) async fn projects(
    State(emulator): State<Arc<Emulator>>,
    ApiQuery(params): ApiQuery<ProjectsParams>,
    Now(now): Now,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let caller = caller(&parts);
    let visible = match auth::caller_project(emulator.settings.auth, &emulator.store, &caller, now)
    {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let name = params.name.filter(|n| !n.is_empty());
    let projects: Vec<ProjectItem> = emulator
        .store
        .projects_named(name.as_deref(), visible.as_ref())
        .into_iter()
        .map(|(id, name)| ProjectItem {
            id: id.to_string(),
            name,
            description: "",
            domain_id: "emulator-id",
            enabled: true,
            is_domain: false,
            parent_id: "emulator-id",
        })
        .collect();
    let base = base_url(&emulator, &parts.headers);
    json(
        StatusCode::OK,
        &json!({"projects": projects,
                "links": {"self": format!("{base}/v3/projects"), "next": null, "previous": null}}),
    )
}
