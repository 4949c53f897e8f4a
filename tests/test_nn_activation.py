"""Tests for the admissibility guard PointwiseActivation (uses equiact.decision)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _equiv_helpers import octahedral_space, q8_space, random_word

from equiact.errors import InadmissibleError
from equiact.nn import PointwiseActivation, activation_verdict
from equiact.spaces import PermutationSpace, direct_sum, sn_sign_space, sn_tensor_space


@pytest.mark.parametrize("space", [q8_space(), octahedral_space(),
                                   direct_sum(q8_space(), q8_space())],
                         ids=["Q8", "O", "Q8+Q8"])
def test_guard_accepts_tanh(space):
    act = PointwiseActivation(space, "tanh")
    assert act.verdict.admissible
    x = torch.randn(3, 2, space.size, dtype=torch.float64)
    assert torch.equal(act(x), torch.tanh(x))


@pytest.mark.parametrize("space", [q8_space(), octahedral_space()], ids=["Q8", "O"])
def test_guard_refuses_relu_on_signed_space_with_reason_and_witness(space):
    with pytest.raises(InadmissibleError, match=r"relu is not admissible on .*T_f = R>0.*Witness"
                       ) as info:
        PointwiseActivation(space, "relu")
    verdict = info.value.verdict
    assert verdict is not None and not verdict.admissible
    w = verdict.witness
    # the witness really breaks commutation: relu(M x) != M relu(x)
    M = space.to_matrices()[w.generator].astype(float)
    assert np.abs(np.maximum(M @ w.x, 0) - M @ np.maximum(w.x, 0)).max() > 1e-3
    with pytest.raises(InadmissibleError, match="sigmoid is not admissible.*sums to"):
        PointwiseActivation(space, "sigmoid")


def test_guard_accepts_any_activation_on_unsigned_spaces():
    for name in ("relu", "sigmoid", "gelu", "softplus"):
        assert PointwiseActivation(sn_tensor_space(4, 2), name).verdict.admissible
    assert PointwiseActivation(sn_sign_space(5), "relu").verdict.admissible


def test_guard_on_large_signed_space_uses_sign_pattern():
    rng = np.random.default_rng(0)
    n = 300
    perm = rng.permutation(n)
    signs = np.ones((1, n), dtype=int)
    signs[0, 17] = -1
    big = PermutationSpace(perm[None, :], signs)
    with pytest.raises(InadmissibleError, match=r"generator 0 sends e_17 to -e_"):
        PointwiseActivation(big, "relu")
    assert activation_verdict(big, "tanh").admissible
    unsigned = PermutationSpace(perm[None, :])
    assert activation_verdict(unsigned, "relu").admissible


def test_tanh_layer_is_equivariant_on_signed_space():
    rng = np.random.default_rng(1)
    space = octahedral_space()
    act = PointwiseActivation(space, "tanh")
    x = torch.randn(4, 3, 3, dtype=torch.float64)
    for _ in range(5):
        w = random_word(rng, space.num_generators)
        assert (act(space.act(w, x)) - space.act(w, act(x))).abs().max() < 1e-14


def test_torch_module_and_callable_activations():
    X = q8_space()
    act = PointwiseActivation(X, torch.nn.Tanh())
    assert isinstance(act.fn, torch.nn.Tanh)
    with pytest.raises(InadmissibleError):
        PointwiseActivation(X, torch.nn.ReLU())
    odd = PointwiseActivation(X, torch.sin)
    x = torch.randn(2, 4)
    assert torch.equal(odd(x), torch.sin(x))
