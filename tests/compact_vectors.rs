//! The compact wire format, frozen: tests/vectors/compact-v1.json holds
//! cookies this crate wrote when the format was settled. A change that breaks
//! them breaks every compact cookie in the field.
//!
//! Each vector is also rebuilt here from the primitives (HMAC-SHA256, AES-CTR,
//! base64url without padding) following the README's byte layout, so the
//! vectors check the specification, not only yesterday's code.

mod common;

use aes::cipher::{KeyIvInit, StreamCipher};
use common::hex;
use hmac::{Hmac, KeyInit, Mac};
use securecookie::{Codec, Iv, Keys, decode_buf_len};
use serde_json::Value;
use sha2::Sha256;

fn vectors() -> Vec<Value> {
    serde_json::from_str(include_str!("vectors/compact-v1.json")).unwrap()
}

fn keys_of(v: &Value) -> (Vec<u8>, Option<Vec<u8>>) {
    (
        hex(v["hash_key_hex"].as_str().unwrap()),
        v["block_key_hex"].as_str().map(hex),
    )
}

#[test]
fn vectors_decode_and_re_encode_byte_for_byte() {
    let all = vectors();
    // The first six froze the format; five more (issue 13) cover the
    // timestamp's edges (0, 2^32 - 1, 2^32, u64::MAX, 1) and names of 1,
    // 59, 60, 64 and 1,024 bytes (the length prefix, one HMAC block and
    // past it, the longest name).
    assert_eq!(all.len(), 11);
    for v in &all {
        let (hash, block) = keys_of(v);
        let codec = Codec::new(Keys::new(&hash, block.as_deref()).unwrap()).max_age(0);
        let name = v["name"].as_str().unwrap();
        let ts = v["timestamp"].as_u64().unwrap();
        let payload = hex(v["payload_hex"].as_str().unwrap());
        let cookie = v["cookie"].as_str().unwrap();

        let mut buf = vec![0u8; decode_buf_len(cookie.len())];
        let d = codec.decode(name, cookie, ts, &mut buf).unwrap();
        assert_eq!((d.payload, d.timestamp), (&payload[..], ts), "{}", v["id"]);

        let iv: [u8; 16] = match v["iv_hex"].as_str() {
            Some(h) => hex(h).try_into().unwrap(),
            None => [0; 16],
        };
        let mut out = vec![0u8; 4096];
        let again = codec
            .encode(name, &payload, ts, Iv::from_random_bytes(iv), &mut out)
            .unwrap();
        assert_eq!(again, cookie, "{}", v["id"]);
    }
}

#[test]
fn vectors_match_the_specification_built_from_primitives() {
    for v in &vectors() {
        let (hash, block) = keys_of(v);
        let name = v["name"].as_str().unwrap();
        let ts = v["timestamp"].as_u64().unwrap();
        let payload = hex(v["payload_hex"].as_str().unwrap());

        // pair = HMAC-SHA256(hash_key, "securecookie key id v1" || 0) for
        // signed-only, "... || 1 || block_key" when encrypted; kid = pair[0].
        let mut pair = <Hmac<Sha256> as KeyInit>::new_from_slice(&hash).unwrap();
        pair.update(b"securecookie key id v1");
        match &block {
            None => pair.update(&[0]),
            Some(k) => {
                pair.update(&[1]);
                pair.update(k);
            }
        }
        let pair = pair.finalize().into_bytes();
        let kid = pair[0];

        let mut raw = vec![if block.is_some() { 2 } else { 1 }, kid];
        raw.extend_from_slice(&ts.to_be_bytes());
        match &block {
            None => raw.extend_from_slice(&payload),
            Some(k) => {
                let iv = hex(v["iv_hex"].as_str().unwrap());
                let mut ct = payload.clone();
                match k.len() {
                    16 => ctr::Ctr128BE::<aes::Aes128>::new_from_slices(k, &iv)
                        .unwrap()
                        .apply_keystream(&mut ct),
                    24 => ctr::Ctr128BE::<aes::Aes192>::new_from_slices(k, &iv)
                        .unwrap()
                        .apply_keystream(&mut ct),
                    _ => ctr::Ctr128BE::<aes::Aes256>::new_from_slices(k, &iv)
                        .unwrap()
                        .apply_keystream(&mut ct),
                }
                raw.extend_from_slice(&iv);
                raw.extend_from_slice(&ct);
            }
        }
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&hash).unwrap();
        mac.update(b"sc1");
        mac.update(&pair);
        mac.update(&(name.len() as u16).to_be_bytes());
        mac.update(name.as_bytes());
        mac.update(&raw);
        raw.extend_from_slice(&mac.finalize().into_bytes());

        assert_eq!(
            b64url_nopad(&raw),
            v["cookie"].as_str().unwrap(),
            "{}",
            v["id"]
        );
    }
}

fn b64url_nopad(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=n {
            out.push(A[((v >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn typical_session_is_shorter_than_gorilla() {
    let keys = Keys::new(&[1; 32], Some(&[2; 32])).unwrap();
    let compact = Codec::new(keys.clone()).encoded_len(15, 1_800_000_000);
    let gorilla = Codec::gorilla(keys).encoded_len(15, 1_800_000_000);
    assert_eq!((compact, gorilla), (98, 120));
    // And at the 4096-character limit, about a third more payload fits.
    let keys = Keys::new(&[1; 32], Some(&[2; 32])).unwrap();
    let c = Codec::new(keys.clone()).max_payload_len(1_800_000_000);
    let g = Codec::gorilla(keys).max_payload_len(1_800_000_000);
    assert!(c * 100 / g >= 130, "compact {c}, gorilla {g}");
}
