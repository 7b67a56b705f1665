//! A cookie as a person pastes it: a bare value, `name=value` as a
//! browser's DevTools shows it, a whole `Cookie` header, or a `Set-Cookie`
//! line with its attributes; and what its first bytes say about it.

/// `Set-Cookie` attributes, skipped when looking for the cookie itself.
const ATTRIBUTES: [&str; 9] = [
    "path",
    "domain",
    "expires",
    "max-age",
    "samesite",
    "secure",
    "httponly",
    "partitioned",
    "priority",
];

/// The cookie's name (when the text names it) and value.
pub fn split(text: &str) -> Result<(Option<&str>, &str), String> {
    let text = text.trim();
    let text = ["Set-Cookie:", "Cookie:"]
        .iter()
        .find_map(|h| strip_prefix_ignore_case(text, h))
        .unwrap_or(text)
        .trim();
    let mut pairs = Vec::new();
    for piece in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match piece.split_once('=') {
            // A gorilla value ends in `=` padding: `=` with something after
            // it besides more `=` separates a name.
            Some((name, value)) if !value.trim_end_matches('=').is_empty() => {
                let attribute = ATTRIBUTES.contains(&name.trim().to_ascii_lowercase().as_str());
                if !attribute {
                    pairs.push((name.trim(), value.trim()));
                }
            }
            _ if pairs.is_empty() && !text.contains(';') => return Ok((None, piece)),
            _ => {}
        }
    }
    match pairs.as_slice() {
        [] => Err("no cookie in the pasted text".into()),
        [(name, value)] => Ok((Some(name), value)),
        _ => Err(format!(
            "several cookies pasted ({}): pick one with --name",
            pairs.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The named cookie among several (a whole `Cookie` header), or the one
/// pasted, checked against `name`.
pub fn pick<'t>(text: &'t str, name: &str) -> Result<&'t str, String> {
    let several = text.split(';').filter(|p| !p.trim().is_empty()).count() > 1;
    if several
        && let Some(value) = text
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(n, _)| n.trim() == name)
            .map(|(_, v)| v.trim())
    {
        return Ok(value);
    }
    match split(text)? {
        (Some(pasted), _) if pasted != name => Err(format!(
            "the pasted cookie is named {pasted:?}, but --name says {name:?}"
        )),
        (_, value) => Ok(value),
    }
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// What a cookie's first bytes say, before any check: a compact cookie's
/// version byte, or the decimal timestamp a gorilla cookie starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Looks {
    /// Compact, version byte 0x01 (signed only), with its key id.
    CompactSigned(u8),
    /// Compact, version byte 0x02 (encrypted), with its key id.
    CompactEncrypted(u8),
    /// Gorilla: starts with the timestamp's digits.
    Gorilla,
    /// Neither (the codec says what is wrong).
    Unknown,
}

/// Reads the first two bytes (base64url, the first four characters).
pub fn looks(value: &str) -> Looks {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    for c in value.bytes().take(4) {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            return Looks::Unknown;
        };
        bits = bits << 6 | v as u32;
    }
    if value.len() < 4 {
        return Looks::Unknown;
    }
    let (first, second) = ((bits >> 16) as u8, (bits >> 8) as u8);
    match first {
        securecookie::envelope::compact::VERSION_SIGNED => Looks::CompactSigned(second),
        securecookie::envelope::compact::VERSION_ENCRYPTED => Looks::CompactEncrypted(second),
        b'0'..=b'9' => Looks::Gorilla,
        _ => Looks::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_forms() {
        assert_eq!(split("abc").unwrap(), (None, "abc"));
        assert_eq!(split(" MTY=\n").unwrap(), (None, "MTY="));
        assert_eq!(split("my-app=abc").unwrap(), (Some("my-app"), "abc"));
        assert_eq!(split("my-app=MTY=").unwrap(), (Some("my-app"), "MTY="));
        assert_eq!(
            split("Set-Cookie: my-app=abc; Path=/; HttpOnly; SameSite=Lax").unwrap(),
            (Some("my-app"), "abc")
        );
        assert_eq!(
            split("cookie: a=1; b=2").unwrap_err(),
            "several cookies pasted (a, b): pick one with --name"
        );
        assert_eq!(pick("a=1; b=2", "b").unwrap(), "2");
        assert_eq!(pick("abc", "s").unwrap(), "abc");
        assert_eq!(
            pick("my-app=abc", "s").unwrap_err(),
            "the pasted cookie is named \"my-app\", but --name says \"s\""
        );
        assert_eq!(split(" ; ").unwrap_err(), "no cookie in the pasted text");
        // A bare value only when the text is nothing else: beside
        // attributes it is no cookie.
        assert_eq!(
            split("abc; Path=/").unwrap_err(),
            "no cookie in the pasted text"
        );
        assert_eq!(pick("my-app=abc", "my-app").unwrap(), "abc");
        // One bare padded value is never read as `name=value`, even when
        // the part before its `=` is the name asked for.
        assert_eq!(pick("abc=", "abc").unwrap(), "abc=");
    }

    #[test]
    fn first_bytes() {
        // 0x02 0x7f ... and 0x01 0x00 ... in base64url; "17..." for gorilla.
        assert_eq!(looks("An8AAAAA"), Looks::CompactEncrypted(0x7f));
        assert_eq!(looks("AQAAAAAA"), Looks::CompactSigned(0));
        assert_eq!(looks("MTc5NTYz"), Looks::Gorilla);
        assert_eq!(looks("!!!!"), Looks::Unknown);
        assert_eq!(looks("AQ"), Looks::Unknown);
        // Four characters are enough; three are not, whatever they spell.
        assert_eq!(looks("AQAA"), Looks::CompactSigned(0));
        assert_eq!(looks("QAA"), Looks::Unknown);
    }
}
