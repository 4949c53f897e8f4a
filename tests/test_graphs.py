"""Graph readers and converters: round trips, BREC/SR25 files, and the exact errors."""

import networkx as nx
import numpy as np
import pytest

from equiact.errors import InvalidInputError
from equiact.graphs import (
    as_graph,
    as_graphs,
    from_adjacency,
    parse_graph6,
    read_edge_list,
    read_graph6,
    read_graphs,
    to_adjacency,
    to_graph6,
)

SHARED = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "data"


def test_graph6_round_trip_on_random_graphs():
    rng = np.random.default_rng(0)
    for n in (0, 1, 2, 7, 30, 70):
        a = np.triu(rng.integers(0, 2, (n, n)), 1)
        a = a + a.T
        g = from_adjacency(a)
        assert (to_adjacency(parse_graph6(to_graph6(g))) == a).all()


def test_graph6_file_and_header(tmp_path):
    f = tmp_path / "two.g6"
    f.write_text(">>graph6<<Bg\n\nCF\n")
    graphs = read_graph6(f)
    assert [g.number_of_edges() for g in graphs] == [2, 3]
    assert nx.is_isomorphic(graphs[1], nx.star_graph(3))


def test_shared_benchmark_files_decode():
    brec = SHARED / "brec" / "basic.npy"
    sr25 = SHARED / "sr25" / "sr251256.g6"
    if not brec.exists() or not sr25.exists():
        pytest.skip("../shared/data not present")
    basic = read_graph6(brec)
    assert len(basic) == 120 and all(g.number_of_nodes() == 10 for g in basic)
    srgs = read_graphs(sr25)
    assert len(srgs) == 15
    assert all(sorted(d for _, d in g.degree()) == [12] * 25 for g in srgs)


def test_edge_list_file(tmp_path):
    f = tmp_path / "g.txt"
    f.write_text("# n = 5\n0 1\n1,2  # comment\n\n")
    g = read_edge_list(f)
    assert g.number_of_nodes() == 5 and sorted(g.edges()) == [(0, 1), (1, 2)]
    assert as_graphs(str(f))[0].number_of_nodes() == 5


def test_networkx_relabelled_in_sorted_order():
    g = nx.Graph([("b", "c"), ("a", "b")])
    h = as_graph(g)
    assert sorted(h.edges()) == [(0, 1), (1, 2)]
    torch = pytest.importorskip("torch")
    assert as_graph(torch.tensor(to_adjacency(h))).number_of_edges() == 2


@pytest.mark.parametrize("bad, message", [
    ("B!", "is not a graph6 string"),
    (":Fa@x^", "is not a graph6 string"),
    ("Bww", "is not valid graph6"),
    (np.array([[0, 1], [0, 0]]), "not symmetric"),
    (np.array([[1, 0], [0, 0]]), "self-loops"),
    (np.array([[0, 2], [2, 0]]), "0 or 1"),
    (np.zeros((2, 3)), "not square"),
    ([(0, 0)], "self-loop"),
    ([(0, -1)], "negative"),
    ([(0, "x")], "two integer node indices"),
    (nx.DiGraph([(0, 1)]), "directed"),
    (3.5, "cannot read a float"),
])
def test_bad_graphs_are_refused(bad, message):
    with pytest.raises(InvalidInputError, match=message):
        as_graph(bad)


def test_bad_files_are_refused(tmp_path):
    with pytest.raises(InvalidInputError, match="cannot read graph6 file"):
        read_graph6(tmp_path / "missing.g6")
    f = tmp_path / "bad.g6"
    f.write_text("Bg\nnot graph6!\n")
    with pytest.raises(InvalidInputError, match="line 2"):
        read_graph6(f)
    e = tmp_path / "bad.txt"
    e.write_text("0 1 2\n")
    with pytest.raises(InvalidInputError, match="line 1"):
        read_edge_list(e)
    empty = tmp_path / "empty.g6"
    empty.write_text("\n")
    with pytest.raises(InvalidInputError, match="holds no graphs"):
        read_graph6(empty)


def test_npy_arrays_of_graph6(tmp_path):
    pairs = tmp_path / "pairs.npy"
    np.save(pairs, np.array([["Bg", "BW"], ["CF", "Cr"]]))
    assert [g.number_of_nodes() for g in read_graph6(pairs)] == [3, 3, 4, 4]
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((2, 3)))
    with pytest.raises(InvalidInputError, match=r"expected a 1-d or \(P, 2\) array"):
        read_graph6(bad)
    obj = tmp_path / "obj.npy"
    np.save(obj, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InvalidInputError, match="cannot read"):
        read_graph6(obj)
