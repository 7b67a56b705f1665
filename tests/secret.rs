//! Keys from one secret: HKDF-SHA256 against RFC 5869's vectors, our
//! labels pinned by vectors computed independently (Python's `hmac`, the
//! snippet in the `secret` module docs), and rotation order.

use securecookie::secret::{
    BLOCK_KEY_LABEL, HASH_KEY_LABEL, KeyPair, SALT, SecretError, hkdf_sha256,
};
use securecookie::{Codec, Error, Iv, Keys, Secret};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// RFC 5869, appendix A, test cases 1 to 3 (SHA-256).
#[test]
fn rfc5869_vectors() {
    let okm: [u8; 42] = hkdf_sha256(
        &hex("000102030405060708090a0b0c"),
        &[0x0b; 22],
        &hex("f0f1f2f3f4f5f6f7f8f9"),
    );
    assert_eq!(
        okm.to_vec(),
        hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    );

    let okm: [u8; 82] = hkdf_sha256(
        &(0x60..=0xafu8).collect::<Vec<_>>(),
        &(0x00..=0x4fu8).collect::<Vec<_>>(),
        &(0xb0..=0xffu8).collect::<Vec<_>>(),
    );
    assert_eq!(
        okm.to_vec(),
        hex(concat!(
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c",
            "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71",
            "cc30c58179ec3e87c14c01d5c1f3434f1d87"
        ))
    );

    let okm: [u8; 42] = hkdf_sha256(&[], &[0x0b; 22], &[]);
    assert_eq!(
        okm.to_vec(),
        hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    );
}

/// The labels, frozen: changing them would log out every deployment.
#[test]
fn label_vectors() {
    assert_eq!(SALT, b"securecookie/v1");
    assert_eq!(HASH_KEY_LABEL, b"securecookie/v1 hash key");
    assert_eq!(BLOCK_KEY_LABEL, b"securecookie/v1 block key");
    // (secret, hash key, block key), from Python's hmac module.
    let vectors = [
        (
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "30d1be4e1dcd6cbcf41f2fe5bb2c8be0133ea44d9748f5a646abc8dfb34c0fbf",
            "3ff8a87d3ac2a142ad18d91f5cc75190b4f80f391a7f889d47a116d8d582011a",
        ),
        (
            &"42".repeat(64),
            "45b4fbe35361401cd76e7d3a4bd519a27b4e4b225818cf9ba56395269db2c1c2",
            "aaa6fced1c8fc52aab080942c959d18ad77b555e34198b6e21f59ce8fd33d2fd",
        ),
        (
            "6ad2d4ac55f2b30b21f3ba5c17e1c0f7a5e9b2d6c8f4a1e3b5d7c9e0f2a4b6c8",
            "f2ed8a0d0fe1d17b35ef0526355baf51cfa26f56575baf6950a437fea98f8dfa",
            "424bc18fb6249f573600379e56f15c74d27bb5bef7cad447d877274f7a8390ce",
        ),
    ];
    for (secret, hash, block) in vectors {
        let pair = KeyPair::derive(&hex(secret)).unwrap();
        assert_eq!(pair.hash_key().to_vec(), hex(hash), "{secret}");
        assert_eq!(pair.block_key().to_vec(), hex(block), "{secret}");
        // Secret::parse and Keys::derive give the same keys as the raw pair:
        // a cookie from one verifies under the other.
        let derived = Codec::new(Secret::parse(secret).unwrap().keys());
        let raw = Codec::new(Keys::new(&hex(hash), Some(&hex(block))).unwrap());
        let via_keys = Codec::new(Keys::derive(&hex(secret)).unwrap());
        let mut out = [0u8; 256];
        let cookie = derived
            .encode(
                "s",
                b"v",
                1_800_000_000,
                Iv::from_random_bytes([1; 16]),
                &mut out,
            )
            .unwrap()
            .to_owned();
        for codec in [&raw, &via_keys] {
            let mut buf = [0u8; 256];
            let d = codec.decode("s", &cookie, 1_800_000_000, &mut buf).unwrap();
            assert_eq!(d.payload, b"v");
        }
    }
}

#[test]
fn short_secrets_are_refused() {
    assert_eq!(
        Keys::derive(&[7; 31]).unwrap_err(),
        Error::SecretLength { len: 31 }
    );
    assert_eq!(
        KeyPair::derive(&[]).unwrap_err(),
        Error::SecretLength { len: 0 }
    );
    // Longer than a Secret holds is still fine for Keys::derive.
    assert!(Keys::derive(&[7; 200]).is_ok());
    assert_eq!(
        Secret::from_bytes(&[7; 65]).unwrap_err(),
        SecretError::TooLong { len: 65 }
    );
}

/// Newest first: encode with the first secret, decode with all. Signing
/// with a fallback key is the mistake this pins down.
#[cfg(feature = "std")]
#[test]
fn rotation_writes_with_the_newest_and_reads_all() {
    use securecookie::{Codecs, CookieConfig, CookieStore};

    let old_text = "aa".repeat(32);
    let new_text = "bb".repeat(32);
    let secrets = Secret::parse_list(&format!("{new_text}, {old_text}")).unwrap();
    let old = Secret::parse(&old_text).unwrap();
    let new = Secret::parse(&new_text).unwrap();
    assert_eq!(secrets[0].as_bytes(), new.as_bytes());

    let now = 1_800_000_000;
    let store: CookieStore<String> =
        CookieStore::new(CookieConfig::default(), secrets.iter().map(Secret::keys)).unwrap();
    let mut session = store.new_session("s");
    session.set("user-id", "a1b2c3".to_string());
    let line = store
        .save_at(&session, now, Iv::from_random_bytes([3; 16]))
        .unwrap();
    let value = line.split(';').next().unwrap().strip_prefix("s=").unwrap();

    // Written with the newest secret: the new key alone reads it, the old
    // key alone does not.
    let mut buf = [0u8; 512];
    let only_new = Codec::new(new.keys());
    let only_old = Codec::new(old.keys());
    assert!(only_new.decode("s", value, now, &mut buf).is_ok());
    assert_eq!(
        only_old.decode("s", value, now, &mut buf).unwrap_err(),
        Error::MacMismatch
    );

    // A cookie of the old secret is still read, and reported as old.
    let mut out = [0u8; 512];
    let payload = securecookie::kv::to_vec::<64>([("user-id", &b"old"[..])]).unwrap();
    let old_cookie = only_old
        .encode("s", &payload, now, Iv::from_random_bytes([4; 16]), &mut out)
        .unwrap()
        .to_owned();
    let read = store
        .get_at(&format!("s={old_cookie}"), "s", now + 1)
        .unwrap();
    assert_eq!(read.get("user-id").map(String::as_str), Some("old"));
    let list = [Codec::new(new.keys()), Codec::new(old.keys())];
    let codecs = Codecs::new(&list).unwrap();
    assert_eq!(
        codecs
            .decode("s", &old_cookie, now + 1, &mut buf)
            .unwrap()
            .index,
        1
    );
    assert_eq!(
        codecs.decode("s", value, now + 1, &mut buf).unwrap().index,
        0
    );
}
