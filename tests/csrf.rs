#![cfg(feature = "axum")]
//! CSRF through the layers, on the demo's own routes (`examples/server.rs`,
//! `protected_router`): the login form's token, the login, a cross-site or
//! token-less POST refused with 403 while the session lives on, logout, and
//! a server-side store that gets no record from a visitor who only loads
//! the form (issue 23 item 5). On a cookie store and on `MemoryStore`.

#[allow(dead_code)]
#[path = "../examples/server.rs"]
mod server;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use securecookie::{CookieConfig, CookieStore, Keys, MemoryStore, SessionStore};
use tower::ServiceExt;

fn keys() -> Keys {
    Keys::derive(b"csrf test secret: 32 bytes long!").unwrap()
}

/// A client with a cookie jar for one host.
struct Client {
    app: Router,
    jar: BTreeMap<String, String>,
}

struct Reply {
    status: StatusCode,
    body: String,
    set_cookies: Vec<String>,
}

impl Client {
    fn new<S: SessionStore>(store: S) -> Client {
        let app = server::protected_router(store, "test".into(), None, CookieConfig::default());
        Client {
            app,
            jar: BTreeMap::new(),
        }
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        // What a browser sends: the Host it talks to.
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost");
        if !self.jar.is_empty() {
            let cookie: Vec<String> = self.jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
            request = request.header("cookie", cookie.join("; "));
        }
        if method == "POST" {
            request = request.header("content-type", "application/x-www-form-urlencoded");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response: Response<Body> = self
            .app
            .clone()
            .oneshot(request.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for line in &set_cookies {
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || line.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.into(), value.into());
            }
        }
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        Reply {
            status,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
            set_cookies,
        }
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send("GET", path, &[], "").await
    }

    async fn post(&mut self, path: &str, body: &str) -> Reply {
        self.send("POST", path, &[], body).await
    }
}

/// The token in a page's hidden `csrf-token` field.
fn token(page: &str) -> String {
    let at = page
        .find(r#"name="csrf-token" value=""#)
        .expect("a token field")
        + 25;
    page[at..at + 86].to_string()
}

/// The whole story on one store; `records` counts the server-side records
/// (`None` for a cookie store).
async fn story<S: SessionStore>(store: S, records: impl Fn() -> Option<usize>) {
    let mut browser = Client::new(store);

    // A visitor who only loads the form (a crawler, a hundred times): a
    // token and a cookie of its own, no session cookie, no record.
    for _ in 0..100 {
        let mut crawler = Client {
            app: browser.app.clone(),
            jar: BTreeMap::new(),
        };
        let form = crawler.get("/").await;
        assert_eq!(form.status, StatusCode::OK);
        assert_eq!(form.set_cookies.len(), 1, "{:?}", form.set_cookies);
        assert!(form.set_cookies[0].starts_with("my-app-csrf="));
    }
    assert_eq!(records().unwrap_or(0), 0);

    let form = browser.get("/").await;
    let before_login = token(&form.body);
    assert!(browser.jar.contains_key("my-app-csrf"));
    // A second page view: a new mask, the same secret, no new cookie.
    let again = browser.get("/").await;
    assert_ne!(token(&again.body), before_login);
    assert!(again.set_cookies.is_empty(), "{:?}", again.set_cookies);

    // Login without the token, with a wrong one, cross-site: 403, nothing stored.
    assert_eq!(
        browser.post("/login", "user-id=ada").await.status,
        StatusCode::FORBIDDEN
    );
    let forged = "A".repeat(86);
    let refused = browser
        .post("/login", &format!("user-id=ada&csrf-token={forged}"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("CSRF token"), "{}", refused.body);
    let cross = browser
        .send(
            "POST",
            "/login",
            &[("sec-fetch-site", "cross-site")],
            &format!("user-id=ada&csrf-token={before_login}"),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert_eq!(records().unwrap_or(0), 0);
    assert!(!browser.jar.contains_key("my-app"));

    // A body past the bound is not read for a token.
    let huge = format!(
        "user-id=ada&pad={}&csrf-token={before_login}",
        "x".repeat(70_000)
    );
    assert_eq!(
        browser.post("/login", &huge).await.status,
        StatusCode::FORBIDDEN
    );

    // The form's token logs in (same-origin, as a browser says), read from
    // the end of a 60 KB body: inside the documented 64 KiB bound.
    let pad = "x".repeat(60_000);
    let login = browser
        .send(
            "POST",
            "/login",
            &[
                ("sec-fetch-site", "same-origin"),
                ("origin", "http://localhost"),
            ],
            &format!("user-id=ada&pad={pad}&csrf-token={before_login}"),
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    assert!(browser.jar.contains_key("my-app"));
    assert!(
        !browser.jar.contains_key("my-app-csrf"),
        "moved into the session"
    );
    assert_eq!(records().unwrap_or(1), 1);

    // A cookie planted beside the session (by a sibling subdomain, say) is
    // never its secret: its tokens are refused and it is cleared.
    let planted = securecookie::csrf::CsrfSecret::from_bytes(&[6; 32]).unwrap();
    browser.jar.insert(
        "my-app-csrf".into(),
        "BgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgY".into(),
    );
    let planted_token = planted.token().unwrap();
    let reply = browser
        .post("/logout", &format!("csrf-token={planted_token}"))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(!browser.jar.contains_key("my-app-csrf"), "cleared");

    let welcome = browser.get("/welcome").await;
    assert_eq!(welcome.status, StatusCode::OK);
    let logged_in = token(&welcome.body);

    // Cross-site logouts: refused, the session lives on.
    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("sec-fetch-site", "same-site")][..],
        &[("origin", "http://evil.example")][..],
    ] {
        let reply = browser
            .send(
                "POST",
                "/logout",
                headers,
                &format!("csrf-token={logged_in}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(browser.get("/welcome").await.status, StatusCode::OK);
    }
    assert_eq!(
        browser.post("/logout", "").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(browser.get("/welcome").await.status, StatusCode::OK);

    // The token from before the login still works after it (renewed), as
    // the header too; the logout ends the session.
    let old_jar = browser.jar.clone();
    let logout = browser
        .send("POST", "/logout", &[("x-csrf-token", &before_login)], "")
        .await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert!(!browser.jar.contains_key("my-app"));
    assert_eq!(records().unwrap_or(0), 0);
    assert_eq!(
        browser.get("/welcome").await.status,
        StatusCode::UNAUTHORIZED
    );

    // Its tokens died with it: the old cookies replayed on a server store
    // find no session, so no token of it passes.
    if records().is_some() {
        browser.jar = old_jar;
        let replay = browser
            .post("/logout", &format!("csrf-token={logged_in}"))
            .await;
        assert_eq!(replay.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn csrf_on_a_cookie_store() {
    let store = CookieStore::<String>::new(CookieConfig::default(), [keys()]).unwrap();
    story(store, || None).await;
}

#[tokio::test]
async fn csrf_on_a_server_store_stores_nothing_for_a_form() {
    let store = MemoryStore::new(CookieConfig::default(), [keys()], 10).unwrap();
    let backend = store.backend().clone();
    story(store, move || Some(backend.len())).await;
}

/// Safe methods pass without a token; without `csrf` on the layer the
/// demo's forms carry none and POSTs pass (the check is opt-in).
#[tokio::test]
async fn safe_methods_and_the_unprotected_router() {
    let store = CookieStore::<String>::new(CookieConfig::default(), [keys()]).unwrap();
    let mut client = Client::new(store.clone());
    assert_eq!(
        client.send("HEAD", "/", &[], "").await.status,
        StatusCode::OK
    );
    let mut plain = Client {
        app: server::router(store, "test".into()),
        jar: BTreeMap::new(),
    };
    let form = plain.get("/").await;
    assert!(!form.body.contains("csrf-token"));
    assert!(form.set_cookies.is_empty());
    assert_eq!(
        plain.post("/login", "user-id=ada").await.status,
        StatusCode::SEE_OTHER
    );
}

/// A `CsrfLayer` under a `SessionLayer` built without `.csrf(..)` checks
/// nothing and leaves the request alone: an unsafe request's form body,
/// one longer than the check would ever read, reaches the handler whole.
#[tokio::test]
async fn a_csrf_layer_without_csrf_on_leaves_requests_alone() {
    use securecookie::layer::{CsrfLayer, SessionLayer};
    let store = CookieStore::<String>::new(CookieConfig::default(), [keys()]).unwrap();
    let echo = |body: axum::body::Bytes| async move { body.len().to_string() };
    let app: Router = Router::new()
        .route("/echo", axum::routing::post(echo))
        .layer(CsrfLayer::new())
        .layer(SessionLayer::new(store, "test"));
    let form = format!("a={}", "b".repeat(securecookie::csrf::MAX_FORM_BODY));
    let request = Request::builder()
        .method("POST")
        .uri("/echo")
        .header("host", "localhost")
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.clone()))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(body, form.len().to_string());
}

/// The engine's own check, as an adapter for another framework calls it
/// (without a pre-check of its own): with CSRF off every method passes;
/// with it on a safe method passes without a token and an unsafe one
/// without a token is refused.
#[tokio::test]
async fn the_engines_check_passes_safe_methods_and_every_method_when_off() {
    use securecookie::engine::{CsrfRequest, Engine, Status};
    let store = || CookieStore::<String>::new(CookieConfig::default(), [keys()]).unwrap();
    let same_origin = |method| CsrfRequest {
        method,
        sec_fetch_site: Some(b"same-origin"),
        host: Some(b"localhost"),
        ..CsrfRequest::default()
    };
    let no_cookies = std::iter::empty::<&[u8]>;
    let off = Engine::new(store(), "test").begin();
    let check = off.check_csrf(same_origin("POST"), no_cookies()).await;
    assert_eq!(check, Ok(()));
    let on = Engine::new(store(), "test").csrf(CookieConfig::default());
    let (get, post) = (on.begin(), on.begin());
    let check = get.check_csrf(same_origin("GET"), no_cookies()).await;
    assert_eq!(check, Ok(()));
    let check = post.check_csrf(same_origin("POST"), no_cookies()).await;
    assert_eq!(check, Err(Status::Forbidden));
}

/// A session from before CSRF was turned on has no secret: an anonymous
/// cookie planted beside it (by a sibling subdomain, say) must never become
/// its secret, however often it is sent.
#[tokio::test]
async fn a_planted_cookie_never_becomes_an_old_sessions_secret() {
    let store = CookieStore::<String>::new(CookieConfig::default(), [keys()]).unwrap();
    let mut before = Client {
        app: server::router(store.clone(), "test".into()),
        jar: BTreeMap::new(),
    };
    assert_eq!(
        before.post("/login", "user-id=ada").await.status,
        StatusCode::SEE_OTHER
    );
    let mut browser = Client::new(store);
    browser.jar = before.jar.clone();
    let planted = securecookie::csrf::CsrfSecret::from_bytes(&[6; 32]).unwrap();
    for _ in 0..2 {
        browser.jar.insert(
            "my-app-csrf".into(),
            "BgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgY".into(),
        );
        let forged = format!("csrf-token={}", planted.token().unwrap());
        assert_eq!(
            browser.post("/logout", &forged).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(browser.get("/welcome").await.status, StatusCode::OK);
    }
}

/// A CSRF-protected echo: `GET /token` hands out a token (and the
/// anonymous cookie it belongs to), `POST /echo` answers the length of the
/// body its handler got. Returns the app, the cookie pair and the token.
async fn echo_app() -> (Router, String, String) {
    use securecookie::layer::{CsrfLayer, SessionHandle, SessionLayer};
    let config = CookieConfig::default();
    let store = CookieStore::<String>::new(config.clone(), [keys()]).unwrap();
    let token = |s: SessionHandle| async move { s.csrf_token().unwrap() };
    let echo = |body: axum::body::Bytes| async move { body.len().to_string() };
    let app: Router = Router::new()
        .route("/token", axum::routing::get(token))
        .route("/echo", axum::routing::post(echo))
        .layer(CsrfLayer::new())
        .layer(SessionLayer::new(store, "test").csrf(config));
    let request = Request::get("/token")
        .header("host", "localhost")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let line = response.headers()["set-cookie"].to_str().unwrap();
    let cookie = line.split(';').next().unwrap().to_string();
    assert!(cookie.starts_with("test-csrf="), "{cookie}");
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    (app, cookie, String::from_utf8(body.to_vec()).unwrap())
}

/// POSTs `body` as `content_type` to the echo, the token in the header when
/// given: the status and what the handler answered.
async fn post_echo(
    app: &Router,
    cookie: &str,
    content_type: &str,
    header_token: Option<&str>,
    body: String,
) -> (StatusCode, String) {
    let mut request = Request::post("/echo")
        .header("host", "localhost")
        .header("cookie", cookie)
        .header("content-type", content_type);
    if let Some(token) = header_token {
        request = request.header("x-csrf-token", token);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// Where the layer looks for the token: the header first (then a form
/// body of any length passes whole: it is not read), else the field of a
/// form body of at most MAX_FORM_BODY bytes, and never another body type
/// (a cross-site `text/plain` POST needs no preflight).
#[tokio::test]
async fn the_token_is_read_from_the_header_or_a_bounded_form_only() {
    use securecookie::csrf::MAX_FORM_BODY;
    const FORM: &str = "application/x-www-form-urlencoded";
    let (app, cookie, token) = echo_app().await;

    let long = format!("a={}", "b".repeat(MAX_FORM_BODY));
    let (status, got) = post_echo(&app, &cookie, FORM, Some(&token), long.clone()).await;
    assert_eq!((status, got), (StatusCode::OK, long.len().to_string()));

    let field = format!("&csrf-token={token}");
    let exact = format!("a={}{field}", "b".repeat(MAX_FORM_BODY - 2 - field.len()));
    assert_eq!(exact.len(), MAX_FORM_BODY);
    let (status, got) = post_echo(&app, &cookie, FORM, None, exact).await;
    assert_eq!((status, got), (StatusCode::OK, MAX_FORM_BODY.to_string()));

    let over = format!("a={}{field}", "b".repeat(MAX_FORM_BODY - 1 - field.len()));
    let (status, _) = post_echo(&app, &cookie, FORM, None, over).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let plain = format!("csrf-token={token}");
    let (status, _) = post_echo(&app, &cookie, "text/plain", None, plain).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[path = "common/never_ready.rs"]
mod never_ready;
use never_ready::NeverReady;

#[test]
fn the_csrf_layer_passes_readiness_through() {
    use tower::{Layer, Service};
    let mut service = securecookie::layer::CsrfLayer::new().layer(NeverReady);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(service.poll_ready(&mut cx).is_pending());
}
