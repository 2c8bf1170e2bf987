#!/usr/bin/env bash
# Runs every swr test suite (builds first, installing what is missing):
#   - check-swr: lit + FileCheck (dialect, conversions, pipelines, CPU
#     execution against the float64 reference, the reference's own pytest);
#   - the install test: installs swr and builds a tiny consumer against the
#     exported CMake package (find_package(SWR));
#   - the wheel test: installs build/dist's wheel into a directory of its own
#     and runs swr.scan and swr.torch.scan from it, outside the tree (no
#     SWR_LIB_DIR: the wheel's own kernel library).
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
if [ -x "$BUILD/venv/bin/python" ]; then
  echo "== wheel: install and run"
  ABS_BUILD=$(cd "$BUILD" && pwd)
  WHEEL_DIR="$ABS_BUILD/wheel-test" PY="$ABS_BUILD/venv/bin/python"
  rm -rf "$WHEEL_DIR"
  "$PY" -m pip install -q --disable-pip-version-check --no-deps \
    --target "$WHEEL_DIR" "$BUILD"/dist/swr-*.whl
  (cd /tmp && env -u SWR_LIB_DIR PYTHONPATH="$WHEEL_DIR" "$PY" -c '
import numpy as np, torch, swr, swr.torch
a, x = torch.rand(1, 2, 40) * 0.5 + 0.5, torch.randn(1, 2, 3, 40)
y = swr.torch.scan(a, x, tile=16, hops=1)
assert np.allclose(y.numpy(), swr.scan(a.numpy(), x.numpy(), tile=16, hops=1))
assert "wheel-test" in swr.__file__, swr.__file__
print("wheel: swr.torch.scan and swr.scan from", swr.__file__)')
fi
echo "== all test suites passed"
