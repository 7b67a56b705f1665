//! User 3a, server-side sessions: the cookie holds an id, the values live
//! in a backend. [`ServerStore`](server::ServerStore) over a
//! [`SessionBackend`](server::SessionBackend): memory, Redis.

pub(crate) mod memory;
#[cfg(feature = "redis")]
pub(crate) mod redis;
pub(crate) mod server;
