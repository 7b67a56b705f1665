//! The `gorilla` envelope, byte-compatible with Go's gorilla/securecookie
//! v1.1 (and so with dghubble/sessions and gorilla/sessions).
//!
//! ```text
//! inner  = base64url( IV(16) || AES-CTR(payload) )   encrypted
//!        | base64url( payload )                      signed only
//! mac    = HMAC-SHA256(hash_key, name "|" ts "|" inner)   ts: decimal Unix seconds
//! cookie = base64url( ts "|" inner "|" mac )              mac: 32 raw bytes
//! ```
//!
//! Both base64 layers use the URL-safe alphabet with `=` padding. Decoding
//! follows Go's order, which decides the error a bad cookie gets: length,
//! outer base64, split on the first two `|`, MAC, timestamp, min age, max
//! age, inner base64, decryption.
//!
//! Where this differs from Go (all on inputs Go's own encoder never writes):
//! an encrypted empty payload (IV only) decodes to an empty payload where Go
//! fails; base64 must be canonical (Go tolerates `\r`, `\n` and non-zero
//! trailing bits); the timestamp must be plain digits (Go's `ParseInt` also
//! takes a sign).

use crate::codec::b64;
use crate::codec::envelope::{Ages, decrypt};
use crate::codec::iv::Iv;
use crate::codec::keys::{IV_LEN, Keys, TAG_LEN};
use crate::error::Error;

/// Powers of ten up to 10^19, for decimal timestamps without 64-bit
/// division (which costs about a kilobyte of flash on 32-bit targets).
const POWERS: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// The number of decimal digits of `ts`.
pub const fn timestamp_digits(ts: u64) -> usize {
    let mut digits = 1;
    while digits < 20 && ts >= POWERS[digits] {
        digits += 1;
    }
    digits
}

/// The cookie length, in characters, for a payload of `payload_len` bytes
/// stamped at `ts` (Unix seconds: the decimal timestamp is part of it).
///
/// ```
/// use securecookie::envelope::gorilla;
/// // `user-id=a1b2c3` (14 bytes), AES, stamped in 2026: 112 characters.
/// assert_eq!(gorilla::encoded_len(14, true, 1_795_630_448), 112);
/// ```
pub const fn encoded_len(payload_len: usize, encrypted: bool, ts: u64) -> usize {
    b64::encoded_len(raw_len(payload_len, encrypted, timestamp_digits(ts)), true)
}

/// The largest payload whose cookie, stamped at `ts`, fits in `max_length`
/// characters (0 when not even an empty payload fits).
///
/// ```
/// use securecookie::envelope::gorilla;
/// let ts = 1_795_630_448;
/// let max = gorilla::max_payload_len(4096, true, ts);
/// assert!(gorilla::encoded_len(max, true, ts) <= 4096);
/// assert!(gorilla::encoded_len(max + 1, true, ts) > 4096);
/// ```
pub const fn max_payload_len(max_length: usize, encrypted: bool, ts: u64) -> usize {
    let raw = b64::max_decoded_len(max_length, true);
    let overhead = timestamp_digits(ts) + 2 + TAG_LEN;
    if raw < overhead {
        return 0;
    }
    let inner = b64::max_decoded_len(raw - overhead, true);
    let iv = if encrypted { IV_LEN } else { 0 };
    inner.saturating_sub(iv)
}

const fn raw_len(payload_len: usize, encrypted: bool, digits: usize) -> usize {
    let inner = payload_len + if encrypted { IV_LEN } else { 0 };
    digits + 1 + b64::encoded_len(inner, true) + 1 + TAG_LEN
}

/// Writes the decimal digits of `ts` into `out` (exactly
/// `timestamp_digits(ts)` long): 32-bit division while the time fits,
/// repeated subtraction beyond.
fn write_timestamp(mut ts: u64, out: &mut [u8]) {
    // Until 2106 the time fits 32 bits, whose division is one instruction
    // (or a multiply) on every target, even those without 64-bit division.
    if let Ok(mut t) = u32::try_from(ts) {
        for slot in out.iter_mut().rev() {
            *slot = b'0' + (t % 10) as u8;
            t /= 10;
        }
        return;
    }
    let digits = out.len();
    for (i, slot) in out.iter_mut().enumerate() {
        let power = POWERS[digits - 1 - i];
        let mut d = b'0';
        while ts >= power {
            ts -= power;
            d += 1;
        }
        *slot = d;
    }
}

/// Parses plain decimal digits into a `u64`, rejecting signs, spaces,
/// emptiness, leading zeros and overflow. Go never writes a leading zero
/// (nor do we): refusing them keeps one spelling per cookie, even for a
/// key holder (Go's `ParseInt` takes `01800000000`, and 3,000 zeros).
fn parse_timestamp(text: &[u8]) -> Option<u64> {
    if let [] | [b'0', _, ..] = text {
        return None;
    }
    let mut ts: u64 = 0;
    for &c in text {
        if !c.is_ascii_digit() {
            return None;
        }
        ts = ts.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(ts)
}

/// Encodes into `out`, which the caller has checked holds
/// `encoded_len(payload.len(), _, ts)` bytes. Returns the cookie length.
pub(crate) fn encode(
    keys: &Keys,
    name: &str,
    payload: &[u8],
    ts: u64,
    iv: Iv,
    out: &mut [u8],
) -> usize {
    let encrypted = keys.is_encrypted();
    let digits = timestamp_digits(ts);
    let raw = raw_len(payload.len(), encrypted, digits);
    let len = b64::encoded_len(raw, true);
    let start = len - raw;
    // Layout of out[start..len]: ts "|" inner "|" mac, built in place.
    let inner_raw = payload.len() + if encrypted { IV_LEN } else { 0 };
    let inner_len = b64::encoded_len(inner_raw, true);
    let inner_at = start + digits + 1;
    write_timestamp(ts, &mut out[start..start + digits]);
    out[start + digits] = b'|';
    {
        // IV and ciphertext at the end of the inner span, then base64 them
        // forward in place.
        let inner = &mut out[inner_at..inner_at + inner_len];
        let mut at = inner_len - inner_raw;
        if encrypted {
            let iv = iv.into_bytes();
            inner[at..at + IV_LEN].copy_from_slice(&iv);
            at += IV_LEN;
            inner[at..].copy_from_slice(payload);
            keys.apply_ctr(iv, &mut inner[at..]);
        } else {
            inner[at..].copy_from_slice(payload);
        }
        b64::encode_in_place(inner, inner_len - inner_raw, inner_raw, true);
    }
    let mac_at = inner_at + inner_len;
    let mut mac = keys.mac();
    mac.update(name.as_bytes());
    mac.update(b"|");
    mac.update(&out[start..mac_at]);
    out[mac_at] = b'|';
    out[mac_at + 1..len].copy_from_slice(&mac.finalize());
    b64::encode_in_place(out, start, raw, true)
}

/// Undoes the outer base64 into `buf`, returning the raw length.
pub(crate) fn unwrap(cookie: &[u8], buf: &mut [u8]) -> Result<usize, Error> {
    let needed = b64::max_decoded_len(cookie.len(), true);
    if buf.len() < needed {
        return Err(Error::BufferTooSmall { needed });
    }
    b64::decode(cookie, buf, true).map_err(|_| Error::Base64)
}

/// The positions of the first two `|` (Go: `bytes.SplitN(b, "|", 3)`; the
/// MAC after the second may itself contain `|`).
fn separators(raw: &[u8]) -> Result<(usize, usize), Error> {
    let first = find_pipe(raw).ok_or(Error::Malformed)?;
    let second = find_pipe(&raw[first + 1..]).ok_or(Error::Malformed)?;
    Ok((first, first + 1 + second))
}

/// The first `|` in `bytes`, eight bytes at a time: the search runs over
/// the whole inner base64 text, which is most of the cookie. (Nothing here
/// is secret: the text is base64 of ciphertext, or a signed-only payload.)
fn find_pipe(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const PIPES: u64 = u64::from_ne_bytes([b'|'; 8]);
    let mut at = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Zero bytes of `x` are the `|` of the chunk; this is non-zero
        // exactly when there is one.
        let x = u64::from_ne_bytes(word) ^ PIPES;
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            break;
        }
        at += 8;
    }
    bytes[at..].iter().position(|&c| c == b'|').map(|p| at + p)
}

/// Checks the shape and the MAC of an unwrapped cookie, changing nothing.
pub(crate) fn verify(keys: &Keys, name: &str, raw: &[u8]) -> Result<(), Error> {
    let (_, second) = separators(raw)?;
    let tag = &raw[second + 1..];
    // A wrong-length MAC is a mismatch, as in Go.
    if tag.len() != TAG_LEN {
        return Err(Error::MacMismatch);
    }
    let mut mac = keys.mac();
    mac.update(name.as_bytes());
    mac.update(b"|");
    mac.update(&raw[..second]);
    mac.verify(tag)
}

/// After [`verify`]: parses and checks the time, undoes the inner base64
/// and decrypts, in place; returns the payload and its timestamp.
pub(crate) fn finish<'b>(
    keys: &Keys,
    raw: &'b mut [u8],
    now: u64,
    ages: Ages,
) -> Result<(&'b [u8], u64), Error> {
    // `verify` found the second `|` exactly one MAC from the end; the first
    // is within the timestamp's few digits.
    let second = raw.len().checked_sub(TAG_LEN + 1).ok_or(Error::Malformed)?;
    let first = find_pipe(&raw[..second]).ok_or(Error::Malformed)?;
    let ts = parse_timestamp(&raw[..first]).ok_or(Error::InvalidTimestamp)?;
    ages.check(ts, now)?;
    let inner = &mut raw[first + 1..second];
    let inner_len = inner.len();
    let n = b64::decode_in_place(inner, inner_len, true).map_err(|_| Error::Base64)?;
    let body = &mut raw[first + 1..first + 1 + n];
    Ok((decrypt(keys, body)?, ts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_pipe_is_position() {
        let mut text = [b'A'; 40];
        assert_eq!(find_pipe(&text), None);
        assert_eq!(find_pipe(&[]), None);
        for i in 0..text.len() {
            text[i] = b'|';
            for j in i..text.len() {
                text[j] = b'|';
                for len in 0..=text.len() {
                    let expected = text[..len].iter().position(|&c| c == b'|');
                    assert_eq!(find_pipe(&text[..len]), expected, "{i} {j} {len}");
                }
                text[j] = if j == i { b'|' } else { b'A' };
            }
            text[i] = b'A';
        }
        // Bytes next to `|` in value (`{`, `}`, 0xfc, 0x7c ^ 0x80) are not it.
        for c in [b'{', b'}', 0xfc, 0x00, 0xff, 0x7d] {
            assert_eq!(find_pipe(&[c; 24]), None);
        }
    }

    #[test]
    fn timestamps() {
        for ts in [
            0,
            9,
            10,
            99,
            1_700_000_000,
            4_294_967_295,
            4_294_967_296,
            u64::MAX,
        ] {
            let d = timestamp_digits(ts);
            let mut buf = [0u8; 20];
            write_timestamp(ts, &mut buf[..d]);
            let mut std_fmt = heapless::String::<20>::new();
            core::fmt::write(&mut std_fmt, format_args!("{ts}")).unwrap();
            assert_eq!(&buf[..d], std_fmt.as_bytes());
            assert_eq!(parse_timestamp(&buf[..d]), Some(ts));
        }
        for bad in [
            &b""[..],
            b"-1",
            b"+1",
            b" 1",
            b"1a",
            b"18446744073709551616",
            b"00",
            b"01",
            b"01800000000",
            b"018446744073709551615",
        ] {
            assert_eq!(parse_timestamp(bad), None);
        }
        assert_eq!(parse_timestamp(&[b'0'; 3000]), None);
        assert_eq!(parse_timestamp(b"0"), Some(0));
        assert_eq!(parse_timestamp(b"10"), Some(10));
    }

    /// A cookie that a key holder wrote with a leading zero in its
    /// timestamp verifies but is refused: one spelling per cookie.
    #[test]
    fn leading_zero_timestamp_is_refused_after_the_mac() {
        let keys = Keys::new(&[7; 32], None).unwrap();
        let ages = Ages {
            max_age: 0,
            min_age: 0,
            max_skew: None,
        };
        for (ts, ok) in [
            (&b"1800000000"[..], true),
            (b"01800000000", false),
            (b"0", true),
        ] {
            // ts "|" base64("x") "|" mac
            let mut raw = heapless::Vec::<u8, 64>::new();
            raw.extend_from_slice(ts).unwrap();
            raw.extend_from_slice(b"|eA==").unwrap();
            let mut mac = keys.mac();
            mac.update(b"s|");
            mac.update(&raw);
            raw.push(b'|').unwrap();
            raw.extend_from_slice(&mac.finalize()).unwrap();
            assert_eq!(verify(&keys, "s", &raw), Ok(()));
            let got = finish(&keys, &mut raw, 1_800_000_000, ages);
            if ok {
                assert_eq!(got.map(|(p, _)| p == b"x"), Ok(true));
            } else {
                assert_eq!(got.unwrap_err(), Error::InvalidTimestamp);
            }
        }
    }

    /// Below the overhead nothing fits (0); at and above it, the largest
    /// payload that fits, exactly.
    #[test]
    fn max_payload_len_is_exact_at_every_length() {
        for ts in [0, 1_800_000_000, u64::MAX] {
            for encrypted in [false, true] {
                for max in 0..300 {
                    let m = max_payload_len(max, encrypted, ts);
                    if encoded_len(0, encrypted, ts) > max {
                        assert_eq!(m, 0, "{max}");
                    } else {
                        assert!(encoded_len(m, encrypted, ts) <= max, "{max}");
                        assert!(encoded_len(m + 1, encrypted, ts) > max, "{max}");
                    }
                }
            }
        }
    }
}
