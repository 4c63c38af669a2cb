//! SQL throttling ("SQL statement concurrency control", `api-instances.md` §8): an instance's
//! switch and its nodes' rules, the changes each job makes, and the rules of each request.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// `expire_at` of a rule that never expires: the largest 64-bit integer, as the API page shows.
pub const NEVER: i64 = i64::MAX;
/// At most this many rules per node (the user guide's limit).
pub const MAX_RULES: usize = 100;
/// At most this many keywords in a pattern.
const MAX_KEYWORDS: usize = 128;
/// At most this many bytes in a pattern (the user guide's 1,000 bytes per rule).
const MAX_PATTERN: usize = 1000;

/// The statement types a rule throttles.
pub const SQL_TYPES: [&str; 4] = ["SELECT", "UPDATE", "DELETE", "INSERT"];

/// A statement type, in upper case, in any letter case given (`DBS.200001` otherwise).
pub fn sql_type(s: &str) -> Result<&'static str, ApiError> {
    SQL_TYPES
        .into_iter()
        .find(|t| t.eq_ignore_ascii_case(s))
        .ok_or(ApiError::Parameter)
}

/// A pattern: 1–128 keywords joined by `~`, no `\` or `,`, no empty keyword (`DBS.200001`).
pub fn check_pattern(pattern: &str) -> Result<(), ApiError> {
    let keywords = pattern.split('~').count();
    let ok = !pattern.is_empty()
        && pattern.len() <= MAX_PATTERN
        && keywords <= MAX_KEYWORDS
        && !pattern.contains(['\\', ','])
        && pattern.split('~').all(|k| !k.is_empty());
    if ok { Ok(()) } else { Err(ApiError::Parameter) }
}

/// One rule as stored: its concurrency limit and when it was set (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub max_concurrency: u64,
    pub created: i64,
}

/// An instance's SQL throttling: the switch and, per node, the rules by type and pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlFilter {
    pub on: bool,
    pub rules: BTreeMap<String, BTreeMap<(&'static str, String), Rule>>,
}

/// One rule of a change: node, statement type, pattern, and the limit (none when deleting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleKey {
    pub node_id: String,
    pub sql_type: String,
    pub pattern: String,
}

/// What a SQL throttling job does when it completes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SqlFilterChange {
    /// The switch turns on or off.
    Switch { on: bool },
    /// These rules are set (each replaces the one of its node, type and pattern).
    Set { rules: Vec<(RuleKey, u64)> },
    /// These rules go (one that does not exist is no error).
    Delete { rules: Vec<RuleKey> },
}

impl SqlFilterChange {
    /// The job's name: none is documented, so these follow the documented ones' pattern.
    pub fn job_name(&self) -> &'static str {
        match self {
            Self::Switch { .. } => "GaussDBforMySQLSwitchSqlFilter",
            Self::Set { .. } => "GaussDBforMySQLSetSqlFilterRule",
            Self::Delete { .. } => "GaussDBforMySQLDeleteSqlFilterRule",
        }
    }

    /// Whether every rule of the change names a statement type and a valid pattern (for a
    /// change read from fixtures).
    pub fn is_valid(&self) -> bool {
        let ok =
            |key: &RuleKey| sql_type(&key.sql_type).is_ok() && check_pattern(&key.pattern).is_ok();
        match self {
            Self::Switch { .. } => true,
            Self::Set { rules } => rules.iter().all(|(key, _)| ok(key)),
            Self::Delete { rules } => rules.iter().all(ok),
        }
    }

    /// Applies the change at `at` (Unix seconds).
    pub fn apply(&self, filter: &mut SqlFilter, at: i64) {
        match self {
            Self::Switch { on } => filter.on = *on,
            Self::Set { rules } => {
                for (key, max) in rules {
                    let Ok(t) = sql_type(&key.sql_type) else {
                        continue;
                    };
                    filter.rules.entry(key.node_id.clone()).or_default().insert(
                        (t, key.pattern.clone()),
                        Rule {
                            max_concurrency: *max,
                            created: at,
                        },
                    );
                }
            }
            Self::Delete { rules } => {
                for key in rules {
                    let Ok(t) = sql_type(&key.sql_type) else {
                        continue;
                    };
                    if let Some(node) = filter.rules.get_mut(&key.node_id) {
                        node.remove(&(t, key.pattern.clone()));
                        if node.is_empty() {
                            filter.rules.remove(&key.node_id);
                        }
                    }
                }
            }
        }
    }
}

impl SqlFilter {
    /// The rules of a node, by type in the order of [`SQL_TYPES`], only the types that have
    /// any, and only `only` when given.
    pub fn rules_of(
        &self,
        node_id: &str,
        only: Option<&str>,
    ) -> Vec<(&'static str, Vec<(&str, Rule)>)> {
        let Some(rules) = self.rules.get(node_id) else {
            return Vec::new();
        };
        SQL_TYPES
            .into_iter()
            .filter(|t| only.is_none_or(|o| o == *t))
            .map(|t| {
                let patterns: Vec<(&str, Rule)> = rules
                    .iter()
                    .filter(|((rt, _), _)| *rt == t)
                    .map(|((_, p), r)| (p.as_str(), *r))
                    .collect();
                (t, patterns)
            })
            .filter(|(_, patterns)| !patterns.is_empty())
            .collect()
    }

    /// Whether setting these rules keeps every node within [`MAX_RULES`] (`DBS.200001`).
    pub fn check_room(&self, rules: &[(RuleKey, u64)]) -> Result<(), ApiError> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (key, _) in rules {
            let held = self.rules.get(&key.node_id);
            let new = sql_type(&key.sql_type)
                .map(|t| held.is_none_or(|h| !h.contains_key(&(t, key.pattern.clone()))))
                .unwrap_or(false);
            let count = counts
                .entry(&key.node_id)
                .or_insert_with(|| held.map_or(0, BTreeMap::len));
            if new {
                *count += 1;
            }
            if *count > MAX_RULES {
                return Err(ApiError::Parameter);
            }
        }
        Ok(())
    }

    /// Forgets the rules of a node that is gone.
    pub fn forget_node(&mut self, node_id: &str) {
        self.rules.remove(node_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(node: &str, t: &str, p: &str) -> RuleKey {
        RuleKey {
            node_id: node.into(),
            sql_type: t.into(),
            pattern: p.into(),
        }
    }

    #[test]
    fn types_are_the_four_statements_in_any_case_and_patterns_are_keywords_joined_by_tildes() {
        assert_eq!(sql_type("select"), Ok("SELECT"));
        assert_eq!(sql_type("INSERT"), Ok("INSERT"));
        assert_eq!(sql_type("DROP"), Err(ApiError::Parameter));
        assert_eq!(check_pattern("select~from~t1"), Ok(()));
        for bad in ["", "select~", "a~~b", "a,b", "a\\b", "~a"] {
            assert_eq!(check_pattern(bad), Err(ApiError::Parameter), "{bad}");
        }
        assert_eq!(
            check_pattern(&vec!["k"; 129].join("~")),
            Err(ApiError::Parameter)
        );
    }

    #[test]
    fn rules_are_set_per_node_type_and_pattern_and_deleted_without_error_when_absent() {
        let mut f = SqlFilter::default();
        SqlFilterChange::Set {
            rules: vec![
                (key("n1", "select", "select~from~t1"), 10),
                (key("n1", "UPDATE", "update~t1"), 3),
            ],
        }
        .apply(&mut f, 100);
        SqlFilterChange::Set {
            rules: vec![(key("n1", "SELECT", "select~from~t1"), 20)],
        }
        .apply(&mut f, 200);
        let rules = f.rules_of("n1", None);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].0, "SELECT");
        assert_eq!(rules[0].1[0].1.max_concurrency, 20);
        assert_eq!(rules[0].1[0].1.created, 200);
        assert_eq!(f.rules_of("n1", Some("UPDATE")).len(), 1);
        assert!(f.rules_of("n2", None).is_empty());
        SqlFilterChange::Delete {
            rules: vec![
                key("n1", "SELECT", "select~from~t1"),
                key("n1", "DELETE", "x"),
            ],
        }
        .apply(&mut f, 300);
        assert_eq!(f.rules_of("n1", None).len(), 1);
        SqlFilterChange::Switch { on: true }.apply(&mut f, 300);
        assert!(f.on);
    }

    #[test]
    fn a_node_holds_at_most_100_rules() {
        let mut f = SqlFilter::default();
        let rules: Vec<_> = (0..MAX_RULES)
            .map(|i| (key("n1", "SELECT", &format!("p{i}")), 1))
            .collect();
        assert_eq!(f.check_room(&rules), Ok(()));
        SqlFilterChange::Set { rules }.apply(&mut f, 0);
        assert_eq!(
            f.check_room(&[(key("n1", "SELECT", "p0"), 2)]),
            Ok(()),
            "replacing one is room enough"
        );
        assert_eq!(
            f.check_room(&[(key("n1", "SELECT", "new"), 2)]),
            Err(ApiError::Parameter)
        );
    }
}
