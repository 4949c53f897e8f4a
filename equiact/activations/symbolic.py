"""Activations given as sympy expressions in ``x``: exact f(0), proofs of the symmetries.

The numerical analysis (:mod:`equiact.activations.numerical`) runs on the lambdified expression
and proposes T; each symmetry T needs is then proved with sympy on each half-line separately
(``x = p`` and ``x = -p`` with ``p > 0``, which resolves ``Abs``, ``Max``, ``sign`` and most
``Piecewise`` conditions): oddness ``f0(-x) + f0(x) = 0``, positive homogeneity
``f0(t x) - t f0(x) = 0`` with ``t > 0`` symbolic, ``b``-multiplicativity
``f0(b x) - b f0(x) = 0`` for the found ``b``, affinity ``f0(x) - a x = 0``. What sympy cannot
prove is reported as numerical evidence.

>>> p = analyze_expression("x*(2 + sin(2*pi*log(Abs(x), 2)))")
>>> p.T.label, p.how
('<±2>', 'symbolic')
>>> analyze_expression("Piecewise((x, x > 0), (x/5, True))").T.label
'R>0'
"""

from __future__ import annotations

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from equiact.activations.entries import X, catalogue_names
from equiact.activations.numerical import (
    NumericalOptions,
    _check_finite,
    analyze_numerically,
)
from equiact.activations.profile import ActivationProfile
from equiact.errors import ActivationError, UnknownNameError, unknown_name
from equiact.safe_expr import (
    ACTIVATION_FUNCTIONS,
    FormulaLimits,
    expansion_size,
    read_formula,
    short_text,
)
from equiact.scalar_group import ScalarGroupKind

__all__ = ["analyze_expression", "parse_expression", "prove_zero"]

_K = ScalarGroupKind
_P = sympy.Symbol("p", positive=True)
_TP = sympy.Symbol("t", positive=True)
_MAX_OPS = 400
_MAX_LIMIT_OPS = 120
_PROBE = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0, 7.5, -10.0, 0.1])


_EXPR_LIMITS = FormulaLimits(max_length=2000, max_depth=32, max_nodes=1000,
                             max_exponent=1000, max_magnitude=1e300)


def _unknown(spec: str, why: str) -> UnknownNameError:
    shown = short_text(spec)
    base = str(unknown_name("activation", shown, catalogue_names()))
    return UnknownNameError(f"{base}; it is not a sympy expression in x either ({why})")


def parse_expression(spec) -> sympy.Expr:
    """Read ``spec`` (a string or sympy object) as an expression in the real variable ``x``.

    Raises :class:`UnknownNameError` (with the closest catalogue names) when the string does
    not parse or uses symbols or functions other than ``x`` and sympy's functions.

    >>> parse_expression("Max(x, 0) + 1")
    Max(0, x) + 1
    """
    if isinstance(spec, str):
        expr = read_formula(spec, variables={"x": X}, functions=ACTIVATION_FUNCTIONS,
                            limits=_EXPR_LIMITS, explain=lambda why: _unknown(spec, why))
        if not isinstance(expr, sympy.Expr):
            raise _unknown(spec, f"it reads as {type(expr).__name__}, not an expression")
    else:
        expr = sympy.sympify(spec)
        if not isinstance(expr, sympy.Expr):
            raise ActivationError(f"{spec!r} is not a sympy expression")
        spec = str(spec)
    subs = {s: X for s in expr.free_symbols if s.name == "x" and s != X}
    expr = expr.xreplace(subs) if subs else expr
    others = sorted(str(s) for s in expr.free_symbols if s != X)
    if others:
        raise _unknown(spec, f"unknown symbol(s) {', '.join(others)}; only x may appear")
    undefined = sorted({str(f.func) for f in expr.atoms(AppliedUndef)})
    if undefined:
        raise _unknown(spec, f"unknown function(s) {', '.join(undefined)}")
    return expr


def _bad(v) -> bool:
    return v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or v.is_real is False


def _value_at_zero(expr, name: str):
    """f(0) exactly; the two-sided limit when the expression is undefined at 0 (with a note)."""
    value = expr.subs(X, 0)
    if not _bad(value):
        return value, None
    right = left = sympy.nan
    if sympy.count_ops(expr) <= _MAX_LIMIT_OPS:  # keep sympy's limit from running for long
        try:
            right, left = sympy.limit(expr, X, 0, "+"), sympy.limit(expr, X, 0, "-")
        except Exception:  # noqa: BLE001 - sympy's limit raises assorted errors
            right = left = sympy.nan
    if not _bad(right) and right.is_number and sympy.simplify(right - left) == 0:
        return right, (f"the expression is undefined at 0; f(0) := lim f(x) = {right} "
                       "(continuous extension)")
    raise ActivationError(
        f"activation {name!r}: f(0) = {value} is not a finite real number and f has no limit at "
        "0; define f at 0 explicitly, e.g. Piecewise((1, Eq(x, 0)), (sin(x)/x, True))")


def _lambdify(expr, name: str, at_zero: float | None = None):
    raw = sympy.lambdify(X, expr, modules=["scipy", "numpy"])

    def numpy_fn(x):
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            out = np.asarray(raw(x))
        if np.iscomplexobj(out):
            out = np.where(np.abs(out.imag) <= 1e-12 * (1 + np.abs(out.real)), out.real, np.nan)
        out = np.broadcast_to(np.asarray(out, dtype=np.float64), x.shape).copy()
        if at_zero is not None:
            out[x == 0] = at_zero
        return out

    _check_finite(numpy_fn(_PROBE), _PROBE, name)
    return numpy_fn


#: Expressions that could expand to more terms are not expanded or simplified (proofs then rest
#: on the numerical check): ``(sin(x)/3 + cos(x)/3 + 1/4)**1000`` has 500 000 terms.
_MAX_EXPANSION = 500


def _steps(e):
    yield e
    if expansion_size(e, _MAX_EXPANSION) > _MAX_EXPANSION:
        return
    yield sympy.expand(e)
    yield sympy.expand_log(e, force=True)
    if sympy.count_ops(e) <= _MAX_OPS:
        yield sympy.simplify(e)
        yield sympy.simplify(sympy.expand_log(sympy.piecewise_fold(e), force=True))


def prove_zero(e) -> bool:
    """True when sympy shows ``e == 0`` for every real x, treating x > 0 and x < 0 separately.

    False means *not proved* (it may still be zero).

    >>> prove_zero(sympy.Abs(X) - sympy.Max(X, -X)), prove_zero(X - sympy.Abs(X))
    (True, False)
    """
    for branch in (_P, -_P):
        ei = sympy.sympify(e).subs(X, branch)
        if not any(_is_zero(s) for s in _steps(ei)):
            return False
    return True


def _is_zero(e) -> bool:
    try:
        return e == 0 or e.is_zero is True
    except TypeError:  # pragma: no cover
        return False


def _f0(expr, f0val):
    return lambda arg: expr.subs(X, arg) - f0val


def _confirm_witnesses(f0, T, witnesses) -> list[str]:
    """Re-evaluate the numerical counterexamples exactly-ish (30 digits) with sympy."""
    out = []
    checks = []
    if "odd" in witnesses and not T.contains(-1):
        x = sympy.Rational(witnesses["odd"])
        checks.append((f"f0(-x) != -f0(x) at x = {float(x):.6g}", f0(-x) + f0(x)))
    if "homogeneous" in witnesses and T.kind not in (_K.POSITIVE, _K.ALL):
        x, t = (sympy.Rational(v) for v in witnesses["homogeneous"])
        checks.append((f"f0(t x) != t f0(x) at x = {float(x):.6g}, t = {float(t):.6g}",
                       f0(t * x) - t * f0(x)))
    for label, residual in checks:
        try:
            val = sympy.N(residual, 30)
            if val.is_number and abs(val) > sympy.Float(10) ** -20:
                out.append(label)
        except (TypeError, ValueError):  # pragma: no cover - unevaluable residual
            pass
    return out


def analyze_expression(spec, name: str | None = None,
                       options: NumericalOptions | None = None) -> ActivationProfile:
    """Profile of a sympy expression (or a string sympy parses) in ``x``.

    >>> analyze_expression("x**3").T.label
    '{±1}'
    >>> analyze_expression("2*x + 1").is_affine
    True
    """
    expr = parse_expression(spec)
    name = name or (spec.strip() if isinstance(spec, str) else str(expr))
    name = short_text(name)
    opts = options or NumericalOptions()
    _refuse_infinite(expr, name)
    try:
        return _analyze(expr, name, opts)
    except (OverflowError, RecursionError, MemoryError, ZeroDivisionError) as err:
        raise ActivationError(
            f"activation {name!r}: sympy could not evaluate it ({type(err).__name__}: "
            f"{str(err)[:80]}); give a simpler expression of moderate size") from None


def _refuse_infinite(expr, name: str) -> None:
    """Refuse an expression that is infinite in float64 at a probe point (before sympy
    evaluates it at high precision: ``exp(exp(exp(exp(x + 10))))`` at 0)."""
    try:
        raw = sympy.lambdify(X, expr, modules=["scipy", "numpy"])
        with np.errstate(all="ignore"):
            values = np.broadcast_to(np.asarray(raw(_PROBE), dtype=np.complex128), _PROBE.shape)
    except Exception:  # noqa: BLE001 - left to the full analysis, which explains
        return
    inf = np.isinf(values) & (_PROBE != 0)  # at 0 a limit may exist (1/x is explained there)
    if inf.any():
        i = int(np.argmax(inf))
        raise ActivationError(
            f"activation {name!r} returned {values[i].real} at the finite input x = {_PROBE[i]}; "
            "activations must be finite on finite inputs")


def _analyze(expr, name: str, opts: NumericalOptions) -> ActivationProfile:
    value, note = _value_at_zero(expr, name)
    try:
        f0num = float(value)
    except TypeError as err:
        raise ActivationError(f"activation {name!r}: cannot evaluate f(0) = {value}") from err
    numpy_fn = _lambdify(expr, name, f0num if note else None)
    num = analyze_numerically(numpy_fn, name, opts, f_at_zero=f0num)
    T = num.T
    f0 = _f0(expr, value)
    proved, unproved = [], []

    def attempt(label, residual):
        (proved if prove_zero(residual) else unproved).append(label)

    zero_exact = value == 0 or sympy.simplify(value) == 0
    if T.kind is _K.ALL:
        a = sympy.nsimplify((expr.subs(X, 1) - expr.subs(X, -1)) / 2) \
            if (expr.subs(X, 1)).has(sympy.Float) else (expr.subs(X, 1) - expr.subs(X, -1)) / 2
        attempt(f"f(x) = {a} x + {value}", expr - a * X - value)
    else:
        if T.contains(-1):
            attempt("f0(-x) = -f0(x)", f0(-X) + f0(X))
        if T.kind is _K.POSITIVE:
            attempt("f0(t x) = t f0(x) for t > 0", f0(_TP * X) - _TP * f0(X))
        if T.kind in (_K.DISCRETE, _K.SIGNED_DISCRETE):
            b = T.b if T.exact else sympy.Float(T.b)
            attempt(f"f0({b} x) = {b} f0(x)", f0(b * X) - b * f0(X))
        if T.kind is _K.ALTERNATING:
            b = T.b if T.exact else sympy.Float(T.b)
            attempt(f"f0(-{b} x) = -{b} f0(x)", f0(-b * X) + b * f0(X))
    confirmed = _confirm_witnesses(f0, T, num.witnesses)
    evidence = []
    if proved:
        evidence.append("symbolic: sympy proved " + " and ".join(proved)
                        + " (x > 0 and x < 0 separately)")
    if unproved:
        evidence.append("sympy could not prove " + " and ".join(unproved)
                        + "; it rests on the numerical check below")
    evidence.append(note or f"f(0) = {value} exactly")
    if confirmed:
        evidence.append("sympy confirmed the counterexamples " + " and ".join(confirmed)
                        + " at 30 digits")
    evidence.extend(num.evidence)
    how = "symbolic" if not unproved else "numerical"

    def factory():
        from equiact.activations._torch import sympy_module

        return sympy_module(expr, X, name, f0num if note else None)

    return ActivationProfile(
        name=name, numpy_fn=numpy_fn, f_at_zero=f0num, zero_at_origin=bool(zero_exact),
        is_affine=T.kind is _K.ALL, is_linear=T.kind is _K.ALL and bool(zero_exact),
        odd_f0=T.contains(-1), T=T, how=how, evidence="; ".join(evidence), expr=expr,
        torch_factory=factory)

