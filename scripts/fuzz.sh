#!/usr/bin/env bash
# Runs swr's fuzzers (test/Fuzz, built with the project when the compiler
# has libFuzzer) for SECONDS each (default 1800), one after the other, on
# corpora kept under $BUILD/fuzz/ (seeded from the test suite) so that a
# later run goes on where this one stopped. Crash inputs land in
# $BUILD/fuzz/crashes/; turn each into a regression test.
# Usage: scripts/fuzz.sh [SECONDS] [npy|manifest|module ...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SWR_BUILD_DIR:-build}
SECONDS_EACH=${1:-1800}
shift || true
TARGETS=("${@:-npy manifest module}")
PY=/usr/bin/python3
mkdir -p "$BUILD/fuzz/crashes"
for target in ${TARGETS[@]}; do
  corpus="$BUILD/fuzz/$target"
  if [ ! -d "$corpus" ]; then
    mkdir -p "$corpus"
    case $target in
      npy) $PY test/Tools/swr-run/Inputs/make_npy.py "$corpus" ;;
      manifest) $PY test/Fuzz/Inputs/seed_manifests.py "$corpus" ;;
      module) $PY test/Fuzz/Inputs/seed_modules.py "$corpus" test/Dialect/Swr/*.mlir \
                test/Conversion/SwrToSCF/*.mlir test/Conversion/SwrToGPU/*.mlir ;;
    esac
  fi
  echo "== swr-fuzz-$target for $SECONDS_EACH s"
  "$BUILD/bin/swr-fuzz-$target" "$corpus" -max_total_time="$SECONDS_EACH" \
    -artifact_prefix="$BUILD/fuzz/crashes/$target-" -rss_limit_mb=4096 \
    -max_len=8192 -print_final_stats=1 2>&1 | tail -12
done
