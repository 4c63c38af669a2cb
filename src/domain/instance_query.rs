//! The instance list's query: filters and paging, validated.

use super::backup_query::{given, parse_paging};
use super::instance::Instance;
use crate::error::ApiError;

/// Query parameters of `GET /v3/{project_id}/instances` as a client sent them. An empty value
/// counts as not sent.
#[derive(Debug, Clone, Default)]
pub struct RawInstanceQuery<'a> {
    pub id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub instance_type: Option<&'a str>,
    pub datastore_type: Option<&'a str>,
    pub vpc_id: Option<&'a str>,
    pub subnet_id: Option<&'a str>,
    pub private_ip: Option<&'a str>,
    pub readonly_private_ip: Option<&'a str>,
    pub proxy_ip: Option<&'a str>,
    pub tags: Option<&'a str>,
    pub offset: Option<&'a str>,
    pub limit: Option<&'a str>,
}

/// An exact value, or (written with a leading `*`) a substring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextMatch {
    Exact(String),
    Contains(String),
}

impl TextMatch {
    /// `*` alone is refused: the asterisk is reserved and needs something to match.
    fn parse(s: &str) -> Result<Self, ApiError> {
        match s.strip_prefix('*') {
            Some("") => Err(ApiError::Parameter),
            Some(rest) => Ok(Self::Contains(rest.to_owned())),
            None => Ok(Self::Exact(s.to_owned())),
        }
    }

    fn matches(&self, value: &str) -> bool {
        match self {
            Self::Exact(s) => value == s,
            Self::Contains(s) => value.contains(s.as_str()),
        }
    }
}

/// A validated instance list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceQuery {
    pub id: Option<TextMatch>,
    pub name: Option<TextMatch>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub private_ip: Option<String>,
    /// A database proxy's address.
    pub proxy_ip: Option<String>,
    /// A read-replica address filter: emulated instances have none, so any value matches
    /// nothing.
    pub matches_nothing: bool,
    pub tags: Vec<(String, String)>,
    pub offset: usize,
    pub limit: usize,
}

impl InstanceQuery {
    /// `type` may only be `Cluster` and `datastore_type` only `gaussdb-mysql`; `tags` is
    /// `key=value[,key=value]`; `limit` is 1..=100 (`DBS.280439`); anything else malformed is
    /// `DBS.200001`.
    pub fn parse(raw: &RawInstanceQuery<'_>) -> Result<Self, ApiError> {
        let (limit, offset) = parse_paging(raw.limit, raw.offset)?;
        if given(raw.instance_type).is_some_and(|t| t != "Cluster")
            || given(raw.datastore_type).is_some_and(|t| t != "gaussdb-mysql")
        {
            return Err(ApiError::Parameter);
        }
        let tags = match given(raw.tags) {
            None => Vec::new(),
            Some(s) => s
                .split(',')
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
                    _ => Err(ApiError::Parameter),
                })
                .collect::<Result<_, _>>()?,
        };
        let owned = |v: Option<&str>| given(v).map(str::to_owned);
        Ok(Self {
            id: given(raw.id).map(TextMatch::parse).transpose()?,
            name: given(raw.name).map(TextMatch::parse).transpose()?,
            vpc_id: owned(raw.vpc_id),
            subnet_id: owned(raw.subnet_id),
            private_ip: owned(raw.private_ip),
            proxy_ip: owned(raw.proxy_ip),
            matches_nothing: given(raw.readonly_private_ip).is_some(),
            tags,
            offset,
            limit,
        })
    }

    /// Whether every instance passes.
    pub fn filters_nothing(&self) -> bool {
        !self.matches_nothing
            && self.id.is_none()
            && self.name.is_none()
            && self.vpc_id.is_none()
            && self.subnet_id.is_none()
            && self.private_ip.is_none()
            && self.proxy_ip.is_none()
            && self.tags.is_empty()
    }

    /// Whether `instance` passes every filter.
    pub fn matches(&self, instance: &Instance) -> bool {
        let p = &instance.profile;
        !self.matches_nothing
            && self
                .id
                .as_ref()
                .is_none_or(|m| m.matches(instance.id.as_str()))
            && self.name.as_ref().is_none_or(|m| m.matches(&instance.name))
            && self.vpc_id.as_ref().is_none_or(|v| p.vpc_id == v)
            && self.subnet_id.as_ref().is_none_or(|v| p.subnet_id == v)
            && self
                .private_ip
                .as_ref()
                .is_none_or(|ip| p.private_ips.iter().any(|own| own == ip))
            && self
                .proxy_ip
                .as_ref()
                .is_none_or(|ip| instance.proxies.iter().any(|x| x.address == *ip))
            && self.tags.iter().all(|tag| p.tags.contains(tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_asterisk_means_substring() {
        let q = InstanceQuery::parse(&RawInstanceQuery {
            name: Some("*inst"),
            ..Default::default()
        });
        assert_eq!(q.unwrap().name, Some(TextMatch::Contains("inst".into())));
        let q = InstanceQuery::parse(&RawInstanceQuery {
            name: Some("inst"),
            ..Default::default()
        });
        assert_eq!(q.unwrap().name, Some(TextMatch::Exact("inst".into())));
    }

    #[test]
    fn an_asterisk_alone_is_refused() {
        let q = InstanceQuery::parse(&RawInstanceQuery {
            id: Some("*"),
            ..Default::default()
        });
        assert_eq!(q, Err(ApiError::Parameter));
    }

    #[test]
    fn type_and_datastore_type_have_one_value_each() {
        let ok = RawInstanceQuery {
            instance_type: Some("Cluster"),
            datastore_type: Some("gaussdb-mysql"),
            ..Default::default()
        };
        assert!(InstanceQuery::parse(&ok).is_ok());
        for raw in [
            RawInstanceQuery {
                instance_type: Some("Single"),
                ..Default::default()
            },
            RawInstanceQuery {
                datastore_type: Some("mysql"),
                ..Default::default()
            },
        ] {
            assert_eq!(InstanceQuery::parse(&raw), Err(ApiError::Parameter));
        }
    }

    #[test]
    fn tags_are_key_value_pairs_separated_by_commas() {
        let q = InstanceQuery::parse(&RawInstanceQuery {
            tags: Some("env=ci,team=db"),
            ..Default::default()
        });
        assert_eq!(
            q.unwrap().tags,
            vec![("env".into(), "ci".into()), ("team".into(), "db".into())]
        );
        for bad in ["env", "=ci", "env=ci,,"] {
            let q = InstanceQuery::parse(&RawInstanceQuery {
                tags: Some(bad),
                ..Default::default()
            });
            assert_eq!(q, Err(ApiError::Parameter), "{bad:?}");
        }
    }

    #[test]
    fn limit_is_1_to_100() {
        for bad in ["0", "101", "x"] {
            let q = InstanceQuery::parse(&RawInstanceQuery {
                limit: Some(bad),
                ..Default::default()
            });
            assert_eq!(q, Err(ApiError::InvalidLimit), "{bad:?}");
        }
    }
}
