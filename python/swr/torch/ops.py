"""`swr.torch.scan`, and the Python half of the `torch.library` ops under it.

libswr_torch_ops.so (python/csrc/TorchOps.cpp) defines the ops, their CPU
and CUDA kernels (the kernel library's functions, python/swr/kernels.py) and
their autograd formulas:

  swr::scan(a, x, init?, tile, hops, reverse) -> y
  swr::scan_chunk(a, x, init?, state?, tile, hops) -> (y, state_out)
  swr::scan_grad(a, x, dy, init?, tile, hops) -> (dx, da, dinit)
  swr::scan_grad_from_output(a, y, dy, init?, tile) -> (dx, da, dinit)
      (hops = inf, from the forward's output y: what autograd calls)

(`hops` an int, -1 for inf). Here: their fake (meta) kernels, and the
checks of their operands, in one place, run by the fake kernels and by
`scan`, so that a bad call fails with one line, under `torch.compile` too.
"""

import torch
from torch import Tensor

from .. import kernels
from ._library import DTYPE_NAMES, load

INF = kernels.INF

load()


def _fail(message, kind=ValueError):
    raise kind(f"swr.torch.scan: {message}")


def _window(tile, hops):
    return kernels.window(tile, hops, "swr.torch.scan")


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


#===------------------------------------------------------------------------===#
# Fake kernels: shapes and checks
#===------------------------------------------------------------------------===#

def _time_major(x, reverse):
    """Whether a forward scan of `x` runs time-major (python/csrc/TorchOps.cpp's
    `timeMajor`, the rule the kernel follows): `x` is not contiguous but the
    [B, H, D, N] view of a dense [B, N, H, D] tensor; y then has x's strides."""
    return not reverse and not x.is_contiguous() and x.permute(0, 3, 1, 2).is_contiguous()


def _new_y(x, reverse=False):
    """y of scan and scan_chunk: in x's layout where it is time-major."""
    if _time_major(x, reverse):
        B, H, D, N = x.shape
        return x.new_empty((B, N, H, D)).permute(0, 2, 3, 1)
    return x.new_empty(x.shape)


@torch.library.register_fake("swr::scan")
def _scan_fake(a, x, init, tile, hops, reverse):
    _check(a, x, init)
    return _new_y(x, reverse)


@torch.library.register_fake("swr::scan_chunk")
def _scan_chunk_fake(a, x, init, state, tile, hops):
    _check(a, x, init, state, hops)
    B, H, D, _ = x.shape
    return _new_y(x), x.new_empty((B, H, D, kernels.state_slots(hops)), dtype=torch.float32)


@torch.library.register_fake("swr::scan_grad")
def _scan_grad_fake(a, x, dy, init, tile, hops):
    _check(a, x, init, dy=dy)
    return (x.new_empty(x.shape), a.new_empty(a.shape),
            x.new_empty(init.shape if init is not None else (0,)))


@torch.library.register_fake("swr::scan_grad_from_output")
def _scan_grad_from_output_fake(a, y, dy, init, tile):
    return _scan_grad_fake(a, y, dy, init, tile, INF)


#===------------------------------------------------------------------------===#
# The user's entry point
#===------------------------------------------------------------------------===#

def scan(a, x, *, tile=16, hops=1, init=None, reverse=False, out_dtype=None,
         return_state=False, state=None):
    """The sliding window recurrence of swr (README, "Semantics"):

        y_t = sum_{s = lo(t)}^{t} (prod_{k = s+1}^{t} a_k) x_s

    a: gates [B, H, N] (per head) or [B, H, D, N] (per channel); x: [B, H, D,
    N], any strides: a `[B, N, H, D]` tensor's `.permute(0, 2, 3, 1)`
    (time-major) is scanned in place by a forward scan, and by a prefill
    that returns a state (for finite windows longer than hops + 1 tiles),
    which return y in that layout too; others are copied; tile, hops: the
    window (hops an int or math.inf); init: [B, H, D], the state before
    position 0 (x_{-1}); reverse: the adjoint scan;
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
    _check(a, x, init, state, hops)
    if chunked:
        y, s = torch.ops.swr.scan_chunk(a, x, init, state, tile, hops)
    else:
        y = torch.ops.swr.scan(a, x, init, tile, hops, reverse)
    y = y.to(out_dtype)
    return (y, s) if return_state else y
