//! A service that is never ready: a layer around it must pass that on
//! (tower's backpressure), not claim readiness of its own. Shared by the
//! session layer's and the CSRF layer's tests.

use axum::body::Body;
use axum::http::{Request, Response};

#[derive(Clone)]
pub struct NeverReady;

impl tower::Service<Request<Body>> for NeverReady {
    type Response = Response<Body>;
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Response<Body>, Self::Error>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Pending
    }

    fn call(&mut self, _: Request<Body>) -> Self::Future {
        unreachable!("called while not ready")
    }
}
