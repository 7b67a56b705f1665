//! Reading a cookie out of a `Cookie` request header, without copying.
//!
//! RFC 6265 §4.2: `cookie-pair *( ";" SP cookie-pair )`. Real clients are
//! looser, so pairs are split on `;`, whitespace around names and values is
//! skipped, a value in double quotes is returned without them, and pairs
//! without `=` are ignored.
//!
//! **Duplicate names.** A browser sends every cookie whose domain and path
//! match, most specific path first (RFC 6265 §5.4), so one name can appear
//! more than once. [`find`] returns the first, as Go's `Request.Cookie`
//! does; [`find_all`] yields each, so a caller can try them in turn.
//!
//! **Bounded work.** A client controls its `Cookie` header: 1 MB of forged
//! cookies under the session's name would each cost a MAC per key. The
//! store tries at most [`MAX_SAME_NAME`] of them and ignores the rest.
//!
//! ```
//! use securecookie::header;
//!
//! let h = r#"theme=dark; my-app=abc123; quoted="q v""#;
//! assert_eq!(header::find(h, "my-app"), Some("abc123"));
//! assert_eq!(header::find(h, "quoted"), Some("q v"));
//! assert_eq!(header::find(h, "absent"), None);
//! ```

use core::ops::Range;

/// Iterates the `(name, value)` pairs of a `Cookie` header, in order.
///
/// ```
/// let pairs: Vec<_> = securecookie::header::pairs("a=1; b=2").collect();
/// assert_eq!(pairs, [("a", "1"), ("b", "2")]);
/// ```
pub fn pairs(header: &str) -> impl Iterator<Item = (&str, &str)> + '_ {
    // Every delimiter is ASCII, so each range starts and ends on a char
    // boundary and `get` never fails.
    let cut = |r: Range<usize>| header.get(r).unwrap_or_default();
    ranges(header.as_bytes()).map(move |(name, value)| (cut(name), cut(value)))
}

/// The value of the first cookie called `name`, if any.
pub fn find<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    find_all(header, name).next()
}

/// The values of every cookie called `name`, in header order.
///
/// ```
/// let h = "s=new; other=1; s=old";
/// let all: Vec<_> = securecookie::header::find_all(h, "s").collect();
/// assert_eq!(all, ["new", "old"]);
/// ```
pub fn find_all<'h>(header: &'h str, name: &str) -> impl Iterator<Item = &'h str> {
    pairs(header).filter_map(move |(n, v)| (n == name).then_some(v))
}

/// The most cookies of one name that a store tries from one request (the
/// store's `get`; `http::get` and the session layer over all of a request's
/// `Cookie` headers); later ones are ignored, as if absent.
///
/// Why 16: a browser sends one cookie per name, domain and path it matches
/// (RFC 6265 §5.4), and a site rarely sets one name at more than a few
/// paths and domain levels, so a legitimate request holds a handful. Each
/// cookie tried costs a MAC per key (a gorilla store with 8 keys: 8 MACs),
/// so 16 keeps a request of forged cookies within 2x of a normal 1 MB
/// header (measured by `benches/worst_case.rs`). An attacker who can plant
/// cookies for your host can push a real one past any limit: use a
/// `__Host-` name (see [`CookieConfig`](crate::CookieConfig)).
pub const MAX_SAME_NAME: usize = 16;

/// The cookies called `name` that a store tries: the first
/// [`MAX_SAME_NAME`].
#[cfg(feature = "std")]
pub(crate) fn tried<'h>(header: &'h str, name: &str) -> impl Iterator<Item = &'h str> {
    find_all(header, name).take(MAX_SAME_NAME)
}

/// A cookie called `name` found by [`request_cookies`]: its value, and its
/// whole pair as it stands in the header (`name=value`, quotes kept), a
/// one-cookie header that [`find`] reads back to the same value.
#[cfg(any(feature = "http", feature = "engine"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found<'h> {
    pub(crate) pair: &'h str,
    pub(crate) value: &'h str,
}

/// The cookies called `name` in a request's `Cookie` headers given as raw
/// bytes (HTTP/2 may send one header per cookie), in order: the first
/// [`MAX_SAME_NAME`] over all of them. This is the crate's one scanner of
/// request headers (the session engine's, `http::get`'s): a header is
/// never read as text as a whole, so a pair that is not UTF-8 (a Latin-1
/// `tracker=caf\xe9` from another site) is skipped alone and never hides
/// the session beside it. Ours are always ASCII.
#[cfg(any(feature = "http", feature = "engine"))]
pub(crate) fn request_cookies<'h, 'n>(
    headers: impl IntoIterator<Item = &'h [u8]>,
    name: &'n str,
) -> impl Iterator<Item = Found<'h>> {
    headers
        .into_iter()
        .flat_map(move |header| {
            ranges(header).filter_map(move |(n, value)| {
                if header.get(n.clone()) != Some(name.as_bytes()) {
                    return None;
                }
                // A closing quote right after the value: the value was
                // quoted (an unquoted value never ends before a `"`).
                let end = value.end + usize::from(header.get(value.end) == Some(&b'"'));
                let pair = core::str::from_utf8(header.get(n.start..end)?).ok()?;
                // The value is inside the pair, which is text.
                let value = pair.get(value.start - n.start..value.end - n.start)?;
                Some(Found { pair, value })
            })
        })
        .take(MAX_SAME_NAME)
}

/// [`find`] on the header's raw bytes, as an HTTP parser hands them over
/// (`httparse`, embedded servers): no UTF-8 check, which on a
/// microcontroller is about 650 bytes of flash. [`Codec::decode`] takes the
/// value as it is.
///
/// ```
/// use securecookie::header;
/// assert_eq!(header::find_bytes(b"theme=dark; s=abc", "s"), Some(&b"abc"[..]));
/// ```
///
/// [`Codec::decode`]: crate::Codec::decode
pub fn find_bytes<'h>(header: &'h [u8], name: &str) -> Option<&'h [u8]> {
    ranges(header)
        .find(|(n, _)| header.get(n.clone()) == Some(name.as_bytes()))
        .and_then(|(_, value)| header.get(value))
}

/// The byte ranges of each pair's name and value: pairs split on `;`, those
/// without `=` or with an empty name skipped, spaces and tabs trimmed, one
/// pair of double quotes around a value removed. Byte scans only: firmware
/// links no UTF-8 decoding for it.
fn ranges(header: &[u8]) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + '_ {
    let mut at = 0;
    core::iter::from_fn(move || {
        while at < header.len() {
            let rest = header.get(at..).unwrap_or_default();
            let len = position(rest, b';').unwrap_or(rest.len());
            let pair = at..at + len;
            at += len + 1;
            let Some(eq) = rest[..len].iter().position(|&b| b == b'=') else {
                continue;
            };
            let name = trim(header, pair.start..pair.start + eq);
            let mut value = trim(header, pair.start + eq + 1..pair.end);
            if value.len() >= 2 && header[value.start] == b'"' && header[value.end - 1] == b'"' {
                value = value.start + 1..value.end - 1;
            }
            if !name.is_empty() {
                return Some((name, value));
            }
        }
        None
    })
}

/// The index of the first `byte` in `haystack`. On 64-bit targets eight
/// bytes at a time (a session cookie's value, ~150 bytes, is most of a
/// request's scan: a third of its instructions); elsewhere byte by byte,
/// the smaller code for firmware.
fn position(haystack: &[u8], byte: u8) -> Option<usize> {
    #[cfg(target_pointer_width = "64")]
    let haystack_at = {
        const ONES: u64 = u64::from_ne_bytes([1; 8]);
        const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
        let pattern = ONES * u64::from(byte);
        let mut at = 0;
        for chunk in haystack.chunks_exact(8) {
            let word = u64::from_ne_bytes(chunk.try_into().unwrap_or_default()) ^ pattern;
            // A zero byte in `word` (a match) sets its high bit here; the
            // bytes after the first match may be wrong, and are rescanned.
            if word.wrapping_sub(ONES) & !word & HIGHS != 0 {
                break;
            }
            at += 8;
        }
        at
    };
    #[cfg(not(target_pointer_width = "64"))]
    let haystack_at = 0;
    let rest = haystack.get(haystack_at..).unwrap_or_default();
    rest.iter()
        .position(|&b| b == byte)
        .map(|i| haystack_at + i)
}

/// `range` without the spaces and tabs at either end.
fn trim(header: &[u8], mut range: Range<usize>) -> Range<usize> {
    while range.start < range.end && is_space(header[range.start]) {
        range.start += 1;
    }
    while range.start < range.end && is_space(header[range.end - 1]) {
        range.end -= 1;
    }
    range
}

fn is_space(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_finds_the_first_byte_at_every_offset() {
        // Every length around the 8-byte words, the byte at every place
        // (and twice, and never), among bytes one bit away from it.
        for len in 0..40 {
            for at in 0..=len {
                let mut bytes = [b':'; 40];
                let hay = &mut bytes[..len];
                if at < len {
                    hay[at] = b';';
                    if at + 3 < len {
                        hay[at + 3] = b';';
                    }
                }
                let expected = (at < len).then_some(at);
                assert_eq!(position(hay, b';'), expected, "len {len}, at {at}");
                assert_eq!(hay.iter().position(|&b| b == b';'), expected);
            }
        }
        // No other byte matches, whatever its neighbours (a borrow from a
        // zero byte must not make the next one look like a match).
        for other in (0..=255u8).filter(|&b| b != b';') {
            assert_eq!(position(&[other; 17], b';'), None, "{other:#x}");
            let mut mixed = [other; 17];
            mixed[9] = b';';
            mixed[10] = b';' ^ 1;
            assert_eq!(position(&mixed, b';'), Some(9), "{other:#x}");
        }
        assert_eq!(position(b"0123456789abcdef;", b';'), Some(16));
    }

    #[test]
    fn loose_syntax() {
        let h = " a = 1 ;b=2;;  c=\"3\" ; noequals; d=; =e; f=x=y";
        let got: heapless::Vec<_, 8> = pairs(h).collect();
        assert_eq!(
            got.as_slice(),
            &[("a", "1"), ("b", "2"), ("c", "3"), ("d", ""), ("f", "x=y")]
        );
    }

    #[test]
    fn names_match_exactly() {
        let h = "sessionx=1; session=2; Session=3";
        assert_eq!(find(h, "session"), Some("2"));
        assert_eq!(find(h, "Session"), Some("3"));
        assert_eq!(find(h, "sess"), None);
        assert_eq!(find("", "a"), None);
    }

    #[cfg(feature = "std")]
    #[test]
    fn tried_stops_at_max_same_name() {
        let mut h = heapless::String::<512>::new();
        for i in 0..MAX_SAME_NAME + 5 {
            core::fmt::write(&mut h, format_args!("s={i}; ")).unwrap();
        }
        assert_eq!(tried(&h, "s").count(), MAX_SAME_NAME);
        assert_eq!(tried(&h, "s").last(), Some("15"));
        assert_eq!(MAX_SAME_NAME, 16);
    }

    /// Trimming stops at the header's ends: an empty name at the very
    /// start, spaces up to the very end.
    #[test]
    fn trims_at_the_ends_of_the_header() {
        let got: heapless::Vec<_, 4> = pairs("=x; a= ").collect();
        assert_eq!(got.as_slice(), &[("a", "")]);
        assert_eq!(find_bytes(b"=x; a=  ", "a"), Some(&b""[..]));
        assert_eq!(find(" \t", "a"), None);
    }

    /// Only the pair that is not UTF-8 is skipped: before ours, after it,
    /// in another header, or ours itself; quotes stay in the pair.
    #[cfg(any(feature = "http", feature = "engine"))]
    #[test]
    fn request_cookies_skip_only_a_bad_pair() {
        fn values<'h>(headers: &[&'h [u8]]) -> heapless::Vec<(&'h str, &'h str), 8> {
            request_cookies(headers.iter().copied(), "s")
                .map(|f| (f.pair, f.value))
                .collect()
        }
        let one: &[&[u8]] = &[b"tracker=caf\xe9; s=abc"];
        assert_eq!(values(one).as_slice(), &[("s=abc", "abc")]);
        let after: &[&[u8]] = &[b"s = \"abc\" ; t=\xff\xfe"];
        assert_eq!(values(after).as_slice(), &[("s = \"abc\"", "abc")]);
        let split: &[&[u8]] = &[b"a=1", b"x=\xe9\xe9; s=1", b"s=\xe9; s=2"];
        assert_eq!(values(split).as_slice(), &[("s=1", "1"), ("s=2", "2")]);
        let empty: &[&[u8]] = &[b"s=\"\"", b"s="];
        assert_eq!(values(empty).as_slice(), &[("s=\"\"", ""), ("s=", "")]);
        // Forged cookies count over all the headers.
        let mut many = heapless::Vec::<u8, 512>::new();
        for _ in 0..MAX_SAME_NAME {
            many.extend_from_slice(b"s=x; ").unwrap();
        }
        let past: &[&[u8]] = &[&many, b"s=good"];
        assert_eq!(
            request_cookies(past.iter().copied(), "s").count(),
            MAX_SAME_NAME
        );
        assert!(request_cookies(past.iter().copied(), "s").all(|f| f.value == "x"));
    }

    #[test]
    fn lone_quote_is_kept() {
        assert_eq!(find("a=\"", "a"), Some("\""));
    }

    #[test]
    fn bytes_and_text_agree() {
        let h = " a = 1 ;b=2;;  c=\"3\" ; noequals; d=; =e; f=x=y; é=ü; a=again";
        for name in ["a", "b", "c", "d", "e", "f", "x", "é", "noequals", ""] {
            assert_eq!(
                find_bytes(h.as_bytes(), name),
                find(h, name).map(str::as_bytes),
                "{name}"
            );
        }
        assert_eq!(find_bytes(b"a=\xff\xfe; b=2", "b"), Some(&b"2"[..]));
    }
}
