#!/usr/bin/env bash
# Instructions per request of every contestant and route of benches/web.rs,
# counted by valgrind's callgrind over two runs of the same binary (N
# requests and none: setup cancels out). Unlike wall time, the count does
# not move with the load of a shared machine.
#
# valgrind hides SHA-NI, so SHA-256 runs its software backend there: the
# last column leaves out `sha2::sha256::soft` (what SHA-NI replaces; only
# ours uses SHA-256, three compressions per cookie), so that the crypto
# routes compare what each contestant adds around its cipher (AES-NI and
# PCLMULQDQ, which GCM uses, do run under valgrind). Allocations per
# request: web_allocs.rs.
#
#   benches/web_instructions.sh [N] [route ...]   (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-1000}
shift || true
routes=("$@")
[ ${#routes[@]} -gt 0 ] || routes=(read write untouched)
cargo bench --bench web --no-run 2>/dev/null
bin=$(ls -t target/release/deps/web-* | grep -v '\.d$' | head -n 1)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # count WHICH N -> total instructions, and those outside software SHA-256
    WEB_COUNT="$1:$2" valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bin" >/dev/null 2>&1
    callgrind_annotate --auto=no --threshold=100 "$out/cg" 2>/dev/null | awk '
        /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
        /^ *[0-9,]+ .*sha2::sha256::soft/ { gsub(",", "", $1); sha += $1 }
        END { print total, total - sha }'
}
printf '%-50s %14s %16s\n' benchmark instructions without-soft-sha
for route in "${routes[@]}"; do
    for name in no_layer identity_layer securecookie securecookie_memory private_cookie_jar \
        private_cookie_jar_same_attributes tower_sessions_cookie tower_sessions_memory; do
        case "$name/$route" in no_layer/untouched | identity_layer/untouched | [!ni]*) ;; *) continue ;; esac
        read -r b0 s0 < <(count "$name/$route" 0)
        read -r b1 s1 < <(count "$name/$route" "$n")
        printf '%-50s %14d %16d\n' "web/$route/$name" $(((b1 - b0) / n)) $(((s1 - s0) / n))
    done
done
