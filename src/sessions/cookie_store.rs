//! (std) The [`Store`] trait, its cookie-backed implementation
//! [`CookieStore`], and the [`CookieConfig`] that shapes its cookies.
//!
//! The API of Go's dghubble/sessions, with its known flaws fixed: keys are
//! checked when the store is built, the codec's max age follows the cookie's
//! `Max-Age`, `destroy` keeps the attributes the browser needs to match the
//! cookie, a cookie too long for a browser is refused instead of sent, and a
//! failed `get` says why and never hands back half a session.

use std::string::String;
use std::vec;
use std::vec::Vec;

use crate::codec::envelope::is_token;
use crate::codec::header;
use crate::codec::iv::Iv;
use crate::codec::keys::Keys;
use crate::codec::set_cookie::{ImfFixdate, SameSite, SetCookie, is_valid_domain, is_valid_path};
use crate::codec::{Codec, Codecs, DEFAULT_MAX_AGE, Format, decode_buf_len};
use crate::error::Error;
#[cfg(feature = "go")]
use crate::go::GoSerializer;
use crate::sessions::payload::PayloadFormat;
use crate::sessions::session::Session;
use crate::sessions::store::{Loaded, Record, SessionId, StoreError};
use crate::sessions::value::SessionValue;

/// The longest `name=value` a browser must store (RFC 6265 §6.1): longer
/// cookies are refused by [`CookieStore::save`], not sent to be dropped.
pub const MAX_COOKIE_LEN: usize = 4096;

/// `CookieConfig::default()`'s `Max-Age`: 7 days, as Go's sessions.
pub const DEFAULT_COOKIE_MAX_AGE: u64 = 7 * 24 * 60 * 60;

/// Where named sessions are created, read, saved and destroyed: the
/// extension point for session backends.
///
/// [`CookieStore`] keeps the whole session in the cookie; a server-side
/// backend (a database, a cache) would keep an id in the cookie and the
/// values on its side, behind the same four methods.
///
/// The trait is object-safe, so a server can hold a `Box<dyn Store<V, Error
/// = E>>` and choose the backend at startup. `Error` is an associated type so
/// that a backend can report its own failures (I/O, a lost connection)
/// next to the cookie's.
///
/// ```
/// use securecookie::{CookieConfig, CookieStore, Error, Keys, Store};
///
/// let store: Box<dyn Store<String, Error = Error>> = Box::new(CookieStore::new(
///     CookieConfig::default(),
///     [Keys::new(&[7; 32], Some(&[9; 32]))?],
/// )?);
/// let mut session = store.new_session("my-app");
/// session.set("user-id", "a1b2c3".to_string());
/// let set_cookie = store.save(&session)?;
/// assert!(set_cookie.starts_with("my-app="));
/// # Ok::<(), Error>(())
/// ```
pub trait Store<V> {
    /// What can go wrong.
    type Error;

    /// A new, empty session called `name`.
    fn new_session(&self, name: &str) -> Session<V>;

    /// The session called `name` carried by a request's `Cookie` header.
    ///
    /// # Errors
    /// Distinct errors for a missing cookie, one that does not verify or
    /// decode, and one whose values do not convert; never a partial session.
    fn get(&self, cookie_header: &str, name: &str) -> Result<Session<V>, Self::Error>;

    /// Saves `session`; returns the `Set-Cookie` header value to send.
    ///
    /// # Errors
    /// When the session cannot be stored.
    fn save(&self, session: &Session<V>) -> Result<String, Self::Error>;

    /// Ends the session called `name`; returns the `Set-Cookie` header value
    /// that makes the browser drop its cookie.
    ///
    /// # Errors
    /// When `name` cannot be a cookie name, or the backend fails.
    fn destroy(&self, name: &str) -> Result<String, Self::Error>;
}

/// The attributes of the session cookies a store sets: Go's `CookieConfig`.
///
/// A plain value: build one, change its public fields, hand it to
/// [`CookieStore::new`] (which checks it).
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
    /// cookie, unless [`CookieStore::max_age`] sets that apart.
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
    fn set_cookie<'a>(&'a self, name: &'a str, value: &'a str) -> SetCookie<'a> {
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

/// A [`Store`] that keeps the whole session in the cookie, signed (and, with
/// a block key, encrypted) by the crate's codec.
///
/// Built once at startup and shared (it is `Send + Sync`; wrap it in an
/// `Arc`). Values are typed: `V` is any [`SessionValue`].
///
/// ```
/// use securecookie::{CookieConfig, CookieStore, Error, Keys};
///
/// let store = CookieStore::<String>::new(
///     CookieConfig::default(),
///     [Keys::new(&[7; 32], Some(&[9; 32]))?], // checked here, not later
/// )?;
///
/// // Login: a new session, saved into a Set-Cookie header.
/// let mut session = store.new_session("my-app");
/// session.set("user-id", "a1b2c3".to_string());
/// let set_cookie = store.save(&session)?;
/// assert!(set_cookie.ends_with("; Max-Age=604800; HttpOnly; Secure; SameSite=Lax"));
///
/// // A later request: the browser sends the cookie back.
/// let cookie = set_cookie.split(';').next().unwrap();
/// let header = format!("theme=dark; {cookie}");
/// let session = store.get(&header, "my-app")?;
/// assert_eq!(session.get("user-id").map(String::as_str), Some("a1b2c3"));
/// assert_eq!(store.get("theme=dark", "my-app").unwrap_err(), Error::NoCookie);
///
/// // Logout.
/// let expired = store.destroy("my-app")?;
/// assert!(expired.starts_with("my-app=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0"));
/// # Ok::<(), Error>(())
/// ```
///
/// **Key rotation**: pass several key pairs, newest first. The first encodes;
/// all of them decode.
///
/// **Go's wire format**: [`gorilla`](Self::gorilla) switches to the envelope
/// of gorilla/securecookie, with the crate's key/value payload inside. With
/// the `go` feature, `go_compatible` reads and writes exactly the cookies of
/// Go's dghubble/sessions (gob payload too), and `migrate_from_go` moves a
/// fleet off them without logging anyone out. Each of these sets the
/// store's format (the last call wins); [`max_age`](Self::max_age) holds
/// whatever the order.
pub struct CookieStore<V> {
    config: CookieConfig,
    /// The key pairs, newest first: `codecs` is rebuilt from them when the
    /// format changes.
    keys: Vec<Keys>,
    mode: Mode,
    /// Set by [`max_age`](Self::max_age); else derived from the mode.
    max_age: Option<u64>,
    codecs: Vec<Codec>,
    /// The payload format of each codec's cookies: `payloads[i]` reads what
    /// `codecs[i]` verified; `payloads[0]` writes.
    payloads: Vec<PayloadFormat>,
    /// The attributes that never change, rendered once: those before
    /// `Expires` (`; Path=/`) and those after it (`; Max-Age=...; HttpOnly`).
    attributes: (String, String),
    /// `fn() -> V`: the store holds no `V`, so it is `Send + Sync` whatever
    /// `V` is.
    _values: core::marker::PhantomData<fn() -> V>,
}

/// What a store writes, and what it reads besides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The kv payload in one envelope.
    Native(Format),
    /// Go's dghubble/sessions: gorilla envelope, Go payload, Go's 30 days.
    #[cfg(feature = "go")]
    Go(GoSerializer),
    /// Writes `Native(Compact)`; reads that and `Go(serializer)`.
    #[cfg(feature = "go")]
    MigrateFromGo(GoSerializer),
}

impl<V> Clone for CookieStore<V> {
    fn clone(&self) -> Self {
        CookieStore {
            config: self.config.clone(),
            keys: self.keys.clone(),
            mode: self.mode,
            max_age: self.max_age,
            codecs: self.codecs.clone(),
            payloads: self.payloads.clone(),
            attributes: self.attributes.clone(),
            _values: core::marker::PhantomData,
        }
    }
}

impl<V> core::fmt::Debug for CookieStore<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CookieStore")
            .field("config", &self.config)
            .field("mode", &self.mode)
            .field("codecs", &self.codecs)
            .finish_non_exhaustive()
    }
}

impl<V> CookieStore<V> {
    /// A store setting cookies as `config` says, with `keys` newest first
    /// (the first encodes, every one decodes), in the compact format.
    ///
    /// Cookies older than `config.max_age` are rejected when read (30 days,
    /// Go's codec default, for a browser-session cookie without `Max-Age`);
    /// [`max_age`](Self::max_age) sets that apart.
    ///
    /// # Errors
    /// [`Error::NoKeys`] for no keys; [`Error::InvalidAttribute`] for a
    /// config that fails [`CookieConfig::check`]. (Each [`Keys`] was checked
    /// when it was built.)
    pub fn new(config: CookieConfig, keys: impl IntoIterator<Item = Keys>) -> Result<Self, Error> {
        config.check()?;
        let keys: Vec<Keys> = keys.into_iter().collect();
        if keys.is_empty() {
            return Err(Error::NoKeys);
        }
        // Checked here for every format: the builder methods can switch to
        // the gorilla envelope later, whose MAC covers only the hash key.
        // This is stricter than `Codecs::new`, so `decode` need not recheck.
        crate::codec::keys::check_distinguishable(keys.iter())?;
        let before = SetCookie {
            path: config.path.as_deref(),
            domain: config.domain.as_deref(),
            ..SetCookie::new("", "")
        };
        let after = SetCookie {
            max_age: config.max_age,
            http_only: config.http_only,
            secure: config.secure,
            same_site: config.same_site,
            ..SetCookie::new("", "")
        };
        let attributes = (render_attributes(&before), render_attributes(&after));
        let store = CookieStore {
            config,
            keys,
            mode: Mode::Native(Format::Compact),
            max_age: None,
            codecs: Vec::new(),
            payloads: Vec::new(),
            attributes,
            _values: core::marker::PhantomData,
        };
        Ok(store.rebuild())
    }

    /// Writes cookies in Go's gorilla/securecookie envelope instead of the
    /// compact one (and reads only those). The payload inside stays the
    /// crate's key/value format, which Go's sessions libraries do not read:
    /// for those, see `go_compatible` (feature `go`).
    ///
    /// ```
    /// use securecookie::{CookieConfig, CookieStore, Format, Keys};
    /// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?
    ///     .gorilla();
    /// assert_eq!(store.codecs()[0].format(), Format::Gorilla);
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    #[must_use]
    pub fn gorilla(mut self) -> Self {
        self.mode = Mode::Native(Format::Gorilla);
        self.rebuild()
    }

    /// Sets the age in seconds past which a cookie is rejected, apart from
    /// the cookie's `Max-Age` (0 turns the check off: a stolen cookie then
    /// works for ever).
    ///
    /// ```
    /// use securecookie::{CookieConfig, CookieStore, Keys};
    /// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?;
    /// assert_eq!(store.codecs()[0].get_max_age(), 7 * 24 * 60 * 60);
    /// let store = store.max_age(3600);
    /// assert_eq!(store.codecs()[0].get_max_age(), 3600);
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self.rebuild()
    }

    /// Builds the codecs and payload formats the mode, the keys and the max
    /// age call for: the builder methods can come in any order.
    fn rebuild(mut self) -> Self {
        let native_age = self
            .max_age
            .unwrap_or(self.config.max_age.unwrap_or(DEFAULT_MAX_AGE));
        let build = |format: Format, age: u64, payload: PayloadFormat| {
            self.keys
                .iter()
                .map(move |k| (Codec::with_format(k.clone(), format).max_age(age), payload))
        };
        let (codecs, payloads): (Vec<Codec>, Vec<PayloadFormat>) = match self.mode {
            Mode::Native(format) => build(format, native_age, PayloadFormat::Kv).unzip(),
            #[cfg(feature = "go")]
            Mode::Go(serializer) => {
                // Go's codecs keep securecookie's 30 days whatever the
                // cookie's Max-Age.
                let age = self.max_age.unwrap_or(DEFAULT_MAX_AGE);
                build(Format::Gorilla, age, serializer.into()).unzip()
            }
            #[cfg(feature = "go")]
            Mode::MigrateFromGo(serializer) => {
                // A Go cookie is accepted as long as both Go and this store
                // would accept it: no longer than 30 days, no longer than
                // our own max age (0: off, as asked).
                let go_age = match native_age {
                    0 => 0,
                    age => age.min(DEFAULT_MAX_AGE),
                };
                build(Format::Compact, native_age, PayloadFormat::Kv)
                    .chain(build(Format::Gorilla, go_age, serializer.into()))
                    .unzip()
            }
        };
        self.codecs = codecs;
        self.payloads = payloads;
        self
    }

    /// The cookie attributes.
    pub fn config(&self) -> &CookieConfig {
        &self.config
    }

    /// The codecs, newest key first (never empty); while migrating from Go,
    /// the compact ones, then the gorilla ones for the same keys.
    pub fn codecs(&self) -> &[Codec] {
        &self.codecs
    }

    /// The `Set-Cookie` header value that expires the cookie called `name`:
    /// empty, `Max-Age=0` and an `Expires` in 1970, with the config's
    /// `Path`, `Domain`, `Secure`, `HttpOnly` and `SameSite`, so that the
    /// browser matches it to the cookie it holds (Go keeps only `Path`).
    ///
    /// ```
    /// use securecookie::{CookieConfig, CookieStore, Keys};
    /// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?;
    /// assert_eq!(
    ///     store.destroy("my-app")?,
    ///     "my-app=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
    /// );
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidName`]; [`Error::InvalidAttribute`] when a
    /// `__Host-` or `__Secure-` name breaks its rules
    /// ([`CookieConfig::check_name`]).
    pub fn destroy(&self, name: &str) -> Result<String, Error> {
        if !is_token(name.as_bytes()) {
            return Err(Error::InvalidName);
        }
        self.config.check_name(name)?;
        let set_cookie = SetCookie {
            // The first second of 1970, as Go writes it.
            expires: Some(1),
            max_age: Some(0),
            ..self.config.set_cookie(name, "")
        };
        Ok(render(&set_cookie))
    }
}

/// Byte-level sealing and opening: what the async
/// [`SessionStore`](crate::SessionStore) runs on, and what a server-side
/// store uses to seal its session ids.
impl<V> CookieStore<V> {
    /// Seals `payload` (bytes in this store's payload format: a
    /// [`kv`](crate::codec::kv) payload unless Go's formats are set) into the
    /// `Set-Cookie` header value of the cookie `name`, at time `now` with
    /// `iv`. The payload's buffer becomes the line's: no copy, and every
    /// plaintext byte is overwritten.
    ///
    /// ```
    /// use securecookie::{CookieConfig, CookieStore, Iv, Keys, kv};
    /// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], Some(&[9; 32]))?])?;
    /// let payload = kv::to_vec::<32>([("user-id", &b"a1b2c3"[..])])?.to_vec();
    /// let line = store.seal_at("my-app", payload.clone(), 1_800_000_000, Iv::from_random_bytes([1; 16]))?;
    /// let value = line.split(';').next().unwrap().strip_prefix("my-app=").unwrap();
    /// let loaded = store.load_at("my-app", value, 1_800_000_005)?;
    /// assert_eq!((loaded.payload, loaded.issued), (payload, 1_800_000_000));
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`save`](Self::save).
    pub fn seal_at(&self, name: &str, payload: Vec<u8>, now: u64, iv: Iv) -> Result<String, Error> {
        if !is_token(name.as_bytes()) {
            return Err(Error::InvalidName);
        }
        let mut buf = payload;
        let len = buf.len();
        buf.reserve(self.line_capacity(name, len, now) - len);
        self.seal_in_place(name, buf, now, iv)
    }

    /// [`seal_at`](Self::seal_at) with the system clock and a fresh IV.
    ///
    /// # Errors
    /// As [`save`](Self::save).
    pub fn seal(&self, name: &str, payload: Vec<u8>) -> Result<String, Error> {
        self.seal_at(name, payload, crate::sessions::os::now(), self.fresh_iv()?)
    }

    /// Opens one cookie value (the part after `name=`) sealed by this store
    /// (or, while migrating, by Go), at time `now`: its payload in the
    /// store's format, its timestamp, and whether it is outdated (see
    /// [`get_outdated`](CookieStore::get_outdated)).
    ///
    /// # Errors
    /// [`Error::InvalidName`]; a decoding error as
    /// [`Codec::decode`](crate::Codec::decode).
    pub fn load_at(&self, name: &str, value: &str, now: u64) -> Result<Loaded, Error> {
        if !is_token(name.as_bytes()) {
            return Err(Error::InvalidName);
        }
        let len = decode_buf_len(value.len().min(MAX_COOKIE_LEN));
        with_buf(len, |buf| {
            let decoded = Codecs::prechecked(&self.codecs).decode(name, value, now, buf)?;
            let payload = match self.payloads[decoded.index] {
                PayloadFormat::Kv => decoded.payload.to_vec(),
                // A Go payload: rewritten as kv, the layer's format.
                #[allow(unreachable_patterns)]
                other => {
                    let entries = other.read::<Vec<u8>>(decoded.payload)?;
                    let session = Session::from_sorted(name, entries);
                    let mut out = Vec::new();
                    PayloadFormat::Kv.write(&session, &mut out)?;
                    out
                }
            };
            Ok(Loaded::new(
                payload,
                decoded.timestamp,
                None,
                decoded.index != 0,
            ))
        })
    }

    /// Seals a server-side session id into the `Set-Cookie` header value
    /// of the cookie `name`: the payload is `kv{"id": id}`, so a forged or
    /// garbage cookie fails the MAC before any database lookup.
    ///
    /// ```
    /// use securecookie::{CookieConfig, CookieStore, Keys, SessionId};
    /// let cookies = CookieStore::<Vec<u8>>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?;
    /// let id = SessionId::random()?;
    /// let line = cookies.seal_id("my-app", &id)?;
    /// let value = line.split(';').next().unwrap().strip_prefix("my-app=").unwrap();
    /// let (opened, _issued) = cookies.load_id("my-app", value)?;
    /// assert_eq!(opened, id);
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`seal`](Self::seal).
    pub fn seal_id(&self, name: &str, id: &SessionId) -> Result<String, Error> {
        let mut payload = Vec::with_capacity(self.line_capacity(name, 20, 0));
        payload.extend_from_slice(&[2, b'i', b'd', SessionId::LEN as u8]);
        payload.extend_from_slice(id.as_bytes());
        self.seal(name, payload)
    }

    /// Opens a cookie value sealed by [`seal_id`](Self::seal_id): the id and
    /// when the cookie was issued (Unix seconds).
    ///
    /// # Errors
    /// A decoding error as [`load_at`](Self::load_at);
    /// [`Error::Payload`] when the payload holds no well-formed id.
    pub fn load_id(&self, name: &str, value: &str) -> Result<(SessionId, u64), Error> {
        let loaded = self.load_at(name, value, crate::sessions::os::now())?;
        let id = crate::codec::kv::get(&loaded.payload, "id")?
            .and_then(SessionId::from_bytes)
            .ok_or(Error::Payload(crate::KvError::Truncated))?;
        Ok((id, loaded.issued))
    }

    fn fresh_iv(&self) -> Result<Iv, Error> {
        if self.codecs[0].keys().is_encrypted() {
            Iv::random()
        } else {
            // Signed-only keys ignore the IV: spare the randomness.
            Ok(Iv::from_random_bytes([0; 16]))
        }
    }

    /// Bytes for a payload of `payload_len` and the whole line after it.
    fn line_capacity(&self, name: &str, payload_len: usize, now: u64) -> usize {
        let (before, after) = &self.attributes;
        payload_len
            + name.len()
            + 1
            + self.codecs[0].encoded_len(payload_len, now)
            + before.len()
            + EXPIRES.len()
            + ImfFixdate::LEN
            + after.len()
    }

    /// Seals the payload `buf` holds (and nothing else) into the header
    /// line: the codec encrypts and encodes the payload straight into the
    /// line after it, then the line moves to the front over the payload.
    fn seal_in_place(
        &self,
        name: &str,
        mut buf: Vec<u8>,
        now: u64,
        iv: Iv,
    ) -> Result<String, Error> {
        self.config.check_name(name)?;
        let codec = &self.codecs[0];
        let (before, after) = &self.attributes;
        // Attributes in Go's order: Path, Domain | Expires | Max-Age, ...
        let expires = self
            .config
            .max_age
            .map(|age| ImfFixdate::from_unix(now.saturating_add(age)));
        let payload_len = buf.len();
        let len = name.len() + 1 + codec.encoded_len(payload_len, now);
        if len > MAX_COOKIE_LEN {
            return Err(Error::TooLong {
                len,
                max: MAX_COOKIE_LEN,
            });
        }
        buf.extend_from_slice(name.as_bytes());
        buf.push(b'=');
        buf.resize(payload_len + len, 0);
        let (payload, line) = buf.split_at_mut(payload_len);
        codec.encode(name, payload, now, iv, &mut line[name.len() + 1..])?;
        // The line is longer than the payload, so this overwrites every
        // plaintext byte.
        buf.copy_within(payload_len.., 0);
        buf.truncate(len);
        // The attributes go in as bytes, so that the whole line is checked
        // as UTF-8 once, not piece by piece.
        buf.extend_from_slice(before.as_bytes());
        if let Some(date) = expires {
            buf.extend_from_slice(EXPIRES.as_bytes());
            buf.extend_from_slice(date.as_bytes());
        }
        buf.extend_from_slice(after.as_bytes());
        // Name (a token), value (base64) and attributes are ASCII: this
        // cannot fail.
        String::from_utf8(buf).map_err(|_| Error::Malformed)
    }
}

/// The async interface: [`CookieStore`]'s work is synchronous, so each
/// future is ready at once.
impl<V: 'static> crate::SessionStore for CookieStore<V> {
    fn load(
        &self,
        name: &str,
        value: &str,
    ) -> impl core::future::Future<Output = Result<Loaded, StoreError>> + Send {
        core::future::ready(
            self.load_at(name, value, crate::sessions::os::now())
                .map_err(StoreError::Session),
        )
    }

    fn save(
        &self,
        name: &str,
        record: Record,
    ) -> impl core::future::Future<Output = Result<String, StoreError>> + Send {
        // A cookie store has no ids: a renewed session is a fresh cookie,
        // as every save is.
        let payload = match self.payloads[0] {
            PayloadFormat::Kv => Ok(record.payload),
            #[allow(unreachable_patterns)]
            other => PayloadFormat::Kv
                .read::<Vec<u8>>(&record.payload)
                .and_then(|entries| {
                    let mut out = Vec::new();
                    other.write(&Session::from_sorted(name, entries), &mut out)?;
                    Ok(out)
                }),
        };
        core::future::ready(
            payload
                .and_then(|payload| self.seal(name, payload))
                .map_err(StoreError::Session),
        )
    }

    fn destroy(
        &self,
        name: &str,
        _id: Option<SessionId>,
    ) -> impl core::future::Future<Output = Result<String, StoreError>> + Send {
        core::future::ready(CookieStore::destroy(self, name).map_err(StoreError::Session))
    }

    fn max_age(&self) -> Option<u64> {
        match self.codecs[0].get_max_age() {
            0 => None,
            age => Some(age),
        }
    }
}

/// The [`Store`] methods, callable without importing the trait.
impl<V: SessionValue> CookieStore<V> {
    /// A new, empty session called `name` (checked when saved).
    pub fn new_session(&self, name: &str) -> Session<V> {
        Session::new(name)
    }

    /// Reads and verifies the session cookie called `name` from a `Cookie`
    /// request header, with the system clock; see [`get_at`](Self::get_at).
    ///
    /// # Errors
    /// [`Error::NoCookie`] when the header holds no such cookie;
    /// [`Error::InvalidName`]; a decoding error ([`Error::MacMismatch`],
    /// [`Error::Expired`], [`Error::Payload`], ...: see
    /// [`Codec::decode`]) when it does not verify; [`Error::InvalidValue`]
    /// when a value does not convert to `V`. Never a partial session.
    pub fn get(&self, cookie_header: &str, name: &str) -> Result<Session<V>, Error> {
        self.get_at(cookie_header, name, crate::sessions::os::now())
    }

    /// Encodes the session with the first key, the system clock and a fresh
    /// IV, and renders its `Set-Cookie` header value.
    ///
    /// # Errors
    /// [`Error::InvalidName`]; [`Error::InvalidAttribute`] when a
    /// `__Host-` or `__Secure-` name breaks its rules
    /// ([`CookieConfig::check_name`]); [`Error::TooLong`] when `name=value` would
    /// exceed [`MAX_COOKIE_LEN`] (its `len` is the cookie's, its `max` the
    /// limit); [`Error::Payload`] for an entry beyond
    /// [`kv::MAX_LEN`](crate::codec::kv::MAX_LEN); [`Error::Random`].
    pub fn save(&self, session: &Session<V>) -> Result<String, Error> {
        self.save_at(session, crate::sessions::os::now(), self.fresh_iv()?)
    }

    /// [`save`](Store::save) at time `now` (Unix seconds) with `iv`: for a
    /// caller with its own clock and randomness, and for tests.
    ///
    /// ```
    /// use securecookie::{CookieConfig, CookieStore, Iv, Keys};
    /// let store = CookieStore::<u32>::new(CookieConfig::debug(), [Keys::new(&[7; 32], None)?])?;
    /// let mut session = store.new_session("s");
    /// session.set("visits", 3);
    /// let line = store.save_at(&session, 1_800_000_000, Iv::from_random_bytes([0; 16]))?;
    /// assert!(line.ends_with("; Path=/; Expires=Fri, 22 Jan 2027 08:00:00 GMT; Max-Age=604800; HttpOnly; SameSite=Lax"));
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`save`](Store::save).
    pub fn save_at(&self, session: &Session<V>, now: u64, iv: Iv) -> Result<String, Error> {
        // The codec checks too, but only after the payload is built and the
        // length limit applied: say what is wrong first.
        if !is_token(session.name().as_bytes()) {
            return Err(Error::InvalidName);
        }
        // One buffer for everything: the payload first, then the header line
        // after it (see `seal_at`).
        let payload_format = self.payloads[0];
        let hint = payload_format.size_hint(session);
        let mut buf = Vec::with_capacity(self.line_capacity(session.name(), hint, now));
        payload_format.write(session, &mut buf)?;
        self.seal_in_place(session.name(), buf, now, iv)
    }

    /// [`get`](Store::get) at time `now` (Unix seconds).
    ///
    /// Every cookie called `name` in the header is tried in order (a browser
    /// sends the one with the longest path first, and an old one may linger
    /// beside it), up to [`header::MAX_SAME_NAME`] of them (the rest are
    /// ignored: bounded work for a header full of forgeries); the first that
    /// decodes wins. When none does, the error is the first one's.
    ///
    /// # Errors
    /// As [`get`](Store::get).
    pub fn get_at(&self, cookie_header: &str, name: &str, now: u64) -> Result<Session<V>, Error> {
        self.get_outdated_at(cookie_header, name, now)
            .map(|(session, _)| session)
    }

    /// [`get`](Self::get), and whether the cookie is outdated: made with an
    /// older key, or (while migrating, see `migrate_from_go`) in Go's format.
    /// [`save`](Self::save) the session to re-issue it with the newest key
    /// in the current format; until then the old cookie keeps working.
    ///
    /// ```
    /// use securecookie::{CookieConfig, CookieStore, Keys};
    /// let old = Keys::new(&[1; 32], None)?;
    /// let new = Keys::new(&[2; 32], None)?;
    /// let before = CookieStore::<String>::new(CookieConfig::default(), [old.clone()])?;
    /// let after = CookieStore::<String>::new(CookieConfig::default(), [new, old])?;
    ///
    /// let mut session = before.new_session("s");
    /// session.set("user-id", "a1b2c3".to_string());
    /// let cookie = before.save(&session)?;
    /// let cookie = cookie.split(';').next().unwrap();
    ///
    /// let (session, outdated) = after.get_outdated(cookie, "s")?;
    /// assert!(outdated);
    /// let reissued = after.save(&session)?;
    /// let (_, outdated) = after.get_outdated(reissued.split(';').next().unwrap(), "s")?;
    /// assert!(!outdated);
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`get`](Self::get).
    pub fn get_outdated(
        &self,
        cookie_header: &str,
        name: &str,
    ) -> Result<(Session<V>, bool), Error> {
        self.get_outdated_at(cookie_header, name, crate::sessions::os::now())
    }

    /// [`get_outdated`](Self::get_outdated) at time `now` (Unix seconds).
    ///
    /// # Errors
    /// As [`get`](Self::get).
    pub fn get_outdated_at(
        &self,
        cookie_header: &str,
        name: &str,
        now: u64,
    ) -> Result<(Session<V>, bool), Error> {
        if !is_token(name.as_bytes()) {
            return Err(Error::InvalidName);
        }
        let mut first_error = None;
        for value in header::tried(cookie_header, name) {
            match self.decode(name, value, now) {
                Ok((session, index)) => return Ok((session, index != 0)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(Error::NoCookie))
    }

    /// The session and the index of the codec that verified it.
    fn decode(&self, name: &str, value: &str, now: u64) -> Result<(Session<V>, usize), Error> {
        // A longer cookie is refused by the codec before it touches the
        // buffer: the buffer stays bounded whatever the client sends.
        let len = decode_buf_len(value.len().min(MAX_COOKIE_LEN));
        with_buf(len, |buf| {
            let decoded = Codecs::prechecked(&self.codecs).decode(name, value, now, buf)?;
            let values = self.payloads[decoded.index].read(decoded.payload)?;
            Ok((Session::from_sorted(name, values), decoded.index))
        })
    }
}

impl<V: SessionValue> Store<V> for CookieStore<V> {
    type Error = Error;

    fn new_session(&self, name: &str) -> Session<V> {
        CookieStore::new_session(self, name)
    }

    fn get(&self, cookie_header: &str, name: &str) -> Result<Session<V>, Error> {
        CookieStore::get(self, cookie_header, name)
    }

    fn save(&self, session: &Session<V>) -> Result<String, Error> {
        CookieStore::save(self, session)
    }

    fn destroy(&self, name: &str) -> Result<String, Error> {
        CookieStore::destroy(self, name)
    }
}

/// Fresh random key material from the operating system, as Go's
/// `securecookie.GenerateRandomKey`: `N = 32` for a hash key or an AES-256
/// block key.
///
/// ```
/// use securecookie::{Keys, random_key};
/// let keys = Keys::new(&random_key::<32>()?, Some(&random_key::<32>()?))?;
/// # let _ = keys;
/// # Ok::<(), securecookie::Error>(())
/// ```
///
/// # Errors
/// [`Error::Random`].
pub fn random_key<const N: usize>() -> Result<[u8; N], Error> {
    let mut key = [0u8; N];
    getrandom::fill(&mut key).map_err(|_| Error::Random)?;
    Ok(key)
}

const EXPIRES: &str = "; Expires=";

/// What follows `name=value`.
fn render_attributes(set_cookie: &SetCookie<'_>) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = set_cookie.write_attributes_to(&mut out);
    out
}

fn render(set_cookie: &SetCookie<'_>) -> String {
    let mut out = String::with_capacity(set_cookie.rendered_len());
    // Writing into a String cannot fail.
    let _ = set_cookie.write_to(&mut out);
    out
}

/// Runs `f` on a zeroed buffer of `len` bytes: on the stack when small
/// (a typical session cookie), else on the heap. Callers bound `len`.
fn with_buf<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    const STACK: usize = 256;
    if len <= STACK {
        let mut buf = [0u8; STACK];
        f(&mut buf[..len])
    } else {
        f(&mut vec![0u8; len])
    }
}

#[cfg(feature = "go")]
mod go;
#[cfg(test)]
mod tests;
