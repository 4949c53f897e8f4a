"""Tests of equiact.gap: conversion to GAP, coset actions, characters, error handling."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

from equiact import gap as gapmod
from equiact.errors import (
    ClosureLimitError,
    GroupTheoryError,
    InvalidInputError,
    NotFiniteGroupError,
    UnknownNameError,
)
from equiact.gap import GapGroup
from equiact.groups import named_representation


def _signed_matrix(p, s):
    m = len(p)
    out = np.zeros((m, m), dtype=np.int64)
    out[p, np.arange(m)] = s
    return out


def _word_matrix(mats, word, size):
    out = np.eye(size, dtype=np.int64)
    for i in word:
        out = out @ mats[i]
    return out


@pytest.mark.parametrize(
    "name,order,nclasses",
    [("S4", 24, 5), ("D4", 8, 5), ("Q8", 8, 5), ("C6", 6, 6), ("A5", 60, 5), ("I", 60, 5),
     ("SmallGroup(12,3)", 12, 4)],
)
def test_named_group_orders(name, order, nclasses):
    G = GapGroup.named(name)
    assert G.order == order
    classes = G.conjugacy_classes()
    assert len(classes) == nclasses
    assert sum(c.size for c in classes) == order


def test_bad_names_and_permutations():
    with pytest.raises(UnknownNameError, match="unknown group 'X9'"):
        GapGroup.named("X9")
    with pytest.raises(InvalidInputError, match="needs 2 <= n <= 100000, got n = 1"):
        GapGroup.named("S1")
    with pytest.raises(InvalidInputError, match="there are 5 groups of order 8"):
        GapGroup.named("SmallGroup(8,6)")
    with pytest.raises(NotFiniteGroupError, match="not a finite group"):
        GapGroup.named("SO(3)")
    assert [GapGroup.named(n).order for n in ("C1", "D1", "D2", "K4", "T", "O")] == \
        [1, 2, 4, 4, 12, 24]
    with pytest.raises(InvalidInputError, match=r"is not a permutation of range\(3\)"):
        GapGroup.from_permutations([[0, 0, 1]])
    with pytest.raises(InvalidInputError, match="every permutation must be a 1-d array"):
        GapGroup.from_permutations([[1, 0], [1, 2, 0]])
    with pytest.raises(InvalidInputError, match="is empty"):
        GapGroup.from_permutations([])


def test_gap_unavailable_gives_group_theory_error(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("sage"):
            raise ImportError("no module named sage (simulated)")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(gapmod, "_LIBGAP", None)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(GroupTheoryError, match="GAP is unavailable"):
        gapmod.libgap()


@pytest.mark.parametrize(
    "group,rep", [("D4", "standard"), ("S4", "standard"), ("Q8", "quaternion")]
)
def test_matrix_group_coset_actions_are_representations(group, rep):
    """The (signed) coset action is a homomorphism on the closure's elements, the stabiliser of
    point 0 is H acting by eps, and the permutation character counts fixed points."""
    rho = named_representation(group, rep)
    closure = rho.closure()
    G = GapGroup.from_matrix_group(closure)
    assert G.order == closure.order
    words = closure.words
    classes = G.conjugacy_classes()
    for H in G.subgroup_classes():
        for K in G.sign_kernels(H):
            signed = int(K.Size()) != int(H.Size())
            perms, signs = G.coset_action(H, K if signed else None)
            m = perms.shape[1]
            assert m * int(H.Size()) == G.order
            mats = [_signed_matrix(p, s) for p, s in zip(perms, signs)]
            pi = [_word_matrix(mats, w, m) for w in words]
            for i, gp in enumerate(closure.generator_permutations):
                for j in range(closure.order):
                    assert np.array_equal(mats[i] @ pi[j], pi[gp[j]])
            for h in H.GeneratorsOfGroup():
                idx = G.element_index(h)
                eps = 1 if K.IsSubset([h]) else -1
                assert pi[idx][0, 0] == eps and np.count_nonzero(pi[idx][:, 0]) == 1
            if not signed:
                chi = G.permutation_character(H)
                assert chi == [int(np.trace(pi[c.element])) for c in classes]


def test_class_representatives_map_to_matrices():
    rho = named_representation("C8", "rotation")
    closure = rho.closure()
    G = GapGroup.from_matrix_group(closure)
    traces = sorted(round(float(np.trace(closure.numeric_elements()[c.element])), 6)
                    for c in G.conjugacy_classes())
    expect = sorted(round(2 * np.cos(2 * np.pi * k / 8), 6) for k in range(8))
    assert traces == expect
    orders = sorted(c.order for c in G.conjugacy_classes())
    assert orders == [1, 2, 4, 4, 8, 8, 8, 8]


def test_regular_size_limit():
    closure = named_representation("S4", "natural").closure()
    with pytest.raises(ClosureLimitError, match="max_order=10"):
        GapGroup.from_matrix_group(closure, max_order=10)


def test_irreducible_characters_orthonormal():
    G = GapGroup.named("C8")
    irr = G.irreducible_characters()
    sizes = np.array([c.size for c in G.conjugacy_classes()])
    gram = (irr * sizes) @ irr.conj().T / G.order
    assert np.allclose(gram, np.eye(len(irr)), atol=1e-12)


def test_permutation_character_matches_gap_fusion():
    # computed from fixed points on the cosets (fast); GAP's PermutationCharacter fuses classes
    lg = gapmod.libgap()
    for name in ("S5", "SmallGroup(16,3)"):
        G = GapGroup.named(name)
        for H in G.subgroup_classes():
            chi = lg.ValuesOfClassFunction(lg.PermutationCharacter(G.gap, H))
            assert G.permutation_character(H) == [int(v) for v in chi]


def test_named_groups_follow_the_builtin_grammar_and_limits():
    import math

    G = GapGroup.named("S20")  # a valid name; GAP recognises the natural S_20 at once
    assert G.order == math.factorial(20) and G.number_of_classes() == 627
    C = GapGroup.named("C1500")
    with pytest.raises(ClosureLimitError, match=r"conjugacy classes \(the size of the character "
                       r"table\) is 1,500, above the limit 1,000; raise the limit with "
                       r"--max-classes 1500"):
        C.conjugacy_classes()
    C.max_classes = 1500
    assert GapGroup.named("C12").conjugacy_classes()[0].size == 1
    with pytest.raises(InvalidInputError, match="needs 1 <= order <= 2000"):
        GapGroup.named("SmallGroup(4096,1)")
    with pytest.raises(UnknownNameError, match="unknown group 'Z7'"):
        GapGroup.named("Z7")
    assert gapmod.named_group_names()[-1] == "SmallGroup(order,id)"
