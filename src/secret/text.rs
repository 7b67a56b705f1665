//! Secrets as text: hex or base64, from a string or an environment
//! variable, with errors that say what is wrong and never a fallback.

use core::fmt;

use hmac::digest::zeroize::Zeroize;

use super::{KeyPair, MAX_SECRET_LEN, MIN_SECRET_LEN};
#[cfg(feature = "aes256")]
use crate::codec::keys::Keys;
#[cfg(feature = "std")]
use crate::error::Error;

/// Why a secret's text was refused. Never contains the secret's characters.
///
/// `Debug` writes the same sentence as `Display`: what `main` prints when
/// it returns the error through `?`.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretError {
    /// The text is empty (or only whitespace).
    Empty,
    /// Hex text with an odd number of digits.
    OddHexDigits {
        /// How many digits there are.
        digits: usize,
    },
    /// A character that the text's encoding does not allow.
    InvalidCharacter {
        /// Its position (0-based, in characters, after the prefix).
        at: usize,
        /// The encoding the text was read as.
        encoding: &'static str,
    },
    /// Base64 text whose length or `=` padding is impossible.
    Base64Length {
        /// The length in characters.
        chars: usize,
    },
    /// Fewer than [`MIN_SECRET_LEN`] bytes.
    TooShort {
        /// How many bytes the text holds.
        len: usize,
    },
    /// More than [`MAX_SECRET_LEN`] bytes.
    TooLong {
        /// How many bytes the text holds.
        len: usize,
    },
    /// Unprefixed text that is hex but for a few characters: a typo in a
    /// hex secret, not base64 (which it would decode as, into other keys).
    /// Prefix a base64 secret with `base64:` to read it as base64.
    NotQuiteHex {
        /// The first character that is not a hex digit (0-based).
        at: usize,
    },
    /// The environment variable is not set (only from `Secret::from_env`).
    NotSet,
    /// The environment variable is not valid Unicode.
    NotUnicode,
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SecretError::Empty => f.write_str("the secret is empty"),
            SecretError::OddHexDigits { digits } => {
                write!(
                    f,
                    "{digits} hex digits: two digits make a byte, so the count must be even"
                )
            }
            SecretError::InvalidCharacter { at, encoding } => {
                write!(f, "character {} is not {encoding}", at + 1)
            }
            SecretError::Base64Length { chars } => write!(
                f,
                "{chars} base64 characters: no byte string has that length (a character missing or too many `=`?)"
            ),
            SecretError::TooShort { len } => write!(
                f,
                "the secret is {len} bytes, at least {MIN_SECRET_LEN} are needed \
                 (64 hex digits; `securecookie keygen` makes one)"
            ),
            SecretError::TooLong { len } => {
                write!(
                    f,
                    "the secret is {len} bytes, at most {MAX_SECRET_LEN} are accepted"
                )
            }
            SecretError::NotQuiteHex { at } => write!(
                f,
                "character {} is not a hex digit, though the rest is hex \
                 (a typo? a base64 secret is read as one with `base64:` before it)",
                at + 1
            ),
            SecretError::NotSet => f.write_str("not set"),
            SecretError::NotUnicode => f.write_str("not valid Unicode"),
        }
    }
}

impl fmt::Debug for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl core::error::Error for SecretError {}

/// A master secret of 32 to 64 bytes, read from hex or base64 text. Its
/// bytes are wiped on drop and never shown by `Debug`.
///
/// Text is read as:
/// - `hex:…` or `base64:…`: that encoding, as the prefix says;
/// - otherwise hex when every character is a hex digit, else base64
///   (standard `+/` or URL-safe `-_` alphabet, `=` padding optional);
///   but text that is hex except for a few characters (at most one in
///   eight) is refused ([`SecretError::NotQuiteHex`]): a typo in a hex
///   secret must not turn it into another key.
///
/// Surrounding whitespace is ignored. Nothing else is guessed: a bad
/// character, an odd digit count or a short secret is an error, never a
/// fallback.
///
/// ```
/// use securecookie::secret::{Secret, SecretError};
///
/// let s = Secret::parse("  6ad2d4ac55f2b30b21f3ba5c17e1c0f7a5e9b2d6c8f4a1e3b5d7c9e0f2a4b6c8\n")?;
/// assert_eq!(s.len(), 32);
/// let b = Secret::parse("base64:atLUrFXyswsh87pcF+HA96XpstbI9KHjtdfJ4PKktsg=")?;
/// assert_eq!(s.keys().key_id(), b.keys().key_id()); // the same 32 bytes
///
/// assert_eq!(Secret::parse("abc").unwrap_err(), SecretError::OddHexDigits { digits: 3 });
/// assert_eq!(Secret::parse("00ff").unwrap_err(), SecretError::TooShort { len: 2 });
/// # Ok::<(), SecretError>(())
/// ```
#[derive(Clone)]
pub struct Secret {
    bytes: [u8; MAX_SECRET_LEN],
    len: usize,
}

impl Secret {
    /// A secret from raw bytes.
    ///
    /// # Errors
    /// [`SecretError::TooShort`], [`SecretError::TooLong`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        let len = bytes.len();
        if len < MIN_SECRET_LEN {
            return Err(SecretError::TooShort { len });
        }
        if len > MAX_SECRET_LEN {
            return Err(SecretError::TooLong { len });
        }
        let mut s = Secret {
            bytes: [0; MAX_SECRET_LEN],
            len,
        };
        s.bytes[..len].copy_from_slice(bytes);
        Ok(s)
    }

    /// Reads hex or base64 text (see the type's docs for the rules).
    ///
    /// # Errors
    /// Every [`SecretError`] but `NotSet` and `NotUnicode`.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let text = text.trim();
        let (body, hex) = if let Some(rest) = text.strip_prefix("hex:") {
            (rest, true)
        } else if let Some(rest) = text.strip_prefix("base64:") {
            (rest, false)
        } else {
            if let Some(at) = not_quite_hex(text) {
                return Err(SecretError::NotQuiteHex { at });
            }
            (text, text.bytes().all(|c| c.is_ascii_hexdigit()))
        };
        if body.is_empty() {
            return Err(SecretError::Empty);
        }
        let mut buf = [0u8; MAX_SECRET_LEN + 3];
        let result = if hex {
            decode_hex(body.as_bytes(), &mut buf)
        } else {
            decode_base64(body.as_bytes(), &mut buf)
        }
        .and_then(|n| Secret::from_bytes(&buf[..n]));
        buf.zeroize();
        result
    }

    /// A fresh random secret of 32 bytes from the operating system: a key.
    /// For a nonce or a token, see [`random`](crate::random).
    ///
    /// # Errors
    /// [`Error::Random`] when the OS has no randomness to give.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn generate() -> Result<Self, Error> {
        let mut bytes = [0u8; MAX_SECRET_LEN];
        getrandom::fill(&mut bytes[..MIN_SECRET_LEN]).map_err(|_| Error::Random)?;
        Ok(Secret {
            bytes,
            len: MIN_SECRET_LEN,
        })
    }

    /// Reads the secret in the environment variable `var`.
    ///
    /// # Errors
    /// [`EnvSecretError`], naming the variable: `NotSet`, `NotUnicode` or
    /// why the text was refused.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn from_env(var: &str) -> Result<Self, EnvSecretError> {
        let text = env_text(var)?;
        Secret::parse(&text).map_err(|error| EnvSecretError::new(var, None, error))
    }

    /// Reads several secrets separated by whitespace or commas, **newest
    /// first** (the order a [`CookieStore`](crate::CookieStore) wants their
    /// keys in).
    ///
    /// # Errors
    /// [`ListError`]: which secret (1-based) and why.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn parse_list(text: &str) -> Result<std::vec::Vec<Self>, ListError> {
        let items = text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty());
        let mut out = std::vec::Vec::new();
        for (i, item) in items.enumerate() {
            out.push(Secret::parse(item).map_err(|error| ListError {
                index: i + 1,
                error,
            })?);
        }
        if out.is_empty() {
            return Err(ListError {
                index: 1,
                error: SecretError::Empty,
            });
        }
        Ok(out)
    }

    /// [`parse_list`](Self::parse_list) on the environment variable `var`.
    ///
    /// # Errors
    /// [`EnvSecretError`], naming the variable and which secret.
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn list_from_env(var: &str) -> Result<std::vec::Vec<Self>, EnvSecretError> {
        let text = env_text(var)?;
        Secret::parse_list(&text).map_err(|e| EnvSecretError::new(var, Some(e.index), e.error))
    }

    /// The secret's bytes, for a caller that derives or stores them itself.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// The secret's length in bytes.
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        self.len
    }

    /// The derived hash and block keys as bytes (see [`KeyPair`]).
    pub fn key_pair(&self) -> KeyPair {
        match KeyPair::derive(self.as_bytes()) {
            Ok(pair) => pair,
            Err(_) => unreachable!("a Secret holds at least 32 bytes"),
        }
    }

    /// The encrypting [`Keys`] derived from this secret
    /// ([`Keys::derive`]).
    #[cfg(feature = "aes256")]
    #[cfg_attr(docsrs, doc(cfg(feature = "aes256")))]
    pub fn keys(&self) -> Keys {
        self.key_pair().keys()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret {{ len: {}, .. }}", self.len)
    }
}

/// Where unprefixed text stops being hex, when it is hex but for at most
/// one character in eight: a hex secret with a typo (64 hex digits with one
/// wrong would otherwise read as base64: other keys, every user logged out).
/// Random base64 text is about one third hex digits; a 32-byte one is this
/// close to hex with a chance below 10^-12.
fn not_quite_hex(text: &str) -> Option<usize> {
    let body = text.trim_end_matches('=');
    let misses = body.bytes().filter(|c| !c.is_ascii_hexdigit()).count();
    if misses == 0 || misses * 8 > body.len() {
        return None;
    }
    body.bytes().position(|c| !c.is_ascii_hexdigit())
}

/// A raw key written as hex (Go's keys, `SESSION_HASH_KEY`), as bytes:
/// surrounding whitespace ignored, any length but zero (the key's own
/// checks, [`Keys::new`], come after).
///
/// ```
/// use securecookie::secret::{SecretError, parse_hex_key};
/// assert_eq!(parse_hex_key(" 00ff\n")?, [0x00, 0xff]);
/// assert_eq!(parse_hex_key("0g").unwrap_err(),
///            SecretError::InvalidCharacter { at: 1, encoding: "a hex digit" });
/// # Ok::<(), SecretError>(())
/// ```
///
/// # Errors
/// [`SecretError::Empty`], [`SecretError::OddHexDigits`],
/// [`SecretError::InvalidCharacter`].
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn parse_hex_key(text: &str) -> Result<std::vec::Vec<u8>, SecretError> {
    let text = text.trim().as_bytes();
    if text.is_empty() {
        return Err(SecretError::Empty);
    }
    let mut out = std::vec![0u8; text.len() / 2];
    decode_hex(text, &mut out)?;
    Ok(out)
}

#[cfg(feature = "std")]
fn env_text(var: &str) -> Result<std::string::String, EnvSecretError> {
    std::env::var(var).map_err(|e| {
        let error = match e {
            std::env::VarError::NotPresent => SecretError::NotSet,
            std::env::VarError::NotUnicode(_) => SecretError::NotUnicode,
        };
        EnvSecretError::new(var, None, error)
    })
}

/// Which secret of a list was refused, and why. `Debug` is the `Display`
/// sentence (what `main` prints).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ListError {
    /// The secret's position in the list, from 1 (the newest).
    pub index: usize,
    /// Why it was refused.
    pub error: SecretError,
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "secret {}: {}", self.index, self.error)
    }
}

impl fmt::Debug for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl core::error::Error for ListError {}

/// A secret in an environment variable was refused: names the variable
/// (and, in a list, which secret), never its value. `Debug` is the
/// `Display` sentence: `main` returning it through `?` prints
/// `Error: SESSION_SECRET: not set`.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Clone, PartialEq, Eq)]
pub struct EnvSecretError {
    /// The variable's name.
    pub var: std::string::String,
    /// In a list, the secret's position from 1.
    pub index: Option<usize>,
    /// Why it was refused.
    pub error: SecretError,
}

#[cfg(feature = "std")]
impl EnvSecretError {
    fn new(var: &str, index: Option<usize>, error: SecretError) -> Self {
        EnvSecretError {
            var: var.into(),
            index,
            error,
        }
    }
}

#[cfg(feature = "std")]
impl fmt::Display for EnvSecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "{} (secret {i}): {}", self.var, self.error),
            None => write!(f, "{}: {}", self.var, self.error),
        }
    }
}

#[cfg(feature = "std")]
impl fmt::Debug for EnvSecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for EnvSecretError {}

fn decode_hex(text: &[u8], out: &mut [u8]) -> Result<usize, SecretError> {
    let digit = |at: usize| {
        (text[at] as char)
            .to_digit(16)
            .map(|d| d as u8)
            .ok_or(SecretError::InvalidCharacter {
                at,
                encoding: "a hex digit",
            })
    };
    if let Some(at) = (0..text.len()).find(|&at| digit(at).is_err()) {
        return Err(SecretError::InvalidCharacter {
            at,
            encoding: "a hex digit",
        });
    }
    if !text.len().is_multiple_of(2) {
        return Err(SecretError::OddHexDigits { digits: text.len() });
    }
    let len = text.len() / 2;
    if len > out.len() {
        return Err(SecretError::TooLong { len });
    }
    for (i, byte) in out[..len].iter_mut().enumerate() {
        *byte = digit(2 * i)? << 4 | digit(2 * i + 1)?;
    }
    Ok(len)
}

/// Standard or URL-safe base64 (not both in one text), padding optional.
fn decode_base64(text: &[u8], out: &mut [u8]) -> Result<usize, SecretError> {
    const ENCODING: &str = "base64";
    let unpadded = text.len() - text.iter().rev().take_while(|&&c| c == b'=').count();
    let (body, pad) = text.split_at(unpadded);
    let mut url_safe: Option<bool> = None;
    let value = |at: usize, c: u8, url_safe: &mut Option<bool>| -> Result<u32, SecretError> {
        let bad = SecretError::InvalidCharacter {
            at,
            encoding: ENCODING,
        };
        let (v, url) = match c {
            b'A'..=b'Z' => (c - b'A', None),
            b'a'..=b'z' => (c - b'a' + 26, None),
            b'0'..=b'9' => (c - b'0' + 52, None),
            b'+' => (62, Some(false)),
            b'/' => (63, Some(false)),
            b'-' => (62, Some(true)),
            b'_' => (63, Some(true)),
            _ => return Err(bad),
        };
        if let Some(url) = url {
            // One alphabet per text: a mix is a corrupted secret.
            if url_safe.replace(url).is_some_and(|seen| seen != url) {
                return Err(bad);
            }
        }
        Ok(u32::from(v))
    };
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut len = 0;
    for (at, &c) in body.iter().enumerate() {
        bits = bits << 6 | value(at, c, &mut url_safe)?;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            if len == out.len() {
                return Err(SecretError::TooLong {
                    len: body.len() * 3 / 4,
                });
            }
            out[len] = (bits >> nbits) as u8;
            len += 1;
        }
    }
    let chars = text.len();
    let padded_ok =
        pad.is_empty() || (chars.is_multiple_of(4) && pad.len() == (4 - body.len() % 4) % 4);
    if body.len() % 4 == 1 || !padded_ok {
        return Err(SecretError::Base64Length { chars });
    }
    bits.zeroize();
    Ok(len)
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn hex_and_base64_agree() {
        let hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let want: std::vec::Vec<u8> = (0..32).collect();
        for text in [
            hex,
            &hex.to_uppercase(),
            &std::format!("hex:{hex}"),
            b64,
            b64.trim_end_matches('='),
            &std::format!("base64:{b64}"),
        ] {
            assert_eq!(Secret::parse(text).unwrap().as_bytes(), &want[..], "{text}");
        }
        // URL-safe and standard alphabets.
        let bytes = [0xfb_u8, 0xef, 0xbe].repeat(11);
        assert_eq!(
            Secret::parse(&"-".repeat(44)).unwrap().as_bytes(),
            &bytes[..]
        );
        assert_eq!(
            Secret::parse(&"+".repeat(44)).unwrap().as_bytes(),
            &bytes[..]
        );
        for sixty_three in ["_", "/"] {
            let secret = Secret::parse(&sixty_three.repeat(44)).unwrap();
            assert_eq!(secret.as_bytes(), [0xff; 33], "{sixty_three}");
        }
    }

    #[test]
    fn refusals_are_precise() {
        let ok = "ab".repeat(32);
        assert_eq!(Secret::parse(" \n").unwrap_err(), SecretError::Empty);
        assert_eq!(Secret::parse("hex:").unwrap_err(), SecretError::Empty);
        assert_eq!(
            Secret::parse(&ok[..63]).unwrap_err(),
            SecretError::OddHexDigits { digits: 63 }
        );
        assert_eq!(
            Secret::parse(&std::format!("hex:{}zz", &ok[..62])).unwrap_err(),
            SecretError::InvalidCharacter {
                at: 62,
                encoding: "a hex digit"
            }
        );
        assert_eq!(
            Secret::parse(&std::format!("{}+-", "Q".repeat(42))).unwrap_err(),
            SecretError::InvalidCharacter {
                at: 43,
                encoding: "base64"
            }
        );
        assert_eq!(
            Secret::parse(&std::format!("{}!", "Q".repeat(43))).unwrap_err(),
            SecretError::InvalidCharacter {
                at: 43,
                encoding: "base64"
            }
        );
        assert_eq!(
            Secret::parse(&"Q".repeat(45)).unwrap_err(),
            SecretError::Base64Length { chars: 45 }
        );
        assert_eq!(
            Secret::parse(&std::format!("{}===", "Q".repeat(42))).unwrap_err(),
            SecretError::Base64Length { chars: 45 }
        );
        // A whole quad of padding after whole quads: a multiple of 4, still
        // not what any encoder writes.
        assert_eq!(
            Secret::parse(&std::format!("{}====", "Q".repeat(44))).unwrap_err(),
            SecretError::Base64Length { chars: 48 }
        );
        assert_eq!(
            Secret::parse(&ok[..62]).unwrap_err(),
            SecretError::TooShort { len: 31 }
        );
        assert_eq!(
            Secret::parse(&"ab".repeat(65)).unwrap_err(),
            SecretError::TooLong { len: 65 }
        );
        assert_eq!(
            Secret::parse(&"Q".repeat(100)).unwrap_err(),
            SecretError::TooLong { len: 75 }
        );
        assert!(Secret::parse(&"ab".repeat(64)).is_ok());
    }

    #[test]
    fn nothing_secret_in_debug_or_errors() {
        let s = Secret::parse(&"ab".repeat(32)).unwrap();
        assert_eq!(std::format!("{s:?}"), "Secret { len: 32, .. }");
        assert_eq!(std::format!("{:?}", s.key_pair()), "KeyPair { .. }");
        let e = Secret::parse(&std::format!("{}!", "ab".repeat(31))).unwrap_err();
        assert!(!std::format!("{e} {e:?}").contains("ab"));
    }

    #[test]
    fn list_order_and_errors() {
        let a = "aa".repeat(32);
        let b = "bb".repeat(32);
        let list = Secret::parse_list(&std::format!(" {a},\n{b} ")).unwrap();
        assert_eq!(list[0].as_bytes(), &[0xaa; 32]);
        assert_eq!(list[1].as_bytes(), &[0xbb; 32]);
        assert_eq!(
            Secret::parse_list(&std::format!("{a} {}", &b[..10])).unwrap_err(),
            ListError {
                index: 2,
                error: SecretError::TooShort { len: 5 }
            }
        );
        assert_eq!(
            Secret::parse_list(" , ").unwrap_err().error,
            SecretError::Empty
        );
    }

    /// What a user reads when a secret is refused: every message, and the
    /// variable or list position around it (never the secret itself).
    #[test]
    fn messages_name_the_problem_and_where() {
        use std::string::ToString;
        let cases = [
            (SecretError::Empty, "the secret is empty"),
            (
                SecretError::OddHexDigits { digits: 63 },
                "63 hex digits: two digits make a byte, so the count must be even",
            ),
            (
                SecretError::InvalidCharacter {
                    at: 4,
                    encoding: "base64",
                },
                "character 5 is not base64",
            ),
            (
                SecretError::Base64Length { chars: 45 },
                "45 base64 characters: no byte string has that length (a character missing or too many `=`?)",
            ),
            (
                SecretError::TooShort { len: 31 },
                "the secret is 31 bytes, at least 32 are needed (64 hex digits; `securecookie keygen` makes one)",
            ),
            (
                SecretError::TooLong { len: 65 },
                "the secret is 65 bytes, at most 64 are accepted",
            ),
            (SecretError::NotSet, "not set"),
            (SecretError::NotUnicode, "not valid Unicode"),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
        let listed = Secret::parse_list(&std::format!("{} abc", "ab".repeat(32))).unwrap_err();
        assert_eq!(
            listed.to_string(),
            "secret 2: 3 hex digits: two digits make a byte, so the count must be even"
        );
        let var = "SECURECOOKIE_TEST_SURELY_UNSET_7F3A";
        let unset = Secret::from_env(var).unwrap_err();
        assert_eq!(unset.to_string(), std::format!("{var}: not set"));
        let unset = Secret::list_from_env(var).unwrap_err();
        assert_eq!(unset.error, SecretError::NotSet);
    }

    /// A hex secret with a typo is refused, never read as base64 (63 hex
    /// digits and a `g` are 64 base64 characters: 48 other bytes).
    #[test]
    fn a_typo_in_hex_is_refused_not_read_as_base64() {
        let typo = std::format!("{}g", "ab".repeat(31) + "a");
        assert_eq!(
            Secret::parse(&typo).unwrap_err(),
            SecretError::NotQuiteHex { at: 63 }
        );
        let message =
            EnvSecretError::new("SESSION_SECRET", None, SecretError::NotQuiteHex { at: 63 });
        assert_eq!(
            std::format!("{message}"),
            "SESSION_SECRET: character 64 is not a hex digit, though the rest is hex \
             (a typo? a base64 secret is read as one with `base64:` before it)"
        );
        // Debug, what `main` prints for an error returned through `?`: the
        // same sentence.
        assert_eq!(std::format!("{message:?}"), std::format!("{message}"));
        // In a list: which secret, and why.
        let listed = Secret::parse_list(&std::format!("{},{typo}", "cd".repeat(32))).unwrap_err();
        assert_eq!(
            listed,
            ListError {
                index: 2,
                error: SecretError::NotQuiteHex { at: 63 }
            }
        );
        assert!(
            std::format!("{listed:?}").starts_with("secret 2: character 64 is not a hex digit")
        );
        // Two typos in 128 digits, and one in the middle; padding is not a typo.
        let long = std::format!("{}x{}o", "ab".repeat(40), "ab".repeat(23));
        assert_eq!(
            Secret::parse(&long).unwrap_err(),
            SecretError::NotQuiteHex { at: 80 }
        );
        assert_eq!(
            Secret::parse(&std::format!("{}g=", "a".repeat(63))).unwrap_err(),
            SecretError::NotQuiteHex { at: 63 }
        );
        // The prefix says base64: read as base64, 48 bytes.
        assert_eq!(
            Secret::parse(&std::format!("base64:{typo}")).unwrap().len(),
            48
        );
        // The bound: at most one character in eight off hex is a typo; more
        // is base64.
        let five_off = std::format!("{}{}=", "a".repeat(38), "Z".repeat(5));
        assert_eq!(
            Secret::parse(&five_off).unwrap_err(),
            SecretError::NotQuiteHex { at: 38 }
        );
        let six_off = std::format!("{}{}=", "a".repeat(37), "Z".repeat(6));
        assert_eq!(Secret::parse(&six_off).unwrap().len(), 32);
    }

    #[test]
    fn raw_hex_keys_of_any_length() {
        assert_eq!(parse_hex_key(" 00ff\n").unwrap(), [0x00, 0xff]);
        assert_eq!(parse_hex_key(&"ab".repeat(100)).unwrap(), [0xab; 100]);
        assert_eq!(
            parse_hex_key("0").unwrap_err(),
            SecretError::OddHexDigits { digits: 1 }
        );
        assert_eq!(parse_hex_key(" ").unwrap_err(), SecretError::Empty);
    }

    #[test]
    fn length_is_the_byte_count() {
        for n in [32, 33, 64] {
            assert_eq!(Secret::from_bytes(&[1; 64][..n]).unwrap().len(), n);
        }
    }
}
