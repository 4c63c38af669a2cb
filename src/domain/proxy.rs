//! Database proxies of an instance (`api-instances.md` §7): the proxy flavors, the proxies an
//! instance has with their nodes and read weights, the changes each proxy job makes, and the
//! rules of each request with the codes of the error table.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{IdSource, hex_id};
use super::node::{Node, NodeRole};
use crate::error::ApiError;

/// One proxy flavor of the catalogue `…/proxy/flavors` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyFlavor {
    pub id: &'static str,
    pub spec_code: &'static str,
    pub vcpus: u32,
    pub ram: u32,
}

/// The proxy flavors, in the order listed: the user guide's three general-enhanced sizes, the
/// first 2 vCPUs and 4 GB (gophertelekomcloud's live test asserts it).
pub const PROXY_FLAVORS: [ProxyFlavor; 3] = [
    ProxyFlavor {
        id: "19be4c5d-d363-3342-bdbc-0dd9dbf7fafe",
        spec_code: "gaussdb.proxy.large.x86.2",
        vcpus: 2,
        ram: 4,
    },
    ProxyFlavor {
        id: "4c8a4f0b-6b1e-3c1e-9d5e-3a6d0d3e1f21",
        spec_code: "gaussdb.proxy.xlarge.x86.2",
        vcpus: 4,
        ram: 8,
    },
    ProxyFlavor {
        id: "8f2e7a1c-2d4b-3e9a-b7c6-5e1d9a0c4b32",
        spec_code: "gaussdb.proxy.2xlarge.x86.2",
        vcpus: 8,
        ram: 16,
    },
];

/// The proxy flavor of this spec code (`DBS.280434` otherwise).
pub fn proxy_flavor(spec_code: &str) -> Result<&'static ProxyFlavor, ApiError> {
    PROXY_FLAVORS
        .iter()
        .find(|f| f.spec_code == spec_code)
        .ok_or(ApiError::InvalidFlavor)
}

/// The most proxies an instance may have (the user guide).
pub const MAX_PROXIES: usize = 4;
/// Proxy nodes: 2 to 32 when enabled, at most 32 in all.
pub const MIN_PROXY_NODES: u32 = 2;
pub const MAX_PROXY_NODES: u32 = 32;
/// The most proxy nodes one request adds.
pub const MAX_ENLARGE: i64 = 30;
/// The highest read weight.
pub const MAX_WEIGHT: u32 = 1000;

/// A read weight: 0–1000 (`DBS.270025`).
pub fn weight(weight: i64) -> Result<u32, ApiError> {
    u32::try_from(weight)
        .ok()
        .filter(|w| *w <= MAX_WEIGHT)
        .ok_or(ApiError::InvalidWeight)
}

/// A proxy to enable: a proxy flavor (`DBS.280434`), 2 to 32 nodes and, if named, a name of
/// the rule (`DBS.200001`).
pub fn check_enable(flavor_ref: &str, node_num: i64, name: Option<&str>) -> Result<(), ApiError> {
    proxy_flavor(flavor_ref)?;
    let nodes = i64::from(MIN_PROXY_NODES)..=i64::from(MAX_PROXY_NODES);
    if !nodes.contains(&node_num) || name.is_some_and(|n| !proxy_name_ok(n)) {
        return Err(ApiError::Parameter);
    }
    Ok(())
}

/// Nodes to add to a proxy of `held` nodes: 1 to 30, at most 32 in all (`DBS.200001`).
pub fn check_enlarge(held: usize, node_num: i64) -> Result<(), ApiError> {
    let total = i64::try_from(held)
        .unwrap_or(i64::MAX)
        .saturating_add(node_num);
    if (1..=MAX_ENLARGE).contains(&node_num) && total <= i64::from(MAX_PROXY_NODES) {
        Ok(())
    } else {
        Err(ApiError::Parameter)
    }
}

/// `readwrite` (the default: the master takes writes) or `readonly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProxyMode {
    Readwrite,
    Readonly,
}

impl ProxyMode {
    /// `readwrite` when left out; any other word is `DBS.270026`.
    pub fn parse(mode: Option<&str>) -> Result<Self, ApiError> {
        match mode {
            None | Some("readwrite") => Ok(Self::Readwrite),
            Some("readonly") => Ok(Self::Readonly),
            Some(_) => Err(ApiError::InvalidProxyMode),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Readwrite => "readwrite",
            Self::Readonly => "readonly",
        }
    }
}

/// What a proxy is doing, as its `status` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyState {
    Enabling,
    Active,
    Disabling,
    AddingNodes,
    ChangingWeight,
}

impl ProxyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabling => "ENABLING PROXY",
            Self::Active => "ACTIVE",
            Self::Disabling => "DISABLING PROXY",
            Self::AddingNodes => "ADDING PROXY NODE",
            Self::ChangingWeight => "CHANGING WEIGHT",
        }
    }

    /// A documented status this emulator uses (fixtures); `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Enabling,
            Self::Active,
            Self::Disabling,
            Self::AddingNodes,
            Self::ChangingWeight,
        ]
        .into_iter()
        .find(|state| state.as_str() == s)
    }
}

/// One proxy of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// `<32 hex>po01`.
    pub pool_id: String,
    pub name: String,
    pub flavor_ref: String,
    /// Its nodes' ids (`<32 hex>pn01`), the first the master.
    pub nodes: Vec<String>,
    pub address: String,
    pub elb_vip: String,
    pub port: u16,
    pub mode: ProxyMode,
    pub state: ProxyState,
    /// The master's read weight.
    pub master_weight: u32,
    /// Read weights set for replicas; the others have [`default_weight`].
    pub weights: BTreeMap<String, u32>,
    pub created: DateTime<Utc>,
}

impl Proxy {
    /// The read weight of a node of the instance.
    pub fn weight_of(&self, node: &Node, replica_vcpus: u32) -> u32 {
        match node.role {
            NodeRole::Master => self.master_weight,
            NodeRole::Slave => self
                .weights
                .get(node.id.as_str())
                .copied()
                .unwrap_or_else(|| default_weight(replica_vcpus)),
        }
    }

    /// The vCPUs and RAM (GB) of its flavor; 0 for a flavor the catalogue lacks.
    pub fn size(&self) -> (u32, u32) {
        proxy_flavor(&self.flavor_ref).map_or((0, 0), |f| (f.vcpus, f.ram))
    }
}

/// A replica's default read weight: 50 per vCPU, within 100–1000 (the user guide).
pub fn default_weight(vcpus: u32) -> u32 {
    vcpus.saturating_mul(50).clamp(100, MAX_WEIGHT)
}

/// A read weight given for a node: 0–1000 and one of `nodes` (`DBS.270025`); in `readonly`
/// mode only replicas take one.
pub fn check_weight(
    nodes: &[Node],
    mode: ProxyMode,
    node_id: &str,
    weight: i64,
) -> Result<(String, u32), ApiError> {
    let node = nodes
        .iter()
        .find(|n| n.id.as_str() == node_id)
        .ok_or(ApiError::InvalidWeight)?;
    if mode == ProxyMode::Readonly && node.role == NodeRole::Master {
        return Err(ApiError::InvalidWeight);
    }
    Ok((node_id.to_owned(), self::weight(weight)?))
}

/// A proxy name: 4–64 characters, a letter first, then letters, digits, `-` and `_`.
pub fn proxy_name_ok(name: &str) -> bool {
    (4..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The proxy of `pool_id`, or the only one when none is named (`DBS.270027` with several;
/// `DBS.270024` unknown or none).
pub fn select_proxy<'a>(
    proxies: &'a [Proxy],
    pool_id: Option<&str>,
) -> Result<&'a Proxy, ApiError> {
    match pool_id {
        Some(id) => proxies
            .iter()
            .find(|p| p.pool_id == id)
            .ok_or(ApiError::ProxyNotFound),
        None => match proxies {
            [] => Err(ApiError::ProxyNotFound),
            [only] => Ok(only),
            _ => Err(ApiError::SelectProxy),
        },
    }
}

/// A new proxy id, `<32 hex>po01`.
pub fn new_pool_id(ids: &mut IdSource) -> String {
    hex_id(ids, "po01")
}

/// A new proxy node id, `<32 hex>pn01`.
pub fn new_proxy_node_id(ids: &mut IdSource) -> String {
    hex_id(ids, "pn01")
}

/// What a proxy job does when it completes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ProxyChange {
    /// The proxy, `ENABLING PROXY` meanwhile, is `ACTIVE`.
    Enable { pool_id: String },
    /// These proxies, `DISABLING PROXY` meanwhile, go.
    Disable { pool_ids: Vec<String> },
    /// The proxy, `ADDING PROXY NODE` meanwhile, gets these nodes.
    Enlarge { pool_id: String, nodes: Vec<String> },
    /// The proxy takes this flavor (it stays `ACTIVE` meanwhile).
    Resize { pool_id: String, flavor: String },
    /// The proxy, `CHANGING WEIGHT` meanwhile, takes these read weights.
    Weights {
        pool_id: String,
        master: Option<u32>,
        replicas: Vec<(String, u32)>,
    },
}

impl ProxyChange {
    pub fn job_name(&self) -> &'static str {
        match self {
            Self::Enable { .. } => "OpenGaussDBforMySQLProxy",
            Self::Disable { .. } => "CloseGaussDBforMySQLProxy",
            Self::Enlarge { .. } => "EnlargeGaussDBforMySQLProxy",
            Self::Resize { .. } => "ScaleGaussDBforMySQLProxy",
            Self::Weights { .. } => "GaussDBforMySQLModifyProxyWeight",
        }
    }

    /// Whether what the change carries keeps the rules a request must meet (for a change read
    /// from fixtures): a proxy flavor, at most 32 new nodes, weights within 0–1000.
    pub fn is_valid(&self) -> bool {
        match self {
            Self::Enable { .. } => true,
            Self::Disable { pool_ids } => !pool_ids.is_empty(),
            Self::Enlarge { nodes, .. } => (1..=MAX_PROXY_NODES as usize).contains(&nodes.len()),
            Self::Resize { flavor, .. } => proxy_flavor(flavor).is_ok(),
            Self::Weights {
                master, replicas, ..
            } => master
                .iter()
                .chain(replicas.iter().map(|(_, w)| w))
                .all(|w| *w <= MAX_WEIGHT),
        }
    }

    /// Whether the job holds its instance (other changes wait): enabling and disabling do;
    /// nodes, flavor and weights of a proxy neither take nor check the instance's lock.
    pub fn holds_instance(&self) -> bool {
        matches!(self, Self::Enable { .. } | Self::Disable { .. })
    }

    /// The proxies the job works on.
    pub fn pool_ids(&self) -> Vec<&str> {
        match self {
            Self::Disable { pool_ids } => pool_ids.iter().map(String::as_str).collect(),
            Self::Enable { pool_id }
            | Self::Enlarge { pool_id, .. }
            | Self::Resize { pool_id, .. }
            | Self::Weights { pool_id, .. } => vec![pool_id.as_str()],
        }
    }

    /// The status the proxies read while the job runs.
    pub fn holding_state(&self) -> ProxyState {
        match self {
            Self::Enable { .. } => ProxyState::Enabling,
            Self::Disable { .. } => ProxyState::Disabling,
            Self::Enlarge { .. } => ProxyState::AddingNodes,
            Self::Resize { .. } => ProxyState::Active,
            Self::Weights { .. } => ProxyState::ChangingWeight,
        }
    }

    /// Applies the change (or, when `failed`, undoes what it began) to an instance's proxies.
    pub fn end(&self, proxies: &mut Vec<Proxy>, failed: bool) {
        match self {
            Self::Enable { pool_id } if failed => proxies.retain(|p| p.pool_id != *pool_id),
            Self::Disable { pool_ids } if !failed => {
                proxies.retain(|p| !pool_ids.contains(&p.pool_id));
            }
            _ => {}
        }
        for proxy in proxies.iter_mut() {
            if !self.pool_ids().contains(&proxy.pool_id.as_str()) {
                continue;
            }
            proxy.state = ProxyState::Active;
            if failed {
                continue;
            }
            match self {
                Self::Enlarge { nodes, .. } => proxy.nodes.extend(nodes.iter().cloned()),
                Self::Resize { flavor, .. } => proxy.flavor_ref.clone_from(flavor),
                Self::Weights {
                    master, replicas, ..
                } => {
                    if let Some(master) = master {
                        proxy.master_weight = *master;
                    }
                    for (node, weight) in replicas {
                        proxy.weights.insert(node.clone(), *weight);
                    }
                }
                Self::Enable { .. } | Self::Disable { .. } => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::NodeId;
    use crate::domain::node::NodeState;

    fn node(id: &str, role: NodeRole) -> Node {
        Node {
            id: NodeId::parse(id).unwrap(),
            name: compact_str::format_compact!("db_{id}"),
            role,
            state: NodeState::Ready,
            priority: 1,
            az_code: "eu-de-01".into(),
            private_ip: "192.168.0.2".into(),
            created: DateTime::UNIX_EPOCH,
        }
    }

    fn proxy(pool_id: &str) -> Proxy {
        Proxy {
            pool_id: pool_id.into(),
            name: "proxy-1".into(),
            flavor_ref: PROXY_FLAVORS[0].spec_code.into(),
            nodes: vec!["n1pn01".into(), "n2pn01".into()],
            address: "192.168.0.100".into(),
            elb_vip: "192.168.0.101".into(),
            port: 3306,
            mode: ProxyMode::Readwrite,
            state: ProxyState::Enabling,
            master_weight: 0,
            weights: BTreeMap::new(),
            created: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_first_proxy_flavor_is_2_vcpus_and_4_gb_and_unknown_codes_are_refused() {
        assert_eq!((PROXY_FLAVORS[0].vcpus, PROXY_FLAVORS[0].ram), (2, 4));
        assert_eq!(
            proxy_flavor("gaussdb.proxy.xlarge.x86.2").map(|f| f.vcpus),
            Ok(4)
        );
        assert_eq!(
            proxy_flavor("gaussdb.mysql.large.x86.4"),
            Err(ApiError::InvalidFlavor)
        );
    }

    #[test]
    fn weights_are_0_to_1000_of_the_instances_nodes_and_replicas_default_to_50_per_vcpu() {
        let nodes = [node("m1", NodeRole::Master), node("r1", NodeRole::Slave)];
        assert_eq!(
            check_weight(&nodes, ProxyMode::Readwrite, "m1", 1000),
            Ok(("m1".into(), 1000))
        );
        for (id, w) in [("r1", 1001), ("r1", -1), ("zz", 10)] {
            assert_eq!(
                check_weight(&nodes, ProxyMode::Readwrite, id, w),
                Err(ApiError::InvalidWeight)
            );
        }
        assert_eq!(
            check_weight(&nodes, ProxyMode::Readonly, "m1", 10),
            Err(ApiError::InvalidWeight),
            "readonly: replicas only"
        );
        assert_eq!(default_weight(1), 100);
        assert_eq!(default_weight(4), 200);
        assert_eq!(default_weight(64), 1000);
        let mut p = proxy("p");
        p.weights.insert("r1".into(), 7);
        assert_eq!(p.weight_of(&nodes[1], 4), 7);
        assert_eq!(p.weight_of(&nodes[0], 4), 0);
    }

    #[test]
    fn an_enabling_takes_2_to_32_nodes_and_an_enlargement_1_to_30_up_to_32() {
        let flavor = PROXY_FLAVORS[0].spec_code;
        assert_eq!(check_enable(flavor, 2, Some("test-proxy")), Ok(()));
        assert_eq!(check_enable(flavor, 32, None), Ok(()));
        assert_eq!(
            check_enable("gaussdb.mysql.large.x86.4", 2, None),
            Err(ApiError::InvalidFlavor)
        );
        for (nodes, name) in [(1, None), (33, None), (2, Some("1proxy"))] {
            assert_eq!(
                check_enable(flavor, nodes, name),
                Err(ApiError::Parameter),
                "{nodes} {name:?}"
            );
        }
        assert_eq!(check_enlarge(2, 30), Ok(()));
        assert_eq!(check_enlarge(2, 31), Err(ApiError::Parameter));
        assert_eq!(check_enlarge(31, 2), Err(ApiError::Parameter));
        assert_eq!(check_enlarge(2, 0), Err(ApiError::Parameter));
        assert_eq!(weight(1000), Ok(1000));
        assert_eq!(weight(-1), Err(ApiError::InvalidWeight));
    }

    #[test]
    fn a_proxy_is_named_or_the_only_one() {
        let proxies = vec![proxy("a"), proxy("b")];
        assert_eq!(
            select_proxy(&proxies, Some("b")).map(|p| &*p.pool_id),
            Ok("b")
        );
        assert_eq!(select_proxy(&proxies, None), Err(ApiError::SelectProxy));
        assert_eq!(
            select_proxy(&proxies[..1], None).map(|p| &*p.pool_id),
            Ok("a")
        );
        assert_eq!(select_proxy(&[], None), Err(ApiError::ProxyNotFound));
        assert_eq!(
            select_proxy(&proxies, Some("c")),
            Err(ApiError::ProxyNotFound)
        );
        assert!(proxy_name_ok("test-proxy") && !proxy_name_ok("1abc") && !proxy_name_ok("ab"));
        assert_eq!(
            ProxyMode::parse(Some("rw")),
            Err(ApiError::InvalidProxyMode)
        );
    }

    #[test]
    fn a_change_takes_effect_at_its_end_and_a_failed_one_undoes_what_it_began() {
        let mut proxies = vec![proxy("a")];
        ProxyChange::Enable {
            pool_id: "a".into(),
        }
        .end(&mut proxies, false);
        assert_eq!(proxies[0].state, ProxyState::Active);
        let enlarge = ProxyChange::Enlarge {
            pool_id: "a".into(),
            nodes: vec!["n3pn01".into()],
        };
        enlarge.end(&mut proxies, true);
        assert_eq!(
            proxies[0].nodes.len(),
            2,
            "a failed enlargement adds nothing"
        );
        enlarge.end(&mut proxies, false);
        assert_eq!(proxies[0].nodes.len(), 3);
        ProxyChange::Weights {
            pool_id: "a".into(),
            master: Some(100),
            replicas: vec![("r1".into(), 300)],
        }
        .end(&mut proxies, false);
        assert_eq!(
            (proxies[0].master_weight, proxies[0].weights["r1"]),
            (100, 300)
        );
        let disable = ProxyChange::Disable {
            pool_ids: vec!["a".into()],
        };
        disable.end(&mut proxies, true);
        assert_eq!(proxies.len(), 1, "a failed disabling keeps the proxy");
        disable.end(&mut proxies, false);
        assert!(proxies.is_empty());
        let mut enabling = vec![proxy("b")];
        ProxyChange::Enable {
            pool_id: "b".into(),
        }
        .end(&mut enabling, true);
        assert!(enabling.is_empty(), "a failed enabling leaves no proxy");
        assert!(!enlarge.holds_instance() && disable.holds_instance());
    }
}
