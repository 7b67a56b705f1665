//! The one error type of the crate.

use core::fmt;

/// Everything that can go wrong when building a codec, encoding or decoding a
/// cookie.
///
/// Each variant names one cause. Decoding errors say no more than a caller
/// needs: in particular a MAC failure never says *where* the MAC differed, and
/// nothing here ever contains key, IV or plaintext bytes.
///
/// Checks on a cookie run in a fixed order (length, base64, envelope shape,
/// MAC, timestamp, decryption, payload), so a bad cookie always gets the error
/// of the first check it fails. Everything after the MAC check can only be
/// reached by a cookie made with our keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The hash key is shorter than 32 bytes (use
    /// [`Keys::legacy`](crate::Keys::legacy) for short keys inherited from
    /// Go), or empty.
    HashKeyLength {
        /// Length of the key that was given.
        len: usize,
    },
    /// The block key is not 16, 24 or 32 bytes long (AES-128/192/256).
    BlockKeyLength {
        /// Length of the key that was given.
        len: usize,
    },
    /// The cookie name is empty, longer than
    /// [`MAX_NAME_LEN`](crate::envelope::MAX_NAME_LEN), or not an RFC 6265
    /// token (no controls, spaces or separators such as `;`, `=`, `,`, `"`).
    InvalidName,
    /// The encoded cookie is, or would be, longer than the codec's limit.
    TooLong {
        /// Length of the encoded cookie in bytes.
        len: usize,
        /// The codec's limit ([`Codec::max_length`](crate::Codec::max_length)).
        max: usize,
    },
    /// The caller's buffer cannot hold the result.
    BufferTooSmall {
        /// The number of bytes the buffer must have.
        needed: usize,
    },
    /// The cookie is not valid base64 of the envelope's alphabet (wrong
    /// characters, padding or length).
    Base64,
    /// The decoded cookie does not have the envelope's shape (too short,
    /// missing separators, unknown version byte).
    Malformed,
    /// The MAC does not match: the cookie was tampered with, or made with
    /// another key or for another cookie name.
    MacMismatch,
    /// The MAC matched but the timestamp is not a valid number (gorilla
    /// envelope; only a holder of the hash key can produce this).
    InvalidTimestamp,
    /// The cookie is older than the codec's max age.
    Expired,
    /// The cookie is younger than the codec's min age, or dated further in
    /// the future than the allowed clock skew.
    TooNew,
    /// The MAC matched but the encrypted body is too short to hold an IV.
    Decrypt,
    /// The payload's key/value encoding is broken; see [`KvError`].
    Payload(KvError),
    /// No cookie of the requested name is in the `Cookie` header.
    NoCookie,
    /// A list of codecs (or key pairs) was empty.
    NoKeys,
    /// Randomness for an IV could not be drawn from the operating system.
    Random,
    /// A `Set-Cookie` part cannot be written as RFC 6265 syntax, or a
    /// `CookieConfig` setting (feature `std`) makes no sense. `name`
    /// says which: `"value"`, `"Path"`, `"Domain"` or `"Max-Age"` (a
    /// `Max-Age` of 0 would expire every cookie as it is set).
    InvalidAttribute {
        /// The attribute at fault.
        name: &'static str,
    },
    /// A session cookie verified and its payload parsed, but a value's bytes
    /// do not make the session's value type: `SessionValue::from_bytes`
    /// (feature `std`) refused them, for `reason` (a fixed text from that
    /// impl, never the bytes themselves).
    InvalidValue {
        /// Why the conversion failed, e.g. `"not UTF-8"`.
        reason: &'static str,
    },
}

/// Why a key/value payload (see [`kv`](crate::kv)) was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KvError {
    /// The payload ends inside a length prefix, a key or a value (this is also
    /// what trailing bytes after the last whole entry look like).
    Truncated,
    /// A length prefix runs past 3 bytes, the most a cookie can need.
    LengthOverflow,
    /// A length prefix is not minimally encoded (a trailing zero group), so
    /// the same entry would have two spellings.
    NonMinimalLength,
    /// A key is not valid UTF-8.
    KeyNotUtf8,
    /// A key is smaller than the key before it: keys must ascend bytewise.
    Unsorted,
    /// A key equals the key before it.
    DuplicateKey,
    /// A key or value is longer than a length prefix can express
    /// ([`kv::MAX_LEN`](crate::kv::MAX_LEN)); raised when writing.
    TooLarge,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::HashKeyLength { len } => {
                write!(f, "hash key is {len} bytes; at least 32 are required")
            }
            Error::BlockKeyLength { len } => {
                write!(f, "block key is {len} bytes; it must be 16, 24 or 32")
            }
            Error::InvalidName => f.write_str("cookie name is not a valid RFC 6265 token"),
            Error::TooLong { len, max } => {
                write!(f, "cookie is {len} bytes long; the limit is {max}")
            }
            Error::BufferTooSmall { needed } => {
                write!(f, "buffer too small; {needed} bytes needed")
            }
            Error::Base64 => f.write_str("cookie is not valid base64"),
            Error::Malformed => f.write_str("cookie is malformed"),
            Error::MacMismatch => f.write_str("cookie MAC does not match"),
            Error::InvalidTimestamp => f.write_str("cookie timestamp is invalid"),
            Error::Expired => f.write_str("cookie has expired"),
            Error::TooNew => f.write_str("cookie timestamp is too new"),
            Error::Decrypt => f.write_str("cookie could not be decrypted"),
            Error::Payload(e) => write!(f, "cookie payload is invalid: {e}"),
            Error::NoCookie => f.write_str("no cookie of that name"),
            Error::NoKeys => f.write_str("no keys were given"),
            Error::Random => f.write_str("the operating system gave no randomness"),
            Error::InvalidAttribute { name } => {
                write!(f, "cookie attribute {name} is not valid")
            }
            Error::InvalidValue { reason } => {
                write!(f, "session value cannot be read: {reason}")
            }
        }
    }
}

impl fmt::Display for KvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KvError::Truncated => "truncated",
            KvError::LengthOverflow => "length prefix too long",
            KvError::NonMinimalLength => "length prefix not minimal",
            KvError::KeyNotUtf8 => "key is not UTF-8",
            KvError::Unsorted => "keys out of order",
            KvError::DuplicateKey => "duplicate key",
            KvError::TooLarge => "entry too large",
        })
    }
}

impl From<KvError> for Error {
    fn from(e: KvError) -> Self {
        Error::Payload(e)
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Payload(e) => Some(e),
            _ => None,
        }
    }
}

impl core::error::Error for KvError {}
