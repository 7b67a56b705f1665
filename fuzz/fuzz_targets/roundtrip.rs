//! Arbitrary payload, name (1 to 1,100 bytes), timestamp, IV, keys (32- or
//! 64-byte hash keys, short legacy ones, every cipher), format, clock and
//! time limits: encoding either fails for a documented reason (bad name) or
//! gives a cookie of the announced length that decodes to the same payload
//! and timestamp at its own time, and at the fuzzer's `now` exactly as the
//! independent time rules say, under a rotation list too; under another
//! name it does not decode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securecookie::{Codec, Codecs, Error, Format, Iv, Keys};
use securecookie_fuzz::{RoundtripInput as Input, is_token, name_of, time_verdict};

fuzz_target!(|input: Input| {
    let block = match input.cipher % 4 {
        0 => None,
        n => Some(&input.block_key[..8 + 8 * usize::from(n)]),
    };
    let keys = match input.hash_kind % 3 {
        0 => Keys::new(&input.hash_key[..32], block),
        1 => Keys::new(&input.hash_key, block),
        _ => Keys::legacy(
            &input.hash_key[..1 + usize::from(input.hash_key[0] % 31)],
            block,
        ),
    }
    .expect("valid key sizes");
    let format = if input.gorilla {
        Format::Gorilla
    } else {
        Format::Compact
    };
    let name = name_of(&input.name, input.name_len);
    let codec = Codec::with_format(keys, format).max_length(0).max_age(0);
    let ts = input.timestamp;
    let len = codec.encoded_len(input.payload.len(), ts);
    let mut out = vec![0u8; len];
    let iv = Iv::from_random_bytes(input.iv);
    let cookie = match codec.encode(&name, &input.payload, ts, iv, &mut out) {
        Ok(c) => c,
        Err(e) => {
            assert_eq!(e, Error::InvalidName);
            assert!(!is_token(&name), "{} bytes", name.len());
            return;
        }
    };
    assert!(is_token(&name), "{} bytes", name.len());
    assert_eq!(cookie.len(), len);

    let mut buf = vec![0u8; securecookie::decode_buf_len(len)];
    let d = codec
        .decode(&name, cookie, ts, &mut buf)
        .expect("round trip");
    assert_eq!(
        (d.payload, d.timestamp, d.index),
        (&input.payload[..], ts, 0)
    );

    // At the fuzzer's clock, with its limits: exactly what the independent
    // rules say (gorilla has no skew limit, as in Go).
    let now = ts.saturating_add_signed(input.offset);
    let timed = codec
        .clone()
        .max_age(input.max_age)
        .min_age(input.min_age)
        .max_skew(input.skew);
    let skew = (format == Format::Compact).then_some(input.skew);
    let expected = time_verdict(ts, now, input.max_age, input.min_age, skew);
    let got = timed.decode(&name, cookie, now, &mut buf);
    match (&got, &expected) {
        (Ok(d), Ok(())) => assert_eq!((d.payload, d.timestamp), (&input.payload[..], ts)),
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("at now {now}: got {got:?}, rules say {expected:?}"),
    }

    // Behind another key in a rotation list: found at index 1. The other
    // hash key must differ: a gorilla MAC covers only the hash key, so a
    // signed-only codec with the same one verifies an encrypted cookie (and
    // returns IV || ciphertext), as in Go; the fuzzer found this.
    let other_key = if input.hash_key[..32] == [0x33; 32] {
        [0x44; 32]
    } else {
        [0x33; 32]
    };
    let other = Codec::with_format(Keys::new(&other_key, None).unwrap(), format).max_length(0);
    let list = [other, codec.clone()];
    let d = Codecs::new(&list)
        .unwrap()
        .decode(&name, cookie, ts, &mut buf);
    let d = d.expect("rotation round trip");
    assert_eq!(
        (d.payload, d.timestamp, d.index),
        (&input.payload[..], ts, 1)
    );

    // The name is bound: one byte changed (a longer name could be past the
    // length limit and fail for that reason instead).
    let mut other_name = name.into_bytes();
    let last = other_name.len() - 1;
    other_name[last] = if other_name[last] == b'x' { b'y' } else { b'x' };
    let other_name = String::from_utf8(other_name).expect("ASCII token");
    let err = codec.decode(&other_name, cookie, ts, &mut buf).unwrap_err();
    assert_eq!(err, Error::MacMismatch);
});
