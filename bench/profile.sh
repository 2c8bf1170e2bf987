#!/usr/bin/env bash
# Nsight Compute profile of the final forward kernels, from artifacts that
# bench.py build made: speed of light, occupancy, launch statistics
# (registers, shared memory), warp stall reasons, memory workload and
# instruction statistics, as text in $OUT/ncu-CONFIG.txt, one launch each:
# head-major hops 1 and inf at the benchmark's main shape (B=4, N=8192, per
# head, both dtypes), the time-major layout's chained blocks (the scan
# kernel, not its status fill) at B=4, N=8192 and at B=1, N=4096, and the
# head-major bf16 per-channel exact scan at B=1, N=4096; then the backward
# kernels (build/backward-bench, bench/backward.py).
# Usage: bench/profile.sh [BENCH_DIR] [CONFIG...]   (on the GPU machine;
# needs ncu; CONFIG: a bench.py artifact name such as bf16_head_b4_n8192_k1_t16;
# with CONFIGs, those forward kernels only, no backward)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-build/bench}
shift || true
OUT=${OUT:-build/gpu-results}
mkdir -p "$OUT"
export LD_LIBRARY_PATH=$PWD/build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
CONFIGS=("$@")
[ ${#CONFIGS[@]} -gt 0 ] || CONFIGS=(
  bf16_head_b4_n8192_k1_t16 f32_head_b4_n8192_k1_t16
  bf16_head_b4_n8192_kinf_t16 f32_head_b4_n8192_kinf_t16
  bf16_channel_b1_n4096_kinf_t16
  bf16_head_b4_n8192_k1_t16_tm bf16_head_b4_n8192_kinf_t16_tm
  bf16_head_b1_n4096_k1_t16_tm bf16_head_b1_n4096_kinf_t16_tm
  f32_head_b1_n4096_kinf_t16_tm)
for cfg in "${CONFIGS[@]}"; do
  # Random inputs of the configuration's shapes (H=128, D=16; time-major:
  # dense [B, N, H(, D)]), and swr-run's output shape.
  yshape=$(python3 - "$OUT" "$cfg" <<'PY'
import re, sys, numpy as np
out, cfg = sys.argv[1:]
dt, gates, b, n, tm = re.fullmatch(r"(bf16|f32)_(head|channel)_b(\d+)_n(\d+)_k\w+?_t\d+(_tm)?", cfg).groups()
b, n, h, d = int(b), int(n), 128, 16
seq = (b, n, h, d) if tm else (b, h, d, n)
gate = seq if gates == "channel" else ((b, n, h) if tm else (b, h, n))
g = np.random.default_rng(0)
a, x = g.uniform(0.001, 0.999, gate).astype(np.float32), g.uniform(-1, 1, seq).astype(np.float32)
if dt == "bf16":
    a, x = ((v.view(np.uint32) >> 16).astype(np.uint16).view("V2") for v in (a, x))
np.save(f"{out}/a.npy", a); np.save(f"{out}/x.npy", x)
print("x".join(map(str, seq)) + "x" + dt)
PY
)
  # The chained blocks' scan is a dependent launch of the status fill.
  kernel=regex:scan
  case $cfg in *_tm) kernel=regex:dependent ;; esac
  ncu --section SpeedOfLight --section Occupancy --section LaunchStats \
      --section WarpStateStats --section MemoryWorkloadAnalysis --section SchedulerStats --section InstructionStats \
      -k "$kernel" --launch-count 1 \
      build/bin/swr-run "$DIR/$cfg.so" --device=cuda --input=@"$OUT/a.npy" \
      --input=@"$OUT/x.npy" --input="$yshape" > "$OUT/ncu-$cfg.txt" 2>&1 || true
  grep -E "Memory Throughput|DRAM Throughput|Duration|Registers Per|Achieved Occupancy|Theoretical Occupancy|Block Limit Registers|Compute \(SM\) Throughput|Issued Warp Per Scheduler|No Eligible|Executed Ipc A|Stall" "$OUT/ncu-$cfg.txt" | sed "s/^/$cfg: /" || true
done
rm -f "$OUT"/a.npy "$OUT"/x.npy
[ $# -eq 0 ] || exit 0

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
