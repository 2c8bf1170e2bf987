"""swr.scan_chunk on the CPU (swr-compile --target=cpu, called through the
runtime bindings): prefill, chunked prefill and decode against the float64
reference, for hops 0, 1, 2 and inf, tiles 1, 4 and 16, per-head and
per-channel gates, with and without h0, f32 and bf16 storage:

- a chunk from the start gives swr.scan's outputs, and its state is the one
  the op's description defines (layout version 1);
- for every split N1 of a sequence of a few tiles, chunk [0, N1) then chunk
  [N1, N) from its state give the whole sequence's outputs;
- decoding token N after a prefill of N tokens gives what a prefill of
  N + 1 tokens gives, output and state, for every N (tile boundaries
  included);
- the kernel library's tails (python/swr/kernels.py: a chunk over the last
  K + 1 tiles of x, read in place, head-major and time-major; what
  swr.torch's long prefills take their state from) give the state the op's
  description defines for the whole sequence.

Needs SWR_RUNTIME and either SWR_COMPILE (test/Integration/CPU/scan-chunk.test
sets both: the artifact is compiled for the CPU here) or SWR_ARTIFACT, an
artifact compiled beforehand from `python3 test_scan_chunk.py --module`
(the GPU: scripts/gpu_prepare.sh compiles it for sm_90a, and with
SWR_TARGET=cuda the buffers live in device memory)."""

import itertools
import os
import sys
import zlib

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from swr.cpu_runner import check_close  # noqa: E402
from swr.dtypes import decode, encode  # noqa: E402
from swr.reference import scan_reference  # noqa: E402
from swr.kernels import Config  # noqa: E402
from artifacts import CUDA, call, load_artifact, needs_artifact  # noqa: E402

pytestmark = needs_artifact

# (tile, hops, per_head, init, dtype of x and y)
CONFIGS = [(t, k, ph, init, "f32")
           for t, k, ph, init in itertools.product((1, 4, 16), (0, 1, 2, "inf"),
                                                   (True, False), (True, False))]
CONFIGS += [(4, 1, True, True, "bf16"), (16, "inf", False, False, "bf16")]
LENGTH = {1: 7, 4: 13, 16: 35}
BHD = (1, 2, 3)


def slots(k):
    return 1 if k == "inf" else k + 2


def name(cfg, kind):
    t, k, ph, init, dt = cfg
    return f"{kind}_t{t}_k{k}_{'head' if ph else 'chan'}_{'init' if init else 'zero'}_{dt}"


def functions(cfg):
    t, k, ph, init, dt = cfg
    g = "memref<?x?x?xf32>" if ph else "memref<?x?x?x?xf32>"
    seq = f"memref<?x?x?x?x{dt}>"
    st = f"memref<?x?x?x{slots(k)}xf32>"
    window = f"<tile = {t}, hops = {k}>"
    h0 = "%h0: memref<?x?x?xf32>, " if init else ""
    init_part = " init(%h0 : memref<?x?x?xf32>)" if init else ""
    return (f"func.func @{name(cfg, 'prefill')}(%a: {g}, %x: {seq}, {h0}%y: {seq}, %s: {st}) {{\n"
            f"  swr.scan_chunk {window} ins(%a, %x : {g}, {seq}){init_part} outs(%y : {seq})"
            f" state_out(%s : {st})\n  return\n}}\n"
            f"func.func @{name(cfg, 'chunk')}(%a: {g}, %x: {seq}, %s0: {st}, %y: {seq}, %s: {st}) {{\n"
            f"  swr.scan_chunk {window} ins(%a, %x : {g}, {seq}) state_in(%s0 : {st})"
            f" outs(%y : {seq}) state_out(%s : {st})\n  return\n}}\n")


# The kernel library's tails, f32: tiles 4 and 16, finite windows, both gate
# layouts, head-major and time-major.
TAILS = [Config("tail", "f32", t, k, g, layout=layout)
         for t, k, g, layout in itertools.product((4, 16), (0, 1, 2), ("head", "channel"),
                                                  ("", "tm"))]


def module():
    return "".join(functions(c) for c in CONFIGS) + "".join(c.module_text() for c in TAILS)


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    return load_artifact(tmp_path_factory, module(), "chunk")


class Chunks:
    """Calls the prefill and chunk functions of one configuration."""

    def __init__(self, artifact, cfg):
        self.artifact, self.cfg = artifact, cfg

    def _call(self, kind, a, x, extra_in):
        t, k, ph, init, dt = self.cfg
        n = x.shape[-1]
        y = encode(np.full(BHD + (n,), np.nan), dt)
        s = np.full(BHD + (slots(k),), np.nan, dtype=np.float32)
        args = [(np.ascontiguousarray(a, dtype=np.float32), "f32"), (encode(x, dt), dt)]
        args += extra_in + [(y, dt), (s, "f32")]
        call(self.artifact, name(self.cfg, kind), args)
        return decode(y, dt), s.astype(np.float64)

    def prefill(self, a, x, h0):
        extra = [(np.ascontiguousarray(h0, dtype=np.float32), "f32")] if self.cfg[3] else []
        return self._call("prefill", a, x, extra)

    def chunk(self, a, x, state):
        return self._call("chunk", a, x, [(np.ascontiguousarray(state, dtype=np.float32), "f32")])


def inputs(cfg, n, seed):
    t, k, ph, init, dt = cfg
    g = np.random.default_rng(seed)
    a = decode(encode(g.uniform(0.3, 1.1, BHD[:2] + (n,) if ph else BHD + (n,)), "f32"), "f32")
    x = decode(encode(g.uniform(-1, 1, BHD + (n,)), dt), dt)
    h0 = decode(encode(g.uniform(-1, 1, BHD), "f32"), "f32") if init else None
    return a, x, h0


def state_by_definition(a, x, h0, tile, hops):
    """Layout version 1 from the op's description, in float64: slots m =
    0..K hold the state at N - 1 started at the first position of tile
    c(N) - m (x_{-1} = h0), slot K + 1 holds N mod T; hops = inf: y_{N-1}."""
    a = np.broadcast_to(a[:, :, None, :] if a.ndim == 3 else a, x.shape)
    n = x.shape[-1]
    xs = np.concatenate([(h0 if h0 is not None else np.zeros(x.shape[:-1]))[..., None], x], -1)
    ones = np.ones(x.shape[:-1] + (1,))
    gs = np.concatenate([ones, a], -1)  # gs[s + 1] = a_s, xs[s + 1] = x_s

    def started_at(first):
        acc = np.zeros(x.shape[:-1])
        for s in range(max(first, -1), n):
            acc = gs[..., s + 1] * acc + xs[..., s + 1] if s >= 0 else xs[..., 0]
        return acc

    if hops == "inf":
        return started_at(-1)[..., None]
    c = n // tile
    out = [started_at(tile * (c - m)) if tile * (c - m) <= n - 1 or c - m < 0 else
           np.zeros(x.shape[:-1]) for m in range(hops + 1)]
    out.append(np.full(x.shape[:-1], float(n % tile)))
    return np.stack(out, -1)


def reference(a, x, h0, cfg):
    """The float64 outputs and the scale of their f32 error (the same on
    magnitudes)."""
    t, k, ph, init, dt = cfg
    hops = float("inf") if k == "inf" else k
    scale = scan_reference(np.abs(a), np.abs(x), tile=t, hops=hops,
                           init=None if h0 is None else np.abs(h0))
    return scan_reference(a, x, tile=t, hops=hops, init=h0), scale


def close(got, want, scale, dt, what):
    ok, summary = check_close(got, want, np.abs(scale), dt, rtol=1e-5)
    assert ok, f"{what}: {summary}"


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: name(c, "cfg"))
def test_prefill_and_its_state(artifact, cfg):
    t, k, ph, init, dt = cfg
    run = Chunks(artifact, cfg)
    for n in range(0, LENGTH[t] + 1):
        a, x, h0 = inputs(cfg, n, zlib.crc32(name(cfg, str(n)).encode()))
        y, s = run.prefill(a, x, h0)
        close(y, *reference(a, x, h0, cfg), dt, f"N = {n}: y")
        want = state_by_definition(a, x, h0, t, k)
        s_scale = state_by_definition(np.abs(a), np.abs(x),
                                      None if h0 is None else np.abs(h0), t, k)
        close(s, want, s_scale, "f32", f"N = {n}: state")


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: name(c, "cfg"))
def test_every_split(artifact, cfg):
    t, k, ph, init, dt = cfg
    run = Chunks(artifact, cfg)
    n = LENGTH[t]
    a, x, h0 = inputs(cfg, n, zlib.crc32(name(cfg, "split").encode()))
    full, _ = run.prefill(a, x, h0)
    want, scale = reference(a, x, h0, cfg)
    for n1 in range(0, n + 1):
        y1, s1 = run.prefill(a[..., :n1], x[..., :n1], h0)
        y2, s2 = run.chunk(a[..., n1:], x[..., n1:], s1)
        close(np.concatenate([y1, y2], -1), want, scale, dt, f"split at {n1}")
        # The chunks' own rounding is the prefill's: same f32 operations.
        assert np.array_equal(np.concatenate([y1, y2], -1), full, equal_nan=True), n1


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: name(c, "cfg"))
def test_decode_equals_longer_prefill(artifact, cfg):
    t, k, ph, init, dt = cfg
    run = Chunks(artifact, cfg)
    n_max = LENGTH[t]
    a, x, h0 = inputs(cfg, n_max, zlib.crc32(name(cfg, "decode").encode()))
    _, state = run.prefill(a[..., :0], x[..., :0], h0)
    for n in range(n_max):
        y_step, state = run.chunk(a[..., n:n + 1], x[..., n:n + 1], state)
        y_pre, s_pre = run.prefill(a[..., :n + 1], x[..., :n + 1], h0)
        assert np.array_equal(y_step[..., 0], y_pre[..., n], equal_nan=True), n
        assert np.array_equal(state, s_pre, equal_nan=True), n


def test_a_bad_position_in_the_state_stays_in_the_tile(artifact):
    # A position outside [0, T) or NaN reads as 0: no index past the tile.
    cfg = (4, 1, True, False, "f32")
    run = Chunks(artifact, cfg)
    a, x, _ = inputs(cfg, 6, 7)
    _, fresh = run.prefill(a[..., :0], x[..., :0], None)
    want, _ = run.chunk(a, x, fresh)
    for bad in (-1.0, 4.0, 1e30, np.nan):
        s = fresh.copy()
        s[..., -1] = bad
        got, _ = run.chunk(a, x, s)
        assert np.array_equal(got, want), bad


def test_long_sequence(artifact):
    # A long prefill against the float64 windowed recurrence, then decode
    # steps past it against longer prefills (N up to 65536 + 40 on the GPU).
    from swr.reference import window_rows
    cfg = (16, 1, True, False, "f32")
    run = Chunks(artifact, cfg)
    n = (65536 if CUDA else 4096) + 20
    a, x, _ = inputs(cfg, n + 20, 11)
    y, state = run.prefill(a[..., :n], x[..., :n], None)
    rows_a = np.broadcast_to(a[:, :, None, :n], BHD + (n,)).reshape(-1, n)
    want = window_rows(rows_a, x[..., :n].reshape(-1, n), 16, 1).reshape(BHD + (n,))
    scale = window_rows(np.abs(rows_a), np.abs(x[..., :n]).reshape(-1, n), 16, 1)
    close(y, want, scale.reshape(BHD + (n,)), "f32", "long prefill")
    after_prefill = state
    for t in range(n, n + 20):
        y_step, state = run.chunk(a[..., t:t + 1], x[..., t:t + 1], state)
        y_pre, s_pre = run.chunk(a[..., n:t + 1], x[..., n:t + 1], after_prefill)
        assert np.array_equal(y_step[..., 0], y_pre[..., -1]), t
        assert np.array_equal(state, s_pre), t


@pytest.mark.parametrize("tail", TAILS, ids=lambda c: c.name)
def test_library_tail_state(artifact, tail):
    # Sequences longer than K + 1 tiles (swr.torch's condition), tile
    # boundaries included: the tail over positions T * (N // T - K) to N - 1
    # of the whole a and x gives the whole sequence's state.
    t, k = tail.tile, tail.hops
    cfg = (t, k, tail.gates == "head", False, "f32")
    for n in range((k + 1) * t + 1, (k + 3) * t + 2):
        a, x, _ = inputs(cfg, n, zlib.crc32(f"{tail.name} {n}".encode()))
        first = t * (n // t - k)
        y_tail = np.full(BHD + (n - first,), np.nan, dtype=np.float32)
        s = np.full(BHD + (slots(k),), np.nan, dtype=np.float32)
        # Time-major: a and x dense [B, N, H(, D)].
        order = (lambda v: np.moveaxis(v, -1, 1)) if tail.layout == "tm" else (lambda v: v)
        args = [(np.ascontiguousarray(order(v), dtype=np.float32), "f32") for v in (a, x)]
        call(artifact, tail.name, args + [(y_tail, "f32"), (s, "f32")])
        want = state_by_definition(a, x, None, t, k)
        scale = state_by_definition(np.abs(a), np.abs(x), None, t, k)
        close(s.astype(np.float64), want, scale, "f32", f"N = {n}: state")


if __name__ == "__main__" and sys.argv[1:] == ["--module"]:
    sys.stdout.write(module())
