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

/// The start of `header` up to its `n`-th cookie called `name` (or its
/// last, when it holds fewer), and how many it holds: to pass on a header
/// without the cookies past a budget, without copying.
#[cfg(feature = "http")]
pub(crate) fn first_n<'h>(header: &'h str, name: &str, n: usize) -> (&'h str, usize) {
    let mut count = 0;
    let mut end = 0;
    for value in find_all(header, name).take(n) {
        count += 1;
        // Values are slices of `header`.
        end = value.as_ptr() as usize - header.as_ptr() as usize + value.len();
    }
    // Cut at the `;` after the last one (after its closing quote, if any).
    let cut = header[end..].find(';').map_or(header.len(), |i| end + i);
    (&header[..cut], count)
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
            let len = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
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

    #[cfg(feature = "http")]
    #[test]
    fn first_n_cuts_after_the_nth() {
        let h = "s=1; t=2; s=\"3\" ; s=4";
        assert_eq!(first_n(h, "s", 1), ("s=1", 1));
        assert_eq!(first_n(h, "s", 2), ("s=1; t=2; s=\"3\" ", 2));
        assert_eq!(first_n(h, "s", 3), (h, 3));
        assert_eq!(first_n(h, "s", 4), (h, 3));
        assert_eq!(first_n(h, "u", 4).1, 0);
        // Fewer than asked: up to the last one, all of them kept.
        let h2 = "s=1; t=2; s=3; u=4";
        assert_eq!(first_n(h2, "s", 4), ("s=1; t=2; s=3", 2));
        let (cut, _) = first_n(h, "s", 2);
        assert_eq!(
            find_all(cut, "s").collect::<heapless::Vec<_, 4>>(),
            ["1", "3"]
        );
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
