//! The server-side model over the memory backend, and a backend wrapper
//! that counts round trips.

use super::*;
use crate::store::memory::MemoryBackend;
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

/// A memory backend that counts the calls that would be round trips.
#[derive(Debug)]
struct Counting {
    inner: MemoryBackend,
    calls: AtomicUsize,
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
        user: Option<&[u8]>,
    ) -> Result<bool, BackendError> {
        self.count();
        self.inner.write(id, record, ttl, mode, user).await
    }
    async fn rename(
        &self,
        old: &SessionId,
        new: &SessionId,
        record: Vec<u8>,
        ttl: u64,
        user: Option<&[u8]>,
    ) -> Result<bool, BackendError> {
        self.count();
        self.inner.rename(old, new, record, ttl, user).await
    }
    async fn delete(&self, id: &SessionId) -> Result<(), BackendError> {
        self.count();
        self.inner.delete(id).await
    }
    async fn delete_user(&self, user: &[u8]) -> Result<usize, BackendError> {
        self.count();
        self.inner.delete_user(user).await
    }
}

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

fn store(max: usize) -> ServerStore<Counting, String> {
    ServerStore::with_backend(
        Counting {
            inner: MemoryBackend::new(max),
            calls: AtomicUsize::new(0),
        },
        CookieConfig::debug(),
        [keys()],
    )
    .unwrap()
    .user_key("user-id")
}

fn session(user: &str) -> Session<String> {
    let mut s = Session::new("app");
    s.set("user-id", user.to_string());
    s
}

/// The `name=value` a browser sends back.
fn pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap()
}

#[test]
fn save_load_one_round_trip_each() {
    let store = store(10);
    let (id, set_cookie) = now(store.save(None, &session("a1"))).unwrap();
    assert_eq!(store.backend().calls(), 1);
    assert!(set_cookie.starts_with("app=") && set_cookie.contains("Max-Age=604800"));
    let (loaded_id, back) = now(store.load(pair(&set_cookie), "app")).unwrap();
    assert_eq!(store.backend().calls(), 2);
    assert_eq!(loaded_id, id);
    assert_eq!(back.get("user-id").map(String::as_str), Some("a1"));
    assert_eq!(back.name(), "app");
    // The cookie carries the id only, never a value.
    assert!(pair(&set_cookie).len() < 120);
    let (same, _) = now(store.save(Some(&id), &back)).unwrap();
    assert_eq!((same, store.backend().calls()), (id, 3));
}

#[test]
fn forged_garbage_and_foreign_cookies_never_reach_the_backend() {
    let store = store(10);
    let (_, set_cookie) = now(store.save(None, &session("a1"))).unwrap();
    let calls = store.backend().calls();
    let good = pair(&set_cookie);
    let mut tampered = good.as_bytes().to_vec();
    let at = good.len() - 10;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let other_keys = ServerStore::<MemoryBackend, String>::with_backend(
        MemoryBackend::new(1),
        CookieConfig::debug(),
        [Keys::new(&[1; 32], Some(&[2; 32])).unwrap()],
    )
    .unwrap();
    let (_, foreign) = now(other_keys.save(None, &session("x"))).unwrap();
    // A cookie store's cookie under the same keys verifies but holds no id.
    let cookie_store = CookieStore::<String>::new(CookieConfig::debug(), [keys()]).unwrap();
    let not_an_id = cookie_store.save(&session("x")).unwrap();
    for (header, want) in [
        ("", Error::NoCookie),
        ("app=", Error::Malformed),
        ("app=garbage!!", Error::Base64),
        (tampered.as_str(), Error::MacMismatch),
        (pair(&foreign), Error::MacMismatch),
        (pair(&not_an_id), Error::Malformed),
    ] {
        match now(store.load(header, "app")) {
            Err(ServerError::Cookie(e)) => assert_eq!(e, want, "{header}"),
            other => panic!("{header}: {other:?}"),
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
    let (id, set_cookie) = now(store.save(None, &session("a1"))).unwrap();
    let expired = now(store.destroy(Some(&id), "app")).unwrap();
    assert!(expired.starts_with("app=;") && expired.contains("Max-Age=0"));
    assert!(matches!(
        now(store.load(pair(&set_cookie), "app")),
        Err(ServerError::Gone)
    ));
    assert!(store.backend().inner.is_empty());
    assert_eq!(store.backend().inner.users(), 0, "index entry left behind");
}

#[test]
fn a_save_never_resurrects_a_destroyed_session() {
    let store = store(10);
    let (id, _) = now(store.save(None, &session("a1"))).unwrap();
    // Request A loaded the session; request B logs out; then A saves.
    let (_, mut seen_by_a) = (id.clone(), session("a1"));
    now(store.destroy(Some(&id), "app")).unwrap();
    seen_by_a.set("cart", "3 items".to_string());
    assert!(matches!(
        now(store.save(Some(&id), &seen_by_a)),
        Err(ServerError::Gone)
    ));
    assert!(matches!(
        now(store.renew(Some(&id), &seen_by_a)),
        Err(ServerError::Gone)
    ));
    assert!(store.backend().inner.is_empty());
}

#[test]
fn concurrent_saves_last_write_wins_whole() {
    let store = store(10);
    let (id, set_cookie) = now(store.save(None, &session("a1"))).unwrap();
    let (_, mut a) = now(store.load(pair(&set_cookie), "app")).unwrap();
    let (_, mut b) = now(store.load(pair(&set_cookie), "app")).unwrap();
    a.set("theme", "dark".to_string());
    b.set("lang", "fr".to_string());
    now(store.save(Some(&id), &a)).unwrap();
    now(store.save(Some(&id), &b)).unwrap();
    let (_, after) = now(store.load(pair(&set_cookie), "app")).unwrap();
    // B's whole session, not a mix: A's change is lost, as documented.
    assert_eq!(after, b);
    assert_eq!(after.get("theme"), None);
}

#[test]
fn renew_moves_to_a_new_id_and_kills_the_old() {
    let store = store(10);
    let (old, old_cookie) = now(store.save(None, &session("a1"))).unwrap();
    let calls = store.backend().calls();
    let mut s = session("a1");
    s.set("role", "admin".to_string());
    let (new, new_cookie) = now(store.renew(Some(&old), &s)).unwrap();
    assert_eq!(store.backend().calls(), calls + 1);
    assert_ne!(old, new);
    assert!(matches!(
        now(store.load(pair(&old_cookie), "app")),
        Err(ServerError::Gone)
    ));
    let (_, back) = now(store.load(pair(&new_cookie), "app")).unwrap();
    assert_eq!(back.get("role").map(String::as_str), Some("admin"));
    assert_eq!(store.backend().inner.len(), 1);
    // Renewing a session that was never saved creates one.
    let (fresh, _) = now(store.renew(None, &session("b2"))).unwrap();
    assert_ne!(fresh, new);
}

#[test]
fn destroy_user_ends_every_session_of_that_user_only() {
    let store = store(10);
    let cookies: Vec<String> = (0..3)
        .map(|_| now(store.save(None, &session("a1"))).unwrap().1)
        .collect();
    let (_, other) = now(store.save(None, &session("b2"))).unwrap();
    let mut anonymous = Session::new("app");
    anonymous.set("theme", "dark".to_string());
    let (_, anon) = now(store.save(None, &anonymous)).unwrap();
    assert_eq!(now(store.destroy_user(&"a1".to_string())).unwrap(), 3);
    for c in &cookies {
        assert!(matches!(
            now(store.load(pair(c), "app")),
            Err(ServerError::Gone)
        ));
    }
    assert!(now(store.load(pair(&other), "app")).is_ok());
    assert!(now(store.load(pair(&anon), "app")).is_ok());
    assert_eq!(now(store.destroy_user(&"a1".to_string())).unwrap(), 0);
}

#[test]
fn full_store_refuses_new_sessions_and_keeps_old_ones() {
    let store = store(2);
    let (a, _) = now(store.save(None, &session("a"))).unwrap();
    now(store.save(None, &session("b"))).unwrap();
    assert!(matches!(
        now(store.save(None, &session("c"))),
        Err(ServerError::Full { max: 2 })
    ));
    // Existing sessions still save and renew.
    now(store.save(Some(&a), &session("a"))).unwrap();
    let (a2, _) = now(store.renew(Some(&a), &session("a"))).unwrap();
    now(store.destroy(Some(&a2), "app")).unwrap();
    now(store.save(None, &session("c"))).unwrap();
}

#[test]
fn records_expire_and_free_their_place() {
    let backend = MemoryBackend::new(1);
    let id = SessionId::random().unwrap();
    assert!(now(backend.write(&id, b"r".to_vec(), 1, WriteMode::Create, Some(b"u"))).unwrap());
    assert_eq!(now(backend.read(&id)).unwrap().as_deref(), Some(&b"r"[..]));
    std::thread::sleep(core::time::Duration::from_millis(1100));
    assert_eq!(now(backend.read(&id)).unwrap(), None);
    assert!(!now(backend.write(&id, b"s".to_vec(), 1, WriteMode::Update, None)).unwrap());
    assert_eq!((backend.len(), backend.users()), (0, 0));
    // An expired record that was never read does not hold a place either.
    let other = SessionId::random().unwrap();
    assert!(now(backend.write(&other, b"r".to_vec(), 1, WriteMode::Create, None)).unwrap());
    std::thread::sleep(core::time::Duration::from_millis(1100));
    let third = SessionId::random().unwrap();
    assert!(now(backend.write(&third, b"r".to_vec(), 1, WriteMode::Create, None)).unwrap());
}

#[test]
fn records_are_sealed_at_rest_and_bound_to_their_id() {
    let store = store(10);
    let mut s = session("a1");
    s.set("note", "x".repeat(10_000)); // far past a cookie's 4096 bytes
    let (id, _) = now(store.save(None, &s)).unwrap();
    let record = now(store.backend().read(&id)).unwrap().unwrap();
    assert!(record.len() > 10_000);
    for plain in [&b"user-id"[..], b"xxxxxxxx"] {
        let found = record.windows(plain.len()).any(|w| w == plain);
        assert!(!found, "plaintext at rest");
    }
    assert_eq!(store.open_record(&id, "app", &record).unwrap(), {
        let mut named = s.clone();
        named.set("user-id", "a1".to_string());
        named
    });
    // Moved to another id, or altered: refused.
    let other = SessionId::random().unwrap();
    assert_eq!(
        store.open_record(&other, "app", &record),
        Err(Error::MacMismatch)
    );
    let mut altered = record.clone();
    altered[40] ^= 1;
    assert!(store.open_record(&id, "app", &altered).is_err());
}

#[test]
fn ids_are_random_and_hidden_from_debug() {
    let a = SessionId::random().unwrap();
    let b = SessionId::random().unwrap();
    assert_ne!(a, b);
    assert_eq!(std::format!("{a:?}"), "SessionId(..)");
    assert_eq!(a.to_text().len(), 22);
    let store = store(1);
    let text = std::format!("{store:?} {:?}", ServerError::Gone);
    assert!(!text.contains(&a.to_text()));
}
