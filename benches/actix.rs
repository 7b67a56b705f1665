//! Sessions per request in actix-web, the way an actix app pays for them:
//! one request through actix-web's test service (`test::init_service` +
//! `call_service`, no network), for a route that reads the session
//! (`read`), one that logs in (`write`: no cookie in, a new cookie out)
//! and one that never touches it (`untouched`), with
//!
//! - `securecookie`: our actix `SessionMiddleware` + `SessionHandle` on a
//!   `CookieStore` (compact, AES-256-CTR + HMAC-SHA256);
//! - `actix_session_cookie`: actix-session 0.11's `CookieSessionStore`,
//!   private (AES-256-GCM, the `cookie` crate's private jar);
//! - `securecookie_redis`: our middleware on `RedisStore`;
//! - `actix_session_redis`: actix-session's `RedisSessionStore` (the
//!   `redis` crate's connection manager) on the same Redis;
//!
//! and `no_middleware`: the untouched route with no session middleware,
//! which an untouched session must stay within 5% of (issue 19).
//!
//! Every cookie has the same attributes: `Path=/`, `Max-Age` 7 days,
//! `HttpOnly`, `Secure`, `SameSite=Lax` (our `CookieConfig::default()`,
//! actix-session's builder set to match; ours also sends `Expires`).
//!
//! The Redis contestants need `SECURECOOKIE_REDIS_URL` (`.ci/redis` starts
//! a Redis and sets it); without it they are skipped with a loud message
//! and the cookie contestants still run:
//!
//! ```text
//! cd benches && cargo bench --bench actix
//! .ci/redis cargo bench --manifest-path benches/Cargo.toml --bench actix
//! ```
//!
//! `ACTIX_COUNT=<contestant>/<route>:<n>` runs one route `n` times and
//! exits, for instruction counts (`actix_instructions.sh`).

use std::hint::black_box;

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::{CookieSessionStore, RedisSessionStore, SessionStore};
use actix_web::body::MessageBody;
use actix_web::cookie::time::Duration;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{COOKIE, SET_COOKIE};
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use actix_web::{App, HttpResponse, web};
use criterion::Criterion;
use securecookie::{CookieConfig, CookieStore, Keys, RedisStore};

const USER: &str = "a1b2c3";
const NAME: &str = "s";
const ROUTES: [&str; 3] = ["read", "write", "untouched"];
/// Our `CookieConfig::default()`'s `Max-Age`.
const WEEK: i64 = 7 * 24 * 60 * 60;

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

fn redis_url() -> Option<String> {
    let url = std::env::var("SECURECOOKIE_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!(
            "\n!!! actix bench: SECURECOOKIE_REDIS_URL is not set: the Redis contestants \
             (securecookie_redis, actix_session_redis) are SKIPPED. Run through .ci/redis \
             for them. !!!\n"
        );
    }
    url
}

/// The routes on our `SessionHandle`.
mod ours {
    use super::*;
    use securecookie::actix::SessionHandle;

    pub async fn read(s: SessionHandle) -> String {
        s.get::<String>("user-id").unwrap_or_default()
    }
    pub async fn write(s: SessionHandle) -> HttpResponse {
        s.set("user-id", USER.to_string());
        HttpResponse::Ok().finish()
    }
}

/// The routes on actix-session's `Session`.
mod theirs {
    use super::*;
    use actix_session::Session;

    pub async fn read(s: Session) -> String {
        s.get::<String>("user-id").unwrap().unwrap_or_default()
    }
    pub async fn write(s: Session) -> HttpResponse {
        s.insert("user-id", USER).unwrap();
        HttpResponse::Ok().finish()
    }
}

async fn untouched() -> &'static str {
    "hello"
}

/// actix-session's middleware with our cookie attributes.
fn actix_session<S: SessionStore + 'static>(store: S) -> actix_session::SessionMiddleware<S> {
    actix_session::SessionMiddleware::builder(store, Key::from(&[7; 64]))
        .cookie_name(NAME.to_string())
        .cookie_content_security(CookieContentSecurity::Private)
        .cookie_path("/".to_string())
        .cookie_http_only(true)
        .cookie_secure(true)
        .cookie_same_site(SameSite::Lax)
        .session_lifecycle(PersistentSession::default().session_ttl(Duration::seconds(WEEK)))
        .build()
}

fn request(path: &str, cookie: Option<&str>) -> actix_http::Request {
    let request = TestRequest::get().uri(path);
    match cookie {
        Some(cookie) => request.insert_header((COOKIE, cookie)),
        None => request,
    }
    .to_request()
}

/// The `name=value` pairs of a response's `Set-Cookie` lines.
fn cookie_of<B>(response: &ServiceResponse<B>) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Logs in once for a cookie and checks that each route does what its
/// name says (a benchmark of a broken route measures nothing); the cookie.
async fn checked<S, B>(app: &S) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let login = call_service(app, request("/write", None)).await;
    assert!(login.status().is_success());
    let line = login
        .headers()
        .get(SET_COOKIE)
        .expect("the write route sets a cookie")
        .to_str()
        .unwrap()
        .to_string();
    for attribute in [
        "Path=/",
        "Max-Age=604800",
        "HttpOnly",
        "Secure",
        "SameSite=Lax",
    ] {
        assert!(line.contains(attribute), "{attribute} in {line}");
    }
    let cookie = cookie_of(&login);
    let read = call_service(app, request("/read", Some(&cookie))).await;
    assert_eq!(
        read_body(read).await,
        USER.as_bytes(),
        "the read route reads it"
    );
    let untouched = call_service(app, request("/untouched", Some(&cookie))).await;
    assert!(untouched.headers().get(SET_COOKIE).is_none());
    cookie
}

/// One contestant's app, checked, then `$then(app, cookie)`.
macro_rules! with_app {
    ($middleware:expr, $module:ident, $then:expr) => {{
        let app = init_service(
            App::new()
                .wrap($middleware)
                .route("/read", web::get().to($module::read))
                .route("/write", web::get().to($module::write))
                .route("/untouched", web::get().to(untouched)),
        )
        .await;
        let cookie = checked(&app).await;
        $then(app, cookie)
    }};
}

/// The same routes, in the same order (actix matches them one by one),
/// without any middleware: only `/untouched` is measured.
macro_rules! bare {
    ($then:expr) => {{
        let app = init_service(
            App::new()
                .route("/read", web::get().to(ours::read))
                .route("/write", web::get().to(ours::write))
                .route("/untouched", web::get().to(untouched)),
        )
        .await;
        $then(app)
    }};
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let runtime = runtime();
    let url = redis_url();
    let cookie_store = || CookieStore::<String>::new(CookieConfig::default(), [keys()]).unwrap();
    for route in ROUTES {
        let mut group = c.benchmark_group(format!("actix/{route}"));
        let path = format!("/{route}");
        // The write route starts from no session: a login.
        macro_rules! contestant {
            ($name:expr, $middleware:expr, $module:ident) => {{
                let (app, cookie) = runtime.block_on(async {
                    with_app!($middleware, $module, |app, cookie| (app, cookie))
                });
                let cookie: String = cookie;
                bench_one(
                    &mut group,
                    &runtime,
                    $name,
                    &app,
                    &path,
                    (route != "write").then_some(cookie),
                );
            }};
        }
        contestant!(
            "securecookie",
            securecookie::actix::SessionMiddleware::new(cookie_store(), NAME),
            ours
        );
        contestant!(
            "actix_session_cookie",
            actix_session(CookieSessionStore::default()),
            theirs
        );
        if let Some(url) = &url {
            let ours_redis = runtime
                .block_on(RedisStore::open(url, CookieConfig::default(), [keys()]))
                .unwrap();
            contestant!(
                "securecookie_redis",
                securecookie::actix::SessionMiddleware::new(ours_redis, NAME),
                ours
            );
            let theirs_redis = runtime
                .block_on(RedisSessionStore::new(url.clone()))
                .unwrap();
            contestant!("actix_session_redis", actix_session(theirs_redis), theirs);
        }
        if route == "untouched" {
            let app = runtime.block_on(async { bare!(|app| app) });
            let cookie = runtime.block_on(async {
                with_app!(
                    securecookie::actix::SessionMiddleware::new(cookie_store(), NAME),
                    ours,
                    |_app, cookie| cookie
                )
            });
            bench_one(
                &mut group,
                &runtime,
                "no_middleware",
                &app,
                &path,
                Some(cookie),
            );
        }
        group.finish();
    }
}

fn bench_one<S, B>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    runtime: &tokio::runtime::Runtime,
    name: &str,
    app: &S,
    path: &str,
    cookie: Option<String>,
) where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let cookie = cookie.as_deref();
    group.bench_function(name, |b| {
        b.to_async(runtime)
            .iter(|| async { black_box(call_service(app, request(path, cookie)).await) });
    });
}

/// `ACTIX_COUNT=<contestant>/<route>:<n>`: that route `n` times, then exit
/// (setup is the same for any `n`: count twice and subtract).
fn count(spec: &str) {
    let (which, n) = spec.split_once(':').expect("ACTIX_COUNT=name/route:n");
    let (name, route) = which.split_once('/').expect("ACTIX_COUNT=name/route:n");
    let n: u64 = n.parse().expect("a count");
    let runtime = runtime();
    let path = format!("/{route}");
    let cookie_store = || CookieStore::<String>::new(CookieConfig::default(), [keys()]).unwrap();
    runtime.block_on(async {
        macro_rules! go {
            ($middleware:expr, $module:ident) => {{
                let (app, cookie) = with_app!($middleware, $module, |app, cookie| (app, cookie));
                let cookie: Option<String> = (route != "write").then_some(cookie);
                for _ in 0..n {
                    black_box(call_service(&app, request(&path, cookie.as_deref())).await);
                }
            }};
        }
        match name {
            "securecookie" => go!(
                securecookie::actix::SessionMiddleware::new(cookie_store(), NAME),
                ours
            ),
            "actix_session_cookie" => go!(actix_session(CookieSessionStore::default()), theirs),
            "no_middleware" => {
                let cookie = with_app!(
                    securecookie::actix::SessionMiddleware::new(cookie_store(), NAME),
                    ours,
                    |_app, cookie| cookie
                );
                let app = bare!(|app| app);
                for _ in 0..n {
                    black_box(call_service(&app, request(&path, Some(&cookie))).await);
                }
            }
            other => panic!("unknown contestant {other} (counts: the cookie contestants)"),
        }
    });
}

fn main() {
    if let Ok(spec) = std::env::var("ACTIX_COUNT") {
        count(&spec);
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
