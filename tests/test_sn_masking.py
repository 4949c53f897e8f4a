"""Orbit normalisation: float32 invariance on CSL / SR25, overflow, direct sums, statistics."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch

from equiact.errors import InvalidInputError
from equiact.sn.layers import SnSet
from equiact.sn.masking import (
    mean_square,
    orbit_normalize,
    orbit_normalize_sum,
    orbit_type_count,
    pad_tensors,
)
from equiact.sn.models import build_model, graph_tensor
from equiact.sn.ops import apply_permutation

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SR25 = "/work/shared/data/sr25/sr251256.g6"


def _graphs():
    """A CSL graph (n = 41) and an SR25 graph (n = 25), as float64 adjacency matrices."""
    out = [nx.to_numpy_array(nx.circulant_graph(41, [1, 5]), nodelist=range(41))]
    try:
        out.append(nx.to_numpy_array(nx.read_graph6(SR25)[0]))
    except OSError:
        out.append(nx.to_numpy_array(nx.paley_graph(25).to_undirected()))
    return [torch.from_numpy(a) for a in out]


def _features(a: torch.Tensor) -> torch.Tensor:
    """Hard float32 channels: a large offset plus the adjacency (the signal is 1e-4 of the
    values), a channel constant on the orbit types, and common-neighbour counts."""
    n = a.shape[0]
    eye = torch.eye(n, dtype=torch.float64)
    chans = [1e4 + a, 5.0 + 2.0 * eye, (a @ a) * (1 - eye) + 3.0 * eye]
    return torch.stack(chans).to(torch.float32).unsqueeze(0)


@pytest.mark.parametrize("graph", [0, 1], ids=["CSL(41,5)", "SR25"])
def test_float32_orbit_normalize_is_invariant_on_relabelled_copies(graph):
    """Relabelled copies agree to 1e-6 relative in float32 (the statistics are accumulated in
    float64; in float32 the 1e4 offset left rounding residues of ~1e-3 of the signal)."""
    a = _graphs()[graph]
    x = _features(a)
    gen = torch.Generator().manual_seed(graph)
    y = orbit_normalize(x, SnSet.tensor(2))
    for _ in range(3):
        perm = torch.randperm(a.shape[0], generator=gen).tolist()
        got = orbit_normalize(apply_permutation(x, perm, 2), SnSet.tensor(2))
        want = apply_permutation(y, perm, 2)
        assert float((got - want).abs().max()) <= 1e-6 * float(want.abs().max())
    assert float(y[0, 1].abs().max()) == 0.0  # constant per orbit type: exactly zero
    # without the relative noise floor (1e-3 of the raw RMS in float32, which damps this 3e-5
    # signal) float32 matches float64
    y0 = orbit_normalize(x, SnSet.tensor(2), rel_eps=0.0)
    ref = orbit_normalize(x.double(), SnSet.tensor(2), rel_eps=0.0)
    torch.testing.assert_close(y0.double(), ref, rtol=0, atol=1e-5)


def test_large_inputs_are_not_zeroed():
    """1e30 in float32 (its square overflows float32) and 1e300 in float64 keep unit RMS."""
    gen = torch.Generator().manual_seed(0)
    base = torch.randn(2, 3, 6, 6, generator=gen, dtype=torch.float64)
    want = orbit_normalize(base, SnSet.tensor(2), eps=0.0, rel_eps=0.0)
    for scale, dtype in ((1e30, torch.float32), (1e300, torch.float64)):
        got = orbit_normalize((base * scale).to(dtype), SnSet.tensor(2), rel_eps=0.0)
        assert torch.isfinite(got).all()
        tol = 1e-5 if dtype == torch.float32 else 1e-12
        torch.testing.assert_close(got.double(), want, rtol=0, atol=tol)
        ms = mean_square(got, SnSet.tensor(2))
        torch.testing.assert_close(ms, torch.ones(2, dtype=torch.float64), rtol=1e-5, atol=0)


def test_mean_square_is_overflow_free_and_uses_sizes():
    x, sizes = pad_tensors([torch.full((2, 3, 3), 3e30), torch.full((2, 2, 2), 1.0)], order=2)
    x[1, :, 2, 2] = 7.0  # padding is ignored
    ms = mean_square(x, SnSet.tensor(2), sizes)
    torch.testing.assert_close(ms, torch.tensor([9e60, 1.0], dtype=torch.float64), rtol=1e-6,
                               atol=0)


def test_direct_sum_keeps_a_zero_summand_at_rounding_level():
    """One divisor for the whole direct sum: a summand that is zero up to rounding (the node
    features of a regular graph) stays tiny; normalised on its own it is scaled to unit RMS."""
    gen = torch.Generator().manual_seed(1)
    pairs = torch.randn(1, 4, 7, 7, generator=gen, dtype=torch.float64)
    nodes = 1e-13 * torch.randn(1, 4, 7, generator=gen, dtype=torch.float64)
    ys = orbit_normalize_sum([nodes, pairs], [SnSet.tensor(1), SnSet.tensor(2)], eps=0.0)
    assert float(ys[0].abs().max()) < 1e-10
    alone = orbit_normalize(nodes, SnSet.tensor(1), eps=0.0, rel_eps=0.0)
    assert float(alone.abs().max()) > 0.1
    # both summands are centred and the pair summand carries the unit mean square
    avg = (mean_square(ys[0], SnSet.tensor(1)) + mean_square(ys[1], SnSet.tensor(2))) / 2
    torch.testing.assert_close(avg, torch.ones(1, dtype=torch.float64), rtol=1e-9, atol=0)


@pytest.mark.parametrize("space", [SnSet.tensor(2), SnSet.tensor(3), SnSet.subsets(2)],
                         ids=lambda s: s.label)
def test_direct_sum_is_equivariant_and_padding_free(space):
    gen = torch.Generator().manual_seed(3)
    sizes = [3, 5, 4]
    xs = [space.from_flat(torch.randn(2, space.size(n), generator=gen, dtype=torch.float64), n)
          for n in sizes]
    ns = [torch.randn(3, n, generator=gen, dtype=torch.float64) for n in sizes]
    x, sz = pad_tensors(xs, order=space.order)
    v, _ = pad_tensors(ns, order=1)
    x[0, :, -1] = 9.0
    out = orbit_normalize_sum([v, x], [SnSet.tensor(1), space], sz)
    for b, n in enumerate(sizes):
        one = orbit_normalize_sum([ns[b][None], xs[b][None]], [SnSet.tensor(1), space])
        perm = torch.randperm(n, generator=gen).tolist()
        moved = orbit_normalize_sum([apply_permutation(ns[b][None], perm, 1),
                                     apply_permutation(xs[b][None], perm, space.order)],
                                    [SnSet.tensor(1), space])
        torch.testing.assert_close(moved[1], apply_permutation(one[1], perm, space.order),
                                   rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(moved[0], apply_permutation(one[0], perm, 1), rtol=1e-12,
                                   atol=1e-12)
        sl = (b, slice(None)) + (slice(0, n),) * space.order
        torch.testing.assert_close(out[1][sl], one[1][0], rtol=1e-12, atol=1e-12)
        rest = out[1][b].clone()
        rest[(slice(None),) + (slice(0, n),) * space.order] = 0
        assert float(rest.abs().max()) == 0.0


def test_statistics_are_the_orbit_means_and_the_centred_rms():
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(2, 3, 4, 4, generator=gen, dtype=torch.float64) * 1e3
    _, st = orbit_normalize(x, SnSet.tensor(2), return_stats=True)
    assert st.shape == (2, 3, orbit_type_count(SnSet.tensor(2)) + 1)
    eye = torch.eye(4, dtype=torch.bool)
    diag = x[..., eye].mean(-1)
    off = x[..., ~eye].mean(-1)
    centred = x - torch.where(eye, diag[..., None, None], off[..., None, None])
    rms = centred.pow(2).mean((-1, -2)).sqrt()
    torch.testing.assert_close(st, torch.stack([diag, off, rms], -1), rtol=1e-12, atol=0)


def test_bad_floors_are_refused():
    x = torch.ones(2, 1, 3)
    with pytest.raises(InvalidInputError, match="rel_eps = -1"):
        orbit_normalize(x, SnSet.tensor(1), rel_eps=-1)
    with pytest.raises(InvalidInputError, match=r"eps has shape \(3,\)"):
        orbit_normalize(x, SnSet.tensor(1), eps=torch.ones(3))
    with pytest.raises(InvalidInputError, match="2 feature tensors for 1 spaces"):
        orbit_normalize_sum([x, x], [SnSet.tensor(1)])


def test_float32_orbit_model_is_invariant_on_csl_and_sr25():
    """norm="orbit" in float32: relabelled copies of one graph agree to 1e-5 relative; the 15
    SR25 graphs (2-FWL-equivalent) agree as well; CSL classes differ by far more."""
    graphs = _graphs()
    csl2 = torch.from_numpy(nx.to_numpy_array(nx.circulant_graph(41, [1, 2]), nodelist=range(41)))
    gen = torch.Generator().manual_seed(2)
    torch.manual_seed(0)
    model = build_model("3-ign", 1, 4, hidden=4, layers=3, norm="orbit").eval()
    with torch.no_grad():
        def feats(a):
            return model.features(graph_tensor(a, dtype=torch.float32).unsqueeze(0))[0].double()

        scale = 0.0
        spread = 0.0
        outs = {}
        for name, a in (("csl5", graphs[0]), ("sr", graphs[1]), ("csl2", csl2)):
            base = feats(a)
            scale = max(scale, float(base.norm()))
            for _ in range(2):
                perm = torch.randperm(a.shape[0], generator=gen)
                spread = max(spread, float((feats(a[perm][:, perm]) - base).norm()))
            outs[name] = base
        sr = nx.read_graph6(SR25) if _has_sr25() else []
        if sr:
            other = feats(torch.from_numpy(nx.to_numpy_array(sr[7])))
            spread = max(spread, float((other - outs["sr"]).norm()))
    assert spread <= 1e-5 * scale, (spread, scale)
    assert float((outs["csl5"] - outs["csl2"]).norm()) > 100 * max(spread, 1e-7 * scale)


def _has_sr25() -> bool:
    import os

    return os.path.exists(SR25)


def test_shapes_are_checked():
    with pytest.raises(InvalidInputError, match="2-tensors needs"):
        orbit_normalize(torch.ones(2, 3), SnSet.tensor(2))
    assert np.isclose(float(orbit_normalize(torch.ones(1, 1, 2), SnSet.sign()).sum()), 2.0)


def test_gradients_are_finite_on_regular_graphs():
    """The node summand of a regular graph is constant: its centred RMS is exactly 0, where
    sqrt has an infinite derivative (NaN gradients when training the subset model on BREC's
    regular pairs); the statistic is clamped."""
    a = torch.from_numpy(nx.to_numpy_array(nx.circulant_graph(9, [1, 2]))).float()
    torch.manual_seed(0)
    model = build_model("mixed", 1, 3, hidden=3, layers=2, norm="orbit")
    x = graph_tensor(a).unsqueeze(0).repeat(2, 1, 1, 1)
    model(x).square().sum().backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(bool(torch.isfinite(g).all()) for g in grads)
