//! Arbitrary cookie text and name against eight fixed gorilla codecs:
//! nothing panics, every error is a documented decode error, and whatever
//! decodes is byte for byte what our encoder writes (no forgery, no second
//! spelling).
#![no_main]

use libfuzzer_sys::fuzz_target;
use securecookie::Format;
use std::sync::LazyLock;

static CODECS: LazyLock<Vec<securecookie::Codec>> =
    LazyLock::new(|| securecookie_fuzz::codecs(Format::Gorilla));

fuzz_target!(|data: &[u8]| {
    if let Some((name, cookie)) = securecookie_fuzz::split_name(data) {
        securecookie_fuzz::check_decode(&CODECS, name, cookie);
    }
});
