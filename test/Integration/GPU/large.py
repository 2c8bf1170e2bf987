#!/usr/bin/env python3
"""Large inputs on the GPU (issue 15): tensors of more than 2^31 elements and
a single sequence of 2^24 positions, through dynamic-shape CUDA artifacts,
checked against float64 on rows chosen so that their offsets pass 2^31.

  large.py build --out DIR --swr-compile build/bin/swr-compile
  large.py run --dir DIR --runtime build/lib/libswr_runtime.so
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "python"))
from swr.twophase import compile_module, main  # noqa: E402

CASES = [  # (name, dtype, hops, B, H, D, N)
    ("big_bf16_k1", "bf16", 1, 8, 128, 16, 262144),
    ("long_f32_k1", "f32", 1, 1, 1, 1, 1 << 24),
    ("long_f32_inf", "f32", "inf", 1, 1, 1, 1 << 24),
]


def module():
    text = ""
    for dt in ("bf16", "f32"):
        for k in (1, "inf"):
            g, s = f"memref<?x?x?x{dt}>", f"memref<?x?x?x?x{dt}>"
            text += (f"func.func @scan_{dt}_k{k}(%a: {g}, %x: {s}, %y: {s}) {{\n"
                     f"  swr.scan <tile = 16, hops = {k}> ins(%a, %x : {g}, {s}) outs(%y : {s})\n"
                     f"  return\n}}\n")
    return text


def build(args):
    compile_module(module(), args.out, "large", args.swr_compile, [f"cuda:{args.chip}"])


def run(args):
    import numpy as np
    import torch
    from swr.cpu_runner import check_close
    from swr.reference import exact_rows, window_rows
    from swr.runtime import Runtime, buffer

    rt = Runtime(args.runtime)
    art = rt.load(os.path.join(args.dir, "large.so"))
    dev = torch.device("cuda")
    tdt = {"bf16": torch.bfloat16, "f32": torch.float32}
    ok_all = True
    for name, dt, k, b, h, d, n in CASES:
        torch.manual_seed(0)
        a = torch.rand(b, h, n, device=dev).mul_(0.5).add_(0.5).to(tdt[dt])
        x = torch.randn(b, h, d, n, device=dev).to(tdt[dt])
        y = torch.empty_like(x)
        bufs = [buffer(t.data_ptr(), dt, tuple(t.shape)) for t in (a, x, y)]
        fn = art[f"scan_{dt}_k{k}"]
        fn(*bufs)  # warm-up (module load)
        torch.cuda.synchronize()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn(*bufs)
        end.record()
        torch.cuda.synchronize()
        ms = start.elapsed_time(end)
        # Rows: the first, the last, and ones whose start passes 2^31 elements.
        rows = sorted({0, b * h * d - 1, (b * h * d) // 2,
                       min(b * h * d - 1, (1 << 31) // n + 1)})
        case_ok, summaries = True, []
        for r in rows:
            bi, rest = divmod(r, h * d)
            hi, di = divmod(rest, d)
            a64 = a[bi, hi].double().cpu().numpy()[None]
            x64 = x[bi, hi, di].double().cpu().numpy()[None]
            got = y[bi, hi, di].double().cpu().numpy()[None]
            if k == "inf":
                ref, scale = exact_rows(a64, x64), exact_rows(np.abs(a64), np.abs(x64))
            else:
                ref, scale = window_rows(a64, x64, 16, k), window_rows(np.abs(a64), np.abs(x64), 16, k)
            ok, summary = check_close(got, ref, scale, dt)
            case_ok &= ok
            summaries.append(f"row {r}: {summary}")
        ok_all &= case_ok
        elements = b * h * d * n
        print(f"{'ok  ' if case_ok else 'FAIL'} {name}: [{b}, {h}, {d}, {n}] = {elements} elements "
              f"({elements / 2**31:.2f} x 2^31), {ms:.2f} ms; " + "; ".join(summaries), flush=True)
        del a, x, y
        torch.cuda.empty_cache()
    sys.exit(0 if ok_all else 1)


if __name__ == "__main__":
    main(__doc__, build, run, timing=False)
