//! A serde struct in the session, per request through an axum router
//! (`tower::ServiceExt::oneshot`, no network, like `web.rs`), issue 17: a
//! route that reads a `User { id, name, roles }` from the session and one
//! that writes it (a login: no cookie in, a cookie out), with
//!
//! - `securecookie`: our `SessionLayer` + `SessionHandle::set`/`get` (the
//!   `serde` feature: MessagePack with field names) on a `CookieStore`
//!   (compact, AES-256-CTR + HMAC-SHA256);
//! - `tower_sessions_memory`: tower-sessions with its `MemoryStore` (the
//!   cookie holds an id; the values stay in the process, as JSON values);
//! - `tower_sessions_cookie`: tower-sessions with the cookie-only store of
//!   tower-sessions-cookie-store (private cookies, AES-256-GCM);
//! - `private_cookie_jar`: axum-extra's `PrivateCookieJar` (AES-256-GCM)
//!   holding `serde_json::to_string(&user)`;
//! - `private_cookie_jar_max_age_only`: the same jar without the `Expires`
//!   date (ours always writes one beside `Max-Age`, as Go's sessions do):
//!   less work than ours, shown beside the fair contestant.
//!
//! Same cookie attributes for all: name `id`, `Path=/`, 7 days,
//! `HttpOnly`, `Secure`, `SameSite=Lax` (our `CookieConfig::default()`),
//! and an `Expires` date beside `Max-Age` as ours writes, formatted per
//! request, except tower-sessions, which cannot be set to write one (it
//! does a little less work than ours), and the jar's max-age-only variant.
//!
//! ```text
//! cargo bench --manifest-path benches/Cargo.toml --bench serde_web
//! benches/instructions.sh serde_web SERDE_WEB_COUNT 2000 securecookie/read ...
//! ```
//!
//! `SERDE_WEB_COUNT=<contestant>/<route>:<n>` runs one route `n` times and
//! exits (count mode, benches/count/mod.rs), for valgrind.

use std::hint::black_box;

use axum::Router;
use axum::body::Body;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{Request, Response, StatusCode};
use axum::routing::get;
use criterion::{Criterion, criterion_group};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

mod count;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
    roles: Vec<String>,
}

/// The `User` of benches/values.rs (whose cookie lengths src/docs/values.md
/// tabulates).
fn user() -> User {
    User {
        id: 1_234_567,
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "editor".into()],
    }
}

const SEVEN_DAYS: i64 = 7 * 24 * 60 * 60;
const CONTESTANTS: [&str; 5] = [
    "securecookie",
    "tower_sessions_memory",
    "tower_sessions_cookie",
    "private_cookie_jar",
    "private_cookie_jar_max_age_only",
];

fn request(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

async fn send(router: &Router, path: &str, cookie: Option<&str>) -> Response<Body> {
    router.clone().oneshot(request(path, cookie)).await.unwrap()
}

fn securecookie() -> Router {
    use securecookie::layer::{SessionHandle, SessionLayer};
    use securecookie::{CookieConfig, CookieStore, Keys};
    let keys = Keys::new(&[7; 32], Some(&[9; 32])).unwrap();
    let store: CookieStore = CookieStore::new(CookieConfig::default(), [keys]).unwrap();
    Router::new()
        .route(
            "/read",
            get(|s: SessionHandle| async move {
                s.get::<User>("user").map(|u| u.name).unwrap_or_default()
            }),
        )
        .route(
            "/write",
            get(|s: SessionHandle| async move { s.set("user", user()) }),
        )
        .layer(SessionLayer::new(store, "id"))
}

/// tower-sessions' `Session` routes (the cookie store uses an older
/// tower-sessions-core: the same API, another type, hence a macro).
macro_rules! tower_sessions_routes {
    ($session:ty) => {
        Router::new()
            .route(
                "/read",
                get(|s: $session| async move {
                    s.get::<User>("user")
                        .await
                        .unwrap()
                        .map(|u| u.name)
                        .unwrap_or_default()
                }),
            )
            .route(
                "/write",
                get(|s: $session| async move { s.insert("user", user()).await.unwrap() }),
            )
    };
}

fn tower_sessions_memory() -> Router {
    use tower_sessions::cookie::SameSite;
    use tower_sessions::cookie::time::Duration;
    use tower_sessions::{Expiry, MemoryStore, Session, SessionManagerLayer};
    let layer = SessionManagerLayer::new(MemoryStore::default())
        .with_name("id")
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(Duration::seconds(SEVEN_DAYS)));
    tower_sessions_routes!(Session).layer(layer)
}

fn tower_sessions_cookie() -> Router {
    use tower_sessions_0_14::cookie::time::Duration;
    use tower_sessions_cookie_store::{
        CookieSessionConfig, CookieSessionManagerLayer, Expiry, Key, SameSite, Session,
    };
    let config = CookieSessionConfig::default()
        .with_name("id")
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(Duration::seconds(SEVEN_DAYS)));
    let layer = CookieSessionManagerLayer::private(Key::from(&[7; 64])).with_config(config);
    tower_sessions_routes!(Session).layer(layer)
}

/// The jar writing what ours writes, `Expires` included (the fair write).
fn private_cookie_jar() -> Router {
    private_cookie_jar_routes(true)
}

/// The jar without the `Expires` date ours adds: what an app that needs
/// only `Max-Age` would run (shown beside the fair write, not instead).
fn private_cookie_jar_max_age_only() -> Router {
    private_cookie_jar_routes(false)
}

fn private_cookie_jar_routes(expires: bool) -> Router {
    use axum_extra::extract::cookie::{Cookie, Key, PrivateCookieJar, SameSite};
    use tower_sessions::cookie::time::{Duration, OffsetDateTime};
    Router::new()
        .route(
            "/read",
            get(|jar: PrivateCookieJar| async move {
                jar.get("id")
                    .and_then(|c| serde_json::from_str::<User>(c.value()).ok())
                    .map(|u| u.name)
                    .unwrap_or_default()
            }),
        )
        .route(
            "/write",
            get(move |jar: PrivateCookieJar| async move {
                let value = serde_json::to_string(&user()).unwrap();
                let mut cookie = Cookie::build(("id", value))
                    .path("/")
                    .max_age(Duration::seconds(SEVEN_DAYS))
                    .http_only(true)
                    .secure(true)
                    .same_site(SameSite::Lax);
                if expires {
                    cookie =
                        cookie.expires(OffsetDateTime::now_utc() + Duration::seconds(SEVEN_DAYS));
                }
                jar.add(cookie)
            }),
        )
        .with_state(Key::from(&[7; 64]))
}

fn router(name: &str) -> Router {
    match name {
        "securecookie" => securecookie(),
        "tower_sessions_memory" => tower_sessions_memory(),
        "tower_sessions_cookie" => tower_sessions_cookie(),
        "private_cookie_jar" => private_cookie_jar(),
        "private_cookie_jar_max_age_only" => private_cookie_jar_max_age_only(),
        other => panic!("unknown contestant {other}"),
    }
}

/// A contestant's routes, and the cookie its write route set.
struct App {
    router: Router,
    cookie: String,
}

/// Logs in once for a cookie and checks that each route does what its
/// name says: the write sets a cookie with the same attributes as ours,
/// the read gets the `User` back.
async fn app(name: &str) -> App {
    // What `axum::serve` does once (see web.rs).
    let router = router(name).with_state(());
    let login = send(&router, "/write", None).await;
    assert_eq!(login.status(), StatusCode::OK, "{name}: write");
    let line = login.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let (cookie, attributes) = line.split_once(';').unwrap();
    let mut attributes: Vec<String> = attributes
        .split(';')
        .map(|a| a.trim().to_ascii_lowercase())
        // Expires repeats Max-Age as a date, formatted per request: ours
        // and the jar write both, tower-sessions only Max-Age (checked
        // below).
        .filter(|a| !a.starts_with("expires="))
        // tower-sessions computes Max-Age from an expiry date: a second
        // may have passed.
        .map(|a| match a.as_str() {
            "max-age=604799" => "max-age=604800".to_string(),
            _ => a,
        })
        .collect();
    attributes.sort();
    assert_eq!(
        attributes,
        [
            "httponly",
            "max-age=604800",
            "path=/",
            "samesite=lax",
            "secure"
        ],
        "{name}: the same cookie attributes as ours ({line})"
    );
    let expires = line.to_ascii_lowercase().contains("; expires=");
    assert_eq!(
        expires,
        !name.starts_with("tower_sessions") && !name.ends_with("max_age_only"),
        "{name}: an Expires date as ours, unless the crate cannot write one ({line})"
    );
    assert!(cookie.starts_with("id="), "{name}: cookie `id`");
    let read = send(&router, "/read", Some(cookie)).await;
    let body = axum::body::to_bytes(read.into_body(), 1024).await.unwrap();
    assert_eq!(&body[..], user().name.as_bytes(), "{name}: read");
    App {
        router,
        cookie: cookie.to_string(),
    }
}

fn serde_web(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let apps = CONTESTANTS.map(|name| (name, runtime.block_on(app(name))));
    for route in ["read", "write"] {
        let mut group = c.benchmark_group(format!("serde_web/{route}"));
        for (name, app) in &apps {
            let cookie = (route == "read").then_some(app.cookie.as_str());
            let path = format!("/{route}");
            group.bench_function(*name, |b| {
                b.to_async(&runtime)
                    .iter(|| async { black_box(send(&app.router, &path, cookie).await) });
            });
        }
        group.finish();
    }
}

/// Count mode: `SERDE_WEB_COUNT=<contestant>/<route>:<n>`.
fn count(which: &str, n: u64) {
    let (name, route) = which
        .split_once('/')
        .expect("SERDE_WEB_COUNT=<contestant>/<route>:<n>");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let app = runtime.block_on(app(name));
    let cookie = (route == "read").then_some(app.cookie.as_str());
    let path = format!("/{route}");
    runtime.block_on(async {
        for _ in 0..n {
            black_box(send(&app.router, &path, cookie).await);
        }
    });
}

criterion_group!(benches, serde_web);

fn main() {
    if let Some((which, n)) = count::requested("SERDE_WEB_COUNT") {
        count(&which, n);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
