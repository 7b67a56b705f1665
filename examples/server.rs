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
//! The end-to-end test (`tests/server_e2e.rs`) includes this file and runs
//! [`serve`] on an ephemeral port.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use securecookie::csrf::FORM_FIELD;
use securecookie::layer::{CsrfLayer, SessionHandle, SessionLayer};
use securecookie::set_cookie::ImfFixdate;
use securecookie::{
    CookieConfig, CookieStore, Error, Keys, MAX_COOKIE_LEN, Secret, ServerStore, SessionBackend,
    SessionStore, StoreError, UserSession, random_key,
};
use tokio::net::TcpListener;

/// The session cookie's name, as in Go's example.
pub const SESSION: &str = "my-app";
/// The session key holding the logged-in user.
pub const USER_ID: &str = "user-id";
/// The flash value shown once on the welcome page after login.
const NOTICE: &str = "notice";
/// The session key holding the browser's `User-Agent`: the label of each
/// session in "your sessions" (server-side stores only).
pub const USER_AGENT: &str = "user-agent";

/// What the environment asks for.
pub struct Settings {
    /// Where to listen.
    pub addr: String,
    /// The key pair that writes cookies.
    pub keys: Keys,
    /// Older keys that still read them (`SESSION_SECRET="new,old"`).
    pub older_keys: Vec<Keys>,
    /// True when no keys were given and random ones were drawn.
    pub random_keys: bool,
    /// The cookie attributes.
    pub config: CookieConfig,
    /// `SESSION_STORE`: the Redis, SQLite or Postgres URL, or `None` for
    /// cookie sessions.
    pub session_store: Option<String>,
}

impl Settings {
    /// Reads the settings through `var` (`std::env::var` in `main`).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let addr = var("ADDR").unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let mut older_keys = Vec::new();
        let hash = var("SESSION_HASH_KEY").map(|h| hex("SESSION_HASH_KEY", &h));
        let block = var("SESSION_BLOCK_KEY").map(|b| hex("SESSION_BLOCK_KEY", &b));
        let (keys, random_keys) = match (var("SESSION_SECRET"), hash, block) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(
                    "SESSION_SECRET and SESSION_HASH_KEY / SESSION_BLOCK_KEY are all \
                            set: use either the secret or the raw keys"
                        .into(),
                );
            }
            (Some(text), None, None) => {
                let secrets =
                    Secret::parse_list(&text).map_err(|e| format!("SESSION_SECRET: {e}"))?;
                older_keys = secrets[1..].iter().map(Secret::keys).collect();
                (Ok(secrets[0].keys()), false)
            }
            (None, hash, block) => match (hash, block) {
                (None, None) => {
                    let random = |_| format!("no randomness: {}", Error::Random);
                    let hash = random_key::<32>().map_err(random)?;
                    let block = random_key::<32>().map_err(random)?;
                    (Keys::new(&hash, Some(&block)), true)
                }
                (Some(hash), block) => {
                    let block = block.transpose()?;
                    (Keys::new(&hash?, block.as_deref()), false)
                }
                (None, Some(_)) => {
                    return Err("SESSION_BLOCK_KEY is set but SESSION_HASH_KEY is not".into());
                }
            },
        };
        let keys = keys.map_err(|e| format!("bad session key: {e}"))?;
        let config = match var("INSECURE_COOKIES").as_deref() {
            Some("1") => CookieConfig::debug(),
            _ => CookieConfig::default(),
        };
        Ok(Settings {
            addr,
            keys,
            older_keys,
            random_keys,
            config,
            session_store: var("SESSION_STORE").filter(|url| !url.is_empty()),
        })
    }

    /// The session store these settings describe.
    pub fn store(&self) -> Result<CookieStore<String>, Error> {
        CookieStore::new(self.config.clone(), self.all_keys())
    }

    /// The Redis store `SESSION_STORE` names (the URL is not echoed: it
    /// may hold a password).
    #[cfg(feature = "redis")]
    pub async fn redis_store(&self, url: &str) -> Result<securecookie::RedisStore, String> {
        securecookie::RedisStore::open(url, self.config.clone(), self.all_keys())
            .await
            .map(|s| s.user_key(USER_ID).label_key(USER_AGENT))
            .map_err(|e| format!("SESSION_STORE: {e}"))
    }

    /// The SQLite store of `SESSION_STORE=sqlite://PATH`.
    #[cfg(feature = "sqlite")]
    pub async fn sqlite_store(&self, path: &str) -> Result<securecookie::SqliteStore, String> {
        securecookie::SqliteStore::open(path, self.config.clone(), self.all_keys())
            .await
            .map(|s| s.user_key(USER_ID).label_key(USER_AGENT))
            .map_err(|e| format!("SESSION_STORE: {e}"))
    }

    /// The Postgres store of `SESSION_STORE=postgres://...`.
    #[cfg(feature = "postgres")]
    pub async fn postgres_store(&self, url: &str) -> Result<securecookie::PostgresStore, String> {
        securecookie::PostgresStore::open(url, self.config.clone(), self.all_keys())
            .await
            .map(|s| s.user_key(USER_ID).label_key(USER_AGENT))
            .map_err(|e| format!("SESSION_STORE: {e}"))
    }

    /// Which database `SESSION_STORE` names, by its scheme.
    pub fn store_kind(&self) -> Option<&'static str> {
        let url = self.session_store.as_deref()?;
        Some(if url.starts_with("sqlite:") {
            "SQLite"
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            "Postgres"
        } else {
            "Redis"
        })
    }

    /// The keys, newest first.
    fn all_keys(&self) -> Vec<Keys> {
        std::iter::once(&self.keys)
            .chain(&self.older_keys)
            .cloned()
            .collect()
    }

    /// What the welcome page says about where the session lives.
    pub fn about(&self) -> String {
        let sealing = if self.keys.is_encrypted() {
            "encrypted (AES-CTR) and signed (HMAC-SHA256)"
        } else {
            "signed (HMAC-SHA256), not encrypted"
        };
        match self.store_kind() {
            None => format!("in the cookie: compact envelope, {sealing}"),
            Some(db) => {
                format!("in {db}, {sealing}; the cookie holds only a sealed 128-bit session id")
            }
        }
    }
}

fn hex(var: &str, text: &str) -> Result<Vec<u8>, String> {
    securecookie::secret::parse_hex_key(text).map_err(|e| format!("{var}: {e}"))
}

/// What the "your sessions" panel needs of a server-side store.
pub trait UserSessions: Send + Sync + 'static {
    /// The live sessions of `user`.
    fn list<'a>(&'a self, user: &'a str) -> Boxed<'a, Result<Vec<UserSession>, StoreError>>;
    /// Ends `user`'s session `handle`.
    fn revoke<'a>(&'a self, user: &'a str, handle: &'a str) -> Boxed<'a, Result<bool, StoreError>>;
    /// The handle of the session whose cookie value is `value`.
    fn handle_of(&self, value: &str) -> Option<String>;
}

/// A boxed future (the trait is used as `dyn`).
pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl<B: SessionBackend> UserSessions for ServerStore<B> {
    fn list<'a>(&'a self, user: &'a str) -> Boxed<'a, Result<Vec<UserSession>, StoreError>> {
        Box::pin(self.sessions(user))
    }
    fn revoke<'a>(&'a self, user: &'a str, handle: &'a str) -> Boxed<'a, Result<bool, StoreError>> {
        Box::pin(ServerStore::revoke(self, user, handle))
    }
    fn handle_of(&self, value: &str) -> Option<String> {
        self.handle_of_cookie(SESSION, value)
    }
}

/// The handlers' state.
#[derive(Clone)]
struct AppState {
    about: Arc<String>,
    sessions: Option<Arc<dyn UserSessions>>,
}

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
        .with_state(AppState {
            about: Arc::new(about),
            sessions,
        })
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

async fn index(session: SessionHandle) -> Html<String> {
    let body = match session.get::<String>(USER_ID) {
        Some(id) => format!(
            "<h1>Hello {}</h1>\n<p>You are logged in. <a href=\"/welcome\">Your welcome page</a></p>\n",
            escape(&id)
        ),
        None => format!(
            "<h1>Log in</h1>\n\
             <form action=\"/login\" method=\"post\">\n{csrf}\
             <label>User id <input name=\"user-id\" value=\"a1b2c3\" autofocus></label>\n\
             <input type=\"submit\" value=\"Login\">\n</form>\n\
             <p class=\"hint\">Any id of 1 to 64 letters, digits, <code>-</code>, <code>_</code> or \
             <code>.</code>; no password in this demo.</p>\n",
            csrf = csrf_field(&session)
        ),
    };
    page("Log in", &body)
}

/// The hidden CSRF token field of a form (nothing without CSRF on).
fn csrf_field(session: &SessionHandle) -> String {
    session
        .csrf_token()
        .map(|token| format!("<input type=\"hidden\" name=\"{FORM_FIELD}\" value=\"{token}\">\n"))
        .unwrap_or_default()
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: SessionHandle,
    body: String,
) -> Response {
    // A real app checks a password here; the demo takes the id it is given.
    let Some(id) = form_field(&body, USER_ID).filter(|id| is_valid_user_id(id)) else {
        return (
            StatusCode::BAD_REQUEST,
            "user-id: 1 to 64 of A-Z a-z 0-9 - _ .",
        )
            .into_response();
    };
    session.set(USER_ID, id.to_string());
    if state.sessions.is_some() {
        // The label of this login in "your sessions" (kept short).
        let agent = headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown browser");
        session.set(USER_AGENT, agent.chars().take(120).collect::<String>());
    }
    session.renew();
    session.flash(NOTICE, format!("Logged in as {id}."));
    Redirect::to("/welcome").into_response()
}

async fn welcome(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: SessionHandle,
) -> Response {
    let about = &state.about;
    let Some(id) = session.get::<String>(USER_ID) else {
        let why = if session.is_empty() {
            "missing session"
        } else {
            "missing user-id"
        };
        let refused = session
            .rejected()
            .map(|e| format!("<p class=\"error\">Your cookie was refused: {e}.</p>\n"))
            .unwrap_or_default();
        let body = format!(
            "<h1>401: {why}</h1>\n{refused}<p>This page needs a session. \
             <a href=\"/\">Log in</a> first.</p>\n"
        );
        return (StatusCode::UNAUTHORIZED, page("Not logged in", &body)).into_response();
    };
    let notice = session
        .take_flash::<String>(NOTICE)
        .map(|n| format!("<p class=\"notice\">{}</p>\n", escape(&n)))
        .unwrap_or_default();
    let date = |t: Option<u64>| t.map_or("-".to_string(), |t| ImfFixdate::from_unix(t).to_string());
    let len = session.cookie_len().unwrap_or(0);
    let body = format!(
        "{notice}<h1>Welcome {id}!</h1>\n\
         <table class=\"panel\">\n\
         <caption>Your session cookie <code>{SESSION}</code></caption>\n\
         <tr><th>Stored</th><td>{about}</td></tr>\n\
         <tr><th>Size</th><td><meter min=\"0\" max=\"{MAX_COOKIE_LEN}\" value=\"{len}\"></meter> \
         {len} of {MAX_COOKIE_LEN} bytes</td></tr>\n\
         <tr><th>Issued</th><td>{issued}</td></tr>\n\
         <tr><th>Expires</th><td>{expires} (renewed while you use the site)</td></tr>\n\
         </table>\n\
         {panel}\
         <form action=\"/logout\" method=\"post\">\n{csrf}\
         <input type=\"submit\" value=\"Logout\">\n</form>\n",
        id = escape(&id),
        issued = date(session.issued()),
        expires = date(session.expires()),
        panel = sessions_panel(&state, &headers, &session, &id).await,
        csrf = csrf_field(&session),
    );
    page("Welcome", &body).into_response()
}

/// "Your sessions": each live login of this user, this one marked.
async fn sessions_panel(
    state: &AppState,
    headers: &HeaderMap,
    session: &SessionHandle,
    user: &str,
) -> String {
    let Some(sessions) = &state.sessions else {
        return String::new();
    };
    let list = match sessions.list(user).await {
        Ok(list) => list,
        Err(e) => {
            return format!("<p class=\"error\">Your sessions cannot be listed now: {e}.</p>\n");
        }
    };
    let this = this_session(sessions.as_ref(), headers);
    let date = |t: u64| ImfFixdate::from_unix(t).to_string();
    let mut rows = String::new();
    for s in &list {
        let label = escape(s.label.as_deref().unwrap_or("unknown browser"));
        let mark = if this.as_deref() == Some(&s.handle) {
            " <strong>(this one)</strong>"
        } else {
            ""
        };
        rows.push_str(&format!(
            "<tr><td>{label}{mark}<br><small>since {created}, last seen {seen}, expires {expires}</small></td>\
             <td><form action=\"/sessions/revoke\" method=\"post\">{csrf}\
             <input type=\"hidden\" name=\"handle\" value=\"{handle}\">\
             <input type=\"submit\" value=\"Log out this one\"></form></td></tr>\n",
            created = date(s.created),
            seen = date(s.last_seen),
            expires = date(s.expires),
            handle = escape(&s.handle),
            csrf = csrf_field(session),
        ));
    }
    format!(
        "<table class=\"panel sessions\">\n<caption>Your sessions ({n})</caption>\n{rows}</table>\n\
         <form action=\"/sessions/others\" method=\"post\">\n{csrf}\
         <input type=\"submit\" value=\"Log out all others\">\n</form>\n",
        n = list.len(),
        csrf = csrf_field(session),
    )
}

/// The handle of the session this request's cookie names.
fn this_session(sessions: &dyn UserSessions, headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(name, value)| (name == SESSION).then(|| sessions.handle_of(value)))
        .flatten()
}

/// "Log out this one": ends one listed session of this user (the current
/// one too: its cookie is then cleared).
async fn revoke_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: SessionHandle,
    body: String,
) -> Response {
    let (Some(sessions), Some(user)) = (&state.sessions, session.get::<String>(USER_ID)) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Some(handle) = form_field(&body, "handle") else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if this_session(sessions.as_ref(), &headers).as_deref() == Some(handle) {
        session.destroy();
        return Redirect::to("/").into_response();
    }
    match sessions.revoke(&user, handle).await {
        Ok(_) => Redirect::to("/welcome").into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// "Log out all others": ends every session of this user but this one.
async fn revoke_others(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: SessionHandle,
) -> Response {
    let (Some(sessions), Some(user)) = (&state.sessions, session.get::<String>(USER_ID)) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let this = this_session(sessions.as_ref(), &headers);
    let Ok(list) = sessions.list(&user).await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    for s in list.iter().filter(|s| Some(&s.handle) != this.as_ref()) {
        if sessions.revoke(&user, &s.handle).await.is_err() {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    }
    Redirect::to("/welcome").into_response()
}

async fn logout(session: SessionHandle) -> Redirect {
    session.destroy();
    Redirect::to("/")
}

/// A whole page: the title, the demo's style, the body.
fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · securecookie demo</title>\n<style>{STYLE}</style>\n</head>\n\
         <body>\n<main>\n{body}</main>\n\
         <footer>A <a href=\"https://crates.io/crates/securecookie\">securecookie</a> demo: \
         axum and one <code>SessionLayer</code>.</footer>\n\
         </body>\n</html>\n"
    ))
}

const STYLE: &str = "\
body{font:16px/1.5 system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;color:#1f2328;background:#f6f8fa}\
main{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.5rem 2rem}\
h1{font-size:1.4rem;margin:0 0 1rem}\
input{font:inherit;padding:.4rem .6rem;border:1px solid #d0d7de;border-radius:6px}\
input[type=submit]{background:#1f6feb;color:#fff;border:0;cursor:pointer;margin-top:1rem}\
.notice,.error{padding:.5rem 1rem;border-radius:6px}\
.notice{background:#dafbe1}.error{background:#ffebe9}.hint,footer{color:#59636e;font-size:.9rem}\
table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;padding-bottom:.5rem}\
th{text-align:left;padding-right:1rem;white-space:nowrap}th,td{border-top:1px solid #eaeef2;padding:.3rem 0}\
footer{margin-top:1rem;text-align:center}";

/// A field of an `application/x-www-form-urlencoded` body. The demo's
/// user ids need no percent-decoding: their characters are sent as is.
fn form_field<'b>(body: &'b str, name: &str) -> Option<&'b str> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

fn is_valid_user_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// HTML-escapes text (ids are checked at login, but the page does not rely
/// on that).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let settings = Settings::from_env(|name| std::env::var(name).ok())?;
    if settings.random_keys {
        eprintln!(
            "warning: SESSION_SECRET not set: using fresh random keys, so sessions will not \
             survive a restart (make a secret with \
             `cargo run --features cli --bin securecookie keygen`)"
        );
    } else if !settings.keys.is_encrypted() {
        eprintln!("note: SESSION_BLOCK_KEY not set: cookies are signed, not encrypted");
    }
    if !settings.config.secure {
        eprintln!("warning: INSECURE_COOKIES=1: cookies are sent over plain HTTP");
    }
    let about = settings.about();
    let listener = TcpListener::bind(&settings.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let served = match settings.session_store.as_deref() {
        None => {
            let store = settings.store().map_err(|e| e.to_string())?;
            println!("listening on http://{addr}");
            let app = protected_router(store, about, None, settings.config.clone());
            axum::serve(listener, app).await
        }
        #[cfg(feature = "sqlite")]
        Some(url) if url.starts_with("sqlite:") => {
            let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
            let store = settings.sqlite_store(path).await?;
            eprintln!("sessions in SQLite (SESSION_STORE)");
            println!("listening on http://{addr}");
            axum::serve(
                listener,
                protected_server_store(store, about, settings.config.clone()),
            )
            .await
        }
        #[cfg(feature = "postgres")]
        Some(url) if settings.store_kind() == Some("Postgres") => {
            let store = settings.postgres_store(url).await?;
            eprintln!("sessions in Postgres (SESSION_STORE)");
            println!("listening on http://{addr}");
            axum::serve(
                listener,
                protected_server_store(store, about, settings.config.clone()),
            )
            .await
        }
        #[cfg(feature = "redis")]
        Some(url) if settings.store_kind() == Some("Redis") => {
            let store = settings.redis_store(url).await?;
            eprintln!("sessions in Redis (SESSION_STORE)");
            println!("listening on http://{addr}");
            axum::serve(
                listener,
                protected_server_store(store, about, settings.config.clone()),
            )
            .await
        }
        Some(_) => {
            let feature = settings.store_kind().unwrap_or("Redis").to_lowercase();
            return Err(format!(
                "SESSION_STORE needs the `{feature}` feature: \
                 cargo run --example server --features axum,{feature}"
            ));
        }
    };
    served.map_err(|e| e.to_string())
}
