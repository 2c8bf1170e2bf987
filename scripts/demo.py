#!/usr/bin/env python3
"""The swr demo: runs examples/phalanx_swr.mlir on the CPU through
swr-cpu-pipeline and checks it against the float64 reference, then compiles
examples/phalanx_swr_gpu.mlir with swr-cuda-pipeline to sm_90a PTX (one
kernel per scan) and reports what the kernels contain.

Usage: scripts/demo.py [BUILD_DIR]   (default: build)
"""

import os
import re
import shutil
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
from swr.cpu_runner import RunError, call_main, check_scan, lower_and_run, parse_printed_bits  # noqa: E402
from swr.dtypes import encode, round_to  # noqa: E402

LLVM = "/usr/lib/llvm-22"


def cpu_demo(swr_opt):
    b, h, d, n, tile, hops = 2, 4, 16, 100, 16, 1
    rng = np.random.default_rng(2026)
    a = round_to(rng.uniform(0.6, 1.0, size=(b, h, n)), "bf16")
    x = round_to(rng.standard_normal(size=(b, h, d, n)), "bf16")
    with open(os.path.join(ROOT, "examples", "phalanx_swr.mlir")) as f:
        module = f.read()
    module += call_main("phalanx_swr", [(encode(a, "bf16"), (b, h, n), "bf16"),
                                        (encode(x, "bf16"), (b, h, d, n), "bf16")],
                        (b, h, d, n), "f32")
    # libswr_runtime: lowered swr ops report wrong run-time sizes through it.
    runtime = os.path.join(os.path.dirname(os.path.dirname(swr_opt)), "lib", "libswr_runtime.so")
    libs = ",".join([f"{LLVM}/lib/lib{name}.so" for name in ("mlir_runner_utils",
                                                             "mlir_c_runner_utils")] + [runtime])
    printed = lower_and_run(module, swr_opt=swr_opt, mlir_runner=f"{LLVM}/bin/mlir-runner",
                            shared_libs=libs)
    got = parse_printed_bits(printed, (b, h, d, n))
    ok, summary = check_scan(got, a, x, tile=tile, hops=hops)
    print(f"[cpu] examples/phalanx_swr.mlir  B={b} H={h} D={d} N={n} tile={tile} hops={hops} "
          f"bf16 -> f32")
    print(f"[cpu] vs float64 reference: {'PASS' if ok else 'FAIL'}: {summary}")
    return ok


def ptx_demo(swr_opt):
    src = os.path.join(ROOT, "examples", "phalanx_swr_gpu.mlir")
    out = subprocess.run([swr_opt, src, "--swr-cuda-pipeline=format=isa"], capture_output=True,
                         text=True)
    if out.returncode != 0:
        print(f"[ptx] FAIL: swr-cuda-pipeline could not compile the example:\n{out.stderr}")
        return False
    ok = True
    for name, ptx in re.findall(r'gpu\.binary @(\w+).*?assembly = "((?:[^"\\]|\\.)*)"',
                                out.stdout):
        target = re.search(r"\.target (sm_\w+)", ptx)
        counts = {what: len(re.findall(pattern, ptx)) for what, pattern in
                  [("16-byte loads", r"ld\.global\.v4"), ("16-byte stores", r"st\.global\.v4"),
                   ("shuffles", r"shfl\.sync"), ("local memory", r"\.local")]}
        good = (bool(target) and target.group(1) == "sm_90a" and counts["16-byte loads"] > 0
                and counts["shuffles"] > 0 and counts["local memory"] == 0)
        ok &= good
        print(f"[ptx] {name}: {target.group(1) if target else '?'}, "
              + ", ".join(f"{v} {k}" for k, v in counts.items()) + f": {'PASS' if good else 'FAIL'}")
    return ok


def gpu_note():
    if shutil.which("nvidia-smi") and subprocess.run(["nvidia-smi", "-L"],
                                                     capture_output=True).returncode == 0:
        print("[gpu] a GPU is present: run the GPU suite (README, 'On a GPU') to execute the "
              "kernels against float64")
    else:
        print("[gpu] no GPU on this machine: CPU results and PTX only")


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    swr_opt = os.path.join(build, "bin", "swr-opt")
    try:
        ok = cpu_demo(swr_opt)
    except RunError as e:
        print(f"[cpu] FAIL: {e}")
        ok = False
    ok = ptx_demo(swr_opt) and ok
    gpu_note()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
