"""Writes the test suite's modules, split at '// -----', as seeds for the
module fuzzer: seed_modules.py OUT_DIR FILE.mlir ... (but those with a
gpu.launch, which the fuzzer skips: ModuleFuzzer.cpp says why)."""
import os
import sys

out = sys.argv[1]
count = 0
for path in sys.argv[2:]:
    with open(path) as f:
        for part in f.read().split("// -----"):
            if "func.func" in part and "gpu.launch" not in part:
                with open(os.path.join(out, f"seed{count}.mlir"), "w") as g:
                    g.write(part)
                count += 1
print(f"{count} seeds")
