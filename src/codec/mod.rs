//! User 1, the no_std core: keys, IVs, the MAC, base64, the kv payload,
//! the two envelopes, the `Cookie` header scanner and `Set-Cookie`
//! rendering. Needs no allocator; nothing here knows about `std`.

#[cfg(any(feature = "compact", feature = "gorilla"))]
pub(crate) mod b64;
#[cfg(any(feature = "compact", feature = "gorilla"))]
mod codecs;
pub mod envelope;
pub mod header;
pub(crate) mod iv;
pub(crate) mod keys;
pub mod kv;
pub(crate) mod mac;
pub mod set_cookie;

#[cfg(any(feature = "compact", feature = "gorilla"))]
pub use codecs::*;
