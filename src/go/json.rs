//! Go's `securecookie.JSONEncoder` payload: a JSON object, as Go's
//! `json.Encoder` writes it.
//!
//! Writing follows Go byte for byte: keys sorted bytewise, no spaces, `<`,
//! `>`, `&`, U+2028 and U+2029 escaped as `\u003c` and so on, other control
//! characters as `\n`-style or `\u00XX` escapes, floats in the shortest form
//! that reads back exactly (`1e+21` style beyond 1e21 and below 1e-6),
//! `[]byte` as standard base64, and a trailing newline.
//!
//! Reading takes one object (or `null`, what Go writes for a nil map) whose
//! values are strings, numbers, booleans, `null`, or nested objects and
//! arrays (kept as their JSON text, [`GoValue::Json`]: what a struct value
//! becomes in Go's `map[string]interface{}`); anything else is a
//! [`JsonError`]. The parser is total: it never panics, allocates only for
//! what it returns, and never recurses (nesting deeper than
//! [`MAX_NESTING`] is refused). A [`GoValue::Json`] is written back as the
//! text it holds.
//!
//! ```
//! use securecookie::go::{json, GoMap, GoValue};
//!
//! let mut map = GoMap::new();
//! map.insert("user-id".into(), "<a&b>".into());
//! map.insert("n".into(), GoValue::Float(1e21));
//! let mut out = Vec::new();
//! json::encode(&map, &mut out)?;
//! assert_eq!(out, b"{\"n\":1e+21,\"user-id\":\"\\u003ca\\u0026b\\u003e\"}\n");
//! assert_eq!(json::decode(&out)?, map);
//! # Ok::<(), securecookie::Error>(())
//! ```

use super::{GoMap, GoValue};
use crate::error::{Error, JsonError};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// How deep objects and arrays may nest inside a value (a session value
/// needs a few levels; Go allows 10,000).
pub const MAX_NESTING: usize = 32;

/// Appends Go's JSON encoding of `map` (with its trailing newline) to `out`.
///
/// # Errors
/// [`Error::Json`]`(`[`JsonError::NonFiniteFloat`]`)` for a NaN or infinite
/// float; `out` is then left as it was.
pub fn encode(map: &GoMap, out: &mut Vec<u8>) -> Result<(), Error> {
    let start = out.len();
    let result = encode_object(map, out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

fn encode_object(map: &GoMap, out: &mut Vec<u8>) -> Result<(), Error> {
    out.push(b'{');
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(key, out);
        out.push(b':');
        write_value(value, out)?;
    }
    out.extend_from_slice(b"}\n");
    Ok(())
}

fn write_value(value: &GoValue, out: &mut Vec<u8>) -> Result<(), Error> {
    match value {
        GoValue::Null => out.extend_from_slice(b"null"),
        GoValue::Bool(true) => out.extend_from_slice(b"true"),
        GoValue::Bool(false) => out.extend_from_slice(b"false"),
        GoValue::Int(i) => push_fmt(out, format_args!("{i}")),
        GoValue::Uint(u) => push_fmt(out, format_args!("{u}")),
        GoValue::Float(f) => write_float(*f, out)?,
        GoValue::String(s) => write_string(s, out),
        GoValue::Bytes(b) => {
            out.push(b'"');
            base64_std(b, out);
            out.push(b'"');
        }
        GoValue::Json(text) => out.extend_from_slice(text.as_bytes()),
    }
    Ok(())
}

/// Formats into `out` (a `Vec` cannot fail to grow short of an abort).
fn push_fmt(out: &mut Vec<u8>, args: core::fmt::Arguments<'_>) {
    let mut s = String::new();
    // Writing into a String never fails.
    let _ = s.write_fmt(args);
    out.extend_from_slice(s.as_bytes());
}

/// Go's float encoding (`encoding/json`'s `floatEncoder`, 64 bits): the
/// shortest digits that read back exactly, as ES6 prints numbers: plain
/// decimals for 1e-6 <= |f| < 1e21, otherwise `d.ddde±x` with no exponent
/// padding.
fn write_float(f: f64, out: &mut Vec<u8>) -> Result<(), Error> {
    if !f.is_finite() {
        return Err(JsonError::NonFiniteFloat.into());
    }
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        // Rust's Display is the shortest round-trip form, never exponential,
        // exactly like Go's strconv 'f' with precision -1 ("-0" included).
        push_fmt(out, format_args!("{f}"));
    } else {
        // Rust's LowerExp gives the same shortest digits as "1.5e-7";
        // Go spells the exponent with a sign: "1.5e-7", "1e+21".
        let mut s = String::new();
        let _ = write!(s, "{f:e}");
        match s.split_once('e') {
            Some((mantissa, exp)) => {
                out.extend_from_slice(mantissa.as_bytes());
                out.push(b'e');
                if !exp.starts_with('-') {
                    out.push(b'+');
                }
                out.extend_from_slice(exp.as_bytes());
            }
            None => out.extend_from_slice(s.as_bytes()),
        }
    }
    Ok(())
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Go's string escaping with HTML escaping on (`json.Encoder`'s default).
fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&[u8]> = match c {
            '"' => Some(b"\\\""),
            '\\' => Some(b"\\\\"),
            '\n' => Some(b"\\n"),
            '\r' => Some(b"\\r"),
            '\t' => Some(b"\\t"),
            // Go 1.22 and later; earlier Go wrote \u0008 and \u000c.
            '\u{8}' => Some(b"\\b"),
            '\u{c}' => Some(b"\\f"),
            '\0'..='\u{1f}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => None,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        start = i + c.len_utf8();
        match escape {
            Some(e) => out.extend_from_slice(e),
            None => {
                let c = c as u32;
                out.extend_from_slice(b"\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[(c >> shift) as usize & 0xf]);
                }
            }
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Standard base64 with padding, Go's spelling of a `[]byte` in JSON.
fn base64_std(data: &[u8], out: &mut Vec<u8>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 0x3f]);
            } else {
                out.push(b'=');
            }
        }
    }
}

/// Reads a JSON session payload.
///
/// Integers that fit become [`GoValue::Int`] (or [`GoValue::Uint`] above
/// `i64::MAX`); other numbers become [`GoValue::Float`]. Lone UTF-16
/// surrogates in `\u` escapes become U+FFFD, as in Go.
///
/// # Errors
/// [`Error::Json`] with the first problem found; see [`JsonError`].
pub fn decode(payload: &[u8]) -> Result<GoMap, Error> {
    // UTF-8 is checked string by string, as the parser meets them: outside
    // strings any non-ASCII byte is a syntax error, which is the cause Go
    // reports for garbage (a payload decrypted with the wrong key).
    let mut p = Parser { s: payload, pos: 0 };
    let map = p.object()?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(JsonError::TrailingData.into());
    }
    Ok(map)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Result<u8, JsonError> {
        self.s
            .get(self.pos)
            .copied()
            .ok_or(JsonError::UnexpectedEnd)
    }

    fn next(&mut self) -> Result<u8, JsonError> {
        let b = self.peek()?;
        self.pos += 1;
        Ok(b)
    }

    fn expect(&mut self, b: u8) -> Result<(), JsonError> {
        if self.next()? == b {
            Ok(())
        } else {
            Err(JsonError::Syntax)
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        for &b in word {
            self.expect(b)?;
        }
        Ok(())
    }

    fn object(&mut self) -> Result<GoMap, JsonError> {
        let mut map = GoMap::new();
        self.skip_ws();
        match self.peek()? {
            b'{' => self.pos += 1,
            // Go's encoder writes `null` for a nil map, and its decoder
            // reads it back as one.
            b'n' => {
                self.literal(b"null")?;
                return Ok(map);
            }
            b'[' | b'"' | b't' | b'f' | b'-' | b'0'..=b'9' => return Err(JsonError::NotAnObject),
            _ => return Err(JsonError::Syntax),
        }
        self.skip_ws();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Ok(map);
        }
        loop {
            self.skip_ws();
            self.expect(b'"')?;
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            let value = self.value()?;
            if map.insert(key, value).is_some() {
                return Err(JsonError::DuplicateKey);
            }
            self.skip_ws();
            match self.next()? {
                b',' => continue,
                b'}' => return Ok(map),
                _ => return Err(JsonError::Syntax),
            }
        }
    }

    fn value(&mut self) -> Result<GoValue, JsonError> {
        match self.peek()? {
            b'"' => {
                self.pos += 1;
                self.string().map(GoValue::String)
            }
            b'n' => self.literal(b"null").map(|()| GoValue::Null),
            b't' => self.literal(b"true").map(|()| GoValue::Bool(true)),
            b'f' => self.literal(b"false").map(|()| GoValue::Bool(false)),
            b'-' | b'0'..=b'9' => self.number(),
            b'{' | b'[' => self.nested(),
            _ => Err(JsonError::Syntax),
        }
    }

    /// A nested object or array, checked without recursion (a stack of
    /// the closers still due), kept as its text.
    fn nested(&mut self) -> Result<GoValue, JsonError> {
        let start = self.pos;
        let mut closers: Vec<u8> = Vec::new();
        loop {
            // A value starts here.
            self.skip_ws();
            let opened = match self.peek()? {
                b'{' => Some(b'}'),
                b'[' => Some(b']'),
                _ => None,
            };
            match opened {
                Some(closer) => {
                    if closers.len() == MAX_NESTING {
                        return Err(JsonError::Nested);
                    }
                    self.pos += 1;
                    closers.push(closer);
                    self.skip_ws();
                    if self.peek()? == closer {
                        self.pos += 1;
                        closers.pop();
                    } else {
                        if closer == b'}' {
                            self.member_key()?;
                        }
                        continue;
                    }
                }
                None => {
                    self.value()?;
                }
            }
            // A value ended: a separator, or closers.
            loop {
                let Some(&closer) = closers.last() else {
                    let text = core::str::from_utf8(&self.s[start..self.pos])
                        .map_err(|_| JsonError::NotUtf8)?;
                    return Ok(GoValue::Json(String::from(text)));
                };
                self.skip_ws();
                match self.next()? {
                    b',' => {
                        if closer == b'}' {
                            self.skip_ws();
                            self.member_key()?;
                        }
                        break;
                    }
                    b if b == closer => {
                        closers.pop();
                    }
                    _ => return Err(JsonError::Syntax),
                }
            }
        }
    }

    /// `"key":` inside a nested object.
    fn member_key(&mut self) -> Result<(), JsonError> {
        self.expect(b'"')?;
        self.string()?;
        self.skip_ws();
        self.expect(b':')
    }

    /// Reads the rest of a string whose opening quote is consumed.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote, backslash or control byte.
            let run_start = self.pos;
            while let Some(&b) = self.s.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The run stops only at ASCII bytes, so it never splits a
            // UTF-8 sequence: checking it alone is exact.
            out.push_str(
                core::str::from_utf8(&self.s[run_start..self.pos])
                    .map_err(|_| JsonError::NotUtf8)?,
            );
            match self.next()? {
                b'"' => return Ok(out),
                b'\\' => self.escape(&mut out)?,
                _ => return Err(JsonError::ControlCharacter),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let c = match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if (0xd800..0xdc00).contains(&unit) && self.s[self.pos..].starts_with(b"\\u") {
                    // A high surrogate: take the low one if it follows (Go
                    // leaves a non-low \u escape for the next round).
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xdc00..0xe000).contains(&low) {
                        let c = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                        char::from_u32(c).unwrap_or('\u{fffd}')
                    } else {
                        self.pos = save;
                        '\u{fffd}'
                    }
                } else {
                    // A lone surrogate becomes U+FFFD, as in Go.
                    char::from_u32(unit).unwrap_or('\u{fffd}')
                }
            }
            _ => return Err(JsonError::InvalidEscape),
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0;
        for _ in 0..4 {
            let d = match self.next()? {
                b @ b'0'..=b'9' => b - b'0',
                b @ b'a'..=b'f' => b - b'a' + 10,
                b @ b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(JsonError::InvalidEscape),
            };
            v = v << 4 | u32::from(d);
        }
        Ok(v)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.s.get(self.pos) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<GoValue, JsonError> {
        let start = self.pos;
        if self.peek()? == b'-' {
            self.pos += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return Err(JsonError::Syntax),
        }
        let mut integer = true;
        if self.s.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            integer = false;
            if self.digits() == 0 {
                return Err(self.peek().err().unwrap_or(JsonError::Syntax));
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.pos) {
            self.pos += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.s.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.peek().err().unwrap_or(JsonError::Syntax));
            }
        }
        // The slice is ASCII digits and signs: valid UTF-8.
        let text = core::str::from_utf8(&self.s[start..self.pos]).map_err(|_| JsonError::Syntax)?;
        if integer {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(GoValue::Int(i));
            }
            if let Ok(u) = text.parse::<u64>() {
                return Ok(GoValue::Uint(u));
            }
        }
        // JSON's number grammar is a subset of Rust's float grammar, and
        // Rust's parser rounds correctly, as Go's does.
        let f: f64 = text.parse().map_err(|_| JsonError::Syntax)?;
        if f.is_finite() {
            Ok(GoValue::Float(f))
        } else {
            Err(JsonError::NumberOutOfRange)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn enc(map: &GoMap) -> String {
        let mut out = Vec::new();
        encode(map, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn one(value: impl Into<GoValue>) -> String {
        let mut m = GoMap::new();
        m.insert("k".into(), value.into());
        let s = enc(&m);
        // Strip `{"k":` and `}\n`.
        s[5..s.len() - 2].into()
    }

    #[test]
    fn escapes_like_go() {
        assert_eq!(one("<script>&"), r#""\u003cscript\u003e\u0026""#);
        assert_eq!(one("a\u{2028}b\u{2029}c"), r#""a\u2028b\u2029c""#);
        assert_eq!(one("q\"b\\s/"), r#""q\"b\\s/""#);
        assert_eq!(one("\n\r\t\u{8}\u{c}"), r#""\n\r\t\b\f""#);
        assert_eq!(
            one("\0\u{1}\u{1f}\u{7f}"),
            "\"\\u0000\\u0001\\u001f\u{7f}\""
        );
        assert_eq!(one("é€😀\u{2027}\u{202a}"), "\"é€😀\u{2027}\u{202a}\"");
        assert_eq!(one(""), r#""""#);
    }

    #[test]
    fn floats_like_go() {
        for (f, want) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (123456789e12, "123456789000000000000"),
            (1.2345678901234568e21, "1.2345678901234568e+21"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (-2.5e-10, "-2.5e-10"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.30000000000000004, "0.30000000000000004"),
            (9007199254740993.0, "9007199254740992"),
        ] {
            assert_eq!(one(f), want, "{f:e}");
        }
        let mut m = GoMap::new();
        m.insert("k".into(), GoValue::Float(f64::NAN));
        let mut out = vec![b'x'];
        assert_eq!(
            encode(&m, &mut out),
            Err(Error::Json(JsonError::NonFiniteFloat))
        );
        assert_eq!(out, b"x");
    }

    #[test]
    fn integers_bools_null_bytes() {
        assert_eq!(one(i64::MIN), "-9223372036854775808");
        assert_eq!(one(u64::MAX), "18446744073709551615");
        assert_eq!(one(true), "true");
        assert_eq!(one(GoValue::Null), "null");
        assert_eq!(one(&b""[..]), r#""""#);
        assert_eq!(one(&b"\xff"[..]), r#""/w==""#);
        assert_eq!(one(&b"hi?"[..]), r#""aGk/""#);
        assert_eq!(one(&b"hi?>"[..]), r#""aGk/Pg==""#);
    }

    #[test]
    fn objects_are_sorted_and_newline_terminated() {
        let mut m = GoMap::new();
        assert_eq!(enc(&m), "{}\n");
        m.insert("b".into(), 1i64.into());
        m.insert("a".into(), "x".into());
        m.insert("B".into(), GoValue::Null);
        m.insert("é".into(), false.into());
        assert_eq!(enc(&m), "{\"B\":null,\"a\":\"x\",\"b\":1,\"é\":false}\n");
        assert_eq!(decode(enc(&m).as_bytes()), Ok(m));
    }

    fn dec(s: &str) -> Result<GoMap, Error> {
        decode(s.as_bytes())
    }

    fn dec_one(v: &str) -> Result<GoValue, Error> {
        dec(&alloc::format!("{{\"k\":{v}}}")).map(|m| m["k"].clone())
    }

    #[test]
    fn reads_numbers() {
        assert_eq!(dec_one("0"), Ok(GoValue::Int(0)));
        assert_eq!(dec_one("-0"), Ok(GoValue::Int(0)));
        assert_eq!(dec_one("-9223372036854775808"), Ok(GoValue::Int(i64::MIN)));
        assert_eq!(dec_one("9223372036854775808"), Ok(GoValue::Uint(1 << 63)));
        assert_eq!(dec_one("18446744073709551615"), Ok(GoValue::Uint(u64::MAX)));
        assert_eq!(
            dec_one("18446744073709551616"),
            Ok(GoValue::Float(18446744073709551616.0))
        );
        assert_eq!(
            dec_one("-9223372036854775809"),
            Ok(GoValue::Float(-9223372036854775808.0))
        );
        assert_eq!(dec_one("1.5"), Ok(GoValue::Float(1.5)));
        assert_eq!(dec_one("1E3"), Ok(GoValue::Float(1000.0)));
        assert_eq!(dec_one("1e-400"), Ok(GoValue::Float(0.0)));
        assert_eq!(dec_one("1e+21"), Ok(GoValue::Float(1e21)));
        assert_eq!(dec_one("1e400"), Err(JsonError::NumberOutOfRange.into()));
        assert_eq!(dec_one("-1e400"), Err(JsonError::NumberOutOfRange.into()));
        for bad in [
            "01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "1.e5", "--1",
        ] {
            assert!(dec_one(bad).is_err(), "{bad}");
        }
        assert_eq!(dec("{\"k\":1."), Err(JsonError::UnexpectedEnd.into()));
    }

    #[test]
    fn reads_strings() {
        assert_eq!(
            dec_one(r#""\u003c\u0026\/\b\f\n\r\t\"\\""#),
            Ok("<&/\u{8}\u{c}\n\r\t\"\\".into())
        );
        assert_eq!(dec_one(r#""\ud83d\ude00""#), Ok("😀".into()));
        assert_eq!(dec_one(r#""\uD83D\uDE00""#), Ok("😀".into()));
        // Lone surrogates become U+FFFD; a high one followed by another escape
        // leaves that escape alone.
        assert_eq!(dec_one(r#""\ud83dx""#), Ok("\u{fffd}x".into()));
        assert_eq!(dec_one(r#""\ude00""#), Ok("\u{fffd}".into()));
        assert_eq!(dec_one(r#""\ud83d\u0041""#), Ok("\u{fffd}A".into()));
        assert_eq!(dec_one(r#""\ud83d\ud83d\ude00""#), Ok("\u{fffd}😀".into()));
        assert_eq!(dec_one("\"é\u{2028}\""), Ok("é\u{2028}".into()));
        // Below a space, a byte must be escaped; a space need not be.
        assert_eq!(dec_one("\" a b \""), Ok(" a b ".into()));
        assert_eq!(dec_one(r#""\x""#), Err(JsonError::InvalidEscape.into()));
        assert_eq!(dec_one(r#""\u12g4""#), Err(JsonError::InvalidEscape.into()));
        assert_eq!(
            dec_one("\"a\u{1}\""),
            Err(JsonError::ControlCharacter.into())
        );
        assert_eq!(dec_one("\"a\tb\""), Err(JsonError::ControlCharacter.into()));
        assert_eq!(decode(b"{\"k\":\"\xff\"}"), Err(JsonError::NotUtf8.into()));
        assert_eq!(dec("{\"k\":\"ab"), Err(JsonError::UnexpectedEnd.into()));
        assert_eq!(
            dec("{\"k\":\"ab\\u12"),
            Err(JsonError::UnexpectedEnd.into())
        );
    }

    #[test]
    fn reads_objects_strictly() {
        assert_eq!(
            dec(" \t\r\n{ \"a\" : true , \"b\" :null}\n "),
            Ok({
                let mut m = GoMap::new();
                m.insert("a".into(), true.into());
                m.insert("b".into(), GoValue::Null);
                m
            })
        );
        assert_eq!(dec("null\n"), Ok(GoMap::new()));
        assert_eq!(dec("{}"), Ok(GoMap::new()));
        assert_eq!(dec(""), Err(JsonError::UnexpectedEnd.into()));
        assert_eq!(dec("{"), Err(JsonError::UnexpectedEnd.into()));
        assert_eq!(dec("[]"), Err(JsonError::NotAnObject.into()));
        assert_eq!(dec("\"x\""), Err(JsonError::NotAnObject.into()));
        assert_eq!(dec("1"), Err(JsonError::NotAnObject.into()));
        assert_eq!(dec("%"), Err(JsonError::Syntax.into()));
        assert_eq!(dec("{\"a\":{}}").unwrap()["a"], GoValue::Json("{}".into()));
        assert_eq!(
            dec("{\"a\":[1]}").unwrap()["a"],
            GoValue::Json("[1]".into())
        );
        assert_eq!(
            dec("{\"a\":1,\"a\":2}"),
            Err(JsonError::DuplicateKey.into())
        );
        assert_eq!(dec("{} {}"), Err(JsonError::TrailingData.into()));
        assert_eq!(dec("{}x"), Err(JsonError::TrailingData.into()));
        for bad in [
            "{,}",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":tru}",
            "{\"a\":nul}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":'x'}",
        ] {
            assert!(dec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn random_input_never_panics() {
        // Random strings over JSON's own alphabet, so the parser goes deep.
        const ALPHABET: &[u8] = b"{}[]:,\" \\/\tbfnrtu0123456789abcdefABCDEF+-.eE\xc3\xa9\xff";
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let mut input: Vec<u8> = vec![b'{', b'"'];
            input.extend((0..len).map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize]));
            let _ = decode(&input);
        }
    }

    #[test]
    fn every_prefix_of_a_payload_fails_cleanly() {
        let mut m = GoMap::new();
        m.insert("s".into(), "a\u{2028}\"😀".into());
        m.insert("f".into(), (-1.25e-9).into());
        m.insert("n".into(), GoValue::Null);
        m.insert("t".into(), true.into());
        let mut full = Vec::new();
        encode(&m, &mut full).unwrap();
        assert_eq!(decode(&full), Ok(m));
        // Without the newline it is still whole; any shorter prefix is not.
        for len in 0..full.len() - 1 {
            assert!(decode(&full[..len]).is_err(), "{len}");
        }
    }

    #[test]
    fn nested_values_are_kept_as_their_text() {
        let text =
            "{\"id\":7,\"name\":\"a]}\\\"\",\"roles\":[\"x\",[],{}],\"o\":{\"k\":null,\"t\":true}}";
        let payload = alloc::format!("{{\"user\":{text},\"n\":[ 1 , 2 ]}}");
        let map = decode(payload.as_bytes()).unwrap();
        assert_eq!(map["user"], GoValue::Json(text.into()));
        assert_eq!(map["n"], GoValue::Json("[ 1 , 2 ]".into()));
        assert_eq!(map["user"].go_type(), "map[string]interface {}");
        assert_eq!(map["n"].go_type(), "[]interface {}");
        // Written back as it is.
        let mut out = Vec::new();
        encode(&map, &mut out).unwrap();
        assert_eq!(
            out,
            alloc::format!("{{\"n\":[ 1 , 2 ],\"user\":{text}}}\n").as_bytes()
        );
        assert_eq!(decode(&out).unwrap(), map);
    }

    #[test]
    fn nested_values_are_checked() {
        for bad in [
            "{\"a\":{\"k\"}}",
            "{\"a\":{\"k\":1,}}",
            "{\"a\":[1,]}",
            "{\"a\":[1}",
            "{\"a\":{1:2}}",
            "{\"a\":[tru]}",
        ] {
            assert_eq!(dec(bad), Err(JsonError::Syntax.into()), "{bad}");
        }
        assert_eq!(dec("{\"a\":[[1]"), Err(JsonError::UnexpectedEnd.into()));
        assert_eq!(
            dec("{\"a\":[\"\\q\"]}"),
            Err(JsonError::InvalidEscape.into())
        );
        let deep = |n: usize| alloc::format!("{{\"a\":{}{}}}", "[".repeat(n), "]".repeat(n));
        assert!(dec(&deep(MAX_NESTING)).is_ok());
        assert_eq!(dec(&deep(MAX_NESTING + 1)), Err(JsonError::Nested.into()));
        assert_eq!(dec(&deep(100_000)), Err(JsonError::Nested.into()));
    }
}
