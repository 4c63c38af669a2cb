//! Enough of IAM (Keystone v3) for the OpenStack-based clients and the Huawei SDK's project
//! look-up: password and token authentication scoped to a project (or to the user's domain,
//! as the OTC Terraform provider also asks), and projects by name.

use chrono::{DateTime, Utc};
use serde_json::Value;

pub use crate::domain::identity::{Identity, Issued, Scope, TOKEN_LIFETIME, TokenRequest};
pub use crate::error::IamError;

impl TokenRequest {
    /// Reads the body of a token request; anything missing or of the wrong type is a 400.
    pub fn parse(body: &Value) -> Result<Self, IamError> {
        let auth = &body["auth"];
        let identity = &auth["identity"];
        let methods: Vec<&str> = identity["methods"]
            .as_array()
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let text = |v: &Value, what: &str| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                IamError::bad_request(format!("Expecting to find {what} in the request."))
            })
        };
        let identity = if methods.contains(&"password") {
            let user = &identity["password"]["user"];
            let domain = &user["domain"];
            Identity::Password {
                user: text(&user["name"], "user name")?,
                password: text(&user["password"], "password")?,
                domain: domain["name"]
                    .as_str()
                    .or(domain["id"].as_str())
                    .map(str::to_owned),
            }
        } else if methods.contains(&"token") {
            Identity::Token(text(&identity["token"]["id"], "token id")?)
        } else {
            return Err(IamError::bad_request(
                "Expecting to find identity methods password or token in the request.",
            ));
        };
        let project = &auth["scope"]["project"];
        let domain = &auth["scope"]["domain"];
        let scope = match (project["id"].as_str(), project["name"].as_str()) {
            (Some(id), _) => Scope::ProjectId(id.to_owned()),
            (None, Some(name)) => Scope::ProjectName(name.to_owned()),
            (None, None) => match domain["name"].as_str().or(domain["id"].as_str()) {
                Some(domain) => Scope::Domain(domain.to_owned()),
                None => {
                    return Err(IamError::bad_request(
                        "Expecting to find a project or domain scope (id or name) in the request.",
                    ));
                }
            },
        };
        Ok(Self { identity, scope })
    }
}

/// Keystone's time format: `2015-11-09T01:42:57.527363Z`.
pub fn keystone_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_password_request_scoped_by_id_is_read() {
        let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "testuser", "password": "testpass", "domain": {"name": "OTC0001"}}}},
            "scope": {"project": {"id": "0123456789abcdef0123456789abcdef"}}}});
        assert_eq!(
            TokenRequest::parse(&body),
            Ok(TokenRequest {
                identity: Identity::Password {
                    user: "testuser".into(),
                    password: "testpass".into(),
                    domain: Some("OTC0001".into()),
                },
                scope: Scope::ProjectId("0123456789abcdef0123456789abcdef".into()),
            })
        );
    }

    #[test]
    fn a_token_request_scoped_by_name_is_read() {
        let body = json!({"auth": {"identity": {"methods": ["token"], "token": {"id": "t"}},
            "scope": {"project": {"name": "eu-de"}}}});
        assert_eq!(
            TokenRequest::parse(&body).unwrap().scope,
            Scope::ProjectName("eu-de".into())
        );
    }

    #[test]
    fn a_domain_scope_is_read_by_name_or_id() {
        for (domain, want) in [
            (json!({"name": "OTC0001"}), "OTC0001"),
            (json!({"id": "d-id"}), "d-id"),
        ] {
            let body = json!({"auth": {"identity": {"methods": ["token"], "token": {"id": "t"}},
                "scope": {"domain": domain}}});
            assert_eq!(
                TokenRequest::parse(&body).unwrap().scope,
                Scope::Domain(want.into())
            );
        }
    }

    #[test]
    fn incomplete_requests_are_400() {
        for body in [
            json!({}),
            json!({"auth": {"identity": {"methods": ["password"]}}}),
            json!({"auth": {"identity": {"methods": ["totp"]}, "scope": {"project": {"id": "p"}}}}),
            json!({"auth": {"identity": {"methods": ["token"], "token": {"id": "t"}}}}),
        ] {
            assert_eq!(TokenRequest::parse(&body).unwrap_err().code, 400, "{body}");
        }
    }

    #[test]
    fn keystone_times_have_microseconds_and_z() {
        let t = DateTime::parse_from_rfc3339("2015-11-09T01:42:57.527363Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(keystone_time(t), "2015-11-09T01:42:57.527363Z");
    }
}
