#!/usr/bin/env bash
# Lock overhead of `ebguard migrate` on an uncontended run: the median wall time of
# `ebguard migrate -- true` against each database, next to the median of `true` alone.
#
#   EBGUARD_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
#   EBGUARD_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test \
#   bench/migrate-overhead.sh [runs]        # default 50 runs each
#
# Uses target/release/ebguard (built if missing; override with EBGUARD=path).
set -euo pipefail
runs=${1:-50}
cd "$(dirname "$0")/.."
ebguard=${EBGUARD:-target/release/ebguard}
if [ ! -x "$ebguard" ]; then
    cargo build --release --quiet
fi

# Median of `runs` executions of the given command, in milliseconds.
median_ms() {
    local samples=() start end
    for _ in $(seq "$runs"); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
        end=$(date +%s%N)
        samples+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${samples[@]}" | sort -n | awk '{ a[NR] = $1 } END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.2f", m / 1000 }'
}

baseline=$(median_ms true)
printf '%-10s median of %d runs: %8s ms\n' "true" "$runs" "$baseline"
for engine in postgres mysql; do
    var="EBGUARD_TEST_$(echo "$engine" | tr a-z A-Z)_URL"
    url=${!var:-}
    if [ -z "$url" ]; then
        echo "$engine: skipped (set $var)"
        continue
    fi
    locked=$(median_ms env -u EB_IS_COMMAND_LEADER "$ebguard" migrate --database-url "$url" \
        --lock-name "bench-$$" -- true)
    overhead=$(awk -v a="$locked" -v b="$baseline" 'BEGIN { printf "%.2f", a - b }')
    printf '%-10s median of %d runs: %8s ms (lock overhead %s ms)\n' "$engine" "$runs" "$locked" "$overhead"
done
