//! The login demo: Go's dghubble/sessions README example as a real server,
//! on the session layer (`SessionLayer` + the `SessionHandle` extractor).
//!
//! ```text
//! cargo run --example server --features axum
//! ```
//!
//! - `GET /`: a login form, or a link to `/welcome` when logged in.
//! - `POST /login`: puts `user-id` in session `my-app` (renewed: a fresh
//!   cookie at login) with a flash notice, `303` to `/welcome`.
//! - `GET /welcome`: a 401 page (`missing session` / `missing user-id`,
//!   why a cookie was refused, a link to the login form), else
//!   `Welcome <user-id>!`, the flash notice once, a panel showing the
//!   cookie (format, size of the 4096 bytes, issued and expiry times) and
//!   a logout form.
//! - `POST /logout`: destroys the session, `303` to `/`.
//!
//! Every form carries a CSRF token (a hidden `csrf-token` field): a POST
//! without a valid one, or one the browser says comes from another site,
//! gets a 403 (`CsrfLayer`). The login form's token lives in a cookie of
//! its own (`my-app-csrf`) until the login moves it into the session, so
//! loading the form stores nothing on the server.
//!
//! Environment:
//! - `ADDR`: where to listen (default `127.0.0.1:8080`; port 0 picks one).
//!   The bound address is printed as `listening on http://ADDR`.
//! - `SESSION_SECRET`: one master secret, hex or base64 (make one with
//!   `cargo run --features cli --bin securecookie keygen`); the keys are
//!   derived from it (`Keys::derive`). Several, newest first and separated
//!   by commas, rotate: cookies are written with the first, read with any.
//! - Or Go's raw keys, `SESSION_HASH_KEY`, `SESSION_BLOCK_KEY`: hex (32+
//!   bytes; 16, 24 or 32 bytes). A hash key alone makes signed-only cookies.
//! - Neither: fresh random keys, and sessions end on restart.
//! - `INSECURE_COOKIES=1`: cookies without `Secure`, for plain HTTP. curl,
//!   Chrome and Firefox keep `Secure` cookies from `http://127.0.0.1` and
//!   `http://localhost` anyway; Safari and other host names need this.
//! - `SESSION_STORE=redis://127.0.0.1:6379` (any URL the `redis` crate
//!   takes; build with `--features axum,redis`): sessions live in Redis or
//!   Valkey, the cookie holds a sealed session id, and `/logout` revokes
//!   (the old cookie, replayed, gets the 401 page). Unset: in the cookie.
//!   `SESSION_STORE=sqlite://PATH` (`--features axum,sqlite`; the file is
//!   created if missing) and `SESSION_STORE=postgres://...` (`--features
//!   axum,postgres`) do the same in SQLite or Postgres. With any of them
//!   `/welcome` shows "your sessions" (each login's browser, created, last
//!   seen) with "log out this one" and "log out all others".
//!
//! The pages, the settings and the store selection are shared with the
//! actix-web demo (`examples/actix.rs`): they live in `examples/common/`;
//! this file routes them in axum. The end-to-end test
//! (`tests/server_e2e.rs`) includes this file and runs [`serve`] on an
//! ephemeral port.

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use securecookie::layer::{CsrfLayer, SessionHandle, SessionLayer};
use securecookie::{CookieConfig, ServerStore, SessionBackend, SessionStore};
use tokio::net::TcpListener;

pub use common::{Demo, Reply, SESSION, Settings, UserSessions};

/// The handlers' state.
type AppState = Arc<Demo>;

/// The demo's routes on any session store: the handlers only see the
/// session.
pub fn router<S: SessionStore>(store: S, about: String) -> Router {
    router_with_sessions(store, about, None)
}

/// [`router`], with the "your sessions" panel when `sessions` is given
/// (the same server-side store).
pub fn router_with_sessions<S: SessionStore>(
    store: S,
    about: String,
    sessions: Option<Arc<dyn UserSessions>>,
) -> Router {
    routes(about, sessions).layer(SessionLayer::new(store, SESSION))
}

/// The routes with CSRF protection, as `main` serves them: every form
/// carries a token, and a POST without one (or from another site) is a
/// 403. `cookie`: the attributes of an anonymous visitor's CSRF cookie.
pub fn protected_router<S: SessionStore>(
    store: S,
    about: String,
    sessions: Option<Arc<dyn UserSessions>>,
    cookie: CookieConfig,
) -> Router {
    routes(about, sessions)
        .layer(CsrfLayer::new())
        .layer(SessionLayer::new(store, SESSION).csrf(cookie))
}

/// [`protected_router`] on a server-side store, with "your sessions".
pub fn protected_server_store<B: SessionBackend + Clone>(
    store: ServerStore<B>,
    about: String,
    cookie: CookieConfig,
) -> Router {
    let sessions: Arc<dyn UserSessions> = Arc::new(store.clone());
    protected_router(store, about, Some(sessions), cookie)
}

fn routes(about: String, sessions: Option<Arc<dyn UserSessions>>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/login", post(login))
        .route("/welcome", get(welcome))
        .route("/logout", post(logout))
        .route("/sessions/revoke", post(revoke_one))
        .route("/sessions/others", post(revoke_others))
        .with_state(Arc::new(Demo {
            about,
            sessions,
            made_with: "axum and one <code>SessionLayer</code>",
        }))
}

/// Serves the demo on `listener` until the process ends.
pub async fn serve<S: SessionStore>(
    listener: TcpListener,
    store: S,
    about: String,
) -> std::io::Result<()> {
    axum::serve(listener, router(store, about)).await
}

/// Serves the demo on a server-side store, with "your sessions".
pub async fn serve_server_store<B: SessionBackend + Clone>(
    listener: TcpListener,
    store: ServerStore<B>,
    about: String,
) -> std::io::Result<()> {
    let sessions: Arc<dyn UserSessions> = Arc::new(store.clone());
    axum::serve(listener, router_with_sessions(store, about, Some(sessions))).await
}

/// A shared page's [`Reply`] as an axum response.
fn respond(reply: Reply) -> Response {
    let status = |code| StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match reply {
        Reply::Page(code, html) => (status(code), Html(html)).into_response(),
        Reply::SeeOther(path) => Redirect::to(path).into_response(),
        Reply::Text(code, text) => (status(code), text).into_response(),
        Reply::Status(code) => status(code).into_response(),
    }
}

/// The `Cookie` header values ("your sessions" marks this one).
fn cookies(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect()
}

async fn index(State(demo): State<AppState>, session: SessionHandle) -> Response {
    respond(demo.index(&session))
}

async fn login(
    State(demo): State<AppState>,
    headers: HeaderMap,
    session: SessionHandle,
    body: String,
) -> Response {
    let agent = headers.get("user-agent").and_then(|v| v.to_str().ok());
    respond(demo.login(&session, agent, &body))
}

async fn welcome(
    State(demo): State<AppState>,
    headers: HeaderMap,
    session: SessionHandle,
) -> Response {
    respond(demo.welcome(&session, &cookies(&headers)).await)
}

async fn revoke_one(
    State(demo): State<AppState>,
    headers: HeaderMap,
    session: SessionHandle,
    body: String,
) -> Response {
    respond(demo.revoke_one(&session, &cookies(&headers), &body).await)
}

async fn revoke_others(
    State(demo): State<AppState>,
    headers: HeaderMap,
    session: SessionHandle,
) -> Response {
    respond(demo.revoke_others(&session, &cookies(&headers)).await)
}

async fn logout(State(demo): State<AppState>, session: SessionHandle) -> Response {
    respond(demo.logout(&session))
}

/// The protected routes, on whichever store `SESSION_STORE` selects.
struct Axum {
    about: String,
    cookie: CookieConfig,
}

impl common::Framework for Axum {
    type App = Router;

    fn app<S: SessionStore>(self, store: S, sessions: Option<Arc<dyn UserSessions>>) -> Router {
        protected_router(store, self.about, sessions, self.cookie)
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let settings = Settings::from_env(|name| std::env::var(name).ok())?;
    settings.warn();
    let listener = TcpListener::bind(&settings.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let axum = Axum {
        about: settings.about(),
        cookie: settings.config.clone(),
    };
    let app = settings.build(axum, "server", "axum").await?;
    println!("listening on http://{addr}");
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}
