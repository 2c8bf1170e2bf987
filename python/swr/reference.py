"""Float64 reference of the sliding window recurrence (README.md, "Semantics").

This is the oracle of the project: it evaluates the defining formula
directly, position by position, in O(N * window) time, with no tiling trick
shared with any lowering.

Forward, for every (b, h, d) and position t in tile c(t) = t // T::

    y_t = sum_{s=lo(t)}^{t} (prod_{k=s+1}^{t} a_k) * x_s
    lo(t) = max(0, T * (c(t) - K))

plus ``(prod_{k=0}^{t} a_k) * h0`` when the window reaches tile -1
(``c(t) - K <= -1``). Reverse (the adjoint)::

    z_s = sum_{t=s}^{hi(s)} (prod_{k=s+1}^{t} a_k) * x_t
    hi(s) = min(N - 1, T * (c(s) + K + 1) - 1)

plus ``(prod_{k=s+1}^{N-1} a_k) * init`` when the window reaches the tile
after the last one (``c(s) + K >= ceil(N / T)``).
"""

import math

import numpy as np

#: The number of hops of the exact (unwindowed) recurrence.
INF = math.inf


def _check_hops(hops):
    if hops is None or hops == INF:
        return INF
    if int(hops) != hops or hops < 0:
        raise ValueError(f"hops must be a non-negative integer or inf, got {hops}")
    return int(hops)


def window_bounds(n, tile, hops, reverse=False):
    """Returns, for every position, the far end of its window and whether the
    window reaches the initial state (tile -1 forwards, tile ceil(n/T)
    backwards)."""
    if tile < 1:
        raise ValueError(f"tile must be >= 1, got {tile}")
    hops = _check_hops(hops)
    num_tiles = -(-n // tile)
    bounds = []
    for t in range(n):
        c = t // tile
        if hops == INF:
            far, reaches = (n - 1 if reverse else 0), True
        elif reverse:
            far = min(n - 1, tile * (c + hops + 1) - 1)
            reaches = c + hops >= num_tiles
        else:
            far = max(0, tile * (c - hops))
            reaches = c - hops <= -1
        bounds.append((far, reaches))
    return bounds


def scan_reference(a, x, *, tile, hops, init=None, reverse=False):
    """Evaluates the windowed recurrence in float64.

    a: gates, [B, H, N] (per head) or [B, H, D, N] (per channel).
    x: inputs, [B, H, D, N].
    init: optional initial state, [B, H, D].
    Returns y (or z when ``reverse``) as float64, [B, H, D, N].
    """
    x = np.asarray(x, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"x must be [B, H, D, N], got shape {x.shape}")
    if a.ndim == 3:
        a = a[:, :, None, :]
    if a.ndim != 4:
        raise ValueError(f"a must be [B, H, N] or [B, H, D, N], got shape {a.shape}")
    a = np.broadcast_to(a, x.shape)
    n = x.shape[-1]
    h0 = None if init is None else np.asarray(init, dtype=np.float64)
    y = np.zeros(x.shape, dtype=np.float64)
    with np.errstate(all="ignore"):  # NaN and Inf propagate as the formula says
        for t, (far, reaches) in enumerate(window_bounds(n, tile, hops, reverse)):
            acc = np.zeros(x.shape[:-1])
            coef = np.ones(x.shape[:-1])
            if not reverse:
                # Sum over s = t down to lo; coef = prod_{k=s+1}^{t} a_k.
                for s in range(t, far - 1, -1):
                    acc = acc + coef * x[..., s]
                    if s > far or (h0 is not None and reaches):
                        coef = coef * a[..., s]
            else:
                for s in range(t, far + 1):
                    if s > t:
                        coef = coef * a[..., s]
                    acc = acc + coef * x[..., s]
            if h0 is not None and reaches:
                acc = acc + coef * h0
            y[..., t] = acc
    return y


def window_rows(a, x, tile, hops):
    """The forward windowed scan (finite `hops`, no init) of rows `a`, `x`:
    [R, N] float64, O(N * (hops + 1)) instead of scan_reference's direct sum,
    for long sequences: per tile, the recurrence restarted at the first
    position of its window, all tiles at once. Checked against
    scan_reference in python/tests."""
    a, x = np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64)
    hops = _check_hops(hops)
    if hops == INF:
        raise ValueError("window_rows needs finite hops; exact_rows is hops = inf")
    r, n = x.shape
    m = -(-n // tile)
    c = np.arange(m)
    y = np.full_like(x, np.nan)
    acc = np.zeros((r, m))
    for i in range((hops + 1) * tile):
        p = tile * (c - hops) + i
        valid = (p >= 0) & (p < n)
        pc = np.clip(p, 0, n - 1)
        first = p == np.maximum(tile * (c - hops), 0)
        acc = np.where(first[None], x[:, pc], np.where(valid[None], a[:, pc] * acc + x[:, pc], acc))
        mine = valid & (p >= tile * c)
        y[:, pc[mine]] = acc[:, mine]
    return y


def exact_rows(a, x):
    """The exact forward recurrence y_t = a_t y_{t-1} + x_t of rows `a`, `x`:
    [R, N] float64, sequentially (O(N))."""
    a, x = np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64)
    y = np.empty_like(x)
    for t in range(x.shape[1]):
        # y_0 = x_0: the first gate is never multiplied in (a NaN there
        # stays out of every output).
        y[:, t] = a[:, t] * y[:, t - 1] + x[:, t] if t else x[:, t]
    return y


#: Inputs of this magnitude are denormal in f32, f16 excepted (2^-128 <
#: 2^-126, the smallest normal f32), and so are most outputs they produce.
DENORMAL_SCALE = 2.0 ** -128


def plant_special(rng, a, x, tile):
    """Plants the values that DESIGN.md gives a meaning to into gates `a`
    and inputs `x` (float64 arrays whose last dimension is the sequence;
    changed in place): gates of exactly 0 (5%) and 1 (10%), denormal gates
    (2%) and inputs (5%); NaN, +inf and -inf gates and +-inf inputs at a
    tile's first position, inside a tile and at the last position, each in
    one row (so that most outputs stay finite and are compared by value),
    and at the sequence's first positions (with no init, a_0 is never
    multiplied in).
    An output whose window holds a NaN or an infinity must not be finite,
    every other one must match the formula."""
    n = x.shape[-1]
    rows_a, rows_x = a.reshape(-1, n), x.reshape(-1, n)
    assert np.shares_memory(rows_a, a) and np.shares_memory(rows_x, x), "contiguous arrays only"
    u = rng.uniform(size=rows_a.shape)
    rows_a[u < 0.17] *= DENORMAL_SCALE
    rows_a[u < 0.15] = 1.0
    rows_a[u < 0.05] = 0.0
    rows_x[rng.uniform(size=rows_x.shape) < 0.05] *= DENORMAL_SCALE
    first = tile * min(2, (n - 1) // tile)  # the first position of a tile
    for i, (rows, value, pos) in enumerate(((rows_a, np.nan, first), (rows_a, np.inf, n // 2 + 1),
                                            (rows_a, np.nan, 0), (rows_a, -np.inf, 1),
                                            (rows_a, -np.inf, n - 1), (rows_x, np.inf, n // 3),
                                            (rows_x, -np.inf, min(n - 1, tile)))):
        rows[(7 * i + 1) % rows.shape[0], pos] = value



def grads_by_finite_differences(a, x, dy, *, tile, hops, init=None, step=1e-5):
    """Gradients of L = sum(dy * scan_reference(a, x, init)) by central
    finite differences of the float64 reference: (dx, da, dh0), dh0 None
    without init. Per-head gates ([B, H, N]) get da summed over the head's
    channels, as the chain rule says.

    Each (b, h, d) sequence depends only on its own x, h0 and gate row, so
    position k of every sequence is perturbed at once and each sequence's
    own loss is differenced: 4 * N + 2 evaluations of the reference."""
    a, x = np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64)
    dy = np.asarray(dy, dtype=np.float64)
    h0 = None if init is None else np.asarray(init, dtype=np.float64)

    def per_sequence(a_, x_, h0_):
        y = scan_reference(a_, x_, tile=tile, hops=hops, init=h0_)
        return (dy * y).sum(axis=-1)  # [B, H, D]

    def central(shift):
        with np.errstate(all="ignore"):
            return (per_sequence(*shift(step)) - per_sequence(*shift(-step))) / (2 * step)

    def bumped(array, k, e):
        out = array.copy()
        out[..., k] += e
        return out

    dx, da = np.zeros(x.shape), np.zeros(a.shape)
    for k in range(x.shape[-1]):
        dx[..., k] = central(lambda e: (a, bumped(x, k, e), h0))
        d = central(lambda e: (bumped(a, k, e), x, h0))
        da[..., k] = d.sum(axis=2) if a.ndim == 3 else d
    dh0 = None if h0 is None else central(lambda e: (a, x, h0 + e))
    return dx, da, dh0
