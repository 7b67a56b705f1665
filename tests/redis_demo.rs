//! The demo server (`examples/server.rs`, included as is) with
//! `SESSION_STORE` pointing at the real Redis of `.ci/redis`: same pages,
//! and `/logout` revokes: the old cookie, replayed, gets the 401 page.

mod common;
#[path = "common/redis.rs"]
mod redis_common;
#[allow(dead_code)]
#[path = "../examples/server.rs"]
mod server;

use std::net::SocketAddr;

use common::http::Reply;

fn request(addr: SocketAddr, method: &str, path: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    common::http::request(addr, method, path, &headers, body)
}

/// The `name=value` of the reply's one `Set-Cookie`.
fn cookie(reply: &Reply) -> String {
    let lines = reply.set_cookies();
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].split(';').next().unwrap().to_string()
}

#[test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
fn logout_revokes_the_cookie_on_redis() {
    let url = redis_common::shared_url();
    let settings = server::Settings::from_env(|name| match name {
        "ADDR" => Some("127.0.0.1:0".into()),
        "INSECURE_COOKIES" => Some("1".into()),
        "SESSION_STORE" => Some(url.clone()),
        _ => None,
    })
    .unwrap();
    assert!(settings.about().contains("in Redis"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = runtime
        .block_on(settings.redis_store(settings.session_store.as_deref().unwrap()))
        .unwrap();
    let about = settings.about();
    let (_server, addr) = common::http::serve_in_background(&settings.addr, |listener| {
        server::serve(listener, store, about)
    });

    let login = request(addr, "POST", "/login", None, "user-id=alice");
    assert_eq!(login.status, 303);
    let session = cookie(&login);
    // The cookie holds a sealed id: short whatever the session holds.
    assert!(session.len() < 120, "{session}");
    let welcome = request(addr, "GET", "/welcome", Some(&session), "");
    assert_eq!(welcome.status, 200);
    assert!(welcome.body.contains("Welcome alice!"));
    assert!(welcome.body.contains("in Redis"));

    let logout = request(addr, "POST", "/logout", Some(&session), "");
    assert_eq!(logout.status, 303);
    assert!(logout.set_cookies()[0].contains("Max-Age=0"));

    // The copied cookie, replayed after logout: revoked.
    let replay = request(addr, "GET", "/welcome", Some(&session), "");
    assert_eq!(replay.status, 401);
    assert!(
        replay.body.contains("no session of that id"),
        "{}",
        replay.body
    );
}

#[test]
fn session_store_is_read_from_the_environment() {
    let with = server::Settings::from_env(|name| {
        (name == "SESSION_STORE").then(|| "redis://127.0.0.1:1/".to_string())
    })
    .unwrap();
    assert_eq!(with.session_store.as_deref(), Some("redis://127.0.0.1:1/"));
    let without = server::Settings::from_env(|_| None).unwrap();
    assert_eq!(without.session_store, None);
    assert!(without.about().starts_with("in the cookie"));
}
