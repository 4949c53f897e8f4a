"""``equiact activations``: the catalogue table, JSON, analysing given activations, bad input."""

from __future__ import annotations

import json

import pytest

from equiact.activations import analyze_activation, catalogue
from equiact.cli.main import main


def test_table_lists_every_catalogue_entry_with_its_class(capsys):
    assert main(["activations"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["name", "parameters", "f(0)", "T", "admitted", "matrices", "how"]
    width = len(lines[1].split()[0])  # the dashes under "name"
    rows = {line[:width].strip(): line for line in lines[2:] if not line.startswith("*")}
    profiles = catalogue()
    assert len(rows) == len(profiles)
    for p in profiles:
        row = rows[p.name]
        assert f" {p.T.label} " in row and p.matrix_class in row and row.endswith("catalogue")
    assert "threshold=0.5, value=0.1" in rows["threshold(0.5, 0.1)"]
    assert "signed permutation *" in rows["sigmoid"]  # f(0) = 1/2 needs unit row sums
    assert "0.5" in rows["sigmoid"] and "R>0" in rows["relu"] and "{1}" in rows["gelu"]


def test_json_matches_the_profiles(capsys):
    assert main(["activations", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)["activations"]
    by_name = {d["name"]: d for d in data}
    for p in catalogue():
        d = by_name[p.name]
        assert d["T"]["label"] == p.T.label
        assert d["f_at_zero"] == p.f_at_zero and d["how"] == "catalogue"
        assert d["matrix_class"] == p.matrix_class and d["odd_f0"] == p.odd_f0


def test_analysing_given_activations(capsys):
    spec = "Piecewise((x*(2 + sin(pi*log(x, 2))), x > 0), (x*(2 - sin(pi*log(-x, 2))), True))"
    assert main(["activations", "leaky_relu(0.2)", spec]) == 0
    out = capsys.readouterr().out
    assert "activation leaky_relu(0.2): T = R>0" in out
    assert "T = <-2>" in out and "(-2)-monomial" in out and "established by symbolic" in out
    assert main(["activations", "--json", "x**3"]) == 0
    d = json.loads(capsys.readouterr().out)["activations"][0]
    assert d["T"]["label"] == "{±1}" and d["how"] == "symbolic"
    assert d["T"] == analyze_activation("x**3").T.to_json()


@pytest.mark.parametrize("spec, fragment", [
    ("relux", "did you mean 'prelu' or 'relu' or 'relu6'?"),
    ("celu(0)", "alpha must be nonzero"),
    ("1/x", "no limit at 0"),
])
def test_bad_input_exits_2_without_traceback(capsys, spec, fragment):
    assert main(["activations", spec]) == 2
    err = capsys.readouterr().err
    assert err.startswith("equiact: error: ") and fragment in err and "Traceback" not in err


def test_negative_seed_exits_2(capsys):
    # numpy's generator raised a bare ValueError (traceback) for a negative seed
    assert main(["activations", "x**3", "--seed=-1"]) == 2
    assert "seed must be a non-negative integer, got -1" in capsys.readouterr().err
