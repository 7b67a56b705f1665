//! The payloads Go services put in gorilla cookies: [`json`] and [`gob`].
//!
//! Go's gorilla/securecookie turns a value into bytes with a serializer
//! before the envelope ([`Format::Gorilla`](crate::Format::Gorilla)) signs and
//! encrypts it: `GobEncoder` by default (and always under dghubble/sessions
//! and gorilla/sessions), `JSONEncoder` on request. Both modules read and
//! write a session map, [`GoMap`]: string keys, [`GoValue`] values.
//!
//! ```
//! use securecookie::go::{self, GoMap, GoValue};
//! use securecookie::{Codec, Iv, Keys};
//!
//! let codec = Codec::gorilla(Keys::new(&[7; 32], Some(&[9; 32]))?);
//! let now = 1_800_000_000;
//!
//! // What Go's `sessions.NewCookieStore[string]` writes: gob, map[string]string.
//! let mut session = GoMap::new();
//! session.insert("user-id".into(), "a1b2c3".into());
//! let mut payload = Vec::new();
//! go::gob::encode_string_map(&session, &mut payload)?;
//! let mut out = [0u8; 512];
//! let cookie = codec.encode("session", &payload, now, Iv::from_random_bytes([1; 16]), &mut out)?;
//!
//! // ... and reading it back, as Go would.
//! let mut buf = [0u8; 512];
//! let decoded = codec.decode("session", cookie, now, &mut buf)?;
//! let map = go::gob::decode(decoded.payload)?;
//! assert_eq!(map.get("user-id"), Some(&GoValue::from("a1b2c3")));
//! # Ok::<(), securecookie::Error>(())
//! ```
//!
//! Needs an allocator (the maps and strings are owned), not `std`.

pub mod gob;
pub mod json;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Which of gorilla/securecookie's serializers a Go service uses: what its
/// cookies carry inside the envelope.
///
/// Go's dghubble/sessions and gorilla/sessions always use gob; a service
/// calling `securecookie` itself may choose JSON with
/// `s.SetSerializer(securecookie.JSONEncoder{})`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum GoSerializer {
    /// `securecookie.GobEncoder`, the default: [`gob`].
    #[default]
    Gob,
    /// `securecookie.JSONEncoder`: [`json`].
    Json,
}

/// A Go session map: string keys in bytewise order, [`GoValue`] values.
///
/// A `BTreeMap` because Go's JSON encoder sorts keys bytewise, and sorted
/// keys make our gob output deterministic (Go's follows its random map
/// order).
pub type GoMap = BTreeMap<String, GoValue>;

/// One value of a Go session map.
///
/// `Debug` shows the kind of value (and its length), never its content:
/// session values are plaintext.
///
/// Non-exhaustive: Go types such as `time.Time` may be added.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum GoValue {
    /// Go's `nil` (JSON `null`; a nil `interface{}` in gob).
    Null,
    /// A `bool`.
    Bool(bool),
    /// A signed integer (`int`, `int8` ... `int64`). Written as Go's `int`.
    Int(i64),
    /// An unsigned integer (`uint`, `uint8` ... `uint64`, `uintptr`).
    /// Written as Go's `uint`.
    Uint(u64),
    /// A floating-point number (`float64`, or a `float32` widened, as gob
    /// does on the wire). Written as Go's `float64`.
    Float(f64),
    /// A `string`. Go strings may hold any bytes; ours are UTF-8, and a Go
    /// string that is not is refused when read.
    String(String),
    /// A `[]byte`. JSON writes it as a standard base64 string, as Go does.
    Bytes(Vec<u8>),
    /// A nested JSON object or array, as its JSON text: what Go's JSON
    /// decoder reads into a `map[string]interface{}` or `[]interface{}` (a
    /// struct value of the session, written by the `serde` feature).
    /// Only the JSON payload carries one: gob refuses it
    /// ([`GobError::UnsupportedType`](crate::GobError::UnsupportedType)).
    Json(String),
}

impl GoValue {
    /// The string, if this is a [`GoValue::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            GoValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an [`GoValue::Int`], or a [`GoValue::Uint`]
    /// that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            GoValue::Int(i) => Some(i),
            GoValue::Uint(u) => i64::try_from(u).ok(),
            _ => None,
        }
    }

    /// The integer, if this is a [`GoValue::Uint`], or a non-negative
    /// [`GoValue::Int`].
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            GoValue::Uint(u) => Some(u),
            GoValue::Int(i) => u64::try_from(i).ok(),
            _ => None,
        }
    }

    /// The number as a float, if this is a [`GoValue::Float`] (integers are
    /// not converted: that could round).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            GoValue::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The flag, if this is a [`GoValue::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            GoValue::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The bytes, if this is a [`GoValue::Bytes`].
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            GoValue::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Whether this is [`GoValue::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, GoValue::Null)
    }

    /// The Go type this value is written as in gob (the name gob registers
    /// for it).
    pub fn go_type(&self) -> &'static str {
        match self {
            GoValue::Null => "nil",
            GoValue::Bool(_) => "bool",
            GoValue::Int(_) => "int",
            GoValue::Uint(_) => "uint",
            GoValue::Float(_) => "float64",
            GoValue::String(_) => "string",
            GoValue::Bytes(_) => "[]uint8",
            GoValue::Json(text) if text.starts_with('[') => "[]interface {}",
            GoValue::Json(_) => "map[string]interface {}",
        }
    }
}

impl fmt::Debug for GoValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoValue::Null => f.write_str("Null"),
            GoValue::String(s) => write!(f, "String(<{} bytes>)", s.len()),
            GoValue::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
            GoValue::Json(j) => write!(f, "Json(<{} bytes>)", j.len()),
            GoValue::Bool(_) => f.write_str("Bool(..)"),
            GoValue::Int(_) => f.write_str("Int(..)"),
            GoValue::Uint(_) => f.write_str("Uint(..)"),
            GoValue::Float(_) => f.write_str("Float(..)"),
        }
    }
}

impl From<&str> for GoValue {
    fn from(s: &str) -> Self {
        GoValue::String(s.into())
    }
}

impl From<String> for GoValue {
    fn from(s: String) -> Self {
        GoValue::String(s)
    }
}

impl From<&[u8]> for GoValue {
    fn from(b: &[u8]) -> Self {
        GoValue::Bytes(b.into())
    }
}

impl From<Vec<u8>> for GoValue {
    fn from(b: Vec<u8>) -> Self {
        GoValue::Bytes(b)
    }
}

impl From<bool> for GoValue {
    fn from(b: bool) -> Self {
        GoValue::Bool(b)
    }
}

impl From<f64> for GoValue {
    fn from(f: f64) -> Self {
        GoValue::Float(f)
    }
}

macro_rules! from_int {
    ($variant:ident, $wide:ty: $($t:ty),*) => {$(
        impl From<$t> for GoValue {
            fn from(n: $t) -> Self {
                GoValue::$variant(<$wide>::from(n))
            }
        }
    )*};
}
from_int!(Int, i64: i8, i16, i32, i64);
from_int!(Uint, u64: u8, u16, u32, u64);

impl<T: Into<GoValue>> From<Option<T>> for GoValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(GoValue::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_hides_values() {
        let text = format!(
            "{:?}",
            [
                GoValue::from("secret"),
                GoValue::from(&b"secret"[..]),
                GoValue::from(4242i64),
                GoValue::from(4242u64),
                GoValue::from(42.5),
                GoValue::from(true),
                GoValue::Null,
            ]
        );
        assert!(!text.contains("secret") && !text.contains("42") && !text.contains("true"));
        assert!(text.contains("String(<6 bytes>)"), "{text}");
    }

    #[test]
    fn accessors_convert_only_losslessly() {
        assert_eq!(GoValue::from(-1i32).as_i64(), Some(-1));
        assert_eq!(GoValue::from(-1i32).as_u64(), None);
        assert_eq!(GoValue::from(u64::MAX).as_i64(), None);
        assert_eq!(GoValue::from(7u8).as_i64(), Some(7));
        assert_eq!(GoValue::from(7u8).as_f64(), None);
        assert_eq!(GoValue::from(None::<bool>), GoValue::Null);
        assert_eq!(GoValue::from(Some("x")).as_str(), Some("x"));
        assert_eq!(
            GoValue::from(Vec::from(*b"ab")).as_bytes(),
            Some(&b"ab"[..])
        );
    }

    #[test]
    fn unsigned_reads_take_both_integer_kinds() {
        assert_eq!(GoValue::from(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(GoValue::from(7i8).as_u64(), Some(7));
        assert_eq!(GoValue::from(i64::MAX).as_u64(), Some(i64::MAX as u64));
        assert_eq!(GoValue::from(7.0).as_u64(), None);
        assert_eq!(GoValue::from("7").as_u64(), None);
    }

    #[test]
    fn bool_and_null_are_told_apart() {
        assert_eq!(GoValue::from(true).as_bool(), Some(true));
        assert_eq!(GoValue::from(false).as_bool(), Some(false));
        // Neither 0, "false" nor nil is a bool in Go.
        assert_eq!(GoValue::from(0i64).as_bool(), None);
        assert_eq!(GoValue::from("false").as_bool(), None);
        assert_eq!(GoValue::Null.as_bool(), None);
        assert!(GoValue::Null.is_null());
        assert!(GoValue::from(None::<&str>).is_null());
        assert!(!GoValue::from(false).is_null());
        assert!(!GoValue::from("").is_null());
    }
}
