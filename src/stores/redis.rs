//! (feature `redis`) [`RedisBackend`]: server-side sessions in Redis or
//! Valkey, through the `redis` crate's reconnecting
//! [`ConnectionManager`].

use std::string::String;
use std::time::Duration;
use std::vec::Vec;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, Cmd, Script, ScriptInvocation};

use crate::codec::keys::Keys;
use crate::sessions::cookie_store::CookieConfig;
use crate::sessions::store::{SessionId, StoreError};
use crate::stores::memory::MAX_HOPS;
use crate::stores::server::{
    BackendError, FORWARD_TTL, Listed, ServerStore, SessionBackend, Tags, WriteMode,
};

/// Server-side sessions in Redis (or Valkey): see [`ServerStore`] for the
/// model and [`RedisBackend`] for the keys and commands.
///
/// ```no_run
/// use securecookie::{CookieConfig, Keys, RedisStore};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let store = RedisStore::open(
///     "redis://127.0.0.1:6379",
///     CookieConfig::default(),
///     [Keys::new(&[7; 32], Some(&[9; 32]))?],
/// )
/// .await?
/// .user_key("user-id"); // for store.destroy_user(..): log out everywhere
/// # Ok(()) }
/// ```
pub type RedisStore = ServerStore<RedisBackend>;

impl ServerStore<RedisBackend> {
    /// Connects to the Redis (or Valkey) server at `url` (any URL the
    /// `redis` crate takes: `redis://`, `rediss://`, `redis+unix://`) with
    /// [`RedisBackend::connect`], keys prefixed `session:`.
    ///
    /// # Errors
    /// [`StoreError::Session`] for keys or a config that
    /// [`CookieStore::new`](crate::CookieStore::new) refuses;
    /// [`StoreError::Backend`] when the URL is bad or the server cannot be
    /// reached now.
    pub async fn open(
        url: &str,
        config: CookieConfig,
        keys: impl IntoIterator<Item = Keys>,
    ) -> Result<Self, StoreError> {
        let backend = RedisBackend::connect(url, DEFAULT_PREFIX)
            .await
            .map_err(StoreError::Backend)?;
        Ok(ServerStore::with_backend(backend, config, keys)?)
    }
}

/// The key prefix of [`RedisStore::open`].
pub const DEFAULT_PREFIX: &str = "session:";

/// The [`SessionBackend`] of [`RedisStore`].
///
/// Keys: `prefix || base64url(id)` for a session (a hash, with a TTL:
/// `r` the sealed record, `c` created, `s` last saved, `u` base64url of
/// the user, `l` the label), `prefix || "user:" || base64url(user)` for a
/// user's index (a sorted set of ids scored by expiry, trimmed of expired
/// ids on every write to it and expiring with its last session). Base64url
/// has no `:`, so the two never collide. A renewed session's old key is
/// left for [`FORWARD_TTL`] seconds as `{f: new id}`, which `delete`
/// follows.
///
/// | operation | commands (one round trip each) |
/// | --- | --- |
/// | read | `HGET key r` |
/// | create, save | a script: `HSET` + `EXPIRE` if the key is free (create) or holds a record (save); with a user, `ZADD` to the index and `ZREMRANGEBYSCORE` of its expired ids |
/// | renew | a script: the old key becomes a forward (stop if it held no record), the new key as create, the index moved |
/// | destroy | a script: `DEL` the key and its index entry, then the same for each forward |
/// | log out everywhere | a script: `DEL` of each session in the index and of the index |
/// | sessions of a user | a script: the live ids of the index and `HMGET` of each |
///
/// Scripts run as `EVALSHA` (after a server restart, the first call of each
/// also loads it). They make each operation atomic: a session being
/// renewed while its user is logged out everywhere is either renewed and
/// then deleted, or not renewed; a logout racing a renewal ends both ids.
///
/// **Valkey** speaks the same commands and scripts: nothing changes.
///
/// **Redis Cluster is not supported yet**, and exactly why:
/// - [`RedisBackend`] holds a single-node [`ConnectionManager`]; a cluster
///   needs the `redis` crate's `cluster-async` connection, which routes
///   each key to its shard. Not built here (untested: no `.ci` cluster yet).
/// - Every script touches several keys (a session, the user's index, the
///   renewed id, the forward), and some it finds at run time without
///   declaring them (`delete` follows forwards, "log out everywhere" reads
///   the ids from the index): Cluster runs a script only when all its keys
///   are in one hash slot, and only declared keys are routed.
/// - A prefix with a hash tag (`{sessions}:`) would put every key in one
///   slot, so the scripts would run, but all sessions would live on one
///   shard: no spreading. Spreading them would need the cookie to carry
///   the user's slot (a per-user hash tag in the session key), so that a
///   session, its forward and its user's index share a slot.
///
/// **Why a `ConnectionManager`, not a pool**: it multiplexes every request
/// over one connection (pipelining concurrent commands) and reconnects in
/// the background after a failure. Measured on loopback (see the README),
/// it matches a pool of several such connections: Redis runs commands on
/// one thread, and one connection already keeps it busy.
#[derive(Clone)]
pub struct RedisBackend {
    conn: ConnectionManager,
    prefix: String,
    scripts: std::sync::Arc<Scripts>,
}

struct Scripts {
    write: Script,
    rename: Script,
    delete: Script,
    delete_user: Script,
    list_user: Script,
}

impl core::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// Sets a session's fields and TTL and indexes it. Shared by WRITE and
/// RENAME: `a` = record, ttl, id, now, user (base64url, '' for none),
/// label ('' for none).
const SET_SESSION: &str = r"
local function set_session(key, index, a, created)
  local ttl, now = tonumber(a[2]), tonumber(a[4])
  redis.call('HSET', key, 'r', a[1], 's', now, 'c', created)
  if a[5] ~= '' then redis.call('HSET', key, 'u', a[5]) else redis.call('HDEL', key, 'u') end
  if a[6] ~= '' then redis.call('HSET', key, 'l', a[6]) else redis.call('HDEL', key, 'l') end
  redis.call('EXPIRE', key, ttl)
  if index then
    redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
    redis.call('ZADD', index, now + ttl, a[3])
    local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
    redis.call('EXPIREAT', index, last[2])
  end
end
";

/// KEYS = record[, index]; ARGV = SET_SESSION's, NX|XX, prefix.
const WRITE: &str = r"
local key, created = KEYS[1], ARGV[4]
if ARGV[7] == 'NX' then
  if redis.call('EXISTS', key) == 1 then return 0 end
else
  local old = redis.call('HMGET', key, 'r', 'u', 'c')
  if not old[1] then return 0 end
  created = old[3] or created
  if old[2] and old[2] ~= ARGV[5] then
    redis.call('ZREM', ARGV[8] .. 'user:' .. old[2], ARGV[3])
  end
end
set_session(key, KEYS[2], ARGV, created)
return 1
";

/// KEYS = old, new[, index]; ARGV = SET_SESSION's (for new), old id,
/// prefix, forward TTL.
const RENAME: &str = r"
local old = redis.call('HMGET', KEYS[1], 'r', 'u', 'c')
if not old[1] or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'f', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[9])
if old[2] then redis.call('ZREM', ARGV[8] .. 'user:' .. old[2], ARGV[7]) end
set_session(KEYS[2], KEYS[3], ARGV, old[3] or ARGV[4])
return 1
";

/// KEYS = record; ARGV = prefix, hops. Forwarded keys are found, not
/// declared: one slot in Cluster (see the type's docs).
const DELETE: &str = r"
local key = KEYS[1]
for _ = 1, tonumber(ARGV[2]) do
  local f = redis.call('HMGET', key, 'u', 'f')
  if f[1] then redis.call('ZREM', ARGV[1] .. 'user:' .. f[1], string.sub(key, #ARGV[1] + 1)) end
  redis.call('DEL', key)
  if not f[2] then break end
  key = ARGV[1] .. f[2]
end
return 1
";

/// KEYS = index; ARGV = prefix. The session keys are read from the index,
/// so they cannot be declared: one slot in Cluster (see the type's docs).
const DELETE_USER: &str = r"
local ended = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  ended = ended + redis.call('DEL', ARGV[1] .. id)
end
redis.call('DEL', KEYS[1])
return ended
";

/// KEYS = index; ARGV = prefix, now. Returns id, created, saved, expires,
/// label ('' for none) for each live session.
const LIST_USER: &str = r"
local out = {}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf', 'WITHSCORES')
for i = 1, #ids, 2 do
  local m = redis.call('HMGET', ARGV[1] .. ids[i], 'c', 's', 'l')
  if m[1] then
    for _, v in ipairs({ids[i], m[1], m[2], ids[i + 1], m[3] or ''}) do table.insert(out, v) end
  end
end
return out
";

impl RedisBackend {
    /// Connects to `url` with a [`ConnectionManager`] tuned to fail fast
    /// while the server is down (the web layer answers 503 rather than
    /// hold the request): 1 s to connect, 500 ms per command (the `redis`
    /// crate's defaults), two reconnection attempts per failure (its
    /// default is six, up to seconds of waiting) before the next command
    /// tries again.
    ///
    /// # Errors
    /// A bad URL, or a server that cannot be reached now.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, BackendError> {
        let client = Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self::with_connection(conn, prefix))
    }

    /// A backend on a connection you configured yourself.
    pub fn with_connection(conn: ConnectionManager, prefix: &str) -> Self {
        let with_set = |body: &str| Script::new(&std::format!("{SET_SESSION}{body}"));
        RedisBackend {
            conn,
            prefix: String::from(prefix),
            scripts: std::sync::Arc::new(Scripts {
                write: with_set(WRITE),
                rename: with_set(RENAME),
                delete: Script::new(DELETE),
                delete_user: Script::new(DELETE_USER),
                list_user: Script::new(LIST_USER),
            }),
        }
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The key of `id`'s record.
    pub fn key(&self, id: &SessionId) -> String {
        let mut key = self.prefix.clone();
        key.push_str(&id.to_base64url());
        key
    }

    /// The key of `user`'s index.
    pub fn user_index_key(&self, user: &[u8]) -> String {
        let mut key = self.prefix.clone();
        key.push_str("user:");
        key.push_str(&crate::codec::b64::encode_vec(user));
        key
    }

    /// Adds SET_SESSION's arguments to `invocation`.
    fn session_args(
        invocation: &mut ScriptInvocation<'_>,
        record: Vec<u8>,
        ttl: u64,
        id: &SessionId,
        tags: Tags<'_>,
    ) {
        invocation
            .arg(record)
            .arg(ttl)
            .arg(id.to_base64url())
            .arg(crate::sessions::os::now())
            .arg(
                tags.user
                    .map(crate::codec::b64::encode_vec)
                    .unwrap_or_default(),
            )
            .arg(tags.label.unwrap_or_default());
    }
}

impl SessionBackend for RedisBackend {
    async fn read(&self, id: &SessionId) -> Result<Option<Vec<u8>>, BackendError> {
        let mut conn = self.conn.clone();
        Ok(Cmd::hget(self.key(id), "r").query_async(&mut conn).await?)
    }

    async fn write(
        &self,
        id: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        mode: WriteMode,
        tags: Tags<'_>,
    ) -> Result<bool, BackendError> {
        let mut conn = self.conn.clone();
        let condition = match mode {
            WriteMode::Create => "NX",
            WriteMode::Update => "XX",
        };
        let mut invocation = self.scripts.write.key(self.key(id));
        if let Some(user) = tags.user {
            invocation.key(self.user_index_key(user));
        }
        Self::session_args(&mut invocation, record, ttl, id, tags);
        let wrote: i64 = invocation
            .arg(condition)
            .arg(&self.prefix)
            .invoke_async(&mut conn)
            .await?;
        Ok(wrote == 1)
    }

    async fn rename(
        &self,
        old: &SessionId,
        new: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        tags: Tags<'_>,
    ) -> Result<bool, BackendError> {
        let mut conn = self.conn.clone();
        let mut invocation = self.scripts.rename.key(self.key(old));
        invocation.key(self.key(new));
        if let Some(user) = tags.user {
            invocation.key(self.user_index_key(user));
        }
        Self::session_args(&mut invocation, record, ttl, new, tags);
        let renamed: i64 = invocation
            .arg(old.to_base64url())
            .arg(&self.prefix)
            .arg(FORWARD_TTL)
            .invoke_async(&mut conn)
            .await?;
        Ok(renamed == 1)
    }

    async fn delete(&self, id: &SessionId) -> Result<(), BackendError> {
        let mut conn = self.conn.clone();
        let _: i64 = self
            .scripts
            .delete
            .key(self.key(id))
            .arg(&self.prefix)
            .arg(MAX_HOPS)
            .invoke_async(&mut conn)
            .await?;
        Ok(())
    }

    async fn delete_user(&self, user: &[u8]) -> Result<usize, BackendError> {
        let mut conn = self.conn.clone();
        let deleted: usize = self
            .scripts
            .delete_user
            .key(self.user_index_key(user))
            .arg(&self.prefix)
            .invoke_async(&mut conn)
            .await?;
        Ok(deleted)
    }

    async fn list_user(&self, user: &[u8]) -> Result<Vec<Listed>, BackendError> {
        let mut conn = self.conn.clone();
        let flat: Vec<Vec<u8>> = self
            .scripts
            .list_user
            .key(self.user_index_key(user))
            .arg(&self.prefix)
            .arg(crate::sessions::os::now())
            .invoke_async(&mut conn)
            .await?;
        let number = |b: &[u8]| -> Result<u64, BackendError> {
            Ok(core::str::from_utf8(b)?.parse::<f64>()? as u64)
        };
        let mut out = Vec::with_capacity(flat.len() / 5);
        for row in flat.chunks_exact(5) {
            if row[0].len() != 22 {
                return Err("an index entry is not a session id".into());
            }
            let mut id = [0u8; SessionId::LEN];
            let n = crate::codec::b64::decode(&row[0], &mut id, false)
                .map_err(|()| "an index entry is not a session id")?;
            let Some(id) = SessionId::from_bytes(&id[..n]) else {
                continue;
            };
            out.push(Listed {
                id,
                created: number(&row[1])?,
                last_seen: number(&row[2])?,
                expires: number(&row[3])?,
                label: (!row[4].is_empty()).then(|| row[4].clone()),
            });
        }
        out.sort_by_key(|l| (l.created, l.last_seen));
        Ok(out)
    }
}
