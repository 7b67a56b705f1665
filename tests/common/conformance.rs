//! The conformance suite every server-side backend runs (DESIGN.md §2:
//! "one acceptance suite that every backend runs"): the guarantees of
//! issue 18 item 2 and the store findings of issue 23 (items 1, 3, 4), each
//! a check generic over the backend. `tests/store_conformance.rs` runs it
//! on memory, Redis, SQLite and Postgres with [`suite!`].
//!
//! Round trips are counted by [`Counting`], which wraps the backend: each
//! `SessionBackend` method is one round trip by that trait's contract (the
//! Redis and SQL tests also count the commands and queries the server saw).
#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use securecookie::{
    BackendError, CookieConfig, CookieStore, Error, Keys, Listed, Record, ServerStore,
    SessionBackend, SessionId, SessionStore, StoreError, Tags, WriteMode, kv,
};

/// What the suite needs to see of a backend beyond the trait: how many ids
/// a user's index holds (Redis: `ZCARD`; SQL: rows of that user; memory:
/// the set).
pub trait Inspect: SessionBackend + Clone {
    fn index_len(&self, user: &[u8]) -> impl Future<Output = usize> + Send;
}

/// A backend that counts its calls (round trips).
#[derive(Clone, Debug)]
pub struct Counting<B> {
    pub inner: B,
    calls: Arc<AtomicUsize>,
}

impl<B> Counting<B> {
    pub fn new(inner: B) -> Self {
        Counting {
            inner,
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }
    /// Calls since the last `take`.
    pub fn take(&self) -> usize {
        self.calls.swap(0, Ordering::SeqCst)
    }
    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

impl<B: SessionBackend> SessionBackend for Counting<B> {
    const SEALS_RECORDS: bool = B::SEALS_RECORDS;

    async fn read(&self, id: &SessionId) -> Result<Option<Vec<u8>>, BackendError> {
        self.count();
        self.inner.read(id).await
    }
    async fn write(
        &self,
        id: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        mode: WriteMode,
        tags: Tags<'_>,
    ) -> Result<bool, BackendError> {
        self.count();
        self.inner.write(id, record, ttl, mode, tags).await
    }
    async fn rename(
        &self,
        old: &SessionId,
        new: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        tags: Tags<'_>,
    ) -> Result<bool, BackendError> {
        self.count();
        self.inner.rename(old, new, record, ttl, tags).await
    }
    async fn delete(&self, id: &SessionId) -> Result<(), BackendError> {
        self.count();
        self.inner.delete(id).await
    }
    async fn delete_user(&self, user: &[u8]) -> Result<usize, BackendError> {
        self.count();
        self.inner.delete_user(user).await
    }
    async fn list_user(&self, user: &[u8]) -> Result<Vec<Listed>, BackendError> {
        self.count();
        self.inner.list_user(user).await
    }
}

pub type Store<B> = ServerStore<Counting<B>>;

pub fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

pub fn config(max_age: u64) -> CookieConfig {
    CookieConfig {
        max_age: Some(max_age),
        ..CookieConfig::debug()
    }
}

pub fn store<B: Inspect>(backend: B, max_age: u64) -> Store<B> {
    ServerStore::with_backend(Counting::new(backend), config(max_age), [keys()])
        .unwrap()
        .user_key("user-id")
        .label_key("ua")
}

/// A kv payload of `entries` (keys ascending).
pub fn payload(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let len = 64
        + entries
            .iter()
            .map(|(k, v)| k.len() + v.len() + 6)
            .sum::<usize>();
    let mut buf = vec![0u8; len];
    let mut w = kv::KvWriter::new(&mut buf);
    for (k, v) in entries {
        w.push(k, v).unwrap();
    }
    w.finish().to_vec()
}

/// A random user name, so that tests sharing a database never collide.
pub fn fresh_user() -> String {
    let r = securecookie::random_key::<8>().unwrap();
    r.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn user(u: &str) -> Vec<u8> {
    payload(&[("user-id", u.as_bytes())])
}

pub fn user_with_label(u: &str, label: &str) -> Vec<u8> {
    payload(&[("ua", label.as_bytes()), ("user-id", u.as_bytes())])
}

/// The cookie value a browser sends back.
pub fn value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.strip_prefix("app=").unwrap().to_string()
}

/// Saves `payload` as `id`'s session (`None`: new), renewing if asked;
/// returns the id and cookie value (the load that finds the id is not
/// counted: the counter is reset after it).
pub async fn save<B: Inspect>(
    store: &Store<B>,
    payload: Vec<u8>,
    id: Option<SessionId>,
    renew: bool,
) -> Result<(SessionId, String), StoreError> {
    let line = store.save("app", Record::new(payload, id, renew)).await?;
    let value = value(&line);
    let id = store.load("app", &value).await?.id.unwrap();
    store.backend().take();
    Ok((id, value))
}

pub fn gone<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Session(Error::UnknownSession)))
}

/// One read, one save, one renew, one destroy; none for forged, garbage or
/// foreign cookies (issue 18 item 2).
pub async fn round_trips<B: Inspect>(backend: B) {
    let store = store(backend, 600);
    let u = fresh_user();
    store
        .save("app", Record::new(user(&u), None, false))
        .await
        .unwrap();
    assert_eq!(store.backend().take(), 1, "create");
    let (id, cookie) = save(&store, user(&u), None, false).await.unwrap();
    let loaded = store.load("app", &cookie).await.unwrap();
    assert_eq!(
        (store.backend().take(), loaded.payload),
        (1, user(&u)),
        "read"
    );
    save(&store, user(&u), Some(id), false).await.unwrap();
    store.load("app", &cookie).await.unwrap();
    store.backend().take();
    store
        .save("app", Record::new(user(&u), Some(id), false))
        .await
        .unwrap();
    assert_eq!(store.backend().take(), 1, "save");
    let line = store
        .save("app", Record::new(user(&u), Some(id), true))
        .await
        .unwrap();
    assert_eq!(store.backend().take(), 1, "renew");
    let renewed = store.load("app", &value(&line)).await.unwrap().id;
    store.backend().take();
    store.destroy("app", renewed).await.unwrap();
    assert_eq!(store.backend().take(), 1, "destroy");
    store.destroy("app", None).await.unwrap();
    assert_eq!(store.backend().take(), 0, "destroy without an id");

    let (_, good) = save(&store, user(&u), None, false).await.unwrap();
    let mut tampered = good.clone().into_bytes();
    let at = tampered.len() - 10;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let other = ServerStore::with_backend(
        securecookie::MemoryBackend::new(4),
        config(600),
        [Keys::new(&[1; 32], Some(&[2; 32])).unwrap()],
    )
    .unwrap()
    .user_key("user-id");
    let foreign = value(
        &other
            .save("app", Record::new(user("x"), None, false))
            .await
            .unwrap(),
    );
    for bad in ["", "garbage!!", &tampered, &foreign, &"A".repeat(5000)] {
        assert!(store.load("app", bad).await.is_err());
    }
    assert_eq!(
        store.backend().take(),
        0,
        "a bad cookie caused a round trip"
    );
}

/// Records are sealed at rest and bound to their id: whoever can write the
/// database can neither read values nor move a record to another id. A
/// backend in the process's memory (`SEALS_RECORDS` false) holds the payload
/// itself, and nothing else does.
pub async fn sealed_and_bound<B: Inspect>(backend: B) {
    let store = store(backend, 600);
    let u = fresh_user();
    let secret = payload(&[("note", b"xxxxxxxxxxxxxxxx"), ("user-id", u.as_bytes())]);
    let (id, cookie) = save(&store, secret.clone(), None, false).await.unwrap();
    let raw = store.backend().inner.read(&id).await.unwrap().unwrap();
    if !B::SEALS_RECORDS {
        assert_eq!(raw, secret, "an unsealed record is the payload");
        assert_eq!(store.load("app", &cookie).await.unwrap().payload, secret);
        return;
    }
    for plain in [u.as_bytes(), b"xxxxxxxx"] {
        assert!(
            !raw.windows(plain.len()).any(|w| w == plain),
            "plaintext at rest"
        );
    }
    // Copied onto another session's id: refused when that one loads.
    let (victim, victim_cookie) = save(&store, user("victim"), None, false).await.unwrap();
    let b = &store.backend().inner;
    assert!(
        b.write(
            &victim,
            raw.clone(),
            600,
            WriteMode::Update,
            Tags::default()
        )
        .await
        .unwrap()
    );
    assert!(matches!(
        store.load("app", &victim_cookie).await,
        Err(StoreError::Session(Error::MacMismatch))
    ));
    let _ = victim;
    assert_eq!(store.load("app", &cookie).await.unwrap().payload, secret);
}

/// Create never overwrites, update never creates (SET NX / XX; SQL insert
/// with the unique violation, update where not expired).
pub async fn create_and_update_modes<B: Inspect>(backend: B) {
    let id = SessionId::random().unwrap();
    let write = |record: &'static [u8], mode| {
        let backend = backend.clone();
        async move {
            backend
                .write(&id, record.to_vec(), 600, mode, Tags::default())
                .await
                .unwrap()
        }
    };
    assert!(!write(b"u", WriteMode::Update).await);
    assert_eq!(backend.read(&id).await.unwrap(), None);
    assert!(write(b"first", WriteMode::Create).await);
    assert!(!write(b"second", WriteMode::Create).await);
    assert_eq!(
        backend.read(&id).await.unwrap().as_deref(),
        Some(&b"first"[..])
    );
    assert!(write(b"third", WriteMode::Update).await);
    assert_eq!(
        backend.read(&id).await.unwrap().as_deref(),
        Some(&b"third"[..])
    );
    backend.delete(&id).await.unwrap();
    assert_eq!(backend.read(&id).await.unwrap(), None);
}

/// A save or a renew never brings back a destroyed session; renew moves the
/// values to a new id and kills the old one.
pub async fn no_resurrection_and_renew<B: Inspect>(backend: B) {
    let store = store(backend, 600);
    let u = fresh_user();
    let (id, cookie) = save(&store, user(&u), None, false).await.unwrap();
    let (new, new_cookie) = save(&store, user(&u), Some(id), true).await.unwrap();
    assert_ne!(new, id);
    assert!(gone(store.load("app", &cookie).await), "old id after renew");
    assert!(
        gone(
            store
                .save("app", Record::new(user(&u), Some(id), true))
                .await
        ),
        "renewed twice"
    );
    store.destroy("app", Some(new)).await.unwrap();
    assert!(gone(store.load("app", &new_cookie).await));
    assert!(gone(
        store
            .save("app", Record::new(user(&u), Some(new), false))
            .await
    ));
    assert!(gone(
        store
            .save("app", Record::new(user(&u), Some(new), true))
            .await
    ));
    assert!(gone(store.load("app", &new_cookie).await));
}

/// Log out everywhere: one round trip, that user's sessions only.
pub async fn log_out_everywhere<B: Inspect>(backend: B) {
    let store = store(backend, 600);
    let (a, b) = (fresh_user(), fresh_user());
    let mut cookies = Vec::new();
    for _ in 0..3 {
        cookies.push(save(&store, user(&a), None, false).await.unwrap().1);
    }
    // One of them renewed: its new id is indexed, not the old one.
    let (id, _) = save(&store, user(&a), None, false).await.unwrap();
    cookies.push(save(&store, user(&a), Some(id), true).await.unwrap().1);
    let (_, other) = save(&store, user(&b), None, false).await.unwrap();
    let (_, anon) = save(&store, payload(&[("theme", b"dark")]), None, false)
        .await
        .unwrap();
    assert_eq!(store.destroy_user(&a).await.unwrap(), 4);
    assert_eq!(store.backend().take(), 1);
    for c in &cookies {
        assert!(gone(store.load("app", c).await));
    }
    assert!(store.load("app", &other).await.is_ok());
    assert!(store.load("app", &anon).await.is_ok());
    assert_eq!(store.destroy_user(&a).await.unwrap(), 0);
    assert_eq!(store.backend().inner.index_len(a.as_bytes()).await, 0);
}

/// Issue 23 item 1: a user's index holds the live sessions only. One
/// session kept alive, then `cycles` logins and logouts (half of them a
/// login by renewing a visitor's session), then sessions left to expire:
/// the index is back to the live count.
pub async fn index_bounded_by_live_sessions<B: Inspect>(backend: B, cycles: usize) {
    let store = store(backend.clone(), 600);
    let short = store_with_ttl(backend.clone(), 1);
    let u = fresh_user();
    let (kept, _) = save(&store, user(&u), None, false).await.unwrap();
    for i in 0..cycles {
        let id = if i % 2 == 0 {
            save(&store, user(&u), None, false).await.unwrap().0
        } else {
            let (visitor, _) = save(&store, payload(&[("cart", b"1")]), None, false)
                .await
                .unwrap();
            save(&store, user(&u), Some(visitor), true).await.unwrap().0
        };
        store.destroy("app", Some(id)).await.unwrap();
        // The kept session is saved now and then (each save re-indexes it).
        if i % 10 == 0 {
            save(&store, user(&u), Some(kept), false).await.unwrap();
        }
    }
    assert_eq!(
        backend.index_len(u.as_bytes()).await,
        1,
        "after {cycles} login/logout cycles"
    );
    for _ in 0..3 {
        save(&short, user(&u), None, false).await.unwrap();
    }
    assert_eq!(backend.index_len(u.as_bytes()).await, 4);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // Expired ids leave the index by the next write to it.
    save(&store, user(&u), Some(kept), false).await.unwrap();
    assert_eq!(
        backend.index_len(u.as_bytes()).await,
        1,
        "expired ids left behind"
    );
    assert_eq!(store.sessions(&u).await.unwrap().len(), 1);
}

fn store_with_ttl<B: Inspect>(backend: B, ttl: u64) -> Store<B> {
    store(backend, ttl)
}

/// Issue 23 item 3: requests A and B load session S; B renews S to Y; A
/// destroys S. Y must not survive, nor a second renewal of Y.
pub async fn destroy_wins_over_a_racing_renew<B: Inspect>(backend: B) {
    let store = store(backend, 600);
    let u = fresh_user();
    let (s, _) = save(&store, user(&u), None, false).await.unwrap();
    let (y, y_cookie) = save(&store, user(&u), Some(s), true).await.unwrap();
    let (z, z_cookie) = save(&store, user(&u), Some(y), true).await.unwrap();
    assert!(store.load("app", &z_cookie).await.is_ok());
    // A, which loaded S before both renewals, logs out.
    store.destroy("app", Some(s)).await.unwrap();
    assert!(gone(store.load("app", &y_cookie).await));
    assert!(
        gone(store.load("app", &z_cookie).await),
        "the renewed session outlived the logout"
    );
    assert!(gone(
        store
            .save("app", Record::new(user(&u), Some(z), false))
            .await
    ));
    assert_eq!(store.sessions(&u).await.unwrap().len(), 0);
    // The other order: destroyed first, the renewal then fails.
    let (s, _) = save(&store, user(&u), None, false).await.unwrap();
    store.destroy("app", Some(s)).await.unwrap();
    assert!(gone(
        store
            .save("app", Record::new(user(&u), Some(s), true))
            .await
    ));
    assert_eq!(store.backend().inner.index_len(u.as_bytes()).await, 0);
}

/// Issue 23 item 4: with the same keys and cookie name, a cookie store's
/// cookie holding an `id` entry never loads a server record (and costs no
/// round trip), and a server id cookie never opens as a cookie session.
pub async fn id_cookies_have_their_own_context<B: Inspect>(backend: B) {
    let store = store(backend, 600);
    let cookies = CookieStore::<String>::new(config(600), [keys()]).unwrap();
    let u = fresh_user();
    let (id, server_cookie) = save(&store, user(&u), None, false).await.unwrap();
    let forged = payload(&[("id", id.as_bytes())]);
    let as_cookie_session = value(&cookies.seal("app", forged).unwrap());
    match store.load("app", &as_cookie_session).await {
        Err(StoreError::Session(Error::MacMismatch)) => {}
        other => panic!("a cookie-store cookie opened a server session: {other:?}"),
    }
    assert_eq!(store.backend().take(), 0, "it even cost a round trip");
    assert_eq!(
        cookies
            .load_at("app", &server_cookie, now())
            .map(|l| l.payload),
        Err(Error::MacMismatch),
        "a server id cookie opened as a cookie session"
    );
    // Records are not cookies either.
    let raw = store.backend().inner.read(&id).await.unwrap().unwrap();
    let raw = String::from_utf8(raw).unwrap();
    assert!(cookies.load_at(&id.to_base64url(), &raw, now()).is_err());
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Issue 18 item 5: a user's live sessions with their times and labels;
/// handles that are neither cookies nor ids; revoke one by its handle.
pub async fn sessions_of_a_user<B: Inspect>(backend: B) {
    let store = store(backend, 600);
    let (u, other) = (fresh_user(), fresh_user());
    let before = now();
    let (laptop, laptop_cookie) =
        save(&store, user_with_label(&u, "Firefox on Linux"), None, false)
            .await
            .unwrap();
    let (_, phone_cookie) = save(&store, user_with_label(&u, "Safari on iOS"), None, false)
        .await
        .unwrap();
    let (_, other_cookie) = save(&store, user(&other), None, false).await.unwrap();
    // A renewal keeps the creation time.
    let (_, laptop_cookie2) = save(
        &store,
        user_with_label(&u, "Firefox on Linux"),
        Some(laptop),
        true,
    )
    .await
    .unwrap();
    assert!(gone(store.load("app", &laptop_cookie).await));
    store.backend().take();
    let list = store.sessions(&u).await.unwrap();
    assert_eq!(store.backend().take(), 1, "one round trip to list");
    let mut labels: Vec<_> = list.iter().map(|s| s.label.clone().unwrap()).collect();
    labels.sort();
    assert_eq!(labels, ["Firefox on Linux", "Safari on iOS"]);
    for s in &list {
        assert!(s.created >= before && s.created <= s.last_seen && s.last_seen <= now());
        assert!(
            (s.last_seen + 590..=s.last_seen + 601).contains(&s.expires),
            "{s:?}"
        );
        // A handle is no cookie and no record key.
        assert!(store.load("app", &s.handle).await.is_err());
        let as_id = SessionId::from_bytes(s.handle.as_bytes());
        assert!(as_id.is_none());
    }
    assert_eq!(store.backend().take(), 0);
    let this = store
        .handle_of_cookie("app", &laptop_cookie2)
        .expect("a handle for a good cookie");
    assert!(list.iter().any(|s| s.handle == this));
    assert_eq!(store.handle_of_cookie("app", "garbage"), None);
    // Another user's handle ends nothing.
    let theirs = store.handle_of_cookie("app", &other_cookie).unwrap();
    assert!(!store.revoke(&u, &theirs).await.unwrap());
    assert!(store.load("app", &other_cookie).await.is_ok());
    // "Log out this one" ends only that one.
    let phone = list.iter().find(|s| s.handle != this).unwrap();
    assert!(store.revoke(&u, &phone.handle).await.unwrap());
    assert!(gone(store.load("app", &phone_cookie).await));
    assert!(store.load("app", &laptop_cookie2).await.is_ok());
    assert_eq!(store.sessions(&u).await.unwrap().len(), 1);
    assert!(!store.revoke(&u, &phone.handle).await.unwrap());
    // A user with no session: an empty list.
    assert!(store.sessions(fresh_user()).await.unwrap().is_empty());
}

/// Records expire with their TTL: gone to reads, saves and the list.
pub async fn records_expire<B: Inspect>(backend: B) {
    let store = store(backend, 1);
    let u = fresh_user();
    let (id, cookie) = save(&store, user(&u), None, false).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // The cookie has expired too: refused before the read.
    assert!(store.load("app", &cookie).await.is_err());
    assert_eq!(store.backend().inner.read(&id).await.unwrap(), None);
    assert!(gone(
        store
            .save("app", Record::new(user(&u), Some(id), false))
            .await
    ));
    assert!(store.sessions(&u).await.unwrap().is_empty());
}

/// Runs every check of the suite as a test of its own: `suite!(make)` where
/// `make()` is an async fn returning a fresh `impl Inspect`; extra
/// attributes (`#[ignore = "..."]`) go before the function name.
#[macro_export]
macro_rules! suite {
    ($(#[$attr:meta])* $make:path) => {
        $crate::suite!(@one $(#[$attr])* $make, round_trips);
        $crate::suite!(@one $(#[$attr])* $make, sealed_and_bound);
        $crate::suite!(@one $(#[$attr])* $make, create_and_update_modes);
        $crate::suite!(@one $(#[$attr])* $make, no_resurrection_and_renew);
        $crate::suite!(@one $(#[$attr])* $make, log_out_everywhere);
        $crate::suite!(@one $(#[$attr])* $make, destroy_wins_over_a_racing_renew);
        $crate::suite!(@one $(#[$attr])* $make, id_cookies_have_their_own_context);
        $crate::suite!(@one $(#[$attr])* $make, sessions_of_a_user);
        $crate::suite!(@one $(#[$attr])* $make, records_expire);

        #[tokio::test]
        $(#[$attr])*
        async fn index_bounded_by_live_sessions() {
            $crate::conformance::index_bounded_by_live_sessions($make().await, 500).await;
        }
    };
    (@one $(#[$attr:meta])* $make:path, $check:ident) => {
        #[tokio::test]
        $(#[$attr])*
        async fn $check() {
            $crate::conformance::$check($make().await).await;
        }
    };
}
