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
//! ```
//! use securecookie::header;
//!
//! let h = r#"theme=dark; my-app=abc123; quoted="q v""#;
//! assert_eq!(header::find(h, "my-app"), Some("abc123"));
//! assert_eq!(header::find(h, "quoted"), Some("q v"));
//! assert_eq!(header::find(h, "absent"), None);
//! ```

/// Iterates the `(name, value)` pairs of a `Cookie` header, in order.
///
/// ```
/// let pairs: Vec<_> = securecookie::header::pairs("a=1; b=2").collect();
/// assert_eq!(pairs, [("a", "1"), ("b", "2")]);
/// ```
pub fn pairs(header: &str) -> impl Iterator<Item = (&str, &str)> + '_ {
    header.split(';').filter_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let name = name.trim_matches(is_space);
        let value = value.trim_matches(is_space);
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        (!name.is_empty()).then_some((name, value))
    })
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

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t'
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

    #[test]
    fn lone_quote_is_kept() {
        assert_eq!(find("a=\"", "a"), Some("\""));
    }
}
