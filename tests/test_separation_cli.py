"""``equiact separate``: tables, JSON, plot, and one-line errors with exit code 2."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from equiact.cli.main import main
from equiact.graphs import to_graph6

FAST = ["--seeds", "1", "--hidden", "4", "--no-progress"]


def test_table_for_csl(capsys):
    assert main(["separate", "--dataset", "csl", "--model", "2-ign", *FAST]) == 0
    out = capsys.readouterr().out
    assert "2-ign on csl (random weights, 1 seed(s), float64, norm none)" in out
    row = next(line for line in out.splitlines() if line.startswith("csl "))
    assert row.split() == ["csl", "45", "0", "45", "0", "45", "0"]


def test_json_two_models_and_file(tmp_path, capsys):
    f = tmp_path / "g.g6"
    c6 = nx.cycle_graph(6)
    tri2 = nx.disjoint_union(nx.complete_graph(3), nx.complete_graph(3))
    f.write_text(f"{to_graph6(c6)}\n{to_graph6(tri2)}\n")
    assert main(["separate", "--dataset", str(f), "--model", "2-ign,3-ign", "--json",
                 "--all-pairs", *FAST]) == 0
    d = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in d["results"]] == ["2-ign", "3-ign"]
    t2, t3 = (r["table"][0] for r in d["results"])
    assert (t2["1-WL"], t2["2-FWL"], t2["separated"]) == (0, 1, 0)
    assert (t3["2-FWL"], t3["separated"]) == (1, 1)   # 3-IGN counts triangles
    assert d["results"][0]["pairs"][0]["pair"] == "graph 0 vs graph 1"


def test_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    png = tmp_path / "sep.png"
    assert main(["separate", "--dataset", "rook-shrikhande", "--plot", str(png), *FAST]) == 0
    assert png.stat().st_size > 1000 and "plot written" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--dataset", "cls"], "unknown data set 'cls'"),
    (["--dataset", "csl", "--model", "4-ign"], "unknown model preset '4-ign'"),
    (["--dataset", "csl", "--oracles", "3-wl"], "unknown oracle '3-wl'"),
    (["--dataset", "csl", "--seeds", "0"], "seeds = 0; give a positive integer"),
    (["--dataset", "csl", "--max-memory", "0"], "--max-memory 0.0; give a positive number"),
    (["--dataset", "csl", "--model", "3-ign", "--max-memory", "0.001"],
     "3-ign on a graph with n = 41 needs about"),
])
def test_bad_input_exits_2(argv, message, capsys):
    assert main(["separate", *FAST, *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("equiact: error: ") and message in err and err.count("\n") == 1


def test_bad_files_exit_2(tmp_path, capsys):
    bad = tmp_path / "x.g6"
    bad.write_text("not graph6 at all\n")
    assert main(["separate", "--dataset", str(bad), *FAST]) == 2
    assert "is not a graph6 string" in capsys.readouterr().err
    mixed = tmp_path / "m.g6"
    mixed.write_text(f"{to_graph6(nx.path_graph(3))}\n{to_graph6(nx.path_graph(4))}\n")
    assert main(["separate", "--dataset", str(mixed), "--pairs", "consecutive", *FAST]) == 2
    assert "has graphs with 3 and 4 nodes" in capsys.readouterr().err


def test_plot_without_matplotlib_names_the_install(tmp_path, monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)   # import matplotlib -> ImportError
    assert main(["separate", "--dataset", "rook-shrikhande", "--plot",
                 str(tmp_path / "x.png"), *FAST]) == 2
    assert "pip install matplotlib==3.11.2" in capsys.readouterr().err


def test_oracle_rounds_column(capsys):
    assert main(["separate", "--dataset", "csl", "--oracle-rounds", "1", *FAST]) == 0
    out = capsys.readouterr().out
    assert "2-FWL(1)" in out
    row = next(line for line in out.splitlines() if line.startswith("csl "))
    assert row.split()[:4] == ["csl", "45", "0", "17"]


def test_separate_coset_models_from_the_cli(tmp_path, capsys):
    """``--model coset:H`` runs a network on R^{S_n/H}; unknown H and mixed sizes exit 2."""
    import networkx as nx

    from equiact.cli.main import main
    from equiact.graphs import to_graph6

    graphs = [g for g in nx.graph_atlas_g() if g.number_of_nodes() == 4]
    f = tmp_path / "n4.g6"
    f.write_text("\n".join(to_graph6(g) for g in graphs) + "\n")
    assert main(["separate", "--dataset", str(f), "--model", "coset:regular,coset:trivial",
                 "--no-progress", "--json"]) == 0
    out = __import__("json").loads(capsys.readouterr().out)
    regular, trivial = (r["table"][0] for r in out["results"])
    assert out["results"][0]["model"].startswith("coset:regular")
    assert out["results"][0]["settings"]["hidden"] == 2
    # the regular space separates every pair (2-FWL does here); the 1-point space (H = S_4)
    # separates exactly the pairs with different edge counts
    pairs = len(graphs) * (len(graphs) - 1) // 2
    by_edges = sum(1 for i, g in enumerate(graphs) for h in graphs[i + 1:]
                   if g.number_of_edges() != h.number_of_edges())
    assert (regular["pairs"], regular["separated"], regular["undecided"]) == (pairs, pairs, 0)
    assert (trivial["separated"], trivial["undecided"]) == (by_edges, 0)
    assert main(["separate", "--dataset", str(f), "--model", "coset:Q8", "--no-progress"]) == 2
    assert "unknown subgroup class 'Q8' of S4" in capsys.readouterr().err
