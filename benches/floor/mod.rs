//! The primitives' floor: keys prepared once, then only HMAC-SHA256 (a
//! cloned keyed state) over the MAC input, AES-256-CTR over the payload and
//! base64 (the crate's own codec) over the output. Each floor is checked, in
//! `cookies.rs`, to write the very bytes our encoder writes, so it does the
//! same work and nothing more.

use aes::Aes256;
use ctr::CtrCore;
use ctr::cipher::{InnerIvInit, KeyInit, StreamCipher, StreamCipherCoreWrapper};
use ctr::flavors::Ctr128BE;
use hmac::{Hmac, Mac};

use crate::b64;

pub mod tuned;

type HmacSha256 = Hmac<sha2::Sha256>;

/// AES-256-CTR over a borrowed key schedule, as `Keys` holds it.
fn ctr(aes: &Aes256, iv: &[u8; 16], data: &mut [u8]) {
    let core = CtrCore::<&Aes256, Ctr128BE>::inner_iv_init(aes, iv.into());
    StreamCipherCoreWrapper::from_core(core).apply_keystream(data);
}

/// Prepared keys and the fixed inputs (name, time, IV) of one benchmark.
pub struct Floor {
    mac: HmacSha256,
    /// The compact tag's keyed state with `"sc1" || pair fingerprint`
    /// absorbed, prepared once as `Keys` does.
    compact_mac: HmacSha256,
    aes: Aes256,
    name: &'static str,
    now: u64,
    iv: [u8; 16],
}

impl Floor {
    pub fn new(
        hash_key: &[u8],
        aes256_key: &[u8],
        name: &'static str,
        now: u64,
        iv: [u8; 16],
    ) -> Self {
        let mac = <HmacSha256 as KeyInit>::new_from_slice(hash_key).unwrap();
        let mut pair = mac.clone();
        pair.update(b"securecookie key id v1");
        pair.update(&[1]);
        pair.update(aes256_key);
        let mut compact_mac = mac.clone();
        compact_mac.update(b"sc1");
        compact_mac.update(&pair.finalize().into_bytes());
        Floor {
            mac,
            compact_mac,
            aes: Aes256::new_from_slice(aes256_key).unwrap(),
            name,
            now,
            iv,
        }
    }
}

/// The compact floor for one payload size: the header and the tag-input
/// prefix are laid out once.
pub struct FloorCompact<'f> {
    f: &'f Floor,
    /// `u16be(len(name)) || name` (the rest of the prefix is in the state).
    prefix: Vec<u8>,
    /// version, key id, timestamp, IV.
    head: [u8; 26],
    raw: usize,
    start: usize,
}

impl<'f> FloorCompact<'f> {
    pub fn new(f: &'f Floor, kid: u8, payload_len: usize) -> Self {
        let mut prefix = (f.name.len() as u16).to_be_bytes().to_vec();
        prefix.extend_from_slice(f.name.as_bytes());
        let mut head = [0u8; 26];
        head[0] = 0x02;
        head[1] = kid;
        head[2..10].copy_from_slice(&f.now.to_be_bytes());
        head[10..].copy_from_slice(&f.iv);
        let raw = 26 + payload_len + 32;
        let start = b64::encoded_len(raw, false) - raw;
        FloorCompact {
            f,
            prefix,
            head,
            raw,
            start,
        }
    }

    pub fn encode<'o>(&self, payload: &[u8], out: &'o mut [u8]) -> &'o [u8] {
        let (s, p) = (self.start, payload.len());
        out[s..s + 26].copy_from_slice(&self.head);
        out[s + 26..s + 26 + p].copy_from_slice(payload);
        ctr(&self.f.aes, &self.f.iv, &mut out[s + 26..s + 26 + p]);
        let mut mac = self.f.compact_mac.clone();
        mac.update(&self.prefix);
        mac.update(&out[s..s + 26 + p]);
        let tag = mac.finalize().into_bytes();
        out[s + 26 + p..s + self.raw].copy_from_slice(&tag);
        let n = b64::encode_in_place(out, s, self.raw, false);
        &out[..n]
    }

    pub fn decode<'b>(&self, cookie: &[u8], buf: &'b mut [u8]) -> &'b [u8] {
        let n = b64::decode(cookie, buf, false).unwrap();
        let mut mac = self.f.compact_mac.clone();
        mac.update(&self.prefix);
        mac.update(&buf[..n - 32]);
        mac.verify_slice(&buf[n - 32..n]).unwrap();
        let (iv, data) = buf[10..n - 32].split_at_mut(16);
        let iv: [u8; 16] = (&*iv).try_into().unwrap();
        ctr(&self.f.aes, &iv, data);
        &buf[26..n - 32]
    }
}

/// The gorilla floor for one payload size: `ts "|"` and the offsets are
/// computed once.
pub struct FloorGorilla<'f> {
    f: &'f Floor,
    ts: Vec<u8>,
    inner_raw: usize,
    inner_len: usize,
    raw: usize,
    start: usize,
}

impl<'f> FloorGorilla<'f> {
    pub fn new(f: &'f Floor, payload_len: usize) -> Self {
        let mut ts = f.now.to_string().into_bytes();
        ts.push(b'|');
        let inner_raw = 16 + payload_len;
        let inner_len = b64::encoded_len(inner_raw, true);
        let raw = ts.len() + inner_len + 1 + 32;
        let start = b64::encoded_len(raw, true) - raw;
        FloorGorilla {
            f,
            ts,
            inner_raw,
            inner_len,
            raw,
            start,
        }
    }

    pub fn encode<'o>(&self, payload: &[u8], out: &'o mut [u8]) -> &'o [u8] {
        let s = self.start;
        let inner_at = s + self.ts.len();
        out[s..inner_at].copy_from_slice(&self.ts);
        let inner = &mut out[inner_at..inner_at + self.inner_len];
        let at = self.inner_len - self.inner_raw;
        inner[at..at + 16].copy_from_slice(&self.f.iv);
        inner[at + 16..].copy_from_slice(payload);
        ctr(&self.f.aes, &self.f.iv, &mut inner[at + 16..]);
        b64::encode_in_place(inner, at, self.inner_raw, true);
        let mac_at = inner_at + self.inner_len;
        let mut mac = self.f.mac.clone();
        mac.update(self.f.name.as_bytes());
        mac.update(b"|");
        mac.update(&out[s..mac_at]);
        out[mac_at] = b'|';
        out[mac_at + 1..s + self.raw].copy_from_slice(&mac.finalize().into_bytes());
        let n = b64::encode_in_place(out, s, self.raw, true);
        &out[..n]
    }

    pub fn decode<'b>(&self, cookie: &[u8], buf: &'b mut [u8]) -> &'b [u8] {
        let n = b64::decode(cookie, buf, true).unwrap();
        let second = n - 33;
        let mut mac = self.f.mac.clone();
        mac.update(self.f.name.as_bytes());
        mac.update(b"|");
        mac.update(&buf[..second]);
        mac.verify_slice(&buf[second + 1..n]).unwrap();
        let first = self.ts.len() - 1;
        let inner = &mut buf[first + 1..second];
        let m = b64::decode_in_place(inner, inner.len(), true).unwrap();
        let (iv, data) = inner[..m].split_at_mut(16);
        let iv: [u8; 16] = (&*iv).try_into().unwrap();
        ctr(&self.f.aes, &iv, data);
        &inner[16..m]
    }
}
