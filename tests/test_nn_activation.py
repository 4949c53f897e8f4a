"""Tests for the admissibility guard PointwiseActivation (uses equiact.decision)."""

from __future__ import annotations

import functools

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


SIGN_PATTERN_SPACES = {
    "Q8": q8_space, "S4 2-tensors": lambda: sn_tensor_space(4, 2),
    "mixed": lambda: PermutationSpace([[1, 2, 0, 3], [0, 1, 3, 2]], signs=[[1, 1, 1, 1],
                                                                           [1, 1, 1, -1]]),
    "all flipped": lambda: PermutationSpace([[1, 0, 2]], signs=[[-1, -1, -1]]),
}
SIGN_PATTERN_ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu(0.2)", "abs", "sin", "cube",
                            "affine(2, 0)", "affine(1, 1)", "identity", "softplus", "sign",
                            "hardtanh", "x*tanh(x)", "x**3 + x"]


@functools.lru_cache(maxsize=1)
def _profiles():
    from equiact.activations import analyze_activation

    return {a: analyze_activation(a) for a in SIGN_PATTERN_ACTIVATIONS}


@pytest.mark.parametrize("name", sorted(SIGN_PATTERN_SPACES))
def test_sign_pattern_verdict_equals_full_decision(name, monkeypatch):
    """The 1x1 sign-pattern representation decides exactly like the full matrices."""
    from equiact.decision import decide
    from equiact.nn import activation as act_mod

    space = SIGN_PATTERN_SPACES[name]()
    profiles = _profiles()
    full = {a: decide(space.to_representation(), p).admissible for a, p in profiles.items()}
    monkeypatch.setattr(act_mod, "FULL_CHECK_WORK", 0)  # force the sign pattern
    for a, p in profiles.items():
        v = activation_verdict(space, p)
        assert v.representation.dim == 1
        assert v.admissible == full[a], (name, a)
    # both outcomes occur, so the comparison has teeth
    if space.is_signed:
        assert not all(full.values()) and any(full.values())


def test_large_spaces_never_close_big_matrix_groups(monkeypatch):
    """196-256 points: the decision runs on 1x1 matrices; the group order comes from the
    signed-permutation closure of the space, bounded by ORDER_LIMIT."""
    from equiact.nn.activation import ORDER_LIMIT
    from equiact.representation import Representation

    dims = []
    original = Representation.closure

    def spy(self, *args, **kwargs):
        dims.append(self.dim)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Representation, "closure", spy)
    for space in (sn_tensor_space(14, 2), sn_tensor_space(16, 2)):
        act = PointwiseActivation(space, "relu")
        assert act.verdict.admissible and act.verdict.group_order is None
        assert f"more than {ORDER_LIMIT} elements" in act.verdict.group_order_note
    signed = PermutationSpace(sn_tensor_space(16, 2).perms,
                              signs=np.where(np.arange(256) == 3, -1, 1)[None, :].repeat(2, 0))
    with pytest.raises(InadmissibleError, match=r"generator 0 sends e_3 to -e_"):
        PointwiseActivation(signed, "relu")
    assert PointwiseActivation(signed, "tanh").verdict.admissible
    from equiact.spaces import cyclic_regular_space

    c256 = activation_verdict(cyclic_regular_space(256), "relu")
    assert c256.group_order == 256 and "has order 256" in c256.group_order_note
    assert max(dims, default=1) == 1


def test_small_spaces_are_decided_on_full_matrices():
    v = activation_verdict(q8_space(), "tanh")
    assert v.representation.dim == 4 and v.group_order == 8
    v = activation_verdict(sn_tensor_space(4, 2), "relu")
    assert v.representation.dim == 16 and v.group_order == 24
