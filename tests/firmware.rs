//! End to end: the no_std picoserve server of examples/firmware/, on tokio
//! on the host (the same app the thumbv7em firmware links), on a loopback
//! port, driven over real TCP through the flow every demo server answers
//! (tests/common/edge.rs): login, the cookie read by the CLI and the
//! native crate, welcome, a flipped character, logout, a native cookie.
//!
//! `#[ignore]`d for a plain `cargo test` because it builds another cargo
//! project (picoserve, tokio) first; `.ci/run` runs it with `--ignored`
//! after `.ci/firmware`, and it fails, never skips, when the build or the
//! server does.

mod common;
#[path = "common/edge.rs"]
mod edge;

use std::time::Duration;

use common::serve_sh::Served;
use edge::{SECRET, flow};

#[test]
#[ignore = "needs examples/firmware built (.ci/firmware); run with --include-ignored"]
fn picoserve_firmware_on_the_host_serves_sessions_the_native_crate_reads() {
    let served = Served::start(
        "examples/firmware/serve.sh",
        SECRET,
        Duration::from_secs(480),
    );
    flow(&served);
    drop(served);
}
