"""Tests for EquivariantLinear: exact equivariance, modes, dtypes, init, state_dict, compile."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _equiv_helpers import (
    S4_SUBGROUP_GENERATORS,
    coset_space,
    octahedral_space,
    q8_space,
    random_word,
)

from equiact.errors import InvalidInputError
from equiact.nn import EquivariantLinear
from equiact.orbit_basis import hom_orbits
from equiact.spaces import (
    PermutationSpace,
    cyclic_regular_space,
    dihedral_polygon_space,
    dihedral_regular_space,
    direct_sum,
    sn_injective_tuple_space,
    sn_sign_space,
    sn_subset_space,
    sn_tensor_space,
)

D4_IN_S4 = S4_SUBGROUP_GENERATORS["D4"]
C3_IN_S4 = S4_SUBGROUP_GENERATORS["C3"]
V4_IN_S4 = S4_SUBGROUP_GENERATORS["V4"]

PAIRS = [
    ("C7 regular", cyclic_regular_space(7), cyclic_regular_space(7)),
    ("D5 regular", dihedral_regular_space(5), dihedral_regular_space(5)),
    ("D6 polygon->regular", dihedral_polygon_space(6), dihedral_regular_space(6)),
    ("S5 natural", sn_tensor_space(5, 1), sn_tensor_space(5, 1)),
    ("S5 2-subsets", sn_subset_space(5, 2), sn_subset_space(5, 2)),
    ("S5 natural->2-subsets", sn_tensor_space(5, 1), sn_subset_space(5, 2)),
    ("S4 2-tensors", sn_tensor_space(4, 2), sn_tensor_space(4, 2)),
    ("S4 tuples->sign", sn_injective_tuple_space(4, 2), sn_sign_space(4)),
    ("S4/D4 -> S4/C3", coset_space(D4_IN_S4), coset_space(C3_IN_S4)),
    ("S4/V4 -> S4/V4", coset_space(V4_IN_S4), coset_space(V4_IN_S4)),
    ("Q8 on H", q8_space(), q8_space()),
    ("octahedral", octahedral_space(), octahedral_space()),
    ("Q8 sum", direct_sum(q8_space(), q8_space()), q8_space()),
    ("S4 sum", direct_sum(sn_tensor_space(4, 1), sn_tensor_space(4, 2), sn_sign_space(4)),
     direct_sum(sn_subset_space(4, 2), sn_tensor_space(4, 1))),
]


def max_equivariance_error(layer, X, Y, rng, words: int = 5, batch: int = 4):
    torch.manual_seed(int(rng.integers(1 << 30)))
    x = torch.randn(batch, layer.in_channels, X.size, dtype=torch.float64)
    y = layer(x)
    worst = 0.0
    for _ in range(words):
        w = random_word(rng, X.num_generators, int(rng.integers(1, 30)))
        worst = max(worst, (layer(X.act(w, x)) - Y.act(w, y)).abs().max().item())
    return worst, y


@pytest.mark.parametrize("mode", ["dense", "sparse"])
@pytest.mark.parametrize("name,X,Y", PAIRS, ids=[p[0] for p in PAIRS])
def test_exact_equivariance_float64(name, X, Y, mode):
    rng = np.random.default_rng(abs(hash(name)) % (1 << 31))
    layer = EquivariantLinear(X, Y, 3, 2, mode=mode).double()
    with torch.no_grad():
        layer.bias.normal_()  # a nonzero invariant bias must stay invariant
    err, y = max_equivariance_error(layer, X, Y, rng)
    assert err < 1e-10
    assert y.abs().max() > 1e-3  # not trivially zero (every pair above has dim > 0)


def test_dense_and_sparse_modes_agree_and_match_basis():
    X, Y = sn_tensor_space(4, 2), sn_tensor_space(4, 1)
    torch.manual_seed(0)
    dense = EquivariantLinear(X, Y, 3, 2, mode="dense").double()
    sparse = EquivariantLinear(X, Y, 3, 2, mode="sparse").double()
    sparse.load_state_dict(dense.state_dict())
    x = torch.randn(5, 3, 16, dtype=torch.float64)
    assert (dense(x) - sparse(x)).abs().max() < 1e-12
    # reference: W[o, y, i, x] = sum_d weight[o, i, d] basis[d, y, x]
    basis = torch.as_tensor(hom_orbits(X, Y).dense())
    W = torch.einsum("oid,dyx->oyix", dense.weight, basis)
    ref = torch.einsum("oyix,bix->boy", W, x) + dense.dense_bias()
    assert (dense(x) - ref).abs().max() < 1e-12
    assert (sparse.dense_weight() - W).abs().max() < 1e-12


def test_parameter_shapes_and_bias_dims():
    X, Y = sn_tensor_space(5, 2), sn_tensor_space(5, 2)
    layer = EquivariantLinear(X, Y, 3, 4)
    assert layer.weight.shape == (4, 3, 15) and layer.bias.shape == (4, 2)
    q = q8_space()
    qlayer = EquivariantLinear(q, q, 2, 2)
    assert qlayer.weight.shape == (2, 2, 4) and qlayer.bias.shape == (2, 0)
    assert EquivariantLinear(X, Y, 3, 4, bias=False).bias is None
    # extra leading batch dimensions
    assert layer(torch.randn(2, 6, 3, 25)).shape == (2, 6, 4, 25)


def test_input_validation():
    X = sn_tensor_space(4, 1)
    layer = EquivariantLinear(X, X, 3, 2)
    with pytest.raises(InvalidInputError, match=r"input has shape \(5, 2, 4\); expected"):
        layer(torch.randn(5, 2, 4))
    with pytest.raises(InvalidInputError, match="in_channels = 0"):
        EquivariantLinear(X, X, 0, 2)
    with pytest.raises(InvalidInputError, match="mode = 'fast'"):
        EquivariantLinear(X, X, 1, 1, mode="fast")
    with pytest.raises(InvalidInputError, match="in_space has 1 generators"):
        EquivariantLinear(cyclic_regular_space(4), X, 1, 1)


def test_fan_in_initialisation_preserves_variance():
    torch.manual_seed(1)
    for X, Y in [(sn_tensor_space(6, 2), sn_tensor_space(6, 2)),
                 (sn_tensor_space(6, 1), sn_subset_space(6, 2)),
                 (dihedral_regular_space(8), dihedral_regular_space(8))]:
        layer = EquivariantLinear(X, Y, 32, 32)
        with torch.no_grad():
            out = layer(torch.randn(64, 32, X.size))
        ratio = out.var().item()
        assert 0.6 < ratio < 1.6, (X.name, ratio)


@pytest.mark.parametrize("mode", ["dense", "sparse"])
def test_dtypes_state_dict_and_gradients(mode):
    X, Y = sn_subset_space(5, 2), sn_tensor_space(5, 1)
    torch.manual_seed(2)
    layer = EquivariantLinear(X, Y, 2, 3, mode=mode)
    assert layer.weight.dtype == torch.float32
    x32 = torch.randn(4, 2, 10)
    y32 = layer(x32)
    assert y32.dtype == torch.float32
    other = EquivariantLinear(X, Y, 2, 3, mode=mode)
    other.load_state_dict(layer.state_dict())
    assert torch.equal(other(x32), y32)
    assert set(layer.state_dict()) == {"weight", "bias"}
    layer64 = layer.double()
    y64 = layer64(x32.double())
    assert y64.dtype == torch.float64 and (y64.float() - y32).abs().max() < 1e-5
    y64.square().sum().backward()
    assert layer64.weight.grad is not None and layer64.weight.grad.abs().sum() > 0
    assert layer64.bias.grad.shape == layer64.bias.shape


@pytest.mark.parametrize("mode", ["dense", "sparse"])
def test_torch_compile_matches_eager(mode):
    """Dynamo tracing + AOT autograd (backend 'aot_eager'); the full inductor backend takes
    ~40 s to compile here, so it is checked by bench/linear.py instead."""
    X = sn_tensor_space(3, 1)
    torch.manual_seed(3)
    layer = EquivariantLinear(X, X, 2, 2, mode=mode)
    compiled = torch.compile(layer, backend="aot_eager")
    x = torch.randn(3, 2, 3, requires_grad=True)
    y = compiled(x)
    assert torch.allclose(y, layer(x), atol=1e-6)
    (g,) = torch.autograd.grad(y.square().sum(), x)
    (g_ref,) = torch.autograd.grad(layer(x).square().sum(), x)
    assert torch.allclose(g, g_ref, atol=1e-6)


def test_catalogue_coset_spaces_equivariance():
    """Coset spaces S4/H and signed Ind_H^S4(eps) from equiact.catalog, all layer pairs."""
    from equiact.catalog import build_catalog

    rng = np.random.default_rng(11)
    for signed in (False, True):
        cat = build_catalog("S4", signed=signed, max_dim=12)
        spaces = [cat.space(i) for i in range(len(cat))]
        picks = [s for s in spaces if s.is_signed == signed and s.size > 2][:4]
        assert len(picks) >= 3
        for X in picks:
            for Y in picks:
                layer = EquivariantLinear(X, Y, 2, 2).double()
                err, _ = max_equivariance_error(layer, X, Y, rng, words=3)
                assert err < 1e-10


@pytest.mark.parametrize("mode", ["dense", "sparse"])
def test_gradcheck_weight_bias_input(mode):
    X, Y = q8_space(), direct_sum(q8_space(), PermutationSpace([[0], [0]]))
    torch.manual_seed(4)
    layer = EquivariantLinear(X, Y, 2, 2, mode=mode).double()
    x = torch.randn(3, 2, 4, dtype=torch.float64, requires_grad=True)

    def f(inp, weight, bias):
        return torch.func.functional_call(layer, {"weight": weight, "bias": bias}, (inp,))

    w = layer.weight.detach().clone().requires_grad_(True)
    b = layer.bias.detach().clone().normal_().requires_grad_(True)
    assert torch.autograd.gradcheck(f, (x, w, b))


@pytest.mark.parametrize("mode", ["dense", "sparse"])
def test_deepcopy_and_pickle(mode):
    import copy
    import io

    X = sn_tensor_space(4, 2)
    layer = EquivariantLinear(X, X, 2, 2, mode=mode)
    x = torch.randn(2, 2, 16)
    assert torch.equal(copy.deepcopy(layer)(x), layer(x))
    buf = io.BytesIO()
    torch.save(layer, buf)
    buf.seek(0)
    assert torch.equal(torch.load(buf, weights_only=False)(x), layer(x))
