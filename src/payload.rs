//! (std) The one seam between a [`Session`] and the bytes the envelope
//! protects: which serialization a store's cookies carry.
//!
//! Only the crate's own [`kv`](crate::kv) format exists today. Go's gob and
//! JSON payloads (to share cookies with dghubble/sessions and
//! gorilla/sessions) plug in here as more variants, so that the store,
//! the envelope and the header code stay as they are.

use std::string::String;
use std::vec::Vec;

use crate::error::{Error, KvError};
use crate::kv;
use crate::session::Session;
use crate::value::SessionValue;

/// How session entries are serialized inside the cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum PayloadFormat {
    /// Length-prefixed key/value entries, keys ascending ([`kv`]); values are
    /// [`SessionValue`] bytes.
    #[default]
    Kv,
}

impl PayloadFormat {
    /// A first guess at the payload size, to allocate once.
    pub(crate) fn size_hint<V>(self, session: &Session<V>) -> usize {
        match self {
            PayloadFormat::Kv => session.iter().map(|(k, _)| k.len() + 24).sum(),
        }
    }

    /// Appends the session's entries to `out`.
    ///
    /// # Errors
    /// [`KvError::TooLarge`] for an entry beyond [`kv::MAX_LEN`].
    pub(crate) fn write<V: SessionValue>(
        self,
        session: &Session<V>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        match self {
            PayloadFormat::Kv => write_kv(session, out),
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
        let mut prefix = [0u8; 3];
        let used = varint(len, &mut prefix);
        out.splice(at..at + 1, prefix[..used].iter().copied());
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
fn varint(mut n: usize, buf: &mut [u8; 3]) -> usize {
    let mut used = 0;
    while n >= 0x80 {
        buf[used] = (n as u8) | 0x80;
        n >>= 7;
        used += 1;
    }
    buf[used] = n as u8;
    used + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

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
}
