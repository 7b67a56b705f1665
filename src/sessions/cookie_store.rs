//! (std) [`CookieStore`]: the whole session in the cookie. Its parts, one
//! job per file: the [`CookieConfig`] that shapes its cookies (`config`),
//! the sync [`Store`] trait and its methods (`sync`), the `Set-Cookie`
//! rendering (`render`); here the store itself, byte-level sealing and
//! the async [`SessionStore`](crate::SessionStore).
//!
//! The API of Go's dghubble/sessions, with its known flaws fixed: keys are
//! checked when the store is built, the codec's max age follows the cookie's
//! `Max-Age`, `destroy` keeps the attributes the browser needs to match the
//! cookie, a cookie too long for a browser is refused instead of sent, and a
//! failed `get` says why and never hands back half a session.

use std::string::String;
use std::vec::Vec;

use crate::codec::envelope::is_token;
use crate::codec::iv::Iv;
use crate::codec::keys::Keys;
use crate::codec::set_cookie::SetCookie;
use crate::codec::{Codec, Codecs, DEFAULT_MAX_AGE, Format, decode_buf_len};
use crate::error::Error;
#[cfg(feature = "go")]
use crate::go::GoSerializer;
use crate::sessions::payload::PayloadFormat;
use crate::sessions::session::Session;
use crate::sessions::store::{Loaded, Record, SessionId, StoreError};

mod config;
mod render;
mod sync;

pub use crate::sessions::os::random_key;
pub use config::CookieConfig;
use render::{render, render_attributes, with_buf};
pub use sync::Store;

/// The longest `name=value` a browser must store (RFC 6265 §6.1): longer
/// cookies are refused by [`CookieStore::save`], not sent to be dropped.
pub const MAX_COOKIE_LEN: usize = 4096;

/// `CookieConfig::default()`'s `Max-Age`: 7 days, as Go's sessions.
pub const DEFAULT_COOKIE_MAX_AGE: u64 = 7 * 24 * 60 * 60;

/// A [`Store`] that keeps the whole session in the cookie, signed (and, with
/// a block key, encrypted) by the crate's codec.
///
/// Built once at startup and shared (it is `Send + Sync`; wrap it in an
/// `Arc`). Values are typed: `V` is any [`SessionValue`](crate::SessionValue) (`String` unless named).
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
pub struct CookieStore<V = String> {
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
}

/// The async interface: [`CookieStore`]'s work is synchronous, so each
/// future is ready at once.
impl<V> CookieStore<V> {
    /// [`SessionStore::load`]'s work at `now`: no I/O.
    fn load_sync(&self, name: &str, value: &str, now: u64) -> Result<Loaded, StoreError> {
        self.load_at(name, value, now).map_err(StoreError::Session)
    }

    /// [`SessionStore::save`]'s work at `now`: no I/O.
    fn save_sync(&self, name: &str, record: Record, now: u64) -> Result<String, StoreError> {
        // A cookie store has no ids: a renewed session is a fresh cookie,
        // as every save is.
        let payload = match self.payloads[0] {
            PayloadFormat::Kv => Ok(record.payload),
            // A Go payload is read by Go services: the layer's own entries
            // (keys starting with NUL: its creation stamp, flash values)
            // are not theirs, and stay out of it.
            #[allow(unreachable_patterns)]
            other => PayloadFormat::Kv
                .read::<Vec<u8>>(&record.payload)
                .and_then(|mut entries| {
                    entries.retain(|(key, _)| !key.starts_with('\0'));
                    let mut out = Vec::new();
                    other.write(&Session::from_sorted(name, entries), &mut out)?;
                    Ok(out)
                }),
        };
        payload
            .and_then(|payload| self.seal_at(name, payload, now, self.fresh_iv()?))
            .map_err(StoreError::Session)
    }

    /// [`SessionStore::destroy`]'s work: no I/O.
    fn destroy_sync(&self, name: &str) -> Result<String, StoreError> {
        CookieStore::destroy(self, name).map_err(StoreError::Session)
    }
}

impl<V: 'static> crate::SessionStore for CookieStore<V> {
    fn load(
        &self,
        name: &str,
        value: &str,
    ) -> impl core::future::Future<Output = Result<Loaded, StoreError>> + Send {
        core::future::ready(self.load_sync(name, value, crate::sessions::os::now()))
    }

    fn save(
        &self,
        name: &str,
        record: Record,
    ) -> impl core::future::Future<Output = Result<String, StoreError>> + Send {
        core::future::ready(self.save_sync(name, record, crate::sessions::os::now()))
    }

    fn destroy(
        &self,
        name: &str,
        _id: Option<SessionId>,
    ) -> impl core::future::Future<Output = Result<String, StoreError>> + Send {
        core::future::ready(self.destroy_sync(name))
    }

    // No I/O: every answer is ready at once (no boxed future per request).
    const IMMEDIATE: bool = true;

    fn load_now(&self, name: &str, value: &str) -> Option<Result<Loaded, StoreError>> {
        Some(self.load_sync(name, value, crate::sessions::os::now()))
    }

    fn save_now(&self, name: &str, record: Record) -> Result<Result<String, StoreError>, Record> {
        Ok(self.save_sync(name, record, crate::sessions::os::now()))
    }

    fn load_now_at(&self, name: &str, value: &str, now: u64) -> Option<Result<Loaded, StoreError>> {
        Some(self.load_sync(name, value, now))
    }

    fn save_now_at(
        &self,
        name: &str,
        record: Record,
        now: u64,
    ) -> Result<Result<String, StoreError>, Record> {
        Ok(self.save_sync(name, record, now))
    }

    fn destroy_now(
        &self,
        name: &str,
        _id: Option<SessionId>,
    ) -> Option<Result<String, StoreError>> {
        Some(self.destroy_sync(name))
    }

    fn max_age(&self) -> Option<u64> {
        match self.codecs[0].get_max_age() {
            0 => None,
            age => Some(age),
        }
    }

    /// Exact for the kv payload; a Go payload is not measured (`None`).
    fn cookie_len(&self, name: &str, payload_len: usize) -> Option<usize> {
        (self.payloads[0] == PayloadFormat::Kv).then(|| {
            name.len() + 1 + self.codecs[0].encoded_len(payload_len, crate::sessions::os::now())
        })
    }
}

#[cfg(feature = "go")]
mod go;
#[cfg(test)]
mod tests;
