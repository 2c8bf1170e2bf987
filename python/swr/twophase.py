"""What the two-phase GPU scripts share (bench/decode.py, bench/backward.py,
test/Integration/GPU/large.py): `build` compiles a module here, where
swr-compile is; `run` loads the artifacts on the GPU machine, where it is
not."""

import argparse
import os
import subprocess


def compile_module(text, out, stem, swr_compile, targets):
    """Writes `text` to OUT/STEM.mlir and compiles it for each target:
    "cuda:<chip>" to OUT/STEM.so, "cpu" to OUT/STEM.cpu.so. Returns the
    paths written."""
    os.makedirs(out, exist_ok=True)
    src = os.path.join(out, f"{stem}.mlir")
    with open(src, "w") as f:
        f.write(text)
    written = []
    for target in targets:
        path = os.path.join(out, f"{stem}.cpu.so" if target == "cpu" else f"{stem}.so")
        subprocess.run([swr_compile, src, f"--target={target}", "-o", path], check=True)
        written.append(path)
    print("wrote " + ", ".join(written))
    return written


def main(doc, build, run, timing=True):
    """The command line of a two-phase script: `build --out DIR
    --swr-compile PATH [--chip sm_XX]` or `run --dir DIR --runtime PATH`
    (with `--json F --reps N` when `timing`)."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pb = sub.add_parser("build")
    pb.add_argument("--out", required=True)
    pb.add_argument("--swr-compile", required=True)
    pb.add_argument("--chip", default="sm_90a")
    pr = sub.add_parser("run")
    pr.add_argument("--dir", required=True)
    pr.add_argument("--runtime", required=True)
    if timing:
        pr.add_argument("--json")
        pr.add_argument("--reps", type=int, default=15)
    args = p.parse_args()
    build(args) if args.cmd == "build" else run(args)
