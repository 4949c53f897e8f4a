"""Tests for equiact.spaces: validation, constructors, index orders, actions."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy
from _equiv_helpers import OCT_CYCLE, OCT_ROT_Z, Q8_LEFT_I, Q8_LEFT_J, group_elements

from equiact.errors import InvalidInputError
from equiact.spaces import (
    PermutationSpace,
    cyclic_regular_space,
    dihedral_polygon_space,
    dihedral_regular_space,
    direct_sum,
    sn_generators,
    sn_injective_tuple_space,
    sn_sign_space,
    sn_subset_space,
    sn_tensor_space,
)


def test_constructor_validates_permutations_and_signs():
    with pytest.raises(InvalidInputError, match=r"perms row 1 is not a permutation of range\(3\)"):
        PermutationSpace([[0, 1, 2], [0, 0, 2]])
    with pytest.raises(InvalidInputError, match="not a permutation"):
        PermutationSpace([[0, 1, 3]])
    with pytest.raises(InvalidInputError, match=r"signs\[0, 1\] = 2"):
        PermutationSpace([[1, 0]], signs=[[1, 2]])
    with pytest.raises(InvalidInputError, match="signs has shape"):
        PermutationSpace([[1, 0]], signs=[[1, 1, 1]])
    with pytest.raises(InvalidInputError, match="expected \\(num_generators, size\\)"):
        PermutationSpace([[[0]]])
    with pytest.raises(InvalidInputError, match="integers"):
        PermutationSpace([[0.5, 1.0]])
    X = PermutationSpace([[1, 0]], signs=[[1, 1]])
    assert X.signs is None and not X.is_signed
    Y = PermutationSpace([[1, 0]], signs=[[1, -1]])
    assert Y.is_signed and Y.signs.dtype == np.int8 and Y.perms.dtype == np.int64


def test_to_matrices_and_from_representation_round_trip():
    rng = np.random.default_rng(0)
    perms = np.stack([rng.permutation(7) for _ in range(3)])
    signs = rng.choice([-1, 1], size=(3, 7))
    X = PermutationSpace(perms, signs)
    mats = X.to_matrices()
    for i, m in enumerate(mats):
        for x in range(7):
            e = np.zeros(7, dtype=np.int64)
            e[x] = 1
            expected = np.zeros(7, dtype=np.int64)
            expected[perms[i, x]] = signs[i, x]
            assert np.array_equal(m @ e, expected)
    assert PermutationSpace.from_representation(mats) == X
    floats = [m.astype(float) + 1e-12 for m in mats]
    assert PermutationSpace.from_representation(floats) == X
    sym = [sympy.Matrix(m) for m in mats]
    assert PermutationSpace.from_representation(sym) == X


def test_from_representation_refuses_non_permutation_matrices():
    with pytest.raises(InvalidInputError,
                       match=r"generator 1 .*column 1 has 2 nonzero.*equiact coords"):
        PermutationSpace.from_representation([np.eye(2), [[1, 1], [0, 1]]])
    with pytest.raises(InvalidInputError,
                       match=r"generator 0 .*entry \(1, 0\) = 2.*equiact coords"):
        PermutationSpace.from_representation([[[0, 1], [2, 0]]])
    with pytest.raises(InvalidInputError, match=r"entry \(1, 0\) = 1/2"):
        PermutationSpace.from_representation([sympy.Matrix([[0, 2], [sympy.Rational(1, 2), 0]])])
    with pytest.raises(InvalidInputError, match="all generators must act on the same space"):
        PermutationSpace.from_representation([np.eye(2), np.eye(3)])


def test_from_representation_reads_real_representation_objects():
    from equiact.representation import Representation

    rep = Representation.from_matrices([Q8_LEFT_I, Q8_LEFT_J], name="Q8")
    X = PermutationSpace.from_representation(rep)
    assert X.size == 4 and X.is_signed and X.name == "Q8"
    assert len(group_elements(X)) == 8
    assert len(group_elements(PermutationSpace.from_representation([OCT_ROT_Z, OCT_CYCLE]))) == 24


@pytest.mark.parametrize("args,space", [
    (("S4", "natural"), sn_tensor_space(4, 1)),
    (("S4", "tensor:2"), sn_tensor_space(4, 2)),
    (("S5", "subsets:2"), sn_subset_space(5, 2)),
    (("C5", "regular"), cyclic_regular_space(5)),
    (("D5", "permutation"), dihedral_polygon_space(5)),
])
def test_builtin_spaces_match_named_representations(args, space):
    from equiact.groups import named_representation

    assert PermutationSpace.from_representation(named_representation(*args)) == space


def test_act_matches_matrices_for_words():
    rng = np.random.default_rng(1)
    X = PermutationSpace.from_representation([OCT_ROT_Z, OCT_CYCLE])
    mats = X.to_matrices()
    v = rng.normal(size=(5, 3))
    word = [0, 1, 1, 0, 1]
    M = np.eye(3)
    for i in word:
        M = M @ mats[i]
    assert np.allclose(X.act(word, v), v @ M.T, atol=0, rtol=0)


def test_sn_generators_generate_sn():
    for n in range(1, 6):
        X = PermutationSpace(sn_generators(n))
        assert len(group_elements(X)) == math.factorial(n)


@pytest.mark.parametrize("n,k", [(3, 1), (3, 2), (4, 3), (2, 0)])
def test_sn_tensor_space_row_major(n, k):
    X = sn_tensor_space(n, k)
    assert X.size == n**k
    tuples = list(itertools.product(range(n), repeat=k))
    for g, perm in zip(sn_generators(n), X.perms):
        for idx, t in enumerate(tuples):
            assert tuples[perm[idx]] == tuple(int(g[i]) for i in t)


@pytest.mark.parametrize("n,t", [(4, 2), (5, 3), (3, 3), (4, 0)])
def test_sn_tuple_and_subset_orders(n, t):
    tuples = list(itertools.permutations(range(n), t))
    X = sn_injective_tuple_space(n, t)
    subsets = list(itertools.combinations(range(n), t))
    S = sn_subset_space(n, t)
    assert (X.size, S.size) == (len(tuples), len(subsets))
    for g, pX, pS in zip(sn_generators(n), X.perms, S.perms):
        for idx, tup in enumerate(tuples):
            assert tuples[pX[idx]] == tuple(int(g[i]) for i in tup)
        for idx, sub in enumerate(subsets):
            assert subsets[pS[idx]] == tuple(sorted(int(g[i]) for i in sub))
    with pytest.raises(InvalidInputError, match="t = 5 > n = 4"):
        sn_subset_space(4, 5)


def test_sign_space_parities():
    for n in range(2, 7):
        X = sn_sign_space(n)
        for g, perm in zip(sn_generators(n), X.perms):
            inversions = sum(1 for i in range(n) for j in range(i + 1, n) if g[i] > g[j])
            assert perm.tolist() == ([1, 0] if inversions % 2 else [0, 1])
    with pytest.raises(InvalidInputError, match="n >= 2"):
        sn_sign_space(1)


def test_cyclic_and_dihedral_spaces_are_regular():
    for n in (1, 3, 6):
        assert len(group_elements(cyclic_regular_space(n))) == n
        elems = group_elements(dihedral_regular_space(n))
        assert len(elems) == 2 * n
        # regular: only the identity fixes a point
        fixing = [p for p, _ in elems if (p == np.arange(2 * n)).any()]
        assert len(fixing) == 1
        assert len(group_elements(dihedral_polygon_space(n))) == (2 * n if n > 2 else
                                                                   math.factorial(n))


def test_direct_sum_offsets_and_validation():
    A, B = sn_tensor_space(3, 1), sn_sign_space(3)
    Q = PermutationSpace.from_representation([[[0, -1], [1, 0]], np.eye(2, dtype=int)])
    S = direct_sum(A, B, Q)
    assert S.offsets == (0, 3, 5, 7) and S.size == 7 and S.is_signed
    assert np.array_equal(S.perms[:, 3:5], B.perms + 3)
    assert S.block(2) == slice(5, 7)
    assert PermutationSpace.direct_sum(A, B).size == 5
    with pytest.raises(InvalidInputError, match="summand 1 has 1 generators"):
        direct_sum(A, cyclic_regular_space(3))
    with pytest.raises(InvalidInputError, match="block 3 out of range"):
        S.block(3)


def test_regular_space_from_group_closure():
    from equiact.groups import named_representation

    group = named_representation("Q8", "quaternion").closure()
    X = PermutationSpace.from_group_closure(group)
    assert X.size == 8 and X.num_generators == 2 and not X.is_signed
    elems = group_elements(X)
    assert len(elems) == 8
    # regular: every non-identity element moves every point
    assert sum(int((p == np.arange(8)).any()) for p, _ in elems) == 1


def test_group_order_matches_brute_force_and_matrix_closure():
    from _equiv_helpers import group_elements, octahedral_space, q8_space

    from equiact.errors import ClosureLimitError
    from equiact.spaces import dihedral_regular_space, sn_subset_space

    spaces = [sn_tensor_space(4, 2), sn_subset_space(5, 2), dihedral_regular_space(6),
              q8_space(), octahedral_space(), sn_sign_space(4),
              PermutationSpace([[1, 0, 2]], signs=[[-1, -1, -1]]),
              direct_sum(q8_space(), sn_sign_space(4))]  # graph of Q8 -> C2: order 8
    expected = [24, 120, 12, 8, 24, 2, 2, 8]  # -(0 1) squares to the identity
    for space, order in zip(spaces, expected):
        assert space.group_order() == order == len(group_elements(space))
        assert space.to_representation().closure().order == order
    with pytest.raises(ClosureLimitError, match="more than 100 elements"):
        sn_tensor_space(5, 1).group_order(limit=100)
    assert sn_tensor_space(5, 1).group_order(limit=120) == 120
    with pytest.raises(InvalidInputError, match="limit = 0; give a positive integer"):
        sn_tensor_space(3, 1).group_order(limit=0)
