#!/usr/bin/env python3
"""Runs one swr.scan case end to end on the CPU and checks its numbers.

Generates random inputs (never zeros), writes an MLIR module that applies
swr.scan to them and prints the result's bits, lowers it with swr-opt's
swr-cpu-pipeline, runs it with mlir-runner, and compares every output with
the float64 reference of the formula (python/swr/reference.py), computed from
the exact stored inputs. Exits non-zero, with the worst element, on any
mismatch. With --aot the module holds only the scan function, which
swr-compile compiles to a shared library and swr-run runs on .npy files.

Tolerance, per element: |y - ref| <= rtol * (|a|,|x| reference) + output
rounding, where the first term bounds f32 accumulation error (rtol 1e-5)
and the second is the rounding of the output element type.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))
from swr.cpu_runner import (PRINT_DECL, RunError, call_main, check_scan, hex_dense,  # noqa: E402
                            lower_and_run, memref_type, parse_printed_bits, print_bits,
                            tensor_type)
from swr.dtypes import decode, encode, load_npy, round_to, save_npy  # noqa: E402
from swr.reference import DENORMAL_SCALE, plant_special  # noqa: E402


def window_text(args):
    return f"<tile = {args.tile}, hops = {args.hops}>" + (" reverse" if args.reverse else "")


def tensor_module(args, shapes, data):
    """swr.scan on tensors, in a function called from main."""
    a_t = tensor_type(shapes["a"], args.a_dtype)
    x_t = tensor_type(shapes["x"], args.x_dtype)
    y_t = tensor_type(shapes["x"], args.y_dtype)
    params = [f"%a: {a_t}", f"%x: {x_t}"]
    inputs = [(data["a"], shapes["a"], args.a_dtype), (data["x"], shapes["x"], args.x_dtype)]
    init_clause = ""
    if args.init:
        h_t = tensor_type(shapes["h"], args.a_dtype)
        params.append(f"%h: {h_t}")
        inputs.append((data["h"], shapes["h"], args.a_dtype))
        init_clause = f" init(%h : {h_t})"
    scan = "\n".join([
        f"func.func @scan({', '.join(params)}) -> {y_t} {{",
        f"  %o = tensor.empty() : {y_t}",
        f"  %y = swr.scan {window_text(args)} ins(%a, %x : {a_t}, {x_t}){init_clause}"
        f" outs(%o : {y_t}) -> {y_t}",
        f"  return %y : {y_t}",
        "}",
    ])
    return scan + "\n" + call_main("scan", inputs, shapes["x"], args.y_dtype)


def dynamic_type(rank, dtype, kind):
    return f"{kind}<" + "?x" * rank + f"{dtype}>"


def aot_module(args, shapes):
    """Only the scan function, for swr-compile: on tensors (a result) or,
    with --memref, on dynamically shaped memrefs (y an argument it writes)."""
    kind = "memref" if args.memref else "tensor"
    ty = {k: (dynamic_type(len(shapes[k]), dt, kind) if args.memref
              else tensor_type(shapes[k], dt))
          for k, dt in (("a", args.a_dtype), ("x", args.x_dtype), ("h", args.a_dtype))}
    y_t = (dynamic_type(4, args.y_dtype, kind) if args.memref
           else tensor_type(shapes["x"], args.y_dtype))
    params = [f"%a: {ty['a']}", f"%x: {ty['x']}"] + ([f"%h: {ty['h']}"] if args.init else [])
    init_clause = f" init(%h : {ty['h']})" if args.init else ""
    ins = f"ins(%a, %x : {ty['a']}, {ty['x']}){init_clause}"
    if args.memref:
        return "\n".join([
            f"func.func @scan({', '.join(params + [f'%y: {y_t}'])}) {{",
            f"  swr.scan {window_text(args)} {ins} outs(%y : {y_t})",
            "  return",
            "}",
        ]) + "\n"
    return "\n".join([
        f"func.func @scan({', '.join(params)}) -> {y_t} {{",
        f"  %o = tensor.empty() : {y_t}",
        f"  %y = swr.scan {window_text(args)} {ins} outs(%o : {y_t}) -> {y_t}",
        f"  return %y : {y_t}",
        "}",
    ]) + "\n"


def compile_and_run(args, shapes, data, module):
    """swr-compile --target=cpu, then swr-run on .npy files; returns y as
    float64."""
    with tempfile.TemporaryDirectory() as tmp:
        path = lambda name: os.path.join(tmp, name)  # noqa: E731
        with open(path("scan.mlir"), "w") as f:
            f.write(module)
        steps = [[args.swr_compile, path("scan.mlir"), "--target=cpu", "-o", path("scan.so")]]
        if args.pipeline_options:
            steps[0].append(f"--pipeline-options={args.pipeline_options}")
        run = [args.swr_run, path("scan.so"), "--function=scan"]
        dtypes = {"a": args.a_dtype, "x": args.x_dtype, "h": args.a_dtype}
        for name in ("a", "x", "h") if args.init else ("a", "x"):
            save_npy(path(name + ".npy"), data[name], dtypes[name])
            run.append(f"--input=@{path(name + '.npy')}")
        if args.memref:  # y: a zero-filled buffer the function writes.
            run.append("--input=" + "x".join(str(s) for s in shapes["x"]) + "x" + args.y_dtype)
        run.append(f"--output=@{path('y.npy')}")
        for step in steps + [run]:
            r = subprocess.run(step, capture_output=True, text=True)
            if r.returncode:
                raise RunError(f"{' '.join(step)} failed:\n{r.stderr}")
        return decode(load_npy(path("y.npy"), args.y_dtype), args.y_dtype)


def time_major_module(args, shapes, data):
    """swr.scan on memrefs whose x and y are time-major [B, N, H, D] buffers
    seen as [B, H, D, N] through strides."""
    b, h, d, n = shapes["x"]
    tm_shape = (b, n, h, d)
    strides = f"strided<[{n * h * d}, {d}, 1, {h * d}]>"
    a_m = memref_type(shapes["a"], args.a_dtype)
    x_tm = memref_type(tm_shape, args.x_dtype)
    y_tm = memref_type(tm_shape, args.y_dtype)
    x_v = memref_type(shapes["x"], args.x_dtype, strides)
    y_v = memref_type(shapes["x"], args.y_dtype, strides)
    perm = "(b, n, h, d) -> (b, h, d, n)"
    lines = [
        PRINT_DECL,
        f"memref.global \"private\" constant @a : {a_m} = dense<{hex_dense(data['a'])}>",
        f"memref.global \"private\" constant @x : {x_tm} = dense<{hex_dense(data['x'])}>",
    ]
    init_clause = ""
    if args.init:
        h_m = memref_type(shapes["h"], args.a_dtype)
        lines.append(f"memref.global \"private\" constant @h : {h_m} = dense<{hex_dense(data['h'])}>")
        init_clause = f" init(%h : {h_m})"
    lines += [
        "func.func @main() {",
        f"  %a = memref.get_global @a : {a_m}",
        f"  %xg = memref.get_global @x : {x_tm}",
        f"  %x = memref.transpose %xg {perm} : {x_tm} to {x_v}",
        f"  %yg = memref.alloc() : {y_tm}",
        f"  %y = memref.transpose %yg {perm} : {y_tm} to {y_v}",
    ]
    if args.init:
        lines.append(f"  %h = memref.get_global @h : {h_m}")
    lines += [
        f"  swr.scan {window_text(args)} ins(%a, %x : {a_m}, {x_v}){init_clause} outs(%y : {y_v})",
        f"  %t = bufferization.to_tensor %yg restrict : {y_tm} to {tensor_type(tm_shape, args.y_dtype)}",
    ]
    lines += print_bits("%t", tm_shape, args.y_dtype)
    lines += [
        "  return",
        "}",
    ]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--swr-opt", required=True)
    p.add_argument("--mlir-runner", required=True)
    p.add_argument("--shared-libs", required=True)
    p.add_argument("--shape", default="2,3,4,37", help="B,H,D,N")
    p.add_argument("--tile", type=int, default=4)
    p.add_argument("--hops", default="1", help="a non-negative integer or inf")
    p.add_argument("--reverse", action="store_true")
    p.add_argument("--init", action="store_true")
    p.add_argument("--per-channel", action="store_true", help="gates [B,H,D,N] (default per head)")
    p.add_argument("--x-dtype", default="f32")
    p.add_argument("--a-dtype", default="f32", help="dtype of the gates and of init")
    p.add_argument("--y-dtype", default="f32")
    p.add_argument("--time-major", action="store_true",
                   help="memref form on time-major [B,N,H,D] x and y buffers")
    p.add_argument("--pipeline", default="--swr-cpu-pipeline",
                   help="swr-opt arguments that lower the module to LLVM")
    p.add_argument("--nonfinite", action="store_true",
                   help="plant NaN and Inf gates and an Inf input: they must reach exactly the "
                        "outputs whose windows contain them")
    p.add_argument("--special", action="store_true",
                   help="gates of exactly 0 and 1, denormal gates and inputs, NaN and +-inf "
                        "gates and inputs at tile starts, inside tiles and at the end "
                        "(swr.reference.plant_special)")
    p.add_argument("--denormal", action="store_true",
                   help="inputs and init denormal in f32, compared without an absolute floor: "
                        "flushing denormals to zero fails")
    p.add_argument("--aot", action="store_true",
                   help="compile with swr-compile and run with swr-run on .npy files")
    p.add_argument("--memref", action="store_true",
                   help="with --aot: a function on dynamic memrefs that writes its y argument")
    p.add_argument("--swr-compile")
    p.add_argument("--swr-run")
    p.add_argument("--pipeline-options", default="", help="with --aot: of swr-cpu-pipeline")
    p.add_argument("--gate-floor", type=float, default=0.5,
                   help="gate magnitudes in [floor, 1) (a few then scaled by 1.2): near 1, a "
                        "state from far back still shows in the outputs (a look-back that "
                        "takes the wrong chunk's state fails)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep", help="write the generated module here")
    args = p.parse_args()

    b, h, d, n = (int(v) for v in args.shape.split(","))
    shapes = {"x": (b, h, d, n), "a": (b, h, d, n) if args.per_channel else (b, h, n), "h": (b, h, d)}
    rng = np.random.default_rng(args.seed)
    # Gates mostly in (0.5, 1) so that windows matter, a few negative and a few
    # above 1: any finite gate is legal. Inputs never zero.
    gates = rng.uniform(args.gate_floor, 1.0, size=shapes["a"])
    gates[rng.uniform(size=shapes["a"]) < 0.1] *= -1.0
    gates[rng.uniform(size=shapes["a"]) < 0.05] *= 1.2
    values = {
        "a": gates,
        "x": rng.uniform(0.25, 1.0, size=shapes["x"]) * rng.choice([-1.0, 1.0], size=shapes["x"]),
        "h": rng.uniform(0.5, 2.0, size=shapes["h"]),
    }
    if args.nonfinite:
        flat_a, flat_x = values["a"].reshape(-1), values["x"].reshape(-1)
        flat_a[rng.choice(flat_a.size, 3, replace=False)] = [np.nan, np.inf, -np.inf]
        flat_x[rng.choice(flat_x.size, 1)] = np.inf
    if args.special:
        plant_special(rng, values["a"], values["x"], args.tile)
    if args.denormal:
        values["x"] *= DENORMAL_SCALE
        values["h"] *= DENORMAL_SCALE
    dtypes = {"a": args.a_dtype, "x": args.x_dtype, "h": args.a_dtype}
    exact = {k: round_to(v, dtypes[k]) for k, v in values.items()}

    data = {k: encode(exact[k], dtypes[k]) for k in exact}
    if args.aot:
        module = aot_module(args, shapes)
    elif args.time_major:
        data["x"] = np.ascontiguousarray(np.transpose(data["x"], (0, 3, 1, 2)))
        module = time_major_module(args, shapes, data)
    else:
        module = tensor_module(args, shapes, data)
    if args.keep:
        with open(args.keep, "w") as f:
            f.write(module)

    try:
        if args.aot:
            got = compile_and_run(args, shapes, data, module)
        else:
            printed = lower_and_run(module, swr_opt=args.swr_opt, mlir_runner=args.mlir_runner,
                                    shared_libs=args.shared_libs, pipeline=args.pipeline)
    except RunError as e:
        sys.exit(f"error: {e}")
    if not args.aot:
        out_shape = (b, n, h, d) if args.time_major else shapes["x"]
        got = parse_printed_bits(printed, out_shape)
        if args.time_major:
            got = np.transpose(got, (0, 2, 3, 1))

    hops = float("inf") if args.hops == "inf" else int(args.hops)
    ok, summary = check_scan(got, exact["a"], exact["x"], tile=args.tile, hops=hops,
                             init=exact["h"] if args.init else None, reverse=args.reverse,
                             out_dtype=args.y_dtype, floor=0.0 if args.denormal else 1e-30)
    if not ok:
        sys.exit(f"FAIL: {summary}")
    print(f"PASS: {summary}")


if __name__ == "__main__":
    main()
