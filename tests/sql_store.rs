//! What the SQL stores add to the shared conformance suite
//! (tests/store_conformance.rs): migrate (idempotent, several processes at
//! once), checked table names, the batched sweep and its task, the
//! statements Postgres actually ran per operation (its log), and SQLite
//! under 50 concurrent logins, saves and renews.

use std::sync::Arc;
use std::time::Duration;

use securecookie::{
    CookieConfig, Error, Keys, Record, ServerStore, SessionBackend, SessionId, SessionStore,
    SqliteBackend, SqliteStore, StoreError, Tags, WriteMode, kv,
};

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

fn tag() -> String {
    let r = securecookie::random_key::<8>().unwrap();
    r.iter().map(|b| format!("{b:02x}")).collect()
}

fn temp_db() -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    dir.join(format!("sql-{}.db", tag()))
        .to_str()
        .unwrap()
        .to_string()
}

fn user(u: &str) -> Vec<u8> {
    kv::to_vec::<64>([("user-id", u.as_bytes())])
        .unwrap()
        .to_vec()
}

fn value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.strip_prefix("app=").unwrap().to_string()
}

#[test]
fn table_and_schema_names_are_checked() {
    for bad in [
        "",
        "1abc",
        "a-b",
        "a\"b",
        "x; DROP TABLE users",
        &"a".repeat(64),
        "é",
    ] {
        assert_eq!(SqliteBackend::schema(bad), Err(Error::InvalidName), "{bad}");
    }
    for good in ["sessions", "_s", "S_2", &"a".repeat(63)] {
        assert!(SqliteBackend::schema(good).is_ok(), "{good}");
    }
}

#[tokio::test]
async fn sqlite_migrate_is_idempotent_and_safe_from_several_processes() {
    let path = temp_db();
    // Eight pools at once (as eight processes would), each migrating twice.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let backend = SqliteBackend::open(&path).await.unwrap();
            backend.migrate().await.unwrap();
            backend.migrate().await.unwrap();
            backend
        }));
    }
    let mut backends = Vec::new();
    for t in tasks {
        backends.push(t.await.unwrap());
    }
    let store = ServerStore::with_backend(backends.pop().unwrap(), CookieConfig::debug(), [keys()])
        .unwrap();
    let line = store
        .save("app", Record::new(user("a1"), None, false))
        .await
        .unwrap();
    assert_eq!(
        store.load("app", &value(&line)).await.unwrap().payload,
        user("a1")
    );
    // The DDL that migrate runs is the one the docs print.
    let sql: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'securecookie_sessions' ORDER BY name",
    )
    .fetch_all(store.backend().pool())
    .await
    .unwrap();
    let printed = SqliteBackend::schema("securecookie_sessions").unwrap();
    assert_eq!(sql.len(), 3, "{sql:?}");
    for s in &sql {
        let s = s.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ");
        let s = s.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ");
        assert!(printed.contains(&s), "{s} is not in the printed schema");
    }
}

/// The sweep deletes expired rows in batches and says how many; live rows
/// stay. Writes with a TTL of 0 make rows that are expired at once.
#[tokio::test]
async fn sqlite_cleanup_in_batches_and_the_task() {
    let backend = SqliteBackend::open(&temp_db()).await.unwrap();
    backend.migrate().await.unwrap();
    let live = SessionId::random().unwrap();
    assert!(
        backend
            .write(
                &live,
                b"r".to_vec(),
                600,
                WriteMode::Create,
                Tags::default()
            )
            .await
            .unwrap()
    );
    for _ in 0..2500 {
        let id = SessionId::random().unwrap();
        let tags = Tags {
            user: Some(b"u"),
            label: None,
        };
        assert!(
            backend
                .write(&id, b"r".to_vec(), 0, WriteMode::Create, tags)
                .await
                .unwrap()
        );
        assert_eq!(backend.read(&id).await.unwrap(), None, "expired at once");
    }
    assert_eq!(backend.cleanup(1000).await.unwrap(), 2500);
    assert_eq!(backend.cleanup(1000).await.unwrap(), 0);
    assert_eq!(
        backend.read(&live).await.unwrap().as_deref(),
        Some(&b"r"[..])
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM securecookie_sessions")
        .fetch_one(backend.pool())
        .await
        .unwrap();
    assert_eq!(rows, 1);

    // The task: sweeps on its interval and reports each count.
    for _ in 0..3 {
        let id = SessionId::random().unwrap();
        backend
            .write(&id, b"r".to_vec(), 0, WriteMode::Create, Tags::default())
            .await
            .unwrap();
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let task = backend.spawn_cleanup(Duration::from_millis(50), 2, move |n| {
        let _ = tx.send(n.unwrap());
    });
    let first = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    let second = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    task.abort();
    assert_eq!((first, second), (3, 0));
}

/// Issue 18 item 7: 50 clients at once on one SQLite file, each logging in
/// (create), saving, renewing and logging out: no "database is locked",
/// no lost write.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_50_concurrent_logins_saves_and_renews() {
    let store: Arc<SqliteStore> = Arc::new(
        SqliteStore::open(&temp_db(), CookieConfig::debug(), [keys()])
            .await
            .unwrap()
            .user_key("user-id"),
    );
    let mut clients = Vec::new();
    for c in 0..50 {
        let store = store.clone();
        clients.push(tokio::spawn(async move {
            let u = format!("user{c}");
            for round in 0..4 {
                let line = store
                    .save("app", Record::new(user(&u), None, false))
                    .await?;
                let id = store.load("app", &value(&line)).await?.id;
                let note = kv::to_vec::<64>([
                    ("note", format!("{round}").as_bytes()),
                    ("user-id", u.as_bytes()),
                ])
                .unwrap()
                .to_vec();
                store
                    .save("app", Record::new(note.clone(), id, false))
                    .await?;
                let line = store
                    .save("app", Record::new(note.clone(), id, true))
                    .await?;
                let loaded = store.load("app", &value(&line)).await?;
                assert_eq!(loaded.payload, note, "a lost write");
                store.destroy("app", loaded.id).await?;
            }
            Ok::<_, StoreError>(())
        }));
    }
    let mut errors = Vec::new();
    for c in clients {
        if let Err(e) = tokio::time::timeout(Duration::from_secs(60), c)
            .await
            .expect("a client hung")
            .unwrap()
        {
            errors.push(e.to_string());
        }
    }
    assert_eq!(errors, Vec::<String>::new());
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use securecookie::{PostgresBackend, PostgresStore};

    fn var(name: &str) -> String {
        match std::env::var(name) {
            Ok(v) if !v.is_empty() => v,
            _ => panic!("{name} is not set: run through .ci/postgres"),
        }
    }

    async fn fresh(table: &str) -> PostgresBackend {
        let pool = sqlx::PgPool::connect(&var("SECURECOOKIE_POSTGRES_URL"))
            .await
            .unwrap();
        PostgresBackend::new(pool, &format!("s_{table}"), table).unwrap()
    }

    #[tokio::test]
    #[ignore = "needs Postgres: .ci/postgres cargo test --all-features -- --ignored"]
    async fn migrate_is_idempotent_and_safe_from_several_processes() {
        let table = format!("m_{}", tag());
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let table = table.clone();
            tasks.push(tokio::spawn(async move {
                let backend = fresh(&table).await;
                backend.migrate().await.unwrap();
                backend.migrate().await.unwrap();
                backend
            }));
        }
        let mut backends = Vec::new();
        for t in tasks {
            backends.push(t.await.unwrap());
        }
        let backend = backends.pop().unwrap();
        assert_eq!(backend.table(), format!("\"s_{table}\".\"{table}\""));
        let store = ServerStore::with_backend(backend, CookieConfig::debug(), [keys()]).unwrap();
        let line = store
            .save("app", Record::new(user("a1"), None, false))
            .await
            .unwrap();
        assert!(store.load("app", &value(&line)).await.is_ok());
        let indexes: Vec<String> =
            sqlx::query_scalar("SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1")
                .bind(&table)
                .fetch_all(store.backend().pool())
                .await
                .unwrap();
        assert_eq!(
            indexes,
            [
                format!("{table}_expires_at"),
                format!("{table}_pkey"),
                format!("{table}_user")
            ]
        );
    }

    /// The statements Postgres ran, from its log (`.ci/postgres` sets
    /// `log_statement = 'all'`): each line naming this test's table.
    fn statements_on(table: &str, since: usize) -> Vec<String> {
        let log = std::fs::read_to_string(var("SECURECOOKIE_POSTGRES_LOG")).unwrap();
        log.lines()
            .skip(since)
            .filter(|l| l.contains(table) && (l.contains("execute") || l.contains("statement:")))
            .map(|l| {
                let sql = l.split_once(": ").map_or(l, |(_, s)| s);
                let sql = sql.split_once(": ").map_or(sql, |(_, s)| s);
                sql.split_whitespace().next().unwrap_or("").to_string()
            })
            .collect()
    }

    fn log_len() -> usize {
        std::fs::read_to_string(var("SECURECOOKIE_POSTGRES_LOG"))
            .unwrap()
            .lines()
            .count()
    }

    /// Issue 18 item 2, counted by the server: one statement to read, one
    /// to save, one transaction of two to renew, one to destroy, one to log
    /// out everywhere, none for a forged cookie.
    #[tokio::test]
    #[ignore = "needs Postgres: .ci/postgres cargo test --all-features -- --ignored"]
    async fn statements_per_operation_as_postgres_logged_them() {
        let table = format!("q_{}", tag());
        let backend = fresh(&table).await;
        backend.migrate().await.unwrap();
        let store: PostgresStore =
            ServerStore::with_backend(backend, CookieConfig::debug(), [keys()])
                .unwrap()
                .user_key("user-id");
        let mut at = log_len();
        let mut ran = |what: &str, want: &[&str]| {
            // The log is written as statements run; give it a moment.
            std::thread::sleep(Duration::from_millis(100));
            let got = statements_on(&table, at);
            at = log_len();
            assert_eq!(got, want, "{what}");
        };
        let line = store
            .save("app", Record::new(user("a1"), None, false))
            .await
            .unwrap();
        ran("create", &["INSERT"]);
        let loaded = store.load("app", &value(&line)).await.unwrap();
        ran("read", &["SELECT"]);
        store
            .save("app", Record::new(user("a1"), loaded.id, false))
            .await
            .unwrap();
        ran("save", &["UPDATE"]);
        let line = store
            .save("app", Record::new(user("a1"), loaded.id, true))
            .await
            .unwrap();
        ran("renew", &["UPDATE", "INSERT"]);
        let mut forged = value(&line).into_bytes();
        let n = forged.len() - 4;
        forged[n] = if forged[n] == b'A' { b'B' } else { b'A' };
        assert!(
            store
                .load("app", std::str::from_utf8(&forged).unwrap())
                .await
                .is_err()
        );
        assert!(store.load("app", "garbage").await.is_err());
        ran("forged", &[]);
        let id = store.load("app", &value(&line)).await.unwrap().id;
        ran("read", &["SELECT"]);
        store.destroy("app", id).await.unwrap();
        ran("destroy", &["WITH"]);
        assert_eq!(store.destroy_user("a1").await.unwrap(), 0);
        ran("log out everywhere", &["DELETE"]);
        assert!(store.sessions("a1").await.unwrap().is_empty());
        ran("sessions", &["SELECT"]);
    }

    #[tokio::test]
    #[ignore = "needs Postgres: .ci/postgres cargo test --all-features -- --ignored"]
    async fn cleanup_in_batches() {
        let table = format!("c_{}", tag());
        let backend = fresh(&table).await;
        backend.migrate().await.unwrap();
        for ttl in std::iter::repeat_n(0, 250).chain([600]) {
            let id = SessionId::random().unwrap();
            backend
                .write(&id, b"r".to_vec(), ttl, WriteMode::Create, Tags::default())
                .await
                .unwrap();
        }
        let at = log_len();
        assert_eq!(backend.cleanup(100).await.unwrap(), 250);
        std::thread::sleep(Duration::from_millis(100));
        // Three bounded statements (100, 100, 50), never one for all.
        assert_eq!(statements_on(&table, at), ["DELETE", "DELETE", "DELETE"]);
        let left: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {}", backend.table()))
            .fetch_one(backend.pool())
            .await
            .unwrap();
        assert_eq!(left, 1);
    }
}
