"""The built-in activations: every element-wise activation of ``torch.nn`` plus a few others.

Each entry knows its float64 numpy implementation, its sympy expression, the matching
``torch.nn`` module, and its group ``T`` (THEORY.md section 3), derived by hand below and checked
against torch numerically by the tests. Names are matched case-insensitively, ignoring ``_``,
so ``LeakyReLU(0.2)``, ``leaky_relu(0.2)`` and ``leaky_relu(negative_slope=0.2)`` agree.

>>> parse_catalogue_name("leaky_relu(0.2)")
('leaky_relu', {'negative_slope': 0.2})
>>> parse_catalogue_name("Hardtanh(min_val=-2, max_val=1/2)")
('hardtanh', {'min_val': -2, 'max_val': Fraction(1, 2)})
>>> catalogue_profile("threshold", {"threshold": 0, "value": 0}).T.label
'R>0'
>>> parse_catalogue_name("x**2") is None
True
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy

from equiact.activations.profile import ActivationProfile
from equiact.errors import InvalidInputError, unknown_name
from equiact.safe_expr import short_text
from equiact.scalar_group import ScalarGroup

__all__ = [
    "X",
    "FAMILIES",
    "catalogue",
    "catalogue_names",
    "catalogue_profile",
    "parse_catalogue_name",
]

X = sympy.Symbol("x", real=True)
"""The variable of every activation expression."""

_REQUIRED = object()
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@dataclass(frozen=True)
class _Family:
    key: str
    params: tuple  # ((name, default or _REQUIRED), ...)
    build: Callable[[dict], dict]
    aliases: tuple = ()  # extra accepted spellings of the family name (normalised)
    param_aliases: tuple = ()  # ((alias, name), ...)
    example: tuple | None = None  # parameters for the listing when some are required
    listed: tuple = ()  # extra parameter sets shown in the listing


def _sym(v):
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        raise TypeError
    if isinstance(v, int):
        return sympy.Integer(v)
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    return sympy.Float(float(v))


def _t(module_name: str, *args, **kwargs):
    def factory():
        import torch

        return getattr(torch.nn, module_name)(*args, **kwargs)

    return factory


def _fn_module(name: str, fn_name: str, a: float = 0.0, b: float = 0.0):
    """A factory of :class:`~equiact.activations.torch_modules.ScalarFunction` ``fn_name``."""
    def factory():
        from equiact.activations._torch import scalar_module

        return scalar_module(fn_name, a, b)

    return factory


def _errstate(fn):
    def wrapped(x):
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            return fn(np.asarray(x, dtype=np.float64))

    return wrapped


def _expit(x):
    """The logistic function 1 / (1 + exp(-x)), without overflow."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# ---------------------------------------------------------------------------- builders
# Each builder returns numpy_fn, expr, T, affine, linear, note (why T is what it is), torch.
def _relu(p):
    return dict(
        numpy=lambda x: np.maximum(x, 0.0), expr=sympy.Max(X, 0), T=ScalarGroup.positive(),
        note="relu(t x) = t relu(x) for t > 0; relu(-x) != -relu(x)", torch=_t("ReLU"))


def _leaky(key, torch_name):
    def build(p):
        s = p["negative_slope"] if "negative_slope" in p else p["weight"]
        fs = float(s)
        linear = fs == 1.0
        return dict(
            numpy=lambda x: np.where(x > 0, x, fs * x),
            expr=sympy.Piecewise((X, X > 0), (_sym(s) * X, True)),
            T=ScalarGroup.all() if linear else ScalarGroup.positive(),
            affine=linear, linear=linear,
            note=("slope 1 is the identity" if linear else
                  "positively homogeneous (semilinear); odd only for slope 1"),
            torch=(_t("LeakyReLU", fs) if torch_name == "LeakyReLU"
                   else _prelu_factory(fs)))

    return build


def _prelu_factory(w):
    def factory():
        import torch

        return torch.nn.PReLU(num_parameters=1, init=w)

    return factory


def _elu(p):
    a = float(p["alpha"])
    zero = a == 0.0
    return dict(
        numpy=_errstate(lambda x: np.where(x > 0, x, a * np.expm1(np.minimum(x, 0.0)))),
        expr=sympy.Piecewise((X, X > 0), (_sym(p["alpha"]) * (sympy.exp(X) - 1), True)),
        T=ScalarGroup.positive() if zero else ScalarGroup.trivial(),
        note=("alpha = 0 is ReLU" if zero else
              "exponential branch: neither odd nor scale-invariant"),
        torch=_t("ELU", a))


def _selu(p):
    a, s = SELU_ALPHA, SELU_SCALE
    return dict(
        numpy=_errstate(lambda x: s * np.where(x > 0, x, a * np.expm1(np.minimum(x, 0.0)))),
        expr=sympy.Float(s) * sympy.Piecewise((X, X > 0), (sympy.Float(a) * (sympy.exp(X) - 1),
                                                            True)),
        T=ScalarGroup.trivial(), note="exponential branch: neither odd nor scale-invariant",
        torch=_t("SELU"))


def _celu(p):
    a = float(p["alpha"])
    if a == 0.0:
        raise InvalidInputError("celu: alpha must be nonzero (CELU divides by alpha), got 0")
    A = _sym(p["alpha"])
    return dict(
        numpy=_errstate(lambda x: np.maximum(x, 0.0) + np.minimum(0.0, a * np.expm1(
            np.minimum(x, 0.0) / a))),
        expr=sympy.Max(X, 0) + sympy.Min(0, A * (sympy.exp(X / A) - 1)),
        T=ScalarGroup.trivial(), note="exponential branch: neither odd nor scale-invariant",
        torch=_t("CELU", a))


def _gelu(p):
    approx = p["approximate"]
    if approx not in ("none", "tanh"):
        raise InvalidInputError(
            f"gelu: approximate must be 'none' or 'tanh', got {approx!r}")
    if approx == "none":
        def numpy_fn(x):
            from scipy import special

            return x * special.ndtr(x)

        expr = X * (1 + sympy.erf(X / sympy.sqrt(2))) / 2
    else:
        k = math.sqrt(2 / math.pi)
        numpy_fn = lambda x: 0.5 * x * (1 + np.tanh(k * (x + 0.044715 * x**3)))  # noqa: E731
        expr = X / 2 * (1 + sympy.tanh(sympy.sqrt(2 / sympy.pi)
                                        * (X + sympy.Float("0.044715") * X**3)))
    return dict(numpy=_errstate(numpy_fn), expr=expr, T=ScalarGroup.trivial(),
                note="x Phi(x): f(-x) = -x + f(x), so not odd; not scale-invariant",
                torch=_t("GELU", approximate=approx))


def _silu(p):
    return dict(numpy=lambda x: x * _expit(x), expr=X / (1 + sympy.exp(-X)),
                T=ScalarGroup.trivial(), note="f(-x) = f(x) - x: not odd; not scale-invariant",
                torch=_t("SiLU"))


def _mish(p):
    return dict(numpy=lambda x: x * np.tanh(np.logaddexp(0.0, x)),
                expr=X * sympy.tanh(sympy.log(1 + sympy.exp(X))), T=ScalarGroup.trivial(),
                note="not odd (f(-1) != -f(1)); not scale-invariant", torch=_t("Mish"))


def _softplus(p):
    beta, th = float(p["beta"]), float(p["threshold"])
    if beta == 0.0:
        raise InvalidInputError("softplus: beta must be nonzero (softplus divides by beta), got 0")
    B, TH = _sym(p["beta"]), _sym(p["threshold"])
    return dict(
        numpy=_errstate(lambda x: np.where(beta * x > th, x, np.logaddexp(0.0, beta * x) / beta)),
        expr=sympy.Piecewise((X, B * X > TH), (sympy.log(1 + sympy.exp(B * X)) / B, True)),
        T=ScalarGroup.trivial(),
        note="f0(-x) = f0(x) - x: not odd; not scale-invariant", torch=_t("Softplus", beta, th))


def _softsign(p):
    return dict(numpy=lambda x: x / (1 + np.abs(x)), expr=X / (1 + sympy.Abs(X)),
                T=ScalarGroup.sign(), note="odd and bounded, so only t = ±1",
                torch=_t("Softsign"))


def _tanh(p):
    return dict(numpy=np.tanh, expr=sympy.tanh(X), T=ScalarGroup.sign(),
                note="odd and bounded, so only t = ±1", torch=_t("Tanh"))


def _sigmoid(p):
    return dict(numpy=_expit, expr=1 / (1 + sympy.exp(-X)), T=ScalarGroup.sign(),
                note="f0 = sigmoid - 1/2 is odd and bounded; f(0) = 1/2 != 0",
                torch=_t("Sigmoid"))


def _hardtanh(p):
    lo, hi = float(p["min_val"]), float(p["max_val"])
    if lo > hi:
        raise InvalidInputError(f"hardtanh: min_val must be <= max_val, got min_val={lo}, "
                                f"max_val={hi}")
    if lo == hi:
        T, note, aff = ScalarGroup.all(), "min_val = max_val: a constant function", True
    elif lo < 0 < hi and lo == -hi:
        T, note, aff = ScalarGroup.sign(), "symmetric clamp: odd and saturating", False
    elif lo < 0 < hi:
        T, note, aff = ScalarGroup.trivial(), "asymmetric clamp: not odd, saturating", False
    else:
        T, note, aff = (ScalarGroup.trivial(),
                        "0 is not inside (min_val, max_val): f0 is not odd, saturating", False)
    return dict(numpy=lambda x: np.clip(x, lo, hi),
                expr=sympy.Min(sympy.Max(X, _sym(p["min_val"])), _sym(p["max_val"])),
                T=T, affine=aff, linear=aff and lo == 0.0, note=note,
                torch=_t("Hardtanh", lo, hi) if lo < hi else _clamp_module(lo, hi))


def _clamp_module(lo, hi):
    return _fn_module(f"hardtanh({lo}, {hi})", "clamp", lo, hi)


def _hardsigmoid(p):
    half = sympy.Rational(1, 2)
    return dict(numpy=lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
                expr=sympy.Min(sympy.Max(X / 6 + half, 0), 1), T=ScalarGroup.sign(),
                note="f0 = clamp(x/6, -1/2, 1/2) is odd and saturating; f(0) = 1/2 != 0",
                torch=_t("Hardsigmoid"))


def _hardswish(p):
    return dict(numpy=lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,
                expr=X * sympy.Min(sympy.Max(X + 3, 0), 6) / 6, T=ScalarGroup.trivial(),
                note="f(-x) = f(x) - x near 0: not odd; not scale-invariant",
                torch=_t("Hardswish"))


def _relu6(p):
    return dict(numpy=lambda x: np.clip(x, 0.0, 6.0), expr=sympy.Min(sympy.Max(X, 0), 6),
                T=ScalarGroup.trivial(), note="saturates at 6 and is 0 for x < 0",
                torch=_t("ReLU6"))


def _tanhshrink(p):
    return dict(numpy=lambda x: x - np.tanh(x), expr=X - sympy.tanh(X), T=ScalarGroup.sign(),
                note="odd; x - tanh x is not scale-invariant", torch=_t("Tanhshrink"))


def _softshrink(p):
    lam = float(p["lambd"])
    if lam < 0:
        raise InvalidInputError(f"softshrink: lambd must be >= 0, got {lam}")
    L = _sym(p["lambd"])
    ident = lam == 0.0
    return dict(numpy=lambda x: np.where(x > lam, x - lam, np.where(x < -lam, x + lam, 0.0)),
                expr=sympy.Piecewise((X - L, X > L), (X + L, X < -L), (0, True)),
                T=ScalarGroup.all() if ident else ScalarGroup.sign(), affine=ident,
                linear=ident, note="lambd = 0 is the identity" if ident else
                "odd; the dead zone [-lambd, lambd] is not scale-invariant",
                torch=_t("Softshrink", lam))


def _hardshrink(p):
    lam = float(p["lambd"])
    L = _sym(p["lambd"])
    ident = lam <= 0.0
    return dict(numpy=lambda x: np.where(np.abs(x) > lam, x, 0.0),
                expr=sympy.Piecewise((X, sympy.Abs(X) > L), (0, True)),
                T=ScalarGroup.all() if ident else ScalarGroup.sign(), affine=ident,
                linear=ident, note="lambd <= 0 is the identity" if ident else
                "odd; the dead zone [-lambd, lambd] is not scale-invariant",
                torch=_t("Hardshrink", lam))


def _logsigmoid(p):
    return dict(numpy=lambda x: -np.logaddexp(0.0, -x), expr=-sympy.log(1 + sympy.exp(-X)),
                T=ScalarGroup.trivial(), note="f0(-x) = f0(x) - x: not odd; f(0) = -log 2",
                torch=_t("LogSigmoid"))


def _threshold(p):
    th, v = float(p["threshold"]), float(p["value"])
    relu = th == 0.0 and v == 0.0
    return dict(numpy=lambda x: np.where(x > th, x, v),
                expr=sympy.Piecewise((X, X > _sym(p["threshold"])), (_sym(p["value"]), True)),
                T=ScalarGroup.positive() if relu else ScalarGroup.trivial(),
                note="threshold(0, 0) is ReLU" if relu else
                "the jump at the threshold is not odd and not scale-invariant",
                torch=_t("Threshold", th, v))


def _identity(p):
    return dict(numpy=lambda x: np.array(x, dtype=np.float64, copy=True), expr=X,
                T=ScalarGroup.all(), affine=True, linear=True, note="linear",
                torch=_t("Identity"))


def _abs(p):
    return dict(numpy=np.abs, expr=sympy.Abs(X), T=ScalarGroup.positive(),
                note="|t x| = t |x| for t > 0; even, not odd", torch=_fn_module("abs", "abs"))


def _sin(p):
    return dict(numpy=np.sin, expr=sympy.sin(X), T=ScalarGroup.sign(),
                note="odd and bounded, so only t = ±1", torch=_fn_module("sin", "sin"))


def _cube(p):
    return dict(numpy=lambda x: x**3, expr=X**3, T=ScalarGroup.sign(),
                note="(t x)^3 = t x^3 only for t^2 = 1", torch=_fn_module("cube", "cube"))


def _sign(p):
    return dict(numpy=np.sign, expr=sympy.sign(X), T=ScalarGroup.sign(),
                note="odd; sign(t x) = sign(x) != t sign(x) for t > 0, t != 1",
                torch=_fn_module("sign", "sign"))


def _affine(p):
    a, c = p["a"], p["c"]
    fa, fc = float(a), float(c)

    return dict(numpy=lambda x: fa * x + fc, expr=_sym(a) * X + _sym(c), T=ScalarGroup.all(),
                affine=True, linear=fc == 0.0, note="f0 = a x is linear",
                torch=_fn_module(f"affine({fa}, {fc})", "affine", fa, fc))


FAMILIES: dict[str, _Family] = {
    f.key: f
    for f in [
        _Family("identity", (), _identity, aliases=("id",)),
        _Family("relu", (), _relu),
        _Family("leaky_relu", (("negative_slope", 0.01),), _leaky("leaky_relu", "LeakyReLU"),
                param_aliases=(("slope", "negative_slope"),)),
        _Family("prelu", (("weight", 0.25),), _leaky("prelu", "PReLU"),
                param_aliases=(("init", "weight"), ("negative_slope", "weight"))),
        _Family("elu", (("alpha", 1.0),), _elu),
        _Family("selu", (), _selu),
        _Family("celu", (("alpha", 1.0),), _celu),
        _Family("gelu", (("approximate", "none"),), _gelu, listed=(("tanh",),)),
        _Family("silu", (), _silu, aliases=("swish",)),
        _Family("mish", (), _mish),
        _Family("softplus", (("beta", 1.0), ("threshold", 20.0)), _softplus),
        _Family("softsign", (), _softsign),
        _Family("tanh", (), _tanh),
        _Family("sigmoid", (), _sigmoid, aliases=("logistic",)),
        _Family("hardtanh", (("min_val", -1.0), ("max_val", 1.0)), _hardtanh,
                param_aliases=(("min", "min_val"), ("max", "max_val"))),
        _Family("hardsigmoid", (), _hardsigmoid),
        _Family("hardswish", (), _hardswish),
        _Family("relu6", (), _relu6),
        _Family("tanhshrink", (), _tanhshrink),
        _Family("softshrink", (("lambd", 0.5),), _softshrink,
                param_aliases=(("lambda", "lambd"),)),
        _Family("hardshrink", (("lambd", 0.5),), _hardshrink,
                param_aliases=(("lambda", "lambd"),)),
        _Family("logsigmoid", (), _logsigmoid),
        _Family("threshold", (("threshold", _REQUIRED), ("value", _REQUIRED)), _threshold,
                example=(0.5, 0.1)),
        _Family("abs", (), _abs),
        _Family("sin", (), _sin),
        _Family("cube", (), _cube),
        _Family("sign", (), _sign),
        _Family("affine", (("a", _REQUIRED), ("c", 0)), _affine, example=(2, 1)),
    ]
}


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "").replace(" ", "").replace("-", "")


_LOOKUP: dict[str, tuple[str, dict]] = {}
for _f in FAMILIES.values():
    _LOOKUP[_norm(_f.key)] = (_f.key, {})
    for _a in _f.aliases:
        _LOOKUP[_norm(_a)] = (_f.key, {})
_LOOKUP["gelutanh"] = ("gelu", {"approximate": "tanh"})


def catalogue_names() -> list[str]:
    """The canonical catalogue names (aliases and torch spellings are also accepted)."""
    return list(FAMILIES)


# ---------------------------------------------------------------------------- parsing
_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Pow: lambda a, b: a**b}


_MAX_PARAM = 1e300


def _literal(node, spec: str, depth: int = 0):
    """Evaluate a parameter: numbers, + - * / **, strings, bare words (for strings).

    Bounded: at most 20 levels deep, exponents at most 1000, magnitudes at most 1e300.
    """
    if depth > 20:
        raise InvalidInputError(f"the parameters of {spec[:60]!r} are nested too deeply")
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) \
            and not isinstance(node.value, bool):
        v = node.value
        if isinstance(v, int) and v.bit_length() > 1000:
            raise InvalidInputError(
                f"the parameter {ast.unparse(node)[:40]!r} in {spec[:60]!r} is too large")
        return v
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _literal(node.operand, spec, depth + 1)
        if isinstance(v, str):
            if v.lower() in ("nan", "inf", "infinity"):
                raise InvalidInputError(f"the parameter -{v} in {spec!r} is not a finite number")
            raise InvalidInputError(f"cannot negate {v!r} in {spec!r}")
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and (type(node.op) in _BINOPS or isinstance(node.op, ast.Div)):
        a, b = _literal(node.left, spec, depth + 1), _literal(node.right, spec, depth + 1)
        if isinstance(a, str) or isinstance(b, str):
            raise InvalidInputError(f"cannot do arithmetic with words in {spec!r}")
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise InvalidInputError(f"division by zero in the parameters of {spec!r}")
            if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)):
                q = Fraction(a) / Fraction(b)
                return q.numerator if q.denominator == 1 else q
            return float(a) / float(b)
        if isinstance(node.op, ast.Pow) and abs(b) > 1000:
            raise InvalidInputError(
                f"the exponent {ast.unparse(node.right)!r} in {spec!r} is larger than 1000")
        try:
            value = _BINOPS[type(node.op)](a, b)
        except (OverflowError, ZeroDivisionError) as err:
            raise InvalidInputError(
                f"cannot evaluate the parameter {ast.unparse(node)!r} in {spec!r} ({err})"
            ) from None
        if isinstance(value, complex) or abs(value) > _MAX_PARAM:
            raise InvalidInputError(
                f"the parameter {ast.unparse(node)!r} in {spec!r} is not a real number of "
                f"magnitude at most 1e300")
        return value
    raise InvalidInputError(
        f"cannot read the parameter {ast.unparse(node)!r} in {spec!r}: use numbers such as "
        "0.2, -1 or 1/3")


def parse_catalogue_name(spec: str) -> tuple[str, dict] | None:
    """Split ``name(p1, p2, key=value)`` into ``(family, params)`` or return None.

    None means the name is not in the catalogue (the caller may then read it as an expression).
    Positional and keyword parameters are matched to the family's parameters; a wrong count or
    an unknown keyword raises :class:`InvalidInputError`.
    """
    text = spec.strip()
    shown = short_text(text)
    head, _, rest = text.partition("(")
    hit = _LOOKUP.get(_norm(head))
    if hit is None:
        return None
    key, preset = hit
    fam = FAMILIES[key]
    given: dict = dict(preset)
    if rest:
        if len(text) > 2000:
            raise InvalidInputError(
                f"{text[:40]!r}...: the parameters are longer than 2000 characters")
        try:
            node = ast.parse(text.replace(head, "_f", 1), mode="eval").body
        except (SyntaxError, ValueError):
            return None
        except (RecursionError, MemoryError):
            raise InvalidInputError(
                f"{text[:40]!r}...: the parameters are nested too deeply") from None
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            return None
        args = node.args
        if len(args) == 1 and isinstance(args[0], ast.Name) and args[0].id == "x" \
                and not node.keywords:
            args = []  # "relu(x)" means relu
        if any(isinstance(n, ast.Name) and n.id == "x"
               for a in [*args, *(k.value for k in node.keywords)] for n in ast.walk(a)):
            return None  # "sin(2*x)": an expression in x, not parameters
        names = [n for n, _ in fam.params]
        if len(args) > len(names):
            raise InvalidInputError(
                f"{shown!r}: {key} takes at most {len(names)} parameter(s) "
                f"({', '.join(names) or 'none'}), got {len(args)}")
        for n, a in zip(names, args):
            given[n] = _literal(a, shown)
        aliases = dict(fam.param_aliases)
        for kw in node.keywords:
            name = aliases.get(kw.arg, kw.arg)
            if name not in names:
                raise InvalidInputError(
                    f"{shown!r}: {key} has no parameter {kw.arg!r} "
                    f"(parameters: {', '.join(names) or 'none'})")
            given[name] = _literal(kw.value, shown)
    return key, given


# ---------------------------------------------------------------------------- profiles
def _check_param(key: str, name: str, value, default):
    if isinstance(default, str):
        if not isinstance(value, str):
            raise InvalidInputError(f"{key}: {name} must be a word, got {value!r}")
        return value
    if isinstance(value, str) and value.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise InvalidInputError(f"{key}: {name} must be a finite number, got {value}")
    if isinstance(value, str) or isinstance(value, bool):
        raise InvalidInputError(f"{key}: {name} must be a number, got {value!r}")
    if isinstance(value, sympy.Basic):
        try:
            value = float(value)
        except (TypeError, ValueError) as err:
            raise InvalidInputError(f"{key}: {name} must be a number, got {value}") from err
    if isinstance(value, (np.integer,)):
        value = int(value)
    if isinstance(value, (np.floating,)):
        value = float(value)
    if not isinstance(value, (int, Fraction)):
        try:
            value = float(value)
        except (TypeError, ValueError, OverflowError) as err:
            raise InvalidInputError(f"{key}: {name} must be a number, got {value!r}") from err
    try:
        finite = math.isfinite(float(value)) and abs(float(value)) <= _MAX_PARAM
    except OverflowError:
        finite = False
    if not finite:
        raise InvalidInputError(
            f"{key}: {name} must be finite (magnitude at most 1e300), got {value!r:.40}")
    return value


def _display_name(key: str, fam: _Family, params: dict) -> str:
    values = [params[n] for n, _ in fam.params]
    defaults = [d for _, d in fam.params]
    if all(v == d for v, d in zip(values, defaults)):
        return key
    from equiact.activations.profile import _fmt_number

    return f"{key}({', '.join(_fmt_number(v) for v in values)})"


def catalogue_profile(key: str, params: dict | None = None) -> ActivationProfile:
    """The profile of catalogue family ``key`` with ``params`` (missing ones take defaults).

    >>> catalogue_profile("hardtanh", {"min_val": -1, "max_val": 2}).T.label
    '{1}'
    """
    if key not in FAMILIES:
        raise unknown_name("activation", key, FAMILIES)
    fam = FAMILIES[key]
    params = dict(params or {})
    full = {}
    for name, default in fam.params:
        if name in params:
            full[name] = _check_param(key, name, params.pop(name), default)
        elif default is _REQUIRED:
            example = ", ".join(str(v) for v in fam.example or ())
            raise InvalidInputError(
                f"{key} needs parameters ({', '.join(n for n, _ in fam.params)}), "
                f"e.g. '{key}({example})'")
        else:
            full[name] = default
    if params:
        raise InvalidInputError(f"{key} has no parameter(s) {sorted(params)}")
    info = fam.build(full)
    expr = info["expr"]
    value = expr.subs(X, 0)
    f0 = float(value)
    T = info["T"]
    name = _display_name(key, fam, full)
    numpy_fn = info["numpy"]
    return ActivationProfile(
        name=name,
        numpy_fn=numpy_fn,
        f_at_zero=f0,
        zero_at_origin=bool(value == 0) or f0 == 0.0,
        is_affine=info.get("affine", False),
        is_linear=info.get("linear", False),
        odd_f0=T.contains(-1),
        T=T,
        how="catalogue",
        evidence=f"catalogue: {info['note']} (checked against torch by the test suite)",
        expr=expr,
        params=tuple(full.items()),
        family=key,
        torch_factory=info["torch"],
    )


def catalogue() -> list[ActivationProfile]:
    """One profile per catalogue entry (default parameters; examples where some are required).

    >>> [p.name for p in catalogue()][:4]
    ['identity', 'relu', 'leaky_relu', 'prelu']
    """
    out = []
    for fam in FAMILIES.values():
        names = [n for n, _ in fam.params]
        sets = [dict(zip(names, fam.example))] if fam.example else [{}]
        sets += [dict(zip(names, extra)) for extra in fam.listed]
        for params in sets:
            out.append(catalogue_profile(fam.key, params))
    return out
