//! User 2, `std` sessions without framework types: the sync `Store` /
//! `Session<V>` API of Go's dghubble/sessions, values, payload formats,
//! the OS's randomness, and the async `SessionStore` interface with the
//! cookie store behind it.

pub(crate) mod cookie_store;
pub mod csrf;
#[cfg(feature = "engine")]
pub mod engine;
pub(crate) mod os;
pub(crate) mod payload;
pub(crate) mod session;
pub(crate) mod store;
pub mod token;
pub(crate) mod value;
