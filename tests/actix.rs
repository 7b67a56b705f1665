//! The actix-web middleware and extractor, in process through actix-web's
//! test service: the lifecycle cases of `tests/layer.rs` (login, read,
//! write, untouched, bad cookie, renew, destroy, flash, store down) on the
//! same engine, with the cookie store and the server-side stores (memory,
//! Redis, SQLite, Postgres).

use std::sync::atomic::Ordering;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{COOKIE, SET_COOKIE};
use actix_web::test::{TestRequest, init_service, read_body};
use actix_web::{App, HttpResponse, web};
use securecookie::actix::{SaveError, SessionHandle, SessionMiddleware};
use securecookie::{CookieConfig, CookieStore, Error, Keys, MemoryStore, SessionStore};

const NAME: &str = "my-app";
const EXPIRED_LINE: &str = "my-app=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax";

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

fn store() -> CookieStore<String> {
    CookieStore::new(CookieConfig::default(), [keys()]).unwrap()
}

/// Runs `f` on actix's own runtime (what `#[actix_web::test]` does).
fn run<F: Future>(f: F) -> F::Output {
    actix_web::rt::System::new().block_on(f)
}

async fn read(s: SessionHandle) -> String {
    let why = s.rejected().map(|e| format!("{e:?}")).unwrap_or_default();
    format!("{}|{why}", s.get::<String>("user-id").unwrap_or_default())
}

async fn login(s: SessionHandle) -> HttpResponse {
    s.set("user-id", "a1b2c3".to_string());
    s.renew();
    HttpResponse::Ok().finish()
}

async fn write(s: SessionHandle) -> HttpResponse {
    s.set("user-id", "a1b2c3".to_string());
    HttpResponse::Ok().finish()
}

async fn logout(s: SessionHandle) -> HttpResponse {
    s.destroy();
    HttpResponse::Ok().finish()
}

async fn flash(s: SessionHandle) -> HttpResponse {
    s.flash("notice", "saved".to_string());
    HttpResponse::Ok().finish()
}

async fn take(s: SessionHandle) -> String {
    s.take_flash::<String>("notice").unwrap_or_default()
}

async fn untouched() -> &'static str {
    "hello"
}

async fn huge(s: SessionHandle) -> HttpResponse {
    s.set("blob", "x".repeat(5000));
    HttpResponse::Ok().finish()
}

/// The app under test: each route one operation.
macro_rules! app {
    ($middleware:expr) => {
        init_service(
            App::new()
                .wrap($middleware)
                .route("/read", web::get().to(read))
                .route("/login", web::get().to(login))
                .route("/write", web::get().to(write))
                .route("/logout", web::get().to(logout))
                .route("/flash", web::get().to(flash))
                .route("/take", web::get().to(take))
                .route("/untouched", web::get().to(untouched))
                .route("/huge", web::get().to(huge)),
        )
        .await
    };
}

/// `GET path` with `cookie` through `app`: a [`Reply`].
macro_rules! call {
    ($app:expr, $path:expr, $cookie:expr) => {
        reply(
            $app.call(request($path, $cookie).to_request())
                .await
                .unwrap(),
        )
        .await
    };
}

fn request(path: &str, cookie: Option<&str>) -> TestRequest {
    let request = TestRequest::get().uri(path);
    match cookie {
        Some(cookie) => request.insert_header((COOKIE, cookie)),
        None => request,
    }
}

/// The response's status, `Set-Cookie` lines, body and save error.
async fn reply<B: MessageBody>(response: ServiceResponse<B>) -> Reply {
    let status = response.status();
    let save_error = response
        .response()
        .extensions()
        .get::<SaveError>()
        .map(ToString::to_string);
    let set_cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let body = String::from_utf8(read_body(response).await.to_vec()).unwrap();
    Reply {
        status,
        set_cookies,
        body,
        save_error,
    }
}

struct Reply {
    status: StatusCode,
    set_cookies: Vec<String>,
    body: String,
    save_error: Option<String>,
}

impl Reply {
    /// The one `Set-Cookie` line's `name=value`.
    fn pair(&self) -> String {
        assert_eq!(
            self.set_cookies.len(),
            1,
            "one Set-Cookie: {:?}",
            self.set_cookies
        );
        self.set_cookies[0].split(';').next().unwrap().to_string()
    }
}

#[test]
fn login_read_write_logout() {
    run(async {
        let app = app!(SessionMiddleware::new(store(), NAME));
        let login = call!(app, "/login", None);
        assert_eq!(login.status, StatusCode::OK);
        let cookie = login.pair();
        assert!(cookie.starts_with("my-app="));

        let read = call!(app, "/read", Some(&cookie));
        assert!(read.set_cookies.is_empty(), "a read saves nothing");
        assert_eq!(read.body, "a1b2c3|");
        // The same value again: unchanged, no cookie.
        assert!(call!(app, "/write", Some(&cookie)).set_cookies.is_empty());
        // Nothing to read, nothing to save.
        let empty = call!(app, "/read", None);
        assert!(empty.set_cookies.is_empty());
        assert_eq!(empty.body, "|");

        let logout = call!(app, "/logout", Some(&cookie));
        assert_eq!(logout.set_cookies, [EXPIRED_LINE], "same attributes");
    });
}

#[test]
fn untouched_routes_read_nothing_and_write_nothing() {
    run(async {
        let app = app!(SessionMiddleware::new(store(), NAME).always_save(true));
        let reply = call!(app, "/untouched", Some("my-app=garbage"));
        assert!(reply.set_cookies.is_empty());
        assert_eq!(reply.body, "hello");
    });
}

#[test]
fn bad_cookies_are_empty_sessions_and_cleared() {
    run(async {
        let app = app!(SessionMiddleware::new(store(), NAME));
        let good = call!(app, "/login", None).pair();
        let mut tampered = good.clone();
        let mid = tampered.len() / 2 + 4;
        let c = if &tampered[mid..=mid] == "A" {
            "B"
        } else {
            "A"
        };
        tampered.replace_range(mid..=mid, c);
        let reply = call!(app, "/read", Some(&tampered));
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, format!("|{}", Error::MacMismatch));
        assert_eq!(
            reply.set_cookies,
            [EXPIRED_LINE],
            "the bad cookie is cleared"
        );
        // Another key's cookie, and garbage.
        let other = CookieStore::<String>::new(
            CookieConfig::default(),
            [Keys::new(&[8; 32], Some(&[9; 32])).unwrap()],
        )
        .unwrap();
        let other_app = app!(SessionMiddleware::new(other, NAME));
        let foreign = call!(other_app, "/login", None).pair();
        let reply = call!(app, "/read", Some(&foreign));
        assert_eq!(reply.body, format!("|{}", Error::MacMismatch));
        let reply = call!(app, "/read", Some("my-app=%%%"));
        assert_eq!(reply.set_cookies, [EXPIRED_LINE]);
        assert!(
            reply.body.starts_with('|') && reply.body.len() > 1,
            "{}",
            reply.body
        );
        // A non-UTF-8 cookie of another site hides nothing (issue 23).
        let mut raw = b"tracker=caf\xe9; ".to_vec();
        raw.extend_from_slice(good.as_bytes());
        let request = TestRequest::get()
            .uri("/read")
            .insert_header((
                COOKIE,
                actix_web::http::header::HeaderValue::from_bytes(&raw).unwrap(),
            ))
            .to_request();
        let response = app.call(request).await.unwrap();
        assert_eq!(read_body(response).await, "a1b2c3|");
    });
}

#[test]
fn flash_values_are_read_once() {
    run(async {
        let app = app!(SessionMiddleware::new(store(), NAME));
        let cookie = call!(app, "/flash", None).pair();
        let reply = call!(app, "/take", Some(&cookie));
        assert_eq!(
            reply.set_cookies,
            [EXPIRED_LINE],
            "nothing left: the cookie goes"
        );
        assert_eq!(reply.body, "saved");
        assert_eq!(call!(app, "/take", None).body, "");
    });
}

/// Renew moves the session to a new id (the old cookie no longer loads);
/// destroy revokes it (a copied cookie dies with it).
async fn renew_and_destroy<S: SessionStore>(store: S) {
    let app = app!(SessionMiddleware::new(store, NAME));
    let first = call!(app, "/write", None).pair();
    let second = call!(app, "/login", Some(&first)).pair();
    assert_ne!(first, second);
    assert_eq!(call!(app, "/read", Some(&second)).body, "a1b2c3|");
    let replayed = call!(app, "/read", Some(&first));
    assert_eq!(replayed.body, format!("|{}", Error::UnknownSession));
    let logout = call!(app, "/logout", Some(&second));
    assert_eq!(logout.set_cookies, [EXPIRED_LINE]);
    assert_eq!(
        call!(app, "/read", Some(&second)).body,
        format!("|{}", Error::UnknownSession)
    );
}

#[test]
fn renew_and_destroy_in_memory() {
    let memory = MemoryStore::new(CookieConfig::default(), [keys()], 100).unwrap();
    run(renew_and_destroy(memory));
}

#[cfg(feature = "redis")]
#[path = "common/redis.rs"]
mod redis_common;

/// The same on a real Redis (`.ci/redis cargo test --features actix,redis
/// --test actix -- --ignored`), through actix's own runtime.
#[cfg(feature = "redis")]
#[test]
#[ignore = "needs Redis: run through .ci/redis"]
fn renew_and_destroy_in_redis() {
    let url = redis_common::shared_url();
    run(async move {
        let backend = securecookie::RedisBackend::connect(&url, &redis_common::prefix("actix"))
            .await
            .unwrap();
        let store =
            securecookie::ServerStore::with_backend(backend, CookieConfig::default(), [keys()])
                .unwrap();
        renew_and_destroy(store).await;
    });
}

#[test]
fn unsavable_sessions_are_500_with_the_cause() {
    run(async {
        let app = app!(SessionMiddleware::new(store(), NAME));
        let reply = call!(app, "/huge", None);
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(reply.set_cookies.is_empty());
        assert!(
            reply.save_error.unwrap().contains("4096"),
            "names the limit"
        );
    });
}

#[test]
fn a_missing_middleware_is_a_500_that_names_it() {
    run(async {
        let app = init_service(App::new().route("/read", web::get().to(read))).await;
        let reply = call!(app, "/read", None);
        assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(reply.body.contains("SessionMiddleware"), "{}", reply.body);
    });
}

#[path = "common/down.rs"]
mod down;
use down::Down;

#[test]
fn a_failing_store_is_503_on_load_and_on_save() {
    run(async {
        let down = Down::default();
        let calls = down.calls.clone();
        let app = app!(SessionMiddleware::new(down, NAME));
        let reply = call!(app, "/login", None);
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            reply.save_error.as_deref(),
            Some("session store unavailable: connection refused")
        );
        assert_eq!(calls.load(Ordering::Relaxed), 1);
        let reply = call!(app, "/read", Some("my-app=abc"));
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.body, "session store unavailable");
        assert_eq!(calls.load(Ordering::Relaxed), 2);
        let reply = call!(app, "/untouched", Some("my-app=abc"));
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            calls.load(Ordering::Relaxed),
            2,
            "an untouched route never reaches the store"
        );
    });
}

/// CSRF (`.csrf(..)`): a POST needs a token of this session, from the
/// header or the form (whose body the handler still gets whole), and must
/// not come from another site; a GET needs none. The same rules as the
/// tower `CsrfLayer`, from the same engine.
#[test]
fn csrf_refuses_posts_without_a_token_and_hands_the_form_on() {
    async fn token(s: SessionHandle) -> String {
        s.set("user-id", "a1b2c3".to_string());
        s.csrf_token().unwrap()
    }
    async fn echo(body: String) -> String {
        body
    }
    run(async {
        let middleware = SessionMiddleware::new(store(), NAME).csrf(CookieConfig::default());
        let app = init_service(
            App::new()
                .wrap(middleware)
                .route("/token", web::get().to(token))
                .route("/echo", web::post().to(echo))
                .route("/echo", web::get().to(echo)),
        )
        .await;
        let issued = call!(app, "/token", None);
        let cookie = issued.pair();
        let token = issued.body;
        let post = |cookie: &str| {
            TestRequest::post()
                .uri("/echo")
                .insert_header((COOKIE, cookie.to_string()))
        };

        let none = reply(app.call(post(&cookie).to_request()).await.unwrap()).await;
        assert_eq!(none.status, StatusCode::FORBIDDEN, "no token");
        assert!(none.body.contains("CSRF token"), "{}", none.body);

        let header = post(&cookie).insert_header(("x-csrf-token", token.as_str()));
        let header = reply(app.call(header.to_request()).await.unwrap()).await;
        assert_eq!(
            header.status,
            StatusCode::OK,
            "header token: {}",
            header.body
        );

        let form = format!("user=bob&csrf-token={token}&x=1");
        let posted = post(&cookie)
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(form.clone());
        let posted = reply(app.call(posted.to_request()).await.unwrap()).await;
        assert_eq!(posted.status, StatusCode::OK, "form token");
        assert_eq!(posted.body, form, "the handler gets the whole body");

        let wrong = post(&cookie).insert_header(("x-csrf-token", "A".repeat(86)));
        let wrong = reply(app.call(wrong.to_request()).await.unwrap()).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "another token");

        let cross = post(&cookie)
            .insert_header(("x-csrf-token", token.as_str()))
            .insert_header(("sec-fetch-site", "cross-site"));
        let cross = reply(app.call(cross.to_request()).await.unwrap()).await;
        assert_eq!(cross.status, StatusCode::FORBIDDEN, "cross-site");

        let get = call!(app, "/echo", Some(&cookie));
        assert_eq!(get.status, StatusCode::OK, "a GET needs no token");
    });
}

/// A handler that takes the error itself (`Result<SessionHandle,
/// SessionError>`) gets its status and a text that says which mistake:
/// the developer's (no middleware) or the store's.
#[test]
fn an_extraction_error_taken_by_the_handler_says_why() {
    use actix_web::ResponseError;
    use securecookie::actix::SessionError;
    async fn why(s: Result<SessionHandle, SessionError>) -> String {
        match s {
            Ok(_) => "session".into(),
            Err(e) => format!("{} {e}", e.status_code().as_u16()),
        }
    }
    run(async {
        let bare = init_service(App::new().route("/why", web::get().to(why))).await;
        let said = call!(bare, "/why", None).body;
        assert!(
            said.starts_with("500 SessionHandle needs securecookie's SessionMiddleware"),
            "{said}"
        );
        let down = init_service(
            App::new()
                .wrap(SessionMiddleware::new(Down::default(), NAME))
                .route("/why", web::get().to(why)),
        )
        .await;
        let said = call!(down, "/why", Some("my-app=abc")).body;
        assert_eq!(said, "503 session store unavailable: connection refused");
        let working = init_service(
            App::new()
                .wrap(SessionMiddleware::new(store(), NAME))
                .route("/why", web::get().to(why)),
        )
        .await;
        assert_eq!(call!(working, "/why", None).body, "session");
    });
}

async fn token_or_empty(s: SessionHandle) -> String {
    s.set("user-id", "a1b2c3".to_string());
    s.csrf_token().unwrap_or_default()
}

async fn body_length(body: String) -> String {
    body.len().to_string()
}

/// An app whose `/echo` answers the length of the body it was given, and
/// whose `/token` logs in: the app, the session cookie and its token (a
/// macro: actix's request type is not nameable from `actix_web`).
macro_rules! echo_app {
    ($middleware:expr) => {{
        let app = init_service(
            App::new()
                .wrap($middleware)
                .route("/token", web::get().to(token_or_empty))
                .route("/echo", web::post().to(body_length)),
        )
        .await;
        let issued = call!(app, "/token", None);
        let token = Some(issued.body.clone()).filter(|t| !t.is_empty());
        (app, issued.pair(), token)
    }};
}

/// `POST /echo` with the session cookie, a content type, a body and maybe
/// the token in the header: the status and the body.
macro_rules! post_echo {
    ($app:expr, $cookie:expr, $content_type:expr, $header_token:expr, $body:expr) => {{
        let mut post = TestRequest::post()
            .uri("/echo")
            .insert_header((COOKIE, $cookie.to_string()))
            .insert_header(("content-type", $content_type.to_string()));
        let header_token: Option<&str> = $header_token;
        if let Some(token) = header_token {
            post = post.insert_header(("x-csrf-token", token.to_string()));
        }
        let reply = reply(
            $app.call(post.set_payload($body).to_request())
                .await
                .unwrap(),
        )
        .await;
        (reply.status, reply.body)
    }};
}

const FORM: &str = "application/x-www-form-urlencoded";

/// Where the middleware looks for the token: the header first (then a form
/// of any length reaches the handler whole: it is not read), else the field
/// of a form of at most MAX_FORM_BODY bytes, never another body type (a
/// cross-site `text/plain` POST needs no preflight). As the tower layer.
#[test]
fn csrf_reads_the_token_from_the_header_or_a_bounded_form_only() {
    use securecookie::csrf::MAX_FORM_BODY;
    run(async {
        let middleware = SessionMiddleware::new(store(), NAME).csrf(CookieConfig::default());
        let (app, cookie, token) = echo_app!(middleware);
        let token = token.expect("a token with CSRF on");

        let long = format!("a={}", "b".repeat(MAX_FORM_BODY));
        let got = post_echo!(app, cookie, FORM, Some(&token), long.clone());
        assert_eq!(got, (StatusCode::OK, long.len().to_string()));

        let field = format!("&csrf-token={token}");
        let exact = format!("a={}{field}", "b".repeat(MAX_FORM_BODY - 2 - field.len()));
        assert_eq!(exact.len(), MAX_FORM_BODY);
        let got = post_echo!(app, cookie, FORM, None, exact);
        assert_eq!(got, (StatusCode::OK, MAX_FORM_BODY.to_string()));

        let over = format!("a={}{field}", "b".repeat(MAX_FORM_BODY - 1 - field.len()));
        let (status, _) = post_echo!(app, cookie, FORM, None, over);
        assert_eq!(status, StatusCode::FORBIDDEN, "one byte over the bound");

        let plain = format!("csrf-token={token}");
        let (status, _) = post_echo!(app, cookie, "text/plain", None, plain);
        assert_eq!(status, StatusCode::FORBIDDEN, "text/plain carries no token");
    });
}

/// Without `.csrf(..)` the middleware reads no body: a form longer than
/// the CSRF bound reaches the handler whole, with no token anywhere.
#[test]
fn without_csrf_a_long_form_reaches_the_handler_whole() {
    use securecookie::csrf::MAX_FORM_BODY;
    run(async {
        let (app, cookie, token) = echo_app!(SessionMiddleware::new(store(), NAME));
        assert_eq!(token, None, "no token with CSRF off");
        let long = format!("a={}", "b".repeat(2 * MAX_FORM_BODY));
        let got = post_echo!(app, cookie, FORM, None, long.clone());
        assert_eq!(got, (StatusCode::OK, long.len().to_string()));
    });
}

/// The service's `Debug` shows its settings, never a key.
#[test]
fn the_service_debug_shows_settings_only() {
    use actix_web::dev::Transform;
    run(async {
        let middleware = SessionMiddleware::new(store(), NAME).csrf(CookieConfig::default());
        let service = middleware
            .new_transform(actix_web::test::ok_service())
            .await
            .unwrap();
        let shown = format!("{service:?}");
        assert!(shown.starts_with("SessionService { config: "), "{shown}");
        assert!(shown.contains("my-app"), "{shown}");
        assert!(
            !shown.contains("hash_key") && !shown.contains("0x"),
            "{shown}"
        );
    });
}

/// The same on SQLite (a fresh file under the target directory), through
/// actix's own runtime.
#[cfg(feature = "sqlite")]
#[test]
fn renew_and_destroy_in_sqlite() {
    let tag: String = securecookie::random_key::<8>()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("actix-{tag}.db"));
    run(async {
        let store = securecookie::SqliteStore::open(
            path.to_str().unwrap(),
            CookieConfig::default(),
            [keys()],
        )
        .await
        .unwrap();
        renew_and_destroy(store).await;
    });
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// The same on Postgres (`.ci/postgres cargo test --all-features --test
/// actix -- --ignored`): fails without `SECURECOOKIE_POSTGRES_URL`.
#[cfg(feature = "postgres")]
#[test]
#[ignore = "needs Postgres: .ci/postgres cargo test --all-features -- --ignored"]
fn renew_and_destroy_in_postgres() {
    let url = match std::env::var("SECURECOOKIE_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!("SECURECOOKIE_POSTGRES_URL is not set: run through .ci/postgres"),
    };
    run(async move {
        let store = securecookie::PostgresStore::open(&url, CookieConfig::default(), [keys()])
            .await
            .unwrap();
        renew_and_destroy(store).await;
    });
}
