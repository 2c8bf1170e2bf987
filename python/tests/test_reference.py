"""Checks the float64 reference against hand-derived special cases."""

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from swr.reference import INF, exact_rows, scan_reference, window_rows  # noqa: E402


def _rand(shape, rng, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape)


def _recurrence(a, x, h0=None):
    """The exact recurrence y_t = a_t y_{t-1} + x_t, written as a loop."""
    y = np.zeros_like(x)
    state = np.zeros(x.shape[:-1]) if h0 is None else h0
    for t in range(x.shape[-1]):
        state = a[..., t] * state + x[..., t]
        y[..., t] = state
    return y


@pytest.mark.parametrize("n", [1, 5, 16, 37])
def test_inf_is_the_exact_recurrence(n):
    rng = np.random.default_rng(n)
    a, x, h0 = _rand((2, 3, 4, n), rng), _rand((2, 3, 4, n), rng), _rand((2, 3, 4), rng)
    np.testing.assert_allclose(scan_reference(a, x, tile=4, hops=INF), _recurrence(a, x), rtol=1e-12)
    np.testing.assert_allclose(
        scan_reference(a, x, tile=4, hops=INF, init=h0), _recurrence(a, x, h0), rtol=1e-12)


def test_hops_zero_restarts_every_tile():
    rng = np.random.default_rng(1)
    a, x = _rand((1, 1, 1, 10), rng), _rand((1, 1, 1, 10), rng)
    y = scan_reference(a, x, tile=4, hops=0)
    for start in (0, 4, 8):
        stop = min(10, start + 4)
        np.testing.assert_allclose(y[..., start:stop], _recurrence(a[..., start:stop], x[..., start:stop]))


def test_hops_one_is_the_rank_one_form():
    """K = 1: y_t = v_t + g_t * v_{T c - 1}, with v the zero-started in-tile scan."""
    rng = np.random.default_rng(2)
    tile, n = 4, 14
    a, x = _rand((2, 2, 3, n), rng), _rand((2, 2, 3, n), rng)
    y = scan_reference(a, x, tile=tile, hops=1)
    v = np.zeros_like(x)
    g = np.zeros_like(x)
    for start in range(0, n, tile):
        stop = min(n, start + tile)
        v[..., start:stop] = _recurrence(a[..., start:stop], x[..., start:stop])
        g[..., start:stop] = np.cumprod(a[..., start:stop], axis=-1)
    expect = v.copy()
    for t in range(tile, n):
        c = t // tile
        expect[..., t] += g[..., t] * v[..., tile * c - 1]
    np.testing.assert_allclose(y, expect, rtol=1e-12)


@pytest.mark.parametrize("hops", [0, 1, 2, INF])
@pytest.mark.parametrize("n", [1, 3, 8, 11])
def test_reverse_is_the_adjoint(hops, n):
    """<y(x), w> == <x, z(w)> for the same gates: reverse is the transpose."""
    rng = np.random.default_rng(3)
    a = _rand((1, 2, n), rng)
    x, w = _rand((1, 2, 3, n), rng), _rand((1, 2, 3, n), rng)
    fwd = scan_reference(a, x, tile=4, hops=hops)
    rev = scan_reference(a, w, tile=4, hops=hops, reverse=True)
    assert np.isclose(np.sum(fwd * w), np.sum(x * rev), rtol=1e-12)


@pytest.mark.parametrize("hops", [0, 1, 2, INF])
def test_init_is_x_minus_one(hops):
    """Forward init acts as x_{-1} in tile -1: prepend a tile holding h0."""
    rng = np.random.default_rng(4)
    tile, n = 3, 10
    a, x, h0 = _rand((1, 1, 2, n), rng), _rand((1, 1, 2, n), rng), _rand((1, 1, 2), rng)
    y = scan_reference(a, x, tile=tile, hops=hops, init=h0)
    xp = np.concatenate([np.zeros((1, 1, 2, tile)), x], axis=-1)
    xp[..., tile - 1] = h0
    ap = np.concatenate([rng.uniform(size=(1, 1, 2, tile)), a], axis=-1)
    np.testing.assert_allclose(y, scan_reference(ap, xp, tile=tile, hops=hops)[..., tile:], rtol=1e-12)


@pytest.mark.parametrize("hops", [0, 1, 2, INF])
def test_reverse_init_enters_after_the_last_tile(hops):
    """Reverse init is x_N with a unit gate in tile ceil(N/T): append a tile."""
    rng = np.random.default_rng(5)
    tile, n = 3, 9
    a, x, h0 = _rand((1, 1, 2, n), rng), _rand((1, 1, 2, n), rng), _rand((1, 1, 2), rng)
    z = scan_reference(a, x, tile=tile, hops=hops, init=h0, reverse=True)
    xp = np.concatenate([x, np.zeros((1, 1, 2, tile))], axis=-1)
    xp[..., n] = h0
    ap = np.concatenate([a, np.ones((1, 1, 2, tile))], axis=-1)
    np.testing.assert_allclose(z, scan_reference(ap, xp, tile=tile, hops=hops, reverse=True)[..., :n],
                               rtol=1e-12)


def test_nan_gate_outside_the_window_does_not_leak():
    a = np.full((1, 1, 1, 8), 0.5)
    a[..., 1] = np.nan
    x = np.ones((1, 1, 1, 8))
    y = scan_reference(a, x, tile=2, hops=1)
    assert np.isnan(y[..., 1:4]).all()  # a_1 lies in these windows
    assert np.isfinite(y[..., 0]).all() and np.isfinite(y[..., 4:]).all()


@pytest.mark.parametrize("tile,hops,n", [(4, 1, 45), (16, 1, 45), (8, 2, 45), (5, 0, 45),
                                         (64, 1, 45), (3, 3, 1), (4, 1, 8)])
def test_window_rows_is_the_formula(tile, hops, n):
    g = np.random.default_rng(tile * 10 + hops)
    a, x = g.uniform(-1, 1, (3, n)), g.uniform(-1, 1, (3, n))
    want = scan_reference(a[:, None, None], x[:, None, None], tile=tile, hops=hops)[:, 0, 0]
    np.testing.assert_allclose(window_rows(a, x, tile, hops), want, rtol=1e-12, atol=1e-12)


def test_exact_rows_is_the_formula():
    g = np.random.default_rng(3)
    a, x = g.uniform(-1, 1, (3, 45)), g.uniform(-1, 1, (3, 45))
    want = scan_reference(a[:, None, None], x[:, None, None], tile=4, hops=INF)[:, 0, 0]
    np.testing.assert_allclose(exact_rows(a, x), want, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError):
        window_rows(a, x, 4, INF)
