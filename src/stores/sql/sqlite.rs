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
        let mut attempt = 0u64;
        let pool = loop {
            match SqlitePoolOptions::new().connect_with(options.clone()).await {
                Err(sqlx::Error::Database(e)) if attempt < 20 && is_busy(e.code().as_deref()) => {
                    attempt += 1;
                    tokio::time::sleep(core::time::Duration::from_millis(10 * attempt)).await;
                }
                other => break other?,
            }
        };
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

/// SQLite's `SQLITE_BUSY` (5), or one of its extended codes (the low byte).
fn is_busy(code: Option<&str>) -> bool {
    code.and_then(|c| c.parse::<u32>().ok())
        .is_some_and(|c| c & 0xff == 5)
}
