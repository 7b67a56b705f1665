#!/usr/bin/env bash
# Instructions per request of every contestant and route of benches/web.rs
# (its WEB_COUNT mode), through benches/instructions.sh: callgrind over N
# requests and none, with and without software SHA-256 (valgrind hides
# SHA-NI; only ours uses SHA-256, three compressions per cookie, while
# AES-NI and PCLMULQDQ, which GCM uses, do run under valgrind). Unlike wall
# time, the count does not move with the load of a shared machine.
# Allocations per request: web_allocs.rs.
#
#   benches/web_instructions.sh [N] [route ...]   (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-1000}
shift || true
routes=("$@")
[ ${#routes[@]} -gt 0 ] || routes=(read write untouched)
cases=()
for route in "${routes[@]}"; do
    for name in no_layer identity_layer securecookie securecookie_memory private_cookie_jar \
        private_cookie_jar_same_attributes tower_sessions_cookie tower_sessions_memory; do
        # The baselines answer only the untouched route.
        case "$name/$route" in no_layer/untouched | identity_layer/untouched | [!ni]*) ;; *) continue ;; esac
        cases+=("$name/$route")
    done
done
exec bash instructions.sh web WEB_COUNT "$n" "${cases[@]}"
