//! (std) How a session's typed values become bytes and back.
//!
//! A [`Session<V>`](crate::Session) holds values of one type `V`; the store
//! writes each as bytes into the cookie's payload and reads them back with
//! [`SessionValue`]. The crate implements it for `String`, `Vec<u8>`, `bool`
//! and every integer type; implement it for your own types as shown on the
//! trait. With the `serde` feature every `Serialize + DeserializeOwned`
//! type is one (`serde_values`: the same bytes for those types, MessagePack
//! for structs).

use std::vec::Vec;

/// A type that can live in a [`Session`](crate::Session): bytes out, bytes
/// in.
///
/// `write_bytes` appends the value's bytes to `out` (which may already hold
/// other data: append, don't replace); `from_bytes` turns those exact bytes
/// back into the value, or says why it cannot with a fixed message. That
/// message ends up in [`Error::InvalidValue`](crate::Error::InvalidValue),
/// so it must never include the bytes: they may be secret.
///
/// The encodings used here:
///
/// | type | bytes |
/// | --- | --- |
/// | `String` | its UTF-8 |
/// | `Vec<u8>` | itself |
/// | `bool` | `1` or `0` |
/// | integers | decimal ASCII, `-` for negatives (so an `i32` reads back as an `i64`) |
///
/// # Your own type
///
/// ```
/// use securecookie::{CookieConfig, CookieStore, Keys, SessionValue};
///
/// #[derive(Debug, PartialEq)]
/// enum Role {
///     Admin,
///     Reader,
/// }
///
/// impl SessionValue for Role {
///     fn write_bytes(&self, out: &mut Vec<u8>) {
///         out.push(match self {
///             Role::Admin => b'a',
///             Role::Reader => b'r',
///         });
///     }
///
///     fn from_bytes(bytes: &[u8]) -> Result<Self, &'static str> {
///         match bytes {
///             b"a" => Ok(Role::Admin),
///             b"r" => Ok(Role::Reader),
///             _ => Err("not a role"),
///         }
///     }
/// }
///
/// let store = CookieStore::<Role>::new(
///     CookieConfig::default(),
///     [Keys::new(&[7; 32], Some(&[9; 32]))?],
/// )?;
/// let mut session = store.new_session("my-app");
/// session.set("role", Role::Admin);
/// let set_cookie = store.save(&session)?;
///
/// // The browser sends back `name=value`, the part before the first `;`.
/// let cookie_header = set_cookie.split(';').next().unwrap();
/// let session = store.get(cookie_header, "my-app")?;
/// assert_eq!(session.get("role"), Some(&Role::Admin));
/// # Ok::<(), securecookie::Error>(())
/// ```
pub trait SessionValue: Sized {
    /// Appends this value's bytes to `out`.
    fn write_bytes(&self, out: &mut Vec<u8>);

    /// Reads a value back from the bytes [`write_bytes`](Self::write_bytes)
    /// wrote.
    ///
    /// # Errors
    /// A short, fixed reason (never containing `bytes`) when they do not make
    /// a `Self`.
    fn from_bytes(bytes: &[u8]) -> Result<Self, &'static str>;
}

#[cfg(not(feature = "serde"))]
impl SessionValue for std::string::String {
    fn write_bytes(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, &'static str> {
        core::str::from_utf8(bytes)
            .map(std::string::String::from)
            .map_err(|_| "not UTF-8")
    }
}

#[cfg(not(feature = "serde"))]
impl SessionValue for Vec<u8> {
    fn write_bytes(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, &'static str> {
        Ok(bytes.to_vec())
    }
}

#[cfg(not(feature = "serde"))]
impl SessionValue for bool {
    fn write_bytes(&self, out: &mut Vec<u8>) {
        out.push(if *self { b'1' } else { b'0' });
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, &'static str> {
        match bytes {
            b"1" => Ok(true),
            b"0" => Ok(false),
            _ => Err("not a bool (1 or 0)"),
        }
    }
}

#[cfg(not(feature = "serde"))]
macro_rules! integer_values {
    ($($t:ty),*) => {$(
        impl SessionValue for $t {
            fn write_bytes(&self, out: &mut Vec<u8>) {
                use std::io::Write;
                // Writing to a Vec cannot fail.
                let _ = write!(out, "{self}");
            }

            fn from_bytes(bytes: &[u8]) -> Result<Self, &'static str> {
                parse_integer(bytes)
            }
        }
    )*};
}

#[cfg(not(feature = "serde"))]
integer_values!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

#[cfg(feature = "serde")]
pub(crate) mod serde_values;

/// Strict decimal: an optional `-`, then ASCII digits (no `+`, no spaces).
fn parse_integer<T: core::str::FromStr<Err = core::num::ParseIntError>>(
    bytes: &[u8],
) -> Result<T, &'static str> {
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err("not a decimal integer");
    }
    // ASCII, checked above.
    let text = core::str::from_utf8(bytes).map_err(|_| "not a decimal integer")?;
    text.parse()
        .map_err(|e: core::num::ParseIntError| match e.kind() {
            core::num::IntErrorKind::PosOverflow | core::num::IntErrorKind::NegOverflow => {
                "integer out of range"
            }
            _ => "not a decimal integer",
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;
    use std::vec;

    fn bytes_of<V: SessionValue>(v: &V) -> Vec<u8> {
        // Start with other data: write_bytes must append.
        let mut out = vec![0xee];
        v.write_bytes(&mut out);
        assert_eq!(out[0], 0xee);
        out.split_off(1)
    }

    fn round_trip<V: SessionValue + PartialEq + core::fmt::Debug>(v: V) {
        assert_eq!(V::from_bytes(&bytes_of(&v)), Ok(v));
    }

    #[test]
    fn strings_and_bytes() {
        round_trip(String::from("a1b2c3"));
        round_trip(String::new());
        round_trip(String::from("héllo ; = \u{0}"));
        assert_eq!(bytes_of(&String::from("é")), "é".as_bytes());
        assert_eq!(String::from_bytes(&[0xff]), Err("not UTF-8"));
        round_trip(vec![0u8, 0xff, 1]);
        round_trip(Vec::<u8>::new());
    }

    #[test]
    fn bools() {
        assert_eq!(bytes_of(&true), b"1");
        assert_eq!(bytes_of(&false), b"0");
        round_trip(true);
        round_trip(false);
        for bad in [&b""[..], b"true", b"2", b"01"] {
            assert_eq!(bool::from_bytes(bad), Err("not a bool (1 or 0)"));
        }
    }

    #[test]
    fn integers() {
        assert_eq!(bytes_of(&-42i32), b"-42");
        assert_eq!(bytes_of(&0u8), b"0");
        round_trip(u8::MAX);
        round_trip(i8::MIN);
        round_trip(u16::MAX);
        round_trip(i16::MIN);
        round_trip(u32::MAX);
        round_trip(i32::MIN);
        round_trip(u64::MAX);
        round_trip(i64::MIN);
        round_trip(u128::MAX);
        round_trip(i128::MIN);
        round_trip(usize::MAX);
        round_trip(isize::MIN);
        // Widening reads work, narrowing ones say why they fail.
        assert_eq!(
            i64::from_bytes(&bytes_of(&i32::MIN)),
            Ok(i64::from(i32::MIN))
        );
        assert_eq!(u8::from_bytes(b"256"), Err("integer out of range"));
        assert_eq!(i8::from_bytes(b"-129"), Err("integer out of range"));
        assert_eq!(u8::from_bytes(b"-1"), Err("not a decimal integer"));
        for bad in [&b""[..], b"-", b"+1", b" 1", b"1 ", b"0x10", b"1e3", b"--1"] {
            assert_eq!(
                i64::from_bytes(bad),
                Err("not a decimal integer"),
                "{bad:?}"
            );
        }
    }
}
