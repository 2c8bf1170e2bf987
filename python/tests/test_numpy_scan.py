"""swr.scan on NumPy arrays (the kernel library's CPU functions through
libswr_runtime) against the float64 reference: every window of the library,
per-head and per-channel gates, init, reverse, float16 storage, mixed
dtypes, non-contiguous inputs; one-line errors. Needs SWR_LIB_DIR
(test/python/numpy.test sets it)."""

import itertools
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import swr  # noqa: E402
from swr.cpu_runner import check_close  # noqa: E402
from swr.kernels import LibraryError  # noqa: E402
from swr.reference import scan_reference  # noqa: E402

pytestmark = pytest.mark.skipif(not os.environ.get("SWR_LIB_DIR"), reason="needs SWR_LIB_DIR")


def inputs(n, per_head, init, seed, dtype=np.float32):
    rng = np.random.default_rng(seed)
    a = (rng.uniform(0.3, 1.0, (2, 3, n) if per_head else (2, 3, 4, n))
         * np.where(rng.uniform(size=(2, 3, n) if per_head else (2, 3, 4, n)) < 0.2, -1, 1))
    x = rng.standard_normal((2, 3, 4, n))
    h = rng.standard_normal((2, 3, 4)) if init else None
    cast = lambda t: None if t is None else t.astype(dtype)  # noqa: E731
    return cast(a), cast(x), cast(h)


def check(y, a, x, h, out_dtype="f32", **w):
    ref = scan_reference(a.astype(np.float64), x.astype(np.float64), init=None if h is None
                         else h.astype(np.float64), **w)
    scale = scan_reference(np.abs(a.astype(np.float64)), np.abs(x.astype(np.float64)),
                           init=None if h is None else np.abs(h.astype(np.float64)), **w)
    ok, summary = check_close(y.astype(np.float64), ref, scale, out_dtype, roundings=2)
    assert ok, summary


@pytest.mark.parametrize("tile,hops", itertools.product((16, 32, 64), (0, 1, 2, math.inf)))
@pytest.mark.parametrize("per_head,init,reverse", ((True, False, False), (False, True, False),
                                                   (True, True, True)))
def test_every_window(tile, hops, per_head, init, reverse):
    for n in (1, tile + 3, 3 * tile):
        a, x, h = inputs(n, per_head, init, n)
        y = swr.scan(a, x, tile=tile, hops=hops, init=h, reverse=reverse)
        assert y.dtype == np.float32 and y.shape == x.shape
        check(y, a, x, h, tile=tile, hops=hops, reverse=reverse)


def test_half_storage_mixed_and_strided():
    a, x, h = inputs(50, True, True, 3, np.float16)
    y = swr.scan(a, x, init=h)
    assert y.dtype == np.float16
    check(y, a, x, h, out_dtype="f16", tile=16, hops=1)
    y32 = swr.scan(a, x, init=h, out_dtype=np.float32)  # exact in f32, not rounded
    check(y32, a, x, h, tile=16, hops=1)
    xt = np.ascontiguousarray(x.astype(np.float32).transpose(0, 3, 1, 2))  # [B, N, H, D]
    y = swr.scan(a.astype(np.float32), xt.transpose(0, 2, 3, 1), tile=32, hops=math.inf)
    check(y, a.astype(np.float32), xt.transpose(0, 2, 3, 1), None, tile=32, hops=math.inf)


def test_errors_are_one_line():
    a, x, _ = inputs(10, True, False, 1)
    for kwargs, kind, text in (
            (dict(a=a, x=x.astype(np.float64)), TypeError, "float64"),
            (dict(a=a, x=x[0]), ValueError, "x must be"),
            (dict(a=a[..., :3], x=x), ValueError, "a must be"),
            (dict(a=a, x=x, init=x[..., 0, :2]), ValueError, "init must be"),
            (dict(a=a, x=x, tile=0), ValueError, "tile must be"),
            (dict(a=a, x=x, hops=float("nan")), ValueError, "hops must be"),
            (dict(a=a, x=x, tile=8), LibraryError, "no kernels for tile=8")):
        with pytest.raises(kind, match=text) as e:
            swr.scan(**kwargs)
        assert str(e.value).startswith("swr.scan: ") and "\n" not in str(e.value)
