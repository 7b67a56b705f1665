#!/usr/bin/env bash
# Instructions per encode and decode (benches/cookies.rs, COOKIES_COUNT mode)
# of the compact envelope and the tuned floor, through benches/instructions.sh:
# callgrind over N iterations and none (setup cancels out). valgrind hides
# SHA-NI, so SHA-256 runs its software backend there: the second column
# leaves out `sha2::sha256::soft` (what SHA-NI replaces, the same
# compressions for both) so that what is left is what we add.
#
#   benches/cookies_instructions.sh [N] [case]     (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-2000}
case=${2:-typical}
ids=()
for id in encode/compact encode/floor-tuned decode/compact decode/floor-tuned \
    encode/compact-signed decode/compact-signed roundtrip/compact roundtrip/cookie-private \
    roundtrip/compact-signed roundtrip/cookie-signed; do
    ids+=("$id/$case")
done
exec bash instructions.sh cookies COOKIES_COUNT "$n" "${ids[@]}"
