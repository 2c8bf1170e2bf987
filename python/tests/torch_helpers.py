"""What the PyTorch front end's tests share: the device they run on
(SWR_TEST_DEVICE, default cpu), random inputs, and the float64 oracle
(swr.reference) on torch tensors."""

import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from swr.reference import grads_by_finite_differences, scan_reference  # noqa: E402

DEVICE = torch.device(os.environ.get("SWR_TEST_DEVICE", "cpu"))
ROUNDOFF = {torch.float32: 2.0**-24, torch.float16: 2.0**-11, torch.bfloat16: 2.0**-8}


def gates(shape, generator, dtype=torch.float32):
    """Gates in (-1, -0.3] U [0.3, 1): signs vary, and long products decay."""
    g = torch.rand(shape, generator=generator, dtype=torch.float64) * 0.7 + 0.3
    sign = torch.where(torch.rand(shape, generator=generator) < 0.2, -1.0, 1.0)
    return (g * sign).to(dtype).to(DEVICE)


def normal(shape, generator, dtype=torch.float32):
    return torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype).to(DEVICE)


def np64(t):
    return None if t is None else t.detach().double().cpu().numpy()


def reference(a, x, *, tile, hops, init=None, reverse=False):
    """The float64 reference of the stored values, as a torch tensor."""
    r = scan_reference(np64(a), np64(x), tile=tile, hops=math.inf if hops == math.inf else hops,
                       init=np64(init), reverse=reverse)
    return torch.from_numpy(r)


def fd_grads(a, x, dy, *, tile, hops, init=None):
    """(dx, da, dinit) by central differences of the float64 reference."""
    dx, da, dh = grads_by_finite_differences(np64(a), np64(x), np64(dy), tile=tile, hops=hops,
                                             init=np64(init))
    return [None if g is None else torch.from_numpy(g) for g in (dx, da, dh)]


def assert_close(got, ref, *, scale, dtype=torch.float32, rtol=1e-5, roundings=2, what=""):
    """|got - ref| <= rtol * scale + roundings * u(dtype) * |ref|, element
    by element; `scale` bounds the f32 accumulation (e.g. the reference on
    |a| and |x|)."""
    got = got.detach().double().cpu()
    tol = rtol * scale + roundings * ROUNDOFF[dtype] * ref.abs() + 1e-30
    err = (got - ref).abs()
    bad = ~(err <= tol)
    if bad.any():
        i = np.unravel_index(int(bad.flatten().nonzero()[0]), tuple(got.shape))
        raise AssertionError(f"{what}: {int(bad.sum())} of {got.numel()} elements off; first "
                             f"at {i}: got {got[i].item()!r}, reference {ref[i].item()!r}")
