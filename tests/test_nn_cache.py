"""EquivariantLinear's eval-mode cache of its expanded weight: used only in eval mode without
grad, and never stale (each test changes the parameters in some way and checks that the cached
forward equals a fresh computation and differs from the output before the change)."""

from __future__ import annotations

import copy
import io
import pickle

import numpy as np
import pytest
import torch
from _equiv_helpers import octahedral_space, random_word

from equiact.nn import EquivariantLinear
from equiact.spaces import direct_sum, sn_subset_space, sn_tensor_space

MODES = ["dense", "sparse"]


def make(mode, seed=0, **kw):
    torch.manual_seed(seed)
    X, Y = sn_subset_space(5, 2), sn_tensor_space(5, 1)
    layer = EquivariantLinear(X, Y, 3, 4, mode=mode, **kw)
    with torch.no_grad():
        if layer.bias is not None:
            layer.bias.normal_()
    return layer.eval()


def fresh(layer, x):
    """The uncached forward (grad mode never uses the cache)."""
    with torch.enable_grad():
        return layer(x).detach()


def close(a, b):
    """Cached and fresh forwards may take different paths (a sparse layer's cache may be
    dense, see choose_eval_mode): equal up to rounding."""
    return torch.allclose(a, b, rtol=1e-5, atol=1e-5)


def cached(layer, x):
    with torch.no_grad():
        out = layer(x)
    assert "_cache" in layer.__dict__, "eval + no_grad should have filled the cache"
    return out


@pytest.mark.parametrize("mode", MODES)
def test_cache_used_only_in_eval_without_grad(mode):
    layer = make(mode)
    x = torch.randn(5, 3, 10)
    layer.train()
    with torch.no_grad():
        layer(x)
    assert "_cache" not in layer.__dict__
    layer.eval()
    layer(x)  # grad enabled
    assert "_cache" not in layer.__dict__
    y = cached(layer, x)
    expanded = layer.__dict__["_cache"][2]
    y2 = cached(layer, x)
    assert layer.__dict__["_cache"][2] is expanded  # reused, not rebuilt
    assert torch.equal(y, y2) and close(y, fresh(layer, x))
    assert not any(t is not None and t.requires_grad for t in expanded)
    with torch.inference_mode():
        assert torch.equal(layer(x), y)
    layer.train()
    assert "_cache" not in layer.__dict__  # training mode frees it


def _change_inplace(layer):
    with torch.no_grad():
        layer.weight.add_(0.5)


def _change_data(layer):
    # writes through .data do not bump the version counter
    layer.weight.data.copy_(torch.randn_like(layer.weight))


def _change_bias_data(layer):
    layer.bias.data.mul_(-2.0).add_(1.0)


def _change_load_state_dict(layer):
    layer.load_state_dict(make(layer.mode, seed=7).state_dict())


def _change_replace_parameter(layer):
    layer.weight = torch.nn.Parameter(torch.randn_like(layer.weight))


def _change_reset(layer):
    torch.manual_seed(99)
    layer.reset_parameters()


def _optimizer(cls, **kw):
    def change(layer):
        opt = cls(layer.parameters(), lr=0.1, **kw)
        with torch.enable_grad():
            layer(torch.randn(4, 3, 10)).square().sum().backward()
        opt.step()
    return change


CHANGES = {
    "inplace": _change_inplace,
    "data": _change_data,
    "bias_data": _change_bias_data,
    "load_state_dict": _change_load_state_dict,
    "replace_parameter": _change_replace_parameter,
    "reset_parameters": _change_reset,
    "sgd_foreach": _optimizer(torch.optim.SGD, foreach=True),
    "sgd_loop": _optimizer(torch.optim.SGD, foreach=False),
    "adam_fused": _optimizer(torch.optim.Adam, fused=True),  # no version bump
    "adamw_foreach": _optimizer(torch.optim.AdamW, foreach=True),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_cache_is_invalidated_by_parameter_changes(mode, change):
    layer = make(mode)
    x = torch.randn(6, 3, 10)
    before = cached(layer, x)
    CHANGES[change](layer)
    layer.eval()
    after = cached(layer, x)
    assert close(after, fresh(layer, x))
    assert (after - before).abs().max() > 1e-3, "the change should change the output"


@pytest.mark.parametrize("mode", MODES)
def test_cache_follows_dtype_and_device_moves(mode):
    layer = make(mode)
    x = torch.randn(6, 3, 10, dtype=torch.float64)
    y32 = cached(layer, x.float())
    layer.double()
    y64 = cached(layer, x)
    assert y64.dtype == torch.float64 and close(y64, fresh(layer, x))
    assert (y64.float() - y32).abs().max() < 1e-5
    layer.to(torch.float32)
    assert torch.equal(cached(layer, x.float()), y32)
    layer.to("cpu")  # a no-op move keeps a valid cache
    assert torch.equal(cached(layer, x.float()), y32)
    if torch.cuda.is_available():
        layer.cuda()
        yc = cached(layer, x.float().cuda())
        assert yc.device.type == "cuda" and (yc.cpu() - y32).abs().max() < 1e-5


@pytest.mark.parametrize("mode", MODES)
def test_cache_not_serialised_or_shared_by_copies(mode):
    layer = make(mode)
    x = torch.randn(6, 3, 10)
    y = cached(layer, x)
    clone = copy.deepcopy(layer)
    assert "_cache" not in clone.__dict__
    with torch.no_grad():
        clone.weight.mul_(2.0)
    assert torch.equal(cached(layer, x), y)
    assert close(cached(clone, x), fresh(clone, x))
    assert "_cache" not in pickle.loads(pickle.dumps(layer)).__dict__
    buf = io.BytesIO()
    torch.save(layer, buf)
    buf.seek(0)
    loaded = torch.load(buf, weights_only=False)
    assert torch.equal(cached(loaded, x), y)
    assert set(layer.state_dict()) == {"weight", "bias"}


@pytest.mark.parametrize("mode", MODES)
def test_cached_forward_is_exactly_equivariant_float64(mode):
    """The eval-mode (cached) path on a signed space, random group words, float64."""
    rng = np.random.default_rng(5)
    X = direct_sum(octahedral_space(), octahedral_space())
    Y = octahedral_space()
    torch.manual_seed(1)
    layer = EquivariantLinear(X, Y, 2, 3, mode=mode).double().eval()
    x = torch.randn(4, 2, X.size, dtype=torch.float64)
    with torch.no_grad():
        y = layer(x)
        for _ in range(5):
            w = random_word(rng, X.num_generators, int(rng.integers(1, 30)))
            err = (layer(X.act(w, x)) - Y.act(w, y)).abs().max().item()
            assert err < 1e-12


def test_clear_cache_and_no_bias():
    layer = make("dense", bias=False)
    x = torch.randn(2, 3, 10)
    y = cached(layer, x)
    layer.clear_cache()
    assert "_cache" not in layer.__dict__
    assert torch.equal(cached(layer, x), y)


def test_eval_mode_choice_and_override():
    from equiact.nn.linear import EVAL_DENSE_LIMIT, choose_eval_mode

    X = sn_tensor_space(6, 2)
    layer = EquivariantLinear(X, X, 16, 16, mode="sparse").eval()
    assert layer.eval_mode == "dense"  # small: the cached dense matrix is faster
    x = torch.randn(3, 16, 36, dtype=torch.float64)
    layer.double()
    with torch.no_grad():
        y_dense = layer(x)
        assert layer.__dict__["_cache"][2][1].shape == (16 * 36, 16 * 36)
        layer.eval_mode = "sparse"  # the key includes eval_mode: rebuilt as sparse
        y_sparse = layer(x)
        assert layer.__dict__["_cache"][2][1].shape == (16, 15 * 16)
    ref = fresh(layer, x)
    assert (y_dense - ref).abs().max() < 1e-12 and torch.equal(y_sparse, ref)
    assert layer.dense_weight().shape == (16, 36, 16, 36)
    assert EquivariantLinear(X, X, 2, 2, mode="dense").eval_mode == "dense"
    n = 64  # S_64 on 2-tensors, 32 channels: 1.7e10 entries, never dense
    assert n**4 * 32 * 32 > EVAL_DENSE_LIMIT
    assert choose_eval_mode(n * n, n * n, 32, 32, 15, n**4) == "sparse"


@pytest.mark.parametrize("mode", MODES)
def test_compiled_eval_forward_bypasses_cache(mode):
    """torch.compile (aot_eager) in eval mode without grad: traced without the cache, equal to
    eager; the eager cache is unaffected."""
    layer = make(mode)
    x = torch.randn(6, 3, 10)
    compiled = torch.compile(layer, backend="aot_eager")
    with torch.no_grad():
        y = compiled(x)
    assert close(y, cached(layer, x))
    with torch.no_grad():
        layer.weight.mul_(-1.0)
        assert close(compiled(x), fresh(layer, x)) and close(cached(layer, x), fresh(layer, x))


def test_layer_built_under_inference_mode():
    """Inference tensors have no version counter: the cache relies on the value check."""
    with torch.inference_mode():
        layer = make("dense")
        x = torch.randn(2, 3, 10)
        y = layer(x)
        layer.weight.add_(1.0)
        y2 = layer(x)
        assert (y2 - y).abs().max() > 1e-3
        assert close(y2, torch.nn.functional.linear(
            x.reshape(2, -1), layer.dense_weight().reshape(20, 30),
            layer.dense_bias().reshape(-1)).reshape(2, 4, 5))
