#!/bin/bash
# temporary: one device run (not committed)
export LD_LIBRARY_PATH=$PWD/build/lib
RT=build/lib/libswr_runtime.so
PY=python3
echo "== grad tests"
SWR_TARGET=cuda SWR_ARTIFACT=build/gpu-grad/grad.so SWR_CPU_ARTIFACT=build/gpu-grad/grad.cpu.so \
  SWR_RUNTIME=$RT timeout 300 $PY -m pytest -q -p no:cacheprovider python/tests/test_scan_grad.py -k "_y or long" > $OUT/grad.log 2>&1
tail -3 $OUT/grad.log; grep -E "FAILED|Error" $OUT/grad.log | head -20
for tool in memcheck racecheck; do
  echo "== $tool"
  SWR_TARGET=cuda SWR_ARTIFACT=build/gpu-grad/grad.so SWR_RUNTIME=$RT timeout 200 \
    compute-sanitizer --tool $tool --error-exitcode 9 $PY -m pytest -q -p no:cacheprovider \
    python/tests/test_scan_grad.py -k "_y and finite and (t4 or t16)" > $OUT/san-$tool.log 2>&1; echo rc $?
  grep -E "ERROR SUMMARY|RACECHECK SUMMARY|passed|failed" $OUT/san-$tool.log | tail -3
done
echo "== backward bench"
timeout 300 $PY bench/backward.py run --reps 15 --dir build/backward-bench --runtime $RT --json $OUT/backward.json 2>&1 | tail -45
