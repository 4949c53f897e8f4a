"""Exact 1-WL / 2-FWL oracles: known counts, invariance, agreement with networkx, exactness."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from equiact.errors import InvalidInputError, UnknownNameError
from equiact.graphs import to_adjacency
from equiact.separation import oracles
from equiact.separation.oracles import (
    fwl2_colours,
    fwl2_histograms,
    oracle_separates,
    relabel_rows,
    wl_colours,
    wl_histograms,
)
from equiact.separation.pairs import BREC_CATEGORIES, atlas_pairs, data_dir, load_pairs

HAVE_BREC = all((data_dir() / "brec" / f"{c}.npy").exists() for c in BREC_CATEGORIES)
HAVE_SR25 = (data_dir() / "sr25" / "sr251256.g6").exists()


@pytest.fixture(scope="module")
def atlas():
    return atlas_pairs()


def _relabel(a, rng):
    p = rng.permutation(a.shape[0])
    return a[np.ix_(p, p)]


def test_relabel_rows_matches_exact_unique():
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 3, size=(500, 4))
    ours = relabel_rows(rows)
    _, ref = np.unique(rows, axis=0, return_inverse=True)
    ref = ref.reshape(-1)
    # the same partition: a bijection between names
    assert len(set(zip(ours.tolist(), ref.tolist()))) == len(set(ref.tolist()))
    assert len(set(ours.tolist())) == len(set(ref.tolist()))


def test_relabel_rows_survives_hash_collisions(monkeypatch):
    """Every row hashed alike: the exactness check must fall back to an exact sort."""
    monkeypatch.setattr(oracles, "_hash_rows", lambda rows: np.zeros(len(rows), np.uint64))
    rows = np.array([[1, 2], [3, 4], [1, 2], [5, 6]])
    names = relabel_rows(rows).tolist()
    assert names[0] == names[2] and len(set(names)) == 3


def test_atlas_1wl_leaves_26_pairs_and_2fwl_none(atlas):
    assert len(atlas) == 55770
    wl = oracle_separates(atlas, "1-wl")
    fwl = oracle_separates(atlas, "2-fwl")
    assert int((~wl).sum()) == 26
    assert int((~fwl).sum()) == 0
    # 2-FWL refines 1-WL, and every 1-WL-equivalent pair is non-isomorphic
    assert not (wl & ~fwl).any()
    for p in np.nonzero(~wl)[0]:
        a, b = atlas.pair(p)
        assert not nx.is_isomorphic(nx.from_numpy_array(a), nx.from_numpy_array(b))


@pytest.mark.filterwarnings("ignore:The hashes produced")
def test_1wl_partition_equals_networkx_wl_hash(atlas):
    """Independent implementation: networkx's WL hash (n rounds) on all graphs with n = 6."""
    idx = [i for i, a in enumerate(atlas.graphs) if a.shape[0] == 6]
    graphs = [atlas.graphs[i] for i in idx]
    ours = wl_histograms(graphs)
    theirs = [nx.weisfeiler_lehman_graph_hash(nx.from_numpy_array(a), iterations=6)
              for a in graphs]
    for i, j in itertools.combinations(range(len(graphs)), 2):
        assert (ours[i] == ours[j]) == (theirs[i] == theirs[j]), (idx[i], idx[j])


@pytest.mark.parametrize("fn", [wl_histograms, fwl2_histograms])
def test_histograms_are_invariant_under_relabelling(fn):
    rng = np.random.default_rng(3)
    for _ in range(5):
        g = nx.gnp_random_graph(12, 0.35, seed=int(rng.integers(1000)))
        a = to_adjacency(g)
        h = fn([a, _relabel(a, rng), _relabel(a, rng)])
        assert h[0] == h[1] == h[2]


def test_classic_small_pairs():
    c6 = to_adjacency(nx.cycle_graph(6))
    tri2 = to_adjacency(nx.disjoint_union(nx.complete_graph(3), nx.complete_graph(3)))
    h1, h2 = wl_histograms([c6, tri2]), fwl2_histograms([c6, tri2])
    assert h1[0] == h1[1] and h2[0] != h2[1]
    # the stable 1-WL colouring of a path: ends, next-to-ends, middle
    c = wl_colours([to_adjacency(nx.path_graph(5))])[0]
    assert c[0] == c[4] != c[1] == c[3] != c[2] and c[0] != c[2]
    # 2-FWL colours of a pair encode the distance on a path
    c = fwl2_colours([to_adjacency(nx.path_graph(5))])[0]
    assert c[0, 2] != c[0, 3] != c[0, 4] and c[0, 2] == c[4, 2] and c[0, 1] != c[1, 0]


def test_csl_rook_shrikhande():
    csl = load_pairs("csl")
    assert int(oracle_separates(csl, "1-wl").sum()) == 0
    assert int(oracle_separates(csl, "2-fwl").sum()) == 45
    rs = load_pairs("rook-shrikhande")
    assert oracle_separates(rs, "1-wl").tolist() == [False]
    assert oracle_separates(rs, "2-fwl").tolist() == [False]


@pytest.mark.skipif(not HAVE_SR25, reason="SR25 data not available")
def test_sr25_all_pairs_equal():
    sr = load_pairs("sr25")
    assert len(sr) == 105
    assert int(oracle_separates(sr, "1-wl").sum()) == 0
    assert int(oracle_separates(sr, "2-fwl").sum()) == 0


@pytest.mark.skipif(not HAVE_BREC, reason="BREC data not available")
@pytest.mark.parametrize("category, pairs, fwl", [
    ("basic", 60, 60), ("regular", 50, 50), ("extension", 100, 100), ("str", 50, 0),
    ("4vtx", 20, 0), ("dr", 20, 0)])
def test_brec_published_3wl_counts(category, pairs, fwl):
    ds = load_pairs(f"brec-{category}")
    assert len(ds) == pairs
    assert int(oracle_separates(ds, "2-fwl").sum()) == fwl
    assert int(oracle_separates(ds, "1-wl").sum()) == 0  # BREC pairs are all 1-WL-equivalent


def test_different_sizes_and_bad_input():
    a, b = to_adjacency(nx.path_graph(3)), to_adjacency(nx.path_graph(4))
    with pytest.raises(InvalidInputError, match="graph 1 has 4 nodes, graph 0 has 3"):
        fwl2_colours([a, b])
    assert wl_histograms([a, b])[0] != wl_histograms([a, b])[1]
    with pytest.raises(InvalidInputError, match=r"graph 0: adjacency has shape \(3,\)"):
        wl_colours([np.zeros(3)])
    with pytest.raises(UnknownNameError, match="unknown oracle '3-wl'"):
        oracle_separates(load_pairs("rook-shrikhande"), "3-wl")


def test_rounds_to_separate_is_consistent_with_fixed_rounds():
    from equiact.separation import rounds_to_separate

    csl = load_pairs("csl")
    r = rounds_to_separate(csl, "2-fwl")
    assert set(r.tolist()) == {1, 2}
    for t in (0, 1, 2):
        assert (oracle_separates(csl, "2-fwl", rounds=t) == ((r >= 0) & (r <= t))).all()
    assert (rounds_to_separate(load_pairs("rook-shrikhande"), "2-fwl") == -1).all()
    with pytest.raises(InvalidInputError, match="rounds = -1"):
        oracle_separates(csl, "1-wl", rounds=-1)


def test_2fwl_memory_limit():
    from equiact.separation.oracles import fwl2_bytes

    a = to_adjacency(nx.cycle_graph(30))
    assert fwl2_bytes(30, 2) == 3 * 8 * 2 * 30 ** 3
    with pytest.raises(InvalidInputError, match=r"2-FWL on 2 graph\(s\) with n = 30 needs about "
                       r"0\.0 GiB per round, above the limit"):
        fwl2_colours([a, a], max_bytes=10_000)
    ds = load_pairs("rook-shrikhande")
    with pytest.raises(InvalidInputError, match="n = 16"):
        oracle_separates(ds, "2-fwl", max_bytes=1000)
    assert oracle_separates(ds, "1-wl", max_bytes=1000).tolist() == [False]
