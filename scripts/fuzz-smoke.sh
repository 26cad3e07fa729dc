#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a bounded time on its seed corpus.
# Usage: scripts/fuzz-smoke.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for bin in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); name=${name#fuzz_}
  corpus="$root/tests/fuzz/corpus/$name"
  exe=$(realpath "$bin")
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  echo "fuzz: $name for ${seconds}s"
  # -rss_limit_mb keeps a runaway input from eating the machine.
  if ! (cd "$work" && "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 "$work" 2>&1 | tail -n 12); then
    echo "fuzz: $name FAILED"
    status=1
  fi
  rm -rf "$work"
done
exit $status
