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
    let mut v = vec![name.len() as u8];
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
