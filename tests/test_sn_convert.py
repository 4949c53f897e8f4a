"""Converters into GraphSamples: networkx, graph6, edge lists, data set files, PyG (both ways)."""

from __future__ import annotations

import sys

import networkx as nx
import numpy as np
import pytest
import torch

from equiact.errors import InvalidInputError
from equiact.graphs import to_graph6
from equiact.sn.convert import (
    as_samples,
    graph_sample,
    infer_task,
    parse_dataset_text,
    read_dataset_file,
    samples_from_graphs,
)
from equiact.sn.data import GraphSample, load_dataset_info


def _random_graph(rng, n, p=0.4):
    return nx.gnp_random_graph(n, p, seed=int(rng.integers(1 << 30)))


def test_every_graph_form_gives_the_same_sample():
    rng = np.random.default_rng(0)
    for _ in range(5):
        g = _random_graph(rng, int(rng.integers(1, 9)))
        adj = nx.to_numpy_array(g, nodelist=range(g.number_of_nodes()), dtype=int)
        forms = [g, to_graph6(g), adj, torch.tensor(adj)]
        if g.number_of_edges():
            forms.append(list(g.edges()))
        xs = [graph_sample(f, 1.0).x for f in forms]
        for x in xs:
            assert torch.equal(x, torch.from_numpy(adj).float().unsqueeze(0))
    # node order of a networkx graph: sorted labels become 0..n-1
    g = nx.Graph([("b", "c")])
    g.add_node("a")
    assert graph_sample(g, 0).x[0].tolist() == [[0, 0, 0], [0, 0, 1], [0, 1, 0]]


def test_targets_and_attributes():
    assert graph_sample("Bg", 3).y.dtype == torch.int64
    assert graph_sample("Bg", torch.tensor([2])).y.shape == ()
    assert graph_sample("Bg", 2.5).y.tolist() == [2.5]
    assert graph_sample("Bg", np.array([1, 2.0])).y.tolist() == [1.0, 2.0]
    assert graph_sample("Bg").y.numel() == 0
    with pytest.raises(InvalidInputError, match="class label -1 is negative"):
        graph_sample("Bg", -1)
    with pytest.raises(InvalidInputError, match="is not finite"):
        graph_sample("Bg", float("nan"))
    with pytest.raises(InvalidInputError, match="not a number"):
        graph_sample("Bg", "high")
    g = nx.path_graph(3)
    nx.set_node_attributes(g, {0: 1.0, 1: 2.0, 2: 5.0}, "w")
    nx.set_edge_attributes(g, {(0, 1): 0.5, (1, 2): 7.0}, "b")
    s = graph_sample(g, 1, node_attrs=["w"], edge_attrs=["b"])
    assert s.node_channels == 1 and s.x.shape == (3, 3, 3)
    assert s.x[1].tolist() == [[1, 0, 0], [0, 2, 0], [0, 0, 5]]
    assert s.x[2].tolist() == [[0, 0.5, 0], [0.5, 0, 7], [0, 7, 0]]
    with pytest.raises(InvalidInputError, match="has no attribute 'q'"):
        graph_sample(g, 1, node_attrs=["q"])
    with pytest.raises(InvalidInputError, match="2 graphs but 1 targets"):
        samples_from_graphs(["Bg", "Bw"], [1])


def test_sample_is_permutation_consistent():
    """Relabelling the networkx graph permutes the sample's tensor the same way."""
    rng = np.random.default_rng(1)
    g = _random_graph(rng, 7)
    nx.set_node_attributes(g, {v: float(v) for v in g}, "w")
    p = rng.permutation(7)
    h = nx.relabel_nodes(g, {v: int(p[v]) for v in g})
    a = graph_sample(g, 0, node_attrs=["w"]).x
    b = graph_sample(h, 0, node_attrs=["w"]).x
    inv = np.argsort(p)  # node i of h is node inv[i] of g
    assert torch.equal(b, a[:, inv][:, :, inv])


def test_dataset_text_format(tmp_path):
    samples, task, out_dim, names = parse_dataset_text("Bg\t1\nBw\t0\n# comment\n\nB?,2\n")
    assert (task, out_dim, names) == ("classification", 3, ["target"])
    assert [int(s.y) for s in samples] == [1, 0, 2]
    assert [s.name for s in samples] == ["line 1", "line 2", "line 5"]
    _, task, _, _ = parse_dataset_text("Bg 1.0\nBw 0\n")  # a decimal point: regression
    assert task == "regression"
    _, task, _, _ = parse_dataset_text("# task: regression\nBg 1\nBw 0\n")
    assert task == "regression"
    s, task, out_dim, names = parse_dataset_text("graph,a,b\nBg,1,2.5\nBw,0,-1\n")
    assert (task, out_dim, names) == ("regression", 2, ["a", "b"])
    assert s[1].y.tolist() == [0.0, -1.0]
    # an edge-list file and a one-graph .g6 file named relative to the data set file
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "tri.txt").write_text("0 1\n1 2\n2 0\n# n = 4\n")
    (tmp_path / "one.g6").write_text("Bw\n")
    f = tmp_path / "data.tsv"
    f.write_text("sub/tri.txt\t3.5\none.g6\t1.5\nBg\t0.5\n")
    s, task, out_dim, _ = read_dataset_file(f)
    assert task == "regression" and out_dim == 1
    assert s[0].n == 4 and int(s[0].x[0].sum()) == 6
    assert torch.equal(s[1].x, graph_sample("Bw", 0).x)


@pytest.mark.parametrize("text,message", [
    ("", "holds no graphs"),
    ("Bg\nBw\n", "no target column"),
    ("Bg 1\nBw 1 2\n", "line 2 has 2 targets but line 1 has 1"),
    ("Bg x\n", "line 1: target 'x' is not a number"),
    ("Bg 1\nB! 0\n", "line 2: 'B!' is not a graph6 string"),
    ("# task: classification\nBg 1.5\n", "class label '1.5' is not a non-negative integer"),
    ("# task: sorting\nBg 1\n", "task 'sorting' unknown"),
    ("graph a b\nBg 1\n", "header names 2 targets but the lines have 1"),
    ("Bg inf\n", "is not finite"),
])
def test_dataset_text_errors(text, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_dataset_text(text)


def test_dataset_file_errors(tmp_path):
    with pytest.raises(InvalidInputError, match="cannot read data set file"):
        read_dataset_file(tmp_path / "missing.tsv")
    f = tmp_path / "d.tsv"
    f.write_text("nothere.txt 1\n")
    with pytest.raises(InvalidInputError, match="cannot read edge-list file"):
        read_dataset_file(f)
    g6 = tmp_path / "bare.g6"
    g6.write_text("Bg\nBw\n")
    samples, task, _, _ = read_dataset_file(g6, require_targets=False)
    assert len(samples) == 2 and task is None and samples[0].y.numel() == 0
    with pytest.raises(InvalidInputError, match="no target column"):
        read_dataset_file(g6)


def test_as_samples_and_infer_task():
    mixed = [graph_sample("Bg", 0), ("Bw", 1), (nx.path_graph(4), 1)]
    samples = as_samples(mixed)
    assert len(samples) == 3 and all(isinstance(s, GraphSample) for s in samples)
    assert infer_task(samples) == ("classification", 2)
    assert infer_task(as_samples([("Bg", 1.5), ("Bw", 2.0)])) == ("regression", 1)
    with pytest.raises(InvalidInputError, match=r"item 0 is a int"):
        as_samples([3])
    with pytest.raises(InvalidInputError, match="is empty"):
        as_samples([])
    with pytest.raises(InvalidInputError, match="a int is not a data set"):
        as_samples(5)
    with pytest.raises(InvalidInputError, match="not a class label"):
        infer_task(as_samples([("Bg", 1.5), ("Bw", 2.0)]), "classification")
    with pytest.raises(InvalidInputError, match="different channel counts"):
        g = nx.path_graph(2)
        nx.set_node_attributes(g, 1.0, "w")
        infer_task([graph_sample(g, 0, node_attrs=["w"]), graph_sample("Bg", 1)])
    info = load_dataset_info([("Bg", [1.0, 2.0]), ("Bw", [0.0, 1.0])])
    assert info["task"] == "regression" and info["target_names"] == ["target_0", "target_1"]


# --- PyTorch Geometric ---------------------------------------------------------------------


def _pyg_graph(rng, n, f=2, d=3, classification=True):
    from torch_geometric.data import Data

    g = _random_graph(rng, n, 0.5)
    e = torch.tensor(list(g.edges()), dtype=torch.int64).reshape(-1, 2).T
    ei = torch.cat([e, e.flip(0)], dim=1)  # both directions: undirected
    ea_half = torch.from_numpy(rng.normal(size=(e.shape[1], d))).float()
    ea = torch.cat([ea_half, ea_half])
    y = torch.tensor([int(rng.integers(3))]) if classification else \
        torch.from_numpy(rng.normal(size=(1, 2))).float()
    return Data(x=torch.from_numpy(rng.normal(size=(n, f))).float(), edge_index=ei,
                edge_attr=ea, y=y, num_nodes=n)


def _same_edges(a, b):
    key = lambda ei, ea: sorted(zip(ei.T.tolist(), ea.tolist()))  # noqa: E731
    return key(a.edge_index, a.edge_attr) == key(b.edge_index, b.edge_attr)


def test_pyg_round_trips():
    pytest.importorskip("torch_geometric")
    from torch_geometric.data import Batch

    from equiact.sn.convert import from_pyg, to_pyg

    rng = np.random.default_rng(2)
    for classification in (True, False):
        datas = [_pyg_graph(rng, int(n), classification=classification) for n in (3, 6, 5)]
        samples = [s for d in datas for s in from_pyg(d)]
        for d, s in zip(datas, samples):
            assert s.node_channels == 2 and s.x.shape == (1 + 2 + 3, d.num_nodes, d.num_nodes)
            assert torch.equal(torch.diagonal(s.x[1:3], dim1=1, dim2=2).T, d.x)
        back = to_pyg(samples)
        for d, b in zip(datas, back):
            assert b.num_nodes == d.num_nodes and torch.equal(b.x, d.x)
            assert _same_edges(b, d)
            assert torch.equal(b.y, d.y) and b.y.dtype == d.y.dtype
        # a Batch converts to the same samples as its graphs one by one
        from_batch = from_pyg(Batch.from_data_list(datas))
        assert len(from_batch) == 3
        assert all(torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
                   for a, b in zip(from_batch, samples))
    # samples -> PyG -> samples is the identity (FreeSolv-like channels: adjacency, 2 node, 1 edge)
    from equiact.sn.models import graph_tensor

    g = _random_graph(rng, 6, 0.5)
    adj = nx.to_numpy_array(g, nodelist=range(6))
    edge = adj * rng.normal(size=(6, 6))
    edge = (edge + edge.T) / 2
    s = GraphSample(graph_tensor(adj, node_features=rng.normal(size=(6, 2)),
                                 edge_features=edge), torch.tensor([1.5]), node_channels=2)
    again = from_pyg(to_pyg(s)[0])[0]
    assert torch.equal(again.x, s.x) and torch.equal(again.y, s.y)


def test_pyg_data_trains_and_checks_input():
    pytest.importorskip("torch_geometric")
    from torch_geometric.data import Data

    from equiact.sn.convert import from_pyg
    from equiact.sn.train import TrainConfig, train

    rng = np.random.default_rng(3)
    datas = [_pyg_graph(rng, int(rng.integers(3, 7)), f=1, d=1) for _ in range(12)]
    res = train(TrainConfig(dataset=datas, hidden=3, layers=1, epochs=1, batch_size=4,
                            progress=False))
    assert res["task"] == "classification" and res["history"][0]["train_loss"] > 0
    bad = Data(edge_index=torch.tensor([[0], [5]]), num_nodes=3)
    with pytest.raises(InvalidInputError, match="uses node 5 .* num_nodes = 3"):
        from_pyg(bad)


def test_pyg_missing_names_the_install(monkeypatch):
    from equiact.sn import convert

    monkeypatch.setitem(sys.modules, "torch_geometric", None)
    monkeypatch.setitem(sys.modules, "torch_geometric.data", None)
    with pytest.raises(InvalidInputError, match=r"pip install torch_geometric==2\.8\.1"):
        convert.to_pyg([graph_sample("Bg", 0)])


def test_huge_class_labels_are_refused_not_allocated(tmp_path):
    # a label of 10**9 used to build a model with 10**9 outputs (minutes, tens of GB)
    from equiact.cli.main import main
    from equiact.sn.convert import MAX_CLASSES
    from equiact.sn.data import load_dataset_info

    pairs = [("Bw", 0), ("Cr", 10**9)]
    with pytest.raises(InvalidInputError, match=r"class label 1000000000 would need .*"
                                                r"MAX_CLASSES = 10000.*--task regression"):
        load_dataset_info(pairs)
    with pytest.raises(InvalidInputError, match=r"class label .* does not fit in 64 bits"):
        load_dataset_info([("Bw", 0), ("Cr", 10**400)])
    load_dataset_info([("Bw", 0), ("Cr", MAX_CLASSES - 1)])  # the largest allowed label
    f = tmp_path / "big.tsv"
    f.write_text("Bw\t0\nCr\t1000000000\nDQc\t3\n")
    assert main(["train", "--dataset", str(f), "--epochs", "1", "--no-progress"]) == 2
    assert main(["train", "--dataset", str(f), "--epochs", "1", "--no-progress", "--task",
                 "regression", "--hidden", "2", "--layers", "1"]) == 0
