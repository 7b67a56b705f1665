//! (features `sqlite`, `postgres`) Server-side sessions in a SQL database,
//! on the app's own [sqlx](https://docs.rs/sqlx) pool: the statements both
//! dialects share, the checked table name, and the backend (one macro, two
//! dialects: sqlx's pool types differ, the logic does not).
//!
//! The table, the statement of each operation and why: the crate docs'
//! "Sessions" page (src/docs/sessions.md, "SQLite and Postgres").

use std::format;
use std::string::String;

use crate::error::Error;

#[cfg(feature = "postgres")]
pub(crate) mod postgres;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;

/// The table of `SqliteStore::open` and `PostgresStore::open`.
pub(crate) const DEFAULT_TABLE: &str = "securecookie_sessions";

/// A table (or schema) name: ASCII letters, digits and `_`, not starting
/// with a digit, at most 63 bytes (Postgres' limit). Checked, then quoted
/// all the same.
fn checked_identifier(name: &str) -> Result<&str, Error> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && !name.as_bytes()[0].is_ascii_digit()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(name)
    } else {
        Err(Error::InvalidName)
    }
}

/// The statements of one table, with the dialect's placeholders.
#[derive(Clone)]
pub(crate) struct Statements {
    pub(crate) read: String,
    pub(crate) insert: String,
    pub(crate) update: String,
    pub(crate) forward: String,
    pub(crate) delete_chain: String,
    pub(crate) delete_user: String,
    pub(crate) list_user: String,
    pub(crate) sweep: String,
    pub(crate) count_user: String,
}

impl Statements {
    /// `table` is the quoted, qualified name; for SQLite, `$n` becomes
    /// `?n`.
    pub(crate) fn new(table: &str, sqlite: bool) -> Self {
        let s = |sql: String| {
            if sqlite { sql.replace('$', "?") } else { sql }
        };
        let blob = if sqlite { "BLOB" } else { "BYTEA" };
        Statements {
            read: s(format!(
                "SELECT record FROM {table} WHERE id = $1 AND expires_at > $2 AND record IS NOT NULL"
            )),
            insert: s(format!(
                "INSERT INTO {table} (id, record, expires_at, \"user\", created, last_seen, label) \
                 VALUES ($1, $2, $3, $4, $7, $5, $6)"
            )),
            update: s(format!(
                "UPDATE {table} SET record = $2, expires_at = $3, \"user\" = $4, last_seen = $5, label = $6 \
                 WHERE id = $1 AND expires_at > $5 AND record IS NOT NULL"
            )),
            forward: s(format!(
                "UPDATE {table} SET record = NULL, \"user\" = NULL, label = NULL, moved_to = $2, expires_at = $3 \
                 WHERE id = $1 AND expires_at > $4 AND record IS NOT NULL RETURNING created"
            )),
            delete_chain: s(format!(
                "WITH RECURSIVE chain(id, hops) AS ( \
                   SELECT CAST($1 AS {blob}), 0 \
                   UNION ALL \
                   SELECT t.moved_to, chain.hops + 1 FROM {table} t JOIN chain ON t.id = chain.id \
                   WHERE t.moved_to IS NOT NULL AND chain.hops < $2 \
                 ) DELETE FROM {table} WHERE id IN (SELECT id FROM chain)"
            )),
            delete_user: s(format!(
                "DELETE FROM {table} WHERE \"user\" = $1 RETURNING expires_at"
            )),
            list_user: s(format!(
                "SELECT id, created, last_seen, expires_at, label FROM {table} \
                 WHERE \"user\" = $1 AND expires_at > $2 AND record IS NOT NULL ORDER BY created, last_seen"
            )),
            sweep: s(format!(
                "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE expires_at <= $1 LIMIT $2)"
            )),
            count_user: s(format!(
                "SELECT count(*) FROM {table} WHERE \"user\" = $1 AND expires_at > $2"
            )),
        }
    }
}

/// The backend over one sqlx database: `$name` for `$db` on `$pool`.
macro_rules! sql_backend {
    ($(#[$doc:meta])* $name:ident, $pool:ty) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            pool: $pool,
            table: std::string::String,
            sql: std::sync::Arc<crate::stores::sql::Statements>,
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("table", &self.table)
                    .finish_non_exhaustive()
            }
        }

        impl $name {
            /// The qualified, quoted table name.
            pub fn table(&self) -> &str {
                &self.table
            }

            /// The app's pool, as given.
            pub fn pool(&self) -> &$pool {
                &self.pool
            }

            /// Deletes expired rows (sessions and forwards) in batches of
            /// `batch` rows, one statement per batch, until none is left;
            /// returns how many it deleted.
            ///
            /// # Errors
            /// The database's.
            pub async fn cleanup(
                &self,
                batch: u32,
            ) -> Result<u64, crate::stores::server::BackendError> {
                let batch = batch.max(1);
                let now = crate::stores::sql::unix_now();
                let mut total = 0;
                loop {
                    let deleted = sqlx::query(&self.sql.sweep)
                        .bind(now)
                        .bind(i64::from(batch))
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                    total += deleted;
                    if deleted < u64::from(batch) {
                        return Ok(total);
                    }
                }
            }

            /// Runs [`cleanup`](Self::cleanup) every `every` on the tokio
            /// runtime, handing each sweep's count (or error) to `report`
            /// (log it); stops when the returned handle is aborted or
            /// dropped with the runtime.
            pub fn spawn_cleanup(
                &self,
                every: core::time::Duration,
                batch: u32,
                mut report: impl FnMut(Result<u64, crate::stores::server::BackendError>)
                    + Send
                    + 'static,
            ) -> tokio::task::JoinHandle<()> {
                let backend = self.clone();
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(every);
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        tick.tick().await;
                        report(backend.cleanup(batch).await);
                    }
                })
            }

            /// Rows of `user` that have not expired (forwards have no user).
            #[doc(hidden)]
            pub async fn count_user(
                &self,
                user: &[u8],
            ) -> Result<u64, crate::stores::server::BackendError> {
                let n: i64 = sqlx::query_scalar(&self.sql.count_user)
                    .bind(user)
                    .bind(crate::stores::sql::unix_now())
                    .fetch_one(&self.pool)
                    .await?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            fn with_table(pool: $pool, table: std::string::String, sqlite: bool) -> Self {
                let sql = crate::stores::sql::Statements::new(&table, sqlite);
                $name {
                    pool,
                    table,
                    sql: std::sync::Arc::new(sql),
                }
            }
        }

        impl crate::stores::server::SessionBackend for $name {
            async fn read(
                &self,
                id: &crate::sessions::store::SessionId,
            ) -> Result<Option<std::vec::Vec<u8>>, crate::stores::server::BackendError> {
                Ok(sqlx::query_scalar(&self.sql.read)
                    .bind(&id.as_bytes()[..])
                    .bind(crate::stores::sql::unix_now())
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn write(
                &self,
                id: &crate::sessions::store::SessionId,
                record: std::vec::Vec<u8>,
                ttl: u64,
                mode: crate::stores::server::WriteMode,
                tags: crate::stores::server::Tags<'_>,
            ) -> Result<bool, crate::stores::server::BackendError> {
                let now = crate::stores::sql::unix_now();
                let expires = crate::stores::sql::expiry(now, ttl);
                match mode {
                    crate::stores::server::WriteMode::Create => {
                        let inserted = sqlx::query(&self.sql.insert)
                            .bind(&id.as_bytes()[..])
                            .bind(record)
                            .bind(expires)
                            .bind(tags.user)
                            .bind(now)
                            .bind(tags.label)
                            .bind(now)
                            .execute(&self.pool)
                            .await;
                        crate::stores::sql::unless_taken(inserted.map(|r| r.rows_affected()))
                    }
                    crate::stores::server::WriteMode::Update => {
                        let updated = sqlx::query(&self.sql.update)
                            .bind(&id.as_bytes()[..])
                            .bind(record)
                            .bind(expires)
                            .bind(tags.user)
                            .bind(now)
                            .bind(tags.label)
                            .execute(&self.pool)
                            .await?;
                        Ok(updated.rows_affected() == 1)
                    }
                }
            }

            async fn rename(
                &self,
                old: &crate::sessions::store::SessionId,
                new: &crate::sessions::store::SessionId,
                record: std::vec::Vec<u8>,
                ttl: u64,
                tags: crate::stores::server::Tags<'_>,
            ) -> Result<bool, crate::stores::server::BackendError> {
                let now = crate::stores::sql::unix_now();
                let mut tx = self.pool.begin().await?;
                let created: Option<i64> = sqlx::query_scalar(&self.sql.forward)
                    .bind(&old.as_bytes()[..])
                    .bind(&new.as_bytes()[..])
                    .bind(crate::stores::sql::expiry(now, crate::stores::server::FORWARD_TTL))
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(created) = created else {
                    tx.rollback().await?;
                    return Ok(false);
                };
                let inserted = sqlx::query(&self.sql.insert)
                    .bind(&new.as_bytes()[..])
                    .bind(record)
                    .bind(crate::stores::sql::expiry(now, ttl))
                    .bind(tags.user)
                    .bind(now)
                    .bind(tags.label)
                    .bind(created)
                    .execute(&mut *tx)
                    .await;
                if !crate::stores::sql::unless_taken(inserted.map(|r| r.rows_affected()))? {
                    tx.rollback().await?;
                    return Ok(false);
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn delete(
                &self,
                id: &crate::sessions::store::SessionId,
            ) -> Result<(), crate::stores::server::BackendError> {
                sqlx::query(&self.sql.delete_chain)
                    .bind(&id.as_bytes()[..])
                    .bind(crate::stores::memory::MAX_HOPS as i64)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_user(
                &self,
                user: &[u8],
            ) -> Result<usize, crate::stores::server::BackendError> {
                let now = crate::stores::sql::unix_now();
                let expiries: std::vec::Vec<i64> = sqlx::query_scalar(&self.sql.delete_user)
                    .bind(user)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(expiries.into_iter().filter(|&e| e > now).count())
            }

            async fn list_user(
                &self,
                user: &[u8],
            ) -> Result<std::vec::Vec<crate::stores::server::Listed>, crate::stores::server::BackendError>
            {
                use sqlx::Row as _;
                let rows = sqlx::query(&self.sql.list_user)
                    .bind(user)
                    .bind(crate::stores::sql::unix_now())
                    .fetch_all(&self.pool)
                    .await?;
                let mut out = std::vec::Vec::with_capacity(rows.len());
                for row in rows {
                    let id: std::vec::Vec<u8> = row.try_get(0)?;
                    let Some(id) = crate::sessions::store::SessionId::from_bytes(&id) else {
                        continue;
                    };
                    let time = |i: usize| -> Result<u64, sqlx::Error> {
                        Ok(u64::try_from(row.try_get::<i64, _>(i)?).unwrap_or(0))
                    };
                    out.push(crate::stores::server::Listed {
                        id,
                        created: time(1)?,
                        last_seen: time(2)?,
                        expires: time(3)?,
                        label: row.try_get(4)?,
                    });
                }
                Ok(out)
            }
        }
    };
}
pub(crate) use sql_backend;

/// The statements of a DDL script (ours: no `;` inside a statement).
pub(crate) fn statements(ddl: &str) -> impl Iterator<Item = &str> {
    ddl.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// Now, in the database's time unit (Unix seconds, as `i64`).
pub(crate) fn unix_now() -> i64 {
    i64::try_from(crate::sessions::os::now()).unwrap_or(i64::MAX)
}

/// `now + ttl`, saturating (a TTL past the year 292 billion is "never"),
/// plus one second for a positive TTL. `now` is the clock cut to whole
/// seconds: a record saved at 100.9 with a TTL of 1 would expire at 101, a
/// tenth of a second later. With the extra second every record lives at
/// least its TTL and at most a second more (the cookie's own age check,
/// to the second, still refuses it on time). A TTL of 0 stays "expired at
/// once".
pub(crate) fn expiry(now: i64, ttl: u64) -> i64 {
    now.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX))
        .saturating_add(i64::from(ttl > 0))
}

/// An insert's outcome: written, or the id was taken (a unique violation),
/// or a real error.
pub(crate) fn unless_taken(
    inserted: Result<u64, sqlx::Error>,
) -> Result<bool, crate::stores::server::BackendError> {
    match inserted {
        Ok(n) => Ok(n == 1),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    /// Reads keep a record while `expires_at > now`: saved at any point of
    /// second 100 with a TTL of 1, it must still read in second 101. The
    /// conformance suite's `records_expire` failed on Postgres when its save
    /// and its read fell on either side of a second.
    #[test]
    fn a_record_lives_at_least_its_ttl() {
        assert_eq!(super::expiry(100, 1), 102);
        assert!(super::expiry(100, 1) > 101);
        assert_eq!(super::expiry(100, 0), 100, "expired at once");
        assert_eq!(super::expiry(100, 600), 701);
        assert_eq!(super::expiry(i64::MAX - 1, 5), i64::MAX);
        assert_eq!(super::expiry(0, u64::MAX), i64::MAX);
    }
}
