"""Pair data sets: sizes, structure, user graphs, files and errors."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from equiact.errors import InvalidInputError, UnknownNameError
from equiact.graphs import to_graph6
from equiact.separation.pairs import (
    BREC_CATEGORIES,
    PairDataset,
    atlas_pairs,
    data_dir,
    load_pairs,
    pairs_from_graphs,
)

HAVE_BREC = all((data_dir() / "brec" / f"{c}.npy").exists() for c in BREC_CATEGORIES)


def _srg_parameters(a):
    a = np.asarray(a, dtype=np.int64)
    n, deg = a.shape[0], set(a.sum(1).tolist())
    a2 = a @ a
    off = ~np.eye(n, dtype=bool)
    lam = set(a2[(a == 1) & off].tolist())
    mu = set(a2[(a == 0) & off].tolist())
    return n, deg, lam, mu


def test_atlas_pairs_have_equal_n_and_m():
    ds = atlas_pairs()
    assert len(ds.graphs) == 1253 and len(ds) == 55770
    nm = [(g.shape[0], int(g.sum()) // 2) for g in ds.graphs]
    assert all(nm[i] == nm[j] and i < j for i, j in ds.index)
    assert ds.category_names == ["n=4", "n=5", "n=6", "n=7"]  # n <= 3: one graph per (n, m)
    # every (n, m) class contributes all its pairs
    from collections import Counter

    sizes = Counter(nm)
    assert len(ds) == sum(k * (k - 1) // 2 for k in sizes.values())


def test_csl_rook_shrikhande_structure():
    csl = load_pairs("csl")
    assert len(csl.graphs) == 10 and len(csl) == 45
    assert all(g.shape == (41, 41) and set(g.sum(1).tolist()) == {4} for g in csl.graphs)
    rs = load_pairs("rook-shrikhande")
    a, b = rs.pair(0)
    assert _srg_parameters(a) == _srg_parameters(b) == (16, {6}, {2}, {2})
    assert not nx.is_isomorphic(nx.from_numpy_array(a), nx.from_numpy_array(b))


@pytest.mark.skipif(not HAVE_BREC, reason="BREC data not available")
def test_brec_categories():
    ds = load_pairs("brec")
    counts = {c: ds.categories.count(c) for c in ds.category_names}
    assert counts == {"brec-basic": 60, "brec-regular": 50, "brec-extension": 100,
                      "brec-cfi": 100, "brec-4vtx": 20, "brec-dr": 20, "brec-str": 50}
    sizes = ds.sizes()
    assert (sizes[ds.index[:, 0]] == sizes[ds.index[:, 1]]).all()
    nocfi = load_pairs("brec-nocfi")
    assert len(nocfi) == 300 and "brec-cfi" not in nocfi.categories
    both = load_pairs("brec-basic,brec-dr")
    assert len(both) == 80 and both.index.max() == len(both.graphs) - 1


def test_user_graphs_modes():
    c6, tri2 = nx.cycle_graph(6), nx.disjoint_union(nx.complete_graph(3), nx.complete_graph(3))
    ds = pairs_from_graphs([c6, tri2, nx.path_graph(4), nx.star_graph(3)],
                           names=["C6", "2K3", "P4", "K13"])
    assert ds.names == ["C6 vs 2K3", "P4 vs K13"]
    ds = pairs_from_graphs([c6, tri2, nx.path_graph(4), nx.star_graph(3)], mode="consecutive")
    assert ds.index.tolist() == [[0, 1], [2, 3]]
    with pytest.raises(InvalidInputError, match="3 graphs given; consecutive pairs need an even"):
        pairs_from_graphs([c6, tri2, c6], mode="consecutive")
    with pytest.raises(InvalidInputError, match=r"pair 0 \(graph 0, graph 1\) has graphs with "
                       "6 and 4 nodes"):
        pairs_from_graphs([c6, nx.path_graph(4)], mode="consecutive")
    with pytest.raises(InvalidInputError, match=r"no two of the 2 graphs have the same number "
                       r"of nodes \(sizes \[4, 6\]\)"):
        pairs_from_graphs([c6, nx.path_graph(4)])
    with pytest.raises(InvalidInputError, match="1 graph"):
        pairs_from_graphs([c6])
    with pytest.raises(InvalidInputError, match="pair mode 'each' unknown"):
        pairs_from_graphs([c6, tri2], mode="each")


def test_files(tmp_path):
    good = tmp_path / "mine.g6"
    graphs = [nx.cycle_graph(6), nx.disjoint_union(nx.complete_graph(3), nx.complete_graph(3))]
    good.write_text("\n".join(to_graph6(g) for g in graphs) + "\n")
    ds = load_pairs(str(good))
    assert len(ds) == 1 and ds.categories == ["mine"] and ds.title == "mine.g6"
    arr = tmp_path / "pairs.npy"
    np.save(arr, np.array([[to_graph6(g) for g in graphs]]))
    assert load_pairs(arr).index.tolist() == [[0, 1]]
    bad = tmp_path / "bad.g6"
    bad.write_text("hello world\n")
    with pytest.raises(InvalidInputError, match="bad.g6: line 1: 'hello world' is not a graph6"):
        load_pairs(str(bad))
    with pytest.raises(InvalidInputError, match="graph file 'nothere.g6' does not exist"):
        load_pairs("nothere.g6")
    with pytest.raises(UnknownNameError, match="unknown data set 'sr52'"):
        load_pairs("sr52")
    with pytest.raises(UnknownNameError, match="unknown data set 'nope'"):
        load_pairs("csl,nope")


def test_dataset_helpers():
    ds = load_pairs("csl")
    sub = ds.subset([3, 0])
    assert sub.names == [ds.names[3], ds.names[0]] and len(sub.graphs) == 10
    name, cat, a, b = next(iter(sub))
    assert cat == "csl" and a.shape == b.shape == (41, 41)
    with pytest.raises(InvalidInputError, match="2 pairs but 1 names"):
        PairDataset(ds.graphs, [(0, 1), (1, 2)], ["x"], ["c", "c"])
    with pytest.raises(InvalidInputError, match="outside the graph list"):
        PairDataset(ds.graphs, [(0, 10)], ["x"], ["c"])


def test_edge_list_files_joined_by_commas(tmp_path):
    a, b = tmp_path / "c6.edges", tmp_path / "tri2.edges"
    a.write_text("\n".join(f"{i} {(i + 1) % 6}" for i in range(6)) + "\n")
    b.write_text("0 1\n1 2\n2 0\n3 4\n4 5\n5 3\n")
    ds = load_pairs(f"{a},{b}")
    assert ds.names == ["c6.edges vs tri2.edges"] and len(ds) == 1
    from equiact.separation import oracle_separates

    assert oracle_separates(ds, "1-wl").tolist() == [False]
    assert oracle_separates(ds, "2-fwl").tolist() == [True]
    bad = tmp_path / "bad.edges"
    bad.write_text("0 1 2\n")
    with pytest.raises(InvalidInputError, match="bad.edges: line 1 is '0 1 2'"):
        load_pairs(f"{a},{bad}")
