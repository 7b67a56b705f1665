//! Issue 17: any serde value in a session, and the deploys it must
//! survive. Every cookie here is minted by the v1 type through a real
//! store, then read by the v2 type, as after a deploy.

use securecookie::{CookieConfig, CookieStore, Error, Keys, Session};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
    roles: Vec<String>,
}

fn ada() -> User {
    User {
        id: 7,
        name: "Ada".into(),
        roles: vec!["admin".into(), "editor".into()],
    }
}

fn store<V>() -> CookieStore<V> {
    CookieStore::new(
        CookieConfig::default(),
        [Keys::new(&[7; 32], Some(&[9; 32])).unwrap()],
    )
    .unwrap()
}

/// A v1 cookie holding `ada()` under "user", as the browser sends it back.
fn v1_cookie() -> String {
    let store = store::<User>();
    let mut session = store.new_session("s");
    session.set("user", ada());
    let line = store.save(&session).unwrap();
    line.split(';').next().unwrap().to_string()
}

#[test]
fn a_struct_in_one_line() {
    let store = store::<User>();
    let mut session = store.new_session("s");
    session.set("user", ada());
    let cookie = v1_cookie();
    assert_eq!(store.get(&cookie, "s").unwrap().get("user"), Some(&ada()));
    // The same bytes as the session's own encoding, whatever the key order.
    assert_eq!(session.get("user"), Some(&ada()));
}

#[test]
fn v2_adds_a_field_with_a_default() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct UserV2 {
        id: u64,
        name: String,
        roles: Vec<String>,
        #[serde(default)]
        locale: Option<String>,
        #[serde(default)]
        visits: u32,
    }
    let session = store::<UserV2>().get(&v1_cookie(), "s").unwrap();
    assert_eq!(
        session.get("user"),
        Some(&UserV2 {
            id: 7,
            name: "Ada".into(),
            roles: vec!["admin".into(), "editor".into()],
            locale: None,
            visits: 0,
        })
    );
}

#[test]
fn v2_removes_a_field() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct UserV2 {
        id: u64,
        name: String,
    }
    let session = store::<UserV2>().get(&v1_cookie(), "s").unwrap();
    assert_eq!(
        session.get("user"),
        Some(&UserV2 {
            id: 7,
            name: "Ada".into()
        })
    );
}

#[test]
fn v2_reorders_the_fields() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct UserV2 {
        roles: Vec<String>,
        name: String,
        id: u64,
    }
    let session = store::<UserV2>().get(&v1_cookie(), "s").unwrap();
    assert_eq!(
        session.get("user"),
        Some(&UserV2 {
            roles: vec!["admin".into(), "editor".into()],
            name: "Ada".into(),
            id: 7,
        })
    );
}

#[test]
fn an_incompatible_v2_is_a_typed_error_not_a_panic() {
    // A field renamed without a default: the v1 value no longer fits.
    #[derive(Debug, Serialize, Deserialize)]
    struct UserV2 {
        id: u64,
        full_name: String,
    }
    assert_eq!(
        store::<UserV2>().get(&v1_cookie(), "s").unwrap_err(),
        Error::InvalidValue {
            reason: "does not fit the type"
        }
    );
    // A field's type changed.
    #[derive(Debug, Serialize, Deserialize)]
    struct UserV3 {
        id: String,
    }
    assert!(matches!(
        store::<UserV3>().get(&v1_cookie(), "s"),
        Err(Error::InvalidValue { .. })
    ));
}

#[test]
fn plain_values_keep_the_bytes_of_older_cookies() {
    // A cookie written by a `CookieStore<String>` reads through serde types
    // that are strings, and the other way round.
    let strings = store::<String>();
    let mut session = Session::new("s");
    session.set("user-id", "a1b2c3".to_string());
    let line = strings.save(&session).unwrap();
    let cookie = line.split(';').next().unwrap();

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct UserId(String);
    let read = store::<UserId>().get(cookie, "s").unwrap();
    assert_eq!(read.get("user-id"), Some(&UserId("a1b2c3".into())));
    let read = store::<Option<String>>().get(cookie, "s").unwrap();
    assert_eq!(read.get("user-id"), Some(&Some("a1b2c3".into())));
}
