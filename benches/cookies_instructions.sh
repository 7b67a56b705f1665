#!/usr/bin/env bash
# Instructions per encode and decode (benches/cookies.rs, COOKIES_COUNT mode),
# counted by valgrind's callgrind over two runs of the same binary (N and 0
# iterations: setup cancels out), for the compact envelope and the tuned
# floor. valgrind hides SHA-NI, so SHA-256 runs its software backend there:
# the second column leaves out `sha2::sha256::soft` (what SHA-NI replaces,
# the same compressions for both) so that what is left is what we add.
#
#   benches/cookies_instructions.sh [N] [case]     (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-2000}
case=${2:-typical}
cargo bench --bench cookies --no-run 2>/dev/null
bin=$(ls -t target/release/deps/cookies-* | grep -v '\.d$' | head -n 1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # count ID N -> total instructions, and those outside software SHA-256
    COOKIES_COUNT="$1:$2" valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bin" >/dev/null 2>&1
    callgrind_annotate --auto=no --threshold=100 "$out/cg" 2>/dev/null | awk '
        /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
        /^ *[0-9,]+ .*sha2::sha256::soft/ { gsub(",", "", $1); sha += $1 }
        END { print total, total - sha }'
}
printf '%-28s %14s %14s\n' benchmark instructions without-soft-sha
for id in encode/compact encode/floor-tuned decode/compact decode/floor-tuned \
    encode/compact-signed decode/compact-signed; do
    read -r b0 s0 < <(count "$id/$case" 0)
    read -r b1 s1 < <(count "$id/$case" "$n")
    printf '%-28s %14d %14d\n' "$id/$case" $(((b1 - b0) / n)) $(((s1 - s0) / n))
done
