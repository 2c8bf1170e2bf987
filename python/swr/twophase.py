"""What the two-phase GPU scripts share (bench/decode.py, bench/backward.py,
bench/bench.py, test/Integration/GPU/large.py and gpu_suite.py): `build`
compiles a module here, where swr-compile is; `run` loads the artifacts on
the GPU machine, where it is not."""

import argparse
import os
import subprocess


def compile_module(text, out, stem, swr_compile, targets, options=""):
    """Writes `text` to OUT/STEM.mlir and compiles it for each target:
    "cuda:<chip>" to OUT/STEM.so, "cpu" to OUT/STEM.cpu.so, with the
    target pipeline's `options` if given. Returns the paths written."""
    os.makedirs(out, exist_ok=True)
    src = os.path.join(out, f"{stem}.mlir")
    with open(src, "w") as f:
        f.write(text)
    written = []
    for target in targets:
        path = os.path.join(out, f"{stem}.cpu.so" if target == "cpu" else f"{stem}.so")
        cmd = [swr_compile, src, f"--target={target}", "-o", path]
        if options:
            cmd.append(f"--pipeline-options={options}")
        subprocess.run(cmd, check=True)
        written.append(path)
    print("wrote " + ", ".join(written))
    return written


def main(doc, build, run, timing=True, variants=False, run_flags=()):
    """The command line of a two-phase script: `build --out DIR
    --swr-compile PATH [--chip sm_XX]` (with `--variant LABEL=OPTIONS`,
    repeatable, when `variants`: args.variant is a list of (label,
    options)) or `run --dir DIR --runtime PATH` (with `--json F --reps N`
    when `timing`, and each of `run_flags`, (flag, help) pairs, as a
    store_true option)."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pb = sub.add_parser("build")
    pb.add_argument("--out", required=True)
    pb.add_argument("--swr-compile", required=True)
    pb.add_argument("--chip", default="sm_90a")
    if variants:
        pb.add_argument("--variant", action="append", default=[], metavar="LABEL=OPTIONS",
                        type=variant, help="also build with these swr-cuda-pipeline options")
    pr = sub.add_parser("run")
    pr.add_argument("--dir", required=True)
    pr.add_argument("--runtime", required=True)
    if timing:
        pr.add_argument("--json")
        pr.add_argument("--reps", type=int, default=15)
    for flag, help_text in run_flags:
        pr.add_argument(flag, action="store_true", help=help_text)
    args = p.parse_args()
    build(args) if args.cmd == "build" else run(args)


def variant(text):
    """LABEL=OPTIONS as (label, options)."""
    label, sep, options = text.partition("=")
    if not sep or not label or not label.replace("-", "").replace("_", "").isalnum():
        raise argparse.ArgumentTypeError(f"expected LABEL=OPTIONS, got '{text}'")
    return label, options


def scan_module(shape, *, tile, hops, x="f32", a=None, y=None, per_channel=False,
                reverse=False, init=False, dynamic=False, time_major=False):
    """`func.func @scan(%a, %x[, %h], %y)`: swr.scan on memrefs of
    `shape` = (B, H, D, N), gates [B, H, N] (or [B, H, D, N] per channel),
    init [B, H, D]; `a` and `y` default to `x`'s dtype. Time-major: a, x,
    y are dense [B, N, H(, D)] arguments that the scan sees through
    transposed views as [B, H(, D), N]."""
    a, y = a or x, y or x
    b, h, d, n = shape
    q = (lambda v: "?") if dynamic else str

    def memref(dims, dtype, strides=None):
        layout = f", strided<[{', '.join(strides)}]>" if strides else ""
        return f"memref<{'x'.join(q(v) for v in dims)}x{dtype}{layout}>"
    seq = (b, h, d, n)
    gates = seq if per_channel else (b, h, n)
    th = memref((b, h, d), a)
    init_arg = [f"%h: {th}"] if init else []
    init_clause = f" init(%h : {th})" if init else ""
    window = f"<tile = {tile}, hops = {hops}>" + (" reverse" if reverse else "")
    if not time_major:
        ta, tx, ty = memref(gates, a), memref(seq, x), memref(seq, y)
        args = [f"%a: {ta}", f"%x: {tx}"] + init_arg + [f"%y: {ty}"]
        return (f"func.func @scan({', '.join(args)}) {{\n"
                f"  swr.scan {window} ins(%a, %x : {ta}, {tx}){init_clause} outs(%y : {ty})\n"
                f"  return\n}}\n")
    dense_a = memref((b, n, h, d) if per_channel else (b, n, h), a)
    dense_x, dense_y = memref((b, n, h, d), x), memref((b, n, h, d), y)
    seq_strides = [q(n * h * d), q(d), "1", q(h * d)]
    va = memref(gates, a, seq_strides if per_channel else [q(n * h), "1", q(h)])
    vx, vy = memref(seq, x, seq_strides), memref(seq, y, seq_strides)
    perm_a = "(i, j, k, l) -> (i, k, l, j)" if per_channel else "(i, j, k) -> (i, k, j)"
    perm_x = "(i, j, k, l) -> (i, k, l, j)"
    args = [f"%a: {dense_a}", f"%x: {dense_x}"] + init_arg + [f"%y: {dense_y}"]
    return (f"func.func @scan({', '.join(args)}) {{\n"
            f"  %at = memref.transpose %a {perm_a} : {dense_a} to {va}\n"
            f"  %xt = memref.transpose %x {perm_x} : {dense_x} to {vx}\n"
            f"  %yt = memref.transpose %y {perm_x} : {dense_y} to {vy}\n"
            f"  swr.scan {window} ins(%at, %xt : {va}, {vx}){init_clause} outs(%yt : {vy})\n"
            f"  return\n}}\n")
