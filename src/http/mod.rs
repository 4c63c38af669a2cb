//! The HTTP surface, and the only module that knows about axum: one route table, the
//! extractors, the wire types, the handlers and the emulator's control endpoints.

mod backups;
mod control;
mod error;
pub mod extract;
mod instances;
mod jobs;
pub mod request_id;
pub mod respond;
mod versions;
pub mod wire;

use std::any::Any;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use tower_http::catch_panic::CatchPanicLayer;

use crate::Emulator;
use crate::error::ApiError;

/// The whole HTTP application for one emulator.
pub fn router(emulator: Arc<Emulator>) -> Router {
    let body_limit = emulator.settings.max_body_bytes;
    let routes = Router::new()
        .route("/", get(versions::list))
        .merge(api_routes())
        // The legacy "unavailable soon" prefix serves the same API.
        .nest("/mysql", api_routes())
        .merge(control::routes())
        .with_state(emulator);
    with_common_layers(routes, body_limit)
}

/// The API's route table, relative to the service root.
fn api_routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/v3", get(versions::v3))
        .route("/v3/{project_id}/backups/create", post(backups::create))
        .route("/v3/{project_id}/backups", get(backups::list))
        .route(
            "/v3/{project_id}/backups/{backup_id}",
            delete(backups::delete),
        )
        .route("/v3/{project_id}/jobs", get(jobs::show))
        .route("/v3/{project_id}/instances", get(instances::list))
        .route(
            "/v3/{project_id}/instances/{instance_id}",
            get(instances::show),
        )
        .route(
            "/v3/{project_id}/instances/{instance_id}/backups/policy",
            get(instances::show_policy),
        )
        .route(
            "/v3/{project_id}/instances/{instance_id}/backups/policy/update",
            put(instances::update_policy),
        )
}

/// What every route gets, whatever it is: API errors for unknown paths and methods, the body
/// limit, panics caught as 500 `DBS.108000`, and a request id.
fn with_common_layers(routes: Router, body_limit: usize) -> Router {
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(request_id::assign))
}

/// Serves `emulator` on `listener` until `shutdown` resolves, with the ticker running.
pub async fn serve(
    listener: tokio::net::TcpListener,
    emulator: Arc<Emulator>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let ticker = crate::lifecycle::spawn_ticker(
        emulator.store.clone(),
        emulator.clock.clone(),
        crate::lifecycle::TICK,
    );
    let result = axum::serve(listener, router(emulator))
        .with_graceful_shutdown(shutdown)
        .await;
    ticker.abort();
    result
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
        let app = with_common_layers(
            Router::new()
                .route("/boom", get(boom))
                .route("/fine", get(fine)),
            1024,
        );
        let response = app
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers().contains_key("x-request-id"));
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
