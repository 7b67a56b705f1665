//! What the demo servers share, whatever their framework: the settings
//! and store selection ([`settings`]), and the pages: each route's work as
//! a [`Demo`] method from the session and the few request parts it reads to
//! a [`Reply`], which each framework turns into its response. The axum demo
//! (`examples/server.rs`) and the actix-web demo (`examples/actix.rs`)
//! include this folder with `#[path]`; they only route and convert.
//!
//! The edge demo (`examples/edge-app`) renders the same pages its own way:
//! it is `no_std` without an allocator (fixed buffers, no `format!`, no
//! `Arc`), so it cannot take these `String`-building functions.

// Each includer (the two demos and the tests that run them) uses a part.
#![allow(dead_code)]

pub mod settings;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use securecookie::csrf::FORM_FIELD;
use securecookie::set_cookie::ImfFixdate;
use securecookie::{
    MAX_COOKIE_LEN, ServerStore, SessionBackend, SessionHandle, StoreError, UserSession,
};

pub use settings::{Framework, Settings};

/// The session cookie's name, as in Go's example.
pub const SESSION: &str = "my-app";
/// The session key holding the logged-in user.
pub const USER_ID: &str = "user-id";
/// The flash value shown once on the welcome page after login.
const NOTICE: &str = "notice";
/// The session key holding the browser's `User-Agent`: the label of each
/// session in "your sessions" (server-side stores only).
pub const USER_AGENT: &str = "user-agent";

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

/// What a route answers, for the framework to send.
#[derive(Debug)]
pub enum Reply {
    /// An HTML page with this status.
    Page(u16, String),
    /// `303 See Other` to this path.
    SeeOther(&'static str),
    /// A plain-text body with this status.
    Text(u16, &'static str),
    /// This status, no body.
    Status(u16),
}

/// The pages: the handlers' state and work.
pub struct Demo {
    /// Where the sessions live, for the welcome page.
    pub about: String,
    /// The "your sessions" view of a server-side store.
    pub sessions: Option<Arc<dyn UserSessions>>,
    /// The footer's words for the framework and its session type.
    pub made_with: &'static str,
}

impl Demo {
    /// `GET /`: the login form, or a link to the welcome page.
    pub fn index(&self, session: &SessionHandle) -> Reply {
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
                csrf = csrf_field(session)
            ),
        };
        self.page(200, "Log in", &body)
    }

    /// `POST /login`: the form's `user-id` into a renewed session, with a
    /// flash notice. `user_agent`: the label in "your sessions".
    pub fn login(&self, session: &SessionHandle, user_agent: Option<&str>, body: &str) -> Reply {
        // A real app checks a password here; the demo takes the id it is given.
        let Some(id) = form_field(body, USER_ID).filter(|id| is_valid_user_id(id)) else {
            return Reply::Text(400, "user-id: 1 to 64 of A-Z a-z 0-9 - _ .");
        };
        session.set(USER_ID, id.to_string());
        if self.sessions.is_some() {
            // The label of this login in "your sessions" (kept short).
            let agent = user_agent.unwrap_or("unknown browser");
            session.set(USER_AGENT, agent.chars().take(120).collect::<String>());
        }
        session.renew();
        session.flash(NOTICE, format!("Logged in as {id}."));
        Reply::SeeOther("/welcome")
    }

    /// `GET /welcome`: the 401 page (and why a cookie was refused), or the
    /// welcome page. `cookies`: the request's `Cookie` header values.
    pub async fn welcome(&self, session: &SessionHandle, cookies: &[&str]) -> Reply {
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
            return self.page(401, "Not logged in", &body);
        };
        let notice = session
            .take_flash::<String>(NOTICE)
            .map(|n| format!("<p class=\"notice\">{}</p>\n", escape(&n)))
            .unwrap_or_default();
        let date =
            |t: Option<u64>| t.map_or("-".to_string(), |t| ImfFixdate::from_unix(t).to_string());
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
            about = self.about,
            id = escape(&id),
            issued = date(session.issued()),
            expires = date(session.expires()),
            panel = self.sessions_panel(session, cookies, &id).await,
            csrf = csrf_field(session),
        );
        self.page(200, "Welcome", &body)
    }

    /// "Your sessions": each live login of this user, this one marked.
    async fn sessions_panel(
        &self,
        session: &SessionHandle,
        cookies: &[&str],
        user: &str,
    ) -> String {
        let Some(sessions) = &self.sessions else {
            return String::new();
        };
        let list = match sessions.list(user).await {
            Ok(list) => list,
            Err(e) => {
                return format!(
                    "<p class=\"error\">Your sessions cannot be listed now: {e}.</p>\n"
                );
            }
        };
        let this = this_session(sessions.as_ref(), cookies);
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

    /// `POST /sessions/revoke`, "Log out this one": ends one listed session
    /// of this user (the current one too: its cookie is then cleared).
    pub async fn revoke_one(&self, session: &SessionHandle, cookies: &[&str], body: &str) -> Reply {
        let (Some(sessions), Some(user)) = (&self.sessions, session.get::<String>(USER_ID)) else {
            return Reply::Status(401);
        };
        let Some(handle) = form_field(body, "handle") else {
            return Reply::Status(400);
        };
        if this_session(sessions.as_ref(), cookies).as_deref() == Some(handle) {
            session.destroy();
            return Reply::SeeOther("/");
        }
        match sessions.revoke(&user, handle).await {
            Ok(_) => Reply::SeeOther("/welcome"),
            Err(_) => Reply::Status(503),
        }
    }

    /// `POST /sessions/others`, "Log out all others": ends every session of
    /// this user but this one.
    pub async fn revoke_others(&self, session: &SessionHandle, cookies: &[&str]) -> Reply {
        let (Some(sessions), Some(user)) = (&self.sessions, session.get::<String>(USER_ID)) else {
            return Reply::Status(401);
        };
        let this = this_session(sessions.as_ref(), cookies);
        let Ok(list) = sessions.list(&user).await else {
            return Reply::Status(503);
        };
        for s in list.iter().filter(|s| Some(&s.handle) != this.as_ref()) {
            if sessions.revoke(&user, &s.handle).await.is_err() {
                return Reply::Status(503);
            }
        }
        Reply::SeeOther("/welcome")
    }

    /// `POST /logout`: destroys the session.
    pub fn logout(&self, session: &SessionHandle) -> Reply {
        session.destroy();
        Reply::SeeOther("/")
    }

    /// A whole page: the title, the demo's style, the body.
    fn page(&self, status: u16, title: &str, body: &str) -> Reply {
        Reply::Page(
            status,
            format!(
                "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
                 <title>{title} · securecookie demo</title>\n<style>{STYLE}</style>\n</head>\n\
                 <body>\n<main>\n{body}</main>\n\
                 <footer>A <a href=\"https://crates.io/crates/securecookie\">securecookie</a> demo: \
                 {made_with}.</footer>\n\
                 </body>\n</html>\n",
                made_with = self.made_with,
            ),
        )
    }
}

/// The hidden CSRF token field of a form (nothing without CSRF on).
fn csrf_field(session: &SessionHandle) -> String {
    session
        .csrf_token()
        .map(|token| format!("<input type=\"hidden\" name=\"{FORM_FIELD}\" value=\"{token}\">\n"))
        .unwrap_or_default()
}

/// The handle of the session this request's cookie names (`cookies`: the
/// `Cookie` header values).
fn this_session(sessions: &dyn UserSessions, cookies: &[&str]) -> Option<String> {
    cookies
        .iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(name, value)| (name == SESSION).then(|| sessions.handle_of(value)))
        .flatten()
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
