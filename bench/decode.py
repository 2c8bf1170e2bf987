#!/usr/bin/env python3
"""The decode step (swr.scan_chunk of one position) on the GPU against the
copy of its bytes and the launch floor.

  decode.py build --out DIR --swr-compile build/bin/swr-compile
      one artifact: `step_{bf16,f32}_k{1,inf}(a: [B,H,1], x: [B,H,D,1],
      state_in: [B,H,D,S], y: [B,H,D,1], state_out: [B,H,D,S])` (tile 16,
      per-head gates, dynamic shapes; S = 3 for hops 1, 1 for hops inf) and
      `empty(m: [1])`, a kernel of one thread that stores one value;
  decode.py run --dir DIR --runtime libswr_runtime.so [--json F]
      for B in {1, 16, 64}, H = 128, D = 16, in one process, with CUDA
      events (bench.py's time_together: device time of back-to-back calls
      queued behind a sleeping kernel, buffer sets rotated, median of
      --reps), times per step:
        - step: our kernel, through the runtime (what a model calls);
        - copy: a device-to-device copy of the bytes the step moves
          ((reads + writes) / 2 each way: state in and out, x, y, a);
        - empty: the empty kernel through the runtime, the launch floor;
      checks every timed configuration's y and state against float64, and
      prints a table last.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from swr.twophase import compile_module, main  # noqa: E402
sys.path.insert(0, HERE)

H, D, TILE = 128, 16, 16
BATCHES = (1, 16, 64)
DTYPES = ("bf16", "f32")
HOPS = (1, "inf")
BYTES = {"bf16": 2, "f32": 4}


def slots(hops):
    return 1 if hops == "inf" else hops + 2


def module():
    text = ""
    for dt in DTYPES:
        for k in HOPS:
            g, seq = f"memref<?x?x1x{dt}>", f"memref<?x?x?x1x{dt}>"
            st = f"memref<?x?x?x{slots(k)}xf32>"
            text += (f"func.func @step_{dt}_k{k}(%a: {g}, %x: {seq}, %s0: {st}, %y: {seq}, "
                     f"%s: {st}) {{\n"
                     f"  swr.scan_chunk <tile = {TILE}, hops = {k}> ins(%a, %x : {g}, {seq}) "
                     f"state_in(%s0 : {st}) outs(%y : {seq}) state_out(%s : {st})\n"
                     f"  return\n}}\n")
    # One thread storing one value: the least a launch can do (a kernel
    # that does nothing is erased by the canonicalizer).
    text += ("func.func @empty(%m: memref<1xf32>) {\n  %c0 = arith.constant 0 : index\n"
             "  %c1 = arith.constant 1 : index\n  %v = arith.constant 1.0 : f32\n"
             "  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)\n"
             "             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {\n"
             "    memref.store %v, %m[%c0] : memref<1xf32>\n    gpu.terminator\n  }\n"
             "  return\n}\n")
    return text


def build(args):
    compile_module(module(), args.out, "decode", args.swr_compile, [f"cuda:{args.chip}"])


def run(args):
    import numpy as np
    import torch
    from bench import time_together
    from swr.runtime import Runtime, buffer

    rt = Runtime(args.runtime)
    art = rt.load(os.path.join(args.dir, "decode.so"))
    dev = torch.device("cuda")
    rt.set_stream(torch.cuda.current_stream().cuda_stream)
    tdt = {"bf16": torch.bfloat16, "f32": torch.float32}
    l2 = getattr(torch.cuda.get_device_properties(dev), "L2_cache_size", 50 << 20)
    empty = art["empty"]
    cell = torch.zeros(1, device=dev)
    cell_buffer = buffer(cell.data_ptr(), "f32", (1,))
    rows = []
    for b in BATCHES:
        for dt in DTYPES:
            for k in HOPS:
                s = slots(k)
                fn = art[f"step_{dt}_k{k}"]
                step_bytes = (2 * b * H * D * s * 4 + 2 * b * H * D * BYTES[dt]
                              + b * H * BYTES[dt])
                sets = max(2, min(64, -(-4 * l2 // step_bytes)))
                torch.manual_seed(b)
                bufs = []
                for _ in range(sets):
                    a = torch.rand(b, H, 1, device=dev).mul(0.7).add(0.3).to(tdt[dt])
                    x = torch.randn(b, H, D, 1, device=dev).to(tdt[dt])
                    s0 = torch.randn(b, H, D, s, device=dev)
                    if k != "inf":
                        s0[..., -1] = torch.randint(0, TILE, (b, H, D), device=dev).float()
                    y = torch.empty(b, H, D, 1, device=dev, dtype=tdt[dt])
                    s1 = torch.empty_like(s0)
                    bufs.append((a, x, s0, y, s1, [
                        buffer(t.data_ptr(), name, tuple(t.shape))
                        for t, name in ((a, dt), (x, dt), (s0, "f32"), (y, dt), (s1, "f32"))]))
                src = torch.empty(sets, step_bytes // 2, dtype=torch.uint8, device=dev)
                dst = torch.empty_like(src)
                impls = [[(lambda bb=bb: fn(*bb[5])) for bb in bufs],
                         [(lambda i=i: dst[i].copy_(src[i])) for i in range(sets)],
                         [lambda: empty(cell_buffer)]]
                (t_step, h_step), (t_copy, _), (t_empty, h_empty) = time_together(
                    torch, impls, args.reps)
                # Check the last set: y and the state out against float64.
                a, x, s0, y, s1, _ = bufs[-1]
                fn(*bufs[-1][5])
                torch.cuda.synchronize()
                a64 = a.double().cpu().numpy()[:, :, None, 0]
                x64 = x.double().cpu().numpy()[..., 0]
                st = s0.double().cpu().numpy()
                regs = st[..., :k + 1] if k != "inf" else st
                new = a64[..., None] * regs + x64[..., None]
                want_y = new[..., -1]
                if k != "inf":
                    pos = st[..., -1] + 1
                    end = (pos % TILE == 0)[..., None]
                    moved = np.concatenate([np.zeros_like(new[..., :1]), new[..., :-1]], -1)
                    new = np.where(end, moved, new)
                    new = np.concatenate([new, (pos % TILE)[..., None]], -1)
                got_y = y.double().cpu().numpy()[..., 0]
                tol_y = 2 ** -8 if dt == "bf16" else 1e-6
                ok = (np.allclose(got_y, want_y, rtol=tol_y, atol=tol_y * 4)
                      and np.allclose(s1.double().cpu().numpy(), new, rtol=1e-6, atol=1e-5))
                rows.append(dict(B=b, dtype=dt, hops=k, bytes=step_bytes, step_us=t_step,
                                 copy_us=t_copy, empty_us=t_empty, host_us=h_step,
                                 empty_host_us=h_empty, sets=sets, checked=bool(ok)))
                if not ok:
                    print(f"CHECK FAILED: B={b} {dt} hops={k}")
    rt.set_stream(None)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    print(f"{'B':>3} {'dtype':>5} {'hops':>4} {'bytes':>9} {'step us':>8} {'copy us':>8} "
          f"{'empty us':>8} {'of copy':>7} {'GB/s':>7} {'host us':>7} ok")
    for r in rows:
        print(f"{r['B']:>3} {r['dtype']:>5} {r['hops']:>4} {r['bytes']:>9} {r['step_us']:>8.2f} "
              f"{r['copy_us']:>8.2f} {r['empty_us']:>8.2f} {r['copy_us'] / r['step_us']:>7.1%} "
              f"{r['bytes'] / r['step_us'] / 1e3:>7.0f} {r['host_us']:>7.1f} "
              f"{'yes' if r['checked'] else 'NO'}")


if __name__ == "__main__":
    main(__doc__, build, run)
