//! Live interop with the real Go gorilla/securecookie: builds the Go program
//! in tests/interop/go (GOPATH mode against Debian's
//! golang-github-gorilla-securecookie-dev in /usr/share/gocode) and checks
//! both directions for the nop, json and gob serializers, with every block
//! key size (16, 24, 32 bytes, and signed only) and 32- and 64-byte hash
//! keys:
//!
//! - Go encodes, Rust decodes (and reads the payload);
//! - Rust encodes, Go decodes (and reports the typed values it got);
//! - Go's JSON and gob serializations are reproduced byte for byte (gob in a
//!   fresh Go process, where the first type id is 65);
//! - `CookieStore::go_compatible` and dghubble/sessions' cookie store (its
//!   Save and Get, replayed in the Go program) read each other's cookies,
//!   with the same Set-Cookie attributes, and the migration mode turns Go's
//!   cookies into compact ones.
//!
//! Every test here needs Go, so each is `#[ignore = "needs Go ..."]`: a
//! plain `cargo test` lists them as ignored, never as passed. `.ci/run`
//! installs Go (`.ci/go`) and runs them with `--ignored`; by hand:
//! `cargo test --all-features --test go_interop -- --include-ignored`.
#![cfg(all(feature = "go", feature = "std"))]

mod common;

use common::go::{go_program, run_go};
use common::{hex, to_hex};
use securecookie::go::gob::GobMapType;
use securecookie::go::{GoMap, GoSerializer, GoValue, gob, json};
use securecookie::{Codec, CookieConfig, CookieStore, Iv, Keys, SameSite, Session, decode_buf_len};
use serde_json::{Value, json};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// A hash key and an optional block key.
type KeyPair = (Vec<u8>, Option<Vec<u8>>);

/// A 32-byte hash key with signed only, AES-128, -192 and -256; a 64-byte
/// hash key (HMAC-SHA256 hashes it first) with signed only and AES-256.
fn key_pairs() -> Vec<KeyPair> {
    let h32: Vec<u8> = (0..32).collect();
    let h64: Vec<u8> = (0x40..0x80).collect();
    let block = |n: u8| Some((0xa0..0xa0 + n).collect::<Vec<u8>>());
    vec![
        (h32.clone(), None),
        (h32.clone(), block(16)),
        (h32.clone(), block(24)),
        (h32.clone(), block(32)),
        (h64.clone(), None),
        (h64, block(32)),
    ]
}

fn signed_only() -> KeyPair {
    key_pairs().remove(0)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The Go version's minor number (`go1.19.8` -> 19).
fn go_minor() -> u32 {
    let out = Command::new("go").arg("version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .find_map(|w| w.strip_prefix("go1."))
        .and_then(|v| v.split('.').next()?.parse().ok())
        .expect("go version")
}

/// A typed entry of the Go program's protocol (see tests/interop/go).
fn entry(k: &str, t: &str, v: impl ToString) -> Value {
    json!({"k": k, "t": t, "v": v.to_string()})
}

fn float_bits(f: f64) -> String {
    format!("{:x}", f.to_bits())
}

/// The value Rust should read for a typed entry Go wrote: `json` says
/// whether it went through Go's JSON encoder.
fn rust_value(e: &Value, json: bool) -> GoValue {
    let v = e["v"].as_str().unwrap();
    match e["t"].as_str().unwrap() {
        "string" => v.into(),
        t if t.starts_with("int") => GoValue::Int(v.parse().unwrap()),
        // A JSON number that fits an i64 reads as Int, whatever Go's type.
        t if t.starts_with("uint") && json => match v.parse::<i64>() {
            Ok(i) => GoValue::Int(i),
            Err(_) => GoValue::Uint(v.parse().unwrap()),
        },
        t if t.starts_with("uint") => GoValue::Uint(v.parse().unwrap()),
        t @ ("float64" | "float32") => {
            let f = f64::from_bits(u64::from_str_radix(v, 16).unwrap());
            GoValue::Float(if t == "float32" { f as f32 as f64 } else { f })
        }
        "bool" => GoValue::Bool(v == "true"),
        "nil" => GoValue::Null,
        "bytes" if json => GoValue::String(base64_std(&hex(v))),
        "bytes" => GoValue::Bytes(hex(v)),
        other => panic!("unknown type {other}"),
    }
}

/// The typed entry Go should report for a value Rust wrote.
fn go_entry(k: &str, v: &GoValue, json: bool) -> Value {
    match v {
        GoValue::String(s) => entry(k, "string", s),
        GoValue::Bool(b) => entry(k, "bool", b),
        GoValue::Null => json!({"k": k, "t": "nil", "v": ""}),
        // Go's JSON decoder reads every number as a float64, and a []byte
        // back as its base64 string.
        GoValue::Int(i) if json => entry(k, "float64", float_bits(*i as f64)),
        GoValue::Uint(u) if json => entry(k, "float64", float_bits(*u as f64)),
        GoValue::Bytes(b) if json => entry(k, "string", base64_std(b)),
        GoValue::Int(i) => entry(k, "int", i),
        GoValue::Uint(u) => entry(k, "uint", u),
        GoValue::Float(f) => entry(k, "float64", float_bits(*f)),
        GoValue::Bytes(b) => entry(k, "bytes", to_hex(b)),
        other => panic!("no Go spelling for {other:?}"),
    }
}

fn base64_std(b: &[u8]) -> String {
    // Go's JSON spelling of a []byte, by way of our own encoder.
    let mut m = GoMap::new();
    m.insert("k".into(), b.into());
    let mut out = Vec::new();
    json::encode(&m, &mut out).unwrap();
    let s = String::from_utf8(out).unwrap();
    s["{\"k\":\"".len()..s.len() - "\"}\n".len()].into()
}

/// Entries Go encodes, by Go map type.
fn go_entries(map: &str) -> Vec<Value> {
    let strings = vec![
        entry("user-id", "string", "a1b2c3"),
        entry("lang", "string", "fr"),
        entry("", "string", ""),
        entry(
            "html",
            "string",
            "<a href=\"x\">&amp;</a>\u{2028}\u{2029}\n\t\u{8}\u{c}\0é€😀",
        ),
    ];
    if map == "ss" {
        return strings;
    }
    let mut all = strings;
    all.extend([
        entry("int", "int", -42),
        entry("int8", "int8", -128),
        entry("int16", "int16", 32767),
        entry("int32", "int32", -2147483648i64),
        entry("int64", "int64", i64::MIN),
        entry("uint", "uint", 7),
        entry("uint8", "uint8", 255),
        entry("uint16", "uint16", 65535),
        entry("uint32", "uint32", u32::MAX),
        entry("uint64", "uint64", u64::MAX),
        entry("f64", "float64", float_bits(0.1)),
        entry("f64-big", "float64", float_bits(1e21)),
        entry("f64-tiny", "float64", float_bits(-2.5e-10)),
        entry("f32", "float32", float_bits(0.1)),
        entry("yes", "bool", true),
        entry("no", "bool", false),
        entry("nil", "nil", ""),
        entry("bytes", "bytes", "0001feff"),
        entry("no-bytes", "bytes", ""),
    ]);
    if map == "json" {
        // float32 goes through Go's 32-bit float formatting: not our case.
        all.retain(|e| e["t"] != "float32");
    }
    all
}

/// The map Rust encodes for Go.
fn rust_map(string_only: bool) -> GoMap {
    let mut m = GoMap::new();
    m.insert("user-id".into(), "a1b2c3".into());
    m.insert(
        "html".into(),
        "<a href=\"x\">&amp;</a>\u{2028}\u{2029}\n\t\u{8}\u{c}\0é€😀".into(),
    );
    m.insert(String::new(), "".into());
    if string_only {
        return m;
    }
    m.insert("int".into(), GoValue::Int(i64::MIN));
    m.insert("neg".into(), GoValue::Int(-42));
    m.insert("uint".into(), GoValue::Uint(u64::MAX));
    m.insert("small".into(), GoValue::Uint(3));
    m.insert("f".into(), GoValue::Float(0.1));
    m.insert("f-big".into(), GoValue::Float(1e300));
    m.insert("f-tiny".into(), GoValue::Float(-1e-7));
    m.insert("yes".into(), true.into());
    m.insert("no".into(), false.into());
    m.insert("nil".into(), GoValue::Null);
    m.insert("bytes".into(), vec![0u8, 1, 0xfe, 0xff].into());
    m
}

fn case((hash, block): &KeyPair, serializer: &str, map: &str) -> Value {
    json!({
        "hash": to_hex(hash),
        "block": block.as_deref().map(to_hex).unwrap_or_default(),
        "name": "session",
        "serializer": serializer,
        "map": map,
    })
}

fn codec((hash, block): &KeyPair) -> Codec {
    Codec::gorilla(Keys::new(hash, block.as_deref()).unwrap())
}

fn open(keys: &KeyPair, cookie: &str) -> Vec<u8> {
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    codec(keys)
        .decode("session", cookie, now(), &mut buf)
        .unwrap_or_else(|e| panic!("Rust cannot open Go's cookie: {e}"))
        .payload
        .to_vec()
}

/// A fresh IV per cookie: a counter mixed with the clock is enough for a
/// test (use `Iv::random` in real code).
fn iv(counter: &mut u8) -> Iv {
    *counter += 1;
    let mut b = [*counter; 16];
    b[..8].copy_from_slice(&now().to_be_bytes());
    Iv::from_random_bytes(b)
}

const NOP_PAYLOADS: [&[u8]; 3] = [b"", b"hello", b"\x00\x01|\xfe\xff"];

/// What one direction of one serializer checked.
#[derive(Default)]
struct Tally {
    go_to_rust: usize,
    rust_to_go: usize,
}

#[test]
#[ignore = "needs Go (.ci/go); run with --include-ignored"]
fn go_and_rust_read_each_others_cookies() {
    let bin = go_program();
    let mut tally: std::collections::BTreeMap<&str, Tally> = Default::default();

    // --- Go encodes, Rust decodes.
    let mut cases = Vec::new();
    let mut plan = Vec::new();
    for keys in &key_pairs() {
        for p in NOP_PAYLOADS {
            let mut c = case(keys, "nop", "");
            c["nop"] = to_hex(p).into();
            cases.push(c);
            plan.push((keys.clone(), "nop", "", p.to_vec(), vec![]));
        }
        for (serializer, map) in [("json", "si"), ("gob", "ss"), ("gob", "si"), ("gob", "ii")] {
            let entries = go_entries(if serializer == "json" { "json" } else { map });
            let mut c = case(keys, serializer, map);
            c["entries"] = entries.clone().into();
            cases.push(c);
            plan.push((keys.clone(), serializer, map, vec![], entries));
        }
    }
    let reply = run_go(&bin, &json!({"op": "encode", "cases": cases}));
    let cookies = reply["cookies"].as_array().unwrap();
    assert_eq!(cookies.len(), plan.len());
    for (cookie, (keys, serializer, map, nop, entries)) in cookies.iter().zip(&plan) {
        let what = format!(
            "{serializer}/{map} hash {} block {:?}",
            keys.0.len(),
            keys.1.as_ref().map(Vec::len)
        );
        let payload = open(keys, cookie.as_str().unwrap());
        let is_json = *serializer == "json";
        let want: GoMap = entries
            .iter()
            .map(|e| (e["k"].as_str().unwrap().into(), rust_value(e, is_json)))
            .collect();
        match *serializer {
            "nop" => assert_eq!(&payload, nop, "{what}"),
            "json" => assert_eq!(json::decode(&payload), Ok(want), "{what}"),
            _ => {
                let ty = match *map {
                    "ss" => GobMapType::StringToString,
                    "si" => GobMapType::StringToInterface,
                    _ => GobMapType::InterfaceToInterface,
                };
                assert_eq!(gob::decode_typed(&payload), Ok((want, ty)), "{what}");
            }
        }
        tally.entry(serializer).or_default().go_to_rust += 1;
    }

    // --- Rust encodes, Go decodes.
    let mut cases = Vec::new();
    let mut wants = Vec::new();
    let mut counter = 0;
    for keys in &key_pairs() {
        let codec = codec(keys);
        let mut seal = |payload: &[u8]| {
            let mut out = vec![0u8; 4096];
            codec
                .encode("session", payload, now(), iv(&mut counter), &mut out)
                .unwrap()
                .to_owned()
        };
        for p in NOP_PAYLOADS {
            let mut c = case(keys, "nop", "");
            c["cookie"] = seal(p).into();
            cases.push(c);
            if p.is_empty() && keys.1.is_some() {
                // Documented difference: Go's Decode refuses an encrypted
                // empty payload (an IV and nothing else), which its own
                // Encode writes and we read.
                wants.push((
                    "nop-empty-encrypted",
                    json!({"entries": null, "nop": "",
                           "error": "securecookie: the value could not be decrypted"}),
                ));
                continue;
            }
            wants.push(("nop", json!({"entries": [], "nop": to_hex(p)})));
        }
        for (serializer, map) in [("json", "si"), ("gob", "ss"), ("gob", "si"), ("gob", "ii")] {
            let m = rust_map(map == "ss");
            let mut payload = Vec::new();
            match (serializer, map) {
                ("json", _) => json::encode(&m, &mut payload).unwrap(),
                (_, "ss") => gob::encode_string_map(&m, &mut payload).unwrap(),
                (_, "si") => gob::encode_interface_map(&m, &mut payload).unwrap(),
                _ => gob::encode_any_map(&m, &mut payload).unwrap(),
            }
            let mut c = case(keys, serializer, map);
            c["cookie"] = seal(&payload).into();
            cases.push(c);
            let entries: Vec<Value> = m
                .iter()
                .map(|(k, v)| go_entry(k, v, serializer == "json"))
                .collect();
            wants.push((serializer, json!({ "entries": entries })));
        }
    }
    let reply = run_go(&bin, &json!({"op": "decode", "cases": cases}));
    let results = reply["results"].as_array().unwrap();
    assert_eq!(results.len(), wants.len());
    for (i, (got, (serializer, want))) in results.iter().zip(&wants).enumerate() {
        let mut got = got.clone();
        if got.get("nop").is_none() && serializer.starts_with("nop") {
            // Go omits an empty hex string.
            got["nop"] = "".into();
        }
        assert_eq!(
            &got, want,
            "case {i} ({serializer}): Go read something else"
        );
        tally.entry(serializer).or_default().rust_to_go += 1;
    }

    for (serializer, t) in &tally {
        if *serializer == "nop-empty-encrypted" {
            println!(
                "go interop nop: Rust->Go {} empty encrypted payloads refused by Go, as documented",
                t.rust_to_go
            );
            continue;
        }
        println!(
            "go interop {serializer}: Go->Rust {} passed, Rust->Go {} passed",
            t.go_to_rust, t.rust_to_go
        );
    }
    // 6 key pairs (4 encrypted); nop: 3 payloads; json: one map; gob: 3 map
    // types.
    assert_eq!((tally["nop"].go_to_rust, tally["nop"].rust_to_go), (18, 14));
    assert_eq!(tally["nop-empty-encrypted"].rust_to_go, 4);
    assert_eq!((tally["json"].go_to_rust, tally["json"].rust_to_go), (6, 6));
    assert_eq!((tally["gob"].go_to_rust, tally["gob"].rust_to_go), (18, 18));
}

/// A small xorshift: reproducible test data without a dependency.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
#[ignore = "needs Go (.ci/go); run with --include-ignored"]
fn our_json_is_byte_for_byte_gos() {
    let bin = go_program();
    // Floats: random bit patterns (every exponent), plus the edges of Go's
    // switch to exponent form and a few classics.
    let below = |f: f64| f64::from_bits(f.to_bits() - 1);
    let mut floats = vec![
        0.0,
        -0.0,
        1.0,
        0.1,
        1e-6,
        below(1e-6),
        1e-7,
        1e20,
        1e21,
        below(1e21),
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        123456789.0,
        1.5e-5,
        100.0,
        2e22,
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15;
    while floats.len() < 3000 {
        let f = f64::from_bits(xorshift(&mut state));
        if f.is_finite() {
            floats.push(f);
        }
        // Numbers of everyday size too: random digits, random scale.
        let g = (xorshift(&mut state) % 1_000_000) as f64
            / 10f64.powi((xorshift(&mut state) % 12) as i32);
        floats.push(g);
    }
    let mut map = GoMap::new();
    let mut entries = Vec::new();
    for (i, f) in floats.iter().enumerate() {
        let k = format!("f{i:05}");
        entries.push(entry(&k, "float64", float_bits(*f)));
        map.insert(k, GoValue::Float(*f));
    }
    // Strings: every ASCII character and the special ones (\b and \f below,
    // as Go changed them in 1.22).
    let mut ascii = String::new();
    for c in (0u8..0x80)
        .map(char::from)
        .filter(|c| !matches!(c, '\u{8}' | '\u{c}'))
    {
        ascii.push(c);
    }
    for (k, s) in [
        ("s-ascii", ascii.as_str()),
        (
            "s-unicode",
            "é€😀\u{2027}\u{2028}\u{2029}\u{202a}\u{fffd}\u{feff}",
        ),
        ("s-html", "<script>alert('&')</script>"),
    ] {
        entries.push(entry(k, "string", s));
        map.insert(k.into(), s.into());
    }
    for (k, i) in [("i-min", i64::MIN), ("i-max", i64::MAX), ("i-0", 0)] {
        entries.push(entry(k, "int64", i));
        map.insert(k.into(), i.into());
    }
    entries.push(entry("u-max", "uint64", u64::MAX));
    map.insert("u-max".into(), u64::MAX.into());
    entries.push(entry("bytes", "bytes", "00fffe7f80"));
    map.insert("bytes".into(), vec![0u8, 0xff, 0xfe, 0x7f, 0x80].into());

    let mut c = case(&signed_only(), "json", "si");
    c["entries"] = entries.into();
    let mut bs = case(&signed_only(), "json", "si");
    bs["entries"] = vec![entry("k", "string", "\u{8}\u{c}")].into();
    let reply = run_go(&bin, &json!({"op": "serialize", "cases": [c, bs]}));
    let payloads = reply["payloads"].as_array().unwrap();

    let mut ours = Vec::new();
    json::encode(&map, &mut ours).unwrap();
    let theirs = hex(payloads[0].as_str().unwrap());
    if ours != theirs {
        let (a, b) = (
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
        );
        let first = a.split(',').zip(b.split(',')).find(|(x, y)| x != y);
        panic!("JSON differs from Go's; first difference: {first:?}");
    }
    // Go 1.22 began writing \b and \f; earlier Go wrote \u0008 and \u000c.
    let bs_go = hex(payloads[1].as_str().unwrap());
    let want: &[u8] = if go_minor() >= 22 {
        b"{\"k\":\"\\b\\f\"}\n"
    } else {
        b"{\"k\":\"\\u0008\\u000c\"}\n"
    };
    assert_eq!(bs_go, want);
    assert_eq!(
        json::decode(&bs_go).unwrap()["k"],
        GoValue::from("\u{8}\u{c}")
    );
    println!(
        "go interop json: {} floats, {} strings and integers byte-identical to Go",
        floats.len(),
        map.len() - floats.len()
    );
}

#[test]
#[ignore = "needs Go (.ci/go); run with --include-ignored"]
fn our_gob_is_byte_for_byte_a_fresh_go_process() {
    let bin = go_program();
    let mut checked = 0;
    for (map, ty) in [
        ("ss", GobMapType::StringToString),
        ("si", GobMapType::StringToInterface),
        ("ii", GobMapType::InterfaceToInterface),
    ] {
        // One entry per map (Go's map order is random) and one value type
        // at a time; one Go process per payload, so each type id is 65.
        let values: Vec<Value> = if map == "ss" {
            vec![
                entry("user-id", "string", "a1b2c3"),
                entry("", "string", ""),
            ]
        } else {
            vec![
                entry("s", "string", "a1b2c3"),
                entry("i", "int", -5),
                entry("i", "int", i64::MIN),
                entry("u", "uint", u64::MAX),
                entry("f", "float64", float_bits(17.0)),
                entry("f", "float64", float_bits(-0.1)),
                entry("t", "bool", true),
                entry("t", "bool", false),
                entry("b", "bytes", "0102ff"),
                entry("n", "nil", ""),
            ]
        };
        for e in values {
            let mut c = case(&signed_only(), "gob", map);
            c["entries"] = vec![e.clone()].into();
            let reply = run_go(&bin, &json!({"op": "serialize", "cases": [c]}));
            let theirs = hex(reply["payloads"][0].as_str().unwrap());
            let m: GoMap = [(e["k"].as_str().unwrap().into(), rust_value(&e, false))].into();
            let mut ours = Vec::new();
            gob::encode(&m, ty, &mut ours).unwrap();
            assert_eq!(to_hex(&ours), to_hex(&theirs), "{map} {e}");
            assert_eq!(gob::decode_typed(&theirs), Ok((m, ty)));
            checked += 1;
        }
    }
    assert_eq!(checked, 22);
    println!(
        "go interop gob: {checked} single-entry payloads byte-identical to a fresh Go process"
    );
}

/// dghubble/sessions' CookieConfigs as (our config, the Go program's JSON).
fn store_configs() -> Vec<(CookieConfig, Value)> {
    let go = |domain: &str, path: &str, max_age: i64, secure: bool, http_only: bool, ss: &str| {
        json!({"domain": domain, "path": path, "max_age": max_age, "secure": secure,
               "http_only": http_only, "same_site": ss})
    };
    vec![
        // sessions.DefaultCookieConfig
        (
            CookieConfig::default(),
            go("", "/", 604_800, true, true, "Lax"),
        ),
        // sessions.DebugCookieConfig
        (
            CookieConfig::debug(),
            go("", "/", 604_800, false, true, "Lax"),
        ),
        (
            CookieConfig {
                domain: Some("example.com".into()),
                path: Some("/app".into()),
                max_age: Some(3600),
                same_site: Some(SameSite::Strict),
                ..CookieConfig::default()
            },
            go("example.com", "/app", 3600, true, true, "Strict"),
        ),
        (
            // A browser-session cookie: no Max-Age, no Expires.
            CookieConfig {
                max_age: None,
                same_site: Some(SameSite::None),
                ..CookieConfig::default()
            },
            go("", "/", 0, true, true, "None"),
        ),
    ]
}

fn store_session() -> Session<String> {
    let mut s = Session::new("my-app");
    s.set("user-id", "a1b2c3".to_string());
    s.set("", String::new());
    s.set(
        "html",
        "<a href=\"x\">&amp;</a>\u{2028}\n\t\0é€😀".to_string(),
    );
    s
}

fn store_entries(s: &Session<String>) -> Vec<Value> {
    s.iter().map(|(k, v)| entry(k, "string", v)).collect()
}

/// `name=value`, the part of a Set-Cookie line a browser sends back.
fn cookie_pair(line: &str) -> &str {
    line.split(';').next().unwrap()
}

#[test]
#[ignore = "needs Go (.ci/go); run with --include-ignored"]
fn go_compatible_store_and_dghubble_sessions_read_each_other() {
    let bin = go_program();
    let session = store_session();
    let (mut go_to_rust, mut rust_to_go, mut migrated) = (0, 0, 0);
    for keys in &key_pairs() {
        let rust_keys = || Keys::new(&keys.0, keys.1.as_deref()).unwrap();
        for (config, go_config) in store_configs() {
            let store =
                CookieStore::<String>::go_compatible(config.clone(), [rust_keys()]).unwrap();
            let migrating = CookieStore::<String>::new(config.clone(), [rust_keys()])
                .unwrap()
                .migrate_from_go(GoSerializer::Gob);
            let t = now();
            let mut c = case(keys, "gob", "ss");
            c["name"] = "my-app".into();
            c["config"] = go_config.clone();
            c["now"] = t.into();
            c["entries"] = store_entries(&session).into();

            // --- Go's Save, our get; the Set-Cookie attributes are identical.
            let reply = run_go(&bin, &json!({"op": "store-save", "cases": [c.clone()]}));
            let go_line = reply["set_cookies"][0].as_str().unwrap().to_string();
            let ours = store.save_at(&session, t, iv(&mut 0)).unwrap();
            assert_eq!(
                &go_line[cookie_pair(&go_line).len()..],
                &ours[cookie_pair(&ours).len()..],
                "Set-Cookie attributes differ from Go's"
            );
            assert_eq!(
                store.get(cookie_pair(&go_line), "my-app"),
                Ok(session.clone())
            );
            go_to_rust += 1;

            // Migration: the Go cookie reads, and is re-issued as compact.
            let (read, outdated) = migrating
                .get_outdated(cookie_pair(&go_line), "my-app")
                .unwrap();
            assert_eq!((&read, outdated), (&session, true));
            let compact = migrating.save(&read).unwrap();
            assert_eq!(
                migrating.get_outdated(cookie_pair(&compact), "my-app"),
                Ok((session.clone(), false))
            );
            migrated += 1;

            // --- Our save, Go's Get (after net/http parsed the line).
            let mut g = c.clone();
            g["set_cookie"] = ours.clone().into();
            let reply = run_go(&bin, &json!({"op": "store-get", "cases": [g]}));
            let got = &reply["results"][0];
            assert_eq!(got["error"], Value::Null, "Go could not read our cookie");
            assert_eq!(got["entries"], json!(store_entries(&session)));
            let seen = &got["cookie"];
            assert_eq!(seen["name"], "my-app");
            assert_eq!(seen["path"], go_config["path"]);
            assert_eq!(seen["domain"], go_config["domain"]);
            assert_eq!(seen["max_age"], go_config["max_age"]);
            assert_eq!(seen["secure"], go_config["secure"]);
            assert_eq!(seen["http_only"], go_config["http_only"]);
            assert_eq!(seen["same_site"], go_config["same_site"]);
            let expires = config.max_age.map_or(0, |a| t + a);
            assert_eq!(seen["expires"], json!(expires));
            rust_to_go += 1;

            // The compact cookie is not for Go: the migration is one-way.
            let mut g = c.clone();
            g["set_cookie"] = compact.into();
            let reply = run_go(&bin, &json!({"op": "store-get", "cases": [g]}));
            assert_ne!(reply["results"][0]["error"], Value::Null);
        }
    }
    println!(
        "go interop store: Go->Rust {go_to_rust} passed (Set-Cookie attributes identical), \
         Rust->Go {rust_to_go} passed, Go->migration->compact {migrated} passed"
    );
    assert_eq!((go_to_rust, rust_to_go, migrated), (24, 24, 24));
}

/// Issue 17: a struct value in a Go-JSON cookie is its JSON, so a Go
/// service reads it as a nested `map[string]interface{}`, changes it and
/// writes it back, and the Rust side reads the struct again.
#[cfg(feature = "serde")]
#[test]
#[ignore = "needs Go (.ci/go); run with --include-ignored"]
fn a_struct_value_is_a_nested_map_to_go_both_ways() {
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct User {
        id: u64,
        name: String,
        roles: Vec<String>,
    }
    let bin = go_program();
    let mut runs = 0;
    for keys in &key_pairs() {
        let store = CookieStore::<User>::new(
            CookieConfig::default(),
            [Keys::new(&keys.0, keys.1.as_deref()).unwrap()],
        )
        .unwrap()
        .go_format(GoSerializer::Json);
        let mut session = store.new_session("session");
        let ada = User {
            id: 7,
            name: "Ada".into(),
            roles: vec!["admin".into()],
        };
        session.set("user", ada);
        let ours = store.save(&session).unwrap();
        let mut c = case(keys, "json", "si");
        c["cookie"] = cookie_pair(&ours)["session=".len()..].into();
        let reply = run_go(&bin, &json!({"op": "json-edit", "cases": [c]}));
        // What Go read: the struct as a nested map, nothing else.
        let seen: Value = serde_json::from_str(reply["payloads"][0].as_str().unwrap()).unwrap();
        assert_eq!(
            seen,
            json!({"user": {"id": 7, "name": "Ada", "roles": ["admin"]}})
        );
        // What Go wrote back reads as the struct, with Go's changes.
        let back = format!("session={}", reply["cookies"][0].as_str().unwrap());
        let read = store.get(&back, "session").unwrap();
        assert_eq!(
            read.get("user"),
            Some(&User {
                id: 7,
                name: "Grace".into(),
                roles: vec!["admin".into(), "auditor".into()],
            })
        );
        runs += 1;
    }
    assert_eq!(runs, key_pairs().len());
}

/// The session layer's own entries (its creation stamp, flash values)
/// stay out of the map a Go reader sees: only the handler's values.
#[cfg(all(feature = "serde", feature = "axum"))]
#[test]
#[ignore = "needs Go (.ci/go); run with --include-ignored"]
fn the_layers_own_entries_never_reach_go() {
    use axum::{Router, body::Body, http::Request, routing::get};
    use securecookie::layer::{SessionHandle, SessionLayer};
    use tower::ServiceExt;

    let keys = signed_only();
    let store: CookieStore = CookieStore::new(
        CookieConfig::default(),
        [Keys::new(&keys.0, keys.1.as_deref()).unwrap()],
    )
    .unwrap()
    .go_format(GoSerializer::Json);
    let app = Router::new()
        .route(
            "/",
            get(|s: SessionHandle| async move {
                s.set("user-id", "a1b2c3".to_string());
                s.set("roles", vec!["admin".to_string()]);
                s.flash("notice", "saved".to_string());
            }),
        )
        .layer(SessionLayer::new(store, "session"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let response = runtime
        .block_on(app.oneshot(Request::get("/").body(Body::empty()).unwrap()))
        .unwrap();
    let line = response.headers()["set-cookie"].to_str().unwrap();
    let mut c = case(&keys, "json", "si");
    c["cookie"] = cookie_pair(line)["session=".len()..].into();
    let reply = run_go(&go_program(), &json!({"op": "json-edit", "cases": [c]}));
    let seen: Value = serde_json::from_str(reply["payloads"][0].as_str().unwrap()).unwrap();
    assert_eq!(seen, json!({"roles": ["admin"], "user-id": "a1b2c3"}));
}
