//! Server-side sessions in Redis, per request through an axum router
//! (`tower::ServiceExt::oneshot`, in process; the store talks to a real
//! Redis on loopback): our `SessionLayer` + `RedisStore` against
//! tower-sessions + tower-sessions-redis-store, the same Redis, one run.
//!
//! - `read`: a logged-in request whose handler reads `user-id`;
//! - `write`: one that sets a value (the session is loaded, then saved);
//! - `forged`: a well-formed cookie naming no session (ours fails its MAC
//!   before Redis; tower-sessions' ids are not signed, so it asks Redis).
//!
//! Before timing, the Redis commands per request of each case are counted
//! (`INFO commandstats`) and printed: the round-trip table.
//!
//! Needs `SECURECOOKIE_REDIS_URL` (run through `.ci/redis`):
//!
//! ```text
//! .ci/redis cargo bench --manifest-path benches/Cargo.toml --bench redis
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use securecookie::layer::{SessionHandle, SessionLayer};
use securecookie::{CookieConfig, Keys, RedisStore};
use tower::ServiceExt;
use tower_sessions_0_14::{Session, SessionManagerLayer};
use tower_sessions_redis_store::RedisStore as TsRedisStore;
use tower_sessions_redis_store::fred::prelude::{ClientLike, Config};

fn url() -> String {
    std::env::var("SECURECOOKIE_REDIS_URL")
        .expect("SECURECOOKIE_REDIS_URL: run through .ci/redis (a real Redis on loopback)")
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn ours(store: RedisStore) -> Router {
    Router::new()
        .route(
            "/login",
            get(|s: SessionHandle| async move { s.set("user-id", "a1b2c3".to_string()) }),
        )
        .route(
            "/read",
            get(|s: SessionHandle| async move { s.get::<String>("user-id").unwrap_or_default() }),
        )
        .route(
            "/write",
            get(|s: SessionHandle| async move {
                s.set("n", COUNTER.fetch_add(1, Ordering::Relaxed));
            }),
        )
        .layer(SessionLayer::new(store, "id"))
}

fn theirs<C>(store: TsRedisStore<C>) -> Router
where
    C: tower_sessions_redis_store::fred::prelude::KeysInterface
        + Send
        + Sync
        + std::fmt::Debug
        + Clone
        + 'static,
{
    Router::new()
        .route(
            "/login",
            get(|s: Session| async move {
                s.insert("user-id", "a1b2c3").await.unwrap();
            }),
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
        .route(
            "/write",
            get(|s: Session| async move {
                s.insert("n", COUNTER.fetch_add(1, Ordering::Relaxed))
                    .await
                    .unwrap();
            }),
        )
        .layer(SessionManagerLayer::new(store).with_secure(false))
}

async fn call(app: &Router, path: &str, cookie: &str) -> axum::http::Response<Body> {
    let request = Request::get(path)
        .header(COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response
}

/// Logs in; returns the `id=...` cookie.
async fn login(app: &Router) -> String {
    let response = call(app, "/login", "x=y").await;
    let line = response.headers()[SET_COOKIE].to_str().unwrap();
    line.split(';').next().unwrap().to_string()
}

/// A well-formed cookie of the same shape naming no session: for ours, a
/// character changed (fails the MAC); for tower-sessions, another id.
fn forged(cookie: &str, theirs: bool) -> String {
    if theirs {
        // tower-sessions ids: base64url of an i128, 22 characters.
        return "id=AAAAAAAAAAAAAAAAAAAAAA".to_string();
    }
    let mut bytes = cookie.as_bytes().to_vec();
    let at = bytes.len() - 5;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// Redis commands (by name) run since the last call.
async fn commands(conn: &mut redis::aio::MultiplexedConnection) -> Vec<(String, u64)> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(conn)
        .await
        .unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async(conn)
        .await
        .unwrap();
    info.lines()
        .filter_map(|l| l.strip_prefix("cmdstat_"))
        .filter_map(|l| {
            let (name, stats) = l.split_once(':')?;
            let calls = stats.split(',').find_map(|kv| kv.strip_prefix("calls="))?;
            (name != "info" && !name.starts_with("config"))
                .then(|| (name.to_string(), calls.parse().unwrap()))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let url = url();
    let keys = Keys::new(&[7; 32], Some(&[9; 32])).unwrap();
    let (apps, mut stats) = runtime.block_on(async {
        let store = RedisStore::open(&url, CookieConfig::debug(), [keys])
            .await
            .unwrap();
        let client = tower_sessions_redis_store::fred::prelude::Client::new(
            Config::from_url(&url).unwrap(),
            None,
            None,
            None,
        );
        client.init().await.unwrap();
        let stats = redis::Client::open(url.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        (
            [
                ("securecookie", ours(store)),
                ("tower-sessions", theirs(TsRedisStore::new(client))),
            ],
            stats,
        )
    });

    // The round-trip table, from 100 requests of each case.
    let mut cookies = Vec::new();
    println!("Redis commands per request (INFO commandstats, 100 requests each):");
    for (name, app) in &apps {
        let cookie = runtime.block_on(login(app));
        let forged = forged(&cookie, *name == "tower-sessions");
        for (case, path, cookie) in [
            ("read", "/read", &cookie),
            ("write", "/write", &cookie),
            ("forged", "/read", &forged),
        ] {
            let per_request = runtime.block_on(async {
                commands(&mut stats).await;
                for _ in 0..100 {
                    call(app, path, cookie).await;
                }
                commands(&mut stats).await
            });
            let total: u64 = per_request.iter().map(|(_, n)| n).sum();
            let names: Vec<String> = per_request
                .iter()
                .map(|(n, k)| format!("{n} {:.2}", *k as f64 / 100.0))
                .collect();
            println!(
                "  {name:15} {case:7} {:.2}  ({})",
                total as f64 / 100.0,
                names.join(", ")
            );
        }
        cookies.push((cookie, forged));
    }

    // Interleaved A/B: on a shared machine the load drifts within seconds,
    // so blocks of 200 requests alternate between the two and the median
    // block is compared (criterion's groups below run one after the other).
    let quick = std::env::args().any(|a| a == "--test");
    if !quick {
        println!("Interleaved medians (21 blocks of 200 requests each side):");
    }
    for case in ["read", "write", "forged"].into_iter().filter(|_| !quick) {
        let mut means = [Vec::new(), Vec::new()];
        for _ in 0..21 {
            for (side, ((_, app), (cookie, forged))) in apps.iter().zip(&cookies).enumerate() {
                let (path, cookie) = match case {
                    "read" => ("/read", cookie),
                    "write" => ("/write", cookie),
                    _ => ("/read", forged),
                };
                let start = std::time::Instant::now();
                runtime.block_on(async {
                    for _ in 0..200 {
                        call(app, path, cookie).await;
                    }
                });
                means[side].push(start.elapsed().as_secs_f64() * 1e6 / 200.0);
            }
        }
        for m in &mut means {
            m.sort_by(f64::total_cmp);
        }
        let (ours, theirs) = (means[0][10], means[1][10]);
        println!(
            "  {case:7} securecookie {ours:7.1} us, tower-sessions {theirs:7.1} us: {:.2}x faster",
            theirs / ours
        );
    }

    for case in ["read", "write", "forged"] {
        let mut group = c.benchmark_group(format!("redis/{case}"));
        for ((name, app), (cookie, forged)) in apps.iter().zip(&cookies) {
            let (path, cookie) = match case {
                "read" => ("/read", cookie),
                "write" => ("/write", cookie),
                _ => ("/read", forged),
            };
            group.bench_function(*name, |b| {
                b.to_async(&runtime).iter(|| call(app, path, cookie));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
