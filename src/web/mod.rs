//! User 3b, framework adapters only: `http::HeaderMap` glue, the tower
//! layer, the axum extractor.

#[cfg(feature = "axum")]
pub(crate) mod axum;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "tower")]
pub mod tower;
