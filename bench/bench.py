#!/usr/bin/env python3
"""SWR on the GPU against the copy floor and the alternatives.

Two phases, so that compiling (swr-compile: this machine) and measuring (a
GPU with PyTorch and Triton: the device) can happen on different machines:

  bench.py build --out DIR --swr-compile build/bin/swr-compile
      one artifact per configuration (static shapes, memref form
      `scan(a: [B,H,N] or [B,H,D,N], x: [B,H,D,N], y: [B,H,D,N])`, a, x, y
      of one dtype) and DIR/configs.json; each --variant LABEL=OPTIONS also
      compiles every shape at tile 16 with those swr-cuda-pipeline options,
      timed as "swr ... [LABEL]" (a variant whose artifact is the default's,
      byte for byte, is marked so: the two times then show the spread);
  bench.py run --dir DIR --runtime libswr_runtime.so [--json F] [--png F]
      for every shape (B in {1, 4}, H = 128, D = 16, N in {4096, 8192,
      32768}), dtype (bf16, f32) and gate layout (per head: a is [B, H, N],
      the Phalanx case; per channel: [B, H, D, N]), in one process (the
      --json file rewritten after every shape, "complete" once all ran),
      times with CUDA events
      (median of --reps measurements, each of at least 8 back-to-back calls
      on rotating buffer sets that together are 4x the L2: steady state,
      where each call writes back what the previous one left in L2 and
      finds none of its inputs there; queued behind a sleeping kernel so
      that the device time excludes the host's, which is reported apart as
      host us per call; the copy and our kernels are measured round-robin,
      one measurement of each per round, and each alternative round-robin
      with the copy again, its fraction taken of that copy; --batch,
      --gates, --dtype and --length limit the shapes, e.g. to one for a
      profiler):
        - copy: a device-to-device copy moving the same bytes as the scan
          (reads (a + x + y) / 2 bytes and writes as many), the floor;
        - swr: our kernels, hops 1 at tiles 16, 32, 64 and hops inf; at
          tile 16 also on the time-major layout ("time-major": a, x, y
          dense [B, N, H(, D)], what linear projections produce, seen by
          the scan through transposed views);
        - torch: the same SWR (hops 1, tile 16) in PyTorch, eager and under
          torch.compile, and the exact recurrence in eager PyTorch (tiles of
          64, sequential carries);
        - triton: the exact recurrence as a Triton tl.associative_scan kernel;
        - flex: sliding-window attention (window 32, causal) with
          torch.nn.attention.flex_attention at head dims 16 and 64, on
          q, k, v of [B, H, N, head dim] (what a Phalanx layer replaces;
          bf16, listed with the per-head rows);
      checks every timed scan against float64 (a subset of rows, all
      positions), and writes JSON, a PNG (GB/s and fraction of the copy
      against N) and a table, printed last.

GB/s is the scan's bytes (a + x + y) over the time, for every
implementation (for FlexAttention: the bytes of the SWR layer it replaces).
Fraction of copy = copy time / time.
"""

import argparse
import filecmp
import json
import math
import os
import statistics
import subprocess
import sys
import time

H, D = 128, 16
SHAPES = [(b, n) for b in (1, 4) for n in (4096, 8192, 32768)]
DTYPES = ("bf16", "f32")
GATES = ("head", "channel")
WINDOWS = [(1, 16), (1, 32), (1, 64), ("inf", 16)]
BYTES = {"bf16": 2, "f32": 4}

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from swr.twophase import scan_module, variant  # noqa: E402


def name_of(dtype, gates, b, n, hops, tile, layout="head-major"):
    tm = "_tm" if layout == "time-major" else ""
    return f"{dtype}_{gates}_b{b}_n{n}_k{hops}_t{tile}{tm}"


def module_for(dtype, gates, b, n, hops, tile, layout="head-major"):
    """`scan(a, x, y)` of one dtype; time-major: the arguments are dense
    [B, N, H(, D)] and the scan sees them through transposed views."""
    return scan_module((b, H, D, n), tile=tile, hops=hops, x=dtype,
                       per_channel=gates == "channel", time_major=layout == "time-major")


def build(args):
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()
    configs = []
    variants = args.variant

    def compile_one(src, out, options):
        cmd = [args.swr_compile, src, f"--target=cuda:{args.chip}", "-o", out]
        if options:
            cmd.append(f"--pipeline-options={options}")
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            sys.exit(f"error: {' '.join(cmd)}:\n{r.stderr}")

    def add_variants(base, src):
        """Compiles `src` with each --variant's options beside the default
        artifact of `base` (a config); a variant whose artifact is byte for
        byte the default's is marked `same_as` it: the two are one kernel,
        and how far apart they time is the spread of the measurement."""
        for label, options in variants:
            vname = f"{base['name']}.{label}"
            vpath = os.path.join(args.out, vname + ".so")
            compile_one(src, vpath, " ".join(filter(None, [args.pipeline_options, options])))
            same = filecmp.cmp(os.path.join(args.out, base["name"] + ".so"), vpath,
                               shallow=False)
            configs.append(dict(base, name=vname, variant=label,
                                **({"same_as": base["name"]} if same else {})))

    for dtype, gates in ((d, g) for d in DTYPES for g in GATES):
        for b, n in SHAPES:
            for hops, tile in WINDOWS:
                if args.hops and str(hops) not in args.hops:
                    continue
                name = name_of(dtype, gates, b, n, hops, tile)
                path = os.path.join(args.out, name)
                with open(path + ".mlir", "w") as f:
                    f.write(module_for(dtype, gates, b, n, hops, tile))
                compile_one(path + ".mlir", path + ".so", args.pipeline_options)
                configs.append(dict(name=name, dtype=dtype, gates=gates, B=b, N=n, hops=hops,
                                    tile=tile))
                # Mapping variants (--variant LABEL=OPTIONS) and the
                # time-major layout ([B, N, H, D] seen as [B, H, D, N]), with
                # its variants, at tile 16.
                if tile == 16:
                    add_variants(configs[-1], path + ".mlir")
                    tname = name_of(dtype, gates, b, n, hops, tile, "time-major")
                    tpath = os.path.join(args.out, tname)
                    with open(tpath + ".mlir", "w") as f:
                        f.write(module_for(dtype, gates, b, n, hops, tile, "time-major"))
                    compile_one(tpath + ".mlir", tpath + ".so", args.pipeline_options)
                    configs.append(dict(name=tname, dtype=dtype, gates=gates, B=b, N=n,
                                        hops=hops, tile=tile, layout="time-major"))
                    add_variants(configs[-1], tpath + ".mlir")
    with open(os.path.join(args.out, "configs.json"), "w") as f:
        json.dump(dict(H=H, D=D, configs=configs, pipeline_options=args.pipeline_options), f,
                  indent=1)
    print(f"built {len(configs)} artifacts in {time.time() - t0:.1f} s under {args.out}")


# ---------------------------------------------------------------------------
# Device side
# ---------------------------------------------------------------------------

def torch_swr(a, x, tile, out_dtype):
    """SWR with hops 1 in PyTorch (f32 arithmetic): tile-local scans from
    zero, then each tile adds its gate prefix times the previous tile's
    final local state. a: [B, H, N] or [B, H, D, N], x: [B, H, D, N]."""
    import torch
    b, h, d, n = x.shape
    m = -(-n // tile)
    pad = m * tile - n
    af = torch.nn.functional.pad(a.float(), (0, pad), value=1.0).reshape(
        b, h, -1 if a.dim() == 4 else 1, m, tile)
    xf = torch.nn.functional.pad(x.float(), (0, pad)).reshape(b, h, d, m, tile)
    v = torch.zeros_like(xf[..., 0])
    g = torch.ones_like(af[..., 0])
    vs, gs = [], []
    for t in range(tile):
        v = af[..., t] * v + xf[..., t]
        g = g * af[..., t]
        vs.append(v)
        gs.append(g)
    v = torch.stack(vs, -1)
    g = torch.stack(gs, -1)
    carry = torch.nn.functional.pad(v[..., :-1, -1], (1, 0))  # previous tile's last state
    y = v + g * carry[..., None]
    return y.reshape(b, h, d, m * tile)[..., :n].to(out_dtype)


def torch_exact(a, x, out_dtype, chunk=64):
    """The exact recurrence in eager PyTorch: chunk-local scans, then the
    carries chunk after chunk."""
    import torch
    b, h, d, n = x.shape
    m = -(-n // chunk)
    pad = m * chunk - n
    af = torch.nn.functional.pad(a.float(), (0, pad), value=1.0).reshape(
        b, h, -1 if a.dim() == 4 else 1, m, chunk)
    xf = torch.nn.functional.pad(x.float(), (0, pad)).reshape(b, h, d, m, chunk)
    v = torch.empty_like(xf)
    g = torch.empty_like(af)
    cur_v = torch.zeros_like(xf[..., 0])
    cur_g = torch.ones_like(af[..., 0])
    for t in range(chunk):
        cur_v = af[..., t] * cur_v + xf[..., t]
        cur_g = cur_g * af[..., t]
        v[..., t] = cur_v
        g[..., t] = cur_g
    carry = torch.zeros_like(v[..., 0])
    for c in range(1, m):
        carry[..., c] = v[..., c - 1, -1] + g[..., c - 1, -1] * carry[..., c - 1]
    y = v + g * carry[..., None]
    return y.reshape(b, h, d, m * chunk)[..., :n].to(out_dtype)


def triton_exact(triton, tl):
    @triton.jit
    def combine(a1, x1, a2, x2):
        return a1 * a2, a2 * x1 + x2

    @triton.jit
    def kernel(a_ptr, x_ptr, y_ptr, N, D, BLOCK: tl.constexpr, PER_CHANNEL: tl.constexpr):
        row = tl.program_id(0).to(tl.int64)
        bh = row if PER_CHANNEL else row // D
        carry = 0.0
        for start in range(0, N, BLOCK):
            offs = start + tl.arange(0, BLOCK)
            mask = offs < N
            a = tl.load(a_ptr + bh * N + offs, mask=mask, other=1.0).to(tl.float32)
            x = tl.load(x_ptr + row * N + offs, mask=mask, other=0.0).to(tl.float32)
            ga, gx = tl.associative_scan((a, x), 0, combine)
            y = gx + ga * carry
            tl.store(y_ptr + row * N + offs, y.to(y_ptr.dtype.element_ty), mask=mask)
            carry = tl.sum(tl.where(tl.arange(0, BLOCK) == BLOCK - 1, y, 0.0))

    def run(a, x, y):
        b, h, d, n = x.shape
        kernel[(b * h * d,)](a, x, y, n, d, BLOCK=1024, num_warps=4,
                             PER_CHANNEL=a.dim() == 4)

    return run


def time_together(torch, impls, reps):
    """Median time per call of each implementation, in steady state:
    `impls` is a list of lists of callables, one per buffer set; each
    measurement queues `calls` back-to-back calls (cycling through the
    sets) between two events, so every call pays for the write-back of
    the previous one's output as it would in a model, and no call finds
    its inputs in L2 (the sets together are 4x the L2). The events and
    calls are queued behind a sleeping kernel long enough for the host
    to queue them all, so that the time is the device's alone, not the
    host's cost of a call (returned separately: median host time per
    call while queueing). Implementations are measured round-robin, one
    measurement of each per round, so that slow phases of the device
    affect all alike. Returns [(device us, host us)] per implementation."""
    calls = max(8, max(len(fns) for fns in impls))
    host_guess = []
    for fns in impls:
        fns[0]()  # warm-up (and compilation)
        torch.cuda.synchronize()
        t = time.perf_counter()
        for fn in fns:
            fn()
        host_guess.append((time.perf_counter() - t) / len(fns))
    torch.cuda.synchronize()
    times = [[] for _ in impls]
    host = [[] for _ in impls]
    for _ in range(reps):
        for i, fns in enumerate(impls):
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            # Twice or more the host time the calls took, at clocks up
            # to 2 GHz.
            torch.cuda._sleep(int(4e9 * host_guess[i] * calls) + 20000)
            start.record()
            t = time.perf_counter()
            for k in range(calls):
                fns[k % len(fns)]()
            host[i].append((time.perf_counter() - t) * 1e6 / calls)
            end.record()
            end.synchronize()
            times[i].append(start.elapsed_time(end) * 1e3 / calls)
    return [(statistics.median(t), statistics.median(h)) for t, h in zip(times, host)]


def run(args):
    import numpy as np
    import torch
    from swr.cpu_runner import check_close
    from swr.reference import exact_rows, window_rows
    from swr.runtime import Runtime, buffer

    with open(os.path.join(args.dir, "configs.json")) as f:
        setup = json.load(f)
    runtime = Runtime(args.runtime)
    dev = torch.device("cuda")
    # Every shape compiles its own torch.compile and FlexAttention kernels;
    # past dynamo's default limit of 8 it would silently run them eagerly.
    torch._dynamo.config.recompile_limit = 1000
    torch._dynamo.config.accumulated_recompile_limit = 10000
    tdt = {"bf16": torch.bfloat16, "f32": torch.float32}
    torch.manual_seed(0)

    try:
        import triton
        import triton.language as tl
        triton_run = triton_exact(triton, tl)
    except Exception as e:  # noqa: BLE001 - report and go on without it
        print(f"note: no Triton ({e})")
        triton_run = None
    try:
        from torch.nn.attention.flex_attention import create_block_mask, flex_attention
        flex = torch.compile(flex_attention, dynamic=False)
    except Exception as e:  # noqa: BLE001
        print(f"note: no FlexAttention ({e})")
        flex = None
    compiled_swr = torch.compile(torch_swr, dynamic=False)

    stream = torch.cuda.current_stream()
    l2_bytes = getattr(torch.cuda.get_device_properties(dev), "L2_cache_size", 50 << 20)

    def timed_together(impls, reps=args.reps):
        return time_together(torch, impls, reps)

    rows = []

    def save_json(complete):
        """The rows so far, after every shape too (`complete` false), so
        that a run cut short (a device's time limit) leaves what it
        measured."""
        if args.json:
            with open(args.json, "w") as f:
                json.dump(dict(device=torch.cuda.get_device_name(), complete=complete,
                               rows=rows), f, indent=1)

    def check(y, a64, x64, sel, hops, tile, dtype):
        got = y.reshape(-1, y.shape[-1])[sel].double().cpu().numpy()
        if hops == "inf":
            ref, scale = exact_rows(a64, x64), exact_rows(np.abs(a64), np.abs(x64))
        else:
            ref = window_rows(a64, x64, tile, hops)
            scale = window_rows(np.abs(a64), np.abs(x64), tile, hops)
        return check_close(got, ref, scale, dtype)

    runtime.set_stream(stream.cuda_stream)
    for dtype, gates in ((d, g) for d in DTYPES for g in GATES):
        if gates not in args.gates or dtype not in args.dtype:
            continue
        for b, n in SHAPES:
            if b not in args.batch or n not in args.length:
                continue
            t0 = time.time()
            a_shape = (b, H, n) if gates == "head" else (b, H, D, n)
            nbytes = (math.prod(a_shape) + 2 * b * H * D * n) * BYTES[dtype]
            nsets = -(-4 * l2_bytes // nbytes)
            sets = []
            for _ in range(nsets):
                a = torch.rand(a_shape, device=dev).clamp_(1e-3, 1 - 1e-3).to(tdt[dtype])
                x = (torch.rand((b, H, D, n), device=dev) * 2 - 1).to(tdt[dtype])
                sets.append((a, x, torch.empty_like(x)))
            a_t, x_t, y_t = sets[0]
            copies = [(torch.empty(nbytes // 2, dtype=torch.uint8, device=dev),
                       torch.empty(nbytes // 2, dtype=torch.uint8, device=dev))
                      for _ in range(nsets)]
            # A subset of rows for the float64 checks.
            sel = np.unique(np.linspace(0, b * H * D - 1, 48).astype(np.int64))
            x64 = x_t.reshape(-1, n)[sel].double().cpu().numpy()
            a_rows = a_t if gates == "channel" else a_t[:, :, None, :].expand(b, H, D, n)
            a64 = a_rows.reshape(-1, n)[sel].double().cpu().numpy()

            def record(impl, times, ok=None, summary="", copy_us=None, **kw):
                us, host_us = times
                copy_us = copy_us or t_copy
                rows.append(dict(impl=impl, dtype=dtype, gates=gates, B=b, H=H, D=D, N=n, time_us=us,
                                 host_us=host_us, copy_us=copy_us, frac_copy=copy_us / us,
                                 gbps=nbytes / us / 1e3, ok=ok, check=summary, **kw))

            copy_fns = [lambda src=src, dst=dst: dst.copy_(src) for src, dst in copies]

            def with_copy(impl, fns, ok=None, summary="", reps=args.reps):
                """Times `fns` round-robin with the copy and records it as a
                fraction of that copy (so a slow phase of the device between
                our kernels' rounds and an alternative's does not move it)."""
                copy, measured = timed_together([copy_fns, fns], reps=reps)
                record(impl, measured, ok, summary, copy_us=copy[0])

            # Our kernels, each checked against float64 first, then timed
            # together with the copy.
            kernels = []
            tm_sets = []
            for c in setup["configs"]:
                if (c["dtype"], c.get("gates", "head"), c["B"], c["N"]) != (dtype, gates, b, n):
                    continue
                if c.get("layout", "head-major") not in args.layout:
                    continue
                fn = runtime.load(os.path.join(args.dir, c["name"] + ".so"))["scan"]
                time_major = c.get("layout") == "time-major"
                if time_major and not tm_sets:
                    tm_sets.extend((a.movedim(2, 1).contiguous() if gates == "head"
                                    else a.permute(0, 3, 1, 2).contiguous(),
                                    x.permute(0, 3, 1, 2).contiguous(),
                                    torch.empty((b, n, H, D), dtype=x.dtype, device=dev))
                                   for a, x, _ in sets)
                bufsets = tm_sets if time_major else sets
                calls = [lambda fn=fn, bufs=[buffer(t.data_ptr(), dtype, t.shape) for t in ts]:
                         fn(*bufs) for ts in bufsets]
                y_out = bufsets[0][2]
                y_out.fill_(float("nan"))
                calls[0]()
                torch.cuda.synchronize()
                y_rows = y_out.permute(0, 2, 3, 1) if time_major else y_out
                ok, summary = check(y_rows, a64, x64, sel, c["hops"], c["tile"], dtype)
                kernels.append((c, calls, ok, summary))
            times = timed_together([copy_fns] + [k[1] for k in kernels])
            t_copy = times[0][0]
            record("copy", times[0])
            for (c, _, ok, summary), us in zip(kernels, times[1:]):
                variant = f" [{c['variant']}]" if c.get("variant") else ""
                variant += " time-major" if c.get("layout") == "time-major" else ""
                record(f"swr k={c['hops']} t={c['tile']}{variant}", us, ok, summary,
                       hops=c["hops"], tile=c["tile"], variant=c.get("variant"),
                       layout=c.get("layout", "head-major"), same_as=c.get("same_as"))
            if not args.no_alternatives:
                for impl, fn, hops in (
                        ("torch eager k=1 t=16", lambda a, x: torch_swr(a, x, 16, x.dtype), 1),
                        ("torch.compile k=1 t=16",
                         lambda a, x: compiled_swr(a, x, 16, x.dtype), 1),
                        ("torch eager k=inf", lambda a, x: torch_exact(a, x, x.dtype), "inf")):
                    out = fn(a_t, x_t)
                    ok, summary = check(out, a64, x64, sel, hops, 16, dtype)
                    del out
                    with_copy(impl, [lambda a=a, x=x, fn=fn: fn(a, x) for a, x, _ in sets], ok,
                              summary, reps=max(3, args.reps // 5) if "eager" in impl
                              else args.reps)
                if triton_run:
                    y_t.fill_(float("nan"))
                    triton_run(a_t, x_t, y_t)
                    ok, summary = check(y_t, a64, x64, sel, "inf", 16, dtype)
                    with_copy("triton scan k=inf", [lambda s=s: triton_run(*s) for s in sets], ok,
                              summary)
                if flex and dtype == "bf16" and gates == "head":
                    mask = create_block_mask(lambda bb, hh, q, kv: (q >= kv) & (q - kv < 32),
                                             B=None, H=None, Q_LEN=n, KV_LEN=n, device=dev)
                    for hd in (16, 64):
                        qkv = [[torch.randn(b, H, n, hd, device=dev, dtype=torch.bfloat16)
                                for _ in range(3)] for _ in range(nsets)]
                        with_copy(f"flex window 32 hd={hd}",
                                  [lambda q=q, k=k, v=v: flex(q, k, v, block_mask=mask)
                                   for q, k, v in qkv])
                        del qkv
            print(f"{dtype} per {gates} B={b} N={n}: done in {time.time() - t0:.1f} s", flush=True)
            save_json(complete=False)
            del a_t, x_t, y_t, sets, tm_sets, copies, kernels
            torch.cuda.empty_cache()
    runtime.set_stream(None)
    launches = runtime.dependent_launch_summary()
    if launches:
        print(launches)

    save_json(complete=True)
    if args.png:
        plot(rows, args.png)
    print_table(rows)
    bad = [r for r in rows if r["ok"] is False]
    for r in bad:
        print(f"MISMATCH {r['impl']} {r['dtype']} per {r.get('gates', 'head')} B={r['B']} N={r['N']}: "
              f"{r['check']}")
    sys.exit(1 if bad else 0)


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("note: no matplotlib, no plot")
        return
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    for col, dtype in enumerate(DTYPES):
        for impl in dict.fromkeys(r["impl"] for r in rows if r["dtype"] == dtype):
            pts = sorted((r["N"], r["gbps"], r["frac_copy"]) for r in rows
                         if r["impl"] == impl and r["dtype"] == dtype and r["B"] == 4
                         and r.get("gates", "head") == "head"
                         and r.get("layout", "head-major") == "head-major"
                         and not r.get("variant"))
            if not pts:
                continue
            ns, gb, fr = zip(*pts)
            style = "-" if impl.startswith(("swr", "copy")) else "--"
            axes[0][col].plot(ns, gb, style, marker="o", label=impl)
            axes[1][col].plot(ns, fr, style, marker="o", label=impl)
        axes[0][col].set_title(f"{dtype}, per head, B=4, H={H}, D={D}: GB/s (scan bytes / time)")
        axes[1][col].set_title(f"{dtype}: fraction of a copy of the same bytes")
        for ax in (axes[0][col], axes[1][col]):
            ax.set_xscale("log", base=2)
            ax.set_xlabel("N")
            ax.grid(True, alpha=0.3)
        axes[1][col].set_yscale("log")
    axes[0][1].legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}")


def print_table(rows):
    print(f"\n{'dtype':<5} {'gates':<7} {'B':>1} {'N':>6}  {'implementation':<24} {'us':>9} {'GB/s':>7} "
          f"{'of copy':>8} {'host us':>8}  check")
    for r in rows:
        check = "" if r["ok"] is None else ("ok" if r["ok"] else "FAIL")
        if r.get("same_as"):
            check += " (the default's artifact)"
        print(f"{r['dtype']:<5} {r.get('gates', 'head'):<7} {r['B']:>1} {r['N']:>6}  {r['impl']:<24} {r['time_us']:>9.1f} "
              f"{r['gbps']:>7.0f} {100 * r['frac_copy']:>7.1f}% {r['host_us']:>8.1f}  {check}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    pb = sub.add_parser("build")
    pb.add_argument("--out", required=True)
    pb.add_argument("--swr-compile", required=True)
    pb.add_argument("--chip", default="sm_90a")
    pb.add_argument("--pipeline-options", default="")
    pb.add_argument("--variant", action="append", default=[], metavar="LABEL=OPTIONS",
                    type=variant,
                    help="also build every shape at tile 16 with these swr-cuda-pipeline options")
    pb.add_argument("--hops", action="append", choices=("1", "inf"),
                    help="only these windows (repeatable; default: all)")
    pr = sub.add_parser("run")
    pr.add_argument("--dir", required=True)
    pr.add_argument("--runtime", required=True)
    pr.add_argument("--json")
    pr.add_argument("--png")
    pr.add_argument("--reps", type=int, default=30)
    pr.add_argument("--no-alternatives", action="store_true", help="only the copy and swr")
    pr.add_argument("--batch", type=int, action="append", choices=(1, 4),
                    help="only these batch sizes (default: both)")
    pr.add_argument("--layout", action="append", choices=("head-major", "time-major"),
                    help="only our kernels on this layout (repeatable; default both)")
    pr.add_argument("--gates", action="append", choices=GATES,
                    help="only these gate layouts (default: both)")
    pr.add_argument("--dtype", action="append", choices=DTYPES,
                    help="only these element types (default: both)")
    pr.add_argument("--length", type=int, action="append",
                    help="only these sequence lengths N (default: all)")
    args = p.parse_args()
    if args.cmd == "run" and not args.batch:
        args.batch = [1, 4]
    if args.cmd == "run" and not args.gates:
        args.gates = list(GATES)
    if args.cmd == "run" and not args.dtype:
        args.dtype = list(DTYPES)
    if args.cmd == "run" and not args.length:
        args.length = sorted({n for _, n in SHAPES})
    if args.cmd == "run" and not args.layout:
        args.layout = ["head-major", "time-major"]
    build(args) if args.cmd == "build" else run(args)


if __name__ == "__main__":
    main()
