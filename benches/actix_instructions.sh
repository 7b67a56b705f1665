#!/usr/bin/env bash
# Instructions per request of the actix bench's cookie contestants
# (benches/actix.rs), through benches/instructions.sh: callgrind over N
# requests and none (setup cancels out), a count the load of a shared
# machine does not move. valgrind runs no SHA-NI, so our HMAC-SHA256 runs
# as software SHA-256 there: the second column leaves it out (what SHA-NI
# replaces), while AES (ours and actix-session's AES-GCM) keeps AES-NI.
# The untouched route has no crypto: its count is the fair one for the
# "within 5% of no middleware" goal.
#
#   benches/actix_instructions.sh [N]      (needs valgrind; builds the bench first)
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-2000}
cases=()
for route in read write untouched; do
    for name in securecookie actix_session_cookie no_middleware; do
        # The baseline answers only the untouched route.
        [ "$name" = no_middleware ] && [ "$route" != untouched ] && continue
        cases+=("$name/$route")
    done
done
exec bash instructions.sh actix ACTIX_COUNT "$n" "${cases[@]}"
