//! The demo server (`examples/server.rs`, included as is) with
//! `SESSION_STORE=sqlite://PATH`, through a real HTTP client on loopback
//! (issue 18): a session survives a restart of the demo; "your sessions"
//! lists the logins of two clients; "log out this one" and "log out all
//! others" end only those; after logout the replayed cookie is 401.

mod common;
#[allow(dead_code)]
#[path = "../examples/server.rs"]
mod server;

use std::net::SocketAddr;

use common::http::Reply;

fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    agent: &str,
    cookie: Option<&str>,
    body: &str,
) -> Reply {
    let mut headers = vec![
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("User-Agent", agent),
    ];
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

/// The demo on `SESSION_STORE=sqlite://path`, with a fixed secret (so that
/// a restart keeps the keys): its runtime (drop it to stop the server) and
/// address.
fn start(path: &str) -> (tokio::runtime::Runtime, SocketAddr) {
    let url = format!("sqlite://{path}");
    let settings = server::Settings::from_env(|name| match name {
        "ADDR" => Some("127.0.0.1:0".into()),
        "INSECURE_COOKIES" => Some("1".into()),
        "SESSION_STORE" => Some(url.clone()),
        "SESSION_SECRET" => Some("7".repeat(64)),
        _ => None,
    })
    .unwrap();
    assert_eq!(settings.store_kind(), Some("SQLite"));
    let about = settings.about();
    let path = path.to_string();
    common::http::serve_in_background("127.0.0.1:0", move |listener| async move {
        // The pool is made on the runtime that serves it.
        let store = settings.sqlite_store(&path).await.unwrap();
        server::serve_server_store(listener, store, about).await
    })
}

/// The handle in the "log out this one" form of the row labelled `label`.
fn handle_of(page: &str, label: &str) -> String {
    let row = page
        .lines()
        .find(|l| l.contains(label) && l.contains("name=\"handle\""))
        .unwrap_or_else(|| panic!("no row for {label} in {page}"));
    let value = row.split("name=\"handle\" value=\"").nth(1).unwrap();
    value.split('"').next().unwrap().to_string()
}

#[test]
fn sessions_survive_a_restart_and_are_listed_and_revoked_one_by_one() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let key = securecookie::random_key::<8>().unwrap();
    let name: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let path = dir.join(format!("demo-{name}.db"));
    let path = path.to_str().unwrap();

    let (server, addr) = start(path);
    let login = |addr, agent: &str, user: &str| {
        let reply = request(
            addr,
            "POST",
            "/login",
            agent,
            None,
            &format!("user-id={user}"),
        );
        assert_eq!(reply.status, 303);
        cookie(&reply)
    };
    let laptop = login(addr, "client-one", "alice");
    let phone = login(addr, "client-two", "alice");
    let bob = login(addr, "client-bob", "bob");
    // The cookie holds a sealed id: short whatever the session holds.
    assert!(laptop.len() < 120, "{laptop}");

    // The demo restarts: the sessions are in the file.
    drop(server);
    let (_server, addr) = start(path);
    let welcome = request(addr, "GET", "/welcome", "client-one", Some(&laptop), "");
    assert_eq!(welcome.status, 200, "{}", welcome.body);
    let page = &welcome.body;
    assert!(page.contains("Welcome alice!"));
    assert!(page.contains("in SQLite"));
    assert!(page.contains("Your sessions (2)"), "{page}");
    assert!(
        page.contains("client-one <strong>(this one)</strong>"),
        "{page}"
    );
    assert!(page.contains("client-two") && !page.contains("client-bob"));
    let phone_handle = handle_of(page, "client-two");
    // A handle is not a cookie.
    let as_cookie = format!("my-app={phone_handle}");
    let forged = request(addr, "GET", "/welcome", "x", Some(&as_cookie), "");
    assert_eq!(forged.status, 401);

    // Another user's handle ends nothing.
    let bob_page = request(addr, "GET", "/welcome", "client-bob", Some(&bob), "").body;
    let bob_handle = handle_of(&bob_page, "client-bob");
    let reply = request(
        addr,
        "POST",
        "/sessions/revoke",
        "client-one",
        Some(&laptop),
        &format!("handle={bob_handle}"),
    );
    assert_eq!(reply.status, 303);
    assert_eq!(
        request(addr, "GET", "/welcome", "client-bob", Some(&bob), "").status,
        200
    );

    // "Log out this one" on the phone's row: only the phone is logged out.
    let reply = request(
        addr,
        "POST",
        "/sessions/revoke",
        "client-one",
        Some(&laptop),
        &format!("handle={phone_handle}"),
    );
    assert_eq!(reply.status, 303);
    assert_eq!(
        request(addr, "GET", "/welcome", "client-two", Some(&phone), "").status,
        401
    );
    let page = request(addr, "GET", "/welcome", "client-one", Some(&laptop), "").body;
    assert!(page.contains("Your sessions (1)"), "{page}");

    // "Log out all others": two more logins end, this one stays.
    let third = login(addr, "client-three", "alice");
    let fourth = login(addr, "client-four", "alice");
    let reply = request(
        addr,
        "POST",
        "/sessions/others",
        "client-one",
        Some(&laptop),
        "",
    );
    assert_eq!(reply.status, 303);
    for other in [&third, &fourth] {
        assert_eq!(
            request(addr, "GET", "/welcome", "x", Some(other), "").status,
            401
        );
    }
    assert_eq!(
        request(addr, "GET", "/welcome", "client-one", Some(&laptop), "").status,
        200
    );
    assert_eq!(
        request(addr, "GET", "/welcome", "client-bob", Some(&bob), "").status,
        200
    );

    // Logout; the copied cookie, replayed: revoked.
    let logout = request(addr, "POST", "/logout", "client-one", Some(&laptop), "");
    assert_eq!(logout.status, 303);
    let replay = request(addr, "GET", "/welcome", "client-one", Some(&laptop), "");
    assert_eq!(replay.status, 401);
    assert!(
        replay.body.contains("no session of that id"),
        "{}",
        replay.body
    );
}
