//! The request pipeline: one layer that runs named steps in order (one function rather than a
//! layer per step: each layer costs a boxed future and its allocations on every request).
//!
//! Every request: [`Pipeline`] gives it its id, checks the URI and header limits, stamps the time
//! and the target (matched against the route table once, here, for every step and the
//! router), applies a request fault, verifies an AK/SK signature, runs the route's handler
//! ([`dispatch`]), then records the answer.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::{self, Either};
use tower::Service;

use super::routes::Target;
use super::{dispatch, inject, limits, record, request_id, signed};
use crate::emulator::Emulator;
use crate::faults::Hit;

/// The pipeline: a service of its own rather than `middleware::from_fn`, which would box the
/// rest of the stack behind a `Next` (a boxed, cloned service) on every request.
#[derive(Clone)]
pub(super) struct Pipeline {
    emulator: Arc<Emulator>,
}

impl Pipeline {
    pub(super) fn new(emulator: Arc<Emulator>) -> Self {
        Self { emulator }
    }
}

impl Service<Request> for Pipeline {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let id = request_id::next_id(&self.emulator);
        if let Err(refused) = limits::check(&request) {
            let refused = refused.into_response();
            return Box::pin(request_id::answer_as(id, None, future::ready(refused)).map(Ok));
        }
        let stamp = record::stamp(&self.emulator, &request);
        let time = Some(stamp.time);
        let answer = routed(self.emulator.clone(), stamp, request);
        Box::pin(request_id::answer_as(id, time, answer).map(Ok))
    }
}

/// A request that passed the limits and is stamped: fault, signature, route, record. The
/// usual request (no fault, no signature) keeps only its handler's future; the others take
/// their steps in a future of their own. No step here is an `async fn`, which would keep its
/// arguments twice: every request's state is one allocation, and small ones cost far less
/// than large ones.
fn routed(
    emulator: Arc<Emulator>,
    stamp: record::Stamp,
    request: Request,
) -> impl Future<Output = Response> + Send + 'static {
    let fault = inject::take(&emulator, stamp.operation(), stamp.method(), stamp.path());
    let target = stamp.target;
    let answer = if fault.is_none() && !signed::is_signed(&request) {
        Either::Left(dispatch::answer(&emulator, target, request))
    } else {
        let emulator = emulator.clone();
        Either::Right(Box::pin(async move {
            faulted_or_signed(&emulator, fault, target, request).await
        }))
    };
    answer.map(move |response| {
        record::finish(&emulator, stamp, &response);
        response
    })
}

/// A request with a fault to apply, or a signature to verify, before its route.
async fn faulted_or_signed(
    emulator: &Arc<Emulator>,
    fault: Option<Hit>,
    target: Target,
    request: Request,
) -> Response {
    let run = |request| {
        signed::verify(emulator, request, |request| {
            dispatch::answer(emulator, target, request)
        })
    };
    match fault {
        Some(hit) => inject::apply(emulator, hit, request, run).await,
        None => run(request).await,
    }
}
