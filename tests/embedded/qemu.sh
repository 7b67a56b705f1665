#!/usr/bin/env bash
# Runs the no_std proof on an emulated Cortex-M4 (QEMU's mps2-an386) for
# each variant: encode, find in a Cookie header, decode, a tampered cookie
# refused. The firmware prints its verdict and its peak stack through
# semihosting and sets QEMU's exit status; any failure fails this script.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v qemu-system-arm >/dev/null || {
  echo "qemu-system-arm is missing (Debian: apt-get install qemu-system-arm)" >&2
  exit 1
}
for features in "compact,aes256" "compact" "gorilla,aes256" "gorilla"; do
  format=compact cipher=signed-only
  [[ "$features" == *gorilla* ]] && format=gorilla
  [[ "$features" == *aes256* ]] && cipher=AES-256
  echo "-- $format, $cipher"
  # Its own target dir: the `qemu` feature adds cortex-m-rt, and sharing
  # sizes.sh's would rebuild the bin back and forth.
  CARGO_TARGET_DIR=tests/embedded/target/qemu cargo build --quiet --release \
    --target thumbv7em-none-eabihf --manifest-path tests/embedded/Cargo.toml \
    --features "qemu,$features"
  # A hung firmware must not hang CI: 60 s is ~1000x what a run takes.
  timeout 60 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native \
    -kernel tests/embedded/target/qemu/thumbv7em-none-eabihf/release/securecookie-embedded
done
