#!/usr/bin/env python3
"""Writes the PTX of every GPU suite case and every benchmark kernel, one
file per module, so that two versions of the compiler can be compared:

  scripts/ptx_snapshot.py --swr-opt build/bin/swr-opt --out /tmp/ptx-before
  ... change the compiler, rebuild ...
  scripts/ptx_snapshot.py --swr-opt build/bin/swr-opt --out /tmp/ptx-after
  diff -r /tmp/ptx-before /tmp/ptx-after && echo identical

Each module goes through `swr-opt --swr-cuda-pipeline=format=isa` (with the
case's own mapping options) and its PTX is extracted as
scripts/extract_ptx.py does. No GPU and no ptxas are needed.
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "test", "Integration", "GPU"))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import bench  # noqa: E402
import extract_ptx  # noqa: E402
import gpu_suite  # noqa: E402


def modules():
    """(name, module text, pipeline options) of every kernel to compare."""
    for c in gpu_suite.cases():
        yield "suite_" + c["name"], gpu_suite.module_for(c), c.get("options", "")
    for dtype in bench.DTYPES:
        for gates in bench.GATES:
            for b, n in bench.SHAPES:
                for hops, tile in bench.WINDOWS:
                    name = bench.name_of(dtype, gates, b, n, hops, tile)
                    yield ("bench_" + name, bench.module_for(dtype, gates, b, n, hops, tile),
                           "")


def ptx_of(swr_opt, text, options):
    cmd = [swr_opt, "-", "--swr-cuda-pipeline=" + " ".join(filter(None, ["format=isa", options]))]
    r = subprocess.run(cmd, input=text, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return "".join(f"// gpu.binary @{name}\n{payload.decode()}\n"
                   for name, payload in extract_ptx.binaries(r.stdout))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--swr-opt", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--pipeline-options", default="",
                   help="more swr-cuda-pipeline options for every module")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    todo = list(modules())

    def one(item):
        name, text, options = item
        with open(os.path.join(args.out, name + ".ptx"), "w") as f:
            f.write(ptx_of(args.swr_opt, text,
                           " ".join(filter(None, [options, args.pipeline_options]))))

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(one, todo))
    print(f"wrote the PTX of {len(todo)} modules under {args.out}")


if __name__ == "__main__":
    main()
