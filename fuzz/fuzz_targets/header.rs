//! The `Cookie` header parser on arbitrary text: nothing panics, every pair
//! is a slice of the header with a trimmed, non-empty name free of `;` and
//! `=`, and `find` / `find_all` agree with `pairs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securecookie::header;

fn within(outer: &str, inner: &str) -> bool {
    let (o, i) = (outer.as_ptr() as usize, inner.as_ptr() as usize);
    i >= o && i + inner.len() <= o + outer.len()
}

fuzz_target!(|data: &[u8]| {
    let Some((name, rest)) = securecookie_fuzz::split_name(data) else {
        return;
    };
    let Ok(h) = std::str::from_utf8(rest) else {
        return;
    };
    let pairs: Vec<_> = header::pairs(h).collect();
    assert!(pairs.len() <= h.matches(';').count() + 1);
    for (i, &(n, v)) in pairs.iter().enumerate() {
        assert!(within(h, n) && within(h, v));
        assert!(!n.is_empty());
        assert!(!n.contains([';', '=']) && !v.contains(';'));
        assert_eq!(n, n.trim_matches([' ', '\t']));
        // Each lookup rescans the header: only for the first few pairs, so
        // that a header of thousands of pairs stays fast to fuzz.
        if i < 8 {
            assert!(header::find_all(h, n).any(|x| std::ptr::eq(x, v)));
        }
    }
    let expected: Vec<_> = pairs.iter().filter(|p| p.0 == name).map(|p| p.1).collect();
    let all: Vec<_> = header::find_all(h, name).collect();
    assert_eq!(all, expected);
    assert_eq!(header::find(h, name), expected.first().copied());
});
