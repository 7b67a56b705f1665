//! End to end: the Cloudflare Worker of examples/worker/, served by
//! Cloudflare's runtime (workerd, from the npm package) on a loopback port,
//! driven over real TCP. Cookies it issues decode with the CLI and with the
//! native crate under the same `SESSION_SECRET`; a native cookie logs in
//! there; the attributes are the native store's.
//!
//! Needs node/npm (serve.sh installs workerd from the lockfile), wasm-opt
//! and the wasm32 target: `#[ignore]`d for a plain `cargo test`, failing
//! (never skipping) when asked to run without them. `.ci/worker` installs
//! them.

mod common;
#[path = "common/edge.rs"]
mod edge;

use std::time::Duration;

use common::serve_sh::Served;
use edge::{SECRET, flow};

#[test]
#[ignore = "needs workerd (npm), wasm-opt and the wasm32 target (.ci/worker); run with --include-ignored"]
fn worker_serves_sessions_the_native_crate_reads() {
    let served = Served::start("examples/worker/serve.sh", SECRET, Duration::from_secs(480));
    flow(&served);
    drop(served);
}
