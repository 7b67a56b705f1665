//! Writes the seed corpora under fuzz/seeds/<target>/: cookies made with the
//! decode targets' fixed keys (both formats, every key pair), the Go
//! vectors, the compact golden vectors, and small kv payloads and headers.
//!
//! `cargo run --manifest-path fuzz/Cargo.toml --example make_seeds`

use securecookie::{Format, Iv, kv};
use std::fs;
use std::path::Path;

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

/// A decode-target input: name length, name, cookie.
fn framed(name: &str, cookie: &[u8]) -> Vec<u8> {
    let mut v = securecookie_fuzz::name_header(name);
    v.extend_from_slice(name.as_bytes());
    v.extend_from_slice(cookie);
    v
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn main() {
    let session: heapless::Vec<u8, 64> = kv::to_vec([("user-id", &b"a1b2c3"[..])]).unwrap();
    let two: heapless::Vec<u8, 64> =
        kv::to_vec([("lang", &b"en"[..]), ("user-id", &b"\x00\xff|"[..])]).unwrap();
    let payloads: [&[u8]; 3] = [b"", &session, &two];

    for (format, target) in [
        (Format::Compact, "compact_decode"),
        (Format::Gorilla, "gorilla_decode"),
    ] {
        for (i, codec) in securecookie_fuzz::codecs(format).iter().enumerate() {
            for (j, payload) in payloads.iter().enumerate() {
                let name = if j == 2 { "my_app.sid-2" } else { "session" };
                let iv = Iv::from_random_bytes([i as u8 * 16 + j as u8; 16]);
                let mut out = [0u8; 512];
                let cookie = codec
                    .encode(name, payload, securecookie_fuzz::NOW - 1, iv, &mut out)
                    .unwrap();
                write(
                    target,
                    &format!("k{i}-p{j}"),
                    &framed(name, cookie.as_bytes()),
                );
            }
        }
    }

    long_names();
    roundtrip_long_names();

    let text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/gorilla-securecookie-v1.1.1.json"
    ))
    .unwrap();
    let vectors: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    for v in &vectors {
        let (Some(name), Some(cookie)) = (v["name"].as_str(), v["cookie"].as_str()) else {
            continue;
        };
        // Keep the seeds small: the too-long vectors are 4 KB each.
        if cookie.len() <= 1024 {
            let id = v["id"].as_str().unwrap();
            write(
                "gorilla_decode",
                &format!("go-{id}"),
                &framed(name, cookie.as_bytes()),
            );
        }
        if v["serializer"] == "nop" && v["kind"] == "positive" {
            let payload = hex(v["payload"].as_str().unwrap());
            if kv::validate(&payload).is_ok() {
                write("kv", &format!("go-{}", v["id"].as_str().unwrap()), &payload);
            }
        }
    }

    // The compact golden vectors (tests/vectors/compact-v1.json).
    let text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/compact-v1.json"
    ))
    .unwrap();
    let vectors: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    for v in &vectors {
        let id = v["id"].as_str().unwrap();
        let name = v["name"].as_str().unwrap();
        let cookie = v["cookie"].as_str().unwrap();
        write(
            "compact_decode",
            &format!("golden-{id}"),
            &framed(name, cookie.as_bytes()),
        );
        let payload = hex(v["payload_hex"].as_str().unwrap());
        write("kv", &format!("golden-{id}"), &payload);
    }

    write("kv", "session", &session);
    write("kv", "two", &two);
    let big = [0x5a_u8; 300];
    let long: heapless::Vec<u8, 400> = kv::to_vec([("", &b""[..]), ("a", &big[..])]).unwrap();
    write("kv", "long-value", &long);
    write("kv", "unsorted", &[1, b'b', 0, 1, b'a', 0]);
    write("kv", "non-minimal", &[0x81, 0x00, b'a', 0]);

    for (i, h) in [
        "session=abc; theme=dark",
        " a = 1 ;b=2;;  c=\"3\" ; noequals; d=; =e; f=x=y",
        "s=new; other=1; s=old",
        "a=\"",
    ]
    .iter()
    .enumerate()
    {
        write(
            "header",
            &format!("h{i}"),
            &framed(if i == 2 { "s" } else { "session" }, h.as_bytes()),
        );
    }
}

/// Valid cookies under long names for both decode targets: past one HMAC
/// block (the compact MAC input holds 5 bytes before the name, the gorilla
/// one 1 after it), at the 1,024-byte limit, and a cookie made under a
/// 1,024-byte name presented under 1,025 and 1,100 bytes.
fn long_names() {
    let payload: heapless::Vec<u8, 64> = kv::to_vec([("user-id", &b"a1b2c3"[..])]).unwrap();
    for (format, target) in [
        (Format::Compact, "compact_decode"),
        (Format::Gorilla, "gorilla_decode"),
    ] {
        let codecs = securecookie_fuzz::codecs(format);
        for (k, codec) in [(3, &codecs[3]), (4, &codecs[4])] {
            for len in [58, 59, 60, 63, 64, 100, 1024] {
                let name = "n".repeat(len);
                let mut out = [0u8; 512];
                let iv = Iv::from_random_bytes([len as u8; 16]);
                let cookie = codec
                    .encode(&name, &payload, securecookie_fuzz::NOW - 1, iv, &mut out)
                    .unwrap();
                write(
                    target,
                    &format!("long-k{k}-n{len}"),
                    &framed(&name, cookie.as_bytes()),
                );
                if len == 1024 {
                    for over in [1025, securecookie_fuzz::MAX_FUZZ_NAME_LEN] {
                        write(
                            target,
                            &format!("long-k{k}-n{over}"),
                            &framed(&"n".repeat(over), cookie.as_bytes()),
                        );
                    }
                }
            }
        }
    }
}

/// `roundtrip` inputs whose names are long: around the HMAC block, just
/// under, at and over the 1,024-byte limit (the harness crashed there),
/// found by trying pseudo-random inputs (arbitrary's layout has no
/// inverse).
fn roundtrip_long_names() {
    use arbitrary::{Arbitrary, Unstructured};
    let bands = [(59, 70), (1000, 1023), (1024, 1024), (1025, 1100)];
    let mut found = [0usize; 4];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2_000_000 {
        if found.iter().all(|&n| n >= 2) {
            break;
        }
        // Mostly name characters, so that the name unit is a token.
        let len = 180 + (next() % 120) as usize;
        let data: Vec<u8> = (0..len)
            .map(|_| match next() % 8 {
                0 => next() as u8,
                _ => b'a' + (next() % 4) as u8,
            })
            .collect();
        let Ok(input) = securecookie_fuzz::RoundtripInput::arbitrary(&mut Unstructured::new(&data))
        else {
            continue;
        };
        let name = securecookie_fuzz::name_of(&input.name, input.name_len);
        let tokenish = name.bytes().all(|c| c.is_ascii_lowercase());
        for (i, &(lo, hi)) in bands.iter().enumerate() {
            if tokenish && (lo..=hi).contains(&name.len()) && found[i] < 2 {
                write("roundtrip", &format!("long-n{}", name.len()), &data);
                found[i] += 1;
            }
        }
    }
    assert!(found.iter().all(|&n| n >= 1), "bands found: {found:?}");
}
