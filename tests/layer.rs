//! The session layer and the axum extractor, in process through
//! `tower::ServiceExt::oneshot`: the lifecycle (lazy, save when modified,
//! renew, destroy, flash, rolling renewal, lifetime cap) and every bad
//! input of issue 9 item 3 (missing, tampered, expired, wrongly keyed,
//! undecodable cookies; unsavable sessions; a store that fails; no layer).

use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::Body;
use axum::http::header::SET_COOKIE;
use axum::http::{Response, StatusCode};
use axum::routing::get;
use oneshot::{call, text};
use securecookie::layer::{LazySession, SaveError, SessionHandle, SessionLayer};
use securecookie::{
    CookieConfig, CookieStore, Error, Iv, Keys, KvError, SessionStore, StoreError, kv,
};

#[path = "common/oneshot.rs"]
mod oneshot;

const NAME: &str = "my-app";

// The handle crosses `.await`s and tasks; the service is cloned per
// request by axum: checked when this file compiles.
const _: () = {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    let _ = shareable::<SessionHandle>;
    let _ = shareable::<securecookie::layer::LazySession>;
    let _ = shareable::<SessionLayer<CookieStore<String>>>;
    let _ = shareable::<securecookie::layer::SessionService<axum::routing::Route>>;
};
const DAY: u64 = 24 * 60 * 60;

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

fn store() -> CookieStore<String> {
    CookieStore::new(CookieConfig::default(), [keys()]).unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Routes exercising each operation; `hits` counts handler calls.
fn routes() -> Router {
    Router::new()
        .route("/untouched", get(|| async { "hello" }))
        .route(
            "/read",
            get(|s: SessionHandle| async move {
                let why = s.rejected().map(|e| format!("{e:?}")).unwrap_or_default();
                format!("{}|{why}", s.get::<String>("user-id").unwrap_or_default())
            }),
        )
        .route(
            "/login",
            get(|s: SessionHandle| async move {
                s.set("user-id", "a1b2c3".to_string());
                s.renew();
            }),
        )
        .route(
            "/sized",
            get(|s: SessionHandle| async move {
                s.set("user-id", "a1b2c3".to_string());
                format!("{:?}", s.encoded_len())
            }),
        )
        .route(
            "/same",
            get(|s: SessionHandle| async move { s.set("user-id", "a1b2c3".to_string()) }),
        )
        .route(
            "/logout",
            get(|s: SessionHandle| async move { s.destroy() }),
        )
        .route(
            "/remove",
            get(|s: SessionHandle| async move { s.remove("user-id").to_string() }),
        )
        .route(
            "/clear",
            get(|s: SessionHandle| async move { s.clear() }),
        )
        .route(
            "/flash",
            get(|s: SessionHandle| async move { s.flash("notice", "saved".to_string()) }),
        )
        .route(
            "/take",
            get(|s: SessionHandle| async move {
                s.take_flash::<String>("notice").unwrap_or_default()
            }),
        )
        .route(
            "/flash-two",
            get(|s: SessionHandle| async move {
                s.flash("notice", "saved".to_string());
                s.flash("warning", "careful".to_string());
            }),
        )
        .route(
            "/take-warning",
            get(|s: SessionHandle| async move {
                s.take_flash::<String>("warning").unwrap_or_default()
            }),
        )
        .route(
            "/meta",
            get(|s: SessionHandle| async move {
                format!(
                    "{} {:?} {:?} {:?} {:?} {s:?}",
                    s.is_empty(),
                    s.issued(),
                    s.expires(),
                    s.created(),
                    s.cookie_len()
                )
            }),
        )
        .route(
            "/lazy",
            get(|lazy: axum::Extension<LazySession>| async move { format!("{:?}", lazy.0) }),
        )
        .route(
            "/huge",
            get(|s: SessionHandle| async move { s.set("blob", "x".repeat(5000)) }),
        )
        .route(
            "/reserved",
            get(|s: SessionHandle| async move { s.set("\0c", 1u64) }),
        )
        .route(
            "/twice",
            // Two extractors of one request: one session.
            get(|a: SessionHandle, b: SessionHandle| async move {
                a.set("n", 1u32);
                b.get::<u32>("n").unwrap_or(0).to_string()
            }),
        )
        .route(
            "/typed",
            get(|s: SessionHandle| async move {
                s.set("visits", s.get::<u32>("visits").unwrap_or(0) + 1);
                let as_text: Option<String> = s.get("visits");
                s.set("name", "ann".to_string());
                let as_number = s.try_get::<u32>("name");
                format!("{as_text:?} {as_number:?}")
            }),
        )
}

fn app<S: SessionStore>(layer: SessionLayer<S>) -> Router {
    routes().layer(layer)
}

fn set_cookies(response: &Response<Body>) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

/// The one `Set-Cookie` line's `name=value`.
fn pair(response: &Response<Body>) -> String {
    let lines = set_cookies(response);
    assert_eq!(lines.len(), 1, "one Set-Cookie: {lines:?}");
    lines[0].split(';').next().unwrap().to_string()
}

async fn login(app: &Router) -> String {
    let response = call(app, "/login", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    pair(&response)
}

/// A cookie sealed `age` seconds ago holding `entries` (the layer's
/// reserved ones included).
fn cookie_at(store: &CookieStore<String>, entries: &[(&str, &[u8])], issued: u64) -> String {
    let payload = kv::to_vec::<256>(entries.iter().copied()).unwrap().to_vec();
    let line = store
        .seal_at(NAME, payload, issued, Iv::from_random_bytes([3; 16]))
        .unwrap();
    line.split(';').next().unwrap().to_string()
}

const EXPIRED_LINE: &str = "my-app=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax";

#[tokio::test]
async fn login_read_logout() {
    let app = app(SessionLayer::new(store(), NAME));
    let cookie = login(&app).await;
    assert!(cookie.starts_with("my-app="));

    let response = call(&app, "/read", Some(&cookie)).await;
    assert!(set_cookies(&response).is_empty(), "a read saves nothing");
    assert_eq!(text(response).await, "a1b2c3|");

    let response = call(&app, "/logout", Some(&cookie)).await;
    assert_eq!(set_cookies(&response), [EXPIRED_LINE], "same attributes");
}

/// `encoded_len` is the length of the cookie the layer then writes.
#[tokio::test]
async fn encoded_len_is_the_cookie_written() {
    let app = app(SessionLayer::new(store(), NAME));
    let response = call(&app, "/sized", None).await;
    let cookie = pair(&response);
    assert_eq!(text(response).await, format!("Some({})", cookie.len()));
}

/// A server-side store through the layer: the cookie holds only an id,
/// so `encoded_len` has nothing to say (`None`); logout deletes the record
/// (awaited, as the store has no immediate answer) and clears the cookie.
#[tokio::test]
async fn a_server_store_keeps_values_server_side_and_logout_deletes_them() {
    let memory = securecookie::MemoryStore::new(CookieConfig::default(), [keys()], 10).unwrap();
    let app = app(SessionLayer::new(memory.clone(), NAME));
    let sized = call(&app, "/sized", None).await;
    assert_eq!(set_cookies(&sized).len(), 1);
    assert_eq!(text(sized).await, "None");
    let cookie = login(&app).await;
    assert_eq!(memory.backend().len(), 2);
    let read = call(&app, "/read", Some(&cookie)).await;
    assert_eq!(text(read).await, "a1b2c3|");

    let logout = call(&app, "/logout", Some(&cookie)).await;
    assert_eq!(logout.status(), StatusCode::OK);
    assert_eq!(set_cookies(&logout), [EXPIRED_LINE]);
    assert_eq!(memory.backend().len(), 1, "the record is deleted");
    let read = call(&app, "/read", Some(&cookie)).await;
    assert!(
        text(read).await.starts_with("|"),
        "the old cookie finds nothing"
    );
}

/// A Go-format cookie carries the handler's values only: the layer's own
/// entries (its creation stamp, flash values) stay out of the map a Go
/// service reads (tests/go_interop.rs checks the same against real Go).
#[cfg(feature = "go")]
#[tokio::test]
async fn a_go_format_cookie_carries_the_handlers_values_only() {
    let store = store().go_format(securecookie::go::GoSerializer::Json);
    let app = app(SessionLayer::new(store, NAME));
    let cookie = login(&app).await;
    let value = &cookie[NAME.len() + 1..];
    let codec = securecookie::Codec::with_format(keys(), securecookie::Format::Gorilla);
    let mut buf = vec![0; securecookie::decode_buf_len(value.len())];
    let decoded = codec.decode(NAME, value, now(), &mut buf).unwrap();
    assert_eq!(
        String::from_utf8_lossy(decoded.payload),
        "{\"user-id\":\"a1b2c3\"}\n",
        "Go's json.Encoder, newline included"
    );
}

#[tokio::test]
async fn untouched_routes_read_nothing_and_write_nothing() {
    let app = app(SessionLayer::new(store(), NAME).always_save(true));
    // Even a bad cookie is not looked at: the handler never asked.
    let response = call(&app, "/untouched", Some("my-app=garbage")).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(text(response).await, "hello");
}

#[tokio::test]
async fn saves_only_when_modified() {
    let app = app(SessionLayer::new(store(), NAME));
    let cookie = login(&app).await;
    // The same value again: unchanged.
    assert!(set_cookies(&call(&app, "/same", Some(&cookie)).await).is_empty());
    // Nothing to read, nothing to save, no cookie to clear.
    let response = call(&app, "/read", None).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(text(response).await, "|");
    // Removing the last entry: nothing left worth a cookie.
    let response = call(&app, "/remove", Some(&cookie)).await;
    assert_eq!(set_cookies(&response), [EXPIRED_LINE]);
    assert_eq!(text(response).await, "true");
    let response = call(&app, "/clear", Some(&cookie)).await;
    assert_eq!(set_cookies(&response), [EXPIRED_LINE]);
    // Clearing a session that has nothing changes nothing.
    assert!(set_cookies(&call(&app, "/clear", None).await).is_empty());
}

#[tokio::test]
async fn always_save_reissues_loaded_sessions() {
    let app = app(SessionLayer::new(store(), NAME).always_save(true));
    let cookie = login(&app).await;
    let response = call(&app, "/read", Some(&cookie)).await;
    let again = pair(&response);
    assert_ne!(again, cookie, "fresh IV");
    assert_eq!(
        text(call(&app, "/read", Some(&again)).await).await,
        "a1b2c3|"
    );
    // No session, nothing saved even so.
    assert!(set_cookies(&call(&app, "/read", None).await).is_empty());
}

#[tokio::test]
async fn values_of_several_types_and_extractors() {
    let app = app(SessionLayer::new(store(), NAME));
    let response = call(&app, "/typed", None).await;
    let cookie = pair(&response);
    assert_eq!(
        text(response).await,
        format!(
            "Some(\"1\") Err({})",
            Error::InvalidValue {
                reason: "not a decimal integer"
            }
        )
    );
    let response = call(&app, "/typed", Some(&cookie)).await;
    assert_eq!(text(response).await.split(' ').next(), Some("Some(\"2\")"));
    assert_eq!(text(call(&app, "/twice", None).await).await, "1");
}

#[tokio::test]
async fn flash_values_are_read_once() {
    let app = app(SessionLayer::new(store(), NAME));
    let cookie = pair(&call(&app, "/flash", None).await);
    let response = call(&app, "/take", Some(&cookie)).await;
    // Taking it changed the session: nothing left, the cookie goes.
    assert_eq!(set_cookies(&response), [EXPIRED_LINE]);
    assert_eq!(text(response).await, "saved");
    // Replaying the old cookie is all a client can do; a fresh one has no flash.
    let empty = call(&app, "/take", None).await;
    assert_eq!(text(empty).await, "");
    // Flash values are not entries.
    assert_eq!(text(call(&app, "/read", Some(&cookie)).await).await, "|");
}

#[tokio::test]
async fn each_flash_key_holds_its_own_value() {
    let app = app(SessionLayer::new(store(), NAME));
    let cookie = pair(&call(&app, "/flash-two", None).await);
    let response = call(&app, "/take-warning", Some(&cookie)).await;
    let left = pair(&response);
    assert_eq!(text(response).await, "careful");
    // The other flash is still there, with its own value, once.
    let response = call(&app, "/take", Some(&left)).await;
    assert_eq!(text(response).await, "saved");
    let response = call(&app, "/take-warning", Some(&left)).await;
    assert_eq!(text(response).await, "", "taken already");
}

/// Bounded work: the layer tries the first `header::MAX_SAME_NAME` cookies
/// of its name and ignores the rest; a good cookie right at the limit is
/// read, one place later it is not.
#[tokio::test]
async fn at_most_max_same_name_cookies_are_tried() {
    let app = app(SessionLayer::new(store(), NAME));
    let good = login(&app).await;
    let header = |place: usize| {
        let mut pairs = vec!["my-app=AAAAAAAA".to_string(); place - 1];
        pairs.push(good.clone());
        pairs.join("; ")
    };
    let max = securecookie::header::MAX_SAME_NAME;
    let response = call(&app, "/read", Some(&header(max))).await;
    assert_eq!(text(response).await, "a1b2c3|");
    let response = call(&app, "/read", Some(&header(max + 1))).await;
    assert_eq!(text(response).await, format!("|{}", Error::Malformed));
}

#[tokio::test]
async fn bad_cookies_are_empty_sessions_and_cleared() {
    let store = store();
    let app = app(SessionLayer::new(store.clone(), NAME));
    let good = login(&app).await;
    let value = good.strip_prefix("my-app=").unwrap();

    // Tampered: one character in the middle changed.
    let mut tampered = value.to_string();
    let mid = tampered.len() / 2;
    let c = if &tampered[mid..=mid] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(mid..=mid, c);
    let other_keys = CookieStore::<String>::new(
        CookieConfig::default(),
        [Keys::new(&[8; 32], Some(&[9; 32])).unwrap()],
    )
    .unwrap();
    let wrong_key = cookie_at(&other_keys, &[("user-id", b"a1b2c3")], now());
    let expired = cookie_at(&store, &[("user-id", b"a1b2c3")], now() - 8 * DAY);
    let future = cookie_at(&store, &[("user-id", b"a1b2c3")], now() + DAY);
    // Verifies, but the payload is not kv: only a holder of the keys could
    // make it; the layer still survives it.
    let not_kv = {
        let line = store
            .seal_at(NAME, vec![5, b'a'], now(), Iv::from_random_bytes([3; 16]))
            .unwrap();
        line.split(';').next().unwrap().to_string()
    };
    let cases = [
        (format!("my-app={tampered}"), Error::MacMismatch),
        (wrong_key, Error::MacMismatch),
        (expired, Error::Expired),
        (future, Error::TooNew),
        ("my-app=garbage!".to_string(), Error::Base64),
        ("my-app=".to_string(), Error::Malformed),
        (
            format!("my-app={}", "A".repeat(5000)),
            Error::TooLong {
                len: 5000,
                max: 4096,
            },
        ),
        (not_kv, Error::Payload(KvError::Truncated)),
    ];
    for (cookie, why) in cases {
        let response = call(&app, "/read", Some(&cookie)).await;
        assert_eq!(response.status(), StatusCode::OK, "{why}");
        assert_eq!(set_cookies(&response), [EXPIRED_LINE], "{why}: cleared");
        let body = text(response).await;
        assert_eq!(body, format!("|{why}"));

        // A handler that saves a new session replaces it: one Set-Cookie.
        let response = call(&app, "/login", Some(&cookie)).await;
        let fresh = pair(&response);
        assert_ne!(fresh, "my-app=", "{why}");
        assert_eq!(
            text(call(&app, "/read", Some(&fresh)).await).await,
            "a1b2c3|"
        );
    }
    // A bad cookie and a good one of the same name: the good one wins.
    let both = format!("my-app={tampered}; {good}");
    let response = call(&app, "/read", Some(&both)).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(text(response).await, "a1b2c3|");
}

#[tokio::test]
async fn unsavable_sessions_are_500_with_the_cause() {
    let app = app(SessionLayer::new(store(), NAME));
    let response = call(&app, "/huge", None).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(set_cookies(&response).is_empty());
    let cause = response.extensions().get::<SaveError>().unwrap();
    assert!(matches!(
        *cause.0,
        StoreError::Session(Error::TooLong { max: 4096, .. })
    ));

    let response = call(&app, "/reserved", None).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let cause = response.extensions().get::<SaveError>().unwrap();
    assert!(matches!(*cause.0, StoreError::Session(Error::ReservedKey)));

    let bad_name = routes().layer(SessionLayer::new(store(), "bad name"));
    let response = call(&bad_name, "/login", None).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_missing_layer_is_a_500_that_names_it() {
    let response = call(&routes(), "/read", None).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(text(response).await.contains("SessionLayer"));
    // Routes without the extractor still work.
    assert_eq!(
        text(call(&routes(), "/untouched", None).await).await,
        "hello"
    );
}

/// A handler that takes the rejection itself (`Result<SessionHandle,
/// SessionRejection>`) can tell the developer's mistake from a store that is
/// down: the rejection's text says which.
async fn why(handle: Result<SessionHandle, securecookie::layer::SessionRejection>) -> String {
    match handle {
        Ok(_) => "session".into(),
        Err(rejection) => rejection.to_string(),
    }
}

#[tokio::test]
async fn a_rejection_taken_by_the_handler_says_why() {
    let bare = Router::new().route("/why", get(why));
    let said = text(call(&bare, "/why", None).await).await;
    assert!(
        said.starts_with("SessionHandle needs securecookie's SessionLayer"),
        "{said}"
    );

    let down = Router::new()
        .route("/why", get(why))
        .layer(SessionLayer::new(Down::default(), NAME));
    let said = text(call(&down, "/why", Some("my-app=abc")).await).await;
    assert_eq!(said, "session store unavailable: connection refused");

    let working = Router::new()
        .route("/why", get(why))
        .layer(SessionLayer::new(store(), NAME));
    assert_eq!(text(call(&working, "/why", None).await).await, "session");
}

#[tokio::test]
async fn rolling_renewal_and_the_lifetime_cap() {
    let store = store();
    let app = app(SessionLayer::new(store.clone(), NAME).lifetime(30 * DAY));
    let created = (now() - 4 * DAY).to_string();
    let entries: [(&str, &[u8]); 2] = [("\0c", created.as_bytes()), ("user-id", b"a1b2c3")];

    // Used a day ago: young, no re-issue.
    let young = cookie_at(&store, &entries, now() - DAY);
    assert!(set_cookies(&call(&app, "/read", Some(&young)).await).is_empty());

    // Four days old, past half of the 7 days: re-issued on a read, and the
    // fresh cookie keeps the values and the creation time.
    let old = cookie_at(&store, &entries, now() - 4 * DAY);
    let response = call(&app, "/read", Some(&old)).await;
    let renewed = pair(&response);
    assert_eq!(text(response).await, "a1b2c3|");
    let value = renewed.strip_prefix("my-app=").unwrap();
    let loaded = store.load_at(NAME, value, now()).unwrap();
    assert!(loaded.issued + 5 >= now());
    assert_eq!(
        kv::get(&loaded.payload, "\0c").unwrap(),
        Some(created.as_bytes())
    );

    // Created 31 days ago, renewed all along: the cap ends it.
    let ancient = (now() - 31 * DAY).to_string();
    let capped = cookie_at(
        &store,
        &[("\0c", ancient.as_bytes()), ("user-id", b"x")],
        now(),
    );
    let response = call(&app, "/read", Some(&capped)).await;
    assert_eq!(set_cookies(&response), [EXPIRED_LINE]);
    assert_eq!(
        text(response).await,
        format!("|{}", Error::LifetimeExceeded)
    );

    // Without rolling renewal, an old cookie is left alone.
    let fixed = routes().layer(SessionLayer::new(store.clone(), NAME).rolling(None));
    assert!(set_cookies(&call(&fixed, "/read", Some(&old)).await).is_empty());
}

/// The lifetime cap to the second: a session exactly `cap` old is still
/// good, one a second older is not. The clock is read before and after
/// the request; a try across a second boundary is run again.
#[tokio::test]
async fn the_lifetime_cap_to_the_second() {
    let store = store();
    let cap = 30 * DAY;
    let app = app(SessionLayer::new(store.clone(), NAME).lifetime(cap));
    let exceeded = format!("|{}", Error::LifetimeExceeded);
    for (age, verdict) in [(cap, "a1|"), (cap + 1, exceeded.as_str())] {
        loop {
            let t = now();
            let created = (t - age).to_string();
            let entries: [(&str, &[u8]); 2] = [("\0c", created.as_bytes()), ("user-id", b"a1")];
            let body = text(call(&app, "/read", Some(&cookie_at(&store, &entries, t))).await).await;
            if now() == t {
                assert_eq!(body, verdict, "created {age} s ago");
                break;
            }
        }
    }
}

/// What a handler can show of its session (the demo's /welcome panel):
/// emptiness, issue and expiry times, creation, the cookie's length; and
/// `Debug` without plaintext.
#[tokio::test]
async fn the_handle_describes_its_session() {
    let store = store();
    let app = app(SessionLayer::new(store.clone(), NAME));
    assert_eq!(
        text(call(&app, "/meta", None).await).await,
        r#"true None None None None SessionHandle { cookie: "my-app", entries: 0, rejected: None, .. }"#
    );
    let (issued, created) = (now() - 100, now() - 1000);
    let stamp = created.to_string();
    let entries: [(&str, &[u8]); 2] = [("\0c", stamp.as_bytes()), ("user-id", b"a1b2c3")];
    let cookie = cookie_at(&store, &entries, issued);
    let expires = issued + 7 * DAY;
    assert_eq!(
        text(call(&app, "/meta", Some(&cookie)).await).await,
        format!(
            r#"false Some({issued}) Some({expires}) Some({created}) Some({}) SessionHandle {{ cookie: "my-app", entries: 2, rejected: None, .. }}"#,
            cookie.len()
        )
    );
    // Only the creation stamp left: reserved entries are not the handler's.
    let bare = cookie_at(&store, &entries[..1], issued);
    assert!(
        text(call(&app, "/meta", Some(&bare)).await)
            .await
            .starts_with("true ")
    );
    assert_eq!(
        text(call(&app, "/lazy", None).await).await,
        r#"LazySession { cookie: "my-app", .. }"#
    );
}

/// `clear` on a session that holds nothing of the handler's changes
/// nothing: no cookie is written.
#[tokio::test]
async fn clearing_an_already_empty_session_writes_nothing() {
    let store = store();
    let app = app(SessionLayer::new(store.clone(), NAME));
    let stamp = (now() - 1000).to_string();
    let bare = cookie_at(&store, &[("\0c", stamp.as_bytes())], now() - 100);
    assert!(set_cookies(&call(&app, "/clear", Some(&bare)).await).is_empty());
    // With a value, clearing ends the session.
    let cookie = cookie_at(
        &store,
        &[("\0c", stamp.as_bytes()), ("k", b"v")],
        now() - 100,
    );
    assert_eq!(
        set_cookies(&call(&app, "/clear", Some(&cookie)).await),
        [EXPIRED_LINE]
    );
}

#[tokio::test]
async fn renew_restarts_the_lifetime_and_rotated_keys_reissue() {
    let store = store();
    let app = app(SessionLayer::new(store.clone(), NAME));
    let created = (now() - 10 * DAY).to_string();
    let old = cookie_at(&store, &[("\0c", created.as_bytes())], now());
    let fresh = pair(&call(&app, "/login", Some(&old)).await);
    let loaded = store
        .load_at(NAME, fresh.strip_prefix("my-app=").unwrap(), now())
        .unwrap();
    let stamp: u64 = std::str::from_utf8(kv::get(&loaded.payload, "\0c").unwrap().unwrap())
        .unwrap()
        .parse()
        .unwrap();
    assert!(stamp + 5 >= now());

    // A cookie made with the previous key is re-issued with the new one.
    let rotated = CookieStore::<String>::new(
        CookieConfig::default(),
        [Keys::new(&[1; 32], Some(&[2; 32])).unwrap(), keys()],
    )
    .unwrap();
    let app = app_with(rotated.clone());
    let response = call(&app, "/read", Some(&fresh)).await;
    let reissued = pair(&response);
    let (_, outdated) = rotated.get_outdated(&reissued, NAME).unwrap();
    assert!(!outdated);
}

fn app_with(store: CookieStore<String>) -> Router {
    app(SessionLayer::new(store, NAME))
}

#[path = "common/down.rs"]
mod down;
use down::Down;

#[tokio::test]
async fn a_failing_store_is_503_on_load_and_on_save() {
    let down = Down::default();
    let calls = down.calls.clone();
    let app = app(SessionLayer::new(down, NAME));
    // No cookie: nothing to load, so the store is not asked; the save fails.
    let response = call(&app, "/login", None).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let cause = response.extensions().get::<SaveError>().unwrap();
    assert_eq!(
        cause.to_string(),
        "session store unavailable: connection refused"
    );
    assert_eq!(calls.load(Ordering::Relaxed), 1);

    let response = call(&app, "/read", Some("my-app=abc")).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(text(response).await, "session store unavailable");
    assert_eq!(calls.load(Ordering::Relaxed), 2);
    // An untouched route never reaches the store.
    assert_eq!(
        call(&app, "/untouched", Some("my-app=abc")).await.status(),
        200
    );
    assert_eq!(calls.load(Ordering::Relaxed), 2);
}

/// A store that claims `IMMEDIATE` but gives no immediate answers (a
/// broken contract): a 503 like any failing store, never a panic or a hang.
struct ClaimsImmediate;

impl SessionStore for ClaimsImmediate {
    const IMMEDIATE: bool = true;

    async fn load(&self, _name: &str, _value: &str) -> Result<securecookie::Loaded, StoreError> {
        Err(StoreError::backend("awaited"))
    }

    async fn save(&self, _name: &str, _record: securecookie::Record) -> Result<String, StoreError> {
        Err(StoreError::backend("awaited"))
    }

    async fn destroy(
        &self,
        _name: &str,
        _id: Option<securecookie::SessionId>,
    ) -> Result<String, StoreError> {
        Err(StoreError::backend("awaited"))
    }

    fn max_age(&self) -> Option<u64> {
        None
    }
}

#[tokio::test]
async fn a_store_breaking_its_immediate_promise_is_503() {
    let app = app(SessionLayer::new(ClaimsImmediate, NAME));
    let response = call(&app, "/read", Some("my-app=abc")).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Saving falls back to awaiting the store (the engine tries `save_now`
    // first and finds no answer): its own error, 503.
    let response = call(&app, "/login", None).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let cause = response.extensions().get::<SaveError>().unwrap();
    assert_eq!(cause.to_string(), "session store unavailable: awaited");
}

/// A store whose `Set-Cookie` line is no header value (a line break, as a
/// careless backend might return): the login answers 500 with the cause,
/// never a split header and never a 200 that silently drops the session.
struct BreaksLines;

impl SessionStore for BreaksLines {
    async fn load(&self, _name: &str, _value: &str) -> Result<securecookie::Loaded, StoreError> {
        Err(StoreError::backend("not asked"))
    }

    async fn save(&self, _name: &str, _record: securecookie::Record) -> Result<String, StoreError> {
        Ok("my-app=1; Path=/\r\nX-Injected: 1".into())
    }

    async fn destroy(
        &self,
        _name: &str,
        _id: Option<securecookie::SessionId>,
    ) -> Result<String, StoreError> {
        Err(StoreError::backend("not asked"))
    }

    fn max_age(&self) -> Option<u64> {
        None
    }
}

#[tokio::test]
async fn a_store_line_that_is_no_header_value_is_500() {
    let app = app(SessionLayer::new(BreaksLines, NAME));
    let response = call(&app, "/login", None).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(set_cookies(&response).is_empty());
    assert!(response.headers().get("x-injected").is_none());
    let cause = response.extensions().get::<SaveError>().unwrap();
    assert_eq!(
        cause.to_string(),
        "cookie attribute Set-Cookie is not valid"
    );
}

/// A cookie store that logs the time the layer hands each immediate call.
struct Clocked {
    inner: CookieStore<String>,
    log: std::sync::Arc<std::sync::Mutex<Vec<(&'static str, u64)>>>,
}

impl Clocked {
    fn note(&self, call: &'static str, now: u64) {
        self.log.lock().unwrap().push((call, now));
    }
}

impl SessionStore for Clocked {
    const IMMEDIATE: bool = true;

    async fn load(&self, name: &str, value: &str) -> Result<securecookie::Loaded, StoreError> {
        self.note("load", 0);
        SessionStore::load(&self.inner, name, value).await
    }

    async fn save(&self, name: &str, record: securecookie::Record) -> Result<String, StoreError> {
        self.note("save", 0);
        SessionStore::save(&self.inner, name, record).await
    }

    async fn destroy(
        &self,
        name: &str,
        id: Option<securecookie::SessionId>,
    ) -> Result<String, StoreError> {
        SessionStore::destroy(&self.inner, name, id).await
    }

    fn load_now(
        &self,
        name: &str,
        value: &str,
    ) -> Option<Result<securecookie::Loaded, StoreError>> {
        self.note("load_now", 0);
        SessionStore::load_now(&self.inner, name, value)
    }

    fn save_now(
        &self,
        name: &str,
        record: securecookie::Record,
    ) -> Result<Result<String, StoreError>, securecookie::Record> {
        self.note("save_now", 0);
        SessionStore::save_now(&self.inner, name, record)
    }

    fn load_now_at(
        &self,
        name: &str,
        value: &str,
        now: u64,
    ) -> Option<Result<securecookie::Loaded, StoreError>> {
        self.note("load_now_at", now);
        SessionStore::load_now_at(&self.inner, name, value, now)
    }

    fn save_now_at(
        &self,
        name: &str,
        record: securecookie::Record,
        now: u64,
    ) -> Result<Result<String, StoreError>, securecookie::Record> {
        self.note("save_now_at", now);
        SessionStore::save_now_at(&self.inner, name, record, now)
    }

    fn destroy_now(
        &self,
        name: &str,
        id: Option<securecookie::SessionId>,
    ) -> Option<Result<String, StoreError>> {
        SessionStore::destroy_now(&self.inner, name, id)
    }

    fn max_age(&self) -> Option<u64> {
        SessionStore::max_age(&self.inner)
    }
}

#[tokio::test]
async fn one_clock_reading_per_request_reaches_the_store_and_the_stamp() {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let clocked = Clocked {
        inner: store(),
        log: log.clone(),
    };
    let app = app(SessionLayer::new(clocked, NAME));
    let take = || std::mem::take(&mut *log.lock().unwrap());
    let stamp = |response: &Response<Body>| {
        let pair = pair(response);
        let value = pair.strip_prefix("my-app=").unwrap().to_string();
        store().load_at(NAME, &value, now()).unwrap().issued
    };

    // A login: no cookie to load, one save at the request's time, which
    // is the new cookie's stamp.
    let before = now();
    let response = call(&app, "/login", None).await;
    let after = now();
    let calls = take();
    let [("save_now_at", at)] = calls[..] else {
        panic!("one timed save, no other call: {calls:?}")
    };
    assert!((before..=after).contains(&at));
    assert_eq!(stamp(&response), at);

    // A read of a cookie due for rolling renewal: the load and the save
    // see the same second, and the fresh cookie carries it.
    let store = store();
    let old = cookie_at(&store, &[("user-id", b"a1b2c3")], now() - 4 * DAY);
    let response = call(&app, "/read", Some(&old)).await;
    let calls = take();
    let [("load_now_at", loaded), ("save_now_at", saved)] = calls[..] else {
        panic!("a timed load and save, no other call: {calls:?}")
    };
    assert_eq!(loaded, saved);
    assert_eq!(stamp(&response), saved);
    assert_eq!(text(response).await, "a1b2c3|");
}

/// A store written before `load_now_at`/`save_now_at` existed: it answers
/// `load_now`/`save_now` only, and the defaults must still reach them.
struct Untimed {
    inner: CookieStore<String>,
    log: std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>,
}

impl SessionStore for Untimed {
    const IMMEDIATE: bool = true;

    async fn load(&self, name: &str, value: &str) -> Result<securecookie::Loaded, StoreError> {
        self.log.lock().unwrap().push("load");
        SessionStore::load(&self.inner, name, value).await
    }

    async fn save(&self, name: &str, record: securecookie::Record) -> Result<String, StoreError> {
        self.log.lock().unwrap().push("save");
        SessionStore::save(&self.inner, name, record).await
    }

    async fn destroy(
        &self,
        name: &str,
        id: Option<securecookie::SessionId>,
    ) -> Result<String, StoreError> {
        SessionStore::destroy(&self.inner, name, id).await
    }

    fn load_now(
        &self,
        name: &str,
        value: &str,
    ) -> Option<Result<securecookie::Loaded, StoreError>> {
        self.log.lock().unwrap().push("load_now");
        SessionStore::load_now(&self.inner, name, value)
    }

    fn save_now(
        &self,
        name: &str,
        record: securecookie::Record,
    ) -> Result<Result<String, StoreError>, securecookie::Record> {
        self.log.lock().unwrap().push("save_now");
        SessionStore::save_now(&self.inner, name, record)
    }

    fn max_age(&self) -> Option<u64> {
        SessionStore::max_age(&self.inner)
    }
}

#[tokio::test]
async fn a_store_without_the_timed_calls_is_reached_through_the_defaults() {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let untimed = Untimed {
        inner: store(),
        log: log.clone(),
    };
    let app = app(SessionLayer::new(untimed, NAME));
    let cookie = login(&app).await;
    assert_eq!(std::mem::take(&mut *log.lock().unwrap()), ["save_now"]);
    let response = call(&app, "/read", Some(&cookie)).await;
    assert_eq!(text(response).await, "a1b2c3|");
    assert_eq!(std::mem::take(&mut *log.lock().unwrap()), ["load_now"]);
}

#[path = "common/never_ready.rs"]
mod never_ready;
use never_ready::NeverReady;

#[test]
fn readiness_passes_through_and_debug_shows_config_only() {
    use tower::{Layer, Service};
    let layer = SessionLayer::new(store(), NAME);
    let mut service = layer.layer(NeverReady);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(service.poll_ready(&mut cx).is_pending());

    // The layer's settings, never the store (its keys).
    let config = r#"config: LayerConfig { name: "my-app", always_save: false, rolling: Some(50), lifetime: None, csrf: None }, .."#;
    assert_eq!(format!("{layer:?}"), format!("SessionLayer {{ {config} }}"));
    assert_eq!(
        format!("{service:?}"),
        format!("SessionService {{ {config} }}")
    );
}

/// Issue 23 item 2: another site's cookie that is not UTF-8 (a Latin-1
/// `tracker=caf\xe9`) is skipped alone: the session beside it loads,
/// whether the bad pair comes before ours, after it, or in the same
/// `Cookie` header as ours when HTTP/2 splits them over several.
#[tokio::test]
async fn a_non_utf8_cookie_beside_ours_does_not_hide_the_session() {
    use axum::http::HeaderValue;
    use axum::http::header::COOKIE;
    use tower::ServiceExt;
    let app = app(SessionLayer::new(store(), NAME));
    let ours = login(&app).await;
    let header = |parts: &[&[u8]]| HeaderValue::from_bytes(&parts.concat()).unwrap();
    let cases: [Vec<HeaderValue>; 3] = [
        vec![header(&[b"tracker=caf\xe9; ", ours.as_bytes()])],
        vec![header(&[ours.as_bytes(), b"; tracker=caf\xe9"])],
        vec![
            header(&[b"theme=dark"]),
            header(&[b"tracker=caf\xe9; ", ours.as_bytes()]),
        ],
    ];
    for (i, headers) in cases.into_iter().enumerate() {
        let mut request = axum::http::Request::get("/read");
        for value in headers {
            request = request.header(COOKIE, value);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert!(
            set_cookies(&response).is_empty(),
            "case {i}: nothing cleared"
        );
        assert_eq!(text(response).await, "a1b2c3|", "case {i}");
    }
}
