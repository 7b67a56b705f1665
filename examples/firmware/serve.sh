#!/usr/bin/env bash
# SESSION_SECRET=... examples/firmware/serve.sh PORT
#
# Builds the picoserve server for the host (src/bin/host.rs: the same app
# as the firmware's, on tokio) and serves it on 127.0.0.1:PORT until
# stopped. INSECURE_COOKIES=1 drops `Secure`, as in the axum demo.
set -euo pipefail
cd "$(dirname "$0")"
port=${1:?usage: SESSION_SECRET=... serve.sh PORT}
: "${SESSION_SECRET:?set SESSION_SECRET (make one: cargo run --features cli -- keygen)}"
# The caller's flags (coverage, sanitizers) are not for this build.
unset CARGO_ENCODED_RUSTFLAGS
"${CARGO:-cargo}" build --quiet --features host --bin host
exec target/debug/host "$port"
