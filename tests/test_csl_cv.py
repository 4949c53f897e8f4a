"""CSL cross-validation: stratified folds, 3-IGN fits, 1-WL-bounded models stay at chance."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from equiact.errors import InvalidInputError, UnknownNameError
from equiact.separation.csl import csl_cross_validation, stratified_folds

pytestmark = pytest.mark.usefixtures("one_torch_thread")
ROOT = Path(__file__).resolve().parents[1]


def test_stratified_folds_partition_and_balance():
    labels = np.repeat(np.arange(10), 15)
    folds = stratified_folds(labels, 5, seed=3)
    flat = sorted(i for f in folds for i in f)
    assert flat == list(range(150))
    for f in folds:
        assert np.bincount(labels[f], minlength=10).tolist() == [3] * 10
    with pytest.raises(InvalidInputError, match="fewer than 5 folds"):
        stratified_folds([0, 0, 1, 1], 5)
    with pytest.raises(InvalidInputError, match="folds = 1"):
        stratified_folds(labels, 1)


def test_3ign_fits_csl_and_2ign_stays_at_chance():
    """5 copies per class, 5 folds (1 test copy per class): the subset-free 3-IGN with random
    equivariant layers and a trained head is right on every held-out graph; 2-IGN's features
    are equal for all classes (1-WL), so it predicts one class: 10%."""
    three = csl_cross_validation("3-ign", folds=5, copies=5, hidden=4, layers=3, epochs=1000)
    assert three.accuracies == [1.0] * 5
    two = csl_cross_validation("2-ign", folds=5, copies=5, hidden=4, layers=3, epochs=200)
    assert two.mean == pytest.approx(0.1)
    assert two.to_dict()["settings"]["train_body"] is False


def test_gin_baseline_stays_at_chance():
    pytest.importorskip("torch_geometric")
    res = csl_cross_validation("gin", folds=5, copies=5, hidden=8, layers=2, epochs=3)
    assert res.mean == pytest.approx(0.1)


def test_bad_model_and_example_cli(capsys):
    with pytest.raises(UnknownNameError, match="unknown CSL model 'gcn'"):
        csl_cross_validation("gcn")
    with pytest.raises(InvalidInputError, match="epochs = 0"):
        csl_cross_validation("2-ign", epochs=0)
    spec = importlib.util.spec_from_file_location("csl_cv", ROOT / "examples" / "csl_cv.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--model", "2-ign", "--hidden", "2", "--layers", "1", "--epochs",
                        "3"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["model"] == "2-ign" and len(res["accuracies"]) == 5
    assert script.main(["--model", "2-ign", "--folds", "1"]) == 2
    assert "folds = 1" in capsys.readouterr().err


def test_end_to_end_training_keeps_1wl_bound():
    """Training every weight cannot lift a 1-WL-bounded model above chance on CSL: all its
    graphs get equal features whatever the weights (exact invariance, 1-WL-equivalent)."""
    res = csl_cross_validation("2-ign", folds=5, copies=5, hidden=2, layers=1, epochs=2,
                               train_body=True)
    assert res.to_dict()["settings"]["train_body"] is True
    assert res.mean == pytest.approx(0.1)
