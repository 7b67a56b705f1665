//! The start of a request: the [`Engine`] (one per application: the store
//! and the settings), the [`PendingSession`] it begins for each request,
//! and loading it from the request's `Cookie` headers.

use std::boxed::Box;
use std::string::String;
use std::sync::Arc;

use core::future::Future;
use core::pin::Pin;

use crate::codec::header;
use crate::error::Error;
use crate::sessions::store::{Loaded, Record, SessionId, SessionStore, StoreError};

use super::SessionHandle;
use super::config::LayerConfig;
use super::handle::Inner;

type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The engine's store and settings, without the store's type: what a
/// request's session needs, whatever the store.
pub(crate) trait Loader: Send + Sync {
    fn load<'a>(&'a self, value: &'a str) -> StoreFuture<'a, Loaded>;
    fn save(&self, record: Record) -> StoreFuture<'_, String>;
    fn destroy(&self, id: Option<SessionId>) -> StoreFuture<'_, String>;
    /// The store's answers at once, when it has them without I/O (see
    /// [`SessionStore::load_now`]): no boxed future.
    /// At `now`, the request's time (see [`SessionStore::load_now_at`]).
    fn load_now(&self, value: &str, now: u64) -> Option<Result<Loaded, StoreError>>;
    fn save_now(&self, record: Record, now: u64) -> Result<Result<String, StoreError>, Record>;
    fn destroy_now(&self, id: Option<SessionId>) -> Option<Result<String, StoreError>>;
    /// The `_now` answers are always there ([`SessionStore::IMMEDIATE`]).
    fn immediate(&self) -> bool;
    fn config(&self) -> &LayerConfig;
    fn max_age(&self) -> Option<u64>;
    /// See [`SessionStore::cookie_len`].
    fn cookie_len(&self, payload_len: usize) -> Option<usize>;
    /// The same store under other settings.
    fn with_config(&self, config: LayerConfig) -> Arc<dyn Loader>;
}

struct Shared<S> {
    store: Arc<S>,
    config: LayerConfig,
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

    fn load_now(&self, value: &str, now: u64) -> Option<Result<Loaded, StoreError>> {
        self.store.load_now_at(&self.config.name, value, now)
    }

    fn save_now(&self, record: Record, now: u64) -> Result<Result<String, StoreError>, Record> {
        self.store.save_now_at(&self.config.name, record, now)
    }

    fn destroy_now(&self, id: Option<SessionId>) -> Option<Result<String, StoreError>> {
        self.store.destroy_now(&self.config.name, id)
    }

    fn immediate(&self) -> bool {
        S::IMMEDIATE
    }

    fn config(&self) -> &LayerConfig {
        &self.config
    }

    fn max_age(&self) -> Option<u64> {
        self.store.max_age()
    }

    fn cookie_len(&self, payload_len: usize) -> Option<usize> {
        self.store.cookie_len(&self.config.name, payload_len)
    }

    fn with_config(&self, config: LayerConfig) -> Arc<dyn Loader> {
        Arc::new(Shared {
            store: self.store.clone(),
            config,
        })
    }
}

/// The session lifecycle for one application: a store, a cookie name and
/// the renewal settings. Cheap to clone (one `Arc`); framework adapters
/// hold one and call [`begin`](Self::begin) per request.
///
/// ```
/// # async fn demo() -> Result<(), securecookie::Error> {
/// use securecookie::engine::{Engine, Outcome};
/// use securecookie::{CookieConfig, CookieStore, Keys};
///
/// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?;
/// let engine = Engine::new(store, "my-app").lifetime(30 * 24 * 60 * 60);
///
/// // A request: its Cookie header(s) as bytes in, the handler in between.
/// let session = engine.begin();
/// let handle = session.load([&b"theme=dark"[..]]).await.map_err(|_| securecookie::Error::NoCookie)?;
/// handle.set("user-id", "a1b2c3".to_string());
/// // After the handler: at most one Set-Cookie line, or a status to answer.
/// match session.finish() {
///     None => {} // nothing to write (and nothing was awaited)
///     Some(finishing) => match finishing.await {
///         Outcome::SetCookie(line) => assert!(line.starts_with("my-app=")),
///         Outcome::Failed { status, .. } => panic!("answer {}", status.as_u16()),
///     },
/// }
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct Engine {
    shared: Arc<dyn Loader>,
}

impl Engine {
    /// Sessions in `store`, under the cookie called `name`. Rolling renewal
    /// at half the store's max age, no lifetime cap, saves only when
    /// modified.
    pub fn new<S: SessionStore>(store: S, name: impl Into<String>) -> Self {
        Engine {
            shared: Arc::new(Shared {
                store: Arc::new(store),
                config: LayerConfig::new(name.into()),
            }),
        }
    }

    fn configure(mut self, change: impl FnOnce(&mut LayerConfig)) -> Self {
        let mut config = self.shared.config().clone();
        change(&mut config);
        self.shared = self.shared.with_config(config);
        self
    }

    /// Saves every session a handler loaded, changed or not (a fresh cookie
    /// on each such request; without this, only changed sessions are saved).
    #[must_use]
    pub fn always_save(self, always: bool) -> Self {
        self.configure(|c| c.always_save = always)
    }

    /// Re-issues a loaded session's cookie once it is older than `percent`
    /// of the store's max age (default 50); `None` turns rolling renewal
    /// off (then a session dies its max age after it was last saved).
    #[must_use]
    pub fn rolling(self, percent: Option<u8>) -> Self {
        self.configure(|c| c.rolling = percent)
    }

    /// CSRF protection ([`csrf`](crate::csrf)): handlers get tokens from
    /// [`SessionHandle::csrf_token`], adapters check unsafe requests with
    /// [`PendingSession::check_csrf`] and send
    /// [`PendingSession::csrf_cookie`]. An anonymous visitor's secret
    /// lives in a cookie named after the session's (`<name>-csrf`) with
    /// `cookie`'s attributes (give it the store's `CookieConfig`).
    #[must_use]
    pub fn csrf(self, cookie: crate::sessions::cookie_store::CookieConfig) -> Self {
        self.configure(|c| {
            c.csrf = Some(super::csrf::CsrfCookie {
                name: crate::sessions::csrf::anonymous_cookie_name(&c.name),
                config: cookie,
            });
        })
    }

    /// Ends every session `seconds` after it was created (or last
    /// [`renew`](SessionHandle::renew)ed), however active: rolling renewal
    /// cannot pass this. A session past it reads as empty, rejected with
    /// [`Error::LifetimeExceeded`].
    #[must_use]
    pub fn lifetime(self, seconds: u64) -> Self {
        self.configure(|c| c.lifetime = Some(seconds))
    }

    /// The session cookie's name.
    pub fn name(&self) -> &str {
        &self.shared.config().name
    }

    /// The session of a new request: nothing is read until
    /// [`PendingSession::load`]. One allocation, no store call, no clock.
    #[inline]
    pub fn begin(&self) -> PendingSession {
        PendingSession {
            inner: Arc::new(Inner::new(self.shared.clone())),
        }
    }
}

impl Engine {
    /// The settings, for the adapters' `Debug` (never the store: its keys).
    pub(crate) fn config(&self) -> &LayerConfig {
        self.shared.config()
    }
}

impl core::fmt::Debug for Engine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Engine")
            .field("config", self.config())
            .finish_non_exhaustive()
    }
}

/// What a request's cookies said: the first that loaded (and its value's
/// length), else why the first one was refused.
type Found = Result<(Loaded, usize), Error>;

/// Notes one cookie's answer in `outcome`; true when it loaded (stop
/// there).
///
/// # Errors
/// A backend failure ends the load: 503.
fn take(
    result: Result<Loaded, StoreError>,
    len: usize,
    outcome: &mut Found,
) -> Result<bool, StoreError> {
    match result {
        Ok(loaded) => {
            *outcome = Ok((loaded, len));
            Ok(true)
        }
        Err(StoreError::Session(e)) => {
            if matches!(outcome, Err(Error::NoCookie)) {
                *outcome = Err(e);
            }
            Ok(false)
        }
        Err(e @ StoreError::Backend(_)) => Err(e),
    }
}

/// The load of [`PendingSession::load`], once: each cookie of the engine's
/// name in turn, asking the store with `ask` (a sync call, or one that
/// awaits inside an `async fn`), until one loads; then the state takes
/// what they said. One loop for both, so that the rules stay in one place.
macro_rules! try_cookies {
    ($session:expr, $headers:expr, $anonymous:expr, |$loader:ident, $value:ident, $now:ident| $ask:expr) => {{
        let session = $session;
        if session.inner.lock().loaded {
            return Ok(session.handle());
        }
        // The request's one clock reading (the plan after the handler
        // needs it for any loaded session anyway).
        let $now = crate::sessions::os::now();
        let $loader = session.inner.loader();
        let mut outcome = Err(Error::NoCookie);
        for found in header::request_cookies($headers, &$loader.config().name) {
            let $value = found.value;
            let result = $ask;
            if take(result, found.value.len(), &mut outcome)? {
                break;
            }
        }
        Ok(session.accept(outcome, $anonymous, $now))
    }};
}

/// The session of one request before (and while) a handler uses it: the
/// adapter keeps one clone to [`finish`](Self::finish) after the handler
/// and hands another to the handler's side to [`load`](Self::load).
#[derive(Clone)]
pub struct PendingSession {
    pub(crate) inner: Arc<Inner>,
}

impl PendingSession {
    /// Reads the session from the request's `Cookie` header values, as
    /// bytes (HTTP/2 may send several), once per request: later calls and
    /// clones share the result.
    ///
    /// Each cookie of the engine's name is tried in turn (at most
    /// [`MAX_SAME_NAME`](crate::header::MAX_SAME_NAME)); a pair that is not
    /// UTF-8 is skipped alone. A missing, tampered, expired, wrongly keyed
    /// or undecodable cookie gives an empty session
    /// ([`SessionHandle::rejected`] says why, an INFO event records it, and
    /// [`finish`](Self::finish) clears that cookie unless a new session is
    /// saved).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the store does not answer: answer
    /// [`unavailable`](super::unavailable)'s status (503).
    pub async fn load<'h, I>(&self, cookie_headers: I) -> Result<SessionHandle, StoreError>
    where
        I: IntoIterator<Item = &'h [u8]>,
    {
        let loader = self.inner.loader();
        match &loader.config().csrf {
            // A store without I/O (the cookie store) and no CSRF cookie to
            // find: nothing to await, and this future stays small (axum
            // boxes it inside every handler's future).
            None if loader.immediate() => self.load_now(cookie_headers),
            // Boxed, so that the future above does not carry this one.
            None => Box::pin(self.load_with(cookie_headers, None)).await,
            Some(csrf) => {
                // The anonymous CSRF cookie is read from the same headers
                // (copied: only with CSRF on).
                let headers: std::vec::Vec<std::vec::Vec<u8>> =
                    cookie_headers.into_iter().map(<[u8]>::to_vec).collect();
                let anonymous = header::request_cookies(
                    headers.iter().map(std::vec::Vec::as_slice),
                    &csrf.name,
                )
                .next()
                .map(|found| String::from(found.value));
                Box::pin(self.load_with(
                    headers.iter().map(std::vec::Vec::as_slice),
                    anonymous.as_deref(),
                ))
                .await
            }
        }
    }

    /// [`load`](Self::load) from a store whose every answer is immediate.
    fn load_now<'h, I>(&self, cookie_headers: I) -> Result<SessionHandle, StoreError>
    where
        I: IntoIterator<Item = &'h [u8]>,
    {
        try_cookies!(self, cookie_headers, None, |loader, value, now| {
            loader.load_now(value, now).unwrap_or_else(|| {
                Err(StoreError::backend(
                    "the store said it answers at once, but load_now gave no answer",
                ))
            })
        })
    }

    async fn load_with<'h, I>(
        &self,
        cookie_headers: I,
        anonymous_csrf: Option<&str>,
    ) -> Result<SessionHandle, StoreError>
    where
        I: IntoIterator<Item = &'h [u8]>,
    {
        try_cookies!(
            self,
            cookie_headers,
            anonymous_csrf,
            |loader, value, now| {
                match loader.load_now(value, now) {
                    Some(result) => result,
                    None => loader.load(value).await,
                }
            }
        )
    }

    fn handle(&self) -> SessionHandle {
        SessionHandle {
            inner: self.inner.clone(),
        }
    }

    /// The state from what the cookies said (unless another clone loaded
    /// it meanwhile: then what it may have changed is kept).
    fn accept(&self, outcome: Found, anonymous_csrf: Option<&str>, now: u64) -> SessionHandle {
        let mut state = self.inner.lock();
        if state.loaded {
            return self.handle();
        }
        let config = self.inner.loader().config();
        let refused = state.accept(config, outcome, now);
        if config.csrf.is_some() {
            let secret = state.entries.get(crate::sessions::csrf::SESSION_KEY);
            let mut csrf = crate::sessions::csrf::CsrfState::new(secret, anonymous_csrf);
            if !state.is_empty() {
                csrf.session_had_entries();
            }
            state.csrf = Some(csrf);
        }
        if let Some(e) = refused {
            tracing::info!(
                target: "securecookie",
                cookie = %config.name,
                reason = %e,
                "session cookie refused: the handler sees an empty session, the cookie is cleared"
            );
        }
        drop(state);
        self.handle()
    }

    /// The session cookie's name.
    pub fn name(&self) -> &str {
        &self.inner.loader().config().name
    }
}

impl core::fmt::Debug for PendingSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingSession")
            .field("cookie", &self.name())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::string::String;

    use super::Engine;
    use crate::{CookieConfig, CookieStore, Keys};

    fn engine() -> Engine {
        let keys = Keys::new(&[7; 32], None).unwrap();
        let store = CookieStore::<String>::new(CookieConfig::default(), [keys]).unwrap();
        Engine::new(store, "my-app")
    }

    #[test]
    fn name_and_debug_show_the_settings_never_the_store() {
        let engine = engine().lifetime(60);
        assert_eq!(engine.name(), "my-app");
        let config = r#"LayerConfig { name: "my-app", always_save: false, rolling: Some(50), lifetime: Some(60), csrf: None }"#;
        assert_eq!(
            std::format!("{engine:?}"),
            std::format!("Engine {{ config: {config}, .. }}")
        );
        let session = engine.begin();
        assert_eq!(session.name(), "my-app");
        assert_eq!(
            std::format!("{session:?}"),
            r#"PendingSession { cookie: "my-app", .. }"#
        );
    }
}
