//! The router: the route table's match (made once, by the pipeline) to the operation's
//! handler. A handler is called directly, as axum's `Handler` with the emulator as its state:
//! no router looks the path up a second time, and no path parameters go into the request's
//! extensions (whose map is an allocation of its own) — the handlers that take parameters read
//! them from the path ([`super::extract::ApiPath`]).
//!
//! What axum's router did for its routes is done here too: `HEAD` answered by the `GET` route
//! without its body (but with its `Content-Length`), `405` with `Allow`, a panicking handler
//! answered with `500 DBS.108000`; and the control plane's guard in front of every control
//! route but `health`. (The server's hyper writes every other answer's `Content-Length` from its
//! body.)

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::{self, Either};

use super::routes::{Operation, Route, Target};
use super::{
    backups, catalog, control, dashboard, guard, iam, instance_backups, instance_changes,
    instances, jobs, logs, network, nodes, proxies, quotas, respond, restore, sql_filter, versions,
};
use crate::emulator::Emulator;
use crate::error::ApiError;

/// A handler's future, as axum's `Handler` gives it for an `async fn`.
type Answer = Pin<Box<dyn Future<Output = Response> + Send>>;

/// An operation's handler, called with the request and the emulator.
type Run = fn(Request, Arc<Emulator>) -> Answer;

/// The answer to a request for `target`.
pub(super) fn answer(
    emulator: &Arc<Emulator>,
    target: Target,
    request: Request,
) -> impl Future<Output = Response> + Send + use<> {
    let (route, head) = match target {
        Target::Route { route, head } => (route, head),
        Target::MethodNotAllowed(routes) => {
            return Either::Left(future::ready(method_not_allowed(routes)));
        }
        Target::NotFound => {
            return Either::Left(future::ready(ApiError::ResourceNotFound.into_response()));
        }
    };
    if is_guarded(route)
        && let Some(refused) = guard::refusal(emulator, &request)
    {
        return Either::Left(future::ready(refused));
    }
    let run = handler(route.operation);
    let call = if !route.operation.reads_body() && may_have_body(&request) {
        // Called without the body, which is read (and dropped) after the answer is made, as
        // the body reader reads any: within the limit and the timeout.
        let (parts, body) = request.into_parts();
        let headers = parts.headers.clone();
        let rules = super::body::BodyRules::of(&emulator.settings);
        let answer = caught(
            run,
            Request::from_parts(parts, Body::empty()),
            emulator.clone(),
        );
        Either::Right(Box::pin(async move {
            let response = answer.await;
            let _ = super::body::read(&headers, body, rules).await;
            response
        }) as Pin<Box<dyn Future<Output = Response> + Send>>)
    } else {
        Either::Left(caught(run, request, emulator.clone()))
    };
    Either::Right(call.map(move |response| {
        if head {
            // Its length is the GET's, which hyper can no longer tell from the body.
            respond::with_content_length(response).map(|_| Body::empty())
        } else {
            response
        }
    }))
}

/// Whether a request may carry a body: a length above 0, or a chunked one.
fn may_have_body(request: &Request) -> bool {
    let headers = request.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// Every control route but `health` is behind the guard.
fn is_guarded(route: &Route) -> bool {
    !route.operation.is_api() && route.operation != Operation::Health
}

/// `run`'s answer, or `500 DBS.108000` when it panics (in the call or in its future): the
/// server goes on, and the client gets the API's format.
fn caught(run: Run, request: Request, emulator: Arc<Emulator>) -> impl Future<Output = Response> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| run(request, emulator))) {
        Ok(answer) => Either::Left(
            AssertUnwindSafe(answer)
                .catch_unwind()
                .map(|answer| answer.unwrap_or_else(|_| ApiError::Internal.into_response())),
        ),
        Err(_) => Either::Right(future::ready(ApiError::Internal.into_response())),
    }
}

/// `405` in the API's format, with the methods the path takes (`HEAD` with `GET`).
fn method_not_allowed(routes: &[&Route]) -> Response {
    let mut response = ApiError::MethodNotAllowed.into_response();
    let allow = routes
        .iter()
        .map(|r| {
            if r.method == "GET" {
                "GET,HEAD"
            } else {
                r.method
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    if let Ok(allow) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

/// The handler of each operation of the route table.
fn handler(operation: Operation) -> Run {
    match operation {
        Operation::Versions => |r, e| versions::list.call(r, e),
        Operation::Version => |r, e| versions::v3.call(r, e),
        Operation::Create => |r, e| backups::create.call(r, e),
        Operation::List => |r, e| backups::list.call(r, e),
        Operation::Delete => |r, e| backups::delete.call(r, e),
        Operation::BatchDelete => |r, e| backups::batch_delete.call(r, e),
        Operation::Job => |r, e| jobs::show.call(r, e),
        Operation::ListInstances => |r, e| instances::list.call(r, e),
        Operation::ShowInstance => |r, e| instances::show.call(r, e),
        Operation::ShowPolicy => |r, e| instance_backups::show_policy.call(r, e),
        Operation::InstanceBackups => |r, e| instance_backups::backups.call(r, e),
        Operation::RestoreTime => |r, e| instance_backups::restore_time.call(r, e),
        Operation::IncrementalBackups => |r, e| instance_backups::incremental_backups.call(r, e),
        Operation::ShowEncryption => |r, e| instance_backups::show_encryption.call(r, e),
        Operation::SetEncryption => |r, e| instance_backups::set_encryption.call(r, e),
        Operation::SetOffsitePolicy => |r, e| instance_backups::set_offsite_policy.call(r, e),
        Operation::UpdatePolicy => |r, e| instance_backups::update_policy.call(r, e),
        Operation::RestoreInstance => |r, e| restore::restore.call(r, e),
        Operation::CreateInstance => |r, e| instances::create.call(r, e),
        Operation::DeleteInstance => |r, e| instance_changes::delete.call(r, e),
        Operation::RenameInstance => |r, e| instance_changes::rename.call(r, e),
        Operation::ResetPassword => |r, e| instance_changes::reset_password.call(r, e),
        Operation::ChangePort => |r, e| instance_changes::change_port.call(r, e),
        Operation::ResizeFlavor => |r, e| instance_changes::resize.call(r, e),
        Operation::ShowMonitoring => |r, e| instance_changes::show_monitoring.call(r, e),
        Operation::SetMonitoring => |r, e| instance_changes::set_monitoring.call(r, e),
        Operation::EnableProxy => |r, e| proxies::enable.call(r, e),
        Operation::DisableProxy => |r, e| proxies::disable.call(r, e),
        Operation::EnlargeProxy => |r, e| proxies::enlarge.call(r, e),
        Operation::ResizeProxy => |r, e| proxies::resize.call(r, e),
        Operation::SetProxyWeights => |r, e| proxies::set_weights.call(r, e),
        Operation::ListProxies => |r, e| proxies::list.call(r, e),
        Operation::ProxyFlavors => |r, e| proxies::flavors.call(r, e),
        Operation::ShowSqlFilterSwitch => |r, e| sql_filter::show_switch.call(r, e),
        Operation::SetSqlFilterSwitch => |r, e| sql_filter::set_switch.call(r, e),
        Operation::ShowSqlFilterRules => |r, e| sql_filter::show_rules.call(r, e),
        Operation::SetSqlFilterRules => |r, e| sql_filter::set_rules.call(r, e),
        Operation::DeleteSqlFilterRules => |r, e| sql_filter::delete_rules.call(r, e),
        Operation::ErrorLogs => |r, e| logs::errors.call(r, e),
        Operation::SlowLogs => |r, e| logs::slow.call(r, e),
        Operation::ListQuotas => |r, e| quotas::list.call(r, e),
        Operation::SetQuotas => |r, e| quotas::create.call(r, e),
        Operation::UpdateQuotas => |r, e| quotas::update.call(r, e),
        Operation::ProjectQuotas => |r, e| quotas::project.call(r, e),
        Operation::AddReplicas => |r, e| nodes::add_replicas.call(r, e),
        Operation::DeleteNode => |r, e| nodes::delete_node.call(r, e),
        Operation::ListVpcs => |r, e| network::vpcs.call(r, e),
        Operation::ShowVpc => |r, e| network::vpc.call(r, e),
        Operation::ListSubnets => |r, e| network::subnets.call(r, e),
        Operation::ShowSubnet => |r, e| network::subnet.call(r, e),
        Operation::ListSecurityGroups => |r, e| network::security_groups.call(r, e),
        Operation::ShowSecurityGroup => |r, e| network::security_group.call(r, e),
        Operation::ListFlavors => |r, e| catalog::flavors.call(r, e),
        Operation::ListDatastores => |r, e| catalog::datastores.call(r, e),
        Operation::ListConfigurations => |r, e| catalog::configurations.call(r, e),
        Operation::InstanceConfigurations => |r, e| catalog::instance_configurations.call(r, e),
        Operation::IamTokens => |r, e| iam::tokens.call(r, e),
        Operation::IamProjects => |r, e| iam::projects.call(r, e),
        Operation::Health => |r, e| control::health.call(r, e),
        Operation::OpenApi => |r, e| control::openapi.call(r, e),
        Operation::State => |r, e| control::state.call(r, e),
        Operation::Reset => |r, e| control::reset.call(r, e),
        Operation::Fixtures => |r, e| control::fixtures.call(r, e),
        Operation::Snapshot => |r, e| control::snapshot.call(r, e),
        Operation::Clock => |r, e| control::clock.call(r, e),
        Operation::Advance => |r, e| control::advance.call(r, e),
        Operation::Lifecycle => |r, e| control::lifecycle.call(r, e),
        Operation::SetLifecycle => |r, e| control::set_lifecycle.call(r, e),
        Operation::Complete => |r, e| control::complete.call(r, e),
        Operation::Fail => |r, e| control::fail.call(r, e),
        Operation::Hold => |r, e| control::hold.call(r, e),
        Operation::Wait => |r, e| control::wait.call(r, e),
        Operation::JobComplete => |r, e| control::complete_job.call(r, e),
        Operation::JobFail => |r, e| control::fail_job.call(r, e),
        Operation::JobHold => |r, e| control::hold_job.call(r, e),
        Operation::JobWait => |r, e| control::wait_job.call(r, e),
        Operation::Faults => |r, e| control::faults.call(r, e),
        Operation::ClearFaults => |r, e| control::clear_faults.call(r, e),
        Operation::FaultRequests => |r, e| control::fault_requests.call(r, e),
        Operation::FaultBackups => |r, e| control::fault_backups.call(r, e),
        Operation::Requests => |r, e| control::requests.call(r, e),
        Operation::ClearRequests => |r, e| control::clear_requests.call(r, e),
        Operation::Events => |r, e| dashboard::events.call(r, e),
        Operation::Ui => |r, e| dashboard::ui.call(r, e),
        Operation::TlsCa => |r, e| control::tls_ca.call(r, e),
        Operation::AddLogs => |r, e| control::add_logs.call(r, e),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use axum::http::StatusCode;

    use super::*;

    fn emulator() -> Arc<Emulator> {
        let fixtures = crate::fixtures::Fixtures::builtin();
        let clock = Arc::new(crate::clock::ManualClock::new(
            crate::clock::SystemClock::wall(),
        ));
        Emulator::new(&fixtures, clock, crate::emulator::Settings::default())
    }

    async fn body_of(response: Response) -> serde_json::Value {
        let body = to_bytes(response.into_body(), 1024).await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    #[tokio::test]
    async fn a_handler_that_panics_in_its_future_or_its_call_answers_500_in_the_api_format() {
        let in_future: Run = |_, _| Box::pin(async { panic!("a bug in a handler") });
        let in_call: Run = |_, _| panic!("a bug before the handler's future");
        for run in [in_future, in_call] {
            let request = Request::new(Body::empty());
            let response = caught(run, request, emulator()).await;
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(
                body_of(response).await,
                serde_json::json!({"error_code": "DBS.108000", "error_msg": "Server failure."})
            );
        }
        let fine: Run = |_, _| Box::pin(async { StatusCode::NO_CONTENT.into_response() });
        let response = caught(fine, Request::new(Body::empty()), emulator()).await;
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "the next one is served"
        );
    }
}
