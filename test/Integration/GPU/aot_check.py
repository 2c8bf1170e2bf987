#!/usr/bin/env python3
"""swr-compile + swr-run on the GPU against the same modules on the CPU.

  aot_check.py prepare --out DIR --swr-compile ... --swr-run ...
      (this machine) compiles each case for cpu and cuda:sm_90a (one also as
      PTX, format=isa, which the driver compiles at load), writes random .npy
      inputs, runs the CPU artifact with swr-run and keeps its outputs and a
      float64 error scale (the scan of |a| and |x|);
  aot_check.py verify --dir DIR --swr-run ...
      (the GPU machine) runs every CUDA artifact with swr-run --device=cuda on
      the same files and compares with the CPU outputs, per element:
      |gpu - cpu| <= 1e-5 * scale + 2 * (output rounding) * |cpu|, where
      scale is the float64 scan of |a| and |x|.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "python"))
from swr.cpu_runner import check_close  # noqa: E402
from swr.dtypes import decode, encode, load_npy, save_npy  # noqa: E402
from swr.reference import exact_rows, window_rows  # noqa: E402

# name: (B, H, D, N), tile, hops, reverse, per_channel, init, x/a dtype, y dtype,
# tensor (else memref with dynamic shapes), extra pipeline options
CASES = {
    "tensor_bf16_init": ((2, 4, 16, 1000), 16, 1, False, False, True, "bf16", "f32", True, ""),
    "tensor_bf16_ptx": ((2, 4, 16, 1000), 16, 1, False, False, True, "bf16", "f32", True,
                        "format=isa"),
    "memref_f32_inf_rev": ((1, 2, 8, 4097), 16, "inf", True, False, False, "f32", "f32", False, ""),
    "memref_bf16_k2_chan": ((1, 3, 4, 777), 32, 2, False, True, False, "bf16", "bf16", False, ""),
    "memref_f32_long": ((1, 1, 4, 65536), 64, 1, False, False, True, "f32", "f32", False, ""),
}


def module(shape, tile, hops, reverse, per_channel, init, xdt, ydt, tensor):
    b, h, d, n = shape
    kind = "tensor" if tensor else "memref"

    def ty(dims, dt):
        return f"{kind}<" + "".join((str(s) if tensor else "?") + "x" for s in dims) + f"{dt}>"
    ta = ty((b, h, d, n) if per_channel else (b, h, n), xdt)
    tx, ty_, th = ty((b, h, d, n), xdt), ty((b, h, d, n), ydt), ty((b, h, d), xdt)
    params = [f"%a: {ta}", f"%x: {tx}"] + ([f"%h: {th}"] if init else [])
    scan = (f"swr.scan <tile = {tile}, hops = {hops}>{' reverse' if reverse else ''} "
            f"ins(%a, %x : {ta}, {tx}){f' init(%h : {th})' if init else ''}")
    if tensor:
        return (f"func.func @scan({', '.join(params)}) -> {ty_} {{\n  %e = tensor.empty() : {ty_}\n"
                f"  %y = {scan} outs(%e : {ty_}) -> {ty_}\n  return %y : {ty_}\n}}\n")
    return (f"func.func @scan({', '.join(params + [f'%y: {ty_}'])}) {{\n"
            f"  {scan} outs(%y : {ty_})\n  return\n}}\n")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"error: {' '.join(cmd)}:\n{r.stderr}")
    return r.stdout


def inputs_of(d, name, case):
    shape, tile, hops, reverse, per_channel, init, xdt, ydt, tensor, _ = case
    spec = [f"--input=@{os.path.join(d, name + '_' + k + '.npy')}"
            for k in (("a", "x", "h") if init else ("a", "x"))]
    if not tensor:
        spec.append("--input=" + "x".join(map(str, shape)) + "x" + ydt)
    return spec


def prepare(args):
    os.makedirs(args.out, exist_ok=True)
    g = np.random.default_rng(7)
    for name, case in CASES.items():
        shape, tile, hops, reverse, per_channel, init, xdt, ydt, tensor, options = case
        b, h, d, n = shape
        path = os.path.join(args.out, name)
        with open(path + ".mlir", "w") as f:
            f.write(module(shape, tile, hops, reverse, per_channel, init, xdt, ydt, tensor))
        for target in ("cpu", "cuda:sm_90a"):
            opts = [f"--pipeline-options={options}"] if options and target != "cpu" else []
            run([args.swr_compile, path + ".mlir", f"--target={target}", *opts,
                 "-o", f"{path}.{target.split(':')[0]}.so"])
        ashape = shape if per_channel else (b, h, n)
        data = {"a": g.uniform(0.5, 1.0, ashape) * g.choice([-1, 1], ashape, p=[0.1, 0.9]),
                "x": g.uniform(0.25, 1.0, shape) * g.choice([-1, 1], shape),
                "h": g.uniform(0.5, 2.0, (b, h, d))}
        stored = {k: encode(v, xdt) for k, v in data.items()}
        for k in ("a", "x", "h") if init else ("a", "x"):
            save_npy(f"{path}_{k}.npy", stored[k], xdt)
        run([args.swr_run, f"{path}.cpu.so", *inputs_of(args.out, name, case),
             f"--output=@{path}_cpu.npy"])
        # Error scale: the scan of |a| and |x| (and |init| as x_{-1}) in float64.
        a64 = np.abs(decode(stored["a"], xdt))
        a64 = np.broadcast_to(a64 if per_channel else a64[:, :, None, :], shape).reshape(-1, n)
        x64 = np.abs(decode(stored["x"], xdt)).reshape(-1, n)
        if reverse:  # the adjoint is the forward scan of the mirrored sequence
            a64 = np.concatenate([a64[:, 1:], np.ones((a64.shape[0], 1))], 1)[:, ::-1]
            x64 = x64[:, ::-1]
        if init:  # x_{-1} = h enters with gate a_0: fold it into x_0 (scale only)
            x64 = x64.copy()
            x64[:, 0] += np.abs(decode(stored["h"], xdt)).reshape(-1) * a64[:, 0]
        scale = exact_rows(a64, x64) if hops == "inf" else window_rows(a64, x64, tile, hops)
        if reverse:
            scale = scale[:, ::-1]
        np.save(f"{path}_scale.npy", scale.reshape(shape))
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(CASES, f)
    print(f"prepared {len(CASES)} cases under {args.out}")


def verify(args):
    failures = 0
    for name, case in CASES.items():
        ydt = case[7]
        path = os.path.join(args.dir, name)
        out = run([args.swr_run, f"{path}.cuda.so", "--device=cuda",
                   *inputs_of(args.dir, name, case), f"--output=@{path}_gpu.npy",
                   "--benchmark=20"]).strip()
        gpu = decode(load_npy(f"{path}_gpu.npy", ydt), ydt)
        cpu = decode(load_npy(f"{path}_cpu.npy", ydt), ydt)
        # The CPU and the GPU each round their outputs once.
        ok, summary = check_close(gpu, cpu, np.load(f"{path}_scale.npy"), ydt, roundings=2)
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: GPU vs CPU {summary} | {out}")
    print(f"{len(CASES) - failures} of {len(CASES)} swr-run GPU cases match the CPU")
    sys.exit(1 if failures else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prepare")
    pp.add_argument("--out", required=True)
    pp.add_argument("--swr-compile", required=True)
    pp.add_argument("--swr-run", required=True)
    pv = sub.add_parser("verify")
    pv.add_argument("--dir", required=True)
    pv.add_argument("--swr-run", required=True)
    args = p.parse_args()
    prepare(args) if args.cmd == "prepare" else verify(args)


if __name__ == "__main__":
    main()
