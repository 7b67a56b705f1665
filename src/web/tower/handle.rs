//! The per-request session: [`LazySession`] in the request's extensions,
//! [`SessionHandle`] once loaded.

use std::boxed::Box;
use std::string::String;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::vec::Vec;

use core::future::Future;
use core::pin::Pin;

use ::http::HeaderMap;
use ::http::header::COOKIE;

use super::LayerConfig;
use crate::error::Error;
use crate::sessions::payload::PayloadFormat;
use crate::sessions::session::Session;
use crate::sessions::store::{Loaded, Record, SessionId, SessionStore, StoreError};
use crate::sessions::value::SessionValue;

/// Keys of the layer's own entries start with this byte; user keys may not.
const RESERVED: char = '\0';
/// When the session was created (decimal Unix seconds): for the absolute
/// lifetime cap.
const CREATED: &str = "\0c";
/// Flash values live under this prefix and the flash's key.
const FLASH: &str = "\0f";

type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The layer's store and settings, without the store's type: what a
/// handle needs to load, whatever the store.
pub(crate) trait Loader: Send + Sync {
    fn load<'a>(&'a self, value: &'a str) -> StoreFuture<'a, Loaded>;
    fn save(&self, record: Record) -> StoreFuture<'_, String>;
    fn destroy(&self, id: Option<SessionId>) -> StoreFuture<'_, String>;
    fn config(&self) -> &LayerConfig;
    fn max_age(&self) -> Option<u64>;
}

pub(crate) struct Shared<S> {
    pub(crate) store: Arc<S>,
    pub(crate) config: LayerConfig,
}

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Shared {
            store: self.store.clone(),
            config: self.config.clone(),
        }
    }
}

impl<S: SessionStore> Loader for Shared<S> {
    fn load<'a>(&'a self, value: &'a str) -> StoreFuture<'a, Loaded> {
        Box::pin(self.store.load(&self.config.name, value))
    }

    fn save(&self, record: Record) -> StoreFuture<'_, String> {
        Box::pin(self.store.save(&self.config.name, record))
    }

    fn destroy(&self, id: Option<SessionId>) -> StoreFuture<'_, String> {
        Box::pin(self.store.destroy(&self.config.name, id))
    }

    fn config(&self) -> &LayerConfig {
        &self.config
    }

    fn max_age(&self) -> Option<u64> {
        self.store.max_age()
    }
}

/// The session of one request before it is read: what the layer puts in
/// the request's extensions. Nothing is decoded until [`load`](Self::load)
/// (the axum extractor [`SessionHandle`] calls it): a handler that never
/// asks for the session pays nothing.
///
/// Without axum, take it from the request and load it:
///
/// ```no_run
/// # async fn handler(request: http::Request<()>) -> Result<(), securecookie::StoreError> {
/// use securecookie::layer::LazySession;
/// let lazy = request.extensions().get::<LazySession>().expect("SessionLayer is installed");
/// let session = lazy.load(request.headers()).await?; // StoreError::Backend: answer 503
/// let user: Option<String> = session.get("user-id");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct LazySession {
    pub(crate) inner: Arc<Inner>,
}

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
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    loader: Arc<dyn Loader>,
    state: Mutex<State>,
}

pub(crate) struct State {
    pub(crate) loaded: bool,
    /// The user's entries, the flash values and the creation time, as the
    /// payload holds them.
    pub(crate) entries: Session<Vec<u8>>,
    pub(crate) id: Option<SessionId>,
    pub(crate) issued: Option<u64>,
    pub(crate) cookie_len: Option<usize>,
    pub(crate) outdated: bool,
    /// Why the request's cookie was refused (`None` when it loaded or when
    /// there was none).
    pub(crate) rejected: Option<Error>,
    pub(crate) modified: bool,
    pub(crate) renew: bool,
    pub(crate) destroy: bool,
    /// A change that cannot be saved (a reserved key): reported at save.
    pub(crate) pending_error: Option<Error>,
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

/// The cookie values called `name` in `headers`' `Cookie` headers (usually
/// one; HTTP/2 may send one per cookie), in order: the first
/// [`MAX_SAME_NAME`](crate::codec::header::MAX_SAME_NAME) over all of them
/// (bounded work for a request full of forgeries).
fn cookie_values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(COOKIE)
        .iter()
        // Other cookies may hold non-UTF-8 bytes; ours never do, and
        // `find_all` needs text: such a header is read up to the bad
        // byte's cookie, which `find_all` then skips.
        .filter_map(|v| core::str::from_utf8(v.as_bytes()).ok())
        .flat_map(move |header| crate::codec::header::find_all(header, name))
        .take(crate::codec::header::MAX_SAME_NAME)
}

impl LazySession {
    /// Reads the session from the cookie in `headers` (the request's: the
    /// layer takes nothing from the request until a handler asks), once per
    /// request (later calls and clones share the result).
    ///
    /// A missing, tampered, expired, wrongly keyed or undecodable cookie
    /// gives an empty session ([`SessionHandle::rejected`] says why; the
    /// layer clears that cookie unless a new session is saved).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the store does not answer (the axum
    /// extractor answers 503).
    pub async fn load(&self, headers: &HeaderMap) -> Result<SessionHandle, StoreError> {
        let handle = SessionHandle {
            inner: self.inner.clone(),
        };
        if self.inner.lock().loaded {
            return Ok(handle);
        }
        let loader = self.inner.loader();
        let config = loader.config();
        let mut outcome = Err(Error::NoCookie);
        for value in cookie_values(headers, &config.name) {
            match loader.load(value).await {
                Ok(loaded) => {
                    outcome = Ok((loaded, value.len()));
                    break;
                }
                Err(StoreError::Session(e)) => {
                    if matches!(outcome, Err(Error::NoCookie)) {
                        outcome = Err(e);
                    }
                }
                Err(e @ StoreError::Backend(_)) => return Err(e),
            }
        }
        let mut state = self.inner.lock();
        if state.loaded {
            // Another clone loaded it meanwhile: keep what it may have
            // changed.
            return Ok(handle);
        }
        state.loaded = true;
        match outcome.and_then(|(loaded, len)| {
            let entries = PayloadFormat::Kv.read::<Vec<u8>>(&loaded.payload)?;
            Ok((loaded, len, entries))
        }) {
            Ok((loaded, len, entries)) => {
                state.entries = Session::from_sorted(&config.name, entries);
                state.id = loaded.id;
                state.issued = Some(loaded.issued);
                state.cookie_len = Some(config.name.len() + 1 + len);
                state.outdated = loaded.outdated;
                if let Some(cap) = config.lifetime
                    && let Some(created) = state.created()
                    && crate::sessions::os::now().saturating_sub(created) > cap
                {
                    state.entries.clear();
                    state.rejected = Some(Error::LifetimeExceeded);
                    // Whatever is saved next is a new session: a server
                    // store drops the old id (and if nothing is saved, the
                    // layer destroys it).
                    state.renew = true;
                }
            }
            Err(Error::NoCookie) => {}
            Err(e) => state.rejected = Some(e),
        }
        if let Some(e) = state.rejected {
            tracing::info!(
                target: "securecookie",
                cookie = %config.name,
                reason = %e,
                "session cookie refused: the handler sees an empty session, the cookie is cleared"
            );
        }
        Ok(handle)
    }
}

impl State {
    fn new() -> Self {
        State {
            loaded: false,
            entries: Session::new(""),
            id: None,
            issued: None,
            cookie_len: None,
            outdated: false,
            rejected: None,
            modified: false,
            renew: false,
            destroy: false,
            pending_error: None,
        }
    }

    fn created(&self) -> Option<u64> {
        self.entries
            .get(CREATED)
            .and_then(|b| u64::from_bytes(b).ok())
    }

    fn change(&mut self, f: impl FnOnce(&mut Session<Vec<u8>>) -> bool) {
        if f(&mut self.entries) {
            self.modified = true;
        }
    }

    /// True when the session holds nothing of the user's (no entries, no
    /// flash values): there is nothing worth a cookie.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.iter().all(|(k, _)| k == CREATED)
    }

    /// The payload to save: stamps the creation time of a new (or renewed)
    /// session.
    pub(crate) fn payload(&mut self, now: u64) -> Result<Vec<u8>, Error> {
        if self.renew || self.created().is_none() {
            let mut stamp = Vec::new();
            now.write_bytes(&mut stamp);
            self.entries.set(CREATED, stamp);
        }
        let mut out = Vec::with_capacity(PayloadFormat::Kv.size_hint(&self.entries) + 64);
        PayloadFormat::Kv.write(&self.entries, &mut out)?;
        Ok(out)
    }
}

impl SessionHandle {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock()
    }

    /// The value under `key`, if there is one and it reads as a `T`.
    ///
    /// A value stored as another type reads as `None` here; see
    /// [`try_get`](Self::try_get).
    pub fn get<T: SessionValue>(&self, key: &str) -> Option<T> {
        self.try_get(key).ok().flatten()
    }

    /// The value under `key`, or why its bytes do not make a `T`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`].
    pub fn try_get<T: SessionValue>(&self, key: &str) -> Result<Option<T>, Error> {
        if key.starts_with(RESERVED) {
            return Ok(None);
        }
        let state = self.lock();
        state
            .entries
            .get(key)
            .map(|bytes| T::from_bytes(bytes).map_err(|reason| Error::InvalidValue { reason }))
            .transpose()
    }

    /// Sets `key` to `value` (saved after the handler, if it changed the
    /// session). Keys starting with `\0` are the layer's: setting one makes
    /// the save fail with [`Error::ReservedKey`].
    pub fn set<T: SessionValue>(&self, key: impl Into<String>, value: T) {
        let key = key.into();
        let mut bytes = Vec::new();
        value.write_bytes(&mut bytes);
        let mut state = self.lock();
        if key.starts_with(RESERVED) {
            state.pending_error = Some(Error::ReservedKey);
            return;
        }
        state.change(|entries| {
            // Setting the value a key already holds changes nothing: no
            // Set-Cookie for it.
            entries.get(&key) != Some(&bytes) && {
                entries.set(key, bytes);
                true
            }
        });
    }

    /// Removes `key`; true when it was there.
    pub fn remove(&self, key: &str) -> bool {
        if key.starts_with(RESERVED) {
            return false;
        }
        let mut removed = false;
        self.lock().change(|entries| {
            removed = entries.remove(key).is_some();
            removed
        });
        removed
    }

    /// Removes every entry and flash value (the session keeps its id and
    /// creation time; see [`destroy`](Self::destroy) to end it).
    pub fn clear(&self) {
        self.lock().change(|entries| {
            let before = entries.len();
            let created = entries.remove(CREATED);
            let changed = before > usize::from(created.is_some());
            entries.clear();
            if let Some(created) = created {
                entries.set(CREATED, created);
            }
            changed
        });
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
    }

    /// Sets a flash value: readable once, with [`take_flash`](Self::take_flash),
    /// on a later request (gorilla/sessions' `AddFlash`, Rails' and Django's
    /// messages).
    pub fn flash<T: SessionValue>(&self, key: &str, value: T) {
        let mut bytes = Vec::new();
        value.write_bytes(&mut bytes);
        let mut flash_key = String::with_capacity(FLASH.len() + key.len());
        flash_key.push_str(FLASH);
        flash_key.push_str(key);
        self.lock().change(|entries| {
            entries.set(flash_key, bytes);
            true
        });
    }

    /// Takes the flash value under `key`: it is gone afterwards.
    pub fn take_flash<T: SessionValue>(&self, key: &str) -> Option<T> {
        let mut flash_key = String::with_capacity(FLASH.len() + key.len());
        flash_key.push_str(FLASH);
        flash_key.push_str(key);
        let mut taken = None;
        self.lock().change(|entries| {
            taken = entries.remove(&flash_key);
            taken.is_some()
        });
        taken.and_then(|bytes| T::from_bytes(&bytes).ok())
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

    /// The length of the request's session cookie, `name=value`, in bytes
    /// (browsers keep at most 4096), if it loaded.
    pub fn cookie_len(&self) -> Option<usize> {
        self.lock().cookie_len
    }
}

impl core::fmt::Debug for LazySession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LazySession")
            .field("cookie", &self.inner.loader().config().name)
            .finish_non_exhaustive()
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
