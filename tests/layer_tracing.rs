//! The session layer's `tracing` events, in a test binary of their own:
//! tracing caches each call site's interest process-wide, and a call site
//! first hit by another test's thread (no subscriber) while this test
//! installs its own can be cached as "never" and drop the event. Alone in
//! its process, this test cannot lose that race.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::http::header::COOKIE;
use axum::routing::get;
use securecookie::layer::{SessionHandle, SessionLayer};
use securecookie::{CookieConfig, CookieStore, Keys};
use tower::ServiceExt;

mod common;

use common::events::Events;

const NAME: &str = "my-app";

fn app() -> Router {
    let keys = Keys::new(&[7; 32], Some(&[9; 32])).unwrap();
    let store = CookieStore::<String>::new(CookieConfig::default(), [keys]).unwrap();
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
            "/huge",
            get(|s: SessionHandle| async move { s.set("blob", "x".repeat(5000)) }),
        )
        .layer(SessionLayer::new(store, NAME))
}

/// Sends a GET with an optional `Cookie`; returns the first `Set-Cookie`'s
/// `name=value`, if any.
async fn call(app: &Router, path: &str, cookie: Option<&str>) -> Option<String> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let line = response.headers().get(axum::http::header::SET_COOKIE)?;
    Some(
        line.to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string(),
    )
}

async fn login(app: &Router) -> String {
    call(app, "/login", None)
        .await
        .expect("login sets a cookie")
}

#[tokio::test]
async fn refused_cookies_and_failed_saves_are_traced() {
    let events = Events::default();
    let _guard = tracing::subscriber::set_default(events.clone());
    let app = app();
    let good = login(&app).await;
    assert!(events.0.lock().unwrap().is_empty(), "a good save is quiet");
    call(&app, "/read", Some(&good)).await;
    call(&app, "/read", None).await;
    assert!(events.0.lock().unwrap().is_empty(), "no cookie is not news");

    call(&app, "/read", Some("my-app=AAAA")).await;
    call(&app, "/huge", None).await;
    let events = events.0.lock().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[0].starts_with("INFO"), "{events:?}");
    assert!(
        events[0].contains("cookie=my-app reason=cookie is malformed"),
        "{events:?}"
    );
    assert!(events[1].starts_with("ERROR"), "{events:?}");
    assert!(
        events[1].contains("error=cookie is 6779 bytes long; the limit is 4096 status=500"),
        "{events:?}"
    );
    // No plaintext in the log.
    assert!(!events.iter().any(|e| e.contains("xxxx")));
}
