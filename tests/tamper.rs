//! Exhaustive tampering: every single-bit flip, every truncation and every
//! one-character extension of a set of sample cookies (both envelopes,
//! signed-only and AES-128/192/256) is rejected, and rejected by a check
//! that comes no later than the MAC: a tampered cookie never reaches the
//! timestamp, decryption or payload stages.

use securecookie::{Codec, Error, Format, Iv, Keys, decode_buf_len, kv};

const NOW: u64 = 1_800_000_000;

/// Each sample: the codec, the name and the cookie it made.
fn samples() -> Vec<(Codec, &'static str, String)> {
    let session: heapless::Vec<u8, 64> = kv::to_vec([("user-id", &b"a1b2c3"[..])]).unwrap();
    let payloads: [&[u8]; 3] = [b"", &session, &[0x7c; 40]];
    let blocks: [Option<&[u8]>; 4] = [None, Some(&[9; 16]), Some(&[9; 24]), Some(&[9; 32])];
    let mut out = Vec::new();
    for format in [Format::Compact, Format::Gorilla] {
        for block in blocks {
            for (i, payload) in payloads.iter().enumerate() {
                let codec = Codec::with_format(Keys::new(&[7; 32], block).unwrap(), format);
                let name = if i == 1 { "session" } else { "my_app.sid-2" };
                let mut buf = [0u8; 256];
                let iv = Iv::from_random_bytes([i as u8; 16]);
                let cookie = codec.encode(name, payload, NOW, iv, &mut buf).unwrap();
                out.push((codec, name, cookie.to_owned()));
            }
        }
    }
    out
}

/// Decodes and insists on failure at the base64, shape or MAC stage.
fn assert_rejected(codec: &Codec, name: &str, cookie: &[u8], what: &str) {
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    match codec.decode(name, cookie, NOW + 1, &mut buf) {
        Err(Error::Base64 | Error::Malformed | Error::MacMismatch) => {}
        other => panic!("{what} of a {:?} cookie gave {other:?}", codec.format()),
    }
}

#[test]
fn samples_decode_untampered() {
    for (codec, name, cookie) in samples() {
        let mut buf = vec![0u8; decode_buf_len(cookie.len())];
        assert!(codec.decode(name, &cookie, NOW + 1, &mut buf).is_ok());
    }
}

#[test]
fn every_bit_flip_is_rejected() {
    let mut tried = 0;
    for (codec, name, cookie) in samples() {
        let mut bytes = cookie.into_bytes();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                bytes[i] ^= 1 << bit;
                assert_rejected(&codec, name, &bytes, &format!("flip of bit {bit} at {i}"));
                bytes[i] ^= 1 << bit;
                tried += 1;
            }
        }
    }
    assert!(tried > 20_000, "{tried}");
}

#[test]
fn every_truncation_is_rejected() {
    for (codec, name, cookie) in samples() {
        let bytes = cookie.as_bytes();
        for len in 0..bytes.len() {
            // From the end and from the front.
            assert_rejected(&codec, name, &bytes[..len], &format!("cut to {len}"));
            assert_rejected(
                &codec,
                name,
                &bytes[bytes.len() - len..],
                &format!("tail {len}"),
            );
        }
    }
}

#[test]
fn every_one_character_extension_is_rejected() {
    for (codec, name, cookie) in samples() {
        for c in [b'A', b'0', b'_', b'-', b'=', b'|'] {
            for at in [0, cookie.len() / 2, cookie.len()] {
                let mut bytes = cookie.clone().into_bytes();
                bytes.insert(at, c);
                assert_rejected(
                    &codec,
                    name,
                    &bytes,
                    &format!("{} inserted at {at}", c as char),
                );
            }
        }
    }
}
