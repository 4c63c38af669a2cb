//! An instance's nodes: one master and up to fifteen read replicas, each with its own id,
//! name, priority, zone and address.

use chrono::{DateTime, Utc};

use super::Text;
use super::catalog::azs;
use super::ids::{IdSource, InstanceId, NodeId, derived_uuid};
use crate::error::ApiError;

/// The most read replicas an instance may have (the user guide's limit).
pub const MAX_REPLICAS: usize = 15;
/// The most read replicas one request may add (creation's limit "at a time").
pub const MAX_NEW_REPLICAS: usize = 9;
/// A replica's failover priority: 1 (promoted first) to 16.
pub const PRIORITIES: std::ops::RangeInclusive<i64> = 1..=16;

/// A node's role, as its `type` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRole {
    Master,
    Slave,
}

impl NodeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Master => "master",
            Self::Slave => "slave",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Master, Self::Slave]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// What a node is doing of its own: nothing (it reads as its instance does), being added
/// (`BUILD`) or being deleted (`DELETING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    Ready,
    Building,
    Deleting,
}

impl NodeState {
    /// The status it shows of its own, if any.
    pub fn status(self) -> Option<&'static str> {
        match self {
            Self::Ready => None,
            Self::Building => Some("BUILD"),
            Self::Deleting => Some("DELETING"),
        }
    }

    /// The state a status names, as snapshots write it (any other status: `Ready`).
    pub fn from_status(s: &str) -> Self {
        match s {
            "BUILD" => Self::Building,
            "DELETING" => Self::Deleting,
            _ => Self::Ready,
        }
    }
}

/// One node of an instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: NodeId,
    /// `<instance name>_node<NN>`.
    pub name: Text,
    pub role: NodeRole,
    pub state: NodeState,
    /// Failover priority: 1 is promoted first; the master's is 1.
    pub priority: i64,
    pub az_code: Text,
    pub private_ip: Text,
    pub created: DateTime<Utc>,
}

/// Where an instance's nodes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement<'a> {
    pub region: &'a str,
    /// `single` or `multi`.
    pub az_mode: &'a str,
    pub master_az: &'a str,
    /// The instance's own address; the nodes' are next to it.
    pub address: &'a str,
}

/// The nodes an instance starts with at `created`: a master and `count - 1` replicas, with ids
/// derived from the instance's, named after it, in its master zone, at addresses next to its
/// own.
pub fn initial_nodes(
    instance_id: &InstanceId,
    instance_name: &str,
    placement: Placement<'_>,
    created: DateTime<Utc>,
    count: u32,
) -> Vec<Node> {
    (0..count)
        .map(|n| Node {
            id: NodeId::from_uuid(&derived_uuid(instance_id.as_str(), 10 + n as u8)),
            name: node_name(instance_name, n + 1),
            role: if n == 0 {
                NodeRole::Master
            } else {
                NodeRole::Slave
            },
            state: NodeState::Ready,
            priority: 1,
            az_code: placement.master_az.into(),
            private_ip: node_ip(placement.address, n + 1),
            created,
        })
        .collect()
}

/// `<instance name>_node<NN>`.
pub fn node_name(instance_name: &str, number: u32) -> Text {
    compact_str::format_compact!("{instance_name}_node{number:02}")
}

/// The number after `_node` in a node's name, if it has one.
fn node_number(name: &str) -> Option<u32> {
    name.rsplit_once("_node")?.1.parse().ok()
}

/// The nodes named after an instance's new name: `<name>_node<NN>` keeps its number; a name
/// of another shape (from fixtures) stays.
pub fn rename_nodes(nodes: &mut [Node], instance_name: &str) {
    for node in nodes {
        if let Some(number) = node_number(&node.name) {
            node.name = node_name(instance_name, number);
        }
    }
}

/// A node's read address: the instance's address `ip` with the last number moved by `by`.
pub fn node_ip(ip: &str, by: u32) -> Text {
    match ip.rsplit_once('.') {
        Some((head, last)) => match last.parse::<u32>() {
            Ok(n) => compact_str::format_compact!("{head}.{}", (n + by) % 254 + 1),
            Err(_) => ip.into(),
        },
        None => ip.into(),
    }
}

/// The priorities of replicas to add: one per replica, each 1 to 16 (`DBS.200001`), at most
/// nine at a time and fifteen in all with the `replicas` there are (`DBS.200056`).
pub fn check_new_replicas(priorities: &[i64], replicas: usize) -> Result<(), ApiError> {
    if priorities.is_empty() || !priorities.iter().all(|p| PRIORITIES.contains(p)) {
        return Err(ApiError::Parameter);
    }
    if priorities.len() > MAX_NEW_REPLICAS || replicas + priorities.len() > MAX_REPLICAS {
        return Err(ApiError::TooManyNodes);
    }
    Ok(())
}

/// New read replicas of an instance whose nodes are `nodes`, one per priority, `BUILD` until
/// their jobs end: numbered after the highest number in use, in the master's zone (single-AZ)
/// or the region's first other zone (multi-AZ).
pub fn new_replicas(
    nodes: &[Node],
    instance_name: &str,
    placement: Placement<'_>,
    priorities: &[i64],
    ids: &mut IdSource,
    now: DateTime<Utc>,
) -> Vec<Node> {
    let highest = nodes
        .iter()
        .filter_map(|n| node_number(&n.name))
        .max()
        .unwrap_or(nodes.len() as u32);
    let az_code = if placement.az_mode == "multi" {
        azs(placement.region)
            .into_iter()
            .find(|az| az != placement.master_az)
            .unwrap_or_else(|| placement.master_az.to_owned())
    } else {
        placement.master_az.to_owned()
    };
    let mut taken: Vec<NodeId> = nodes.iter().map(|n| n.id.clone()).collect();
    priorities
        .iter()
        .zip(highest + 1..)
        .map(|(&priority, number)| Node {
            // Unique among the instance's nodes even when a seeded source repeats itself
            // (it starts over on every start, and the state may hold what it drew before).
            id: {
                let id = std::iter::repeat_with(|| NodeId::generate(ids))
                    .find(|id| !taken.contains(id))
                    .expect("an endless sequence finds a free id");
                taken.push(id.clone());
                id
            },
            name: node_name(instance_name, number),
            role: NodeRole::Slave,
            state: NodeState::Building,
            priority,
            az_code: az_code.as_str().into(),
            private_ip: node_ip(placement.address, number),
            created: now,
        })
        .collect()
}

/// Whether a node of `nodes` may be deleted: it is one of them (`DBS.212005`), is doing
/// nothing else (`DBS.200019`), and at least one read replica stays (`DBS.280406`: the user
/// guide keeps the last one). Deleting the master fails over to a replica (see
/// [`remove_node`]).
pub fn check_node_deletable(nodes: &[Node], id: &NodeId) -> Result<(), ApiError> {
    let node = nodes
        .iter()
        .find(|n| n.id == *id)
        .ok_or(ApiError::NodeNotInInstance)?;
    if node.state != NodeState::Ready {
        return Err(ApiError::InstanceOperationRunning);
    }
    let ready_replicas = nodes
        .iter()
        .filter(|n| n.role == NodeRole::Slave && n.state == NodeState::Ready)
        .count();
    if ready_replicas < 2 {
        return Err(ApiError::NodeOperationForbidden);
    }
    Ok(())
}

/// Removes a node; when it is the master, the ready replica of the best (lowest) priority,
/// the oldest among equals, becomes the master, as a failover promotes it.
pub fn remove_node(nodes: &mut Vec<Node>, id: &NodeId) {
    let Some(at) = nodes.iter().position(|n| n.id == *id) else {
        return;
    };
    let removed = nodes.remove(at);
    if removed.role == NodeRole::Master
        && let Some(next) = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.state == NodeState::Ready)
            .min_by_key(|(i, n)| (n.priority, *i))
            .map(|(i, _)| i)
    {
        let mut promoted = nodes.remove(next);
        promoted.role = NodeRole::Master;
        nodes.insert(0, promoted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLACEMENT: Placement<'static> = Placement {
        region: "eu-de",
        az_mode: "single",
        master_az: "eu-de-01",
        address: "192.168.0.10",
    };

    fn nodes(count: u32) -> Vec<Node> {
        let id = InstanceId::parse("07033b125fd94a8a96896f8bcfee6ddain07").unwrap();
        initial_nodes(&id, "db-1", PLACEMENT, DateTime::UNIX_EPOCH, count)
    }

    #[test]
    fn an_instance_starts_with_a_master_then_replicas_named_and_addressed_in_order() {
        let nodes = nodes(3);
        let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["db-1_node01", "db-1_node02", "db-1_node03"]);
        assert_eq!(nodes[0].role, NodeRole::Master);
        assert!(nodes[1..].iter().all(|n| n.role == NodeRole::Slave));
        assert_eq!(nodes[2].private_ip, "192.168.0.14");
        assert!(
            nodes
                .iter()
                .all(|n| n.id.as_str().ends_with("no07") && n.id.as_str().len() == 36)
        );
        assert_eq!(
            self::nodes(3),
            nodes,
            "derived from the instance id: the same every time"
        );
    }

    #[test]
    fn new_replicas_are_numbered_after_the_highest_and_placed_by_the_az_mode() {
        let mut ids = IdSource::new(1);
        let mut existing = nodes(2);
        existing[1].name = "db-1_node07".into();
        let added = new_replicas(
            &existing,
            "db-1",
            PLACEMENT,
            &[1, 2],
            &mut ids,
            DateTime::UNIX_EPOCH,
        );
        let names: Vec<&str> = added.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["db-1_node08", "db-1_node09"]);
        assert!(
            added
                .iter()
                .all(|n| n.state == NodeState::Building && n.az_code == "eu-de-01")
        );
        assert_eq!(added[1].priority, 2);
        let multi = Placement {
            az_mode: "multi",
            ..PLACEMENT
        };
        let added = new_replicas(
            &existing,
            "db-1",
            multi,
            &[1],
            &mut ids,
            DateTime::UNIX_EPOCH,
        );
        assert_eq!(added[0].az_code, "eu-de-02");
    }

    #[test]
    fn replicas_come_one_priority_each_from_1_to_16_nine_at_a_time_fifteen_in_all() {
        assert_eq!(check_new_replicas(&[1, 16], 0), Ok(()));
        for bad in [&[][..], &[0], &[17], &[1, -1]] {
            assert_eq!(
                check_new_replicas(bad, 0),
                Err(ApiError::Parameter),
                "{bad:?}"
            );
        }
        assert_eq!(check_new_replicas(&[1; 10], 0), Err(ApiError::TooManyNodes));
        assert_eq!(check_new_replicas(&[1; 2], 14), Err(ApiError::TooManyNodes));
        assert_eq!(check_new_replicas(&[1], 14), Ok(()));
    }

    #[test]
    fn a_node_is_deleted_only_if_it_belongs_is_idle_and_a_replica_stays() {
        let mut nodes = nodes(3);
        let other = NodeId::parse("99999999999999999999999999999999no07").unwrap();
        assert_eq!(
            check_node_deletable(&nodes, &other),
            Err(ApiError::NodeNotInInstance)
        );
        assert_eq!(check_node_deletable(&nodes, &nodes[2].id), Ok(()));
        nodes[1].state = NodeState::Deleting;
        assert_eq!(
            check_node_deletable(&nodes, &nodes[1].id),
            Err(ApiError::InstanceOperationRunning)
        );
        assert_eq!(
            check_node_deletable(&nodes, &nodes[2].id),
            Err(ApiError::NodeOperationForbidden),
            "the last ready replica stays"
        );
    }

    #[test]
    fn deleting_the_master_promotes_the_replica_of_the_best_priority() {
        let mut nodes = nodes(4);
        nodes[1].priority = 3;
        nodes[2].priority = 2;
        nodes[3].priority = 2;
        let (master, promoted) = (nodes[0].id.clone(), nodes[2].id.clone());
        remove_node(&mut nodes, &master);
        assert_eq!(nodes.len(), 3);
        assert_eq!(nodes[0].id, promoted);
        assert_eq!(nodes[0].role, NodeRole::Master);
        assert_eq!(
            nodes.iter().filter(|n| n.role == NodeRole::Master).count(),
            1
        );
        let replica = nodes[2].id.clone();
        remove_node(&mut nodes, &replica);
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0].id, promoted);
    }
}
