//! `RedisStore` (and `MemoryStore`) through the session layer and the axum
//! extractor, against a real Redis (see tests/common/redis.rs), in process
//! through `tower::ServiceExt::oneshot`: login, logout as revocation,
//! renewal, log out everywhere, short TTLs, concurrent requests of one
//! session, large values, bad cookies costing no command, the server down
//! (503) and back.

#[path = "common/oneshot.rs"]
mod oneshot;
#[path = "common/redis.rs"]
mod redis_common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{Response, StatusCode};
use axum::routing::get;
use oneshot::{call, text};
use redis_common::{OwnRedis, commands_since_reset, inspector, prefix, shared_url};
use securecookie::layer::{SessionHandle, SessionLayer};
use securecookie::{
    CookieConfig, CookieStore, Keys, MemoryStore, RedisBackend, RedisStore, ServerStore,
    SessionBackend,
};

const NAME: &str = "app";

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

async fn redis_store(url: &str, prefix: &str, config: CookieConfig) -> RedisStore {
    let backend = RedisBackend::connect(url, prefix).await.unwrap();
    ServerStore::with_backend(backend, config, [keys()])
        .unwrap()
        .user_key("user-id")
}

/// The demo's routes, plus what the tests need; the state is a clone of
/// the store, for "log out everywhere".
fn app<B: SessionBackend + Clone>(store: ServerStore<B>) -> Router {
    Router::new()
        .route("/untouched", get(|| async { "hello" }))
        .route(
            "/login",
            get(|s: SessionHandle| async move {
                s.set("user-id", "a1b2c3".to_string());
                s.renew();
            }),
        )
        .route(
            "/welcome",
            get(|s: SessionHandle| async move {
                s.get::<String>("user-id")
                    .map(|u| format!("Welcome {u}!"))
                    .ok_or(StatusCode::UNAUTHORIZED)
            }),
        )
        .route(
            "/logout",
            get(|s: SessionHandle| async move { s.destroy() }),
        )
        .route(
            "/note/{n}",
            get(
                |s: SessionHandle, axum::extract::Path(n): axum::extract::Path<String>| async move {
                    s.set(format!("note-{n}"), n.clone());
                    s.set("last", n);
                },
            ),
        )
        .route(
            "/notes",
            get(|s: SessionHandle| async move {
                (0..20)
                    .filter(|n| s.get::<String>(&format!("note-{n}")).is_some())
                    .count()
                    .to_string()
            }),
        )
        .route(
            "/big",
            get(|s: SessionHandle| async move { s.set("doc", "x".repeat(100_000)) }),
        )
        .route(
            "/big-len",
            get(|s: SessionHandle| async move {
                s.get::<String>("doc").map_or(0, |d| d.len()).to_string()
            }),
        )
        .route(
            "/password",
            get(
                |State(store): State<ServerStore<B>>, s: SessionHandle| async move {
                    let user: String = s.get("user-id").ok_or(StatusCode::UNAUTHORIZED)?;
                    let ended = store
                        .destroy_user(&user)
                        .await
                        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
                    Ok::<_, StatusCode>(ended.to_string())
                },
            ),
        )
        .layer(SessionLayer::new(store.clone(), NAME))
        .with_state(store)
}

/// The `name=value` of the response's one `Set-Cookie`, if any.
fn set_cookie(response: &Response<Body>) -> Option<String> {
    let lines: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
    assert!(lines.len() <= 1, "{lines:?}");
    let line = lines.first()?.to_str().unwrap();
    Some(line.split(';').next().unwrap().to_string())
}

async fn login(app: &Router) -> String {
    let response = call(app, "/login", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    set_cookie(&response).expect("login sets a cookie")
}

async fn status(app: &Router, path: &str, cookie: &str) -> StatusCode {
    call(app, path, Some(cookie)).await.status()
}

/// What every server-side store must do through the layer.
async fn lifecycle(app: &Router) {
    // Login, read, logout; the old cookie replayed is refused (revocation).
    let cookie = login(app).await;
    let response = call(app, "/welcome", Some(&cookie)).await;
    assert!(
        response.headers().get(SET_COOKIE).is_none(),
        "a read saves nothing"
    );
    assert_eq!(text(response).await, "Welcome a1b2c3!");
    let response = call(app, "/logout", Some(&cookie)).await;
    assert_eq!(cookie_of_logout(&response), "app=");
    assert_eq!(
        status(app, "/welcome", &cookie).await,
        StatusCode::UNAUTHORIZED
    );

    // Renew at login: the anonymous session's cookie stops working.
    let anonymous = cookie_of(call(app, "/note/1", None).await);
    let response = call(app, "/login", Some(&anonymous)).await;
    let logged_in = set_cookie(&response).unwrap();
    assert_ne!(logged_in, anonymous);
    assert_eq!(text(call(app, "/notes", Some(&logged_in)).await).await, "1");
    assert_eq!(text(call(app, "/notes", Some(&anonymous)).await).await, "0");

    // Log out everywhere: both devices of a1b2c3 are logged out.
    let other_device = login(app).await;
    let response = call(app, "/password", Some(&logged_in)).await;
    assert_eq!(text(response).await, "2");
    for c in [&logged_in, &other_device] {
        assert_eq!(status(app, "/welcome", c).await, StatusCode::UNAUTHORIZED);
    }

    // 100 KB in a session: fine on the server.
    let big = cookie_of(call(app, "/big", None).await);
    assert!(big.len() < 120);
    assert_eq!(
        text(call(app, "/big-len", Some(&big)).await).await,
        "100000"
    );
}

fn cookie_of(response: Response<Body>) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    set_cookie(&response).expect("a cookie")
}

/// The logout's expiring cookie, `name=` (empty value).
fn cookie_of_logout(response: &Response<Body>) -> String {
    let line = response.headers()[SET_COOKIE].to_str().unwrap();
    assert!(line.contains("Max-Age=0"), "{line}");
    line.split(';').next().unwrap().to_string()
}

#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn redis_through_the_layer() {
    let url = shared_url();
    let app = app(redis_store(&url, &prefix("layer"), CookieConfig::debug()).await);
    lifecycle(&app).await;
}

#[tokio::test]
async fn memory_through_the_layer() {
    let store = MemoryStore::new(CookieConfig::debug(), [keys()], 1000)
        .unwrap()
        .user_key("user-id");
    lifecycle(&app(store)).await;
}

#[tokio::test]
async fn a_cookie_store_cannot_hold_what_redis_can() {
    // The baseline the server-side stores exist for: 100 KB is a 500 there.
    let store = CookieStore::<String>::new(CookieConfig::debug(), [keys()]).unwrap();
    let app = Router::new()
        .route(
            "/big",
            get(|s: SessionHandle| async move { s.set("doc", "x".repeat(100_000)) }),
        )
        .layer(SessionLayer::new(store, NAME));
    assert_eq!(
        call(&app, "/big", None).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn short_ttls_end_sessions() {
    let url = shared_url();
    let config = CookieConfig {
        max_age: Some(1),
        ..CookieConfig::debug()
    };
    let app = app(redis_store(&url, &prefix("layer-ttl"), config).await);
    let cookie = login(&app).await;
    assert_eq!(status(&app, "/welcome", &cookie).await, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        status(&app, "/welcome", &cookie).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn concurrent_requests_of_one_session() {
    let url = shared_url();
    let app = app(redis_store(&url, &prefix("layer-race"), CookieConfig::debug()).await);
    let cookie = login(&app).await;

    // 20 requests, each adding its own note at once: each saves the whole
    // session it loaded, the last write wins. Every request succeeds, the
    // session stays readable, and holds the last writer's note.
    let mut tasks = Vec::new();
    for n in 0..20 {
        let (app, cookie) = (app.clone(), cookie.clone());
        tasks.push(tokio::spawn(async move {
            call(&app, &format!("/note/{n}"), Some(&cookie))
                .await
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let notes: usize = text(call(&app, "/notes", Some(&cookie)).await)
        .await
        .parse()
        .unwrap();
    assert!((1..=20).contains(&notes), "{notes}");
    assert_eq!(status(&app, "/welcome", &cookie).await, StatusCode::OK);

    // A logout racing writes: once the logout answered, the cookie is dead
    // for good; a write that lost the race clears its cookie (no 500).
    for _ in 0..10 {
        let cookie = login(&app).await;
        let mut tasks = Vec::new();
        for n in 0..5 {
            let (app, cookie) = (app.clone(), cookie.clone());
            tasks.push(tokio::spawn(async move {
                call(&app, &format!("/note/{n}"), Some(&cookie))
                    .await
                    .status()
            }));
        }
        call(&app, "/logout", Some(&cookie)).await;
        for t in tasks {
            assert_eq!(t.await.unwrap(), StatusCode::OK);
        }
        assert_eq!(
            status(&app, "/welcome", &cookie).await,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn bad_cookies_and_untouched_routes_send_no_command() {
    let redis = OwnRedis::start();
    let url = redis.url();
    let app = app(redis_store(&url, "s:", CookieConfig::debug()).await);
    let good = login(&app).await;
    let mut stats = inspector(&url).await;
    commands_since_reset(&mut stats).await;

    let mut tampered = good.clone().into_bytes();
    let at = tampered.len() - 5;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let foreign = {
        let other =
            CookieStore::<String>::new(CookieConfig::debug(), [Keys::new(&[1; 32], None).unwrap()])
                .unwrap();
        let id = securecookie::SessionId::random().unwrap();
        other
            .seal_id(NAME, &id)
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    for bad in ["app=garbage", "app=", &tampered, &foreign] {
        let response = call(&app, "/welcome", Some(bad)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{bad}");
        // The layer clears the bad cookie, without the backend.
        assert_eq!(cookie_of_logout(&response), "app=");
    }
    let response = call(&app, "/untouched", Some(&good)).await;
    assert_eq!(text(response).await, "hello");
    assert_eq!(commands_since_reset(&mut stats).await, []);

    // A read: one HGET. A logout: one HGET (the handler loads), one
    // script call (the delete, with the index entry and any forward; the
    // commands it runs inside the server are counted too; its first call on
    // this server also loads it: NOSCRIPT, SCRIPT LOAD, EVALSHA again).
    assert_eq!(status(&app, "/welcome", &good).await, StatusCode::OK);
    assert_eq!(commands_since_reset(&mut stats).await, [("hget".into(), 1)]);
    call(&app, "/logout", Some(&good)).await;
    let logout = commands_since_reset(&mut stats).await;
    let count = |name: &str| {
        logout
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, c)| *c)
    };
    let loads = count("script|load");
    assert_eq!(
        (count("hget"), count("evalsha") - loads),
        (1, 1),
        "{logout:?}"
    );
}

#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn redis_down_is_503_and_a_restart_heals() {
    let mut redis = OwnRedis::start();
    let app = app(redis_store(&redis.url(), "s:", CookieConfig::debug()).await);
    let cookie = login(&app).await;

    redis.stop();
    for _ in 0..3 {
        // Loading fails: the extractor answers 503; nothing panics.
        assert_eq!(
            status(&app, "/welcome", &cookie).await,
            StatusCode::SERVICE_UNAVAILABLE
        );
        // A new session cannot be saved: the layer's save failure, 503 too.
        let response = call(&app, "/login", None).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().get(SET_COOKIE).is_none());
        // Routes without sessions still work.
        assert_eq!(status(&app, "/untouched", &cookie).await, StatusCode::OK);
    }

    // Back (empty: no persistence): the next requests succeed once the
    // connection is re-established; the old session is gone (401).
    redis.restart();
    let mut fresh = None;
    for _ in 0..50 {
        let response = call(&app, "/login", None).await;
        if response.status() == StatusCode::OK {
            fresh = set_cookie(&response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let fresh = fresh.expect("no login succeeded after the restart");
    assert_eq!(status(&app, "/welcome", &fresh).await, StatusCode::OK);
    assert_eq!(
        status(&app, "/welcome", &cookie).await,
        StatusCode::UNAUTHORIZED
    );
}
