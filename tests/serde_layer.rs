//! Issue 17 through the session layer: any serde value in one line, a
//! value that no longer fits its type (typed error, `None`, a WARN event
//! naming key and type, the other values still read), the encoded size
//! as it stands, and a too-large session reported without a subscriber.

use std::sync::atomic::{AtomicUsize, Ordering};

/// What `/huge`'s handler learned from `encoded_len`.
static TOLD: AtomicUsize = AtomicUsize::new(0);

use axum::Router;
use axum::body::Body;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use securecookie::layer::{SessionHandle, SessionLayer};
use securecookie::{CookieConfig, CookieStore, Error, Keys};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

mod common;

use common::events::Events;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
    roles: Vec<String>,
}

/// v2 renames `name` without a default: v1's value no longer fits.
#[derive(Debug, Serialize, Deserialize)]
struct UserV2 {
    id: u64,
    full_name: String,
}

/// v2 adds a field with a default: v1's value still reads.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct UserV3 {
    id: u64,
    name: String,
    roles: Vec<String>,
    #[serde(default)]
    locale: String,
}

fn app() -> Router {
    let store: CookieStore = CookieStore::new(
        CookieConfig::default(),
        [Keys::new(&[7; 32], Some(&[9; 32])).unwrap()],
    )
    .unwrap();
    Router::new()
        .route(
            "/login",
            get(|s: SessionHandle| async move {
                s.set(
                    "user",
                    User {
                        id: 7,
                        name: "Ada".into(),
                        roles: vec!["admin".into()],
                    },
                );
                s.set("visits", 3u32);
                s.encoded_len().unwrap().to_string()
            }),
        )
        .route(
            "/v2",
            get(|s: SessionHandle| async move {
                let err = s.try_get::<UserV2>("user").unwrap_err();
                assert_eq!(
                    err,
                    Error::InvalidValue {
                        reason: "does not fit the type"
                    }
                );
                assert!(s.get::<UserV2>("user").is_none());
                format!("visits={}", s.get::<u32>("visits").unwrap())
            }),
        )
        .route(
            "/v3",
            get(|s: SessionHandle| async move {
                let user: UserV3 = s.get("user").unwrap();
                format!("{} {} {:?}", user.id, user.name, user.locale)
            }),
        )
        .route(
            "/huge",
            get(|s: SessionHandle| async move {
                s.set("notes", vec!["x".repeat(100); 50]);
                // The 500 replaces the body: keep what it told aside.
                TOLD.store(s.encoded_len().unwrap(), Ordering::Relaxed);
            }),
        )
        .layer(SessionLayer::new(store, "s"))
}

async fn call(
    app: &Router,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, Option<String>, String) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .map(|l| l.to_str().unwrap().split(';').next().unwrap().to_string());
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, cookie, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn a_deploy_that_breaks_a_value_costs_that_value_only() {
    let events = Events::default();
    let _guard = tracing::subscriber::set_default(events.clone());
    let app = app();
    let (_, cookie, told) = call(&app, "/login", None).await;
    let cookie = cookie.expect("login sets a cookie");
    // The size it told before returning is the cookie's.
    assert_eq!(told.parse::<usize>().unwrap(), cookie.len());

    let (status, _, body) = call(&app, "/v2", Some(&cookie)).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "visits=3"));
    let events = events.0.lock().unwrap().clone();
    let warn: Vec<_> = events.iter().filter(|e| e.starts_with("WARN")).collect();
    assert_eq!(warn.len(), 2, "{events:?}"); // try_get, then get
    assert!(warn[0].contains("key=\"user\""), "{warn:?}");
    assert!(warn[0].contains("serde_layer::UserV2"), "{warn:?}");
    assert!(!warn[0].contains("Ada"), "no value in the log: {warn:?}");

    let (_, _, body) = call(&app, "/v3", Some(&cookie)).await;
    assert_eq!(body, "7 Ada \"\"");
}

/// The handler can see a session grow past a browser's limit, and the
/// 500 says why on stderr when the app installed no subscriber: run in a
/// child process (no subscriber anywhere), its stderr read here.
#[test]
fn too_large_a_session_is_told_and_logged_without_a_subscriber() {
    if std::env::var_os("SERDE_LAYER_CHILD").is_some() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (status, cookie, _) = runtime.block_on(call(&app(), "/huge", None));
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(cookie.is_none());
        println!("told={}", TOLD.load(Ordering::Relaxed));
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "too_large_a_session_is_told_and_logged_without_a_subscriber",
            "--nocapture",
        ])
        .env("SERDE_LAYER_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let told: usize = stdout
        .split("told=")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(told > securecookie::MAX_COOKIE_LEN, "{told}");
    assert!(
        stderr.contains(&format!(
            "securecookie: session cookie `s` not saved, answering 500: cookie is {told} bytes long"
        )),
        "{stderr}"
    );
}

#[derive(Default, Serialize, Deserialize)]
struct Cart {
    items: Vec<String>,
}

/// Item 4: the whole session as one struct, saved when changed, with the
/// handle's lifecycle.
#[tokio::test]
async fn a_whole_session_struct_is_saved_when_changed() {
    use securecookie::layer::Typed;
    let store: CookieStore = CookieStore::new(
        CookieConfig::default(),
        [Keys::new(&[7; 32], Some(&[9; 32])).unwrap()],
    )
    .unwrap();
    let app = Router::new()
        .route(
            "/add",
            get(|mut cart: Typed<Cart>| async move {
                cart.items.push("apple".into());
                cart.items.len().to_string()
            }),
        )
        .route(
            "/count",
            get(|cart: Typed<Cart>| async move { cart.items.len().to_string() }),
        )
        .route(
            "/checkout",
            get(|cart: Typed<Cart>| async move { cart.handle().destroy() }),
        )
        .route(
            "/debug",
            get(|cart: Typed<Cart>| async move { format!("{cart:?}") }),
        )
        .layer(SessionLayer::new(store, "s"));
    // Reading the default of a visitor with no session writes nothing.
    let (_, cookie, body) = call(&app, "/count", None).await;
    assert_eq!((cookie, body.as_str()), (None, "0"));
    let (_, cookie, body) = call(&app, "/add", None).await;
    let first = cookie.expect("a change is saved");
    assert_eq!(body, "1");
    let (_, cookie, body) = call(&app, "/add", Some(&first)).await;
    let second = cookie.expect("a change is saved");
    assert_eq!(body, "2");
    // Read without a change: no Set-Cookie.
    let (_, cookie, body) = call(&app, "/count", Some(&second)).await;
    assert_eq!((cookie, body.as_str()), (None, "2"));
    // Debug shows the handle, never the value (plaintext session data).
    let (_, _, body) = call(&app, "/debug", Some(&second)).await;
    assert!(
        body.starts_with("Typed { handle: SessionHandle {"),
        "{body}"
    );
    assert!(!body.contains("apple"), "{body}");
    // The handle's lifecycle: destroy expires the cookie.
    let (_, cookie, _) = call(&app, "/checkout", Some(&second)).await;
    assert_eq!(cookie.as_deref(), Some("s="));
}
