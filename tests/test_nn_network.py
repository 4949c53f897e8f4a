"""Tests for InvariantPooling and EquivariantNetwork: multi-layer exact equivariance."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _equiv_helpers import coset_space, octahedral_space, q8_space, random_word

from equiact.errors import InadmissibleError, InvalidInputError
from equiact.nn import EquivariantNetwork, InvariantPooling
from equiact.orbit_basis import invariant_orbits
from equiact.spaces import (
    PermutationSpace,
    cyclic_regular_space,
    dihedral_regular_space,
    direct_sum,
    sn_sign_space,
    sn_subset_space,
    sn_tensor_space,
)

NETS = [
    ("S5 2-tensors -> subsets -> natural, relu",
     [sn_tensor_space(5, 2), sn_subset_space(5, 2), sn_tensor_space(5, 1)], "relu"),
    ("S4 sums, gelu",
     [direct_sum(sn_tensor_space(4, 1), sn_sign_space(4)), sn_tensor_space(4, 2),
      direct_sum(sn_subset_space(4, 2), sn_tensor_space(4, 1))], "gelu"),
    ("D6 regular, sigmoid", [dihedral_regular_space(6)] * 3, "sigmoid"),
    ("C9 regular, relu", [cyclic_regular_space(9)] * 4, "relu"),
    ("S4 cosets, relu", [coset_space([(1, 0, 3, 2), (1, 2, 3, 0)]), coset_space([(1, 2, 0, 3)]),
                         coset_space([(1, 0, 3, 2), (2, 3, 0, 1)])], "relu"),
    ("Q8 signed, tanh", [q8_space(), direct_sum(q8_space(), q8_space()), q8_space()], "tanh"),
    ("octahedral signed, tanh", [octahedral_space()] * 3, "tanh"),
]


@pytest.mark.parametrize("mode", ["dense", "sparse"])
@pytest.mark.parametrize("name,spaces,act", NETS, ids=[n[0] for n in NETS])
def test_multilayer_network_exactly_equivariant(name, spaces, act, mode):
    rng = np.random.default_rng(7)
    torch.manual_seed(7)
    net = EquivariantNetwork(spaces, [2, 5, 3][: len(spaces)] + [3] * (len(spaces) - 3),
                             act, mode=mode).double()
    for m in net.modules():
        if getattr(m, "bias", None) is not None and m.bias.numel():
            torch.nn.init.normal_(m.bias)
    X, Y = spaces[0], spaces[-1]
    x = torch.randn(4, 2, X.size, dtype=torch.float64)
    y = net(x)
    assert y.shape == (4, net.widths[-1], Y.size) and y.abs().max() > 1e-3
    for _ in range(5):
        w = random_word(rng, X.num_generators, int(rng.integers(1, 30)))
        assert (net(X.act(w, x)) - Y.act(w, y)).abs().max() < 1e-10


def test_invariant_network_head():
    rng = np.random.default_rng(8)
    X = sn_tensor_space(5, 2)
    net = EquivariantNetwork([X, X, sn_tensor_space(5, 1)], [1, 6, 4], "relu", pool="mean",
                             out_features=3).double()
    x = torch.randn(6, 1, 25, dtype=torch.float64)
    y = net(x)
    assert y.shape == (6, 3)
    for _ in range(5):
        w = random_word(rng, 2)
        assert (net(X.act(w, x)) - y).abs().max() < 1e-10


def test_network_refuses_relu_on_signed_hidden_space():
    with pytest.raises(InadmissibleError, match="relu is not admissible"):
        EquivariantNetwork([q8_space(), q8_space(), q8_space()], [1, 4, 1], "relu")
    with pytest.raises(InvalidInputError, match="2 spaces but 3 widths"):
        EquivariantNetwork([q8_space(), q8_space()], [1, 4, 1])
    with pytest.raises(InvalidInputError, match="out_features needs pool"):
        EquivariantNetwork([q8_space(), q8_space()], [1, 4], out_features=2)


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_pooling_is_invariant_and_orbitwise(reduce):
    rng = np.random.default_rng(9)
    trivial = PermutationSpace([[0], [0]])
    signed = direct_sum(q8_space(), trivial, octahedral_space(), trivial)
    assert InvariantPooling(q8_space(), reduce)(torch.randn(3, 2, 4)).shape == (3, 2, 0)
    for X in (sn_tensor_space(4, 2), signed, dihedral_regular_space(5)):
        pool = InvariantPooling(X, reduce).double()
        x = torch.randn(3, 2, X.size, dtype=torch.float64)
        y = pool(x)
        basis = invariant_orbits(X)
        assert y.shape == (3, 2, basis.dim) and basis.dim >= 1
        dense = torch.as_tensor(basis.dense())
        if reduce == "mean":
            dense = dense / torch.as_tensor(basis.orbit_sizes(), dtype=torch.float64)[:, None]
        assert (y - x @ dense.T).abs().max() < 1e-12
        for _ in range(3):
            w = random_word(rng, X.num_generators)
            assert (pool(X.act(w, x)) - y).abs().max() < 1e-12
    with pytest.raises(InvalidInputError, match="reduce = 'max'"):
        InvariantPooling(sn_tensor_space(3, 1), "max")


def test_catalogue_networks_relu_on_cosets_tanh_on_signed():
    from equiact.catalog import build_catalog

    rng = np.random.default_rng(12)
    cat = build_catalog("S4", signed=True, max_dim=12)
    spaces = [cat.space(i) for i in range(len(cat))]
    unsigned = [s for s in spaces if not s.is_signed and s.size > 1]
    signed = [s for s in spaces if s.is_signed and s.size > 1]
    for chain, act in ((unsigned[-3:], "relu"), (signed[-3:], "tanh")):
        net = EquivariantNetwork(chain, [2, 4, 3], act).double()
        X, Y = chain[0], chain[-1]
        x = torch.randn(3, 2, X.size, dtype=torch.float64)
        y = net(x)
        for _ in range(4):
            w = random_word(rng, X.num_generators)
            assert (net(X.act(w, x)) - Y.act(w, y)).abs().max() < 1e-10
    with pytest.raises(InadmissibleError, match="relu is not admissible"):
        EquivariantNetwork(signed[-3:], [2, 4, 3], "relu")


def test_invariant_network_under_torch_compile_aot_eager():
    X = sn_tensor_space(4, 2)
    torch.manual_seed(13)
    net = EquivariantNetwork([X, sn_tensor_space(4, 1)], [1, 3], "relu", pool="sum",
                             out_features=2, final_activation=True)
    compiled = torch.compile(net, backend="aot_eager")
    x = torch.randn(5, 1, 16)
    assert torch.allclose(compiled(x), net(x), atol=1e-6)


def test_invariant_head_on_space_without_invariants_is_refused():
    # Q8 on the quaternions: -1 acts as -I, so no vector is invariant; the head used to be
    # nn.Linear(0, 2), a constant model
    X = q8_space()
    assert invariant_orbits(X).dim == 0
    with pytest.raises(InvalidInputError, match="no invariant vectors"):
        EquivariantNetwork([X, X], [1, 2], "tanh", pool="mean", out_features=2)
    net = EquivariantNetwork([X, X], [1, 2], "tanh", pool="mean")  # no head: 0 features
    assert net(torch.randn(3, 1, 4)).shape == (3, 0)
