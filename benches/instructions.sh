#!/usr/bin/env bash
# Instructions per iteration of a bench's cases in count mode (see
# benches/count/mod.rs), counted by valgrind's callgrind over two runs of the
# same binary (N iterations and none: setup cancels out). valgrind hides
# SHA-NI, so SHA-256 runs its software backend there: the second column
# leaves out `sha2::sha256::soft` (what SHA-NI replaces), as
# cookies_instructions.sh does. With KEEP=DIR, the callgrind files of the N
# runs stay in DIR for `callgrind_annotate` (where the instructions go).
#
#   benches/instructions.sh BENCH VAR N CASE...     (needs valgrind)
#   e.g. benches/instructions.sh serde_web SERDE_WEB_COUNT 2000 securecookie/read
set -euo pipefail
cd "$(dirname "$0")"
bench=$1 var=$2 n=$3
shift 3
cargo bench --bench "$bench" --no-run 2>/dev/null
bin=$(ls -t target/release/deps/"$bench"-* | grep -v '\.d$' | head -n 1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # count CASE N -> total instructions, and those outside software SHA-256
    env "$var=$1:$2" valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bin" >/dev/null 2>&1
    if [ -n "${KEEP:-}" ] && [ "$2" != 0 ]; then
        mkdir -p "$KEEP" && cp "$out/cg" "$KEEP/$(echo "$1" | tr / _).callgrind"
    fi
    callgrind_annotate --auto=no --threshold=100 "$out/cg" 2>/dev/null | awk '
        /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
        /^ *[0-9,]+ .*sha2::sha256::soft/ { gsub(",", "", $1); sha += $1 }
        END { print total, total - sha }'
}
printf '%-52s %14s %16s\n' case instructions without-soft-sha
for case in "$@"; do
    read -r b0 s0 < <(count "$case" 0)
    read -r b1 s1 < <(count "$case" "$n")
    printf '%-52s %14d %16d\n' "$bench/$case" $(((b1 - b0) / n)) $(((s1 - s0) / n))
done
