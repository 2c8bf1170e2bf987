#!/usr/bin/env python3
"""The backward (swr.scan_grad: dx and da in one pass) on the GPU against the
copy of its bytes, with the forward scan and the forward + backward time.

  backward.py build --out DIR --swr-compile build/bin/swr-compile
      one CUDA and one CPU artifact: `grad_{bf16,f32}_k{1,inf}(a: [B,H,N],
      x, dy: [B,H,D,N], dx: [B,H,D,N], da: [B,H,N])` (for hops = inf
      `from_output`: the forward's output y in place of x), `fwd_{dt}_k{h}(a,
      x, y)` and `rev_{dt}(a, dy, dx)` (the reverse exact scan) (tile 16,
      per-head gates, dynamic shapes, one dtype throughout); each --variant
      LABEL=OPTIONS also compiles backward.LABEL.so with those
      swr-cuda-pipeline options, timed in the same run;
  backward.py run --dir DIR --runtime libswr_runtime.so [--json F]
      at B = 4, H = 128, D = 16, N in {8192, 32768}, bf16 and f32, in one
      process (bench.py's time_together: device time behind a sleeping
      kernel, buffer sets rotated over 4x the L2, median of --reps):
        - grad: the backward; its bytes: a, x (or y), dy read, dx, da
          written;
        - for hops = inf, what the PyTorch op did before swr.scan_grad
          from_output: the reverse scan for dx, then da = sum_d dx * y
          shifted, in PyTorch (`composed`);
        - copy: a device-to-device copy moving the same bytes;
        - fwd: the forward scan (a, x read, y written) and its own copy;
      checks one head of every timed configuration against the CPU
      artifact (itself checked against finite differences of the float64
      reference in CI), and prints a table last; with --once it calls each
      backward once, untimed, for a profiler (bench/profile.sh).
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from swr.twophase import compile_module, main  # noqa: E402
sys.path.insert(0, HERE)

B, H, D, TILE = 4, 128, 16, 16
LENGTHS = (8192, 32768)
DTYPES = ("bf16", "f32")
HOPS = ("1", "inf")
BYTES = {"bf16": 2, "f32": 4}


def module():
    text = ""
    for dt in DTYPES:
        g, seq = f"memref<?x?x?x{dt}>", f"memref<?x?x?x?x{dt}>"
        for k in HOPS:
            form = " from_output" if k == "inf" else ""
            text += (f"func.func @grad_{dt}_k{k}(%a: {g}, %x: {seq}, %dy: {seq}, %dx: {seq}, "
                     f"%da: {g}) {{\n"
                     f"  swr.scan_grad <tile = {TILE}, hops = {k}>{form} "
                     f"ins(%a, %x, %dy : {g}, {seq}, {seq}) outs(%dx, %da : {seq}, {g})\n"
                     f"  return\n}}\n"
                     f"func.func @fwd_{dt}_k{k}(%a: {g}, %x: {seq}, %y: {seq}) {{\n"
                     f"  swr.scan <tile = {TILE}, hops = {k}> ins(%a, %x : {g}, {seq}) "
                     f"outs(%y : {seq})\n  return\n}}\n")
        text += (f"func.func @rev_{dt}(%a: {g}, %dy: {seq}, %dx: {seq}) {{\n"
                 f"  swr.scan <tile = {TILE}, hops = inf> reverse ins(%a, %dy : {g}, {seq}) "
                 f"outs(%dx : {seq})\n  return\n}}\n")
    return text


def build(args):
    compile_module(module(), args.out, "backward", args.swr_compile, [f"cuda:{args.chip}", "cpu"])
    for label, options in args.variant:
        compile_module(module(), args.out, f"backward.{label}", args.swr_compile,
                       [f"cuda:{args.chip}"], options)
    with open(os.path.join(args.out, "variants.json"), "w") as f:
        json.dump(dict(args.variant), f)


def run(args):
    import torch
    from bench import time_together
    from swr.runtime import Runtime, buffer

    rt = Runtime(args.runtime)
    art = rt.load(os.path.join(args.dir, "backward.so"))
    with open(os.path.join(args.dir, "variants.json")) as f:
        labels = list(json.load(f))
    variants = {label: rt.load(os.path.join(args.dir, f"backward.{label}.so")) for label in labels}
    cpu = rt.load(os.path.join(args.dir, "backward.cpu.so"))
    dev = torch.device("cuda")
    rt.set_stream(torch.cuda.current_stream().cuda_stream)
    tdt = {"bf16": torch.bfloat16, "f32": torch.float32}
    l2 = getattr(torch.cuda.get_device_properties(dev), "L2_cache_size", 50 << 20)
    rows = []

    def buf(t, dt):
        return buffer(t.data_ptr(), dt, tuple(t.shape))

    for n, dt, k in ((n, dt, k) for n in LENGTHS for dt in DTYPES for k in HOPS):
        if args.inf_only and k != "inf":
            continue
        e = BYTES[dt]
        grad_bytes = 3 * B * H * D * n * e + 2 * B * H * n * e
        fwd_bytes = 2 * B * H * D * n * e + B * H * n * e
        sets = max(2, -(-4 * l2 // grad_bytes))
        torch.manual_seed(n)
        grads, fwds = [], []
        for _ in range(sets):
            a = torch.rand(B, H, n, device=dev).mul(0.7).add(0.3).to(tdt[dt])
            x = torch.randn(B, H, D, n, device=dev).to(tdt[dt])
            dy = torch.randn(B, H, D, n, device=dev).to(tdt[dt])
            dx, y = torch.empty_like(x), torch.empty_like(x)
            da = torch.empty_like(a)
            grads.append((a, x, dy, dx, da,
                          [buf(a, dt), buf(x, dt), buf(dy, dt), buf(dx, dt), buf(da, dt)]))
            fwds.append([buf(a, dt), buf(x, dt), buf(y, dt)])
        g_fn, f_fn = art[f"grad_{dt}_k{k}"], art[f"fwd_{dt}_k{k}"]
        if args.once:
            g_fn(*grads[0][5])
            torch.cuda.synchronize()
            continue
        src = torch.empty(sets, grad_bytes // 2, dtype=torch.uint8, device=dev)
        dst = torch.empty_like(src)
        fsrc = torch.empty(sets, fwd_bytes // 2, dtype=torch.uint8, device=dev)
        fdst = torch.empty_like(fsrc)
        impls = [[(lambda g=g: g_fn(*g[5])) for g in grads],
                 [(lambda i=i: dst[i].copy_(src[i])) for i in range(sets)],
                 [(lambda f=f: f_fn(*f)) for f in fwds],
                 [(lambda i=i: fdst[i].copy_(fsrc[i])) for i in range(sets)]]
        for label in labels:
            vg, vf = variants[label][f"grad_{dt}_k{k}"], variants[label][f"fwd_{dt}_k{k}"]
            impls += [[(lambda g=g, vg=vg: vg(*g[5])) for g in grads],
                      [(lambda f=f, vf=vf: vf(*f)) for f in fwds]]
        if k == "inf":
            # x stands for the saved y: da = sum_d dx_k * y_{k-1} (y_{-1} = 0).
            rev = art[f"rev_{dt}"]

            def composed(a, y, dy, dx, da, bufs):
                rev(bufs[0], bufs[2], bufs[3])
                da[..., 1:] = (dx[..., 1:].float() * y[..., :-1].float()).sum(2)
                da[..., 0] = 0
            impls.append([(lambda g=g: composed(*g)) for g in grads])
        times = time_together(torch, impls, args.reps)
        (t_grad, h_grad), (t_copy, _), (t_fwd, _), (t_fcopy, _) = times[:4]
        # Check head (0, 0) of the last set against the CPU artifact.
        a, x, dy, dx, da, bufs = grads[-1]
        ha, hx, hdy = (t[:1, :1].contiguous().cpu() for t in (a, x, dy))
        want_dx, want_da = torch.empty_like(hdy), torch.empty_like(ha)
        cpu[f"grad_{dt}_k{k}"](*[buf(t, dt) for t in (ha, hx, hdy, want_dx, want_da)])
        tol = 2e-2 if dt == "bf16" else 1e-4

        def check(fn):
            dx.fill_(float("nan"))
            da.fill_(float("nan"))
            fn(*bufs)
            torch.cuda.synchronize()
            return (torch.allclose(dx[:1, :1].cpu().double(), want_dx.double(), rtol=tol,
                                   atol=tol * want_dx.double().abs().max().item())
                    and torch.allclose(da[:1, :1].cpu().double(), want_da.double(),
                                       rtol=tol,
                                       atol=tol * want_da.double().abs().max().item()))
        runs = [(None, (t_grad, t_fwd), g_fn)] + [
            (label, (times[4 + 2 * i][0], times[5 + 2 * i][0]),
             variants[label][f"grad_{dt}_k{k}"]) for i, label in enumerate(labels)]
        if k == "inf":
            runs.append(("composed", (times[-1][0], t_fwd),
                         lambda *bs: composed(a, x, dy, dx, da, bs)))
        for label, (t_g, t_f), fn in runs:
            ok = check(fn)
            rows.append(dict(N=n, dtype=dt, hops=k, variant=label, grad_us=t_g,
                             copy_us=t_copy,
                             fwd_us=t_f, fwd_copy_us=t_fcopy, grad_bytes=grad_bytes,
                             host_us=h_grad, checked=bool(ok)))
            if not ok:
                print(f"CHECK FAILED: N={n} {dt} hops {k} {label or ''}")
    rt.set_stream(None)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    print(f"{'N':>6} {'hops':>4} {'dtype':>14} {'grad us':>8} {'copy us':>8} {'of copy':>7} "
          f"{'TB/s':>5} {'fwd us':>7} {'fwd of copy':>11} {'fwd+bwd us':>10} ok   (B=4 H=128 "
          f"D=16, tile 16, per head)")
    for r in rows:
        print(f"{r['N']:>6} {r['hops']:>4} "
              f"{r['dtype'] + (' ' + r['variant'] if r['variant'] else ''):>14} "
              f"{r['grad_us']:>8.1f} {r['copy_us']:>8.1f} "
              f"{r['copy_us'] / r['grad_us']:>7.1%} {r['grad_bytes'] / r['grad_us'] / 1e6:>5.2f} "
              f"{r['fwd_us']:>7.1f} {r['fwd_copy_us'] / r['fwd_us']:>11.1%} "
              f"{r['fwd_us'] + r['grad_us']:>10.1f} {'yes' if r['checked'] else 'NO'}")


if __name__ == "__main__":
    main(__doc__, build, run, variants=True,
         run_flags=[("--once", "call each backward once, untimed (for a profiler)"),
                    ("--inf-only", "hops = inf only")])
