//! `taurusdb-emulator env`: the settings each client needs to reach an emulator, in the form
//! each client reads them — shell exports for the Huawei SDKs (`HUAWEICLOUD_SDK_*`) and
//! OpenStack clients and gophertelekomcloud (`OS_*`), a `clouds.yaml` entry, the Terraform
//! provider block, or all of it as JSON — with the credentials of a project of the fixtures
//! (built in, or `--fixtures`). Nothing is asked of the running emulator: the same options
//! describe it.

use std::fmt::Write;

use serde::Serialize;

use crate::domain::network::{DEFAULT_SECURITY_GROUP, DEFAULT_SUBNET, DEFAULT_VPC};
use crate::fixtures::{Fixtures, ProjectSeed};

/// The form to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvFormat {
    /// `export NAME='value'` lines.
    Sh,
    /// A `clouds.yaml` with one cloud, `taurusdb-emulator`.
    CloudsYaml,
    /// The OTC provider's `provider "opentelekomcloud"` block.
    Terraform,
    /// Every setting, as one JSON object.
    Json,
}

impl EnvFormat {
    /// Every form, by the name `--format` takes.
    pub const NAMES: [&'static str; 4] = ["sh", "clouds-yaml", "terraform", "json"];

    /// The form of this name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "sh" => Some(Self::Sh),
            "clouds-yaml" => Some(Self::CloudsYaml),
            "terraform" => Some(Self::Terraform),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// What a client needs: where the emulator is and who to be there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientEnv {
    /// The emulator's base URL (`http://HOST:PORT`).
    pub url: String,
    /// Its IAM (`<url>/v3`), which issues tokens and whose catalog leads to TaurusDB.
    pub auth_url: String,
    pub region: String,
    pub project_id: String,
    pub project_name: String,
    /// The fixtures' first user of the project, if it has one.
    pub username: Option<String>,
    pub password: Option<String>,
    pub domain_name: Option<String>,
    /// The fixtures' first AK/SK pair of the project, if it has one.
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    /// The fixtures' first token of the project, if it has one.
    pub token: Option<String>,
    /// The project's first instance, if it has one.
    pub instance_id: Option<String>,
    /// The built-in network every project has.
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
}

impl ClientEnv {
    /// The settings for the project `project_id` of `fixtures` (the first project when
    /// `None`), reached at `url`.
    pub fn new(fixtures: &Fixtures, project_id: Option<&str>, url: &str) -> Result<Self, String> {
        let project: &ProjectSeed = match project_id {
            None => fixtures
                .projects
                .first()
                .ok_or("the fixtures have no project")?,
            Some(id) => fixtures
                .projects
                .iter()
                .find(|p| p.id.as_str() == id)
                .ok_or_else(|| format!("the fixtures have no project {id}"))?,
        };
        let url = url.trim_end_matches('/').to_owned();
        let user = project.users.first();
        let credential = project.credentials.first();
        Ok(Self {
            auth_url: format!("{url}/v3"),
            url,
            region: crate::domain::catalog::region_of(&project.name).to_owned(),
            project_id: project.id.to_string(),
            project_name: project.name.clone(),
            username: user.map(|u| u.name.clone()),
            password: user.map(|u| u.password.clone()),
            domain_name: user.and_then(|u| u.domain.clone()),
            access_key: credential.map(|c| c.ak.clone()),
            secret_key: credential.map(|c| c.sk.clone()),
            token: project.tokens.first().cloned(),
            instance_id: project.instances.first().map(|i| i.id.to_string()),
            vpc_id: DEFAULT_VPC.to_owned(),
            subnet_id: DEFAULT_SUBNET.to_owned(),
            security_group_id: DEFAULT_SECURITY_GROUP.to_owned(),
        })
    }

    /// The settings in `format`.
    pub fn render(&self, format: EnvFormat) -> String {
        match format {
            EnvFormat::Sh => self.shell(),
            EnvFormat::CloudsYaml => self.clouds_yaml(),
            EnvFormat::Terraform => self.terraform(),
            EnvFormat::Json => {
                let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
                json.push('\n');
                json
            }
        }
    }

    /// The variables each client reads, the ones the fixtures cannot fill left out. The
    /// Huawei SDK takes its credentials (`HUAWEICLOUD_SDK_AK`, `_SK`, `_PROJECT_ID`) and, for a
    /// program written for the real cloud, the region's endpoint and the IAM's
    /// (`HUAWEICLOUD_SDK_REGION_GAUSSDB_EU_DE`, `HUAWEICLOUD_SDK_IAM_ENDPOINT`); OpenStack
    /// clients and gophertelekomcloud their `OS_*`.
    pub fn variables(&self) -> Vec<(String, String)> {
        let region_key = format!(
            "HUAWEICLOUD_SDK_REGION_GAUSSDB_{}",
            self.region.to_ascii_uppercase().replace('-', "_")
        );
        let pairs: [(&str, Option<&str>); _] = [
            ("TAURUSDB_EMULATOR_URL", Some(&self.url)),
            ("TAURUSDB_EMULATOR_TOKEN", self.token.as_deref()),
            ("TAURUSDB_EMULATOR_INSTANCE_ID", self.instance_id.as_deref()),
            ("HUAWEICLOUD_SDK_AK", self.access_key.as_deref()),
            ("HUAWEICLOUD_SDK_SK", self.secret_key.as_deref()),
            ("HUAWEICLOUD_SDK_PROJECT_ID", Some(&self.project_id)),
            (&region_key, Some(&self.url)),
            ("HUAWEICLOUD_SDK_IAM_ENDPOINT", Some(&self.url)),
            ("OS_AUTH_URL", Some(&self.auth_url)),
            ("OS_USERNAME", self.username.as_deref()),
            ("OS_PASSWORD", self.password.as_deref()),
            ("OS_DOMAIN_NAME", self.domain_name.as_deref()),
            ("OS_USER_DOMAIN_NAME", self.domain_name.as_deref()),
            ("OS_PROJECT_NAME", Some(&self.project_name)),
            ("OS_PROJECT_ID", Some(&self.project_id)),
            ("OS_REGION_NAME", Some(&self.region)),
            ("OS_VPC_ID", Some(&self.vpc_id)),
            ("OS_NETWORK_ID", Some(&self.subnet_id)),
            ("OS_SECURITY_GROUP_ID", Some(&self.security_group_id)),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
            .collect()
    }

    fn shell(&self) -> String {
        let mut out = String::new();
        for (name, value) in self.variables() {
            let _ = writeln!(out, "export {name}={}", shell_quote(&value));
        }
        out
    }

    fn clouds_yaml(&self) -> String {
        let mut out = String::from("clouds:\n  taurusdb-emulator:\n    auth:\n");
        let mut field = |key: &str, value: Option<&str>| {
            if let Some(value) = value {
                let _ = writeln!(out, "      {key}: {}", yaml_quote(value));
            }
        };
        field("auth_url", Some(&self.auth_url));
        field("username", self.username.as_deref());
        field("password", self.password.as_deref());
        field("user_domain_name", self.domain_name.as_deref());
        field("project_id", Some(&self.project_id));
        field("project_name", Some(&self.project_name));
        let _ = writeln!(out, "    region_name: {}", yaml_quote(&self.region));
        out
    }

    fn terraform(&self) -> String {
        let mut out = String::from("provider \"opentelekomcloud\" {\n");
        let mut field = |key: &str, value: Option<&str>| {
            if let Some(value) = value {
                let _ = writeln!(out, "  {key:<11} = {}", hcl_quote(value));
            }
        };
        field("auth_url", Some(&self.auth_url));
        field("domain_name", self.domain_name.as_deref());
        field("tenant_name", Some(&self.project_name));
        field("user_name", self.username.as_deref());
        field("password", self.password.as_deref());
        out.push_str("}\n");
        out
    }
}

/// A value for a POSIX shell: in single quotes, a quote inside closed, escaped and reopened.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A YAML double-quoted scalar (JSON's string syntax is a subset of it).
fn yaml_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// An HCL string: JSON's escapes, and `${` / `%{` kept from starting a template.
fn hcl_quote(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> ClientEnv {
        ClientEnv::new(&Fixtures::builtin(), None, "http://127.0.0.1:18080/").unwrap()
    }

    #[test]
    fn the_built_in_project_gives_every_credential_and_the_built_in_network() {
        let env = builtin();
        assert_eq!(env.auth_url, "http://127.0.0.1:18080/v3");
        assert_eq!(env.project_id, "619d3e78f61b4be68bc5aa0b59edcf7b");
        assert_eq!(env.username.as_deref(), Some("emulator"));
        assert_eq!(env.access_key.as_deref(), Some("TAURUSDBEMULATORAK00"));
        assert_eq!(env.region, "eu-de");
        let shell = env.render(EnvFormat::Sh);
        assert!(shell.contains("export OS_USERNAME='emulator'\n"), "{shell}");
        assert!(shell.contains("export OS_VPC_ID='3cedfc54-b105-4652-a4e0-847b11576b58'\n"));
        assert!(
            env.render(EnvFormat::Terraform)
                .contains("  auth_url    = \"http://127.0.0.1:18080/v3\"\n")
        );
        assert!(
            env.render(EnvFormat::CloudsYaml)
                .contains("      user_domain_name: \"OTC-EU-DE-emulator\"\n")
        );
    }

    #[test]
    fn values_are_quoted_for_each_language_and_an_unknown_project_is_an_error() {
        assert_eq!(shell_quote("it's $HOME"), r"'it'\''s $HOME'");
        assert_eq!(yaml_quote("a: \"b\""), r#""a: \"b\"""#);
        assert_eq!(hcl_quote("p${x}%{y}"), r#""p$${x}%%{y}""#);
        assert!(ClientEnv::new(&Fixtures::builtin(), Some("nope"), "http://x").is_err());
    }
}
