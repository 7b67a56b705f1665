//! `RedisStore` against a real Redis (see tests/common/redis.rs): expiry,
//! revocation, renewal, log out everywhere, the races of concurrent writes,
//! round trips per operation, large values, the server going away.

#[path = "common/redis.rs"]
mod redis_common;

use redis_common::{OwnRedis, commands_since_reset, inspector, prefix, shared_url};
use securecookie::{
    CookieConfig, Keys, RedisBackend, RedisStore, ServerError, ServerStore, Session,
};
use std::sync::Arc;
use std::time::Duration;

fn keys() -> Keys {
    Keys::new(&[7; 32], Some(&[9; 32])).unwrap()
}

async fn store_at(url: &str, prefix: &str, config: CookieConfig) -> RedisStore<String> {
    let backend = RedisBackend::connect(url, prefix).await.unwrap();
    ServerStore::with_backend(backend, config, [keys()])
        .unwrap()
        .user_key("user-id")
}

fn session(user: &str) -> Session<String> {
    let mut s = Session::new("app");
    s.set("user-id", user.to_string());
    s
}

fn pair(set_cookie: &str) -> &str {
    set_cookie.split(';').next().unwrap()
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
async fn every_key_expires_and_short_ttls_end_sessions() {
    let Some(url) = shared_url() else { return };
    let prefix = prefix("ttl");
    let config = CookieConfig {
        max_age: Some(1),
        ..CookieConfig::debug()
    };
    let store = store_at(&url, &prefix, config).await;
    let (_, cookie) = store.save(None, &session("a1")).await.unwrap();
    let mut anonymous = Session::new("app");
    anonymous.set("theme", "dark".to_string());
    store.save(None, &anonymous).await.unwrap();
    let keys = keys_and_ttls(&url, &prefix).await;
    // Two records and one user index, each with a TTL.
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(
        keys.iter().all(|(_, ttl)| (0..=1).contains(ttl)),
        "{keys:?}"
    );
    assert!(store.load(pair(&cookie), "app").await.is_ok());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    match store.load(pair(&cookie), "app").await {
        // The cookie's own max age ran out first, or the record's TTL.
        Err(ServerError::Cookie(securecookie::Error::Expired) | ServerError::Gone) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(keys_and_ttls(&url, &prefix).await, []);
}

#[tokio::test]
async fn revocation_renewal_and_log_out_everywhere() {
    let Some(url) = shared_url() else { return };
    let prefix = prefix("lifecycle");
    let store = store_at(&url, &prefix, CookieConfig::debug()).await;

    // destroy: the copied cookie dies at once.
    let (id, cookie) = store.save(None, &session("a1")).await.unwrap();
    store.destroy(Some(&id), "app").await.unwrap();
    assert!(matches!(
        store.load(pair(&cookie), "app").await,
        Err(ServerError::Gone)
    ));

    // renew: new id, old one gone, values moved.
    let (old, old_cookie) = store.save(None, &session("a1")).await.unwrap();
    let mut s = session("a1");
    s.set("role", "admin".into());
    let (new, new_cookie) = store.renew(Some(&old), &s).await.unwrap();
    assert_ne!(old, new);
    assert!(matches!(
        store.load(pair(&old_cookie), "app").await,
        Err(ServerError::Gone)
    ));
    let (_, back) = store.load(pair(&new_cookie), "app").await.unwrap();
    assert_eq!(back, s);

    // log out everywhere: every session of a1, no other.
    let (_, second) = store.save(None, &session("a1")).await.unwrap();
    let (_, other) = store.save(None, &session("b2")).await.unwrap();
    assert_eq!(store.destroy_user(&"a1".to_string()).await.unwrap(), 2);
    for c in [&new_cookie, &second] {
        assert!(matches!(
            store.load(pair(c), "app").await,
            Err(ServerError::Gone)
        ));
    }
    assert!(store.load(pair(&other), "app").await.is_ok());
    // Only b2's session and index are left.
    assert_eq!(keys_and_ttls(&url, &prefix).await.len(), 2);
}

#[tokio::test]
async fn values_far_past_a_cookie_fit() {
    let Some(url) = shared_url() else { return };
    let store = store_at(&url, &prefix("large"), CookieConfig::debug()).await;
    let mut s = session("a1");
    s.set("doc", "x".repeat(100_000));
    let (_, cookie) = store.save(None, &s).await.unwrap();
    assert!(pair(&cookie).len() < 120, "the cookie holds only the id");
    assert_eq!(store.load(pair(&cookie), "app").await.unwrap().1, s);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_saves_last_write_wins_and_destroy_beats_them_all() {
    let Some(url) = shared_url() else { return };
    let prefix = prefix("race");
    let store = Arc::new(store_at(&url, &prefix, CookieConfig::debug()).await);
    let (id, cookie) = store.save(None, &session("a1")).await.unwrap();

    // 20 requests of one session save at once, each its own whole version.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (store, id) = (store.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let mut s = session("a1");
            s.set("writer", i.to_string());
            s.set("check", format!("{i}-{i}"));
            store.save(Some(&id), &s).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let (_, after) = store.load(pair(&cookie), "app").await.unwrap();
    let w = after.get("writer").unwrap();
    assert_eq!(after.get("check").unwrap(), &format!("{w}-{w}"), "mixed");

    // Saves racing a destroy: once destroy returned, nothing brings it back.
    for round in 0..20 {
        let (id, cookie) = store.save(None, &session("a1")).await.unwrap();
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let (store, id) = (store.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                match store.save(Some(&id), &session("a1")).await {
                    Ok(_) | Err(ServerError::Gone) => {}
                    Err(e) => panic!("{e}"),
                }
            }));
        }
        store.destroy(Some(&id), "app").await.unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        assert!(
            matches!(
                store.load(pair(&cookie), "app").await,
                Err(ServerError::Gone)
            ),
            "round {round}: a save resurrected a destroyed session"
        );
    }

    // Renew racing log out everywhere: the renewed session never survives.
    for round in 0..20 {
        let (id, _) = store.save(None, &session("c3")).await.unwrap();
        let renewing = {
            let store = store.clone();
            tokio::spawn(async move { store.renew(Some(&id), &session("c3")).await })
        };
        store.destroy_user(&"c3".to_string()).await.unwrap();
        match renewing.await.unwrap() {
            Ok((_, cookie)) => assert!(
                matches!(
                    store.load(pair(&cookie), "app").await,
                    Err(ServerError::Gone)
                ),
                "round {round}: renew escaped log out everywhere"
            ),
            Err(ServerError::Gone) => {}
            Err(e) => panic!("{e}"),
        }
    }
}

#[tokio::test]
async fn round_trips_per_operation_and_none_for_bad_cookies() {
    let Some(mut redis) = OwnRedis::start() else {
        return;
    };
    let url = redis.url();
    let mut stats = inspector(&url).await;
    let store = store_at(&url, "s:", CookieConfig::debug()).await;
    commands_since_reset(&mut stats).await;

    let mut anonymous = Session::new("app");
    anonymous.set("theme", "dark".to_string());
    let (anon_id, anon_cookie) = store.save(None, &anonymous).await.unwrap();
    assert_eq!(commands_since_reset(&mut stats).await, [("set".into(), 1)]);
    store.save(Some(&anon_id), &anonymous).await.unwrap();
    assert_eq!(commands_since_reset(&mut stats).await, [("set".into(), 1)]);
    store.load(pair(&anon_cookie), "app").await.unwrap();
    assert_eq!(commands_since_reset(&mut stats).await, [("get".into(), 1)]);

    // With a user: one script call, one round trip (`INFO commandstats`
    // also counts the commands the script runs inside the server). Each
    // script is loaded once per server: the first call costs two more.
    let (id, _) = store.save(None, &session("a1")).await.unwrap();
    let first = commands_since_reset(&mut stats).await;
    assert!(first.contains(&("script|load".into(), 1)), "{first:?}");
    store.save(Some(&id), &session("a1")).await.unwrap();
    assert_eq!(
        script_calls(&mut stats).await,
        ["evalsha 1", "sadd 1", "set 1", "ttl 1"]
    );
    let (new, _) = store.renew(Some(&id), &session("a1")).await.unwrap();
    commands_since_reset(&mut stats).await;
    let (newer, _) = store.renew(Some(&new), &session("a1")).await.unwrap();
    assert_eq!(
        script_calls(&mut stats).await,
        [
            "del 1",
            "evalsha 1",
            "exists 1",
            "sadd 1",
            "set 1",
            "srem 1",
            "ttl 1"
        ]
    );
    store.destroy(Some(&newer), "app").await.unwrap();
    assert_eq!(commands_since_reset(&mut stats).await, [("del".into(), 1)]);
    store.destroy_user(&"a1".to_string()).await.unwrap();
    commands_since_reset(&mut stats).await;
    store.save(None, &session("a1")).await.unwrap();
    commands_since_reset(&mut stats).await;
    assert_eq!(store.destroy_user(&"a1".to_string()).await.unwrap(), 1);
    assert_eq!(
        script_calls(&mut stats).await,
        ["del 2", "evalsha 1", "smembers 1"]
    );

    // Garbage, forged, tampered, foreign: no command at all.
    let other = ServerStore::<RedisBackend, String>::with_backend(
        RedisBackend::connect(&url, "s:").await.unwrap(),
        CookieConfig::debug(),
        [Keys::new(&[1; 32], None).unwrap()],
    )
    .unwrap();
    let (_, foreign) = other.save(None, &anonymous).await.unwrap();
    commands_since_reset(&mut stats).await;
    let mut tampered = pair(&anon_cookie).to_string().into_bytes();
    let at = tampered.len() - 5;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for header in [
        "",
        "app=",
        "app=garbage",
        &"app=A".repeat(2000),
        &tampered,
        pair(&foreign),
    ] {
        assert!(matches!(
            store.load(header, "app").await,
            Err(ServerError::Cookie(_))
        ));
    }
    assert_eq!(commands_since_reset(&mut stats).await, []);
    redis.stop();
}

/// The commands since the last reset, without the `EXPIRE` a script runs
/// only when a second has passed since the index was last extended.
async fn script_calls(stats: &mut redis::aio::MultiplexedConnection) -> Vec<String> {
    let calls = commands_since_reset(stats).await;
    calls
        .into_iter()
        .filter(|(name, _)| name != "expire")
        .map(|(name, n)| format!("{name} {n}"))
        .collect()
}

#[tokio::test]
async fn redis_down_is_an_error_and_a_restart_heals() {
    let Some(mut redis) = OwnRedis::start() else {
        return;
    };
    let store = store_at(&redis.url(), "s:", CookieConfig::debug()).await;
    let (id, cookie) = store.save(None, &session("a1")).await.unwrap();

    redis.stop();
    for _ in 0..3 {
        match store.load(pair(&cookie), "app").await {
            Err(ServerError::Backend(_)) => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            store.save(None, &session("b2")).await,
            Err(ServerError::Backend(_))
        ));
    }

    // Restarted (empty: no persistence): the old session is gone, new ones
    // work within a few attempts while the connection comes back.
    redis.restart();
    let mut ok = None;
    for _ in 0..50 {
        if let Ok(saved) = store.save(None, &session("b2")).await {
            ok = Some(saved);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, cookie_b) = ok.expect("no save succeeded after the restart");
    assert!(store.load(pair(&cookie_b), "app").await.is_ok());
    assert!(matches!(
        store.load(pair(&cookie), "app").await,
        Err(ServerError::Gone)
    ));
    assert!(matches!(
        store.save(Some(&id), &session("a1")).await,
        Err(ServerError::Gone)
    ));
}
