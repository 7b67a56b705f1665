//! The primitive floor (`--features floor`): what any cookie codec built
//! from the same crates must link, measured in the same build as the codec.
//! It does the compact envelope's work with nothing else: AES-256-CTR over
//! the payload (with `aes256`), HMAC-SHA256 over name, header and
//! body, base64url (base64ct) out; base64 in, the tag checked in constant
//! time, decryption. No names checked, no kv, no header parsing, no ages.

use core::hint::black_box;

#[cfg(feature = "aes256")]
use aes::Aes256;
use base64ct::{Base64UrlUnpadded, Encoding};
#[cfg(feature = "aes256")]
use ctr::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::{BLOCK_KEY, COOKIE_BUF, DECODE_BUF, HASH_KEY, Step};

#[cfg(feature = "aes256")]
type Aes256Ctr = ctr::Ctr128BE<Aes256>;

const IV: usize = if cfg!(feature = "aes256") { 16 } else { 0 };
const HEADER: usize = 10;
const TAG: usize = 32;

/// Encode, decode, compare; a tampered cookie refused.
pub fn run() -> Step {
    let Ok(mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&black_box(HASH_KEY)) else {
        return Step::Keys;
    };
    let block = black_box(BLOCK_KEY);
    let payload = black_box(*b"\x07user-id\x06a1b2c3");
    let now: u64 = black_box(1_800_000_000);

    // header || IV || ciphertext || tag
    let mut raw = [0u8; HEADER + 16 + 15 + TAG];
    let raw_len = HEADER + IV + payload.len() + TAG;
    let raw = &mut raw[..raw_len];
    raw[0] = 2;
    raw[2..HEADER].copy_from_slice(&now.to_be_bytes());
    let body_end = raw_len - TAG;
    raw[HEADER + IV..body_end].copy_from_slice(&payload);
    let _ = block;
    #[cfg(feature = "aes256")]
    {
        let iv = black_box([0x5a; 16]);
        raw[HEADER..HEADER + IV].copy_from_slice(&iv);
        Aes256Ctr::new(&block.into(), &iv.into()).apply_keystream(&mut raw[HEADER + IV..body_end]);
    }
    let mut m = mac.clone();
    m.update(b"session");
    m.update(&raw[..body_end]);
    let tag = m.finalize().into_bytes();
    raw[body_end..].copy_from_slice(&tag);
    let mut out = [0u8; COOKIE_BUF];
    let Ok(cookie) = Base64UrlUnpadded::encode(raw, &mut out) else {
        return Step::Encode;
    };
    let mut cookie_bytes = [0u8; COOKIE_BUF];
    let len = cookie.len();
    cookie_bytes[..len].copy_from_slice(cookie.as_bytes());

    let mut buf = [0u8; DECODE_BUF];
    match open(&mac, &block, black_box(&cookie_bytes[..len]), &mut buf) {
        Some(p) if p == payload => {}
        Some(_) => return Step::Payload2,
        None => return Step::Decode,
    }
    cookie_bytes[len / 2] = if cookie_bytes[len / 2] == b'A' {
        b'B'
    } else {
        b'A'
    };
    match open(&mac, &block, black_box(&cookie_bytes[..len]), &mut buf) {
        None => Step::Ok,
        Some(_) => Step::Tampered,
    }
}

fn open<'b>(
    mac: &Hmac<Sha256>,
    block: &[u8; 32],
    cookie: &[u8],
    buf: &'b mut [u8],
) -> Option<&'b [u8]> {
    let len = Base64UrlUnpadded::decode(cookie, buf).ok()?.len();
    let raw = &mut buf[..len];
    let body_end = raw.len().checked_sub(TAG)?;
    let mut m = mac.clone();
    m.update(b"session");
    m.update(&raw[..body_end]);
    m.verify_slice(&raw[body_end..]).ok()?;
    let _ = block;
    #[cfg(feature = "aes256")]
    {
        let iv: [u8; 16] = raw.get(HEADER..HEADER + IV)?.try_into().ok()?;
        Aes256Ctr::new(block.into(), &iv.into())
            .apply_keystream(raw.get_mut(HEADER + IV..body_end)?);
    }
    let raw: &'b [u8] = raw;
    raw.get(HEADER + IV..body_end)
}
