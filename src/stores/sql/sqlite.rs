//! (feature `sqlite`) [`SqliteBackend`]: server-side sessions in SQLite.

use std::format;
use std::string::String;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::codec::keys::Keys;
use crate::sessions::cookie_store::CookieConfig;
use crate::sessions::store::StoreError;
use crate::stores::server::{BackendError, ServerStore};
use crate::stores::sql::{DEFAULT_TABLE, checked_identifier, sql_backend};

/// Server-side sessions in SQLite: see [`ServerStore`] for the model and
/// [`SqliteBackend`] for the table and the statements.
///
/// ```no_run
/// use securecookie::{CookieConfig, Keys, SqliteBackend, SqliteStore, ServerStore};
///
/// # async fn example(pool: sqlx::SqlitePool) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// // On the pool the app already has:
/// let backend = SqliteBackend::new(pool, "sessions")?;
/// backend.migrate().await?; // or run SqliteBackend::schema("sessions") yourself
/// let store = ServerStore::with_backend(backend, CookieConfig::default(), [Keys::new(&[7; 32], Some(&[9; 32]))?])?
///     .user_key("user-id");
/// // Expired rows: swept every 10 minutes, 1,000 rows per statement.
/// store.backend().spawn_cleanup(std::time::Duration::from_secs(600), 1000, |swept| {
///     if let Err(e) = swept { eprintln!("session sweep: {e}") }
/// });
/// # Ok(()) }
/// ```
pub type SqliteStore = ServerStore<SqliteBackend>;

impl ServerStore<SqliteBackend> {
    /// Opens (creating it if missing) the SQLite database file at `path`
    /// with [`SqliteBackend::open`], creates the table
    /// ([`migrate`](SqliteBackend::migrate)) and builds the store.
    ///
    /// # Errors
    /// [`StoreError::Session`] for keys or a config that
    /// [`CookieStore::new`](crate::CookieStore::new) refuses;
    /// [`StoreError::Backend`] when the file cannot be opened or migrated.
    pub async fn open(
        path: &str,
        config: CookieConfig,
        keys: impl IntoIterator<Item = Keys>,
    ) -> Result<Self, StoreError> {
        let backend = SqliteBackend::open(path)
            .await
            .map_err(StoreError::Backend)?;
        backend.migrate().await.map_err(StoreError::Backend)?;
        Ok(ServerStore::with_backend(backend, config, keys)?)
    }
}

sql_backend!(
    /// The [`SessionBackend`](crate::SessionBackend) of [`SqliteStore`], on
    /// a sqlx [`SqlitePool`]: one table (see [`schema`](Self::schema));
    /// its columns and the statements of each operation are in the crate's
    /// README (SQL stores). Clones share the pool.
    ///
    /// **Concurrency**: SQLite has one writer at a time. Give the pool WAL
    /// mode and a busy timeout (as [`open`](Self::open) does) so that
    /// concurrent saves wait their turn instead of failing with "database
    /// is locked"; a renewal's transaction starts with its write.
    SqliteBackend,
    SqlitePool
);

impl SqliteBackend {
    /// The backend on the app's `pool`, with the table `table` (checked:
    /// letters, digits, `_`).
    ///
    /// # Errors
    /// [`Error::InvalidName`](crate::Error::InvalidName) for a bad table name.
    pub fn new(pool: SqlitePool, table: &str) -> Result<Self, crate::Error> {
        let table = format!("\"{}\"", checked_identifier(table)?);
        Ok(Self::with_table(pool, table, true))
    }

    /// A pool of its own on the database file `path` (created if missing),
    /// in WAL mode with a 5-second busy timeout and `synchronous = NORMAL`
    /// (durable across an app crash; the last commits may be lost on a
    /// power cut, as WAL's docs say), and the table `securecookie_sessions`.
    ///
    /// # Errors
    /// The database's.
    pub async fn open(path: &str) -> Result<Self, BackendError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(core::time::Duration::from_secs(5));
        // A new file's first connections race to switch it to WAL, which
        // takes an exclusive lock SQLite does not wait for on the busy
        // timeout: the losers hear "database is locked" at once. The switch
        // is persistent, so a retry a moment later finds WAL already on.
        let pool =
            retry_while_busy(|| SqlitePoolOptions::new().connect_with(options.clone())).await?;
        Ok(Self::new(pool, DEFAULT_TABLE)?)
    }

    /// The DDL [`migrate`](Self::migrate) runs, for teams that run their
    /// own migrations.
    ///
    /// ```
    /// # use securecookie::SqliteBackend;
    /// assert_eq!(SqliteBackend::schema("sessions")?, r#"CREATE TABLE IF NOT EXISTS "sessions" (
    ///     id BLOB PRIMARY KEY NOT NULL,
    ///     record BLOB,
    ///     expires_at INTEGER NOT NULL,
    ///     "user" BLOB,
    ///     created INTEGER NOT NULL,
    ///     last_seen INTEGER NOT NULL,
    ///     label BLOB,
    ///     moved_to BLOB
    /// ) WITHOUT ROWID;
    /// CREATE INDEX IF NOT EXISTS "sessions_expires_at" ON "sessions" (expires_at);
    /// CREATE INDEX IF NOT EXISTS "sessions_user" ON "sessions" ("user") WHERE "user" IS NOT NULL;
    /// "#);
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidName`](crate::Error::InvalidName) for a bad table name.
    pub fn schema(table: &str) -> Result<String, crate::Error> {
        let t = checked_identifier(table)?;
        Ok(format!(
            r#"CREATE TABLE IF NOT EXISTS "{t}" (
    id BLOB PRIMARY KEY NOT NULL,
    record BLOB,
    expires_at INTEGER NOT NULL,
    "user" BLOB,
    created INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    label BLOB,
    moved_to BLOB
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS "{t}_expires_at" ON "{t}" (expires_at);
CREATE INDEX IF NOT EXISTS "{t}_user" ON "{t}" ("user") WHERE "user" IS NOT NULL;
"#
        ))
    }

    /// Creates the table and its indexes if missing: idempotent, and safe
    /// from several processes at once (each `CREATE .. IF NOT EXISTS` is
    /// its own write transaction: SQLite runs them one after the other, the
    /// busy timeout makes the others wait).
    ///
    /// # Errors
    /// The database's.
    pub async fn migrate(&self) -> Result<(), BackendError> {
        let ddl = Self::schema(self.table.trim_matches('"'))?;
        for statement in crate::stores::sql::statements(&ddl) {
            sqlx::query(statement).execute(&self.pool).await?;
        }
        Ok(())
    }
}

/// How many times [`retry_while_busy`] tries again: 20, waiting 10 ms
/// longer each time (2.1 s in all).
const BUSY_RETRIES: u64 = 20;

/// `connect()`, tried again while SQLite answers busy (a new file's WAL
/// switch, see [`SqliteBackend::open`]); any other outcome at once.
async fn retry_while_busy<T, F: Future<Output = Result<T, sqlx::Error>>>(
    mut connect: impl FnMut() -> F,
) -> Result<T, sqlx::Error> {
    let mut attempt = 0u64;
    loop {
        match connect().await {
            Err(sqlx::Error::Database(e))
                if attempt < BUSY_RETRIES && is_busy(e.code().as_deref()) =>
            {
                attempt += 1;
                tokio::time::sleep(core::time::Duration::from_millis(10 * attempt)).await;
            }
            other => return other,
        }
    }
}

/// SQLite's `SQLITE_BUSY` (5), or one of its extended codes (the low byte).
fn is_busy(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<u32>().ok())
        .is_some_and(|c| c & 0xff == 5)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::boxed::Box;
    use std::string::ToString;

    use super::*;

    /// A database error with a SQLite result code, as sqlx hands it on.
    #[derive(Debug)]
    struct Coded(&'static str);

    impl core::fmt::Display for Coded {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(f, "code {}", self.0)
        }
    }

    impl core::error::Error for Coded {}

    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            self.0
        }
        fn code(&self) -> Option<Cow<'_, str>> {
            Some(Cow::Borrowed(self.0))
        }
        fn as_error(&self) -> &(dyn core::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn core::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn core::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    /// Runs `retry_while_busy` over answers that fail with `code` the first
    /// `failures` times, then succeed: the outcome, the number of calls and
    /// the time waited (tokio's paused clock: exact, and no real waiting).
    async fn retried(code: &'static str, failures: u32) -> (Result<u32, String>, u32, u64) {
        let start = tokio::time::Instant::now();
        let mut calls = 0;
        let outcome = retry_while_busy(|| {
            calls += 1;
            let answer = if calls <= failures {
                Err(sqlx::Error::Database(Box::new(Coded(code))))
            } else {
                Ok(calls)
            };
            core::future::ready(answer)
        })
        .await;
        let waited = start.elapsed().as_millis() as u64;
        (outcome.map_err(|e| e.to_string()), calls, waited)
    }

    #[tokio::test(start_paused = true)]
    async fn busy_is_tried_again_twenty_times_waiting_longer_each_time() {
        // Busy three times (plain and extended codes), then connected.
        assert_eq!(retried("5", 3).await, (Ok(4), 4, 10 + 20 + 30));
        assert_eq!(retried("517", 1).await, (Ok(2), 2, 10));
        // Busy for good: the first try and 20 more, 10 + 20 + ... + 200 ms.
        let (outcome, calls, waited) = retried("5", u32::MAX).await;
        assert_eq!((calls, waited), (21, 2100));
        assert!(outcome.unwrap_err().contains("code 5"));
        // Any other error (SQLITE_LOCKED 6, SQLITE_ERROR 1) at once.
        assert_eq!(retried("6", 5).await.1, 1);
        assert_eq!(retried("1", 5).await.1, 1);
        assert_eq!(retried("5", 0).await, (Ok(1), 1, 0));
    }

    #[test]
    fn busy_codes_are_5_and_its_extended_codes() {
        for busy in ["5", "261", "517", "773"] {
            assert!(is_busy(Some(busy)), "{busy}");
        }
        for other in ["1", "6", "262", "0", "x", ""] {
            assert!(!is_busy(Some(other)), "{other}");
        }
        assert!(!is_busy(None));
    }
}
