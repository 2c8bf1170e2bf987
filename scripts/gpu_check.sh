#!/usr/bin/env bash
# Runs, on a machine with an NVIDIA GPU, PyTorch and the CUDA toolkit's
# compute-sanitizer, everything that needs the GPU, from artifacts compiled
# elsewhere by scripts/gpu_prepare.sh (which needs no GPU):
#   1. the GPU suite (every case against float64), through the runtime API;
#   2. swr-run --device=cuda on .npy files against the CPU artifacts' outputs;
#   3. swr.scan_chunk (prefill, every split, decode == longer prefill, N up
#      to 65536) and swr.scan_grad (finite differences; N up to 65536
#      against the CPU) in device memory: python/tests/test_scan_{chunk,grad}.py;
#      the PyTorch op and Phalanx on CUDA tensors (python/tests/test_torch_
#      {scan,phalanx}.py, with build/python/swr/_lib, the kernel library);
#   4. compute-sanitizer memcheck, initcheck, racecheck and synccheck over
#      the whole GPU suite, memcheck and racecheck over the backward from the
#      output (its per-head sums in workgroup memory);
#   5. the benchmarks (bench/bench.py, --quick: our kernels and the copy
#      only; bench/backward.py: the backward; bench/decode.py: the decode step).
# Logs and JSON go to $OUT (default build/gpu-results); with ARCHIVE=FILE.tar.gz
# they are packed into that one file at the end (for a host that hands back
# only a few files; FILE may be under $OUT). Exit status: non-zero
# if any check failed. Each test step stops after $STEP_TIMEOUT seconds
# (default 900; a hang then fails its step instead of the device session).
# Usage: scripts/gpu_check.sh [--quick | --bench-only | --no-bench]
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-build/gpu-results}
mkdir -p "$OUT"
export LD_LIBRARY_PATH=$PWD/build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
RT=build/lib/libswr_runtime.so
PY=${PYTHON:-python3}
T="timeout ${STEP_TIMEOUT:-900}"
MODE=${1:-}
status=0
step() { echo "== $*"; }

nvidia-smi -L
if [ "$MODE" != "--bench-only" ]; then
  step "GPU suite"
  $T $PY test/Integration/GPU/gpu_suite.py run --dir build/gpu-suite --runtime $RT \
    --json "$OUT/suite.json" > "$OUT/suite.log" 2>&1 || status=1
  grep -E "^FAIL|GPU cases passed|walk reference" "$OUT/suite.log"

  step "swr-run on the GPU against the CPU"
  $T $PY test/Integration/GPU/aot_check.py verify --dir build/aot-check \
    --swr-run build/bin/swr-run > "$OUT/aot.log" 2>&1 || status=1
  cat "$OUT/aot.log"

  step "swr.scan_chunk on the GPU"
  SWR_TARGET=cuda SWR_ARTIFACT=build/gpu-chunk/chunk.so SWR_RUNTIME=$RT \
    $T $PY -m pytest -q -p no:cacheprovider python/tests/test_scan_chunk.py > "$OUT/chunk.log" 2>&1 \
    || status=1
  tail -1 "$OUT/chunk.log"
  step "swr.scan_grad on the GPU"
  SWR_TARGET=cuda SWR_ARTIFACT=build/gpu-grad/grad.so SWR_CPU_ARTIFACT=build/gpu-grad/grad.cpu.so \
    SWR_RUNTIME=$RT $T $PY -m pytest -q -p no:cacheprovider python/tests/test_scan_grad.py \
    > "$OUT/grad.log" 2>&1 || status=1
  tail -1 "$OUT/grad.log"
  step "PyTorch op and Phalanx tests on the GPU (the kernel library)"
  if $PY -c "import torch" 2>/dev/null && [ -d build/python/swr/_lib ]; then
    (cd python/tests && SWR_TEST_DEVICE=cuda SWR_LIB_DIR=$PWD/../../build/python/swr/_lib \
      $T $PY -m pytest -q -p no:cacheprovider test_torch_scan.py test_torch_phalanx.py) \
      > "$OUT/torch.log" 2>&1 || status=1
    tail -1 "$OUT/torch.log"
  else
    echo "skipped: no torch or no build/python/swr/_lib"
  fi
  step "large inputs (more than 2^31 elements, N = 2^24)"
  $T $PY test/Integration/GPU/large.py run --dir build/gpu-large --runtime $RT > "$OUT/large.log" 2>&1 \
    || status=1
  cat "$OUT/large.log"
  step "compute-sanitizer --tool memcheck (swr.scan_chunk, decode)"
  SWR_TARGET=cuda SWR_ARTIFACT=build/gpu-chunk/chunk.so SWR_RUNTIME=$RT \
    $T compute-sanitizer --tool memcheck --error-exitcode 9 $PY -m pytest -q -p no:cacheprovider \
    python/tests/test_scan_chunk.py -k "decode and t4" > "$OUT/sanitizer-chunk.log" 2>&1 || status=1
  grep -E "ERROR SUMMARY|passed|failed" "$OUT/sanitizer-chunk.log" | tail -2

  for tool in memcheck racecheck; do
    step "compute-sanitizer --tool $tool (swr.scan_grad from_output)"
    SWR_TARGET=cuda SWR_ARTIFACT=build/gpu-grad/grad.so SWR_RUNTIME=$RT \
      $T compute-sanitizer --tool $tool --error-exitcode 9 $PY -m pytest -q -p no:cacheprovider \
      python/tests/test_scan_grad.py -k "_y and finite and (t4 or t16)" \
      > "$OUT/sanitizer-grad-$tool.log" 2>&1 || status=1
    grep -E "ERROR SUMMARY|RACECHECK SUMMARY|passed|failed" "$OUT/sanitizer-grad-$tool.log" | tail -2
  done

  # The whole suite under every tool, the kernels only (--no-check), each
  # tool's cases in three interleaved parts, all twelve at once.
  NAMES=$($PY -c "import json; print(' '.join(c['name'] for c in json.load(open('build/gpu-suite/cases.json'))['cases']))")
  for tool in memcheck initcheck racecheck synccheck; do
    for part in 0 1 2; do
      only=$(echo $NAMES | tr ' ' '\n' | awk -v p=$part '(NR - 1) % 3 == p' | paste -sd,)
      $T compute-sanitizer --tool $tool --error-exitcode 9 $PY test/Integration/GPU/gpu_suite.py run \
        --dir build/gpu-suite --runtime $RT --no-check --only "$only" \
        > "$OUT/sanitizer-$tool-$part.log" 2>&1 &
    done
  done
  for job in $(jobs -p); do wait "$job" || status=1; done
  step "compute-sanitizer over the GPU suite"
  for log in "$OUT"/sanitizer-*-[012].log; do
    echo "$(basename "$log"): $(grep -c '^ran ' "$log") ran, $(grep -c '^FAIL' "$log") failed;" \
      "$(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$log" | tail -1)"
  done
  step "compute-sanitizer --tool memcheck swr-run"
  $T compute-sanitizer --tool memcheck --error-exitcode 9 build/bin/swr-run \
    build/aot-check/memref_f32_inf_rev.cuda.so --device=cuda \
    --input=@build/aot-check/memref_f32_inf_rev_a.npy --input=@build/aot-check/memref_f32_inf_rev_x.npy \
    --input=1x2x8x4097xf32 --output=@"$OUT/sanitized.npy" > "$OUT/sanitizer-swr-run.log" 2>&1 || status=1
  grep "ERROR SUMMARY" "$OUT/sanitizer-swr-run.log"
fi

if [ "$MODE" != "--no-bench" ]; then
  step "benchmark"
  extra=()
  [ "$MODE" = "--quick" ] && extra=(--no-alternatives --reps 20)
  $PY bench/bench.py run --dir build/bench --runtime $RT --json "$OUT/bench.json" \
    --png "$OUT/bench.png" "${extra[@]}" 2>&1 | tee "$OUT/bench.log" | grep -v "^note" || status=1
  step "backward benchmark"
  $PY bench/backward.py run --dir build/backward-bench --runtime $RT --json "$OUT/backward.json" \
    2>&1 | tee "$OUT/backward.log" || status=1
  step "decode benchmark"
  $PY bench/decode.py run --dir build/decode-bench --runtime $RT --json "$OUT/decode.json" \
    2>&1 | tee "$OUT/decode.log" || status=1
fi
if [ -n "${ARCHIVE:-}" ]; then
  packed=$(mktemp --suffix=.tar.gz)
  if tar czf "$packed" -C "$OUT" . && rm -rf "${OUT:?}"/* && mkdir -p "$(dirname "$ARCHIVE")" \
      && mv "$packed" "$ARCHIVE"; then
    echo "packed the logs into $ARCHIVE"
  else
    status=1
  fi
fi
exit $status
