//! Sessions per request, the way an axum app pays for them: one request
//! through a `Router` with `tower::ServiceExt::oneshot` (no network), for
//! a route that reads the session, one that writes it, and one that never
//! touches it, with
//!
//! - `securecookie`: our `SessionLayer` + `SessionHandle` on a `CookieStore`
//!   (compact, AES-256-CTR + HMAC-SHA256);
//! - `securecookie_memory`: the same layer on our `MemoryStore` (the cookie
//!   holds a sealed id; the values stay in the process);
//! - `private_cookie_jar`: axum-extra's `PrivateCookieJar` (AES-256-GCM),
//!   its cookie as `Cookie::new` makes it (no attributes at all);
//! - `private_cookie_jar_same_attributes`: the same jar writing the
//!   attributes our `CookieConfig::default()` writes (`Path=/`, `Max-Age`
//!   and `Expires` of 7 days, `HttpOnly`, `Secure`, `SameSite=Lax`): the
//!   same work as ours;
//! - `tower_sessions_cookie`: tower-sessions with the cookie-only store of
//!   tower-sessions-cookie-store (private cookies, AES-256-GCM);
//! - `tower_sessions_memory`: tower-sessions with its `MemoryStore` (the
//!   cookie holds an id; the values stay in the process);
//!
//! and `no_layer`: the untouched route without any session layer, the
//! baseline an untouched session must stay within 5% of; `identity_layer`:
//! the same under a layer that does nothing (axum's cost of any layer).
//!
//! axum is built with its default features, as apps use it (its
//! `matched-path` and `original-uri` extensions are then in every
//! request, as in a real server).
//!
//! ```text
//! cargo bench --manifest-path benches/Cargo.toml --bench web
//! ```

use std::hint::black_box;

use axum::Router;
use axum::body::Body;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{Request, Response};
use axum::routing::get;
use criterion::{Criterion, criterion_group};
use tower::ServiceExt;

const USER: &str = "a1b2c3";

/// The three routes of one contestant, and a cookie its write route set.
pub(crate) struct App {
    pub(crate) router: Router,
    pub(crate) cookie: String,
}

fn request(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

pub(crate) async fn send(router: &Router, path: &str, cookie: Option<&str>) -> Response<Body> {
    router.clone().oneshot(request(path, cookie)).await.unwrap()
}

/// Builds the app, logs in once for a cookie, and checks that each route
/// does what its name says (a benchmark of a broken route measures
/// nothing).
///
/// `with_state(())` is what `axum::serve` does to a router once: it turns
/// the handlers into routes, with their layers, up front, instead of on
/// every request of a `Router` called directly.
pub(crate) async fn app(router: Router) -> App {
    let router = router.with_state(());
    let login = send(&router, "/write", None).await;
    assert!(login.status().is_success());
    let cookie = login
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    assert!(!cookie.is_empty(), "the write route sets a cookie");
    let read = send(&router, "/read", Some(&cookie)).await;
    let body = axum::body::to_bytes(read.into_body(), 1024).await.unwrap();
    assert_eq!(&body[..], USER.as_bytes(), "the read route reads it back");
    let untouched = send(&router, "/untouched", Some(&cookie)).await;
    assert!(untouched.headers().get(SET_COOKIE).is_none());
    App { router, cookie }
}

async fn untouched() -> &'static str {
    "hello"
}

fn securecookie() -> Router {
    use securecookie::layer::SessionLayer;
    use securecookie::{CookieConfig, CookieStore, Keys};
    let keys = Keys::new(&[7; 32], Some(&[9; 32])).unwrap();
    let store = CookieStore::<String>::new(CookieConfig::default(), [keys]).unwrap();
    securecookie_routes().layer(SessionLayer::new(store, "s"))
}

/// Our layer on our `MemoryStore`: room for every login a benchmark run
/// makes (a full store would answer 503 and measure that instead).
fn securecookie_memory() -> Router {
    use securecookie::layer::SessionLayer;
    use securecookie::{CookieConfig, Keys, MemoryStore};
    let keys = Keys::new(&[7; 32], Some(&[9; 32])).unwrap();
    let store = MemoryStore::new(CookieConfig::default(), [keys], 50_000_000).unwrap();
    securecookie_routes().layer(SessionLayer::new(store, "s"))
}

/// Our routes, without the layer: the baseline of the untouched route.
fn securecookie_routes() -> Router {
    use securecookie::layer::SessionHandle;
    Router::new()
        .route(
            "/read",
            get(|s: SessionHandle| async move { s.get::<String>("user-id").unwrap_or_default() }),
        )
        .route(
            "/write",
            get(|s: SessionHandle| async move { s.set("user-id", USER.to_string()) }),
        )
        .route("/untouched", get(untouched))
}

/// Our routes under a layer that does nothing: what axum's `Router::layer`
/// charges for any layer (a clone and a boxed future per request).
fn identity_layer() -> Router {
    securecookie_routes().layer(tower::layer::util::Identity::new())
}

fn private_cookie_jar() -> Router {
    use axum_extra::extract::cookie::Cookie;
    private_cookie_jar_routes(|| Cookie::new("user-id", USER))
}

/// The jar writing what our `CookieConfig::default()` writes: the write
/// route's fair contestant (`Expires` is formatted per request, as ours).
fn private_cookie_jar_same_attributes() -> Router {
    use axum_extra::extract::cookie::{Cookie, SameSite};
    use cookie::time::{Duration, OffsetDateTime};
    const WEEK: i64 = 7 * 24 * 60 * 60;
    private_cookie_jar_routes(|| {
        Cookie::build(("user-id", USER))
            .path("/")
            .max_age(Duration::seconds(WEEK))
            .expires(OffsetDateTime::now_utc() + Duration::seconds(WEEK))
            .http_only(true)
            .secure(true)
            .same_site(SameSite::Lax)
            .build()
    })
}

/// The jar's routes; its write route adds `cookie()`.
fn private_cookie_jar_routes(
    cookie: fn() -> axum_extra::extract::cookie::Cookie<'static>,
) -> Router {
    use axum_extra::extract::cookie::{Key, PrivateCookieJar};
    Router::new()
        .route(
            "/read",
            get(|jar: PrivateCookieJar| async move {
                jar.get("user-id")
                    .map(|c| c.value().to_string())
                    .unwrap_or_default()
            }),
        )
        .route(
            "/write",
            get(move |jar: PrivateCookieJar| async move { jar.add(cookie()) }),
        )
        .route("/untouched", get(untouched))
        .with_state(Key::from(&[7; 64]))
}

/// The routes on tower-sessions' `Session` (the cookie store uses an older
/// tower-sessions-core: the same API, another type, hence a macro).
macro_rules! tower_sessions_routes {
    ($session:ty) => {
        Router::new()
            .route(
                "/read",
                get(|s: $session| async move {
                    s.get::<String>("user-id")
                        .await
                        .unwrap()
                        .unwrap_or_default()
                }),
            )
            .route(
                "/write",
                get(|s: $session| async move { s.insert("user-id", USER).await.unwrap() }),
            )
            .route("/untouched", get(untouched))
    };
}

fn tower_sessions_cookie() -> Router {
    use tower_sessions_cookie_store::{CookieSessionManagerLayer, Key, Session};
    tower_sessions_routes!(Session).layer(CookieSessionManagerLayer::private(Key::from(&[7; 64])))
}

fn tower_sessions_memory() -> Router {
    use tower_sessions::{MemoryStore, Session, SessionManagerLayer};
    tower_sessions_routes!(Session).layer(SessionManagerLayer::new(MemoryStore::default()))
}

fn web(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let apps = [
        ("securecookie", securecookie()),
        ("securecookie_memory", securecookie_memory()),
        ("private_cookie_jar", private_cookie_jar()),
        (
            "private_cookie_jar_same_attributes",
            private_cookie_jar_same_attributes(),
        ),
        ("tower_sessions_cookie", tower_sessions_cookie()),
        ("tower_sessions_memory", tower_sessions_memory()),
    ]
    .map(|(name, router)| (name, runtime.block_on(app(router))));
    let no_layer: Router = securecookie_routes().with_state(());
    let identity_layer: Router = identity_layer().with_state(());

    for route in ["read", "write", "untouched"] {
        let mut group = c.benchmark_group(format!("web/{route}"));
        for (name, app) in &apps {
            // The write route starts from no session: a login.
            let cookie = (route != "write").then_some(app.cookie.as_str());
            let path = format!("/{route}");
            group.bench_function(*name, |b| {
                b.to_async(&runtime)
                    .iter(|| async { black_box(send(&app.router, &path, cookie).await) });
            });
        }
        if route == "untouched" {
            let cookie = apps[0].1.cookie.as_str();
            for (name, router) in [("no_layer", &no_layer), ("identity_layer", &identity_layer)] {
                group.bench_function(name, |b| {
                    b.to_async(&runtime).iter(|| async {
                        black_box(send(router, "/untouched", Some(cookie)).await)
                    });
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, web);

/// Every contestant by name: the layers' and extractors' apps, and the
/// baselines `no_layer` and `identity_layer` (only `/untouched` answers
/// there).
pub(crate) const CONTESTANTS: [&str; 8] = [
    "no_layer",
    "identity_layer",
    "securecookie",
    "securecookie_memory",
    "private_cookie_jar",
    "private_cookie_jar_same_attributes",
    "tower_sessions_cookie",
    "tower_sessions_memory",
];

/// A contestant's router, ready to serve, and the cookie its write route
/// sets (for the baselines: ours, which they ignore).
pub(crate) async fn contestant(name: &str) -> (Router, String) {
    let router = match name {
        "securecookie" => securecookie(),
        "securecookie_memory" => securecookie_memory(),
        "private_cookie_jar" => private_cookie_jar(),
        "private_cookie_jar_same_attributes" => private_cookie_jar_same_attributes(),
        "tower_sessions_cookie" => tower_sessions_cookie(),
        "tower_sessions_memory" => tower_sessions_memory(),
        "no_layer" => securecookie_routes(),
        "identity_layer" => identity_layer(),
        other => panic!("unknown contestant {other}: one of {CONTESTANTS:?}"),
    };
    if name == "no_layer" || name == "identity_layer" {
        let with_layer = app(securecookie()).await;
        (router.with_state(()), with_layer.cookie)
    } else {
        let app = app(router).await;
        (app.router, app.cookie)
    }
}

/// `WEB_COUNT=<contestant>/<route>:<n>` runs that route `n` times and exits,
/// for an instruction count that the shared machine's load cannot blur
/// (`perf stat -e instructions:u`, see `web_instructions.sh`).
fn count(spec: &str) {
    let (which, n) = spec.split_once(':').expect("WEB_COUNT=name/route:n");
    let (name, route) = which.split_once('/').expect("WEB_COUNT=name/route:n");
    let n: u64 = n.parse().expect("a count");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (router, cookie) = runtime.block_on(contestant(name));
    let cookie = (route != "write").then_some(cookie.as_str());
    let path = format!("/{route}");
    runtime.block_on(async {
        for _ in 0..n {
            black_box(send(&router, &path, cookie).await);
        }
    });
}

fn main() {
    if let Ok(spec) = std::env::var("WEB_COUNT") {
        count(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
