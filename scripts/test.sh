#!/usr/bin/env bash
# Runs every swr test suite (builds first, installing what is missing):
#   - check-swr: lit + FileCheck (dialect, conversions, pipelines, CPU
#     execution against the float64 reference, the reference's own pytest);
#   - the install test: installs swr and builds a tiny consumer against the
#     exported CMake package (find_package(SWR)).
# Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SWR_BUILD_DIR:-build}

scripts/build.sh --no-demo

echo "== check-swr"
ninja -C "$BUILD" check-swr

echo "== install + find_package(SWR) consumer"
PREFIX="$PWD/$BUILD/install-test"
rm -rf "$PREFIX" "$BUILD/consumer"
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
cmake -G Ninja -S test/Install/consumer -B "$BUILD/consumer" \
  -DCMAKE_BUILD_TYPE=Release \
  -DSWR_DIR="$PREFIX/lib/cmake/swr" \
  -DCMAKE_CXX_COMPILER=clang++-22 -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld >/dev/null
ninja -C "$BUILD/consumer" >/dev/null
"$BUILD/consumer/swr-consumer"
echo "== all test suites passed"
