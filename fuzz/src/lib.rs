//! What the fuzz targets share: the fixed key pairs the decode targets use
//! (the keys of the Go vectors in tests/vectors/, so those vectors seed the
//! corpus with cookies that verify), the input split, the independent rules
//! (`tests/fuzz_rules/rules.rs`, which `tests/fuzz_rules.rs` checks against
//! the crate) and the re-encoding oracle.

#[path = "../../tests/fuzz_rules/rules.rs"]
mod rules;
pub use rules::{MAX_FUZZ_NAME_LEN, MAX_NAME_LEN, is_token, name_header, split_name, time_verdict};

use arbitrary::Arbitrary;
use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use securecookie::{Codec, Decoded, Error, Format, Iv, Keys};

const HASH_A: [u8; 32] = seq::<32>(0x00);
const HASH_B: [u8; 64] = seq::<64>(0x40);
const BLOCK_128: [u8; 16] = seq::<16>(0x80);
const BLOCK_192: [u8; 24] = seq::<24>(0xa0);
const BLOCK_256: [u8; 32] = seq::<32>(0xc0);

const fn seq<const N: usize>(first: u8) -> [u8; N] {
    let mut k = [0u8; N];
    let mut i = 0;
    while i < N {
        k[i] = first + i as u8;
        i += 1;
    }
    k
}

/// "Now" for the decode targets: one second after the Go vectors were made.
pub const NOW: u64 = 1_795_630_449;

/// The eight key pairs: two hash keys, each signed-only and with AES-128,
/// -192 and -256.
pub fn key_pairs() -> Vec<Keys> {
    let blocks: [Option<&[u8]>; 4] = [None, Some(&BLOCK_128), Some(&BLOCK_192), Some(&BLOCK_256)];
    let mut keys = Vec::new();
    for hash in [&HASH_A[..], &HASH_B[..]] {
        for block in blocks {
            keys.push(Keys::new(hash, block).expect("fixed keys are valid"));
        }
    }
    keys
}

/// One codec per key pair in `format`, with every time check off (max age
/// 0, any future date) so that whatever verifies also decodes: the targets
/// look for forgeries first; [`check_time_limits`] then puts each cookie
/// that verified through the time limits.
pub fn codecs(format: Format) -> Vec<Codec> {
    key_pairs()
        .into_iter()
        .map(|k| Codec::with_format(k, format).max_age(0).max_skew(u64::MAX))
        .collect()
}

/// The `roundtrip` target's input (here so that `make_seeds` can find
/// inputs with long names).
#[derive(Arbitrary, Debug)]
pub struct RoundtripInput {
    pub payload: Vec<u8>,
    /// Repeated up to `name_len` bytes (mod 1,101), so that long names
    /// cost the fuzzer a few bytes, not a thousand.
    pub name: String,
    pub name_len: u16,
    pub timestamp: u64,
    pub iv: [u8; 16],
    pub hash_key: [u8; 64],
    /// 0: 32 bytes; 1: 64 bytes; 2: a legacy key of 1 to 31 bytes.
    pub hash_kind: u8,
    pub block_key: [u8; 32],
    /// 0: signed only; 1, 2, 3: AES-128, -192, -256.
    pub cipher: u8,
    pub gorilla: bool,
    /// The decoder's clock, as an offset from the timestamp.
    pub offset: i64,
    pub max_age: u64,
    pub min_age: u64,
    pub skew: u64,
}

/// `unit` repeated while it fits in `len % (MAX_FUZZ_NAME_LEN + 1)` bytes
/// (at least once): names of 0 to 1,100 bytes, any UTF-8 in them.
pub fn name_of(unit: &str, len: u16) -> String {
    let target = usize::from(len) % (MAX_FUZZ_NAME_LEN + 1);
    let mut name = String::from(unit);
    while !unit.is_empty() && name.len() + unit.len() <= target {
        name.push_str(unit);
    }
    name
}

/// The errors `decode` is documented to return.
pub fn is_decode_error(e: &Error) -> bool {
    matches!(
        e,
        Error::InvalidName
            | Error::TooLong { .. }
            | Error::BufferTooSmall { .. }
            | Error::Base64
            | Error::Malformed
            | Error::MacMismatch
            | Error::InvalidTimestamp
            | Error::TooNew
            | Error::Expired
            | Error::Decrypt
    )
}

/// The IV inside a cookie, read with an independent base64 decoder (zeros
/// for signed-only codecs, which ignore it). Panics when the base64 is not
/// canonical to that decoder: the core must not have accepted it.
pub fn iv_of(codec: &Codec, cookie: &[u8]) -> [u8; 16] {
    let mut iv = [0u8; 16];
    if !codec.keys().is_encrypted() {
        return iv;
    }
    let body = match codec.format() {
        Format::Compact => {
            let raw = URL_SAFE_NO_PAD
                .decode(cookie)
                .expect("core accepted non-canonical base64");
            raw[10..26].to_vec()
        }
        Format::Gorilla => {
            let raw = URL_SAFE
                .decode(cookie)
                .expect("core accepted non-canonical outer base64");
            let inner = raw.split(|&c| c == b'|').nth(1).expect("two separators");
            URL_SAFE
                .decode(inner)
                .expect("core accepted non-canonical inner base64")
        }
        other => unreachable!("no fuzz oracle for {other:?}"),
    };
    iv.copy_from_slice(&body[..16]);
    iv
}

/// The oracle of the decode targets: a cookie that decoded must be exactly
/// what `codec` writes for that payload, name, timestamp and IV. Anything
/// else is a forgery, or a second spelling of one cookie.
pub fn assert_reencodes(codec: &Codec, name: &str, cookie: &[u8], decoded: &Decoded<'_>) {
    let iv = Iv::from_random_bytes(iv_of(codec, cookie));
    let len = codec.encoded_len(decoded.payload.len(), decoded.timestamp);
    let mut out = vec![0u8; len];
    let again = codec
        .encode(name, decoded.payload, decoded.timestamp, iv, &mut out)
        .expect("a decoded cookie re-encodes");
    assert_eq!(again.as_bytes(), cookie, "decoded cookie is not canonical");
}

/// Decodes `cookie` against every codec of `list` (as a rotation list and
/// one by one) and checks that they agree and that a success re-encodes.
pub fn check_decode(list: &[Codec], name: &str, cookie: &[u8]) {
    let codecs = securecookie::Codecs::new(list).expect("a non-empty, unambiguous list");
    let needed = securecookie::decode_buf_len(cookie.len());
    let mut buf = vec![0u8; needed];
    let result = codecs.decode(name, cookie, NOW, &mut buf);
    // The buffer check: an empty buffer reports what the format needs
    // (at most `decode_buf_len`), one byte less than that is refused with
    // the same number, and exactly that much gives the full-size result.
    if let Err(Error::BufferTooSmall { needed: exact }) = codecs.decode(name, cookie, NOW, &mut [])
    {
        assert!(exact <= needed, "needs {exact} > decode_buf_len {needed}");
        let mut short = vec![0u8; exact - 1];
        match codecs.decode(name, cookie, NOW, &mut short) {
            Err(Error::BufferTooSmall { needed: n }) => assert_eq!(n, exact),
            other => panic!("short buffer gave {other:?}"),
        }
        let mut fit = vec![0u8; exact];
        let got = codecs.decode(name, cookie, NOW, &mut fit);
        match (&got, &result) {
            (Ok(a), Ok(b)) => assert_eq!(
                (a.payload, a.timestamp, a.index),
                (b.payload, b.timestamp, b.index)
            ),
            (Err(a), Err(b)) => assert_eq!(a, b),
            _ => panic!("exact buffer gave {got:?}, full buffer {result:?}"),
        }
    }
    match result {
        Ok(decoded) => {
            let codec = &list[decoded.index];
            assert_reencodes(codec, name, cookie, &decoded);
            // The lone codec agrees with the list.
            let mut buf2 = vec![0u8; needed];
            let alone = codec
                .decode(name, cookie, NOW, &mut buf2)
                .expect("lone codec decodes");
            assert_eq!(alone.payload, decoded.payload);
            assert_eq!(alone.timestamp, decoded.timestamp);
            check_time_limits(codec, name, cookie, decoded.timestamp);
        }
        Err(e) => {
            assert!(is_decode_error(&e), "undocumented decode error {e:?}");
            // No single codec accepts what the list refused.
            for codec in list {
                let mut buf2 = vec![0u8; needed];
                assert!(codec.decode(name, cookie, NOW, &mut buf2).is_err());
            }
        }
    }
}

/// The time checks on a cookie that verified. The fuzzer cannot choose a
/// genuine cookie's timestamp (the MAC binds it), so each one is decoded at
/// the edges of every limit around its own timestamp, and the verdict must
/// be the independent rules' (`time_verdict`): one second either side of
/// max age, min age and skew, each limit alone and all together.
pub fn check_time_limits(codec: &Codec, name: &str, cookie: &[u8], ts: u64) {
    const LIMIT: u64 = 600;
    let mut buf = vec![0u8; securecookie::decode_buf_len(cookie.len())];
    // Gorilla has no skew limit, as in Go.
    let compact = codec.format() == Format::Compact;
    for (max_age, min_age, skew) in [
        (LIMIT, 0, u64::MAX),
        (0, LIMIT, u64::MAX),
        (0, 0, LIMIT),
        (LIMIT, LIMIT / 2, LIMIT),
    ] {
        for edge in [0, LIMIT / 2, LIMIT] {
            for delta in [-1i64, 0, 1] {
                for sign in [-1i64, 1] {
                    let offset = sign * (edge as i64 + delta);
                    let now = ts.saturating_add_signed(offset);
                    let timed = codec
                        .clone()
                        .max_age(max_age)
                        .min_age(min_age)
                        .max_skew(skew);
                    let expected = time_verdict(ts, now, max_age, min_age, compact.then_some(skew));
                    let got = timed.decode(name, cookie, now, &mut buf);
                    match (&got, &expected) {
                        (Ok(d), Ok(())) => assert_eq!(d.timestamp, ts),
                        (Err(a), Err(b)) => assert_eq!(a, b),
                        _ => panic!("ts {ts}, now {now}: got {got:?}, rules say {expected:?}"),
                    }
                }
            }
        }
    }
}
