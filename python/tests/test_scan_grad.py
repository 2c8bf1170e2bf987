"""swr.scan_grad on the CPU (swr-compile --target=cpu, called through the
runtime bindings): dx, da and dh0 against central finite differences of the
float64 reference, for every window (hops 0, 1, 2, 5, inf), tiles 1, 4 and
16, lengths around tile boundaries, per-head and per-channel gates, with and
without h0, f32 and bf16/f16 storage.

Needs SWR_RUNTIME and SWR_COMPILE (test/Integration/CPU/scan-grad.test sets
both) or a prebuilt SWR_ARTIFACT (python/tests/artifacts.py); on the GPU
(SWR_TARGET=cuda) the configurations with a GPU kernel (hops 0 and 1), and
long sequences against the same functions compiled for the CPU
(SWR_CPU_ARTIFACT)."""

import itertools
import os
import sys
import zlib

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from swr.cpu_runner import check_close  # noqa: E402
from swr.dtypes import decode, encode  # noqa: E402
from swr.reference import exact_rows, grads_by_finite_differences, scan_reference  # noqa: E402
from artifacts import CUDA, call, load_artifact, needs_artifact  # noqa: E402

needs_tools = needs_artifact

# (tile, hops, per_head, init, in_dtype, out_dtype, from_output): with
# from_output (hops = inf) the function reads the forward's output y in
# place of x.
CONFIGS = [(t, k, ph, init, "f32", "f32", False)
           for t, k, ph, init in itertools.product((1, 4, 16), (0, 1, 2, 5, "inf"),
                                                   (True, False), (True, False))]
CONFIGS += [(4, 1, True, True, "bf16", "f32"), (4, "inf", False, True, "f16", "f32"),
            (16, 1, True, False, "bf16", "bf16"), (4, 2, False, True, "f32", "f16"),
            (32, 1, True, True, "f32", "f32"), (32, 1, False, False, "bf16", "f32"),
            (32, 0, True, False, "f32", "f32"), (8, 1, False, True, "f32", "f32")]
CONFIGS = [c + (False,) if len(c) == 6 else c for c in CONFIGS]
CONFIGS += [(t, "inf", ph, init, "f32", "f32", True)
            for t, ph, init in itertools.product((1, 4, 16), (True, False), (True, False))]
CONFIGS += [(16, "inf", True, True, "bf16", "bf16", True), (4, "inf", True, False, "f16", "f32", True),
            (16, "inf", False, True, "bf16", "f32", True)]
if CUDA:  # The GPU kernels cover hops 0 and 1, and inf from the output.
    CONFIGS = [c for c in CONFIGS if c[1] in (0, 1) or c[6]]
LENGTHS = {1: (1, 2, 7), 4: (1, 3, 4, 5, 8, 13, 23), 8: (7, 8, 9, 30),
           16: (15, 16, 17, 40), 32: (31, 32, 33, 70)}


def name(cfg):
    t, k, ph, init, i, o, fy = cfg
    return (f"g_t{t}_k{k}_{'head' if ph else 'chan'}_{'init' if init else 'zero'}_{i}_{o}"
            f"{'_y' if fy else ''}")


def function(cfg):
    t, k, ph, init, i, o, fy = cfg
    g = "memref<?x?x?xf32>" if ph else "memref<?x?x?x?xf32>"
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
            f"  swr.scan_grad <tile = {t}, hops = {k}>{' from_output' if fy else ''}"
            f" ins(%a, %x, %dy : {g}, {seq(i)}, {seq(i)})"
            f"{init_part} outs(%dx, %da : {seq(o)}, {da}){grad_init}\n  return\n}}\n")


def module():
    return "".join(function(c) for c in CONFIGS)


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    return load_artifact(tmp_path_factory, module(), "grad")


def exact_scan(a, x, h0):
    """scan_reference(a, x, hops=inf, init=h0) of any tile in O(N), for long
    sequences: the exact recurrence (reference.exact_rows) with h0 folded
    into x_0."""
    a = np.broadcast_to(a[:, :, None] if a.ndim == 3 else a, x.shape)
    x = np.array(x, dtype=np.float64)
    if h0 is not None:
        x[..., 0] += a[..., 0] * h0
    n = x.shape[-1]
    return exact_rows(a.reshape(-1, n), x.reshape(-1, n)).reshape(x.shape)


def inputs(cfg, n, g, bhd, gates=(0.3, 1.1)):
    """a, x, dy, h0 of `cfg` (h0 None without init), x, dy and h0 exactly
    representable in their storage type. With from_output, x is such that
    the forward's output y is (as the function reads it in place of x)."""
    t, k, ph, init, i, o, fy = cfg
    a = g.uniform(*gates, bhd[:2] + (n,) if ph else bhd + (n,))
    x = decode(encode(g.uniform(-1, 1, bhd + (n,)), i), i)
    dy = decode(encode(g.uniform(-1, 1, bhd + (n,)), i), i)
    h0 = decode(encode(g.uniform(-1, 1, bhd), i), i) if init else None
    if fy:
        # y rounded to the storage type, and the x (float64) whose exact
        # scan it is: the oracle then differentiates the scan the function
        # sees.
        y = decode(encode(exact_scan(a, x, h0), i), i)
        before = np.concatenate([h0[..., None] if init else np.zeros(y.shape[:-1] + (1,)),
                                 y[..., :-1]], axis=-1)
        x = y - (a[:, :, None] if ph else a) * before
    return a, x, dy, h0


def forward_output(cfg, a, x, h0):
    """What the function of `cfg` reads as its second operand: x, or with
    from_output the forward's output y."""
    t, k, ph, init, i, o, fy = cfg
    if not fy:
        return x
    return exact_scan(a, x, h0)


def run(artifact, cfg, a, x, dy, h0):
    """Calls the function of `cfg`; returns dx, da, dh0 as float64."""
    t, k, ph, init, i, o, fy = cfg
    shapes = [x.shape, a.shape] + ([h0.shape] if init else [])
    outs = [encode(np.full(shape, np.nan), o) for shape in shapes]
    second = forward_output(cfg, a, x, h0)
    ins = [(encode(a, "f32"), "f32"), (encode(second, i), i), (encode(dy, i), i)]
    if init:
        ins.append((encode(h0, i), i))
    call(artifact, name(cfg), ins + [(v, o) for v in outs])
    return [decode(v, o) for v in outs] + ([None] if not init else [])


@needs_tools
@pytest.mark.parametrize("cfg", CONFIGS, ids=name)
def test_gradients_match_finite_differences(artifact, cfg):
    t, k, ph, init, i, o, fy = cfg
    hops = float("inf") if k == "inf" else k
    g = np.random.default_rng(zlib.crc32(name(cfg).encode()))
    for n in LENGTHS[t]:
        a, x, dy, h0 = inputs(cfg, n, g, (1, 2, 3))
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


@needs_tools
def test_long_sequences_against_the_cpu(artifact):
    # N up to 65536 + 7 on the GPU: the same function compiled for the CPU
    # (checked above against finite differences) is the reference.
    cpu_path = os.environ.get("SWR_CPU_ARTIFACT")
    if not CUDA or not cpu_path:
        pytest.skip("GPU only, with SWR_CPU_ARTIFACT")
    cpu = artifact.runtime.load(cpu_path)
    for cfg, d in [((4, 1, True, True, "bf16", "f32", False), 16),
                   ((16, 1, False, False, "f32", "f32", False), 16),
                   ((16, 1, True, True, "f32", "f32", False), 16),
                   ((4, 0, True, True, "f32", "f32", False), 16),
                   ((16, "inf", True, True, "bf16", "bf16", True), 16),
                   ((16, "inf", False, True, "bf16", "f32", True), 16),
                   # a head of more channels than a block holds, and of fewer
                   ((16, "inf", True, True, "f32", "f32", True), 40),
                   ((16, "inf", True, False, "f32", "f32", True), 5)]:
        if cfg not in CONFIGS:
            continue
        g = np.random.default_rng(5)
        for n in (4093, 65536 + 7):
            a, x, dy, h0 = inputs(cfg, n, g, (1, 2, d), gates=(0.3, 1.0))
            got = run(artifact, cfg, a, x, dy, h0)
            want = run(cpu, cfg, a, x, dy, h0)
            for what, gv, wv in zip(("dx", "da", "dh0"), got, want):
                if wv is None:
                    continue
                # f32 arithmetic on both; the GPU contracts to FMA and adds a
                # head's channels in another order (a tree over its warps), so a value
                # rounded to a 16-bit output may land one unit in the last
                # place (2^-7 relative for bf16, 2^-10 for f16) away.
                rtol = {"f32": 1e-4, "bf16": 2.0**-7, "f16": 2.0**-10}[cfg[5]]
                np.testing.assert_allclose(gv, wv, rtol=rtol, atol=1e-4 * np.abs(wv).max(),
                                           err_msg=f"{name(cfg)} N = {n} {what}")


if __name__ == "__main__" and sys.argv[1:] == ["--module"]:
    sys.stdout.write(module())
