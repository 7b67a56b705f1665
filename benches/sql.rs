//! Server-side sessions in SQL, per request through an axum router
//! (`tower::ServiceExt::oneshot`, in process, like `web.rs`): our
//! `SessionLayer` on `SqliteStore` / `PostgresStore` against tower-sessions
//! with tower-sessions-sqlx-store, on the same SQLite file and the same
//! Postgres, in one run (issue 18). Both contestants get the same routes
//! and the same cookie attributes (`id`, `Path=/`, 7 days, `HttpOnly`,
//! `Secure`, `SameSite=Lax`), and share one sqlx pool per database, as an
//! app would.
//!
//! - `read`: a logged-in request whose handler reads `user-id`;
//! - `write`: a login: no cookie in, `user-id` set, a new cookie out (a new
//!   row);
//! - `forged`: a well-formed cookie naming no session (ours fails its MAC
//!   before the database; tower-sessions' ids are not signed, so it asks).
//!
//! Before timing, the statements per request of each case are counted and
//! printed ("queries per request"):
//! - Postgres: by the server, from its statement log (`.ci/postgres` runs it
//!   with `log_statement = 'all'` and exports the log's path): every
//!   statement of either contestant, `BEGIN`/`COMMIT` included. The log is
//!   switched off (`ALTER SYSTEM`) while criterion times, and back on after.
//! - SQLite: from sqlx's own statement log (the `sqlx::query` tracing
//!   events, counted by a subscriber here). sqlx does not log the `BEGIN`
//!   and `COMMIT` of a transaction on SQLite, so a transaction shows as its
//!   statements only; the Postgres column shows the same code's
//!   transactions.
//!
//! Ours must run no statement for a forged cookie: asserted.
//!
//! Without `SECURECOOKIE_POSTGRES_URL` the Postgres contestants are left
//! out, loudly. One command for both databases:
//!
//! ```text
//! .ci/postgres cargo bench --manifest-path benches/Cargo.toml --bench sql
//! ```

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{Request, Response, StatusCode};
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use securecookie::layer::{SessionHandle, SessionLayer};
use securecookie::{CookieConfig, Keys, PostgresBackend, ServerStore, SqliteBackend};
use tower::ServiceExt;
use tower_sessions_0_14::cookie::SameSite;
use tower_sessions_0_14::cookie::time::Duration as CookieDuration;
use tower_sessions_0_14::{Expiry, Session, SessionManagerLayer, SessionStore as TheirStore};

const USER: &str = "a1b2c3";
const TABLE: &str = "securecookie_sessions";

/// Counts sqlx's `sqlx::query` events (one per statement it runs) while
/// `COUNTING` is on; off, sqlx sees the target disabled and logs nothing.
struct CountQueries;

static COUNTING: AtomicBool = AtomicBool::new(false);
static QUERIES: AtomicUsize = AtomicUsize::new(0);

impl tracing::Subscriber for CountQueries {
    fn register_callsite(
        &self,
        metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if metadata.target() == "sqlx::query" {
            // Asked again on every event: counting is switched on and off.
            tracing::subscriber::Interest::sometimes()
        } else {
            tracing::subscriber::Interest::never()
        }
    }
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query" && COUNTING.load(Ordering::SeqCst)
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() == "sqlx::query" {
            QUERIES.fetch_add(1, Ordering::SeqCst);
            if std::env::var_os("SQL_BENCH_STATEMENTS").is_some() {
                // Which statements: `SQL_BENCH_STATEMENTS=1` prints each.
                struct Print;
                impl tracing::field::Visit for Print {
                    fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                        if f.name() == "summary" || f.name() == "db.statement" {
                            eprintln!("    sqlx: {}={v:?}", f.name());
                        }
                    }
                }
                event.record(&mut Print);
            }
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

fn ours(backend: impl securecookie::SessionBackend) -> Router {
    let store = ServerStore::with_backend(backend, CookieConfig::default(), [keys()]).unwrap();
    Router::new()
        .route(
            "/write",
            get(|s: SessionHandle| async move { s.set("user-id", USER.to_string()) }),
        )
        .route(
            "/read",
            get(|s: SessionHandle| async move { s.get::<String>("user-id").unwrap_or_default() }),
        )
        .layer(SessionLayer::new(store, "id"))
        .with_state(())
}

fn theirs<S: TheirStore + Clone>(store: S) -> Router {
    // tower-sessions' defaults are `id`, `Path=/`, `HttpOnly`, `Secure`,
    // `SameSite=Strict` and a browser-session cookie: set to ours.
    let layer = SessionManagerLayer::new(store)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(CookieDuration::days(7)));
    Router::new()
        .route(
            "/write",
            get(|s: Session| async move { s.insert("user-id", USER).await.unwrap() }),
        )
        .route(
            "/read",
            get(|s: Session| async move {
                s.get::<String>("user-id")
                    .await
                    .unwrap()
                    .unwrap_or_default()
            }),
        )
        .layer(layer)
        .with_state(())
}

async fn send(router: &Router, path: &str, cookie: Option<&str>) -> Response<Body> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let request = request.body(Body::empty()).unwrap();
    router.clone().oneshot(request).await.unwrap()
}

/// One contestant on one database, with the cookies its cases send.
struct Contestant {
    name: String,
    router: Router,
    /// A logged-in session's cookie (`id=...`).
    cookie: String,
    /// A well-formed cookie that names no session.
    forged: String,
}

impl Contestant {
    /// Logs in once, and checks that each case does what its name says (a
    /// benchmark of a broken route measures nothing).
    async fn new(name: &str, router: Router) -> Self {
        let login = send(&router, "/write", None).await;
        assert_eq!(login.status(), StatusCode::OK, "{name}: login");
        let line = login.headers()[SET_COOKIE].to_str().unwrap();
        let cookie = line.split(';').next().unwrap().to_string();
        let forged = if name.starts_with("securecookie") {
            // Ours: one character of a real cookie changed (fails the MAC).
            let mut bytes = cookie.clone().into_bytes();
            let at = bytes.len() - 5;
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            String::from_utf8(bytes).unwrap()
        } else {
            // Theirs: an id of the right shape (128 bits, base64) that no
            // row has.
            "id=AAAAAAAAAAAAAAAAAAAAAA".to_string()
        };
        let contestant = Contestant {
            name: name.to_string(),
            router,
            cookie,
            forged,
        };
        for case in ["read", "write", "forged"] {
            let response = contestant.send(case).await;
            assert_eq!(response.status(), StatusCode::OK, "{name} {case}");
            let sets = response.headers().contains_key(SET_COOKIE);
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .unwrap();
            match case {
                "read" => assert_eq!(&body[..], USER.as_bytes(), "{name}: read"),
                "write" => assert!(sets, "{name}: a login sets a cookie"),
                _ => assert!(body.is_empty(), "{name}: a forged cookie reads nothing"),
            }
        }
        contestant
    }

    fn send(&self, case: &str) -> impl Future<Output = Response<Body>> + '_ {
        let (path, cookie) = match case {
            "read" => ("/read", Some(self.cookie.as_str())),
            "write" => ("/write", None),
            _ => ("/read", Some(self.forged.as_str())),
        };
        send(&self.router, path, cookie)
    }
}

/// The SQLite file, in a folder of its own that is removed at the end.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn sqlite(dir: &TempDir) -> Vec<Contestant> {
    let path = dir.0.join("sessions.db");
    // Our `open`: WAL, busy timeout, synchronous = NORMAL; its pool is the
    // app's pool, which tower-sessions' store gets too.
    let backend = SqliteBackend::open(path.to_str().unwrap()).await.unwrap();
    backend.migrate().await.unwrap();
    let their_store = tower_sessions_sqlx_store::SqliteStore::new(backend.pool().clone());
    their_store.migrate().await.unwrap();
    vec![
        Contestant::new("securecookie/sqlite", ours(backend)).await,
        Contestant::new("tower_sessions/sqlite", theirs(their_store)).await,
    ]
}

/// The Postgres server's statement log: where it is, and how to switch it.
struct ServerLog {
    path: PathBuf,
    pool: sqlx::PgPool,
}

impl ServerLog {
    async fn set(&self, level: &str) {
        // Two round trips: ALTER SYSTEM refuses to share one (a transaction).
        for sql in [
            format!("ALTER SYSTEM SET log_statement = '{level}'"),
            "SELECT pg_reload_conf()".to_string(),
        ] {
            sqlx::raw_sql(&sql)
                .execute(&self.pool)
                .await
                .expect("ALTER SYSTEM (the URL's user must be a superuser, as .ci/postgres's is)");
        }
        // Backends read the new setting between statements, soon after.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    fn len(&self) -> u64 {
        std::fs::metadata(&self.path).unwrap().len()
    }

    /// Statements logged since byte `from`: lines `<pid> LOG:  statement: `
    /// (simple protocol, e.g. `BEGIN`) and `<pid> LOG:  execute <name>: `
    /// (prepared statements).
    fn statements_since(&self, from: u64) -> usize {
        let log = std::fs::read(&self.path).unwrap();
        String::from_utf8_lossy(&log[from as usize..])
            .lines()
            .filter(|l| l.contains(" LOG:  statement: ") || l.contains(" LOG:  execute "))
            .count()
    }
}

async fn postgres() -> (Vec<Contestant>, Option<ServerLog>) {
    let Ok(url) = std::env::var("SECURECOOKIE_POSTGRES_URL") else {
        eprintln!();
        eprintln!("!!! sql.rs: SECURECOOKIE_POSTGRES_URL is not set: the Postgres contestants");
        eprintln!("!!! are LEFT OUT of this run. For both databases, run it through .ci/postgres:");
        eprintln!("!!!   .ci/postgres cargo bench --manifest-path benches/Cargo.toml --bench sql");
        eprintln!();
        return (Vec::new(), None);
    };
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    // Fresh tables: rows of an earlier run would make the reads slower.
    sqlx::raw_sql(&format!(
        "DROP TABLE IF EXISTS {TABLE}; DROP SCHEMA IF EXISTS tower_sessions CASCADE"
    ))
    .execute(&pool)
    .await
    .unwrap();
    let backend = PostgresBackend::new(pool.clone(), "public", TABLE).unwrap();
    backend.migrate().await.unwrap();
    let their_store = tower_sessions_sqlx_store::PostgresStore::new(pool.clone());
    their_store.migrate().await.unwrap();
    let log = match std::env::var("SECURECOOKIE_POSTGRES_LOG") {
        Ok(path) => Some(ServerLog {
            path: path.into(),
            pool: pool.clone(),
        }),
        Err(_) => {
            eprintln!(
                "sql.rs: SECURECOOKIE_POSTGRES_LOG is not set: Postgres statements are \
                 counted from sqlx's log only (run through .ci/postgres for the server's)"
            );
            None
        }
    };
    let contestants = vec![
        Contestant::new("securecookie/postgres", ours(backend)).await,
        Contestant::new("tower_sessions/postgres", theirs(their_store)).await,
    ];
    (contestants, log)
}

const COUNTED: usize = 50;

/// Prints the statements per request of each case, by sqlx's log and (on
/// Postgres) by the server's, and checks ours runs none for a forged cookie.
async fn count(contestants: &[Contestant], log: Option<&ServerLog>) {
    if let Some(log) = log {
        log.set("all").await;
    }
    println!("queries per request (mean of {COUNTED} requests each):");
    println!(
        "  {:26} {:7} {:>16} {:>16}",
        "contestant", "case", "sqlx's log", "server's log"
    );
    for contestant in contestants {
        for case in ["read", "write", "forged"] {
            // Outside the count: statements prepared, and the pool grown to
            // its working size (each new SQLite connection runs its PRAGMAs:
            // a cost of the pool, not of a request).
            for _ in 0..COUNTED {
                contestant.send(case).await;
            }
            let postgres = contestant.name.ends_with("postgres");
            let at = log.filter(|_| postgres).map(|log| log.len());
            QUERIES.store(0, Ordering::SeqCst);
            COUNTING.store(true, Ordering::SeqCst);
            for _ in 0..COUNTED {
                contestant.send(case).await;
            }
            COUNTING.store(false, Ordering::SeqCst);
            let by_sqlx = QUERIES.load(Ordering::SeqCst) as f64 / COUNTED as f64;
            let by_server = match (log, at) {
                (Some(log), Some(at)) => {
                    // Each backend writes its line before it answers; the
                    // wait is for the file system, not the server.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    format!("{:.2}", log.statements_since(at) as f64 / COUNTED as f64)
                }
                _ => "-".to_string(),
            };
            println!(
                "  {:26} {case:7} {by_sqlx:>16.2} {by_server:>16}",
                contestant.name
            );
            if contestant.name.starts_with("securecookie") && case == "forged" {
                assert_eq!(
                    by_sqlx, 0.0,
                    "{}: a forged cookie costs no query",
                    contestant.name
                );
                if let Some(log) = log.filter(|_| postgres) {
                    assert_eq!(log.statements_since(at.unwrap()), 0, "{}", contestant.name);
                }
            }
        }
    }
    if log.is_some() {
        println!(
            "  (sqlx does not log BEGIN/COMMIT on SQLite; the server's log has every statement)"
        );
    }
    if let Some(log) = log {
        // Off while criterion times: writing the log is not the contestants' cost.
        log.set("none").await;
    }
}

/// Same-run ratios, robust to a shared machine's load: blocks of requests
/// alternate between the two contestants of a database, the median block
/// of each is compared.
async fn interleaved(contestants: &[Contestant]) {
    const BLOCKS: usize = 21;
    const REQUESTS: u32 = 50;
    println!("interleaved medians ({BLOCKS} alternating blocks of {REQUESTS} requests):");
    for pair in contestants.chunks(2) {
        for case in ["read", "write", "forged"] {
            let mut times = [Vec::new(), Vec::new()];
            for block in 0..BLOCKS {
                // ABBA: who goes first alternates, so that neither always
                // follows the other.
                for side in [block % 2, 1 - block % 2] {
                    let contestant = &pair[side];
                    let start = Instant::now();
                    for _ in 0..REQUESTS {
                        contestant.send(case).await;
                    }
                    times[side].push(start.elapsed() / REQUESTS);
                }
            }
            for side in &mut times {
                side.sort();
            }
            let (ours, theirs) = (times[0][BLOCKS / 2], times[1][BLOCKS / 2]);
            println!(
                "  {:26} {case:7} ours {:>9.1?}  tower-sessions {:>9.1?}  theirs/ours {:.2}",
                pair[0].name,
                ours,
                theirs,
                theirs.as_secs_f64() / ours.as_secs_f64()
            );
        }
    }
}

fn sql(c: &mut Criterion) {
    tracing::subscriber::set_global_default(CountQueries).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = TempDir(std::env::temp_dir().join(format!("sql-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let (contestants, log) = runtime.block_on(async {
        let mut contestants = sqlite(&dir).await;
        let (postgres, log) = postgres().await;
        contestants.extend(postgres);
        (contestants, log)
    });
    runtime.block_on(count(&contestants, log.as_ref()));
    let quick = std::env::args().any(|a| a == "--test");
    if !quick {
        runtime.block_on(interleaved(&contestants));
    }
    for case in ["read", "write", "forged"] {
        let mut group = c.benchmark_group(format!("sql/{case}"));
        for contestant in &contestants {
            group.bench_function(contestant.name.replace('/', "_"), |b| {
                b.to_async(&runtime).iter(|| contestant.send(case));
            });
        }
        group.finish();
    }
    if let Some(log) = &log {
        // As .ci/postgres left it, for whatever runs after us.
        runtime.block_on(log.set("all"));
    }
}

criterion_group!(benches, sql);
criterion_main!(benches);
