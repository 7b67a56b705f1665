//! The count mode of the axum benches, shared: with `<VAR>=<id>:<n>` in the
//! environment, a bench runs case `id` `n` times and exits instead of
//! timing, so that valgrind can count its instructions (a count the shared
//! machine's load cannot blur). `benches/instructions.sh` runs a bench this
//! way twice, with `n` and with 0, so that setup cancels out.

/// The case and count asked for in `var`, if the bench runs in count mode.
///
/// # Panics
/// On a malformed value: the caller asked for a count and would get none.
pub fn requested(var: &str) -> Option<(String, u64)> {
    let spec = std::env::var(var).ok()?;
    let (id, n) = spec
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("{var}=<case>:<n>, not {spec:?}"));
    let n = n
        .parse()
        .unwrap_or_else(|_| panic!("{var}: {n:?} is not a count"));
    Some((id.to_string(), n))
}
