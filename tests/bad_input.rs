//! The README's "bad input" table, one test per row: each class of bad
//! input gets its own `Error`, in both envelopes where the class applies.

use securecookie::{Codec, Error, Format, Iv, Keys, KvError, decode_buf_len, header, kv};

const NOW: u64 = 1_800_000_000;
const NAME: &str = "session";

fn codec(format: Format) -> Codec {
    Codec::with_format(Keys::new(&[7; 32], Some(&[9; 32])).unwrap(), format).max_age(3600)
}

fn make(codec: &Codec, name: &str, payload: &[u8], ts: u64) -> String {
    let mut out = [0u8; 512];
    let iv = Iv::from_random_bytes([4; 16]);
    codec
        .encode(name, payload, ts, iv, &mut out)
        .unwrap()
        .to_owned()
}

fn session() -> heapless::Vec<u8, 32> {
    kv::to_vec([("user-id", &b"a1b2c3"[..])]).unwrap()
}

fn decode(codec: &Codec, name: &str, cookie: &[u8], now: u64) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    codec
        .decode(name, cookie, now, &mut buf)
        .map(|d| d.payload.to_vec())
}

fn both(check: impl Fn(Format)) {
    check(Format::Compact);
    check(Format::Gorilla);
}

#[test]
fn a_good_cookie_decodes() {
    both(|f| {
        let c = codec(f);
        let cookie = make(&c, NAME, &session(), NOW);
        assert_eq!(
            decode(&c, NAME, cookie.as_bytes(), NOW + 1).unwrap(),
            &session()[..]
        );
    });
}

#[test]
fn malformed_base64_is_base64() {
    both(|f| {
        let c = codec(f);
        let mut cookie = make(&c, NAME, &session(), NOW).into_bytes();
        cookie[5] = b'*'; // not in the URL-safe alphabet
        assert_eq!(decode(&c, NAME, &cookie, NOW), Err(Error::Base64));
        // The standard alphabet's `+` and `/` are not URL-safe.
        cookie[5] = b'+';
        assert_eq!(decode(&c, NAME, &cookie, NOW), Err(Error::Base64));
    });
    // Padding where the compact format has none, none where gorilla wants it.
    let c = codec(Format::Compact);
    let cookie = make(&c, NAME, b"", NOW) + "==";
    assert_eq!(decode(&c, NAME, cookie.as_bytes(), NOW), Err(Error::Base64));
    let c = codec(Format::Gorilla);
    let cookie = make(&c, NAME, b"", NOW);
    let unpadded = cookie.trim_end_matches('=');
    assert_ne!(unpadded, cookie);
    assert_eq!(
        decode(&c, NAME, unpadded.as_bytes(), NOW),
        Err(Error::Base64)
    );
}

#[test]
fn wrong_length_is_malformed() {
    // Valid base64 of too few bytes to hold a header and a tag.
    let c = codec(Format::Compact);
    assert_eq!(decode(&c, NAME, b"AQAAAAAA", NOW), Err(Error::Malformed));
    assert_eq!(decode(&c, NAME, b"", NOW), Err(Error::Malformed));
    // Gorilla: fewer than two `|` separators.
    let c = codec(Format::Gorilla);
    assert_eq!(decode(&c, NAME, b"MTc5NTYz", NOW), Err(Error::Malformed));
    assert_eq!(decode(&c, NAME, b"", NOW), Err(Error::Malformed));
}

#[test]
fn bad_mac_is_mac_mismatch() {
    both(|f| {
        let c = codec(f);
        let cookie = make(&c, NAME, &session(), NOW);
        // Change one MAC byte: re-encode the raw bytes with the last-but-one
        // base64 character bumped (still canonical, still the right length).
        let mut bytes = cookie.into_bytes();
        let at = bytes.iter().rposition(|&b| b != b'=').unwrap() - 1;
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        assert_eq!(decode(&c, NAME, &bytes, NOW), Err(Error::MacMismatch));
    });
}

#[test]
fn expired_is_expired() {
    both(|f| {
        let c = codec(f);
        let cookie = make(&c, NAME, &session(), NOW);
        assert!(decode(&c, NAME, cookie.as_bytes(), NOW + 3600).is_ok());
        assert_eq!(
            decode(&c, NAME, cookie.as_bytes(), NOW + 3601),
            Err(Error::Expired)
        );
    });
}

#[test]
fn too_new_is_too_new() {
    // Compact: dated more than the allowed skew (60 s) ahead.
    let c = codec(Format::Compact);
    let cookie = make(&c, NAME, &session(), NOW + 61);
    assert_eq!(decode(&c, NAME, cookie.as_bytes(), NOW), Err(Error::TooNew));
    let cookie = make(&c, NAME, &session(), NOW + 60);
    assert!(decode(&c, NAME, cookie.as_bytes(), NOW).is_ok());
    // Either format: younger than a min age.
    both(|f| {
        let c = codec(f).min_age(10);
        let cookie = make(&c, NAME, &session(), NOW);
        assert_eq!(
            decode(&c, NAME, cookie.as_bytes(), NOW + 9),
            Err(Error::TooNew)
        );
        assert!(decode(&c, NAME, cookie.as_bytes(), NOW + 10).is_ok());
    });
}

#[test]
fn too_long_is_too_long() {
    both(|f| {
        let c = codec(f).max_length(100);
        // Decoding: refused on length alone, before any base64.
        let long = vec![b'A'; 101];
        assert_eq!(
            decode(&c, NAME, &long, NOW),
            Err(Error::TooLong { len: 101, max: 100 })
        );
        // Encoding: the length the cookie would have.
        let mut out = [0u8; 512];
        let payload = [0u8; 200];
        let len = c.encoded_len(payload.len(), NOW);
        let err = c.encode(
            NAME,
            &payload,
            NOW,
            Iv::from_random_bytes([0; 16]),
            &mut out,
        );
        assert_eq!(err, Err(Error::TooLong { len, max: 100 }));
    });
}

#[test]
fn wrong_name_is_mac_mismatch() {
    both(|f| {
        let c = codec(f);
        let cookie = make(&c, NAME, &session(), NOW);
        assert_eq!(
            decode(&c, "sessionx", cookie.as_bytes(), NOW),
            Err(Error::MacMismatch)
        );
    });
}

#[test]
fn invalid_name_is_invalid_name() {
    both(|f| {
        let c = codec(f);
        let cookie = make(&c, NAME, &session(), NOW);
        for bad in ["", "a b", "a;b", "a=b"] {
            assert_eq!(
                decode(&c, bad, cookie.as_bytes(), NOW),
                Err(Error::InvalidName)
            );
        }
    });
}

#[test]
fn wrong_key_is_mac_mismatch() {
    both(|f| {
        let c = codec(f);
        let cookie = make(&c, NAME, &session(), NOW);
        let keys = [
            (Keys::new(&[8; 32], Some(&[9; 32])).unwrap(), false), // other hash key
            (Keys::new(&[7; 32], Some(&[8; 32])).unwrap(), true),  // other block key
            (Keys::new(&[7; 32], None).unwrap(), true),            // signed-only
        ];
        for (k, same_hash_key) in keys {
            let other = Codec::with_format(k, f);
            let got = decode(&other, NAME, cookie.as_bytes(), NOW);
            if f == Format::Gorilla && same_hash_key {
                // The gorilla MAC covers only the hash key: with the right
                // one and a wrong (or no) block key the MAC verifies and the
                // payload comes out as garbage, as in Go. The compact key id
                // and version byte cover both keys.
                assert_ne!(got.unwrap(), &session()[..]);
            } else {
                assert_eq!(got, Err(Error::MacMismatch), "{f:?}");
            }
        }
    });
}

#[test]
fn bad_payload_is_payload_error() {
    both(|f| {
        let c = codec(f);
        // The envelope is sound (it carries any bytes); the kv layer is not.
        for (payload, want) in [
            (&[1, b'b', 0, 1, b'a', 0][..], KvError::Unsorted),
            (&[1, b'a', 0, 1, b'a', 0][..], KvError::DuplicateKey),
            (&[5, b'a'][..], KvError::Truncated),
            (&[1, 0xff, 0][..], KvError::KeyNotUtf8),
        ] {
            let cookie = make(&c, NAME, payload, NOW);
            let got = decode(&c, NAME, cookie.as_bytes(), NOW).unwrap();
            let err: Error = kv::validate(&got).unwrap_err().into();
            assert_eq!(err, Error::Payload(want));
        }
    });
}

#[test]
fn small_buffer_is_buffer_too_small() {
    both(|f| {
        let c = codec(f);
        let cookie = make(&c, NAME, &session(), NOW);
        let needed = decode_buf_len(cookie.len());
        let mut buf = vec![0u8; needed - 1];
        assert_eq!(
            c.decode(NAME, &cookie, NOW, &mut buf),
            Err(Error::BufferTooSmall { needed })
        );
    });
}

#[test]
fn absent_cookie_is_no_cookie() {
    let got = header::find("theme=dark; sessionx=1", NAME).ok_or(Error::NoCookie);
    assert_eq!(got, Err(Error::NoCookie));
}
