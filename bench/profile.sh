#!/usr/bin/env bash
# Nsight Compute profile of our kernels at the benchmark's main shape
# (B=4, H=128, D=16, N=8192, per-head gates), from artifacts that bench.py
# build made:
# speed of light, occupancy, launch statistics (registers, shared memory),
# warp stall reasons and memory workload, as text in $OUT/ncu-*.txt, for
# four forward kernels and the backward kernels (build/backward-bench,
# bench/backward.py).
# Usage: bench/profile.sh [BENCH_DIR]   (on the GPU machine; needs ncu)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-build/bench}
OUT=${OUT:-build/gpu-results}
mkdir -p "$OUT"
export LD_LIBRARY_PATH=$PWD/build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
python3 - "$OUT" <<'PY'
import sys, numpy as np
out = sys.argv[1]
g = np.random.default_rng(0)
for dt in ("bf16", "f32"):
    a = g.uniform(0.001, 0.999, (4, 128, 8192)).astype(np.float32)
    x = g.uniform(-1, 1, (4, 128, 16, 8192)).astype(np.float32)
    if dt == "bf16":
        a, x = ((v.view(np.uint32) >> 16).astype(np.uint16).view("V2") for v in (a, x))
    np.save(f"{out}/a_{dt}.npy", a); np.save(f"{out}/x_{dt}.npy", x)
PY
for cfg in bf16_head_b4_n8192_k1_t16 f32_head_b4_n8192_k1_t16 bf16_head_b4_n8192_kinf_t16 f32_head_b4_n8192_kinf_t16; do
  dt=${cfg%%_*}
  ncu --section SpeedOfLight --section Occupancy --section LaunchStats \
      --section WarpStateStats --section MemoryWorkloadAnalysis --section SchedulerStats --section InstructionStats -k regex:scan --launch-count 1 \
      build/bin/swr-run "$DIR/$cfg.so" --device=cuda --input=@"$OUT/a_$dt.npy" \
      --input=@"$OUT/x_$dt.npy" --input=4x128x16x8192x$dt > "$OUT/ncu-$cfg.txt" 2>&1 || true
  grep -E "Memory Throughput|DRAM Throughput|Duration|Registers Per|Achieved Occupancy|Theoretical Occupancy|Block Limit Registers|Compute \(SM\) Throughput|Issued Warp Per Scheduler|No Eligible|Executed Ipc A|Stall" "$OUT/ncu-$cfg.txt" | sed "s/^/$cfg: /"
done
rm -f "$OUT"/a_*.npy "$OUT"/x_*.npy

# The backward (swr.scan_grad, per head: hops 1, and hops inf from the
# output; bench/backward.py's artifacts in build/backward-bench): each
# configuration once.
if [ -d build/backward-bench ]; then
  ncu --section SpeedOfLight --section Occupancy --section LaunchStats \
      --section WarpStateStats --section MemoryWorkloadAnalysis --section SchedulerStats \
      --section InstructionStats -k regex:grad \
      python3 bench/backward.py run --dir build/backward-bench \
      --runtime build/lib/libswr_runtime.so --once > "$OUT/ncu-backward.txt" 2>&1 || true
  grep -E "grad_|Memory Throughput|DRAM Throughput|Duration|Registers Per|Achieved Occupancy|Theoretical Occupancy|Block Limit Registers|Compute \(SM\) Throughput|Issued Warp Per Scheduler|No Eligible|Executed Ipc A|Stall" \
    "$OUT/ncu-backward.txt" | sed "s/^/backward: /"
fi
