use super::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::string::{String, ToString};
use std::vec;

fn bytes_of<V: SessionValue>(v: &V) -> Vec<u8> {
    let mut out = vec![0xee];
    v.write_bytes(&mut out);
    assert_eq!(out[0], 0xee, "write_bytes appends");
    out.split_off(1)
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
    roles: Vec<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct UserId(String);

fn ada() -> User {
    User {
        id: 7,
        name: "ada".into(),
        roles: vec!["admin".into()],
    }
}

#[test]
fn plain_types_keep_their_bytes() {
    assert_eq!(bytes_of(&"a1b2c3".to_string()), b"a1b2c3");
    assert_eq!(bytes_of(&"é".to_string()), "é".as_bytes());
    assert_eq!(bytes_of(&-42i32), b"-42");
    assert_eq!(bytes_of(&u128::MAX), u128::MAX.to_string().as_bytes());
    assert_eq!(bytes_of(&true), b"1");
    assert_eq!(bytes_of(&false), b"0");
    assert_eq!(bytes_of(&'x'), b"x");
    assert_eq!(bytes_of(&vec![0u8, 0xff, 1]), [0, 0xff, 1]);
    assert_eq!(bytes_of(&Vec::<u8>::new()), b"");
    // A newtype is its inner value.
    assert_eq!(bytes_of(&UserId("a1".into())), b"a1");
    assert_eq!(UserId::from_bytes(b"a1"), Ok(UserId("a1".into())));
    assert_eq!(char::from_bytes("é".as_bytes()), Ok('é'));
    assert_eq!(char::from_bytes(b"ab"), Err("not one character"));
}

#[test]
fn structured_values_are_tagged_messagepack_with_names() {
    let bytes = bytes_of(&ada());
    assert_eq!(bytes[0], TAG);
    assert_eq!(bytes[1..], rmp_serde::to_vec_named(&ada()).unwrap()[..]);
    assert_eq!(User::from_bytes(&bytes), Ok(ada()));
    // Field names are in the bytes: a reader does not depend on the order.
    assert!(bytes.windows(5).any(|w| w == b"roles"));
    for (value, first) in [
        (bytes_of(&Some(3u8)), 3u8),
        (bytes_of(&1.5f64), 0xcb),
        (bytes_of(&vec![1u16, 2]), 0x92),
        (bytes_of(&vec!["a".to_string()]), 0x91),
        (bytes_of(&()), 0xc0),
    ] {
        assert_eq!((value[0], value[1]), (TAG, first));
    }
    let map: BTreeMap<String, u32> = [("a".to_string(), 1)].into();
    assert_eq!(BTreeMap::from_bytes(&bytes_of(&map)), Ok(map));
    assert_eq!(f64::from_bytes(&bytes_of(&1.5f64)), Ok(1.5));
    assert_eq!(Option::<u8>::from_bytes(&bytes_of(&None::<u8>)), Ok(None));
}

#[test]
fn bytes_starting_with_the_tag_are_not_ambiguous() {
    // A Vec<u8> is raw, always: the crate keeps payload entries in them,
    // a struct's tagged bytes included.
    let raw = vec![TAG, 0x92, 1, 2];
    assert_eq!(bytes_of(&raw), raw);
    assert_eq!(Vec::<u8>::from_bytes(&raw), Ok(raw.clone()));
    let user = bytes_of(&ada());
    assert_eq!(Vec::<u8>::from_bytes(&user), Ok(user.clone()));
    assert_eq!(bytes_of(&user), user);
    // Other lists of bytes that start with the tag are MessagePack.
    let deque: std::collections::VecDeque<u8> = [TAG, 1].into();
    let bytes = bytes_of(&deque);
    assert_ne!(bytes, [TAG, 1]);
    assert_eq!(std::collections::VecDeque::from_bytes(&bytes), Ok(deque));
    // Raw bytes starting with the tag that are not MessagePack: read as
    // they are.
    assert_eq!(
        std::collections::VecDeque::<u8>::from_bytes(&[TAG, 0xc1]),
        Ok([TAG, 0xc1].into())
    );
}

#[test]
fn plain_values_read_as_wider_and_optional_types() {
    assert_eq!(i64::from_bytes(b"-42"), Ok(-42));
    assert_eq!(Option::<String>::from_bytes(b"x"), Ok(Some("x".into())));
    assert_eq!(u8::from_bytes(b"256"), Err("integer out of range"));
    assert_eq!(u8::from_bytes(b"x"), Err("not a decimal integer"));
    assert_eq!(bool::from_bytes(b"2"), Err("not a bool (1 or 0)"));
    assert_eq!(String::from_bytes(&[0xff]), Err("not UTF-8"));
    // A self-describing reader sees text.
    assert_eq!(
        serde_json::Value::from_bytes(b"abc"),
        Ok(serde_json::Value::String("abc".into()))
    );
}

#[test]
fn a_value_that_does_not_fit_is_an_error_not_a_panic() {
    // A plain string read as a struct, a struct as a string, garbage.
    assert_eq!(
        User::from_bytes(b"a1b2c3"),
        Err("a plain value where a structured one was expected")
    );
    assert_eq!(String::from_bytes(&bytes_of(&ada())), Err(NOT_THE_TYPE));
    assert_eq!(User::from_bytes(&[TAG, 0x81]), Err(NOT_THE_TYPE));
    assert_eq!(User::from_bytes(&[TAG]), Err(NOT_THE_TYPE));
    let mut trailing = bytes_of(&ada());
    trailing.push(0);
    assert_eq!(
        User::from_bytes(&trailing),
        Err("trailing bytes after the value")
    );
    // Trailing bytes that are not even a whole value (an array16 marker
    // without its length) are trailing bytes all the same.
    *trailing.last_mut().unwrap() = 0xdc;
    assert_eq!(
        User::from_bytes(&trailing),
        Err("trailing bytes after the value")
    );
    // Deep nesting is refused, not a stack overflow.
    let mut deep = vec![TAG];
    deep.extend(std::iter::repeat_n(0x91, 4000));
    deep.push(0xc0);
    assert_eq!(serde_json::Value::from_bytes(&deep), Err(NOT_THE_TYPE));
}

/// Bytes serialized as bytes (`serialize_bytes`, as `serde_bytes` does),
/// not as a list of `u8`s.
#[derive(Debug, PartialEq)]
struct Blob(Vec<u8>);

impl Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct BlobVisitor;
        impl Visitor<'_> for BlobVisitor {
            type Value = Blob;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Blob, E> {
                Ok(Blob(v.to_vec()))
            }
        }
        d.deserialize_byte_buf(BlobVisitor)
    }
}

#[test]
fn serialized_bytes_are_raw_unless_they_start_with_the_tag() {
    let raw = Blob(vec![0, 0xff, b'x']);
    assert_eq!(bytes_of(&raw), [0, 0xff, b'x']);
    assert_eq!(Blob::from_bytes(&[0, 0xff, b'x']), Ok(raw));
    // Raw, they would read as MessagePack: a MessagePack `bin` instead.
    let tagged = Blob(vec![TAG, 1]);
    let bytes = bytes_of(&tagged);
    assert_eq!(bytes, [TAG, 0xc4, 2, TAG, 1]);
    assert_eq!(Blob::from_bytes(&bytes), Ok(tagged));
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Choice {
    Pick(u8),
    Name(String),
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Byte(u8);

#[test]
fn enums_and_lists_of_wrapped_bytes_are_structured() {
    // An enum variant around a plain value is not that plain value: the
    // variant would be lost.
    for choice in [Choice::Pick(7), Choice::Name("a".into())] {
        let bytes = bytes_of(&choice);
        assert_eq!(bytes[0], TAG);
        assert_eq!(Choice::from_bytes(&bytes), Ok(choice));
    }
    // Only a list of bare `u8`s is raw bytes; a list of options, newtypes or
    // enum variants around them is MessagePack, and reads back as itself.
    let options = vec![Some(7u8), Some(8)];
    let bytes = bytes_of(&options);
    assert_eq!((bytes[0], bytes[1]), (TAG, 0x92));
    assert_eq!(Vec::from_bytes(&bytes), Ok(options));
    let newtypes = vec![Byte(7), Byte(8)];
    let bytes = bytes_of(&newtypes);
    assert_eq!((bytes[0], bytes[1]), (TAG, 0x92));
    assert_eq!(Vec::from_bytes(&bytes), Ok(newtypes));
    let picks = vec![Choice::Pick(7)];
    let bytes = bytes_of(&picks);
    assert_eq!((bytes[0], bytes[1]), (TAG, 0x91));
    assert_eq!(Vec::from_bytes(&bytes), Ok(picks));
}
