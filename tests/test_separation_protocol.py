"""Random-weight separation protocol: verdict bands, plug-in embeddings, model bounds, errors."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

from equiact.errors import InvalidInputError, UnknownNameError
from equiact.separation import (
    SeparationResult,
    load_pairs,
    model_embedder,
    pair_gaps,
    pairs_from_graphs,
    separate,
    verdict,
)
from equiact.separation.pairs import atlas_pairs


def test_verdict_bands():
    floors = [[1e-15]] * 4
    gaps = [[2e-14], [1e-15], [5e-15], [0.0]]
    assert verdict(gaps, floors) == ["separated", "not separated", "undecided",
                                     "not separated"]
    # over seeds: one separating seed suffices; all at or below the floor for "not"
    assert verdict([[0.0, 1e-3]], [[1e-15, 1e-15]]) == ["separated"]
    assert verdict([[0.0, 3e-15]], [[1e-15, 1e-15]]) == ["undecided"]
    assert verdict([[5e-15]], [[1e-15]], margin=4) == ["separated"]


def _traces(adjs):
    """An exactly invariant embedding: tr(A^k), k = 2..5 (integers, exact in float64)."""
    out = []
    for a in adjs:
        a = np.asarray(a, dtype=np.int64)
        p, row = a.copy(), []
        for _ in range(4):
            p = p @ a
            row.append(float(np.trace(p)))
        out.append(row)
    return np.array(out)


def test_plugged_in_exact_embedding_gives_exact_verdicts():
    ds = atlas_pairs()
    ds = ds.subset([p for p in range(len(ds)) if ds.categories[p] in ("n=5", "n=6")])
    res = separate(ds, embed=_traces, oracles=())
    emb = _traces(ds.graphs)
    differ = np.array([not np.array_equal(emb[i], emb[j]) for i, j in ds.index])
    assert differ.any() and (~differ).any()
    assert res.gaps[~differ].max() == 0.0
    assert res.verdicts == ["separated" if d else "not separated" for d in differ]


def test_factory_seeds_and_noninvariant_embedding_is_not_separated():
    """A non-invariant embedding (degree of node 0) must show a floor, not fake separations."""
    calls = []

    def factory(seed):
        calls.append(seed)
        return lambda adjs: np.array([[float(np.asarray(a)[0].sum()) + 1.0] for a in adjs])

    ds = load_pairs("csl")  # 4-regular: node 0 has degree 4 in every graph
    res = separate(ds, factory, seeds=2, seed=5, oracles=())
    assert calls == [5, 6] and res.gaps.max() == 0.0
    assert set(res.verdicts) == {"not separated"}

    def first_row(adjs):  # depends on the labelling
        return np.array([np.asarray(a)[0, :6].astype(float) + 1.0 for a in adjs])

    a = load_pairs("rook-shrikhande").graphs[1]
    p = np.random.default_rng(0).permutation(16)
    iso = pairs_from_graphs([a, a[np.ix_(p, p)]])   # isomorphic, labelled differently
    res = separate(iso, embed=first_row, oracles=("1-wl",))
    assert res.gaps[0, 0] > 0.1 and res.floors[0, 0] > 0.1
    assert res.verdicts != ["separated"] and res.oracles["1-WL"].tolist() == [False]


def test_model_embedding_is_invariant_float64_and_float32():
    rng = np.random.default_rng(0)
    a = np.asarray(load_pairs("rook-shrikhande").graphs[1])
    p = rng.permutation(16)
    for preset in ("2-ign", "tuples", "mixed", "3-ign"):
        e64 = model_embedder(preset, seed=1, hidden=4)([a, a[np.ix_(p, p)]])
        assert np.abs(e64[0] - e64[1]).max() <= 1e-12 * np.abs(e64).max()
        e32 = model_embedder(preset, seed=1, hidden=4, dtype="float32")([a])
        assert np.abs(e32[0] - e64[0]).max() <= 1e-4 * np.abs(e64).max()
    # the same seed gives the same weights, another seed others
    e1 = model_embedder("2-ign", seed=3, hidden=4)([a])
    assert np.array_equal(e1, model_embedder("2-ign", seed=3, hidden=4)([a]))
    assert not np.array_equal(e1, model_embedder("2-ign", seed=4, hidden=4)([a]))


def test_2ign_never_beats_1wl_on_atlas():
    """2-IGN separates at most what 1-WL separates (THEORY.md 6): no false separations."""
    res = separate(atlas_pairs(), "2-ign", seeds=1, hidden=8, oracles=("1-wl",))
    wl = res.oracles["1-WL"]
    v = np.array(res.verdicts)
    assert int((~wl).sum()) == 26
    assert not (v[~wl] == "separated").any()
    assert (v[wl] == "separated").sum() > 0.99 * wl.sum()


def test_3ign_bounded_by_2fwl_on_rook_shrikhande_and_float32_floor():
    ds = load_pairs("rook-shrikhande")
    res = separate(ds, "3-ign", seeds=2, hidden=4)
    assert res.verdicts == ["not separated"]
    assert res.oracles["2-FWL"].tolist() == [False]
    r32 = separate(ds, "2-ign", seeds=1, hidden=4, dtype="float32", oracles=())
    assert r32.floors[0, 0] >= np.finfo(np.float32).eps


def test_result_table_and_json():
    res = separate("csl", "2-ign", seeds=1, hidden=4)
    assert isinstance(res, SeparationResult)
    (row,) = res.table()
    assert row == {"category": "csl", "pairs": 45, "1-WL": 0, "2-FWL": 45, "separated": 0,
                   "not separated": 45, "undecided": 0}
    d = json.loads(json.dumps(res.to_dict(pairs=True)))
    assert len(d["pairs"]) == 45 and d["pairs"][0]["2-FWL"] is True
    assert res.missed("2-FWL")[0] == "CSL(41,2) vs CSL(41,3)"
    assert res.timings["graphs"] == 10


def test_pair_gaps_shapes_and_bad_inputs():
    ds = load_pairs("csl").subset([0, 1])
    gaps, floors = pair_gaps(ds, _traces, copies=1)
    assert gaps.shape == floors.shape == (2,)
    with pytest.raises(InvalidInputError, match="copies = 0"):
        pair_gaps(ds, _traces, copies=0)
    with pytest.raises(InvalidInputError, match=r"embedding returned shape \(3, 1, 1\)"):
        separate(ds, embed=lambda a: np.zeros((3, 1, 1)), oracles=())
    with pytest.raises(InvalidInputError, match="NaN or inf"):
        separate(ds, embed=lambda a: np.full((len(a), 2), np.nan), oracles=())
    with pytest.raises(InvalidInputError, match="seeds = 0"):
        separate(ds, "2-ign", seeds=0)
    with pytest.raises(InvalidInputError, match="dtype 'float16' unknown"):
        separate(ds, "2-ign", dtype="float16")
    with pytest.raises(UnknownNameError, match="unknown model preset '4-ign'"):
        separate(ds, "4-ign")
    with pytest.raises(UnknownNameError, match="unknown oracle '3-wl'"):
        separate(ds, embed=_traces, oracles=("3-wl",))
    with pytest.raises(UnknownNameError, match="unknown separation protocol 'trained'"):
        separate(ds, "2-ign", protocol="trained")
    with pytest.raises(InvalidInputError, match=r"3-ign on a graph with n = 41 needs about"):
        separate(ds, "3-ign", max_bytes=2**20)


@pytest.mark.skipif(importlib.util.find_spec("equiact.separation.brec") is not None,
                    reason="equiact.separation.brec is installed")
def test_brec_protocol_without_module():
    with pytest.raises(InvalidInputError, match="--protocol brec needs equiact.separation.brec"):
        separate("csl", "2-ign", protocol="brec")


def test_unknown_build_model_argument():
    import inspect

    from equiact.sn.models import build_model

    if "colour" in inspect.signature(build_model).parameters:
        pytest.skip("build_model takes 'colour'")
    with pytest.raises(InvalidInputError, match="takes no argument 'colour'"):
        model_embedder("2-ign", colour="red")


def test_oracles_as_string_and_empty_embed_list():
    res = separate("rook-shrikhande", embed=_traces, oracles="2-fwl")
    assert list(res.oracles) == ["2-FWL"]
    with pytest.raises(InvalidInputError, match="non-empty list"):
        separate("rook-shrikhande", embed=[])


def test_undecided_pairs_are_reported():
    from equiact.separation.report import format_pairs, format_table

    ds = pairs_from_graphs(["Bg", "Bw"], names=["P3", "K3"])

    def embed(adjs):  # exactly invariant (edge count); K3 is off by 5 machine epsilons
        return np.array([[1.0 + (1e-15 if int(np.asarray(a).sum()) == 6 else 0.0)]
                         for a in adjs])

    res = separate(ds, embed=embed, oracles=())
    assert res.verdicts == ["undecided"]
    assert res.pairs_with("undecided")[0][:2] == ("P3 vs K3", "user")
    text = format_pairs(res)
    assert text.startswith("undecided pairs (1):")
    assert "P3 vs K3 [user]: gap 1.11e-15, floor 2.22e-16" in text
    assert format_table(res).splitlines()[-1].split() == ["user", "1", "0", "0", "1"]
    assert res.to_dict()["undecided"][0]["pair"] == "P3 vs K3"
