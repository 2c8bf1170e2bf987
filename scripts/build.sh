#!/usr/bin/env bash
# Sets swr up on a fresh Debian 12 machine and runs the demo:
#   1. installs the Debian packages it needs when they are missing,
#   2. makes build/venv, a Python environment with PyPI's torch (the version
#      the GPU machine has), NumPy and pytest, for the PyTorch front end
#      (SWR_NO_TORCH=1 skips it, its C++ ops and its tests),
#   3. configures and builds into build/ (clang-22 + lld + ccache, libMLIR.so),
#   4. packs the Python package with the kernel library into a wheel,
#      build/dist/swr-*.whl (scripts/swr_wheel.py),
#   5. runs scripts/demo.py (CPU run checked against the float64 reference,
#      sm_90a PTX from a GPU module).
# Usage: scripts/build.sh [--no-demo]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
          libclang-rt-22-dev libgtest-dev ccache cmake ninja-build python3-numpy
          python3-pytest python3-venv)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

BUILD=${SWR_BUILD_DIR:-build}
TORCH_REQUIREMENTS="torch==2.11.* numpy pytest"
VENV="$BUILD/venv"
if [ "${SWR_NO_TORCH:-0}" != 1 ] &&
   [ "$(cat "$VENV/requirements" 2>/dev/null)" != "$TORCH_REQUIREMENTS" ]; then
  echo "== Python environment $VENV: $TORCH_REQUIREMENTS"
  /usr/bin/python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q --disable-pip-version-check $TORCH_REQUIREMENTS
  echo "$TORCH_REQUIREMENTS" > "$VENV/requirements"
fi

if [ ! -f "$BUILD/build.ninja" ]; then
  echo "== configuring $BUILD"
  cmake -G Ninja -S . -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
fi
echo "== building"
ninja -C "$BUILD"

echo "== wheel: $(/usr/bin/python3 scripts/swr_wheel.py "$BUILD/dist")"

if [ "${1:-}" != "--no-demo" ]; then
  echo "== demo"
  /usr/bin/python3 scripts/demo.py "$BUILD"
fi
