"""``equiact check`` and ``equiact activations``: exit codes, JSON, errors, lazy imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from equiact.cli.main import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_builtin_refused_and_accepted(capsys):
    code, out, _ = run_cli(capsys, "check", "--group", "C4", "--rep", "rotation",
                           "--activation", "relu")
    assert code == 1
    assert out.startswith("NOT ADMISSIBLE")
    assert "Witness" in out and "Reason:" in out
    code, out, _ = run_cli(capsys, "check", "--group", "C4", "--rep", "rotation",
                           "--activation", "tanh")
    assert code == 0 and out.startswith("ADMISSIBLE")


def test_matrices_file_json(tmp_path, capsys):
    path = tmp_path / "z2.json"
    path.write_text(json.dumps({"generators": [[[0, 2], ["1/2", 0]]]}))
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "tanh",
                           "--json")
    data = json.loads(out)
    assert code == 1 and data["admissible"] is False
    assert data["T"]["label"] == "<2>"
    assert data["witness"]["generator"] == 0
    assert len(data["witness"]["x"]) == 2
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "relu",
                           "--json")
    data = json.loads(out)
    assert code == 0 and data["admissible"] is True and data["witness"] is None


def test_sympy_expression_activation(tmp_path, capsys):
    path = tmp_path / "neg2.json"
    path.write_text(json.dumps({"generators": [[[-2]]]}))
    expr = "Piecewise((x*(2 + sin(pi*log(x, 2))), x > 0), (x*(2 - sin(pi*log(-x, 2))), True))"
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", expr,
                           "--json")
    data = json.loads(out)
    assert code == 0, data["reason"]
    assert data["activation"]["T"]["label"] == "<-2>"


def test_lie_algebra_file(tmp_path, capsys):
    path = tmp_path / "so2.json"
    path.write_text(json.dumps({"lie_algebra": [[[0, -1], [1, 0]]]}))
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "tanh")
    assert code == 1 and "invariant" in out


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("{not json", "not valid JSON"),
        ('{"generators": []}', "has no matrices"),
        ('{"generators": [[[1, 2, 3], [4, 5, 6]]]}', "(2, 3)"),
        ('{"generators": [[[1, 0], [0, 1]], [[1]]]}', "generator 1"),
        ('{"generators": [[[1, 1], [1, 1]]]}', "invertible"),
        ('{"generators": [[[1, "foo("], [0, 1]]]}', "foo("),
        ('{"gens": [[[1]]]}', "unknown keys"),
        ('{"generators": [[[1]]], "name": 5}', '"name" must be a string, got 5'),
    ],
)
def test_bad_matrices_exit_2(tmp_path, capsys, content, fragment):
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, out, err = run_cli(capsys, "check", "--matrices", str(path), "--activation", "relu")
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err


@pytest.mark.parametrize("tol", ["-1", "0", "nan", "2"])
def test_bad_tolerance_exit_2(tmp_path, capsys, tol):
    path = tmp_path / "rot.json"
    path.write_text(json.dumps({"generators": [[[0.0, -1.0], [1.0, 0.0]]]}))
    code, _, err = run_cli(capsys, "check", "--matrices", str(path), "--activation", "tanh",
                           f"--tol={tol}")
    assert code == 2 and "tol" in err and "(0, 1)" in err


def test_unknown_activation_suggests(capsys):
    code, _, err = run_cli(capsys, "check", "--group", "C4", "--rep", "rotation",
                           "--activation", "relux")
    assert code == 2 and "relu" in err


def test_unknown_group_and_missing_rep(capsys):
    code, _, err = run_cli(capsys, "check", "--group", "Z9000x", "--rep", "rotation",
                           "--activation", "relu")
    assert code == 2 and "Z9000x" in err
    code, _, err = run_cli(capsys, "check", "--activation", "relu")
    assert code == 2 and "--group" in err


def test_activations_listing(capsys):
    code, out, _ = run_cli(capsys, "activations", "--json")
    assert code == 0
    rows = json.loads(out)["activations"]
    names = {row["name"] for row in rows}
    assert {"relu", "tanh", "sigmoid", "gelu"} <= names


def test_check_does_not_import_torch_or_gap(tmp_path):
    """`equiact check` must answer quickly: torch and GAP stay unimported."""
    code = (
        "import sys\n"
        "from equiact.cli.main import main\n"
        "rc = main(['check', '--group', 'C4', '--rep', 'rotation', '--activation', 'tanh'])\n"
        "print('MODULES', 'torch' in sys.modules, any(m.startswith('sage') for m in sys.modules))\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "MODULES False False" in proc.stdout


def test_float_verdict_reports_the_tolerance(tmp_path, capsys):
    eps = 2.4492935982947064e-16  # a rotation by 2 pi in floats
    path = tmp_path / "rot.json"
    path.write_text(json.dumps({"generators": [[[1.0, eps], [-eps, 1.0]]]}))
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "tanh",
                           "--json")
    t = json.loads(out)["tolerance"]
    assert code == 0
    assert t["depends_on_tolerance"] is True and t["tol"] == 1e-9
    assert t["largest_absorbed"] == pytest.approx(eps) and t["smallest_entry_kept"] == 1.0
    assert "the zero pattern is the same for tol in [2.45e-16, 1)" in t["note"]
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "tanh")
    assert code == 0 and "tolerance       the verdict depends on the tolerance" in out
    # sign jumps at 0: the float matrices as given fail by 1 at x = [0, 1], so no verdict
    code, _, err = run_cli(capsys, "check", "--matrices", str(path), "--activation", "sign")
    assert code == 2 and "sign jumps at x = 0" in err
    # exact entries: no tolerance involved
    path.write_text(json.dumps({"generators": [[["cos(2*pi)", "-sin(2*pi)"],
                                                ["sin(2*pi)", "cos(2*pi)"]]]}))
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "sign",
                           "--json")
    assert code == 0 and json.loads(out)["tolerance"] is None


def test_float_verdict_without_rounding_says_so(tmp_path, capsys):
    path = tmp_path / "swap.json"
    path.write_text(json.dumps({"generators": [[[0.0, 1.0], [1.0, 0.0]]]}))
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "sign",
                           "--json")
    t = json.loads(out)["tolerance"]
    assert code == 0 and t["depends_on_tolerance"] is False and t["largest_absorbed"] == 0.0
    assert "the same for every tol below 1" in t["note"]
    # a refusal within 1000 tol of acceptance is a close call: the verdict depends on tol
    path.write_text(json.dumps({"generators": [[[0.0, 1.000000002], [1.0, 0.0]]]}))
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "tanh",
                           "--json")
    t = json.loads(out)["tolerance"]
    assert code == 1 and t["depends_on_tolerance"] is True and t["largest_absorbed"] == 0.0
    assert "refused at distance 2e-09 from T_f = {±1}" in t["close_calls"][0]
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "tanh",
                           "--tol", "1e-8")
    assert code == 0 and "the verdict depends on tol = 1e-08" in out.splitlines()[0]


def test_max_dim(tmp_path, capsys):
    path = tmp_path / "big.json"
    n = 6
    path.write_text(json.dumps({"generators": [[[int(i == (j + 1) % n) for j in range(n)]
                                                for i in range(n)]]}))
    code, _, err = run_cli(capsys, "check", "--matrices", str(path), "--activation", "relu",
                           "--max-dim", "5")
    assert code == 2 and "generator 0 is 6x6, larger than --max-dim 5" in err
    code, out, _ = run_cli(capsys, "check", "--matrices", str(path), "--activation", "relu",
                           "--max-dim", "6")
    assert code == 0 and out.startswith("ADMISSIBLE")
    code, _, err = run_cli(capsys, "coords", "--matrices", str(path), "--activation", "relu",
                           "--max-dim", "5")
    assert code == 2 and "larger than --max-dim 5" in err


def test_witness_prints_absolute_difference_and_says_what_the_relative_error_is(tmp_path):
    # A rotation by 2*pi/5 with relu: the printed vectors differ by more than the relative error.
    import numpy as _np

    path = tmp_path / "rot.json"
    c, s = "cos(2*pi/5)", "sin(2*pi/5)"
    path.write_text(json.dumps({"generators": [[[c, f"-{s}"], [s, c]]]}))
    cmd = [sys.executable, "-m", "equiact.cli.main", "check", "--matrices", str(path),
           "--activation", "relu"]
    out = subprocess.run(cmd + ["--json"], capture_output=True, text=True)
    assert out.returncode == 1, out.stderr
    w = json.loads(out.stdout)["witness"]
    diff = _np.max(_np.abs(_np.array(w["lhs"]) - _np.array(w["rhs"])))
    assert w["abs_error"] == pytest.approx(diff)
    scale = 1 + max(_np.max(_np.abs(w["lhs"])), _np.max(_np.abs(w["rhs"])))
    assert w["error"] == pytest.approx(diff / scale)
    assert w["error_relative_to"].startswith("1 + max(")
    text = subprocess.run(cmd, capture_output=True, text=True).stdout
    assert f"max |f~(M x) - M f~(x)| = {diff:.6g}" in text
    assert f"relative error = {w['error']:.3g} (the difference over 1 + max(" in text
