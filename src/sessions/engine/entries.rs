//! A request's session entries: read in place from the loaded payload
//! until the handler first changes one, then one sorted map.
//!
//! Most requests only read. Turning a payload into a map costs an
//! allocation per key, one per value and the vector's growth (seven on a
//! two-entry session, a tenth of a cookie read's instructions, counted by
//! callgrind in `benches/web.rs`). Kept as the payload, a read allocates
//! nothing: a session holds a handful of entries, so a lookup scans them.

use std::vec::Vec;

use crate::codec::kv;
use crate::error::{Error, KvError};
use crate::sessions::session::Session;

pub(crate) enum Entries {
    /// A validated [`kv`] payload (framing, UTF-8 keys, strictly ascending
    /// order), as the store loaded it.
    Payload(Vec<u8>),
    /// Changed since the load (or never loaded): the entries as a map.
    Map(Session<Vec<u8>>),
}

impl Entries {
    /// No entries: a map, since a session without a cookie is one that
    /// is about to be written if anything.
    pub(crate) fn new() -> Self {
        // The engine never reads the session's name: "" allocates nothing.
        Entries::Map(Session::new(""))
    }

    /// The entries of a loaded payload, checked once here so that every
    /// later lookup can trust its framing.
    ///
    /// # Errors
    /// [`Error::Payload`] for a malformed payload.
    pub(crate) fn from_payload(payload: Vec<u8>) -> Result<Self, Error> {
        kv::validate(&payload)?;
        Ok(Entries::Payload(payload))
    }

    pub(crate) fn get(&self, key: &str) -> Option<&[u8]> {
        match self {
            // Validated on load: no order to check again.
            Entries::Payload(payload) => get_validated(payload, key),
            Entries::Map(map) => map.get(key).map(Vec::as_slice),
        }
    }

    /// The entries in ascending key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        let (payload, map) = match self {
            Entries::Payload(payload) => (Some(kv::KvReader::new(payload)), None),
            Entries::Map(map) => (None, Some(map.iter())),
        };
        // Validated: the reader yields no error.
        let payload = payload.into_iter().flatten().flatten();
        let map = map.into_iter().flatten().map(|(k, v)| (k, v.as_slice()));
        payload.chain(map)
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Entries::Payload(_) => self.iter().count(),
            Entries::Map(map) => map.len(),
        }
    }

    /// The entries as a map, to change them (made from the payload on the
    /// first call).
    pub(crate) fn map(&mut self) -> &mut Session<Vec<u8>> {
        if let Entries::Payload(payload) = self {
            let entries = kv::KvReader::new(payload)
                .flatten()
                .map(|(k, v)| (k.into(), v.to_vec()))
                .collect();
            *self = Entries::Map(Session::from_sorted("", entries));
        }
        match self {
            Entries::Map(map) => map,
            Entries::Payload(_) => unreachable!("made a map above"),
        }
    }

    /// Removes every entry.
    pub(crate) fn clear(&mut self) {
        *self = Entries::new();
    }

    /// About how many bytes [`write`](Self::write) appends.
    pub(crate) fn size_hint(&self) -> usize {
        match self {
            Entries::Payload(payload) => payload.len(),
            Entries::Map(map) => map.iter().map(|(k, v)| k.len() + v.len() + 6).sum(),
        }
    }

    /// Appends the entries as a kv payload, with `extra` set in it (added
    /// in its place in key order, or replacing the value its key holds):
    /// the engine's creation stamp goes straight into the payload, not
    /// through the map (two allocations and a shift on every new session).
    ///
    /// # Errors
    /// [`Error::Payload`] for an entry past kv's size limit.
    pub(crate) fn write(
        &self,
        out: &mut Vec<u8>,
        extra: Option<(&str, &[u8])>,
    ) -> Result<(), Error> {
        if let (Entries::Payload(payload), None) = (self, extra) {
            out.extend_from_slice(payload);
            return Ok(());
        }
        let mut extra = extra;
        for (key, value) in self.iter() {
            if let Some((extra_key, extra_value)) = extra {
                if key == extra_key {
                    continue;
                }
                if key > extra_key {
                    push_entry(out, extra_key, extra_value)?;
                    extra = None;
                }
            }
            push_entry(out, key, value)?;
        }
        if let Some((extra_key, extra_value)) = extra {
            push_entry(out, extra_key, extra_value)?;
        }
        Ok(())
    }
}

/// One kv entry: the key's and the value's length prefixes, then each.
fn push_entry(out: &mut Vec<u8>, key: &str, value: &[u8]) -> Result<(), Error> {
    if key.len() > kv::MAX_LEN || value.len() > kv::MAX_LEN {
        return Err(KvError::TooLarge.into());
    }
    for field in [key.as_bytes(), value] {
        let mut prefix = [0u8; 3];
        let used = kv::put_varint(&mut prefix, 0, field.len());
        out.extend_from_slice(&prefix[..used]);
        out.extend_from_slice(field);
    }
    Ok(())
}

/// [`kv::get`] on a payload [`kv::validate`] accepted (the loaded
/// session): the framing cannot fail and the order needs no check, so
/// each entry costs one key comparison instead of two.
fn get_validated<'a>(payload: &'a [u8], key: &str) -> Option<&'a [u8]> {
    let mut rest = payload;
    while !rest.is_empty() {
        let k = kv::take(&mut rest).ok()?;
        let v = kv::take(&mut rest).ok()?;
        match k.cmp(key.as_bytes()) {
            core::cmp::Ordering::Less => {}
            core::cmp::Ordering::Equal => return Some(v),
            core::cmp::Ordering::Greater => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    /// `lang=en`, `user=ann`: a payload as a store loads it.
    fn payload() -> Vec<u8> {
        vec![
            4, b'l', b'a', b'n', b'g', 2, b'e', b'n', 4, b'u', b's', b'e', b'r', 3, b'a', b'n',
            b'n',
        ]
    }

    #[test]
    fn a_payload_reads_in_place_as_its_map_would() {
        let entries = Entries::from_payload(payload()).unwrap();
        assert!(matches!(entries, Entries::Payload(_)));
        assert_eq!(entries.get("user"), Some(&b"ann"[..]));
        assert_eq!(entries.get("lang"), Some(&b"en"[..]));
        assert_eq!(entries.get("none"), None);
        assert_eq!(entries.len(), 2);
        let all: Vec<_> = entries.iter().collect();
        assert_eq!(all, [("lang", &b"en"[..]), ("user", &b"ann"[..])]);
        let mut out = Vec::new();
        entries.write(&mut out, None).unwrap();
        assert_eq!(out, payload());
        assert_eq!(entries.size_hint(), payload().len());
    }

    #[test]
    fn an_extra_entry_is_written_in_key_order_or_replaces() {
        let entries = Entries::from_payload(payload()).unwrap();
        let mut map = Entries::new();
        for (k, v) in entries.iter() {
            map.map().set(k, v.to_vec());
        }
        for entries in [&entries, &map] {
            for (extra, expected) in [
                ("a", [("a", "x"), ("lang", "en"), ("user", "ann")]),
                ("m", [("lang", "en"), ("m", "x"), ("user", "ann")]),
                ("z", [("lang", "en"), ("user", "ann"), ("z", "x")]),
            ] {
                let mut out = Vec::new();
                entries.write(&mut out, Some((extra, b"x"))).unwrap();
                let written = Entries::from_payload(out).unwrap();
                let got: Vec<_> = written.iter().collect();
                let expected: Vec<_> = expected.iter().map(|&(k, v)| (k, v.as_bytes())).collect();
                assert_eq!(got, expected, "extra {extra}");
            }
            let mut out = Vec::new();
            entries.write(&mut out, Some(("lang", b"de"))).unwrap();
            let written = Entries::from_payload(out).unwrap();
            assert_eq!((written.len(), written.get("lang")), (2, Some(&b"de"[..])));
        }
    }

    #[test]
    fn an_entry_past_kv_limit_is_refused() {
        let mut entries = Entries::new();
        entries.map().set("big", vec![0; kv::MAX_LEN + 1]);
        let refused = entries.write(&mut Vec::new(), None);
        assert!(matches!(refused, Err(Error::Payload(KvError::TooLarge))));
        entries.map().set("big", vec![0; kv::MAX_LEN]);
        assert!(entries.write(&mut Vec::new(), None).is_ok());
        // The key's limit, alone.
        let long_key = "k".repeat(kv::MAX_LEN + 1);
        let mut entries = Entries::new();
        entries.map().set(long_key.as_str(), vec![1]);
        let refused = entries.write(&mut Vec::new(), None);
        assert!(matches!(refused, Err(Error::Payload(KvError::TooLarge))));
        let mut entries = Entries::new();
        entries.map().set(&long_key[1..], vec![1]);
        assert!(entries.write(&mut Vec::new(), None).is_ok());
    }

    #[test]
    fn the_first_change_makes_the_same_entries_a_map() {
        let mut entries = Entries::from_payload(payload()).unwrap();
        entries.map().set("zoo", b"1".to_vec());
        assert!(matches!(entries, Entries::Map(_)));
        let all: Vec<_> = entries.iter().collect();
        assert_eq!(
            all,
            [
                ("lang", &b"en"[..]),
                ("user", &b"ann"[..]),
                ("zoo", &b"1"[..])
            ]
        );
        assert_eq!(entries.len(), 3);
        let mut out = Vec::new();
        entries.write(&mut out, None).unwrap();
        let mut expected = payload();
        expected.extend_from_slice(&[3, b'z', b'o', b'o', 1, b'1']);
        assert_eq!(out, expected);
    }

    #[test]
    fn a_malformed_payload_is_refused_at_once() {
        let mut unsorted = payload()[8..].to_vec();
        unsorted.extend_from_slice(&payload()[..8]);
        assert!(matches!(
            Entries::from_payload(unsorted),
            Err(Error::Payload(KvError::Unsorted))
        ));
        let mut truncated = payload();
        truncated.pop();
        assert!(Entries::from_payload(truncated).is_err());
        assert!(
            Entries::from_payload(vec![1, 0xff, 0]).is_err(),
            "a key not UTF-8"
        );
    }

    #[test]
    fn clear_leaves_no_entries() {
        let mut entries = Entries::from_payload(payload()).unwrap();
        entries.clear();
        assert_eq!((entries.len(), entries.get("user")), (0, None));
    }

    #[test]
    fn get_validated_answers_as_kv_get() {
        let payload =
            kv::to_vec::<64>([("\0c", &b"123"[..]), ("b", &b""[..]), ("user", &b"ada"[..])])
                .unwrap();
        kv::validate(&payload).unwrap();
        for key in ["", "\0", "\0c", "\0d", "a", "b", "bb", "user", "users", "z"] {
            assert_eq!(
                get_validated(&payload, key),
                kv::get(&payload, key).unwrap(),
                "{key:?}"
            );
        }
        assert_eq!(get_validated(&payload, "user"), Some(&b"ada"[..]));
        assert_eq!(get_validated(&payload, "b"), Some(&b""[..]));
        assert_eq!(get_validated(&[], "a"), None);
    }
}
