#![cfg(feature = "axum")]
//! The demo server in a real browser: Debian's headless Chromium, driven
//! through chromedriver's WebDriver API (plain HTTP and JSON on loopback,
//! nothing else to install). Form login, `/welcome`, the cookie as Chromium
//! stores it (`HttpOnly`, `SameSite=Lax`, 7 days, `Secure` kept on
//! `http://127.0.0.1`), logout, `/welcome` → 401, a tampered cookie → 401
//! and cleared. CSRF: a form on another origin posting to `/logout` → 403,
//! the session lives on, the demo's own forms work. The same steps run
//! against the actix-web demo (`examples/actix.rs`, feature `actix`).
//!
//! `#[ignore = "needs Chromium ..."]`: a plain `cargo test` lists it as not
//! run; `cargo test --all-features --test browser -- --ignored` runs it and
//! fails without `chromium` and `chromedriver` on the `PATH` (`.ci/browser`
//! installs both; `.ci/run` runs it).

// Both demos include examples/common/ themselves (each is a standalone
// example), so this test compiles it twice: harmless, one copy per demo.
#[cfg(feature = "actix")]
#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/actix.rs"]
mod actix_demo;
mod common;
#[allow(dead_code)]
#[path = "../examples/server.rs"]
mod server;

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

const HASH_HEX: &str = "0707070707070707070707070707070707070707070707070707070707070707";
const BLOCK_HEX: &str = "0909090909090909090909090909090909090909090909090909090909090909";

/// chromedriver and one browser session; both end when this drops.
struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    _profile: TempDir,
}

impl Browser {
    fn start() -> Browser {
        let (Some(chromium), Some(chromedriver)) = (which("chromium"), which("chromedriver"))
        else {
            panic!(
                "chromium and chromedriver must be on the PATH (apt-get install chromium chromium-driver; .ci/browser does it)"
            );
        };
        let port = {
            // A free port for chromedriver (it cannot report one it picked).
            let probe = TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let profile = TempDir::new();
        let mut browser = Browser {
            driver,
            addr,
            session: String::new(),
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--user-data-dir={}", browser._profile.0.display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }}});
        let created = browser.call("POST", "/session", Some(capabilities));
        browser.session = created["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        browser
    }

    /// One WebDriver command; returns its `value`.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let headers = [("Content-Type", "application/json; charset=utf-8")];
        let reply = common::http::request(self.addr, method, path, &headers, &body);
        let value: Value = serde_json::from_str(&reply.body).expect("WebDriver JSON");
        value["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn open(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    fn click(&self, css: &str) {
        let found = self.session_call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        let element = found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string();
        self.session_call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    fn title(&self) -> String {
        self.session_call("GET", "/title", None)
            .as_str()
            .unwrap()
            .to_string()
    }

    fn source(&self) -> String {
        self.session_call("GET", "/source", None)
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Waits for the page to be the one titled `title` (a click's
    /// navigation may still be running).
    fn wait_for_title(&self, title: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.title() != title {
            assert!(
                Instant::now() < deadline,
                "page {:?}, want {title:?}",
                self.title()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The cookie as the browser stores it (`Value::Null` when it has none).
    fn cookie(&self, name: &str) -> Value {
        let value = self.session_call("GET", &format!("/cookie/{name}"), None);
        if value["error"] == "no such cookie" {
            return Value::Null;
        }
        value
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            self.call("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A fresh Chromium profile directory, removed afterwards.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "securecookie-chromium-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn which(program: &str) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

#[test]
#[ignore = "needs Chromium: cargo test --all-features --test browser -- --ignored"]
fn login_welcome_logout_tamper_in_chromium() {
    let browser = Browser::start();
    let settings = keyed_settings();
    let store = settings.store().unwrap();
    let (_runtime, addr) = common::http::serve_in_background(&settings.addr, |listener| {
        server::serve(listener, store, settings.about())
    });
    login_welcome_logout_tamper(&browser, &format!("http://{addr}"));
}

/// The same steps on the actix-web demo, as its `main` serves it (CSRF on).
#[cfg(feature = "actix")]
#[test]
#[ignore = "needs Chromium: cargo test --all-features --test browser -- --ignored"]
fn actix_login_welcome_logout_tamper_in_chromium() {
    let browser = Browser::start();
    let settings = keyed_settings();
    let store = settings.store().unwrap();
    let addr = serve_actix(store, settings.about(), settings.config.clone());
    login_welcome_logout_tamper(&browser, &format!("http://{addr}"));
}

/// The actix-web demo on an ephemeral loopback port, on its own thread
/// and actix runtime (it ends with the test process).
#[cfg(feature = "actix")]
fn serve_actix(
    store: securecookie::CookieStore<String>,
    about: String,
    config: securecookie::CookieConfig,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = actix_demo::serve(listener, store, about, None, config).unwrap();
            server.await
        })
    });
    addr
}

/// The demo's keys (hex, as `SESSION_HASH_KEY` and `SESSION_BLOCK_KEY`):
/// its default, Secure cookies, which Chromium keeps from http://127.0.0.1
/// (a secure context).
fn keyed_settings() -> server::Settings {
    let vars = [
        ("ADDR", "127.0.0.1:0"),
        ("SESSION_HASH_KEY", HASH_HEX),
        ("SESSION_BLOCK_KEY", BLOCK_HEX),
    ];
    let settings = server::Settings::from_env(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    })
    .unwrap();
    assert!(settings.config.secure);
    settings
}

/// Form login, welcome (flash once, the cookie's attributes), logout, 401,
/// a tampered cookie refused and cleared: on the demo served at `base`.
fn login_welcome_logout_tamper(browser: &Browser, base: &str) {
    // 1. The login form, submitted by a click.
    browser.open(&format!("{base}/"));
    assert_eq!(browser.title(), "Log in · securecookie demo");
    browser.click(r#"input[type="submit"]"#);
    browser.wait_for_title("Welcome · securecookie demo");
    let page = browser.source();
    assert!(page.contains("Welcome a1b2c3!"), "{page}");
    assert!(page.contains("Logged in as a1b2c3."), "the flash notice");
    assert!(page.contains("of 4096 bytes"));

    // 2. The cookie as Chromium stores it.
    let cookie = browser.cookie("my-app");
    assert_eq!(cookie["httpOnly"], true, "{cookie}");
    assert_eq!(cookie["secure"], true, "{cookie}");
    assert_eq!(cookie["sameSite"], "Lax", "{cookie}");
    assert_eq!(cookie["path"], "/", "{cookie}");
    let expiry = cookie["expiry"].as_u64().expect("a persistent cookie");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let week = 7 * 24 * 60 * 60;
    assert!(
        expiry.abs_diff(now + week) < 120,
        "expiry {expiry}, now {now}"
    );
    let value = cookie["value"].as_str().unwrap().to_string();

    // 3. A reload: the flash notice was shown once.
    browser.open(&format!("{base}/welcome"));
    assert!(!browser.source().contains("Logged in as"));

    // 4. Logout, then /welcome is the 401 page linking to the form.
    browser.click(r#"input[value="Logout"]"#);
    browser.wait_for_title("Log in · securecookie demo");
    assert_eq!(browser.cookie("my-app"), Value::Null, "logout dropped it");
    browser.open(&format!("{base}/welcome"));
    assert_eq!(browser.title(), "Not logged in · securecookie demo");
    let page = browser.source();
    assert!(page.contains("401: missing session"), "{page}");
    assert!(page.contains(r#"<a href="/">Log in</a>"#));

    // 5. A tampered cookie (the login cookie, one character changed): 401,
    //    the reason shown, and the layer makes Chromium drop it.
    let mut tampered = value.clone();
    let at = tampered.len() / 2;
    let c = if &tampered[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, c);
    browser.session_call(
        "POST",
        "/cookie",
        Some(json!({"cookie": {
            "name": "my-app", "value": tampered, "path": "/",
            "httpOnly": true, "secure": true, "sameSite": "Lax",
        }})),
    );
    assert_eq!(browser.cookie("my-app")["value"], tampered.as_str());
    browser.open(&format!("{base}/welcome"));
    let page = browser.source();
    assert!(page.contains("401: missing session"), "{page}");
    assert!(page.contains("Your cookie was refused: cookie MAC does not match."));
    assert_eq!(
        browser.cookie("my-app"),
        Value::Null,
        "cleared by the layer"
    );
}

/// CSRF in Chromium: the demo as `main` serves it (`protected_router`).
/// Its own forms (login, logout) carry their tokens and work; a page on
/// another origin (another port of 127.0.0.1: same site, so SameSite=Lax
/// still sends the session cookie) posting a form to `/logout` gets 403 and
/// the session lives on.
#[test]
#[ignore = "needs Chromium: cargo test --all-features --test browser -- --ignored"]
fn cross_site_logout_is_refused_in_chromium() {
    let browser = Browser::start();
    let (config, store) = csrf_store();
    let app = server::protected_router(store, "in the cookie".into(), None, config);
    let (_runtime, addr) =
        common::http::serve_in_background("127.0.0.1:0", |listener| async move {
            axum::serve(listener, app).await
        });
    cross_site_logout_refused(&browser, &format!("http://{addr}"));
}

/// The same on the actix-web demo.
#[cfg(feature = "actix")]
#[test]
#[ignore = "needs Chromium: cargo test --all-features --test browser -- --ignored"]
fn actix_cross_site_logout_is_refused_in_chromium() {
    let browser = Browser::start();
    let (config, store) = csrf_store();
    let addr = serve_actix(store, "in the cookie".into(), config);
    cross_site_logout_refused(&browser, &format!("http://{addr}"));
}

fn csrf_store() -> (
    securecookie::CookieConfig,
    securecookie::CookieStore<String>,
) {
    let config = securecookie::CookieConfig::default();
    let store = securecookie::CookieStore::<String>::new(
        config.clone(),
        [securecookie::Keys::derive(b"browser csrf test: 32 bytes long").unwrap()],
    )
    .unwrap();
    (config, store)
}

/// The demo at `base` (with CSRF on) logged into by its own form; a page
/// on another origin posting to its `/logout` gets 403 and the session
/// lives on; the demo's own logout form works.
fn cross_site_logout_refused(browser: &Browser, base: &str) {
    // The other origin: a page whose form posts to the demo's /logout
    // (without a token: it cannot read one).
    let evil_page = format!(
        "<!doctype html><title>Win a prize</title>\
         <form action=\"{base}/logout\" method=\"post\">\
         <input type=\"hidden\" name=\"csrf-token\" value=\"{}\">\
         <input type=\"submit\" value=\"Claim\"></form>",
        "A".repeat(86)
    );
    let evil = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(evil_page) }),
    );
    let (_evil_runtime, evil_addr) =
        common::http::serve_in_background("127.0.0.1:0", |listener| async move {
            axum::serve(listener, evil).await
        });

    // The demo's own login form, with its token.
    browser.open(&format!("{base}/"));
    assert_eq!(browser.title(), "Log in · securecookie demo");
    assert!(browser.source().contains("name=\"csrf-token\""));
    browser.click(r#"input[type="submit"]"#);
    browser.wait_for_title("Welcome · securecookie demo");
    assert!(browser.source().contains("Welcome a1b2c3!"));
    let session = browser.cookie("my-app")["value"].clone();
    assert!(session.is_string(), "logged in: {session}");

    // The other origin's form, submitted by a click: 403.
    browser.open(&format!("http://{evil_addr}/"));
    assert_eq!(browser.title(), "Win a prize");
    browser.click(r#"input[type="submit"]"#);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !browser.source().contains("403 Forbidden") {
        assert!(Instant::now() < deadline, "no 403: {}", browser.source());
        std::thread::sleep(Duration::from_millis(50));
    }
    // The session lives on: same cookie, welcome page.
    assert_eq!(browser.cookie("my-app")["value"], session);
    browser.open(&format!("{base}/welcome"));
    assert!(browser.source().contains("Welcome a1b2c3!"));

    // The demo's own logout form works.
    browser.click(r#"input[value="Logout"]"#);
    browser.wait_for_title("Log in · securecookie demo");
    assert_eq!(browser.cookie("my-app"), Value::Null, "logged out");
}
