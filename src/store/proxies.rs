//! Database proxies and SQL throttling as the API starts their changes: each a job of its
//! own, whose change takes effect when it ends (see `state/changes.rs`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Store;
use super::state::State;
use crate::domain::instance_change::InstanceChange;
use crate::domain::node::{NodeRole, NodeState, node_ip};
use crate::domain::proxy::{
    MAX_PROXIES, Proxy, ProxyChange, ProxyMode, ProxyState, check_enable, check_enlarge,
    check_weight, new_pool_id, new_proxy_node_id, proxy_flavor, select_proxy, weight,
};
use crate::domain::sql_filter::{RuleKey, SqlFilterChange};
use crate::domain::{Instance, InstanceId, Job, ProjectId};
use crate::error::ApiError;

/// A proxy to enable, as the request asks for it (its values unchecked but for types).
#[derive(Debug, Clone)]
pub struct NewProxy {
    pub flavor_ref: String,
    pub node_num: i64,
    pub name: Option<String>,
    pub mode: ProxyMode,
    /// Read weights by node id.
    pub weights: Vec<(String, i64)>,
}

/// Where a proxy's own addresses are, past the instance's nodes' (which count up from 1).
const PROXY_ADDRESSES: u32 = 200;

impl Store {
    /// Enables a proxy (see [`check_enable`]; `DBS.270025` weights; `DBS.280406` without a
    /// ready read replica or with four proxies): it reads `ENABLING PROXY` until its job ends,
    /// then `ACTIVE`.
    pub fn enable_proxy(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        request: NewProxy,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        check_enable(
            &request.flavor_ref,
            request.node_num,
            request.name.as_deref(),
        )?;
        self.start_change(project_id, instance_id, now, |state, instance| {
            let mut master_weight = 0;
            let mut weights = BTreeMap::new();
            for (node, weight) in &request.weights {
                let (node, weight) = check_weight(&instance.nodes, request.mode, node, *weight)?;
                match instance.nodes.iter().find(|n| n.id.as_str() == node) {
                    Some(n) if n.role == NodeRole::Master => master_weight = weight,
                    _ => {
                        weights.insert(node, weight);
                    }
                }
            }
            instance.check_can_start_change()?;
            let replicas = instance
                .nodes
                .iter()
                .filter(|n| n.role == NodeRole::Slave && n.state == NodeState::Ready)
                .count();
            if replicas == 0 || instance.proxies.len() >= MAX_PROXIES {
                return Err(ApiError::NodeOperationForbidden);
            }
            let pool_id = new_pool_id(&mut state.ids);
            let nodes = (0..request.node_num)
                .map(|_| new_proxy_node_id(&mut state.ids))
                .collect();
            let slot = PROXY_ADDRESSES + 2 * instance.proxies.len() as u32;
            let address = instance.profile.placement().address.to_owned();
            let proxy = Proxy {
                name: request
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("proxy-{}", &pool_id[..4])),
                pool_id: pool_id.clone(),
                flavor_ref: request.flavor_ref.clone(),
                nodes,
                address: node_ip(&address, slot).into(),
                elb_vip: node_ip(&address, slot + 1).into(),
                port: 3306,
                mode: request.mode,
                state: ProxyState::Enabling,
                master_weight,
                weights,
                created: now,
            };
            state
                .instance_mut(project_id, instance_id)?
                .proxies
                .push(proxy);
            Ok(InstanceChange::Proxy(ProxyChange::Enable { pool_id }))
        })
    }

    /// Disables the proxies named, or the only one (`DBS.270024` unknown or none,
    /// `DBS.270027` none named among several): they read `DISABLING PROXY` until the job
    /// ends, then are gone.
    pub fn disable_proxy(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        pool_ids: Option<Vec<String>>,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.start_change(project_id, instance_id, now, |state, instance| {
            let pool_ids = match pool_ids.filter(|ids| !ids.is_empty()) {
                Some(ids) => {
                    for id in &ids {
                        select_proxy(&instance.proxies, Some(id))?;
                    }
                    ids
                }
                None => vec![select_proxy(&instance.proxies, None)?.pool_id.clone()],
            };
            instance.check_can_start_change()?;
            check_proxies_idle(instance, &pool_ids)?;
            let change = ProxyChange::Disable { pool_ids };
            hold_proxies(state, project_id, instance_id, &change)?;
            Ok(InstanceChange::Proxy(change))
        })
    }

    /// Adds `node_num` nodes to a proxy (see [`check_enlarge`]): it reads
    /// `ADDING PROXY NODE` until the job ends. The instance's other jobs do not wait for it.
    pub fn enlarge_proxy(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        pool_id: Option<&str>,
        node_num: i64,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.start_proxy_job(project_id, instance_id, pool_id, now, |state, proxy| {
            check_enlarge(proxy.nodes.len(), node_num)?;
            let nodes = (0..node_num)
                .map(|_| new_proxy_node_id(&mut state.ids))
                .collect();
            Ok(ProxyChange::Enlarge {
                pool_id: proxy.pool_id.clone(),
                nodes,
            })
        })
    }

    /// Changes a proxy's flavor (`DBS.280434` unknown) when the job ends; it stays `ACTIVE`.
    pub fn resize_proxy(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        pool_id: &str,
        flavor_ref: &str,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        let flavor = proxy_flavor(flavor_ref)?;
        self.start_proxy_job(project_id, instance_id, Some(pool_id), now, |_, proxy| {
            Ok(ProxyChange::Resize {
                pool_id: proxy.pool_id.clone(),
                flavor: flavor.spec_code.to_owned(),
            })
        })
    }

    /// Sets the master's and the named replicas' read weights (`DBS.270025`) when the job
    /// ends; the proxy reads `CHANGING WEIGHT` meanwhile.
    pub fn set_proxy_weights(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        pool_id: &str,
        master: Option<i64>,
        replicas: Vec<(String, i64)>,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        let master = master.map(weight).transpose()?;
        self.start_proxy_job(
            project_id,
            instance_id,
            Some(pool_id),
            now,
            |state, proxy| {
                let (_, instance) = state.instance(project_id, instance_id)?;
                let replicas = replicas
                    .iter()
                    .map(|(node, w)| check_weight(&instance.nodes, ProxyMode::Readonly, node, *w))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(ProxyChange::Weights {
                    pool_id: proxy.pool_id.clone(),
                    master,
                    replicas,
                })
            },
        )
    }

    /// Starts the proxy job `decide` makes of the proxy `pool_id` names (or the only one):
    /// neither waiting for the instance's other jobs nor holding it, but not on a frozen
    /// instance (`DBS.280449`) nor on a proxy being enabled or disabled (`DBS.200019`).
    fn start_proxy_job(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        pool_id: Option<&str>,
        now: DateTime<Utc>,
        decide: impl FnOnce(&mut State, &Proxy) -> Result<ProxyChange, ApiError>,
    ) -> Result<Job, ApiError> {
        self.start_change(project_id, instance_id, now, |state, instance| {
            let proxy = select_proxy(&instance.proxies, pool_id)?;
            if instance.base_status == crate::domain::InstanceStatus::Frozen {
                return Err(ApiError::InstanceFrozen);
            }
            check_proxies_idle(instance, std::slice::from_ref(&proxy.pool_id))?;
            let change = decide(state, proxy)?;
            hold_proxies(state, project_id, instance_id, &change)?;
            Ok(InstanceChange::Proxy(change))
        })
    }

    /// Starts a SQL throttling change on an `ACTIVE` instance (`DBS.280449` frozen,
    /// `DBS.200011` otherwise), beside its other jobs; rules name its nodes (`DBS.212005`) and
    /// keep each within its limit (`DBS.200001`).
    pub fn change_sql_filter(
        &self,
        project_id: &ProjectId,
        instance_id: &InstanceId,
        change: SqlFilterChange,
        now: DateTime<Utc>,
    ) -> Result<Job, ApiError> {
        self.start_change(project_id, instance_id, now, |_, instance| {
            let keys: Vec<&RuleKey> = match &change {
                SqlFilterChange::Switch { .. } => Vec::new(),
                SqlFilterChange::Set { rules } => rules.iter().map(|(k, _)| k).collect(),
                SqlFilterChange::Delete { rules } => rules.iter().collect(),
            };
            for key in keys {
                if !instance.nodes.iter().any(|n| n.id.as_str() == key.node_id) {
                    return Err(ApiError::NodeNotInInstance);
                }
            }
            if let SqlFilterChange::Set { rules } = &change {
                instance.sql_filter.check_room(rules)?;
            }
            if instance.base_status == crate::domain::InstanceStatus::Frozen {
                return Err(ApiError::InstanceFrozen);
            }
            instance.base_status.check_can_change()?;
            Ok(InstanceChange::SqlFilter(change))
        })
    }
}

/// Proxies being enabled or disabled take no other job (`DBS.200019`).
fn check_proxies_idle(instance: &Instance, pool_ids: &[String]) -> Result<(), ApiError> {
    let busy = instance.proxies.iter().any(|p| {
        pool_ids.contains(&p.pool_id)
            && matches!(p.state, ProxyState::Enabling | ProxyState::Disabling)
    });
    if busy {
        Err(ApiError::InstanceOperationRunning)
    } else {
        Ok(())
    }
}

/// Marks the proxies a change works on with the status they read while it runs.
fn hold_proxies(
    state: &mut State,
    project_id: &ProjectId,
    instance_id: &InstanceId,
    change: &ProxyChange,
) -> Result<(), ApiError> {
    let holding = change.holding_state();
    let ids = change.pool_ids();
    for proxy in &mut state.instance_mut(project_id, instance_id)?.proxies {
        if ids.contains(&proxy.pool_id.as_str()) && holding != ProxyState::Active {
            proxy.state = holding;
        }
    }
    Ok(())
}
