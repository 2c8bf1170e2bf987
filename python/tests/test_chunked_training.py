"""Training on chunks with state passing, for hops = inf (issue 13, item 4):
the state a chunk hands over is y at its last position, which the next
chunk reads as its init, so gradients flow back through it: the next
chunk's dh0 is dL/dS and is added to dy at the previous chunk's last
position. The chunked forward and backward equal the whole sequence's, for
every split (through swr.scan_chunk and swr.scan_grad compiled for the CPU).

Needs SWR_RUNTIME and SWR_COMPILE (test/Integration/CPU/scan-grad.test)."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from artifacts import call, load_artifact, needs_artifact  # noqa: E402

pytestmark = needs_artifact

G, SEQ, ST, S = ("memref<?x?x?xf32>", "memref<?x?x?x?xf32>", "memref<?x?x?xf32>",
                 "memref<?x?x?x1xf32>")
MODULE = f"""
func.func @prefill(%a: {G}, %x: {SEQ}, %y: {SEQ}, %s: {S}) {{
  swr.scan_chunk <tile = 4, hops = inf> ins(%a, %x : {G}, {SEQ}) outs(%y : {SEQ}) state_out(%s : {S})
  return
}}
func.func @chunk(%a: {G}, %x: {SEQ}, %s0: {S}, %y: {SEQ}, %s: {S}) {{
  swr.scan_chunk <tile = 4, hops = inf> ins(%a, %x : {G}, {SEQ}) state_in(%s0 : {S}) outs(%y : {SEQ}) state_out(%s : {S})
  return
}}
func.func @grad(%a: {G}, %x: {SEQ}, %dy: {SEQ}, %dx: {SEQ}, %da: {G}) {{
  swr.scan_grad <tile = 4, hops = inf> ins(%a, %x, %dy : {G}, {SEQ}, {SEQ}) outs(%dx, %da : {SEQ}, {G})
  return
}}
func.func @grad_init(%a: {G}, %x: {SEQ}, %dy: {SEQ}, %h0: {ST}, %dx: {SEQ}, %da: {G}, %dh0: {ST}) {{
  swr.scan_grad <tile = 4, hops = inf> ins(%a, %x, %dy : {G}, {SEQ}, {SEQ}) init(%h0 : {ST}) outs(%dx, %da : {SEQ}, {G}) grad_init(%dh0 : {ST})
  return
}}
"""


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    return load_artifact(tmp_path_factory, MODULE, "chunked")


def f32(shape, value=np.nan):
    return np.full(shape, value, dtype=np.float32)


def test_chunked_training_equals_the_whole_sequence(artifact):
    g = np.random.default_rng(4)
    b, h, d, n = 1, 2, 3, 13
    a = g.uniform(0.5, 1.0, (b, h, n)).astype(np.float32)
    x = g.uniform(-1, 1, (b, h, d, n)).astype(np.float32)
    dy = g.uniform(-1, 1, (b, h, d, n)).astype(np.float32)
    dx_full, da_full = f32(x.shape), f32(a.shape)
    call(artifact, "grad", [(a, "f32"), (x, "f32"), (dy, "f32"), (dx_full, "f32"),
                            (da_full, "f32")])
    for n1 in range(1, n):
        # Forward: chunk 1 hands its state to chunk 2.
        y1, s1 = f32((b, h, d, n1)), f32((b, h, d, 1))
        call(artifact, "prefill", [(a[..., :n1].copy(), "f32"), (x[..., :n1].copy(), "f32"),
                                   (y1, "f32"), (s1, "f32")])
        # Backward of chunk 2, with its state as init: dS = its dh0.
        a2, x2, dy2 = (v[..., n1:].copy() for v in (a, x, dy))
        dx2, da2, ds = f32(x2.shape), f32(a2.shape), f32((b, h, d))
        call(artifact, "grad_init", [(a2, "f32"), (x2, "f32"), (dy2, "f32"),
                                     (s1[..., 0].copy(), "f32"), (dx2, "f32"), (da2, "f32"),
                                     (ds, "f32")])
        # dS flows into y at chunk 1's last position.
        dy1 = dy[..., :n1].copy()
        dy1[..., -1] += ds
        dx1, da1 = f32((b, h, d, n1)), f32((b, h, n1))
        call(artifact, "grad", [(a[..., :n1].copy(), "f32"), (x[..., :n1].copy(), "f32"),
                                (dy1, "f32"), (dx1, "f32"), (da1, "f32")])
        np.testing.assert_allclose(np.concatenate([dx1, dx2], -1), dx_full, rtol=1e-5,
                                   atol=1e-5, err_msg=f"dx, split at {n1}")
        np.testing.assert_allclose(np.concatenate([da1, da2], -1), da_full, rtol=1e-5,
                                   atol=1e-5, err_msg=f"da, split at {n1}")
