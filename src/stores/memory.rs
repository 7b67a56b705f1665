//! (std) [`MemoryBackend`]: server-side sessions in this process's memory.

use std::boxed::Box;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use std::vec::Vec;

use crate::codec::keys::Keys;
use crate::error::Error;
use crate::sessions::cookie_store::CookieConfig;
use crate::sessions::store::SessionId;
use crate::stores::server::{
    BackendError, FORWARD_TTL, Listed, ServerStore, SessionBackend, StoreFull, Tags, WriteMode,
};

const ID_LEN: usize = SessionId::LEN;

/// Server-side sessions kept in this process: for tests and single-process
/// servers. Revocation, renewal and "log out everywhere" work as with Redis;
/// sessions die with the process. A [`SessionStore`](crate::SessionStore):
/// give it to the session layer.
///
/// ```
/// use securecookie::{CookieConfig, Error, Keys, MemoryStore, Record, SessionStore, StoreError, kv};
///
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     // The memory store never waits: one poll finishes each future.
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     match f.as_mut().poll(&mut cx) { std::task::Poll::Ready(v) => v, _ => unreachable!() }
/// # }
/// # block_on(async {
/// let store = MemoryStore::new(
///     CookieConfig::default(),
///     [Keys::new(&[7; 32], Some(&[9; 32]))?],
///     100_000, // sessions at most (half for visitors without a user): then new ones are refused
/// )?
/// .user_key("user-id");
///
/// // What the session layer does at login, and on the next request:
/// let payload = kv::to_vec::<32>([("user-id", &b"a1b2c3"[..])])?.to_vec();
/// let set_cookie = store.save("my-app", Record::new(payload.clone(), None, false)).await?;
/// let value = set_cookie.split(';').next().unwrap().strip_prefix("my-app=").unwrap();
/// let loaded = store.load("my-app", value).await?;
/// assert_eq!(loaded.payload, payload); // the value stayed here; the cookie holds an id
///
/// // Revocation: after destroy, the same cookie finds nothing.
/// store.destroy("my-app", loaded.id).await?;
/// assert!(matches!(store.load("my-app", value).await, Err(StoreError::Session(Error::UnknownSession))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type MemoryStore = ServerStore<MemoryBackend>;

impl ServerStore<MemoryBackend> {
    /// A memory store holding at most `max_sessions` live sessions; see
    /// [`ServerStore::with_backend`] and [`MemoryBackend::new`].
    ///
    /// # Errors
    /// As [`CookieStore::new`](crate::CookieStore::new).
    pub fn new(
        config: CookieConfig,
        keys: impl IntoIterator<Item = Keys>,
        max_sessions: usize,
    ) -> Result<Self, Error> {
        ServerStore::with_backend(MemoryBackend::new(max_sessions), config, keys)
    }
}

/// The [`SessionBackend`] of [`MemoryStore`]: a map under one mutex, with
/// expiry and a bound on the number of sessions.
///
/// **Room is kept for logins.** Sessions that carry no user (a visitor's
/// cart or flash message) may take half of the bound; past that, new
/// anonymous sessions are refused ([`StoreFull`]) while sessions that carry
/// a user (a login, which the layer saves with its user entry) may use the
/// whole bound. So a flood of anonymous visits cannot lock users out. When
/// even that is full, new sessions are refused; existing sessions keep
/// working. Evicting instead would log out a user the server never told,
/// the kind of silent loss this crate refuses; a refused save is reported
/// (the web layer answers 503) and the bound is the operator's to raise.
///
/// Expired sessions are dropped when read and, oldest first, on every
/// write: the map never holds more than the bound. Each user
/// index entry goes with its session; the forwards of renewed sessions
/// ([`FORWARD_TTL`]) are bounded the same way.
///
/// Clones share the sessions.
#[derive(Clone, Debug)]
pub struct MemoryBackend {
    max: usize,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    records: HashMap<[u8; ID_LEN], Entry>,
    /// Every record, by expiry: the expired ones are at the front.
    by_expiry: BTreeSet<(Instant, [u8; ID_LEN])>,
    users: HashMap<Vec<u8>, HashSet<[u8; ID_LEN]>>,
    /// Sessions without a user.
    anonymous: usize,
    /// Renewed ids and where they went, until [`FORWARD_TTL`].
    forwards: HashMap<[u8; ID_LEN], [u8; ID_LEN]>,
    /// The forwards, oldest first (they all live as long).
    forward_order: VecDeque<(Instant, [u8; ID_LEN])>,
}

#[derive(Debug)]
struct Entry {
    record: Vec<u8>,
    expires: Instant,
    user: Option<Vec<u8>>,
    label: Option<Vec<u8>>,
    created: u64,
    saved: u64,
    ttl: u64,
}

impl MemoryBackend {
    /// An empty backend for at most `max_sessions` live sessions, of which
    /// at most half without a user.
    pub fn new(max_sessions: usize) -> Self {
        MemoryBackend {
            max: max_sessions,
            inner: Arc::new(Mutex::new(Inner::default())),
        }
    }

    /// The number of sessions held, expired ones included until they are
    /// dropped.
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// True when no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of users with an index.
    pub fn users(&self) -> usize {
        self.lock().users.len()
    }

    /// The number of sessions in `user`'s index.
    pub fn indexed(&self, user: &[u8]) -> usize {
        self.lock().users.get(user).map_or(0, HashSet::len)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every mutation below leaves the maps consistent before anything
        // can panic, so a poisoned lock holds good data.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    fn remove(&mut self, id: &[u8; ID_LEN]) -> Option<Entry> {
        let entry = self.records.remove(id)?;
        self.by_expiry.remove(&(entry.expires, *id));
        match &entry.user {
            Some(user) => {
                if let Some(ids) = self.users.get_mut(user) {
                    ids.remove(id);
                    if ids.is_empty() {
                        self.users.remove(user);
                    }
                }
            }
            None => self.anonymous -= 1,
        }
        Some(entry)
    }

    fn drop_expired(&mut self, now: Instant) {
        while let Some(&(expires, id)) = self.by_expiry.first() {
            if expires > now {
                break;
            }
            self.remove(&id);
        }
        while let Some(&(expires, id)) = self.forward_order.front() {
            if expires > now {
                break;
            }
            self.forward_order.pop_front();
            self.forwards.remove(&id);
        }
    }

    /// The live entry of `id`, dropping it if expired.
    fn live(&mut self, id: &[u8; ID_LEN], now: Instant) -> Option<&Entry> {
        if self.records.get(id).is_some_and(|e| e.expires <= now) {
            self.remove(id);
        }
        self.records.get(id)
    }

    fn insert(
        &mut self,
        id: [u8; ID_LEN],
        record: Vec<u8>,
        ttl: u64,
        tags: Tags<'_>,
        created: Option<u64>,
    ) {
        let now = Instant::now();
        let expires = now
            .checked_add(Duration::from_secs(ttl))
            .unwrap_or(now + Duration::from_secs(u32::MAX.into()));
        let saved = crate::sessions::os::now();
        let created = created
            .or_else(|| self.records.get(&id).map(|e| e.created))
            .unwrap_or(saved);
        self.remove(&id);
        self.by_expiry.insert((expires, id));
        let user = tags.user.map(<[u8]>::to_vec);
        match &user {
            Some(user) => {
                self.users.entry(user.clone()).or_default().insert(id);
            }
            None => self.anonymous += 1,
        }
        self.records.insert(
            id,
            Entry {
                record,
                expires,
                user,
                label: tags.label.map(<[u8]>::to_vec),
                created,
                saved,
                ttl,
            },
        );
    }
}

impl SessionBackend for MemoryBackend {
    // The records live in this process, beside the keys that would seal
    // them: sealing would protect nothing and cost a seal per save and a
    // verify and decrypt per load.
    const SEALS_RECORDS: bool = false;

    async fn read(&self, id: &SessionId) -> Result<Option<Vec<u8>>, BackendError> {
        let mut inner = self.lock();
        Ok(inner
            .live(id.as_bytes(), Instant::now())
            .map(|e| e.record.clone()))
    }

    async fn write(
        &self,
        id: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        mode: WriteMode,
        tags: Tags<'_>,
    ) -> Result<bool, BackendError> {
        let mut inner = self.lock();
        let now = Instant::now();
        inner.drop_expired(now);
        let exists = inner.live(id.as_bytes(), now).is_some();
        match mode {
            WriteMode::Create if exists => return Ok(false),
            WriteMode::Update if !exists => return Ok(false),
            WriteMode::Create => {
                // Half the room for anonymous sessions, all of it for logins.
                let full = inner.records.len() >= self.max
                    || (tags.user.is_none() && inner.anonymous >= self.max / 2);
                if full {
                    return Err(Box::new(StoreFull { max: self.max }));
                }
            }
            WriteMode::Update => {}
        }
        inner.insert(*id.as_bytes(), record, ttl, tags, None);
        Ok(true)
    }

    async fn rename(
        &self,
        old: &SessionId,
        new: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        tags: Tags<'_>,
    ) -> Result<bool, BackendError> {
        let mut inner = self.lock();
        let now = Instant::now();
        if inner.live(old.as_bytes(), now).is_none() || inner.live(new.as_bytes(), now).is_some() {
            return Ok(false);
        }
        inner.drop_expired(now);
        let created = inner.remove(old.as_bytes()).map(|e| e.created);
        inner.insert(*new.as_bytes(), record, ttl, tags, created);
        // The forwards are bounded by the sessions: the oldest goes first.
        if inner.forward_order.len() >= self.max.max(1)
            && let Some((_, oldest)) = inner.forward_order.pop_front()
        {
            inner.forwards.remove(&oldest);
        }
        let until = now + Duration::from_secs(FORWARD_TTL);
        inner.forwards.insert(*old.as_bytes(), *new.as_bytes());
        inner.forward_order.push_back((until, *old.as_bytes()));
        Ok(true)
    }

    async fn delete(&self, id: &SessionId) -> Result<(), BackendError> {
        let mut inner = self.lock();
        inner.drop_expired(Instant::now());
        let mut next = Some(*id.as_bytes());
        // Each hop is a renewal within FORWARD_TTL: a few at most.
        for _ in 0..MAX_HOPS {
            let Some(id) = next else { break };
            inner.remove(&id);
            next = inner.forwards.get(&id).copied();
        }
        Ok(())
    }

    async fn delete_user(&self, user: &[u8]) -> Result<usize, BackendError> {
        let mut inner = self.lock();
        let ids = inner.users.remove(user).unwrap_or_default();
        for id in &ids {
            if let Some(entry) = inner.records.remove(id) {
                inner.by_expiry.remove(&(entry.expires, *id));
            }
        }
        Ok(ids.len())
    }

    async fn list_user(&self, user: &[u8]) -> Result<Vec<Listed>, BackendError> {
        let mut inner = self.lock();
        inner.drop_expired(Instant::now());
        let mut out: Vec<Listed> = inner
            .users
            .get(user)
            .into_iter()
            .flatten()
            .filter_map(|id| {
                let e = inner.records.get(id)?;
                Some(Listed {
                    id: SessionId::from_bytes(id)?,
                    created: e.created,
                    last_seen: e.saved,
                    expires: e.saved.saturating_add(e.ttl),
                    label: e.label.clone(),
                })
            })
            .collect();
        out.sort_by_key(|l| (l.created, l.last_seen));
        Ok(out)
    }
}

/// How many renewals [`SessionBackend::delete`] follows: more than one
/// client can make within [`FORWARD_TTL`] short of a loop.
pub(crate) const MAX_HOPS: usize = 16;
