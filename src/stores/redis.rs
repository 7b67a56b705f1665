//! (feature `redis`) [`RedisBackend`]: server-side sessions in Redis or
//! Valkey, through the `redis` crate's reconnecting
//! [`ConnectionManager`].

use std::string::String;
use std::time::Duration;
use std::vec::Vec;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{Client, Cmd, Script};

use crate::codec::keys::Keys;
use crate::sessions::cookie_store::CookieConfig;
use crate::sessions::store::{SessionId, StoreError};
use crate::stores::server::{BackendError, ServerStore, SessionBackend, WriteMode};

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
/// Keys: `prefix || base64url(id)` for a record (a string, with a TTL),
/// `prefix || "user:" || base64url(user)` for a user's index (a set of ids,
/// whose TTL is raised to the longest of its sessions'). Base64url has no
/// `:`, so the two never collide.
///
/// | operation | commands (one round trip each) |
/// | --- | --- |
/// | read | `GET` |
/// | create | `SET key record NX EX ttl` |
/// | save | `SET key record XX EX ttl` |
/// | create / save, with a user | a script: that `SET`, then `SADD` + `EXPIRE` of the index |
/// | renew | a script: `DEL old` (stop if it was gone), `SET new NX EX`, the index |
/// | destroy | `DEL` |
/// | log out everywhere | a script: `SMEMBERS` of the index, `DEL` of each session and of the index |
///
/// Scripts run as `EVALSHA` (after a server restart, the first call of each
/// also loads it). They make renew and "log out everywhere" atomic: a
/// session being renewed while its user is logged out everywhere is either
/// renewed and then deleted, or not renewed.
///
/// **Valkey** speaks the same commands and scripts: nothing changes.
///
/// **Redis Cluster**: the scripts touch several keys (a session, another
/// session, the user's index), which Cluster allows only within one hash
/// slot. Put a hash tag in the prefix (`{sessions}:`): every key of the
/// store then lives in one slot, on one shard (with its replicas), and all
/// of this works unchanged. Spreading sessions over shards would need the
/// cookie to carry each user's slot; that is left out. Build the backend
/// on a cluster connection with a `ConnectionLike` of your own if you need
/// one; [`RedisBackend`] holds a single-node [`ConnectionManager`].
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
    write_indexed: Script,
    rename: Script,
    delete_user: Script,
}

impl core::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// `SET` with the mode, then the index: KEYS = record, index; ARGV =
/// record, ttl, NX|XX, id.
const WRITE_INDEXED: &str = r"
if not redis.call('SET', KEYS[1], ARGV[1], ARGV[3], 'EX', ARGV[2]) then return 0 end
redis.call('SADD', KEYS[2], ARGV[4])
if redis.call('TTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
return 1
";

/// KEYS = old, new[, index]; ARGV = record, ttl, new id, old id.
const RENAME: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
if KEYS[3] then
  redis.call('SREM', KEYS[3], ARGV[4])
  redis.call('SADD', KEYS[3], ARGV[3])
  if redis.call('TTL', KEYS[3]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[3], ARGV[2]) end
end
return 1
";

/// KEYS = index; ARGV = prefix. The session keys are read from the index,
/// so they cannot be declared: one slot in Cluster (see the type's docs).
const DELETE_USER: &str = r"
local ended = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  ended = ended + redis.call('DEL', ARGV[1] .. id)
end
redis.call('DEL', KEYS[1])
return ended
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
        RedisBackend {
            conn,
            prefix: String::from(prefix),
            scripts: std::sync::Arc::new(Scripts {
                write_indexed: Script::new(WRITE_INDEXED),
                rename: Script::new(RENAME),
                delete_user: Script::new(DELETE_USER),
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
}

impl SessionBackend for RedisBackend {
    async fn read(&self, id: &SessionId) -> Result<Option<Vec<u8>>, BackendError> {
        let mut conn = self.conn.clone();
        Ok(Cmd::get(self.key(id)).query_async(&mut conn).await?)
    }

    async fn write(
        &self,
        id: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        mode: WriteMode,
        user: Option<&[u8]>,
    ) -> Result<bool, BackendError> {
        let mut conn = self.conn.clone();
        let condition = match mode {
            WriteMode::Create => "NX",
            WriteMode::Update => "XX",
        };
        let key = self.key(id);
        if let Some(user) = user {
            let wrote: i64 = self
                .scripts
                .write_indexed
                .key(key)
                .key(self.user_index_key(user))
                .arg(record)
                .arg(ttl)
                .arg(condition)
                .arg(id.to_base64url())
                .invoke_async(&mut conn)
                .await?;
            return Ok(wrote == 1);
        }
        let reply: Option<String> = ::redis::cmd("SET")
            .arg(key)
            .arg(record)
            .arg(condition)
            .arg("EX")
            .arg(ttl)
            .query_async(&mut conn)
            .await?;
        Ok(reply.is_some())
    }

    async fn rename(
        &self,
        old: &SessionId,
        new: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        user: Option<&[u8]>,
    ) -> Result<bool, BackendError> {
        let mut conn = self.conn.clone();
        let mut invocation = self.scripts.rename.key(self.key(old));
        invocation.key(self.key(new));
        if let Some(user) = user {
            invocation.key(self.user_index_key(user));
        }
        let renamed: i64 = invocation
            .arg(record)
            .arg(ttl)
            .arg(new.to_base64url())
            .arg(old.to_base64url())
            .invoke_async(&mut conn)
            .await?;
        Ok(renamed == 1)
    }

    async fn delete(&self, id: &SessionId) -> Result<(), BackendError> {
        let mut conn = self.conn.clone();
        let _: i64 = Cmd::del(self.key(id)).query_async(&mut conn).await?;
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
}
