use super::*;
use crate::codec::kv::{self, KvWriter};
use crate::codec::set_cookie::SameSite;
use crate::error::KvError;
use std::boxed::Box;
use std::format;
use std::string::ToString;

const NOW: u64 = 1_800_000_000; // Fri, 15 Jan 2027 08:00:00 GMT
const HASH: [u8; 32] = [7; 32];
const BLOCK: [u8; 32] = [9; 32];

fn keys() -> Keys {
    Keys::new(&HASH, Some(&BLOCK)).unwrap()
}

fn iv() -> Iv {
    Iv::from_random_bytes([0x5a; 16])
}

fn make<V>(config: CookieConfig) -> CookieStore<V> {
    CookieStore::new(config, [keys()]).unwrap()
}

fn user_session<V: From<&'static str>>() -> Session<V> {
    let mut s = Session::new("my-app");
    s.set("user-id", V::from("a1b2c3"));
    s
}

/// The cookie value the core codec makes for `user-id=a1b2c3`, built without
/// the store: the kv writer and `Codec::encode`.
fn expected_value(codec: &Codec) -> String {
    let mut payload = [0u8; 32];
    let mut w = KvWriter::new(&mut payload);
    w.push("user-id", b"a1b2c3").unwrap();
    let payload = w.finish();
    let mut out = [0u8; 256];
    codec
        .encode("my-app", payload, NOW, iv(), &mut out)
        .unwrap()
        .to_string()
}

/// The `name=value` part a browser sends back.
fn pair(line: &str) -> &str {
    line.split(';').next().unwrap()
}

#[test]
fn set_cookie_lines_byte_for_byte() {
    let value = expected_value(&Codec::new(keys()));
    let cases = [
        (
            CookieConfig::default(),
            "; Path=/; Expires=Fri, 22 Jan 2027 08:00:00 GMT; Max-Age=604800; HttpOnly; Secure; SameSite=Lax",
            "my-app=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
        ),
        (
            CookieConfig::debug(),
            "; Path=/; Expires=Fri, 22 Jan 2027 08:00:00 GMT; Max-Age=604800; HttpOnly; SameSite=Lax",
            "my-app=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; SameSite=Lax",
        ),
        (
            CookieConfig {
                domain: Some("example.com".to_string()),
                path: Some("/app".to_string()),
                max_age: Some(3600),
                ..CookieConfig::default()
            },
            "; Path=/app; Domain=example.com; Expires=Fri, 15 Jan 2027 09:00:00 GMT; Max-Age=3600; HttpOnly; Secure; SameSite=Lax",
            "my-app=; Path=/app; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
        ),
        (
            CookieConfig {
                same_site: Some(SameSite::None),
                ..CookieConfig::default()
            },
            "; Path=/; Expires=Fri, 22 Jan 2027 08:00:00 GMT; Max-Age=604800; HttpOnly; Secure; SameSite=None",
            "my-app=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; Secure; SameSite=None",
        ),
        (
            // Browser-session cookie, no path, no flags.
            CookieConfig {
                domain: None,
                path: None,
                max_age: None,
                http_only: false,
                secure: false,
                same_site: None,
            },
            "",
            "my-app=; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0",
        ),
    ];
    for (config, attributes, destroyed) in cases {
        let store = make::<String>(config);
        let line = store.save_at(&user_session(), NOW, iv()).unwrap();
        assert_eq!(line, format!("my-app={value}{attributes}"));
        assert_eq!(store.destroy("my-app").unwrap(), destroyed);
    }
}

#[test]
fn gorilla_envelope_byte_for_byte() {
    let store = make::<String>(CookieConfig::default()).gorilla();
    let line = store.save_at(&user_session(), NOW, iv()).unwrap();
    let value = expected_value(&Codec::gorilla(keys()).max_age(DEFAULT_COOKIE_MAX_AGE));
    assert!(line.starts_with(&format!("my-app={value}; Path=/;")));
    let got = store.get_at(pair(&line), "my-app", NOW + 1).unwrap();
    assert_eq!(got, user_session());
    // The compact store does not read gorilla cookies.
    let compact = make::<String>(CookieConfig::default());
    assert!(compact.get_at(pair(&line), "my-app", NOW + 1).is_err());
}

#[test]
fn round_trip_and_rotation() {
    let old = make::<String>(CookieConfig::default());
    let new_keys = Keys::new(&[1; 32], Some(&[2; 16])).unwrap();
    let rotated: CookieStore<String> =
        CookieStore::new(CookieConfig::default(), [new_keys, keys()]).unwrap();
    let from_old = old.save_at(&user_session(), NOW, iv()).unwrap();
    assert_eq!(
        rotated.get_at(pair(&from_old), "my-app", NOW + 5),
        Ok(user_session())
    );
    // The rotated store writes with the new key, which the old one lacks.
    let from_new = rotated.save(&user_session()).unwrap();
    assert_eq!(rotated.get(pair(&from_new), "my-app"), Ok(user_session()));
    assert_eq!(old.get(pair(&from_new), "my-app"), Err(Error::MacMismatch));
}

#[test]
fn get_errors_are_distinct() {
    let store = make::<String>(CookieConfig::default());
    let line = store.save_at(&user_session(), NOW, iv()).unwrap();
    let cookie = pair(&line);
    assert_eq!(store.get_at("", "my-app", NOW), Err(Error::NoCookie));
    assert_eq!(
        store.get_at("my-appx=1; other=2", "my-app", NOW),
        Err(Error::NoCookie)
    );
    assert_eq!(store.get_at(cookie, "my app", NOW), Err(Error::InvalidName));
    // Tampered: one character changed.
    let mut tampered = cookie.to_string();
    let at = tampered.len() - 10;
    let c = if &tampered[at..=at] == "A" { "B" } else { "A" };
    tampered.replace_range(at..=at, c);
    assert_eq!(
        store.get_at(&tampered, "my-app", NOW),
        Err(Error::MacMismatch)
    );
    // Renamed: the MAC binds the name.
    let renamed = cookie.replacen("my-app=", "other=", 1);
    assert_eq!(
        store.get_at(&renamed, "other", NOW),
        Err(Error::MacMismatch)
    );
    assert_eq!(
        store.get_at("my-app=%%%", "my-app", NOW),
        Err(Error::Base64)
    );
    // Expiry follows the cookie's Max-Age (7 days), not Go's 30.
    assert!(store.get_at(cookie, "my-app", NOW + 604_800).is_ok());
    assert_eq!(
        store.get_at(cookie, "my-app", NOW + 604_801),
        Err(Error::Expired)
    );
    // A huge cookie is refused before any buffer is sized for it.
    let huge = format!("my-app={}", "A".repeat(1 << 20));
    assert_eq!(
        store.get_at(&huge, "my-app", NOW),
        Err(Error::TooLong {
            len: 1 << 20,
            max: 4096
        })
    );
}

#[test]
fn payload_and_value_errors_never_give_half_a_session() {
    // A MAC-valid cookie whose payload is not kv.
    let codec = Codec::new(keys());
    let mut out = [0u8; 256];
    let value = codec
        .encode("my-app", &[1, b'b', 0, 1, b'a', 0], NOW, iv(), &mut out)
        .unwrap();
    let store = make::<String>(CookieConfig::default());
    assert_eq!(
        store.get_at(&format!("my-app={value}"), "my-app", NOW),
        Err(Error::Payload(KvError::Unsorted))
    );

    // A good first value, a bad second one: an error, no session.
    let bytes = make::<Vec<u8>>(CookieConfig::default());
    let mut session = Session::new("my-app");
    session.set("a", b"fine".to_vec());
    session.set("b", [0xff].to_vec());
    let line = bytes.save_at(&session, NOW, iv()).unwrap();
    assert_eq!(
        store.get_at(pair(&line), "my-app", NOW),
        Err(Error::InvalidValue {
            reason: "not UTF-8"
        })
    );
    let numbers = make::<u64>(CookieConfig::default());
    assert_eq!(
        numbers.get_at(pair(&line), "my-app", NOW),
        Err(Error::InvalidValue {
            reason: "not a decimal integer"
        })
    );
    // The same bytes read fine as bytes.
    assert_eq!(bytes.get_at(pair(&line), "my-app", NOW), Ok(session));
}

#[test]
fn duplicate_cookies_are_each_tried() {
    let store = make::<String>(CookieConfig::default());
    let line = store.save_at(&user_session(), NOW, iv()).unwrap();
    let good = pair(&line);
    let header = format!("my-app=bogus; {good}");
    assert_eq!(store.get_at(&header, "my-app", NOW), Ok(user_session()));
    // When none reads, the first one's error.
    assert_eq!(
        store.get_at("my-app=bogus; my-app=AAAA", "my-app", NOW),
        Err(Error::Base64)
    );
    assert_eq!(
        store.get_at("my-app=AAAA; my-app=bogus", "my-app", NOW),
        Err(Error::Malformed)
    );
}

/// Bounded work: the first `MAX_SAME_NAME` cookies of the name are tried,
/// the rest ignored. A valid cookie right at the limit is found; one place
/// later it is not, and the error is the first forgery's.
#[test]
fn at_most_max_same_name_cookies_are_tried() {
    let store = make::<String>(CookieConfig::default());
    let line = store.save_at(&user_session(), NOW, iv()).unwrap();
    let good = pair(&line);
    let header_with_good_at = |place: usize| {
        let mut h = std::vec::Vec::new();
        for i in 1..place {
            h.push(format!("other{i}=1; my-app=AAAA{i:04}"));
        }
        h.push(good.to_string());
        h.join("; ")
    };
    let at_limit = header_with_good_at(crate::codec::header::MAX_SAME_NAME);
    assert_eq!(store.get_at(&at_limit, "my-app", NOW), Ok(user_session()));
    let past = header_with_good_at(crate::codec::header::MAX_SAME_NAME + 1);
    assert_eq!(store.get_at(&past, "my-app", NOW), Err(Error::Malformed));
}

/// Cookie tossing: a sibling subdomain plants a valid cookie of the
/// session's name (the attacker's own session) that the browser sends
/// first. The first valid cookie wins, so it is the attacker's: the store
/// cannot tell, which is why session cookies should be `__Host-` (no other
/// host can set one) and why the store refuses to write one that breaks
/// the prefix's rules.
#[test]
fn a_planted_cookie_wins_unless_the_name_is_host_prefixed() {
    let store = make::<String>(CookieConfig::default());
    let mut attacker = Session::new("my-app");
    attacker.set("user-id", "attacker".to_string());
    let planted = store.save_at(&attacker, NOW, iv()).unwrap();
    let victim = store.save_at(&user_session(), NOW, iv()).unwrap();
    let header = format!("{}; {}", pair(&planted), pair(&victim));
    assert_eq!(store.get_at(&header, "my-app", NOW), Ok(attacker));

    // A planted cookie would need `Domain` (or a host of its own), which
    // a `__Host-` cookie may not have: the store refuses to write one...
    let shared = make::<String>(CookieConfig {
        domain: Some("example.com".to_string()),
        ..CookieConfig::default()
    });
    let mut host = Session::new("__Host-my-app");
    host.set("user-id", "a1b2c3".to_string());
    let domain = Err(Error::InvalidAttribute { name: "Domain" });
    assert_eq!(shared.save_at(&host, NOW, iv()), domain);
    assert_eq!(shared.destroy("__Host-my-app"), domain);
    // ... and writes the one a browser accepts.
    let line = store.save_at(&host, NOW, iv()).unwrap();
    assert!(line.starts_with("__Host-my-app="));
    assert!(line.contains("; Path=/;") && line.contains("; Secure") && !line.contains("Domain"));
}

#[test]
fn prefixed_names_follow_their_rules() {
    let config = |secure: bool, path: Option<&str>, domain: Option<&str>| CookieConfig {
        secure,
        path: path.map(str::to_string),
        domain: domain.map(str::to_string),
        ..CookieConfig::default()
    };
    let attr = |name| Err(Error::InvalidAttribute { name });
    let ok = config(true, Some("/"), None);
    for name in [
        "__Host-s",
        "__host-s",
        "__HOST-s",
        "__Secure-s",
        "__secure-s",
        "s",
        "_Host-s",
        "__Host",
    ] {
        assert_eq!(ok.check_name(name), Ok(()), "{name}");
    }
    for name in ["__Host-s", "__hOsT-s", "__Secure-s", "__SECURE-s"] {
        assert_eq!(
            config(false, Some("/"), None).check_name(name),
            attr("Secure"),
            "{name}"
        );
    }
    // `__Secure-` asks nothing more; `__Host-` wants `Path=/`, no `Domain`.
    let sub = config(true, Some("/app"), Some("example.com"));
    assert_eq!(sub.check_name("__Secure-s"), Ok(()));
    assert_eq!(sub.check_name("__Host-s"), attr("Path"));
    assert_eq!(
        config(true, None, None).check_name("__Host-s"),
        attr("Path")
    );
    assert_eq!(
        config(true, Some("/"), Some("example.com")).check_name("__Host-s"),
        attr("Domain")
    );
    // Unprefixed names are free.
    assert_eq!(
        config(false, None, Some("example.com")).check_name("session"),
        Ok(())
    );
    // The store applies it on save and destroy.
    let plain = make::<String>(CookieConfig::debug());
    let mut s = Session::<String>::new("__Secure-s");
    s.set("k", "v".to_string());
    assert_eq!(
        plain.save_at(&s, NOW, iv()).unwrap_err(),
        Error::InvalidAttribute { name: "Secure" }
    );
    assert_eq!(
        plain.destroy("__Secure-s").unwrap_err(),
        Error::InvalidAttribute { name: "Secure" }
    );
}

#[test]
fn too_long_cookies_are_refused_on_save() {
    let store = make::<String>(CookieConfig::default());
    let codec = &store.codecs()[0];
    let mut session = Session::new("my-app");
    let mut last_ok = None;
    for n in 2_950..3_100 {
        session.set("v", "x".repeat(n));
        match store.save_at(&session, NOW, iv()) {
            Ok(line) => {
                assert!(pair(&line).len() <= MAX_COOKIE_LEN);
                last_ok = Some(n);
            }
            Err(e) => {
                // "v" entry: 1 + 1 + 2-byte length + n.
                let payload_len = kv::entry_len(1, n);
                let len = "my-app=".len() + codec.encoded_len(payload_len, NOW);
                assert!(len > MAX_COOKIE_LEN);
                assert_eq!(e, Error::TooLong { len, max: 4096 });
                assert_eq!(
                    format!("{e}"),
                    format!("cookie is {len} bytes long; the limit is 4096")
                );
                break;
            }
        }
    }
    let last_ok = last_ok.expect("some sizes fit");
    session.set("v", "x".repeat(last_ok));
    let line = store.save_at(&session, NOW, iv()).unwrap();
    // The largest that fits reads back, and is within 4 bytes of the limit.
    assert!(pair(&line).len() > MAX_COOKIE_LEN - 4);
    assert_eq!(store.get_at(pair(&line), "my-app", NOW), Ok(session));
}

/// A cookie of exactly 4096 bytes (`name=value`, what browsers count) is
/// kept, a longer one refused. (Under a three-byte name an unpadded value
/// can end exactly there; under `my-app` above it cannot.)
#[test]
fn the_limit_is_4096_bytes_inclusive() {
    let store = make::<String>(CookieConfig::default());
    let mut exact = 0;
    for n in 2_980..3_080 {
        match store.seal_at("app", std::vec![b'x'; n], NOW, iv()) {
            Ok(line) => {
                let len = pair(&line).len();
                assert!(len <= MAX_COOKIE_LEN, "{n}: {len}");
                exact += usize::from(len == MAX_COOKIE_LEN);
            }
            Err(Error::TooLong { len, max }) => {
                assert!(len > max && max == MAX_COOKIE_LEN, "{n}: {len}");
            }
            Err(e) => panic!("{n}: {e:?}"),
        }
    }
    assert_eq!(exact, 1, "one payload size gives exactly 4096 bytes");
}

/// Sealing takes the payload's own buffer and grows it once, to exactly
/// the payload plus the header line (the line is written after the
/// payload, then moved over it): no second allocation, no slack.
#[test]
fn sealing_grows_the_buffer_once_to_the_exact_size() {
    let store = make::<String>(CookieConfig::default());
    for n in [0, 1, 2, 3, 40, 100] {
        let line = store.seal_at("app", std::vec![b'x'; n], NOW, iv()).unwrap();
        assert_eq!(line.capacity(), n + line.len(), "payload of {n}");
    }
}

#[test]
fn max_age_follows_config_or_is_set_apart() {
    let short = make::<String>(CookieConfig {
        max_age: Some(60),
        ..CookieConfig::default()
    });
    assert_eq!(short.codecs()[0].get_max_age(), 60);
    let line = short.save_at(&user_session(), NOW, iv()).unwrap();
    assert!(short.get_at(pair(&line), "my-app", NOW + 60).is_ok());
    assert_eq!(
        short.get_at(pair(&line), "my-app", NOW + 61),
        Err(Error::Expired)
    );
    let apart = short.clone().max_age(120);
    assert!(apart.get_at(pair(&line), "my-app", NOW + 120).is_ok());
    assert!(line.contains("; Max-Age=60;"), "the cookie keeps its own");
    // A browser-session cookie: Go's 30 days on the server side.
    let session_cookie = make::<String>(CookieConfig {
        max_age: None,
        ..CookieConfig::default()
    });
    assert_eq!(session_cookie.codecs()[0].get_max_age(), 30 * 24 * 60 * 60);
}

#[test]
fn construction_checks() {
    let bad = |config: CookieConfig| CookieStore::<String>::new(config, [keys()]).unwrap_err();
    let path = |p: &str| CookieConfig {
        path: Some(p.to_string()),
        ..CookieConfig::default()
    };
    assert_eq!(bad(path("/a;b")), Error::InvalidAttribute { name: "Path" });
    assert_eq!(bad(path("")), Error::InvalidAttribute { name: "Path" });
    assert_eq!(
        bad(CookieConfig {
            domain: Some("exa mple.com".to_string()),
            ..CookieConfig::default()
        }),
        Error::InvalidAttribute { name: "Domain" }
    );
    assert_eq!(
        bad(CookieConfig {
            max_age: Some(0),
            ..CookieConfig::default()
        }),
        Error::InvalidAttribute { name: "Max-Age" }
    );
    assert_eq!(
        CookieStore::<String>::new(CookieConfig::default(), []).unwrap_err(),
        Error::NoKeys
    );
    assert_eq!(
        CookieStore::<String>::new(CookieConfig::default(), Vec::new()).unwrap_err(),
        Error::NoKeys
    );
}

#[test]
fn names_are_checked_on_save_and_destroy() {
    let store = make::<String>(CookieConfig::default());
    let session = Session::<String>::new("my;app");
    assert_eq!(store.save(&session), Err(Error::InvalidName));
    // A name past the length limit is a bad name first.
    let long = Session::<String>::new("n".repeat(5000));
    assert_eq!(store.save(&long), Err(Error::InvalidName));
    assert_eq!(store.destroy("my app"), Err(Error::InvalidName));
    assert_eq!(store.destroy(""), Err(Error::InvalidName));
}

#[test]
fn store_trait_is_object_safe_and_shareable() {
    fn shareable<T: Send + Sync + 'static>(_: &T) {}
    let store: Box<dyn Store<u32, Error = Error> + Send + Sync> =
        Box::new(make::<u32>(CookieConfig::default()));
    shareable(&store);
    let mut session = store.new_session("n");
    assert_eq!(session.name(), "n");
    session.set("count", 41);
    let line = store.save(&session).unwrap();
    let mut got = store.get(pair(&line), "n").unwrap();
    assert_eq!(got.set("count", 42), Some(41));
    assert!(store.destroy("n").unwrap().starts_with("n=; "));
}

#[test]
fn signed_only_and_empty_sessions() {
    let store =
        CookieStore::<bool>::new(CookieConfig::default(), [Keys::new(&HASH, None).unwrap()])
            .unwrap();
    let empty = store.new_session("s");
    let line = store.save(&empty).unwrap();
    assert_eq!(store.get(pair(&line), "s"), Ok(empty));
    let mut s = store.new_session("s");
    s.set("admin", true);
    let line = store.save(&s).unwrap();
    assert_eq!(store.get(pair(&line), "s"), Ok(s));
}

#[test]
fn random_keys_are_fresh() {
    let a = random_key::<32>().unwrap();
    let b = random_key::<32>().unwrap();
    assert_ne!(a, b);
    assert!(Keys::new(&a, Some(&b)).is_ok());
}

#[test]
fn accessors_and_error_texts() {
    let config = CookieConfig {
        domain: Some("example.com".to_string()),
        ..CookieConfig::debug()
    };
    let store = make::<String>(config.clone());
    assert_eq!(store.config(), &config);
    assert_eq!(store.codecs().len(), 1);
    assert_eq!(store.codecs()[0].format(), Format::Compact);
    assert_eq!(
        format!("{}", Error::InvalidAttribute { name: "Path" }),
        "cookie attribute Path is not valid"
    );
    assert_eq!(
        format!(
            "{}",
            Error::InvalidValue {
                reason: "not UTF-8"
            }
        ),
        "session value cannot be read: not UTF-8"
    );
}

#[test]
fn debug_shows_no_secrets() {
    let store = make::<String>(CookieConfig::default());
    let text = format!("{store:?}");
    assert!(text.contains("CookieStore") && text.contains("AES-256-CTR"));
    assert!(!text.contains("[7, 7") && !text.contains("[9, 9"));
}

#[test]
fn key_pairs_sharing_a_hash_key_but_not_a_block_key_are_refused() {
    let hash = [3u8; 32];
    let pairs = [
        Keys::new(&hash, Some(&[4; 32])).unwrap(),
        Keys::new(&hash, None).unwrap(),
    ];
    assert_eq!(
        CookieStore::<String>::new(CookieConfig::default(), pairs).unwrap_err(),
        Error::AmbiguousKeys
    );
    // The same pair twice, or distinct hash keys, are fine.
    let same = [keys(), keys()];
    assert!(CookieStore::<String>::new(CookieConfig::default(), same).is_ok());
    let distinct = [keys(), Keys::new(&hash, None).unwrap()];
    assert!(CookieStore::<String>::new(CookieConfig::default(), distinct).is_ok());
}
