//! The crate's rules, written again independently of it, for the harnesses
//! to check it against. Included by path into the fuzz crate
//! (`fuzz/src/lib.rs`); its own test is `tests/fuzz_rules.rs`, which compares them with the crate on edge cases, so that a
//! harness cannot drift from the crate and report a false crash.

use securecookie::Error;

/// The longest cookie name the crate accepts (its `MAX_NAME_LEN`).
pub const MAX_NAME_LEN: usize = 1024;

/// The longest name the harnesses try: past the limit, to reach its check.
pub const MAX_FUZZ_NAME_LEN: usize = 1100;

/// An RFC 6265 token (visible ASCII except separators) of at most
/// [`MAX_NAME_LEN`] bytes.
pub fn is_token(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|c| c.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&c))
}

/// What decoding a genuine cookie stamped `ts` gives at `now`, by Go's
/// rules (`ts + max_age < now` is expired, `ts + min_age > now` too new; 0
/// turns a check off, min age is checked first) plus the compact format's
/// skew (`ts > now + skew` is too new; `None` for gorilla). In `i128`, so
/// that no sum overflows.
pub fn time_verdict(
    ts: u64,
    now: u64,
    max_age: u64,
    min_age: u64,
    skew: Option<u64>,
) -> Result<(), Error> {
    let (ts, now) = (i128::from(ts), i128::from(now));
    if min_age != 0 && ts + i128::from(min_age) > now {
        return Err(Error::TooNew);
    }
    if max_age != 0 && ts + i128::from(max_age) < now {
        return Err(Error::Expired);
    }
    if skew.is_some_and(|s| ts > now + i128::from(s)) {
        return Err(Error::TooNew);
    }
    Ok(())
}

/// Splits a decode-target input into a cookie name and cookie bytes. A
/// first byte below 0xe0 gives a name of `byte % 32` bytes (the committed
/// seeds use it); 0xe0 and above take a second byte for a long name, 32 to
/// [`MAX_FUZZ_NAME_LEN`] bytes, so that names past the HMAC block (60
/// bytes) and the 1,024-byte limit are reached. `None` when the name is
/// not UTF-8.
pub fn split_name(data: &[u8]) -> Option<(&str, &[u8])> {
    let (&first, rest) = data.split_first()?;
    let (n, rest) = if first < 0xe0 {
        (usize::from(first % 32), rest)
    } else {
        let (&second, rest) = rest.split_first()?;
        let wide = usize::from(first & 0x1f) << 8 | usize::from(second);
        (32 + wide % (MAX_FUZZ_NAME_LEN - 31), rest)
    };
    let (name, cookie) = rest.split_at(n.min(rest.len()));
    Some((std::str::from_utf8(name).ok()?, cookie))
}

/// The header of a decode-target input for `name`: the inverse of
/// [`split_name`], for writing seeds.
pub fn name_header(name: &str) -> Vec<u8> {
    let n = name.len();
    assert!((1..=MAX_FUZZ_NAME_LEN).contains(&n), "name length {n}");
    if n < 32 {
        vec![n as u8]
    } else {
        let wide = n - 32;
        vec![0xe0 | (wide >> 8) as u8, wide as u8]
    }
}
