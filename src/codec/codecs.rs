//! [`Codec`]: keys, limits and a wire format; [`Codecs`]: several codecs
//! for key rotation.

#[cfg(feature = "compact")]
use crate::codec::envelope::compact;
#[cfg(feature = "gorilla")]
use crate::codec::envelope::gorilla;
use crate::codec::envelope::{Ages, is_token};
use crate::codec::iv::Iv;
use crate::codec::keys::Keys;
use crate::error::Error;

/// The wire format of a cookie.
///
/// Each format is a cargo feature (`compact`, `gorilla`; `std` has both), so
/// that firmware links only the envelope it speaks; hence
/// `#[non_exhaustive]`: a match needs a `_` arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// This crate's format: one base64 pass, binary timestamp, key id.
    /// See [`envelope::compact`](crate::codec::envelope::compact).
    #[cfg(feature = "compact")]
    #[cfg_attr(docsrs, doc(cfg(feature = "compact")))]
    Compact,
    /// Byte-compatible with Go's gorilla/securecookie.
    /// See [`envelope::gorilla`](crate::codec::envelope::gorilla).
    #[cfg(feature = "gorilla")]
    #[cfg_attr(docsrs, doc(cfg(feature = "gorilla")))]
    Gorilla,
}

/// [`Format::Compact`].
#[cfg(feature = "compact")]
#[cfg_attr(docsrs, doc(cfg(feature = "compact")))]
impl Default for Format {
    fn default() -> Self {
        Format::Compact
    }
}

/// Calls the envelope module of `$format` (`compact::$f(..)` or
/// `gorilla::$f(..)`): one match per operation, each arm present only when
/// its format is linked.
macro_rules! dispatch {
    ($format:expr, $f:ident($($arg:expr),* $(,)?)) => {
        match $format {
            #[cfg(feature = "compact")]
            Format::Compact => compact::$f($($arg),*),
            #[cfg(feature = "gorilla")]
            Format::Gorilla => gorilla::$f($($arg),*),
        }
    };
}

/// Go's default max age: 30 days.
pub const DEFAULT_MAX_AGE: u64 = 30 * 24 * 60 * 60;
/// The longest cookie browsers are required to store (RFC 6265 §6.1).
pub const DEFAULT_MAX_LENGTH: usize = 4096;
/// How far in the future a compact cookie's timestamp may be: one minute.
pub const DEFAULT_MAX_SKEW: u64 = 60;

/// A successfully decoded cookie.
///
/// The payload lives in the caller's buffer. `Debug` shows its length, not
/// its bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Decoded<'b> {
    /// The plaintext payload.
    pub payload: &'b [u8],
    /// When the cookie was made (Unix seconds).
    pub timestamp: u64,
    /// Which codec of a [`Codecs`] list verified it (0 for a lone
    /// [`Codec`]). Anything but 0 means an older key: re-issue the cookie.
    pub index: usize,
}

impl core::fmt::Debug for Decoded<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decoded")
            .field("payload_len", &self.payload.len())
            .field("timestamp", &self.timestamp)
            .field("index", &self.index)
            .finish()
    }
}

/// Encodes and decodes cookies with one key pair, one format and one set of
/// limits.
///
/// Build it once at startup (that is when keys are checked and key schedules
/// computed) and share it: encoding and decoding take `&self`.
///
/// ```
/// use securecookie::{Codec, Iv, Keys};
///
/// let codec = Codec::new(Keys::new(&[7; 32], Some(&[9; 32]))?).max_age(3600);
///
/// let now = 1_800_000_000; // the caller's clock, in Unix seconds
/// let iv = Iv::from_random_bytes([0x5a; 16]); // from a real CSPRNG, please
/// let mut out = [0u8; 128];
/// let cookie = codec.encode("session", b"user-id=a1b2c3", now, iv, &mut out)?;
///
/// let mut buf = [0u8; 96];
/// let decoded = codec.decode("session", cookie, now + 10, &mut buf)?;
/// assert_eq!(decoded.payload, b"user-id=a1b2c3");
///
/// // One hour and one second later, it has expired.
/// assert_eq!(
///     codec.decode("session", cookie, now + 3601, &mut buf).unwrap_err(),
///     securecookie::Error::Expired,
/// );
/// # Ok::<(), securecookie::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Codec {
    keys: Keys,
    format: Format,
    max_age: u64,
    min_age: u64,
    max_length: usize,
    max_skew: u64,
}

impl Codec {
    /// A codec for the default [`Format::Compact`], with Go's defaults: max
    /// age 30 days, max length 4096, no min age; and a one-minute allowance
    /// for clocks that run ahead.
    #[cfg(feature = "compact")]
    #[cfg_attr(docsrs, doc(cfg(feature = "compact")))]
    pub fn new(keys: Keys) -> Self {
        Self::with_format(keys, Format::Compact)
    }

    /// A codec for [`Format::Gorilla`], readable and writable by Go's
    /// gorilla/securecookie with the same keys.
    #[cfg(feature = "gorilla")]
    #[cfg_attr(docsrs, doc(cfg(feature = "gorilla")))]
    pub fn gorilla(keys: Keys) -> Self {
        Self::with_format(keys, Format::Gorilla)
    }

    /// A codec for `format`, with the defaults of [`new`](Self::new).
    pub fn with_format(keys: Keys, format: Format) -> Self {
        Codec {
            keys,
            format,
            max_age: DEFAULT_MAX_AGE,
            min_age: 0,
            max_length: DEFAULT_MAX_LENGTH,
            max_skew: DEFAULT_MAX_SKEW,
        }
    }

    /// Cookies older than `seconds` are rejected with [`Error::Expired`];
    /// 0 turns the check off.
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = seconds;
        self
    }

    /// Cookies younger than `seconds` are rejected with [`Error::TooNew`];
    /// 0 (the default) turns the check off.
    #[must_use]
    pub fn min_age(mut self, seconds: u64) -> Self {
        self.min_age = seconds;
        self
    }

    /// The longest cookie, in characters, that is encoded or decoded; longer
    /// gets [`Error::TooLong`]. 0 turns the check off (the caller's buffer
    /// still bounds everything).
    #[must_use]
    pub fn max_length(mut self, chars: usize) -> Self {
        self.max_length = chars;
        self
    }

    /// How many seconds ahead of `now` a compact cookie may be dated before
    /// it gets [`Error::TooNew`]. The gorilla format accepts any future date,
    /// as Go does.
    #[must_use]
    pub fn max_skew(mut self, seconds: u64) -> Self {
        self.max_skew = seconds;
        self
    }

    /// The key pair.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The wire format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The max age in seconds (0: off).
    pub fn get_max_age(&self) -> u64 {
        self.max_age
    }

    /// The max length in characters (0: off).
    pub fn get_max_length(&self) -> usize {
        self.max_length
    }

    /// The cookie length for a payload of `payload_len` bytes encoded at
    /// `now` (the gorilla format writes the time in decimal).
    #[cfg_attr(not(feature = "gorilla"), allow(unused_variables))]
    pub fn encoded_len(&self, payload_len: usize, now: u64) -> usize {
        let encrypted = self.keys.is_encrypted();
        match self.format {
            #[cfg(feature = "compact")]
            Format::Compact => compact::encoded_len(payload_len, encrypted),
            #[cfg(feature = "gorilla")]
            Format::Gorilla => gorilla::encoded_len(payload_len, encrypted, now),
        }
    }

    /// The largest payload that fits in the max length at `now` (with the
    /// max length off, as if it were 4096).
    #[cfg_attr(not(feature = "gorilla"), allow(unused_variables))]
    pub fn max_payload_len(&self, now: u64) -> usize {
        let encrypted = self.keys.is_encrypted();
        let max = match self.max_length {
            0 => DEFAULT_MAX_LENGTH,
            n => n,
        };
        match self.format {
            #[cfg(feature = "compact")]
            Format::Compact => compact::max_payload_len(max, encrypted),
            #[cfg(feature = "gorilla")]
            Format::Gorilla => gorilla::max_payload_len(max, encrypted, now),
        }
    }

    /// Encodes `payload` as the value of cookie `name`, stamped `now` (Unix
    /// seconds), into `out`; returns the cookie text, a slice of `out`.
    ///
    /// `iv` is spent even for signed-only keys, which do not use it, so that
    /// code does not change shape when encryption is turned on.
    ///
    /// # Errors
    /// [`Error::InvalidName`], [`Error::TooLong`] (with the length the cookie
    /// would have), [`Error::BufferTooSmall`] (with the length needed).
    pub fn encode<'o>(
        &self,
        name: &str,
        payload: &[u8],
        now: u64,
        iv: Iv,
        out: &'o mut [u8],
    ) -> Result<&'o str, Error> {
        let cookie = self.encode_bytes(name, payload, now, iv, out)?;
        // Base64 output is ASCII.
        core::str::from_utf8(cookie).map_err(|_| Error::Malformed)
    }

    /// [`encode`](Self::encode), the cookie returned as bytes (ASCII), for
    /// writing straight into a response: no UTF-8 check, which on a
    /// microcontroller is about 650 bytes of flash.
    ///
    /// ```
    /// use securecookie::{Codec, Iv, Keys};
    /// let codec = Codec::new(Keys::new(&[7; 32], None)?);
    /// let mut out = [0u8; 128];
    /// let iv = Iv::from_random_bytes([0; 16]); // signed-only: not used
    /// let cookie = codec.encode_bytes("session", b"hi", 1_800_000_000, iv, &mut out)?;
    /// assert!(cookie.is_ascii());
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`encode`](Self::encode).
    pub fn encode_bytes<'o>(
        &self,
        name: &str,
        payload: &[u8],
        now: u64,
        iv: Iv,
        out: &'o mut [u8],
    ) -> Result<&'o [u8], Error> {
        if !is_token(name.as_bytes()) {
            return Err(Error::InvalidName);
        }
        let len = self.encoded_len(payload.len(), now);
        if self.max_length != 0 && len > self.max_length {
            return Err(Error::TooLong {
                len,
                max: self.max_length,
            });
        }
        if out.len() < len {
            return Err(Error::BufferTooSmall { needed: len });
        }
        let written = dispatch!(self.format, encode(&self.keys, name, payload, now, iv, out));
        debug_assert_eq!(written, len);
        Ok(&out[..written])
    }

    /// Decodes the value of cookie `name` at time `now` (Unix seconds),
    /// using `buf` as working space; the payload is returned as a slice of
    /// `buf`, which needs [`decode_buf_len`]`(cookie.len())` bytes.
    ///
    /// # Errors
    /// In the order they are checked: [`Error::InvalidName`],
    /// [`Error::TooLong`], [`Error::BufferTooSmall`], [`Error::Base64`],
    /// [`Error::Malformed`], [`Error::MacMismatch`],
    /// [`Error::InvalidTimestamp`], [`Error::TooNew`], [`Error::Expired`],
    /// [`Error::Decrypt`].
    pub fn decode<'b>(
        &self,
        name: &str,
        cookie: impl AsRef<[u8]>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<Decoded<'b>, Error> {
        let cookie = cookie.as_ref();
        self.check_input(name, cookie)?;
        let len = unwrap(self.format, cookie, buf)?;
        let (payload, timestamp) = self.open(name, &mut buf[..len], now)?;
        Ok(Decoded {
            payload,
            timestamp,
            index: 0,
        })
    }

    fn check_input(&self, name: &str, cookie: &[u8]) -> Result<(), Error> {
        if !is_token(name.as_bytes()) {
            return Err(Error::InvalidName);
        }
        if self.max_length != 0 && cookie.len() > self.max_length {
            return Err(Error::TooLong {
                len: cookie.len(),
                max: self.max_length,
            });
        }
        Ok(())
    }

    fn open<'b>(&self, name: &str, raw: &'b mut [u8], now: u64) -> Result<(&'b [u8], u64), Error> {
        self.verify(name, raw)?;
        self.finish(raw, now)
    }

    /// Checks the envelope's shape and MAC, changing nothing.
    fn verify(&self, name: &str, raw: &[u8]) -> Result<(), Error> {
        dispatch!(self.format, verify(&self.keys, name, raw))
    }

    /// After [`verify`](Self::verify): time checks, then decryption in place.
    fn finish<'b>(&self, raw: &'b mut [u8], now: u64) -> Result<(&'b [u8], u64), Error> {
        let ages = Ages {
            max_age: self.max_age,
            min_age: self.min_age,
            max_skew: match self.format {
                #[cfg(feature = "compact")]
                Format::Compact => Some(self.max_skew),
                #[cfg(feature = "gorilla")]
                Format::Gorilla => None,
            },
        };
        dispatch!(self.format, finish(&self.keys, raw, now, ages))
    }
}

#[cfg(feature = "std")]
impl Codec {
    /// [`encode`](Self::encode) with the system clock and a fresh IV from
    /// the operating system.
    ///
    /// ```
    /// use securecookie::{Codec, Keys};
    /// let codec = Codec::new(Keys::new(&[7; 32], Some(&[9; 32]))?);
    /// let mut out = [0u8; 128];
    /// let cookie = codec.encode_now("session", b"hello", &mut out)?;
    /// let mut buf = [0u8; 96];
    /// assert_eq!(codec.decode_now("session", cookie, &mut buf)?.payload, b"hello");
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`encode`](Self::encode), and [`Error::Random`].
    pub fn encode_now<'o>(
        &self,
        name: &str,
        payload: &[u8],
        out: &'o mut [u8],
    ) -> Result<&'o str, Error> {
        let iv = if self.keys.is_encrypted() {
            Iv::random()?
        } else {
            // Not used by signed-only keys: spare the randomness.
            Iv::from_random_bytes([0; 16])
        };
        self.encode(name, payload, crate::sessions::os::now(), iv, out)
    }

    /// [`decode`](Self::decode) with the system clock.
    ///
    /// # Errors
    /// As [`decode`](Self::decode).
    pub fn decode_now<'b>(
        &self,
        name: &str,
        cookie: impl AsRef<[u8]>,
        buf: &'b mut [u8],
    ) -> Result<Decoded<'b>, Error> {
        self.decode(name, cookie, crate::sessions::os::now(), buf)
    }
}

/// The buffer size [`Codec::decode`] needs for a cookie of `cookie_len`
/// characters (either format).
///
/// ```
/// const BUF: usize = securecookie::decode_buf_len(4096);
/// assert_eq!(BUF, 3072);
/// ```
pub const fn decode_buf_len(cookie_len: usize) -> usize {
    crate::codec::b64::max_decoded_len(cookie_len, false)
}

fn unwrap(format: Format, cookie: &[u8], buf: &mut [u8]) -> Result<usize, Error> {
    dispatch!(format, unwrap(cookie, buf))
}

/// An ordered list of codecs for key rotation: the first encodes, any of
/// them decodes, and [`Decoded::index`] says which.
///
/// Compact cookies carry a key id, so only codecs with that id are tried.
/// Gorilla cookies are tried against each gorilla codec in order. A list can
/// mix formats (to migrate a fleet from gorilla to compact cookies); the
/// base64 layer is undone once per format, not once per codec.
///
/// ```
/// use securecookie::{Codec, Codecs, Iv, Keys};
///
/// let old = Codec::new(Keys::new(&[1; 32], Some(&[2; 32]))?);
/// let new = Codec::new(Keys::new(&[3; 32], Some(&[4; 32]))?);
/// let mut out = [0u8; 128];
/// let cookie = old.encode("s", b"x", 1_800_000_000, Iv::from_random_bytes([7; 16]), &mut out)?;
///
/// let list = [new, old];
/// let codecs = Codecs::new(&list)?;
/// let mut buf = [0u8; 96];
/// let decoded = codecs.decode("s", cookie, 1_800_000_001, &mut buf)?;
/// assert_eq!((decoded.payload, decoded.index), (&b"x"[..], 1)); // old key: re-issue
/// # Ok::<(), securecookie::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Codecs<'c> {
    list: &'c [Codec],
}

impl<'c> Codecs<'c> {
    /// Wraps a non-empty list, newest key first.
    ///
    /// # Errors
    /// [`Error::NoKeys`] for an empty list; [`Error::AmbiguousKeys`] when two
    /// gorilla codecs share a hash key but not a block key (the gorilla MAC
    /// covers only the hash key, so one would "decrypt" the other's cookies
    /// into garbage and report success). Compact codecs bind the whole key
    /// pair and never conflict.
    pub fn new(list: &'c [Codec]) -> Result<Self, Error> {
        if list.is_empty() {
            return Err(Error::NoKeys);
        }
        // Only gorilla cookies can verify under the wrong pair: compact tags
        // bind the whole pair.
        #[cfg(feature = "gorilla")]
        {
            let gorilla = list.iter().filter(|c| c.format == Format::Gorilla);
            crate::codec::keys::check_distinguishable(gorilla.map(|c| &c.keys))?;
        }
        Ok(Codecs { list })
    }

    /// Wraps a list that its owner checked with [`Codecs::new`] (or
    /// stricter) when it was built, so that a hot path does not check it
    /// again on every cookie.
    #[cfg(feature = "std")]
    pub(crate) fn prechecked(list: &'c [Codec]) -> Self {
        debug_assert!(Codecs::new(list).is_ok());
        Codecs { list }
    }

    /// The codec that encodes: the first.
    pub fn primary(&self) -> &'c Codec {
        &self.list[0]
    }

    /// The codecs, newest first.
    pub fn as_slice(&self) -> &'c [Codec] {
        self.list
    }

    /// Encodes with the first codec; see [`Codec::encode`].
    ///
    /// # Errors
    /// As [`Codec::encode`].
    pub fn encode<'o>(
        &self,
        name: &str,
        payload: &[u8],
        now: u64,
        iv: Iv,
        out: &'o mut [u8],
    ) -> Result<&'o str, Error> {
        self.primary().encode(name, payload, now, iv, out)
    }

    /// Decodes with whichever codec made the cookie; see [`Codec::decode`].
    ///
    /// When none verifies, the error is the one from the codec that got
    /// furthest (a MAC match that then expired says [`Error::Expired`]);
    /// among equals, the first codec's.
    ///
    /// # Errors
    /// As [`Codec::decode`].
    pub fn decode<'b>(
        &self,
        name: &str,
        cookie: impl AsRef<[u8]>,
        now: u64,
        buf: &'b mut [u8],
    ) -> Result<Decoded<'b>, Error> {
        let cookie = cookie.as_ref();
        let mut best: Option<Error> = None;
        let keep = |e: Error, best: &mut Option<Error>| {
            if best.is_none_or(|b| stage(e) > stage(b)) {
                *best = Some(e);
            }
        };
        // Which format's base64 is undone in `buf`, and its length.
        let mut unwrapped: Option<(Format, Result<usize, Error>)> = None;
        for (index, codec) in self.list.iter().enumerate() {
            if let Err(e) = codec.check_input(name, cookie) {
                keep(e, &mut best);
                continue;
            }
            let len = match unwrapped {
                Some((format, len)) if format == codec.format => len,
                _ => {
                    let len = unwrap(codec.format, cookie, buf);
                    unwrapped = Some((codec.format, len));
                    len
                }
            };
            let len = match len {
                Ok(len) => len,
                Err(e) => {
                    keep(e, &mut best);
                    continue;
                }
            };
            #[cfg(feature = "compact")]
            if codec.format == Format::Compact
                && compact::key_id(&buf[..len]) != codec.keys.key_id()
            {
                keep(Error::MacMismatch, &mut best);
                continue;
            }
            // Verifying leaves `buf` as it is, so the next codec can try;
            // a MAC match ends the search, whatever comes after it.
            if let Err(e) = codec.verify(name, &buf[..len]) {
                keep(e, &mut best);
                continue;
            }
            let (payload, timestamp) = codec.finish(&mut buf[..len], now)?;
            return Ok(Decoded {
                payload,
                timestamp,
                index,
            });
        }
        Err(best.unwrap_or(Error::MacMismatch))
    }
}

/// How far decoding got before this error: later stages win when several
/// codecs fail.
fn stage(e: Error) -> u8 {
    match e {
        Error::InvalidName | Error::TooLong { .. } | Error::BufferTooSmall { .. } => 0,
        Error::Base64 | Error::Malformed => 1,
        Error::MacMismatch => 2,
        _ => 3,
    }
}
