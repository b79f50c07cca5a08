#!/usr/bin/env bash
# The migration-graph rules' cost: `ebguard check` on one Django bundle with N migrations
# (bench/gen_django_migrations.py; also with --plain), against the same bundle with `migration-graph = "never"`
# (same binary, same .ebextensions, no migration file read), release build, with hyperfine.
#
#   bench/graph.sh                 # N = 1000
#   SIZES="100 1000 5000" bench/graph.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000"}
OUT=${BENCH_DIR:-target/bench}
RUNS=${RUNS:-20}
for tool in hyperfine python3; do
  command -v "$tool" > /dev/null || { echo "bench/graph.sh: $tool is missing" >&2; exit 2; }
done
cargo build --release --quiet
target_dir=${CARGO_TARGET_DIR:-target}
case "$target_dir" in /*) ;; *) target_dir=$PWD/$target_dir ;; esac
BIN=${EBGUARD_BIN:-$target_dir/release/ebguard}
mkdir -p "$OUT"
mkdir -p "$OUT/never"
printf 'migration-graph = "never"\n' > "$OUT/never/ebguard.toml"
for n in $SIZES; do
  dir="$OUT/django-$n"
  plain="$OUT/django-$n-plain"
  [ -d "$dir" ] || python3 bench/gen_django_migrations.py "$dir" "$n" > /dev/null
  [ -d "$plain" ] || python3 bench/gen_django_migrations.py "$plain" "$n" --plain > /dev/null
  hyperfine --warmup 3 --runs "$RUNS" -N \
    -n "$n migrations, half with index/constraint/RunSQL operations" "$BIN check --fail-on never $dir" \
    -n "$n migrations, no named index or constraint" "$BIN check --fail-on never $plain" \
    -n "same bundle, migration-graph = never" "$BIN check --fail-on never --config $OUT/never/ebguard.toml $dir"
done
