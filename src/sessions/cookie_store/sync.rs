//! The sync [`Store`] trait (Go's dghubble/sessions), and
//! [`CookieStore`]'s implementation of it: typed [`Session`]s in and out.

use std::string::String;
use std::vec::Vec;

use super::{CookieStore, MAX_COOKIE_LEN, with_buf};
use crate::codec::envelope::is_token;
use crate::codec::header;
use crate::codec::iv::Iv;
use crate::codec::{Codecs, decode_buf_len};
use crate::error::Error;
use crate::sessions::session::Session;
use crate::sessions::value::SessionValue;

/// Where named sessions are created, read, saved and destroyed: the
/// extension point for session backends.
///
/// [`CookieStore`] keeps the whole session in the cookie; a server-side
/// backend (a database, a cache) would keep an id in the cookie and the
/// values on its side, behind the same four methods.
///
/// The trait is object-safe, so a server can hold a `Box<dyn Store<V, Error
/// = E>>` and choose the backend at startup. `Error` is an associated type so
/// that a backend can report its own failures (I/O, a lost connection)
/// next to the cookie's.
///
/// ```
/// use securecookie::{CookieConfig, CookieStore, Error, Keys, Store};
///
/// let store: Box<dyn Store<String, Error = Error>> = Box::new(CookieStore::new(
///     CookieConfig::default(),
///     [Keys::new(&[7; 32], Some(&[9; 32]))?],
/// )?);
/// let mut session = store.new_session("my-app");
/// session.set("user-id", "a1b2c3".to_string());
/// let set_cookie = store.save(&session)?;
/// assert!(set_cookie.starts_with("my-app="));
/// # Ok::<(), Error>(())
/// ```
pub trait Store<V> {
    /// What can go wrong.
    type Error;

    /// A new, empty session called `name`.
    fn new_session(&self, name: &str) -> Session<V>;

    /// The session called `name` carried by a request's `Cookie` header.
    ///
    /// # Errors
    /// Distinct errors for a missing cookie, one that does not verify or
    /// decode, and one whose values do not convert; never a partial session.
    fn get(&self, cookie_header: &str, name: &str) -> Result<Session<V>, Self::Error>;

    /// Saves `session`; returns the `Set-Cookie` header value to send.
    ///
    /// # Errors
    /// When the session cannot be stored.
    fn save(&self, session: &Session<V>) -> Result<String, Self::Error>;

    /// Ends the session called `name`; returns the `Set-Cookie` header value
    /// that makes the browser drop its cookie.
    ///
    /// # Errors
    /// When `name` cannot be a cookie name, or the backend fails.
    fn destroy(&self, name: &str) -> Result<String, Self::Error>;
}

/// The [`Store`] methods, callable without importing the trait.
impl<V: SessionValue> CookieStore<V> {
    /// A new, empty session called `name` (checked when saved).
    pub fn new_session(&self, name: &str) -> Session<V> {
        Session::new(name)
    }

    /// Reads and verifies the session cookie called `name` from a `Cookie`
    /// request header, with the system clock; see [`get_at`](Self::get_at).
    ///
    /// # Errors
    /// [`Error::NoCookie`] when the header holds no such cookie;
    /// [`Error::InvalidName`]; a decoding error ([`Error::MacMismatch`],
    /// [`Error::Expired`], [`Error::Payload`], ...: see
    /// [`Codec::decode`](crate::Codec::decode)) when it does not verify; [`Error::InvalidValue`]
    /// when a value does not convert to `V`. Never a partial session.
    pub fn get(&self, cookie_header: &str, name: &str) -> Result<Session<V>, Error> {
        self.get_at(cookie_header, name, crate::sessions::os::now())
    }

    /// Encodes the session with the first key, the system clock and a fresh
    /// IV, and renders its `Set-Cookie` header value.
    ///
    /// # Errors
    /// [`Error::InvalidName`]; [`Error::InvalidAttribute`] when a
    /// `__Host-` or `__Secure-` name breaks its rules
    /// ([`CookieConfig::check_name`](super::CookieConfig::check_name)); [`Error::TooLong`] when `name=value` would
    /// exceed [`MAX_COOKIE_LEN`] (its `len` is the cookie's, its `max` the
    /// limit); [`Error::Payload`] for an entry beyond
    /// [`kv::MAX_LEN`](crate::codec::kv::MAX_LEN); [`Error::Random`].
    pub fn save(&self, session: &Session<V>) -> Result<String, Error> {
        self.save_at(session, crate::sessions::os::now(), self.fresh_iv()?)
    }

    /// [`save`](Store::save) at time `now` (Unix seconds) with `iv`: for a
    /// caller with its own clock and randomness, and for tests.
    ///
    /// ```
    /// use securecookie::{CookieConfig, CookieStore, Iv, Keys};
    /// let store = CookieStore::<u32>::new(CookieConfig::debug(), [Keys::new(&[7; 32], None)?])?;
    /// let mut session = store.new_session("s");
    /// session.set("visits", 3);
    /// let line = store.save_at(&session, 1_800_000_000, Iv::from_random_bytes([0; 16]))?;
    /// assert!(line.ends_with("; Path=/; Expires=Fri, 22 Jan 2027 08:00:00 GMT; Max-Age=604800; HttpOnly; SameSite=Lax"));
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`save`](Store::save).
    pub fn save_at(&self, session: &Session<V>, now: u64, iv: Iv) -> Result<String, Error> {
        // The codec checks too, but only after the payload is built and the
        // length limit applied: say what is wrong first.
        if !is_token(session.name().as_bytes()) {
            return Err(Error::InvalidName);
        }
        // One buffer for everything: the payload first, then the header line
        // after it (see `seal_at`).
        let payload_format = self.payloads[0];
        let hint = payload_format.size_hint(session);
        let mut buf = Vec::with_capacity(self.line_capacity(session.name(), hint, now));
        payload_format.write(session, &mut buf)?;
        self.seal_in_place(session.name(), buf, now, iv)
    }

    /// [`get`](Store::get) at time `now` (Unix seconds).
    ///
    /// Every cookie called `name` in the header is tried in order (a browser
    /// sends the one with the longest path first, and an old one may linger
    /// beside it), up to [`header::MAX_SAME_NAME`] of them (the rest are
    /// ignored: bounded work for a header full of forgeries); the first that
    /// decodes wins. When none does, the error is the first one's.
    ///
    /// # Errors
    /// As [`get`](Store::get).
    pub fn get_at(&self, cookie_header: &str, name: &str, now: u64) -> Result<Session<V>, Error> {
        self.get_outdated_at(cookie_header, name, now)
            .map(|(session, _)| session)
    }

    /// [`get`](Self::get), and whether the cookie is outdated: made with an
    /// older key, or (while migrating, see `migrate_from_go`) in Go's format.
    /// [`save`](Self::save) the session to re-issue it with the newest key
    /// in the current format; until then the old cookie keeps working.
    ///
    /// ```
    /// use securecookie::{CookieConfig, CookieStore, Keys};
    /// let old = Keys::new(&[1; 32], None)?;
    /// let new = Keys::new(&[2; 32], None)?;
    /// let before = CookieStore::<String>::new(CookieConfig::default(), [old.clone()])?;
    /// let after = CookieStore::<String>::new(CookieConfig::default(), [new, old])?;
    ///
    /// let mut session = before.new_session("s");
    /// session.set("user-id", "a1b2c3".to_string());
    /// let cookie = before.save(&session)?;
    /// let cookie = cookie.split(';').next().unwrap();
    ///
    /// let (session, outdated) = after.get_outdated(cookie, "s")?;
    /// assert!(outdated);
    /// let reissued = after.save(&session)?;
    /// let (_, outdated) = after.get_outdated(reissued.split(';').next().unwrap(), "s")?;
    /// assert!(!outdated);
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`get`](Self::get).
    pub fn get_outdated(
        &self,
        cookie_header: &str,
        name: &str,
    ) -> Result<(Session<V>, bool), Error> {
        self.get_outdated_at(cookie_header, name, crate::sessions::os::now())
    }

    /// [`get_outdated`](Self::get_outdated) at time `now` (Unix seconds).
    ///
    /// # Errors
    /// As [`get`](Self::get).
    pub fn get_outdated_at(
        &self,
        cookie_header: &str,
        name: &str,
        now: u64,
    ) -> Result<(Session<V>, bool), Error> {
        if !is_token(name.as_bytes()) {
            return Err(Error::InvalidName);
        }
        let mut first_error = None;
        for value in header::tried(cookie_header, name) {
            match self.decode(name, value, now) {
                Ok((session, index)) => return Ok((session, index != 0)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(Error::NoCookie))
    }

    /// The session and the index of the codec that verified it.
    fn decode(&self, name: &str, value: &str, now: u64) -> Result<(Session<V>, usize), Error> {
        // A longer cookie is refused by the codec before it touches the
        // buffer: the buffer stays bounded whatever the client sends.
        let len = decode_buf_len(value.len().min(MAX_COOKIE_LEN));
        with_buf(len, |buf| {
            let decoded = Codecs::prechecked(&self.codecs).decode(name, value, now, buf)?;
            let values = self.payloads[decoded.index].read(decoded.payload)?;
            Ok((Session::from_sorted(name, values), decoded.index))
        })
    }
}

impl<V: SessionValue> Store<V> for CookieStore<V> {
    type Error = Error;

    fn new_session(&self, name: &str) -> Session<V> {
        CookieStore::new_session(self, name)
    }

    fn get(&self, cookie_header: &str, name: &str) -> Result<Session<V>, Error> {
        CookieStore::get(self, cookie_header, name)
    }

    fn save(&self, session: &Session<V>) -> Result<String, Error> {
        CookieStore::save(self, session)
    }

    fn destroy(&self, name: &str) -> Result<String, Error> {
        CookieStore::destroy(self, name)
    }
}
