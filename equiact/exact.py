"""Parsing and validating matrix entries: exact sympy matrices or float64 arrays.

An entry is *exact* when it is a Python/numpy integer, a :class:`fractions.Fraction`, a sympy
number (rational or algebraic such as ``sqrt(3)/2``, or ``cos(pi/5)``), or a string that sympy
parses into such a number (``"1/2"``, ``"sqrt(3)/2"``, ``"-cos(pi/5)"``; decimals in strings are
read exactly, ``"0.5"`` is ``1/2``). A Python or numpy ``float`` is *numeric*. A matrix with
only exact entries becomes a :class:`sympy.ImmutableMatrix`; a matrix with at least one float
becomes a float64 :class:`numpy.ndarray` (numeric mode).

>>> parse_matrix([[0, "1/2"], [2, 0]])
Matrix([
[0, 1/2],
[2,   0]])
>>> parse_matrix([[0, 0.5], [2, 0]])
array([[0. , 0.5],
       [2. , 0. ]])
>>> parse_entry("sqrt(3)/2")
sqrt(3)/2

Invalid input raises :class:`~equiact.errors.InvalidMatrixError` naming the entry and position:

>>> parse_matrix([[1, "x"], [0, 1]])
Traceback (most recent call last):
...
equiact.errors.InvalidMatrixError: matrix entry (0, 1) 'x' is not a number: unknown name 'x'; ...
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy.core.evalf import PrecisionExhausted
from sympy.polys.polyerrors import NotAlgebraic

from equiact.errors import InvalidMatrixError
from equiact.safe_expr import (
    ENTRY_FUNCTIONS,
    FormulaLimits,
    expansion_size,
    read_formula,
    short_text,
)

__all__ = [
    "FLOAT_COND_LIMIT",
    "Matrix",
    "parse_entry",
    "parse_matrix",
    "parse_matrices",
    "canonical",
    "canonical_matrix",
    "is_exact_matrix",
    "to_float_array",
    "exact_equal",
    "check_invertible",
    "exact_inverse",
    "exact_rank",
    "is_exact_zero",
]

#: A float matrix whose condition number (largest / smallest singular value) exceeds this
#: is treated as singular.
FLOAT_COND_LIMIT = 1e12

Matrix = sp.ImmutableMatrix | np.ndarray

# Names a matrix-entry string may use; everything else is refused before sympy sees the text.
_ALLOWED_NAMES = {
    "sqrt", "cbrt", "root", "cos", "sin", "tan", "cot", "sec", "csc", "acos", "asin", "atan",
    "cosh", "sinh", "tanh", "exp", "log", "pi", "E", "GoldenRatio", "Rational", "Abs", "abs",
}
_STRING_MAX_LEN = 300
_TOKEN_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_NUMBER_RE = re.compile(r"(?<![A-Za-z_0-9])(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_CHARS_RE = re.compile(r"^[0-9A-Za-z_ .+\-*/^(),]*$")
_MAX_EXPONENT = 256
_ENTRY_LIMITS = FormulaLimits(max_length=_STRING_MAX_LEN, max_depth=24, max_nodes=200,
                              max_exponent=_MAX_EXPONENT, max_magnitude=1e300)


def _pos(position) -> str:
    if position is None:
        return "entry"
    if isinstance(position, tuple):
        return "entry (" + ", ".join(str(p) for p in position) + ")"
    return f"entry {position}"


def _where(what: str, position) -> str:
    return f"{what} {_pos(position)}" if what else _pos(position)


def _parse_string(text: str, what: str, position) -> sp.Expr:
    loc = _where(what, position)
    stripped = text.strip()
    text = short_text(text)
    if not stripped:
        raise InvalidMatrixError(f"{loc} is an empty string; give a number such as 2 or '1/2'")
    if len(stripped) > _STRING_MAX_LEN or not _CHARS_RE.match(stripped) or "__" in stripped:
        raise InvalidMatrixError(
            f"{loc} {text!r} cannot be parsed: use numbers, + - * / ^ ( ) and functions such as "
            "sqrt, cos, sin, pi (at most 300 characters)"
        )
    for _mantissa, exponent in _NUMBER_RE.findall(stripped):
        if exponent and abs(int(exponent[1:])) > _MAX_EXPONENT:
            raise InvalidMatrixError(
                f"{loc} {text!r} has an exponent larger than {_MAX_EXPONENT}; "
                "give the value in a simpler form"
            )
    for token in _TOKEN_RE.findall(_NUMBER_RE.sub(" ", stripped)):
        if token not in _ALLOWED_NAMES:
            raise InvalidMatrixError(
                f"{loc} {text!r} is not a number: unknown name {token!r}; allowed names are "
                + ", ".join(sorted(_ALLOWED_NAMES))
            )
    try:
        value = read_formula(stripped, functions=ENTRY_FUNCTIONS, rational=True,
                             limits=_ENTRY_LIMITS, error=InvalidMatrixError, what=loc)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, MemoryError,
            RecursionError) as err:
        if isinstance(err, InvalidMatrixError):
            raise
        raise InvalidMatrixError(f"{loc} {text!r} cannot be parsed as a number ({err})") from None
    if not isinstance(value, sp.Expr):
        raise InvalidMatrixError(f"{loc} {text!r} is not a number")
    return _vet(value, what, position, loc, text)


def _vet(value, what: str, position, loc: str, text: str, magnitude: bool = True) -> sp.Expr:
    """Bounds on a parsed (or user-built sympy) entry: exponents, expansion size and (for
    strings, whose constants read_formula already bounded in float64) magnitude."""
    _check_exponents(value, 1.0, loc, text)
    terms = expansion_size(value, _MAX_EXPANSION)
    if terms > _MAX_EXPANSION:
        raise InvalidMatrixError(
            f"{loc} {text!r} expands to more than {_MAX_EXPANSION} terms; give it in expanded "
            "form or as a float"
        )
    if not magnitude:  # evalf of a user-built exp(exp(exp(10))) can run for many seconds
        return _check_sympy(value, what, position)
    try:  # magnitude check with bounded-precision floats
        size = abs(value.evalf(15))
        too_big = bool(size.is_finite) and (bool(size > sp.Float("1e300"))
                                            or bool(0 < size < sp.Float("1e-300")))
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        too_big = False
    if too_big:
        raise InvalidMatrixError(
            f"{loc} {text!r} has magnitude about {sp.Float(size, 3)}, outside 1e-300 .. 1e300; "
            "give a matrix with entries of reasonable size"
        )
    return _check_sympy(value, what, position, text)


def _check_exponents(expr, outer: float, loc: str, text: str) -> None:
    """Refuse nested powers whose combined exponent exceeds the limit (``(10**99)**99``)."""
    if isinstance(expr, sp.Pow):
        exp = expr.exp
        try:
            e = abs(float(exp)) if exp.is_number else 1.0
        except (TypeError, ValueError, OverflowError):
            e = math.inf
        combined = outer * max(1.0, e)
        if combined > _MAX_EXPONENT:
            raise InvalidMatrixError(
                f"{loc} {text!r} has an exponent larger than {_MAX_EXPONENT}; "
                "give the value in a simpler form"
            )
        _check_exponents(expr.base, combined, loc, text)
        _check_exponents(exp, outer, loc, text)
        return
    for arg in expr.args:
        _check_exponents(arg, outer, loc, text)


def _check_sympy(value, what: str, position, text=None) -> sp.Expr:
    loc = _where(what, position)
    shown = repr(text) if text is not None else str(value)
    if not isinstance(value, sp.Expr):
        raise InvalidMatrixError(f"{loc} {shown} is not a number (got {type(value).__name__})")
    if value.free_symbols:
        names = ", ".join(sorted(str(s) for s in value.free_symbols))
        raise InvalidMatrixError(
            f"{loc} {shown} is not a number: it has the free symbol(s) {names}; "
            "give numbers such as 2, '1/2' or 'sqrt(3)/2'"
        )
    if value is sp.nan or value.has(sp.nan):
        raise InvalidMatrixError(f"{loc} {shown} is NaN; matrix entries must be finite numbers")
    if value.has(sp.oo, -sp.oo, sp.zoo) or value.is_finite is False:
        raise InvalidMatrixError(f"{loc} {shown} is infinite; matrix entries must be finite")
    if value.is_real is False:
        raise InvalidMatrixError(
            f"{loc} {shown} is not a real number; matrix entries must be real"
        )
    if value.is_real is None:
        # sympy could not decide: decide numerically at high precision.
        try:
            re_part, im_part = value.evalf(50).as_real_imag()
            ok = abs(float(im_part)) < 1e-40 and math.isfinite(float(re_part))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise InvalidMatrixError(
                f"{loc} {shown} is not a (finite) real number; matrix entries must be real"
            )
    return value


_MAX_INT = 10**300
#: A string entry whose normal form (``expand(radsimp(.))``) could have more terms is refused.
_MAX_EXPANSION = 2000


def _bounded_int(v: int, loc: str) -> int:
    """``v`` if ``|v| <= 10**300``, else a refusal (huge integers make exact arithmetic crawl)."""
    if -_MAX_INT <= v <= _MAX_INT:
        return v
    digits = "more than 4000" if v.bit_length() > 13000 else str(len(str(abs(v))))
    raise InvalidMatrixError(
        f"{loc} is an integer with {digits} digits, beyond 10**300; "
        "give a matrix with entries of reasonable size"
    )


def parse_entry(value, what: str = "", position=None):
    """Parse one matrix entry into an exact sympy number or a Python float.

    ``what`` and ``position`` only serve error messages ("generator 0 entry (1, 2) ...").

    >>> parse_entry(3), parse_entry(Fraction(1, 3)), parse_entry("2^-1"), parse_entry(0.25)
    (3, 1/3, 1/2, 0.25)
    >>> parse_entry("sqrt(-1)")
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidMatrixError: entry 'sqrt(-1)' is not a real number; ...
    """
    if isinstance(value, sp.Rational):  # fast path (sympy integers and rationals)
        if -_MAX_INT <= value.p <= _MAX_INT and value.q <= _MAX_INT:
            return value
        _bounded_int(value.p, _where(what, position))
        _bounded_int(value.q, _where(what, position))
    loc = _where(what, position)
    if isinstance(value, bool | np.bool_):
        return sp.Integer(int(value))
    if isinstance(value, int | np.integer):
        return sp.Integer(_bounded_int(int(value), loc))
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            raise InvalidMatrixError(f"{loc} is NaN; matrix entries must be finite numbers")
        if math.isinf(v):
            raise InvalidMatrixError(f"{loc} is {v}; matrix entries must be finite numbers")
        return v
    if isinstance(value, Fraction):
        return sp.Rational(_bounded_int(value.numerator, loc),
                           _bounded_int(value.denominator, loc))
    if isinstance(value, complex | np.complexfloating):
        if value.imag != 0:
            raise InvalidMatrixError(f"{loc} {value!r} is not a real number")
        return parse_entry(float(value.real), what, position)
    if isinstance(value, str):
        return _parse_string(value, what, position)
    if isinstance(value, sp.Basic):
        if isinstance(value, sp.Float) or (isinstance(value, sp.Expr) and value.has(sp.Float)):
            v = _check_sympy(value, what, position)
            return parse_entry(float(v), what, position)
        if isinstance(value, sp.Expr) and not value.free_symbols:
            return _vet(value, what, position, loc, short_text(str(value)), magnitude=False)
        return _check_sympy(value, what, position)
    if isinstance(value, numbers.Rational):
        return sp.Rational(_bounded_int(int(value.numerator), loc),
                           _bounded_int(int(value.denominator), loc))
    if isinstance(value, numbers.Real):
        return parse_entry(float(value), what, position)
    raise InvalidMatrixError(
        f"{loc} {value!r} of type {type(value).__name__} is not a number; give ints, "
        "fractions, sympy numbers, strings such as '1/2', or floats"
    )


def _rows_of(value, what: str):
    """Return ``(rows, shape)`` with rows a list of lists, or raise with the shape."""
    if isinstance(value, sp.MatrixBase):
        return value.tolist(), value.shape
    if isinstance(value, np.ndarray):
        if value.ndim != 2:
            raise InvalidMatrixError(
                f"{what} has shape {value.shape}; a matrix must be 2-d and square"
            )
        return value.tolist() if value.dtype != object else [list(r) for r in value], value.shape
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | np.ndarray):
        raise InvalidMatrixError(
            f"{what} is {type(value).__name__} {value!r:.60}, not a matrix; give a list of rows"
        )
    rows = list(value)
    if not rows:
        raise InvalidMatrixError(f"{what} is empty (shape (0, 0)); a matrix needs at least 1 row")
    lengths = []
    for r in rows:
        if isinstance(r, str | bytes) or not isinstance(r, Sequence | np.ndarray):
            raise InvalidMatrixError(
                f"{what} has shape ({len(rows)},): it is a vector, not a matrix; "
                "give a list of rows (a list of matrices for several generators)"
            )
        lengths.append(len(r))
    if len(set(lengths)) != 1:
        raise InvalidMatrixError(
            f"{what} has rows of different lengths {lengths}; a matrix must be 2-d and square"
        )
    for r in rows:
        for x in r:
            if isinstance(x, Sequence | np.ndarray) and not isinstance(x, str | bytes):
                raise InvalidMatrixError(
                    f"{what} has more than 2 dimensions (shape ({len(rows)}, {lengths[0]}, ...)); "
                    "a matrix must be 2-d and square"
                )
    return [list(r) for r in rows], (len(rows), lengths[0])


def canonical(expr: sp.Expr) -> sp.Expr:
    """A normal form for exact entries: rationals unchanged, else radicals out of denominators
    and products expanded, so that equal numbers from different computations usually coincide.

    >>> canonical(1 / (1 + sp.sqrt(2)))
    -1 + sqrt(2)
    """
    if expr.is_Rational:
        return expr
    return sp.expand(sp.radsimp(sp.expand(expr)))


def canonical_matrix(m: sp.MatrixBase) -> sp.ImmutableMatrix:
    """Apply :func:`canonical` to every entry."""
    return sp.ImmutableMatrix(m.shape[0], m.shape[1], [canonical(x) for x in m.flat()])


def parse_matrix(value, what: str = "matrix"):
    """Parse one square matrix: exact ``sympy.ImmutableMatrix`` or float64 ``np.ndarray``.

    Numpy integer/bool arrays are exact; numpy float arrays are numeric; a list with at least one
    float entry is numeric. Only the shape (2-d, square) and the entries are checked here.

    >>> parse_matrix(np.array([[0, 1], [1, 0]]))
    Matrix([
    [0, 1],
    [1, 0]])
    >>> parse_matrix([[1, 2, 3]])
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidMatrixError: matrix has shape (1, 3); a matrix must be square
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        if value.ndim != 2:
            raise InvalidMatrixError(
                f"{what} has shape {value.shape}; a matrix must be 2-d and square"
            )
        if value.shape[0] != value.shape[1] or value.shape[0] == 0:
            raise InvalidMatrixError(f"{what} has shape {value.shape}; a matrix must be square")
        if value.dtype.kind == "c":
            if np.any(value.imag != 0):
                i, j = np.argwhere(value.imag != 0)[0]
                raise InvalidMatrixError(
                    f"{what} entry ({i}, {j}) {value[i, j]!r} is not a real number"
                )
            value = value.real
        arr = np.array(value, dtype=np.float64)
        bad = ~np.isfinite(arr)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            kind = "NaN" if np.isnan(arr[i, j]) else str(arr[i, j])
            raise InvalidMatrixError(
                f"{what} entry ({i}, {j}) is {kind}; matrix entries must be finite numbers"
            )
        arr.setflags(write=False)
        return arr
    rows, shape = _rows_of(value, what)
    if shape[0] != shape[1] or shape[0] == 0:
        raise InvalidMatrixError(f"{what} has shape {shape}; a matrix must be square")
    parsed = [
        [parse_entry(x, what, (i, j)) for j, x in enumerate(row)] for i, row in enumerate(rows)
    ]
    if any(isinstance(x, float) for row in parsed for x in row):
        arr = np.array([[float(x) for x in row] for row in parsed], dtype=np.float64)
        arr.setflags(write=False)
        return arr
    flat = [canonical(x) for row in parsed for x in row]
    # exact zeros in disguise become 0, so every later step sees the true support
    for k, x in enumerate(flat):
        if x.is_Rational:
            continue
        try:
            if _entries_zero(x):
                flat[k] = sp.Integer(0)
        except InvalidMatrixError as err:
            i, j = divmod(k, shape[1])
            raise InvalidMatrixError(f"{what} entry ({i}, {j}): {err}") from None
    return sp.ImmutableMatrix(shape[0], shape[1], flat)


def is_exact_matrix(m) -> bool:
    """True for sympy matrices, False for numpy arrays."""
    return isinstance(m, sp.MatrixBase)


def to_float_array(m) -> np.ndarray:
    """Float64 copy of an exact or numeric matrix.

    >>> to_float_array(sp.ImmutableMatrix([[sp.sqrt(2), 0], [0, 1]]))
    array([[1.41421356, 0.        ],
           [0.        , 1.        ]])
    """
    if isinstance(m, np.ndarray):
        return np.array(m, dtype=np.float64)
    flat = m.flat()
    if all(x.is_Rational for x in flat):
        if all(x.is_Integer for x in flat):
            arr = np.array([int(x) for x in flat], dtype=np.float64)
        else:
            arr = np.array([float(x) for x in flat], dtype=np.float64)
        return arr.reshape(m.shape)
    return np.array(m.evalf(20).tolist(), dtype=np.float64)


def _entries_zero(expr: sp.Expr) -> bool:
    """Exact zero test for an exact number; raises when it cannot be decided.

    Structural and canonical forms first; then a strict 50-digit evaluation (sympy's evalf
    raises its working precision under cancellation and, with ``strict=True``, fails rather
    than return fewer correct digits, so a nonzero value proves nonzero: ``exp(-100)``); a
    number it cannot evaluate is decided by its minimal polynomial when it is algebraic (``x``
    exactly when it is 0: ``sqrt(3 + 2*sqrt(2)) - sqrt(2) - 1`` is 0, its float64 copy
    6e-123), else by simplification. A number none of these decide raises
    :class:`InvalidMatrixError`.
    """
    if expr == 0:
        return True
    if expr.is_Rational:
        return False
    return _zero_cached(canonical(expr))


@functools.lru_cache(maxsize=4096)
def _zero_cached(e: sp.Expr) -> bool:
    if e == 0:
        return True
    if e.is_Rational:
        return False
    try:  # strict: sympy raises rather than return a value without 50 correct digits
        value = e.evalf(50, strict=True)
        if value.is_number and value != 0:
            return False
    except (PrecisionExhausted, TypeError, ValueError, OverflowError):
        pass
    if e.is_algebraic is not False:
        try:
            poly = sp.minimal_polynomial(e, _ZERO_VAR)
            return sp.expand(poly - _ZERO_VAR) == 0
        except (NotAlgebraic, NotImplementedError, ValueError, TypeError):
            pass
    if sp.simplify(e) == 0:
        return True
    if e.equals(0) is True:
        return True
    raise InvalidMatrixError(
        f"cannot decide whether the exact number {str(e)[:80]} is zero: 50-digit evaluation "
        "does not separate it from 0 and neither its minimal polynomial nor simplification "
        "decide it; give it in a simpler form (or 0)"
    )


_ZERO_VAR = sp.Symbol("_z")


def exact_equal(a, b) -> bool:
    """Exact equality of two exact matrices (entries compared as numbers, not as text).

    >>> exact_equal(sp.ImmutableMatrix([[sp.sqrt(8)]]), sp.ImmutableMatrix([["2*sqrt(2)"]]))
    True
    """
    if a.shape != b.shape:
        return False
    if a == b:
        return True
    return all(_entries_zero(x - y) for x, y in zip(a.flat(), b.flat()))


def check_invertible(m, what: str = "matrix") -> None:
    """Raise :class:`InvalidMatrixError` if ``m`` is singular.

    Exact matrices are tested exactly (a float certificate first: if the smallest singular value
    of the float64 copy exceeds the rounding error of that copy, the exact matrix is invertible;
    otherwise exact rank). Float matrices are singular when their condition number exceeds
    :data:`FLOAT_COND_LIMIT` (1e12).

    >>> check_invertible(sp.ImmutableMatrix([[1, 2], [2, 4]]), "generator 0")
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidMatrixError: generator 0 is singular (exact rank 1 < 2); ...
    """
    n = m.shape[0]
    f = m if isinstance(m, np.ndarray) else to_float_array(m)
    if isinstance(m, np.ndarray):
        nz = f != 0
    else:  # the exact support (a disguised zero has a tiny nonzero float copy)
        nz = np.zeros((n, n), dtype=bool)
        for (i, j), x in m.todok().items():
            nz[i, j] = not _entries_zero(x)
    if np.all(nz.sum(axis=0) == 1) and np.all(nz.sum(axis=1) == 1):
        return  # monomial with nonzero entries: invertible
    if isinstance(m, np.ndarray):
        s = np.linalg.svd(m, compute_uv=False)
        smax, smin = float(s[0]), float(s[-1])
        if smax == 0 or smin <= smax / FLOAT_COND_LIMIT:
            cond = math.inf if smin == 0 else smax / smin
            raise InvalidMatrixError(
                f"{what} is singular in floating point (smallest singular value {smin:.3g}, "
                f"condition number {cond:.3g} exceeds {FLOAT_COND_LIMIT:.0e}); "
                "a representation must consist of invertible matrices"
            )
        return
    if np.all(np.isfinite(f)):
        s = np.linalg.svd(f, compute_uv=False)
        err = 64 * n * n * np.finfo(float).eps * max(1.0, float(np.abs(f).max()))
        if s[-1] > err:
            return
    rank = _exact_rank(m)
    if rank < n:
        raise InvalidMatrixError(
            f"{what} is singular (exact rank {rank} < {n}); "
            "a representation must consist of invertible matrices"
        )


#: Exact ranks use a number field when the entries involve at most this many radicals/functions.
_MAX_FIELD_GENERATORS = 6


def _exact_rank(m) -> int:
    from sympy.polys.matrices import DomainMatrix

    if all(x.is_Rational for x in m.flat()):
        return DomainMatrix.from_Matrix(sp.Matrix(m)).convert_to(sp.QQ).rank()
    # algebraic entries: elimination in the number field they generate (a 128 x 128 matrix over
    # QQ<sqrt(2)>: 0.1 s, against 70 s for sympy's generic elimination)
    gens = set()
    for x in m.flat():
        gens |= {a for a in x.atoms(sp.Pow) if not a.exp.is_Integer}
        gens |= x.atoms(sp.Function)
    try:
        if len(gens) > _MAX_FIELD_GENERATORS:  # the field's degree could explode
            raise NotImplementedError
        dm = DomainMatrix.from_Matrix(sp.Matrix(m), extension=True)
        if dm.domain.is_QQ or dm.domain.is_ZZ or dm.domain.is_AlgebraicField:
            return dm.rank()
    except (NotAlgebraic, NotImplementedError, ValueError, TypeError, sp.CoercionFailed):
        pass
    return sp.Matrix(m).rank(iszerofunc=_entries_zero)


def exact_rank(m) -> int:
    """Exact rank of an exact matrix.

    >>> exact_rank(sp.ImmutableMatrix([[1, sp.sqrt(2)], [sp.sqrt(2), 2]]))
    1
    """
    return _exact_rank(m)


def is_exact_zero(expr) -> bool:
    """Exact zero test for an exact number (e.g. ``sqrt(8) - 2*sqrt(2)``).

    >>> is_exact_zero(sp.sqrt(8) - 2 * sp.sqrt(2)), is_exact_zero(sp.sqrt(2) - 1)
    (True, False)
    """
    return _entries_zero(sp.sympify(expr))


def exact_inverse(m: sp.MatrixBase) -> sp.ImmutableMatrix:
    """Exact inverse with canonical entries (the matrix must be invertible)."""
    if all(x.is_Rational for x in m.flat()):
        from sympy.polys.matrices import DomainMatrix

        inv = DomainMatrix.from_Matrix(sp.Matrix(m)).convert_to(sp.QQ).inv().to_Matrix()
        return sp.ImmutableMatrix(inv)
    return canonical_matrix(sp.Matrix(m).inv(iszerofunc=_entries_zero))


def parse_matrices(
    matrices, what: str = "generator", invertible: bool = True, size: tuple | None = None
) -> tuple[tuple, bool]:
    """Parse a list of square matrices of one size; returns ``(matrices, exact)``.

    If any matrix is numeric, all are converted to float64 (``exact`` is False). ``size`` is
    ``(n, "the group generators are")`` when the size is fixed by other matrices. With
    ``invertible`` each is checked.

    >>> ms, exact = parse_matrices([[[0, 1], [1, 0]], [[1, 0], [0, -1]]])
    >>> exact, len(ms)
    (True, 2)
    >>> parse_matrices([[[1]], [[1, 0], [0, 1]]])
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidMatrixError: generator 1 is 2x2 but generator 0 is 1x1; all matrices ...
    """
    if isinstance(matrices, np.ndarray):
        if matrices.ndim == 2:
            raise InvalidMatrixError(
                f"{what}s: got a single {matrices.shape[0]}x{matrices.shape[1]} array; "
                "give a list of matrices (wrap a single matrix in a list)"
            )
        matrices = list(matrices)
    elif isinstance(matrices, sp.MatrixBase):
        raise InvalidMatrixError(
            f"{what}s: got a single {matrices.shape[0]}x{matrices.shape[1]} matrix; "
            "give a list of matrices (wrap a single matrix in a list)"
        )
    elif isinstance(matrices, str | bytes | dict) or not hasattr(matrices, "__iter__"):
        raise InvalidMatrixError(
            f"{what}s must be a list of matrices, got {type(matrices).__name__}"
        )
    elif not isinstance(matrices, Sequence):
        matrices = list(matrices)
    parsed = []
    first = None
    for k, m in enumerate(matrices):
        name = f"{what} {k}"
        pm = parse_matrix(m, name)
        n = pm.shape[0]
        if size is not None and n != size[0]:
            raise InvalidMatrixError(
                f"{name} is {n}x{n} but {size[1]} {size[0]}x{size[0]}; "
                "all matrices must have the same size"
            )
        if first is None:
            first = (n, k)
        elif n != first[0]:
            raise InvalidMatrixError(
                f"{name} is {n}x{n} but {what} {first[1]} is {first[0]}x{first[0]}; "
                "all matrices must have the same size"
            )
        parsed.append(pm)
    exact = all(isinstance(p, sp.MatrixBase) for p in parsed)
    if not exact:
        parsed = [to_float_array(p) for p in parsed]
        for p in parsed:
            if not np.all(np.isfinite(p)):
                raise InvalidMatrixError(f"{what}: an entry is not finite in float64")
            p.setflags(write=False)
    if invertible:
        for k, p in enumerate(parsed):
            check_invertible(p, f"{what} {k}")
    return tuple(parsed), exact
