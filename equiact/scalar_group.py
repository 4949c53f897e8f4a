"""Closed subgroups of the multiplicative group R* and their exact classification.

THEORY.md section 3: R* = {±1} x R>0 has exactly seven kinds of closed subgroups, and each
admits one class of activations f (through f0 = f - f(0)) and one class of matrices:

====================  ==========================  ===================================
kind                  admitted f0                 matrices M_n(T)
====================  ==========================  ===================================
{1}                   every function              permutation
{±1}                  odd                         signed permutation
<b>   = {b^n}         b-multiplicative            b-monomial
<±b>  = {±b^n}        odd and b-multiplicative    ±b-monomial
<-b>  = {(-b)^n}      f(-b x) = -b f(x)           (-b)-monomial
R>0                   semilinear                  non-negative monomial
R*                    linear                      all invertible
====================  ==========================  ===================================

``<-b>`` is missing from the ICLR 2024 paper's list; it is included here.

>>> ScalarGroup.generated_by([-2]).label
'<-2>'
>>> ScalarGroup.generated_by([4, "-1/2"]).label     # 4 = (-2)^2, -1/2 = (-2)^-1
'<-2>'
>>> ScalarGroup.generated_by([-4, 8]).label
'<±2>'
>>> ScalarGroup.generated_by([2, 3]).label      # log 2 / log 3 irrational: dense
'R>0'
>>> ScalarGroup.sign().issubgroup(ScalarGroup.signed_discrete(2))
True
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce

import sympy

from equiact.errors import InvalidInputError

__all__ = [
    "ScalarGroup",
    "ScalarGroupKind",
    "classify_scalars",
    "DEFAULT_TOLERANCE",
]

DEFAULT_TOLERANCE = 1e-9
_PSLQ_DIGITS = 60
_PSLQ_MAXCOEFF = 10**6
_FLOAT_MAX_DENOMINATOR = 64


class ScalarGroupKind(enum.Enum):
    """The seven kinds of closed subgroups of R*."""

    TRIVIAL = "{1}"
    SIGN = "{±1}"
    DISCRETE = "<b>"
    SIGNED_DISCRETE = "<±b>"
    ALTERNATING = "<-b>"
    POSITIVE = "R>0"
    ALL = "R*"

    @property
    def is_discrete_infinite(self) -> bool:
        return self in (
            ScalarGroupKind.DISCRETE,
            ScalarGroupKind.SIGNED_DISCRETE,
            ScalarGroupKind.ALTERNATING,
        )


_K = ScalarGroupKind


def _is_exact(value) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, (int, Fraction)):
        return True
    if isinstance(value, sympy.Basic):
        return not value.has(sympy.Float)
    if isinstance(value, str):
        return True
    try:
        import numpy as np

        if isinstance(value, np.integer):
            return True
    except ImportError:  # pragma: no cover
        pass
    return False


def _to_sympy(value) -> sympy.Expr:
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    try:
        expr = sympy.sympify(value, rational=isinstance(value, str))
    except (sympy.SympifyError, TypeError, SyntaxError) as err:
        raise InvalidInputError(f"cannot read the scalar {value!r} as a number: {err}") from err
    if expr.free_symbols or not expr.is_real:
        raise InvalidInputError(f"the scalar {value!r} is not a real number")
    return expr


def _fmt_b(b, factor: bool = False) -> str:
    """``b`` as text; with ``factor``, sums are parenthesised so that ``-b``, ``±b`` and ``b x``
    read correctly (``-(1/2 + sqrt(5)/2)``, not ``-1/2 + sqrt(5)/2``)."""
    if b is None:
        return ""
    if isinstance(b, sympy.Basic):
        text = str(b)
        return f"({text})" if factor and b.is_Add else text
    r = round(b)
    if abs(b) < 1e6 and abs(b - r) <= 1e-9 * max(1.0, abs(b)):
        return str(int(r))
    return f"{b:.6g}"


@dataclass(frozen=True)
class ScalarGroup:
    """A closed subgroup of R*: its ``kind`` and, for discrete infinite kinds, the base ``b > 1``.

    ``b`` is a sympy number when known exactly, a float otherwise.

    >>> g = ScalarGroup.alternating(2)
    >>> g.contains(-2), g.contains(4), g.contains(2), g.contains(-8)
    (True, True, False, True)
    >>> g.activation_class
    '(-2)-multiplicative: f0(-2x) = -2 f0(x)'
    """

    kind: ScalarGroupKind
    b: object = None

    def __post_init__(self):
        if self.kind.is_discrete_infinite:
            if self.b is None:
                raise InvalidInputError(f"a {self.kind.value} group needs a base b > 1")
            b = self.b
            if _is_exact(b) and not isinstance(b, float):
                b = _to_sympy(b)
                if not bool(b > 1):
                    raise InvalidInputError(f"the base b must be > 1, got {b}")
            else:
                b = float(b)
                if not (math.isfinite(b) and b > 1):
                    raise InvalidInputError(f"the base b must be a finite number > 1, got {b}")
            object.__setattr__(self, "b", b)
        elif self.b is not None:
            raise InvalidInputError(f"a {self.kind.value} group has no base b (got {self.b!r})")

    # ----------------------------------------------------------------- constructors
    @classmethod
    def trivial(cls) -> ScalarGroup:
        return cls(_K.TRIVIAL)

    @classmethod
    def sign(cls) -> ScalarGroup:
        return cls(_K.SIGN)

    @classmethod
    def discrete(cls, b) -> ScalarGroup:
        return cls(_K.DISCRETE, b)

    @classmethod
    def signed_discrete(cls, b) -> ScalarGroup:
        return cls(_K.SIGNED_DISCRETE, b)

    @classmethod
    def alternating(cls, b) -> ScalarGroup:
        return cls(_K.ALTERNATING, b)

    @classmethod
    def positive(cls) -> ScalarGroup:
        return cls(_K.POSITIVE)

    @classmethod
    def all(cls) -> ScalarGroup:
        return cls(_K.ALL)

    @classmethod
    def generated_by(cls, values, tol: float | None = None) -> ScalarGroup:
        """The closure of the subgroup of R* generated by nonzero ``values``.

        Exact when every value is exact; see :func:`classify_scalars` for how it is decided.
        """
        return classify_scalars(values, tol=tol)[0]

    # ----------------------------------------------------------------- properties
    @property
    def exact(self) -> bool:
        return not isinstance(self.b, float)

    @property
    def has_negative(self) -> bool:
        return self.kind not in (_K.TRIVIAL, _K.DISCRETE, _K.POSITIVE)

    @property
    def generators(self) -> tuple:
        """Topological generators: ``(-1,)``, ``(b,)``, ``(-1, b)``, ``(-b,)``; none for R>0, R*."""
        k = self.kind
        if k is _K.TRIVIAL:
            return ()
        if k is _K.SIGN:
            return (-1,)
        if k is _K.DISCRETE:
            return (self.b,)
        if k is _K.SIGNED_DISCRETE:
            return (-1, self.b)
        if k is _K.ALTERNATING:
            return (-self.b,)
        return ()

    @property
    def label(self) -> str:
        k = self.kind
        if k is _K.DISCRETE:
            return f"<{_fmt_b(self.b)}>"
        if k is _K.SIGNED_DISCRETE:
            return f"<±{_fmt_b(self.b, factor=True)}>"
        if k is _K.ALTERNATING:
            return f"<-{_fmt_b(self.b, factor=True)}>"
        return k.value

    @property
    def matrix_class(self) -> str:
        """The matrices M_n(T) whose point-wise commutation this group governs."""
        b = _fmt_b(self.b, factor=True)
        return {
            _K.TRIVIAL: "permutation",
            _K.SIGN: "signed permutation",
            _K.DISCRETE: f"{b}-monomial (nonzero entries powers of {b})",
            _K.SIGNED_DISCRETE: f"±{b}-monomial (nonzero entries ±powers of {b})",
            _K.ALTERNATING: f"(-{b})-monomial (nonzero entries powers of -{b})",
            _K.POSITIVE: "non-negative monomial",
            _K.ALL: "all invertible",
        }[self.kind]

    @property
    def activation_class(self) -> str:
        """The activations f whose f0 = f - f(0) is T-multiplicative for this group T."""
        b = _fmt_b(self.b, factor=True)
        return {
            _K.TRIVIAL: "every function",
            _K.SIGN: "odd",
            _K.DISCRETE: f"{b}-multiplicative: f0({b}x) = {b} f0(x)",
            _K.SIGNED_DISCRETE: f"odd and {b}-multiplicative",
            _K.ALTERNATING: f"(-{b})-multiplicative: f0(-{b}x) = -{b} f0(x)",
            _K.POSITIVE: "semilinear: a x for x > 0, c x for x < 0",
            _K.ALL: "linear",
        }[self.kind]

    def to_json(self) -> dict:
        return {
            "class": self.kind.value,
            "label": self.label,
            "b": None if self.b is None else _fmt_b(self.b),
            "exact": self.exact,
        }

    def __str__(self) -> str:
        return self.label

    # ----------------------------------------------------------------- membership
    def contains(self, t, tol: float = DEFAULT_TOLERANCE) -> bool:
        """Whether the scalar ``t`` lies in the group (exactly when ``t`` and ``b`` are exact).

        >>> ScalarGroup.discrete(2).contains("1/8"), ScalarGroup.discrete(2).contains(3)
        (True, False)
        >>> ScalarGroup.sign().contains(-1.0 + 1e-12)
        True
        """
        exact = _is_exact(t) and self.exact and not isinstance(t, float)
        if exact:
            t = _to_sympy(t)
            if t == 0:
                return False
            negative = bool(t < 0)
            mag = -t if negative else t
            is_one = _exact_equal(mag, 1)
        else:
            t = float(t)
            if not math.isfinite(t) or t == 0:
                return False
            negative = t < 0
            mag = abs(t)
            is_one = abs(mag - 1) <= tol
        k = self.kind
        if k is _K.ALL:
            return True
        if k is _K.POSITIVE:
            return not negative
        if k is _K.TRIVIAL:
            return is_one and not negative
        if k is _K.SIGN:
            return is_one
        m = _integer_log(mag, self.b, exact, tol)
        if m is None:
            return False
        if k is _K.DISCRETE:
            return not negative
        if k is _K.SIGNED_DISCRETE:
            return True
        return negative == (m % 2 == 1)  # ALTERNATING: t = (-b)^m

    def issubgroup(self, other: ScalarGroup, tol: float = DEFAULT_TOLERANCE) -> bool:
        """Whether ``self`` is contained in ``other`` (both closed)."""
        if other.kind is _K.ALL or self.kind is _K.TRIVIAL:
            return True
        if self.kind is _K.POSITIVE:
            return other.kind is _K.POSITIVE
        if self.kind is _K.ALL:
            return False
        return all(other.contains(g, tol) for g in self.generators)

    def join(self, other: ScalarGroup, tol: float | None = None) -> ScalarGroup:
        """The closed subgroup generated by both."""
        if _K.ALL in (self.kind, other.kind):
            return ScalarGroup.all()
        for a, c in ((self, other), (other, self)):
            if a.kind is _K.POSITIVE:
                return ScalarGroup.all() if c.has_negative else ScalarGroup.positive()
        return ScalarGroup.generated_by(list(self.generators) + list(other.generators), tol)


def _exact_equal(a: sympy.Expr, c) -> bool:
    diff = sympy.nsimplify(a - c) if a.is_Float else a - c
    if diff == 0:
        return True
    if diff.is_number and abs(sympy.N(diff, 30)) > sympy.Float(10) ** -25:
        return False
    res = sympy.simplify(diff)
    if res == 0:
        return True
    eq = diff.equals(0)
    return bool(eq)


def _integer_log(mag, b, exact: bool, tol: float) -> int | None:
    """The integer m with mag = b**m, or None."""
    if exact:
        with_mp = sympy.N(sympy.log(mag) / sympy.log(b), 40)
        m = int(sympy.floor(with_mp + sympy.Rational(1, 2)))
        if abs(with_mp - m) > sympy.Float(10) ** -20:
            return None
        return m if _exact_equal(sympy.Integer(1) * b**m, mag) else None
    b = float(b)
    r = math.log(mag) / math.log(b)
    m = round(r)
    return m if abs(mag - b**m) <= tol * max(1.0, mag) else None


# --------------------------------------------------------------------- classification
def _exponent_vector(mag: sympy.Expr) -> dict | None:
    """|value| as a product of rational powers of primes: {prime: Rational}; None if not such."""
    vec: dict[int, sympy.Rational] = {}
    for factor in sympy.Mul.make_args(sympy.powsimp(sympy.factor_terms(mag))):
        base, exp = factor.as_base_exp()
        if not (base.is_Rational and exp.is_Rational):
            return None
        if base == 1:
            continue
        if base < 0:
            return None
        for p, e in sympy.factorint(base.p).items():
            vec[p] = vec.get(p, 0) + e * exp
        for p, e in sympy.factorint(base.q).items():
            vec[p] = vec.get(p, 0) - e * exp
    return {p: sympy.Rational(e) for p, e in vec.items() if e != 0}


def _rational_gcd(values) -> Fraction:
    fr = [Fraction(int(v.p), int(v.q)) if isinstance(v, sympy.Rational) else Fraction(v)
          for v in values if v != 0]
    num = reduce(math.gcd, (abs(f.numerator) for f in fr))
    den = reduce(lambda a, c: a * c // math.gcd(a, c), (f.denominator for f in fr))
    return Fraction(num, den)


def _discrete_kind(signs: list[bool], ks: list[int]) -> ScalarGroupKind:
    """Subgroup of Z2 x Z generated by (sign_i, k_i) with gcd(k) = 1 (THEORY.md section 3)."""
    if not any(signs):
        return _K.DISCRETE
    if all(neg == (k % 2 == 1) for neg, k in zip(signs, ks)):
        return _K.ALTERNATING
    return _K.SIGNED_DISCRETE


def _finite_or_dense(signs) -> ScalarGroup:
    return ScalarGroup.sign() if any(signs) else ScalarGroup.trivial()


def classify_scalars(values, tol: float | None = None) -> tuple[ScalarGroup, str]:
    """Classify the closure of the group generated by nonzero scalars; say how it was decided.

    Exact inputs (int, Fraction, sympy, strings): the exponent vectors of |values| over the
    primes span a lattice; rank 0 gives a finite group, rank 1 a discrete one with exact base,
    rank >= 2 a dense one. Exact values that are not products of rational prime powers (e.g.
    the golden ratio) go through an integer-relation search (PSLQ) on their logarithms at 60
    digits. Floats are classified with tolerance ``tol`` (default 1e-9), with ratios of
    logarithms recognised as rationals of denominator at most 64.

    >>> classify_scalars(["sqrt(2)", 2])[0].label
    '<sqrt(2)>'
    >>> group, how = classify_scalars([-0.5, 4.0])
    >>> group.label, how.split(":")[0]
    ('<-2>', 'numerical')
    """
    values = list(values)
    exact = all(_is_exact(v) and not isinstance(v, float) for v in values)
    if exact:
        return _classify_exact([_to_sympy(v) for v in values])
    floats = []
    for v in values:
        try:
            floats.append(float(v))
        except (TypeError, ValueError) as err:
            raise InvalidInputError(f"cannot read the scalar {v!r} as a number") from err
    return _classify_float(floats, DEFAULT_TOLERANCE if tol is None else tol)


def _check_nonzero(v, idx):
    if v == 0:
        raise InvalidInputError(f"scalar {idx} is zero; only nonzero values generate a group")


def _classify_exact(values: list[sympy.Expr]) -> tuple[ScalarGroup, str]:
    signs, mags = [], []
    for i, v in enumerate(values):
        _check_nonzero(v, i)
        neg = bool(v < 0)
        signs.append(neg)
        mags.append(-v if neg else v)
    vectors = [_exponent_vector(m) for m in mags]
    if all(vec is not None for vec in vectors):
        how = "exact: prime-exponent lattice of |t|"
        primes = sorted({p for vec in vectors for p in vec})
        rank = 0
        if primes:
            rank = sympy.Matrix([[vec.get(p, 0) for p in primes] for vec in vectors]).rank()
        if rank == 0:
            return _finite_or_dense(signs), how
        if rank >= 2:
            return (ScalarGroup.all() if any(signs) else ScalarGroup.positive()), how
        pivot = next(vec for vec in vectors if vec)
        p0 = next(iter(pivot))
        qs = [vec.get(p0, 0) / pivot[p0] for vec in vectors]  # vec = q * pivot
        base_exp = {p: e for p, e in pivot.items()}
        return _discrete_from_ratios(signs, qs, base_exp=base_exp), how
    return _classify_pslq(signs, mags)


def _discrete_from_ratios(signs, qs, base_exp=None, base_mag=None):
    g = _rational_gcd(qs)
    ks = [int(Fraction(int(sympy.Rational(q).p), int(sympy.Rational(q).q)) / g) for q in qs]
    if base_exp is not None:
        b = sympy.Integer(1)
        for p, e in base_exp.items():
            b *= sympy.Integer(p) ** (e * sympy.Rational(g.numerator, g.denominator))
    else:
        b = _simplest(base_mag ** sympy.Rational(g.numerator, g.denominator))
    if bool(b < 1):
        b = _simplest(1 / b)
        ks = [-k for k in ks]
    return ScalarGroup(_discrete_kind(signs, ks), b)


def _simplest(value: sympy.Expr) -> sympy.Expr:
    """A short form of an algebraic base: ``1/sqrt(3 - 2*sqrt(2))`` -> ``1 + sqrt(2)``."""
    from equiact.exact import canonical

    forms = [sympy.simplify(value)]
    try:
        forms.append(canonical(sympy.sqrtdenest(forms[0])))
    except Exception:  # noqa: BLE001 - denesting is best effort
        pass
    return min(forms, key=sympy.count_ops)


def _classify_pslq(signs, mags) -> tuple[ScalarGroup, str]:
    import mpmath

    how = f"integer-relation search (PSLQ) on log|t| at {_PSLQ_DIGITS} digits"
    with mpmath.workdps(_PSLQ_DIGITS):
        logs = [mpmath.log(mpmath.mpf(sympy.N(m, _PSLQ_DIGITS + 10))) for m in mags]
        eps = mpmath.mpf(10) ** (-_PSLQ_DIGITS + 10)
        basis_idx: list[int] = []
        qs: list = []
        for i, L in enumerate(logs):
            if abs(L) < eps:
                qs.append(sympy.Integer(0))
                continue
            if not basis_idx:
                basis_idx.append(i)
                qs.append(sympy.Integer(1))
                continue
            rel = mpmath.pslq([logs[basis_idx[0]], L], maxcoeff=_PSLQ_MAXCOEFF, maxsteps=10**5)
            if rel is None or rel[1] == 0:
                return (ScalarGroup.all() if any(signs) else ScalarGroup.positive()), how
            qs.append(sympy.Rational(-rel[0], rel[1]))
    if not basis_idx:
        return _finite_or_dense(signs), how
    return _discrete_from_ratios(signs, qs, base_mag=mags[basis_idx[0]]), how


def _classify_float(values: list[float], tol: float) -> tuple[ScalarGroup, str]:
    how = (
        f"numerical: tolerance {tol:g}, log-ratios recognised as rationals with denominator "
        f"<= {_FLOAT_MAX_DENOMINATOR}"
    )
    signs, logs = [], []
    for i, v in enumerate(values):
        if not math.isfinite(v):
            raise InvalidInputError(f"scalar {i} is {v}; scalars must be finite")
        _check_nonzero(v, i)
        signs.append(v < 0)
        mag = abs(v)
        logs.append(0.0 if abs(mag - 1) <= tol else math.log(mag))
    nz = [i for i, L in enumerate(logs) if L != 0.0]
    if not nz:
        return _finite_or_dense(signs), how
    L0 = logs[nz[0]]
    qs = []
    for L in logs:
        q = Fraction(L / L0).limit_denominator(_FLOAT_MAX_DENOMINATOR)
        if abs(L - float(q) * L0) > tol * max(1.0, abs(L)):
            return (ScalarGroup.all() if any(signs) else ScalarGroup.positive()), how
        qs.append(q)
    g = _rational_gcd(qs)
    ks = [int(q / g) for q in qs]
    b = math.exp(float(g) * L0)
    if b < 1:
        b, ks = 1 / b, [-k for k in ks]
    if abs(b - 1) <= tol:
        return (ScalarGroup.all() if any(signs) else ScalarGroup.positive()), how
    return ScalarGroup(_discrete_kind(signs, ks), b), how
