//! Arbitrary payload, name, timestamp, IV, key sizes and format: encoding
//! either fails for a documented reason (bad name) or gives a cookie of the
//! announced length that decodes to the same payload and timestamp, under
//! a rotation list too; under another name it does not decode.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use securecookie::{Codec, Codecs, Error, Format, Iv, Keys};

#[derive(Arbitrary, Debug)]
struct Input {
    payload: Vec<u8>,
    name: String,
    timestamp: u64,
    iv: [u8; 16],
    hash_key: [u8; 32],
    block_key: [u8; 32],
    /// 0: signed only; 1, 2, 3: AES-128, -192, -256.
    cipher: u8,
    gorilla: bool,
}

fuzz_target!(|input: Input| {
    let block = match input.cipher % 4 {
        0 => None,
        n => Some(&input.block_key[..8 + 8 * usize::from(n)]),
    };
    let keys = Keys::new(&input.hash_key, block).expect("valid key sizes");
    let format = if input.gorilla {
        Format::Gorilla
    } else {
        Format::Compact
    };
    let codec = Codec::with_format(keys, format).max_length(0).max_age(0);
    let ts = input.timestamp;
    let len = codec.encoded_len(input.payload.len(), ts);
    let mut out = vec![0u8; len];
    let iv = Iv::from_random_bytes(input.iv);
    let cookie = match codec.encode(&input.name, &input.payload, ts, iv, &mut out) {
        Ok(c) => c,
        Err(e) => {
            assert_eq!(e, Error::InvalidName);
            assert!(!securecookie_fuzz::is_token(&input.name));
            return;
        }
    };
    assert!(securecookie_fuzz::is_token(&input.name));
    assert_eq!(cookie.len(), len);

    let mut buf = vec![0u8; securecookie::decode_buf_len(len)];
    let d = codec
        .decode(&input.name, cookie, ts, &mut buf)
        .expect("round trip");
    assert_eq!(
        (d.payload, d.timestamp, d.index),
        (&input.payload[..], ts, 0)
    );

    // Behind another key in a rotation list: found at index 1. The other
    // hash key must differ: a gorilla MAC covers only the hash key, so a
    // signed-only codec with the same one verifies an encrypted cookie (and
    // returns IV || ciphertext), as in Go; the fuzzer found this.
    let other_key = if input.hash_key == [0x33; 32] {
        [0x44; 32]
    } else {
        [0x33; 32]
    };
    let other = Codec::with_format(Keys::new(&other_key, None).unwrap(), format).max_length(0);
    let list = [other, codec.clone()];
    let d = Codecs::new(&list)
        .unwrap()
        .decode(&input.name, cookie, ts, &mut buf);
    let d = d.expect("rotation round trip");
    assert_eq!(
        (d.payload, d.timestamp, d.index),
        (&input.payload[..], ts, 1)
    );

    // The name is bound.
    let other_name = format!("{}x", input.name);
    let err = codec.decode(&other_name, cookie, ts, &mut buf).unwrap_err();
    assert_eq!(err, Error::MacMismatch);
});
