"""Tests for equiact.orbit_basis: orbit counts, known dimensions, full commutant, signs."""

from __future__ import annotations

import numpy as np
import pytest
from _equiv_helpers import (
    OCT_CYCLE,
    OCT_ROT_Z,
    Q8_LEFT_I,
    Q8_LEFT_J,
    S4_SUBGROUP_GENERATORS,
    character_dim,
    coset_space,
    invariant_dim,
    nullspace_rank,
    octahedral_space,
    q8_space,
    signed_space_from_matrices,
)

from equiact.errors import InvalidInputError
from equiact.orbit_basis import hom_orbits, invariant_orbits, orbit_labels
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

Q8 = q8_space()
OCT = octahedral_space()
S4_GENS_IN_S4 = S4_SUBGROUP_GENERATORS


def bell(m: int) -> int:
    row = [1]
    for _ in range(m):
        new = [row[-1]]
        for v in row:
            new.append(new[-1] + v)
        row = new
    return row[0]


def assert_is_commutant_basis(basis, X, Y):
    """Each basis matrix is an exact intertwiner, and the supports are disjoint."""
    dense = basis.dense()
    for mx, my in zip(X.to_matrices(), Y.to_matrices()):
        for B in dense:
            assert np.array_equal(my @ B, B @ mx)
    assert (np.abs(dense).sum(0) <= 1).all()
    assert set(np.unique(basis.signs)) <= {-1, 0, 1}
    assert ((basis.labels < 0) == (basis.signs == 0)).all()


@pytest.mark.parametrize("k,l,expected", [(1, 1, 2), (2, 1, 5), (1, 2, 5), (2, 2, 15),
                                          (0, 2, 2), (3, 1, 15)])
def test_sn_tensor_dimensions_are_bell_numbers(k, l, expected):
    for n in (k + l, k + l + 2):
        B = hom_orbits(sn_tensor_space(n, k), sn_tensor_space(n, l))
        assert B.dim == expected == bell(k + l)


def test_sn_tensor_dimensions_below_k_plus_l():
    assert hom_orbits(sn_tensor_space(2, 2), sn_tensor_space(2, 2)).dim == 8
    assert hom_orbits(sn_tensor_space(3, 2), sn_tensor_space(3, 2)).dim == 14
    # n = 1: everything is one orbit
    assert hom_orbits(sn_tensor_space(1, 2), sn_tensor_space(1, 2)).dim == 1


CASES = [
    ("C5 regular", cyclic_regular_space(5), cyclic_regular_space(5)),
    ("D4 regular", dihedral_regular_space(4), dihedral_regular_space(4)),
    ("D5 polygon->regular", dihedral_polygon_space(5), dihedral_regular_space(5)),
    ("S4 natural", sn_tensor_space(4, 1), sn_tensor_space(4, 1)),
    ("S3 2->2 tensors", sn_tensor_space(3, 2), sn_tensor_space(3, 2)),
    ("S4 2->2 tensors", sn_tensor_space(4, 2), sn_tensor_space(4, 2)),
    ("S5 2-subsets", sn_subset_space(5, 2), sn_subset_space(5, 2)),
    ("S4 tuples->subsets", sn_injective_tuple_space(4, 2), sn_subset_space(4, 2)),
    ("S4 sign->natural", sn_sign_space(4), sn_tensor_space(4, 1)),
    ("S4/D4 -> S4/C3", coset_space(S4_GENS_IN_S4["D4"]), coset_space(S4_GENS_IN_S4["C3"])),
    ("S4/V4 -> S4/S3", coset_space(S4_GENS_IN_S4["V4"]), coset_space(S4_GENS_IN_S4["S3"])),
    ("Q8", Q8, Q8),
    ("octahedral", OCT, OCT),
    ("Q8 sum", direct_sum(Q8, Q8), Q8),
]


@pytest.mark.parametrize("name,X,Y", CASES, ids=[c[0] for c in CASES])
def test_dimension_matches_characters_and_nullspace(name, X, Y):
    B = hom_orbits(X, Y)
    assert B.labels.shape == (Y.size, X.size) and B.labels.dtype == np.int64
    assert B.dim == character_dim(X, Y) == nullspace_rank(X, Y)
    assert_is_commutant_basis(B, X, Y)
    inv = invariant_orbits(Y)
    assert inv.dim == invariant_dim(Y)
    for m in Y.to_matrices():
        for b in inv.dense():
            assert np.array_equal(m @ b, b)


def test_unsigned_dimension_is_number_of_orbits():
    X, Y = sn_subset_space(5, 2), sn_tensor_space(5, 1)
    B = hom_orbits(X, Y)
    # orbits of S5 on (point, 2-subset): point in the subset or not
    assert B.dim == 2 and B.nnz == X.size * Y.size and (B.signs == 1).all()
    assert B.orbit_sizes().tolist() == [20, 30]
    assert hom_orbits(coset_space(S4_GENS_IN_S4["C2"]), coset_space(S4_GENS_IN_S4["C2"])).dim \
        == character_dim(coset_space(S4_GENS_IN_S4["C2"]), coset_space(S4_GENS_IN_S4["C2"]))


def test_signed_orbits_drop_self_negative_entries():
    # C2 acting on R by -1: every map sign -> sign commutes (dim 1); a map from the trivial
    # space to the sign space must satisfy w = -w, so its only entry is forced to zero.
    sign = PermutationSpace([[0]], signs=[[-1]])
    triv = PermutationSpace([[0]])
    assert hom_orbits(sign, sign).dim == 1
    forced = hom_orbits(triv, sign)
    assert forced.dim == 0 and forced.labels.tolist() == [[-1]] and forced.signs.tolist() == [[0]]
    assert invariant_orbits(sign).dim == 0
    # Q8 on H: commutant of the left regular action is right multiplication by H: dim 4
    assert hom_orbits(Q8, Q8).dim == 4
    # Q8 has no invariant vectors on H, octahedral rotations none on R^3
    assert invariant_orbits(Q8).dim == 0 and invariant_orbits(OCT).dim == 0


def test_first_entry_of_each_orbit_has_sign_plus_one():
    B = hom_orbits(Q8, Q8)
    flat_l, flat_s = B.labels.ravel(), B.signs.ravel()
    for d in range(B.dim):
        first = np.nonzero(flat_l == d)[0][0]
        assert flat_s[first] == 1
    # labels numbered by first appearance
    firsts = [np.nonzero(flat_l == d)[0][0] for d in range(B.dim)]
    assert firsts == sorted(firsts)


def test_named_spaces_agree_with_explicit_matrices():
    assert Q8 == signed_space_from_matrices([Q8_LEFT_I, Q8_LEFT_J])
    assert OCT == signed_space_from_matrices([OCT_ROT_Z, OCT_CYCLE])


def test_combine_equals_dense_contraction():
    rng = np.random.default_rng(3)
    B = hom_orbits(OCT, OCT)
    c = rng.normal(size=B.dim)
    assert np.allclose(B.combine(c), np.tensordot(c, B.dense(), 1), atol=1e-15)
    with pytest.raises(InvalidInputError, match="coefficients have shape"):
        B.combine(np.ones(B.dim + 1))


def test_orbit_labels_on_long_cycles_and_random_graphs():
    """Union-find against a plain BFS on random generator sets (including long cycles)."""
    rng = np.random.default_rng(5)
    for trial in range(20):
        n = int(rng.integers(1, 400))
        gens = [rng.permutation(n) for _ in range(int(rng.integers(1, 4)))]
        if trial % 3 == 0:
            gens = [np.roll(np.arange(n), 1)]  # one n-cycle
        par = [rng.random(n) < 0.1 for _ in gens] if trial % 2 else None
        labels, signs, dim = orbit_labels(n, gens, par)
        # reference: BFS with parities
        ref = np.full(n, -2)
        val = np.zeros(n, dtype=int)
        ref_zero = set()
        comps = 0
        for start in range(n):
            if ref[start] != -2:
                continue
            ref[start], val[start] = comps, 1
            stack, bad = [start], False
            members = [start]
            while stack:
                u = stack.pop()
                for gi, g in enumerate(gens):
                    s = -1 if (par is not None and par[gi][u]) else 1
                    v = g[u]
                    if ref[v] == -2:
                        ref[v], val[v] = comps, val[u] * s
                        stack.append(v)
                        members.append(v)
                    elif val[v] != val[u] * s:
                        bad = True
            if bad:
                ref_zero.update(members)
            comps += 1
        zero = np.array([u in ref_zero for u in range(n)])
        assert ((labels == -1) == zero).all()
        assert dim == len(set(ref[~zero].tolist()))
        # same partition, same relative signs
        for u in range(n):
            for v in (0, n // 2, n - 1):
                if not zero[u] and not zero[v]:
                    assert (labels[u] == labels[v]) == (ref[u] == ref[v])
                    if ref[u] == ref[v]:
                        assert signs[u] * signs[v] == val[u] * val[v]


def test_mismatched_generators_and_bad_inputs():
    with pytest.raises(InvalidInputError, match="in_space has 1 generators but out_space has 2"):
        hom_orbits(cyclic_regular_space(3), sn_tensor_space(3, 1))
    with pytest.raises(InvalidInputError, match="in_space is ndarray"):
        hom_orbits(np.eye(3), sn_tensor_space(3, 1))


@pytest.mark.parametrize("signed", [False, True], ids=["G/H", "Ind_H^G(eps)"])
def test_catalogue_coset_spaces_match_double_cosets(signed):
    """S4's transitive (signed) G-sets from equiact.catalog: orbit counts = GAP's (sign-
    compatible) double coset counts, and the union-find basis matches the dense solve."""
    from equiact.catalog import build_catalog

    cat = build_catalog("S4", signed=signed, max_dim=8 if signed else None)
    spaces = [cat.space(i) for i in range(len(cat))]
    assert len(spaces) == (17 if signed else 11)
    ours = np.array([[hom_orbits(X, Y).dim for X in spaces] for Y in spaces])
    assert np.array_equal(ours, cat.hom_matrix("double_cosets"))
    for i in (1, 4, len(spaces) - 1):
        for j in (2, len(spaces) - 2):
            X, Y = spaces[i], spaces[j]
            assert hom_orbits(X, Y).dim == nullspace_rank(X, Y)
            assert_is_commutant_basis(hom_orbits(X, Y), X, Y)
            assert invariant_orbits(Y).dim == invariant_dim(Y)
