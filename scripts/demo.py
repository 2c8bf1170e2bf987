#!/usr/bin/env python3
"""The swr demo: runs examples/phalanx_swr.mlir on the CPU through
swr-cpu-pipeline and checks it against the float64 reference, then emits
sm_90a PTX from examples/warp_tile_scan.gpu.mlir to show the NVVM path.

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
GPU_PIPELINE = ("builtin.module(gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm),"
                "reconcile-unrealized-casts,gpu-module-to-binary{format=isa})")


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
    libs = ",".join(f"{LLVM}/lib/lib{name}.so" for name in ("mlir_runner_utils", "mlir_c_runner_utils"))
    printed = lower_and_run(module, swr_opt=swr_opt, mlir_runner=f"{LLVM}/bin/mlir-runner",
                            shared_libs=libs)
    got = parse_printed_bits(printed, (b, h, d, n))
    ok, summary = check_scan(got, a, x, tile=tile, hops=hops)
    print(f"[cpu] examples/phalanx_swr.mlir  B={b} H={h} D={d} N={n} tile={tile} hops={hops} "
          f"bf16 -> f32")
    print(f"[cpu] vs float64 reference: {'PASS' if ok else 'FAIL'}: {summary}")
    return ok


def ptx_demo(swr_opt):
    src = os.path.join(ROOT, "examples", "warp_tile_scan.gpu.mlir")
    out = subprocess.run([swr_opt, src, f"--pass-pipeline={GPU_PIPELINE}"], capture_output=True,
                         text=True)
    if out.returncode != 0:
        print(f"[ptx] FAIL: swr-opt could not emit PTX:\n{out.stderr}")
        return False
    target = re.search(r"\.target (sm_\w+)", out.stdout)
    shuffles = len(re.findall(r"shfl\.sync\.up", out.stdout))
    ok = bool(target) and target.group(1) == "sm_90a" and shuffles > 0
    print(f"[ptx] examples/warp_tile_scan.gpu.mlir -> PTX for "
          f"{target.group(1) if target else '?'} with {shuffles} shfl.sync.up: "
          f"{'PASS' if ok else 'FAIL'}")
    return ok


def gpu_note():
    if shutil.which("nvidia-smi") and subprocess.run(["nvidia-smi", "-L"],
                                                     capture_output=True).returncode == 0:
        print("[gpu] a GPU is present, but GPU execution of swr.scan is not built yet "
              "(convert-swr-to-gpu and the runtime are the next issues)")
    else:
        print("[gpu] no GPU on this machine: CPU results only")


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
