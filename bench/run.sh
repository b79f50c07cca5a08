#!/usr/bin/env bash
# ebguard's benchmark: wall time, throughput and peak memory of `ebguard check` on synthetic
# monorepos of 100, 1,000 and 10,000 .config files (bench/gen_monorepo.py), the pre-commit case
# (one small bundle, process start included), and the cost of the rules on top of reading and
# parsing (`check` against the hidden `check --parse-only`, same binary, same files).
#
#   bench/run.sh                     # all sizes
#   SIZES="100 1000" bench/run.sh    # some sizes
#
# Needs hyperfine (Debian/Ubuntu: apt-get install hyperfine), GNU time (/usr/bin/time) and
# python3. Monorepos are generated once under target/bench/ (BENCH_DIR to change) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"100 1000 10000"}
OUT=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-10}

for tool in hyperfine python3 /usr/bin/time; do
  command -v "$tool" > /dev/null || { echo "bench/run.sh: $tool is missing" >&2; exit 2; }
done

cargo build --release --quiet
BIN=$PWD/target/release/ebguard
mkdir -p "$OUT"

for n in $SIZES; do
  [ -d "$OUT/repo-$n" ] || python3 bench/gen_monorepo.py "$OUT/repo-$n" "$n" > /dev/null
done
# The pre-commit case: one application bundle (eight configs, three hooks).
if [ ! -d "$OUT/small" ]; then
  python3 bench/gen_monorepo.py "$OUT/small-repo" 16 > /dev/null
  cp -r "$OUT/small-repo/synthetic/app-0000" "$OUT/small"
fi

# Files and bytes ebguard reads in a tree: .ebextensions/*.config and platform hooks.
measure_input() {
  python3 - "$1" << 'EOF'
import sys
from pathlib import Path
configs = hooks = size = 0
for p in Path(sys.argv[1]).rglob("*"):
    if not p.is_file():
        continue
    if p.parent.name == ".ebextensions" and p.suffix == ".config":
        configs += 1
    elif "/.platform/hooks/" in p.as_posix() or "/.platform/confighooks/" in p.as_posix():
        hooks += 1
    else:
        continue
    size += p.stat().st_size
print(configs, hooks, size)
EOF
}

peak_rss_kb() {
  /usr/bin/time -v "$@" 2>&1 > /dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

# hyperfine's mean wall time, its standard deviation and the mean CPU time (user + system),
# in seconds, for command $2 of export $1. CPU time shows the work done even when a shared
# machine's load stretches the wall time.
stats() {
  python3 - "$1" "$2" << 'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]
print(r["mean"], r["stddev"] or 0, r["user"] + r["system"])
EOF
}

echo "| input | config files | hooks | MB | check wall (ms) | check CPU (ms) | parse-only wall (ms) | parse-only CPU (ms) | check / parse-only (wall, CPU) | files/s | MB/s | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for name in small $(for n in $SIZES; do echo "repo-$n"; done); do
  dir="$OUT/$name"
  read -r configs hooks bytes <<< "$(measure_input "$dir")"
  json="$OUT/$name.json"
  hyperfine --shell=none --warmup 3 --runs "$RUNS" --export-json "$json" --style none \
    "$BIN check --format json --fail-on never $dir" \
    "$BIN check --format json --fail-on never --parse-only $dir" > /dev/null
  read -r check check_sd check_cpu <<< "$(stats "$json" 0)"
  read -r parse parse_sd parse_cpu <<< "$(stats "$json" 1)"
  rss=$(peak_rss_kb "$BIN" check --format json --fail-on never "$dir")
  python3 - "$name" "$configs" "$hooks" "$bytes" "$check" "$check_sd" "$check_cpu" "$parse" "$parse_sd" "$parse_cpu" "$rss" << 'EOF'
import sys
name, configs, hooks, size, check, check_sd, check_cpu, parse, parse_sd, parse_cpu, rss = sys.argv[1:]
configs, hooks, size, rss = int(configs), int(hooks), int(size), int(rss)
check, check_sd, check_cpu, parse, parse_sd, parse_cpu = map(
    float, (check, check_sd, check_cpu, parse, parse_sd, parse_cpu))
print(f"| {name} | {configs} | {hooks} | {size / 1e6:.2f} | {check * 1e3:.1f} ± {check_sd * 1e3:.1f} "
      f"| {check_cpu * 1e3:.1f} | {parse * 1e3:.1f} ± {parse_sd * 1e3:.1f} | {parse_cpu * 1e3:.1f} "
      f"| {check / parse:.2f}, {check_cpu / parse_cpu:.2f} | {configs / check:,.0f} "
      f"| {size / 1e6 / check:.1f} | {rss / 1024:.1f} |")
EOF
done
echo
echo "$(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg); hyperfine exports in $OUT/"
