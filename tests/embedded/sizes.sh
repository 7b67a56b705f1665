#!/usr/bin/env bash
# Builds the no_std proof (tests/embedded/) for thumbv7em-none-eabihf and
# prints its flash size (.text + .rodata) per variant, one line each.
#
# Each variant links what a firmware with the same `securecookie` features
# links (see Cargo.toml there): one format, AES-256 or none.
#
#   tests/embedded/sizes.sh          AES-256 and signed-only, compact format
#   tests/embedded/sizes.sh --all    both formats, every format and AES size
#                                    linked (a run-time choice, as `std`
#                                    builds have it), and the primitive floor
#                                    (src/floor.rs), with and without the
#                                    size switches of DESIGN §7; then the
#                                    picoserve server of examples/firmware
#                                    and the wasm module after wasm-opt -Oz
#   tests/embedded/sizes.sh --check  as --all, then fails when a variant is
#                                    over its budget (tests/embedded/budget)
#                                    or any variant has static RAM
set -euo pipefail
cd "$(dirname "$0")/../.."

SWITCHES='--cfg sha2_backend_soft="compact" --cfg aes_backend_soft="compact" --cfg cpubits="16"'
variants=("compact,aes256" "compact")
flag_sets=("")
mode=${1:-}
if [[ "$mode" == "--all" || "$mode" == "--check" ]]; then
  variants=("compact,aes256" "compact" "gorilla,aes256" "gorilla"
    "compact,aes256,everything" "floor,aes256" "floor")
  flag_sets=("" "$SWITCHES")
fi

size_tool=llvm-size
command -v llvm-size >/dev/null || size_tool=size
report=$(mktemp)
trap 'rm -f "$report"' EXIT
for flags in "${flag_sets[@]}"; do
  # One target dir per flag set: switching RUSTFLAGS would rebuild all.
  dir=tests/embedded/target/${flags:+small}
  dir=${dir%/}
  for features in "${variants[@]}"; do
    RUSTFLAGS="$flags" CARGO_TARGET_DIR="$dir" cargo build --quiet --release \
      --target thumbv7em-none-eabihf --manifest-path tests/embedded/Cargo.toml \
      --features "$features"
    elf="$dir/thumbv7em-none-eabihf/release/securecookie-embedded"
    format=compact cipher=signed-only
    [[ "$features" == *gorilla* ]] && format=gorilla
    [[ "$features" == *floor* ]] && format=floor
    [[ "$features" == *aes256* ]] && cipher=AES-256
    [[ "$features" == *everything* ]] && cipher="$cipher, every format and AES size linked"
    # Flash: .text + .rodata. Static RAM (.data + .bss) goes to the
    # report only: it must stay 0.
    "$size_tool" -A "$elf" | awk -v v="$format, $cipher" -v f="${flags:+ (size switches)}" -v r="$report" '
      $1 == ".text" || $1 == ".rodata" { s += $2; d = d " " $1 " " $2 }
      $1 == ".data" || $1 == ".bss" { ram += $2 }
      END {
        line = sprintf("flash %6d bytes (%s)  %s%s", s, substr(d, 2), v, f)
        print line
        printf "%s\t%d\n", line, ram >> r
      }'
  done
done

if [[ "$mode" == "--all" || "$mode" == "--check" ]]; then
  # The picoserve server of examples/firmware (HTTP, routes, pages, sessions;
  # no network stack), with the size switches.
  fw=examples/firmware/target/small
  RUSTFLAGS="$SWITCHES" CARGO_TARGET_DIR="$fw" cargo build --quiet --release \
    --target thumbv7em-none-eabihf --manifest-path examples/firmware/Cargo.toml --bin firmware
  "$size_tool" -A "$fw/thumbv7em-none-eabihf/release/firmware" | awk -v r="$report" '
    $1 == ".text" || $1 == ".rodata" { s += $2; d = d " " $1 " " $2 }
    $1 == ".data" || $1 == ".bss" { ram += $2 }
    END {
      line = sprintf("flash %6d bytes (%s)  picoserve login demo (examples/firmware), compact, AES-256 (size switches)", s, substr(d, 2))
      print line
      printf "%s\t%d\n", line, ram >> r
    }'
  IFS=$'\t' read -r _ opt raw < <(tests/wasm/build.sh)
  line=$(printf 'wasm  %6d bytes (raw %d, after wasm-opt -Oz)  compact and gorilla, AES-256 (size switches)' "$opt" "$raw")
  echo "$line"
  printf '%s\t0\n' "$line" >>"$report"
fi

[[ "$mode" == "--check" ]] || exit 0
# Budget lines: `<max bytes> <variant label as printed after the sizes>`.
# Every budgeted variant must have been measured, none may exceed its budget,
# and no variant may use static RAM.
awk -F'\t' '
  NR == FNR {
    if ($0 ~ /^#/ || $0 == "") next
    max = $0; sub(/ .*/, "", max); label = $0; sub(/^[0-9]+ /, "", label)
    budget[label] = max + 0; next
  }
  {
    line = $1; ram = $2 + 0
    n = split(line, parts, /  /); label = parts[n]
    size = line; sub(/^[a-z]+ +/, "", size); sub(/ .*/, "", size)
    seen[label] = 1
    if (ram != 0) { printf "OVER: %s has %d bytes of static RAM (budget 0)\n", label, ram; bad = 1 }
    if (label in budget && size + 0 > budget[label]) {
      printf "OVER: %s is %d bytes, budget %d\n", label, size, budget[label]; bad = 1
    }
  }
  END {
    for (l in budget) if (!(l in seen)) { printf "MISSING: no variant \"%s\" was measured\n", l; bad = 1 }
    if (bad) exit 1
    print "size budget: every variant within budget, no static RAM"
  }' tests/embedded/budget "$report"
