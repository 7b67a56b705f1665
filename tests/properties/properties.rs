//! Property tests: round trips over arbitrary key/value maps, cookie names,
//! timestamps, key sizes and both envelopes; and any single mutation of a
//! valid cookie (bit flip, byte insert or delete, truncation) is rejected.

use std::collections::BTreeMap;

use proptest::prelude::*;
use securecookie::kv::{self, KvReader, KvWriter};
use securecookie::{Codec, Codecs, Error, Format, Iv, Keys, decode_buf_len};

/// RFC 6265 token characters.
const NAME: &str = "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}";

#[derive(Debug, Clone)]
struct Setup {
    hash_key: Vec<u8>,
    block_key: Option<Vec<u8>>,
    format: Format,
}

impl Setup {
    fn codec(&self) -> Codec {
        let keys = Keys::new(&self.hash_key, self.block_key.as_deref()).unwrap();
        // Time checks off: the timestamp under test can be anything.
        Codec::with_format(keys, self.format)
            .max_age(0)
            .max_length(0)
    }
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop::collection::vec(any::<u8>(), 32..=64),
        prop_oneof![Just(0usize), Just(16), Just(24), Just(32)],
        any::<[u8; 32]>(),
        any::<bool>(),
    )
        .prop_map(|(hash_key, block_len, block, gorilla)| Setup {
            hash_key,
            block_key: (block_len > 0).then(|| block[..block_len].to_vec()),
            format: if gorilla {
                Format::Gorilla
            } else {
                Format::Compact
            },
        })
}

fn map() -> impl Strategy<Value = BTreeMap<String, Vec<u8>>> {
    prop::collection::btree_map(".{0,12}", prop::collection::vec(any::<u8>(), 0..200), 0..8)
}

fn encode_map(m: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let size: usize = m.iter().map(|(k, v)| kv::entry_len(k.len(), v.len())).sum();
    let mut buf = vec![0u8; size];
    let mut w = KvWriter::new(&mut buf);
    for (k, v) in m {
        w.push(k, v).unwrap();
    }
    assert_eq!(w.len(), size);
    buf
}

fn encode(codec: &Codec, name: &str, payload: &[u8], ts: u64, iv: [u8; 16]) -> String {
    let mut out = vec![0u8; codec.encoded_len(payload.len(), ts)];
    let iv = Iv::from_random_bytes(iv);
    codec
        .encode(name, payload, ts, iv, &mut out)
        .unwrap()
        .to_owned()
}

fn decode(codec: &Codec, name: &str, cookie: &[u8], now: u64) -> Result<(Vec<u8>, u64), Error> {
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    codec
        .decode(name, cookie, now, &mut buf)
        .map(|d| (d.payload.to_vec(), d.timestamp))
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: prop::sample::Index, bit: u8 },
    Insert { at: prop::sample::Index, byte: u8 },
    Delete { at: prop::sample::Index },
    Truncate { at: prop::sample::Index },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<prop::sample::Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (any::<prop::sample::Index>(), any::<u8>())
            .prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        any::<prop::sample::Index>().prop_map(|at| Mutation::Delete { at }),
        any::<prop::sample::Index>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn mutate(cookie: &str, m: &Mutation) -> Vec<u8> {
    let mut b = cookie.as_bytes().to_vec();
    match m {
        Mutation::Flip { at, bit } => b[at.index(cookie.len())] ^= 1 << bit,
        Mutation::Insert { at, byte } => b.insert(at.index(cookie.len() + 1), *byte),
        Mutation::Delete { at } => {
            b.remove(at.index(cookie.len()));
        }
        Mutation::Truncate { at } => b.truncate(at.index(cookie.len())),
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn kv_maps_round_trip(m in map()) {
        let payload = encode_map(&m);
        prop_assert_eq!(kv::validate(&payload), Ok(m.len()));
        let back: BTreeMap<String, Vec<u8>> = KvReader::new(&payload)
            .map(|e| e.map(|(k, v)| (k.to_owned(), v.to_vec())))
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(&back, &m);
        for (k, v) in &m {
            prop_assert_eq!(kv::get(&payload, k), Ok(Some(&v[..])));
        }
    }

    #[test]
    fn cookies_round_trip(
        s in setup(), m in map(), name in NAME, ts in any::<u64>(), iv in any::<[u8; 16]>()
    ) {
        let codec = s.codec();
        let payload = encode_map(&m);
        let cookie = encode(&codec, &name, &payload, ts, iv);
        prop_assert_eq!(cookie.len(), codec.encoded_len(payload.len(), ts));
        let (got, got_ts) = decode(&codec, &name, cookie.as_bytes(), ts).unwrap();
        prop_assert_eq!(&got, &payload);
        prop_assert_eq!(got_ts, ts);
        prop_assert_eq!(kv::validate(&got), Ok(m.len()));
    }

    #[test]
    fn rotation_finds_the_right_key(
        old in setup(), new in setup(), payload in prop::collection::vec(any::<u8>(), 0..64),
        name in NAME, ts in 0u64..4_000_000_000
    ) {
        prop_assume!(old.hash_key != new.hash_key);
        let list = [new.codec(), old.codec()];
        let cookie = encode(&list[1], &name, &payload, ts, [5; 16]);
        let mut buf = vec![0u8; decode_buf_len(cookie.len())];
        let d = Codecs::new(&list).unwrap().decode(&name, &cookie, ts, &mut buf).unwrap();
        prop_assert_eq!((d.payload, d.timestamp, d.index), (&payload[..], ts, 1));
    }

    #[test]
    fn default_limits_match_encoded_len(
        s in setup(), len in 0usize..4096, ts in 0u64..4_000_000_000
    ) {
        // The default codec: max length 4096.
        let codec = Codec::with_format(Keys::new(&s.hash_key, s.block_key.as_deref()).unwrap(), s.format);
        let payload = vec![0x41; len];
        let mut out = vec![0u8; 8192];
        let r = codec.encode("s", &payload, ts, Iv::from_random_bytes([0; 16]), &mut out);
        let fits = len <= codec.max_payload_len(ts);
        prop_assert_eq!(r.is_ok(), fits);
        prop_assert_eq!(codec.encoded_len(len, ts) <= 4096, fits);
    }

    #[test]
    fn any_single_mutation_is_rejected(
        s in setup(), payload in prop::collection::vec(any::<u8>(), 0..100), name in NAME,
        ts in 0u64..4_000_000_000, iv in any::<[u8; 16]>(), m in mutation()
    ) {
        let codec = s.codec();
        let cookie = encode(&codec, &name, &payload, ts, iv);
        let bad = mutate(&cookie, &m);
        prop_assert_ne!(&bad[..], cookie.as_bytes());
        match decode(&codec, &name, &bad, ts) {
            Err(Error::Base64 | Error::Malformed | Error::MacMismatch) => {}
            other => prop_assert!(false, "{:?} gave {:?}", m, other),
        }
    }

    #[test]
    fn another_name_or_key_is_rejected(
        s in setup(), other in setup(), payload in prop::collection::vec(any::<u8>(), 0..64),
        name in NAME, other_name in NAME, ts in 0u64..4_000_000_000
    ) {
        let codec = s.codec();
        let cookie = encode(&codec, &name, &payload, ts, [1; 16]);
        if other_name != name {
            prop_assert_eq!(decode(&codec, &other_name, cookie.as_bytes(), ts), Err(Error::MacMismatch));
        }
        if other.hash_key != s.hash_key && other.format == s.format {
            prop_assert_eq!(decode(&other.codec(), &name, cookie.as_bytes(), ts), Err(Error::MacMismatch));
        }
    }
}
