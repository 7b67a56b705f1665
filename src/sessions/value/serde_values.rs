//! (feature `serde`) Every `Serialize + DeserializeOwned` type is a
//! [`SessionValue`]: plain bytes for what always had them, MessagePack for
//! the rest.
//!
//! A value whose top level is a string, an integer, a bool or bytes (or a
//! newtype around one; a `Vec<u8>` is always its raw bytes) keeps the plain bytes of the
//! crate's own impls (UTF-8, decimal, `1`/`0`, raw): cookies written before
//! the feature read the same, and a Go service sees the same strings.
//! Anything else (structs, enums, maps, lists, options, floats) is
//! [`TAG`] followed by MessagePack with field names (`rmp-serde`'s
//! `to_vec_named`): self-describing, so a struct reads back after a
//! deploy adds a `#[serde(default)]` field, removes one or reorders them.
//! Why MessagePack: src/docs/values.md (measured against CBOR, postcard and
//! JSON).
//!
//! The plain writer is tried first: the first call the value makes says
//! whether it is plain, so a struct costs one refused call before
//! MessagePack.

use core::any::{Any, TypeId};
use std::boxed::Box;
use std::vec::Vec;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::ser::{self, Impossible, Serialize};

use super::{SessionValue, parse_integer};

/// The first byte of a MessagePack value: never the first byte of UTF-8
/// (so never a plain string, integer or bool) and never a MessagePack type
/// byte (`0xc1` is "never used" in the spec).
pub(crate) const TAG: u8 = 0xc1;

/// Structured values nest at most this deep when read (rmp-serde's default
/// is 1024 recursive calls; a session value needs a handful).
const MAX_DEPTH: usize = 64;

/// Why a value does not read as the type asked for: fixed text, never the
/// value's bytes.
pub(crate) const NOT_THE_TYPE: &str = "does not fit the type";

/// `'static`: a `Vec<u8>` is found by its type (below); every owned serde
/// type is `'static` anyway.
impl<T: Serialize + DeserializeOwned + 'static> SessionValue for T {
    fn write_bytes(&self, out: &mut Vec<u8>) {
        // A `Vec<u8>` is raw bytes, exactly, whatever its first byte: the
        // crate's own code keeps payload entries in them.
        if let Some(raw) = (self as &dyn Any).downcast_ref::<Vec<u8>>() {
            out.extend_from_slice(raw);
            return;
        }
        let start = out.len();
        if self.serialize(Plain { out: &mut *out }).is_ok() {
            return;
        }
        out.truncate(start);
        out.push(TAG);
        if rmp_serde::encode::write_named(out, self).is_err() {
            // Only a failing `Serialize` impl gets here (a map with
            // non-string keys is fine in MessagePack): write nothing
            // rather than half a value, which then reads as an error.
            out.truncate(start);
        }
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self, &'static str> {
        if TypeId::of::<T>() == TypeId::of::<Vec<u8>>() {
            let raw: Box<dyn Any> = Box::new(bytes.to_vec());
            if let Ok(raw) = raw.downcast::<T>() {
                return Ok(*raw);
            }
        }
        match bytes.split_first() {
            Some((&TAG, rest)) => from_msgpack(rest)
                // Raw bytes written before this feature may start with
                // the tag: read them as plain when they are not MessagePack.
                .or_else(|reason| T::deserialize(PlainDe(bytes)).map_err(|_| reason)),
            _ => T::deserialize(PlainDe(bytes)).map_err(PlainError::reason),
        }
    }
}

/// A structured value's MessagePack, the whole of `bytes`.
pub(crate) fn from_msgpack<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, &'static str> {
    // On the slice itself, not a `Read`er: a `Cursor` makes rmp-serde
    // copy every string and field name through `read_to_end` into a
    // buffer first (a third of a `User`'s decode, counted by callgrind in
    // benches/serde_web.rs).
    let mut de = rmp_serde::Deserializer::from_read_ref(bytes);
    de.set_max_depth(MAX_DEPTH);
    let value = T::deserialize(&mut de).map_err(|_| NOT_THE_TYPE)?;
    // The slice reader does not tell its position: the value ends the
    // bytes when the next marker cannot be read for want of bytes.
    match <de::IgnoredAny as de::Deserialize>::deserialize(&mut de) {
        Err(rmp_serde::decode::Error::InvalidMarkerRead(e))
            if e.kind() == std::io::ErrorKind::UnexpectedEof =>
        {
            Ok(value)
        }
        _ => Err("trailing bytes after the value"),
    }
}

/// The plain writer's and reader's error: "not plain" (try MessagePack) or
/// a fixed reason.
#[derive(Debug)]
pub(crate) enum PlainError {
    NotPlain,
    Reason(&'static str),
}

impl PlainError {
    fn reason(self) -> &'static str {
        match self {
            PlainError::NotPlain => "a plain value where a structured one was expected",
            PlainError::Reason(reason) => reason,
        }
    }
}

impl core::fmt::Display for PlainError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            PlainError::NotPlain => "not a plain value",
            PlainError::Reason(reason) => reason,
        })
    }
}

impl std::error::Error for PlainError {}

impl ser::Error for PlainError {
    fn custom<M: core::fmt::Display>(_: M) -> Self {
        PlainError::NotPlain
    }
}

impl de::Error for PlainError {
    // The message may quote the value: keep a fixed one.
    fn custom<M: core::fmt::Display>(_: M) -> Self {
        PlainError::Reason(NOT_THE_TYPE)
    }
}

/// Writes a plain value's bytes, or refuses with `NotPlain` at the first
/// call that is not one.
struct Plain<'a> {
    out: &'a mut Vec<u8>,
}

macro_rules! not_plain {
    ($($method:ident($($arg:ty),*) -> $ret:ty;)*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<$ret, PlainError> {
            Err(PlainError::NotPlain)
        }
    )*};
}

macro_rules! decimal {
    ($($method:ident($t:ty);)*) => {$(
        fn $method(self, v: $t) -> Result<(), PlainError> {
            use std::io::Write;
            // Writing to a Vec cannot fail.
            let _ = write!(self.out, "{v}");
            Ok(())
        }
    )*};
}

impl<'a> ser::Serializer for Plain<'a> {
    type Ok = ();
    type Error = PlainError;
    type SerializeSeq = Bytes<'a>;
    type SerializeTuple = Impossible<(), PlainError>;
    type SerializeTupleStruct = Impossible<(), PlainError>;
    type SerializeTupleVariant = Impossible<(), PlainError>;
    type SerializeMap = Impossible<(), PlainError>;
    type SerializeStruct = Impossible<(), PlainError>;
    type SerializeStructVariant = Impossible<(), PlainError>;

    fn serialize_bool(self, v: bool) -> Result<(), PlainError> {
        self.out.push(if v { b'1' } else { b'0' });
        Ok(())
    }

    decimal! {
        serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_i128(i128); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_u128(u128);
    }

    fn serialize_char(self, v: char) -> Result<(), PlainError> {
        let mut buf = [0u8; 4];
        self.out
            .extend_from_slice(v.encode_utf8(&mut buf).as_bytes());
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), PlainError> {
        self.out.extend_from_slice(v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), PlainError> {
        // Bytes that start with the tag would read as MessagePack: those
        // are written as MessagePack (a `bin`) instead.
        if v.first() == Some(&TAG) {
            return Err(PlainError::NotPlain);
        }
        self.out.extend_from_slice(v);
        Ok(())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), PlainError> {
        value.serialize(self)
    }

    /// A `Vec<u8>` (a list whose every element is a `u8`) is its bytes;
    /// any other list is refused at its first element.
    fn serialize_seq(self, _: Option<usize>) -> Result<Bytes<'a>, PlainError> {
        let start = self.out.len();
        Ok(Bytes {
            out: self.out,
            start,
        })
    }

    not_plain! {
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), PlainError> {
        Err(PlainError::NotPlain)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), PlainError> {
        Err(PlainError::NotPlain)
    }
}

/// A list written as raw bytes, if every element is a `u8`.
struct Bytes<'a> {
    out: &'a mut Vec<u8>,
    start: usize,
}

impl ser::SerializeSeq for Bytes<'_> {
    type Ok = ();
    type Error = PlainError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), PlainError> {
        let byte = value.serialize(OneByte)?;
        self.out.push(byte);
        Ok(())
    }

    fn end(self) -> Result<(), PlainError> {
        if self.out.get(self.start) == Some(&TAG) {
            return Err(PlainError::NotPlain);
        }
        Ok(())
    }
}

/// Accepts a `u8` and nothing else.
struct OneByte;

impl ser::Serializer for OneByte {
    type Ok = u8;
    type Error = PlainError;
    type SerializeSeq = Impossible<u8, PlainError>;
    type SerializeTuple = Impossible<u8, PlainError>;
    type SerializeTupleStruct = Impossible<u8, PlainError>;
    type SerializeTupleVariant = Impossible<u8, PlainError>;
    type SerializeMap = Impossible<u8, PlainError>;
    type SerializeStruct = Impossible<u8, PlainError>;
    type SerializeStructVariant = Impossible<u8, PlainError>;

    fn serialize_u8(self, v: u8) -> Result<u8, PlainError> {
        Ok(v)
    }

    not_plain! {
        serialize_bool(bool) -> u8;
        serialize_i8(i8) -> u8;
        serialize_i16(i16) -> u8;
        serialize_i32(i32) -> u8;
        serialize_i64(i64) -> u8;
        serialize_u16(u16) -> u8;
        serialize_u32(u32) -> u8;
        serialize_u64(u64) -> u8;
        serialize_f32(f32) -> u8;
        serialize_f64(f64) -> u8;
        serialize_char(char) -> u8;
        serialize_str(&str) -> u8;
        serialize_bytes(&[u8]) -> u8;
        serialize_none() -> u8;
        serialize_unit() -> u8;
        serialize_unit_struct(&'static str) -> u8;
        serialize_unit_variant(&'static str, u32, &'static str) -> u8;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<u8, PlainError> {
        Err(PlainError::NotPlain)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<u8, PlainError> {
        Err(PlainError::NotPlain)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<u8, PlainError> {
        Err(PlainError::NotPlain)
    }
}

/// Reads plain bytes as whatever plain type is asked for.
struct PlainDe<'de>(&'de [u8]);

impl<'de> PlainDe<'de> {
    fn text(&self) -> Result<&'de str, PlainError> {
        core::str::from_utf8(self.0).map_err(|_| PlainError::Reason("not UTF-8"))
    }
}

macro_rules! integers {
    ($($method:ident($t:ty) => $visit:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
            visitor.$visit(parse_integer::<$t>(self.0).map_err(PlainError::Reason)?)
        }
    )*};
}

macro_rules! structured {
    ($($method:ident($($arg:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $(_: $arg,)* _: V) -> Result<V::Value, PlainError> {
            Err(PlainError::NotPlain)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for PlainDe<'de> {
    type Error = PlainError;

    /// Self-describing readers (`serde_json::Value`, untagged enums): text
    /// when it is UTF-8, else bytes.
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        match core::str::from_utf8(self.0) {
            Ok(text) => visitor.visit_borrowed_str(text),
            Err(_) => visitor.visit_borrowed_bytes(self.0),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        match self.0 {
            b"1" => visitor.visit_bool(true),
            b"0" => visitor.visit_bool(false),
            _ => Err(PlainError::Reason("not a bool (1 or 0)")),
        }
    }

    integers! {
        deserialize_i8(i8) => visit_i8;
        deserialize_i16(i16) => visit_i16;
        deserialize_i32(i32) => visit_i32;
        deserialize_i64(i64) => visit_i64;
        deserialize_i128(i128) => visit_i128;
        deserialize_u8(u8) => visit_u8;
        deserialize_u16(u16) => visit_u16;
        deserialize_u32(u32) => visit_u32;
        deserialize_u64(u64) => visit_u64;
        deserialize_u128(u128) => visit_u128;
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        let mut chars = self.text()?.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => Err(PlainError::Reason("not one character")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_borrowed_str(self.text()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_borrowed_bytes(self.0)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_borrowed_bytes(self.0)
    }

    /// A plain value read as an `Option` is `Some`: a cookie written as
    /// `String` reads as `Option<String>`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, PlainError> {
        visitor.visit_newtype_struct(self)
    }

    /// Plain bytes as a list of `u8`s: how a `Vec<u8>` reads.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_seq(de::value::SeqDeserializer::new(
            self.0
                .iter()
                .map(|&b| IntoDeserializer::<PlainError>::into_deserializer(b)),
        ))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_unit()
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        self.deserialize_str(visitor)
    }

    structured! {
        deserialize_f32();
        deserialize_f64();
        deserialize_unit();
        deserialize_unit_struct(&'static str);
        deserialize_tuple(usize);
        deserialize_tuple_struct(&'static str, usize);
        deserialize_map();
        deserialize_struct(&'static str, &'static [&'static str]);
        deserialize_enum(&'static str, &'static [&'static str]);
    }
}

#[cfg(test)]
mod tests;
