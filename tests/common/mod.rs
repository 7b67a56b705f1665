//! Helpers shared by the integration tests.
#![allow(dead_code)]

#[cfg(feature = "engine")]
pub mod events;
pub mod go;
pub mod http;
pub mod serve_sh;

pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The Go vectors, copied from ../shared/vectors/ into the project.
pub fn go_vectors() -> Vec<serde_json::Value> {
    let text = include_str!("../vectors/gorilla-securecookie-v1.1.1.json");
    serde_json::from_str(text).expect("vector file parses")
}
