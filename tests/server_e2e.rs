#![cfg(feature = "axum")]
//! End to end: the demo server (`examples/server.rs`, included as is) on an
//! ephemeral loopback port, driven over real TCP by a small HTTP/1.1 client
//! that keeps cookies the way a browser does for one host.
//!
//! Steps: login form, login (303 + Set-Cookie), welcome (200, the flash
//! notice once, the cookie panel), index when logged in, logout (303 +
//! expiring Set-Cookie), welcome again (401 page linking to the login
//! form), then a tampered cookie, an expired one, one from another key
//! (each 401, the reason shown, the cookie cleared) and a session without
//! `user-id` (401), and a bad login (400).

mod common;
#[allow(dead_code)]
#[path = "../examples/server.rs"]
mod server;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use common::http::Reply;

use securecookie::set_cookie::ImfFixdate;
use securecookie::{CookieConfig, CookieStore, Iv, Keys};

const HASH_HEX: &str = "0707070707070707070707070707070707070707070707070707070707070707";
const BLOCK_HEX: &str = "0909090909090909090909090909090909090909090909090909090909090909";

/// One request with its `Cookie` header, if any.
fn request(addr: SocketAddr, method: &str, path: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut headers = Vec::new();
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    if method == "POST" {
        headers.push(("Content-Type", "application/x-www-form-urlencoded"));
    }
    common::http::request(addr, method, path, &headers, body)
}

/// A client with a cookie jar for one host: `Set-Cookie` adds or replaces a
/// cookie, and one with `Max-Age=0` (or an empty value) removes it.
struct Browser {
    addr: SocketAddr,
    jar: BTreeMap<String, String>,
}

impl Browser {
    fn send(&mut self, method: &str, path: &str, body: &str) -> Reply {
        let cookie = (!self.jar.is_empty()).then(|| {
            self.jar
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        });
        let reply = request(self.addr, method, path, cookie.as_deref(), body);
        for line in reply.set_cookies() {
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            let expired = attributes
                .split(';')
                .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            if expired || value.is_empty() {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_string(), value.to_string());
            }
        }
        reply
    }
}

fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn login_welcome_logout_and_refusals() {
    let settings = server::Settings::from_env(env(&[
        ("ADDR", "127.0.0.1:0"),
        ("SESSION_HASH_KEY", HASH_HEX),
        ("SESSION_BLOCK_KEY", BLOCK_HEX),
        ("INSECURE_COOKIES", "1"),
    ]))
    .unwrap();
    assert!(!settings.random_keys);
    let store = settings.store().unwrap();
    let (_runtime, addr) = common::http::serve_in_background(&settings.addr, |listener| {
        server::serve(listener, store.clone(), settings.about())
    });

    let mut browser = Browser {
        addr,
        jar: BTreeMap::new(),
    };

    // 1. Not logged in: the login form.
    let index = browser.send("GET", "/", "");
    assert_eq!(index.status, 200);
    assert!(
        index
            .body
            .contains(r#"<form action="/login" method="post">"#)
    );

    // 2. Login: 303 to /welcome with the session cookie (debug config).
    let login = browser.send("POST", "/login", "user-id=alice");
    assert_eq!(login.status, 303);
    assert_eq!(login.header("location"), Some("/welcome"));
    let set = login.set_cookies();
    assert_eq!(set.len(), 1);
    let login_cookie = browser.jar["my-app"].clone();
    // The whole line: the value is random (its IV), so it is read back
    // for its timestamp, from which `Expires` follows exactly.
    let issued = store
        .load_at("my-app", &login_cookie, now())
        .unwrap()
        .issued;
    let expires = ImfFixdate::from_unix(issued + 604_800);
    assert_eq!(
        set[0],
        format!(
            "my-app={login_cookie}; Path=/; Expires={expires}; Max-Age=604800; HttpOnly; SameSite=Lax"
        )
    );

    // 3. Welcome: the flash notice (taken, so the cookie is re-issued
    //    without it), the panel, the logout form.
    let welcome = browser.send("GET", "/welcome", "");
    assert_eq!(welcome.status, 200);
    assert!(
        welcome
            .body
            .contains("<title>Welcome · securecookie demo</title>")
    );
    assert!(welcome.body.contains("Welcome alice!"));
    assert!(
        welcome
            .body
            .contains(r#"<p class="notice">Logged in as alice.</p>"#)
    );
    assert_eq!(welcome.set_cookies().len(), 1);
    let len = login_cookie.len() + "my-app=".len();
    assert!(welcome.body.contains(&format!("{len} of 4096 bytes")));
    assert!(
        welcome
            .body
            .contains("encrypted (AES-CTR) and signed (HMAC-SHA256)")
    );
    assert!(
        welcome
            .body
            .contains(r#"<form action="/logout" method="post">"#)
    );
    let again = browser.send("GET", "/welcome", "");
    assert!(again.body.contains("Welcome alice!"));
    assert!(!again.body.contains("Logged in as"), "a flash shows once");
    assert!(again.set_cookies().is_empty(), "nothing changed");

    // 4. The index now links to /welcome.
    let index = browser.send("GET", "/", "");
    assert!(index.body.contains(r#"<a href="/welcome">"#));
    assert!(!index.body.contains("/login"));

    // 5. Logout: 303 to / with a Set-Cookie that expires the cookie, keeping
    //    the attributes it was set with.
    let logout = browser.send("POST", "/logout", "");
    assert_eq!(logout.status, 303);
    assert_eq!(logout.header("location"), Some("/"));
    assert_eq!(
        logout.set_cookies(),
        [
            "my-app=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; SameSite=Lax"
        ]
    );
    assert!(browser.jar.is_empty());

    // 6. Welcome again: no session, a 401 page that links to the form.
    let again = browser.send("GET", "/welcome", "");
    assert_eq!(again.status, 401);
    assert!(again.body.contains("<h1>401: missing session</h1>"));
    assert!(again.body.contains(r#"<a href="/">Log in</a>"#));
    assert!(!again.body.contains("refused"));

    let welcome_with = |cookie: &str| {
        let reply = request(addr, "GET", "/welcome", Some(cookie), "");
        let set_cookie = reply.set_cookies().join("\n");
        (reply.status, reply.body, set_cookie)
    };
    let cleared =
        "my-app=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; SameSite=Lax";
    let refused = |cookie: &str, why: &str| {
        let (status, body, set_cookie) = welcome_with(cookie);
        assert_eq!(status, 401, "{why}");
        assert!(body.contains("<h1>401: missing session</h1>"), "{why}");
        assert!(
            body.contains(&format!("Your cookie was refused: {why}.")),
            "{body}"
        );
        assert_eq!(set_cookie, cleared, "{why}: the bad cookie is cleared");
    };

    // 7. The login cookie, one character changed.
    let mut tampered = login_cookie.clone();
    let at = tampered.len() / 2;
    let c = if &tampered[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, c);
    refused(&format!("my-app={tampered}"), "cookie MAC does not match");

    // 8. Expired: made with the server's keys 7 days and 10 seconds ago.
    //    The same session made 10 seconds ago is accepted, so the refusal
    //    is the age and nothing else.
    let mut session = store.new_session("my-app");
    session.set("user-id", "bob".to_string());
    let made_at = |t: u64| {
        let line = store.save_at(&session, t, Iv::random().unwrap()).unwrap();
        line.split(';').next().unwrap().to_string()
    };
    let (status, body, set_cookie) = welcome_with(&made_at(now() - 10));
    assert_eq!(status, 200);
    assert!(body.contains("Welcome bob!"));
    assert!(set_cookie.is_empty());
    refused(&made_at(now() - 7 * 24 * 3600 - 10), "cookie has expired");
    // Four days old: still good, and re-issued (rolling renewal).
    let (status, _, set_cookie) = welcome_with(&made_at(now() - 4 * 24 * 3600));
    assert_eq!(status, 200);
    assert!(set_cookie.starts_with("my-app=") && set_cookie.contains("Max-Age=604800"));

    // 9. A cookie made with other keys.
    let stranger = CookieStore::<String>::new(
        CookieConfig::debug(),
        [Keys::new(&[1; 32], Some(&[2; 32])).unwrap()],
    )
    .unwrap();
    let foreign = stranger.save(&session).unwrap();
    refused(
        foreign.split(';').next().unwrap(),
        "cookie MAC does not match",
    );

    // 10. A valid session without user-id.
    let mut other = store.new_session("my-app");
    other.set("theme", "dark".to_string());
    let line = store.save(&other).unwrap();
    let (status, body, _) = welcome_with(line.split(';').next().unwrap());
    assert_eq!(status, 401);
    assert!(body.contains("<h1>401: missing user-id</h1>"));

    // 11. A login without a usable user-id.
    let bad = request(addr, "POST", "/login", None, "user-id=%3Cscript%3E");
    assert_eq!(bad.status, 400);
    assert!(bad.set_cookies().is_empty());
}

#[test]
fn settings_from_the_environment() {
    let s = server::Settings::from_env(env(&[])).unwrap();
    assert_eq!(s.addr, "127.0.0.1:8080");
    assert!(s.random_keys && s.keys.is_encrypted());
    assert_eq!(s.config, CookieConfig::default());

    let s = server::Settings::from_env(env(&[
        ("SESSION_HASH_KEY", HASH_HEX),
        ("INSECURE_COOKIES", "1"),
    ]))
    .unwrap();
    assert!(!s.random_keys && !s.keys.is_encrypted());
    assert_eq!(s.config, CookieConfig::debug());

    let err = |vars| server::Settings::from_env(env(vars)).err().unwrap();
    assert_eq!(
        err(&[("SESSION_HASH_KEY", "0g")]),
        "SESSION_HASH_KEY: character 2 is not a hex digit"
    );
    assert_eq!(
        err(&[("SESSION_HASH_KEY", "070")]),
        "SESSION_HASH_KEY: 3 hex digits: two digits make a byte, so the count must be even"
    );
    assert_eq!(
        err(&[("SESSION_HASH_KEY", "0707")]),
        "bad session key: hash key is 2 bytes; at least 32 are required"
    );
    assert_eq!(
        err(&[
            ("SESSION_HASH_KEY", HASH_HEX),
            ("SESSION_BLOCK_KEY", "0909")
        ]),
        "bad session key: block key is 2 bytes; it must be 16, 24 or 32"
    );
    assert_eq!(
        err(&[("SESSION_BLOCK_KEY", BLOCK_HEX)]),
        "SESSION_BLOCK_KEY is set but SESSION_HASH_KEY is not"
    );

    // One master secret, or several newest first: the CLI's scheme.
    const NEW: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const OLD: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const BOTH: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, \
                        aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let s = server::Settings::from_env(env(&[("SESSION_SECRET", BOTH)])).unwrap();
    assert!(!s.random_keys);
    let derived = |hex: &str| securecookie::Secret::parse(hex).unwrap().keys().key_id();
    assert_eq!(s.keys.key_id(), derived(NEW));
    let older: Vec<u8> = s.older_keys.iter().map(|k| k.key_id()).collect();
    assert_eq!(older, [derived(OLD)]);
    assert_eq!(s.store().unwrap().codecs().len(), 2);
    assert_eq!(
        err(&[("SESSION_SECRET", "bbbb")]),
        "SESSION_SECRET: secret 1: the secret is 2 bytes, at least 32 are needed \
         (64 hex digits; `securecookie keygen` makes one)"
    );
    assert_eq!(
        err(&[("SESSION_SECRET", NEW), ("SESSION_HASH_KEY", HASH_HEX)]),
        "SESSION_SECRET and SESSION_HASH_KEY / SESSION_BLOCK_KEY are all set: \
         use either the secret or the raw keys"
    );
}
