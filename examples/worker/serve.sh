#!/usr/bin/env bash
# SESSION_SECRET=... examples/worker/serve.sh PORT
#
# Builds the Worker (build.sh) and serves it with Cloudflare's own runtime,
# workerd (the npm package `workerd`, installed here from package-lock.json
# when missing), on 127.0.0.1:PORT until stopped. Offline: no Cloudflare
# account, no wrangler. INSECURE_COOKIES=1 drops `Secure`, as in the axum
# demo.
set -euo pipefail
cd "$(dirname "$0")"
port=${1:?usage: SESSION_SECRET=... serve.sh PORT}
: "${SESSION_SECRET:?set SESSION_SECRET (make one: cargo run --features cli -- keygen)}"
export SESSION_SECRET
[ -x node_modules/.bin/workerd ] || npm ci --no-audit --no-fund --silent
./build.sh >/dev/null
echo "listening on http://127.0.0.1:$port"
exec node_modules/.bin/workerd serve config.capnp --socket-addr "http=127.0.0.1:$port"
