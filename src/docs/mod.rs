//! The reference pages: what the README summarizes, in full. Each page is a
//! module with documentation only (its source is `src/docs/<page>.md`), so
//! docs.rs renders it next to the API and its examples run as doctests.

#[doc = include_str!("sessions.md")]
pub mod sessions {}

#[doc = include_str!("demo.md")]
pub mod demo {}

#[doc = include_str!("go.md")]
pub mod go {}

#[doc = include_str!("no_std.md")]
pub mod no_std {}

#[doc = include_str!("wire_formats.md")]
pub mod wire_formats {}

#[doc = include_str!("features.md")]
pub mod features {}

#[doc = include_str!("cli.md")]
pub mod cli {}

#[doc = include_str!("evidence.md")]
pub mod evidence {}

#[doc = include_str!("performance.md")]
pub mod performance {}

#[doc = include_str!("values.md")]
pub mod values {}

#[doc = include_str!("dependencies.md")]
pub mod dependencies {}

#[doc = include_str!("security.md")]
pub mod security {}
