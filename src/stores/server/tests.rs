//! The server-side model over the memory backend, and a backend wrapper
//! that counts round trips.

use super::*;
use crate::codec::kv;
use crate::stores::memory::MemoryBackend;
use std::format;
use std::string::ToString;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs a future that never waits (the memory backend's): one poll.
fn now<F: Future>(f: F) -> F::Output {
    let mut f = core::pin::pin!(f);
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        core::task::Poll::Ready(v) => v,
        core::task::Poll::Pending => panic!("the memory backend waited"),
    }
}

/// A memory backend that counts the calls that would be round trips. It
/// keeps `SessionBackend::SEALS_RECORDS` at its default (`true`), as any
/// database does, so that the sealing is tested here; clones share the
/// records and the count.
#[derive(Debug, Clone)]
struct Counting {
    inner: MemoryBackend,
    calls: std::sync::Arc<AtomicUsize>,
}

impl Counting {
    fn new(max: usize) -> Self {
        Counting {
            inner: MemoryBackend::new(max),
            calls: std::sync::Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl Counting {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

impl SessionBackend for Counting {
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

/// Tags of a session of user "u".
const U: Tags<'static> = Tags {
    user: Some(b"u"),
    label: None,
};

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

fn store(max: usize) -> ServerStore<Counting> {
    ServerStore::with_backend(Counting::new(max), CookieConfig::debug(), [keys()])
        .unwrap()
        .user_key("user-id")
}

/// A kv payload of `entries` (keys ascending).
fn payload(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = vec![
        0u8;
        64 + entries
            .iter()
            .map(|(k, v)| k.len() + v.len() + 6)
            .sum::<usize>()
    ];
    let mut w = kv::KvWriter::new(&mut buf);
    for (k, v) in entries {
        w.push(k, v).unwrap();
    }
    w.finish().to_vec()
}

fn user(u: &str) -> Vec<u8> {
    payload(&[("user-id", u.as_bytes())])
}

/// The cookie value a browser sends back.
fn value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.strip_prefix("app=").unwrap().to_string()
}

fn create(store: &ServerStore<Counting>, payload: Vec<u8>) -> (SessionId, String) {
    let line = now(store.save("app", Record::new(payload, None, false))).unwrap();
    let value = value(&line);
    let id = now(store.load("app", &value)).unwrap().id.unwrap();
    (id, value)
}

fn gone(result: Result<impl fmt::Debug, StoreError>) -> bool {
    matches!(result, Err(StoreError::Session(Error::UnknownSession)))
}

#[test]
fn save_load_one_round_trip_each() {
    let store = store(10);
    let line = now(store.save("app", Record::new(user("a1"), None, false))).unwrap();
    assert_eq!(store.backend().calls(), 1);
    let backend = &store.backend().inner;
    assert_eq!(
        (backend.is_empty(), backend.len(), backend.users()),
        (false, 1, 1)
    );
    assert_eq!(store.config(), &CookieConfig::debug());
    assert!(line.starts_with("app=") && line.contains("Max-Age=604800"));
    // The cookie carries the id only, never a value.
    assert!(value(&line).len() < 120);
    let loaded = now(store.load("app", &value(&line))).unwrap();
    assert_eq!(store.backend().calls(), 2);
    assert_eq!(loaded.payload, user("a1"));
    assert!(!loaded.outdated);
    let id = loaded.id.unwrap();
    let again = now(store.save("app", Record::new(user("a1"), Some(id), false))).unwrap();
    assert_eq!(store.backend().calls(), 3);
    assert_eq!(now(store.load("app", &value(&again))).unwrap().id, Some(id));
    assert_eq!(store.max_age(), Some(604_800));
}

#[test]
fn forged_garbage_and_foreign_cookies_never_reach_the_backend() {
    let store = store(10);
    let (_, good) = create(&store, user("a1"));
    let calls = store.backend().calls();
    let mut tampered = good.as_bytes().to_vec();
    let at = good.len() - 10;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let other_keys = ServerStore::with_backend(
        MemoryBackend::new(2),
        CookieConfig::debug(),
        [Keys::new(&[1; 32], Some(&[2; 32])).unwrap()],
    )
    .unwrap();
    let foreign = value(&now(other_keys.save("app", Record::new(user("x"), None, false))).unwrap());
    // A cookie store's cookie under the same keys and name: id cookies
    // have keys of their own (issue 23, item 4; more in the conformance
    // suite).
    let cookie_store = CookieStore::<String>::new(CookieConfig::debug(), [keys()]).unwrap();
    let not_an_id = value(&cookie_store.seal("app", user("x")).unwrap());
    for (value, want) in [
        ("", Error::Base64),
        ("garbage!!", Error::Base64),
        (tampered.as_str(), Error::MacMismatch),
        (foreign.as_str(), Error::MacMismatch),
        (not_an_id.as_str(), Error::MacMismatch),
    ] {
        match now(store.load("app", value)) {
            Err(StoreError::Session(e)) => assert!(e == want || value.is_empty(), "{value}: {e:?}"),
            other => panic!("{value}: {other:?}"),
        }
    }
    assert_eq!(
        store.backend().calls(),
        calls,
        "a bad cookie caused a query"
    );
}

#[test]
fn destroy_revokes_the_copied_cookie() {
    let store = store(10);
    let (id, cookie) = create(&store, user("a1"));
    let expired = now(store.destroy("app", Some(id))).unwrap();
    assert!(expired.starts_with("app=;") && expired.contains("Max-Age=0"));
    assert!(gone(now(store.load("app", &cookie))));
    assert!(store.backend().inner.is_empty());
    assert_eq!(store.backend().inner.users(), 0, "index entry left behind");
    // Without an id: only the expiring line, no round trip.
    let calls = store.backend().calls();
    now(store.destroy("app", None)).unwrap();
    assert_eq!(store.backend().calls(), calls);
}

#[test]
fn a_save_never_resurrects_a_destroyed_session() {
    let store = store(10);
    let (id, _) = create(&store, user("a1"));
    // Request A loaded the session; request B logs out; then A saves.
    now(store.destroy("app", Some(id))).unwrap();
    let cart = payload(&[("cart", b"3 items"), ("user-id", b"a1")]);
    assert!(gone(now(
        store.save("app", Record::new(cart.clone(), Some(id), false))
    )));
    assert!(gone(now(
        store.save("app", Record::new(cart, Some(id), true))
    )));
    assert!(store.backend().inner.is_empty());
}

#[test]
fn concurrent_saves_last_write_wins_whole() {
    let store = store(10);
    let (id, cookie) = create(&store, user("a1"));
    let a = payload(&[("theme", b"dark"), ("user-id", b"a1")]);
    let b = payload(&[("lang", b"fr"), ("user-id", b"a1")]);
    now(store.save("app", Record::new(a, Some(id), false))).unwrap();
    now(store.save("app", Record::new(b.clone(), Some(id), false))).unwrap();
    // B's whole session, not a mix: A's change is lost, as documented.
    assert_eq!(now(store.load("app", &cookie)).unwrap().payload, b);
}

#[test]
fn renew_moves_to_a_new_id_and_kills_the_old() {
    let store = store(10);
    let (old, old_cookie) = create(&store, user("a1"));
    let calls = store.backend().calls();
    let admin = payload(&[("role", b"admin"), ("user-id", b"a1")]);
    let line = now(store.save("app", Record::new(admin.clone(), Some(old), true))).unwrap();
    assert_eq!(store.backend().calls(), calls + 1);
    assert!(gone(now(store.load("app", &old_cookie))));
    let loaded = now(store.load("app", &value(&line))).unwrap();
    assert_ne!(loaded.id, Some(old));
    assert_eq!(loaded.payload, admin);
    assert_eq!(store.backend().inner.len(), 1);
}

#[test]
fn destroy_user_ends_every_session_of_that_user_only() {
    let store = store(10);
    let cookies: Vec<String> = (0..3).map(|_| create(&store, user("a1")).1).collect();
    let (_, other) = create(&store, user("b2"));
    let (_, anon) = create(&store, payload(&[("theme", b"dark")]));
    assert_eq!(now(store.destroy_user("a1")).unwrap(), 3);
    for c in &cookies {
        assert!(gone(now(store.load("app", c))));
    }
    assert!(now(store.load("app", &other)).is_ok());
    assert!(now(store.load("app", &anon)).is_ok());
    assert_eq!(now(store.destroy_user("a1")).unwrap(), 0);
}

#[test]
fn full_store_refuses_new_sessions_and_keeps_old_ones() {
    let store = store(2);
    let (a, _) = create(&store, user("a"));
    create(&store, user("b"));
    match now(store.save("app", Record::new(user("c"), None, false))) {
        Err(StoreError::Backend(e)) => {
            assert_eq!(e.downcast_ref::<StoreFull>().map(|f| f.max), Some(2));
            assert_eq!(e.to_string(), "session store full (2 sessions)");
        }
        other => panic!("{other:?}"),
    }
    // Existing sessions still save and renew.
    now(store.save("app", Record::new(user("a"), Some(a), false))).unwrap();
    let line = now(store.save("app", Record::new(user("a"), Some(a), true))).unwrap();
    let a2 = now(store.load("app", &value(&line))).unwrap().id;
    now(store.destroy("app", a2)).unwrap();
    create(&store, user("c"));
}

#[test]
fn records_expire_and_free_their_place() {
    let backend = MemoryBackend::new(1);
    let id = SessionId::random().unwrap();
    assert!(now(backend.write(&id, b"r".to_vec(), 1, WriteMode::Create, U)).unwrap());
    assert_eq!(now(backend.read(&id)).unwrap().as_deref(), Some(&b"r"[..]));
    std::thread::sleep(core::time::Duration::from_millis(1100));
    assert_eq!(now(backend.read(&id)).unwrap(), None);
    assert!(!now(backend.write(&id, b"s".to_vec(), 1, WriteMode::Update, U)).unwrap());
    assert_eq!((backend.len(), backend.users()), (0, 0));
    // An expired record that was never read does not hold a place either.
    let other = SessionId::random().unwrap();
    assert!(now(backend.write(&other, b"r".to_vec(), 1, WriteMode::Create, U)).unwrap());
    std::thread::sleep(core::time::Duration::from_millis(1100));
    let third = SessionId::random().unwrap();
    assert!(now(backend.write(&third, b"r".to_vec(), 1, WriteMode::Create, U)).unwrap());
}

/// `SET NX` and `SET XX` semantics, and a TTL past what the clock can hold
/// (kept for the longest the clock can, not expired at once).
#[test]
fn create_never_overwrites_update_never_creates() {
    let backend = MemoryBackend::new(10);
    let id = SessionId::random().unwrap();
    let write = |record: &[u8], ttl, mode| {
        now(backend.write(&id, record.to_vec(), ttl, mode, Tags::default()))
    };
    assert!(!write(b"u", 60, WriteMode::Update).unwrap());
    assert_eq!(now(backend.read(&id)).unwrap(), None);
    assert!(write(b"first", u64::MAX, WriteMode::Create).unwrap());
    assert!(!write(b"second", 60, WriteMode::Create).unwrap());
    assert_eq!(
        now(backend.read(&id)).unwrap().as_deref(),
        Some(&b"first"[..])
    );
    assert!(write(b"third", 60, WriteMode::Update).unwrap());
    assert_eq!(
        now(backend.read(&id)).unwrap().as_deref(),
        Some(&b"third"[..])
    );
}

#[test]
fn records_are_sealed_at_rest_and_bound_to_their_id() {
    let store = store(10);
    let big = payload(&[("note", "x".repeat(10_000).as_bytes()), ("user-id", b"a1")]);
    let (id, _) = create(&store, big.clone());
    let record = now(store.backend().read(&id)).unwrap().unwrap();
    assert!(record.len() > 10_000);
    for plain in [&b"user-id"[..], b"xxxxxxxx"] {
        let found = record.windows(plain.len()).any(|w| w == plain);
        assert!(!found, "plaintext at rest");
    }
    assert_eq!(
        store.open_record(&id, record.clone()).unwrap(),
        (big, false)
    );
    // Moved to another id, or altered: refused.
    let other = SessionId::random().unwrap();
    assert_eq!(
        store.open_record(&other, record.clone()),
        Err(Error::MacMismatch)
    );
    let mut altered = record.clone();
    altered[40] ^= 1;
    assert!(store.open_record(&id, altered).is_err());
}

#[test]
fn debug_shows_no_id() {
    let store = store(1);
    let (id, _) = create(&store, user("a1"));
    let text = std::format!("{store:?} {id:?}");
    assert!(!text.contains(&id.to_base64url()));
    assert!(text.starts_with("ServerStore { ids: "), "{text}");
    assert!(text.contains("ttl: 604800"), "{text}");
}

/// After a key rotation, a session is re-issued (`outdated`) when its
/// cookie or its record is still sealed with an older key: either alone
/// is enough.
#[test]
fn an_old_cookie_or_an_old_record_is_outdated() {
    let backend = Counting::new(10);
    let old_keys = Keys::new(&[1; 32], Some(&[2; 32])).unwrap();
    let with = |keys: Vec<Keys>| {
        ServerStore::with_backend(backend.clone(), CookieConfig::debug(), keys).unwrap()
    };
    let (old, new) = (with(vec![old_keys.clone()]), with(vec![keys(), old_keys]));
    let old_cookie = value(&now(old.save("app", Record::new(user("a1"), None, false))).unwrap());
    let loaded = now(new.load("app", &old_cookie)).unwrap();
    assert!(loaded.outdated, "old cookie, old record");
    let id = loaded.id;
    // Saved again by the rotated server: a new record and a new cookie.
    let new_cookie = value(&now(new.save("app", Record::new(user("a1"), id, false))).unwrap());
    assert!(!now(new.load("app", &new_cookie)).unwrap().outdated);
    assert!(
        now(new.load("app", &old_cookie)).unwrap().outdated,
        "old cookie, new record"
    );
    // Saved by a server not rotated yet: an old record behind a new cookie.
    now(old.save("app", Record::new(user("a1"), id, false))).unwrap();
    assert!(
        now(new.load("app", &new_cookie)).unwrap().outdated,
        "new cookie, old record"
    );
}

/// `MemoryBackend` keeps records in the process, beside the keys: the
/// store hands it the payload itself (no seal to verify and decrypt on
/// every load), still checks that what it reads back parses as a payload,
/// and loads what it saved.
#[test]
fn the_memory_backend_holds_plain_payloads() {
    let backend = MemoryBackend::new(10);
    let store =
        ServerStore::with_backend(backend.clone(), CookieConfig::debug(), [keys()]).unwrap();
    let values = user("a1");
    let cookie = value(&now(store.save("app", Record::new(values.clone(), None, false))).unwrap());
    let loaded = now(store.load("app", &cookie)).unwrap();
    assert_eq!(loaded.payload, values);
    assert!(!loaded.outdated);
    let id = loaded.id.unwrap();
    assert_eq!(now(backend.read(&id)).unwrap().unwrap(), values);
    // Not a payload: refused on load, not handed to the layer.
    assert!(now(backend.write(&id, b"\xff".to_vec(), 60, WriteMode::Update, U)).unwrap());
    assert!(matches!(
        now(store.load("app", &cookie)),
        Err(StoreError::Session(Error::Payload(_)))
    ));
}

/// What a user's sessions show in `Debug`: whether tags are set and the
/// times, never the user, the id or the handle (each names or reaches a
/// session).
#[test]
fn debug_shows_times_and_flags_never_ids_users_or_handles() {
    let tags = Tags {
        user: Some(b"alice"),
        label: None,
    };
    assert_eq!(format!("{tags:?}"), "Tags { user: true, label: false }");

    let id = SessionId::from_bytes(&[0xAB; SessionId::LEN]).unwrap();
    let listed = Listed {
        id,
        created: 1,
        last_seen: 2,
        expires: 3,
        label: Some(b"laptop".to_vec()),
    };
    assert_eq!(
        format!("{listed:?}"),
        "Listed { created: 1, last_seen: 2, expires: 3, .. }"
    );

    let shown = UserSession {
        handle: "h4ndle".to_string(),
        created: 1,
        last_seen: 2,
        expires: 3,
        label: Some("laptop".to_string()),
    };
    assert_eq!(
        format!("{shown:?}"),
        "UserSession { created: 1, last_seen: 2, expires: 3, label: Some(\"laptop\"), .. }"
    );
}

/// Half the room is for sessions without a user; one that ends frees its
/// place for the next visitor.
#[test]
fn visitors_get_half_the_room_and_an_ended_visit_frees_its_place() {
    let store = store(4);
    let visitor = || payload(&[("theme", b"dark")]);
    let (first, _) = create(&store, visitor());
    create(&store, visitor());
    let refused = now(store.save("app", Record::new(visitor(), None, false)));
    assert!(
        matches!(&refused, Err(StoreError::Backend(e)) if e.downcast_ref::<StoreFull>().is_some()),
        "{refused:?}"
    );
    create(&store, user("a1"));
    now(store.destroy("app", Some(first))).unwrap();
    create(&store, visitor());
}
