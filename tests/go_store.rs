//! The store's Go options against the cookies the real Go gorilla/securecookie
//! v1.1.1 wrote (tests/vectors/): `CookieStore::go_compatible` reads what
//! dghubble/sessions' `NewCookieStore[string]` writes (gob
//! `map[string]string`), `go_format(Json)` what `JSONEncoder` writes, and
//! `migrate_from_go` reads both those and compact cookies, writing compact.
#![cfg(all(feature = "go", feature = "std"))]

mod common;

use common::{go_vectors, hex};
use securecookie::go::{GoMap, GoSerializer, GoValue, gob, json};
use securecookie::{
    Codec, CookieConfig, CookieStore, Error, Format, GobError, Iv, JsonError, Keys, Session,
    decode_buf_len,
};
use serde_json::Value;

/// One second after the vectors were made.
const NOW: u64 = 1_795_630_449;
const DAY: u64 = 24 * 60 * 60;

fn keys_of(v: &Value) -> Keys {
    let hash = hex(v["hash_key_hex"].as_str().unwrap());
    let block = v["block_key_hex"].as_str().map(hex);
    Keys::new(&hash, block.as_deref()).unwrap()
}

fn positive(serializer: &str) -> Vec<Value> {
    go_vectors()
        .into_iter()
        .filter(|v| v["kind"] == "positive" && v["serializer"] == serializer)
        .collect()
}

/// The session the vector's payload describes.
fn expected(v: &Value) -> Session<String> {
    let entries = v["payload"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, s)| (k.clone(), s.as_str().unwrap().to_string()));
    Session::from_entries(v["name"].as_str().unwrap(), entries)
}

fn header(v: &Value) -> String {
    format!(
        "theme=dark; {}={}",
        v["name"].as_str().unwrap(),
        v["cookie"].as_str().unwrap()
    )
}

/// A second after the vector was made (the golden ones are older); a
/// future-dated one is read now, as Go reads it.
fn now_for(v: &Value) -> u64 {
    let made = v["timestamp"].as_u64().unwrap();
    if made < NOW { made + 1 } else { NOW }
}

fn pair(line: &str) -> &str {
    line.split(';').next().unwrap()
}

/// Every positive vector of `serializer` through a store built by `make`:
/// each reads to its payload, except those longer than a browser keeps
/// (written with a raised max length), which the store refuses as Go's
/// default codec does. Returns (read, refused).
fn read_vectors(serializer: &str, make: impl Fn(Keys) -> CookieStore<String>) -> (usize, usize) {
    let (mut read, mut refused) = (0, 0);
    for v in positive(serializer) {
        let store = make(keys_of(&v));
        let got = store.get_at(&header(&v), v["name"].as_str().unwrap(), now_for(&v));
        if v["max_length"].as_u64().unwrap() > 4096 {
            assert!(
                matches!(got, Err(Error::TooLong { max: 4096, .. })),
                "{}: {got:?}",
                v["id"]
            );
            refused += 1;
        } else {
            assert_eq!(got, Ok(expected(&v)), "{}", v["id"]);
            read += 1;
        }
    }
    (read, refused)
}

#[test]
fn go_compatible_reads_every_gob_vector() {
    let (read, refused) = read_vectors("gob", |k| {
        CookieStore::go_compatible(CookieConfig::default(), [k]).unwrap()
    });
    println!("go store: {read} gob vectors read, {refused} too long for a browser refused");
    assert_eq!((read, refused), (25, 8));
}

#[test]
fn go_json_format_reads_every_json_vector() {
    let (read, refused) = read_vectors("json", |k| {
        CookieStore::new(CookieConfig::default(), [k])
            .unwrap()
            .go_format(GoSerializer::Json)
    });
    println!("go store: {read} json vectors read, {refused} too long for a browser refused");
    assert_eq!((read, refused), (26, 8));
}

#[test]
fn migration_reads_every_go_vector_too() {
    for serializer in [GoSerializer::Gob, GoSerializer::Json] {
        let name = match serializer {
            GoSerializer::Gob => "gob",
            _ => "json",
        };
        let (read, _) = read_vectors(name, |k| {
            CookieStore::new(CookieConfig::default(), [k])
                .unwrap()
                .migrate_from_go(serializer)
        });
        assert!(read >= 25, "{name}");
    }
}

fn golden() -> Value {
    positive("gob")
        .into_iter()
        .find(|v| {
            v["id"].as_str().unwrap().ends_with("-gob-small") && !v["block_key_hex"].is_null()
        })
        .unwrap()
}

#[test]
fn go_compatible_writes_what_go_writes() {
    let v = golden();
    let store =
        CookieStore::<String>::go_compatible(CookieConfig::default(), [keys_of(&v)]).unwrap();
    let session = expected(&v);
    assert!(!session.is_empty());
    let iv = Iv::from_random_bytes([0x42; 16]);
    let line = store.save_at(&session, NOW, iv).unwrap();
    // The header Go's newCookie + http.SetCookie writes for the default config.
    let name = v["name"].as_str().unwrap();
    let value = pair(&line).strip_prefix(&format!("{name}=")).unwrap();
    assert_eq!(
        &line[pair(&line).len()..],
        "; Path=/; Expires=Wed, 02 Dec 2026 18:14:09 GMT; Max-Age=604800; HttpOnly; Secure; SameSite=Lax"
    );
    // The envelope is gorilla's, the payload exactly our gob writer's
    // (itself byte-identical to a fresh Go process's, tests/go_interop.rs).
    let codec = Codec::gorilla(keys_of(&v));
    let mut buf = vec![0u8; decode_buf_len(value.len())];
    let decoded = codec.decode(name, value, NOW, &mut buf).unwrap();
    let map: GoMap = session
        .iter()
        .map(|(k, s)| (k.to_string(), GoValue::from(s.as_str())))
        .collect();
    let mut want = Vec::new();
    gob::encode_string_map(&map, &mut want).unwrap();
    assert_eq!(decoded.payload, want);
    assert_eq!(decoded.timestamp, NOW);
    // The whole cookie is what the codec makes of that payload with that IV.
    let mut out = vec![0u8; 4096];
    let again = codec
        .encode(
            name,
            &want,
            NOW,
            Iv::from_random_bytes([0x42; 16]),
            &mut out,
        )
        .unwrap();
    assert_eq!(value, again);
}

#[test]
fn go_max_age_is_30_days_whatever_the_cookie_says() {
    let v = golden();
    let name = v["name"].as_str().unwrap();
    let store =
        CookieStore::<String>::go_compatible(CookieConfig::default(), [keys_of(&v)]).unwrap();
    // Made at NOW - 1; the cookie said Max-Age 7 days, Go accepts 30.
    assert!(store.get_at(&header(&v), name, NOW - 1 + 30 * DAY).is_ok());
    assert_eq!(
        store.get_at(&header(&v), name, NOW + 30 * DAY),
        Err(Error::Expired)
    );
    // Tightened on purpose: the cookie's own 7 days.
    let tight = store.max_age(7 * DAY);
    assert_eq!(
        tight.get_at(&header(&v), name, NOW + 7 * DAY),
        Err(Error::Expired)
    );
    // Builder order does not matter.
    let other_order = CookieStore::<String>::new(CookieConfig::default(), [keys_of(&v)])
        .unwrap()
        .max_age(7 * DAY)
        .go_format(GoSerializer::Gob);
    assert_eq!(other_order.codecs()[0].get_max_age(), 7 * DAY);
}

#[test]
fn migration_go_cookie_in_compact_cookie_out() {
    let v = golden();
    let name = v["name"].as_str().unwrap();
    let config = CookieConfig::default();
    let migrating = CookieStore::<String>::new(config.clone(), [keys_of(&v)])
        .unwrap()
        .migrate_from_go(GoSerializer::Gob);
    assert_eq!(migrating.codecs().len(), 2);
    assert_eq!(migrating.codecs()[0].format(), Format::Compact);
    assert_eq!(migrating.codecs()[1].format(), Format::Gorilla);
    // Builders combine in any order: a max age set afterwards applies to
    // both formats (capped at Go's 30 days for Go's cookies), and
    // `gorilla()` ends the migration.
    let longer = migrating.clone().max_age(60 * DAY);
    assert_eq!(longer.codecs()[0].get_max_age(), 60 * DAY);
    assert_eq!(longer.codecs()[1].get_max_age(), 30 * DAY);
    let shorter = migrating.clone().max_age(DAY);
    assert_eq!(shorter.codecs()[1].get_max_age(), DAY);
    assert_eq!(migrating.clone().gorilla().codecs().len(), 1);

    // The Go cookie reads, and is flagged for re-issue.
    let (session, outdated) = migrating.get_outdated_at(&header(&v), name, NOW).unwrap();
    assert_eq!(session, expected(&v));
    assert!(outdated);

    // Saving writes the compact format, which reads back, not outdated.
    let line = migrating
        .save_at(&session, NOW, Iv::from_random_bytes([3; 16]))
        .unwrap();
    let compact = CookieStore::<String>::new(config.clone(), [keys_of(&v)]).unwrap();
    assert_eq!(compact.get_at(pair(&line), name, NOW), Ok(session.clone()));
    assert_eq!(
        migrating.get_outdated_at(pair(&line), name, NOW),
        Ok((session.clone(), false))
    );
    // Both are readable during the migration, in one header too (a Go
    // cookie on another path next to the new one).
    let both = format!("{}; {}", header(&v), pair(&line));
    assert_eq!(migrating.get_at(&both, name, NOW), Ok(session.clone()));

    // The Go service cannot read the new cookie: the migration is one-way,
    // deploy it once no Go service still needs to read sessions.
    let go = CookieStore::<String>::go_compatible(config.clone(), [keys_of(&v)]).unwrap();
    assert!(go.get_at(pair(&line), name, NOW).is_err());
    // After the migration, a plain compact store refuses Go cookies.
    assert_eq!(compact.get_at(&header(&v), name, NOW), Err(Error::Base64));

    // A Go cookie older than our max age (7 days here) is refused, even
    // though Go would still take it: the browser dropped it already.
    assert_eq!(
        migrating.get_at(&header(&v), name, NOW - 1 + 7 * DAY + 1),
        Err(Error::Expired)
    );
    assert!(
        migrating
            .get_at(&header(&v), name, NOW - 1 + 7 * DAY)
            .is_ok()
    );
}

#[test]
fn migration_with_rotated_keys() {
    let v = golden();
    let name = v["name"].as_str().unwrap();
    let newest = Keys::new(&[0x11; 32], Some(&[0x22; 32])).unwrap();
    let migrating = CookieStore::<String>::new(CookieConfig::default(), [newest, keys_of(&v)])
        .unwrap()
        .migrate_from_go(GoSerializer::Gob);
    assert_eq!(migrating.codecs().len(), 4);
    let (session, outdated) = migrating.get_outdated_at(&header(&v), name, NOW).unwrap();
    assert!(outdated);
    let line = migrating
        .save_at(&session, NOW, Iv::from_random_bytes([5; 16]))
        .unwrap();
    assert_eq!(
        migrating.get_outdated_at(pair(&line), name, NOW),
        Ok((session, false))
    );
}

#[test]
fn typed_values_travel_as_go_strings() {
    let keys = Keys::new(&[7; 32], Some(&[9; 32])).unwrap();
    for serializer in [GoSerializer::Gob, GoSerializer::Json] {
        let store = CookieStore::<i64>::new(CookieConfig::default(), [keys.clone()])
            .unwrap()
            .go_format(serializer);
        let mut s = store.new_session("s");
        s.set("visits", -42);
        let line = store
            .save_at(&s, NOW, Iv::from_random_bytes([1; 16]))
            .unwrap();
        assert_eq!(store.get_at(pair(&line), "s", NOW), Ok(s.clone()));
        // Go sees map[string]string{"visits": "-42"}.
        let value = pair(&line).strip_prefix("s=").unwrap();
        let mut buf = vec![0u8; decode_buf_len(value.len())];
        let payload = store.codecs()[0]
            .decode("s", value, NOW, &mut buf)
            .unwrap()
            .payload;
        let map = match serializer {
            GoSerializer::Gob => gob::decode_typed(payload).map(|(m, t)| {
                assert_eq!(t, gob::GobMapType::StringToString);
                m
            }),
            _ => json::decode(payload),
        }
        .unwrap();
        assert_eq!(map["visits"], GoValue::from("-42"));
    }

    // Bytes that are not UTF-8 are no Go string we can write.
    let store =
        CookieStore::<Vec<u8>>::go_compatible(CookieConfig::default(), [keys.clone()]).unwrap();
    let mut s = store.new_session("s");
    s.set("raw", vec![0xff, 0]);
    assert_eq!(
        store.save_at(&s, NOW, Iv::from_random_bytes([1; 16])),
        Err(Error::Gob(GobError::ValueNotString))
    );
    let json_store = store.clone().go_format(GoSerializer::Json);
    assert_eq!(
        json_store.save_at(&s, NOW, Iv::from_random_bytes([1; 16])),
        Err(Error::Json(JsonError::NotUtf8))
    );
    // UTF-8 bytes are fine.
    s.set("raw", b"text".to_vec());
    let line = store
        .save_at(&s, NOW, Iv::from_random_bytes([1; 16]))
        .unwrap();
    assert_eq!(store.get_at(pair(&line), "s", NOW), Ok(s));
}

/// A Go-format cookie carrying `payload`, sealed with the test keys.
fn sealed(payload: &[u8]) -> String {
    let codec = Codec::gorilla(Keys::new(&[7; 32], None).unwrap());
    let mut out = vec![0u8; 4096];
    let value = codec
        .encode("s", payload, NOW, Iv::from_random_bytes([0; 16]), &mut out)
        .unwrap();
    format!("s={value}")
}

#[test]
fn go_payloads_of_other_shapes_are_refused_whole() {
    let keys = Keys::new(&[7; 32], None).unwrap();
    let gob_store =
        CookieStore::<String>::go_compatible(CookieConfig::default(), [keys.clone()]).unwrap();
    let json_store = gob_store.clone().go_format(GoSerializer::Json);
    let mut map = GoMap::new();
    map.insert("a".into(), "x".into());
    map.insert("n".into(), GoValue::Int(3));

    // map[string]interface{}: not what NewCookieStore[string] reads.
    let mut any = Vec::new();
    gob::encode_interface_map(&map, &mut any).unwrap();
    assert_eq!(
        gob_store.get_at(&sealed(&any), "s", NOW),
        Err(Error::Gob(GobError::UnsupportedType))
    );
    // A JSON integer reads as its decimal (what a Go service writing a
    // map[string]interface{} puts there); a float does not make a string.
    let mut j = Vec::new();
    json::encode(&map, &mut j).unwrap();
    let read = json_store.get_at(&sealed(&j), "s", NOW).unwrap();
    assert_eq!(read.get("n").map(String::as_str), Some("3"));
    let mut f = Vec::new();
    json::encode(&[("f".into(), GoValue::Float(0.5))].into(), &mut f).unwrap();
    let reason = if cfg!(feature = "serde") {
        "does not fit the type"
    } else {
        "not a Go string"
    };
    assert_eq!(
        json_store.get_at(&sealed(&f), "s", NOW),
        Err(Error::InvalidValue { reason })
    );
    // A value that does not convert to V.
    let int_store = CookieStore::<u8>::go_compatible(CookieConfig::default(), [keys]).unwrap();
    let mut ss = Vec::new();
    map.remove("n");
    gob::encode_string_map(&map, &mut ss).unwrap();
    assert_eq!(
        int_store.get_at(&sealed(&ss), "s", NOW),
        Err(Error::InvalidValue {
            reason: "not a decimal integer"
        })
    );
    // The wrong serializer: JSON bytes are no gob stream, and back.
    assert!(matches!(
        gob_store.get_at(&sealed(&j), "s", NOW),
        Err(Error::Gob(_))
    ));
    assert!(matches!(
        json_store.get_at(&sealed(&ss), "s", NOW),
        Err(Error::Json(_))
    ));
    // Go's nil map in JSON is an empty session; gob's empty map too.
    assert_eq!(
        json_store
            .get_at(&sealed(b"null\n"), "s", NOW)
            .map(|s| s.len()),
        Ok(0)
    );
    let mut empty = Vec::new();
    gob::encode_string_map(&GoMap::new(), &mut empty).unwrap();
    assert_eq!(
        gob_store.get_at(&sealed(&empty), "s", NOW).map(|s| s.len()),
        Ok(0)
    );
}
