"""swr.torch.Phalanx against a float64 reference of the layer (its formula
with the layer's weights, the scan from swr.reference): any length, grouped
heads, head dims, windows, f32 and bf16; chunked forward and decode steps
against one prefill; a compiled training step with no graph breaks."""

import math

import pytest
import torch

from torch_helpers import DEVICE, reference
from swr.torch import Phalanx, PhalanxState


def layer_reference(layer, x):
    """The layer's formula in float64 (module docstring of swr.torch.phalanx)."""
    w = {k: v.detach().double().cpu() for k, v in layer.state_dict().items()}
    x = x.detach().double().cpu()

    def linear(name, t):
        out = t @ w[f"{name}.weight"].T
        return out + w[f"{name}.bias"] if f"{name}.bias" in w else out

    B, L, _ = x.shape
    H, G, hd = layer.heads, layer.kv_heads, layer.head_dim
    a = torch.sigmoid(linear("decay", x))                                # [B, L, H]
    group = torch.arange(H) // (H // G)                                  # head -> group
    bg = torch.sigmoid(linear("input_gate", x)).view(B, L, G, hd)[:, :, group]
    c = linear("output_gate", x).view(B, L, G, hd)[:, :, group]          # [B, L, H, hd]
    v = linear("value", x).view(B, L, H, hd)
    y = reference(a.permute(0, 2, 1), (bg * v).permute(0, 2, 3, 1), tile=layer.tile,
                  hops=layer.hops).permute(0, 3, 1, 2)                   # [B, L, H, hd]
    return linear("out", (y * c + v).reshape(B, L, H * hd))


def make(dim=32, heads=4, head_dim=16, kv_heads=None, dtype=torch.float32, seed=0, **window):
    torch.manual_seed(seed)
    return Phalanx(dim, heads, head_dim, kv_heads, device=DEVICE, dtype=dtype, **window)


@pytest.mark.parametrize("length", (1, 15, 16, 17, 50))
@pytest.mark.parametrize("heads,head_dim,kv_heads,window", (
    (4, 16, None, {}), (4, 16, 2, {}), (6, 8, 3, dict(hops=math.inf)),
    (2, 4, 1, dict(tile=32, hops=2))))
def test_matches_float64_reference(length, heads, head_dim, kv_heads, window):
    layer = make(heads=heads, head_dim=head_dim, kv_heads=kv_heads, **window)
    x = torch.randn(2, length, 32, device=DEVICE)
    out = layer(x)
    assert out.shape == x.shape
    torch.testing.assert_close(out.double().cpu(), layer_reference(layer, x), rtol=1e-4,
                               atol=1e-5)


def test_bf16():
    layer = make(dtype=torch.bfloat16)
    x = torch.randn(2, 40, 32, device=DEVICE, dtype=torch.bfloat16)
    out = layer(x)
    assert out.dtype == torch.bfloat16
    ref = layer_reference(layer, x)
    # bf16 rounds every projection: a few units of 2^-8 of the output scale.
    assert (out.double().cpu() - ref).abs().max() <= 0.05 * ref.abs().max()


@pytest.mark.parametrize("window", ({}, dict(hops=math.inf), dict(hops=0), dict(tile=32,
                                                                                hops=2)))
def test_decode_and_chunks_match_one_prefill(window):
    layer = make(**window)
    L = 2 * layer.tile + 3
    x = torch.randn(1, L, 32, device=DEVICE)
    with torch.no_grad():
        full = layer(x)
        for n in (0, 1, layer.tile - 1, layer.tile, layer.tile + 1, 2 * layer.tile):
            out, state = layer(x[:, :n], return_state=True)
            assert isinstance(state, PhalanxState)
            parts = [out]
            for t in range(n, L):  # decode the rest token by token
                y, state = layer.step(x[:, t], state)
                parts.append(y.unsqueeze(1))
            torch.testing.assert_close(torch.cat(parts, 1), full, rtol=1e-4, atol=1e-5,
                                       msg=f"prefill {n}, then decode")
            rest = layer(x[:, n:], state=layer(x[:, :n], return_state=True)[1])
            torch.testing.assert_close(torch.cat([out, rest], 1), full, rtol=1e-4, atol=1e-5,
                                       msg=f"chunks {n}, {L - n}")


def test_bad_input():
    layer = make()
    with pytest.raises(ValueError, match=r"x must be \[B, L, 32\]"):
        layer(torch.randn(2, 5, 31, device=DEVICE))
    with pytest.raises(ValueError, match="multiple of kv_heads"):
        Phalanx(32, 4, 16, 3)


def test_compiled_training_step_without_graph_breaks():
    layer = make()
    opt = torch.optim.SGD(layer.parameters(), lr=0.1)

    def loss_of(x, target):
        return torch.nn.functional.mse_loss(layer(x), target)

    x = torch.randn(2, 37, 32, device=DEVICE)
    target = torch.randn_like(x)
    explanation = torch._dynamo.explain(loss_of)(x, target)
    assert explanation.graph_break_count == 0, explanation.break_reasons
    compiled = torch.compile(loss_of, fullgraph=True, dynamic=True, backend="aot_eager")
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = compiled(x, target)
        loss.backward()
        losses.append(loss.item())
        opt.step()
    assert losses[-1] < losses[0]
