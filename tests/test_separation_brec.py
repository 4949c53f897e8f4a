"""The published BREC protocol: T^2 statistic, threshold, training per pair, reliability."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from equiact.errors import InvalidInputError
from equiact.separation.brec import (
    NUM_RELABEL,
    THRESHOLD,
    brec_model_factory,
    run_brec,
    t2_statistic,
    t2_threshold,
)
from equiact.separation.pairs import load_pairs

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_t2_statistic_matches_hotelling_by_hand():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 4)) + 0.3
    d = x - y
    mean = d.mean(0)
    cov = np.cov(d.T) + 1e-7 * np.eye(4)
    want = float(mean @ np.linalg.inv(cov) @ mean)
    assert np.isclose(t2_statistic(x, y), want, rtol=1e-10)
    # an exactly invariant model: 32 equal differences; cov = 0, T2 = |mean|^2 / 1e-7
    same = np.tile(rng.normal(size=(1, 16)), (32, 1))
    assert np.isclose(t2_statistic(same + 1e-2, same), 16 * 1e-4 / 1e-7, rtol=1e-9)
    assert t2_statistic(same, same) == 0.0
    with pytest.raises(InvalidInputError, match="one shape with m >= 2"):
        t2_statistic(x, y[:, :3])


def test_threshold_is_the_f_distribution_bound():
    pytest.importorskip("scipy")
    assert round(t2_threshold(), 2) == THRESHOLD
    with pytest.raises(InvalidInputError, match="samples > dim"):
        t2_threshold(dim=32, samples=32)


def test_basic_pair_separated_by_3ign_not_by_2ign():
    """BREC basic pair 0 (1-WL-equivalent, n = 10): after training, 3-IGN separates it and
    2-IGN cannot (its 32 output differences are rounding noise); neither fails reliability."""
    ds = load_pairs("brec-basic").subset([0])
    three = run_brec(ds, brec_model_factory("3-ign", hidden=4, layers=3), epochs=2)
    two = run_brec(ds, brec_model_factory("2-ign", hidden=4, layers=3), epochs=2)
    p3, p2 = three.pairs[0], two.pairs[0]
    assert p3.separated and p3.t2 > 1e3 * THRESHOLD and p3.reliable
    assert not p2.separated and p2.t2 < THRESHOLD and p2.reliable
    assert p3.t2_reliability < 1.0  # relabelled copies of one graph: equal outputs
    row = three.table()[0]
    assert (row["pairs"], row["separated"], row["reliability failures"]) == (1, 1, 0)


def test_protocol_dispatch_and_skips():
    """``separate(..., protocol="brec")`` (the CLI's hook) returns a SeparationResult; pairs
    above the memory budget are skipped as undecided, not run."""
    from equiact.separation.protocol import separate

    ds = load_pairs("rook-shrikhande")
    res = separate(ds, "2-ign", protocol="brec", hidden=4, layers=2, dtype="float32",
                   norm="orbit", oracles=("2-fwl",), epochs=1)
    assert res.verdicts == ["not separated"]  # SRG(16,6,2,2): 2-FWL cannot either
    assert res.table()[0]["2-FWL"] == 0
    assert res.settings["protocol"] == "brec"
    from equiact.separation import brec

    skipped = brec.separate(ds, "3-ign", hidden=4, layers=2, epochs=1, max_bytes=1000)
    assert skipped.verdicts == ["undecided"]


def test_bad_arguments():
    ds = load_pairs("rook-shrikhande")
    with pytest.raises(InvalidInputError, match="epochs = -1"):
        run_brec(ds, brec_model_factory("2-ign"), epochs=-1)
    with pytest.raises(InvalidInputError, match="threads = 0"):
        run_brec(ds, brec_model_factory("2-ign"), threads=0)


def test_training_uses_32_relabellings_per_graph():
    calls = []

    def factory(seed):
        torch.manual_seed(seed)
        model = brec_model_factory("2-ign", hidden=2, layers=1)(seed)
        orig = model.forward

        def forward(x, sizes=None):
            calls.append(x.shape[0])
            return orig(x, sizes)

        model.forward = forward
        return model

    run_brec(load_pairs("rook-shrikhande"), factory, epochs=1, loss_threshold=-1.0)
    # one epoch of 4 batches of 16, the BN refresh (64), then 2 x 4 evaluation batches of 16
    assert sum(calls) == 2 * NUM_RELABEL + 2 * NUM_RELABEL + 4 * NUM_RELABEL
