//! [`CsrfLayer`]: refuses unsafe requests (POST, PUT, PATCH, DELETE, ...)
//! without a valid CSRF token with 403, before the handler runs. The
//! decision is the engine's ([`PendingSession::check_csrf`]); this adapter
//! only copies the request's headers into it and, for a form, reads the
//! token field from the body (at most
//! [`MAX_FORM_BODY`](crate::csrf::MAX_FORM_BODY) bytes) and hands the body
//! on unchanged.
//!
//! ```
//! use axum::{Router, routing::post};
//! use securecookie::layer::{CsrfLayer, SessionLayer};
//! use securecookie::{CookieConfig, CookieStore, Secret};
//!
//! # fn app(secret: Secret) -> Result<Router, securecookie::Error> {
//! let config = CookieConfig::default();
//! let store = CookieStore::<String>::new(config.clone(), [secret.keys()])?;
//! let app: Router = Router::new()
//!     .route("/logout", post(|| async { "bye" }))
//!     .layer(CsrfLayer::new()) // inside: it needs the session
//!     .layer(SessionLayer::new(store, "my-app").csrf(config));
//! # Ok(app) }
//! ```

use std::boxed::Box;
use std::string::String;
use std::vec::Vec;

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use ::http::header::{CONTENT_TYPE, COOKIE, HOST};
use ::http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use bytes::Bytes;

use super::LazySession;
use crate::sessions::csrf::{HEADER, MAX_FORM_BODY, form_token, is_unsafe_method};
use crate::sessions::engine::{CsrfRequest, Status};

/// The layer: put it inside [`SessionLayer`](super::SessionLayer) (with
/// `.csrf(..)` on), around the routes it protects.
#[derive(Clone, Copy, Debug, Default)]
pub struct CsrfLayer;

impl CsrfLayer {
    /// The layer.
    pub fn new() -> Self {
        CsrfLayer
    }
}

impl<I> tower_layer::Layer<I> for CsrfLayer {
    type Service = CsrfService<I>;

    fn layer(&self, inner: I) -> Self::Service {
        CsrfService { inner }
    }
}

/// The service [`CsrfLayer`] makes.
#[derive(Clone, Debug)]
pub struct CsrfService<I> {
    inner: I,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<I, B, R> tower_service::Service<Request<B>> for CsrfService<I>
where
    I: tower_service::Service<Request<B>, Response = Response<R>> + Clone + Send + 'static,
    I::Future: Send + 'static,
    I::Error: Send + 'static,
    B: http_body::Body<Data = Bytes> + From<Bytes> + Send + Unpin + 'static,
    R: From<&'static str> + Send + 'static,
{
    type Response = Response<R>;
    type Error = I::Error;
    type Future = BoxFuture<Result<Response<R>, I::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone is ready-less; the one polled ready serves this call.
        let clone = self.inner.clone();
        let mut inner = core::mem::replace(&mut self.inner, clone);
        let session = request
            .extensions()
            .get::<LazySession>()
            .map(|lazy| lazy.session.clone());
        let Some(session) = session else {
            tracing::error!(target: "securecookie", "{MISSING_LAYER}");
            return Box::pin(core::future::ready(Ok(text(
                StatusCode::INTERNAL_SERVER_ERROR,
                MISSING_LAYER,
            ))));
        };
        if !session.csrf_on() || !is_unsafe_method(request.method().as_str()) {
            return Box::pin(inner.call(request));
        }
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let header_token = header_text(&parts.headers, HEADER).map(String::from);
            let (form, body) = if header_token.is_none() && is_form(&parts.headers) {
                let read = read_bounded(body).await;
                let b = B::from(Bytes::from(read.clone().unwrap_or_default()));
                (read, b)
            } else {
                (None, body)
            };
            let host = parts
                .headers
                .get(HOST)
                .map(HeaderValue::as_bytes)
                .or_else(|| parts.uri.authority().map(|a| a.as_str().as_bytes()));
            let check = CsrfRequest {
                method: parts.method.as_str(),
                sec_fetch_site: parts
                    .headers
                    .get("sec-fetch-site")
                    .map(HeaderValue::as_bytes),
                origin: parts.headers.get("origin").map(HeaderValue::as_bytes),
                host,
                token: header_token
                    .as_deref()
                    .or_else(|| form.as_deref().and_then(form_token)),
            };
            let cookies = parts
                .headers
                .get_all(COOKIE)
                .into_iter()
                .map(HeaderValue::as_bytes);
            match session.check_csrf(check, cookies).await {
                Ok(()) => inner.call(Request::from_parts(parts, body)).await,
                Err(Status::Forbidden) => Ok(text(StatusCode::FORBIDDEN, FORBIDDEN)),
                Err(status) => Ok(text(
                    super::http_status(status),
                    "session store unavailable",
                )),
            }
        })
    }
}

const MISSING_LAYER: &str = "CsrfLayer needs securecookie's SessionLayer around it: \
    `.layer(CsrfLayer::new()).layer(SessionLayer::new(store, \"cookie-name\").csrf(config))`";

const FORBIDDEN: &str = "403 Forbidden: this request needs a valid CSRF token and must come \
    from this site (reload the page and try again)";

fn text<R: From<&'static str>>(status: StatusCode, body: &'static str) -> Response<R> {
    let mut response = Response::new(R::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// An `application/x-www-form-urlencoded` body (what an HTML form posts).
fn is_form(headers: &HeaderMap) -> bool {
    header_text(headers, CONTENT_TYPE.as_str()).is_some_and(|t| {
        t.split(';').next().is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
    })
}

/// The whole body if it is at most [`MAX_FORM_BODY`] bytes; `None` for a
/// longer one or a body error (then no token is found: 403).
async fn read_bounded<B>(mut body: B) -> Option<Vec<u8>>
where
    B: http_body::Body<Data = Bytes> + Unpin,
{
    let mut out = Vec::new();
    loop {
        let frame = core::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await;
        match frame {
            None => return Some(out),
            Some(Err(_)) => return None,
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if out.len() + data.len() > MAX_FORM_BODY {
                        return None;
                    }
                    out.extend_from_slice(&data);
                }
            }
        }
    }
}
