//! The backends' shared conformance suite (tests/common/conformance.rs) on
//! every backend: memory here, Redis with `.ci/redis`, SQLite on a
//! temporary file, Postgres with `.ci/postgres`.

#[path = "common/conformance.rs"]
#[macro_use]
mod conformance;

// Only the feature-gated backends below use it from here.
#[cfg(any(feature = "redis", feature = "sqlite", feature = "postgres"))]
use conformance::Inspect;

mod memory {
    use super::conformance::{self, Inspect};
    use securecookie::{MemoryBackend, Record, SessionStore, StoreError, StoreFull};

    impl Inspect for MemoryBackend {
        async fn index_len(&self, user: &[u8]) -> usize {
            self.indexed(user)
        }
    }

    async fn make() -> MemoryBackend {
        MemoryBackend::new(10_000)
    }

    suite!(make);

    /// Issue 23 item 5: anonymous sessions (a visitor's CSRF token, a
    /// cart) fill half the store at most; logins still get in.
    #[tokio::test]
    async fn a_full_store_does_not_lock_out_logins() {
        let store = conformance::store(MemoryBackend::new(10), 600);
        let anonymous = conformance::payload(&[("csrf", b"token")]);
        let mut refused = 0;
        for _ in 0..10 {
            match store
                .save("app", Record::new(anonymous.clone(), None, false))
                .await
            {
                Ok(_) => {}
                Err(StoreError::Backend(e)) if e.is::<StoreFull>() => refused += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(refused, 5, "anonymous sessions took more than half");
        for i in 0..5 {
            let login = conformance::user(&format!("user{i}"));
            store
                .save("app", Record::new(login, None, false))
                .await
                .expect("a login refused by a store full of visitors");
        }
        // Now truly full: refused, and the existing sessions still work.
        let login = conformance::user("one-too-many");
        assert!(
            store
                .save("app", Record::new(login, None, false))
                .await
                .is_err()
        );
        assert_eq!(store.backend().inner.len(), 10);
    }
}

#[cfg(feature = "redis")]
#[path = "common/redis.rs"]
mod redis_common;

#[cfg(feature = "redis")]
mod redis_backend {
    use super::Inspect;
    use super::redis_common;
    use securecookie::RedisBackend;

    impl Inspect for RedisBackend {
        async fn index_len(&self, user: &[u8]) -> usize {
            let mut conn = redis_common::inspector(&redis_common::shared_url()).await;
            redis::cmd("ZCARD")
                .arg(self.user_index_key(user))
                .query_async(&mut conn)
                .await
                .unwrap()
        }
    }

    async fn make() -> RedisBackend {
        let prefix = redis_common::prefix("conformance");
        RedisBackend::connect(&redis_common::shared_url(), &prefix)
            .await
            .unwrap()
    }

    suite!(
        #[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
        make
    );
}

#[cfg(feature = "sqlite")]
pub mod sqlite_backend {
    use super::Inspect;
    use securecookie::SqliteBackend;

    impl Inspect for SqliteBackend {
        async fn index_len(&self, user: &[u8]) -> usize {
            self.count_user(user).await.unwrap() as usize
        }
    }

    /// A fresh database file in the target's temporary folder.
    pub async fn make() -> SqliteBackend {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let path = dir.join(format!("sessions-{}.db", super::conformance::fresh_user()));
        let backend = SqliteBackend::open(path.to_str().unwrap()).await.unwrap();
        backend.migrate().await.unwrap();
        backend
    }

    suite!(make);
}

#[cfg(feature = "postgres")]
pub mod postgres_backend {
    use super::Inspect;
    use securecookie::PostgresBackend;

    impl Inspect for PostgresBackend {
        async fn index_len(&self, user: &[u8]) -> usize {
            self.count_user(user).await.unwrap() as usize
        }
    }

    /// The URL `.ci/postgres` exports; the tests that call this are
    /// ignored by a plain `cargo test` and fail without it.
    pub fn url() -> String {
        match std::env::var("SECURECOOKIE_POSTGRES_URL") {
            Ok(v) if !v.is_empty() => v,
            _ => panic!("SECURECOOKIE_POSTGRES_URL is not set: run through .ci/postgres"),
        }
    }

    /// A table of its own on the shared server.
    pub async fn make() -> PostgresBackend {
        let pool = sqlx::PgPool::connect(&url()).await.unwrap();
        let table = format!("t_{}", super::conformance::fresh_user());
        let backend = PostgresBackend::new(pool, "public", &table).unwrap();
        backend.migrate().await.unwrap();
        backend
    }

    suite!(
        #[ignore = "needs Postgres: .ci/postgres cargo test --all-features -- --ignored"]
        make
    );
}
