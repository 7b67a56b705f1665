//! CSRF in the engine ([`Engine::csrf`](super::Engine::csrf)): tokens for
//! handlers, the check of an unsafe request before the handler, and the
//! anonymous visitor's cookie after it. The scheme itself is
//! [`crate::csrf`]; here it meets the session's state, so that every
//! adapter gets it with one call each way.

use std::string::String;

use crate::sessions::cookie_store::CookieConfig;
use crate::sessions::csrf::{self as scheme, Refusal};

use super::finish::Status;
use super::{PendingSession, SessionHandle};

/// The anonymous visitor's cookie: its name and attributes.
#[derive(Clone, Debug)]
pub(crate) struct CsrfCookie {
    pub(crate) name: String,
    pub(crate) config: CookieConfig,
}

/// What [`PendingSession::check_csrf`] needs of a request, as plain
/// values: the adapter copies them from its framework's request.
#[derive(Clone, Copy, Debug, Default)]
pub struct CsrfRequest<'a> {
    /// The method (`POST`, ...).
    pub method: &'a str,
    /// The `Sec-Fetch-Site` header, if sent.
    pub sec_fetch_site: Option<&'a [u8]>,
    /// The `Origin` header, if sent.
    pub origin: Option<&'a [u8]>,
    /// The `Host` header (or HTTP/2 `:authority`), if known.
    pub host: Option<&'a [u8]>,
    /// The token: the [`HEADER`](scheme::HEADER) header's value, else the
    /// [`FORM_FIELD`](scheme::FORM_FIELD) of an urlencoded body
    /// ([`form_token`](scheme::form_token) over at most
    /// [`MAX_FORM_BODY`](scheme::MAX_FORM_BODY) bytes).
    pub token: Option<&'a str>,
}

impl PendingSession {
    /// True when the engine was built with [`csrf`](super::Engine::csrf)
    /// (what the tower `CsrfLayer` asks first).
    #[cfg(feature = "tower")]
    pub(crate) fn csrf_on(&self) -> bool {
        self.inner.loader().config().csrf.is_some()
    }

    /// Before the handler, with CSRF on: a safe method passes; an unsafe
    /// one (POST, PUT, PATCH, DELETE, ...) passes only when the browser
    /// does not say it is cross-site ([`check_origin`](scheme::check_origin))
    /// and its token belongs to this session. Loads the session (with the
    /// request's `Cookie` header values) to check the token.
    ///
    /// # Errors
    /// [`Status::Forbidden`] (403; an INFO event says why),
    /// [`Status::ServiceUnavailable`] when the store does not answer.
    pub async fn check_csrf<'h, I>(
        &self,
        request: CsrfRequest<'_>,
        cookie_headers: I,
    ) -> Result<(), Status>
    where
        I: IntoIterator<Item = &'h [u8]>,
    {
        if self.inner.loader().config().csrf.is_none() || !scheme::is_unsafe_method(request.method)
        {
            return Ok(());
        }
        let checked =
            match scheme::check_origin(request.sec_fetch_site, request.origin, request.host) {
                Err(refusal) => Err(refusal),
                Ok(()) => {
                    let handle = self
                        .load(cookie_headers)
                        .await
                        .map_err(|e| super::unavailable(&e))?;
                    let mut state = handle.lock();
                    let empty = state.is_empty();
                    state.csrf().check(request.token, empty)
                }
            };
        checked.map_err(|refusal: Refusal| {
            tracing::info!(
                target: "securecookie",
                cookie = %self.name(),
                method = request.method,
                reason = %refusal,
                "unsafe request refused: 403"
            );
            Status::Forbidden
        })
    }

    /// After the handler and before [`finish`](Self::finish), with CSRF
    /// on: moves an anonymous secret into a session saved with entries
    /// (login), and returns the anonymous cookie's `Set-Cookie` line when
    /// it is set (a form rendered for an anonymous visitor) or cleared
    /// (login, destroy). Append it beside the session's own line.
    pub fn csrf_cookie(&self) -> Option<String> {
        let cookie = self.inner.loader().config().csrf.as_ref()?;
        let mut state = self.inner.lock();
        if !state.loaded {
            return None;
        }
        let with_entries = !state.destroy && !state.is_empty();
        let finish = state.csrf().finish(with_entries);
        if let Some(secret) = finish.session_entry {
            state.change(|entries| {
                entries.set(scheme::SESSION_KEY, secret.as_bytes().to_vec());
                true
            });
        }
        let line = finish.cookie?.set_cookie(&cookie.name, &cookie.config);
        line.map_err(|e| {
            tracing::error!(
                target: "securecookie",
                cookie = %cookie.name,
                error = %e,
                "CSRF cookie not written"
            );
        })
        .ok()
    }
}

impl SessionHandle {
    /// A fresh CSRF token for a form (a hidden
    /// [`FORM_FIELD`](scheme::FORM_FIELD) input) or a script (the
    /// [`HEADER`](scheme::HEADER) header): masked anew on each call, all
    /// valid until the session is destroyed. An anonymous visitor's goes
    /// into a cookie of its own, never a stored session.
    ///
    /// `None` when the layer was built without CSRF (`.csrf(..)`) or the
    /// OS has no randomness.
    pub fn csrf_token(&self) -> Option<String> {
        self.inner.loader().config().csrf.as_ref()?;
        let mut state = self.lock();
        let empty = state.is_empty();
        state.csrf().token(empty).ok()
    }
}
