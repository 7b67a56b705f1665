//! Round trips, tampering, limits and rotation for both envelopes.

mod common;

use securecookie::{Codec, Codecs, Error, Format, Iv, Keys, decode_buf_len};

const NOW: u64 = 1_800_000_000;
const HASH: [u8; 32] = [0x11; 32];

fn iv(n: u8) -> Iv {
    Iv::from_random_bytes([n; 16])
}

/// Every key shape: signed-only and the three AES sizes, for both formats.
fn all_codecs() -> Vec<Codec> {
    let mut out = vec![];
    for format in [Format::Compact, Format::Gorilla] {
        for block in [None, Some(16), Some(24), Some(32)] {
            let block_key: Option<Vec<u8>> = block.map(|n| (0..n as u8).collect());
            let keys = Keys::new(&HASH, block_key.as_deref()).unwrap();
            out.push(Codec::with_format(keys, format));
        }
    }
    out
}

fn encode(codec: &Codec, name: &str, payload: &[u8], now: u64) -> String {
    let mut out = vec![0u8; codec.encoded_len(payload.len(), now)];
    codec
        .encode(name, payload, now, iv(0xa5), &mut out)
        .unwrap()
        .to_owned()
}

fn decode(codec: &Codec, name: &str, cookie: &str, now: u64) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    codec
        .decode(name, cookie, now, &mut buf)
        .map(|d| d.payload.to_vec())
}

#[test]
fn round_trips_every_key_size_and_format() {
    for codec in all_codecs() {
        for len in [0, 1, 15, 16, 17, 100, 1000] {
            let payload: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let cookie = encode(&codec, "session", &payload, NOW);
            assert_eq!(cookie.len(), codec.encoded_len(len, NOW));
            assert_eq!(
                decode(&codec, "session", &cookie, NOW),
                Ok(payload),
                "{codec:?} {len}"
            );
        }
    }
}

#[test]
fn encrypted_cookies_hide_the_payload() {
    for codec in all_codecs().into_iter().filter(|c| c.keys().is_encrypted()) {
        let secret = b"attack at dawn, attack at dawn!";
        let cookie = encode(&codec, "s", secret, NOW);
        let mut raw = vec![0u8; decode_buf_len(cookie.len())];
        // Undo only the outer base64 by hand, then look for the plaintext.
        let text = cookie.as_bytes();
        let decoded = base64_url_loose(text, &mut raw);
        assert!(
            !decoded
                .windows(8)
                .any(|w| secret.windows(8).any(|s| s == w)),
            "{codec:?}"
        );
    }
}

/// A tolerant base64url decoder for the test above (ignores padding).
fn base64_url_loose<'a>(text: &[u8], out: &'a mut [u8]) -> &'a [u8] {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    };
    let (mut acc, mut bits, mut n) = (0u32, 0, 0);
    for v in text.iter().filter_map(|&c| val(c)) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out[n] = (acc >> bits) as u8;
            n += 1;
        }
    }
    &out[..n]
}

#[test]
fn every_single_bit_flip_is_rejected() {
    for codec in all_codecs() {
        let cookie = encode(&codec, "session", b"user-id=a1b2c3", NOW);
        let mut flipped = cookie.clone().into_bytes();
        for i in 0..flipped.len() {
            for bit in 0..8 {
                flipped[i] ^= 1 << bit;
                let mut buf = vec![0u8; decode_buf_len(flipped.len())];
                let r = codec.decode("session", &flipped, NOW, &mut buf);
                assert!(r.is_err(), "{codec:?}: flip {i}.{bit} accepted");
                flipped[i] ^= 1 << bit;
            }
        }
    }
}

#[test]
fn every_truncation_is_rejected() {
    for codec in all_codecs() {
        let cookie = encode(&codec, "session", b"user-id=a1b2c3", NOW);
        for end in 0..cookie.len() {
            assert!(
                decode(&codec, "session", &cookie[..end], NOW).is_err(),
                "{codec:?}: truncated to {end}"
            );
        }
    }
}

#[test]
fn wrong_name_and_wrong_keys_are_mac_mismatches() {
    for codec in all_codecs() {
        let cookie = encode(&codec, "session", b"x", NOW);
        assert_eq!(
            decode(&codec, "sessionx", &cookie, NOW),
            Err(Error::MacMismatch)
        );
        let other_hash = Keys::new(&[0x22; 32], None).unwrap();
        let other = Codec::with_format(other_hash, codec.format());
        let got = decode(&other, "session", &cookie, NOW);
        assert!(matches!(got, Err(Error::MacMismatch)), "{codec:?}: {got:?}");
    }
}

#[test]
fn wrong_block_key_is_rejected_by_the_compact_key_id() {
    // Gorilla's MAC does not cover the block key (as in Go): a wrong block
    // key decrypts to garbage that the payload layer must catch. Compact
    // binds the key pair through its key id.
    let a = Codec::new(Keys::new(&HASH, Some(&[1; 32])).unwrap());
    let b = Codec::new(Keys::new(&HASH, Some(&[2; 32])).unwrap());
    let cookie = encode(&a, "s", b"x", NOW);
    assert_eq!(decode(&b, "s", &cookie, NOW), Err(Error::MacMismatch));
}

#[test]
fn max_age_boundary_is_exact() {
    for codec in all_codecs() {
        let codec = codec.max_age(100);
        let cookie = encode(&codec, "s", b"x", NOW);
        assert!(decode(&codec, "s", &cookie, NOW + 100).is_ok());
        assert_eq!(decode(&codec, "s", &cookie, NOW + 101), Err(Error::Expired));
        let off = codec.clone().max_age(0);
        assert!(decode(&off, "s", &cookie, u64::MAX).is_ok());
    }
}

#[test]
fn min_age_boundary_is_exact() {
    for codec in all_codecs() {
        let codec = codec.min_age(10);
        let cookie = encode(&codec, "s", b"x", NOW);
        assert!(decode(&codec, "s", &cookie, NOW + 10).is_ok());
        assert_eq!(decode(&codec, "s", &cookie, NOW + 9), Err(Error::TooNew));
    }
}

#[test]
fn future_timestamps_compact_skew_and_gorilla_like_go() {
    for codec in all_codecs() {
        let codec = codec.max_skew(60);
        let cookie = encode(&codec, "s", b"x", NOW + 60);
        assert!(decode(&codec, "s", &cookie, NOW).is_ok());
        let cookie = encode(&codec, "s", b"x", NOW + 61);
        let got = decode(&codec, "s", &cookie, NOW);
        if codec.format() == Format::Gorilla {
            // Go accepts any future date (see the future-timestamp vector).
            assert!(got.is_ok());
        } else {
            assert_eq!(got, Err(Error::TooNew));
        }
    }
}

#[test]
fn largest_payload_that_fits_and_one_byte_more() {
    for codec in all_codecs() {
        for max in [100, 1000, 4096] {
            let codec = codec.clone().max_length(max);
            let fits = codec.max_payload_len(NOW);
            let payload = vec![b'z'; fits + 1];
            let mut out = vec![0u8; 8192];
            let cookie = codec
                .encode("s", &payload[..fits], NOW, iv(1), &mut out)
                .unwrap()
                .to_owned();
            assert!(cookie.len() <= max);
            assert_eq!(
                decode(&codec, "s", &cookie, NOW),
                Ok(payload[..fits].to_vec())
            );
            let err = codec
                .encode("s", &payload, NOW, iv(2), &mut out)
                .unwrap_err();
            let len = codec.encoded_len(fits + 1, NOW);
            assert!(len > max);
            assert_eq!(err, Error::TooLong { len, max }, "{codec:?} {max}");
        }
    }
}

#[test]
fn oversized_cookie_is_refused_before_base64() {
    for codec in all_codecs() {
        let codec = codec.max_length(50);
        let junk = "!".repeat(51);
        assert_eq!(
            decode(&codec, "s", &junk, NOW),
            Err(Error::TooLong { len: 51, max: 50 })
        );
        assert_eq!(decode(&codec, "s", &junk[..50], NOW), Err(Error::Base64));
    }
}

#[test]
fn small_buffers_get_the_size_needed() {
    for codec in all_codecs() {
        let need = codec.encoded_len(5, NOW);
        let mut out = vec![0u8; need - 1];
        assert_eq!(
            codec
                .encode("s", b"hello", NOW, iv(3), &mut out)
                .unwrap_err(),
            Error::BufferTooSmall { needed: need }
        );
        let cookie = encode(&codec, "s", b"hello", NOW);
        let mut buf = vec![0u8; decode_buf_len(cookie.len()) - 1];
        assert!(matches!(
            codec.decode("s", &cookie, NOW, &mut buf),
            Err(Error::BufferTooSmall { .. })
        ));
    }
}

#[test]
fn names_must_be_tokens() {
    for codec in all_codecs() {
        let mut out = [0u8; 256];
        for bad in ["", "a b", "a;b", "a=b", "sess\u{0}"] {
            assert_eq!(
                codec.encode(bad, b"x", NOW, iv(4), &mut out).unwrap_err(),
                Error::InvalidName
            );
            let mut buf = [0u8; 256];
            assert_eq!(
                codec.decode(bad, "AAAA", NOW, &mut buf).unwrap_err(),
                Error::InvalidName
            );
        }
    }
}

#[test]
fn rotation_old_key_decodes_new_key_encodes() {
    for format in [Format::Compact, Format::Gorilla] {
        let old = Codec::with_format(Keys::new(&[1; 32], Some(&[2; 16])).unwrap(), format);
        let mid = Codec::with_format(Keys::new(&[3; 32], None).unwrap(), format);
        let new = Codec::with_format(Keys::new(&[5; 32], Some(&[6; 32])).unwrap(), format);
        let list = [new.clone(), mid.clone(), old.clone()];
        let codecs = Codecs::new(&list).unwrap();
        for (index, codec) in [&new, &mid, &old].into_iter().enumerate() {
            let cookie = encode(codec, "s", b"payload", NOW);
            let mut buf = vec![0u8; decode_buf_len(cookie.len())];
            let d = codecs.decode("s", &cookie, NOW, &mut buf).unwrap();
            assert_eq!(
                (d.payload, d.index, d.timestamp),
                (&b"payload"[..], index, NOW)
            );
        }
        // The list encodes with the first codec only.
        let mut out = [0u8; 256];
        let cookie = codecs
            .encode("s", b"p", NOW, iv(9), &mut out)
            .unwrap()
            .to_owned();
        assert_eq!(decode(&new, "s", &cookie, NOW), Ok(b"p".to_vec()));
        assert_eq!(decode(&old, "s", &cookie, NOW), Err(Error::MacMismatch));
    }
}

#[test]
fn rotation_reports_the_furthest_error() {
    let old = Codec::gorilla(Keys::new(&[1; 32], None).unwrap()).max_age(10);
    let new = Codec::gorilla(Keys::new(&[2; 32], None).unwrap());
    let cookie = encode(&old, "s", b"x", NOW);
    let list = [new, old];
    let codecs = Codecs::new(&list).unwrap();
    let mut buf = [0u8; 256];
    // `new` fails the MAC; `old` verifies and then finds it expired.
    assert_eq!(
        codecs.decode("s", &cookie, NOW + 11, &mut buf).unwrap_err(),
        Error::Expired
    );
    assert_eq!(
        codecs.decode("t", &cookie, NOW, &mut buf).unwrap_err(),
        Error::MacMismatch
    );
    assert_eq!(Codecs::new(&[]).unwrap_err(), Error::NoKeys);
}

#[test]
fn rotation_across_formats_migrates_gorilla_to_compact() {
    let keys = Keys::new(&[7; 32], Some(&[8; 32])).unwrap();
    let list = [Codec::new(keys.clone()), Codec::gorilla(keys)];
    let codecs = Codecs::new(&list).unwrap();
    let go_cookie = encode(&list[1], "s", b"from go", NOW);
    let ours = encode(&list[0], "s", b"from rust", NOW);
    let mut buf = [0u8; 256];
    let d = codecs.decode("s", &go_cookie, NOW, &mut buf).unwrap();
    assert_eq!((d.payload, d.index), (&b"from go"[..], 1));
    let d = codecs.decode("s", &ours, NOW, &mut buf).unwrap();
    assert_eq!((d.payload, d.index), (&b"from rust"[..], 0));
}

#[test]
fn debug_output_shows_no_secrets() {
    let keys = Keys::new(&[0xAB; 32], Some(&[0xCD; 32])).unwrap();
    let codec = Codec::new(keys);
    let text = format!("{codec:?} {:?}", iv(0xEF));
    for secret in ["171", "205", "239", "ab", "AB", "cd", "CD", "ef", "EF"] {
        assert!(!text.contains(&format!("{secret}, {secret}")), "{text}");
    }
    assert!(!text.to_lowercase().contains("abab") && !text.contains("171, 171"));
    let cookie = encode(&codec, "s", b"top secret", NOW);
    let mut buf = [0u8; 256];
    let decoded = codec.decode("s", &cookie, NOW, &mut buf).unwrap();
    assert!(!format!("{decoded:?}").contains("top secret"));
    assert!(!format!("{decoded:?}").contains("116, 111, 112"));
}

#[test]
fn compact_binds_the_whole_key_pair_even_when_key_ids_collide() {
    // Find two block keys whose pairs (same hash key) share the one-byte key
    // id: the tag, not the id, must still tell them apart.
    let first = Keys::new(&HASH, Some(&[0; 32])).unwrap();
    let (other, _) = (1..=4096u32)
        .map(|i| {
            let mut block = [0u8; 32];
            block[..4].copy_from_slice(&i.to_be_bytes());
            (Keys::new(&HASH, Some(&block)).unwrap(), i)
        })
        .find(|(k, _)| k.key_id() == first.key_id())
        .expect("a key id collision within 4096 tries");
    let a = Codec::new(first);
    let b = Codec::new(other);
    let cookie = encode(&a, "s", b"secret", NOW);
    assert_eq!(decode(&b, "s", &cookie, NOW), Err(Error::MacMismatch));
    // Both in one rotation list: each cookie is read by its own pair only.
    let list = [b.clone(), a.clone()];
    let codecs = Codecs::new(&list).unwrap();
    let mut buf = [0u8; 256];
    let d = codecs.decode("s", &cookie, NOW, &mut buf).unwrap();
    assert_eq!((d.payload, d.index), (&b"secret"[..], 1));
}

#[test]
fn gorilla_lists_refuse_pairs_the_mac_cannot_tell_apart() {
    let signed = Codec::gorilla(Keys::new(&HASH, None).unwrap());
    let aes = Codec::gorilla(Keys::new(&HASH, Some(&[2; 16])).unwrap());
    let other_aes = Codec::gorilla(Keys::new(&HASH, Some(&[3; 16])).unwrap());
    for list in [
        vec![aes.clone(), signed.clone()],
        vec![signed.clone(), other_aes.clone()],
        vec![
            aes.clone(),
            Codec::new(Keys::new(&[9; 32], None).unwrap()),
            other_aes,
        ],
    ] {
        assert_eq!(Codecs::new(&list).unwrap_err(), Error::AmbiguousKeys);
    }
    // Fine: the same pair twice, other hash keys, or compact beside gorilla.
    let fresh = Codec::gorilla(Keys::new(&[8; 32], Some(&[2; 16])).unwrap());
    let compact = Codec::new(Keys::new(&HASH, Some(&[3; 16])).unwrap());
    for list in [
        vec![aes.clone(), aes.clone()],
        vec![fresh, signed.clone()],
        vec![compact, aes],
    ] {
        assert!(Codecs::new(&list).is_ok());
    }
}

/// When every codec of a list fails, the error is the one that got
/// furthest (name and length < base64 and shape < MAC), in either order;
/// among errors of one stage, the first codec's.
#[test]
fn rotation_error_is_the_furthest_stage_in_either_order() {
    let gorilla = |h: u8| Codec::gorilla(Keys::new(&[h; 32], None).unwrap());
    let compact = |h: u8| Codec::new(Keys::new(&[h; 32], None).unwrap());
    // 4 payload bytes: the outer base64 is padded, which compact refuses.
    let cookie = encode(&gorilla(3), "s", b"abcd", NOW);
    assert!(cookie.ends_with('='));
    let too_short = gorilla(1).max_length(10);
    let first_error = |a: &Codec, b: &Codec, cookie: &str, buf: &mut [u8]| {
        let list = [a.clone(), b.clone()];
        Codecs::new(&list)
            .unwrap()
            .decode("s", cookie, NOW, buf)
            .unwrap_err()
    };
    let mut buf = [0u8; 256];
    let both = |a: &Codec, b: &Codec, cookie: &str, buf: &mut [u8]| {
        (
            first_error(a, b, cookie, buf),
            first_error(b, a, cookie, buf),
        )
    };
    let mac = Error::MacMismatch;
    // Length (stage 0) < MAC (stage 2).
    assert_eq!(both(&too_short, &gorilla(2), &cookie, &mut buf), (mac, mac));
    // Base64 (stage 1) < MAC.
    assert_eq!(
        both(&compact(1), &gorilla(2), &cookie, &mut buf),
        (mac, mac)
    );
    // Length < base64.
    let foreign = "!".repeat(20);
    assert_eq!(
        both(&too_short, &gorilla(2), &foreign, &mut buf),
        (Error::Base64, Error::Base64)
    );
    // One stage, two errors: the first codec's.
    let too_long = Error::TooLong {
        len: cookie.len(),
        max: 10,
    };
    let small = Error::BufferTooSmall {
        needed: decode_buf_len(cookie.len()),
    };
    assert_eq!(
        both(&too_short, &gorilla(2), &cookie, &mut buf[..8]),
        (too_long, small)
    );
}

/// Go's 30 days, to the second, for both formats.
#[test]
fn default_max_age_is_thirty_days() {
    assert_eq!(securecookie::DEFAULT_MAX_AGE, 30 * 24 * 60 * 60);
    for codec in all_codecs() {
        let cookie = encode(&codec, "s", b"x", NOW);
        assert!(decode(&codec, "s", &cookie, NOW + 2_592_000).is_ok());
        assert_eq!(
            decode(&codec, "s", &cookie, NOW + 2_592_001),
            Err(Error::Expired)
        );
    }
}

/// The accessors report what was set (the store sizes its cookies from
/// them).
#[test]
fn accessors_report_the_settings() {
    let keys = Keys::new(&HASH, None).unwrap();
    let codec = Codec::gorilla(keys.clone());
    assert_eq!(codec.get_max_age(), 2_592_000);
    assert_eq!(codec.get_max_length(), 4096);
    assert_eq!(codec.format(), Format::Gorilla);
    let codec = codec.max_age(7).max_length(100);
    assert_eq!((codec.get_max_age(), codec.get_max_length()), (7, 100));
    assert_eq!(Codec::new(keys).format(), Format::Compact);
}

/// `Decoded`'s `Debug` shows the payload's length and the timestamp, not
/// the payload.
#[test]
fn decoded_debug_shows_the_length_not_the_payload() {
    let codec = Codec::new(Keys::new(&HASH, Some(&[9; 16])).unwrap());
    let cookie = encode(&codec, "s", b"secret-token", NOW);
    let mut buf = [0u8; 256];
    let d = codec.decode("s", &cookie, NOW, &mut buf).unwrap();
    assert_eq!(
        format!("{d:?}"),
        format!("Decoded {{ payload_len: 12, timestamp: {NOW}, index: 0 }}")
    );
}

/// `encode_now` and `decode_now`: the system clock and OS randomness.
#[cfg(feature = "std")]
#[test]
fn encode_now_and_decode_now_round_trip() {
    let codec = Codec::new(Keys::new(&HASH, Some(&[9; 16])).unwrap());
    let mut out = [0u8; 128];
    let cookie = codec.encode_now("s", b"hello", &mut out).unwrap();
    assert_eq!(cookie.len(), codec.encoded_len(5, 0));
    let mut buf = [0u8; 96];
    let d = codec.decode_now("s", cookie, &mut buf).unwrap();
    assert_eq!(d.payload, b"hello");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(d.timestamp.abs_diff(now) < 60);
}

/// The texts users see: each error says what failed, the payload errors
/// are reached through `source()`, and `Debug` of keys and IVs says what
/// they are without their bytes.
#[test]
fn error_texts_sources_and_debug() {
    use core::error::Error as _;
    use securecookie::{GobError, JsonError, KvError};
    assert_eq!(Error::MacMismatch.to_string(), "cookie MAC does not match");
    assert_eq!(
        Error::HashKeyLength { len: 3 }.to_string(),
        "hash key is 3 bytes; at least 32 are required"
    );
    assert_eq!(KvError::Truncated.to_string(), "truncated");
    assert_eq!(JsonError::Syntax.to_string(), "syntax error");
    assert!(!GobError::Truncated.to_string().is_empty());
    for (e, inner) in [
        (Error::Payload(KvError::Truncated), "truncated"),
        (Error::Json(JsonError::Syntax), "syntax error"),
    ] {
        assert_eq!(e.source().map(|s| s.to_string()).as_deref(), Some(inner));
    }
    assert_eq!(
        Error::Gob(GobError::Truncated)
            .source()
            .map(|s| s.to_string()),
        Some(GobError::Truncated.to_string())
    );
    assert!(Error::MacMismatch.source().is_none());
    assert_eq!(format!("{:?}", iv(1)), "Iv(..)");
    let keys = Keys::new(&HASH, Some(&[9; 32])).unwrap();
    let text = format!("{keys:?}");
    assert!(
        text.starts_with(r#"Keys { mac: "HMAC-SHA256", cipher: "AES-256-CTR", key_id: "#),
        "{text}"
    );
}

/// An error returned through `?` from `main` is printed with `Debug`: it must
/// read as the sentence `Display` writes, not as a variant and its fields.
#[test]
fn error_debug_is_its_sentence() {
    for err in [
        Error::SecretLength { len: 16 },
        Error::MacMismatch,
        Error::TooLong {
            len: 5000,
            max: 4096,
        },
        Error::Payload(securecookie::KvError::Truncated),
    ] {
        let debug = format!("{err:?}");
        assert_eq!(debug, err.to_string());
        assert!(debug.contains(' '), "{debug}");
    }
    assert_eq!(
        format!("{:?}", Error::SecretLength { len: 16 }),
        "master secret is 16 bytes; at least 32 are required"
    );
}
