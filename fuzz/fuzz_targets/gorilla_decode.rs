//! Arbitrary cookie text and name against eight fixed gorilla codecs:
//! nothing panics, every error is a documented decode error, and whatever
//! decodes is byte for byte what our encoder writes (no forgery, no second
//! spelling).
//!
//! The gorilla MAC covers only the hash key, so `Codecs::new` refuses a list
//! holding two block keys under one hash key (`Error::AmbiguousKeys`): the
//! eight codecs are checked as four rotation lists, one per cipher size, each
//! with both hash keys.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securecookie::Format;
use std::sync::LazyLock;

static LISTS: LazyLock<Vec<Vec<securecookie::Codec>>> = LazyLock::new(|| {
    // key_pairs() order: hash A with none/128/192/256, then hash B.
    let all = securecookie_fuzz::codecs(Format::Gorilla);
    (0..4)
        .map(|i| vec![all[i].clone(), all[i + 4].clone()])
        .collect()
});

fuzz_target!(|data: &[u8]| {
    if let Some((name, cookie)) = securecookie_fuzz::split_name(data) {
        for list in LISTS.iter() {
            securecookie_fuzz::check_decode(list, name, cookie);
        }
    }
});
