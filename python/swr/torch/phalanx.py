"""The Phalanx layer: a sliding window recurrence in place of sliding-window
attention.

For `x: [B, L, dim]`, with `H` heads of `head_dim` channels and `kv_heads`
groups (`H % kv_heads == 0`; head `h` is in group `h // (H / kv_heads)`):

    A  = sigmoid(Linear(dim -> H)(x))                   per-head decay
    Bg = sigmoid(Linear(dim -> kv_heads * head_dim)(x))  input gate
    C  = Linear(dim -> kv_heads * head_dim)(x)           output gate
    V  = Linear(dim -> H * head_dim, no bias)(x)
    y  = scan(A, Bg * V, tile, hops)                     (Bg, C shared by a group)
    out = Linear(H * head_dim -> dim, no bias)(y * C + V)
"""

from typing import NamedTuple, Optional

import torch
from torch import Tensor, nn

from .ops import scan


class PhalanxState(NamedTuple):
    """What a Phalanx layer hands from a prefill to the next chunk or
    decode step: the scan's state, float32 `[B, H, head_dim, hops + 2]`
    (swr.scan_chunk layout 1: the window's register slots and the position
    in the tile; `[B, H, head_dim, 1]` for hops = inf)."""
    scan: Tensor


class Phalanx(nn.Module):
    def __init__(self, dim, heads, head_dim=16, kv_heads=None, *, tile=16, hops=1,
                 context_parallel_group=None, device=None, dtype=None):
        """With `context_parallel_group` (a torch.distributed process group,
        or `swr.torch.distributed.WORLD` for the default one), each rank's
        `x` is its shard of the sequence, in rank order
        (swr.torch.distributed); states are not offered then."""
        super().__init__()
        kv_heads = heads if kv_heads is None else kv_heads
        if heads < 1 or kv_heads < 1 or heads % kv_heads:
            raise ValueError(f"Phalanx: heads ({heads}) must be a positive multiple of "
                             f"kv_heads ({kv_heads})")
        self.dim, self.heads, self.head_dim, self.kv_heads = dim, heads, head_dim, kv_heads
        self.tile, self.hops = tile, hops
        self.context_parallel_group = context_parallel_group
        kw = dict(device=device, dtype=dtype)
        self.decay = nn.Linear(dim, heads, **kw)
        self.input_gate = nn.Linear(dim, kv_heads * head_dim, **kw)
        self.output_gate = nn.Linear(dim, kv_heads * head_dim, **kw)
        self.value = nn.Linear(dim, heads * head_dim, bias=False, **kw)
        self.out = nn.Linear(heads * head_dim, dim, bias=False, **kw)

    def forward(self, x: Tensor, state: Optional[PhalanxState] = None,
                return_state: bool = False):
        """x: [B, L, dim] -> [B, L, dim]; with `state`, continues the
        sequence that state ends; with `return_state`, returns `(out,
        state)`."""
        if x.dim() != 3 or x.shape[-1] != self.dim:
            raise ValueError(f"Phalanx: x must be [B, L, {self.dim}]; got {list(x.shape)}")
        B, L, _ = x.shape
        H, G, hd = self.heads, self.kv_heads, self.head_dim
        a = torch.sigmoid(self.decay(x))                               # [B, L, H]
        bg = torch.sigmoid(self.input_gate(x)).view(B, L, G, 1, hd)
        c = self.output_gate(x).view(B, L, G, 1, hd)
        v = self.value(x).view(B, L, G, H // G, hd)
        # The scan's [B, H, hd, L] and [B, H, L] as views of the projections'
        # [B, L, H, hd] and [B, L, H]: the time-major kernels read them, and
        # write y as [B, L, H, hd], in place (no transposing copy; swr.torch's
        # scan says when a prefill that returns a state copies).
        u = (bg * v).view(B, L, H, hd).permute(0, 2, 3, 1)
        a = a.transpose(1, 2)
        if self.context_parallel_group is not None:
            if state is not None or return_state:
                raise ValueError("Phalanx: states are not offered with context parallelism")
            from . import distributed
            y, s = distributed.scan(a, u, tile=self.tile, hops=self.hops,
                                    group=distributed.group_of(self.context_parallel_group)), None
        else:
            y = scan(a, u, tile=self.tile, hops=self.hops,
                     state=state.scan if state is not None else None,
                     return_state=return_state or state is not None)
            y, s = y if isinstance(y, tuple) else (y, None)
        y = y.permute(0, 3, 1, 2).reshape(B, L, G, H // G, hd)
        out = self.out((y * c + v).reshape(B, L, H * hd))
        if return_state:
            return out, PhalanxState(s)
        return out

    def step(self, x_t: Tensor, state: PhalanxState):
        """One decode step: x_t [B, dim] -> (out_t [B, dim], the next state)."""
        out, state = self.forward(x_t.unsqueeze(1), state, return_state=True)
        return out.squeeze(1), state

    def extra_repr(self):
        return (f"dim={self.dim}, heads={self.heads}, head_dim={self.head_dim}, "
                f"kv_heads={self.kv_heads}, tile={self.tile}, hops={self.hops}")
