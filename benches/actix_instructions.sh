#!/usr/bin/env bash
# Instructions per request of the actix bench's cookie contestants
# (benches/actix.rs), counted by valgrind (callgrind's total, no cache
# simulation) over two runs of the same binary (N requests and none), so
# that setup cancels out: a count the load of a shared machine does not
# move. Caveat for read and write: valgrind runs no SHA-NI, so our
# HMAC-SHA256 is counted as software SHA-256 (more instructions than the
# CPU runs), while AES (ours and actix-session's AES-GCM) keeps AES-NI.
# The untouched route has no crypto: its count is the fair one for the
# "within 5% of no middleware" goal.
#
#   benches/actix_instructions.sh [N]      (needs valgrind; builds the bench first)
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-2000}
cargo bench --bench actix --no-run 2>/dev/null
bin=$(ls -t target/release/deps/actix-* | grep -v '\.d$' | head -n 1)
instructions() { # instructions WHICH N
    ACTIX_COUNT="$1:$2" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" 2>&1 >/dev/null |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-40s %12s\n' benchmark instructions/request
for route in read write untouched; do
    for name in securecookie actix_session_cookie no_middleware; do
        if [ "$name" = no_middleware ] && [ "$route" != untouched ]; then
            continue
        fi
        base=$(instructions "$name/$route" 0)
        full=$(instructions "$name/$route" "$n")
        printf '%-40s %12d\n' "actix/$route/$name" $(((full - base) / n))
    done
done
