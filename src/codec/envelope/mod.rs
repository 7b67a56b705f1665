//! The two wire formats. Each one encodes into, and decodes out of, the
//! caller's buffer; neither allocates.
//!
//! Decoding runs in two steps so that a list of codecs ([`Codecs`]) undoes
//! the base64 once and then tries keys: `unwrap` (length-independent of keys:
//! base64 into the buffer) and `open` (MAC, timestamp, decryption).
//!
//! [`Codecs`]: crate::Codecs

#[cfg(feature = "compact")]
#[cfg_attr(docsrs, doc(cfg(feature = "compact")))]
pub mod compact;
#[cfg(feature = "gorilla")]
#[cfg_attr(docsrs, doc(cfg(feature = "gorilla")))]
pub mod gorilla;

#[cfg(any(feature = "compact", feature = "gorilla"))]
use crate::{
    codec::keys::{IV_LEN, Keys},
    error::Error,
};

/// Decrypts a verified body (`IV || ciphertext`) in place and returns the
/// plaintext; a signed-only body is the plaintext already.
#[cfg(any(feature = "compact", feature = "gorilla"))]
pub(crate) fn decrypt<'b>(keys: &Keys, body: &'b mut [u8]) -> Result<&'b [u8], Error> {
    if !keys.is_encrypted() {
        return Ok(body);
    }
    if body.len() < IV_LEN {
        return Err(Error::Decrypt);
    }
    let (iv, data) = body.split_at_mut(IV_LEN);
    let mut iv_bytes = [0u8; IV_LEN];
    iv_bytes.copy_from_slice(iv);
    keys.apply_ctr(iv_bytes, data);
    Ok(data)
}

/// The time limits a decoder applies once the MAC has verified.
#[cfg(any(feature = "compact", feature = "gorilla"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ages {
    pub max_age: u64,
    pub min_age: u64,
    /// `None`: future timestamps are accepted (gorilla, as Go does).
    pub max_skew: Option<u64>,
}

#[cfg(any(feature = "compact", feature = "gorilla"))]
impl Ages {
    /// Checks a verified timestamp: Go's rules (`ts < now - max_age` is
    /// expired, `ts > now - min_age` too new; 0 turns a check off), in
    /// checked arithmetic, plus the compact envelope's clock-skew limit.
    pub(crate) fn check(&self, ts: u64, now: u64) -> Result<(), Error> {
        if self.min_age != 0 && ts.checked_add(self.min_age).is_none_or(|t| t > now) {
            return Err(Error::TooNew);
        }
        if self.max_age != 0 && ts.checked_add(self.max_age).is_some_and(|t| t < now) {
            return Err(Error::Expired);
        }
        if let Some(skew) = self.max_skew
            && now.checked_add(skew).is_some_and(|limit| ts > limit)
        {
            return Err(Error::TooNew);
        }
        Ok(())
    }
}

/// The longest cookie name accepted: a name never comes near this in a
/// real header, and the bound keeps the compact tag's u16 length prefix exact.
pub const MAX_NAME_LEN: usize = 1024;

/// Which bytes an RFC 6265 cookie-name token may hold: visible ASCII except
/// separators. A table, because names are checked on every encode and
/// decode and a chain of comparisons costs more than the rest of the check.
const TOKEN: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0x21;
    while c < 0x7f {
        table[c] = !matches!(
            c as u8,
            b'(' | b')'
                | b'<'
                | b'>'
                | b'@'
                | b','
                | b';'
                | b':'
                | b'\\'
                | b'"'
                | b'/'
                | b'['
                | b']'
                | b'?'
                | b'='
                | b'{'
                | b'}'
        );
        c += 1;
    }
    table
};

/// An RFC 6265 cookie-name token: visible ASCII except separators, at most
/// [`MAX_NAME_LEN`] bytes.
pub(crate) const fn is_token(name: &[u8]) -> bool {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return false;
    }
    let mut i = 0;
    while i < name.len() {
        if !TOKEN[name[i] as usize] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "compact", feature = "gorilla"))]
    #[test]
    fn age_boundaries() {
        let ages = Ages {
            max_age: 100,
            min_age: 10,
            max_skew: Some(5),
        };
        let now = 1_000;
        assert_eq!(ages.check(900, now), Ok(()));
        assert_eq!(ages.check(899, now), Err(Error::Expired));
        assert_eq!(ages.check(990, now), Ok(()));
        assert_eq!(ages.check(991, now), Err(Error::TooNew));
        let skew = Ages {
            max_age: 0,
            min_age: 0,
            max_skew: Some(5),
        };
        assert_eq!(skew.check(1_005, now), Ok(()));
        assert_eq!(skew.check(1_006, now), Err(Error::TooNew));
        assert_eq!(skew.check(u64::MAX, u64::MAX), Ok(()));
        let off = Ages {
            max_age: 0,
            min_age: 0,
            max_skew: None,
        };
        assert_eq!(off.check(u64::MAX, 0), Ok(()));
        assert_eq!(off.check(0, u64::MAX), Ok(()));
    }

    #[test]
    fn token_table_is_rfc6265() {
        // RFC 2616 separators, as RFC 6265 refers to them.
        const SEPARATORS: &[u8] = b"()<>@,;:\\\"/[]?={} \t";
        for c in 0..=255u8 {
            let expected = c > 0x20 && c < 0x7f && !SEPARATORS.contains(&c);
            assert_eq!(is_token(&[c]), expected, "{c:#x}");
            assert_eq!(is_token(&[b'a', c, b'z']), expected, "{c:#x}");
        }
    }

    #[test]
    fn tokens() {
        for ok in [
            "session",
            "my_app.sid-2",
            "a",
            "__Host-x",
            "!#$%&'*+-.^_`|~",
        ] {
            assert!(is_token(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "a b", "a;b", "a=b", "a\0", "a\"", "é", "a\t", "a,b"] {
            assert!(!is_token(bad.as_bytes()), "{bad}");
        }
        assert!(is_token(&[b'a'; MAX_NAME_LEN]));
        assert!(!is_token(&[b'a'; MAX_NAME_LEN + 1]));
    }
}
