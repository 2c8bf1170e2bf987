"""`swr.scan` on NumPy arrays: the kernel library's CPU functions
(python/swr/kernels.py), called through libswr_runtime; no MLIR, no torch.

Storage types: float32, float16 and, when `ml_dtypes` is installed, its
bfloat16; arithmetic is float32, as everywhere in swr.
"""

import ctypes
import functools
import os

import numpy as np

from . import kernels
from .runtime import Runtime, buffer

WHO = "swr.scan"
_NAMES = {np.dtype(np.float32): "f32", np.dtype(np.float16): "f16"}
try:  # NumPy has no bfloat16 of its own.
    import ml_dtypes
    _NAMES[np.dtype(ml_dtypes.bfloat16)] = "bf16"
except ImportError:
    pass

@functools.lru_cache(maxsize=None)
def _runtime():
    d = kernels.library_dir()
    if not os.path.exists(os.path.join(d, "index.json")):
        raise kernels.LibraryError(f"{WHO}: no kernel library at {d}; build it "
                                   f"(scripts/build.sh) and set SWR_LIB_DIR, or install the "
                                   f"swr wheel")
    rt = Runtime(os.path.join(d, "libswr_runtime.so"))
    rt.lib.swr_runtime_set_verbose(0)
    return d, rt


@functools.lru_cache(maxsize=None)
def _artifact(dtype):
    """The CPU artifact of the library for storage type `dtype`."""
    d, rt = _runtime()
    return rt.load(os.path.join(d, kernels.artifact_name("cpu", dtype)))


def _dtype_name(what, dtype):
    dtype = np.dtype(dtype)
    if dtype not in _NAMES:
        raise TypeError(f"{WHO}: {what} has dtype {dtype}; supported: "
                        f"{', '.join(str(d) for d in _NAMES)}")
    return _NAMES[dtype]


def scan(a, x, *, tile=16, hops=1, init=None, reverse=False, out_dtype=None):
    """The sliding window recurrence (README, "Semantics") of NumPy arrays:
    a [B, H, N] (per head) or [B, H, D, N] (per channel), x [B, H, D, N],
    init [B, H, D] or None, any strides; returns y [B, H, D, N] of
    `out_dtype` (default x's). When the dtypes differ, the scan runs on
    float32 copies (exact) and y is rounded to out_dtype."""
    tile, hops = kernels.window(tile, hops, WHO)
    a, x = np.asarray(a), np.asarray(x)
    init = None if init is None else np.asarray(init)
    out_dtype = np.dtype(x.dtype if out_dtype is None else out_dtype)
    for what, dt in (("a", a.dtype), ("x", x.dtype), ("out_dtype", out_dtype)) + (
            (("init", init.dtype),) if init is not None else ()):
        _dtype_name(what, dt)
    if x.ndim != 4:
        raise ValueError(f"{WHO}: x must be [B, H, D, N]; got shape {x.shape}")
    B, H, D, N = x.shape
    if a.shape not in ((B, H, N), (B, H, D, N)):
        raise ValueError(f"{WHO}: a must be [B, H, N] = {[B, H, N]} or x's shape; got "
                         f"{list(a.shape)}")
    if init is not None and init.shape != (B, H, D):
        raise ValueError(f"{WHO}: init must be [B, H, D] = {[B, H, D]}; got {list(init.shape)}")
    storage = x.dtype
    if not (a.dtype == x.dtype == out_dtype and (init is None or init.dtype == x.dtype)):
        storage = np.dtype(np.float32)
    args = [np.ascontiguousarray(t, dtype=storage) for t in (a, x, init) if t is not None]
    y = np.empty(x.shape, dtype=storage)
    if y.size:
        dt = _NAMES[storage]
        name = kernels.Config("scan", dt, tile, hops, "head" if a.ndim == 3 else "channel",
                              "init" if init is not None else "", bool(reverse)).name
        fn = _artifact(dt)[name]
        fn(*[buffer(t.ctypes.data_as(ctypes.c_void_p).value, dt, t.shape) for t in args + [y]])
    return y.astype(out_dtype, copy=False)
