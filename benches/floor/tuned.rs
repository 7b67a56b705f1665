//! The tuned floor (issue 20): the compact envelope's bytes built from the
//! fastest correct primitives, sharing no code with the crate: the `base64`
//! crate (strict URL-safe, no padding: the same one spelling per cookie as
//! ours), HMAC-SHA256 straight on `sha2`'s `compress256` from inner and
//! outer states prepared once (the tag-input prefix, name included, laid out
//! once in a block), and AES-256-CTR from `aes` + `ctr`. `cookies.rs`
//! checks that it writes the very bytes our encoder writes.

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ctr::cipher::KeyInit;
use hmac::{Hmac, Mac};
use sha2::block_api::compress256;

use super::ctr;

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// HMAC-SHA256 with the key's inner and outer blocks hashed once.
pub struct RawHmac {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl RawHmac {
    pub fn new(key: &[u8]) -> Self {
        assert!(key.len() <= 64, "the benches use short keys");
        let pad = |byte: u8| {
            let mut block = [byte; 64];
            for (b, k) in block.iter_mut().zip(key) {
                *b ^= k;
            }
            let mut state = H0;
            compress256(&mut state, &[block]);
            state
        };
        RawHmac {
            inner: pad(0x36),
            outer: pad(0x5c),
        }
    }

    /// The tag of `prefix || data` (after the key block); `prefix` is shorter
    /// than a block and is copied in, `data`'s whole blocks are hashed where
    /// they lie.
    #[inline]
    pub fn tag(&self, prefix: &[u8], data: &[u8]) -> [u8; 32] {
        let mut state = self.inner;
        let mut block = [0u8; 64];
        let p = prefix.len();
        block[..p].copy_from_slice(prefix);
        let first = data.len().min(64 - p);
        block[p..p + first].copy_from_slice(&data[..first]);
        let mut pos = p + first;
        let mut rest = &data[first..];
        if pos == 64 {
            compress256(&mut state, &[block]);
            let (blocks, tail) = rest.as_chunks::<64>();
            compress256(&mut state, blocks);
            block = [0; 64];
            block[..tail.len()].copy_from_slice(tail);
            pos = tail.len();
            rest = &[];
        }
        debug_assert!(rest.is_empty());
        let bits = ((64 + p + data.len()) as u64) * 8;
        block[pos] = 0x80;
        if pos >= 56 {
            compress256(&mut state, &[block]);
            block = [0; 64];
        }
        block[56..].copy_from_slice(&bits.to_be_bytes());
        compress256(&mut state, &[block]);
        let mut outer = [0u8; 64];
        for (o, w) in outer.chunks_exact_mut(4).zip(state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        outer[32] = 0x80;
        outer[56..].copy_from_slice(&((64u64 + 32) * 8).to_be_bytes());
        let mut state = self.outer;
        compress256(&mut state, &[outer]);
        let mut tag = [0u8; 32];
        for (o, w) in tag.chunks_exact_mut(4).zip(state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        tag
    }
}

/// The compact envelope (encrypted, AES-256) for one name, time and IV.
pub struct TunedCompact {
    mac: RawHmac,
    aes: Aes256,
    /// `"sc1" || pair fingerprint || u16be(len(name)) || name`.
    prefix: Vec<u8>,
    /// version, key id, timestamp, IV.
    head: [u8; 26],
    iv: [u8; 16],
}

impl TunedCompact {
    pub fn new(hash_key: &[u8], aes256_key: &[u8], name: &str, now: u64, iv: [u8; 16]) -> Self {
        // Setup only: the key pair's fingerprint, as the format defines it.
        let mut pair = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(hash_key).unwrap();
        pair.update(b"securecookie key id v1");
        pair.update(&[1]);
        pair.update(aes256_key);
        let pair = pair.finalize().into_bytes();
        let mut prefix = b"sc1".to_vec();
        prefix.extend_from_slice(&pair);
        prefix.extend_from_slice(&(name.len() as u16).to_be_bytes());
        prefix.extend_from_slice(name.as_bytes());
        assert!(prefix.len() < 64);
        let mut head = [0u8; 26];
        head[0] = 0x02;
        head[1] = pair[0];
        head[2..10].copy_from_slice(&now.to_be_bytes());
        head[10..].copy_from_slice(&iv);
        TunedCompact {
            mac: RawHmac::new(hash_key),
            aes: Aes256::new_from_slice(aes256_key).unwrap(),
            prefix,
            head,
            iv,
        }
    }

    /// Raw bytes into `scratch` (at least payload + 58 bytes), then base64
    /// into `out`. Returns the cookie length.
    #[inline]
    pub fn encode(&self, payload: &[u8], scratch: &mut [u8], out: &mut [u8]) -> usize {
        let p = payload.len();
        let raw = &mut scratch[..26 + p + 32];
        raw[..26].copy_from_slice(&self.head);
        raw[26..26 + p].copy_from_slice(payload);
        ctr(&self.aes, &self.iv, &mut raw[26..26 + p]);
        let tag = self.mac.tag(&self.prefix, &raw[..26 + p]);
        raw[26 + p..].copy_from_slice(&tag);
        URL_SAFE_NO_PAD.encode_slice(raw, out).unwrap()
    }

    /// Decodes into `buf` (at least the decoded length + 3 bytes, what the
    /// `base64` crate asks for), verifies, decrypts; the payload's length.
    #[inline]
    pub fn decode(&self, cookie: &[u8], buf: &mut [u8]) -> usize {
        let n = URL_SAFE_NO_PAD.decode_slice(cookie, buf).unwrap();
        let (signed, tag) = buf[..n].split_at_mut(n - 32);
        let want = self.mac.tag(&self.prefix, signed);
        // Constant time: every byte compared.
        let diff = want
            .iter()
            .zip(tag.iter())
            .fold(0u8, |d, (a, b)| d | (a ^ b));
        assert_eq!(diff, 0);
        let (iv, data) = signed[10..].split_at_mut(16);
        let iv: [u8; 16] = (&*iv).try_into().unwrap();
        ctr(&self.aes, &iv, data);
        data.len()
    }
}
