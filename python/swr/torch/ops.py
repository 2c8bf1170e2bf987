"""`swr.torch.scan` and the `torch.library` ops under it.

Three custom ops, each with a fake (meta) implementation, run the kernel
library's functions (python/swr/kernels.py) on CPU and CUDA tensors:

  swr::scan(a, x, init?, tile, hops, reverse) -> y
  swr::scan_chunk(a, x, init?, state?, tile, hops) -> (y, state_out)
  swr::scan_grad(a, x, dy, init?, tile, hops) -> (dx, da, dinit)

`hops` is an int, -1 for inf. `swr::scan` and `swr::scan_chunk` have
autograd formulas that call `swr::scan_grad`. Their operands are checked
here, in one place, by the real and the fake implementations alike, so a
bad call fails with one line under `torch.compile` too.
"""

import math
from typing import Optional

import torch
from torch import Tensor

from .. import kernels
from ._library import DTYPE_NAMES, LibraryError, available, library

INF = kernels.INF

def _fail(message, kind=ValueError):
    raise kind(f"swr.torch.scan: {message}")


def _window(tile, hops):
    """(tile, hops as an int with -1 for inf), checked against the library."""
    if isinstance(tile, bool) or not isinstance(tile, int) or tile < 1:
        _fail(f"tile must be an integer >= 1; got {tile!r}")
    if isinstance(hops, float) and math.isinf(hops) and hops > 0:
        hops = INF
    elif isinstance(hops, float) and math.isfinite(hops) and hops == int(hops) and hops >= 0:
        hops = int(hops)
    elif isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        _fail(f"hops must be an integer >= 0 or math.inf; got {hops!r}")
    if tile not in kernels.TILES or hops not in kernels.HOPS:
        _fail(f"no kernels for tile={tile}, hops={kernels.hops_text(hops)}; the kernel library "
              f"has {available()}", LibraryError)
    return tile, hops


def _check(a, x, init=None, state=None, hops=None, dy=None):
    """Checks the operands of the ops (shapes, dtypes, devices)."""
    if x.dim() != 4:
        _fail(f"x must be [B, H, D, N]; got shape {tuple(x.shape)}")
    B, H, D, N = x.shape
    if tuple(a.shape) not in ((B, H, N), (B, H, D, N)):
        _fail(f"a must be [B, H, N] = {[B, H, N]} (per head) or x's shape {[B, H, D, N]} "
              f"(per channel); got {list(a.shape)}")
    named = [("a", a), ("x", x), ("init", init), ("dy", dy)]
    for name, t in named:
        if t is not None and t.dtype not in DTYPE_NAMES:
            _fail(f"{name} has dtype {t.dtype}; supported: float32, bfloat16, float16", TypeError)
    for name, t in named[2:] + [("state", state)]:
        if t is not None and t.device != x.device:
            _fail(f"{name} is on {t.device}, x on {x.device}")
    if a.device != x.device:
        _fail(f"a is on {a.device}, x on {x.device}")
    if a.dtype != x.dtype or (init is not None and init.dtype != x.dtype) or (
            dy is not None and dy.dtype != x.dtype):
        _fail("the ops take one storage dtype for a, x, init and dy (swr.torch.scan casts)",
              TypeError)
    if init is not None and tuple(init.shape) != (B, H, D):
        _fail(f"init must be [B, H, D] = {[B, H, D]}; got {list(init.shape)}")
    if dy is not None and dy.shape != x.shape:
        _fail(f"dy must have x's shape {list(x.shape)}; got {list(dy.shape)}")
    if state is not None:
        if init is not None:
            _fail("init and state are exclusive (a state already holds the start)")
        slots = kernels.state_slots(hops)
        if tuple(state.shape) != (B, H, D, slots) or state.dtype != torch.float32:
            _fail(f"state must be float32 [B, H, D, {slots}] (layout 1 for hops = "
                  f"{kernels.hops_text(hops)}); got {state.dtype} {list(state.shape)}")


def _name(kind, a, x, tile, hops, start="", reverse=False):
    gates = "head" if a.dim() == 3 else "channel"
    return kernels.Config(kind, DTYPE_NAMES[x.dtype], tile, hops, gates, start, reverse).name


def _run(name, x, tensors):
    if x.numel():
        lib = library()
        lib.call(lib.target_of(x.device), name, [t.contiguous() for t in tensors])


def _start(init, state):
    return "init" if init is not None else "state" if state is not None else ""


#===------------------------------------------------------------------------===#
# swr::scan
#===------------------------------------------------------------------------===#

@torch.library.custom_op("swr::scan", mutates_args=())
def _scan(a: Tensor, x: Tensor, init: Optional[Tensor], tile: int, hops: int,
          reverse: bool) -> Tensor:
    _check(a, x, init)
    y = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    ins = [a, x] + ([init] if init is not None else [])
    _run(_name("scan", a, x, tile, hops, _start(init, None), reverse), x, ins + [y])
    return y


@_scan.register_fake
def _scan_fake(a, x, init, tile, hops, reverse):
    _check(a, x, init)
    return x.new_empty(x.shape)


def _scan_setup(ctx, inputs, output):
    a, x, init, tile, hops, reverse = inputs
    ctx.save_for_backward(a, x, init)
    ctx.window = tile, hops, reverse


def _scan_backward(ctx, dy):
    a, x, init = ctx.saved_tensors
    tile, hops, reverse = ctx.window
    if reverse:
        # The adjoint of the reverse scan is the forward scan (same window).
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[2]:
            _fail("gradients of a reverse scan are provided for x only, not for a or init",
                  NotImplementedError)
        return None, torch.ops.swr.scan(a, dy, None, tile, hops, False), None, None, None, None
    dx, da, dinit = torch.ops.swr.scan_grad(a, x, dy, init, tile, hops)
    return da, dx, dinit if init is not None else None, None, None, None


_scan.register_autograd(_scan_backward, setup_context=_scan_setup)


#===------------------------------------------------------------------------===#
# swr::scan_chunk
#===------------------------------------------------------------------------===#

def _empty_state(x, init, hops):
    """The state of an empty sequence (swr.scan_chunk, layout 1)."""
    B, H, D, _ = x.shape
    s = x.new_zeros((B, H, D, kernels.state_slots(hops)), dtype=torch.float32)
    if init is not None:
        if hops == INF:
            s[..., 0] = init
        else:
            s[..., 1:hops + 1] = init.float().unsqueeze(-1)
    return s


@torch.library.custom_op("swr::scan_chunk", mutates_args=())
def _scan_chunk(a: Tensor, x: Tensor, init: Optional[Tensor], state: Optional[Tensor],
                tile: int, hops: int) -> tuple[Tensor, Tensor]:
    _check(a, x, init, state, hops)
    B, H, D, N = x.shape
    y = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    if N == 0:
        return y, state.clone() if state is not None else _empty_state(x, init, hops)
    s = x.new_empty((B, H, D, kernels.state_slots(hops)), dtype=torch.float32)
    if x.device.type == "cuda" and state is None and hops != INF and N > (hops + 1) * tile:
        # A long prefill: the scan kernel writes y, and the state, which
        # depends only on the open tile and the K tiles before it, comes
        # from a chunk over those (tile-aligned, so the same tiles).
        ins = [a, x] + ([init] if init is not None else [])
        _run(_name("scan", a, x, tile, hops, _start(init, None)), x, ins + [y])
        first = tile * (N // tile - hops)
        tail_a, tail_x = a[..., first:], x[..., first:]
        _run(_name("chunk", a, x, tile, hops), x, [tail_a, tail_x, torch.empty_like(tail_x), s])
        return y, s
    ins = [a, x] + [t for t in (init, state) if t is not None]
    _run(_name("chunk", a, x, tile, hops, _start(init, state)), x, ins + [y, s])
    return y, s


@_scan_chunk.register_fake
def _scan_chunk_fake(a, x, init, state, tile, hops):
    _check(a, x, init, state, hops)
    B, H, D, _ = x.shape
    return x.new_empty(x.shape), x.new_empty((B, H, D, kernels.state_slots(hops)),
                                             dtype=torch.float32)


def _chunk_setup(ctx, inputs, output):
    a, x, init, state, tile, hops = inputs
    ctx.save_for_backward(a, x, init, state)
    ctx.window = tile, hops
    if hops != INF:
        # A finite window's state is not differentiable (see scan()).
        ctx.mark_non_differentiable(output[1])


def _chunk_backward(ctx, dy, dstate):
    a, x, init, state = ctx.saved_tensors
    tile, hops = ctx.window
    if hops != INF:
        if state is not None and any(ctx.needs_input_grad[:4]):
            _fail("gradients of a chunk that starts from a state are provided for hops = inf "
                  "only", NotImplementedError)
        dx, da, dinit = torch.ops.swr.scan_grad(a, x, dy, init, tile, hops)
        return da, dx, dinit if init is not None else None, None, None, None
    # hops = inf: the state is y_{N-1} in f32, and a state in acts as h0.
    if dstate is None:
        dstate = x.new_zeros(state.shape if state is not None else (*x.shape[:3], 1),
                             dtype=torch.float32)
    if x.shape[-1] == 0:
        return (torch.zeros_like(a), torch.zeros_like(x),
                dstate[..., 0].to(init.dtype) if init is not None else None,
                dstate if state is not None else None, None, None)
    h0 = state[..., 0] if state is not None else init.float() if init is not None else None
    dy32 = dy.float()
    dy32 = torch.cat([dy32[..., :-1], dy32[..., -1:] + dstate], dim=-1)
    dx, da, dh0 = torch.ops.swr.scan_grad(a.float(), x.float(), dy32, h0, tile, INF)
    return (da.to(a.dtype), dx.to(x.dtype), dh0.to(init.dtype) if init is not None else None,
            dh0.unsqueeze(-1) if state is not None else None, None, None)


_scan_chunk.register_autograd(_chunk_backward, setup_context=_chunk_setup)


#===------------------------------------------------------------------------===#
# swr::scan_grad
#===------------------------------------------------------------------------===#

@torch.library.custom_op("swr::scan_grad", mutates_args=())
def _scan_grad(a: Tensor, x: Tensor, dy: Tensor, init: Optional[Tensor], tile: int,
               hops: int) -> tuple[Tensor, Tensor, Tensor]:
    _check(a, x, init, dy=dy)
    dx, da = torch.empty(x.shape, dtype=x.dtype, device=x.device), torch.empty(
        a.shape, dtype=a.dtype, device=a.device)
    dinit = torch.empty(init.shape if init is not None else (0,), dtype=x.dtype,
                        device=x.device)
    lib = library()
    name = _name("grad", a, x, tile, hops, _start(init, None))
    if x.numel() == 0:
        return dx, da.zero_(), dinit.zero_()
    if lib.has(lib.target_of(x.device), name):
        ins = [a, x, dy] + ([init] if init is not None else [])
        _run(name, x, ins + [dx, da] + ([dinit] if init is not None else []))
    else:
        _grad_from_scans(a, x, dy, init, tile, hops, dx, da, dinit)
    return dx, da, dinit


def _grad_from_scans(a, x, dy, init, tile, hops, dx, da, dinit):
    """swr.scan_grad's formula (its op docs derive it) from forward and
    reverse scans in f32, for the windows without a GPU kernel. With
    z^(j) the reverse scan of dy with j hops and y^(m) the forward scan
    with m hops (y^(m)_{-1} = h0):

        dx = z^(K),  da_k = sum_{j=0}^{K} (z^(j)_k - z^(j-1)_k) S^(K-j)_k,
        S^(m)_k = y^(m)_{k-1}, except at a tile's first position:
                  y^(m-1)_{k-1} (and S^(0)_k = 0),
        dh0 = a_0 z^(K-1)_0 (0 for K = 0),

    summed over a head's channels for per-head gates; for hops = inf,
    da_k = dx_k y_{k-1} and dh0 = a_0 dx_0. 2K + 2 scans (2 for inf)."""
    f = torch.float32
    a32, x32, dy32 = a.to(f), x.to(f), dy.to(f)
    h0 = init.to(f) if init is not None else None
    first = h0.unsqueeze(-1) if h0 is not None else torch.zeros_like(x32[..., :1])
    windows = [INF] if hops == INF else list(range(hops + 1))
    z = [torch.ops.swr.scan(a32, dy32, None, tile, j, True) for j in windows]
    before = [torch.cat([first, torch.ops.swr.scan(a32, x32, h0, tile, m, False)[..., :-1]],
                        dim=-1) for m in windows]  # y^(m)_{k-1}
    if hops == INF:
        grad_a = z[0] * before[0]
    else:
        starts = torch.arange(x.shape[-1], device=x.device) % tile == 0
        grad_a = torch.zeros_like(x32)
        for j in range(hops + 1):
            m = hops - j
            s = torch.where(starts, before[m - 1] if m else 0.0, before[m])
            grad_a += (z[j] - z[j - 1] if j else z[0]) * s
    da.copy_(grad_a.sum(dim=2) if a.dim() == 3 else grad_a)
    dx.copy_(z[-1])
    if init is not None:
        a0 = a32[..., 0].unsqueeze(-1) if a.dim() == 3 else a32[..., 0]
        dinit.copy_(a0 * z[-2 if hops != INF else -1][..., 0] if hops != 0 else 0.0)


@_scan_grad.register_fake
def _scan_grad_fake(a, x, dy, init, tile, hops):
    _check(a, x, init, dy=dy)
    return (x.new_empty(x.shape), a.new_empty(a.shape),
            x.new_empty(init.shape if init is not None else (0,)))


#===------------------------------------------------------------------------===#
# The user's entry point
#===------------------------------------------------------------------------===#

def scan(a, x, *, tile=16, hops=1, init=None, reverse=False, out_dtype=None,
         return_state=False, state=None):
    """The sliding window recurrence of swr (README, "Semantics"):

        y_t = sum_{s = lo(t)}^{t} (prod_{k = s+1}^{t} a_k) x_s

    a: gates [B, H, N] (per head) or [B, H, D, N] (per channel); x: [B, H, D,
    N], any strides (a `[B, N, H, D]` tensor's `.permute(0, 2, 3, 1)`
    works); tile, hops: the window (hops an int or math.inf); init: [B, H,
    D], the state before position 0 (x_{-1}); reverse: the adjoint scan;
    out_dtype: y's dtype (default x's); state / return_state: start from a
    state that an earlier chunk returned, and return the state after the
    last position (`(y, state)`): swr.scan_chunk's layout 1, float32 [B, H,
    D, hops + 2], or [B, H, D, 1] for hops = inf. Decoding is a chunk of one
    position.

    Storage is float32, bfloat16 or float16 and arithmetic float32; when a,
    x, init and out_dtype differ, the scan runs on float32 copies (exact for
    every input) and y is rounded to out_dtype.

    Gradients flow to a, x and init (and, for hops = inf, through the
    states). A finite window's state out is not differentiable (a constant
    to autograd), and a chunk that starts from a finite window's state has
    no gradients; a reverse scan has gradients for x only.
    """
    for name, t in (("a", a), ("x", x), ("init", init), ("state", state)):
        if t is not None and not isinstance(t, Tensor):
            _fail(f"{name} must be a torch.Tensor; got {type(t).__name__}", TypeError)
    tile, hops = _window(tile, hops)
    out_dtype = x.dtype if out_dtype is None else out_dtype
    for name, dt in (("a", a.dtype), ("x", x.dtype), ("out_dtype", out_dtype)) + (
            (("init", init.dtype),) if init is not None else ()):
        if dt not in DTYPE_NAMES:
            _fail(f"{name} has dtype {dt}; supported: float32, bfloat16, float16", TypeError)
    chunked = return_state or state is not None
    if chunked and reverse:
        _fail("states are for forward scans (reverse=True takes none)")
    if not (a.dtype == x.dtype == out_dtype and (init is None or init.dtype == x.dtype)):
        f = torch.float32
        a, x, init = a.to(f), x.to(f), init.to(f) if init is not None else None
    if chunked:
        y, s = torch.ops.swr.scan_chunk(a, x, init, state, tile, hops)
    else:
        y = torch.ops.swr.scan(a, x, init, tile, hops, reverse)
    y = y.to(out_dtype)
    return (y, s) if return_state else y
