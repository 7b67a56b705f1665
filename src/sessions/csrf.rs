//! CSRF protection bound to the session, without framework types: the
//! token scheme, the per-request state an adapter keeps, and the checks of
//! an unsafe request. (Rails' and Django's scheme: a secret per session,
//! tokens masked per render.)
//!
//! - **A secret per session**, 32 random bytes in a reserved entry of the
//!   session ([`SESSION_KEY`]): it survives `renew` (the entries move to
//!   the new session) and dies with `destroy`.
//! - **Tokens masked per render** (BREACH-safe: a compressed page never
//!   repeats the same token bytes): `token = base64url(mask || mask XOR
//!   secret)` with a fresh random mask, 86 characters. Any number of
//!   tokens of one secret are valid at once; they are checked in constant
//!   time.
//! - **An anonymous visitor stores nothing on the server.** A visitor whose
//!   session holds nothing (a login form) gets the secret in a cookie of
//!   its own ([`anonymous_cookie_name`]), not in the session: loading a form
//!   never creates a record in a server-side store, so crawlers cannot fill
//!   it. When the session is next saved with something in it (the login),
//!   the secret moves into the session and that cookie is cleared: a login
//!   form rendered before the login still submits after it.
//!
//! That cookie is random bytes, not sealed: an anonymous secret is bound to
//! nothing a seal could check (whoever can plant a cookie on the site could
//! plant a sealed one they fetched themselves), and it is never trusted
//! once the session holds something. A `__Host-` session cookie name gives
//! it the same prefix, which stops sibling subdomains from planting it.
//!
//! [`check_origin`] adds what browsers send by themselves
//! (`Sec-Fetch-Site`, `Origin`): a cross-site unsafe request is refused
//! before its token is even read.

use std::string::String;

use hmac::digest::zeroize::Zeroize;

use crate::codec::b64;
use crate::codec::set_cookie::SetCookie;
use crate::error::Error;
use crate::sessions::cookie_store::CookieConfig;
use crate::sessions::token;

/// The session entry holding the secret (reserved: user keys cannot start
/// with `\0`).
pub const SESSION_KEY: &str = "\0x";
/// The form field a token travels in (`application/x-www-form-urlencoded`).
pub const FORM_FIELD: &str = "csrf-token";
/// The request header a token travels in (for `fetch` and other scripts).
pub const HEADER: &str = "x-csrf-token";
/// The secret's length in bytes.
pub const SECRET_LEN: usize = 32;
/// A token's length in characters: 64 bytes as unpadded base64url.
pub const TOKEN_LEN: usize = 86;
/// The anonymous secret's cookie value: 32 bytes as unpadded base64url.
const COOKIE_VALUE_LEN: usize = 43;
/// The longest form body read to find the token field.
pub const MAX_FORM_BODY: usize = 64 * 1024;

/// The name of the cookie that holds an anonymous visitor's secret: the
/// session cookie's name with `-csrf` after it (so a `__Host-` prefix
/// carries over).
pub fn anonymous_cookie_name(session_cookie: &str) -> String {
    let mut name = String::with_capacity(session_cookie.len() + 5);
    name.push_str(session_cookie);
    name.push_str("-csrf");
    name
}

/// A session's CSRF secret. Wiped on drop; `Debug` shows no bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfSecret([u8; SECRET_LEN]);

impl CsrfSecret {
    /// A fresh secret from the OS.
    ///
    /// # Errors
    /// [`Error::Random`].
    pub fn generate() -> Result<Self, Error> {
        token::bytes().map(CsrfSecret)
    }

    /// The secret in `bytes`, if they are [`SECRET_LEN`] long (a session
    /// entry as saved).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(CsrfSecret)
    }

    /// The secret's bytes (for the session entry).
    pub fn as_bytes(&self) -> &[u8; SECRET_LEN] {
        &self.0
    }

    /// The secret in an anonymous visitor's cookie value, if it is one.
    fn from_cookie(value: &str) -> Option<Self> {
        if value.len() != COOKIE_VALUE_LEN {
            return None;
        }
        let mut buf = [0u8; b64::max_decoded_len(COOKIE_VALUE_LEN, false)];
        let secret = match b64::decode(value.as_bytes(), &mut buf, false) {
            Ok(SECRET_LEN) => CsrfSecret::from_bytes(&buf[..SECRET_LEN]),
            _ => None,
        };
        buf.zeroize();
        secret
    }

    fn cookie_value(&self) -> String {
        b64::encode_vec(&self.0)
    }

    /// A fresh token for a form or a header: the secret under a new
    /// random mask, so that no two pages carry the same token.
    ///
    /// # Errors
    /// [`Error::Random`].
    pub fn token(&self) -> Result<String, Error> {
        let mut mask = token::bytes::<SECRET_LEN>()?;
        let token = self.masked(&mask);
        mask.zeroize();
        Ok(token)
    }

    fn masked(&self, mask: &[u8; SECRET_LEN]) -> String {
        let mut raw = [0u8; 2 * SECRET_LEN];
        let (m, x) = raw.split_at_mut(SECRET_LEN);
        m.copy_from_slice(mask);
        for ((x, m), s) in x.iter_mut().zip(mask).zip(&self.0) {
            *x = m ^ s;
        }
        let text = b64::encode_vec(&raw);
        raw.zeroize();
        text
    }

    /// True when `token` is a token of this secret (any mask). Constant
    /// time in everything but the token's length.
    pub fn verify(&self, token: &str) -> bool {
        if token.len() != TOKEN_LEN {
            return false;
        }
        let mut raw = [0u8; b64::max_decoded_len(TOKEN_LEN, false)];
        let ok = match b64::decode(token.as_bytes(), &mut raw, false) {
            Ok(n) if n == 2 * SECRET_LEN => {
                let (mask, x) = raw[..n].split_at_mut(SECRET_LEN);
                // Unmask in place, then compare with the secret.
                for (x, m) in x.iter_mut().zip(mask.iter()) {
                    *x ^= m;
                }
                token::eq(x, &self.0)
            }
            _ => false,
        };
        raw.zeroize();
        ok
    }
}

impl Drop for CsrfSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl core::fmt::Debug for CsrfSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CsrfSecret(..)")
    }
}

/// What to do with the anonymous visitor's cookie after the request.
#[derive(Clone, PartialEq, Eq)]
pub enum AnonymousCookie {
    /// Set it to this value (a secret made in this request).
    Set(String),
    /// Expire it (the secret moved into the session, or the session was
    /// destroyed).
    Clear,
}

impl core::fmt::Debug for AnonymousCookie {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AnonymousCookie::Set(_) => f.write_str("Set(..)"),
            AnonymousCookie::Clear => f.write_str("Clear"),
        }
    }
}

impl AnonymousCookie {
    /// The `Set-Cookie` line for the cookie `name` with the session
    /// cookie's attributes (`config`), but without `Max-Age`: it lasts as
    /// long as the browser session, the life of a form left open in a tab.
    /// Clearing sets `Max-Age=0`.
    ///
    /// # Errors
    /// [`Error::InvalidName`], [`Error::InvalidAttribute`]: as the session
    /// cookie's own line would.
    pub fn set_cookie(&self, name: &str, config: &CookieConfig) -> Result<String, Error> {
        config.check_name(name)?;
        let (value, max_age, expires) = match self {
            AnonymousCookie::Set(value) => (value.as_str(), None, None),
            AnonymousCookie::Clear => ("", Some(0), Some(1)),
        };
        let line = SetCookie {
            path: config.path.as_deref(),
            domain: config.domain.as_deref(),
            http_only: config.http_only,
            secure: config.secure,
            same_site: config.same_site,
            max_age,
            expires,
            ..SetCookie::new(name, value)
        };
        line.check()?;
        let mut out = String::with_capacity(line.rendered_len());
        // Writing into a String cannot fail.
        let _ = line.write_to(&mut out);
        Ok(out)
    }
}

/// What the session engine does after the handler, for CSRF.
#[derive(Debug, PartialEq, Eq)]
pub struct Finish {
    /// Write this secret into the session under [`SESSION_KEY`] before it
    /// is saved.
    pub session_entry: Option<CsrfSecret>,
    /// Set or clear the anonymous cookie ([`anonymous_cookie_name`]).
    pub cookie: Option<AnonymousCookie>,
}

/// The CSRF state of one request: which secrets it has and what changed.
/// The engine makes one per request from the session's entry and the
/// anonymous cookie, asks it for tokens and checks, and calls
/// [`finish`](Self::finish) before saving.
///
/// "Empty" below means the session holds nothing of the handler's (no
/// entries, no flash values): an anonymous visitor, whose secret lives in
/// the anonymous cookie and never in a server-side record.
#[derive(Debug, Default)]
pub struct CsrfState {
    /// The session's secret, loaded or made in this request.
    session: Option<CsrfSecret>,
    /// Made in this request: the session must be given it.
    session_new: bool,
    /// The anonymous cookie's secret (from the request, or made here).
    anonymous: Option<CsrfSecret>,
    /// The request carried a well-formed anonymous cookie.
    anonymous_sent: bool,
    /// Made in this request: the cookie must be set.
    anonymous_new: bool,
    destroyed: bool,
}

impl CsrfState {
    /// The state of a request whose session holds `session_entry` (its
    /// [`SESSION_KEY`] entry) and which sent `anonymous_cookie` (the value
    /// of the [`anonymous_cookie_name`] cookie). Malformed values count as
    /// absent.
    pub fn new(session_entry: Option<&[u8]>, anonymous_cookie: Option<&str>) -> Self {
        let anonymous = anonymous_cookie.and_then(CsrfSecret::from_cookie);
        CsrfState {
            session: session_entry.and_then(CsrfSecret::from_bytes),
            anonymous_sent: anonymous.is_some(),
            anonymous,
            ..CsrfState::default()
        }
    }

    /// The session already held something when the request came: its
    /// anonymous cookie (if any) is never adopted, only cleared, so that a
    /// cookie planted beside a session (by a sibling subdomain) can never
    /// become that session's secret.
    pub fn session_had_entries(&mut self) {
        self.anonymous = None;
    }

    /// A fresh masked token for a page rendered now. `empty`: the session
    /// holds nothing of the handler's at this point.
    ///
    /// # Errors
    /// [`Error::Random`].
    pub fn token(&mut self, empty: bool) -> Result<String, Error> {
        if let Some(secret) = &self.session {
            return secret.token();
        }
        if empty {
            if self.anonymous.is_none() {
                self.anonymous = Some(CsrfSecret::generate()?);
                self.anonymous_new = true;
            }
            return self
                .anonymous
                .as_ref()
                .map_or(Err(Error::Random), CsrfSecret::token);
        }
        let secret = CsrfSecret::generate()?;
        let token = secret.token();
        self.session = Some(secret);
        self.session_new = true;
        token
    }

    /// True when `token` is valid for this request: a token of the
    /// session's secret; or, while the session is `empty` and has none, of
    /// the anonymous cookie's. A session that holds something never
    /// accepts the anonymous cookie's tokens.
    pub fn verify(&self, token: &str, empty: bool) -> bool {
        match (&self.session, &self.anonymous) {
            (Some(secret), _) => secret.verify(token),
            (None, Some(secret)) if empty => secret.verify(token),
            _ => false,
        }
    }

    /// Checks the token of an unsafe request (from the [`HEADER`] or the
    /// [`FORM_FIELD`]); run [`check_origin`] first.
    ///
    /// # Errors
    /// [`Refusal::MissingToken`], [`Refusal::BadToken`]: answer 403.
    pub fn check(&self, token: Option<&str>, empty: bool) -> Result<(), Refusal> {
        match token {
            None => Err(Refusal::MissingToken),
            Some(t) if self.verify(t, empty) => Ok(()),
            Some(_) => Err(Refusal::BadToken),
        }
    }

    /// The session was destroyed: its secret and the anonymous one end
    /// with it (tokens rendered before no longer verify; a page rendered
    /// after gets a new anonymous secret).
    pub fn destroy(&mut self) {
        self.session = None;
        self.session_new = false;
        self.anonymous = None;
        self.anonymous_new = false;
        self.destroyed = true;
    }

    /// What to save: `saved_with_entries` is true when the session is
    /// saved holding something of the handler's (a login), false when
    /// nothing is saved or the session stays empty.
    pub fn finish(&mut self, saved_with_entries: bool) -> Finish {
        let mut session_entry = None;
        if saved_with_entries {
            if self.session.is_none() {
                // The login form's secret moves into the session.
                self.session = self.anonymous.take();
                self.session_new = self.session.is_some();
            }
            if self.session_new {
                session_entry = self.session.clone();
            }
        }
        let cookie = if saved_with_entries {
            // Its secret is the session's now (or never was sent).
            self.anonymous_sent.then_some(AnonymousCookie::Clear)
        } else if self.anonymous_new {
            // A page that stays anonymous (also one rendered after a
            // destroy) got a new secret.
            self.anonymous
                .as_ref()
                .map(|s| AnonymousCookie::Set(s.cookie_value()))
        } else {
            (self.destroyed && self.anonymous_sent).then_some(AnonymousCookie::Clear)
        };
        Finish {
            session_entry,
            cookie,
        }
    }
}

/// The request methods that change state: everything but `GET`, `HEAD`,
/// `OPTIONS` and `TRACE` (RFC 9110's safe methods).
pub fn is_unsafe_method(method: &str) -> bool {
    !matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

/// Why an unsafe request was refused (the adapter answers 403).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The browser said the request comes from another site
    /// (`Sec-Fetch-Site: cross-site` or `same-site`), or its `Origin` is
    /// not the `Host` it was sent to.
    CrossSite,
    /// No token in the header or the form field.
    MissingToken,
    /// A token that is not one of this session's.
    BadToken,
}

impl core::fmt::Display for Refusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Refusal::CrossSite => "a cross-site request that changes state",
            Refusal::MissingToken => "no CSRF token in the request",
            Refusal::BadToken => "a CSRF token that is not this session's",
        })
    }
}

/// Go 1.25's `CrossOriginProtection` rule on what browsers send:
/// `Sec-Fetch-Site` when present (only `same-origin` and `none`, a typed
/// address or a bookmark, pass); else `Origin` against `Host` when an
/// `Origin` is sent (`Origin: null`, or no `Host` to compare with, never
/// passes); else nothing is known (an old browser, or not a browser) and
/// the token alone decides.
///
/// # Errors
/// [`Refusal::CrossSite`].
pub fn check_origin(
    sec_fetch_site: Option<&[u8]>,
    origin: Option<&[u8]>,
    host: Option<&[u8]>,
) -> Result<(), Refusal> {
    if let Some(site) = sec_fetch_site {
        return match site {
            b"same-origin" | b"none" => Ok(()),
            _ => Err(Refusal::CrossSite),
        };
    }
    match (origin, host) {
        (Some(b"null"), _) => Err(Refusal::CrossSite),
        (Some(origin), Some(host)) => {
            let authority = origin
                .iter()
                .position(|&c| c == b':')
                .and_then(|i| origin.get(i + 1..))
                .and_then(|rest| rest.strip_prefix(b"//"));
            match authority {
                Some(a) if a.eq_ignore_ascii_case(host) => Ok(()),
                _ => Err(Refusal::CrossSite),
            }
        }
        (Some(_), None) => Err(Refusal::CrossSite),
        (None, _) => Ok(()),
    }
}

/// The token in an `application/x-www-form-urlencoded` body's
/// [`FORM_FIELD`], if there is one. Tokens are base64url, which forms send
/// unescaped, so a value with `%` or `+` is no token.
pub fn form_token(body: &[u8]) -> Option<&str> {
    body.split(|&c| c == b'&')
        .filter_map(|pair| {
            let eq = pair.iter().position(|&c| c == b'=')?;
            (&pair[..eq] == FORM_FIELD.as_bytes()).then(|| &pair[eq + 1..])
        })
        .next()
        .and_then(|v| core::str::from_utf8(v).ok())
}

#[cfg(test)]
mod tests;
