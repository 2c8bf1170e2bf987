#!/usr/bin/env python3
"""A small hybrid language model, Phalanx layers alternating with causal
attention, trained with torch.compile on a synthetic copy task, then decoded
greedily twice: with states (each Phalanx layer's PhalanxState, each
attention layer's KV cache), and by re-running the whole prefill for every
token. The two must give the same tokens.

  python3 examples/train_phalanx.py [--steps 200] [--context 4096] [--device cuda]

The task: each sequence is blocks of `period` random tokens, every block
followed by its copy; a copied token is predictable by looking `period`
positions back (within a Phalanx window, and attention's reach), the others
are not, so the loss falls from ln(V) towards ln(V) / 2.
"""

import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from swr.torch import Phalanx  # noqa: E402


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x, cache=None):
        """x: [B, L, dim]; `cache` (k, v) of the positions before x, or None."""
        B, L, dim = x.shape
        q, k, v = self.qkv(x).view(B, L, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
        if cache is not None:
            assert L == 1, "decoding after a cache takes one position at a time"
            k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
        # Decoding one position after a cache attends to all of it.
        y = F.scaled_dot_product_attention(q, k, v, is_causal=cache is None)
        return self.out(y.transpose(1, 2).reshape(B, L, dim)), (k, v)


class Block(nn.Module):
    def __init__(self, dim, mixer):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.mixer = mixer
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, state=None, with_state=False):
        if isinstance(self.mixer, Phalanx):
            h = self.mixer(self.norm1(x), state=state, return_state=with_state)
        else:
            h = self.mixer(self.norm1(x), cache=state)
            if not with_state:
                h = h[0]
        h, state = h if with_state else (h, None)
        x = x + h
        return x + self.mlp(self.norm2(x)), state


class HybridLM(nn.Module):
    def __init__(self, vocab, max_len, dim=128, layers=4, heads=8):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        # Fixed sinusoidal positions: attention can find relative offsets.
        pos = torch.arange(max_len, dtype=torch.float32)[:, None]
        freq = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(1e4) / dim))
        table = torch.zeros(max_len, dim)
        table[:, 0::2], table[:, 1::2] = torch.sin(pos * freq), torch.cos(pos * freq)
        self.register_buffer("position", table, persistent=False)
        self.blocks = nn.ModuleList(
            Block(dim, Phalanx(dim, heads, dim // heads) if i % 2 == 0 else Attention(dim, heads))
            for i in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, tokens, states=None, with_state=False, offset=0):
        """Logits [B, L, vocab] of tokens at positions offset.. ; with
        `with_state`, also each layer's state after the last position (what
        decoding continues from)."""
        positions = torch.arange(offset, offset + tokens.shape[1], device=tokens.device)
        x = self.embed(tokens) + self.position[positions]
        new = []
        for i, block in enumerate(self.blocks):
            x, s = block(x, states[i] if states is not None else None, with_state)
            new.append(s)
        logits = self.head(self.norm(x))
        return (logits, new) if with_state else logits


def batch(b, context, vocab, device, generator, period=8):
    blocks = torch.randint(0, vocab, (b, context // (2 * period) + 1, 1, period), device=device,
                           generator=generator)
    return blocks.expand(-1, -1, 2, -1).reshape(b, -1)[:, :context]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--context", type=int, default=4096)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--vocab", type=int, default=64)
    p.add_argument("--decode", type=int, default=40, help="tokens to decode greedily")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--backend", default="inductor", help="torch.compile's backend")
    args = p.parse_args()
    dev = torch.device(args.device)
    torch.manual_seed(0)
    model = HybridLM(args.vocab, 2 * args.context).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    compiled = torch.compile(model, fullgraph=True, backend=args.backend)
    explanation = torch._dynamo.explain(model)(batch(1, 64, args.vocab, dev, None))
    print(f"graph breaks: {explanation.graph_break_count}")
    g = torch.Generator(device=dev).manual_seed(1)
    t0, losses = time.perf_counter(), []
    for step in range(args.steps):
        tokens = batch(args.batch, args.context, args.vocab, dev, g)
        logits = compiled(tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, args.vocab), tokens[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % 25 == 0 or step == args.steps - 1:
            print(f"step {step:4d}  loss {loss.item():.4f}  ({time.perf_counter() - t0:.1f} s)")
    print(f"loss: first {losses[0]:.4f}, last {losses[-1]:.4f} (ln V = {math.log(args.vocab):.4f},"
          f" ln V / 2 = {math.log(args.vocab) / 2:.4f})")

    # Greedy decoding: with states against re-running the prefill.
    model.eval()
    with torch.no_grad():
        prompt = batch(2, args.context, args.vocab, dev, g)[:, :args.context // 2 + 8]
        logits, states = model(prompt, with_state=True)
        nxt = logits[:, -1].argmax(-1)
        with_state = [nxt]
        for i in range(args.decode - 1):
            logits, states = model(nxt[:, None], states, with_state=True,
                                   offset=prompt.shape[1] + i)
            nxt = logits[:, -1].argmax(-1)
            with_state.append(nxt)
        seq, rerun = prompt, []
        for _ in range(args.decode):
            nxt = model(seq)[:, -1].argmax(-1)
            rerun.append(nxt)
            seq = torch.cat([seq, nxt[:, None]], 1)
        a, b = torch.stack(with_state, 1), torch.stack(rerun, 1)

    print(f"greedy decoding of {args.decode} tokens x 2 sequences: with states == re-run prefill:"
          f" {bool(torch.equal(a, b))} ({int((a == b).sum())}/{a.numel()} equal); "
          f"tokens: {a[0, :16].tolist()}")
    if not torch.equal(a, b):
        sys.exit(1)


if __name__ == "__main__":
    main()
