"""swr.scan_grad on the CPU (swr-compile --target=cpu, called through the
runtime bindings): dx, da and dh0 against central finite differences of the
float64 reference, for every window (hops 0, 1, 2, 5, inf), tiles 1, 4 and
16, lengths around tile boundaries, per-head and per-channel gates, with and
without h0, f32 and bf16/f16 storage.

Needs SWR_COMPILE and SWR_RUNTIME (test/Integration/CPU/scan-grad.test sets
them); skipped without them."""

import ctypes
import itertools
import os
import subprocess
import sys
import zlib

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from swr.cpu_runner import check_close  # noqa: E402
from swr.dtypes import decode, encode  # noqa: E402
from swr.reference import grads_by_finite_differences, scan_reference  # noqa: E402
from swr.runtime import Runtime, buffer  # noqa: E402

COMPILE, RUNTIME = os.environ.get("SWR_COMPILE"), os.environ.get("SWR_RUNTIME")
needs_tools = pytest.mark.skipif(not (COMPILE and RUNTIME),
                                 reason="needs SWR_COMPILE and SWR_RUNTIME")

# (tile, hops, per_head, init, in_dtype, out_dtype)
CONFIGS = [(t, k, ph, init, "f32", "f32")
           for t, k, ph, init in itertools.product((1, 4, 16), (0, 1, 2, 5, "inf"),
                                                   (True, False), (True, False))]
CONFIGS += [(4, 1, True, True, "bf16", "f32"), (4, "inf", False, True, "f16", "f32"),
            (16, 1, True, False, "bf16", "bf16"), (4, 2, False, True, "f32", "f16")]
LENGTHS = {1: (1, 2, 7), 4: (1, 3, 4, 5, 8, 13, 23), 16: (15, 16, 17, 40)}


def name(cfg):
    t, k, ph, init, i, o = cfg
    return f"g_t{t}_k{k}_{'head' if ph else 'chan'}_{'init' if init else 'zero'}_{i}_{o}"


def function(cfg):
    t, k, ph, init, i, o = cfg
    g = f"memref<?x?x?xf32>" if ph else "memref<?x?x?x?xf32>"
    seq = lambda dt: f"memref<?x?x?x?x{dt}>"  # noqa: E731
    da = g.replace("f32", o)
    state = lambda dt: f"memref<?x?x?x{dt}>"  # noqa: E731
    args = [f"%a: {g}", f"%x: {seq(i)}", f"%dy: {seq(i)}"]
    if init:
        args.append(f"%h0: {state(i)}")
    args += [f"%dx: {seq(o)}", f"%da: {da}"]
    if init:
        args.append(f"%dh0: {state(o)}")
    init_part = f" init(%h0 : {state(i)})" if init else ""
    grad_init = f" grad_init(%dh0 : {state(o)})" if init else ""
    return (f"func.func @{name(cfg)}({', '.join(args)}) {{\n"
            f"  swr.scan_grad <tile = {t}, hops = {k}> ins(%a, %x, %dy : {g}, {seq(i)}, {seq(i)})"
            f"{init_part} outs(%dx, %da : {seq(o)}, {da}){grad_init}\n  return\n}}\n")


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    d = tmp_path_factory.mktemp("grad")
    (d / "grad.mlir").write_text("".join(function(c) for c in CONFIGS))
    subprocess.run([COMPILE, str(d / "grad.mlir"), "--target=cpu", "-o", str(d / "grad.so")],
                   check=True)
    rt = Runtime(RUNTIME)
    rt.lib.swr_runtime_set_verbose(0)
    return rt.load(d / "grad.so")


def storage(values, dtype):
    return encode(values, dtype)


def addr(array):
    return array.ctypes.data_as(ctypes.c_void_p).value


def run(artifact, cfg, a, x, dy, h0):
    """Calls the function of `cfg`; returns dx, da, dh0 as float64."""
    t, k, ph, init, i, o = cfg
    outs = [np.zeros(x.shape, dtype=np.float64), np.zeros(a.shape, dtype=np.float64)]
    if init:
        outs.append(np.zeros(h0.shape))
    ins = [encode(a, "f32"), encode(x, i), encode(dy, i)] + ([encode(h0, i)] if init else [])
    stored_outs = [encode(np.full(v.shape, np.nan), o) for v in outs]
    dtypes = ["f32", i, i] + ([i] if init else []) + [o] * len(stored_outs)
    bufs = [buffer(addr(v), dt, v.shape) for v, dt in zip(ins + stored_outs, dtypes)]
    assert artifact[name(cfg)](*bufs) == []
    return [decode(v, o) for v in stored_outs] + ([None] if not init else [])


@needs_tools
@pytest.mark.parametrize("cfg", CONFIGS, ids=name)
def test_gradients_match_finite_differences(artifact, cfg):
    t, k, ph, init, i, o = cfg
    hops = float("inf") if k == "inf" else k
    g = np.random.default_rng(zlib.crc32(name(cfg).encode()))
    for n in LENGTHS[t]:
        bhd = (1, 2, 3)
        a = g.uniform(0.3, 1.1, (1, 2, n) if ph else bhd + (n,))
        # Inputs exactly representable in their storage type.
        x = decode(encode(g.uniform(-1, 1, bhd + (n,)), i), i)
        dy = decode(encode(g.uniform(-1, 1, bhd + (n,)), i), i)
        h0 = decode(encode(g.uniform(-1, 1, bhd), i), i) if init else None
        got = run(artifact, cfg, a, x, dy, h0)
        want = grads_by_finite_differences(a, x, dy, tile=t, hops=hops, init=h0)
        # The scale of f32 accumulation error: the gradients of the problem
        # on magnitudes.
        scale = grads_by_finite_differences(np.abs(a), np.abs(x), np.abs(dy), tile=t,
                                            hops=hops, init=None if h0 is None else np.abs(h0))
        for what, gv, wv, sv in zip(("dx", "da", "dh0"), got, want, scale):
            if wv is None:
                continue
            ok, summary = check_close(gv, wv, np.abs(sv), o, rtol=1e-5)
            assert ok, f"N = {n}, {what}: {summary}"


def test_finite_differences_agree_with_the_exact_closed_form():
    # The oracle itself, on the one case with a textbook closed form
    # (K = inf: dx = reverse scan of dy, da_k = sum_d dx_k * y_{k-1} with
    # y_{-1} = h0, dh0 = a_0 * dx_0).
    g = np.random.default_rng(3)
    a, x, dy = g.uniform(0.3, 1.1, (1, 2, 9)), g.uniform(-1, 1, (1, 2, 3, 9)), \
        g.uniform(-1, 1, (1, 2, 3, 9))
    h0 = g.uniform(-1, 1, (1, 2, 3))
    dx, da, dh0 = grads_by_finite_differences(a, x, dy, tile=4, hops=float("inf"), init=h0)
    z = scan_reference(a, dy, tile=4, hops=float("inf"), reverse=True)
    y = scan_reference(a, x, tile=4, hops=float("inf"), init=h0)
    y_prev = np.concatenate([h0[..., None], y[..., :-1]], axis=-1)
    np.testing.assert_allclose(dx, z, atol=1e-8)
    np.testing.assert_allclose(da, (z * y_prev).sum(axis=2), atol=1e-8)
    np.testing.assert_allclose(dh0, a[:, :, None, 0] * z[..., 0], atol=1e-8)
