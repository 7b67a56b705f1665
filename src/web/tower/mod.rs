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

mod handle;

use std::boxed::Box;
use std::string::String;
use std::sync::Arc;

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use ::http::header::SET_COOKIE;
use ::http::{HeaderValue, Request, Response, StatusCode};

use handle::{Inner, Loader, Shared, State};
pub use handle::{LazySession, SessionHandle};

use crate::error::Error;
use crate::sessions::store::{Record, SessionId, SessionStore, StoreError};

/// What a [`SessionLayer`] is configured with.
#[derive(Clone, Debug)]
pub(crate) struct LayerConfig {
    pub(crate) name: String,
    always_save: bool,
    /// Re-issue a cookie once it has used this percentage of its max age.
    rolling: Option<u8>,
    /// The absolute cap on a session's age, in seconds.
    pub(crate) lifetime: Option<u64>,
}

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
pub struct SessionLayer<S> {
    /// Built once: `layer` only clones the `Arc` (axum may call it per
    /// request on a router that was not given its state).
    shared: Arc<Shared<S>>,
}

impl<S> Clone for SessionLayer<S> {
    fn clone(&self) -> Self {
        SessionLayer {
            shared: self.shared.clone(),
        }
    }
}

impl<S> core::fmt::Debug for SessionLayer<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionLayer")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl<S: SessionStore> SessionLayer<S> {
    /// Sessions in `store`, under the cookie called `name`. Rolling renewal
    /// at half the store's max age, no lifetime cap, saves only when
    /// modified.
    pub fn new(store: S, name: impl Into<String>) -> Self {
        SessionLayer {
            shared: Arc::new(Shared {
                store: Arc::new(store),
                config: LayerConfig {
                    name: name.into(),
                    always_save: false,
                    rolling: Some(50),
                    lifetime: None,
                },
            }),
        }
    }

    fn config_mut(&mut self) -> &mut LayerConfig {
        &mut Arc::make_mut(&mut self.shared).config
    }

    /// Saves every session a handler loaded, changed or not (a fresh cookie
    /// on each such request; without this, only changed sessions are saved).
    #[must_use]
    pub fn always_save(mut self, always: bool) -> Self {
        self.config_mut().always_save = always;
        self
    }

    /// Re-issues a loaded session's cookie once it is older than `percent`
    /// of the store's max age (default 50); `None` turns rolling renewal
    /// off (then a session dies its max age after it was last saved).
    #[must_use]
    pub fn rolling(mut self, percent: Option<u8>) -> Self {
        self.config_mut().rolling = percent;
        self
    }

    /// Ends every session `seconds` after it was created (or last
    /// [`renew`](SessionHandle::renew)ed), however active: rolling renewal
    /// cannot pass this. A session past it reads as empty, rejected with
    /// [`Error::LifetimeExceeded`].
    #[must_use]
    pub fn lifetime(mut self, seconds: u64) -> Self {
        self.config_mut().lifetime = Some(seconds);
        self
    }
}

impl<I, S: SessionStore> tower_layer::Layer<I> for SessionLayer<S> {
    type Service = SessionService<I>;

    fn layer(&self, inner: I) -> Self::Service {
        SessionService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service [`SessionLayer`] wraps around an inner service.
pub struct SessionService<I> {
    inner: I,
    shared: Arc<dyn Loader>,
}

impl<I: Clone> Clone for SessionService<I> {
    fn clone(&self) -> Self {
        SessionService {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<I> core::fmt::Debug for SessionService<I> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionService")
            .field("config", self.shared.config())
            .finish_non_exhaustive()
    }
}

impl<I, ReqBody, ResBody> tower_service::Service<Request<ReqBody>> for SessionService<I>
where
    I: tower_service::Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = I::Error;
    type Future = ResponseFuture<I::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let session = Arc::new(Inner::new(self.shared.clone()));
        request.extensions_mut().insert(LazySession {
            inner: session.clone(),
        });
        ResponseFuture {
            inner: self.inner.call(request),
            session: Some(session),
            finishing: None,
        }
    }
}

type Finishing<B> = Pin<Box<dyn Future<Output = Response<B>> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`]: the inner service's
    /// response, then the session saved (only when a handler loaded it).
    pub struct ResponseFuture<F, B> {
        #[pin]
        inner: F,
        session: Option<Arc<Inner>>,
        finishing: Option<Finishing<B>>,
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default + Send + 'static,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Some(finishing) = this.finishing.as_mut() {
            return finishing.as_mut().poll(cx).map(Ok);
        }
        let response = ready!(this.inner.as_mut().poll(cx))?;
        let Some(session) = this.session.take() else {
            return Poll::Ready(Ok(response));
        };
        let plan = plan(&mut session.lock(), session.loader());
        if let Plan::Nothing = plan {
            // The untouched (or unchanged) session: no allocation, no await.
            return Poll::Ready(Ok(response));
        }
        let finishing = this
            .finishing
            .insert(Box::pin(finish(session, plan, response)));
        finishing.as_mut().poll(cx).map(Ok)
    }
}

/// What the layer does once the handler has answered.
enum Plan {
    Nothing,
    Save(Record),
    /// The expiring cookie (and, with an id, the record deleted).
    Destroy(Option<SessionId>),
    Fail(Error),
}

fn plan(state: &mut State, loader: &dyn Loader) -> Plan {
    if !state.loaded {
        // Never asked for: no clock, no store.
        return Plan::Nothing;
    }
    let config = loader.config();
    let now = crate::sessions::os::now();
    if state.destroy {
        return Plan::Destroy(state.id);
    }
    if let Some(e) = state.pending_error {
        return Plan::Fail(e);
    }
    let issued = state.issued;
    let rolling_due = match (issued, config.rolling, loader.max_age()) {
        (Some(issued), Some(percent), Some(age)) => {
            now.saturating_sub(issued) >= percent_of(age, percent)
        }
        _ => false,
    };
    let wants_save = state.modified
        || state.renew
        || state.outdated
        || rolling_due
        || (config.always_save && issued.is_some());
    if wants_save {
        if state.is_empty() {
            // Nothing worth a cookie: end whatever the request carried.
            return if issued.is_some() || state.rejected.is_some() {
                Plan::Destroy(state.id)
            } else {
                Plan::Nothing
            };
        }
        return match state.payload(now) {
            Ok(payload) => Plan::Save(Record::new(payload, state.id, state.renew)),
            Err(e) => Plan::Fail(e),
        };
    }
    if state.rejected.is_some() {
        // Clear the bad cookie, so that the browser stops sending it.
        return Plan::Destroy(state.id);
    }
    Plan::Nothing
}

/// `percent`% of `age` seconds, rounded down, for any `age` and percent
/// (a percent past 100 saturates instead of overflowing).
fn percent_of(age: u64, percent: u8) -> u64 {
    let percent = u64::from(percent);
    (age / 100)
        .saturating_mul(percent)
        .saturating_add(age % 100 * percent / 100)
}

async fn finish<B: Default>(
    session: Arc<Inner>,
    plan: Plan,
    mut response: Response<B>,
) -> Response<B> {
    let loader = session.loader();
    let result = match plan {
        Plan::Nothing => return response,
        Plan::Save(record) => match loader.save(record).await {
            // Destroyed by another request meanwhile: never resurrect it,
            // just drop the cookie.
            Err(StoreError::Session(Error::UnknownSession)) => loader.destroy(None).await,
            other => other,
        },
        Plan::Destroy(id) => loader.destroy(id).await,
        Plan::Fail(e) => Err(StoreError::Session(e)),
    };
    let failure = match result.map(HeaderValue::try_from) {
        Ok(Ok(line)) => {
            response.headers_mut().append(SET_COOKIE, line);
            return response;
        }
        Ok(Err(_)) => StoreError::Session(Error::InvalidAttribute { name: "Set-Cookie" }),
        Err(e) => e,
    };
    // A store that does not answer (or is full) may well answer the next
    // try: 503, as when loading. A session that cannot be saved at all is
    // this server's fault: 500.
    let status = match failure {
        StoreError::Backend(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let name = &loader.config().name;
    tracing::error!(
        target: "securecookie",
        cookie = %name,
        error = %failure,
        status = status.as_u16(),
        "session not saved"
    );
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    response
        .extensions_mut()
        .insert(SaveError(Arc::new(failure)));
    response
}

/// The cause of a 500 or 503 answered because a session could not be
/// saved, in that response's extensions: an outer layer can turn it into a page of
/// its own.
///
/// ```
/// use axum::{Router, middleware::map_response, response::{IntoResponse, Response}};
/// use securecookie::{CookieConfig, CookieStore, Keys, layer::{SaveError, SessionLayer}};
///
/// async fn explain(response: Response) -> Response {
///     match response.extensions().get::<SaveError>() {
///         Some(e) => (response.status(), format!("Your session could not be saved: {e}")).into_response(),
///         None => response,
///     }
/// }
///
/// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?;
/// let app: Router = Router::new()
///     .layer(SessionLayer::new(store, "my-app"))
///     .layer(map_response(explain)); // outside the session layer
/// # Ok::<(), securecookie::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SaveError(pub Arc<StoreError>);

impl core::fmt::Display for SaveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use crate::web::axum::SessionRejection;

#[cfg(test)]
mod tests {
    use super::percent_of;

    #[test]
    fn rolling_threshold_is_the_exact_percent_rounded_down() {
        for (age, percent, threshold) in [
            (604_800, 50, 302_400),
            (199, 50, 99),
            (99, 50, 49),
            (1, 100, 1),
            (7, 0, 0),
            (250, 255, 637),
            (u64::MAX, 100, u64::MAX),
            (u64::MAX, 255, u64::MAX),
        ] {
            assert_eq!(percent_of(age, percent), threshold, "{percent}% of {age}");
        }
    }
}
