//! Go's `securecookie.GobEncoder` payload: a gob stream carrying one map.
//!
//! This is what dghubble/sessions (`map[string]V`, so `map[string]string`
//! for string sessions) and gorilla/sessions (`map[interface{}]interface{}`)
//! put in their cookies.
//!
//! A gob stream defines its types before using them, with ids that depend on
//! what the writing Go process encoded before: the reader parses those
//! definitions rather than matching bytes. It reads maps with `string` or
//! `interface{}` keys and `string` or `interface{}` values, where interface
//! values hold strings, integers, booleans, floats, byte slices or nil.
//!
//! The writer produces exactly what a fresh Go process writes (its first
//! type gets id 65), with entries in key order (Go's order is random, so
//! every order decodes the same).
//!
//! The reader is total: every input gives a map or a [`GobError`], never a
//! panic; every length is checked against the bytes that remain before
//! anything is allocated, and nothing recurses.
//!
//! ```
//! use securecookie::go::{gob, GoMap, GoValue};
//!
//! let mut map = GoMap::new();
//! map.insert("user-id".into(), "a1b2c3".into());
//! let mut out = Vec::new();
//! gob::encode_string_map(&map, &mut out)?;
//! // Byte for byte what Go's gob.NewEncoder(w).Encode(map[string]string{...})
//! // writes in a fresh process.
//! assert_eq!(out[..15], [0x0e, 0xff, 0x81, 4, 1, 2, 0xff, 0x82, 0, 1, 0x0c, 1, 0x0c, 0, 0]);
//! assert_eq!(gob::decode_typed(&out)?, (map, gob::GobMapType::StringToString));
//! # Ok::<(), securecookie::Error>(())
//! ```

use super::{GoMap, GoValue};
use crate::error::{Error, GobError};
use alloc::string::String;
use alloc::vec::Vec;

/// The Go map type a gob payload carries.
///
/// Non-exhaustive: more value types (`map[string]int`, ...) may follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GobMapType {
    /// `map[string]string`: dghubble/sessions' `NewCookieStore[string]`.
    StringToString,
    /// `map[string]interface{}`.
    StringToInterface,
    /// `map[interface{}]interface{}`: gorilla/sessions' `Session.Values`
    /// (only string keys are read and written here).
    InterfaceToInterface,
}

// gob's predefined type ids (encoding/gob/type.go).
const ID_BOOL: i64 = 1;
const ID_INT: i64 = 2;
const ID_UINT: i64 = 3;
const ID_FLOAT: i64 = 4;
const ID_BYTES: i64 = 5;
const ID_STRING: i64 = 6;
const ID_COMPLEX: i64 = 7;
const ID_INTERFACE: i64 = 8;
/// Ids below this are gob's own; streams may define only ids above it.
const FIRST_USER_ID: i64 = 64;
/// The id a fresh Go process gives the first type it encodes.
const FRESH_ID: i64 = FIRST_USER_ID + 1;

/// The wireType field that holds a map definition (ArrayT, SliceT, StructT,
/// MapT, GobEncoderT, BinaryMarshalerT, TextMarshalerT).
const WIRE_MAP: u64 = 3;
const WIRE_FIELDS: u64 = 7;

impl GobMapType {
    /// The gob type ids of the key and the value.
    fn ids(self) -> (i64, i64) {
        match self {
            GobMapType::StringToString => (ID_STRING, ID_STRING),
            GobMapType::StringToInterface => (ID_STRING, ID_INTERFACE),
            GobMapType::InterfaceToInterface => (ID_INTERFACE, ID_INTERFACE),
        }
    }
}

/// Reads a gob payload carrying one of the maps of [`GobMapType`].
///
/// # Errors
/// [`Error::Gob`] with the first problem found; see [`GobError`].
pub fn decode(payload: &[u8]) -> Result<GoMap, Error> {
    decode_typed(payload).map(|(map, _)| map)
}

/// Like [`decode`], and also says which Go map type the payload carried, so
/// that a reply can be written in the same type.
///
/// # Errors
/// [`Error::Gob`] with the first problem found; see [`GobError`].
pub fn decode_typed(payload: &[u8]) -> Result<(GoMap, GobMapType), Error> {
    Ok(read_stream(payload)?)
}

/// Appends the gob encoding of `map` as the Go type `ty` to `out`.
///
/// Integers are written as Go's `int` or `uint`, floats as `float64`, bytes
/// as `[]byte`, and [`GoValue::Null`] as a nil interface.
///
/// # Errors
/// [`Error::Gob`]`(`[`GobError::ValueNotString`]`)` when `ty` is
/// [`GobMapType::StringToString`] and a value is not a string;
/// [`GobError::UnsupportedType`] for a [`GoValue::Json`] (gob would need
/// its Go type). `out` is then left as it was.
pub fn encode(map: &GoMap, ty: GobMapType, out: &mut Vec<u8>) -> Result<(), Error> {
    if ty == GobMapType::StringToString && map.values().any(|v| v.as_str().is_none()) {
        return Err(GobError::ValueNotString.into());
    }
    if map.values().any(|v| matches!(v, GoValue::Json(_))) {
        return Err(GobError::UnsupportedType.into());
    }
    let (key_id, elem_id) = ty.ids();

    // Message 1 defines the map type: (-id, wireType{MapT: {CommonType{Id:
    // id}, Key, Elem}}), as Go's Encoder sends it before the first value.
    let mut def = Vec::with_capacity(16);
    put_int(&mut def, -FRESH_ID);
    def.extend_from_slice(&[(WIRE_MAP + 1) as u8, 1, 2]);
    put_int(&mut def, FRESH_ID);
    def.extend_from_slice(&[0, 1]);
    put_int(&mut def, key_id);
    def.push(1);
    put_int(&mut def, elem_id);
    def.extend_from_slice(&[0, 0]);
    put_message(out, &def);

    // Message 2: (id, singleton delta 0, the map).
    let mut value = Vec::new();
    put_int(&mut value, FRESH_ID);
    value.push(0);
    put_uint(&mut value, map.len() as u64);
    for (key, v) in map {
        if key_id == ID_INTERFACE {
            put_interface(&mut value, &GoValue::String(key.clone()));
        } else {
            put_bytes(&mut value, key.as_bytes());
        }
        match v {
            GoValue::String(s) if elem_id == ID_STRING => put_bytes(&mut value, s.as_bytes()),
            v => put_interface(&mut value, v),
        }
    }
    put_message(out, &value);
    Ok(())
}

/// Appends `map` as Go's `map[string]string` (dghubble/sessions'
/// `NewCookieStore[string]`); see [`encode`].
///
/// # Errors
/// [`GobError::ValueNotString`] if a value is not a [`GoValue::String`].
pub fn encode_string_map(map: &GoMap, out: &mut Vec<u8>) -> Result<(), Error> {
    encode(map, GobMapType::StringToString, out)
}

/// Appends `map` as Go's `map[string]interface{}`; see [`encode`].
///
/// # Errors
/// [`GobError::UnsupportedType`] for a [`GoValue::Json`].
pub fn encode_interface_map(map: &GoMap, out: &mut Vec<u8>) -> Result<(), Error> {
    encode(map, GobMapType::StringToInterface, out)
}

/// Appends `map` as Go's `map[interface{}]interface{}` (gorilla/sessions);
/// see [`encode`].
///
/// # Errors
/// [`GobError::UnsupportedType`] for a [`GoValue::Json`].
pub fn encode_any_map(map: &GoMap, out: &mut Vec<u8>) -> Result<(), Error> {
    encode(map, GobMapType::InterfaceToInterface, out)
}

// ---- writing ----

/// gob's unsigned integer: one byte below 128, else the negated byte count
/// and the big-endian bytes.
fn put_uint(out: &mut Vec<u8>, x: u64) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let bytes = x.to_be_bytes();
    let skip = (x.leading_zeros() / 8) as usize;
    out.push((skip as u8).wrapping_sub(8));
    out.extend_from_slice(&bytes[skip..]);
}

/// gob's signed integer: the value shifted left, complemented if negative,
/// with bit 0 saying so.
fn put_int(out: &mut Vec<u8>, i: i64) {
    let u = if i < 0 {
        (!(i as u64) << 1) | 1
    } else {
        (i as u64) << 1
    };
    put_uint(out, u);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_uint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn put_message(out: &mut Vec<u8>, body: &[u8]) {
    put_bytes(out, body);
}

/// An interface value: concrete type name, type id, then the value as a
/// length-prefixed singleton (delta 0, value). Nil is an empty name.
fn put_interface(out: &mut Vec<u8>, v: &GoValue) {
    let mut inner = Vec::new();
    inner.push(0);
    let id = match v {
        GoValue::Null => {
            out.push(0);
            return;
        }
        GoValue::Bool(b) => {
            inner.push(u8::from(*b));
            ID_BOOL
        }
        GoValue::Int(i) => {
            put_int(&mut inner, *i);
            ID_INT
        }
        GoValue::Uint(u) => {
            put_uint(&mut inner, *u);
            ID_UINT
        }
        GoValue::Float(f) => {
            put_uint(&mut inner, f.to_bits().swap_bytes());
            ID_FLOAT
        }
        GoValue::Bytes(b) => {
            put_bytes(&mut inner, b);
            ID_BYTES
        }
        GoValue::String(s) => {
            put_bytes(&mut inner, s.as_bytes());
            ID_STRING
        }
        // Refused by `encode` before anything is written.
        GoValue::Json(_) => return,
    };
    put_bytes(out, v.go_type().as_bytes());
    put_int(out, id);
    put_bytes(out, &inner);
}

// ---- reading ----

/// What the reader keeps of a type definition.
#[derive(Clone, Copy)]
enum Wire {
    Map { key: i64, elem: i64 },
    Other,
}

struct Reader<'a> {
    s: &'a [u8],
}

impl<'a> Reader<'a> {
    fn is_empty(&self) -> bool {
        self.s.is_empty()
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], GobError> {
        let n = usize::try_from(n).map_err(|_| GobError::Truncated)?;
        if n > self.s.len() {
            return Err(GobError::Truncated);
        }
        let (head, tail) = self.s.split_at(n);
        self.s = tail;
        Ok(head)
    }

    fn uint(&mut self) -> Result<u64, GobError> {
        let (&first, rest) = self.s.split_first().ok_or(GobError::Truncated)?;
        self.s = rest;
        if first < 0x80 {
            return Ok(u64::from(first));
        }
        // The byte count, negated: 0xff = 1 byte ... 0xf8 = 8 bytes.
        let n = 256 - u64::from(first);
        if n > 8 {
            return Err(GobError::IntegerOverflow);
        }
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| acc << 8 | u64::from(b)))
    }

    fn int(&mut self) -> Result<i64, GobError> {
        let u = self.uint()?;
        let magnitude = (u >> 1) as i64;
        Ok(if u & 1 == 1 { !magnitude } else { magnitude })
    }

    fn bytes(&mut self) -> Result<&'a [u8], GobError> {
        let n = self.uint()?;
        self.take(n)
    }

    fn string(&mut self) -> Result<String, GobError> {
        let b = self.bytes()?;
        core::str::from_utf8(b)
            .map(String::from)
            .map_err(|_| GobError::NotUtf8)
    }

    /// Walks a struct's (delta, field) pairs up to the terminating 0,
    /// calling `field` with each field number (below `count`).
    fn fields(
        &mut self,
        count: u64,
        mut field: impl FnMut(&mut Self, u64) -> Result<(), GobError>,
    ) -> Result<(), GobError> {
        // `next`: the lowest field number the next delta may reach.
        let mut next = 0u64;
        loop {
            let delta = self.uint()?;
            if delta == 0 {
                return Ok(());
            }
            if delta > count - next {
                return Err(GobError::BadTypeDefinition);
            }
            let number = next + delta - 1;
            field(self, number)?;
            next = number + 1;
        }
    }

    /// CommonType{Name string; Id typeId}: both skipped.
    fn common_type(&mut self) -> Result<(), GobError> {
        self.fields(2, |r, f| match f {
            0 => r.bytes().map(drop),
            _ => r.int().map(drop),
        })
    }

    /// A type's definition (a gob-encoded wireType).
    fn wire_type(&mut self) -> Result<Wire, GobError> {
        let mut wire = None;
        self.fields(WIRE_FIELDS, |r, f| {
            if wire.is_some() {
                return Err(GobError::BadTypeDefinition);
            }
            wire = Some(match f {
                // arrayType{CommonType; Elem typeId; Len int}
                0 => {
                    r.fields(3, |r, f| match f {
                        0 => r.common_type(),
                        _ => r.int().map(drop),
                    })?;
                    Wire::Other
                }
                // sliceType{CommonType; Elem typeId}
                1 => {
                    r.fields(2, |r, f| match f {
                        0 => r.common_type(),
                        _ => r.int().map(drop),
                    })?;
                    Wire::Other
                }
                // structType{CommonType; Field []*fieldType}
                2 => {
                    r.fields(2, |r, f| match f {
                        0 => r.common_type(),
                        _ => r.field_types(),
                    })?;
                    Wire::Other
                }
                // mapType{CommonType; Key typeId; Elem typeId}
                3 => {
                    let (mut key, mut elem) = (0, 0);
                    r.fields(3, |r, f| {
                        match f {
                            0 => r.common_type()?,
                            1 => key = r.int()?,
                            _ => elem = r.int()?,
                        }
                        Ok(())
                    })?;
                    Wire::Map { key, elem }
                }
                // gobEncoderType{CommonType} (GobEncoder, BinaryMarshaler,
                // TextMarshaler: time.Time and friends).
                _ => {
                    r.fields(1, |r, _| r.common_type())?;
                    Wire::Other
                }
            });
            Ok(())
        })?;
        wire.ok_or(GobError::BadTypeDefinition)
    }

    /// A struct's `[]*fieldType`, each `fieldType{Name string; Id typeId}`.
    fn field_types(&mut self) -> Result<(), GobError> {
        let n = self.uint()?;
        // Each field takes at least one byte: no count can make us loop
        // past the input.
        if n > self.s.len() as u64 {
            return Err(GobError::Truncated);
        }
        (0..n).try_for_each(|_| {
            self.fields(2, |r, f| match f {
                0 => r.bytes().map(drop),
                _ => r.int().map(drop),
            })
        })
    }
}

/// The stream: type definition messages, then one value message, then
/// nothing.
fn read_stream(payload: &[u8]) -> Result<(GoMap, GobMapType), GobError> {
    let mut stream = Reader { s: payload };
    // Each definition takes at least 3 bytes of input: bounded.
    let mut types: Vec<(i64, Wire)> = Vec::new();
    loop {
        if stream.is_empty() {
            return Err(GobError::NoValue);
        }
        let mut msg = Reader { s: stream.bytes()? };
        let id = msg.int()?;
        if id >= 0 {
            let result = read_map(&mut msg, id, &types)?;
            if !msg.is_empty() || !stream.is_empty() {
                return Err(GobError::TrailingBytes);
            }
            return Ok(result);
        }
        let id = id.checked_neg().ok_or(GobError::BadTypeDefinition)?;
        if id < FIRST_USER_ID || types.iter().any(|&(t, _)| t == id) {
            return Err(GobError::DuplicateType);
        }
        let wire = msg.wire_type()?;
        if !msg.is_empty() {
            return Err(GobError::Corrupt);
        }
        types.push((id, wire));
    }
}

/// Why a type id cannot be a map key or value here.
fn unsupported(id: i64, types: &[(i64, Wire)]) -> GobError {
    if (ID_BOOL..=ID_INTERFACE).contains(&id) || types.iter().any(|&(t, _)| t == id) {
        GobError::UnsupportedType
    } else {
        GobError::UnknownType
    }
}

fn read_map(
    msg: &mut Reader<'_>,
    id: i64,
    types: &[(i64, Wire)],
) -> Result<(GoMap, GobMapType), GobError> {
    let (key, elem) = match types.iter().find(|&&(t, _)| t == id) {
        Some(&(_, Wire::Map { key, elem })) => (key, elem),
        Some(_) => return Err(GobError::NotAMap),
        None if (ID_BOOL..=ID_INTERFACE).contains(&id) => return Err(GobError::NotAMap),
        None => return Err(GobError::UnknownType),
    };
    let ty = match (key, elem) {
        (ID_STRING, ID_STRING) => GobMapType::StringToString,
        (ID_STRING, ID_INTERFACE) => GobMapType::StringToInterface,
        (ID_INTERFACE, ID_INTERFACE) => GobMapType::InterfaceToInterface,
        (ID_STRING | ID_INTERFACE, other) | (other, _) => return Err(unsupported(other, types)),
    };
    // A top-level non-struct value is sent as field 0 of a struct.
    if msg.uint()? != 0 {
        return Err(GobError::Corrupt);
    }
    let count = msg.uint()?;
    // Each entry takes at least two bytes.
    if count > msg.s.len() as u64 / 2 {
        return Err(GobError::Truncated);
    }
    let mut map = GoMap::new();
    for _ in 0..count {
        let k = if key == ID_STRING {
            msg.string()?
        } else {
            match read_interface(msg, types)? {
                GoValue::String(s) => s,
                _ => return Err(GobError::KeyNotString),
            }
        };
        let v = if elem == ID_STRING {
            GoValue::String(msg.string()?)
        } else {
            read_interface(msg, types)?
        };
        if map.insert(k, v).is_some() {
            return Err(GobError::DuplicateKey);
        }
    }
    Ok((map, ty))
}

/// The type id gob registers each builtin concrete type name with.
fn builtin_id(name: &[u8]) -> Option<i64> {
    Some(match name {
        b"bool" => ID_BOOL,
        b"int" | b"int8" | b"int16" | b"int32" | b"int64" => ID_INT,
        b"uint" | b"uint8" | b"uint16" | b"uint32" | b"uint64" | b"uintptr" => ID_UINT,
        b"float32" | b"float64" => ID_FLOAT,
        b"[]uint8" => ID_BYTES,
        b"string" => ID_STRING,
        b"complex64" | b"complex128" => ID_COMPLEX,
        _ => return None,
    })
}

fn read_interface(msg: &mut Reader<'_>, types: &[(i64, Wire)]) -> Result<GoValue, GobError> {
    let name = msg.bytes()?;
    if name.is_empty() {
        return Ok(GoValue::Null);
    }
    let id = msg.int()?;
    if id < 0 {
        // A type defined on the spot: only composite types need one.
        return Err(GobError::UnsupportedType);
    }
    if builtin_id(name).is_some_and(|b| b != id) {
        return Err(GobError::TypeMismatch);
    }
    let mut inner = Reader { s: msg.bytes()? };
    if inner.uint()? != 0 {
        return Err(GobError::Corrupt);
    }
    let value = match id {
        ID_BOOL => match inner.uint()? {
            0 => GoValue::Bool(false),
            1 => GoValue::Bool(true),
            _ => return Err(GobError::InvalidBool),
        },
        ID_INT => GoValue::Int(inner.int()?),
        ID_UINT => GoValue::Uint(inner.uint()?),
        ID_FLOAT => GoValue::Float(f64::from_bits(inner.uint()?.swap_bytes())),
        ID_BYTES => GoValue::Bytes(inner.bytes()?.into()),
        ID_STRING => GoValue::String(inner.string()?),
        other => return Err(unsupported(other, types)),
    };
    if !inner.is_empty() {
        return Err(GobError::Corrupt);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn uint(x: u64) -> Vec<u8> {
        let mut v = Vec::new();
        put_uint(&mut v, x);
        v
    }

    fn int(x: i64) -> Vec<u8> {
        let mut v = Vec::new();
        put_int(&mut v, x);
        v
    }

    #[test]
    fn integers_as_gob_documents_them() {
        // encoding/gob's doc.go: 0 = 00, 7 = 07, 256 = FE 01 00,
        // -129 = FE 01 01, and 17.0 as a float = FE 31 40.
        assert_eq!(uint(0), [0]);
        assert_eq!(uint(7), [7]);
        assert_eq!(uint(127), [0x7f]);
        assert_eq!(uint(128), [0xff, 0x80]);
        assert_eq!(uint(256), [0xfe, 1, 0]);
        assert_eq!(
            uint(u64::MAX),
            [0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!(int(-129), [0xfe, 1, 1]);
        assert_eq!(int(-65), [0xff, 0x81]);
        assert_eq!(int(65), [0xff, 0x82]);
        assert_eq!(uint(17f64.to_bits().swap_bytes()), [0xfe, 0x31, 0x40]);
        for x in [0, 1, 127, 128, 255, 256, 1 << 32, u64::MAX - 1, u64::MAX] {
            assert_eq!(Reader { s: &uint(x) }.uint(), Ok(x));
        }
        for x in [0, 1, -1, 63, -64, 64, i64::MIN, i64::MAX] {
            assert_eq!(Reader { s: &int(x) }.int(), Ok(x));
        }
        assert_eq!(
            Reader { s: &[0xf7; 10] }.uint(),
            Err(GobError::IntegerOverflow)
        );
        assert_eq!(Reader { s: &[0x80] }.uint(), Err(GobError::IntegerOverflow));
        assert_eq!(Reader { s: &[0xfe, 1] }.uint(), Err(GobError::Truncated));
        assert_eq!(Reader { s: &[] }.uint(), Err(GobError::Truncated));
    }

    fn sample() -> GoMap {
        let mut m = GoMap::new();
        m.insert("bytes".into(), vec![0, 1, 0xff].into());
        m.insert("f".into(), (-1.25e-300).into());
        m.insert("i".into(), i64::MIN.into());
        m.insert("nil".into(), GoValue::Null);
        m.insert("no".into(), false.into());
        m.insert("s".into(), "é€😀\0".into());
        m.insert("u".into(), u64::MAX.into());
        m.insert("yes".into(), true.into());
        m.insert(String::new(), "".into());
        m
    }

    #[test]
    fn round_trips_every_map_type() {
        let mut strings = GoMap::new();
        strings.insert("a".into(), "1".into());
        strings.insert(String::new(), String::new().into());
        for (map, ty) in [
            (GoMap::new(), GobMapType::StringToString),
            (strings, GobMapType::StringToString),
            (sample(), GobMapType::StringToInterface),
            (sample(), GobMapType::InterfaceToInterface),
        ] {
            let mut out = Vec::new();
            encode(&map, ty, &mut out).unwrap();
            assert_eq!(decode_typed(&out), Ok((map, ty)));
        }
    }

    #[test]
    fn each_encoder_writes_its_map_type() {
        let mut map = GoMap::new();
        map.insert("k".into(), "v".into());
        type Encoder = fn(&GoMap, &mut Vec<u8>) -> Result<(), Error>;
        let encoders: [(Encoder, GobMapType); 3] = [
            (encode_string_map, GobMapType::StringToString),
            (encode_interface_map, GobMapType::StringToInterface),
            (encode_any_map, GobMapType::InterfaceToInterface),
        ];
        for (encoder, ty) in encoders {
            let mut out = Vec::new();
            encoder(&map, &mut out).unwrap();
            assert_eq!(decode_typed(&out), Ok((map.clone(), ty)));
        }
    }

    #[test]
    fn a_string_map_holds_only_strings() {
        let mut out = vec![9];
        assert_eq!(
            encode_string_map(&sample(), &mut out),
            Err(GobError::ValueNotString.into())
        );
        assert_eq!(out, [9]);
    }

    #[test]
    fn nan_survives_gob() {
        let mut m = GoMap::new();
        m.insert("x".into(), f64::NAN.into());
        let mut out = Vec::new();
        encode_interface_map(&m, &mut out).unwrap();
        let back = decode(&out).unwrap();
        assert!(back["x"].as_f64().unwrap().is_nan());
    }

    /// A stream as a Go process that already used ids up to 70 writes it,
    /// with an unrelated type defined first.
    fn renumbered() -> Vec<u8> {
        let mut s = Vec::new();
        // type 70: a slice of string, defined but unused.
        let mut def = int(-70);
        def.extend_from_slice(&[2, 1, 2]);
        def.extend_from_slice(&int(70));
        def.extend_from_slice(&[0, 1]);
        def.extend_from_slice(&int(ID_STRING));
        def.extend_from_slice(&[0, 0]);
        put_message(&mut s, &def);
        // type 71: map[interface{}]interface{}, with a name.
        let mut def = int(-71);
        def.extend_from_slice(&[4, 1, 1, 1, b'M', 1]);
        def.extend_from_slice(&int(71));
        def.extend_from_slice(&[0, 1]);
        def.extend_from_slice(&int(ID_INTERFACE));
        def.push(1);
        def.extend_from_slice(&int(ID_INTERFACE));
        def.extend_from_slice(&[0, 0]);
        put_message(&mut s, &def);
        let mut value = int(71);
        value.extend_from_slice(&[0, 1]);
        put_interface(&mut value, &"k".into());
        // An int8, as Go names it.
        value.extend_from_slice(&[4, b'i', b'n', b't', b'8']);
        value.extend_from_slice(&int(ID_INT));
        value.extend_from_slice(&[2, 0]);
        value.extend_from_slice(&int(-3));
        put_message(&mut s, &value);
        s
    }

    #[test]
    fn type_ids_are_parsed_not_matched() {
        let mut want = GoMap::new();
        want.insert("k".into(), GoValue::Int(-3));
        assert_eq!(
            decode_typed(&renumbered()),
            Ok((want, GobMapType::InterfaceToInterface))
        );
    }

    #[test]
    fn every_truncation_fails_and_every_byte_flip_is_handled() {
        let mut full = Vec::new();
        encode_interface_map(&sample(), &mut full).unwrap();
        for len in 0..full.len() {
            assert!(decode(&full[..len]).is_err(), "{len}");
        }
        // Flips may decode to another map or fail; they must not panic.
        for i in 0..full.len() {
            for bit in 0..8 {
                let mut f = full.clone();
                f[i] ^= 1 << bit;
                let _ = decode(&f);
            }
        }
        let mut extra = full.clone();
        extra.push(0);
        assert_eq!(decode(&extra), Err(GobError::TrailingBytes.into()));
    }

    fn stream(def: &[u8], value: &[u8]) -> Vec<u8> {
        let mut s = Vec::new();
        if !def.is_empty() {
            put_message(&mut s, def);
        }
        put_message(&mut s, value);
        s
    }

    const SS_DEF: &[u8] = &[0xff, 0x81, 4, 1, 2, 0xff, 0x82, 0, 1, 0x0c, 1, 0x0c, 0, 0];
    const SI_DEF: &[u8] = &[0xff, 0x81, 4, 1, 2, 0xff, 0x82, 0, 1, 0x0c, 1, 0x10, 0, 0];

    fn err(s: &[u8]) -> GobError {
        match decode(s) {
            Err(Error::Gob(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn distinct_errors() {
        assert_eq!(err(&[]), GobError::NoValue);
        assert_eq!(err(&stream(&[], SS_DEF)), GobError::NoValue);
        assert_eq!(err(&[5, 1]), GobError::Truncated);
        // A string value is not a map.
        assert_eq!(err(&stream(&[], &[0x0c, 0, 1, b'x'])), GobError::NotAMap);
        assert_eq!(
            err(&stream(SS_DEF, &[0xff, 0x84, 0, 0])),
            GobError::UnknownType
        );
        assert_eq!(err(&stream(SS_DEF, &[0xff, 0x82, 1, 0])), GobError::Corrupt);
        assert_eq!(
            err(&stream(SS_DEF, &[0xff, 0x82, 0, 1, 1, 0xff, 0])),
            GobError::NotUtf8
        );
        assert_eq!(
            err(&stream(SS_DEF, &[0xff, 0x82, 0, 2, 1, b'a', 0, 1, b'a', 0])),
            GobError::DuplicateKey
        );
        // Redefining a builtin or reserved id.
        let mut def = SS_DEF.to_vec();
        def[0] = 0x7d; // -63 (Go, too, refuses ids below 64)
        def.remove(1);
        assert_eq!(err(&stream(&def, &[0x0c])), GobError::DuplicateType);
        let mut twice = Vec::new();
        put_message(&mut twice, SS_DEF);
        twice.extend_from_slice(&stream(SS_DEF, &[0xff, 0x82, 0, 0]));
        assert_eq!(err(&twice), GobError::DuplicateType);
        // wireType field out of range, two wireType fields, trailing bytes.
        assert_eq!(
            err(&stream(&[0xff, 0x81, 8, 0], &[])),
            GobError::BadTypeDefinition
        );
        assert_eq!(
            err(&stream(&[0xff, 0x81, 0], &[])),
            GobError::BadTypeDefinition
        );
        assert_eq!(
            err(&stream(&[0xff, 0x81, 1, 0, 1, 0, 0], &[])),
            GobError::BadTypeDefinition
        );
        let mut def = SS_DEF.to_vec();
        def.push(0);
        assert_eq!(err(&stream(&def, &[])), GobError::Corrupt);
        // map[string]int: unsupported.
        let mut def = SS_DEF.to_vec();
        def[11] = 0x04;
        assert_eq!(
            err(&stream(&def, &[0xff, 0x82, 0, 0])),
            GobError::UnsupportedType
        );
        // map[string]T with T never defined.
        def[11] = 0xff;
        def.insert(12, 0x90);
        assert_eq!(
            err(&stream(&def, &[0xff, 0x82, 0, 0])),
            GobError::UnknownType
        );
        // A map count larger than the input could hold.
        assert_eq!(
            err(&stream(SS_DEF, &[0xff, 0x82, 0, 0x7f])),
            GobError::Truncated
        );
        let v = |iface: &[u8]| {
            let mut value = vec![0xff, 0x82, 0, 1, 1, b'k'];
            value.extend_from_slice(iface);
            err(&stream(SI_DEF, &value))
        };
        assert_eq!(
            v(&[4, b'b', b'o', b'o', b'l', 2, 2, 0, 2]),
            GobError::InvalidBool
        );
        assert_eq!(
            v(&[6, b's', b't', b'r', b'i', b'n', b'g', 4, 2, 0, 2]),
            GobError::TypeMismatch
        );
        assert_eq!(v(&[3, b'i', b'n', b't', 4, 2, 1, 2]), GobError::Corrupt);
        assert_eq!(v(&[3, b'i', b'n', b't', 4, 3, 0, 2, 0]), GobError::Corrupt);
        assert_eq!(
            v(&[
                9, b'c', b'o', b'm', b'p', b'l', b'e', b'x', b'6', b'4', 14, 1, 0
            ]),
            GobError::UnsupportedType
        );
        // time.Time and friends come with a type definition in the interface.
        assert_eq!(
            v(&[4, b'T', b'i', b'm', b'e', 0xff, 0x83]),
            GobError::UnsupportedType
        );
        assert_eq!(v(&[1, b'X', 0xff, 0x90, 1, 0]), GobError::UnknownType);
        // Id 0 is no type at all (not one defined on the spot).
        assert_eq!(v(&[1, b'X', 0, 1, 0]), GobError::UnknownType);
        assert_eq!(v(&[1, b'X', 0xff, 0x82, 1, 0]), GobError::UnsupportedType);
        // map[interface{}]interface{} with a non-string key.
        let mut def = SI_DEF.to_vec();
        def[9] = 0x10;
        let value = [0xff, 0x82, 0, 1, 3, b'i', b'n', b't', 4, 2, 0, 2, 0];
        assert_eq!(err(&stream(&def, &value)), GobError::KeyNotString);
    }

    /// `map[string]interface{}` with one entry, "k": an interface value
    /// named `name`, sent with type id `id` and the value bytes `inner`.
    fn one_interface(name: &str, id: i64, inner: &[u8]) -> Result<GoMap, Error> {
        let mut value = vec![0xff, 0x82, 0, 1, 1, b'k'];
        put_bytes(&mut value, name.as_bytes());
        put_int(&mut value, id);
        let mut singleton = vec![0];
        singleton.extend_from_slice(inner);
        put_bytes(&mut value, &singleton);
        decode(&stream(SI_DEF, &value))
    }

    #[test]
    fn every_builtin_name_must_come_with_its_own_id() {
        const ONE_INT: &[u8] = &[2];
        const ONE_UINT: &[u8] = &[1];
        const X: &[u8] = &[1, b'x'];
        const ZERO_BYTE: &[u8] = &[1, 0];
        // Go's names for the narrower types read as the wide kinds.
        let read = |name: &str, id: i64, inner: &[u8]| {
            one_interface(name, id, inner).map(|m| m["k"].clone())
        };
        assert_eq!(read("bool", ID_BOOL, &[1]), Ok(GoValue::Bool(true)));
        for name in ["int", "int8", "int16", "int32", "int64"] {
            assert_eq!(read(name, ID_INT, ONE_INT), Ok(GoValue::Int(1)), "{name}");
        }
        for name in ["uint", "uint8", "uint16", "uint32", "uint64", "uintptr"] {
            assert_eq!(
                read(name, ID_UINT, ONE_UINT),
                Ok(GoValue::Uint(1)),
                "{name}"
            );
        }
        for name in ["float32", "float64"] {
            let bits = uint(17f64.to_bits().swap_bytes());
            assert_eq!(read(name, ID_FLOAT, &bits), Ok(GoValue::Float(17.0)));
        }
        assert_eq!(read("[]uint8", ID_BYTES, ZERO_BYTE), Ok(vec![0u8].into()));
        assert_eq!(read("string", ID_STRING, X), Ok("x".into()));
        // Each name with another builtin's id (and a value that id could
        // read) is refused, never read as the other type.
        let mismatched: &[(&str, i64, &[u8])] = &[
            ("bool", ID_INT, ONE_INT),
            ("int", ID_UINT, ONE_UINT),
            ("int8", ID_UINT, ONE_UINT),
            ("int16", ID_BOOL, ONE_UINT),
            ("int32", ID_UINT, ONE_UINT),
            ("int64", ID_STRING, X),
            ("uint", ID_INT, ONE_INT),
            ("uint8", ID_BYTES, ZERO_BYTE),
            ("uint16", ID_INT, ONE_INT),
            ("uint32", ID_INT, ONE_INT),
            ("uint64", ID_INT, ONE_INT),
            ("uintptr", ID_INT, ONE_INT),
            ("float32", ID_UINT, ONE_UINT),
            ("float64", ID_INT, ONE_INT),
            ("[]uint8", ID_STRING, X),
            ("string", ID_BYTES, ZERO_BYTE),
            ("complex64", ID_STRING, X),
            ("complex128", ID_UINT, ONE_UINT),
        ];
        for &(name, id, inner) in mismatched {
            assert_eq!(
                one_interface(name, id, inner),
                Err(GobError::TypeMismatch.into()),
                "{name} as {id}"
            );
        }
    }

    #[test]
    fn array_definitions_are_parsed() {
        // type 65: [3]string, defined but unused; type 66: map[string]string.
        let mut array = int(-65);
        array.extend_from_slice(&[1, 1, 2]);
        array.extend_from_slice(&int(65));
        array.extend_from_slice(&[0, 1]);
        array.extend_from_slice(&int(ID_STRING));
        array.push(1);
        array.extend_from_slice(&int(3));
        array.extend_from_slice(&[0, 0]);
        let mut map = int(-66);
        map.extend_from_slice(&[4, 1, 2]);
        map.extend_from_slice(&int(66));
        map.extend_from_slice(&[0, 1, 0x0c, 1, 0x0c, 0, 0]);
        let mut value = int(66);
        value.extend_from_slice(&[0, 1, 1, b'k', 1, b'v']);
        let mut s = Vec::new();
        put_message(&mut s, &array);
        s.extend_from_slice(&stream(&map, &value));
        let mut want = GoMap::new();
        want.insert("k".into(), "v".into());
        assert_eq!(decode_typed(&s), Ok((want, GobMapType::StringToString)));
    }

    #[test]
    fn the_lowest_user_type_id_is_64() {
        // SS_DEF as type 64 (-63 is refused: `distinct_errors`).
        let mut def = int(-64);
        def.extend_from_slice(&[4, 1, 2]);
        def.extend_from_slice(&int(64));
        def.extend_from_slice(&[0, 1, 0x0c, 1, 0x0c, 0, 0]);
        let mut value = int(64);
        value.extend_from_slice(&[0, 0]);
        assert_eq!(
            decode_typed(&stream(&def, &value)),
            Ok((GoMap::new(), GobMapType::StringToString))
        );
    }

    #[test]
    fn a_map_count_is_checked_against_the_bytes_left() {
        // The smallest entry, an empty key and value, takes two bytes.
        let mut want = GoMap::new();
        want.insert(String::new(), "".into());
        assert_eq!(decode(&stream(SS_DEF, &[0xff, 0x82, 0, 1, 0, 0])), Ok(want));
        // Three entries cannot fit in four bytes: refused before reading
        // them (the second entry would be a duplicate).
        assert_eq!(
            err(&stream(SS_DEF, &[0xff, 0x82, 0, 3, 0, 0, 0, 0])),
            GobError::Truncated
        );
    }

    #[test]
    fn random_input_never_panics() {
        // Random bytes, and random bytes behind a valid type definition
        // (so that the value parser, not just the framing, sees them).
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut ok = 0;
        for round in 0..20_000 {
            let len = (next() % 64) as usize;
            let mut body: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let input = if round % 2 == 0 {
                body
            } else {
                let mut value = vec![0xff, 0x82, 0, (next() % 4) as u8];
                value.append(&mut body);
                stream(SI_DEF, &value)
            };
            ok += usize::from(decode(&input).is_ok());
        }
        // Almost nothing random is a valid stream.
        assert!(ok < 1000, "{ok}");
    }

    #[test]
    fn struct_definitions_are_parsed() {
        // The Point example of encoding/gob's documentation, then a value of
        // type Point: parsed, then refused as not a map.
        let point = [
            0x1f, 0xff, 0x81, 0x03, 0x01, 0x01, 0x05, 0x50, 0x6f, 0x69, 0x6e, 0x74, 0x01, 0xff,
            0x82, 0x00, 0x01, 0x02, 0x01, 0x01, 0x58, 0x01, 0x04, 0x00, 0x01, 0x01, 0x59, 0x01,
            0x04, 0x00, 0x00, 0x00, 0x07, 0xff, 0x82, 0x01, 0x2c, 0x01, 0x42, 0x00,
        ];
        assert_eq!(err(&point), GobError::NotAMap);
        // A struct claiming more fields than it has bytes.
        let mut bad = point;
        bad[17] = 0x7f;
        assert_eq!(err(&bad), GobError::Truncated);
        // type 65: a struct whose field list ends the message: `count`
        // fields, then `rest`.
        let truncated_struct = |count: u8, rest: &[u8]| {
            let mut def = int(-65);
            def.extend_from_slice(&[3, 1, 2]);
            def.extend_from_slice(&int(65));
            def.extend_from_slice(&[0, 1, count]);
            def.extend_from_slice(rest);
            err(&stream(&def, &[]))
        };
        // More fields than bytes: refused before any field is read ...
        assert_eq!(truncated_struct(5, &[3]), GobError::Truncated);
        // ... as many: each is read, and this one is bad (fieldType has two
        // fields, not three).
        assert_eq!(truncated_struct(1, &[3]), GobError::BadTypeDefinition);
    }

    #[test]
    fn field_numbers_stay_below_the_field_count() {
        // mapType has three fields (CommonType, Key, Elem): after the first,
        // a delta of 3 would be a fourth.
        let mut def = int(-65);
        def.extend_from_slice(&[4, 1, 2]);
        def.extend_from_slice(&int(65));
        def.extend_from_slice(&[0, 3, 0x0c, 0, 0]);
        assert_eq!(
            err(&stream(&def, &[0xff, 0x82, 0, 0])),
            GobError::BadTypeDefinition
        );
        // A delta of 2 is the last field, Elem (the key is then 0: no type).
        def[8] = 2;
        assert_eq!(
            err(&stream(&def, &[0xff, 0x82, 0, 0])),
            GobError::UnknownType
        );
    }
}
