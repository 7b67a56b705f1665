#!/usr/bin/env bash
# Wall time per operation of two codec cases of benches/cookies.rs (its
# COOKIES_COUNT mode), in alternating processes, and the median of their
# ratios. On a shared VM the speed drifts by 10-20% from minute to minute.
# Criterion runs one case after the other, so that drift ends up in the
# ratio. Here the two cases take turns, and each process's setup is
# measured alone (N = 0) and subtracted. This is the measurement behind
# performance.md's "paired" ratios. Instruction counts
# (cookies_instructions.sh) are the load-proof figure; this one includes
# SHA-NI, which valgrind cannot run.
#
#   benches/paired_time.sh [N] [ROUNDS] [A] [B]
#   e.g. benches/paired_time.sh 1000000 11 encode/compact/typical encode/floor-tuned/typical
#   BIN_A=old-binary benches/paired_time.sh ...   # A from another build of the bench
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-1000000}
rounds=${2:-11}
a=${3:-encode/compact/typical}
b=${4:-encode/floor-tuned/typical}
cargo bench --bench cookies --no-run 2>/dev/null
bin=$(ls -t target/release/deps/cookies-* | grep -v '\.d$' | head -n 1)
bin_a=${BIN_A:-$bin}
elapsed() { # elapsed BINARY CASE COUNT -> nanoseconds
    local start end
    start=$(date +%s%N)
    COOKIES_COUNT="$2:$3" "$1" >/dev/null
    end=$(date +%s%N)
    echo $((end - start))
}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$rounds"); do
    setup_a=$(elapsed "$bin_a" "$a" 0)
    run_a=$(elapsed "$bin_a" "$a" "$n")
    setup_b=$(elapsed "$bin" "$b" 0)
    run_b=$(elapsed "$bin" "$b" "$n")
    echo "$(((run_a - setup_a) / n)) $(((run_b - setup_b) / n))"
done | python3 -c '
import statistics, sys
pairs = [tuple(map(float, line.split())) for line in sys.stdin]
ratios = [x / y for x, y in pairs]
a, b = sys.argv[1], sys.argv[2]
print(f"{a}: median {statistics.median(x for x, _ in pairs):.0f} ns")
print(f"{b}: median {statistics.median(y for _, y in pairs):.0f} ns")
print(f"ratio A/B: median {statistics.median(ratios):.3f} "
      f"(min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} pairs)")
' "$a" "$b"
