//! The `json` and `gob` vectors written by the real Go gorilla/securecookie
//! v1.1.1 (tests/vectors/): the envelope is opened with the core codec, then
//! the payload is read with `go::json` / `go::gob` and must equal the
//! vector's `payload`; the golden ones are rebuilt byte for byte.
#![cfg(feature = "go")]

mod common;

use common::{go_vectors, hex};
use securecookie::go::{GoMap, GoValue, gob, json};
use securecookie::{Codec, Error, GobError, Iv, JsonError, Keys, decode_buf_len};
use serde_json::Value;

/// One second after the vectors were made (see gorilla_vectors.rs).
const NOW: u64 = 1_795_630_449;

fn codec_for(v: &Value) -> Codec {
    let hash = hex(v["hash_key_hex"].as_str().unwrap());
    let block = v["block_key_hex"].as_str().map(hex);
    Codec::gorilla(Keys::new(&hash, block.as_deref()).unwrap())
        .max_age(0)
        .max_length(v["max_length"].as_u64().unwrap() as usize)
}

/// The envelope's plaintext (the vectors used here all pass the envelope).
fn payload(v: &Value) -> Vec<u8> {
    let cookie = v["cookie"].as_str().unwrap();
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    codec_for(v)
        .decode(v["name"].as_str().unwrap(), cookie, NOW, &mut buf)
        .unwrap_or_else(|e| panic!("{}: {e}", v["id"]))
        .payload
        .to_vec()
}

/// The vector's `payload` object as a map of strings.
fn expected(v: &Value) -> GoMap {
    v["payload"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, s)| (k.clone(), GoValue::from(s.as_str().unwrap())))
        .collect()
}

fn vectors(serializer: &str, kind: &str) -> Vec<Value> {
    go_vectors()
        .into_iter()
        .filter(|v| v["serializer"] == serializer && v["kind"] == kind)
        .collect()
}

#[test]
fn every_positive_json_vector_decodes_to_its_payload() {
    let vs = vectors("json", "positive");
    assert_eq!(vs.len(), 34);
    for v in &vs {
        let want = expected(v);
        assert!(!want.is_empty() || v["id"].as_str().unwrap().ends_with("empty"));
        assert_eq!(json::decode(&payload(v)), Ok(want), "{}", v["id"]);
    }
}

#[test]
fn every_positive_gob_vector_decodes_to_its_payload() {
    let vs = vectors("gob", "positive");
    assert_eq!(vs.len(), 33);
    for v in &vs {
        let got = gob::decode_typed(&payload(v));
        assert_eq!(
            got,
            Ok((expected(v), gob::GobMapType::StringToString)),
            "{}",
            v["id"]
        );
    }
}

#[test]
fn our_encoding_of_every_payload_is_gos() {
    // JSON: Go sorts keys, so every payload is reproduced exactly. gob: Go
    // writes map entries in random order, so only maps of up to one entry
    // have one spelling.
    let mut checked = (0, 0);
    for v in vectors("json", "positive") {
        let mut out = Vec::new();
        json::encode(&expected(&v), &mut out).unwrap();
        assert_eq!(out, payload(&v), "{}", v["id"]);
        checked.0 += 1;
    }
    for v in vectors("gob", "positive") {
        let map = expected(&v);
        if map.len() <= 1 {
            let mut out = Vec::new();
            gob::encode_string_map(&map, &mut out).unwrap();
            assert_eq!(out, payload(&v), "{}", v["id"]);
            checked.1 += 1;
        }
    }
    assert_eq!(checked, (34, 25));
}

#[test]
fn golden_json_and_gob_cookies_are_reproduced_byte_for_byte() {
    let goldens: Vec<_> = go_vectors()
        .into_iter()
        .filter(|v| v["case"] == "golden" && v["serializer"] != "nop")
        .collect();
    assert_eq!(goldens.len(), 2);
    for v in &goldens {
        let mut body = Vec::new();
        match v["serializer"].as_str().unwrap() {
            "json" => json::encode(&expected(v), &mut body).unwrap(),
            _ => gob::encode_string_map(&expected(v), &mut body).unwrap(),
        }
        let iv = Iv::from_random_bytes(core::array::from_fn(|i| 0xf0 + i as u8));
        let mut out = vec![0u8; 4096];
        let cookie = codec_for(v)
            .encode(
                v["name"].as_str().unwrap(),
                &body,
                v["timestamp"].as_u64().unwrap(),
                iv,
                &mut out,
            )
            .unwrap();
        assert_eq!(cookie, v["cookie"].as_str().unwrap(), "{}", v["id"]);
    }
}

fn negative(case: &str) -> Value {
    go_vectors()
        .into_iter()
        .find(|v| v["case"] == case)
        .unwrap()
}

#[test]
fn a_json_cookie_read_as_gob_fails_in_the_gob_reader() {
    // Go: "unexpected EOF": '{' (123) reads as a message length past the end.
    let v = negative("wrong-serializer");
    assert_eq!(v["serializer"], "gob");
    assert_eq!(
        gob::decode(&payload(&v)),
        Err(Error::Gob(GobError::Truncated))
    );
}

#[test]
fn a_wrong_block_key_fails_in_the_json_reader() {
    // The MAC covers the ciphertext, so it passes; the garbage plaintext
    // fails as JSON. Go: "invalid character '%' looking for beginning of
    // value".
    let v = negative("wrong-block-key");
    let garbage = payload(&v);
    assert_eq!(garbage[0], b'%');
    assert_eq!(json::decode(&garbage), Err(Error::Json(JsonError::Syntax)));
    assert!(gob::decode(&garbage).is_err());
}
