"""equiact.interop without escnn/e3nn: lazy imports, install hints, exact recognition."""

import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from equiact.errors import InvalidInputError
from equiact.interop._common import recognize_exact, require


def test_import_does_not_load_escnn_or_e3nn():
    code = ("import sys, equiact, equiact.interop; "
            "print(sorted(m for m in ('escnn', 'e3nn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("name, hint", [
    ("escnn_missing_for_test", "pip install escnn_missing_for_test"),
])
def test_require_names_the_install_command(name, hint):
    with pytest.raises(InvalidInputError, match="optional package 'escnn_missing_for_test'") as e:
        require(name)
    assert hint in str(e.value)


def test_require_hints_for_escnn_and_e3nn(monkeypatch):
    # a None entry in sys.modules makes the import fail, as if the package were missing
    for name in ("escnn", "escnn.group", "e3nn", "e3nn.o3"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(InvalidInputError, match="scripts/install_escnn.sh.*gfortran"):
        require("escnn.group")
    with pytest.raises(InvalidInputError, match=r"pip install e3nn==0\.6\.0"):
        require("e3nn.o3")
    from equiact.interop import decide_e3nn, from_escnn

    with pytest.raises(InvalidInputError, match="optional package 'escnn'"):
        from_escnn(object())
    with pytest.raises(InvalidInputError, match="optional package 'e3nn'"):
        decide_e3nn("0e", "relu")


def test_recognize_exact_values_and_refusals():
    rng = np.random.default_rng(0)
    exact = [sp.Rational(p, q) for p in range(-7, 8) for q in (1, 2, 3, 4, 6, 12)]
    exact += [s * sp.sqrt(sp.Rational(p, q)) for s in (1, -1) for p in (2, 3, 5, 7)
              for q in (1, 2, 4, 8)]
    values = [exact[k] for k in rng.integers(len(exact), size=12)]
    m = np.array([float(v) for v in values]).reshape(3, 4)
    got = recognize_exact(m + 1e-13 * rng.standard_normal(m.shape))
    assert got == sp.ImmutableMatrix(3, 4, [sp.nsimplify(v) for v in values])
    # irrational values that are not square roots of small rationals stay float
    assert recognize_exact([[np.cos(2 * np.pi / 5)]]) is None
    assert recognize_exact([[np.pi]]) is None
    # a value off by more than the tolerance is not rounded
    assert recognize_exact([[0.5 + 1e-7]]) is None
