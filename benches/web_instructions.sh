#!/usr/bin/env bash
# Instructions per request of the untouched route (benches/web.rs), counted
# by valgrind (callgrind's total, no cache simulation) over two runs of the
# same binary (N requests and none), so that setup cancels out. Unlike wall time, the count does not move with
# the load of a shared machine: it is how the "untouched within 5%" goal is
# checked beside criterion's times. Only for the untouched route: valgrind
# runs no SHA-NI, so a count of the crypto routes would be a count of
# software SHA-256, not what the CPU does.
#
#   benches/web_instructions.sh [N]      (needs valgrind; builds the bench first)
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-2000}
cargo bench --bench web --no-run 2>/dev/null
bin=$(ls -t target/release/deps/web-* | grep -v '\.d$' | head -n 1)
instructions() { # instructions WHICH N
    WEB_COUNT="$1:$2" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-36s %12s\n' benchmark instructions/request
for name in no_layer identity_layer securecookie private_cookie_jar tower_sessions_cookie tower_sessions_memory; do
    base=$(instructions "$name/untouched" 0)
    full=$(instructions "$name/untouched" "$n")
    printf '%-36s %12d\n' "web/untouched/$name" $(((full - base) / n))
done
