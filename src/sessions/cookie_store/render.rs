//! The `Set-Cookie` header value: the sealed cookie and the attributes
//! around it, rendered into one buffer.

use std::string::String;
use std::vec;
use std::vec::Vec;

use super::{CookieStore, MAX_COOKIE_LEN};
use crate::codec::iv::Iv;
use crate::codec::set_cookie::{ImfFixdate, SetCookie};
use crate::error::Error;

impl<V> CookieStore<V> {
    /// Bytes for a payload of `payload_len` and the whole line after it.
    pub(super) fn line_capacity(&self, name: &str, payload_len: usize, now: u64) -> usize {
        let (before, after) = &self.attributes;
        payload_len
            + name.len()
            + 1
            + self.codecs[0].encoded_len(payload_len, now)
            + before.len()
            + EXPIRES.len()
            + ImfFixdate::LEN
            + after.len()
    }

    /// Seals the payload `buf` holds (and nothing else) into the header
    /// line: the codec encrypts and encodes the payload straight into the
    /// line after it, then the line moves to the front over the payload.
    pub(super) fn seal_in_place(
        &self,
        name: &str,
        mut buf: Vec<u8>,
        now: u64,
        iv: Iv,
    ) -> Result<String, Error> {
        self.config.check_name(name)?;
        let codec = &self.codecs[0];
        let (before, after) = &self.attributes;
        // Attributes in Go's order: Path, Domain | Expires | Max-Age, ...
        let expires = self
            .config
            .max_age
            .map(|age| ImfFixdate::from_unix(now.saturating_add(age)));
        let payload_len = buf.len();
        let len = name.len() + 1 + codec.encoded_len(payload_len, now);
        if len > MAX_COOKIE_LEN {
            return Err(Error::TooLong {
                len,
                max: MAX_COOKIE_LEN,
            });
        }
        buf.extend_from_slice(name.as_bytes());
        buf.push(b'=');
        buf.resize(payload_len + len, 0);
        let (payload, line) = buf.split_at_mut(payload_len);
        codec.encode_bytes(name, payload, now, iv, &mut line[name.len() + 1..])?;
        // The line is longer than the payload, so this overwrites every
        // plaintext byte.
        buf.copy_within(payload_len.., 0);
        buf.truncate(len);
        // The attributes go in as bytes, so that the whole line is checked
        // as UTF-8 once, not piece by piece.
        buf.extend_from_slice(before.as_bytes());
        if let Some(date) = expires {
            buf.extend_from_slice(EXPIRES.as_bytes());
            buf.extend_from_slice(date.as_bytes());
        }
        buf.extend_from_slice(after.as_bytes());
        // Name (a token), value (base64) and attributes are ASCII: this
        // cannot fail.
        String::from_utf8(buf).map_err(|_| Error::Malformed)
    }
}

const EXPIRES: &str = "; Expires=";

/// What follows `name=value`.
pub(super) fn render_attributes(set_cookie: &SetCookie<'_>) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = set_cookie.write_attributes_to(&mut out);
    out
}

pub(super) fn render(set_cookie: &SetCookie<'_>) -> String {
    let mut out = String::with_capacity(set_cookie.rendered_len());
    // Writing into a String cannot fail.
    let _ = set_cookie.write_to(&mut out);
    out
}

/// Runs `f` on a zeroed buffer of `len` bytes: on the stack when small
/// (a typical session cookie), else on the heap. Callers bound `len`.
pub(super) fn with_buf<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    const STACK: usize = 256;
    if len <= STACK {
        let mut buf = [0u8; STACK];
        f(&mut buf[..len])
    } else {
        f(&mut vec![0u8; len])
    }
}
