"""``equiact predict``: predictions in target units from a checkpoint, as CSV."""

from __future__ import annotations

import csv
import io
import sys

import pytest
import torch

from equiact.cli.main import main
from equiact.errors import InvalidInputError
from equiact.sn.train import TrainConfig, train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_regression_predictions_are_in_target_units(tmp_path, capsys):
    """The MAE of the CSV's predictions on the validation graphs equals the training run's
    validation MAE (reported in target units), so the stored scaling was undone."""
    ck = tmp_path / "run"
    res = train(TrainConfig(dataset="atlas", hidden=6, layers=1, epochs=3, limit=150,
                            batch_size=16, lr=1e-2, progress=False, seed=2,
                            checkpoint_dir=str(ck)))
    out = tmp_path / "pred.csv"
    assert main(["predict", "--checkpoint", str(ck), "--dataset", "atlas", "--output",
                 str(out)]) == 0
    assert "wrote 1253 predictions" in capsys.readouterr().err
    rows = _rows(out.read_text())
    names = ["triangles", "four_cycles", "connected"]
    assert list(rows[0]) == ["index", "name"] + [f"predicted_{n}" for n in names] + \
        [f"true_{n}" for n in names]
    # rebuild the run's validation split over the same limited data set
    import numpy as np

    from equiact.sn.data import atlas_dataset

    trmod = sys.modules["equiact.sn.train"]
    full = atlas_dataset(seed=2)
    pick = sorted(np.random.default_rng(3).permutation(len(full))[:150].tolist())
    _, val_idx = trmod._split(150, 0.2, 2)
    val_names = {full[pick[i]].name for i in val_idx}
    by_name = {r["name"]: r for r in rows}
    err = [abs(float(by_name[nm][f"predicted_{t}"]) - float(by_name[nm][f"true_{t}"]))
           for nm in val_names for t in names]
    mae = sum(err) / len(err)
    assert mae == pytest.approx(res["best"]["val_mae"], rel=1e-4)
    assert res["best"]["val_mae"] < 5  # target units (counts), not standardised values


def test_classification_probabilities_and_stdout(tmp_path, capsys):
    ck = tmp_path / "run"
    train(TrainConfig(dataset="csl", hidden=3, layers=1, epochs=1, limit=20, batch_size=10,
                      progress=False, checkpoint_dir=str(ck)))
    capsys.readouterr()
    assert main(["predict", "--checkpoint", str(ck / "last.pt"), "--dataset", "csl",
                 "--limit", "7"]) == 0
    rows = _rows(capsys.readouterr().out)
    assert len(rows) == 7
    for r in rows:
        probs = [float(r[f"p_{c}"]) for c in range(10)]
        assert sum(probs) == pytest.approx(1.0, abs=1e-4)
        assert int(r["predicted_class"]) == max(range(10), key=probs.__getitem__)
        assert 0 <= int(r["true_class"]) < 10


def test_predict_on_unlabelled_graph6_file(tmp_path, capsys):
    import networkx as nx

    from equiact.graphs import to_graph6

    lines = [f"{to_graph6(g)}\t{sum(nx.triangles(g).values()) // 3}.0"
             for g in nx.graph_atlas_g()[1:50]]
    data = tmp_path / "tri.tsv"
    data.write_text("\n".join(lines) + "\n")
    ck = tmp_path / "run"
    assert main(["train", "--dataset", str(data), "--hidden", "3", "--layers", "1",
                 "--epochs", "1", "--no-progress", "--checkpoint", str(ck)]) == 0
    g6 = tmp_path / "new.g6"
    g6.write_text("Bw\nCF\n")
    capsys.readouterr()
    assert main(["predict", "--checkpoint", str(ck), "--dataset", str(g6)]) == 0
    rows = _rows(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["graph 0", "graph 1"]
    assert list(rows[0]) == ["index", "name", "predicted_target"]
    # the same graphs in a data set file without targets give the same numbers
    nolabel = tmp_path / "nolabel.tsv"
    nolabel.write_text("Bw\nCF\n")
    assert main(["predict", "--checkpoint", str(ck), "--dataset", str(nolabel)]) == 0
    again = _rows(capsys.readouterr().out)
    assert [r["predicted_target"] for r in again] == [r["predicted_target"] for r in rows]
    two = tmp_path / "two.tsv"
    two.write_text("Bw 1.0 2.0\nCF 0.0 1.0\n")
    assert main(["predict", "--checkpoint", str(ck), "--dataset", str(two)]) == 2
    assert "have [2] targets each but the model predicts 1" in capsys.readouterr().err


def test_predict_errors(tmp_path, capsys):
    assert main(["predict", "--checkpoint", str(tmp_path), "--dataset", "atlas"]) == 2
    assert "has no best.pt or last.pt" in capsys.readouterr().err
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"")
    assert main(["predict", "--checkpoint", str(bad), "--dataset", "atlas"]) == 2
    assert "is empty" in capsys.readouterr().err
    ck = tmp_path / "run"
    train(TrainConfig(dataset="atlas", hidden=2, layers=1, epochs=1, limit=20,
                      progress=False, checkpoint_dir=str(ck)))
    assert main(["predict", "--checkpoint", str(ck), "--dataset", "csl"]) == 2
    assert "data set 'csl' is a classification task, not regression" in \
        capsys.readouterr().err
    assert main(["predict", "--checkpoint", str(ck), "--dataset", "atlas", "--output",
                 "/proc/nonexistent/p.csv"]) == 2
    assert "cannot write '/proc/nonexistent/p.csv'" in capsys.readouterr().err
    import networkx as nx

    from equiact.sn.convert import graph_sample
    from equiact.sn.train import build_from_checkpoint, predict

    model, state = build_from_checkpoint(str(ck))
    g = nx.path_graph(3)
    nx.set_node_attributes(g, 1.0, "w")
    with pytest.raises(InvalidInputError, match=r"graphs have \[2\] channels but .* takes 1"):
        predict(model, state, [graph_sample(g, None, node_attrs=["w"])])
    assert torch.is_tensor(predict(model, state, [graph_sample("Bw")]))


@pytest.mark.parametrize("change", [
    {"config": {"hidden": 3000}},  # would allocate ~GBs before load_state_dict fails
    {"config": {"layers": 10**6}},
    {"out_dim": 10**7},
    {"in_channels": True},
])
def test_crafted_config_larger_than_its_weights_is_refused(tmp_path, capsys, change):
    run = tmp_path / "run"
    train(TrainConfig(dataset="atlas", hidden=3, layers=1, epochs=1, limit=20, progress=False,
                      checkpoint_dir=str(run)))
    state = torch.load(run / "best.pt", weights_only=True)
    for key, val in change.items():
        if isinstance(val, dict):
            state[key].update(val)
        else:
            state[key] = val
    torch.save(state, run / "best.pt")
    assert main(["predict", "--checkpoint", str(run), "--dataset", "atlas", "--limit", "2"]) == 2
    err = capsys.readouterr().err
    assert "does not describe a model this version can build" in err
    assert "stored weights" in err and err.count("\n") == 1
