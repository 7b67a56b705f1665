//! User 3b, framework adapters only: `http::HeaderMap` glue, the tower
//! layer, the axum extractor, the actix-web middleware and extractor.

/// The configuration half of an adapter (the tower layer, the actix-web
/// middleware): an [`Engine`](crate::engine::Engine) and its store's type,
/// with the engine's settings. One definition, so that every adapter offers
/// the same settings with the same meaning and `Debug`.
#[cfg(any(feature = "tower", feature = "actix"))]
macro_rules! engine_front {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<S> {
            /// Built once: wrapping a service only clones its `Arc`.
            engine: crate::sessions::engine::Engine,
            store: core::marker::PhantomData<fn() -> S>,
        }

        impl<S> Clone for $name<S> {
            fn clone(&self) -> Self {
                $name {
                    engine: self.engine.clone(),
                    store: core::marker::PhantomData,
                }
            }
        }

        impl<S> core::fmt::Debug for $name<S> {
            // The settings, never the store (its keys).
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("config", self.engine.config())
                    .finish_non_exhaustive()
            }
        }

        impl<S: crate::sessions::store::SessionStore> $name<S> {
            /// Sessions in `store`, under the cookie called `name`. Rolling
            /// renewal at half the store's max age, no lifetime cap, saves
            /// only when modified.
            pub fn new(store: S, name: impl Into<std::string::String>) -> Self {
                $name {
                    engine: crate::sessions::engine::Engine::new(store, name),
                    store: core::marker::PhantomData,
                }
            }

            /// Saves every session a handler loaded, changed or not (see
            /// [`Engine::always_save`](crate::engine::Engine::always_save)).
            #[must_use]
            pub fn always_save(mut self, always: bool) -> Self {
                self.engine = self.engine.always_save(always);
                self
            }

            /// Re-issues a loaded session's cookie once it is older than
            /// `percent` of the store's max age (default 50; see
            /// [`Engine::rolling`](crate::engine::Engine::rolling)).
            #[must_use]
            pub fn rolling(mut self, percent: Option<u8>) -> Self {
                self.engine = self.engine.rolling(percent);
                self
            }

            /// Ends every session `seconds` after it was created (or last
            /// renewed), however active: such a session reads as empty,
            /// rejected with
            /// [`Error::LifetimeExceeded`](crate::Error::LifetimeExceeded)
            /// (see [`Engine::lifetime`](crate::engine::Engine::lifetime)).
            #[must_use]
            pub fn lifetime(mut self, seconds: u64) -> Self {
                self.engine = self.engine.lifetime(seconds);
                self
            }
        }
    };
}

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub(crate) mod axum;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "tower")]
pub mod tower;
