#!/usr/bin/env python3
"""The Phalanx layer against the attention layers it replaces, on the GPU,
in one process: forward and forward + backward of one layer of width
dim = 2048, bf16, at B = 4 and 1, L in {4096, 8192, 32768}:

  - phalanx: swr.torch.Phalanx (H = 128 heads of head dim 16, tile 16, hops 1),
    eager and under torch.compile, and its prefill (the forward that also
    returns the state a decoder starts from, no gradient);
  - swa-flex w{32,4096} d{64,128}: sliding-window causal attention with
    FlexAttention (torch.compile'd flex_attention, block mask of the window),
    qkv and output projections included;
  - sdpa causal d128: scaled_dot_product_attention with a causal mask;

and the decode step of one layer at batch 1, 16, 64: Phalanx.step against
SWA decode with a KV cache of the window (SDPA over the cache, window 4096,
head dim 128). Device time per call, median of --reps (CUDA events, after
warm-up); a table printed last.

  SWR_LIB_DIR=build/python/swr/_lib python3 bench/phalanx.py [--json F]
      [--layers phalanx,swa-flex] [--no-decode] [--batches 4,1] [--lengths ...]
"""

import argparse
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

DIM = 2048


def timed(torch, fn, reps):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    out = []
    for _ in range(reps):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        fn()
        e.record()
        e.synchronize()
        out.append(s.elapsed_time(e) * 1e3)
    return statistics.median(out)


def graphed(torch, fn):
    """`fn` captured in a CUDA graph: its replay."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        fn()  # warm-up outside the graph
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        fn()
    return graph.replay


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json")
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--lengths", default="4096,8192,32768")
    p.add_argument("--batches", default="4,1")
    p.add_argument("--layers", default="",
                   help="only the layers whose names contain one of these (comma-separated)")
    p.add_argument("--no-decode", action="store_true")
    args = p.parse_args()
    import torch
    import torch.nn.functional as F
    from torch import nn
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    from swr.torch import Phalanx

    dev, bf16 = torch.device("cuda"), torch.bfloat16
    # One compiled flex_attention per shape and mask: never the eager
    # (dense) fallback that a recompile limit would give.
    torch._dynamo.config.cache_size_limit = 256
    torch._dynamo.config.accumulated_cache_size_limit = 4096
    flex = torch.compile(flex_attention, dynamic=False)

    class Attn(nn.Module):
        def __init__(self, head_dim, window):
            super().__init__()
            self.hd, self.window = head_dim, window
            self.qkv = nn.Linear(DIM, 3 * DIM, bias=False, device=dev, dtype=bf16)
            self.out = nn.Linear(DIM, DIM, bias=False, device=dev, dtype=bf16)
            self.masks = {}

        def forward(self, x):
            B, L, _ = x.shape
            q, k, v = self.qkv(x).view(B, L, 3, DIM // self.hd, self.hd).permute(2, 0, 3, 1, 4)
            if self.window is None:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                if L not in self.masks:
                    w = self.window
                    self.masks[L] = create_block_mask(
                        lambda b, h, qi, ki: (ki <= qi) & (qi - ki < w), None, None, L, L,
                        device=dev)
                y = flex(q, k, v, block_mask=self.masks[L])
            return self.out(y.transpose(1, 2).reshape(B, L, DIM))

    layers = {"phalanx": Phalanx(DIM, 128, 16, device=dev, dtype=bf16)}
    layers["phalanx compiled"] = torch.compile(layers["phalanx"], fullgraph=True)
    for w in (32, 4096):
        for hd in (64, 128):
            layers[f"swa-flex w{w} d{hd}"] = Attn(hd, w)
    layers["sdpa causal d128"] = Attn(128, None)
    wanted = list(filter(None, args.layers.split(",")))
    if wanted:
        layers = {k: v for k, v in layers.items() if any(w in k for w in wanted)}

    results, rows = [], []
    for b in map(int, filter(None, args.batches.split(","))):
        for n in map(int, filter(None, args.lengths.split(","))):
            x = torch.randn(b, n, DIM, device=dev, dtype=bf16)
            gy = torch.randn_like(x)
            for name, layer in layers.items():
                xg = x.clone().requires_grad_()

                def fb():
                    layer(xg).backward(gy)
                with torch.no_grad():
                    f = timed(torch, lambda: layer(x), args.reps)
                    pre = (timed(torch, lambda: layer(x, return_state=True), args.reps)
                           if name.startswith("phalanx") else None)
                fbt = timed(torch, fb, args.reps)
                results.append(dict(layer=name, B=b, L=n, fwd_us=f, fwd_bwd_us=fbt,
                                    prefill_us=pre))
                pre_ms = f"{pre / 1e3:10.3f}" if pre is not None else f"{'-':>10}"
                rows.append(f"{name:20} {b:2} {n:6} {f / 1e3:9.3f} {fbt / 1e3:10.3f} {pre_ms}")
            del x, gy
            torch.cuda.empty_cache()

    # Decode: one step of one layer.
    drows = []
    ph = None if args.no_decode else layers.get("phalanx")
    attn = Attn(128, 4096) if ph is not None else None
    for b in (1, 16, 64) if ph is not None else ():
        with torch.no_grad():
            x = torch.randn(b, 64, DIM, device=dev, dtype=bf16)
            _, st = ph(x, return_state=True)
            xt = torch.randn(b, DIM, device=dev, dtype=bf16)
            t_ph = timed(torch, lambda: ph.step(xt, st), args.reps * 5)
            kc = torch.randn(b, DIM // 128, 4096, 128, device=dev, dtype=bf16)
            vc = torch.randn_like(kc)

            def swa_step():
                q, k, v = attn.qkv(xt[:, None]).view(b, 1, 3, DIM // 128, 128).permute(
                    2, 0, 3, 1, 4)
                kc[:, :, :1].copy_(k)  # the ring buffer's write
                vc[:, :, :1].copy_(v)
                y = F.scaled_dot_product_attention(q, kc, vc)
                return attn.out(y.transpose(1, 2).reshape(b, 1, DIM))
            t_swa = timed(torch, swa_step, args.reps * 5)
            t_ph_graph = timed(torch, graphed(torch, lambda: ph.step(xt, st)), args.reps * 5)
            t_swa_graph = timed(torch, graphed(torch, swa_step), args.reps * 5)
        results.append(dict(decode_batch=b, phalanx_step_us=t_ph, swa_w4096_d128_step_us=t_swa,
                            phalanx_step_graph_us=t_ph_graph, swa_step_graph_us=t_swa_graph))
        drows.append(f"{b:5} {t_ph:12.1f} {t_swa:12.1f} {t_ph_graph:12.1f} {t_swa_graph:12.1f}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(device=torch.cuda.get_device_name(), results=results), f, indent=1)
    print(f"\nOne layer, dim {DIM}, bf16, on {torch.cuda.get_device_name()} (ms, median of "
          f"{args.reps})")
    print(f"{'layer':20} {'B':>2} {'L':>6} {'fwd ms':>9} {'fwd+bwd ms':>10} {'prefill ms':>10}")
    print("\n".join(rows))
    if drows:
        print("\nDecode step of one layer (us): Phalanx.step and SWA (window 4096, head dim 128, "
              "KV cache), eager and replayed as a CUDA graph")
        print(f"{'batch':>5} {'phalanx':>12} {'swa':>12} {'phalanx graph':>12} {'swa graph':>12}")
        print("\n".join(drows))


if __name__ == "__main__":
    main()
