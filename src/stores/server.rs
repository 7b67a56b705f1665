//! (std) Server-side sessions: the cookie holds a sealed session id, the
//! values live in a database behind a [`SessionBackend`].
//!
//! ```text
//! cookie = compact-envelope(name, kv{ "id": 16 random bytes })   id keys
//! record = compact-envelope(base64url(id), kv payload of the values)   record keys
//!          (MemoryBackend: the kv payload itself, see SEALS_RECORDS)
//! key    = prefix || base64url(id)        TTL = the cookie's max age
//! id keys, record keys, handle key = derived from each of the store's keys
//! ```
//!
//! - Id cookies, records and the handles of a user's sessions list each
//!   have keys of their own, derived from the keys the store is given: a
//!   [`CookieStore`] cookie that holds an `id` entry never opens as an id
//!   cookie (the two stores may share keys and cookie name, as they do
//!   while an app moves from cookie to server sessions), an id cookie never
//!   opens as a cookie session, and a record never passes for either.
//!
//! - The cookie is checked (MAC, age) before any database round trip: a
//!   forged or garbage cookie costs no query.
//! - Records are sealed with the same keys (MAC always, AES-CTR when the
//!   keys have a block key), under the id as the envelope's name (except in
//!   a backend that keeps them in the process's memory, beside the keys:
//!   [`SessionBackend::SEALS_RECORDS`]): whoever
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
use crate::sessions::token;

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

/// What a backend keeps beside a record, in the clear: the user it belongs
/// to (for "log out everywhere" and the sessions list) and a label the app
/// chose to show in that list (a user agent, say).
#[derive(Clone, Copy, Default)]
pub struct Tags<'a> {
    /// The [`user_key`](ServerStore::user_key) entry of the session.
    pub user: Option<&'a [u8]>,
    /// The [`label_key`](ServerStore::label_key) entry of the session.
    pub label: Option<&'a [u8]>,
}

/// Tags name a user: Debug shows whether they are set, not what they hold.
impl fmt::Debug for Tags<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tags")
            .field("user", &self.user.is_some())
            .field("label", &self.label.is_some())
            .finish()
    }
}

/// One live session of a user as a backend lists it (times in Unix
/// seconds). [`ServerStore::sessions`] turns it into a [`UserSession`],
/// which shows a handle in place of the id.
#[derive(Clone, PartialEq, Eq)]
pub struct Listed {
    /// The session's id.
    pub id: SessionId,
    /// When the session was created (kept across renewals).
    pub created: u64,
    /// When it was last saved.
    pub last_seen: u64,
    /// When it expires unless saved again.
    pub expires: u64,
    /// Its label, if the app set one.
    pub label: Option<Vec<u8>>,
}

impl fmt::Debug for Listed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listed")
            .field("created", &self.created)
            .field("last_seen", &self.last_seen)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// How long a renewed session's old id points to its new one (seconds):
/// long enough for every request that loaded the old id to finish, so that
/// a logout racing a renewal still ends the renewed session.
pub const FORWARD_TTL: u64 = 120;

/// The database under a [`ServerStore`]: opaque records by session id, each
/// with a time to live, and an index of the sessions of each user.
///
/// Implemented by [`MemoryBackend`](crate::MemoryBackend), (feature
/// `redis`) `RedisBackend`, (features `sqlite`, `postgres`) the SQL
/// backends; implement it for another database. Records are already
/// sealed; a backend stores bytes. Every record, index entry and forward
/// must expire (or go with its record): nothing may accumulate, and a
/// user's index holds that user's live sessions only.
///
/// Each method is one round trip to the database, and atomic. The shared
/// conformance suite (`tests/store_conformance.rs`) checks every rule
/// below on each backend.
pub trait SessionBackend: Send + Sync + 'static {
    /// Whether the store seals records before they reach this backend
    /// (the default, for any database: see the module docs). A backend in
    /// the process's own memory, beside the keys,
    /// ([`MemoryBackend`](crate::MemoryBackend)) sets it to `false`: there
    /// sealing protects nothing, and it costs an encode per save and a
    /// verify and decrypt per load. Its records are then the `kv` payloads
    /// themselves (checked as such on every load).
    const SEALS_RECORDS: bool = true;

    /// The record of `id`, if it exists and has not expired.
    fn read(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, BackendError>> + Send;

    /// Writes the record of `id` with a TTL of `ttl` seconds, as `mode`
    /// allows, with its `tags` (a created record is listed under
    /// `tags.user`; an updated one keeps its creation time). Returns
    /// whether it wrote.
    fn write(
        &self,
        id: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        mode: WriteMode,
        tags: Tags<'_>,
    ) -> impl Future<Output = Result<bool, BackendError>> + Send;

    /// Atomically: if `old` exists, deletes it, creates `new` (only if
    /// free) with `record` and `tags`, keeping `old`'s creation time, and
    /// leaves `old` pointing to `new` for [`FORWARD_TTL`] seconds (see
    /// [`delete`](Self::delete)). Returns false, changing nothing, when
    /// `old` is gone.
    fn rename(
        &self,
        old: &SessionId,
        new: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        tags: Tags<'_>,
    ) -> impl Future<Output = Result<bool, BackendError>> + Send;

    /// Deletes the record of `id` and its index entry (no error if there
    /// is none), and, following the forwards [`rename`](Self::rename)
    /// left, the sessions it was renewed to: a logout racing a renewal
    /// wins.
    fn delete(&self, id: &SessionId) -> impl Future<Output = Result<(), BackendError>> + Send;

    /// Atomically deletes every session of `user` and the index; returns how
    /// many sessions it deleted.
    fn delete_user(&self, user: &[u8]) -> impl Future<Output = Result<usize, BackendError>> + Send;

    /// The live sessions of `user`, oldest first.
    fn list_user(
        &self,
        user: &[u8],
    ) -> impl Future<Output = Result<Vec<Listed>, BackendError>> + Send;
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
    /// Seals the id into the cookie, with the cookie's attributes (id keys).
    ids: CookieStore<Vec<u8>>,
    /// Seal the records, newest key first (record keys).
    records: Vec<Codec>,
    /// Keys the handles of the sessions list.
    handles: Keys,
    /// Seconds a record lives after its last save.
    ttl: u64,
    /// The session entry that names the user, for
    /// [`destroy_user`](Self::destroy_user) and [`sessions`](Self::sessions).
    user_key: Option<String>,
    /// The session entry shown as the label in [`sessions`](Self::sessions).
    label_key: Option<String>,
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
            handles: self.handles.clone(),
            ttl: self.ttl,
            user_key: self.user_key.clone(),
            label_key: self.label_key.clone(),
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
            .field("label_key", &self.label_key)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// One live session of a user, as [`ServerStore::sessions`] shows it: for
/// a "where you're logged in" page. Times are Unix seconds.
#[derive(Clone, PartialEq, Eq)]
pub struct UserSession {
    /// Names this session for [`ServerStore::revoke`]: a MAC of the id
    /// under a key of its own, so whoever reads the page can neither use
    /// it as a cookie nor find the record with it.
    pub handle: String,
    /// When the session was created (a renewal keeps it).
    pub created: u64,
    /// When it was last saved (the layer saves on a change and on rolling
    /// renewal, not on every read).
    pub last_seen: u64,
    /// When it expires unless saved again.
    pub expires: u64,
    /// The [`label_key`](ServerStore::label_key) entry, if any (lossy UTF-8).
    pub label: Option<String>,
}

impl fmt::Debug for UserSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserSession")
            .field("created", &self.created)
            .field("last_seen", &self.last_seen)
            .field("expires", &self.expires)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// Keys of their own for one use, derived from `keys` with `label`: the
/// tag input of the compact envelope after its key-pair prefix starts with
/// a name length (at most 1024), never `0xFFFF`, so no cookie's tag is a
/// derived key.
fn derive(keys: &Keys, label: &[u8]) -> Result<Keys, Error> {
    let part = |n: u8| {
        let mut mac = keys.compact_mac();
        mac.update(&[0xFF, 0xFF]);
        mac.update(b"securecookie derived keys v1 ");
        mac.update(label);
        mac.update(&[n]);
        mac.finalize()
    };
    let mut hash = part(1);
    let mut block = keys.is_encrypted().then(|| part(2));
    let derived = Keys::new(&hash, block.as_ref().map(|b| &b[..]));
    hash.fill(0);
    if let Some(b) = &mut block {
        b.fill(0);
    }
    core::hint::black_box((&hash, &block));
    derived
}

impl<B: SessionBackend> ServerStore<B> {
    /// A store over `backend`, setting cookies as `config` says and sealing
    /// ids and records with keys derived from `keys` (newest first; every
    /// one opens).
    ///
    /// # Errors
    /// As [`CookieStore::new`].
    pub fn with_backend(
        backend: B,
        config: CookieConfig,
        keys: impl IntoIterator<Item = Keys>,
    ) -> Result<Self, Error> {
        let keys: Vec<Keys> = keys.into_iter().collect();
        let ttl = config.max_age.unwrap_or(DEFAULT_MAX_AGE);
        let id_keys = keys
            .iter()
            .map(|k| derive(k, b"id cookie"))
            .collect::<Result<Vec<_>, _>>()?;
        let ids = CookieStore::new(config, id_keys)?;
        let records = keys
            .iter()
            .map(|k| {
                Ok(Codec::with_format(derive(k, b"record")?, Format::Compact)
                    // The database's TTL ends a record; its timestamp is
                    // only the time of the last save. Servers' clocks may
                    // differ: no skew check either.
                    .max_age(0)
                    .max_skew(u64::MAX)
                    .max_length(0))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let handles = derive(&keys[0], b"session handle")?;
        Ok(ServerStore {
            ids,
            records,
            handles,
            ttl,
            user_key: None,
            label_key: None,
            backend,
        })
    }

    /// Names the session entry that identifies the user (for instance
    /// `"user-id"`): every saved session holding it is indexed under its
    /// value, so that [`destroy_user`](Self::destroy_user) can end them all
    /// and [`sessions`](Self::sessions) can list them.
    #[must_use]
    pub fn user_key(mut self, key: impl Into<String>) -> Self {
        self.user_key = Some(key.into());
        self
    }

    /// Names the session entry shown as the label of a session in
    /// [`sessions`](Self::sessions) (for instance `"user-agent"`, set by
    /// the app at login). The backend keeps it in the clear.
    #[must_use]
    pub fn label_key(mut self, key: impl Into<String>) -> Self {
        self.label_key = Some(key.into());
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

    /// The live sessions of `user` (as [`destroy_user`](Self::destroy_user)
    /// names users), oldest first, each with a handle for
    /// [`revoke`](Self::revoke). One round trip.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    pub async fn sessions(&self, user: impl AsRef<[u8]>) -> Result<Vec<UserSession>, StoreError> {
        let listed = self
            .backend
            .list_user(user.as_ref())
            .await
            .map_err(StoreError::Backend)?;
        Ok(listed
            .into_iter()
            .map(|l| UserSession {
                handle: self.handle(&l.id),
                created: l.created,
                last_seen: l.last_seen,
                expires: l.expires,
                label: l.label.map(|b| String::from_utf8_lossy(&b).into_owned()),
            })
            .collect())
    }

    /// Ends the session of `user` whose [`UserSession::handle`] is
    /// `handle` ("log out this one"); false when `user` has no such live
    /// session (a handle of another user's session ends nothing). Two
    /// round trips: the list, then the delete.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    pub async fn revoke(&self, user: impl AsRef<[u8]>, handle: &str) -> Result<bool, StoreError> {
        let listed = self
            .backend
            .list_user(user.as_ref())
            .await
            .map_err(StoreError::Backend)?;
        let mut found = None;
        for l in &listed {
            // Every handle compared in full: the time says nothing of which.
            if token::eq(self.handle(&l.id).as_bytes(), handle.as_bytes()) {
                found = Some(l.id);
            }
        }
        let Some(id) = found else { return Ok(false) };
        self.backend
            .delete(&id)
            .await
            .map_err(StoreError::Backend)?;
        Ok(true)
    }

    /// The handle of the session whose id cookie `name` has the value
    /// `value` (to mark "this device" in the list), or `None` for a bad
    /// cookie. No round trip.
    pub fn handle_of_cookie(&self, name: &str, value: &str) -> Option<String> {
        let (id, _) = self.ids.load_id(name, value).ok()?;
        Some(self.handle(&id))
    }

    /// A session's handle: 128 bits of a MAC of its id under the handle
    /// key, base64url.
    fn handle(&self, id: &SessionId) -> String {
        let mut mac = self.handles.compact_mac();
        mac.update(&[0xFF, 0xFF]);
        mac.update(b"session handle v1 ");
        mac.update(id.as_bytes());
        crate::codec::b64::encode_vec(&mac.finalize()[..16])
    }

    /// A fresh id whose record is created only if free; a collision (which
    /// 128 random bits make as likely as guessing a key) draws again.
    async fn create(&self, name: &str, payload: &[u8]) -> Result<String, StoreError> {
        let tags = self.tags(payload);
        for _ in 0..3 {
            let id = SessionId::random()?;
            let record = self.seal_record(&id, payload)?;
            let created = self
                .backend
                .write(&id, record, self.ttl, WriteMode::Create, tags)
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

    /// The tags of a payload: the entries the store names as user and label.
    fn tags<'p>(&self, payload: &'p [u8]) -> Tags<'p> {
        let entry = |key: &Option<String>| {
            crate::codec::kv::get(payload, key.as_deref()?)
                .ok()
                .flatten()
        };
        Tags {
            user: entry(&self.user_key),
            label: entry(&self.label_key),
        }
    }

    /// The sealed record of `payload` under `id` (the payload itself for a
    /// backend that does not want records sealed).
    fn seal_record(&self, id: &SessionId, payload: &[u8]) -> Result<Vec<u8>, Error> {
        if !B::SEALS_RECORDS {
            return Ok(payload.to_vec());
        }
        let codec = &self.records[0];
        let iv = if codec.keys().is_encrypted() {
            Iv::random()?
        } else {
            Iv::from_random_bytes([0; 16])
        };
        let now = crate::sessions::os::now();
        let mut out = vec![0u8; codec.encoded_len(payload.len(), now)];
        let len = codec
            .encode_bytes(&id.to_base64url(), payload, now, iv, &mut out)?
            .len();
        out.truncate(len);
        Ok(out)
    }

    /// Opens a record read back for `id`: the payload, and whether an older
    /// key sealed it.
    fn open_record(&self, id: &SessionId, record: Vec<u8>) -> Result<(Vec<u8>, bool), Error> {
        if !B::SEALS_RECORDS {
            crate::codec::kv::validate(&record).map_err(Error::Payload)?;
            return Ok((record, false));
        }
        let mut buf = vec![0u8; decode_buf_len(record.len())];
        let decoded = Codecs::prechecked(&self.records).decode(
            &id.to_base64url(),
            &record,
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
        let (payload, old_key) = self.open_record(&id, record)?;
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
        let tags = self.tags(&record.payload);
        let (id, written) = if record.renew {
            let new = SessionId::random()?;
            let sealed = self.seal_record(&new, &record.payload)?;
            let renamed = self.backend.rename(&old, &new, sealed, self.ttl, tags);
            (new, renamed.await)
        } else {
            let sealed = self.seal_record(&old, &record.payload)?;
            let mode = WriteMode::Update;
            let wrote = self.backend.write(&old, sealed, self.ttl, mode, tags);
            (old, wrote.await)
        };
        if !written.map_err(StoreError::Backend)? {
            return Err(Error::UnknownSession.into());
        }
        Ok(self.ids.seal_id(name, &id)?)
    }

    /// Deletes the record (revocation: a copy of the cookie stops working
    /// at once), and the session it was renewed to if a renewal raced this
    /// destroy: one round trip, none without an id.
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
