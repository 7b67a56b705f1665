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
///
/// `Debug` writes the same sentence as `Display`, so an error returned through
/// `?` from `main` reads as a sentence; match on the variant to tell causes
/// apart in code.
#[derive(Clone, Copy, PartialEq, Eq)]
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
    /// The master secret given to [`Keys::derive`](crate::Keys::derive) is
    /// shorter than 32 bytes.
    SecretLength {
        /// Length of the secret that was given.
        len: usize,
    },
    /// The block key has a valid length, but this build leaves that AES key
    /// size out: firmware links only the sizes it names (cargo features
    /// `aes128`, `aes192`, `aes256`; `aes` and `std` have all three).
    AesNotLinked {
        /// The AES key size the block key asks for: 128, 192 or 256.
        bits: u16,
    },
    /// The cookie name is empty, longer than
    /// [`MAX_NAME_LEN`](crate::codec::envelope::MAX_NAME_LEN), or not an RFC 6265
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
    /// Two gorilla-format key pairs in one [`Codecs`](crate::Codecs) list
    /// (or any two key pairs of a `CookieStore`, which can switch to the
    /// gorilla format) share a hash key but not a block key: the gorilla MAC
    /// covers only the hash key, so one pair would accept the other's
    /// cookies and decrypt them into garbage. Give the new pair its own hash
    /// key (a bare compact `Codecs` list binds the whole pair and allows it).
    AmbiguousKeys,
    /// Randomness for an IV could not be drawn from the operating system.
    Random,
    /// A JSON session payload (Go's `securecookie.JSONEncoder`; feature
    /// `go`) could not be read or written; see [`JsonError`].
    Json(JsonError),
    /// A gob session payload (Go's `securecookie.GobEncoder`, the default of
    /// gorilla/sessions and dghubble/sessions; feature `go`) could not be
    /// read or written; see [`GobError`].
    Gob(GobError),
    /// A `Set-Cookie` part cannot be written as RFC 6265 syntax, or a
    /// `CookieConfig` setting (feature `std`) makes no sense. `name`
    /// says which: `"value"`, `"Path"`, `"Domain"` or `"Max-Age"` (a
    /// `Max-Age` of 0 would expire every cookie as it is set); `"Secure"`,
    /// `"Path"` or `"Domain"` also when a `__Secure-` or `__Host-` cookie
    /// name breaks its prefix's rules (`CookieConfig::check_name`).
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
    /// A server-side store holds no session under the cookie's id: it
    /// expired, was destroyed (logout, "log out everywhere") or never
    /// existed. The cookie verified; the session is gone.
    UnknownSession,
    /// The session outlived its absolute lifetime (the session layer's cap,
    /// which rolling renewal cannot extend).
    LifetimeExceeded,
    /// A session key starting with `\0`: the session layer reserves those
    /// for its own entries (creation time, flash values).
    ReservedKey,
}

/// Why a key/value payload (see [`kv`](crate::codec::kv)) was rejected.
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
    /// ([`kv::MAX_LEN`](crate::codec::kv::MAX_LEN)); raised when writing.
    TooLarge,
}

/// Why a JSON session payload was rejected (see `go::json`, feature `go`).
///
/// The parser accepts one JSON object (or `null`, Go's nil map) whose values
/// are strings, numbers, booleans or `null`, surrounded by JSON whitespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonError {
    /// The payload is not UTF-8.
    NotUtf8,
    /// The payload ends inside the object.
    UnexpectedEnd,
    /// A character that JSON does not allow at that place.
    Syntax,
    /// The top-level value is not an object (or `null`).
    NotAnObject,
    /// Objects and arrays nested deeper than `go::json::MAX_NESTING` (32).
    Nested,
    /// A backslash escape that JSON does not define.
    InvalidEscape,
    /// A control character (below U+0020) inside a string, unescaped.
    ControlCharacter,
    /// A number beyond the range of a 64-bit float (Go refuses it too).
    NumberOutOfRange,
    /// A key appears twice in the object.
    DuplicateKey,
    /// Something other than whitespace follows the object.
    TrailingData,
    /// Writing: a float is NaN or infinite, which JSON cannot express (Go's
    /// encoder refuses it too).
    NonFiniteFloat,
}

/// Why a gob session payload was rejected (see `go::gob`, feature `go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GobError {
    /// The payload ends inside a message, or a length runs past its end.
    Truncated,
    /// An integer is longer than the 8 bytes gob allows.
    IntegerOverflow,
    /// The payload holds no value message (empty, or type definitions only).
    NoValue,
    /// A type definition is malformed (unknown field, bad id).
    BadTypeDefinition,
    /// A type id is defined twice, or is one of gob's reserved ids.
    DuplicateType,
    /// A value refers to a type id the stream never defined.
    UnknownType,
    /// The top-level value is not a map.
    NotAMap,
    /// A type this reader does not turn into a `go::GoValue`: a map other than
    /// `map[string]string`, `map[string]interface{}` or
    /// `map[interface{}]interface{}`, or an interface holding a struct,
    /// slice, map, complex number or a `GobEncoder` such as `time.Time`.
    UnsupportedType,
    /// An interface's concrete type name contradicts its type id.
    TypeMismatch,
    /// A map key inside `map[interface{}]interface{}` is not a string.
    KeyNotString,
    /// A bool is neither 0 nor 1.
    InvalidBool,
    /// A string is not UTF-8.
    NotUtf8,
    /// A map holds the same key twice.
    DuplicateKey,
    /// The framing is inconsistent: a non-zero singleton delta, or an
    /// interface value whose byte count disagrees with its content.
    Corrupt,
    /// Bytes follow the value message.
    TrailingBytes,
    /// Writing `map[string]string`: a value is not a string.
    ValueNotString,
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
            Error::SecretLength { len } => {
                write!(f, "master secret is {len} bytes; at least 32 are required")
            }
            Error::AesNotLinked { bits } => {
                write!(f, "AES-{bits} is not in this build (cargo feature aes{bits})")
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
            Error::AmbiguousKeys => f.write_str(
                "two gorilla key pairs share a hash key but not a block key; give each its own hash key",
            ),
            Error::Random => f.write_str("the operating system gave no randomness"),
            Error::Json(e) => write!(f, "JSON payload is invalid: {e}"),
            Error::Gob(e) => write!(f, "gob payload is invalid: {e}"),
            Error::InvalidAttribute { name } => {
                write!(f, "cookie attribute {name} is not valid")
            }
            Error::InvalidValue { reason } => {
                write!(f, "session value cannot be read: {reason}")
            }
            Error::UnknownSession => f.write_str("no session of that id in the store"),
            Error::LifetimeExceeded => f.write_str("session is older than its absolute lifetime"),
            Error::ReservedKey => f.write_str("session keys starting with NUL are reserved"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
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

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonError::NotUtf8 => "not UTF-8",
            JsonError::UnexpectedEnd => "unexpected end",
            JsonError::Syntax => "syntax error",
            JsonError::NotAnObject => "not an object",
            JsonError::Nested => "objects or arrays nested too deep",
            JsonError::InvalidEscape => "invalid escape",
            JsonError::ControlCharacter => "unescaped control character",
            JsonError::NumberOutOfRange => "number out of range",
            JsonError::DuplicateKey => "duplicate key",
            JsonError::TrailingData => "data after the object",
            JsonError::NonFiniteFloat => "NaN or infinite float",
        })
    }
}

impl fmt::Display for GobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GobError::Truncated => "truncated",
            GobError::IntegerOverflow => "integer too long",
            GobError::NoValue => "no value",
            GobError::BadTypeDefinition => "malformed type definition",
            GobError::DuplicateType => "type defined twice or reserved",
            GobError::UnknownType => "undefined type id",
            GobError::NotAMap => "not a map",
            GobError::UnsupportedType => "unsupported type",
            GobError::TypeMismatch => "type name and id disagree",
            GobError::KeyNotString => "map key is not a string",
            GobError::InvalidBool => "invalid bool",
            GobError::NotUtf8 => "string is not UTF-8",
            GobError::DuplicateKey => "duplicate key",
            GobError::Corrupt => "corrupt framing",
            GobError::TrailingBytes => "data after the value",
            GobError::ValueNotString => "map[string]string value is not a string",
        })
    }
}

impl From<JsonError> for Error {
    fn from(e: JsonError) -> Self {
        Error::Json(e)
    }
}

impl From<GobError> for Error {
    fn from(e: GobError) -> Self {
        Error::Gob(e)
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
            Error::Json(e) => Some(e),
            Error::Gob(e) => Some(e),
            _ => None,
        }
    }
}

impl core::error::Error for KvError {}

impl core::error::Error for JsonError {}

impl core::error::Error for GobError {}
