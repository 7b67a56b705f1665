//! (std) [`SessionStore`]: the async store interface the session layer runs
//! on, byte-level so that a backend never needs to know the value types.
//!
//! dghubble/sessions' `Store` has four operations: new, get, save, destroy.
//! Here *new* is the layer's empty session (no store call), *get* is
//! [`load`](SessionStore::load), and [`save`](SessionStore::save) /
//! [`destroy`](SessionStore::destroy) keep their names. The sync
//! [`Store`](crate::Store) stays for code outside async servers; a type
//! can implement both, as [`CookieStore`](crate::CookieStore) does.
//!
//! What travels between the layer and a store is the session's
//! [`kv`](crate::codec::kv) payload: the handler's entries plus a few reserved
//! entries of the layer (keys starting with `\0`: creation time, flash
//! values). A store keeps those bytes as they are; it may read a user's
//! entry from them with [`kv::get`](crate::codec::kv::get) (e.g. to index
//! sessions by user).

use core::future::Future;
use std::boxed::Box;
use std::string::String;
use std::vec::Vec;

use crate::error::Error;

/// A session store for async servers: where the session layer loads,
/// saves and destroys sessions.
///
/// [`CookieStore`](crate::CookieStore) keeps the whole payload in the cookie (its futures are
/// ready at once: no extra cost); a server-side store keeps a sealed
/// [`SessionId`] in the cookie and the payload in a database, without
/// blocking the runtime.
///
/// # What each method must guarantee
///
/// - [`load`](Self::load) verifies before it looks anything up: a forged or
///   garbage cookie costs no database round trip. It returns the payload
///   exactly as saved, or an error; never part of a session.
/// - [`save`](Self::save) stores the payload and returns the `Set-Cookie`
///   line to send (a full line with the store's attributes, as
///   [`Store::save`](crate::Store::save) does). It never silently drops
///   anything: a payload it cannot keep (too long for a cookie, a backend
///   failure) is an error.
/// - [`destroy`](Self::destroy) removes the record of `id` (when there is
///   one) and returns the `Set-Cookie` line that expires the cookie with
///   the same `Path`, `Domain`, `Secure`, `HttpOnly` and `SameSite` as
///   `save` sets. With `id == None` it only builds that line (the layer
///   clears a bad cookie this way).
///
/// # Errors: bad cookie or broken backend
///
/// [`StoreError::Session`] says the cookie or its session is no good
/// (tampered, expired, an id the store does not know): on `load` the layer
/// hands the handler an empty session and clears the cookie. On `save`
/// it is a session that cannot be stored (e.g. [`Error::TooLong`]): the
/// layer answers 500; except [`Error::UnknownSession`], a session
/// destroyed by another request meanwhile, which the layer answers by
/// clearing the cookie. [`StoreError::Backend`] is a store that does not
/// answer: the layer answers 503 when loading, 500 when saving.
pub trait SessionStore: Send + Sync + 'static {
    /// Opens `value`, the value of one cookie called `name` from the
    /// request (the layer tries each cookie of that name in turn until one
    /// loads).
    ///
    /// # Errors
    /// [`StoreError::Session`] for a bad cookie or an unknown session id,
    /// [`StoreError::Backend`] when the backend fails.
    fn load(
        &self,
        name: &str,
        value: &str,
    ) -> impl Future<Output = Result<Loaded, StoreError>> + Send;

    /// Saves `record` for the cookie called `name`; returns the `Set-Cookie`
    /// header value to send.
    ///
    /// A server-side store writes `record.payload` under `record.id`, and
    /// only if that id still exists (never resurrect a destroyed session);
    /// with `record.id == None` it creates a fresh id (never overwriting an
    /// existing one); with `record.renew` it moves the session to a fresh
    /// id and deletes the old one.
    ///
    /// # Errors
    /// [`StoreError::Session`] when the session cannot be stored as asked
    /// ([`Error::TooLong`], [`Error::UnknownSession`], ...),
    /// [`StoreError::Backend`] when the backend fails.
    fn save(
        &self,
        name: &str,
        record: Record,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// Ends the session `id` (if any) of the cookie called `name`; returns
    /// the `Set-Cookie` header value that makes the browser drop the cookie.
    ///
    /// # Errors
    /// [`StoreError::Session`] for a name that cannot be a cookie name,
    /// [`StoreError::Backend`] when the backend fails.
    fn destroy(
        &self,
        name: &str,
        id: Option<SessionId>,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// The age in seconds past which `load` refuses a cookie (`None`: no
    /// limit): the idle timeout, which the layer's rolling renewal keeps
    /// pushing back while the session is used.
    fn max_age(&self) -> Option<u64>;

    /// The length of the cookie, `name=value`, that [`save`](Self::save)
    /// would set now for a payload of `payload_len` bytes, when it grows
    /// with the payload (a cookie store; browsers keep at most 4096).
    /// `None`, the default, for a store whose cookie holds only an id.
    fn cookie_len(&self, name: &str, payload_len: usize) -> Option<usize> {
        let _ = (name, payload_len);
        None
    }

    /// True when [`load_now`](Self::load_now),
    /// [`save_now`](Self::save_now) and [`destroy_now`](Self::destroy_now)
    /// always answer (a store without I/O): the layer then never awaits
    /// this store.
    const IMMEDIATE: bool = false;

    /// [`load`](Self::load)'s answer at once, from a store that needs no
    /// I/O for it (the cookie store): the layer then spares itself a boxed
    /// future per request. `None`, the default: await `load`.
    fn load_now(&self, name: &str, value: &str) -> Option<Result<Loaded, StoreError>> {
        let _ = (name, value);
        None
    }

    /// [`save`](Self::save)'s answer at once, as
    /// [`load_now`](Self::load_now); `Err(record)`, the default, hands the
    /// record back to be saved by awaiting `save`.
    ///
    /// # Errors
    /// `Err(record)` when this store must be awaited.
    fn save_now(&self, name: &str, record: Record) -> Result<Result<String, StoreError>, Record> {
        let _ = name;
        Err(record)
    }

    /// [`load_now`](Self::load_now) at `now` (Unix seconds), the time the
    /// layer read once for the whole request: a store that checks ages
    /// with it reads no clock of its own, and every decision of the
    /// request (expiry, rolling renewal, the lifetime cap, the new
    /// cookie's stamp) sees the same second. The default ignores `now`.
    fn load_now_at(&self, name: &str, value: &str, now: u64) -> Option<Result<Loaded, StoreError>> {
        let _ = now;
        self.load_now(name, value)
    }

    /// [`save_now`](Self::save_now) at `now`, as
    /// [`load_now_at`](Self::load_now_at): a cookie store stamps the cookie
    /// with it. The default ignores `now`.
    ///
    /// # Errors
    /// `Err(record)` when this store must be awaited.
    fn save_now_at(
        &self,
        name: &str,
        record: Record,
        now: u64,
    ) -> Result<Result<String, StoreError>, Record> {
        let _ = now;
        self.save_now(name, record)
    }

    /// [`destroy`](Self::destroy)'s answer at once, as
    /// [`load_now`](Self::load_now). `None`, the default: await `destroy`.
    fn destroy_now(&self, name: &str, id: Option<SessionId>) -> Option<Result<String, StoreError>> {
        let _ = (name, id);
        None
    }
}

/// A session as [`SessionStore::load`] found it.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Loaded {
    /// The session's [`kv`](crate::codec::kv) payload, as last saved.
    pub payload: Vec<u8>,
    /// When the cookie was issued (Unix seconds): the codec's timestamp.
    pub issued: u64,
    /// The server-side session id (`None` for cookie stores).
    pub id: Option<SessionId>,
    /// The cookie was sealed with an older key or format: the layer saves
    /// the session again to re-issue it.
    pub outdated: bool,
}

impl Loaded {
    /// A loaded session (the struct is `non_exhaustive`: build it here).
    pub fn new(payload: Vec<u8>, issued: u64, id: Option<SessionId>, outdated: bool) -> Self {
        Loaded {
            payload,
            issued,
            id,
            outdated,
        }
    }
}

impl core::fmt::Debug for Loaded {
    // The payload is plaintext session data: show only its length.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Loaded")
            .field("payload_len", &self.payload.len())
            .field("issued", &self.issued)
            .field("id", &self.id)
            .field("outdated", &self.outdated)
            .finish()
    }
}

/// What [`SessionStore::save`] stores.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Record {
    /// The session's [`kv`](crate::codec::kv) payload (the layer's reserved
    /// entries included). Owned, so that a store can seal or send it
    /// without a copy.
    pub payload: Vec<u8>,
    /// The id [`load`](SessionStore::load) returned, `None` for a new
    /// session.
    pub id: Option<SessionId>,
    /// The handler asked to renew the session (a privilege change, e.g. login): a
    /// server-side store moves the session to a fresh id and deletes the
    /// old one; a cookie store issues a fresh cookie, as on every save.
    pub renew: bool,
}

impl Record {
    /// A record (the struct is `non_exhaustive`: build it here).
    pub fn new(payload: Vec<u8>, id: Option<SessionId>, renew: bool) -> Self {
        Record { payload, id, renew }
    }
}

impl core::fmt::Debug for Record {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Record")
            .field("payload_len", &self.payload.len())
            .field("id", &self.id)
            .field("renew", &self.renew)
            .finish()
    }
}

/// A server-side session id: 16 bytes (128 bits) from the OS CSPRNG.
///
/// It only ever travels sealed by the codec, so the cookie stays
/// unforgeable; `Debug` does not show it (it is a bearer credential).
///
/// ```
/// use securecookie::SessionId;
/// let id = SessionId::random()?;
/// assert_ne!(id, SessionId::random()?);
/// assert_eq!(SessionId::from_bytes(id.as_bytes()), Some(id));
/// assert_eq!(id.to_base64url().len(), 22);
/// assert!(!format!("{id:?}").contains(&id.to_base64url()));
/// # Ok::<(), securecookie::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; SessionId::LEN]);

impl SessionId {
    /// The length of an id in bytes.
    pub const LEN: usize = 16;

    /// A fresh id from the operating system's CSPRNG.
    ///
    /// # Errors
    /// [`Error::Random`].
    pub fn random() -> Result<Self, Error> {
        crate::sessions::os::random_key::<{ SessionId::LEN }>().map(SessionId)
    }

    /// The id in `bytes`, if they are [`LEN`](Self::LEN) long.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(SessionId)
    }

    /// The id's bytes.
    pub fn as_bytes(&self) -> &[u8; SessionId::LEN] {
        &self.0
    }

    /// The id as unpadded base64url (22 characters): for database keys.
    pub fn to_base64url(&self) -> String {
        crate::codec::b64::encode_vec(&self.0)
    }
}

impl core::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SessionId(..)")
    }
}

/// Why a [`SessionStore`] call failed.
///
/// `Debug` writes the same sentence as `Display` (what `main` prints for an
/// error returned through `?`).
#[non_exhaustive]
pub enum StoreError {
    /// The cookie or the session is no good (load: tampered, expired,
    /// unknown id, ...), or cannot be stored (save: too long, destroyed
    /// meanwhile, ...). Never a backend failure.
    Session(Error),
    /// The backend failed (connection lost, timeout, ...): nothing is known
    /// about the session.
    Backend(Box<dyn core::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps a backend's error.
    pub fn backend(e: impl Into<Box<dyn core::error::Error + Send + Sync>>) -> Self {
        StoreError::Backend(e.into())
    }
}

impl From<Error> for StoreError {
    fn from(e: Error) -> Self {
        StoreError::Session(e)
    }
}

impl core::fmt::Display for StoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StoreError::Session(e) => write!(f, "{e}"),
            StoreError::Backend(e) => write!(f, "session store unavailable: {e}"),
        }
    }
}

impl core::fmt::Debug for StoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}

impl core::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            StoreError::Session(e) => Some(e),
            StoreError::Backend(e) => Some(&**e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::string::ToString;

    // What a handler or a log line sees of a session: its shape, never its
    // plaintext payload or its id (a bearer credential).
    // `main` prints an error returned through `?` with `Debug`.
    #[test]
    fn store_error_debug_is_its_sentence() {
        let err = StoreError::Session(Error::UnknownSession);
        assert_eq!(format!("{err:?}"), "no session of that id in the store");
        let err = StoreError::backend("connection refused");
        assert_eq!(
            format!("{err:?}"),
            "session store unavailable: connection refused"
        );
    }

    #[test]
    fn debug_shows_lengths_not_payloads_or_ids() {
        let id = SessionId::from_bytes(&[0x5a; SessionId::LEN]);
        let payload = b"user-id=alice".to_vec();
        let loaded = format!(
            "{:?}",
            Loaded::new(payload.clone(), 1_700_000_000, id, true)
        );
        assert_eq!(
            loaded,
            "Loaded { payload_len: 13, issued: 1700000000, id: Some(SessionId(..)), outdated: true }"
        );
        let record = format!("{:?}", Record::new(payload, id, true));
        assert_eq!(
            record,
            "Record { payload_len: 13, id: Some(SessionId(..)), renew: true }"
        );
    }

    #[test]
    fn store_errors_keep_their_cause() {
        use core::error::Error as _;
        let session = StoreError::from(Error::UnknownSession);
        let cause = session.source().and_then(|e| e.downcast_ref::<Error>());
        assert_eq!(cause, Some(&Error::UnknownSession));
        let backend = StoreError::backend("connection refused");
        assert_eq!(
            backend.to_string(),
            "session store unavailable: connection refused"
        );
        assert_eq!(
            backend.source().map(|e| e.to_string()).as_deref(),
            Some("connection refused")
        );
    }
}
