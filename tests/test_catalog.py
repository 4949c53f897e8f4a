"""Tests of equiact.catalog: transitive (signed) G-sets, characters, hom dimensions."""

from __future__ import annotations

import json
from math import comb

import numpy as np
import pytest

from equiact.catalog import build_catalog
from equiact.cli.main import main
from equiact.errors import ClosureLimitError, InvalidInputError, UnknownNameError
from equiact.gap import libgap
from equiact.groups import named_representation
from equiact.orbit_basis import hom_orbits


@pytest.mark.parametrize(
    "name,count",
    [("S3", 4), ("S4", 11), ("S5", 19), ("S6", 56), ("S7", 96), ("A4", 5), ("Q8", 6), ("D4", 8),
     ("C6", 4), ("T", 5), ("SmallGroup(12,3)", 5)],
)
def test_counts_of_conjugacy_classes_of_subgroups(name, count):
    cat = build_catalog(name, structure=False)
    assert len(cat) == count
    dims = [e.dimension for e in cat.entries]
    assert dims == sorted(dims)
    assert all(e.dimension * e.stabilizer_order == cat.group.order for e in cat.entries)
    # every character is that of a transitive G-set: degree = dimension, one orbit
    X = cat.character_matrix()
    assert X[:, 0].tolist() == dims
    sizes = np.array(cat.class_sizes)
    assert ((X * sizes).sum(axis=1) == cat.group.order).all()


def _brute_signed_count(name):
    """Conjugacy classes of pairs (H, K), K <= H of index <= 2, from GAP's full subgroup list."""
    lg = libgap()
    from equiact.gap import GapGroup

    G = GapGroup.named(name).gap
    subs = list(lg.AllSubgroups(G))
    pos = {}
    for i, S in enumerate(subs):
        pos.setdefault(int(S.Size()), []).append(i)

    def index_of(S):
        for i in pos[int(S.Size())]:
            if subs[i] == S:
                return i
        raise AssertionError("subgroup not found")

    pairs = [(i, j) for i, H in enumerate(subs) for j, K in enumerate(subs)
             if int(H.Size()) in (int(K.Size()), 2 * int(K.Size())) and lg.IsSubset(H, K)]
    parent = {p: p for p in pairs}

    def find(p):
        while parent[p] != p:
            p = parent[p]
        return p

    for g in G.GeneratorsOfGroup():
        for i, j in pairs:
            img = (index_of(lg.OnPoints(subs[i], g)), index_of(lg.OnPoints(subs[j], g)))
            a, b = find((i, j)), find(img)
            if a != b:
                parent[a] = b
    return len({find(p) for p in pairs})


@pytest.mark.parametrize("name", ["S3", "D4", "Q8", "C6", "A4", "S4"])
def test_signed_counts_match_brute_force(name):
    cat = build_catalog(name, signed=True, structure=False)
    assert len(cat) == _brute_signed_count(name)
    # untwisted entries are exactly the unsigned catalogue
    assert sum(not e.signed for e in cat.entries) == len(build_catalog(name, structure=False))


def test_known_signed_counts():
    # S3: 1 + 2 (C2) + 1 (C3) + 2 (S3) = 6; Q8: 1 + 2 + 3*2 + 4 = 13
    assert len(build_catalog("S3", signed=True)) == 6
    assert len(build_catalog("Q8", signed=True)) == 13
    assert len(build_catalog("C2", signed=True)) == 3


@pytest.mark.parametrize("name,signed", [("S4", False), ("S4", True), ("D4", True), ("Q8", True)])
def test_hom_dimensions_double_cosets_characters_and_orbits(name, signed):
    cat = build_catalog(name, signed=signed, structure=False)
    M = cat.hom_matrix()  # double cosets, checked against characters inside
    assert np.array_equal(M, M.T)
    assert np.array_equal(M, cat.inner_products())
    spaces = [cat.space(i) for i in range(len(cat))]
    for i, X in enumerate(spaces):
        assert X.size == cat.entries[i].dimension
        for j, Y in enumerate(spaces):
            assert hom_orbits(X, Y).dim == M[j, i], (i, j)


def test_hom_dimensions_of_subsets_by_double_cosets():
    """S_n on k-subsets and l-subsets: min(k, l) + 1 maps (n >= k + l)."""
    n = 6
    cat = build_catalog(f"S{n}", structure=False, max_dim=20)

    def young(k):  # S_k x S_{n-k}
        gens = []
        for a, b in ((0, k), (k, n)):
            if b - a >= 2:
                swap = list(range(n))
                swap[a], swap[a + 1] = swap[a + 1], swap[a]
                cyc = list(range(n))
                cyc[a:b] = list(range(a + 1, b)) + [a]
                gens += [swap, cyc]
        return gens

    idx = {k: cat.find(young(k)) for k in (1, 2, 3)}
    for k in (1, 2, 3):
        assert cat.entries[idx[k]].dimension == comb(n, k)
        for l in (1, 2, 3):
            if k + l <= n:
                assert cat.hom_dimension(idx[k], idx[l]) == min(k, l) + 1


def _stirling2(k, t):
    if k == t:
        return 1
    if t == 0 or t > k:
        return 0
    return t * _stirling2(k - 1, t) + _stirling2(k - 1, t - 1)


def test_bell_numbers_from_hom_dimensions():
    """(R^n)^{(x)k} = sum_t S(k,t) R^{S_n/S_{n-t}}; hom dims give Bell(k+l) for n >= k+l."""
    n = 5
    cat = build_catalog("S5", structure=False)

    def fix_first(t):  # S_{n-t} acting on points t..n-1
        if n - t < 2:
            return []
        swap = list(range(n))
        swap[t], swap[t + 1] = swap[t + 1], swap[t]
        cyc = list(range(n))
        cyc[t:] = list(range(t + 1, n)) + [t]
        return [swap, cyc]

    entry = {t: cat.find(fix_first(t)) if t < n - 1 else None for t in range(0, 4)}
    entry[n - 1] = entry[n] = None
    for t in range(0, 4):
        assert cat.entries[entry[t]].dimension == np.prod(range(n - t + 1, n + 1))
    H = cat.hom_matrix(method="characters")

    def tensor_hom(k, l):
        return sum(_stirling2(k, t) * _stirling2(l, u) * H[entry[u], entry[t]]
                   for t in range(1, k + 1) for u in range(1, l + 1))

    got = [tensor_hom(1, 1), tensor_hom(2, 1), tensor_hom(2, 2), tensor_hom(3, 2)]
    assert got == [2, 5, 15, 52]
    # and the double-coset count agrees on the entries used
    for t in range(1, 4):
        for u in range(1, 3):
            assert cat.hom_dimension(entry[t], entry[u]) == H[entry[u], entry[t]]


def test_max_dim_and_matrix_group_input():
    full = build_catalog("S5", structure=False)
    small = build_catalog("S5", max_dim=10, structure=False)
    assert [e.dimension for e in small.entries] == [e.dimension for e in full.entries
                                                    if e.dimension <= 10]
    # same group given by matrices (regular action converted for GAP)
    cat = build_catalog(named_representation("D4", "standard"), signed=True, structure=False)
    assert len(cat) == len(build_catalog("D4", signed=True, structure=False))
    assert all(isinstance(g, int) for e in cat.entries for g in e.stabilizer_generators)
    with pytest.raises(InvalidInputError, match="max_dim must be a positive integer"):
        build_catalog("S3", max_dim=0)
    with pytest.raises(InvalidInputError, match="cannot build a group from"):
        build_catalog(3.5)
    with pytest.raises(UnknownNameError, match="unknown group"):
        build_catalog("Z7x")


def test_cli_catalog(capsys):
    assert main(["catalog", "--group", "S4", "--json", "--homs", "--signed"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["entries"]) == len(build_catalog("S4", signed=True))
    assert np.array_equal(np.array(data["homs"]), np.array(data["homs"]).T)
    assert main(["catalog", "--group", "C6", "--max-dim", "3", "--homs"]) == 0
    out = capsys.readouterr().out
    assert "3 transitive G-sets" in out
    assert main(["catalog", "--group", "nope"]) == 2
    assert "unknown group" in capsys.readouterr().err


# ---------------------------------------------------------------------- limits
def test_catalogue_limits_refuse_up_front(capsys):
    from equiact.catalog import MAX_HOM_PAIRS
    from equiact.cli import catalog as cli_catalog
    from equiact.gap import MAX_CATALOG_ORDER, MAX_CLASSES

    assert (cli_catalog.MAX_CATALOG_ORDER, cli_catalog.MAX_CLASSES, cli_catalog.MAX_HOM_PAIRS) \
        == (MAX_CATALOG_ORDER, MAX_CLASSES, MAX_HOM_PAIRS)
    with pytest.raises(ClosureLimitError, match="is 40,320, above the limit 6,000; raise the "
                       "limit with --max-order 40320.*--max-dim D"):
        build_catalog("S8", structure=False)
    small = build_catalog("S8", max_dim=8, structure=False)  # LowIndexSubgroups: no limit
    assert [e.dimension for e in small.entries] == [1, 2, 8]
    with pytest.raises(ClosureLimitError, match="--max-order 120"):
        build_catalog("S5", structure=False, max_order=100)
    cat = build_catalog("S4", signed=True, structure=False)
    pairs = cat.sign_pairs()
    n, plain = len(cat), sum(not e.signed for e in cat.entries)
    assert pairs == n * (n + 1) // 2 - plain * (plain + 1) // 2 > 100
    with pytest.raises(ClosureLimitError, match=f"is {pairs}, above the limit 100.*"
                       f"--max-hom-pairs {pairs}.*--hom-method characters"):
        cat.hom_matrix(max_pairs=100)
    assert (cat.hom_matrix(max_pairs=pairs) == cat.hom_matrix(method="characters")).all()
    # the CLI refuses before the slow parts, in one line with exit status 2
    assert main(["catalog", "--group", "S4", "--signed", "--homs", "--max-hom-pairs", "100"]) \
        == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"--max-hom-pairs {pairs}" in err
    assert main(["catalog", "--group", "S4", "--signed", "--homs", "--hom-method",
                 "characters", "--max-hom-pairs", "100"]) == 0
    capsys.readouterr()
    assert main(["catalog", "--group", "S12"]) == 2
    assert "--max-order 479001600" in capsys.readouterr().err
    assert main(["catalog", "--group", "S12", "--max-dim", "12"]) == 0
    assert "3 transitive G-sets of dimension <= 12" in capsys.readouterr().out
    assert main(["catalog", "--group", "S4", "--max-hom-pairs", "0"]) == 2
    assert "--max-hom-pairs must be a positive integer, got 0" in capsys.readouterr().err


def test_group_names_mean_the_same_group_everywhere():
    """`check` (built-in representations) and `catalog` (GAP) share one grammar and the same
    generators: the catalogue's regular G-set is the built-in regular representation."""
    from equiact.groups import group_order, group_permutations

    for name in ("T", "V4", "s_4", "d5", "Q8", "I", "C7", "A5", "SmallGroup(8,3)"):
        G = build_catalog(name, structure=False).group
        rho = named_representation(name, "regular")
        assert G.order == group_order(name) == rho.closure().order == rho.dim
        assert G.num_generators == len(rho.generators)
        perms = group_permutations(name)
        if perms is not None:
            assert [G.element_permutation(g, len(perms[0])) for g in G.generators] == perms
        # the regular G-set (last entry) acts like the built-in regular representation:
        # same character on every conjugacy class
        cat = build_catalog(name, structure=False, max_dim=G.order)
        space = cat.space(len(cat) - 1)
        assert space.size == G.order
        for c, value in zip(cat.group.conjugacy_classes(), cat.entries[-1].character):
            assert value == (G.order if c.order == 1 else 0)
