//! The session value encoding, chosen by measurement (src/docs/values.md):
//!
//! 1. the candidates (MessagePack with field names, CBOR, postcard, JSON)
//!    on one `User { id, name, roles }`: encoded length, base64'd length,
//!    encode and decode time (criterion, short runs);
//! 2. the deploy cases: a value written by type v1, read by a v2 that adds
//!    a `#[serde(default)]` field, removes a field, or reorders them;
//! 3. the whole cookie of that `User`, `name=value`, under ours and the
//!    crates a user would pick instead: axum-extra's `PrivateCookieJar`
//!    with serde_json, tower-sessions' cookie store
//!    (tower-sessions-cookie-store, private), each through its real layer
//!    in an axum router; actix-session's cookie store reproduced from its
//!    source (below).
//!
//! ```text
//! cargo bench --manifest-path benches/Cargo.toml --bench values
//! ```
//!
//! Tables 1-3 print first; then criterion times encode and decode.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::http::header::SET_COOKIE;
use axum::routing::get;
use base64::Engine as _;
use criterion::Criterion;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tower::ServiceExt;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
    roles: Vec<String>,
}

/// v2 adds a field with a default.
#[derive(Debug, Serialize, Deserialize)]
struct UserAdded {
    id: u64,
    name: String,
    roles: Vec<String>,
    #[serde(default)]
    locale: String,
}

/// v2 removes `roles`.
#[derive(Debug, Serialize, Deserialize)]
struct UserRemoved {
    id: u64,
    name: String,
}

/// v2 declares the same fields in another order.
#[derive(Debug, Serialize, Deserialize)]
struct UserReordered {
    roles: Vec<String>,
    name: String,
    id: u64,
}

fn user() -> User {
    User {
        id: 1_234_567,
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "editor".into()],
    }
}

struct Candidate {
    name: &'static str,
    encode: fn(&User) -> Vec<u8>,
    /// Decodes v1's bytes as v2 types: added, removed, reordered; and as v1.
    deploy: fn(&[u8]) -> [bool; 3],
    decode: fn(&[u8]) -> User,
}

fn deploy_with<E: std::fmt::Debug>(
    bytes: &[u8],
    read: fn(&[u8]) -> Result<UserAdded, E>,
    read_removed: fn(&[u8]) -> Result<UserRemoved, E>,
    read_reordered: fn(&[u8]) -> Result<UserReordered, E>,
) -> [bool; 3] {
    let added = read(bytes).is_ok_and(|u| u.id == 1_234_567 && u.locale.is_empty());
    let removed = read_removed(bytes).is_ok_and(|u| u.name == "Ada Lovelace");
    let reordered =
        read_reordered(bytes).is_ok_and(|u| u.roles == user().roles && u.id == 1_234_567);
    [added, removed, reordered]
}

fn msgpack<T: DeserializeOwned>(b: &[u8]) -> Result<T, rmp_serde::decode::Error> {
    rmp_serde::from_slice(b)
}
fn cbor<T: DeserializeOwned>(b: &[u8]) -> Result<T, ciborium::de::Error<std::io::Error>> {
    ciborium::from_reader(b)
}
fn postcard<T: DeserializeOwned>(b: &[u8]) -> Result<T, postcard::Error> {
    postcard::from_bytes(b)
}
fn json<T: DeserializeOwned>(b: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(b)
}

fn candidates() -> [Candidate; 5] {
    [
        Candidate {
            name: "MessagePack, field names (rmp-serde to_vec_named)",
            encode: |u| rmp_serde::to_vec_named(u).unwrap(),
            deploy: |b| deploy_with(b, msgpack, msgpack, msgpack),
            decode: |b| msgpack(b).unwrap(),
        },
        Candidate {
            name: "MessagePack, positional (rmp-serde to_vec)",
            encode: |u| rmp_serde::to_vec(u).unwrap(),
            deploy: |b| deploy_with(b, msgpack, msgpack, msgpack),
            decode: |b| msgpack(b).unwrap(),
        },
        Candidate {
            name: "CBOR (ciborium)",
            encode: |u| {
                let mut out = Vec::new();
                ciborium::into_writer(u, &mut out).unwrap();
                out
            },
            deploy: |b| deploy_with(b, cbor, cbor, cbor),
            decode: |b| cbor(b).unwrap(),
        },
        Candidate {
            name: "postcard",
            encode: |u| postcard::to_stdvec(u).unwrap(),
            deploy: |b| deploy_with(b, postcard, postcard, postcard),
            decode: |b| postcard(b).unwrap(),
        },
        Candidate {
            name: "JSON (serde_json)",
            encode: |u| serde_json::to_vec(u).unwrap(),
            deploy: |b| deploy_with(b, json, json, json),
            decode: |b| json(b).unwrap(),
        },
    ]
}

fn b64_len(n: usize) -> usize {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(vec![0u8; n])
        .len()
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "**no**" }
}

fn encodings_table() {
    println!(
        "| encoding | bytes | base64url | v2 adds a default field | v2 removes a field | v2 reorders fields |"
    );
    println!("| --- | ---: | ---: | --- | --- | --- |");
    for c in candidates() {
        let bytes = (c.encode)(&user());
        assert_eq!((c.decode)(&bytes), user(), "{} round-trips", c.name);
        let [added, removed, reordered] = (c.deploy)(&bytes);
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            c.name,
            bytes.len(),
            b64_len(bytes.len()),
            yes(added),
            yes(removed),
            yes(reordered)
        );
    }
    println!();
}

/// The `name=value` a write route's `Set-Cookie` carries.
async fn set_cookie(router: Router) -> String {
    let response = router
        .with_state(())
        .oneshot(Request::get("/write").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let line = response.headers()[SET_COOKIE].to_str().unwrap();
    line.split(';').next().unwrap().to_string()
}

fn ours() -> Router {
    use securecookie::layer::{SessionHandle, SessionLayer};
    use securecookie::{CookieConfig, CookieStore, Keys};
    let store: CookieStore = CookieStore::new(
        CookieConfig::default(),
        [Keys::new(&[7; 32], Some(&[9; 32])).unwrap()],
    )
    .unwrap();
    Router::new()
        .route(
            "/write",
            get(|s: SessionHandle| async move { s.set("user", user()) }),
        )
        .layer(SessionLayer::new(store, "id"))
}

/// The sync API: the same envelope without the layer's creation stamp.
fn sync_store_cookie() -> String {
    use securecookie::{CookieConfig, CookieStore, Keys};
    let store = CookieStore::<User>::new(
        CookieConfig::default(),
        [Keys::new(&[7; 32], Some(&[9; 32])).unwrap()],
    )
    .unwrap();
    let mut session = store.new_session("id");
    session.set("user", user());
    let line = store.save(&session).unwrap();
    line.split(';').next().unwrap().to_string()
}

fn private_cookie_jar() -> Router {
    use axum_extra::extract::cookie::{Cookie, Key, PrivateCookieJar};
    Router::new()
        .route(
            "/write",
            get(|jar: PrivateCookieJar| async move {
                jar.add(Cookie::new("id", serde_json::to_string(&user()).unwrap()))
            }),
        )
        .with_state(Key::from(&[7; 64]))
}

fn tower_sessions_cookie() -> Router {
    use tower_sessions_cookie_store::{CookieSessionManagerLayer, Key, Session};
    Router::new()
        .route(
            "/write",
            get(|s: Session| async move { s.insert("user", user()).await.unwrap() }),
        )
        .layer(CookieSessionManagerLayer::private(Key::from(&[7; 64])))
}

/// actix-session 0.10's `CookieSessionStore` with its default
/// `CookieContentSecurity::Private`, reproduced from its source:
/// `Session::insert` keeps `serde_json::to_string(&value)` in a
/// `HashMap<String, String>`; the store's `save` is
/// `serde_json::to_string(&state)`; the middleware puts that in a private
/// cookie of the `cookie` crate (`CookieJar::private_mut(key).add`,
/// AES-256-GCM, standard base64 of nonce || ciphertext || tag) named `id`.
/// actix-web 4 re-exports the same `cookie` crate (0.16; the private jar's
/// format is the same in 0.18, used here).
fn actix_session_cookie() -> String {
    use cookie::{Cookie, CookieJar, Key};
    let state: HashMap<String, String> =
        [("user".to_string(), serde_json::to_string(&user()).unwrap())].into();
    let value = serde_json::to_string(&state).unwrap();
    let mut jar = CookieJar::new();
    jar.private_mut(&Key::from(&[7; 64]))
        .add(Cookie::new("id", value));
    let cookie = jar.get("id").unwrap();
    format!("{}={}", cookie.name(), cookie.value())
}

fn cookies_table() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let rows = [
        (
            "securecookie `SessionLayer` + `CookieStore` (compact, AES-256-CTR + HMAC-SHA256), `set(\"user\", user)`",
            runtime.block_on(set_cookie(ours())),
        ),
        (
            "securecookie sync `CookieStore<User>` (compact, AES-256-CTR + HMAC-SHA256), no layer entries",
            sync_store_cookie(),
        ),
        (
            "axum-extra `PrivateCookieJar` (AES-256-GCM), `Cookie::new(\"id\", serde_json::to_string(&user))`",
            runtime.block_on(set_cookie(private_cookie_jar())),
        ),
        (
            "tower-sessions-cookie-store 0.5, private (AES-256-GCM), `insert(\"user\", user)`",
            runtime.block_on(set_cookie(tower_sessions_cookie())),
        ),
        (
            "actix-session `CookieSessionStore`, private (AES-256-GCM), `insert(\"user\", user)` (reproduced)",
            actix_session_cookie(),
        ),
    ];
    let ours = rows[0].1.len();
    println!("| cookie of the same `User` | `name=value` bytes | value bytes | vs ours |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, cookie) in &rows {
        let (cookie_name, value) = cookie.split_once('=').unwrap();
        println!(
            "| {name} (cookie `{cookie_name}`) | {} | {} | {:.2}x |",
            cookie.len(),
            value.len(),
            cookie.len() as f64 / ours as f64
        );
    }
    println!();
}

fn main() {
    encodings_table();
    cookies_table();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    for cand in candidates() {
        let bytes = (cand.encode)(&user());
        let mut group = c.benchmark_group(cand.name);
        let value = user();
        group.bench_function("encode", |b| b.iter(|| (cand.encode)(black_box(&value))));
        group.bench_function("decode", |b| b.iter(|| (cand.decode)(black_box(&bytes))));
        group.finish();
    }
    c.final_summary();
}
