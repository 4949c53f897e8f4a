"""Helpers shared by the interop modules: lazy imports and exact-value recognition.

>>> recognize_exact([[0.5, -0.8660254037844386], [0.8660254037844386, 0.5]])
Matrix([
[      1/2, -sqrt(3)/2],
[sqrt(3)/2,        1/2]])
>>> recognize_exact([[0.30901699437494745]]) is None     # (sqrt(5) - 1)/4: stays float
True
"""

from __future__ import annotations

import importlib
from fractions import Fraction

import numpy as np
import sympy as sp

from equiact.errors import InvalidInputError

__all__ = ["require", "recognize_exact", "RECOGNITION_TOLERANCE"]

#: An entry is read as an exact value when it lies this close to one (absolute).
RECOGNITION_TOLERANCE = 1e-10

_INSTALL = {
    "escnn": "bash scripts/install_escnn.sh (escnn==1.0.11; needs gfortran for py3nj, and "
             "rebuilds lie_learn 0.0.2 against numpy 2; see docs/interop.md)",
    "e3nn": "pip install e3nn==0.6.0 (or pip install -e '.[e3nn]')",
}


def require(module: str):
    """Import an optional dependency, or raise :class:`InvalidInputError` saying how to install it.

    >>> require("surely_not_installed_pkg")
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidInputError: this function needs the optional package ...
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        top = module.split(".")[0]
        how = _INSTALL.get(top, f"pip install {top}")
        raise InvalidInputError(
            f"this function needs the optional package {top!r}, which is not importable "
            f"({err}); install it with: {how}") from None


def _recognize_entry(x: float, tol: float):
    """An exact sympy number within ``tol`` of ``x``: p/q (q <= 24) or +-sqrt(p/q) (q <= 48)."""
    if not np.isfinite(x):
        return None
    fr = Fraction(x).limit_denominator(24)
    if abs(x - float(fr)) <= tol:
        return sp.Rational(fr.numerator, fr.denominator)
    sq = Fraction(x * x).limit_denominator(48)
    if sq > 0 and abs(abs(x) - float(sq) ** 0.5) <= tol:
        val = sp.sqrt(sp.Rational(sq.numerator, sq.denominator))
        return val if x > 0 else -val
    return None


def recognize_exact(matrix, tol: float = RECOGNITION_TOLERANCE):
    """The exact ``sympy.ImmutableMatrix`` whose entries are within ``tol`` of ``matrix``'s, where
    every entry is a small rational or the square root of one; ``None`` otherwise.

    Callers must verify the result (e.g. against the group law), because recognition from
    floats is a guess; :func:`equiact.interop.escnn.from_escnn` does.
    """
    a = np.asarray(matrix, dtype=np.float64)
    out = []
    for x in a.ravel():
        v = _recognize_entry(float(x), tol)
        if v is None:
            return None
        out.append(v)
    return sp.ImmutableMatrix(a.shape[0], a.shape[1], out)
