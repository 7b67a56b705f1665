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

use crate::codec::iv::Iv;
use crate::codec::keys::Keys;
use crate::codec::{Codec, Codecs, DEFAULT_MAX_AGE, Format, decode_buf_len};
use crate::error::Error;
use crate::sessions::cookie_store::{CookieConfig, CookieStore};
use crate::sessions::store::{Loaded, Record, SessionId, SessionStore, StoreError};

/// The kv key under which the id cookie carries the id (as
/// [`CookieStore::seal_id`] writes it).
const ID_KEY: &str = "id";

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

/// What [`MemoryBackend`](crate::MemoryBackend) reports when it holds its
/// maximum number of sessions (a [`StoreError::Backend`]: the server
/// cannot take a new session now).
#[derive(Debug)]
pub struct StoreFull {
    /// The bound.
    pub max: usize,
}

impl fmt::Display for StoreFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session store full ({} sessions)", self.max)
    }
}

impl std::error::Error for StoreFull {}

/// Sessions kept on the server: a sealed id in the cookie, the values in a
/// [`SessionBackend`] ([`MemoryStore`](crate::MemoryStore) and, feature
/// `redis`, `RedisStore`). It is a [`SessionStore`]: hand it to the
/// session layer as you would a [`CookieStore`].
///
/// Round trips to the database: none for a request that never touches the
/// session, nor for a forged, garbage or expired cookie (the id cookie is
/// verified first); one to load, one to save (create, update or renew),
/// one to destroy, one to [`destroy_user`](Self::destroy_user).
///
/// The TTL of a record is the cookie's `Max-Age` (30 days for a
/// browser-session cookie), counted from its last save; every save also
/// re-issues the id cookie, so both age together. The layer's rolling
/// renewal saves the session once it has used part of its age: that save
/// pushes the TTL back, and a read never needs to.
///
/// **Two requests of one session saving at once**: each writes the whole
/// session as it saw it, and the last write wins (no merge: a value set by
/// the other request may be lost, never mixed with the other's). A
/// request that destroys the session wins over both: a save after it finds
/// no record, writes nothing, and the layer clears the cookie
/// ([`Error::UnknownSession`]).
pub struct ServerStore<B> {
    /// Seals the id into the cookie, with the cookie's attributes.
    ids: CookieStore<Vec<u8>>,
    /// Seal the records, newest key first.
    records: Vec<Codec>,
    /// Seconds a record lives after its last save.
    ttl: u64,
    /// The session entry that names the user, for
    /// [`destroy_user`](Self::destroy_user).
    user_key: Option<String>,
    backend: B,
}

/// Clones share the backend (its connection, or the memory backend's map):
/// a clone in the application's state can [`destroy_user`](Self::destroy_user)
/// while the layer holds the other.
impl<B: Clone> Clone for ServerStore<B> {
    fn clone(&self) -> Self {
        ServerStore {
            ids: self.ids.clone(),
            records: self.records.clone(),
            ttl: self.ttl,
            user_key: self.user_key.clone(),
            backend: self.backend.clone(),
        }
    }
}

impl<B: fmt::Debug> fmt::Debug for ServerStore<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerStore")
            .field("ids", &self.ids)
            .field("ttl", &self.ttl)
            .field("user_key", &self.user_key)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl<B: SessionBackend> ServerStore<B> {
    /// A store over `backend`, setting cookies as `config` says and sealing
    /// ids and records with `keys` (newest first; every one opens).
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
        })
    }

    /// Names the session entry that identifies the user (for instance
    /// `"user-id"`): every saved session holding it is indexed under its
    /// value, so that [`destroy_user`](Self::destroy_user) can end them all.
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

    /// "Log out everywhere": deletes every session whose
    /// [`user_key`](Self::user_key) entry held `user` (its bytes, as the
    /// session stored them: for a `String` value, its UTF-8) when it was
    /// last saved, for instance after a password change. Returns how many
    /// sessions it ended. One round trip.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    pub async fn destroy_user(&self, user: impl AsRef<[u8]>) -> Result<usize, StoreError> {
        self.backend
            .delete_user(user.as_ref())
            .await
            .map_err(StoreError::Backend)
    }

    /// A fresh id whose record is created only if free; a collision (which
    /// 128 random bits make as likely as guessing a key) draws again.
    async fn create(&self, name: &str, payload: &[u8]) -> Result<String, StoreError> {
        let user = self.user(payload);
        for _ in 0..3 {
            let id = SessionId::random()?;
            let record = self.seal_record(&id, payload)?;
            let created = self
                .backend
                .write(&id, record, self.ttl, WriteMode::Create, user)
                .await
                .map_err(StoreError::Backend)?;
            if created {
                return Ok(self.ids.seal_id(name, &id)?);
            }
        }
        Err(StoreError::backend(
            "three fresh session ids were all taken: the backend ignores create-only writes",
        ))
    }

    /// The user index entry of a payload, if the store names a user key and
    /// the payload holds it.
    fn user<'p>(&self, payload: &'p [u8]) -> Option<&'p [u8]> {
        crate::codec::kv::get(payload, self.user_key.as_deref()?)
            .ok()
            .flatten()
    }

    /// The sealed record of `payload` under `id`.
    fn seal_record(&self, id: &SessionId, payload: &[u8]) -> Result<Vec<u8>, Error> {
        let codec = &self.records[0];
        let iv = if codec.keys().is_encrypted() {
            Iv::random()?
        } else {
            Iv::from_random_bytes([0; 16])
        };
        let now = crate::sessions::os::now();
        let mut out = vec![0u8; codec.encoded_len(payload.len(), now)];
        let len = codec
            .encode(&id.to_base64url(), payload, now, iv, &mut out)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// Opens a record read back for `id`: the payload, and whether an older
    /// key sealed it.
    fn open_record(&self, id: &SessionId, record: &[u8]) -> Result<(Vec<u8>, bool), Error> {
        let mut buf = vec![0u8; decode_buf_len(record.len())];
        let decoded = Codecs::prechecked(&self.records).decode(
            &id.to_base64url(),
            record,
            crate::sessions::os::now(),
            &mut buf,
        )?;
        // A record holds a kv payload: refuse one that does not parse here
        // rather than hand it to the layer.
        crate::codec::kv::validate(decoded.payload).map_err(Error::Payload)?;
        Ok((decoded.payload.to_vec(), decoded.index != 0))
    }
}

impl<B: SessionBackend> SessionStore for ServerStore<B> {
    /// Verifies the id cookie (no round trip for a bad one), then reads the
    /// record: one round trip.
    async fn load(&self, name: &str, value: &str) -> Result<Loaded, StoreError> {
        let cookie = self.ids.load_at(name, value, crate::sessions::os::now())?;
        let id = crate::codec::kv::get(&cookie.payload, ID_KEY)
            .map_err(Error::Payload)?
            .and_then(SessionId::from_bytes)
            .ok_or(Error::Payload(crate::KvError::Truncated))?;
        let record = self
            .backend
            .read(&id)
            .await
            .map_err(StoreError::Backend)?
            .ok_or(Error::UnknownSession)?;
        let (payload, old_key) = self.open_record(&id, &record)?;
        Ok(Loaded::new(
            payload,
            cookie.issued,
            Some(id),
            cookie.outdated || old_key,
        ))
    }

    /// Creates (`SET NX`), renews (atomic move to a fresh id) or updates
    /// (`SET XX`): one round trip. A session destroyed meanwhile is
    /// [`Error::UnknownSession`], and nothing is written.
    async fn save(&self, name: &str, record: Record) -> Result<String, StoreError> {
        let Some(old) = record.id else {
            return self.create(name, &record.payload).await;
        };
        let user = self.user(&record.payload);
        let (id, written) = if record.renew {
            let new = SessionId::random()?;
            let sealed = self.seal_record(&new, &record.payload)?;
            let renamed = self.backend.rename(&old, &new, sealed, self.ttl, user);
            (new, renamed.await)
        } else {
            let sealed = self.seal_record(&old, &record.payload)?;
            let mode = WriteMode::Update;
            let wrote = self.backend.write(&old, sealed, self.ttl, mode, user);
            (old, wrote.await)
        };
        if !written.map_err(StoreError::Backend)? {
            return Err(Error::UnknownSession.into());
        }
        Ok(self.ids.seal_id(name, &id)?)
    }

    /// Deletes the record (revocation: a copy of the cookie stops working
    /// at once): one round trip, none without an id.
    async fn destroy(&self, name: &str, id: Option<SessionId>) -> Result<String, StoreError> {
        let expired = self.ids.destroy(name)?;
        if let Some(id) = id {
            self.backend
                .delete(&id)
                .await
                .map_err(StoreError::Backend)?;
        }
        Ok(expired)
    }

    fn max_age(&self) -> Option<u64> {
        Some(self.ttl)
    }
}

#[cfg(test)]
mod tests;
