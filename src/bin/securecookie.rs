//! The `securecookie` command-line tool (feature `cli`).
fn main() {}
