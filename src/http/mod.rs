//! The HTTP surface, and the only module that knows about axum: one route table, the
//! extractors, the wire types, the handlers and the emulator's control endpoints.

mod backups;
mod body;
mod control;
mod dashboard;
mod error;
pub mod extract;
pub mod guard;
mod iam;
mod inject;
mod instances;
mod jobs;
mod limits;
mod pipeline;
mod record;
pub mod request_id;
pub mod respond;
mod restore;
pub mod routes;
mod server;
mod signed;
mod versions;
pub mod wire;

use std::any::Any;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use tower_http::catch_panic::CatchPanicLayer;

pub use self::body::BodyRules;
pub use self::control::OPENAPI;
use self::routes::{Operation, Route};
pub use self::server::serve;
use crate::emulator::Emulator;
use crate::error::ApiError;

/// The whole HTTP application for one emulator.
pub fn router(emulator: Arc<Emulator>) -> Router {
    let body_limit = emulator.settings.max_body_bytes;
    with_common_layers(routes(&emulator), body_limit, emulator)
}

/// The application as a service of requests to answers, as the server runs it (one bound,
/// for the functions that make it and the connections that run it).
pub(crate) trait App:
    tower::Service<
        axum::extract::Request,
        Response = Response,
        Error = std::convert::Infallible,
        Future: Send,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> App for T where
    T: tower::Service<
            axum::extract::Request,
            Response = Response,
            Error = std::convert::Infallible,
            Future: Send,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// The same application as [`router`], as the server runs it: the common layers around the
/// routes without a router around them.
fn app(emulator: Arc<Emulator>) -> impl App {
    let body_limit = emulator.settings.max_body_bytes;
    common_layers(routes(&emulator), body_limit, emulator)
}

/// Every route of the route table, with its handler, the control plane's guard and the
/// fallbacks.
fn routes(emulator: &Arc<Emulator>) -> Router {
    let api = routes::API.iter().fold(Router::new(), add_route);
    let (health, control): (Vec<&Route>, Vec<&Route>) = routes::CONTROL
        .iter()
        .partition(|r| r.operation == Operation::Health);
    let control = control
        .into_iter()
        .fold(Router::new(), add_route)
        .route_layer(middleware::from_fn_with_state(
            emulator.clone(),
            guard::control,
        ));
    health
        .into_iter()
        .chain(routes::IAM)
        .chain(std::iter::once(&routes::ROOT))
        .fold(Router::new(), add_route)
        .merge(control)
        .merge(api.clone())
        // The legacy "unavailable soon" prefix serves the same API.
        .nest("/mysql", api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(emulator.clone())
}

fn add_route(router: Router<Arc<Emulator>>, route: &Route) -> Router<Arc<Emulator>> {
    router.route(route.path, handler(route))
}

/// The handler of each operation of the route table.
fn handler(route: &Route) -> MethodRouter<Arc<Emulator>> {
    let method_router = match route.operation {
        Operation::Versions => get(versions::list),
        Operation::Version => get(versions::v3),
        Operation::Create => post(backups::create),
        Operation::List => get(backups::list),
        Operation::Delete => delete(backups::delete),
        Operation::BatchDelete => delete(backups::batch_delete),
        Operation::Job => get(jobs::show),
        Operation::ListInstances => get(instances::list),
        Operation::ShowInstance => get(instances::show),
        Operation::ShowPolicy => get(instances::show_policy),
        Operation::InstanceBackups => get(instances::backups),
        Operation::RestoreTime => get(instances::restore_time),
        Operation::IncrementalBackups => get(instances::incremental_backups),
        Operation::ShowEncryption => get(instances::show_encryption),
        Operation::SetEncryption => post(instances::set_encryption),
        Operation::SetOffsitePolicy => put(instances::set_offsite_policy),
        Operation::UpdatePolicy => put(instances::update_policy),
        Operation::RestoreInstance => post(restore::restore),
        Operation::CreateInstance => post(restore::create),
        Operation::IamTokens => post(iam::tokens),
        Operation::IamProjects => get(iam::projects),
        Operation::Health => get(control::health),
        Operation::OpenApi => get(control::openapi),
        Operation::State => get(control::state),
        Operation::Reset => post(control::reset),
        Operation::Fixtures => post(control::fixtures),
        Operation::Snapshot => get(control::snapshot),
        Operation::Clock => get(control::clock),
        Operation::Advance => post(control::advance),
        Operation::Lifecycle => get(control::lifecycle),
        Operation::SetLifecycle => put(control::set_lifecycle),
        Operation::Complete => post(control::complete),
        Operation::Fail => post(control::fail),
        Operation::Hold => post(control::hold),
        Operation::Wait => get(control::wait),
        Operation::JobComplete => post(control::complete_job),
        Operation::JobFail => post(control::fail_job),
        Operation::JobHold => post(control::hold_job),
        Operation::JobWait => get(control::wait_job),
        Operation::Faults => get(control::faults),
        Operation::ClearFaults => delete(control::clear_faults),
        Operation::FaultRequests => post(control::fault_requests),
        Operation::FaultBackups => post(control::fault_backups),
        Operation::Requests => get(control::requests),
        Operation::ClearRequests => delete(control::clear_requests),
        Operation::Events => get(dashboard::events),
        Operation::Ui => get(dashboard::ui),
        Operation::TlsCa => get(control::tls_ca),
    };
    debug_assert!(
        ["GET", "POST", "PUT", "DELETE"].contains(&route.method),
        "{route:?}"
    );
    method_router
}

/// What every request gets, whatever its route: the body limit, and panics caught as 500
/// `DBS.108000`; the pipeline (id, limits, stamp, fault, signature, record) around all of it.
/// They wrap the router once, not each route (as `Router::layer` would): a layer per route is
/// a boxed, cloned service per request and layer.
fn with_common_layers(routes: Router, body_limit: usize, emulator: Arc<Emulator>) -> Router {
    Router::new().fallback_service(common_layers(routes, body_limit, emulator))
}

/// The common layers around the routes, as a service of its own: what the server runs (a
/// router around it would only pass each request on, at the cost of a boxed service).
fn common_layers(routes: Router, body_limit: usize, emulator: Arc<Emulator>) -> impl App {
    tower::ServiceBuilder::new()
        .layer(pipeline::PipelineLayer(emulator))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(DefaultBodyLimit::max(body_limit))
        .service(routes)
}

async fn not_found() -> ApiError {
    ApiError::ResourceNotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::Internal.into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_answers_500_in_the_api_format_and_the_server_goes_on() {
        async fn boom() -> &'static str {
            panic!("a bug in a handler")
        }
        async fn fine() -> &'static str {
            "fine"
        }
        let fixtures = crate::fixtures::Fixtures::builtin();
        let clock = Arc::new(crate::clock::ManualClock::new(
            crate::clock::SystemClock::wall(),
        ));
        let emulator = Emulator::new(&fixtures, clock, crate::emulator::Settings::default());
        let app = with_common_layers(
            Router::new()
                .route("/boom", get(boom))
                .route("/fine", get(fine)),
            1024,
            emulator,
        );
        let response = app
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = to_bytes(response.into_body(), 1024).await.unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
            serde_json::json!({"error_code": "DBS.108000", "error_msg": "Server failure."})
        );
        let response = app
            .oneshot(Request::get("/fine").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
