//! Heap allocations per request for every contestant and route of
//! `web.rs` (the same routers, requests and cookies), counted by
//! allocation-counter's global allocator, which is linked only into this
//! binary (feature `allocs`), never under the timed benches.
//!
//! Each count includes what every contestant pays alike (building the
//! request, axum's routing, the response); the `no_layer` row is that
//! floor for the untouched route.
//!
//! ```text
//! cargo bench --manifest-path benches/Cargo.toml --features allocs --bench web_allocs
//! ```

#[allow(dead_code)]
#[path = "web.rs"]
mod web;

use std::hint::black_box;

/// Requests per count: the first request of each contestant is left out
/// (it may fill caches that later requests reuse).
const N: u64 = 100;

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    println!(
        "{:<44} {:>10} {:>14} {:>10}",
        "route/contestant", "allocs", "bytes", "live after"
    );
    for route in ["read", "write", "untouched"] {
        for name in web::CONTESTANTS {
            if route != "untouched" && (name == "no_layer" || name == "identity_layer") {
                continue;
            }
            let (router, cookie) = runtime.block_on(web::contestant(name));
            let cookie = (route != "write").then_some(cookie.as_str());
            let path = format!("/{route}");
            runtime.block_on(async {
                black_box(web::send(&router, &path, cookie).await);
            });
            let info = allocation_counter::measure(|| {
                runtime.block_on(async {
                    for _ in 0..N {
                        black_box(web::send(&router, &path, cookie).await);
                    }
                });
            });
            // A fraction: a count that differs between requests (a map
            // that grows now and then, a reseeded RNG).
            println!(
                "{:<44} {:>10.2} {:>14.1} {:>10}",
                format!("{route}/{name}"),
                info.count_total as f64 / N as f64,
                info.bytes_total as f64 / N as f64,
                info.count_current,
            );
        }
    }
}
