//! The HTTP surface, and the only module that knows about axum: one route table, the
//! extractors, the wire types, the handlers and the emulator's control endpoints.

mod backups;
mod body;
mod catalog;
mod control;
mod dashboard;
mod dispatch;
mod error;
pub mod extract;
pub mod guard;
mod iam;
mod inject;
mod instance_backups;
mod instance_changes;
mod instances;
mod jobs;
mod limits;
mod logs;
mod network;
mod nodes;
mod operation;
mod pipeline;
mod proxies;
mod quotas;
mod record;
pub mod request_id;
pub mod respond;
mod restore;
pub mod routes;
mod server;
mod signed;
mod sql_filter;
mod versions;
pub mod wire;
mod workers;

use std::sync::Arc;

use axum::Router;
use axum::response::Response;

pub use self::body::BodyRules;
pub use self::control::OPENAPI;
pub use self::server::serve;
use crate::emulator::Emulator;

/// The whole HTTP application for one emulator, as a router (for callers that compose
/// routers; the server runs the same pipeline without a router around it).
pub fn router(emulator: Arc<Emulator>) -> Router {
    Router::new().fallback_service(app(emulator))
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

/// The application as the server runs it: the pipeline (id, limits, stamp, fault, signature,
/// the route's handler, record), with no router around it.
fn app(emulator: Arc<Emulator>) -> impl App {
    pipeline::Pipeline::new(emulator)
}
