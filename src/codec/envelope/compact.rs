//! The `compact` envelope, this crate's own format (the default).
//!
//! ```text
//! header = version(1) kid(1) ts(8, big-endian Unix seconds)
//! body   = IV(16) || AES-CTR(payload)      version 0x02, encrypted
//!        | payload                         version 0x01, signed only
//! pair   = HMAC-SHA256(hash_key, "securecookie key id v1" || 0x00)               signed only
//!        | HMAC-SHA256(hash_key, "securecookie key id v1" || 0x01 || block_key)  encrypted
//! kid    = pair[0]
//! tag    = HMAC-SHA256(hash_key, "sc1" || pair || u16be(len(name)) || name || header || body)
//! cookie = base64url-nopad(header || body || tag)
//! ```
//!
//! One base64 pass, no decimal timestamp and no separators: for the same
//! payload it is about a fifth shorter than the gorilla envelope and cheaper
//! to compute. The name is bound by the tag, length-prefixed. The key pair's
//! fingerprint `pair` is bound too, so only the exact key pair verifies a
//! cookie (the gorilla MAC covers only the hash key, so there a wrong block
//! key "decrypts" to garbage); `"sc1" || pair` is absorbed into the keyed
//! state once per codec and costs nothing per cookie. The `sc1` prefix keeps
//! tag inputs apart from the gorilla envelope's, which always start with a
//! token character.

use crate::codec::b64;
use crate::codec::envelope::{Ages, decrypt};
use crate::codec::iv::Iv;
use crate::codec::keys::{IV_LEN, Keys, TAG_LEN};
use crate::error::Error;

/// Version byte of a signed-only cookie.
pub const VERSION_SIGNED: u8 = 0x01;
/// Version byte of an AES-CTR encrypted cookie.
pub const VERSION_ENCRYPTED: u8 = 0x02;
/// Bytes before the body: version, key id, timestamp.
pub const HEADER_LEN: usize = 10;

/// The cookie length, in characters, for a payload of `payload_len` bytes.
///
/// ```
/// use securecookie::envelope::compact;
/// // The typical session `user-id=a1b2c3` as a 15-byte kv payload:
/// assert_eq!(compact::encoded_len(15, true), 98);
/// assert_eq!(compact::encoded_len(15, false), 76);
/// ```
pub const fn encoded_len(payload_len: usize, encrypted: bool) -> usize {
    b64::encoded_len(raw_len(payload_len, encrypted), false)
}

/// The largest payload whose cookie fits in `max_length` characters (0 when
/// not even an empty payload fits).
///
/// ```
/// use securecookie::envelope::compact;
/// let max = compact::max_payload_len(4096, true);
/// assert!(compact::encoded_len(max, true) <= 4096);
/// assert!(compact::encoded_len(max + 1, true) > 4096);
/// ```
pub const fn max_payload_len(max_length: usize, encrypted: bool) -> usize {
    let raw = b64::max_decoded_len(max_length, false);
    let overhead = raw_len(0, encrypted);
    raw.saturating_sub(overhead)
}

const fn raw_len(payload_len: usize, encrypted: bool) -> usize {
    HEADER_LEN + if encrypted { IV_LEN } else { 0 } + payload_len + TAG_LEN
}

/// Encodes into `out`, which the caller has checked holds
/// `encoded_len(payload.len())` bytes. Returns the cookie length.
pub(crate) fn encode(
    keys: &Keys,
    name: &str,
    payload: &[u8],
    ts: u64,
    iv: Iv,
    out: &mut [u8],
) -> usize {
    let encrypted = keys.is_encrypted();
    let raw = raw_len(payload.len(), encrypted);
    let len = b64::encoded_len(raw, false);
    // Build the raw bytes at the end of the span, then base64 them forward
    // in place: one buffer, each byte written once before the encoding.
    let start = len - raw;
    let (head, rest) = out[start..len].split_at_mut(HEADER_LEN);
    head[0] = if encrypted {
        VERSION_ENCRYPTED
    } else {
        VERSION_SIGNED
    };
    head[1] = keys.key_id();
    head[2..].copy_from_slice(&ts.to_be_bytes());
    let body_len = rest.len() - TAG_LEN;
    let body = &mut rest[..body_len];
    if encrypted {
        let (iv_slot, data) = body.split_at_mut(IV_LEN);
        data.copy_from_slice(payload);
        let iv = iv.into_bytes();
        iv_slot.copy_from_slice(&iv);
        keys.apply_ctr(iv, data);
    } else {
        body.copy_from_slice(payload);
    }
    let tag_at = len - TAG_LEN;
    let prefix_len = 2 + name.len();
    let mac = if FEWER_UPDATES && prefix_len <= start {
        // The name's part of the tag input fits in the room base64 will
        // fill: write it just before the header and MAC it, header and body
        // in one update (the encoder then writes over it).
        let at = start - prefix_len;
        out[at..at + 2].copy_from_slice(&(name.len() as u16).to_be_bytes());
        out[at + 2..start].copy_from_slice(name.as_bytes());
        let mut mac = keys.compact_mac();
        mac.update(&out[at..tag_at]);
        mac
    } else {
        // Header and body sit side by side: one update after the prefix.
        let mut mac = tag_state(keys, name);
        mac.update(&out[start..tag_at]);
        mac
    };
    out[tag_at..len].copy_from_slice(&mac.finalize());
    b64::encode_in_place(out, start, raw, false)
}

/// Names up to this long go into the MAC in one update with the prefix.
const SHORT_NAME: usize = 59;

/// Whether to copy bytes around to save `update` calls (each has a fixed
/// cost: worth it on a server). On 32-bit targets (firmware, wasm) the
/// plain path alone is linked: the same tag for less flash.
const FEWER_UPDATES: bool = cfg!(target_pointer_width = "64");

// Inlined: returning the keyed state (a few hundred bytes) by value would
// copy it on every cookie.
#[inline(always)]
fn tag_state<'k>(keys: &'k Keys, name: &str) -> crate::codec::mac::Mac<'k> {
    // `"sc1" || pair fingerprint` is already in the state.
    let mut mac = keys.compact_mac();
    // Names are at most 1024 bytes; `Codec` has checked they are tokens.
    let len = (name.len() as u16).to_be_bytes();
    if FEWER_UPDATES && name.len() <= SHORT_NAME {
        // Each `update` call has a fixed cost; one is cheaper than two.
        let mut prefix = [0u8; 2 + SHORT_NAME];
        let n = 2 + name.len();
        prefix[..2].copy_from_slice(&len);
        prefix[2..n].copy_from_slice(name.as_bytes());
        mac.update(&prefix[..n]);
    } else {
        mac.update(&len);
        mac.update(name.as_bytes());
    }
    mac
}

/// Undoes the base64 into `buf`, returning the raw length.
pub(crate) fn unwrap(cookie: &[u8], buf: &mut [u8]) -> Result<usize, Error> {
    let needed = b64::max_decoded_len(cookie.len(), false);
    if buf.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    let len = b64::decode(cookie, buf, false).map_err(|_| Error::Base64)?;
    if len < HEADER_LEN + TAG_LEN {
        return Err(Error::Malformed);
    }
    match buf[0] {
        VERSION_SIGNED | VERSION_ENCRYPTED => Ok(len),
        _ => Err(Error::Malformed),
    }
}

/// The key id of an unwrapped cookie.
pub(crate) fn key_id(raw: &[u8]) -> u8 {
    raw[1]
}

/// Checks the key id, the encryption flag and the tag of an unwrapped
/// cookie, changing nothing.
pub(crate) fn verify(keys: &Keys, name: &str, raw: &[u8]) -> Result<(), Error> {
    let encrypted = raw[0] == VERSION_ENCRYPTED;
    if encrypted != keys.is_encrypted() || raw[1] != keys.key_id() {
        // Made with another key pair: to us, indistinguishable from a forgery.
        return Err(Error::MacMismatch);
    }
    let (signed, tag) = raw.split_at(raw.len() - TAG_LEN);
    let mut mac = tag_state(keys, name);
    mac.update(signed);
    mac.verify(tag)
}

/// After [`verify`]: checks the time and decrypts in place, returning the
/// payload and its timestamp.
pub(crate) fn finish<'b>(
    keys: &Keys,
    raw: &'b mut [u8],
    now: u64,
    ages: Ages,
) -> Result<(&'b [u8], u64), Error> {
    let mut ts = [0u8; 8];
    ts.copy_from_slice(&raw[2..HEADER_LEN]);
    let ts = u64::from_be_bytes(ts);
    ages.check(ts, now)?;
    let tag_at = raw.len() - TAG_LEN;
    let body = &mut raw[HEADER_LEN..tag_at];
    Ok((decrypt(keys, body)?, ts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_in_the_output_or_not_gives_one_tag() {
        // A signed 1-byte payload leaves 15 bytes of base64 room before the
        // raw bytes: names up to 10 bytes take the in-buffer path, longer
        // ones the other.
        let keys = Keys::new(&[7; 32], None).unwrap();
        let name = [b'n'; 40];
        for len in [1, 5, 6, 40] {
            let name = core::str::from_utf8(&name[..len]).unwrap();
            let mut out = [0u8; 128];
            let n = encode(
                &keys,
                name,
                b"x",
                1,
                Iv::from_random_bytes([0; 16]),
                &mut out,
            );
            let mut raw = [0u8; 96];
            let m = b64::decode(&out[..n], &mut raw, false).unwrap();
            assert_eq!(verify(&keys, name, &raw[..m]), Ok(()), "{len}");
            let mut expected = tag_state(&keys, name);
            expected.update(&raw[..m - TAG_LEN]);
            assert_eq!(&expected.finalize()[..], &raw[m - TAG_LEN..m]);
        }
    }

    #[test]
    fn tag_prefix_is_the_same_for_short_and_long_names() {
        let keys = Keys::new(&[7; 32], None).unwrap();
        let name = [b'n'; 300];
        for len in [1, SHORT_NAME - 1, SHORT_NAME, SHORT_NAME + 1, 300] {
            let name = core::str::from_utf8(&name[..len]).unwrap();
            use hmac::Mac as _;
            let mut expected =
                <crate::codec::keys::HmacSha256 as hmac::KeyInit>::new_from_slice(&[7; 32])
                    .unwrap();
            expected.update(crate::codec::keys::COMPACT_TAG_CONTEXT);
            expected.update(keys.pair_fingerprint());
            expected.update(&(len as u16).to_be_bytes());
            expected.update(name.as_bytes());
            assert_eq!(
                tag_state(&keys, name).finalize(),
                <[u8; TAG_LEN]>::from(expected.finalize().into_bytes()),
                "{len}"
            );
        }
    }
}
