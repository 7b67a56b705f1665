//! Random tokens for apps, from the operating system's randomness:
//! nonces, CSRF secrets, invitation or reset codes, request ids. (Not
//! [`Secret::generate`](crate::Secret::generate), which makes a key.)
//!
//! ```
//! let token = securecookie::random::token()?; // 256 bits, URL-safe text
//! assert_eq!(token.len(), 43);
//! assert!(token.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
//!
//! let short = securecookie::random::token_of::<16>()?; // 128 bits: 22 characters
//! let nonce: [u8; 12] = securecookie::random::bytes()?;
//! # let _ = (short, nonce);
//! # Ok::<(), securecookie::Error>(())
//! ```
//!
//! The bytes come from the same per-thread pool of OS randomness as the
//! cookies' IVs (drawn 512 bytes per system call, each byte handed out
//! once, discarded after a `fork`). Compare a token a client sends back
//! with [`eq`], in constant time.

use std::string::String;

use hmac::digest::zeroize::Zeroize;

use crate::error::Error;

/// `N` random bytes from the operating system.
///
/// # Errors
/// [`Error::Random`] when the OS has no randomness to give.
pub fn bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut out = [0u8; N];
    for chunk in out.chunks_mut(16) {
        let mut piece = crate::sessions::os::iv()?.into_bytes();
        chunk.copy_from_slice(&piece[..chunk.len()]);
        piece.zeroize();
    }
    Ok(out)
}

/// A random token of 32 bytes (256 bits) as unpadded base64url: 43
/// characters of `A-Z a-z 0-9 - _`, safe in a URL, a form field, a header
/// or a cookie without escaping.
///
/// # Errors
/// [`Error::Random`] when the OS has no randomness to give.
pub fn token() -> Result<String, Error> {
    token_of::<32>()
}

/// A random token of `N` bytes as unpadded base64url (`4N/3` characters,
/// rounded up).
///
/// # Errors
/// [`Error::Random`] when the OS has no randomness to give.
pub fn token_of<const N: usize>() -> Result<String, Error> {
    let mut raw = bytes::<N>()?;
    let text = crate::codec::b64::encode_vec(&raw);
    raw.zeroize();
    Ok(text)
}

/// True when `a` and `b` are equal, in time that depends on their lengths
/// only, never on where they differ: for checking a token a client sent.
pub fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keep the optimizer from turning the fold into an early exit.
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn tokens_are_url_safe_and_fresh() {
        let mut seen = HashSet::new();
        for _ in 0..200 {
            let t = super::token().unwrap();
            assert_eq!(t.len(), 43);
            assert!(
                t.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
                "{t}"
            );
            assert!(seen.insert(t));
        }
        assert_eq!(super::token_of::<16>().unwrap().len(), 22);
        assert_eq!(super::token_of::<1>().unwrap().len(), 2);
        assert_eq!(super::token_of::<0>().unwrap(), "");
    }

    #[test]
    fn bytes_fill_every_position() {
        // 40 bytes span three pool pieces, the last one cut: every position
        // must get random bytes (a zero left behind at one position in all
        // 64 draws has a chance of 2^-512).
        let mut or = [0u8; 40];
        let mut draws = HashSet::new();
        for _ in 0..64 {
            let b = super::bytes::<40>().unwrap();
            assert!(draws.insert(b));
            for (o, x) in or.iter_mut().zip(b) {
                *o |= x;
            }
        }
        assert!(or.iter().all(|&o| o != 0), "{or:?}");
    }

    /// Equal bytes only, and two differences never cancel out (`a` ^ `` ` ``
    /// and `b` ^ `c` are both 1: an XOR of the differences would call these
    /// equal). The server store's handle check uses this too.
    #[test]
    fn eq_compares_whole_slices() {
        assert!(!super::eq(b"ab", b"`c"));
        assert!(super::eq(b"abc", b"abc"));
        assert!(super::eq(b"", b""));
        assert!(!super::eq(b"abc", b"abd"));
        assert!(!super::eq(b"abc", b"xbc"));
        assert!(!super::eq(b"abc", b"ab"));
        assert!(!super::eq(b"ab", b"abc"));
    }
}
