//! The most work one request can cost the store (issue 13): a 1 MB `Cookie`
//! header full of forged cookies of the session's own name, against a store
//! with 8 keys, side by side with a normal 1 MB header (10,000 other pairs
//! and the session cookie last). Ids are `worst/<via>/<format>/<header>`:
//!
//! - via: `store` (one header, `CookieStore::get_at`) or `http` (HTTP/2
//!   style, one `Cookie` header per pair, `securecookie::http::get`);
//! - format: `gorilla` (every key is tried on each cookie) or `compact`
//!   (forged with the key id of a real key, so one key is tried);
//! - header: `normal`; `forged` (1 MB of forgeries); `mixed` (the normal
//!   header's 10,000 other pairs, then 64 forgeries and no valid cookie:
//!   with the cap, the attacker's best, a whole scan and 16 tries).
//!
//! The goal: `forged` and `mixed` within 2x of `normal` in the same run.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use securecookie::{CookieConfig, CookieStore, Iv, Keys};

const NAME: &str = "session";
const HEADER_LEN: usize = 1 << 20;

fn store(gorilla: bool) -> CookieStore<String> {
    let keys = (0u8..8).map(|i| Keys::new(&[i + 1; 32], Some(&[i + 0x40; 32])).unwrap());
    let store = CookieStore::new(CookieConfig::default(), keys).unwrap();
    if gorilla { store.gorilla() } else { store }
}

/// A valid `name=value` pair for a `user-id` session.
fn valid_pair(store: &CookieStore<String>, now: u64) -> String {
    let mut session = store.new_session(NAME);
    session.set("user-id", "a1b2c3".to_string());
    let line = store
        .save_at(&session, now, Iv::from_random_bytes([7; 16]))
        .unwrap();
    line.split(';').next().unwrap().to_string()
}

/// The pairs of the headers: `normal` is 10,000 other cookies and the
/// session last; `forged` is copies of a valid session cookie with one
/// character of the MAC changed (same length, same key id), filling 1 MB;
/// `mixed` is the 10,000 others, then 64 forgeries.
fn pairs(store: &CookieStore<String>, header: &str, now: u64) -> Vec<String> {
    let valid = valid_pair(store, now);
    let mut bad = valid.clone().into_bytes();
    let at = bad.len() - 8;
    bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).unwrap();
    let filler = "v".repeat(HEADER_LEN / 10_000 - 10);
    let others = (0..10_000).map(|i| format!("k{i:05}={filler}"));
    match header {
        "normal" => others.chain([valid]).collect(),
        "mixed" => others.chain((0..64).map(|_| bad.clone())).collect(),
        _ => {
            let n = HEADER_LEN / (bad.len() + 2);
            (0..n).map(|_| bad.clone()).collect()
        }
    }
}

fn bench(c: &mut Criterion) {
    // `http::get` reads the system clock: stamp the cookies with it too.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for gorilla in [true, false] {
        let store = store(gorilla);
        let format = if gorilla { "gorilla" } else { "compact" };
        for header in ["normal", "forged", "mixed"] {
            let pairs = pairs(&store, header, now);
            let joined = pairs.join("; ");
            let expect_ok = header == "normal";
            assert_eq!(store.get_at(&joined, NAME, now).is_ok(), expect_ok);
            c.bench_function(&format!("worst/store/{format}/{header}"), |b| {
                b.iter(|| black_box(store.get_at(black_box(&joined), NAME, now).is_ok()))
            });
            let mut headers = HeaderMap::new();
            for p in &pairs {
                headers.append(COOKIE, HeaderValue::from_str(p).unwrap());
            }
            c.bench_function(&format!("worst/http/{format}/{header}"), |b| {
                b.iter(|| {
                    black_box(securecookie::http::get(&store, black_box(&headers), NAME).is_ok())
                })
            });
            eprintln!(
                "worst/{format}/{header}: {} pairs, {} bytes",
                pairs.len(),
                joined.len()
            );
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
