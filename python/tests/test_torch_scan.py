"""swr.torch.scan and its torch.library ops against the float64 reference:
values for every window of the kernel library, dtypes, layouts and starts;
gradients against finite differences of the reference and gradcheck;
opcheck; torch.compile with no graph breaks; states, chunked prefill and
decode identities; one-line errors on bad input.

Needs torch and the kernel library (SWR_LIB_DIR, set by
test/python/torch.test); SWR_TEST_DEVICE=cuda runs it on the GPU."""

import itertools
import math

import pytest
import torch

from torch_helpers import (DEVICE, assert_close, fd_grads, gates, normal, reference)
from swr.torch import LibraryError, scan

INF = math.inf
WINDOWS = list(itertools.product((16, 32, 64), (0, 1, 2, INF)))
GPU = DEVICE.type == "cuda"


def inputs(B, H, D, N, *, per_head, dtype=torch.float32, init=False, seed=0):
    g = torch.Generator().manual_seed(seed)
    a = gates((B, H, N) if per_head else (B, H, D, N), g, dtype)
    x = normal((B, H, D, N), g, dtype)
    h = normal((B, H, D), g, dtype) if init else None
    return a, x, h


def scale_of(a, x, h, **window):
    return reference(a.abs(), x.abs(), init=None if h is None else h.abs(), **window)


# ----------------------------------------------------------------------------
# Values
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("tile,hops", WINDOWS)
@pytest.mark.parametrize("per_head", (True, False))
@pytest.mark.parametrize("init,reverse", ((False, False), (True, False), (True, True)))
def test_values_every_window(tile, hops, per_head, init, reverse):
    for n in (1, tile - 1, tile + 1, 3 * tile + 5):
        a, x, h = inputs(2, 3, 4, n, per_head=per_head, init=init, seed=n)
        w = dict(tile=tile, hops=hops, reverse=reverse)
        y = scan(a, x, init=h, **w)
        assert y.shape == x.shape and y.dtype == x.dtype and y.device == x.device
        assert_close(y, reference(a, x, init=h, **w), scale=scale_of(a, x, h, **w),
                     what=f"N={n}")


@pytest.mark.parametrize("dtype", (torch.bfloat16, torch.float16))
@pytest.mark.parametrize("tile,hops", ((16, 1), (32, INF), (64, 2)))
def test_values_half_storage(dtype, tile, hops):
    a, x, h = inputs(2, 2, 8, 75, per_head=True, dtype=dtype, init=True)
    w = dict(tile=tile, hops=hops)
    y = scan(a, x, init=h, **w)
    assert y.dtype == dtype
    assert_close(y, reference(a, x, init=h, **w), scale=scale_of(a, x, h, **w), dtype=dtype)
    # out_dtype=float32: the exact f32 result, not a rounded one.
    y32 = scan(a, x, init=h, out_dtype=torch.float32, **w)
    assert y32.dtype == torch.float32
    assert_close(y32, reference(a, x, init=h, **w), scale=scale_of(a, x, h, **w))


def test_mixed_dtypes_run_in_f32():
    a, x, _ = inputs(1, 2, 4, 40, per_head=True)
    xb = x.to(torch.bfloat16)
    y = scan(a, xb, tile=16, hops=1)  # f32 gates, bf16 input: y in bf16
    assert y.dtype == torch.bfloat16
    assert_close(y, reference(a, xb, tile=16, hops=1), scale=scale_of(a, xb, None, tile=16,
                                                                        hops=1),
                 dtype=torch.bfloat16)


def time_major_inputs(B, H, D, n, *, per_channel, dtype=torch.float32, seed=3):
    """Gates and x as [B, H(, D), N] views of dense [B, N, H(, D)] tensors,
    what linear projections give."""
    g = torch.Generator().manual_seed(seed)
    xt = normal((B, n, H, D), g, dtype)
    at = gates((B, n, H, D) if per_channel else (B, n, H), g, dtype)
    return at.permute(0, 2, 3, 1) if per_channel else at.transpose(1, 2), xt.permute(0, 2, 3, 1)


def is_time_major(y):
    """y is the [B, H, D, N] view of a dense [B, N, H, D] tensor, not dense."""
    return not y.is_contiguous() and y.permute(0, 3, 1, 2).is_contiguous()


@pytest.mark.parametrize("tile,hops", WINDOWS)
@pytest.mark.parametrize("per_channel", (False, True))
@pytest.mark.parametrize("init", (False, True))
def test_time_major_layout(tile, hops, per_channel, init):
    """x of a [B, N, H, D] projection, seen as [B, H, D, N]: the library's
    time-major function reads it and writes y in the same layout (no
    transposing copy; on the GPU the time-major kernels), against the
    float64 oracle at lengths with partial tiles and chunks."""
    for n in (1, tile + 3, 1037):
        a, x = time_major_inputs(2, 3, 16, n, per_channel=per_channel, seed=n)
        h = normal((2, 3, 16), torch.Generator().manual_seed(n + 1)) if init else None
        w = dict(tile=tile, hops=hops)
        y = scan(a, x, init=h, **w)
        assert y.shape == x.shape and y.dtype == x.dtype
        assert n == 1 or is_time_major(y), f"N={n}: y's strides {y.stride()}"
        assert_close(y, reference(a, x, init=h, **w), scale=scale_of(a, x, h, **w),
                     what=f"N={n}")


@pytest.mark.parametrize("dtype", (torch.bfloat16, torch.float16))
@pytest.mark.parametrize("hops", (1, INF))
def test_time_major_half_storage_and_mixed_gates(dtype, hops):
    """16-bit storage; and gates in head-major order with a time-major x
    (the gates are reordered, x is not copied)."""
    for per_channel in (False, True):
        a, x = time_major_inputs(2, 4, 8, 301, per_channel=per_channel, dtype=dtype)
        w = dict(tile=16, hops=hops)
        for gates_ in (a, a.contiguous()):
            y = scan(gates_, x, **w)
            assert y.dtype == dtype and is_time_major(y)
            assert_close(y, reference(a, x, **w), scale=scale_of(a, x, None, **w), dtype=dtype)


def test_time_major_reverse_and_grads():
    """A reverse scan of a time-major x runs on a dense copy (y dense);
    gradients through the time-major forward against finite differences."""
    a, x = time_major_inputs(1, 2, 4, 37, per_channel=False)
    y = scan(a, x, tile=16, hops=1, reverse=True)
    assert y.is_contiguous()
    assert_close(y, reference(a, x, tile=16, hops=1, reverse=True),
                 scale=scale_of(a, x, None, tile=16, hops=1, reverse=True))
    dy = normal(x.shape, torch.Generator().manual_seed(9))
    for hops in (1, INF):
        al, xl = (t.detach().clone().requires_grad_() for t in (a, x))  # clones keep strides
        y = scan(al, xl, tile=16, hops=hops)
        assert is_time_major(xl) and is_time_major(y)
        y.backward(dy)
        dx, da, _ = fd_grads(a, x, dy, tile=16, hops=hops)
        assert_close(xl.grad, dx, scale=1e-2 + dx.abs().max(), rtol=1e-4, what="dx")
        assert_close(al.grad, da, scale=1e-2 + da.abs().max(), rtol=1e-4, what="da")


@pytest.mark.parametrize("hops", (0, 1, 2, INF))
@pytest.mark.parametrize("per_channel", (False, True))
def test_time_major_prefill_with_state(hops, per_channel):
    """A prefill of time-major operands returns y in their layout (a long
    one through the time-major scan and the library's tail over its last
    tiles, read in place, a short one through the chunk kernel) and the
    head-major prefill's state, from which a decode step continues the
    sequence; gradients flow. Lengths within a tile, past the last whole
    tile and on a tile boundary."""
    for tile, n in ((16, 5), (16, 3 * 16 + 7), (16, 4 * 16), (64, 3 * 64 + 1)):
        a, x = time_major_inputs(2, 3, 4, n, per_channel=per_channel, seed=n)
        w = dict(tile=tile, hops=hops)
        y, s = scan(a, x, return_state=True, **w)
        assert is_time_major(y), f"N={n}: y's strides {y.stride()}"
        assert_close(y, reference(a, x, **w), scale=scale_of(a, x, None, **w), what=f"N={n}")
        _, s_dense = scan(a.contiguous(), x.contiguous(), return_state=True, **w)
        torch.testing.assert_close(s, s_dense, rtol=1e-5, atol=1e-5)
        g = torch.Generator().manual_seed(n + 5)
        at, xt = gates(a.shape[:-1] + (1,), g), normal(x.shape[:-1] + (1,), g)
        yt = scan(at, xt, state=s, **w)
        aa, xx = torch.cat([a, at], -1), torch.cat([x, xt], -1)
        assert_close(yt[..., 0], reference(aa, xx, **w)[..., -1],
                     scale=scale_of(aa, xx, None, **w)[..., -1], what=f"N={n}, step")
    al, xl = (t.detach().clone().requires_grad_() for t in (a, x))
    y, _ = scan(al, xl, return_state=True, **w)
    dy = normal(x.shape, torch.Generator().manual_seed(9))
    y.backward(dy)
    dx, da, _ = fd_grads(a, x, dy, **w)
    assert_close(xl.grad, dx, scale=1e-2 + dx.abs().max(), rtol=1e-4, what="dx")
    assert_close(al.grad, da, scale=1e-2 + da.abs().max(), rtol=1e-4, what="da")


def test_empty():
    for shape in ((0, 2, 3, 5), (1, 2, 3, 0)):
        x = torch.zeros(shape, device=DEVICE)
        a = torch.zeros(shape[:2] + shape[3:], device=DEVICE)
        assert scan(a, x).shape == shape
        y, s = scan(a, x, hops=2, return_state=True)
        assert y.shape == shape and s.shape == shape[:3] + (4,)


# ----------------------------------------------------------------------------
# Gradients
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("tile,hops", [w for w in WINDOWS if w[0] in (16, 32)])
@pytest.mark.parametrize("per_head,init", ((True, True), (False, False), (True, False)))
def test_grads_against_finite_differences(tile, hops, per_head, init):
    n = 2 * tile + 3
    a, x, h = inputs(1, 2, 3, n, per_head=per_head, init=init, seed=tile + n)
    dy = normal(x.shape, torch.Generator().manual_seed(9))
    leaves = [t.clone().requires_grad_() for t in (a, x) + ((h,) if init else ())]
    y = scan(leaves[0], leaves[1], init=leaves[2] if init else None, tile=tile, hops=hops)
    y.backward(dy)
    dx, da, dh = fd_grads(a, x, dy, tile=tile, hops=hops, init=h)
    # FD of the float64 reference is accurate to ~1e-9; the op's f32 error
    # is bounded by its scale (|dy| through |a| windows).
    scale = 1e-2 + dx.abs().max()
    assert_close(leaves[1].grad, dx, scale=scale, rtol=1e-4, what="dx")
    assert_close(leaves[0].grad, da, scale=1e-2 + da.abs().max(), rtol=1e-4, what="da")
    if init:
        assert_close(leaves[2].grad, dh, scale=1e-2 + dh.abs().max(), rtol=1e-4, what="dinit")


@pytest.mark.parametrize("tile,hops", ((16, 0), (16, 1), (16, 2), (32, 2), (64, 1), (16, INF)))
@pytest.mark.parametrize("per_head,init", ((True, True), (False, True), (True, False)))
def test_grad_from_scans(tile, hops, per_head, init):
    """The backward that windows without a GPU kernel use (scans and
    elementwise ops), on this device, against finite differences."""
    n = 2 * tile + 5
    a, x, h = inputs(1, 2, 3, n, per_head=per_head, init=init, seed=n + 1)
    dy = normal(x.shape, torch.Generator().manual_seed(8))
    dx, da, dh = torch.ops.swr._scan_grad_from_scans(a, x, dy, h, tile,
                                                      -1 if hops == INF else hops)
    rx, ra, rh = fd_grads(a, x, dy, tile=tile, hops=hops, init=h)
    assert_close(dx, rx, scale=1e-2 + rx.abs().max(), rtol=1e-4, what="dx")
    assert_close(da, ra, scale=1e-2 + ra.abs().max(), rtol=1e-4, what="da")
    if init:
        assert_close(dh, rh, scale=1e-2 + rh.abs().max(), rtol=1e-4, what="dinit")


@pytest.mark.parametrize("per_head,init,d", ((True, True, 3), (False, True, 3),
                                              (True, False, 40), (True, True, 1)))
def test_grad_from_output(per_head, init, d):
    """swr::scan_grad_from_output (what autograd calls for hops = inf): from
    the forward's output, against finite differences; heads of 1 to 40
    channels (the GPU sums up to 16 channel groups per block, wider heads
    in a second kernel)."""
    n = 83
    a, x, h = inputs(1, 2, d, n, per_head=per_head, init=init, seed=n + d)
    dy = normal(x.shape, torch.Generator().manual_seed(7))
    y = scan(a, x, init=h, tile=16, hops=INF)
    dx, da, dh = torch.ops.swr.scan_grad_from_output(a, y, dy, h, 16)
    rx, ra, rh = fd_grads(a, x, dy, tile=16, hops=INF, init=h)
    assert_close(dx, rx, scale=1e-2 + rx.abs().max(), rtol=1e-4, what="dx")
    assert_close(da, ra, scale=1e-2 + ra.abs().max(), rtol=1e-4, what="da")
    if init:
        assert_close(dh, rh, scale=1e-2 + rh.abs().max(), rtol=1e-4, what="dinit")


@pytest.mark.parametrize("hops", (1, INF))
def test_grads_of_an_empty_sequence(hops):
    """N = 0: no position, so dx and da are empty and dinit is 0."""
    a, x, h = inputs(2, 2, 3, 0, per_head=True, init=True)
    leaves = [t.clone().requires_grad_() for t in (a, x, h)]
    y = scan(*leaves[:2], init=leaves[2], tile=16, hops=hops)
    y.backward(torch.ones_like(y))
    assert leaves[0].grad.shape == a.shape and leaves[1].grad.shape == x.shape
    assert torch.equal(leaves[2].grad, torch.zeros_like(h))


def test_gradcheck():
    a, x, h = inputs(1, 1, 2, 21, per_head=True, init=True)
    leaves = [t.clone().requires_grad_() for t in (a, x, h)]
    assert torch.autograd.gradcheck(
        lambda a, x, h: scan(a, x, init=h, tile=16, hops=1), leaves, eps=1e-2, atol=2e-2,
        rtol=2e-2, nondet_tol=0.0)


def test_reverse_gradient_of_x():
    a, x, _ = inputs(1, 2, 2, 40, per_head=True)
    xl = x.clone().requires_grad_()
    dy = normal(x.shape, torch.Generator().manual_seed(1))
    scan(a, xl, tile=16, hops=1, reverse=True).backward(dy)
    # <dy, R x> = <R^T dy, x>: the reverse scan's adjoint is the forward scan.
    assert_close(xl.grad, reference(a, dy, tile=16, hops=1), scale=scale_of(a, dy, None,
                                                                            tile=16, hops=1))
    al = a.clone().requires_grad_()
    with pytest.raises(NotImplementedError, match="reverse scan"):
        scan(al, x, tile=16, hops=1, reverse=True).sum().backward()


# ----------------------------------------------------------------------------
# States: chunked prefill, decode, gradients through the state
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("hops", (0, 1, 2, INF))
@pytest.mark.parametrize("per_head,init", ((True, False), (False, True)))
def test_chunked_prefill_every_split(hops, per_head, init):
    tile, n = 16, 53
    a, x, h = inputs(1, 2, 3, n, per_head=per_head, init=init, seed=hops if hops != INF else 7)
    full = scan(a, x, init=h, tile=tile, hops=hops)
    for n1 in range(0, n + 1):
        y1, s = scan(a[..., :n1], x[..., :n1], init=h, tile=tile, hops=hops, return_state=True)
        y2 = scan(a[..., n1:], x[..., n1:], state=s, tile=tile, hops=hops)
        got = torch.cat([y1, y2], dim=-1)
        assert_close(got, full.double().cpu(), scale=scale_of(a, x, h, tile=tile, hops=hops),
                     what=f"split {n1}")


@pytest.mark.parametrize("tile,hops", ((16, 1), (16, INF), (32, 2), (16, 0)))
def test_decode_matches_prefill(tile, hops):
    """Prefill N then one step equals prefill N + 1, for every N around
    tile boundaries, token by token."""
    n = 3 * tile + 2
    a, x, _ = inputs(2, 2, 4, n, per_head=True, seed=11)
    full = scan(a, x, tile=tile, hops=hops)
    _, s = scan(a[..., :0], x[..., :0], tile=tile, hops=hops, return_state=True)
    for t in range(n):
        yt, s = scan(a[..., t:t + 1], x[..., t:t + 1], state=s, tile=tile, hops=hops,
                     return_state=True)
        assert_close(yt[..., 0], full[..., t].double().cpu(),
                     scale=scale_of(a, x, None, tile=tile, hops=hops)[..., t], what=f"t={t}")
        _, sp = scan(a[..., :t + 1], x[..., :t + 1], tile=tile, hops=hops, return_state=True)
        torch.testing.assert_close(s, sp, rtol=1e-5, atol=1e-5)


def test_gradients_through_exact_state():
    """hops = inf: two chunks with the state passed give one scan's
    gradients, for a, x and init."""
    a, x, h = inputs(1, 2, 3, 45, per_head=True, init=True, seed=5)
    dy = normal(x.shape, torch.Generator().manual_seed(2))
    one = [t.clone().requires_grad_() for t in (a, x, h)]
    scan(one[0], one[1], init=one[2], tile=16, hops=INF).backward(dy)
    two = [t.clone().requires_grad_() for t in (a, x, h)]
    y1, s = scan(two[0][..., :20], two[1][..., :20], init=two[2], tile=16, hops=INF,
                 return_state=True)
    y2 = scan(two[0][..., 20:], two[1][..., 20:], state=s, tile=16, hops=INF)
    torch.cat([y1, y2], -1).backward(dy)
    for p, q, name in zip(one, two, ("a", "x", "init")):
        torch.testing.assert_close(q.grad, p.grad, rtol=1e-4, atol=1e-5, msg=name)


def test_finite_state_is_not_differentiable():
    a, x, _ = inputs(1, 1, 2, 20, per_head=True)
    xl = x.clone().requires_grad_()
    y, s = scan(a, xl, tile=16, hops=1, return_state=True)
    assert y.requires_grad and not s.requires_grad
    y2 = scan(a, xl, tile=16, hops=1, state=s)
    with pytest.raises(NotImplementedError, match="starts from a state"):
        y2.sum().backward()


# ----------------------------------------------------------------------------
# torch.library: opcheck, torch.compile
# ----------------------------------------------------------------------------

def test_opcheck():
    a, x, h = inputs(2, 2, 3, 37, per_head=True, init=True)
    dy = normal(x.shape, torch.Generator().manual_seed(4))
    s = scan(a, x, tile=16, hops=INF, return_state=True)[1]
    y = scan(a, x, init=h, tile=16, hops=INF)
    rg = lambda *ts: [t.clone().requires_grad_() for t in ts]  # noqa: E731
    for op, args in (
            (torch.ops.swr.scan.default, (*rg(a, x, h), 16, 1, False)),
            (torch.ops.swr.scan.default, (*rg(a, x, h), 16, -1, False)),
            (torch.ops.swr.scan.default, (a, *rg(x), None, 32, -1, True)),
            (torch.ops.swr.scan_chunk.default, (*rg(a, x), None, s.clone(), 16, -1)),
            (torch.ops.swr.scan_chunk.default, (*rg(a, x, h), None, 16, 2)),
            (torch.ops.swr.scan_grad.default, (a, x, dy, h, 16, 1)),
            (torch.ops.swr.scan_grad_from_output.default, (a, y, dy, h, 16)),
            (torch.ops.swr.scan_grad_from_output.default, (a, y, dy, None, 16))):
        torch.library.opcheck(op, args)
    # Time-major x: y in x's layout, in the fake kernel too.
    at, xt = time_major_inputs(2, 2, 3, 37, per_channel=False)
    for hops in (1, -1):
        torch.library.opcheck(torch.ops.swr.scan.default, (*rg(at, xt, h), 16, hops, False))
    for hops in (0, 1, -1):  # long prefills (the scan and a tail); hops = inf (the chunk)
        torch.library.opcheck(torch.ops.swr.scan_chunk.default, (*rg(at, xt), None, None, 16, hops))


class Layer(torch.nn.Module):
    def __init__(self, hops=1):
        super().__init__()
        self.hops = hops

    def forward(self, a, x):
        return (scan(torch.sigmoid(a), x, tile=16, hops=self.hops) * x).sum()


@pytest.mark.parametrize("hops", (1, INF))
def test_compile_without_graph_breaks(hops):
    layer = Layer(hops)
    a, x, _ = inputs(1, 2, 4, 40, per_head=True)
    explanation = torch._dynamo.explain(layer)(a, x)
    assert explanation.graph_break_count == 0, explanation.break_reasons
    compiled = torch.compile(layer, fullgraph=True, dynamic=True, backend="aot_eager")
    for n in (40, 57, 16):  # dynamic sequence length
        a, x, _ = inputs(1, 2, 4, n, per_head=True, seed=n)
        al, xl = a.clone().requires_grad_(), x.clone().requires_grad_()
        loss = compiled(al, xl)
        loss.backward()
        ae, xe = a.clone().requires_grad_(), x.clone().requires_grad_()
        eager = layer(ae, xe)
        eager.backward()
        torch.testing.assert_close(loss, eager)
        torch.testing.assert_close(al.grad, ae.grad)
        torch.testing.assert_close(xl.grad, xe.grad)


# ----------------------------------------------------------------------------
# Errors: one line, a Python exception
# ----------------------------------------------------------------------------

def test_bad_input_raises_one_line():
    a, x, h = inputs(1, 2, 3, 10, per_head=True, init=True)
    cases = [
        (dict(a=a, x=x.double()), TypeError, "dtype torch.float64"),
        (dict(a=a, x=x.to(torch.int32)), TypeError, "dtype torch.int32"),
        (dict(a=a[..., :5], x=x), ValueError, "a must be"),
        (dict(a=a, x=x[0]), ValueError, "x must be"),
        (dict(a=a, x=x, init=h[..., :2]), ValueError, "init must be"),
        (dict(a=a, x=x, hops=float("nan")), ValueError, "hops must be"),
        (dict(a=a, x=x, hops=-1), ValueError, "hops must be"),
        (dict(a=a, x=x, tile=0), ValueError, "tile must be"),
        (dict(a=a, x=x, tile=float("inf")), ValueError, "tile must be"),
        (dict(a=a, x=x, tile=17), LibraryError, "no kernels for tile=17"),
        (dict(a=a, x=x, hops=3), LibraryError, "has tiles 16, 32, 64; hops 0, 1, 2, inf"),
        (dict(a=a, x=x, state=torch.zeros(1, 2, 3, 2, device=DEVICE)), ValueError,
         "state must be"),
        (dict(a=a, x=x, init=h, state=torch.zeros(1, 2, 3, 3, device=DEVICE)), ValueError,
         "exclusive"),
        (dict(a=a, x=x, reverse=True, return_state=True), ValueError, "states are for"),
        (dict(a=a.numpy() if not GPU else 1.0, x=x), TypeError, "a must be a torch.Tensor"),
    ]
    if GPU:
        cases.append((dict(a=a.cpu(), x=x), ValueError, "a is on cpu"))
    for kwargs, kind, text in cases:
        with pytest.raises(kind, match=text) as e:
            scan(**kwargs)
        assert "\n" not in str(e.value) and str(e.value).startswith("swr.torch")



@pytest.mark.skipif(not GPU, reason="the kernels' own device buffers are on the GPU only")
def test_kernel_buffers_from_pytorch_allocator():
    """The device memory the kernel library allocates itself (a chained
    time-major scan's status) comes from PyTorch's caching allocator
    (swr_runtime_set_device_allocator): one allocation more than y, where a
    head-major scan, which needs none, makes y's alone."""
    def allocations(a, x):
        scan(a, x, tile=16, hops=INF)  # warm-up: loads the kernels
        torch.cuda.synchronize()
        before = torch.cuda.memory_stats()["allocation.all.allocated"]
        y = scan(a, x, tile=16, hops=INF)
        torch.cuda.synchronize()
        return torch.cuda.memory_stats()["allocation.all.allocated"] - before, y

    a, x = time_major_inputs(1, 4, 16, 4096, per_channel=False, seed=5)
    chained, y = allocations(a, x)
    assert is_time_major(y)
    assert_close(y, reference(a, x, tile=16, hops=INF),
                 scale=scale_of(a, x, None, tile=16, hops=INF), what="time-major")
    plain, _ = allocations(a.contiguous(), x.contiguous())
    assert plain >= 1 and chained == plain + 1, (plain, chained)


@pytest.mark.skipif(not GPU, reason="CUDA graphs need a GPU")
def test_cuda_graph_capture():
    """The op launches on the current stream, allocates through PyTorch and
    never synchronizes: a CUDA graph captures it, and replays follow new
    inputs."""
    a, x, h = inputs(2, 3, 16, 100, per_head=True, init=True)
    static = [t.clone() for t in (a, x, h)]
    scan(*static[:2], init=static[2], tile=16, hops=1)  # warm-up: loads the kernels
    _, s = scan(static[0], static[1], tile=16, hops=2, return_state=True)
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.stream(stream), torch.cuda.graph(graph):
        y = scan(static[0], static[1], init=static[2], tile=16, hops=1)
        yt, s2 = scan(static[0][..., :1], static[1][..., :1], state=s, tile=16, hops=2,
                      return_state=True)
    for seed in (1, 2):
        a2, x2, h2 = inputs(2, 3, 16, 100, per_head=True, init=True, seed=seed)
        for t, v in zip(static, (a2, x2, h2)):
            t.copy_(v)
        graph.replay()
        torch.cuda.synchronize()
        assert torch.equal(y, scan(a2, x2, init=h2, tile=16, hops=1))
        ref_y, ref_s = scan(a2[..., :1], x2[..., :1], state=s, tile=16, hops=2,
                            return_state=True)
        assert torch.equal(yt, ref_y) and torch.equal(s2, ref_s)
