#!/usr/bin/env bash
# Builds swr's tools, libraries and runtime with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-asan/ (MLIR itself is not
# instrumented) and runs check-swr there. Every test runs with the ASan
# runtime (the shared one, which everything links) preloaded, so that
# uninstrumented hosts (python, mlir-runner) can load the instrumented
# runtime; leak checking is off (MLIR keeps some
# allocations to exit). A report fails the test that produced it.
# Usage: scripts/sanitize.sh        (run scripts/build.sh once first)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build-asan
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld -DLLVM_USE_SANITIZER="Address;Undefined" \
    -DCMAKE_EXE_LINKER_FLAGS=-shared-libasan -DCMAKE_SHARED_LINKER_FLAGS=-shared-libasan \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
fi
# One ASan runtime for every process: the shared one (-shared-libasan),
# which the instrumented tools need already while building (swr-compile
# builds the kernel library). Building the large kernel-library modules,
# LLVM's allocators poison memory in our instrumented copies of their
# inline code that uninstrumented libMLIR then writes (a false
# use-after-poison): the build turns user poisoning off; the tests keep it.
ASAN_RT=$(clang++-22 -print-file-name=libclang_rt.asan-x86_64.so)
export LD_LIBRARY_PATH="$(dirname "$ASAN_RT")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
ASAN_OPTIONS=detect_leaks=0:allow_user_poisoning=0 ninja -C "$BUILD"
export LD_PRELOAD="$ASAN_RT"
# allocator_may_return_null: the tools handle failed allocations (one line).
export ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
/usr/lib/llvm-22/bin/lit -sv "$BUILD/test"
