#!/bin/bash
# temporary: one device run (not committed)
export LD_LIBRARY_PATH=$PWD/build/lib
RT=build/lib/libswr_runtime.so
PY=python3
nvidia-smi --query-gpu=name --format=csv,noheader
echo "== grad tests (CUDA)"
SWR_TARGET=cuda SWR_ARTIFACT=build/gpu-grad/grad.so SWR_CPU_ARTIFACT=build/gpu-grad/grad.cpu.so \
  SWR_RUNTIME=$RT timeout 200 $PY -m pytest -q -p no:cacheprovider python/tests/test_scan_grad.py -k "_y or long" > $OUT/grad.log 2>&1
tail -1 $OUT/grad.log; grep -E "^FAILED" $OUT/grad.log | head
echo "== racecheck + memcheck (from_output, CUDA)"
for tool in memcheck racecheck; do
SWR_TARGET=cuda SWR_ARTIFACT=build/gpu-grad/grad.so SWR_RUNTIME=$RT timeout 100 \
  compute-sanitizer --tool $tool --error-exitcode 9 $PY -m pytest -q -p no:cacheprovider \
  python/tests/test_scan_grad.py -k "_y and finite and (t4 or t16)" > $OUT/san-$tool.log 2>&1; echo "$tool rc $?"
grep -E "ERROR SUMMARY|RACECHECK SUMMARY|passed|failed" $OUT/san-$tool.log | tail -2
done
echo "== torch tests (CUDA)"
SWR_LIB_DIR=build/python/swr/_lib PYTHONPATH=python SWR_TEST_DEVICE=cuda timeout 240 $PY -m pytest -q -p no:cacheprovider \
  python/tests/test_torch_scan.py python/tests/test_torch_phalanx.py > $OUT/torch.log 2>&1
tail -1 $OUT/torch.log; grep -E "^FAILED" $OUT/torch.log | head
echo "== backward bench"
timeout 150 $PY bench/backward.py run --dir build/backward-bench --runtime $RT --json $OUT/backward.json 2>&1 | tail -14
echo "== torch_op --hops inf"
SWR_LIB_DIR=build/python/swr/_lib timeout 120 $PY bench/torch_op.py --hops inf --reps 10 --json $OUT/torch-op-inf.json 2>&1 | tail -16
