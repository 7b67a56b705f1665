#!/usr/bin/env bash
# Our Worker (examples/worker) against the same Worker on the cookie crate's
# PrivateJar (this folder): wasm size after wasm-opt -Oz, and workerd's CPU
# time per request (user + system, all threads, from /proc) over the demo's
# flow, minus the runtime's own cost (a 404 the shim answers without the
# module). Same shim, routes, pages, attributes; one Worker served at a time.
#
#   benches/worker-cookie/measure.sh [ROUNDS] [RUNS]    (default 2000 rounds x 5 requests, 3 runs)
#
# Needs what examples/worker/serve.sh needs. Prints the median of RUNS runs
# and `uptime`: do not run it while others build.
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-2000}
runs=${2:-3}
worker=../../examples/worker
"$worker/build.sh" >/dev/null
unset CARGO_ENCODED_RUSTFLAGS RUSTFLAGS
cargo build --quiet --release --target wasm32-unknown-unknown
mkdir -p build
wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
  target/wasm32-unknown-unknown/release/worker_cookie_jar.wasm -o build/session.wasm
cp "$worker/worker.mjs" build/worker.mjs
[ -x "$worker/node_modules/.bin/workerd" ] || (cd "$worker" && npm ci --no-audit --no-fund --silent)
workerd=$(realpath "$worker/node_modules/.bin/workerd")
export SESSION_SECRET=hex:4242424242424242424242424242424242424242424242424242424242424242

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# One run: serve DIR's config, drive it, stop it; prints "session_us noop_us".
run() {
  local dir=$1 port pid out=0
  port=$(free_port)
  # Its output to a file: the caller's $(...) would wait for it otherwise.
  (cd "$dir" && exec "$workerd" serve config.capnp --socket-addr "http=127.0.0.1:$port") \
    >build/workerd.log 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break
    sleep 0.1
  done
  python3 load.py "$port" "$pid" "$rounds" || out=$?
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  return "$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf 'wasm after wasm-opt -Oz: securecookie %d B, cookie PrivateJar %d B\n' \
  "$(stat -c %s "$worker/build/session.wasm")" "$(stat -c %s build/session.wasm)"
ours=() jar=()
for _ in $(seq "$runs"); do
  ours+=("$(run "$worker")")
  jar+=("$(run .)")
done
for name in ours jar; do
  declare -n r=$name
  s=$(printf '%s\n' "${r[@]}" | cut -d' ' -f1 | median)
  n=$(printf '%s\n' "${r[@]}" | cut -d' ' -f2 | median)
  printf '%-5s CPU per request: %s us (runtime alone: %s us); runs: %s\n' "$name" "$s" "$n" "$(printf '%s, ' "${r[@]}")"
done
# The modules' own work, without the runtime (Node, same exports).
mod=$(for _ in $(seq "$runs"); do node module_cpu.mjs "$worker/build/session.wasm" build/session.wasm 4000; done)
printf 'module alone (Node), CPU per request: ours %s us, jar %s us (medians of %s runs)\n' \
  "$(grep '^ours' <<<"$mod" | cut -d' ' -f2 | median)" "$(grep '^jar' <<<"$mod" | cut -d' ' -f2 | median)" "$runs"
echo "uptime: $(uptime)"
