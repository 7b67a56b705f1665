//! Payloads in and out: `key=value` arguments to kv, JSON or gob bytes, and
//! decoded payloads back to `key=value` lines.

use std::fmt::Write as _;

use securecookie::go::{GoMap, GoValue, json};
use securecookie::kv;

use crate::Failure;

/// A Go map as `key=value` lines; a `GoMap` iterates in bytewise key order.
pub fn go_lines(map: &GoMap) -> String {
    let mut out = String::new();
    for (key, value) in map {
        let _ = writeln!(out, "{}={}", shown(key.as_bytes(), true), go_value(value));
    }
    out
}

/// A kv payload as `key=value` lines, in the payload's (sorted) order.
/// The session layer's own entries (keys starting with NUL: the creation
/// stamp, flash values) are not the app's: left out. A structured value
/// (the `serde` feature's tagged MessagePack) shows as its JSON.
pub fn kv_lines(payload: &[u8]) -> Result<String, Failure> {
    let mut out = String::new();
    for entry in kv::KvReader::new(payload) {
        let (key, value) = entry.map_err(securecookie::Error::from)?;
        if key.starts_with('\0') {
            continue;
        }
        let shown_value = structured_json(value).unwrap_or_else(|| shown(value, false));
        let _ = writeln!(out, "{}={shown_value}", shown(key.as_bytes(), true));
    }
    Ok(out)
}

/// The JSON of a value written by the `serde` feature: the tag byte
/// `0xc1` (never the start of UTF-8), then MessagePack.
fn structured_json(value: &[u8]) -> Option<String> {
    let rest = value.strip_prefix(&[0xc1])?;
    let value: serde_json::Value = rmp_serde::from_slice(rest).ok()?;
    Some(value.to_string())
}

/// A Go value as text: see `decode --help`.
fn go_value(value: &GoValue) -> String {
    match value {
        GoValue::String(s) => shown(s.as_bytes(), false),
        GoValue::Bytes(b) => shown(b, false),
        GoValue::Int(i) => i.to_string(),
        GoValue::Uint(u) => u.to_string(),
        GoValue::Bool(b) => b.to_string(),
        GoValue::Null => "<nil>".to_string(),
        GoValue::Float(f) if f.is_infinite() => {
            if f.is_sign_positive() { "+Inf" } else { "-Inf" }.to_string()
        }
        GoValue::Float(_) => {
            // Go's spelling, from the JSON writer: {"":0.1}\n -> 0.1; the
            // one float it refuses is NaN (JSON has none), shown as Go does.
            let mut out = Vec::new();
            let map: GoMap = [(String::new(), value.clone())].into();
            match json::encode(&map, &mut out) {
                Ok(()) => String::from_utf8_lossy(&out[4..out.len() - 2]).into_owned(),
                Err(_) => "NaN".to_string(),
            }
        }
        GoValue::Json(text) => text.clone(),
        // GoValue is non-exhaustive: a later kind shows as its Go type.
        other => format!("<{}>", other.go_type()),
    }
}

/// `key=value` arguments as a Go `map[string]string`.
pub fn go_map(pairs: &[String]) -> Result<GoMap, String> {
    let mut map = GoMap::new();
    for (k, v) in split_pairs(pairs)? {
        if map.insert(k.to_string(), GoValue::from(v)).is_some() {
            return Err(format!("key {k:?} given twice"));
        }
    }
    Ok(map)
}

/// `key=value` arguments, sorted by key as the kv format requires.
pub fn kv_payload(pairs: &[String]) -> Result<Vec<u8>, Failure> {
    let mut entries = split_pairs(pairs).map_err(Failure::Usage)?;
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let size = entries
        .iter()
        .map(|(k, v)| kv::entry_len(k.len(), v.len()))
        .sum();
    let mut buf = vec![0u8; size];
    let mut writer = kv::KvWriter::new(&mut buf);
    for (k, v) in entries {
        writer.push(k, v.as_bytes()).map_err(|e| match e {
            securecookie::Error::Payload(securecookie::KvError::DuplicateKey) => {
                Failure::Usage(format!("key {k:?} given twice"))
            }
            other => other.into(),
        })?;
    }
    Ok(writer.finish().to_vec())
}

fn split_pairs(pairs: &[String]) -> Result<Vec<(&str, &str)>, String> {
    pairs
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .ok_or_else(|| format!("{pair:?} is not key=value"))
        })
        .collect()
}

/// Text when it is UTF-8 without control characters (and, for a key,
/// without `=`); otherwise `0x` and lowercase hex.
fn shown(bytes: &[u8], is_key: bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(|c| c.is_control() || (is_key && c == '=')) => {
            text.to_string()
        }
        _ => format!("0x{}", to_hex(bytes)),
    }
}

pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
