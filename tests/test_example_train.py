"""The training example rejects bad arguments before doing any work."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "examples" / "train_invariant.py"


def _example():
    spec = importlib.util.spec_from_file_location("train_invariant", _PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("args,fragment", [
    (["--n", "1"], "--n = 1"), (["--n", "0"], "--n = 0"), (["--p", "2"], "--p = 2.0"),
    (["--train", "0"], "--train = 0"), (["--epochs", "0"], "--epochs = 0"),
])
def test_bad_arguments_exit_2(args, fragment, capsys):
    with pytest.raises(SystemExit) as info:
        _example().main(args)
    assert info.value.code == 2
    assert fragment in capsys.readouterr().err
