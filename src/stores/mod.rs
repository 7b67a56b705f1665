//! User 3a, server-side sessions: the cookie holds an id, the values live
//! in a backend. [`ServerStore`](server::ServerStore) over a
//! [`SessionBackend`](server::SessionBackend): memory, Redis, SQLite,
//! Postgres.

pub(crate) mod memory;
#[cfg(feature = "redis")]
pub(crate) mod redis;
pub(crate) mod server;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) mod sql;
