//! The request pipeline: one layer that runs named steps in order (one function rather than a
//! layer per step: each layer costs a boxed future and its allocations on every request).
//!
//! Every request: [`Pipeline`] gives it its id, checks the URI and header limits, stamps the time
//! and the operation (matched against the route table here, so that this one layer wraps the
//! router instead of a layer wrapping each route), applies a request fault, verifies an AK/SK
//! signature, runs the router, then records the answer.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::{self, Either};
use tower::{Layer, Service};

use super::{inject, limits, record, request_id, respond, signed};
use crate::emulator::Emulator;
use crate::faults::RequestFault;

/// The pipeline as a layer around the router: a service of its own rather than
/// `middleware::from_fn`, which would box the rest of the stack behind a `Next` (a boxed,
/// cloned service) on every request.
#[derive(Clone)]
pub(super) struct PipelineLayer(pub(super) Arc<Emulator>);

impl<S> Layer<S> for PipelineLayer {
    type Service = Pipeline<S>;

    fn layer(&self, inner: S) -> Pipeline<S> {
        Pipeline {
            emulator: self.0.clone(),
            inner,
        }
    }
}

/// The service [`PipelineLayer`] makes: the steps around `inner` (see [`routed`]).
#[derive(Clone)]
pub(super) struct Pipeline<S> {
    emulator: Arc<Emulator>,
    inner: S,
}

impl<S, B> Service<Request> for Pipeline<S>
where
    S: Service<Request, Response = axum::http::Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The service polled ready answers this request; its clone waits for the next one.
        let ready = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, ready);
        let id = request_id::next_id(&self.emulator);
        if let Err(refused) = limits::check(&request) {
            let refused = respond::with_content_length(refused.into_response());
            return Box::pin(request_id::answer_as(id, None, future::ready(refused)).map(Ok));
        }
        let stamp = record::stamp(&self.emulator, &request);
        let time = Some(stamp.time);
        let answer = routed(self.emulator.clone(), stamp, request, inner);
        Box::pin(request_id::answer_as(id, time, answer).map(Ok))
    }
}

/// A request that passed the limits and is stamped: fault, signature, `inner` (the router),
/// record. The usual request (no fault, no signature) keeps only the router's future; the
/// others take their steps in a future of their own. No step here is an `async fn`, which
/// would keep its arguments twice: every request's state is one allocation, and small ones
/// cost far less than large ones.
fn routed<S, B>(
    emulator: Arc<Emulator>,
    stamp: record::Stamp,
    request: Request,
    inner: S,
) -> impl Future<Output = Response> + Send + 'static
where
    S: Service<Request, Response = axum::http::Response<B>, Error = Infallible> + Send + 'static,
    S::Future: Send,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let fault = inject::take(&emulator, stamp.operation);
    let answer = if fault.is_none() && !signed::is_signed(&request) {
        Either::Left(route(inner, request))
    } else {
        let emulator = emulator.clone();
        Either::Right(Box::pin(async move {
            faulted_or_signed(&emulator, fault, request, inner).await
        }))
    };
    answer.map(move |response| {
        record::finish(&emulator, stamp, &response);
        response
    })
}

/// A request with a fault to apply, or a signature to verify, before its route.
async fn faulted_or_signed<S, B>(
    emulator: &Emulator,
    fault: Option<RequestFault>,
    request: Request,
    inner: S,
) -> Response
where
    S: Service<Request, Response = axum::http::Response<B>, Error = Infallible>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    if let Some(fault) = fault
        && let Some(injected) = inject::apply(fault).await
    {
        return respond::with_content_length(injected);
    }
    signed::verify(emulator, request, |request| route(inner, request)).await
}

/// The router's answer to `request`.
fn route<S, B>(mut inner: S, request: Request) -> impl Future<Output = Response>
where
    S: Service<Request, Response = axum::http::Response<B>, Error = Infallible>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    inner.call(request).map(|response| {
        let response = response.unwrap_or_else(|never| match never {});
        response.map(axum::body::Body::new)
    })
}
