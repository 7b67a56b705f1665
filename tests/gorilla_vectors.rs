//! Cookies written by the real Go gorilla/securecookie v1.1.1 (see
//! tests/vectors/): every `nop` vector decodes (or fails) here as it does in
//! Go, and the golden ones are reproduced byte for byte.

mod common;

use common::{go_vectors, hex};
use securecookie::{Codec, Error, Iv, Keys, decode_buf_len};
use serde_json::Value;

fn codec_for(v: &Value) -> Codec {
    let hash = hex(v["hash_key_hex"].as_str().unwrap());
    let block = v["block_key_hex"].as_str().map(hex);
    let max_age = v["max_age"].as_i64().unwrap();
    let min_age = v["min_age"].as_i64().unwrap();
    // Go's MaxAge(-1) (the "clock trick") has no unsigned spelling: it means
    // "anything made before now + 1 s is expired". Decode such vectors with a
    // one-second max age two seconds after the timestamp instead: same cause.
    Codec::gorilla(Keys::new(&hash, block.as_deref()).unwrap())
        .max_age(max_age.max(0) as u64)
        .min_age(min_age as u64)
        .max_length(v["max_length"].as_u64().unwrap() as usize)
}

/// "Now" for decoding: one second after the vectors were made (the
/// forged ones are dated 2010, 2023 and 2100 on purpose).
const NOW: u64 = 1_795_630_449;

fn now_for(v: &Value) -> u64 {
    // MaxAge(-1) vectors: max age 1, decoded two seconds after the stamp.
    if v["max_age"].as_i64() == Some(-1) {
        v["timestamp"].as_u64().unwrap() + 2
    } else {
        NOW
    }
}

fn nop_vectors(kind: &str) -> Vec<Value> {
    go_vectors()
        .into_iter()
        .filter(|v| v["serializer"] == "nop" && v["kind"] == kind)
        .collect()
}

fn decode(v: &Value) -> Result<Vec<u8>, Error> {
    let mut codec = codec_for(v);
    if v["max_age"].as_i64() == Some(-1) {
        codec = codec.max_age(1);
    }
    let cookie = v["cookie"].as_str().unwrap();
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    codec
        .decode(v["name"].as_str().unwrap(), cookie, now_for(v), &mut buf)
        .map(|d| d.payload.to_vec())
}

#[test]
fn every_positive_nop_vector_decodes() {
    let vectors = nop_vectors("positive");
    assert!(vectors.len() >= 28, "{} vectors", vectors.len());
    for v in &vectors {
        let want = hex(v["payload"].as_str().unwrap());
        assert_eq!(decode(v), Ok(want), "{}", v["id"]);
    }
}

#[test]
fn every_positive_vector_of_any_serializer_passes_the_envelope() {
    // json and gob payloads are opaque bytes to the envelope: the MAC,
    // timestamp and decryption must all pass.
    let vectors: Vec<_> = go_vectors()
        .into_iter()
        .filter(|v| v["kind"] == "positive")
        .collect();
    assert!(vectors.len() > 90);
    for v in &vectors {
        assert!(decode(v).is_ok(), "{}", v["id"]);
    }
}

/// The causes we give for Go's error text (match the cause, not the words).
/// `None`: the envelope passes and the failure is the serializer's (Go
/// interop), or a documented difference (empty encrypted payloads).
fn expected(v: &Value) -> Option<&'static [Error]> {
    let text = v["expected_error"].as_str().unwrap();
    let cookie_len = v["cookie"].as_str().unwrap().len();
    let too_long: &'static [Error] = Box::leak(Box::new([Error::TooLong {
        len: cookie_len,
        max: 4096,
    }]));
    Some(match text {
        // Go says "not valid" both for a bad MAC and for a missing `|`.
        t if t.ends_with("the value is not valid") => &[Error::MacMismatch, Error::Malformed],
        t if t.contains("base64 decode failed") => &[Error::Base64],
        t if t.ends_with("the value is too long") => too_long,
        t if t.ends_with("expired timestamp") => &[Error::Expired],
        t if t.ends_with("timestamp is too new") => &[Error::TooNew],
        t if t.ends_with("invalid timestamp") => &[Error::InvalidTimestamp],
        t if t.ends_with("could not be decrypted") => return None,
        t if t.contains("error - caused by") => return None,
        other => panic!("unknown Go error {other}"),
    })
}

#[test]
fn every_negative_vector_fails_for_the_same_cause() {
    let negatives: Vec<_> = go_vectors()
        .into_iter()
        .filter(|v| v["kind"] == "negative")
        .collect();
    let mut checked = 0;
    for v in &negatives {
        match expected(v) {
            Some(causes) => {
                let got = decode(v).expect_err(v["id"].as_str().unwrap());
                assert!(causes.contains(&got), "{}: {got:?}", v["id"]);
                checked += 1;
            }
            // The envelope itself is sound: MAC, time and decryption pass.
            None => assert!(decode(v).is_ok(), "{}", v["id"]),
        }
    }
    assert_eq!(checked, 16);
}

#[test]
fn encrypted_empty_payloads_decode_where_go_fails() {
    // Documented difference: Go's Decode rejects an IV-only body (it requires
    // ciphertext longer than one block) even though its own Encode writes it.
    // The MAC is valid, so we accept it as the empty payload it is.
    let vectors: Vec<_> = go_vectors()
        .into_iter()
        .filter(|v| v["case"] == "empty-nop-encrypted" || v["case"] == "decrypt-failed")
        .collect();
    assert_eq!(vectors.len(), 13);
    for v in &vectors {
        assert_eq!(decode(v), Ok(vec![]), "{}", v["id"]);
    }
}

#[test]
fn golden_vectors_are_reproduced_byte_for_byte() {
    let goldens: Vec<_> = go_vectors()
        .into_iter()
        .filter(|v| v["case"] == "golden" && v["serializer"] == "nop")
        .collect();
    assert_eq!(goldens.len(), 2);
    for v in &goldens {
        let codec = codec_for(v);
        let payload = hex(v["payload"].as_str().unwrap());
        // The golden IV is f0 f1 ... ff.
        let iv = Iv::from_random_bytes(core::array::from_fn(|i| 0xf0 + i as u8));
        let mut out = vec![0u8; 4096];
        let cookie = codec
            .encode(
                v["name"].as_str().unwrap(),
                &payload,
                v["timestamp"].as_u64().unwrap(),
                iv,
                &mut out,
            )
            .unwrap();
        assert_eq!(cookie, v["cookie"].as_str().unwrap(), "{}", v["id"]);
    }
}

#[test]
fn go_refuses_to_encode_what_is_too_long_and_so_do_we() {
    let v = go_vectors()
        .into_iter()
        .find(|v| v["kind"] == "negative-encode")
        .unwrap();
    let codec = codec_for(&v);
    let payload = vec![b'x'; 4000];
    let mut out = vec![0u8; 8192];
    let err = codec
        .encode(
            v["name"].as_str().unwrap(),
            &payload,
            1_795_630_448,
            Iv::from_random_bytes([1; 16]),
            &mut out,
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::TooLong { max: 4096, len } if len > 4096),
        "{err:?}"
    );
}
