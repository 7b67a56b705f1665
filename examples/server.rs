//! The login demo: Go's dghubble/sessions README example as a real server.
//!
//! ```text
//! cargo run --example server
//! ```
//!
//! - `GET /`: a login form, or a link to `/welcome` when logged in.
//! - `POST /login`: puts `user-id` in session `my-app`, `303` to `/welcome`.
//! - `GET /welcome`: `401 missing session` / `401 missing user-id`, else
//!   `Welcome <user-id>!` and a logout form.
//! - `POST /logout`: destroys the session, `303` to `/`.
//!
//! Environment:
//! - `ADDR`: where to listen (default `127.0.0.1:8080`; port 0 picks one).
//!   The bound address is printed as `listening on http://ADDR`.
//! - `SESSION_HASH_KEY`, `SESSION_BLOCK_KEY`: hex keys (32+ bytes; 16, 24 or
//!   32 bytes). Without them, fresh random keys: sessions end on restart.
//!   A hash key alone makes signed-only cookies.
//! - `INSECURE_COOKIES=1`: cookies without `Secure`, for plain HTTP. curl,
//!   Chrome and Firefox keep `Secure` cookies from `http://127.0.0.1` and
//!   `http://localhost` anyway; Safari and other host names need this.
//!
//! The end-to-end test (`tests/server_e2e.rs`) includes this file and runs
//! [`serve`] on an ephemeral port.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use securecookie::{CookieConfig, CookieStore, Error, Keys, random_key};
use tokio::net::TcpListener;

/// The session cookie's name, as in Go's example.
pub const SESSION: &str = "my-app";
/// The session key holding the logged-in user.
pub const USER_ID: &str = "user-id";

type Sessions = Arc<CookieStore<String>>;

/// What the environment asks for.
pub struct Settings {
    /// Where to listen.
    pub addr: String,
    /// The key pair.
    pub keys: Keys,
    /// True when no keys were given and random ones were drawn.
    pub random_keys: bool,
    /// The cookie attributes.
    pub config: CookieConfig,
}

impl Settings {
    /// Reads the settings through `var` (`std::env::var` in `main`).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let addr = var("ADDR").unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let hash = var("SESSION_HASH_KEY").map(|h| hex("SESSION_HASH_KEY", &h));
        let block = var("SESSION_BLOCK_KEY").map(|b| hex("SESSION_BLOCK_KEY", &b));
        let (keys, random_keys) = match (hash, block) {
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
        };
        let keys = keys.map_err(|e| format!("bad session key: {e}"))?;
        let config = match var("INSECURE_COOKIES").as_deref() {
            Some("1") => CookieConfig::debug(),
            _ => CookieConfig::default(),
        };
        Ok(Settings {
            addr,
            keys,
            random_keys,
            config,
        })
    }

    /// The session store these settings describe.
    pub fn store(&self) -> Result<CookieStore<String>, Error> {
        CookieStore::new(self.config.clone(), [self.keys.clone()])
    }
}

fn hex(var: &str, text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    let digit = |c: u8| (c as char).to_digit(16);
    if !text.len().is_multiple_of(2) {
        return Err(format!("{var} is not hex (odd length)"));
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => Ok((hi * 16 + lo) as u8),
            _ => Err(format!("{var} is not hex")),
        })
        .collect()
}

/// The demo's routes.
pub fn router(store: CookieStore<String>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/login", post(login))
        .route("/welcome", get(welcome))
        .route("/logout", post(logout))
        .with_state(Arc::new(store))
}

/// Serves the demo on `listener` until the process ends.
pub async fn serve(listener: TcpListener, store: CookieStore<String>) -> std::io::Result<()> {
    axum::serve(listener, router(store)).await
}

/// The logged-in user, if the request carries a valid session with one.
fn user_id(store: &CookieStore<String>, headers: &HeaderMap) -> Result<String, &'static str> {
    let session = securecookie::http::get(store, headers, SESSION).map_err(|e| {
        if e != Error::NoCookie {
            // Why a cookie was refused; Error's text holds no secrets.
            eprintln!("session {SESSION} refused: {e}");
        }
        "missing session"
    })?;
    session.get(USER_ID).cloned().ok_or("missing user-id")
}

async fn index(State(store): State<Sessions>, headers: HeaderMap) -> Html<String> {
    Html(match user_id(&store, &headers) {
        Ok(id) => format!(
            "<p>Logged in as {}. <a href=\"/welcome\">Welcome page</a></p>\n",
            escape(&id)
        ),
        Err(_) => "<form action=\"/login\" method=\"post\">\n\
             <label>User id <input name=\"user-id\" value=\"a1b2c3\"></label>\n\
             <input type=\"submit\" value=\"Login\">\n</form>\n"
            .to_string(),
    })
}

async fn login(State(store): State<Sessions>, body: String) -> Response {
    // A real app checks a password here; the demo takes the id it is given.
    let Some(id) = form_field(&body, USER_ID).filter(|id| is_valid_user_id(id)) else {
        return (
            StatusCode::BAD_REQUEST,
            "user-id: 1 to 64 of A-Z a-z 0-9 - _ .",
        )
            .into_response();
    };
    let mut session = store.new_session(SESSION);
    session.set(USER_ID, id.to_string());
    let mut headers = HeaderMap::new();
    match securecookie::http::save(&*store, &session, &mut headers) {
        Ok(()) => (headers, Redirect::to("/welcome")).into_response(),
        Err(e) => {
            eprintln!("session {SESSION} not saved: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn welcome(State(store): State<Sessions>, headers: HeaderMap) -> Response {
    match user_id(&store, &headers) {
        Ok(id) => Html(format!(
            "<p>Welcome {}!</p>\n\
             <form action=\"/logout\" method=\"post\">\n\
             <input type=\"submit\" value=\"Logout\">\n</form>\n",
            escape(&id)
        ))
        .into_response(),
        // As Go's http.Error: the text and a newline.
        Err(why) => (StatusCode::UNAUTHORIZED, format!("{why}\n")).into_response(),
    }
}

async fn logout(State(store): State<Sessions>) -> Response {
    let mut headers = HeaderMap::new();
    match securecookie::http::destroy(&*store, SESSION, &mut headers) {
        Ok(()) => (headers, Redirect::to("/")).into_response(),
        Err(e) => {
            eprintln!("session {SESSION} not destroyed: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

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
            "warning: SESSION_HASH_KEY / SESSION_BLOCK_KEY not set: using fresh random keys, \
             so sessions will not survive a restart"
        );
    } else if !settings.keys.is_encrypted() {
        eprintln!("note: SESSION_BLOCK_KEY not set: cookies are signed, not encrypted");
    }
    if !settings.config.secure {
        eprintln!("warning: INSECURE_COOKIES=1: cookies are sent over plain HTTP");
    }
    let store = settings.store().map_err(|e| e.to_string())?;
    let listener = TcpListener::bind(&settings.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{addr}");
    serve(listener, store).await.map_err(|e| e.to_string())
}
