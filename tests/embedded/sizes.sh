#!/usr/bin/env bash
# Builds the no_std proof (tests/embedded/) for thumbv7em-none-eabihf and
# prints its flash size (.text + .rodata) per variant.
#
#   tests/embedded/sizes.sh          AES-256 and signed-only, compact format
#   tests/embedded/sizes.sh --all    both formats, with and without the
#                                    size switches of DESIGN §7
set -euo pipefail
cd "$(dirname "$0")/../.."

SWITCHES='--cfg sha2_backend_soft="compact" --cfg aes_backend_soft="compact" --cfg cpubits="16"'
variants=("" "signed-only")
flag_sets=("")
if [[ "${1:-}" == "--all" ]]; then
  variants=("" "signed-only" "gorilla" "gorilla,signed-only")
  flag_sets=("" "$SWITCHES")
fi

size_tool=llvm-size
command -v llvm-size >/dev/null || size_tool=size
for flags in "${flag_sets[@]}"; do
  # One target dir per flag set: switching RUSTFLAGS would rebuild all.
  dir=tests/embedded/target/${flags:+small}
  dir=${dir%/}
  for features in "${variants[@]}"; do
    RUSTFLAGS="$flags" CARGO_TARGET_DIR="$dir" cargo build --quiet --release \
      --target thumbv7em-none-eabihf --manifest-path tests/embedded/Cargo.toml \
      --features "$features"
    elf="$dir/thumbv7em-none-eabihf/release/securecookie-embedded"
    format=compact cipher=AES-256
    [[ "$features" == *gorilla* ]] && format=gorilla
    [[ "$features" == *signed-only* ]] && cipher=signed-only
    "$size_tool" -A "$elf" | awk -v v="$format, $cipher" -v f="${flags:+ (size switches)}" '
      $1 == ".text" || $1 == ".rodata" { s += $2; d = d " " $1 " " $2 }
      END { printf "flash %6d bytes (%s)  %s%s\n", s, substr(d, 2), v, f }'
  done
done
