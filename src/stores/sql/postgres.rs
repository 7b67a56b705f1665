//! (feature `postgres`) [`PostgresBackend`]: server-side sessions in
//! Postgres.

use std::format;
use std::string::String;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::codec::keys::Keys;
use crate::sessions::cookie_store::CookieConfig;
use crate::sessions::store::StoreError;
use crate::stores::server::{BackendError, ServerStore};
use crate::stores::sql::{DEFAULT_TABLE, checked_identifier, sql_backend};

/// Server-side sessions in Postgres: see [`ServerStore`] for the model and
/// [`PostgresBackend`] for the table and the statements.
///
/// ```no_run
/// use securecookie::{CookieConfig, Keys, PostgresBackend, PostgresStore, ServerStore};
///
/// # async fn example(pool: sqlx::PgPool) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// // On the pool the app already has:
/// let backend = PostgresBackend::new(pool, "public", "sessions")?;
/// backend.migrate().await?; // or run PostgresBackend::schema("public", "sessions") yourself
/// let store: PostgresStore = ServerStore::with_backend(backend, CookieConfig::default(), [Keys::new(&[7; 32], Some(&[9; 32]))?])?
///     .user_key("user-id");
/// store.backend().spawn_cleanup(std::time::Duration::from_secs(600), 1000, |swept| {
///     if let Err(e) = swept { eprintln!("session sweep: {e}") }
/// });
/// # Ok(()) }
/// ```
pub type PostgresStore = ServerStore<PostgresBackend>;

impl ServerStore<PostgresBackend> {
    /// Connects to `url` with [`PostgresBackend::connect`], creates the
    /// table ([`migrate`](PostgresBackend::migrate)) and builds the store.
    ///
    /// # Errors
    /// [`StoreError::Session`] for keys or a config that
    /// [`CookieStore::new`](crate::CookieStore::new) refuses;
    /// [`StoreError::Backend`] when the server cannot be reached or the
    /// table cannot be created.
    pub async fn open(
        url: &str,
        config: CookieConfig,
        keys: impl IntoIterator<Item = Keys>,
    ) -> Result<Self, StoreError> {
        let backend = PostgresBackend::connect(url)
            .await
            .map_err(StoreError::Backend)?;
        backend.migrate().await.map_err(StoreError::Backend)?;
        Ok(ServerStore::with_backend(backend, config, keys)?)
    }
}

sql_backend!(
    /// The [`SessionBackend`](crate::SessionBackend) of [`PostgresStore`],
    /// on a sqlx [`PgPool`]: one table (see [`schema`](Self::schema)); its
    /// columns and the statements of each operation are in the crate's
    /// README (SQL stores). Clones share the pool.
    PostgresBackend,
    PgPool
);

/// The key of the advisory lock [`PostgresBackend::migrate`] takes.
const MIGRATE_LOCK: i64 = 0x5345_4355_5245_434B; // "SECURECK"

impl PostgresBackend {
    /// The backend on the app's `pool`, with the table `schema.table`
    /// (both checked: letters, digits, `_`).
    ///
    /// # Errors
    /// [`Error::InvalidName`](crate::Error::InvalidName) for a bad name.
    pub fn new(pool: PgPool, schema: &str, table: &str) -> Result<Self, crate::Error> {
        let table = format!(
            "\"{}\".\"{}\"",
            checked_identifier(schema)?,
            checked_identifier(table)?
        );
        Ok(Self::with_table(pool, table, false))
    }

    /// A pool of its own on `url` that fails fast while the server is down
    /// (2 s to get a connection: the web layer answers 503 rather than hold
    /// the request), and the table `public.securecookie_sessions`.
    ///
    /// # Errors
    /// A bad URL, or a server that cannot be reached now.
    pub async fn connect(url: &str) -> Result<Self, BackendError> {
        let pool = PgPoolOptions::new()
            .acquire_timeout(core::time::Duration::from_secs(2))
            .connect(url)
            .await?;
        Ok(Self::new(pool, "public", DEFAULT_TABLE)?)
    }

    /// The DDL [`migrate`](Self::migrate) runs, for teams that run their
    /// own migrations.
    ///
    /// ```
    /// # use securecookie::PostgresBackend;
    /// assert_eq!(PostgresBackend::schema("app", "sessions")?, r#"CREATE TABLE IF NOT EXISTS "app"."sessions" (
    ///     id BYTEA PRIMARY KEY,
    ///     record BYTEA,
    ///     expires_at BIGINT NOT NULL,
    ///     "user" BYTEA,
    ///     created BIGINT NOT NULL,
    ///     last_seen BIGINT NOT NULL,
    ///     label BYTEA,
    ///     moved_to BYTEA
    /// );
    /// CREATE INDEX IF NOT EXISTS "sessions_expires_at" ON "app"."sessions" (expires_at);
    /// CREATE INDEX IF NOT EXISTS "sessions_user" ON "app"."sessions" ("user") WHERE "user" IS NOT NULL;
    /// "#);
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// Times are Unix seconds (`to_timestamp(expires_at)` shows them as
    /// dates).
    ///
    /// # Errors
    /// [`Error::InvalidName`](crate::Error::InvalidName) for a bad name.
    pub fn schema(schema: &str, table: &str) -> Result<String, crate::Error> {
        let s = checked_identifier(schema)?;
        let t = checked_identifier(table)?;
        Ok(format!(
            r#"CREATE TABLE IF NOT EXISTS "{s}"."{t}" (
    id BYTEA PRIMARY KEY,
    record BYTEA,
    expires_at BIGINT NOT NULL,
    "user" BYTEA,
    created BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    label BYTEA,
    moved_to BYTEA
);
CREATE INDEX IF NOT EXISTS "{t}_expires_at" ON "{s}"."{t}" (expires_at);
CREATE INDEX IF NOT EXISTS "{t}_user" ON "{s}"."{t}" ("user") WHERE "user" IS NOT NULL;
"#
        ))
    }

    /// Creates the schema (unless `public`), the table and its indexes if
    /// missing: idempotent, and safe from several processes at once (one
    /// transaction under an advisory lock: `CREATE .. IF NOT EXISTS` alone
    /// can still collide in Postgres' catalog).
    ///
    /// # Errors
    /// The database's.
    pub async fn migrate(&self) -> Result<(), BackendError> {
        let (schema, table) = self.table.split_once('.').ok_or("a qualified table name")?;
        let (schema, table) = (schema.trim_matches('"'), table.trim_matches('"'));
        let mut ddl = String::new();
        if schema != "public" {
            ddl.push_str(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\";\n"));
        }
        ddl.push_str(&Self::schema(schema, table)?);
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATE_LOCK)
            .execute(&mut *tx)
            .await?;
        for statement in crate::stores::sql::statements(&ddl) {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
