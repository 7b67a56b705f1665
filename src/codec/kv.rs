//! The key/value payload: length-prefixed entries with ascending keys.
//!
//! ```text
//! payload = entry*
//! entry   = uvarint(len(key)) key uvarint(len(value)) value
//! ```
//!
//! Lengths are LEB128, minimally encoded, at most 3 bytes. Keys are UTF-8 and
//! strictly ascending bytewise, so a map has exactly one encoding and a
//! duplicate key cannot be written. Values are arbitrary bytes.
//!
//! [`KvWriter`] writes into a caller buffer; [`KvReader`] iterates a payload
//! borrowing from it, allocating nothing.
//!
//! ```
//! use securecookie::kv::{KvReader, KvWriter};
//!
//! let mut buf = [0u8; 64];
//! let mut w = KvWriter::new(&mut buf);
//! w.push("lang", b"en")?;
//! w.push("user-id", b"a1b2c3")?;
//! let payload = w.finish();
//!
//! let mut entries = KvReader::new(payload);
//! assert_eq!(entries.next(), Some(Ok(("lang", &b"en"[..]))));
//! assert_eq!(entries.next(), Some(Ok(("user-id", &b"a1b2c3"[..]))));
//! assert_eq!(entries.next(), None);
//! # Ok::<(), securecookie::Error>(())
//! ```

use crate::error::{Error, KvError};

/// The longest key or value a length prefix can express: 2^21 - 1 bytes
/// (three LEB128 groups), far beyond any cookie.
pub const MAX_LEN: usize = (1 << 21) - 1;

/// The encoded size of a length prefix for `len`.
const fn varint_len(len: usize) -> usize {
    if len < 1 << 7 {
        1
    } else if len < 1 << 14 {
        2
    } else {
        3
    }
}

/// The encoded size of one entry, for sizing buffers at compile time.
///
/// ```
/// // 1 + 7 ("user-id") + 1 + 6 ("a1b2c3")
/// assert_eq!(securecookie::kv::entry_len(7, 6), 15);
/// ```
pub const fn entry_len(key_len: usize, value_len: usize) -> usize {
    varint_len(key_len) + key_len + varint_len(value_len) + value_len
}

/// Writes entries, in ascending key order, into a caller buffer.
///
/// Refuses a key that is not greater than the one before it, so what it
/// writes always reads back. A failed [`push`](Self::push) leaves the payload
/// as it was.
pub struct KvWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
    /// Where the last key sits in `buf`, to check the order of the next.
    last_key: Option<(usize, usize)>,
}

impl<'a> KvWriter<'a> {
    /// A writer that fills `buf` from the start.
    pub fn new(buf: &'a mut [u8]) -> Self {
        KvWriter {
            buf,
            len: 0,
            last_key: None,
        }
    }

    /// Appends one entry.
    ///
    /// # Errors
    /// [`KvError::Unsorted`] or [`KvError::DuplicateKey`] when `key` is not
    /// greater than the previous key, [`KvError::TooLarge`] past
    /// [`MAX_LEN`], [`Error::BufferTooSmall`] (with the total size needed)
    /// when the buffer is full.
    pub fn push(&mut self, key: &str, value: &[u8]) -> Result<(), Error> {
        if key.len() > MAX_LEN || value.len() > MAX_LEN {
            return Err(KvError::TooLarge.into());
        }
        if let Some((start, len)) = self.last_key {
            match self.buf[start..start + len].cmp(key.as_bytes()) {
                core::cmp::Ordering::Less => {}
                core::cmp::Ordering::Equal => return Err(KvError::DuplicateKey.into()),
                core::cmp::Ordering::Greater => return Err(KvError::Unsorted.into()),
            }
        }
        let needed = self.len + entry_len(key.len(), value.len());
        if needed > self.buf.len() {
            return Err(Error::BufferTooSmall { needed });
        }
        let mut at = put_varint(self.buf, self.len, key.len());
        self.buf[at..at + key.len()].copy_from_slice(key.as_bytes());
        self.last_key = Some((at, key.len()));
        at += key.len();
        at = put_varint(self.buf, at, value.len());
        self.buf[at..at + value.len()].copy_from_slice(value);
        self.len = at + value.len();
        Ok(())
    }

    /// The number of bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The finished payload.
    pub fn finish(self) -> &'a [u8] {
        &self.buf[..self.len]
    }
}

impl core::fmt::Debug for KvWriter<'_> {
    // The buffer holds plaintext: show only its size.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KvWriter")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// Writes `n` as LEB128 at `buf[at..]`, returning the position after it.
pub(crate) fn put_varint(buf: &mut [u8], mut at: usize, mut n: usize) -> usize {
    while n >= 0x80 {
        buf[at] = (n as u8) | 0x80;
        n >>= 7;
        at += 1;
    }
    buf[at] = n as u8;
    at + 1
}

/// Encodes `entries` (which must be in ascending key order) into a
/// fixed-capacity [`heapless::Vec`].
///
/// ```
/// let payload: heapless::Vec<u8, 32> =
///     securecookie::kv::to_vec([("user-id", &b"a1b2c3"[..])])?;
/// assert_eq!(payload.len(), 15);
/// # Ok::<(), securecookie::Error>(())
/// ```
pub fn to_vec<'e, const N: usize>(
    entries: impl IntoIterator<Item = (&'e str, &'e [u8])>,
) -> Result<heapless::Vec<u8, N>, Error> {
    let mut buf = [0u8; N];
    let mut w = KvWriter::new(&mut buf);
    for (k, v) in entries {
        w.push(k, v)?;
    }
    let len = w.len();
    let mut out = heapless::Vec::new();
    // Cannot fail: `len <= N`.
    let _ = out.extend_from_slice(&buf[..len]);
    Ok(out)
}

/// Iterates the entries of a payload, borrowing keys and values from it.
///
/// Yields `Err` once, at the first malformed entry, then stops. Iterating
/// allocates nothing.
#[derive(Clone)]
pub struct KvReader<'a> {
    rest: &'a [u8],
    last_key: Option<&'a [u8]>,
    failed: bool,
}

impl<'a> KvReader<'a> {
    /// A reader over `payload`.
    pub fn new(payload: &'a [u8]) -> Self {
        KvReader {
            rest: payload,
            last_key: None,
            failed: false,
        }
    }

    fn entry(&mut self) -> Result<(&'a str, &'a [u8]), KvError> {
        self.entry_with(|key| core::str::from_utf8(key).map_err(|_| KvError::KeyNotUtf8))
    }

    /// The next entry, its key checked (after its framing and order) and
    /// converted by `key_of`.
    fn entry_with<K>(
        &mut self,
        key_of: impl FnOnce(&'a [u8]) -> Result<K, KvError>,
    ) -> Result<(K, &'a [u8]), KvError> {
        let key = take(&mut self.rest)?;
        if let Some(last) = self.last_key {
            match last.cmp(key) {
                core::cmp::Ordering::Less => {}
                core::cmp::Ordering::Equal => return Err(KvError::DuplicateKey),
                core::cmp::Ordering::Greater => return Err(KvError::Unsorted),
            }
        }
        let converted = key_of(key)?;
        self.last_key = Some(key);
        let value = take(&mut self.rest)?;
        Ok((converted, value))
    }
}

impl<'a> Iterator for KvReader<'a> {
    type Item = Result<(&'a str, &'a [u8]), KvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let item = self.entry();
        self.failed = item.is_err();
        Some(item)
    }
}

impl core::fmt::Debug for KvReader<'_> {
    // The payload is plaintext: show only how much is left.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KvReader")
            .field("remaining", &self.rest.len())
            .finish_non_exhaustive()
    }
}

/// Whether a key is UTF-8. Keys are nearly always ASCII: on 64-bit
/// targets (servers) a word-at-a-time ASCII loop skips the call to the
/// full check (~55 instructions for a short key) on every session loaded;
/// firmware links the one check alone, to keep within its flash budget.
fn key_is_utf8(key: &[u8]) -> bool {
    (cfg!(target_pointer_width = "64") && key.is_ascii()) || core::str::from_utf8(key).is_ok()
}

/// Checks a whole payload, returning the number of entries.
///
/// ```
/// use securecookie::{KvError, kv};
/// assert_eq!(kv::validate(&[1, b'a', 0, 1, b'b', 1, b'x']), Ok(2));
/// assert_eq!(kv::validate(&[1, b'b', 0, 1, b'a', 0]), Err(KvError::Unsorted));
/// ```
pub fn validate(payload: &[u8]) -> Result<usize, KvError> {
    let mut reader = KvReader::new(payload);
    let mut count = 0;
    while !reader.rest.is_empty() {
        reader.entry_with(|key| match key_is_utf8(key) {
            true => Ok(()),
            false => Err(KvError::KeyNotUtf8),
        })?;
        count += 1;
    }
    Ok(count)
}

/// Looks up one key, stopping as soon as the sorted order says it is absent.
///
/// It checks the framing and order of the entries it reads up to the key,
/// not that their keys are UTF-8 (they cannot match `key` if not): for that,
/// [`validate`] the payload or iterate it with [`KvReader`].
///
/// ```
/// use securecookie::kv;
/// let payload = [1, b'a', 1, b'1', 1, b'b', 1, b'2'];
/// assert_eq!(kv::get(&payload, "b"), Ok(Some(&b"2"[..])));
/// assert_eq!(kv::get(&payload, "c"), Ok(None));
/// ```
pub fn get<'a>(payload: &'a [u8], key: &str) -> Result<Option<&'a [u8]>, KvError> {
    // Keys compared as bytes: one that is not UTF-8 cannot equal `key`, so
    // no UTF-8 check is needed (nor linked: ~650 bytes on a Cortex-M).
    let mut reader = KvReader::new(payload);
    while !reader.rest.is_empty() {
        let (k, v) = reader.entry_with(Ok)?;
        match k.cmp(key.as_bytes()) {
            core::cmp::Ordering::Less => {}
            core::cmp::Ordering::Equal => return Ok(Some(v)),
            core::cmp::Ordering::Greater => return Ok(None),
        }
    }
    Ok(None)
}

/// Reads one length-prefixed field off the front of `rest`.
pub(crate) fn take<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], KvError> {
    let mut len = 0usize;
    let mut used = 0;
    loop {
        let Some(&byte) = rest.get(used) else {
            return Err(KvError::Truncated);
        };
        if used == 3 {
            return Err(KvError::LengthOverflow);
        }
        len |= usize::from(byte & 0x7f) << (7 * used);
        used += 1;
        if byte & 0x80 == 0 {
            // A last group of zero after other groups means a shorter
            // encoding existed.
            if byte == 0 && used > 1 {
                return Err(KvError::NonMinimalLength);
            }
            break;
        }
    }
    let body = &rest[used..];
    if body.len() < len {
        return Err(KvError::Truncated);
    }
    let (field, tail) = body.split_at(len);
    *rest = tail;
    Ok(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_long_lengths() {
        let big = [0x5a_u8; 300];
        let mut buf = [0u8; 400];
        let mut w = KvWriter::new(&mut buf);
        w.push("", b"").unwrap();
        w.push("a", &big).unwrap();
        w.push("b", b"").unwrap();
        let payload = w.finish();
        assert_eq!(payload.len(), 2 + entry_len(1, 300) + entry_len(1, 0));
        let got: heapless::Vec<_, 4> = KvReader::new(payload).map(Result::unwrap).collect();
        assert_eq!(
            got.as_slice(),
            &[("", &b""[..]), ("a", &big[..]), ("b", &b""[..])]
        );
    }

    #[test]
    fn writer_refuses_disorder_and_overflow() {
        let mut buf = [0u8; 8];
        let mut w = KvWriter::new(&mut buf);
        assert!(w.is_empty());
        w.push("b", b"1").unwrap();
        assert!(!w.is_empty());
        assert_eq!(
            w.push("b", b"2"),
            Err(Error::Payload(KvError::DuplicateKey))
        );
        assert_eq!(w.push("a", b"2"), Err(Error::Payload(KvError::Unsorted)));
        assert_eq!(
            w.push("c", b"long"),
            Err(Error::BufferTooSmall { needed: 11 })
        );
        // The failed pushes changed nothing.
        assert_eq!(w.finish(), &[1, b'b', 1, b'1']);
    }

    /// 2^21 - 1 zero bytes and one more: valid UTF-8 (NULs), for keys and
    /// values at and past the limit without an allocator.
    static BIG: [u8; MAX_LEN + 1] = [0; MAX_LEN + 1];

    #[test]
    fn lengths_at_every_prefix_boundary() {
        assert_eq!(MAX_LEN, 2_097_151);
        for (len, prefix) in [
            (0, 1),
            (127, 1),
            (128, 2),
            (16_383, 2),
            (16_384, 3),
            (MAX_LEN, 3),
        ] {
            assert_eq!(entry_len(len, 0), prefix + len + 1, "key {len}");
            assert_eq!(entry_len(0, len), 1 + prefix + len, "value {len}");
        }
        // A buffer of exactly `entry_len` takes the entry, one byte less
        // refuses it (a short count would make `push` overrun).
        let mut buf = [0u8; 16_384 + 8];
        for len in [127, 128, 16_383, 16_384] {
            let key = core::str::from_utf8(&BIG[..len]).unwrap();
            let exact = entry_len(len, 1);
            let mut w = KvWriter::new(&mut buf[..exact]);
            assert_eq!(w.push(key, b"v"), Ok(()));
            assert_eq!(w.len(), exact);
            let mut w = KvWriter::new(&mut buf[..exact - 1]);
            assert_eq!(
                w.push(key, b"v"),
                Err(Error::BufferTooSmall { needed: exact })
            );
            let value = &BIG[..len];
            let exact = entry_len(1, len);
            let mut w = KvWriter::new(&mut buf[..exact]);
            assert_eq!(w.push("k", value), Ok(()));
            assert_eq!(validate(w.finish()), Ok(1));
        }
    }

    #[test]
    fn writer_refuses_entries_past_max_len() {
        let mut buf = [0u8; 16];
        let mut w = KvWriter::new(&mut buf);
        let at_limit = core::str::from_utf8(&BIG[..MAX_LEN]).unwrap();
        let past = core::str::from_utf8(&BIG).unwrap();
        let too_large = Err(Error::Payload(KvError::TooLarge));
        assert_eq!(w.push(past, b""), too_large);
        assert_eq!(w.push("k", &BIG), too_large);
        assert_eq!(w.push(past, &BIG), too_large);
        // At the limit the length is fine: only the buffer is too small.
        assert_eq!(
            w.push(at_limit, b""),
            Err(Error::BufferTooSmall {
                needed: entry_len(MAX_LEN, 0)
            })
        );
        assert_eq!(
            w.push("k", &BIG[..MAX_LEN]),
            Err(Error::BufferTooSmall {
                needed: entry_len(1, MAX_LEN)
            })
        );
        assert!(w.is_empty());
    }

    #[test]
    fn reader_errors_are_distinct() {
        let cases: [(&[u8], KvError); 8] = [
            (&[1], KvError::Truncated),
            (&[2, b'a'], KvError::Truncated),
            (&[1, b'a'], KvError::Truncated),
            (&[0x80], KvError::Truncated),
            (&[0x80, 0x80, 0x80, 0x01], KvError::LengthOverflow),
            (&[0x81, 0x00, b'a', 0], KvError::NonMinimalLength),
            (&[1, 0xff, 0], KvError::KeyNotUtf8),
            (&[1, b'b', 0, 1, b'a', 0], KvError::Unsorted),
        ];
        for (payload, want) in cases {
            assert_eq!(validate(payload), Err(want), "{payload:?}");
        }
        assert_eq!(
            validate(&[1, b'a', 0, 1, b'a', 0]),
            Err(KvError::DuplicateKey)
        );
        // Trailing garbage after a whole entry reads as a truncated entry.
        assert_eq!(validate(&[1, b'a', 0, 7]), Err(KvError::Truncated));
    }

    /// `Debug` of the reader and the writer shows sizes, never plaintext.
    #[test]
    fn debug_shows_sizes_not_plaintext() {
        let show = |v: &dyn core::fmt::Debug| {
            let mut out = heapless::String::<64>::new();
            core::fmt::write(&mut out, format_args!("{v:?}")).unwrap();
            out
        };
        let mut buf = [0u8; 16];
        let mut w = KvWriter::new(&mut buf);
        w.push("k", b"secret").unwrap();
        assert_eq!(show(&w), "KvWriter { len: 9, .. }");
        let payload = [1, b'k', 6, b's', b'e', b'c', b'r', b'e', b't'];
        let r = KvReader::new(&payload);
        assert!(
            show(&r).starts_with("KvReader { remaining: 9"),
            "{}",
            show(&r)
        );
        assert!(!show(&r).contains("secret") && !show(&w).contains("secret"));
    }

    #[test]
    fn reader_stops_after_error() {
        let mut r = KvReader::new(&[1, b'b', 0, 1, b'a', 0, 1, b'c', 0]);
        assert!(r.next().unwrap().is_ok());
        assert_eq!(r.next(), Some(Err(KvError::Unsorted)));
        assert_eq!(r.next(), None);
    }

    #[test]
    fn get_compares_bytes_and_checks_framing() {
        // A key that is not UTF-8 is passed over, not reported...
        assert_eq!(get(&[1, 0x80, 1, b'x'], "é"), Ok(None));
        assert_eq!(
            get(&[1, 0x80, 1, b'x', 1, b'a', 0], "é"),
            Err(KvError::Unsorted)
        );
        assert_eq!(
            get(&[1, b'a', 1, b'1', 1, 0xff, 0], "a"),
            Ok(Some(&b"1"[..]))
        );
        // ... but framing and order are.
        assert_eq!(
            get(&[1, b'a', 0, 1, b'a', 0], "b"),
            Err(KvError::DuplicateKey)
        );
        assert_eq!(get(&[1, b'b', 0, 1, b'a', 0], "c"), Err(KvError::Unsorted));
        assert_eq!(get(&[1, b'a', 5], "a"), Err(KvError::Truncated));
    }

    #[test]
    fn validate_takes_utf8_keys_ascii_or_not() {
        // "z", then "é" (two bytes): a valid non-ASCII key.
        assert_eq!(validate(&[1, b'z', 1, b'1', 2, 0xc3, 0xa9, 0]), Ok(2));
        assert_eq!(validate(&[1, 0x80, 0]), Err(KvError::KeyNotUtf8));
        assert_eq!(validate(&[2, 0xc3, 0x28, 0]), Err(KvError::KeyNotUtf8));
        // Framing and order come first, as the reader reports them.
        assert_eq!(validate(&[1, b'a', 5]), Err(KvError::Truncated));
        assert_eq!(
            validate(&[2, 0xc3, 0xa9, 0, 1, 0x80, 0]),
            Err(KvError::Unsorted)
        );
        assert_eq!(validate(&[]), Ok(0));
    }

    #[test]
    fn get_uses_order() {
        let payload = to_vec::<32>([("a", &b"1"[..]), ("c", &b"3"[..])]).unwrap();
        assert_eq!(get(&payload, "a"), Ok(Some(&b"1"[..])));
        assert_eq!(get(&payload, "b"), Ok(None));
        assert_eq!(get(&payload, "d"), Ok(None));
    }
}
