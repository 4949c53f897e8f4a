"""The plethora sweep: coset networks on every R^{S_n/H}, counts, hierarchy, bad input."""

import itertools
import json
import math

import networkx as nx
import numpy as np
import pytest
import torch

from equiact.cli.main import main
from equiact.errors import InvalidInputError, UnknownNameError
from equiact.orbit_basis import hom_orbits
from equiact.separation.plethora import (
    CosetLinear,
    CosetNetwork,
    CosetStructure,
    atlas_graphs,
    coset_model_embedder,
    coset_model_factory,
    plethora_sweep,
    resolve_subgroup,
    sn_catalog,
    special_subgroups,
    subgroup_marks,
)


# ---------------------------------------------------------------- independent references
def _pairs(n):
    return list(itertools.combinations(range(len(atlas_graphs(n))), 2))


def _count_differing(n, invariant):
    """Pairs of graphs on n nodes whose invariant differs."""
    vals = [invariant(a) for a in atlas_graphs(n)]
    return sum(vals[i] != vals[j] for i, j in _pairs(n))


def _edges(a):
    return int(a.sum())


def _degrees(a):
    return tuple(sorted(a.sum(0).tolist()))


def _compose(p, q):
    return tuple(p[i] for i in q)


def _closure(gens, n):
    ident = tuple(range(n))
    seen, todo = {ident}, [ident]
    while todo:
        g = todo.pop()
        for s in gens:
            h = _compose(tuple(s), g)
            if h not in seen:
                seen.add(h)
                todo.append(h)
    return seen


# ---------------------------------------------------------------- structure and layers
@pytest.mark.parametrize("n", [4, 5])
def test_coset_labels_are_the_orbits_of_the_orbit_basis(n):
    cat = sn_catalog(n)
    inner = cat.inner_products()
    for i in range(len(cat)):
        space = cat.space(i)
        s = CosetStructure(space)
        ref = hom_orbits(space, space)
        assert s.dim == ref.dim == inner[i, i]
        # same partition of the |X| x |X| entries: a bijection between label sets
        pairs = set(zip(s.labels.ravel().tolist(), ref.labels.ravel().tolist()))
        assert len(pairs) == s.dim
        assert s.sizes.sum() == space.size


def test_coset_linear_is_equivariant_float64():
    rng = np.random.default_rng(0)
    cat = sn_catalog(5)
    for i in (4, 9, 13, 18):
        space = cat.space(i)
        layer = CosetLinear(CosetStructure(space), 2, 3,
                            generator=torch.Generator().manual_seed(i))
        x = torch.as_tensor(rng.standard_normal((4, 2, space.size)))
        for _ in range(5):
            word = rng.integers(0, space.num_generators, size=rng.integers(1, 20)).tolist()
            gx = space.act(word, x)
            err = (layer(gx) - space.act(word, layer(x))).abs().max().item()
            assert err < 1e-12


@pytest.mark.parametrize("n", [4, 5])
def test_coset_networks_are_invariant_under_any_relabelling_float64(n):
    rng = np.random.default_rng(n)
    graphs = np.stack(atlas_graphs(n)).astype(np.float64)
    perms = [rng.permutation(n) for _ in range(6)]
    indices = range(len(sn_catalog(n))) if n == 4 else (2, 5, 9, 11, 18)
    for i in indices:
        embed = coset_model_embedder(n, i, depth=2, channels=2, seed=i)
        base = embed(graphs)
        assert np.isfinite(base).all() and base.shape == (len(graphs), 4)
        for p in perms:
            moved = embed(graphs[:, p][:, :, p])
            assert np.abs(moved - base).max() < 1e-12 * max(1.0, np.abs(base).max())


def test_input_space_generators_match_the_catalogue():
    # the hidden space and the adjacency must be acted on by the same generators, otherwise
    # the input layer would be equivariant for a different group (a wrong hom dimension)
    from equiact.spaces import sn_tensor_space

    n = 4
    cat = sn_catalog(n)
    for i, e in enumerate(cat.entries):
        dim = hom_orbits(sn_tensor_space(n, 2), cat.space(i)).dim
        # dim Hom((R^n)^2, R^{G/H}) = number of H-orbits on n x n pairs
        H = _closure([list(g) for g in e.stabilizer_generators], n)
        orbits = {frozenset((h[a], h[b]) for h in H) for a in range(n) for b in range(n)}
        assert dim == len(orbits), (i, e.structure)


# ---------------------------------------------------------------- counts
@pytest.fixture(scope="module")
def sweep4():
    return plethora_sweep(4, seeds=2)


def test_n4_counts_against_independent_values(sweep4):
    res, sp = sweep4, special_subgroups(4)
    total = len(_pairs(4))
    assert res.num_pairs == total == 55
    # regular: every pair of non-isomorphic graphs
    assert res.row(sp["regular"]).separated == total
    # one point (H = S4) and the sign space (A4 is transitive on 2-subsets): edge counts only
    by_edges = _count_differing(4, _edges)
    assert res.row(sp["trivial"]).separated == by_edges == 50
    assert res.row(sp["sign"]).separated == by_edges
    # nodes: the adjacency enters once, so only the degree sequence is seen
    assert res.row(sp["nodes"]).separated == _count_differing(4, _degrees)
    # edges at n = 4: e -> (complementary edge) commutes with S4 on 2-subsets (the Johnson
    # scheme J(4, 2) is commutative), so G and its image are never told apart
    comp = {}
    for a, b in itertools.combinations(range(4), 2):
        c, d = sorted(set(range(4)) - {a, b})
        comp[(a, b)] = (c, d)
    graphs = [nx.from_numpy_array(a) for a in atlas_graphs(4)]
    merged = 0
    for i, j in _pairs(4):
        image = nx.Graph()
        image.add_nodes_from(range(4))
        image.add_edges_from(comp[tuple(sorted(e))] for e in graphs[i].edges())
        merged += nx.is_isomorphic(image, graphs[j])
    assert merged == 1
    assert res.row(sp["edges"]).separated == total - merged
    for r in res.rows:
        assert r.separated + r.not_separated + r.undecided == total


def test_n3_counts():
    res = plethora_sweep(3, seeds=2)
    assert [r.points for r in res.rows] == [1, 2, 3, 6]
    # on 3 nodes the edge count determines the graph: every class separates all 6 pairs
    assert [r.separated for r in res.rows] == [6] * 4 == [_count_differing(3, _edges)] * 4
    assert int(res.oracles["1-WL"].sum()) == 6


def test_nodes_space_sees_the_degree_sequence_n5():
    res = plethora_sweep(5, classes=["nodes", "trivial", "sign", "regular"], seeds=2)
    sp = special_subgroups(5)
    assert res.row(sp["nodes"]).separated == _count_differing(5, _degrees) == 558
    assert res.row(sp["trivial"]).separated == _count_differing(5, _edges)
    assert res.row(sp["sign"]).separated == _count_differing(5, _edges)
    assert res.row(sp["regular"]).separated == len(_pairs(5)) == 561


def test_hierarchy_holds_at_n4(sweep4):
    assert sweep4.hierarchy_exceptions == []
    rows = {r.index: r for r in sweep4.rows}
    checked = 0
    for k, h in itertools.permutations(rows, 2):
        if sweep4.contained[k, h]:
            sep_h = rows[h].verdicts == 1
            assert not (sep_h & (rows[k].verdicts == 0)).any()
            checked += 1
    assert checked == sweep4.settings["checked_relations"] > 20


def test_marks_against_brute_force_containment():
    n = 4
    cat = sn_catalog(n)
    group = list(itertools.permutations(range(n)))
    subs = [_closure([list(g) for g in e.stabilizer_generators], n) for e in cat.entries]

    def conj(g, h):
        inv = tuple(np.argsort(g).tolist())
        return _compose(_compose(g, h), inv)

    marks = subgroup_marks(n)
    for k, K in enumerate(subs):
        for h, H in enumerate(subs):
            inside = any({conj(g, x) for x in K} <= H for g in group)
            assert (marks[k, h] > 0) == inside
            if inside:  # fixed points of K on S4/H: cosets gH with g^-1 K g <= H
                fixed = sum(all(conj(tuple(np.argsort(g).tolist()), x) in H for x in K)
                            for g in group) // len(H)
                assert marks[k, h] == fixed


def test_oracles_on_all_graphs():
    res = plethora_sweep(5, classes=["trivial"], seeds=1, recheck=False)
    # 1-WL and 2-FWL separate every pair of graphs on 5 nodes
    assert int(res.oracles["1-WL"].sum()) == int(res.oracles["2-FWL"].sum()) == 561


# ---------------------------------------------------------------- bad input
def test_bad_subgroups_are_refused():
    with pytest.raises(UnknownNameError, match="unknown subgroup class 'Q8' of S5"):
        resolve_subgroup(5, "Q8")
    with pytest.raises(InvalidInputError, match="index 19 is out of range for S5.*0..18"):
        resolve_subgroup(5, 19)
    with pytest.raises(InvalidInputError, match=r"'S3' of S5 is ambiguous: classes \[9, 10\]"):
        resolve_subgroup(5, "S3")
    with pytest.raises(InvalidInputError, match="n = 9"):
        plethora_sweep(9)
    with pytest.raises(InvalidInputError, match="max_index = 1"):
        plethora_sweep(4, max_index=1, classes=["regular"])
    embed = coset_model_embedder(4, "nodes")
    with pytest.raises(InvalidInputError, match=r"expected \(num_graphs, 4, 4\)"):
        embed(np.zeros((2, 5, 5)))
    with pytest.raises(InvalidInputError, match=r"graph 1 has an adjacency of shape \(3, 3\)"):
        embed([np.zeros((4, 4)), np.zeros((3, 3))])
    assert embed([np.zeros((4, 4)), np.ones((4, 4)) - np.eye(4)]).shape == (2, 4)
    with pytest.raises(InvalidInputError, match="depth = 0"):
        CosetNetwork(4, "nodes", depth=0)


def test_aliases_name_the_right_subgroups():
    for n in (4, 5, 6):
        cat, sp = sn_catalog(n), special_subgroups(n)
        f = math.factorial
        expect = {"trivial": f(n), "regular": 1, "sign": f(n) // 2, "nodes": f(n - 1),
                  "pairs": f(n - 2), "edges": 2 * f(n - 2), "triangles": 6 * f(n - 3)}
        for name, order in expect.items():
            assert cat.entries[sp[name]].stabilizer_order == order
        assert resolve_subgroup(n, "regular") == sp["regular"]


# ---------------------------------------------------------------- CLI and output
def test_cli_json_and_errors(capsys, tmp_path):
    assert main(["plethora", "--n", "3", "--json", "--seeds", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pairs"] == 6 and [c["separated"] for c in data["classes"]] == [6] * 4
    assert data["hierarchy_exceptions"] == []
    assert main(["plethora", "--n", "4", "--classes", "Q8"]) == 2
    assert "unknown subgroup class 'Q8' of S4" in capsys.readouterr().err
    assert main(["plethora", "--n", "8"]) == 2
    assert main(["plethora", "--n", "4", "--list"]) == 0
    assert "regular" in capsys.readouterr().out


def test_plot(sweep4, tmp_path):
    pytest.importorskip("matplotlib")
    path = sweep4.plot(tmp_path / "hasse.png")
    assert path.stat().st_size > 1000
    assert "hierarchy" in sweep4.table() and sweep4.to_json()["n"] == 4


def test_two_homogeneous_subgroups_see_only_the_edge_count():
    # if H is transitive on the 2-subsets, the only H-invariant functional of a graph is its
    # edge count, so every hidden value is a function of |E| (S5, A5 and AGL(1,5) at n = 5)
    n = 5
    cat = sn_catalog(n)
    subsets = list(itertools.combinations(range(n), 2))
    homogeneous = []
    for i, e in enumerate(cat.entries):
        H = _closure([list(g) for g in e.stabilizer_generators], n)
        orbit = {tuple(sorted((h[0], h[1]))) for h in H}
        if len(orbit) == len(subsets):
            homogeneous.append(i)
    assert len(homogeneous) == 3
    res = plethora_sweep(n, classes=homogeneous + ["nodes"], seeds=2, recheck=False)
    by_edges = _count_differing(n, _edges)
    assert [res.row(i).separated for i in homogeneous] == [by_edges] * 3
    assert res.row(special_subgroups(n)["nodes"]).separated > by_edges


def test_even_activation_without_bias_identifies_a_graph_with_its_complement():
    # the input is 2A - (J - I), so negating it gives the complement graph; with zero biases
    # and an even activation (abs) the network cannot tell them apart (THEORY.md section 6)
    graphs = [nx.from_numpy_array(a) for a in atlas_graphs(4)]
    complementary = sum(nx.is_isomorphic(nx.complement(graphs[i]), graphs[j])
                        for i, j in _pairs(4))
    assert complementary == 5
    plain = plethora_sweep(4, classes=["regular"], activation="abs", seeds=2, bias=False)
    assert plain.rows[0].separated == 55 - complementary
    biased = plethora_sweep(4, classes=["regular"], activation="abs", seeds=2)
    assert biased.rows[0].separated == 55


def test_coset_model_factory_plugs_into_the_protocol():
    from equiact.separation import separate
    from equiact.separation.pairs import pairs_from_graphs

    ds = pairs_from_graphs([a for a in atlas_graphs(4)])
    res = separate(ds, coset_model_factory("coset:nodes", ds), seeds=2, oracles=())
    assert res.counts()["separated"] == _count_differing(4, _degrees)
    mixed = pairs_from_graphs([atlas_graphs(3)[0], atlas_graphs(3)[1], atlas_graphs(4)[0],
                               atlas_graphs(4)[1]])
    with pytest.raises(InvalidInputError, match=r"graphs with \[3, 4\] nodes"):
        coset_model_factory("coset:regular", mixed)
    with pytest.raises(InvalidInputError, match="coset:H"):
        coset_model_factory("coset:", ds)
