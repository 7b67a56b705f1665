//! (std) Server-side sessions: the cookie holds a sealed session id, the
//! values live in a database behind a [`SessionBackend`].
//!
//! ```text
//! cookie = compact-envelope(name, kv{ "id": 16 random bytes })   the store's keys
//! record = compact-envelope(base64url(id), kv payload of the values)   sealed at rest
//! key    = prefix || base64url(id)        TTL = the cookie's max age
//! ```
//!
//! - The cookie is checked (MAC, age) before any database round trip: a
//!   forged or garbage cookie costs no query.
//! - Records are sealed with the same keys (MAC always, AES-CTR when the
//!   keys have a block key), under the id as the envelope's name: whoever
//!   can write to the database (a shared Redis, a restored backup) cannot
//!   forge values (`user-id=admin`) nor move a record to another id, and
//!   whoever can read it (RDB/AOF files, replicas) sees no plaintext. The
//!   cost, a few hundred nanoseconds per kilobyte, is noise next to one
//!   network round trip.
//! - Writes say what they expect: a new session is created only if its id
//!   is free (`SET NX`), an existing one is saved only if it still exists
//!   (`SET XX`), so a save never brings back a session destroyed meanwhile.

use core::fmt;
use core::future::Future;
use std::boxed::Box;
use std::string::String;
use std::vec;
use std::vec::Vec;

use crate::codec::{Codec, Codecs, DEFAULT_MAX_AGE, Format, decode_buf_len};
use crate::error::Error;
use crate::iv::Iv;
use crate::keys::Keys;
use crate::payload::PayloadFormat;
use crate::session::Session;
use crate::store::{CookieConfig, CookieStore};
use crate::value::SessionValue;

/// Bytes of randomness in a session id (128 bits).
pub const ID_LEN: usize = 16;

/// The kv key under which the id cookie carries the id.
const ID_KEY: &str = "id";

/// A session id: 128 bits from the operating system's CSPRNG.
///
/// It travels only inside a cookie sealed with the store's keys, so even a
/// list of every id in the database does not let anyone present a session.
/// `Debug` does not show it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId([u8; ID_LEN]);

impl SessionId {
    /// A fresh id from OS randomness.
    ///
    /// # Errors
    /// [`Error::Random`].
    pub fn random() -> Result<Self, Error> {
        crate::random::bytes16().map(SessionId)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; ID_LEN] {
        &self.0
    }

    /// The id as 22 characters of unpadded base64url: the database key's
    /// suffix (and the name the record is sealed under).
    ///
    /// ```
    /// let id = securecookie::SessionId::random()?;
    /// let text = id.to_text();
    /// assert_eq!(text.len(), 22);
    /// assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    pub fn to_text(&self) -> String {
        crate::b64::encode_vec(&self.0)
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId(..)")
    }
}

/// What a backend's failure carries: the driver's own error.
pub type BackendError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How [`SessionBackend::write`] may write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// Only if no record has this id (Redis `SET NX`): a new session.
    Create,
    /// Only if a record has this id (Redis `SET XX`): a save never
    /// resurrects a session destroyed meanwhile.
    Update,
}

/// The database under a [`ServerStore`]: opaque records by session id, each
/// with a time to live, and an index of the sessions of each user.
///
/// Implemented by [`MemoryBackend`](crate::MemoryBackend) and (feature
/// `redis`) `RedisBackend`; implement it for another database. Records are
/// already sealed; a backend stores bytes. Every record and every index
/// entry must expire (or go with its record): nothing may accumulate.
///
/// Each method is one round trip to the database, and atomic.
pub trait SessionBackend: Send + Sync + 'static {
    /// The record of `id`, if it exists and has not expired.
    fn read(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, BackendError>> + Send;

    /// Writes the record of `id` with a TTL of `ttl` seconds, as `mode`
    /// allows; when `user` is given, adds `id` to that user's index (which
    /// must then live at least as long as the record). Returns whether it
    /// wrote.
    fn write(
        &self,
        id: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        mode: WriteMode,
        user: Option<&[u8]>,
    ) -> impl Future<Output = Result<bool, BackendError>> + Send;

    /// Atomically: if `old` exists, deletes it and creates `new` (only if
    /// free) with `record`, indexed under `user` as [`write`](Self::write)
    /// does. Returns false, changing nothing, when `old` is gone.
    fn rename(
        &self,
        old: &SessionId,
        new: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        user: Option<&[u8]>,
    ) -> impl Future<Output = Result<bool, BackendError>> + Send;

    /// Deletes the record of `id` (no error if there is none).
    fn delete(&self, id: &SessionId) -> impl Future<Output = Result<(), BackendError>> + Send;

    /// Atomically deletes every session of `user` and the index; returns how
    /// many sessions it deleted.
    fn delete_user(&self, user: &[u8]) -> impl Future<Output = Result<usize, BackendError>> + Send;
}

/// Why a [`ServerStore`] operation failed.
///
/// The first three mean "no session" to a web server (an empty session, the
/// cookie cleared); [`Backend`](Self::Backend) and [`Full`](Self::Full)
/// mean the server cannot serve sessions right now (a 503).
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerError {
    /// The cookie is missing or did not verify (see [`Error`]); the
    /// database was not asked.
    Cookie(Error),
    /// The cookie verified but its record is gone: expired, destroyed
    /// (revoked), or its user was logged out everywhere.
    Gone,
    /// The record did not open with the store's keys (written with a key
    /// that has since been dropped, or altered in the database), or the
    /// session could not be sealed (a value too long for the kv format,
    /// no OS randomness).
    Codec(Error),
    /// The memory store holds its maximum number of sessions.
    Full {
        /// The bound ([`MemoryBackend::new`](crate::MemoryBackend::new)).
        max: usize,
    },
    /// The database failed: unreachable, timed out, refused the command.
    Backend(BackendError),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Cookie(e) => write!(f, "session cookie refused: {e}"),
            ServerError::Gone => f.write_str("session expired or revoked"),
            ServerError::Codec(e) => write!(f, "session record: {e}"),
            ServerError::Full { max } => write!(f, "session store full ({max} sessions)"),
            ServerError::Backend(e) => write!(f, "session database: {e}"),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Cookie(e) | ServerError::Codec(e) => Some(e),
            ServerError::Backend(e) => Some(&**e),
            _ => None,
        }
    }
}

/// Sessions kept on the server: a sealed id in the cookie, the values in a
/// [`SessionBackend`] (see [`MemoryStore`](crate::MemoryStore) and, feature
/// `redis`, `RedisStore`).
///
/// Round trips to the database: none for a request that never touches the
/// session, nor for a forged, garbage or expired cookie; one to
/// [`load`](Self::load), one to [`save`](Self::save) (create or update),
/// one to [`renew`](Self::renew), one to [`destroy`](Self::destroy), one to
/// [`destroy_user`](Self::destroy_user).
///
/// **Two requests of one session saving at once**: each writes the whole
/// session as it saw it, and the last write wins (no merge: a value set by
/// the other request may be lost, never mixed). Neither write resurrects
/// the session if a third request destroyed it: that one wins over both.
pub struct ServerStore<B, V> {
    /// Seals the id into the cookie, with the cookie's attributes.
    ids: CookieStore<Vec<u8>>,
    /// Seal the records, newest key first.
    records: Vec<Codec>,
    /// Seconds a record lives after its last save.
    ttl: u64,
    /// The session value that names the user, for [`destroy_user`](Self::destroy_user).
    user_key: Option<String>,
    backend: B,
    _values: core::marker::PhantomData<fn() -> V>,
}

impl<B: fmt::Debug, V> fmt::Debug for ServerStore<B, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerStore")
            .field("ids", &self.ids)
            .field("ttl", &self.ttl)
            .field("user_key", &self.user_key)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl<B: SessionBackend, V: SessionValue> ServerStore<B, V> {
    /// A store over `backend`, setting cookies as `config` says and sealing
    /// ids and records with `keys` (newest first; every one opens). Records
    /// live `config.max_age` seconds after their last save (30 days for a
    /// browser-session cookie without `Max-Age`).
    ///
    /// # Errors
    /// As [`CookieStore::new`].
    pub fn with_backend(
        backend: B,
        config: CookieConfig,
        keys: impl IntoIterator<Item = Keys>,
    ) -> Result<Self, Error> {
        let ttl = config.max_age.unwrap_or(DEFAULT_MAX_AGE);
        let ids = CookieStore::new(config, keys)?;
        let records = ids
            .codecs()
            .iter()
            .map(|c| {
                Codec::with_format(c.keys().clone(), Format::Compact)
                    // The database's TTL ends a record; its timestamp is
                    // only the time of the last save. Servers' clocks may
                    // differ: no skew check either.
                    .max_age(0)
                    .max_skew(u64::MAX)
                    .max_length(0)
            })
            .collect();
        Ok(ServerStore {
            ids,
            records,
            ttl,
            user_key: None,
            backend,
            _values: core::marker::PhantomData,
        })
    }

    /// Names the session value that identifies the user (for instance
    /// `"user-id"`): every saved session holding it is indexed under it, so
    /// that [`destroy_user`](Self::destroy_user) can end them all.
    #[must_use]
    pub fn user_key(mut self, key: impl Into<String>) -> Self {
        self.user_key = Some(key.into());
        self
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The cookie attributes.
    pub fn config(&self) -> &CookieConfig {
        self.ids.config()
    }

    /// Seconds a record lives after its last save.
    pub fn ttl(&self) -> u64 {
        self.ttl
    }

    /// The session id sealed in the cookie called `name` of a `Cookie`
    /// header: no database round trip.
    ///
    /// # Errors
    /// [`ServerError::Cookie`] with [`Error::NoCookie`], a decoding error
    /// ([`Error::MacMismatch`], [`Error::Expired`], ...), or
    /// [`Error::Malformed`] for a verified cookie that holds no id (a
    /// `CookieStore` cookie under the same keys and name).
    pub fn id(&self, cookie_header: &str, name: &str) -> Result<SessionId, ServerError> {
        let session = self
            .ids
            .get(cookie_header, name)
            .map_err(ServerError::Cookie)?;
        session
            .get(ID_KEY)
            .and_then(|bytes| <[u8; ID_LEN]>::try_from(bytes.as_slice()).ok())
            .map(SessionId)
            .ok_or(ServerError::Cookie(Error::Malformed))
    }

    /// The session of `id`: one round trip.
    ///
    /// # Errors
    /// [`ServerError::Gone`] (expired, destroyed), [`ServerError::Codec`]
    /// (the record does not open), [`ServerError::Backend`].
    pub async fn load_id(&self, id: &SessionId, name: &str) -> Result<Session<V>, ServerError> {
        let record = self
            .backend
            .read(id)
            .await
            .map_err(ServerError::from)?
            .ok_or(ServerError::Gone)?;
        self.open_record(id, name, &record)
            .map_err(ServerError::Codec)
    }

    /// The session in the cookie called `name` of a `Cookie` header, and its
    /// id: [`id`](Self::id) (no round trip), then [`load_id`](Self::load_id)
    /// (one).
    ///
    /// # Errors
    /// As [`id`](Self::id) and [`load_id`](Self::load_id).
    pub async fn load(
        &self,
        cookie_header: &str,
        name: &str,
    ) -> Result<(SessionId, Session<V>), ServerError> {
        let id = self.id(cookie_header, name)?;
        let session = self.load_id(&id, name).await?;
        Ok((id, session))
    }

    /// Saves `session`: under a fresh id when `id` is `None` (created only
    /// if the id is free), else under `id` only if its record still exists.
    /// Returns the id and the `Set-Cookie` header value (the cookie is
    /// re-issued so that its age follows the record's TTL). One round trip.
    ///
    /// # Errors
    /// [`ServerError::Gone`] when the record of `id` no longer exists
    /// (destroyed or expired meanwhile: nothing is written);
    /// [`ServerError::Codec`], [`ServerError::Full`],
    /// [`ServerError::Backend`].
    pub async fn save(
        &self,
        id: Option<&SessionId>,
        session: &Session<V>,
    ) -> Result<(SessionId, String), ServerError> {
        let user = self.user(session);
        match id {
            Some(id) => {
                let record = self.seal_record(id, session)?;
                let wrote = self
                    .backend
                    .write(id, record, self.ttl, WriteMode::Update, user.as_deref())
                    .await
                    .map_err(ServerError::from)?;
                if !wrote {
                    return Err(ServerError::Gone);
                }
                Ok((id.clone(), self.cookie(id, session.name())?))
            }
            None => self.create(session, user.as_deref()).await,
        }
    }

    /// Moves `session` to a fresh id (session fixation defense, at login):
    /// the record of `old` is deleted and the new one created in one atomic
    /// step, which fails with [`ServerError::Gone`] when `old` was destroyed
    /// meanwhile (a revoked session cannot be renewed back to life). With no
    /// `old`, as [`save`](Self::save) of a new session. One round trip.
    ///
    /// # Errors
    /// As [`save`](Self::save).
    pub async fn renew(
        &self,
        old: Option<&SessionId>,
        session: &Session<V>,
    ) -> Result<(SessionId, String), ServerError> {
        let user = self.user(session);
        let Some(old) = old else {
            return self.create(session, user.as_deref()).await;
        };
        let new = SessionId::random().map_err(ServerError::Codec)?;
        let record = self.seal_record(&new, session)?;
        let renamed = self
            .backend
            .rename(old, &new, record, self.ttl, user.as_deref())
            .await
            .map_err(ServerError::from)?;
        if !renamed {
            return Err(ServerError::Gone);
        }
        let cookie = self.cookie(&new, session.name())?;
        Ok((new, cookie))
    }

    /// Deletes the record of `id`, if any (revocation: a copy of the cookie
    /// stops working at once), and returns the `Set-Cookie` header value
    /// that expires the cookie called `name`. One round trip, none without
    /// an id.
    ///
    /// # Errors
    /// [`ServerError::Cookie`] with [`Error::InvalidName`];
    /// [`ServerError::Backend`].
    pub async fn destroy(&self, id: Option<&SessionId>, name: &str) -> Result<String, ServerError> {
        let expired = self.ids.destroy(name).map_err(ServerError::Cookie)?;
        if let Some(id) = id {
            self.backend.delete(id).await.map_err(ServerError::from)?;
        }
        Ok(expired)
    }

    /// "Log out everywhere": deletes every session whose
    /// [`user_key`](Self::user_key) value was `user` when it was last saved
    /// (for instance after a password change). Returns how many sessions
    /// it ended. One round trip.
    ///
    /// # Errors
    /// [`ServerError::Backend`].
    pub async fn destroy_user<U: SessionValue>(&self, user: &U) -> Result<usize, ServerError> {
        let mut bytes = Vec::new();
        user.write_bytes(&mut bytes);
        self.backend
            .delete_user(&bytes)
            .await
            .map_err(ServerError::from)
    }

    /// A fresh id whose record is created only if free; a collision (which
    /// 128 random bits make as likely as guessing a key) draws again.
    async fn create(
        &self,
        session: &Session<V>,
        user: Option<&[u8]>,
    ) -> Result<(SessionId, String), ServerError> {
        for _ in 0..3 {
            let id = SessionId::random().map_err(ServerError::Codec)?;
            let record = self.seal_record(&id, session)?;
            let created = self
                .backend
                .write(&id, record, self.ttl, WriteMode::Create, user)
                .await
                .map_err(ServerError::from)?;
            if created {
                let cookie = self.cookie(&id, session.name())?;
                return Ok((id, cookie));
            }
        }
        Err(ServerError::Backend(
            "three fresh session ids were all taken: the backend ignores SET NX".into(),
        ))
    }

    /// The user index entry of `session`, if the store names a user key and
    /// the session holds it.
    fn user(&self, session: &Session<V>) -> Option<Vec<u8>> {
        let value = session.get(self.user_key.as_deref()?)?;
        let mut bytes = Vec::new();
        value.write_bytes(&mut bytes);
        Some(bytes)
    }

    /// The `Set-Cookie` header value carrying `id`.
    fn cookie(&self, id: &SessionId, name: &str) -> Result<String, ServerError> {
        let mut carrier = Session::new(name);
        carrier.set(ID_KEY, id.0.to_vec());
        self.ids.save(&carrier).map_err(ServerError::Cookie)
    }

    /// The sealed record of `session` under `id`.
    fn seal_record(&self, id: &SessionId, session: &Session<V>) -> Result<Vec<u8>, ServerError> {
        let codec = &self.records[0];
        let mut payload = Vec::with_capacity(PayloadFormat::Kv.size_hint(session));
        PayloadFormat::Kv
            .write(session, &mut payload)
            .map_err(ServerError::Codec)?;
        let iv = if codec.keys().is_encrypted() {
            Iv::random().map_err(ServerError::Codec)?
        } else {
            Iv::from_random_bytes([0; 16])
        };
        let now = crate::random::now();
        let mut out = vec![0u8; codec.encoded_len(payload.len(), now)];
        let len = codec
            .encode(&id.to_text(), &payload, now, iv, &mut out)
            .map_err(ServerError::Codec)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// Opens a record read back for `id`.
    fn open_record(&self, id: &SessionId, name: &str, record: &[u8]) -> Result<Session<V>, Error> {
        let mut buf = vec![0u8; decode_buf_len(record.len())];
        let decoded = Codecs::prechecked(&self.records).decode(
            &id.to_text(),
            record,
            crate::random::now(),
            &mut buf,
        )?;
        let values = PayloadFormat::Kv.read(decoded.payload)?;
        Ok(Session::from_sorted(name, values))
    }
}

#[cfg(test)]
mod tests;
