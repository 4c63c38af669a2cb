//! The operations the emulator serves, by name: what the route table maps methods and paths
//! to, what request faults target and what the journal records.

/// Every operation the emulator serves. The route table maps each to its method and path,
/// the router to its handler; request faults target them and the journal records them by
/// [`Operation::name`], which is also each one's `operationId` in the OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `GET /v3`: the v3 version document.
    Version,
    /// Create a manual backup.
    Create,
    /// List backups.
    List,
    /// Delete a manual backup.
    Delete,
    /// Delete manual backups in a batch.
    BatchDelete,
    /// Show a job.
    Job,
    /// List instances.
    ListInstances,
    /// Show an instance.
    ShowInstance,
    /// Show an instance's backup policy.
    ShowPolicy,
    /// List one instance's full backups.
    InstanceBackups,
    /// The times an instance can be restored to.
    RestoreTime,
    /// List an instance's incremental backups.
    IncrementalBackups,
    /// Show whether an instance's backups are encrypted.
    ShowEncryption,
    /// Turn an instance's backup encryption on or off.
    SetEncryption,
    /// Set an instance's cross-region backup policy.
    SetOffsitePolicy,
    /// Change an instance's backup policy.
    UpdatePolicy,
    /// Restore a backup or a point in time onto an existing instance.
    RestoreInstance,
    /// Create an instance, restoring into it if asked.
    CreateInstance,
    /// Delete an instance.
    DeleteInstance,
    /// Rename an instance.
    RenameInstance,
    /// Reset an instance's root password.
    ResetPassword,
    /// Change an instance's database port.
    ChangePort,
    /// Change an instance's flavor.
    ResizeFlavor,
    /// Add read replicas.
    AddReplicas,
    /// Delete a read replica (a node).
    DeleteNode,
    /// Show an instance's seconds-level monitoring.
    ShowMonitoring,
    /// Change an instance's seconds-level monitoring.
    SetMonitoring,
    /// Enable a database proxy.
    EnableProxy,
    /// Disable database proxies.
    DisableProxy,
    /// Add nodes to a database proxy.
    EnlargeProxy,
    /// Change a database proxy's flavor.
    ResizeProxy,
    /// Change a database proxy's read weights.
    SetProxyWeights,
    /// List an instance's database proxies.
    ListProxies,
    /// List the database proxy flavors.
    ProxyFlavors,
    /// Show an instance's SQL throttling switch.
    ShowSqlFilterSwitch,
    /// Turn an instance's SQL throttling on or off.
    SetSqlFilterSwitch,
    /// Show a node's SQL throttling rules.
    ShowSqlFilterRules,
    /// Set SQL throttling rules.
    SetSqlFilterRules,
    /// Delete SQL throttling rules.
    DeleteSqlFilterRules,
    /// List a node's error log.
    ErrorLogs,
    /// List a node's slow log.
    SlowLogs,
    /// List enterprise projects' quotas.
    ListQuotas,
    /// Set enterprise projects' quotas.
    SetQuotas,
    /// Modify enterprise projects' quotas.
    UpdateQuotas,
    /// Show the project's instance quota.
    ProjectQuotas,
    /// List the DB flavors of an engine.
    ListFlavors,
    /// List the versions of an engine.
    ListDatastores,
    /// List the parameter templates.
    ListConfigurations,
    /// List an instance's parameters.
    InstanceConfigurations,
    /// Network: list VPCs.
    ListVpcs,
    /// Network: show a VPC.
    ShowVpc,
    /// Network: list subnets.
    ListSubnets,
    /// Network: show a subnet.
    ShowSubnet,
    /// Network: list security groups.
    ListSecurityGroups,
    /// Network: show a security group.
    ShowSecurityGroup,
    /// IAM: get a token.
    IamTokens,
    /// IAM: projects by name.
    IamProjects,
    /// `GET /`: the API versions.
    Versions,
    /// Control plane: `_health`.
    Health,
    /// Control plane: `_openapi`.
    OpenApi,
    /// Control plane: `_state`.
    State,
    /// Control plane: `_reset`.
    Reset,
    /// Control plane: `_fixtures`.
    Fixtures,
    /// Control plane: `_snapshot`.
    Snapshot,
    /// Control plane: `_clock`.
    Clock,
    /// Control plane: `_advance`.
    Advance,
    /// Control plane: `_lifecycle`.
    Lifecycle,
    /// Control plane: `_set_lifecycle`.
    SetLifecycle,
    /// Control plane: `_complete`.
    Complete,
    /// Control plane: `_fail`.
    Fail,
    /// Control plane: `_hold`.
    Hold,
    /// Control plane: `_wait`.
    Wait,
    /// Control plane: `_job_complete`.
    JobComplete,
    /// Control plane: `_job_fail`.
    JobFail,
    /// Control plane: `_job_hold`.
    JobHold,
    /// Control plane: `_job_wait`.
    JobWait,
    /// Control plane: `_faults`.
    Faults,
    /// Control plane: `_clear_faults`.
    ClearFaults,
    /// Control plane: `_fault_requests`.
    FaultRequests,
    /// Control plane: `_fault_backups`.
    FaultBackups,
    /// Control plane: `_requests`.
    Requests,
    /// Control plane: `_clear_requests`.
    ClearRequests,
    /// Control plane: `_events`.
    Events,
    /// Control plane: `_ui`.
    Ui,
    /// Control plane: `_tls_ca`.
    TlsCa,
    /// Control plane: `_add_logs`.
    AddLogs,
}

impl Operation {
    /// Every operation.
    pub const ALL: &[Self] = &[
        Self::Version,
        Self::Create,
        Self::List,
        Self::Delete,
        Self::BatchDelete,
        Self::Job,
        Self::ListInstances,
        Self::ShowInstance,
        Self::ShowPolicy,
        Self::InstanceBackups,
        Self::RestoreTime,
        Self::IncrementalBackups,
        Self::ShowEncryption,
        Self::SetEncryption,
        Self::SetOffsitePolicy,
        Self::UpdatePolicy,
        Self::RestoreInstance,
        Self::CreateInstance,
        Self::DeleteInstance,
        Self::RenameInstance,
        Self::ResetPassword,
        Self::ChangePort,
        Self::ResizeFlavor,
        Self::AddReplicas,
        Self::DeleteNode,
        Self::ShowMonitoring,
        Self::SetMonitoring,
        Self::EnableProxy,
        Self::DisableProxy,
        Self::EnlargeProxy,
        Self::ResizeProxy,
        Self::SetProxyWeights,
        Self::ListProxies,
        Self::ProxyFlavors,
        Self::ShowSqlFilterSwitch,
        Self::SetSqlFilterSwitch,
        Self::ShowSqlFilterRules,
        Self::SetSqlFilterRules,
        Self::DeleteSqlFilterRules,
        Self::ErrorLogs,
        Self::SlowLogs,
        Self::ListQuotas,
        Self::SetQuotas,
        Self::UpdateQuotas,
        Self::ProjectQuotas,
        Self::ListFlavors,
        Self::ListDatastores,
        Self::ListConfigurations,
        Self::InstanceConfigurations,
        Self::ListVpcs,
        Self::ShowVpc,
        Self::ListSubnets,
        Self::ShowSubnet,
        Self::ListSecurityGroups,
        Self::ShowSecurityGroup,
        Self::IamTokens,
        Self::IamProjects,
        Self::Versions,
        Self::Health,
        Self::OpenApi,
        Self::State,
        Self::Reset,
        Self::Fixtures,
        Self::Snapshot,
        Self::Clock,
        Self::Advance,
        Self::Lifecycle,
        Self::SetLifecycle,
        Self::Complete,
        Self::Fail,
        Self::Hold,
        Self::Wait,
        Self::JobComplete,
        Self::JobFail,
        Self::JobHold,
        Self::JobWait,
        Self::Faults,
        Self::ClearFaults,
        Self::FaultRequests,
        Self::FaultBackups,
        Self::Requests,
        Self::ClearRequests,
        Self::Events,
        Self::Ui,
        Self::TlsCa,
        Self::AddLogs,
    ];

    /// The operation's name: plain for the emulated API and IAM, `_`-prefixed for the
    /// control plane.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Version => "version",
            Self::Create => "create",
            Self::List => "list",
            Self::Delete => "delete",
            Self::BatchDelete => "batch_delete",
            Self::Job => "job",
            Self::ListInstances => "list_instances",
            Self::ShowInstance => "show_instance",
            Self::ShowPolicy => "show_policy",
            Self::InstanceBackups => "instance_backups",
            Self::RestoreTime => "restore_time",
            Self::IncrementalBackups => "incremental_backups",
            Self::ShowEncryption => "show_encryption",
            Self::SetEncryption => "set_encryption",
            Self::SetOffsitePolicy => "set_offsite_policy",
            Self::UpdatePolicy => "update_policy",
            Self::RestoreInstance => "restore_instance",
            Self::CreateInstance => "create_instance",
            Self::DeleteInstance => "delete_instance",
            Self::RenameInstance => "rename_instance",
            Self::ResetPassword => "reset_password",
            Self::ChangePort => "change_port",
            Self::ResizeFlavor => "resize_flavor",
            Self::AddReplicas => "add_replicas",
            Self::DeleteNode => "delete_node",
            Self::ShowMonitoring => "show_monitoring",
            Self::SetMonitoring => "set_monitoring",
            Self::EnableProxy => "enable_proxy",
            Self::DisableProxy => "disable_proxy",
            Self::EnlargeProxy => "enlarge_proxy",
            Self::ResizeProxy => "resize_proxy",
            Self::SetProxyWeights => "set_proxy_weights",
            Self::ListProxies => "list_proxies",
            Self::ProxyFlavors => "proxy_flavors",
            Self::ShowSqlFilterSwitch => "show_sql_filter_switch",
            Self::SetSqlFilterSwitch => "set_sql_filter_switch",
            Self::ShowSqlFilterRules => "show_sql_filter_rules",
            Self::SetSqlFilterRules => "set_sql_filter_rules",
            Self::DeleteSqlFilterRules => "delete_sql_filter_rules",
            Self::ErrorLogs => "error_logs",
            Self::SlowLogs => "slow_logs",
            Self::ListQuotas => "list_quotas",
            Self::SetQuotas => "set_quotas",
            Self::UpdateQuotas => "update_quotas",
            Self::ProjectQuotas => "project_quotas",
            Self::ListFlavors => "list_flavors",
            Self::ListDatastores => "list_datastores",
            Self::ListConfigurations => "list_configurations",
            Self::InstanceConfigurations => "instance_configurations",
            Self::ListVpcs => "list_vpcs",
            Self::ShowVpc => "show_vpc",
            Self::ListSubnets => "list_subnets",
            Self::ShowSubnet => "show_subnet",
            Self::ListSecurityGroups => "list_security_groups",
            Self::ShowSecurityGroup => "show_security_group",
            Self::IamTokens => "iam_tokens",
            Self::IamProjects => "iam_projects",
            Self::Versions => "versions",
            Self::Health => "_health",
            Self::OpenApi => "_openapi",
            Self::State => "_state",
            Self::Reset => "_reset",
            Self::Fixtures => "_fixtures",
            Self::Snapshot => "_snapshot",
            Self::Clock => "_clock",
            Self::Advance => "_advance",
            Self::Lifecycle => "_lifecycle",
            Self::SetLifecycle => "_set_lifecycle",
            Self::Complete => "_complete",
            Self::Fail => "_fail",
            Self::Hold => "_hold",
            Self::Wait => "_wait",
            Self::JobComplete => "_job_complete",
            Self::JobFail => "_job_fail",
            Self::JobHold => "_job_hold",
            Self::JobWait => "_job_wait",
            Self::Faults => "_faults",
            Self::ClearFaults => "_clear_faults",
            Self::FaultRequests => "_fault_requests",
            Self::FaultBackups => "_fault_backups",
            Self::Requests => "_requests",
            Self::ClearRequests => "_clear_requests",
            Self::Events => "_events",
            Self::Ui => "_ui",
            Self::TlsCa => "_tls_ca",
            Self::AddLogs => "_add_logs",
        }
    }

    /// The operation of this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|o| o.name() == name)
    }

    /// Whether it belongs to the emulated API or IAM, which request faults may target, and
    /// not to the control plane.
    pub fn is_api(self) -> bool {
        !self.name().starts_with('_')
    }

    /// Whether its handler reads the request body. Those that do not (deletes and body-less
    /// commands) have what a client sends read after them, so that the kept-alive connection
    /// stays usable (a body left unread ends it after the answer).
    pub fn reads_body(self) -> bool {
        !matches!(
            self,
            Self::Delete
                | Self::DeleteInstance
                | Self::DeleteNode
                | Self::Reset
                | Self::Complete
                | Self::Hold
                | Self::JobComplete
                | Self::JobHold
                | Self::ClearFaults
                | Self::ClearRequests
        )
    }
}
