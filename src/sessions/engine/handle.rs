//! [`SessionHandle`]: what a handler reads and changes. Framework-free: the
//! adapters hand it out (the axum and actix-web extractors), the engine
//! turns what it recorded into a cookie after the handler.

use std::string::String;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use crate::error::Error;
use crate::sessions::value::SessionValue;

use super::begin::Loader;
use super::state::{RESERVED, State};

/// The session of one request, loaded: read it, change it, and the layer
/// writes the cookie after the handler.
///
/// A cheap handle (`Clone + Send + Sync`): every clone is the same session,
/// across `.await`s and in several extractors of one request. Values are
/// any [`SessionValue`] (`String`, integers, `bool`, `Vec<u8>`, your own),
/// one type per key, chosen at each call.
///
/// ```
/// # use securecookie::layer::SessionHandle;
/// async fn login(session: SessionHandle) {
///     session.set("user-id", "a1b2c3".to_string());
///     session.set("visits", 1u32);
///     session.renew(); // a privilege change: a fresh cookie / id
/// }
/// async fn welcome(session: SessionHandle) -> Option<String> {
///     let id: String = session.get("user-id")?;
///     Some(format!("Welcome {id}!"))
/// }
/// ```
#[derive(Clone)]
pub struct SessionHandle {
    pub(crate) inner: Arc<Inner>,
}

/// One request's session: the engine's store and settings, and the state.
/// The one allocation a request pays for sessions.
pub(crate) struct Inner {
    loader: Arc<dyn Loader>,
    state: Mutex<State>,
}

impl Inner {
    pub(crate) fn new(loader: Arc<dyn Loader>) -> Self {
        Inner {
            loader,
            state: Mutex::new(State::new()),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // No code of ours panics while holding the lock; if a caller's did,
        // the state is still whole (each change is one assignment).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn loader(&self) -> &dyn Loader {
        &*self.loader
    }
}

impl SessionHandle {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock()
    }

    /// The bytes under a user's `key` through `read` (`None`: no such key,
    /// or a reserved one). The one way values are read: typed getters
    /// (`SessionValue` here, serde's beside it) decode from these bytes.
    #[inline]
    pub(crate) fn read_bytes<R>(&self, key: &str, read: impl FnOnce(&[u8]) -> R) -> Option<R> {
        if key.starts_with(RESERVED) {
            return None;
        }
        self.lock().entries.get(key).map(read)
    }

    /// Sets a user's `key` to `bytes` (a change only when they differ). The
    /// one way values are written: typed setters encode into these bytes.
    /// A reserved key makes the save fail with [`Error::ReservedKey`].
    #[inline]
    pub(crate) fn write_bytes(&self, key: String, bytes: Vec<u8>) {
        let mut state = self.lock();
        if key.starts_with(RESERVED) {
            state.pending_error = Some(Error::ReservedKey);
            return;
        }
        // Setting the value a key already holds changes nothing: no
        // Set-Cookie for it, and the entries stay as the payload holds them.
        if state.entries.get(&key) == Some(&bytes[..]) {
            return;
        }
        state.change(|entries| {
            entries.set(key, bytes);
            true
        });
    }

    /// The value under `key`, if there is one and it reads as a `T`.
    ///
    /// A value stored as another type reads as `None` here; see
    /// [`try_get`](Self::try_get).
    pub fn get<T: SessionValue>(&self, key: &str) -> Option<T> {
        self.try_get(key).ok().flatten()
    }

    /// The value under `key`, or why its bytes do not make a `T`: a value
    /// written by an older version of the type that no longer fits it (a
    /// field renamed without a default, a type changed) is this error and a
    /// WARN event naming the key and the type (never the value); the
    /// session's other values still read.
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn try_get<T: SessionValue>(&self, key: &str) -> Result<Option<T>, Error> {
        self.read_bytes(key, |bytes| {
            T::from_bytes(bytes).map_err(|reason| {
                tracing::warn!(
                    target: "securecookie",
                    key,
                    r#type = core::any::type_name::<T>(),
                    reason,
                    "session value does not fit its type: get() sees None"
                );
                Error::InvalidValue { reason }
            })
        })
        .transpose()
    }

    /// Sets `key` to `value` (saved after the handler, if it changed the
    /// session). Keys starting with `\0` are the layer's: setting one makes
    /// the save fail with [`Error::ReservedKey`].
    pub fn set<T: SessionValue>(&self, key: impl Into<String>, value: T) {
        let mut bytes = Vec::new();
        value.write_bytes(&mut bytes);
        self.write_bytes(key.into(), bytes);
    }

    /// Removes `key`; true when it was there.
    pub fn remove(&self, key: &str) -> bool {
        if key.starts_with(RESERVED) {
            return false;
        }
        let mut state = self.lock();
        if state.entries.get(key).is_none() {
            return false;
        }
        let mut removed = false;
        state.change(|entries| {
            removed = entries.remove(key).is_some();
            removed
        });
        removed
    }

    /// Removes every entry and flash value (the session keeps its id and
    /// creation time; see [`destroy`](Self::destroy) to end it).
    pub fn clear(&self) {
        self.lock().change(State::clear_entries);
    }

    /// Re-issues the session at a privilege change (login, logout of one
    /// role, ...): a fresh cookie now, and with a server-side store a new
    /// session id (the old one is deleted: session fixation defense). The
    /// absolute lifetime counts from here.
    pub fn renew(&self) {
        self.lock().renew = true;
    }

    /// Ends the session: the layer sends the expiring cookie (with the same
    /// `Path`, `Domain`, `Secure`, `HttpOnly` and `SameSite`), and a
    /// server-side store deletes the session. Later changes in this request
    /// are dropped.
    pub fn destroy(&self) {
        let mut state = self.lock();
        state.destroy = true;
        state.entries.clear();
        if let Some(csrf) = state.csrf.as_mut() {
            csrf.destroy();
        }
    }

    /// Why the request's session cookie was refused: tampered
    /// ([`Error::MacMismatch`]), expired ([`Error::Expired`],
    /// [`Error::LifetimeExceeded`]), unknown to the store
    /// ([`Error::UnknownSession`]), ... `None` when it loaded or when the
    /// request had none.
    pub fn rejected(&self) -> Option<Error> {
        self.lock().rejected
    }

    /// True when the session holds none of the handler's entries.
    pub fn is_empty(&self) -> bool {
        let state = self.lock();
        state.entries.iter().all(|(k, _)| k.starts_with(RESERVED))
    }

    /// When the request's cookie was issued (Unix seconds), if it loaded.
    pub fn issued(&self) -> Option<u64> {
        self.lock().issued
    }

    /// When the request's cookie expires unless renewed (Unix seconds): its
    /// issue time plus the store's max age.
    pub fn expires(&self) -> Option<u64> {
        let age = self.inner.loader().max_age()?;
        self.issued().map(|t| t.saturating_add(age))
    }

    /// When the session was created (Unix seconds; renewing restarts it),
    /// if it has been saved.
    pub fn created(&self) -> Option<u64> {
        self.lock().created()
    }

    /// The length, `name=value`, of the cookie the session would be saved
    /// in as it stands now: check it before returning from a handler that
    /// stores something large (browsers keep at most 4096 bytes, and a
    /// longer session is a 500). `None` for a store whose cookie holds
    /// only an id (the values stay on the server).
    ///
    /// ```
    /// # fn handler(session: securecookie::layer::SessionHandle) -> Result<(), &'static str> {
    /// session.set("notes", "x".repeat(5000));
    /// if session.encoded_len().is_some_and(|len| len > securecookie::MAX_COOKIE_LEN) {
    ///     session.remove("notes");
    ///     return Err("too much to keep in a cookie");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn encoded_len(&self) -> Option<usize> {
        let payload_len = self.lock().payload_len();
        self.inner.loader().cookie_len(payload_len)
    }

    /// The length of the request's session cookie, `name=value`, in bytes
    /// (browsers keep at most 4096), if it loaded.
    pub fn cookie_len(&self) -> Option<usize> {
        self.lock().cookie_len
    }
}

impl core::fmt::Debug for SessionHandle {
    // Values are plaintext session data: show only how many there are.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = self.lock();
        f.debug_struct("SessionHandle")
            .field("cookie", &self.inner.loader().config().name)
            .field("entries", &state.entries.len())
            .field("rejected", &state.rejected)
            .finish_non_exhaustive()
    }
}
