//! (feature `actix`) Sessions in actix-web 4: [`SessionMiddleware`] begins
//! each request's session and writes `Set-Cookie` after the handler;
//! [`SessionHandle`] is the extractor. Both are adapters over the
//! [`engine`](crate::engine), so the behaviour is the tower layer's, rule for
//! rule (see [`layer`][layer-mod] for the list): lazy loading, saving
//! when changed, rolling renewal, the lifetime cap, a bad cookie read as an
//! empty session and cleared, a 503 when the store does not answer, a
//! 500/503 carrying a [`SaveError`] when a session cannot be saved. Every
//! [`SessionStore`](crate::SessionStore) works, with no actix-specific code in it.
//!
//! ```
//! use actix_web::{App, HttpResponse, web};
//! use securecookie::actix::{SessionHandle, SessionMiddleware};
//! use securecookie::{CookieConfig, CookieStore, Keys};
//!
//! async fn login(session: SessionHandle) -> HttpResponse {
//!     session.set("user-id", "a1b2c3".to_string()); // saved after the handler
//!     session.renew(); // a privilege change: a fresh session
//!     HttpResponse::SeeOther().insert_header(("Location", "/welcome")).finish()
//! }
//!
//! async fn welcome(session: SessionHandle) -> HttpResponse {
//!     match session.get::<String>("user-id") {
//!         Some(id) => HttpResponse::Ok().body(format!("Welcome {id}!")),
//!         None => HttpResponse::Unauthorized().finish(),
//!     }
//! }
//!
//! let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], Some(&[9; 32]))?])?;
//! let sessions = SessionMiddleware::new(store, "my-app");
//! // Per worker, in HttpServer::new(move || ...):
//! let app = App::new()
//!     .wrap(sessions.clone())
//!     .route("/login", web::post().to(login))
//!     .route("/welcome", web::get().to(welcome));
//! # let _ = app;
//! # Ok::<(), securecookie::Error>(())
//! ```
// The tower layer exists only with feature `tower` (actix alone lacks it).
#![cfg_attr(feature = "tower", doc = "\n\n[layer-mod]: crate::layer")]
#![cfg_attr(not(feature = "tower"), doc = "\n\n[layer-mod]: crate#features")]

use std::boxed::Box;
use std::rc::Rc;
use std::string::String;

use core::future::{Future, Ready, ready};
use core::pin::Pin;
use core::task::{Context, Poll};

use actix_web::body::EitherBody;
use actix_web::dev::{
    Extensions, Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready,
};
use actix_web::http::StatusCode;
use actix_web::http::header::{COOKIE, HOST, HeaderValue, SET_COOKIE};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};

use crate::sessions::csrf::{HEADER, MAX_FORM_BODY, form_token, is_unsafe_method};
use crate::sessions::engine::{
    Around, CsrfRequest, Engine, Outcome, PendingSession, Status, unavailable,
};
pub use crate::sessions::engine::{SaveError, SessionHandle};
use crate::sessions::store::StoreError;

engine_front! {
/// The middleware: one per application (clone it into each worker's
/// `App`), holding the store and the cookie name.
///
/// ```
/// use securecookie::{CookieConfig, CookieStore, Keys, actix::SessionMiddleware};
/// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?;
/// let sessions = SessionMiddleware::new(store, "my-app")
///     .lifetime(30 * 24 * 60 * 60); // log in again after 30 days, active or not
/// # let _ = sessions;
/// # Ok::<(), securecookie::Error>(())
/// ```
SessionMiddleware
}

impl<S: crate::SessionStore> SessionMiddleware<S> {
    /// CSRF tokens bound to the session ([`Engine::csrf`]): handlers get
    /// them from [`SessionHandle::csrf_token`], and the middleware refuses
    /// an unsafe request (POST, PUT, PATCH, DELETE, ...) with 403 before
    /// the handler unless it comes from this site with a valid token (the
    /// `x-csrf-token` header, or the `csrf-token` field of a form of at
    /// most [`MAX_FORM_BODY`] bytes, handed on to the handler unchanged).
    /// `cookie`: the attributes of an anonymous visitor's CSRF cookie (the
    /// store's `CookieConfig`).
    #[must_use]
    pub fn csrf(mut self, cookie: crate::sessions::cookie_store::CookieConfig) -> Self {
        self.engine = self.engine.csrf(cookie);
        self
    }
}

impl<S, I, B> Transform<I, ServiceRequest> for SessionMiddleware<S>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = SessionService<I>;
    type InitError = ();
    type Future = Ready<Result<SessionService<I>, ()>>;

    fn new_transform(&self, inner: I) -> Self::Future {
        let mut data = Extensions::new();
        data.insert(AppEngine(self.engine.clone()));
        ready(Ok(SessionService {
            inner: Rc::new(inner),
            engine: self.engine.clone(),
            data: Rc::new(data),
        }))
    }
}

/// The middleware's engine, as request app data for the extractor (a type
/// of ours: no other app data can be mistaken for it).
struct AppEngine(Engine);

/// The service [`SessionMiddleware`] wraps around an inner service.
pub struct SessionService<I> {
    /// Shared with a CSRF check's future, which calls it once the request
    /// passed.
    inner: Rc<I>,
    engine: Engine,
    /// [`AppEngine`], one container per worker: each request gets an `Rc`
    /// of it, where a request extension would cost a box and a map insert
    /// (the whole of an untouched route's price, counted by callgrind in
    /// `benches/actix.rs`).
    data: Rc<Extensions>,
}

impl<I> core::fmt::Debug for SessionService<I> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionService")
            .field("config", self.engine.config())
            .finish_non_exhaustive()
    }
}

impl<I, B> Service<ServiceRequest> for SessionService<I>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = ResponseFuture<I::Future, B>;

    forward_ready!(inner);

    fn call(&self, mut request: ServiceRequest) -> Self::Future {
        if self.engine.config().csrf.is_some() && is_unsafe_method(request.method().as_str()) {
            let session = self.engine.begin();
            request.extensions_mut().insert(session.clone());
            let inner = Rc::clone(&self.inner);
            return ResponseFuture {
                state: State::Csrf {
                    checked: Box::pin(checked(inner, session, request)),
                },
            };
        }
        // Only the engine: the extractor begins the session when a handler
        // asks for it, so that an untouched route allocates no session and
        // skips the ending (nothing to write: the engine's rule). As app
        // data, as actix's scopes and resources add theirs (and with their
        // contract: the request is not cloned before routing is done).
        request.add_data_container(Rc::clone(&self.data));
        ResponseFuture::handler(self.inner.call(request))
    }
}

type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`]: the inner service's
    /// response, then the session saved (only when a handler loaded it).
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = Projected]
    enum State<F, B> {
        // The common case, unboxed: the inner service's call; then, if a
        // handler began a session, `Finishing`.
        Handler {
            #[pin]
            inner: F,
        },
        // The session's ending after the handler's response (boxed: only
        // a route that used its session pays for the space).
        Finishing {
            around: Pin<Box<Ending<B>>>,
        },
        // An unsafe request with CSRF on: `checked`, which ends the same way.
        Csrf {
            checked: LocalBoxFuture<Result<ServiceResponse<EitherBody<B>>, actix_web::Error>>,
        },
    }
}

/// The engine's ending of a session, around a response already made.
type Ending<B> = Around<Ready<Result<ServiceResponse<B>, actix_web::Error>>, ServiceResponse<B>>;

impl<F, B> ResponseFuture<F, B> {
    /// `inner`, then the ending of the session a handler began, if any.
    fn handler(inner: F) -> Self {
        ResponseFuture {
            state: State::Handler { inner },
        }
    }
}

/// With CSRF on, an unsafe request: the engine's check
/// ([`PendingSession::check_csrf`]), then the inner service, or a 403 (503
/// when the store does not answer) instead of it. Either way the session
/// is finished after it, as for any request.
async fn checked<I, B>(
    inner: Rc<I>,
    session: PendingSession,
    mut request: ServiceRequest,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let token = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let form = match token {
        None if request
            .content_type()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded") =>
        {
            read_form(&mut request).await
        }
        _ => None,
    };
    let headers = request.headers();
    let host = headers
        .get(HOST)
        .map(HeaderValue::as_bytes)
        .or_else(|| request.uri().authority().map(|a| a.as_str().as_bytes()));
    let check = CsrfRequest {
        method: request.method().as_str(),
        sec_fetch_site: headers.get("sec-fetch-site").map(HeaderValue::as_bytes),
        origin: headers.get("origin").map(HeaderValue::as_bytes),
        host,
        token: token
            .as_deref()
            .or_else(|| form.as_deref().and_then(form_token)),
    };
    let cookies = headers.get_all(COOKIE).map(HeaderValue::as_bytes);
    match session.check_csrf(check, cookies).await {
        // The session is in the request: the handler's ending finishes it.
        Ok(()) => ResponseFuture::handler(inner.call(request)).await,
        Err(status) => {
            let body = match status {
                Status::Forbidden => FORBIDDEN,
                _ => "session store unavailable",
            };
            let refused = HttpResponse::build(actix_status(status))
                .content_type("text/plain; charset=utf-8")
                .body(body);
            let response = request.into_response(refused);
            let done = ResponseFuture::handler(ready(Ok::<_, actix_web::Error>(response))).await?;
            Ok(done.map_into_boxed_body().map_into_right_body())
        }
    }
}

const FORBIDDEN: &str = "403 Forbidden: this request needs a valid CSRF token and must come \
    from this site (reload the page and try again)";

/// The form body if it is at most [`MAX_FORM_BODY`] bytes (`None`: longer,
/// or a body error, so no token: 403), put back for the handler.
async fn read_form(request: &mut ServiceRequest) -> Option<std::vec::Vec<u8>> {
    let payload = request.extract::<web::Payload>().await.ok()?;
    let read = match payload.to_bytes_limited(MAX_FORM_BODY).await {
        Ok(Ok(bytes)) => Some(bytes),
        _ => None,
    };
    request.set_payload(read.clone().unwrap_or_default().into());
    read.map(|bytes| bytes.to_vec())
}

impl<F, B> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let ended = loop {
            let mut state = self.as_mut().project().state;
            match state.as_mut().project() {
                Projected::Handler { inner } => {
                    let response = core::task::ready!(inner.poll(cx))?;
                    let session = response
                        .request()
                        .extensions_mut()
                        .remove::<PendingSession>();
                    let Some(session) = session else {
                        return Poll::Ready(Ok(response.map_into_left_body()));
                    };
                    state.set(State::Finishing {
                        around: Box::pin(session.around(ready(Ok(response)))),
                    });
                }
                Projected::Finishing { around } => {
                    break core::task::ready!(around.as_mut().poll(cx))?;
                }
                Projected::Csrf { checked } => return checked.as_mut().poll(cx),
            }
        };
        let (mut response, ending) = ended;
        if let Some(line) = ending.csrf_cookie {
            append_set_cookie(&mut response, line);
        }
        Poll::Ready(Ok(match ending.outcome {
            None => response.map_into_left_body(),
            Some(outcome) => respond(outcome, response),
        }))
    }
}

/// The engine's outcome applied to the handler's response.
fn respond<B>(
    outcome: Outcome,
    mut response: ServiceResponse<B>,
) -> ServiceResponse<EitherBody<B>> {
    match outcome {
        Outcome::SetCookie(line) => {
            append_set_cookie(&mut response, line);
            response.map_into_left_body()
        }
        Outcome::Failed { status, error } => {
            let mut failed = HttpResponse::new(actix_status(status));
            failed.extensions_mut().insert(error);
            response.into_response(failed).map_into_right_body()
        }
    }
}

/// Appends an engine's `Set-Cookie` line.
fn append_set_cookie<B>(response: &mut ServiceResponse<B>, line: std::string::String) {
    // The engine's lines are visible ASCII, which a HeaderValue always
    // takes.
    if let Ok(line) = HeaderValue::try_from(line) {
        response.headers_mut().append(SET_COOKIE, line);
    }
}

fn actix_status(status: Status) -> StatusCode {
    StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Loads the request's session (see
/// [`PendingSession::load`](crate::engine::PendingSession::load)): a bad
/// cookie is an empty session, never an error.
impl FromRequest for SessionHandle {
    type Error = SessionError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, SessionError>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = begun(request);
        let request = request.clone();
        Box::pin(async move {
            let session = session.ok_or(SessionError::MissingMiddleware)?;
            let cookies = request.headers().get_all(COOKIE).map(HeaderValue::as_bytes);
            session
                .load(cookies)
                .await
                .map_err(SessionError::Unavailable)
        })
    }
}

/// The request's session: the one a handler (or the CSRF check) already
/// began, else a new one from the middleware's engine, kept in the
/// request for the middleware to finish. `None` without the middleware.
fn begun(request: &HttpRequest) -> Option<PendingSession> {
    if let Some(session) = request.extensions().get::<PendingSession>() {
        return Some(session.clone());
    }
    let session = request.app_data::<AppEngine>()?.0.begin();
    request.extensions_mut().insert(session.clone());
    Some(session)
}

/// Why [`SessionHandle`] could not be extracted (take
/// `Result<SessionHandle, SessionError>` in a handler to answer otherwise).
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionError {
    /// The app has no [`SessionMiddleware`]: a programming error, answered
    /// 500 with a text that says so.
    MissingMiddleware,
    /// The store did not answer ([`StoreError::Backend`]): answered 503.
    Unavailable(StoreError),
}

const MISSING_MIDDLEWARE: &str = "SessionHandle needs securecookie's SessionMiddleware: add \
    `.wrap(SessionMiddleware::new(store, \"cookie-name\"))` to the App, around this route";

impl core::fmt::Display for SessionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SessionError::MissingMiddleware => f.write_str(MISSING_MIDDLEWARE),
            SessionError::Unavailable(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for SessionError {}

impl ResponseError for SessionError {
    fn status_code(&self) -> StatusCode {
        match self {
            SessionError::MissingMiddleware => StatusCode::INTERNAL_SERVER_ERROR,
            SessionError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            SessionError::MissingMiddleware => {
                tracing::error!(target: "securecookie", "{MISSING_MIDDLEWARE}");
                HttpResponse::InternalServerError().body(MISSING_MIDDLEWARE)
            }
            SessionError::Unavailable(e) => {
                HttpResponse::build(actix_status(unavailable(e))).body("session store unavailable")
            }
        }
    }
}
