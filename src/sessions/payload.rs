//! (std) The one seam between a [`Session`] and the bytes the envelope
//! protects: which serialization a store's cookies carry.
//!
//! The crate's own [`kv`](crate::codec::kv) format, and (feature `go`) the gob and
//! JSON payloads of Go's gorilla/securecookie, as dghubble/sessions'
//! `NewCookieStore[string]` writes them: a `map[string]string`. The store,
//! the envelope and the header code do not know which one is in use.

use std::string::String;
use std::vec::Vec;

use crate::codec::kv;
use crate::error::{Error, KvError};
use crate::sessions::session::Session;
use crate::sessions::value::SessionValue;

/// How session entries are serialized inside the cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum PayloadFormat {
    /// Length-prefixed key/value entries, keys ascending ([`kv`]); values are
    /// [`SessionValue`] bytes.
    #[default]
    Kv,
    /// Go's `securecookie.GobEncoder` over a `map[string]string`: each value
    /// is its [`SessionValue`] bytes as a Go string, so they must be UTF-8.
    #[cfg(feature = "go")]
    GoGob,
    /// Go's `securecookie.JSONEncoder` over a `map[string]string`: a JSON
    /// object whose values are strings, as for [`GoGob`](Self::GoGob).
    #[cfg(feature = "go")]
    GoJson,
}

#[cfg(feature = "go")]
impl From<crate::go::GoSerializer> for PayloadFormat {
    fn from(serializer: crate::go::GoSerializer) -> Self {
        match serializer {
            crate::go::GoSerializer::Gob => PayloadFormat::GoGob,
            crate::go::GoSerializer::Json => PayloadFormat::GoJson,
        }
    }
}

impl PayloadFormat {
    /// A first guess at the payload size, to allocate once.
    pub(crate) fn size_hint<V>(self, session: &Session<V>) -> usize {
        match self {
            PayloadFormat::Kv => session.iter().map(|(k, _)| k.len() + 24).sum(),
            // gob: two short messages of framing; JSON: quotes and escapes.
            #[cfg(feature = "go")]
            PayloadFormat::GoGob | PayloadFormat::GoJson => {
                24 + session.iter().map(|(k, _)| k.len() + 32).sum::<usize>()
            }
        }
    }

    /// Appends the session's entries to `out`.
    ///
    /// # Errors
    /// [`KvError::TooLarge`] for an entry beyond [`kv::MAX_LEN`]; in the Go
    /// formats, a value whose bytes are not UTF-8 (no Go string we can write):
    /// [`GobError::ValueNotString`](crate::GobError::ValueNotString) or
    /// [`JsonError::NotUtf8`](crate::JsonError::NotUtf8).
    pub(crate) fn write<V: SessionValue>(
        self,
        session: &Session<V>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        match self {
            PayloadFormat::Kv => write_kv(session, out),
            #[cfg(feature = "go")]
            PayloadFormat::GoGob => go::write_gob(session, out),
            #[cfg(feature = "go")]
            PayloadFormat::GoJson => go::write_json(session, out),
        }
    }

    /// Reads every entry, in ascending key order, or fails: never half a
    /// session.
    ///
    /// # Errors
    /// [`Error::Payload`] for a malformed payload, [`Error::InvalidValue`]
    /// when a value's bytes do not make a `V`.
    pub(crate) fn read<V: SessionValue>(self, payload: &[u8]) -> Result<Vec<(String, V)>, Error> {
        match self {
            PayloadFormat::Kv => read_kv(payload),
            #[cfg(feature = "go")]
            PayloadFormat::GoGob => go::read_gob(payload),
            #[cfg(feature = "go")]
            PayloadFormat::GoJson => go::read_json(payload),
        }
    }
}

/// Each value is written straight into `out`, after a one-byte length
/// placeholder that is widened afterwards if the value turns out to be 128
/// bytes or more: no per-value buffer. A session iterates in the ascending
/// order [`kv`] requires.
fn write_kv<V: SessionValue>(session: &Session<V>, out: &mut Vec<u8>) -> Result<(), Error> {
    for (key, value) in session {
        if key.len() > kv::MAX_LEN {
            return Err(KvError::TooLarge.into());
        }
        push_varint(out, key.len());
        out.extend_from_slice(key.as_bytes());
        let at = out.len();
        out.push(0);
        value.write_bytes(out);
        let len = out.len() - at - 1;
        if len > kv::MAX_LEN {
            return Err(KvError::TooLarge.into());
        }
        if len < 0x80 {
            // The usual case: the placeholder is the whole prefix.
            out[at] = len as u8;
        } else {
            let mut prefix = [0u8; 3];
            let used = varint(len, &mut prefix);
            out.splice(at..at + 1, prefix[..used].iter().copied());
        }
    }
    Ok(())
}

/// The reader checks that keys ascend strictly, so the entries need no
/// sorting.
fn read_kv<V: SessionValue>(payload: &[u8]) -> Result<Vec<(String, V)>, Error> {
    let mut values = Vec::new();
    for entry in kv::KvReader::new(payload) {
        let (key, bytes) = entry?;
        let value = V::from_bytes(bytes).map_err(|reason| Error::InvalidValue { reason })?;
        values.push((String::from(key), value));
    }
    Ok(values)
}

fn push_varint(out: &mut Vec<u8>, n: usize) {
    let mut prefix = [0u8; 3];
    let used = varint(n, &mut prefix);
    out.extend_from_slice(&prefix[..used]);
}

/// LEB128 of `n <= kv::MAX_LEN` into `buf`; returns the bytes used.
fn varint(n: usize, buf: &mut [u8; 3]) -> usize {
    crate::codec::kv::put_varint(buf, 0, n)
}

/// Go's `map[string]string`, by way of [`crate::go`]: each value travels as
/// the Go string holding its [`SessionValue`] bytes (a `String` as itself, an
/// integer in decimal, a `bool` as `1` or `0`), which is what a Go service
/// using `NewCookieStore[string]` stores and reads.
#[cfg(feature = "go")]
mod go {
    use super::*;
    use crate::error::{GobError, JsonError};
    use crate::go::{GoMap, GoValue, gob, json};

    /// The session as a Go map: each value the Go string of its bytes, or
    /// `not_text` for bytes that are not UTF-8; a structured value (feature
    /// `serde`) is its JSON (a nested object, array, number, ...).
    fn to_map<V: SessionValue>(session: &Session<V>, not_text: Error) -> Result<GoMap, Error> {
        let mut bytes = Vec::new();
        let mut map = GoMap::new();
        for (key, value) in session {
            bytes.clear();
            value.write_bytes(&mut bytes);
            #[cfg(feature = "serde")]
            if let Some(value) = structured::to_go(&bytes) {
                map.insert(String::from(key), value);
                continue;
            }
            let text = String::from_utf8(core::mem::take(&mut bytes)).map_err(|_| not_text)?;
            map.insert(String::from(key), GoValue::String(text));
        }
        Ok(map)
    }

    /// Values back from a Go map; a map iterates in ascending key order, as
    /// a session needs. A string is its bytes; a bool and an integer their
    /// plain bytes (`1`/`0`, decimal: what a Go service writing a
    /// `map[string]interface{}` puts there); with the `serde` feature,
    /// anything else the tagged MessagePack a struct reads from.
    fn from_map<V: SessionValue>(map: GoMap) -> Result<Vec<(String, V)>, Error> {
        let mut values = Vec::with_capacity(map.len());
        let mut scratch = Vec::new();
        for (key, value) in map {
            scratch.clear();
            let bytes: &[u8] = match &value {
                GoValue::String(text) => text.as_bytes(),
                GoValue::Bool(b) => {
                    b.write_bytes(&mut scratch);
                    &scratch
                }
                GoValue::Int(i) => {
                    i.write_bytes(&mut scratch);
                    &scratch
                }
                GoValue::Uint(u) => {
                    u.write_bytes(&mut scratch);
                    &scratch
                }
                #[cfg(feature = "serde")]
                other => {
                    structured::from_go(other, &mut scratch)?;
                    &scratch
                }
                #[cfg(not(feature = "serde"))]
                _ => {
                    return Err(Error::InvalidValue {
                        reason: "not a Go string",
                    });
                }
            };
            let value = V::from_bytes(bytes).map_err(|reason| Error::InvalidValue { reason })?;
            values.push((key, value));
        }
        Ok(values)
    }

    pub(super) fn write_gob<V: SessionValue>(
        session: &Session<V>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let map = to_map(session, GobError::ValueNotString.into())?;
        gob::encode_string_map(&map, out)
    }

    pub(super) fn write_json<V: SessionValue>(
        session: &Session<V>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let map = to_map(session, JsonError::NotUtf8.into())?;
        json::encode(&map, out)
    }

    /// Only `map[string]string`: a Go `NewCookieStore[string]` cannot read
    /// the other map types gob carries, nor would it write them.
    pub(super) fn read_gob<V: SessionValue>(payload: &[u8]) -> Result<Vec<(String, V)>, Error> {
        match gob::decode_typed(payload)? {
            (map, gob::GobMapType::StringToString) => from_map(map),
            _ => Err(GobError::UnsupportedType.into()),
        }
    }

    pub(super) fn read_json<V: SessionValue>(payload: &[u8]) -> Result<Vec<(String, V)>, Error> {
        from_map(json::decode(payload)?)
    }

    /// (feature `serde`) A structured value and its Go form, by way of
    /// `serde_json::Value`: a struct is a JSON object to Go, and the
    /// object Go writes back reads as the struct.
    #[cfg(feature = "serde")]
    mod structured {
        use super::*;
        use crate::sessions::value::serde_values::{TAG, from_msgpack};
        use serde_json::Value;

        /// The Go value of a tagged value, `None` for plain bytes (or
        /// raw bytes that only start with the tag).
        pub(super) fn to_go(bytes: &[u8]) -> Option<GoValue> {
            let rest = bytes.strip_prefix(&[TAG])?;
            let value: Value = from_msgpack(rest).ok()?;
            Some(match value {
                Value::Null => GoValue::Null,
                Value::Bool(b) => GoValue::Bool(b),
                Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                    (Some(u), _, _) => GoValue::Uint(u),
                    (_, Some(i), _) => GoValue::Int(i),
                    (_, _, f) => GoValue::Float(f.unwrap_or(f64::NAN)),
                },
                Value::String(s) => GoValue::String(s),
                nested => GoValue::Json(std::string::ToString::to_string(&nested)),
            })
        }

        /// The tagged MessagePack of a Go value that has no plain bytes.
        pub(super) fn from_go(value: &GoValue, out: &mut Vec<u8>) -> Result<(), Error> {
            let value = match value {
                GoValue::Null => Value::Null,
                GoValue::Float(f) => Value::from(*f),
                GoValue::Json(text) => serde_json::from_str(text)
                    .map_err(|_| Error::InvalidValue { reason: "not JSON" })?,
                GoValue::Bytes(b) => Value::from(b.as_slice()),
                _ => {
                    return Err(Error::InvalidValue {
                        reason: "not a Go value of a session",
                    });
                }
            };
            out.push(TAG);
            rmp_serde::encode::write_named(out, &value).map_err(|_| Error::InvalidValue {
                reason: "not a Go value of a session",
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    #[cfg(feature = "go")]
    #[test]
    fn go_serializers_pick_their_format() {
        use crate::go::GoSerializer;
        assert_eq!(PayloadFormat::from(GoSerializer::Gob), PayloadFormat::GoGob);
        assert_eq!(
            PayloadFormat::from(GoSerializer::Json),
            PayloadFormat::GoJson
        );
    }

    #[test]
    fn kv_matches_the_core_writer() {
        // Values around each length-prefix boundary, against kv::KvWriter.
        for len in [0, 1, 127, 128, 129, 16_383, 16_384, 20_000] {
            let mut s = Session::new("s");
            s.set("a", vec![b'x'; len]);
            s.set("b", vec![b'y'; 3]);
            let mut ours = Vec::new();
            PayloadFormat::Kv.write(&s, &mut ours).unwrap();
            let mut buf = vec![0u8; len + 64];
            let mut w = kv::KvWriter::new(&mut buf);
            w.push("a", &vec![b'x'; len]).unwrap();
            w.push("b", b"yyy").unwrap();
            assert_eq!(ours, w.finish(), "value length {len}");
            let back: Vec<(String, Vec<u8>)> = PayloadFormat::Kv.read(&ours).unwrap();
            assert_eq!(Session::from_sorted("s", back), s);
        }
    }

    /// The store's writer keeps the core's limit: a key or value of
    /// `kv::MAX_LEN` bytes is written (3-byte prefix), one more is refused.
    #[test]
    fn kv_entries_past_max_len_are_refused() {
        let write = |key: String, value: Vec<u8>| {
            let mut s = Session::new("s");
            s.set(key, value);
            let mut out = Vec::new();
            PayloadFormat::Kv.write(&s, &mut out).map(|()| out.len())
        };
        let max = kv::MAX_LEN;
        let too_large = Err(Error::Payload(KvError::TooLarge));
        assert_eq!(write("k".into(), vec![0; max]), Ok(kv::entry_len(1, max)));
        assert_eq!(write("k".into(), vec![0; max + 1]), too_large);
        assert_eq!(write("k".repeat(max), vec![]), Ok(kv::entry_len(max, 0)));
        assert_eq!(write("k".repeat(max + 1), vec![]), too_large);
    }

    #[test]
    fn read_is_all_or_nothing() {
        let payload = kv::to_vec::<32>([("a", &b"1"[..]), ("b", &b"x"[..])]).unwrap();
        assert_eq!(
            PayloadFormat::Kv.read::<u8>(&payload),
            Err(Error::InvalidValue {
                reason: "not a decimal integer"
            })
        );
        assert_eq!(
            PayloadFormat::Kv.read::<String>(&[1, b'b', 0, 1, b'a', 0]),
            Err(Error::Payload(KvError::Unsorted))
        );
        assert_eq!(
            PayloadFormat::Kv.read::<String>(&[]).map(|m| m.len()),
            Ok(0)
        );
    }

    #[cfg(feature = "go")]
    #[test]
    fn go_formats_are_go_maps_of_strings() {
        use crate::go::{GoMap, GoValue, gob, json};
        let mut s = Session::new("s");
        s.set("b", 7u16);
        s.set("a", 300u16);
        let map: GoMap = [("a".into(), "300".into()), ("b".into(), "7".into())].into();
        let mut want = Vec::new();
        gob::encode_string_map(&map, &mut want).unwrap();
        let mut ours = Vec::new();
        PayloadFormat::GoGob.write(&s, &mut ours).unwrap();
        assert_eq!(ours, want);
        let back: Vec<(String, u16)> = PayloadFormat::GoGob.read(&ours).unwrap();
        assert_eq!(Session::from_sorted("s", back), s);

        let mut ours = Vec::new();
        PayloadFormat::GoJson.write(&s, &mut ours).unwrap();
        assert_eq!(ours, b"{\"a\":\"300\",\"b\":\"7\"}\n");
        let back: Vec<(String, u16)> = PayloadFormat::GoJson.read(&ours).unwrap();
        assert_eq!(Session::from_sorted("s", back), s);

        // What a Go map[string]interface{} holds besides strings: bools and
        // integers read as their plain bytes.
        let mut j = Vec::new();
        let map: GoMap = [
            ("a".into(), GoValue::Bool(true)),
            ("b".into(), GoValue::Int(-3)),
            ("c".into(), GoValue::Uint(u64::MAX)),
        ]
        .into();
        json::encode(&map, &mut j).unwrap();
        let back: Vec<(String, String)> = PayloadFormat::GoJson.read(&j).unwrap();
        let want = [("a", "1"), ("b", "-3"), ("c", "18446744073709551615")];
        assert_eq!(back, want.map(|(k, v)| (k.into(), v.into())));
        // A float or a nested value needs the serde feature.
        let mut j = Vec::new();
        json::encode(&[("a".into(), GoValue::Float(0.5))].into(), &mut j).unwrap();
        #[cfg(not(feature = "serde"))]
        assert_eq!(
            PayloadFormat::GoJson.read::<String>(&j),
            Err(Error::InvalidValue {
                reason: "not a Go string"
            })
        );
        #[cfg(feature = "serde")]
        assert_eq!(
            PayloadFormat::GoJson.read::<f64>(&j),
            Ok(vec![("a".into(), 0.5)])
        );
    }

    /// (feature `serde`) A struct is a nested JSON object to Go, and back.
    #[cfg(all(feature = "go", feature = "serde"))]
    #[test]
    fn go_json_carries_structs_as_objects() {
        use crate::go::{GoValue, gob, json};
        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        struct User {
            id: u64,
            roles: Vec<String>,
        }
        let mut s = Session::new("s");
        s.set(
            "u",
            User {
                id: 7,
                roles: vec!["a".into()],
            },
        );
        let mut out = Vec::new();
        PayloadFormat::GoJson.write(&s, &mut out).unwrap();
        assert_eq!(out, b"{\"u\":{\"id\":7,\"roles\":[\"a\"]}}\n");
        let back: Vec<(String, User)> = PayloadFormat::GoJson.read(&out).unwrap();
        assert_eq!(Session::from_sorted("s", back), s);
        // Gob has no such value: refused, not half written.
        let mut out = Vec::new();
        assert_eq!(
            PayloadFormat::GoGob.write(&s, &mut out),
            Err(crate::GobError::ValueNotString.into())
        );
        // An object Go wrote that does not fit the type.
        let map = [("u".into(), GoValue::Json("{\"id\":\"x\"}".into()))].into();
        let mut j = Vec::new();
        json::encode(&map, &mut j).unwrap();
        assert_eq!(
            PayloadFormat::GoJson.read::<User>(&j),
            Err(Error::InvalidValue {
                reason: "does not fit the type"
            })
        );
        let _ = gob::GobMapType::StringToString;
    }

    /// (feature `serde`) Go's `nil` in a JSON map reads as `None`.
    #[cfg(all(feature = "go", feature = "serde"))]
    #[test]
    fn go_json_null_is_none() {
        let back = PayloadFormat::GoJson.read::<Option<String>>(b"{\"a\":null,\"b\":\"x\"}");
        assert_eq!(
            back,
            Ok(vec![("a".into(), None), ("b".into(), Some("x".into()))])
        );
        assert_eq!(
            PayloadFormat::GoJson.read::<String>(b"{\"a\":null}"),
            Err(Error::InvalidValue {
                reason: "does not fit the type"
            })
        );
    }
}
