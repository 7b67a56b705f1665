//! `RedisStore` against a real Redis (see tests/common/redis.rs): expiry,
//! revocation, renewal, log out everywhere, the races of concurrent writes,
//! round trips per operation, large values, the server going away.

#[path = "common/redis.rs"]
mod redis_common;

use redis_common::{OwnRedis, commands_since_reset, inspector, prefix, shared_url};
use securecookie::{
    CookieConfig, Error, Keys, Record, RedisBackend, RedisStore, ServerStore, SessionId,
    SessionStore, StoreError, kv,
};
use std::sync::Arc;
use std::time::Duration;

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

async fn store_at(url: &str, prefix: &str, config: CookieConfig) -> RedisStore {
    let backend = RedisBackend::connect(url, prefix).await.unwrap();
    ServerStore::with_backend(backend, config, [keys()])
        .unwrap()
        .user_key("user-id")
}

/// A kv payload of `entries` (keys ascending).
fn payload(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let len = entries
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

fn user(u: &str) -> Vec<u8> {
    payload(&[("user-id", u.as_bytes())])
}

/// The cookie value a browser sends back.
fn value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.strip_prefix("app=").unwrap().to_string()
}

/// Saves `payload` as `id`'s session (`None`: new), renewing if asked;
/// returns the new id and cookie value.
async fn save(
    store: &RedisStore,
    payload: Vec<u8>,
    id: Option<SessionId>,
    renew: bool,
) -> Result<(SessionId, String), StoreError> {
    let line = store.save("app", Record::new(payload, id, renew)).await?;
    let value = value(&line);
    let id = store.load("app", &value).await?.id.unwrap();
    Ok((id, value))
}

fn gone<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Session(Error::UnknownSession)))
}

/// Every key under `prefix`, with its TTL in seconds (-1: none).
async fn keys_and_ttls(url: &str, prefix: &str) -> Vec<(String, i64)> {
    let mut conn = inspector(url).await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut out = Vec::new();
    for key in keys {
        let ttl: i64 = redis::cmd("TTL")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .unwrap();
        out.push((key, ttl));
    }
    out
}

#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn every_key_expires_and_short_ttls_end_sessions() {
    let url = shared_url();
    let prefix = prefix("ttl");
    let config = CookieConfig {
        max_age: Some(1),
        ..CookieConfig::debug()
    };
    let store = store_at(&url, &prefix, config).await;
    let (_, cookie) = save(&store, user("a1"), None, false).await.unwrap();
    save(&store, payload(&[("theme", b"dark")]), None, false)
        .await
        .unwrap();
    let keys = keys_and_ttls(&url, &prefix).await;
    // Two records and one user index, each with a TTL.
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(
        keys.iter().all(|(_, ttl)| (0..=1).contains(ttl)),
        "{keys:?}"
    );
    assert!(store.load("app", &cookie).await.is_ok());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    match store.load("app", &cookie).await {
        // The cookie's own max age ran out first, or the record's TTL.
        Err(StoreError::Session(Error::Expired | Error::UnknownSession)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(keys_and_ttls(&url, &prefix).await, []);
}

#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn revocation_renewal_and_log_out_everywhere() {
    let url = shared_url();
    let prefix = prefix("lifecycle");
    let store = store_at(&url, &prefix, CookieConfig::debug()).await;
    assert_eq!(store.backend().prefix(), prefix);
    // The prefix, never the connection's address (it may hold a password).
    assert_eq!(
        format!("{:?}", store.backend()),
        format!("RedisBackend {{ prefix: {prefix:?}, .. }}")
    );

    // destroy: the copied cookie dies at once.
    let (id, cookie) = save(&store, user("a1"), None, false).await.unwrap();
    store.destroy("app", Some(id)).await.unwrap();
    assert!(gone(store.load("app", &cookie).await));

    // renew: new id, old one gone, values moved.
    let (old, old_cookie) = save(&store, user("a1"), None, false).await.unwrap();
    let admin = payload(&[("role", b"admin"), ("user-id", b"a1")]);
    let (new, new_cookie) = save(&store, admin.clone(), Some(old), true).await.unwrap();
    assert_ne!(old, new);
    assert!(gone(store.load("app", &old_cookie).await));
    assert_eq!(store.load("app", &new_cookie).await.unwrap().payload, admin);

    // log out everywhere: every session of a1, no other.
    let (_, second) = save(&store, user("a1"), None, false).await.unwrap();
    let (_, other) = save(&store, user("b2"), None, false).await.unwrap();
    assert_eq!(store.destroy_user("a1").await.unwrap(), 2);
    for c in [&new_cookie, &second] {
        assert!(gone(store.load("app", c).await));
    }
    assert!(store.load("app", &other).await.is_ok());
    // Only b2's session and index are left, and the forward of the renewed
    // id (for FORWARD_TTL).
    let left = keys_and_ttls(&url, &prefix).await;
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(left.iter().all(|(_, ttl)| *ttl > 0 && *ttl <= 604_800));
}

#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn values_far_past_a_cookie_fit() {
    let url = shared_url();
    let store = store_at(&url, &prefix("large"), CookieConfig::debug()).await;
    let big = payload(&[("doc", "x".repeat(100_000).as_bytes()), ("user-id", b"a1")]);
    let (_, cookie) = save(&store, big.clone(), None, false).await.unwrap();
    assert!(cookie.len() < 120, "the cookie holds only the id");
    assert_eq!(store.load("app", &cookie).await.unwrap().payload, big);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn concurrent_saves_last_write_wins_and_destroy_beats_them_all() {
    let url = shared_url();
    let prefix = prefix("race");
    let store = Arc::new(store_at(&url, &prefix, CookieConfig::debug()).await);
    let (id, cookie) = save(&store, user("a1"), None, false).await.unwrap();

    // 20 requests of one session save at once, each its own whole version.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let i = i.to_string();
            let mine = payload(&[
                ("check", i.as_bytes()),
                ("user-id", b"a1"),
                ("writer", i.as_bytes()),
            ]);
            store
                .save("app", Record::new(mine, Some(id), false))
                .await
                .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let after = store.load("app", &cookie).await.unwrap().payload;
    let writer = kv::get(&after, "writer").unwrap().unwrap();
    assert_eq!(kv::get(&after, "check").unwrap(), Some(writer), "mixed");

    // Saves racing a destroy: once destroy returned, nothing brings it back.
    for round in 0..20 {
        let (id, cookie) = save(&store, user("a1"), None, false).await.unwrap();
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                match store
                    .save("app", Record::new(user("a1"), Some(id), false))
                    .await
                {
                    Ok(_) | Err(StoreError::Session(Error::UnknownSession)) => {}
                    Err(e) => panic!("{e}"),
                }
            }));
        }
        store.destroy("app", Some(id)).await.unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        assert!(
            gone(store.load("app", &cookie).await),
            "round {round}: a save resurrected a destroyed session"
        );
    }

    // Renew racing log out everywhere: the renewed session never survives.
    for round in 0..20 {
        let (id, _) = save(&store, user("c3"), None, false).await.unwrap();
        let renewing = {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .save("app", Record::new(user("c3"), Some(id), true))
                    .await
            })
        };
        store.destroy_user("c3").await.unwrap();
        match renewing.await.unwrap() {
            Ok(line) => assert!(
                gone(store.load("app", &value(&line)).await),
                "round {round}: renew escaped log out everywhere"
            ),
            Err(StoreError::Session(Error::UnknownSession)) => {}
            Err(e) => panic!("{e}"),
        }
    }
}

#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn round_trips_per_operation_and_none_for_bad_cookies() {
    let mut redis = OwnRedis::start();
    let url = redis.url();
    let mut stats = inspector(&url).await;
    let store = store_at(&url, "s:", CookieConfig::debug()).await;
    commands_since_reset(&mut stats).await;

    // Each operation is one round trip: one command sent (`INFO
    // commandstats` also counts what a script runs inside the server; each
    // script is loaded once per server, so the first call of each costs a
    // `SCRIPT LOAD` more).
    let anonymous = payload(&[("theme", b"dark")]);
    let line = store
        .save("app", Record::new(anonymous.clone(), None, false))
        .await
        .unwrap();
    commands_since_reset(&mut stats).await;
    let anon_cookie = value(&line);
    let anon = store.load("app", &anon_cookie).await.unwrap().id;
    assert_eq!(sent(&mut stats).await, ["hget"]);
    store
        .save("app", Record::new(anonymous.clone(), anon, false))
        .await
        .unwrap();
    assert_eq!(sent(&mut stats).await, ["evalsha"]);

    // With a user: the index is trimmed of expired ids on every write.
    let (id, _) = save(&store, user("a1"), None, false).await.unwrap();
    commands_since_reset(&mut stats).await;
    store
        .save("app", Record::new(user("a1"), Some(id), false))
        .await
        .unwrap();
    let inside = commands_since_reset(&mut stats).await;
    let names: Vec<&str> = inside.iter().map(|(n, _)| n.as_str()).collect();
    for command in ["evalsha", "zadd", "zremrangebyscore", "expireat"] {
        assert!(names.contains(&command), "{inside:?}");
    }
    let (new, _) = save(&store, user("a1"), Some(id), true).await.unwrap();
    commands_since_reset(&mut stats).await;
    let line = store
        .save("app", Record::new(user("a1"), Some(new), true))
        .await
        .unwrap();
    assert_eq!(sent(&mut stats).await, ["evalsha"]);
    let newer = store.load("app", &value(&line)).await.unwrap().id;
    commands_since_reset(&mut stats).await;
    store.destroy("app", newer).await.unwrap();
    assert_eq!(sent(&mut stats).await, ["evalsha"]);
    store.destroy("app", None).await.unwrap();
    assert_eq!(commands_since_reset(&mut stats).await, []);
    store.destroy_user("a1").await.unwrap();
    save(&store, user("a1"), None, false).await.unwrap();
    commands_since_reset(&mut stats).await;
    assert_eq!(store.destroy_user("a1").await.unwrap(), 1);
    assert_eq!(sent(&mut stats).await, ["evalsha"]);
    assert_eq!(store.sessions("a1").await.unwrap().len(), 0);
    assert_eq!(sent(&mut stats).await, ["evalsha"]);

    // Garbage, forged, tampered, foreign: no command at all.
    let other = ServerStore::with_backend(
        RedisBackend::connect(&url, "s:").await.unwrap(),
        CookieConfig::debug(),
        [Keys::new(&[1; 32], None).unwrap()],
    )
    .unwrap();
    let foreign = value(
        &other
            .save("app", Record::new(anonymous, None, false))
            .await
            .unwrap(),
    );
    commands_since_reset(&mut stats).await;
    let mut tampered = anon_cookie.clone().into_bytes();
    let at = tampered.len() - 5;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in ["", "garbage", &"A".repeat(5000), &tampered, &foreign] {
        assert!(matches!(
            store.load("app", bad).await,
            Err(StoreError::Session(_))
        ));
    }
    assert_eq!(commands_since_reset(&mut stats).await, []);
    redis.stop();
}

/// The commands the client sent since the last reset (one each: a round
/// trip), without those a script ran inside the server, nor the retry
/// of a script's first call on a server (NOSCRIPT, `SCRIPT LOAD`).
async fn sent(stats: &mut redis::aio::MultiplexedConnection) -> Vec<String> {
    let calls = commands_since_reset(stats).await;
    let count = |name: &str| calls.iter().find(|(n, _)| n == name).map_or(0, |(_, c)| *c);
    let loads = count("script|load");
    let mut out = Vec::new();
    for _ in 0..count("hget") {
        out.push("hget".to_string());
    }
    for _ in loads..count("evalsha") {
        out.push("evalsha".to_string());
    }
    out
}

#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn redis_down_is_an_error_and_a_restart_heals() {
    let mut redis = OwnRedis::start();
    let store = store_at(&redis.url(), "s:", CookieConfig::debug()).await;
    let (id, cookie) = save(&store, user("a1"), None, false).await.unwrap();

    redis.stop();
    for _ in 0..3 {
        match store.load("app", &cookie).await {
            Err(StoreError::Backend(_)) => {}
            other => panic!("{other:?}"),
        }
        match store
            .save("app", Record::new(user("b2"), None, false))
            .await
        {
            Err(StoreError::Backend(_)) => {}
            other => panic!("{other:?}"),
        }
    }

    // Restarted (empty: no persistence): the old session is gone, new ones
    // work within a few attempts while the connection comes back.
    redis.restart();
    let mut ok = None;
    for _ in 0..50 {
        if let Ok(saved) = save(&store, user("b2"), None, false).await {
            ok = Some(saved);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, cookie_b) = ok.expect("no save succeeded after the restart");
    assert!(store.load("app", &cookie_b).await.is_ok());
    assert!(gone(store.load("app", &cookie).await));
    assert!(gone(
        store
            .save("app", Record::new(user("a1"), Some(id), false))
            .await
    ));
}

/// Issue 23 item 1, its bounded load: one session kept alive while the
/// same user logs in and out 10,000 times leaves the user's index at the
/// live count (1), and Redis' memory flat (its own `used_memory`).
#[tokio::test]
#[ignore = "needs Redis: .ci/redis cargo test --all-features -- --ignored"]
async fn ten_thousand_login_logout_cycles_leave_the_index_at_the_live_count() {
    let redis = OwnRedis::start();
    let url = redis.url();
    let store = store_at(&url, "s:", CookieConfig::debug()).await;
    let mut conn = inspector(&url).await;
    let used = |info: String| -> i64 {
        info.lines()
            .find_map(|l| l.strip_prefix("used_memory:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let (kept, _) = save(&store, user("a1"), None, false).await.unwrap();
    let mut memory = Vec::new();
    for cycle in 0..10_000 {
        let line = store
            .save("app", Record::new(user("a1"), None, false))
            .await
            .unwrap();
        let id = store.load("app", &value(&line)).await.unwrap().id;
        store.destroy("app", id).await.unwrap();
        if cycle % 100 == 0 {
            store
                .save("app", Record::new(user("a1"), Some(kept), false))
                .await
                .unwrap();
        }
        if cycle == 1_000 || cycle == 9_999 {
            let info: String = redis::cmd("INFO")
                .arg("memory")
                .query_async(&mut conn)
                .await
                .unwrap();
            memory.push(used(info));
        }
    }
    let members: i64 = redis::cmd("ZCARD")
        .arg(store.backend().user_index_key(b"a1"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(members, 1);
    // 9,000 more cycles: flat (a leak of one id per cycle would be ~500 KB).
    assert!(
        (memory[1] - memory[0]).abs() < 64 * 1024,
        "used_memory {} -> {}",
        memory[0],
        memory[1]
    );
    eprintln!(
        "10,000 cycles: index {members}, used_memory {} -> {} bytes",
        memory[0], memory[1]
    );
}
