#!/usr/bin/env bash
# Builds the Worker's wasm module (release, wasm32-unknown-unknown) and
# shrinks it with binaryen's `wasm-opt -Oz` into build/session.wasm, the
# file config.capnp embeds. Prints the module's path and its size in bytes.
set -euo pipefail
cd "$(dirname "$0")"
# The size switches of the crate's README (soft SHA-256 and AES, compact):
# 43.7 KB instead of 59.1 KB, and a Worker has no SHA or AES instructions to
# lose. The caller's flags (coverage, sanitizers) are not for wasm.
unset CARGO_ENCODED_RUSTFLAGS
export RUSTFLAGS='--cfg sha2_backend_soft="compact" --cfg aes_backend_soft="compact" --cfg cpubits="16"'
"${CARGO:-cargo}" build --quiet --release --target wasm32-unknown-unknown
mkdir -p build
# rustc's wasm32 target uses these post-MVP features; say so to an older
# wasm-opt that cannot detect them.
wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types \
  target/wasm32-unknown-unknown/release/securecookie_worker.wasm -o build/session.wasm
printf '%s\t%d\n' "$PWD/build/session.wasm" "$(stat -c %s build/session.wasm)"
