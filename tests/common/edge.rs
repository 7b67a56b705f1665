//! The login flow every server of the demo answers alike (the axum demo's,
//! as tests/server_e2e.rs checks it): run against the Worker
//! (tests/worker.rs) and the picoserve firmware on the host
//! (tests/firmware.rs). Included by path: it needs the CLI binary, which
//! only tests with the `cli` feature have.

use std::process::Command;

use crate::common::http::{Reply, request};
use crate::common::serve_sh::Served;
use securecookie::{CookieConfig, CookieStore, Secret, Session};

pub const SECRET: &str = "hex:4242424242424242424242424242424242424242424242424242424242424242";

fn send(served: &Served, method: &str, path: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut headers = vec![];
    if let Some(c) = cookie {
        headers.push(("Cookie", c));
    }
    if method == "POST" {
        headers.push(("Content-Type", "application/x-www-form-urlencoded"));
    }
    request(served.addr, method, path, &headers, body)
}

/// The one `Set-Cookie` line of a reply, split into the value and the
/// attributes after it.
fn set_cookie(reply: &Reply) -> (String, String) {
    let lines = reply.set_cookies();
    assert_eq!(lines.len(), 1, "one Set-Cookie: {lines:?}");
    let (pair, attrs) = lines[0].split_once("; ").expect("attributes");
    let value = pair.strip_prefix("my-app=").expect("the my-app cookie");
    (value.to_string(), attrs.to_string())
}

/// The attributes without `Expires` (it names a second that may differ).
fn without_expires(attrs: &str) -> String {
    attrs
        .split("; ")
        .filter(|a| !a.starts_with("Expires="))
        .collect::<Vec<_>>()
        .join("; ")
}

fn store() -> CookieStore<String> {
    let keys = Secret::parse(SECRET).unwrap().keys();
    CookieStore::new(CookieConfig::default(), [keys]).unwrap()
}

fn flip(value: &str) -> String {
    let i = value.len() / 2;
    let c = if &value[i..=i] == "A" { "B" } else { "A" };
    format!("{}{c}{}", &value[..i], &value[i + 1..])
}

/// Login, the cookie read natively and by the CLI, welcome with the flash
/// notice once, a flipped character, no cookie, logout, a native cookie,
/// a bad login.
pub fn flow(served: &Served) {
    let store = store();

    // Login: 303 to /welcome with a sealed cookie.
    let login = send(served, "POST", "/login", None, "user-id=a1b2c3");
    assert_eq!(login.status, 303, "{}", login.body);
    assert_eq!(login.header("location"), Some("/welcome"));
    let (value, attrs) = set_cookie(&login);

    // The native store reads it and would write the same attributes.
    let session = store
        .get(&format!("my-app={value}"), "my-app")
        .expect("native decode");
    assert_eq!(session.get("user-id").map(String::as_str), Some("a1b2c3"));
    let native_line = store.save(&session).unwrap();
    let native_attrs = native_line.split_once("; ").unwrap().1;
    assert_eq!(without_expires(&attrs), without_expires(native_attrs));
    assert!(attrs.contains("Expires="), "{attrs}");

    // The CLI reads it under the same secret.
    let cli = Command::new(env!("CARGO_BIN_EXE_securecookie"))
        .args(["decode", "--secret", SECRET, &format!("my-app={value}")])
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&cli.stdout);
    assert!(cli.status.success(), "{cli:?}");
    assert!(printed.lines().any(|l| l == "user-id=a1b2c3"), "{printed}");

    // Welcome: 200 with the flash notice, which is taken (a new cookie).
    let welcome = send(
        served,
        "GET",
        "/welcome",
        Some(&format!("my-app={value}")),
        "",
    );
    assert_eq!(welcome.status, 200, "{}", welcome.body);
    assert!(welcome.body.contains("Welcome a1b2c3!"), "{}", welcome.body);
    assert!(
        welcome.body.contains("Logged in as a1b2c3."),
        "{}",
        welcome.body
    );
    let (value, _) = set_cookie(&welcome);
    let again = send(
        served,
        "GET",
        "/welcome",
        Some(&format!("my-app={value}")),
        "",
    );
    assert_eq!(again.status, 200);
    assert!(
        !again.body.contains("Logged in as"),
        "the notice shows once"
    );
    assert!(
        again.set_cookies().is_empty(),
        "nothing changed, nothing written"
    );

    // One flipped character: 401, the reason shown, the cookie cleared.
    let tampered = send(
        served,
        "GET",
        "/welcome",
        Some(&format!("my-app={}", flip(&value))),
        "",
    );
    assert_eq!(tampered.status, 401, "{}", tampered.body);
    assert!(
        tampered.body.contains("Your cookie was refused"),
        "{}",
        tampered.body
    );
    let (cleared, attrs) = set_cookie(&tampered);
    assert!(cleared.is_empty() && attrs.contains("Max-Age=0"), "{attrs}");

    // No cookie: 401 too.
    assert_eq!(send(served, "GET", "/welcome", None, "").status, 401);

    // Logout: 303 to / and the cookie expired, as the native store writes it.
    let logout = send(
        served,
        "POST",
        "/logout",
        Some(&format!("my-app={value}")),
        "",
    );
    assert_eq!(logout.status, 303);
    assert_eq!(logout.header("location"), Some("/"));
    let (cleared, attrs) = set_cookie(&logout);
    let native = store.destroy("my-app").unwrap();
    assert_eq!(format!("my-app={cleared}; {attrs}"), native);

    // A cookie made natively logs in there.
    let mut session: Session<String> = store.new_session("my-app");
    session.set("user-id", "native-1".to_string());
    let line = store.save(&session).unwrap();
    let pair = line.split(';').next().unwrap();
    let welcome = send(
        served,
        "GET",
        "/welcome",
        Some(&format!("other=1; {pair}")),
        "",
    );
    assert_eq!(welcome.status, 200, "{}", welcome.body);
    assert!(
        welcome.body.contains("Welcome native-1!"),
        "{}",
        welcome.body
    );

    // A bad login: 400, no cookie.
    let bad = send(served, "POST", "/login", None, "user-id=a%20b");
    assert_eq!(bad.status, 400);
    assert!(bad.set_cookies().is_empty());
}
