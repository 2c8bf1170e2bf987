"""Context parallelism: one sequence split over the ranks of a
`torch.distributed` process group.

Rank r holds positions [p_r, p_r + n_r) of every sequence (its shard: the
last dimension of `a` and `x`), in rank order; shards may have any lengths,
zero included, and need not start on a tile. `scan(a, x, ...)` returns the
rank's shard of what one `swr.torch.scan` of the whole sequence gives, with
gradients:

- finite hops K: positions from p_r on see at most the K tiles before the
  tile of p_r, so the rank receives that halo, positions [T (floor(p_r /
  T) - K), p_r) (at most (K + 1) T - 1 of them), from the ranks that hold
  it, point to point, and scans halo + shard from the halo's first
  position, a tile start (from the sequence's start with `init`); the
  gradients of the halo go back the same way;
- hops = inf: each rank scans its shard from a zero state; one all-gather
  of (the shard's gate product, its last state) per rank gives every rank
  the exact state entering its shard, and a second scan from that state is
  the result. Backward, one all-gather of every rank's gradient of its
  entering state.

The shard lengths are exchanged first (one all-gather of an integer). This
module's exchanges run eagerly: under torch.compile they are graph breaks.
"""

import math

import torch
import torch.distributed as dist

from .ops import INF, _window
from .ops import scan as _scan


#: Phalanx(context_parallel_group=WORLD): the default process group.
WORLD = "world"


def group_of(g):
    return None if g == WORLD else g


def _offsets(n, group, device):
    """(first position of every rank's shard, every shard's length); the
    lengths travel on `device` (the data's: NCCL needs GPU tensors)."""
    world = dist.get_world_size(group)
    lengths = [torch.zeros(1, dtype=torch.int64, device=device) for _ in range(world)]
    dist.all_gather(lengths, torch.tensor([n], dtype=torch.int64, device=device), group=group)
    lengths = [int(t) for t in lengths]
    starts = [sum(lengths[:r]) for r in range(world)]
    return starts, lengths


def _halo_start(start, tile, hops):
    return max(0, tile * (start // tile - hops))


def _transfers(starts, lengths, tile, hops):
    """(src, dst, first, last): positions [first, last) that rank src sends
    to rank dst for dst's halo."""
    out = []
    for dst, p in enumerate(starts):
        lo = _halo_start(p, tile, hops)
        for src in range(dst):
            first, last = max(lo, starts[src]), min(p, starts[src] + lengths[src])
            if first < last:
                out.append((src, dst, first, last))
    return out


def _exchange(sends, recvs, group):
    """Point-to-point: sends [(tensor, peer)], receives into [(tensor,
    peer)], all at once."""
    def global_rank(peer):
        return dist.get_global_rank(group, peer) if group is not None else peer

    ops = [dist.P2POp(dist.isend, t.contiguous(), global_rank(peer), group) for t, peer in sends]
    ops += [dist.P2POp(dist.irecv, t, global_rank(peer), group) for t, peer in recvs]
    if ops:
        for req in dist.batch_isend_irecv(ops):
            req.wait()


class _Halo(torch.autograd.Function):
    """The halo of this rank's shard: forward, the positions it needs from
    earlier ranks (received, concatenated in position order); backward,
    their gradients sent back to their owners, and the gradients of this
    rank's positions that later ranks used, added to its own."""

    @staticmethod
    def forward(ctx, t, rank, start, transfers, group):
        ctx.rank, ctx.start, ctx.transfers, ctx.group = rank, start, transfers, group
        ctx.shape = t.shape
        sends = [(t[..., f - start:l - start], dst) for src, dst, f, l in transfers if src == rank]
        mine = [(src, f, l) for src, dst, f, l in transfers if dst == rank]
        bufs = [t.new_empty(t.shape[:-1] + (l - f,)) for _, f, l in mine]
        _exchange(sends, [(b, src) for b, (src, _, _) in zip(bufs, mine)], group)
        return torch.cat(bufs, -1) if bufs else t.new_empty(t.shape[:-1] + (0,))

    @staticmethod
    def backward(ctx, grad):
        rank, start = ctx.rank, ctx.start
        mine = [(src, f, l) for src, dst, f, l in ctx.transfers if dst == rank]
        sends, offset = [], 0
        for src, f, l in mine:
            sends.append((grad[..., offset:offset + l - f], src))
            offset += l - f
        theirs = [(dst, f, l) for src, dst, f, l in ctx.transfers if src == rank]
        bufs = [grad.new_empty(ctx.shape[:-1] + (l - f,)) for _, f, l in theirs]
        _exchange(sends, [(b, dst) for b, (dst, _, _) in zip(bufs, theirs)], ctx.group)
        out = grad.new_zeros(ctx.shape)
        for b, (_, f, l) in zip(bufs, theirs):
            out[..., f - start:l - start] += b
        return out, None, None, None, None


def _gather(t, group):
    parts = [torch.empty_like(t) for _ in range(dist.get_world_size(group))]
    dist.all_gather(parts, t.contiguous(), group=group)
    return torch.stack(parts)


def _entering_states(lasts, totals):
    """state_r = total_{r-1} state_{r-1} + last_{r-1}, state_0 = 0: the
    exact state entering every shard, from each shard's last state (scanned
    from zero) and gate product."""
    states = [torch.zeros_like(lasts[0])]
    for r in range(len(lasts) - 1):
        states.append(totals[r] * states[r] + lasts[r])
    return torch.stack(states)


class _EnteringState(torch.autograd.Function):
    """The state entering this rank's shard (hops = inf), from one
    all-gather of every rank's (last, total). Backward, one all-gather of
    every rank's gradient, and each rank differentiates the same small
    formula for its own (last, total). Every rank's output depends on it,
    so every rank takes part in both exchanges."""

    @staticmethod
    def forward(ctx, last, total, group):
        lasts, totals = _gather(last, group), _gather(total, group)
        ctx.save_for_backward(lasts, totals)
        ctx.group = group
        return _entering_states(lasts, totals)[dist.get_rank(group)]

    @staticmethod
    def backward(ctx, grad):
        lasts, totals = ctx.saved_tensors
        grads = _gather(grad, ctx.group)
        with torch.enable_grad():
            lasts, totals = lasts.detach().requires_grad_(), totals.detach().requires_grad_()
            states = _entering_states(lasts, totals)
            d_last, d_total = torch.autograd.grad((states * grads).sum(), (lasts, totals),
                                                  allow_unused=True)
        rank = dist.get_rank(ctx.group)
        d_total = d_total[rank] if d_total is not None else torch.zeros_like(totals[rank])
        return d_last[rank], d_total, None


def scan(a, x, *, tile=16, hops=1, init=None, group=None):
    """This rank's shard of `swr.torch.scan(a, x, tile, hops, init)` over
    the sequence that the group's shards form in rank order (module
    docstring). `a`: [B, H, n] or [B, H, D, n], `x`: [B, H, D, n], the
    rank's n positions; `init` [B, H, D] enters at the sequence's start
    (every rank passes the same, or None)."""
    tile, k = _window(tile, hops)
    rank = dist.get_rank(group)
    starts, lengths = _offsets(x.shape[-1], group, x.device)
    start = starts[rank]
    if k == INF:
        # init enters the first non-empty shard (which starts at 0).
        first = next((r for r, n in enumerate(lengths) if n), None)
        return _exact(a, x, tile, init if rank == first else None, group)
    transfers = _transfers(starts, lengths, tile, k)
    halo_a = _Halo.apply(a, rank, start, transfers, group)
    halo_x = _Halo.apply(x, rank, start, transfers, group)
    n_halo = halo_x.shape[-1]
    y = _scan(torch.cat([halo_a, a], -1), torch.cat([halo_x, x], -1), tile=tile, hops=k,
              init=init if start - n_halo == 0 else None)
    return y[..., n_halo:]


def _exact(a, x, tile, init, group):
    """hops = inf; `init` is given to the first non-empty shard only."""
    f = torch.float32
    local = _scan(a, x, tile=tile, hops=math.inf, init=init, out_dtype=f)
    last = local[..., -1] if x.shape[-1] else x.new_zeros(x.shape[:-1], dtype=f)
    total = a.to(f).prod(-1)  # the shard's gate product (1 when empty)
    if a.dim() == 3:
        total = total.unsqueeze(-1).expand(last.shape)
    state = _EnteringState.apply(last, total, group)
    if init is not None:  # the shards before this one are empty
        state = state + init.to(f)
    return _scan(a, x, tile=tile, hops=math.inf, init=state, out_dtype=x.dtype)
