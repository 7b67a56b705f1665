//! (feature `tower`) Sessions as a tower layer: [`SessionLayer`] finds the
//! session cookie, hands the handler a session through the request's
//! extensions, and writes `Set-Cookie` after it. With the feature `axum`,
//! [`SessionHandle`] is an axum extractor.
//!
//! Shaped like tower-http's layers: the [`SessionLayer`] holds the
//! configuration, the [`SessionService`] wraps the inner service and stays
//! `Clone`, and its [`ResponseFuture`] finishes the work after the inner
//! call. Nothing here depends on axum: any tower stack (hyper, tonic, ...)
//! can use it through [`LazySession`].
//!
//! # What the layer does
//!
//! - **Lazily**: the cookie is read when a handler first asks for the
//!   session ([`LazySession::load`]; the axum extractor calls it). A request
//!   whose handler never asks pays no decoding and gets no `Set-Cookie`.
//! - **Saves when modified**: `Set-Cookie` goes out only when a value was
//!   set, removed or cleared, a flash value added or taken, or on
//!   [`renew`](SessionHandle::renew) / [`destroy`](SessionHandle::destroy),
//!   unless [`always_save`](SessionLayer::always_save) is on. A session left
//!   empty is destroyed rather than saved.
//! - **Rolling idle timeout**: the store's max age is an idle timeout: once
//!   a cookie has used half of it (see [`rolling`](SessionLayer::rolling)),
//!   a request that loads the session re-issues the cookie, so an active
//!   user stays logged in. [`lifetime`](SessionLayer::lifetime) caps the
//!   whole session's age whatever the renewals.
//! - **Bad cookies are empty sessions**: a tampered, expired, wrongly keyed
//!   or undecodable cookie reads as an empty session;
//!   [`SessionHandle::rejected`] says why, a `tracing` event (target
//!   `securecookie`, level INFO) records it, and the layer clears the
//!   cookie unless the handler saved a new session.
//! - **Failures are loud**: a session that cannot be saved turns the
//!   response into an error with an ERROR event naming the cause, never a
//!   silently dropped cookie: a 500 when the session itself cannot be
//!   stored (longer than a browser keeps, ...), a 503 when the store does
//!   not answer or is full ([`StoreError::Backend`]). That response carries
//!   a [`SaveError`] extension, so an outer layer can replace it (see
//!   [`SaveError`]). A store that does not answer when loading makes the
//!   extractor answer 503 too.
//!
//! We log with `tracing`, as tower-http, hyper and axum do: the events land
//! wherever the application's subscriber sends the rest (and reach `log`
//! users through `tracing`'s `log` feature).

use std::string::String;

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use ::http::header::{COOKIE, SET_COOKIE};
use ::http::{HeaderMap, HeaderValue, Request, Response, StatusCode};

use crate::sessions::engine::{Around, Engine, Outcome, PendingSession, Status};
pub use crate::sessions::engine::{SaveError, SessionHandle, Typed};
use crate::sessions::store::{SessionStore, StoreError};

engine_front! {
/// The layer: one per application, holding the store and the cookie name.
///
/// ```
/// use securecookie::{CookieConfig, CookieStore, Keys, layer::SessionLayer};
/// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], Some(&[9; 32]))?])?;
/// let layer = SessionLayer::new(store, "my-app")
///     .lifetime(30 * 24 * 60 * 60); // log in again after 30 days, active or not
/// # let _ = layer;
/// # Ok::<(), securecookie::Error>(())
/// ```
SessionLayer
}

impl<S: SessionStore> SessionLayer<S> {
    /// CSRF tokens bound to the session ([`Engine::csrf`]): handlers get
    /// them from [`SessionHandle::csrf_token`]; a [`CsrfLayer`] inside this
    /// layer refuses unsafe requests without one. `cookie`: the attributes
    /// of an anonymous visitor's CSRF cookie (the store's `CookieConfig`).
    #[must_use]
    pub fn csrf(mut self, cookie: crate::sessions::cookie_store::CookieConfig) -> Self {
        self.engine = self.engine.csrf(cookie);
        self
    }
}

impl<I, S: SessionStore> tower_layer::Layer<I> for SessionLayer<S> {
    type Service = SessionService<I>;

    fn layer(&self, inner: I) -> Self::Service {
        SessionService {
            inner,
            engine: self.engine.clone(),
        }
    }
}

/// The service [`SessionLayer`] wraps around an inner service.
#[derive(Clone)]
pub struct SessionService<I> {
    inner: I,
    engine: Engine,
}

impl<I> core::fmt::Debug for SessionService<I> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionService")
            .field("config", self.engine.config())
            .finish_non_exhaustive()
    }
}

impl<I, ReqBody, ResBody> tower_service::Service<Request<ReqBody>> for SessionService<I>
where
    I: tower_service::Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = I::Error;
    type Future = ResponseFuture<I::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let session = self.engine.begin();
        request.extensions_mut().insert(LazySession {
            session: session.clone(),
        });
        ResponseFuture {
            inner: session.around(self.inner.call(request)),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`]: the inner service's
    /// response, then the session saved (only when a handler loaded it).
    pub struct ResponseFuture<F, B> {
        #[pin]
        inner: Around<F, Response<B>>,
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (mut response, ending) = ready!(self.project().inner.poll(cx))?;
        if let Some(line) = ending.csrf_cookie {
            append_set_cookie(&mut response, line);
        }
        Poll::Ready(Ok(match ending.outcome {
            None => response,
            Some(outcome) => respond(outcome, response),
        }))
    }
}

/// The engine's outcome applied to the handler's response.
fn respond<B: Default>(outcome: Outcome, mut response: Response<B>) -> Response<B> {
    match outcome {
        Outcome::SetCookie(line) => {
            append_set_cookie(&mut response, line);
            response
        }
        Outcome::Failed { status, error } => {
            let mut response = Response::new(B::default());
            *response.status_mut() = http_status(status);
            response.extensions_mut().insert(error);
            response
        }
    }
}

/// Appends an engine's `Set-Cookie` line.
fn append_set_cookie<B>(response: &mut Response<B>, line: String) {
    // The engine's lines are visible ASCII, which a HeaderValue always
    // takes.
    if let Ok(line) = HeaderValue::try_from(line) {
        response.headers_mut().append(SET_COOKIE, line);
    }
}

/// The engine's status as `http`'s (both are 500 or 503).
pub(crate) fn http_status(status: Status) -> StatusCode {
    StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The session of one request before it is read: what the layer puts in
/// the request's extensions. Nothing is decoded until [`load`](Self::load)
/// (the axum extractor [`SessionHandle`] calls it): a handler that never
/// asks for the session pays nothing.
///
/// Without axum, take it from the request and load it:
///
/// ```no_run
/// # async fn handler(request: http::Request<()>) -> Result<(), securecookie::StoreError> {
/// use securecookie::layer::LazySession;
/// let lazy = request.extensions().get::<LazySession>().expect("SessionLayer is installed");
/// let session = lazy.load(request.headers()).await?; // StoreError::Backend: answer 503
/// let user: Option<String> = session.get("user-id");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct LazySession {
    session: PendingSession,
}

impl LazySession {
    /// Reads the session from the cookie in `headers` (the request's: the
    /// layer takes nothing from the request until a handler asks), once per
    /// request (later calls and clones share the result); see
    /// [`PendingSession::load`](crate::engine::PendingSession::load).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the store does not answer (the axum
    /// extractor answers 503).
    pub async fn load(&self, headers: &HeaderMap) -> Result<SessionHandle, StoreError> {
        let cookies = headers
            .get_all(COOKIE)
            .into_iter()
            .map(HeaderValue::as_bytes);
        self.session.load(cookies).await
    }
}

impl core::fmt::Debug for LazySession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LazySession")
            .field("cookie", &self.session.name())
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use crate::web::axum::SessionRejection;

mod csrf;
pub use csrf::{CsrfLayer, CsrfService};
