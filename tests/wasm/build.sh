#!/usr/bin/env bash
# Builds the wasm module (tests/wasm/) in release and shrinks it with
# binaryen's `wasm-opt -Oz`. Prints one line: the optimized module's path,
# its size and the raw module's size, tab-separated. tests/wasm_node.rs runs
# the Node check on the optimized module; tests/embedded/sizes.sh reports it.
#
# The size switches of DESIGN §7 are set here, as a final binary sets them.
set -euo pipefail
cd "$(dirname "$0")"

SWITCHES='--cfg sha2_backend_soft="compact" --cfg aes_backend_soft="compact" --cfg cpubits="16"'
# The caller's flags (coverage, sanitizers) are not for wasm.
unset CARGO_ENCODED_RUSTFLAGS
RUSTFLAGS="$SWITCHES" "${CARGO:-cargo}" build --quiet --release --target wasm32-unknown-unknown
raw=target/wasm32-unknown-unknown/release/securecookie_wasm.wasm
opt=target/wasm32-unknown-unknown/release/securecookie_wasm.opt.wasm
# Binaryen needs to be told which post-MVP features rustc's wasm32 target
# uses (bulk memory, sign extension, ...); an older wasm-opt cannot detect them.
wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
  "$raw" -o "$opt"
printf '%s\t%d\t%d\n' "$PWD/$opt" "$(stat -c %s "$opt")" "$(stat -c %s "$raw")"
