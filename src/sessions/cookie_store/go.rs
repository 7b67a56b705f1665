//! (features `std` + `go`) [`CookieStore`] options to share session cookies
//! with Go's dghubble/sessions, and to move off its format.

use super::{CookieConfig, CookieStore, Mode};
use crate::codec::keys::Keys;
use crate::error::Error;
use crate::go::GoSerializer;

impl<V> CookieStore<V> {
    /// A store that reads and writes exactly the cookies of Go's
    /// `sessions.NewCookieStore[string](config, hashKey, blockKey)`
    /// (dghubble/sessions): [`go_format`](Self::go_format)`(GoSerializer::Gob)`.
    ///
    /// ```
    /// use securecookie::go::{gob, GoValue};
    /// use securecookie::{CookieConfig, CookieStore, Format, Keys};
    ///
    /// // sessions.NewCookieStore[string](sessions.DefaultCookieConfig, hashKey, blockKey)
    /// let store = CookieStore::<String>::go_compatible(
    ///     CookieConfig::default(),
    ///     [Keys::new(&[7; 32], Some(&[9; 32]))?],
    /// )?;
    /// assert_eq!(store.codecs()[0].format(), Format::Gorilla);
    /// assert_eq!(store.codecs()[0].get_max_age(), 30 * 24 * 60 * 60); // Go's, not the cookie's
    ///
    /// let mut session = store.new_session("my-app");
    /// session.set("user-id", "a1b2c3".to_string());
    /// let set_cookie = store.save(&session)?; // what Go's session.Save(w) sends
    /// assert!(set_cookie.ends_with("; Max-Age=604800; HttpOnly; Secure; SameSite=Lax"));
    ///
    /// // Inside: a gob map[string]string, as Go writes it.
    /// let value = set_cookie.split(';').next().unwrap().strip_prefix("my-app=").unwrap();
    /// let mut buf = vec![0u8; securecookie::decode_buf_len(value.len())];
    /// let payload = store.codecs()[0].decode_now("my-app", value, &mut buf)?.payload;
    /// let (map, ty) = gob::decode_typed(payload)?;
    /// assert_eq!(ty, gob::GobMapType::StringToString);
    /// assert_eq!(map["user-id"], GoValue::from("a1b2c3"));
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn go_compatible(
        config: CookieConfig,
        keys: impl IntoIterator<Item = Keys>,
    ) -> Result<Self, Error> {
        Ok(Self::new(config, keys)?.go_format(GoSerializer::Gob))
    }

    /// Reads and writes the cookies of a Go service using
    /// gorilla/securecookie with `serializer` over a `map[string]string`:
    /// Go's gorilla envelope, and inside it gob (dghubble/sessions'
    /// `NewCookieStore[string]`) or JSON (`securecookie.JSONEncoder`).
    ///
    /// - **Values are Go strings.** Each value is written as the Go string
    ///   holding its [`SessionValue`](crate::SessionValue) bytes: a
    ///   `String` as itself, an integer in decimal, a `bool` as `1` or `0`
    ///   (so the Go side reads them with `strconv`). Those bytes must be
    ///   UTF-8: a `Vec<u8>` that is not fails `save` with
    ///   [`GobError::ValueNotString`](crate::GobError::ValueNotString) (gob)
    ///   or [`JsonError::NotUtf8`](crate::JsonError::NotUtf8) (JSON).
    /// - **Reading** takes what such a Go service writes: a gob
    ///   `map[string]string` (any other map type is
    ///   [`GobError::UnsupportedType`](crate::GobError::UnsupportedType):
    ///   Go's `NewCookieStore[string]` could not read it either), or a JSON
    ///   object whose values are strings (else [`Error::InvalidValue`]).
    /// - **Max age: Go's, not the cookie's.** Like Go, the store accepts a
    ///   cookie signed up to 30 days ago, whatever `config.max_age` says
    ///   (`Max-Age=604800` in the header, 30 days on the server). That is
    ///   Go's behaviour, kept so that both services agree on which cookies
    ///   are valid; the default store fixes it. Call
    ///   [`max_age`](Self::max_age) to tighten it (on the Go side too:
    ///   `codec.MaxAge(n)` on each of dghubble's codecs).
    ///
    /// Key rotation works as in Go's `CodecsFromPairs`: the first key pair
    /// encodes, all of them decode.
    #[must_use]
    pub fn go_format(mut self, serializer: GoSerializer) -> Self {
        self.mode = Mode::Go(serializer);
        self.rebuild()
    }

    /// Migration off Go's format: writes the compact format (with the kv
    /// payload), and reads both that and what a Go service with
    /// [`go_format`](Self::go_format)`(serializer)` wrote, with the same
    /// keys. Deploy it in place of the Go service (or of a `go_compatible`
    /// store): sessions issued by Go stay valid, and each one becomes a
    /// compact cookie the next time it is saved
    /// ([`get_outdated`](Self::get_outdated) says which to re-issue).
    ///
    /// A Go cookie is accepted for no longer than this store's max age
    /// (`config.max_age`, or [`max_age`](Self::max_age)) and no longer than
    /// Go's 30 days: a browser drops it at the `Max-Age` Go gave it, so no
    /// one who still holds one is logged out.
    ///
    /// ```
    /// use securecookie::go::GoSerializer;
    /// use securecookie::{CookieConfig, CookieStore, Format, Keys};
    ///
    /// let keys = [Keys::new(&[7; 32], Some(&[9; 32]))?];
    /// let go = CookieStore::<String>::go_compatible(CookieConfig::default(), keys.clone())?;
    /// let migrating = CookieStore::<String>::new(CookieConfig::default(), keys)?
    ///     .migrate_from_go(GoSerializer::Gob);
    ///
    /// // A cookie the Go service issued...
    /// let mut session = go.new_session("my-app");
    /// session.set("user-id", "a1b2c3".to_string());
    /// let from_go = go.save(&session)?;
    ///
    /// // ... is read, and re-issued in the compact format.
    /// let (session, outdated) = migrating.get_outdated(from_go.split(';').next().unwrap(), "my-app")?;
    /// assert_eq!(session.get("user-id").map(String::as_str), Some("a1b2c3"));
    /// assert!(outdated);
    /// let compact = migrating.save(&session)?;
    /// assert_eq!(migrating.codecs()[0].format(), Format::Compact);
    /// assert!(migrating.get(compact.split(';').next().unwrap(), "my-app").is_ok());
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    #[must_use]
    pub fn migrate_from_go(mut self, serializer: GoSerializer) -> Self {
        self.mode = Mode::MigrateFromGo(serializer);
        self.rebuild()
    }
}
