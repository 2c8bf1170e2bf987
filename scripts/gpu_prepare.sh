#!/usr/bin/env bash
# Compiles, on this machine (no GPU needed; ptxas from a CUDA toolkit), the
# artifacts that scripts/gpu_check.sh runs on a GPU machine: the GPU suite
# (build/gpu-suite), the swr-run cases and their CPU outputs
# (build/aot-check), swr.scan_chunk's and swr.scan_grad's tests
# (build/gpu-chunk, build/gpu-grad) and the benchmarks (build/bench,
# build/decode-bench, build/backward-bench). Copy build/lib,
# build/bin/swr-run, build/python/swr/_lib (the PyTorch op's kernel
# library, which scripts/build.sh builds) and those directories (with the
# source tree) there.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
scripts/build.sh --no-demo
$PY test/Integration/GPU/gpu_suite.py build --out build/gpu-suite --swr-compile build/bin/swr-compile
$PY test/Integration/GPU/aot_check.py prepare --out build/aot-check \
  --swr-compile build/bin/swr-compile --swr-run build/bin/swr-run
mkdir -p build/gpu-chunk
$PY python/tests/test_scan_chunk.py --module > build/gpu-chunk/chunk.mlir
build/bin/swr-compile build/gpu-chunk/chunk.mlir --target=cuda:sm_90a -o build/gpu-chunk/chunk.so
mkdir -p build/gpu-grad
SWR_TARGET=cuda $PY python/tests/test_scan_grad.py --module > build/gpu-grad/grad.mlir
build/bin/swr-compile build/gpu-grad/grad.mlir --target=cuda:sm_90a -o build/gpu-grad/grad.so
build/bin/swr-compile build/gpu-grad/grad.mlir --target=cpu -o build/gpu-grad/grad.cpu.so
$PY test/Integration/GPU/large.py build --out build/gpu-large --swr-compile build/bin/swr-compile
$PY bench/decode.py build --out build/decode-bench --swr-compile build/bin/swr-compile
$PY bench/backward.py build --out build/backward-bench --swr-compile build/bin/swr-compile
$PY bench/bench.py build --out build/bench --swr-compile build/bin/swr-compile "$@"
