//! URL-safe base64 (RFC 4648 §5), padded or not, encoded and decoded in place.
//!
//! Why not `base64ct`: nothing secret passes through this layer (it carries
//! ciphertext, public MACs and, for signed-only cookies, a payload that is in
//! the clear anyway), so constant-time decoding buys nothing, while a table
//! decoder is several times faster and lets both envelopes encode in place in
//! the caller's one buffer. See the README ("Why our own base64").
//!
//! Decoding is strict: only canonical encodings are accepted (unused trailing
//! bits must be zero, padding exactly as the encoder writes it), so each
//! cookie has exactly one spelling and every character of it is covered by
//! the MAC.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

const INVALID: u8 = 0xff;

/// Each character's 6 bits, [`INVALID`] outside the alphabet. On 32-bit
/// targets (firmware, wasm) only its ASCII half is linked: see [`sextet`].
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The base64 length of `n` bytes.
pub(crate) const fn encoded_len(n: usize, padded: bool) -> usize {
    if padded {
        n.div_ceil(3) * 4
    } else {
        (n * 4).div_ceil(3)
    }
}

/// The largest number of bytes whose encoding fits in `chars` characters.
pub(crate) const fn max_decoded_len(chars: usize, padded: bool) -> usize {
    if padded {
        chars / 4 * 3
    } else {
        let rem = match chars % 4 {
            0 | 1 => 0,
            r => r - 1,
        };
        chars / 4 * 3 + rem
    }
}

/// `bytes` as unpadded base64url text (std: session ids and database keys).
#[cfg(feature = "std")]
pub(crate) fn encode_vec(bytes: &[u8]) -> std::string::String {
    let len = encoded_len(bytes.len(), false);
    let mut buf = std::vec![0u8; len];
    let start = len - bytes.len();
    buf[start..].copy_from_slice(bytes);
    let n = encode_in_place(&mut buf, start, bytes.len(), false);
    buf.truncate(n);
    // The alphabet is ASCII.
    std::string::String::from_utf8(buf).unwrap_or_default()
}

/// Encodes `buf[start..start + n]` into `buf[..encoded_len(n)]`, in place.
///
/// The raw bytes must sit at or after `encoded_len(n) - n` (they usually sit
/// at the very end of the encoded span): the writer then never overtakes the
/// reader. Returns the encoded length.
pub(crate) fn encode_in_place(buf: &mut [u8], start: usize, n: usize, padded: bool) -> usize {
    let out_len = encoded_len(n, padded);
    debug_assert!(start >= out_len - n);
    // One bounds check here instead of seven per group below.
    let buf = &mut buf[..out_len.max(start + n)];
    let full = n / 3;
    for k in wide_groups(buf, start)..full {
        let r = start + 3 * k;
        let x = u32::from(buf[r]) << 16 | u32::from(buf[r + 1]) << 8 | u32::from(buf[r + 2]);
        let w = 4 * k;
        buf[w..w + 4].copy_from_slice(&quad_chars(x));
    }
    // The last 1 or 2 bytes: one group as if zero-filled, cut to 2 or 3
    // characters (one copy of the character code for both cases: firmware
    // pays for each).
    let rest = n - 3 * full;
    if rest > 0 {
        let (r, w) = (start + 3 * full, 4 * full);
        let second = if rest == 2 { buf[r + 1] } else { 0 };
        let q = quad_chars(u32::from(buf[r]) << 16 | u32::from(second) << 8);
        buf[w..w + rest + 1].copy_from_slice(&q[..rest + 1]);
        if padded {
            buf[w + rest + 1..w + 4].fill(b'=');
        }
    }
    out_len
}

/// On 64-bit targets, encodes the first whole groups 24 bytes (eight
/// groups) at a time, then six (two groups): 8-byte loads, table lookups,
/// one store per block. Returns how many groups it did; the byte loop does
/// the rest. Firmware links the byte loop alone.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn wide_groups(buf: &mut [u8], start: usize) -> usize {
    // `buf` ends where the raw bytes end (`encode_in_place` cuts it there),
    // so a read window that fits holds whole groups only: the windows bound
    // the loops, and the byte loop does what is left. A pair (groups `k`,
    // `k + 1`) reads 8 bytes from `start + 3k`, 2 past its own, so it runs
    // while `k + 2 <= full`, and writes 8 characters from `4k`: they stay
    // behind the next pair's bytes when `4k + 8 <= start + 3k + 6`, that is
    // `k + 2 <= start`, which holds since `start >= encoded_len(n) - n >=
    // n / 3 >= full`. A block of four pairs reads all 26 of its bytes
    // before it writes, and its 32 characters stay behind the next block's
    // bytes when `k + 8 <= start`: the same bound.
    let mut k = 0;
    // Fixed-size views: one bounds check each, none per character.
    while let Some(bytes) = buf.get(start + 3 * k..).and_then(<[u8]>::first_chunk::<26>) {
        let words: [u64; 4] = core::array::from_fn(|pair| word_at(bytes, 6 * pair));
        let Some(chars) = buf.get_mut(4 * k..).and_then(<[u8]>::first_chunk_mut::<32>) else {
            break;
        };
        for (pair, word) in words.into_iter().enumerate() {
            put_pair_chars(chars, 8 * pair, word);
        }
        k += 8;
    }
    while let Some(bytes) = buf.get(start + 3 * k..).and_then(<[u8]>::first_chunk::<8>) {
        let word = u64::from_be_bytes(*bytes);
        let Some(chars) = buf.get_mut(4 * k..).and_then(<[u8]>::first_chunk_mut::<8>) else {
            break;
        };
        put_pair_chars(chars, 0, word);
        k += 2;
    }
    k
}

/// The big-endian word at `bytes[at..at + 8]`.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn word_at(bytes: &[u8; 26], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_be_bytes(word)
}

/// Writes the eight characters of `word`'s top six bytes at `chars[at..]`.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn put_pair_chars(chars: &mut [u8], at: usize, word: u64) {
    for i in 0..8 {
        chars[at + i] = ALPHABET[(word >> (58 - 6 * i)) as usize & 63];
    }
}

#[cfg(not(target_pointer_width = "64"))]
#[inline(always)]
fn wide_groups(_: &mut [u8], _: usize) -> usize {
    0
}

/// The four characters of the 24 bits in `x`. One copy on 32-bit targets
/// (firmware, wasm), where flash counts more than a call.
#[cfg_attr(target_pointer_width = "64", inline(always))]
#[cfg_attr(not(target_pointer_width = "64"), inline(never))]
fn quad_chars(x: u32) -> [u8; 4] {
    [
        ALPHABET[(x >> 18) as usize & 63],
        ALPHABET[(x >> 12) as usize & 63],
        ALPHABET[(x >> 6) as usize & 63],
        ALPHABET[x as usize & 63],
    ]
}

/// Decodes the text in `buf[..len]` into `buf[..]`, in place, returning the
/// decoded length.
#[cfg(any(feature = "gorilla", test))]
pub(crate) fn decode_in_place(buf: &mut [u8], len: usize, padded: bool) -> Result<usize, ()> {
    let (full, tail) = split(len, &buf[..len], padded)?;
    let tail_len = tail.len();
    let buf = &mut buf[..len];
    // Invalid characters set the high bit of `bad`; checked once at the end
    // (the caller discards the buffer on error).
    let mut bad = 0u8;
    for k in 0..full {
        let c = &buf[4 * k..4 * k + 4];
        let (x, b) = quad_bits([c[0], c[1], c[2], c[3]]);
        bad |= b;
        buf[3 * k..3 * k + 3].copy_from_slice(&x.to_be_bytes()[1..]);
    }
    if bad & 0xc0 != 0 {
        return Err(());
    }
    let mut t = [0u8; 4];
    t[..tail_len].copy_from_slice(&buf[4 * full..4 * full + tail_len]);
    let (bytes, n) = partial(&t[..tail_len])?;
    buf[3 * full..3 * full + n].copy_from_slice(&bytes[..n]);
    Ok(3 * full + n)
}

/// Decodes `src` into `dst`, returning the decoded length. `dst` must hold
/// [`max_decoded_len`] bytes.
pub(crate) fn decode(src: &[u8], dst: &mut [u8], padded: bool) -> Result<usize, ()> {
    let (full, tail) = split(src.len(), src, padded)?;
    let (done, mut bad) = wide_quads(&src[..4 * full], &mut dst[..3 * full]);
    let quads = src[4 * done..4 * full].chunks_exact(4);
    for (c, out) in quads.zip(dst[3 * done..3 * full].chunks_exact_mut(3)) {
        let (x, b) = quad_bits([c[0], c[1], c[2], c[3]]);
        bad |= b;
        out.copy_from_slice(&x.to_be_bytes()[1..]);
    }
    if bad & 0xc0 != 0 {
        return Err(());
    }
    let (bytes, n) = partial(tail)?;
    dst[3 * full..3 * full + n].copy_from_slice(&bytes[..n]);
    Ok(3 * full + n)
}

/// On 64-bit targets, decodes the first whole quads two at a time: eight
/// lookups into one 48-bit word, one 6-byte store (half the instructions
/// of the quad loop, counted by callgrind on a session cookie). Returns
/// how many quads it did, and the OR of the table entries it read (as
/// [`quad_bits`] flags them); the quad loop does the rest. Firmware links
/// the quad loop alone.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn wide_quads(src: &[u8], dst: &mut [u8]) -> (usize, u8) {
    let mut bad = 0u8;
    let mut pairs = 0;
    for (c, out) in src.chunks_exact(8).zip(dst.chunks_exact_mut(6)) {
        let mut x = 0u64;
        for &ch in c {
            let v = DECODE[usize::from(ch)];
            bad |= v;
            // A foreign character's entry spills into its neighbours'
            // bits: flagged in `bad`, the whole text is refused.
            x = x << 6 | u64::from(v);
        }
        out.copy_from_slice(&x.to_be_bytes()[2..]);
        pairs += 1;
    }
    (2 * pairs, bad)
}

#[cfg(not(target_pointer_width = "64"))]
#[inline(always)]
fn wide_quads(_: &[u8], _: &mut [u8]) -> (usize, u8) {
    (0, 0)
}

/// Splits the text into whole unpadded quads and a tail of 0 to 3 data
/// characters (padding removed and checked).
fn split(len: usize, text: &[u8], padded: bool) -> Result<(usize, &[u8]), ()> {
    let data_len = if padded {
        if !len.is_multiple_of(4) {
            return Err(());
        }
        match text {
            [.., b'=', b'='] => len - 2,
            [.., b'='] => len - 1,
            _ => len,
        }
    } else {
        // A lone last character (`len % 4 == 1`) is refused by `partial`.
        len
    };
    let full = data_len / 4;
    Ok((full, &text[4 * full..data_len]))
}

/// The 24 bits of four characters, and the OR of their table entries (its
/// top bits are set when any character is not in the alphabet).
#[inline(always)]
fn quad_bits(c: [u8; 4]) -> (u32, u8) {
    let (a, b, x, d) = (sextet(c[0]), sextet(c[1]), sextet(c[2]), sextet(c[3]));
    (join_sextets(a, b, x, d), a | b | x | d | non_ascii(c))
}

/// Four 6-bit values side by side in 24 bits (a foreign character's entry
/// spills over, but `quad_bits` flags it and the bits are thrown away).
#[inline(always)]
fn join_sextets(a: u8, b: u8, x: u8, d: u8) -> u32 {
    u32::from(a) << 18 | u32::from(b) << 12 | u32::from(x) << 6 | u32::from(d)
}

/// The table entry of character `c`: its 6 bits, or a value with a top bit
/// set (one of `0xc0`) when `c` is not in the alphabet. On 32-bit targets
/// (firmware, wasm) only the ASCII half of the table is linked (128 bytes
/// less flash): there, [`non_ascii`] flags the other half.
#[inline(always)]
fn sextet(c: u8) -> u8 {
    #[cfg(target_pointer_width = "64")]
    return DECODE[usize::from(c)];
    #[cfg(not(target_pointer_width = "64"))]
    return ascii_sextet(c);
}

/// `0x80` when one of the four characters is not ASCII, where [`sextet`]
/// looks them up in the ASCII half of the table; 0 elsewhere.
#[inline(always)]
fn non_ascii(c: [u8; 4]) -> u8 {
    #[cfg(target_pointer_width = "64")]
    return {
        let _ = c;
        0
    };
    #[cfg(not(target_pointer_width = "64"))]
    return high_bit(c);
}

/// `0x80` when any of the four characters has its high bit set.
#[cfg(any(test, not(target_pointer_width = "64")))]
#[inline(always)]
fn high_bit(c: [u8; 4]) -> u8 {
    (c[0] | c[1] | c[2] | c[3]) & 0x80
}

/// The entry of `c & 0x7f` in the ASCII half of [`DECODE`].
#[cfg(any(test, not(target_pointer_width = "64")))]
#[inline(always)]
fn ascii_sextet(c: u8) -> u8 {
    // A copy, not a view: a reference into `DECODE` would link all of it.
    const ASCII: [u8; 128] = {
        let mut half = [0; 128];
        let mut i = 0;
        while i < 128 {
            half[i] = DECODE[i];
            i += 1;
        }
        half
    };
    ASCII[usize::from(c & 0x7f)]
}

/// Decodes a final group of 2 or 3 characters (or none), rejecting non-zero
/// unused bits so that the encoding is canonical. The group is decoded as a
/// whole one, filled with `A` (zero bits): one copy of the decoding code.
fn partial(tail: &[u8]) -> Result<([u8; 2], usize), ()> {
    let n = match tail.len() {
        0 => return Ok(([0, 0], 0)),
        2 => 1,
        3 => 2,
        _ => return Err(()),
    };
    let mut quad = [b'A'; 4];
    quad[..tail.len()].copy_from_slice(tail);
    let (x, bad) = quad_bits(quad);
    // The bits below the `n` decoded bytes must be zero.
    if bad & 0xc0 != 0 || x & (0x00ff_ffff >> (8 * n)) != 0 {
        return Err(());
    }
    let b = x.to_be_bytes();
    Ok(([b[1], b[2]], n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(raw: &[u8], padded: bool) -> heapless::Vec<u8, 64> {
        let len = encoded_len(raw.len(), padded);
        let mut buf = [0u8; 64];
        let start = len - raw.len();
        buf[start..len].copy_from_slice(raw);
        let n = encode_in_place(&mut buf, start, raw.len(), padded);
        heapless::Vec::from_slice(&buf[..n]).unwrap()
    }

    /// The in-place encoder against a bit-at-a-time one, for every length
    /// the 64-bit loops split differently (blocks of eight groups, pairs,
    /// single groups, the last partial group) and for raw bytes at the
    /// tightest start and further out.
    #[test]
    fn in_place_encoding_matches_a_plain_encoder() {
        fn plain(raw: &[u8], padded: bool) -> heapless::Vec<u8, 512> {
            let mut out = heapless::Vec::new();
            for chunk in raw.chunks(3) {
                let mut group = [0u8; 3];
                group[..chunk.len()].copy_from_slice(chunk);
                let x = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
                for i in 0..=chunk.len() {
                    out.push(ALPHABET[(x >> (18 - 6 * i)) as usize & 63])
                        .unwrap();
                }
                for _ in chunk.len()..3 {
                    if padded {
                        out.push(b'=').unwrap();
                    }
                }
            }
            out
        }
        let raw: [u8; 300] = core::array::from_fn(|i| (i as u8).wrapping_mul(151) ^ 0x3c);
        for n in 0..raw.len() {
            for padded in [true, false] {
                let len = encoded_len(n, padded);
                for slack in [0, 1, 2, 7, 40] {
                    // Garbage, not zeros, around the raw bytes: a read
                    // past them cannot pass for a zero-filled last group.
                    let mut buf = [0xa5u8; 512];
                    let start = len - n + slack;
                    buf[start..start + n].copy_from_slice(&raw[..n]);
                    let m = encode_in_place(&mut buf, start, n, padded);
                    assert_eq!(
                        &buf[..m],
                        plain(&raw[..n], padded).as_slice(),
                        "{n} {slack}"
                    );
                }
            }
        }
    }

    #[test]
    fn rfc4648_vectors() {
        let cases: [(&[u8], &str, &str); 7] = [
            (b"", "", ""),
            (b"f", "Zg==", "Zg"),
            (b"fo", "Zm8=", "Zm8"),
            (b"foo", "Zm9v", "Zm9v"),
            (b"foob", "Zm9vYg==", "Zm9vYg"),
            (b"fooba", "Zm9vYmE=", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy", "Zm9vYmFy"),
        ];
        for (raw, padded, unpadded) in cases {
            assert_eq!(enc(raw, true).as_slice(), padded.as_bytes());
            assert_eq!(enc(raw, false).as_slice(), unpadded.as_bytes());
            let mut out = [0u8; 16];
            let n = decode(padded.as_bytes(), &mut out, true).unwrap();
            assert_eq!(&out[..n], raw);
            let n = decode(unpadded.as_bytes(), &mut out, false).unwrap();
            assert_eq!(&out[..n], raw);
            let mut buf = [0u8; 16];
            buf[..padded.len()].copy_from_slice(padded.as_bytes());
            let n = decode_in_place(&mut buf, padded.len(), true).unwrap();
            assert_eq!(&buf[..n], raw);
        }
    }

    #[test]
    fn half_table_lookup_agrees_with_the_full_table() {
        for c in 0..=255u8 {
            // What the 32-bit path computes for a character.
            let half = ascii_sextet(c) | high_bit([c, b'A', b'A', b'A']);
            let full = DECODE[usize::from(c)];
            if full == INVALID {
                assert_ne!(half & 0xc0, 0, "{c:#x}");
            } else {
                assert_eq!(half, full, "{c:#x}");
            }
        }
    }

    /// The 32-bit path's flag: one non-ASCII character in any place, or
    /// two (which must not cancel out), and none for ASCII text.
    #[test]
    fn any_non_ascii_character_is_flagged() {
        for i in 0..4 {
            for j in 0..4 {
                for (x, y) in [(0x80, 0x80), (0xff, 0xc3)] {
                    let mut quad = *b"AZaz";
                    quad[i] = x;
                    quad[j] = y;
                    assert_eq!(high_bit(quad), 0x80, "{quad:?}");
                }
            }
        }
        for i in 0..4 {
            let mut quad = *b"AZaz";
            quad[i] = 0x80;
            assert_eq!(high_bit(quad), 0x80, "{quad:?}");
        }
        assert_eq!(high_bit(*b"-_09"), 0);
        assert_eq!(high_bit([0x7f; 4]), 0);
    }

    #[test]
    fn url_alphabet_round_trip() {
        let raw: [u8; 48] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0xfb);
        for padded in [true, false] {
            for n in 0..raw.len() {
                let text = enc(&raw[..n], padded);
                assert!(!text.contains(&b'+') && !text.contains(&b'/'));
                let mut out = [0u8; 64];
                let m = decode(&text, &mut out, padded).unwrap();
                assert_eq!(&out[..m], &raw[..n]);
                let max = max_decoded_len(text.len(), padded);
                assert!(max >= n && max < n + 3 && encoded_len(max, padded) == text.len());
            }
        }
    }

    #[test]
    fn rejects_a_foreign_character_anywhere() {
        let raw = [0x5au8; 30];
        for padded in [true, false] {
            let text = enc(&raw, padded);
            for at in 0..text.len() {
                for bad in [b'+', b'/', b'|', b'=', 0x00, 0x80, 0xff] {
                    let mut t = text.clone();
                    if t[at] == bad {
                        continue;
                    }
                    t[at] = bad;
                    let mut out = [0u8; 64];
                    assert!(decode(&t, &mut out, padded).is_err(), "{at} {bad}");
                    let mut buf = [0u8; 64];
                    buf[..t.len()].copy_from_slice(&t);
                    assert!(decode_in_place(&mut buf, t.len(), padded).is_err());
                }
            }
        }
    }

    /// One foreign character anywhere, or two in one group or anywhere in
    /// the text (whose table entries could cancel out in a careless check),
    /// is refused: in a whole group, in the 64-bit two-group loop (from 7
    /// bytes on) and in the final 2- or 3-character group.
    #[test]
    fn rejects_two_foreign_characters_in_one_group() {
        const FOREIGN: [u8; 5] = [b'+', b'|', 0x00, 0x80, 0xff];
        let refused = |t: &[u8], padded: bool| {
            let mut out = [0u8; 64];
            let mut buf = [0u8; 64];
            buf[..t.len()].copy_from_slice(t);
            decode(t, &mut out, padded).is_err()
                && decode_in_place(&mut buf, t.len(), padded).is_err()
        };
        for n in [1, 2, 4, 5, 7, 8, 13] {
            let raw = [0x00u8; 16];
            for padded in [true, false] {
                let text = enc(&raw[..n], padded);
                let data = text.iter().filter(|&&c| c != b'=').count();
                let tail = data - 4 * (n / 3);
                assert!(tail == 2 || tail == 3);
                for i in 0..data {
                    for a in FOREIGN {
                        let mut t = text.clone();
                        t[i] = a;
                        assert!(refused(&t, padded), "{n} {padded} {i} {a}");
                        for j in i + 1..data {
                            for b in FOREIGN {
                                let mut t = t.clone();
                                t[j] = b;
                                assert!(refused(&t, padded), "{n} {i} {a} {j} {b}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// Every unused trailing bit of a final group is checked: each one set
    /// alone gives a second spelling of the same bytes, refused.
    #[test]
    fn rejects_each_unused_trailing_bit() {
        for (n, unused) in [(1, 4), (2, 2)] {
            let raw = [0u8; 2];
            let text = enc(&raw[..n], false);
            let last = text.len() - 1;
            for bit in 0..unused {
                let mut t = text.clone();
                t[last] = ALPHABET[1 << bit];
                let mut out = [0u8; 8];
                assert!(decode(&t, &mut out, false).is_err(), "{n} {bit}");
            }
        }
    }

    #[test]
    fn rejects_non_canonical_and_foreign_text() {
        let mut out = [0u8; 16];
        for bad in [
            "Zh==", "Zm9=", "Zg=", "Zg", "Z===", "Zm+v", "Zm/v", "Zm9v\n", "=Zm9",
        ] {
            assert!(decode(bad.as_bytes(), &mut out, true).is_err(), "{bad}");
        }
        for bad in ["Zh", "Zm9", "Zg==", "Z", "Zm9vY"] {
            assert!(decode(bad.as_bytes(), &mut out, false).is_err(), "{bad}");
        }
    }
}
