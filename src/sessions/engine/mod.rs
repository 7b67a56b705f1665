//! (feature `engine`) The session lifecycle, framework-free: from a
//! request's `Cookie` header bytes to a [`SessionHandle`], and from the
//! handle to at most one `Set-Cookie` line or a status. The tower layer
//! ([`layer`][layer-mod]), the axum extractor and the actix-web
//! middleware are adapters over it: they translate a request into these
//! calls and the [`Outcome`] into a response, and nothing else.
//!
//! # A request, as an adapter runs it
//!
//! 1. [`Engine::begin`] before the handler: one allocation, nothing read.
//! 2. [`PendingSession::load`] with the `Cookie` header values when the
//!    handler first asks for the session (the extractor): an error is a
//!    store that does not answer, answered with [`unavailable`] (503).
//! 3. [`PendingSession::finish`] after the handler: `None` (nothing to
//!    write, nothing awaited) or a [`Finishing`] future whose [`Outcome`]
//!    is a `Set-Cookie` line to append, or a status (500/503) to answer
//!    with a [`SaveError`] attached. [`PendingSession::around`] wraps the
//!    handler's future and does this step: an adapter's response future
//!    only applies the outcome to its framework's response.
//!
//! # The rules, each in one place
//!
//! - **Lazy**: nothing is decoded until `load`; an untouched session costs
//!   one `Arc`, no clock and no await.
//! - **Saved when changed** (a value set to what it held is no change),
//!   or always ([`Engine::always_save`]); a session left empty is
//!   destroyed rather than saved; [`renew`](SessionHandle::renew) re-issues
//!   (a new id in a server store), [`destroy`](SessionHandle::destroy)
//!   expires the cookie and deletes the record.
//! - **Rolling renewal** once a cookie has used [`Engine::rolling`]% of the
//!   store's max age; an absolute cap ([`Engine::lifetime`]) counted from
//!   the creation stamp (the reserved entry `\0c`).
//! - **Flash values** under the reserved prefix `\0f`, read once.
//! - **A bad cookie is an empty session**: [`SessionHandle::rejected`] says
//!   why, an INFO event (target `securecookie`) records it, and the cookie
//!   is cleared unless a new session is saved over it.
//! - **Failures are loud**: a session that cannot be saved is a 500, a
//!   store that does not answer a 503, each with an ERROR event.
//!
//! # Where to extend it
//!
//! - **Typed values** (serde): [`SessionHandle`] reads and writes a user's
//!   entry through two crate-internal primitives, `read_bytes(key, f)` and
//!   `write_bytes(key, bytes)` (in `handle.rs`): reserved keys, change
//!   detection and saving are theirs. A new `impl SessionHandle` block in
//!   a file of its own (say `engine/typed.rs`) that encodes into and
//!   decodes from those bytes needs nothing else, in the engine or in the
//!   adapters.
//! - **Per-session secrets** (CSRF): a value the engine keeps for itself
//!   is a reserved entry, like the creation stamp: a `\0`-prefixed key in
//!   `state.rs`, so that no user key can reach it, Go readers never see it
//!   and it is saved with the session.
//! - **Checks before the handler** (CSRF: method, `Sec-Fetch-Site` /
//!   `Origin`, token): a method on [`PendingSession`] that takes what it
//!   needs as plain values (`&str`, header bytes) and returns
//!   `Result<(), Status>`, loading the session itself if it needs it. Each
//!   adapter then makes that one call between `begin` and the inner
//!   service and answers the status when it is an error; nothing else in
//!   the adapters changes.
// The tower layer exists only with feature `tower` (actix alone lacks it).
#![cfg_attr(feature = "tower", doc = "\n\n[layer-mod]: crate::layer")]
#![cfg_attr(not(feature = "tower"), doc = "\n\n[layer-mod]: crate#features")]

mod begin;
mod config;
mod csrf;
mod entries;
mod finish;
mod flash;
mod handle;
mod plan;
mod state;
mod typed;

pub use begin::{Engine, PendingSession};
pub use csrf::CsrfRequest;
pub use finish::{Around, Ending, Finishing, Outcome, SaveError, Status, unavailable};
pub use handle::SessionHandle;
pub use typed::Typed;
