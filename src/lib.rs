//! Signed and encrypted session cookies: AES-CTR, then HMAC-SHA256 over the
//! cookie's name, timestamp and value, verified in constant time. Sessions
//! for web apps (a tower layer and an axum extractor) on a `no_std` codec
//! that also speaks Go's gorilla/securecookie format.
//!
//! # Quick start: sessions in an axum app (features `axum`, `serde`)
//!
//! `examples/quickstart.rs`, the README's quick start (run it with
//! `SESSION_SECRET=… cargo run --example quickstart --features axum,serde`):
//!
#![cfg_attr(
    all(feature = "axum", feature = "serde"),
    doc = concat!("```rust,no_run\n", include_str!("../examples/quickstart.rs"), "```\n")
)]
#![cfg_attr(
    not(all(feature = "axum", feature = "serde")),
    doc = "(Shown in a build with the `axum` and `serde` features, as on docs.rs.)\n"
)]
//! The layer reads the cookie only when a handler asks for the session,
//! writes `Set-Cookie` only when the session changed, renews it while the
//! user is active, and turns a bad cookie into an empty session (never an
//! error page); see [`layer`][layer-mod] (feature `tower`). The
//! sessions live in the cookie ([`CookieStore`]); other backends implement
//! [`SessionStore`]. Outside async servers, the sync [`Store`] API is
//! Go's dghubble/sessions.
//!
//! Keys: one random master secret is enough ([`Keys::derive`], [`Secret`]:
//! HKDF-SHA256 with documented labels, see [`secret`]); raw key pairs stay
//! for Go.
//!
//! The reference behind the README (sessions, the demo server, Go interop,
//! wire formats, the command-line tool, how we know it holds, performance,
//! dependencies, security notes) is in [`docs`].
//!
//! # The codec
//!
//! The core is `#![no_std]`, needs no allocator and no `unsafe`, and works
//! in buffers the caller owns. It speaks two wire formats:
//!
//! - [`Format::Compact`] (the default): one base64 pass, a binary timestamp
//!   and a key id; see [`envelope::compact`].
//! - [`Format::Gorilla`]: byte-compatible with Go's gorilla/securecookie
//!   (and dghubble/sessions, gorilla/sessions); see [`envelope::gorilla`].
//!
//! The payload format is up to you; [`kv`] offers a canonical,
//! length-prefixed key/value encoding that reads without allocating.
//!
//! # Example (no_std: the caller brings the time and the IV)
//!
//! ```
//! use securecookie::{Codec, Iv, Keys, kv};
//!
//! # fn rng(b: &mut [u8; 16]) { b.fill(3) }
//! # const SECRET: &[u8; 32] = b"example only: 32 random bytes!!!";
//! let codec = Codec::new(Keys::derive(SECRET)?); // one secret: the HMAC and AES-256 keys
//!
//! // Payload: key/value pairs in a fixed buffer.
//! let mut payload = [0u8; 64];
//! let mut writer = kv::KvWriter::new(&mut payload);
//! writer.push("user-id", b"a1b2c3")?;
//! let payload = writer.finish();
//!
//! let now = 1_800_000_000;
//! let mut out = [0u8; 256];
//! let cookie = codec.encode("session", payload, now, Iv::from_fn(rng), &mut out)?;
//!
//! // Later, from the request's Cookie header:
//! let header = format!("theme=dark; session={cookie}");
//! let value = securecookie::header::find(&header, "session").ok_or(securecookie::Error::NoCookie)?;
//! let mut buf = [0u8; 256];
//! let decoded = codec.decode("session", value, now + 5, &mut buf)?;
//! assert_eq!(kv::get(decoded.payload, "user-id")?, Some(&b"a1b2c3"[..]));
//! # Ok::<(), securecookie::Error>(())
//! ```
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `compact` | with `std` | the compact envelope: [`Format::Compact`], [`Codec::new`] |
//! | `gorilla` | with `std` | the gorilla envelope: [`Format::Gorilla`], [`Codec::gorilla`] |
//! | `aes128`, `aes192`, `aes256` (`aes`: all three) | with `std` | encrypted cookies with 16-, 24-, 32-byte block keys; without any, keys are signed-only and no AES or CTR code is linked |
//! | `std` | yes | every format and AES size (above); [`Iv::random`] and the `*_now` methods (OS randomness via `getrandom`, the system clock); the session API of Go's dghubble/sessions: [`Store`], [`CookieStore`], [`Session`], [`CookieConfig`], [`SessionValue`] |
//! | `http` | yes | [`http`](mod@crate::http): sessions read from and written to an `http::HeaderMap` (axum, hyper, tower); implies `std` |
//! | `engine` | no | `engine`: the session lifecycle without a framework (`Engine`, `SessionHandle`), what the tower and actix-web adapters run on (adds `tracing`); implies `std` |
//! | `tower` | no | [`layer`][layer-mod]: sessions as a tower layer, `SessionLayer`, for any tower stack (adds `tower-layer`, `tower-service`, `pin-project-lite`); implies `http` and `engine` |
//! | `axum` | no | `layer::SessionHandle` as an axum extractor (adds `axum-core`); implies `tower` |
//! | `actix` | no | `actix`: sessions as an actix-web 4 middleware (`SessionMiddleware`) with `SessionHandle` as its extractor, on the same engine (adds `actix-web` without its default features, `pin-project-lite`); implies `engine` |
//! | `redis` | no | `RedisStore`: server-side sessions in Redis or Valkey, behind the same layer (adds `redis`); implies `std`. [`MemoryStore`] and [`ServerStore`] need only `std` |
//! | `sqlite`, `postgres` | no | `SqliteStore`, `PostgresStore`: server-side sessions in the app's SQL database on its sqlx pool, behind the same layer (adds `sqlx`, `tokio`); implies `std` |
//! | `go` | no | the `go` module: read and write the JSON and gob payloads of Go's gorilla/securecookie, dghubble/sessions and gorilla/sessions (needs an allocator, not `std`); with `std`, `CookieStore::go_compatible` (the cookies of dghubble/sessions' `NewCookieStore[string]`) and `migrate_from_go` (read Go's and compact cookies, write compact) |
//! | `serde` | no | any `Serialize + DeserializeOwned` type is a [`SessionValue`] (layer, sync API, every store): strings, integers, bools and bytes keep their plain bytes, the rest is MessagePack with field names, chosen by measurement ([`docs::values`]); with `go`, a struct in a Go-JSON cookie is a JSON object (adds `serde`, `rmp-serde`, `serde_json`, `tracing`); implies `std` |
//! | `cli` | no | the `securecookie` command-line tool (`cargo install securecookie --features cli`), with Go's payloads (`--payload json\|gob`); implies `std`, `go` and `serde` |
//!
//! no_std firmware turns the defaults off and names what it uses, so that
//! nothing else is linked: `default-features = false, features =
//! ["compact", "aes256"]` (or `["compact"]` to only sign). The README's
//! "Embedded footprint" says what each costs.
//!
//! # Security notes
//!
//! - Keys are checked when a [`Keys`] is built; they never appear in `Debug`
//!   or error output. Neither do IVs or payloads.
//! - An [`Iv`] is spent by value: reusing one takes deliberate effort.
//! - The MAC is checked (in constant time) before anything else is done
//!   with the cookie's content; errors say which check failed, never where.
#![cfg_attr(feature = "tower", doc = "\n\n[layer-mod]: crate::layer")]
#![cfg_attr(not(feature = "tower"), doc = "\n\n[layer-mod]: #features")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Without a format (features `compact`, `gorilla`) there is no codec to
// use the key schedules and IVs: only kv, header and Set-Cookie remain.
#![cfg_attr(not(any(feature = "compact", feature = "gorilla")), allow(dead_code))]

#[cfg(feature = "go")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The three users, one folder each (see the README's map): `codec` is the
// no_std core; `sessions` the std session API; `stores` and `web` the
// server-side backends and the framework adapters.
mod codec;
pub mod docs;
mod error;
#[cfg(feature = "go")]
#[cfg_attr(docsrs, doc(cfg(feature = "go")))]
pub mod go;
pub mod secret;
#[cfg(feature = "std")]
mod sessions;
#[cfg(feature = "std")]
mod stores;
#[cfg(any(feature = "http", feature = "actix"))]
mod web;

// The public API, grouped by user. Paths are stable: each re-export keeps
// the path it had before the tree was sorted by user.

// User 1, the no_std core.
pub use codec::iv::Iv;
pub use codec::keys::{IV_LEN, Keys, MIN_HASH_KEY_LEN, TAG_LEN};
pub use codec::set_cookie::SameSite;
#[cfg(any(feature = "compact", feature = "gorilla"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "compact", feature = "gorilla"))))]
pub use codec::{
    Codec, Codecs, DEFAULT_MAX_AGE, DEFAULT_MAX_LENGTH, DEFAULT_MAX_SKEW, Decoded, Format,
    decode_buf_len,
};
pub use codec::{envelope, header, kv, set_cookie};
pub use error::{Error, GobError, JsonError, KvError};
pub use secret::Secret;

// User 2, std sessions.
#[cfg(feature = "std")]
pub use sessions::cookie_store::{
    CookieConfig, CookieStore, DEFAULT_COOKIE_MAX_AGE, MAX_COOKIE_LEN, Store, random_key,
};
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use sessions::csrf;
#[cfg(feature = "engine")]
#[cfg_attr(docsrs, doc(cfg(feature = "engine")))]
pub use sessions::engine::{self, SessionHandle};
#[cfg(feature = "std")]
pub use sessions::session::{Session, SessionIter};
#[cfg(feature = "std")]
pub use sessions::store::{Loaded, Record, SessionId, SessionStore, StoreError};
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use sessions::token as random;
#[cfg(feature = "std")]
pub use sessions::value::SessionValue;

// User 3a, server-side stores.
#[cfg(feature = "std")]
pub use stores::memory::{MemoryBackend, MemoryStore};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use stores::redis::{RedisBackend, RedisStore};
#[cfg(feature = "std")]
pub use stores::server::{
    BackendError, FORWARD_TTL, Listed, ServerStore, SessionBackend, StoreFull, Tags, UserSession,
    WriteMode,
};
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use stores::sql::postgres::{PostgresBackend, PostgresStore};
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use stores::sql::sqlite::{SqliteBackend, SqliteStore};

// User 3b, web frameworks.
#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub use web::actix;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use web::http;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub use web::tower as layer;

/// The README's examples, compiled and run as doctests (the quick start
/// needs axum).
#[cfg(all(doctest, feature = "axum", feature = "serde"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
