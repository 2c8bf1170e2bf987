#!/usr/bin/env python3
"""swr.torch.scan on the GPU, through PyTorch: the kernel library's
dynamic-shape kernels against a device-to-device copy of the same bytes, in
one process (bench.py's time_together: device time behind a sleeping kernel,
buffer sets rotated over 4x the L2, median of --reps), and the host cost of
one call.

  SWR_LIB_DIR=build/python/swr/_lib python3 bench/torch_op.py [--json F]
      [--reps N] [--hops 1|inf ...]

Rows, at B = 4, H = 128, D = 16, per-head gates, tile 16:
  - fwd: y = scan(a, x) (a, x read, y written), hops 1 and inf;
  - fwd time-major: x a [B, N, H, D] tensor seen as [B, H, D, N] (the op
    copies it to [B, H, D, N] first: issue 17 gives it a kernel);
  - bwd: the backward (dx, da from a, x, dy: swr::scan_grad), hops 1 (one
    kernel) and inf (the forward scan, then the backward from its output);
  - bwd from output, hops inf: swr::scan_grad_from_output (dx, da from a,
    the saved y, dy: one kernel), what autograd calls;
each against a copy moving the bytes that row's floor counts. One batch of
every row is checked against the op on the CPU. The host cost: wall time
per call of a tiny scan, eager, with nothing else queued.
"""

import argparse
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, HERE)

B, H, D, TILE = 4, 128, 16, 16
LENGTHS = (4096, 8192, 32768)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json")
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--hops", choices=("1", "inf"), action="append",
                   help="only these windows (default: both)")
    args = p.parse_args()
    import torch
    from bench import time_together
    from swr.torch import scan

    dev = torch.device("cuda")
    l2 = torch.cuda.get_device_properties(dev).L2_cache_size
    rows, results = [], []

    def check(name, got, want):
        err = (got.float().cpu() - want.float().cpu()).abs().max().item()
        scale = want.float().abs().max().item() + 1e-30
        tol = 2e-2 if got.dtype == torch.bfloat16 else 1e-4
        ok = err <= tol * scale
        if not ok:
            print(f"MISMATCH {name}: max error {err:.3g} of scale {scale:.3g}")
        return ok

    for dtype in (torch.bfloat16, torch.float32):
        esize = torch.finfo(dtype).bits // 8
        for n in LENGTHS:
            seq_bytes = B * H * D * n * esize
            gate_bytes = B * H * n * esize
            sets = max(2, math.ceil(4 * l2 / (2 * seq_bytes + gate_bytes)))
            g = torch.Generator(device=dev).manual_seed(n)
            mk = lambda shape: torch.rand(shape, device=dev, generator=g).to(dtype)  # noqa
            data = [(mk((B, H, n)) * 0.5 + 0.5, mk((B, H, D, n)) - 0.5, mk((B, H, D, n)))
                    for _ in range(sets)]
            tm = [mk((B, n, H, D)) for _ in range(sets)]

            def copy_of(nbytes):
                src = [torch.empty(nbytes // 2, dtype=torch.uint8, device=dev)
                       for _ in range(sets)]
                dst = [torch.empty_like(s) for s in src]
                return [lambda s=s, d=d: d.copy_(s) for s, d in zip(src, dst)]

            for hops in (1, math.inf):
                hk = "inf" if hops == math.inf else str(hops)
                if args.hops and hk not in args.hops:
                    continue
                fwd = [lambda a=a, x=x: scan(a, x, tile=TILE, hops=hops) for a, x, _ in data]
                fwd_tm = [lambda a=a, x=x: scan(a, x.permute(0, 2, 3, 1), tile=TILE, hops=hops)
                          for (a, _, _), x in zip(data, tm)]

                hk_int = -1 if hops == math.inf else hops
                bwd = [lambda a=a, x=x, dy=dy: torch.ops.swr.scan_grad(a, x, dy, None, TILE,
                                                                       hk_int)
                       for a, x, dy in data]
                # x stands for the saved y (any values are a valid y).
                bwd_y = [lambda a=a, x=x, dy=dy: torch.ops.swr.scan_grad_from_output(
                    a, x, dy, None, TILE) for a, x, dy in data]
                fwd_bytes = 2 * seq_bytes + gate_bytes
                # a, x (or y), dy read; dx, da written.
                bwd_bytes = 3 * seq_bytes + 2 * gate_bytes
                impls = [fwd, fwd_tm, copy_of(fwd_bytes), bwd, copy_of(bwd_bytes)]
                if hops == math.inf:
                    impls.append(bwd_y)
                timed = time_together(torch, impls, args.reps)
                (t_fwd, _), (t_tm, _), (t_copy, _), (t_bwd, _), (t_bcopy, _) = timed[:5]
                a, x, dy = data[0]
                ok = check("fwd", scan(a[:1], x[:1], tile=TILE, hops=hops)[0],
                           scan(a[:1].cpu(), x[:1].cpu(), tile=TILE, hops=hops)[0])
                ok &= check("fwd time-major", fwd_tm[0]()[:1].cpu(), scan(
                    a[:1].cpu(), tm[0][:1].cpu().permute(0, 2, 3, 1), tile=TILE, hops=hops))
                gd = torch.ops.swr.scan_grad(a[:1], x[:1], dy[:1], None, TILE, hk_int)
                gc = torch.ops.swr.scan_grad(a[:1].cpu(), x[:1].cpu(), dy[:1].cpu(), None, TILE,
                                             hk_int)
                ok &= check("bwd dx", gd[0].cpu(), gc[0]) and check("bwd da", gd[1].cpu(), gc[1])
                measured = [("fwd", t_fwd, t_copy), ("fwd time-major", t_tm, t_copy),
                            ("bwd", t_bwd, t_bcopy)]
                if hops == math.inf:
                    gd = torch.ops.swr.scan_grad_from_output(a[:1], x[:1], dy[:1], None, TILE)
                    gc = torch.ops.swr.scan_grad_from_output(a[:1].cpu(), x[:1].cpu(),
                                                             dy[:1].cpu(), None, TILE)
                    ok &= (check("bwd from output dx", gd[0].cpu(), gc[0])
                           and check("bwd from output da", gd[1].cpu(), gc[1]))
                    measured.append(("bwd from output", timed[5][0], t_bcopy))
                dt = str(dtype).replace("torch.", "")
                for what, t, tc in measured:
                    results.append(dict(dtype=dt, n=n, hops=hk, row=what, us=t, copy_us=tc,
                                        fraction=tc / t, checked=ok))
                    rows.append(f"{dt:9} {n:6} {hk:>4} {what:15} {t:9.1f} {tc:9.1f} "
                                f"{100 * tc / t:6.1f}%  {'ok' if ok else 'WRONG'}")
            del data, tm
            torch.cuda.empty_cache()

    # The host cost of one call: a tiny scan, eager.
    a, x = torch.rand(1, 1, 16, device=dev), torch.rand(1, 1, 16, 16, device=dev)
    host = {}
    calls = {
        "swr.torch.scan": lambda: scan(a, x, tile=16, hops=1),
        "torch.ops.swr.scan": lambda: torch.ops.swr.scan(a, x, None, 16, 1, False),
        "torch.add (reference)": lambda: torch.add(x, x),
    }
    for name, fn in calls.items():
        for _ in range(200):
            fn()
        torch.cuda.synchronize()
        best = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(2000):
                fn()
            best.append((time.perf_counter() - t) / 2000 * 1e6)
            torch.cuda.synchronize()
        host[name] = min(best)

    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(rows=results, host_us=host, device=torch.cuda.get_device_name()), f,
                      indent=1)
    print(f"\nswr.torch.scan on {torch.cuda.get_device_name()}: B={B} H={H} D={D}, per-head "
          f"gates, tile {TILE}; device us per call (median of {args.reps}), copy of the same "
          f"bytes, fraction of copy")
    print(f"{'dtype':9} {'N':>6} {'hops':>4} {'row':15} {'us':>9} {'copy us':>9} {'of copy':>7}")
    print("\n".join(rows))
    print("\nhost time per call (us, eager, tiny problem):")
    for name, us in host.items():
        print(f"  {name:24} {us:6.1f}")


if __name__ == "__main__":
    main()
