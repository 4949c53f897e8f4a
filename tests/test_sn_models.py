"""Graph models: invariance / equivariance (float64), variable-size batches, masked pooling."""

from __future__ import annotations

import pytest
import torch

from equiact.errors import InvalidInputError, UnknownNameError
from equiact.sn.layers import SnSet
from equiact.sn.masking import masked_pool, pad_tensors
from equiact.sn.models import PRESETS, build_model, graph_tensor
from equiact.sn.ops import apply_permutation

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _random_graph(n, gen, channels=2):
    a = (torch.rand(n, n, generator=gen, dtype=torch.float64) < 0.4).double()
    a = torch.triu(a, 1)
    a = a + a.T
    feats = torch.randn(n, channels - 1, generator=gen, dtype=torch.float64)
    return graph_tensor(a, node_features=feats, dtype=torch.float64)


def _model(preset, readout, gen, pooling="mean"):
    torch.manual_seed(int(torch.randint(0, 10**6, (1,), generator=gen)))
    m = build_model(preset, in_channels=2, out_dim=3, hidden=3, layers=2, readout=readout,
                    pooling=pooling).double()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    return m.eval()


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("readout", ["graph", "node", "edge"])
def test_invariance_and_equivariance(preset, readout):
    gen = torch.Generator().manual_seed(11)
    model = _model(preset, readout, gen, pooling="max" if readout == "graph" else "mean")
    n = 5
    x = _random_graph(n, gen).unsqueeze(0)
    perm = torch.randperm(n, generator=gen).tolist()
    out = model(x)
    out_p = model(apply_permutation(x, perm, 2))
    order = {"graph": 0, "node": 1, "edge": 2}[readout]
    torch.testing.assert_close(out_p, apply_permutation(out, perm, order), rtol=1e-10,
                               atol=1e-10)
    assert out.abs().max() > 1e-6  # not trivially zero


@pytest.mark.parametrize("preset", ["2-ign", "mixed"])
@pytest.mark.parametrize("pooling", ["mean", "max", "sum"])
def test_variable_size_batch_equals_one_by_one(preset, pooling):
    gen = torch.Generator().manual_seed(5)
    model = _model(preset, "graph", gen, pooling=pooling)
    graphs = [_random_graph(n, gen) for n in (4, 6, 3, 5)]
    x, sizes = pad_tensors(graphs, order=2)
    batched = model(x, sizes)
    singles = torch.cat([model(g.unsqueeze(0)) for g in graphs])
    torch.testing.assert_close(batched, singles, rtol=1e-10, atol=1e-10)
    node_model = _model(preset, "node", gen)
    out = node_model(x, sizes)
    for b, g in enumerate(graphs):
        n = g.shape[-1]
        torch.testing.assert_close(out[b, :, :n], node_model(g.unsqueeze(0))[0], rtol=1e-10,
                                   atol=1e-10)
        assert float(out[b, :, n:].detach().abs().sum()) == 0.0


def test_masked_pool_uses_true_sizes():
    gen = torch.Generator().manual_seed(2)
    sizes = torch.tensor([2, 4, 3])
    parts = [torch.randn(2, n, n, generator=gen, dtype=torch.float64) for n in sizes.tolist()]
    x, s = pad_tensors(parts, order=2)
    x[0, :, 3, 3] = 1e6  # garbage in the padding must not leak
    x[2, :, :, 3] = 1e6
    for how, ref in (("sum", lambda t: t.sum((1, 2))), ("mean", lambda t: t.mean((1, 2))),
                     ("max", lambda t: t.amax((1, 2)))):
        got = masked_pool(x, SnSet.tensor(2), s, how)
        want = torch.stack([ref(t) for t in parts])
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    # tuples: only the off-diagonal entries count
    xt = torch.ones(1, 1, 4, 4, dtype=torch.float64)
    assert masked_pool(xt, SnSet.tuples(2), torch.tensor([3]), "sum").item() == 6.0
    assert masked_pool(xt, SnSet.tuples(2), torch.tensor([3]), "mean").item() == 1.0
    assert masked_pool(xt, SnSet.tuples(2), None, "sum").item() == 12.0
    xd = xt + 5 * torch.eye(4, dtype=torch.float64)  # diagonals are not tuples
    assert masked_pool(xd, SnSet.subsets(2), None, "max").item() == 1.0
    assert masked_pool(xd, SnSet.tuples(2), None, "mean").item() == 1.0
    x1 = torch.tensor([[[-3.0, -2.0, 5.0]], [[4.0, 4.0, 4.0]]])
    got = masked_pool(x1, SnSet.tensor(1), torch.tensor([2, 0]), "max")
    assert got.tolist() == [[-2.0], [0.0]]  # an empty graph pools to 0, not -inf


def test_csl_separation_follows_the_wl_hierarchy():
    """Random-weight separation (THEORY section 6): C41(1,2) vs C41(1,3) are 4-regular, so
    2-IGN (= 1-WL) and 2-tuples cannot separate them; 3-IGN and the 3-subset model can."""
    import networkx as nx

    gs = [graph_tensor(nx.to_numpy_array(nx.circulant_graph(41, [1, r])), dtype=torch.float64)
          for r in (2, 3)]
    gen = torch.Generator().manual_seed(7)
    for preset, separates in (("2-ign", False), ("tuples", False), ("3-ign", True),
                              ("mixed", True)):
        model = build_model(preset, 1, 4, hidden=3, layers=2).double().eval()
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype))
            a, b = (model(g.unsqueeze(0))[0] for g in gs)
        gap = float((a - b).abs().max()) / float(a.abs().max())
        assert (gap > 1e-5) if separates else (gap < 1e-12), (preset, gap)


def test_bad_model_arguments():
    with pytest.raises(UnknownNameError, match="did you mean '2-ign'"):
        build_model("2-ing", 1, 1)
    with pytest.raises(InvalidInputError, match="readout 'vertex' unknown"):
        build_model("2-ign", 1, 1, readout="vertex")
    with pytest.raises(InvalidInputError, match="pooling 'median' unknown"):
        build_model("2-ign", 1, 1, pooling="median")
    with pytest.raises(InvalidInputError, match="layers = 0"):
        build_model("2-ign", 1, 1, layers=0)
    with pytest.raises(InvalidInputError, match="expected \\(n, n\\)"):
        graph_tensor(torch.zeros(2, 3))
    model = build_model("2-ign", 1, 1)
    with pytest.raises(InvalidInputError, match="expected \\(batch, channels\\)"):
        model(torch.zeros(3, 3))
