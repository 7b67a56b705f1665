//! [`CookieConfig`]: the attributes of a store's session cookies.

use std::string::String;

use super::DEFAULT_COOKIE_MAX_AGE;
use crate::codec::set_cookie::{SameSite, SetCookie, is_valid_domain, is_valid_path};
use crate::error::Error;

/// The attributes of the session cookies a store sets: Go's `CookieConfig`.
///
/// A plain value: build one, change its public fields, hand it to
/// [`CookieStore::new`](crate::CookieStore::new) (which checks it).
///
/// **Name session cookies `__Host-...`.** A browser sends every cookie
/// whose domain and path match, so a page on a sibling subdomain
/// (`evil.example.com`, or any host an attacker can make serve a response)
/// can set a cookie of your session's name for `Domain=example.com` with a
/// longer `Path`, which the browser then sends *before* yours ("cookie
/// tossing"). The store tries the cookies in order and the first valid one
/// wins, so a planted cookie that is valid (the attacker's own session,
/// obtained by logging in) logs the user in as the attacker. Choosing
/// another order would not help: the attacker controls where theirs goes.
/// A `__Host-` name is the defence: browsers accept such a cookie only
/// from your own host, over HTTPS, with `Secure`, `Path=/` and no `Domain`,
/// so no other host can plant one. The store checks those rules when it
/// saves or destroys a prefixed cookie ([`check_name`](Self::check_name)),
/// and `CookieConfig::default()` meets them. `__Secure-` only requires
/// `Secure` (it does not stop tossing from a sibling over HTTPS).
///
/// ```
/// use securecookie::{CookieConfig, CookieStore, Error, Keys};
/// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?;
/// let mut session = store.new_session("__Host-my-app");
/// session.set("user-id", "a1b2c3".to_string());
/// assert!(store.save(&session)?.starts_with("__Host-my-app="));
///
/// let shared = CookieConfig { domain: Some("example.com".into()), ..CookieConfig::default() };
/// assert_eq!(shared.check_name("__Host-my-app"), Err(Error::InvalidAttribute { name: "Domain" }));
/// # Ok::<(), Error>(())
/// ```
///
/// ```
/// use securecookie::{CookieConfig, SameSite};
///
/// let config = CookieConfig {
///     domain: Some("example.com".to_string()),
///     same_site: Some(SameSite::Strict),
///     ..CookieConfig::default()
/// };
/// assert_eq!(config.path.as_deref(), Some("/"));
/// assert_eq!(config.max_age, Some(7 * 24 * 60 * 60));
/// assert!(config.http_only && config.secure);
/// assert!(!CookieConfig::debug().secure);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieConfig {
    /// `Domain`: `None` for a host-only cookie (the usual choice).
    pub domain: Option<String>,
    /// `Path`: `None` lets the browser use the request's directory.
    pub path: Option<String>,
    /// `Max-Age` in seconds (with a matching `Expires`); `None` for a
    /// browser-session cookie. Also the age past which the store rejects a
    /// cookie, unless [`CookieStore::max_age`](crate::CookieStore::max_age) sets that apart.
    pub max_age: Option<u64>,
    /// `HttpOnly`: out of reach of page scripts.
    pub http_only: bool,
    /// `Secure`: sent over HTTPS only.
    pub secure: bool,
    /// `SameSite`.
    pub same_site: Option<SameSite>,
}

impl Default for CookieConfig {
    /// `Path=/`, `Max-Age` 7 days, `HttpOnly`, `Secure`, `SameSite=Lax`.
    fn default() -> Self {
        CookieConfig {
            domain: None,
            path: Some(String::from("/")),
            max_age: Some(DEFAULT_COOKIE_MAX_AGE),
            http_only: true,
            secure: true,
            same_site: Some(SameSite::Lax),
        }
    }
}

impl CookieConfig {
    /// The default without `Secure`, for trying things out over plain HTTP
    /// on localhost. Never in production: the cookie would travel in clear.
    pub fn debug() -> Self {
        CookieConfig {
            secure: false,
            ..CookieConfig::default()
        }
    }

    /// Checks that every attribute can be written into a header.
    ///
    /// ```
    /// use securecookie::{CookieConfig, Error};
    /// let bad = CookieConfig { path: Some("/a;b".into()), ..CookieConfig::default() };
    /// assert_eq!(bad.check(), Err(Error::InvalidAttribute { name: "Path" }));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidAttribute`] naming `Path`, `Domain` (see
    /// [`is_valid_path`](crate::codec::set_cookie::is_valid_path),
    /// [`is_valid_domain`](crate::codec::set_cookie::is_valid_domain)) or
    /// `Max-Age` (when 0).
    pub fn check(&self) -> Result<(), Error> {
        if self.path.as_deref().is_some_and(|p| !is_valid_path(p)) {
            return Err(Error::InvalidAttribute { name: "Path" });
        }
        if self.domain.as_deref().is_some_and(|d| !is_valid_domain(d)) {
            return Err(Error::InvalidAttribute { name: "Domain" });
        }
        if self.max_age == Some(0) {
            return Err(Error::InvalidAttribute { name: "Max-Age" });
        }
        Ok(())
    }

    /// Checks the rules browsers enforce on a prefixed cookie name
    /// (RFC 6265bis §4.1.3; the prefix matched without regard to case, as
    /// browsers do): `__Secure-` needs `Secure`; `__Host-` needs `Secure`,
    /// `Path=/` and no `Domain`. A browser silently drops a cookie that
    /// breaks them; the store refuses to save it instead.
    ///
    /// ```
    /// use securecookie::{CookieConfig, Error};
    /// let config = CookieConfig::default();
    /// assert_eq!(config.check_name("__Host-s"), Ok(()));
    /// assert_eq!(
    ///     CookieConfig::debug().check_name("__Secure-s"),
    ///     Err(Error::InvalidAttribute { name: "Secure" }),
    /// );
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidAttribute`] naming `Secure`, `Path` or `Domain`.
    pub fn check_name(&self, name: &str) -> Result<(), Error> {
        let has_prefix = |prefix: &str| {
            name.get(..prefix.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        };
        let host = has_prefix("__Host-");
        if !host && !has_prefix("__Secure-") {
            return Ok(());
        }
        if !self.secure {
            return Err(Error::InvalidAttribute { name: "Secure" });
        }
        if host && self.path.as_deref() != Some("/") {
            return Err(Error::InvalidAttribute { name: "Path" });
        }
        if host && self.domain.is_some() {
            return Err(Error::InvalidAttribute { name: "Domain" });
        }
        Ok(())
    }

    /// The attributes, around a name and a value.
    pub(super) fn set_cookie<'a>(&'a self, name: &'a str, value: &'a str) -> SetCookie<'a> {
        SetCookie {
            path: self.path.as_deref(),
            domain: self.domain.as_deref(),
            http_only: self.http_only,
            secure: self.secure,
            same_site: self.same_site,
            ..SetCookie::new(name, value)
        }
    }
}
