"""Reading user formulas into sympy without running them: vet the Python AST, then build.

sympy's own parser evaluates Python and sympy evaluates eagerly, so ``factorial(10**9)``,
``x*2**(10**10)`` or ``exp(exp(exp(exp(10))))`` run for minutes or exhaust memory. Here a
formula is parsed by :func:`ast.parse` only, every node is checked against explicit lists
(operators, allowed function names, variables, constants) and explicit bounds (length, depth,
node count, exponent size, magnitude of every constant sub-expression, estimated in float64
before sympy sees it), and the sympy expression is then built node by node. Every refusal is a
:class:`~equiact.errors.InvalidInputError` naming the formula and the reason (the caller may
choose the subclass).

>>> from sympy import Symbol
>>> x = Symbol("x", real=True)
>>> read_formula("x**3 + sin(2*pi*x)/2", variables={"x": x}, functions=ACTIVATION_FUNCTIONS)
x**3 + sin(2*pi*x)/2
>>> read_formula("x*2**(10**10)", variables={"x": x}, functions=ACTIVATION_FUNCTIONS)
Traceback (most recent call last):
...
equiact.errors.InvalidInputError: 'x*2**(10**10)': the exponent 10**10 is larger than 1000 ...
>>> read_formula("factorial(10**9)", functions=ENTRY_FUNCTIONS)
Traceback (most recent call last):
...
equiact.errors.InvalidInputError: 'factorial(10**9)': unknown function(s) factorial; ...
"""

from __future__ import annotations

import ast
import cmath
import math
from dataclasses import dataclass

import sympy

from equiact.errors import InvalidInputError

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "CONSTANTS",
    "ENTRY_FUNCTIONS",
    "FormulaLimits",
    "expansion_size",
    "read_formula",
    "short_text",
]


def short_text(text: str) -> str:
    """``text`` for a one-line message: strings longer than 80 characters are cut in the
    middle (first 60, ``...``, last 10).

    >>> short_text("x" * 100) == "x" * 60 + "..." + "x" * 10
    True
    """
    return text if len(text) <= 80 else text[:60] + "..." + text[-10:]


@dataclass(frozen=True)
class FormulaLimits:
    """Bounds on a formula; each refusal names the bound it broke."""

    max_length: int = 2000  # characters
    max_depth: int = 32  # nesting of the syntax tree
    max_nodes: int = 400  # syntax-tree nodes
    max_exponent: float = 1000  # |e| for every constant exponent e (x**e, 2**e)
    max_magnitude: float = 1e300  # |c| for every constant sub-expression c


def _real(v: complex) -> float:
    return v.real


def _root(a, n):
    return a ** (1 / n)


def _cbrt(a):
    a = complex(a)
    if a.imag == 0:
        return math.copysign(abs(a.real) ** (1 / 3), a.real)
    return a ** (1 / 3)


def _log(a, b=None):
    return cmath.log(a) if b is None else cmath.log(a) / cmath.log(b)


def _sign(a):
    a = complex(a)
    return 0.0 if a == 0 else a / abs(a)


def _minmax(pick):
    def f(*args):
        return pick(complex(a).real for a in args)

    return f


def _erf(a):
    return math.erf(complex(a).real)


def _erfc(a):
    return math.erfc(complex(a).real)


def _sinc(a):
    return 1.0 if a == 0 else cmath.sin(a) / a


# name -> (sympy object, float64 estimate or None when the value is not estimated)
_ELEMENTARY = {
    "sqrt": (sympy.sqrt, cmath.sqrt), "cbrt": (sympy.cbrt, _cbrt), "root": (sympy.root, _root),
    "exp": (sympy.exp, cmath.exp), "log": (sympy.log, _log),
    "sin": (sympy.sin, cmath.sin), "cos": (sympy.cos, cmath.cos), "tan": (sympy.tan, cmath.tan),
    "cot": (sympy.cot, lambda a: 1 / cmath.tan(a)), "sec": (sympy.sec, lambda a: 1 / cmath.cos(a)),
    "csc": (sympy.csc, lambda a: 1 / cmath.sin(a)),
    "asin": (sympy.asin, cmath.asin), "acos": (sympy.acos, cmath.acos),
    "atan": (sympy.atan, cmath.atan),
    "sinh": (sympy.sinh, cmath.sinh), "cosh": (sympy.cosh, cmath.cosh),
    "tanh": (sympy.tanh, cmath.tanh),
    "Abs": (sympy.Abs, abs), "abs": (sympy.Abs, abs), "Rational": (sympy.Rational, None),
}
#: Functions a matrix entry may use.
ENTRY_FUNCTIONS = dict(_ELEMENTARY)
#: Functions an activation formula may use (elementary functions, pieces and conditions).
ACTIVATION_FUNCTIONS = {
    **_ELEMENTARY,
    "acot": (sympy.acot, None), "asinh": (sympy.asinh, cmath.asinh),
    "acosh": (sympy.acosh, cmath.acosh), "atanh": (sympy.atanh, cmath.atanh),
    "coth": (sympy.coth, None), "sech": (sympy.sech, None), "csch": (sympy.csch, None),
    "erf": (sympy.erf, _erf), "erfc": (sympy.erfc, _erfc), "sinc": (sympy.sinc, _sinc),
    "sign": (sympy.sign, _sign), "Max": (sympy.Max, _minmax(max)),
    "Min": (sympy.Min, _minmax(min)), "Heaviside": (sympy.Heaviside, None),
    "floor": (sympy.floor, None), "ceiling": (sympy.ceiling, None),
    "Piecewise": (sympy.Piecewise, None), "Eq": (sympy.Eq, None), "Ne": (sympy.Ne, None),
    "Lt": (sympy.Lt, None), "Le": (sympy.Le, None), "Gt": (sympy.Gt, None),
    "Ge": (sympy.Ge, None), "And": (sympy.And, None), "Or": (sympy.Or, None),
    "Not": (sympy.Not, None),
}
#: Named constants (both kinds of formula).
CONSTANTS = {
    "pi": (sympy.pi, math.pi), "E": (sympy.E, math.e),
    "GoldenRatio": (sympy.GoldenRatio, (1 + math.sqrt(5)) / 2),
    "EulerGamma": (sympy.EulerGamma, 0.5772156649015329),
}

_COMPARE = {ast.Lt: sympy.Lt, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.GtE: sympy.Ge,
            ast.Eq: sympy.Eq, ast.NotEq: sympy.Ne}


class _Refuse(Exception):
    pass


def _fmt_limit(v: float) -> str:
    return f"{v:g}" if v < 1e6 else f"{v:.0e}"


class _Builder:
    def __init__(self, text, variables, functions, rational, limits):
        self.text = text
        self.variables = variables
        self.functions = functions
        self.rational = rational
        self.limits = limits
        self.nodes = 0

    def seg(self, node) -> str:
        s = ast.get_source_segment(self.text, node) or ast.unparse(node)
        return s if len(s) <= 40 else s[:37] + "..."

    def check_size(self, value, node):
        """Refuse a constant whose float64 estimate is infinite or beyond the magnitude bound;
        return the estimate (None when it is unknown, e.g. nan)."""
        if value is None:
            return None
        try:
            c = complex(value)
            size = abs(c)
        except (OverflowError, TypeError, ValueError):
            c, size = complex(math.inf), math.inf
        if cmath.isinf(c) or cmath.isnan(c) or size > self.limits.max_magnitude * (1 + 1e-9):
            shown = "" if math.isinf(size) else f" (about {size:.3g})"
            raise _Refuse(f"the constant {self.seg(node)} is too large{shown}: beyond "
                          f"{_fmt_limit(self.limits.max_magnitude)}")
        return c

    def build(self, node, depth: int):
        """``(sympy object, float estimate or None)`` for ``node``."""
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise _Refuse(f"more than {self.limits.max_nodes} terms")
        if depth > self.limits.max_depth:
            raise _Refuse(f"nested deeper than {self.limits.max_depth} levels")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            if node.id in self.variables:
                return self.variables[node.id], None
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            if node.id in self.functions:
                raise _Refuse(f"{node.id} is a function; call it, e.g. {node.id}(...)")
            raise _Refuse(f"unknown symbol(s) {node.id}; "
                          + (f"only {', '.join(self.variables)} may appear" if self.variables
                             else "give a number"))
        if isinstance(node, ast.UnaryOp):
            arg, v = self.build(node.operand, d)
            if isinstance(node.op, ast.USub):
                return -arg, None if v is None else -v
            if isinstance(node.op, ast.UAdd):
                return arg, v
            if isinstance(node.op, ast.Not | ast.Invert) and "Not" in self.functions:
                return sympy.Not(arg), None
            raise _Refuse(f"the operator in {self.seg(node)} is not allowed")
        if isinstance(node, ast.BinOp):
            return self.binop(node, d)
        if isinstance(node, ast.BoolOp) and "And" in self.functions:
            args = [self.build(v, d)[0] for v in node.values]
            return (sympy.And if isinstance(node.op, ast.And) else sympy.Or)(*args), None
        if isinstance(node, ast.Compare) and "Eq" in self.functions:
            if len(node.ops) != 1:
                raise _Refuse(f"chained comparison {self.seg(node)}; use And(a < x, x < b)")
            a = self.build(node.left, d)[0]
            b = self.build(node.comparators[0], d)[0]
            return _COMPARE[type(node.ops[0])](a, b), None
        if isinstance(node, ast.Tuple) and "Piecewise" in self.functions:
            return tuple(self.build(e, d)[0] for e in node.elts), None
        if isinstance(node, ast.Call):
            return self.call(node, d)
        raise _Refuse(f"{self.seg(node)!r} is not allowed here (use numbers, + - * / ** ^, "
                      "parentheses and the allowed functions)")

    def constant(self, node):
        v = node.value
        if isinstance(v, bool):
            if "Piecewise" in self.functions:
                return (sympy.true if v else sympy.false), None
            raise _Refuse(f"{v} is not a number")
        if isinstance(v, int):
            if v.bit_length() > 1100:  # beyond any allowed magnitude
                raise _Refuse(f"the integer {self.seg(node)} is too large (beyond "
                              f"{_fmt_limit(self.limits.max_magnitude)})")
            self.check_size(float(v) if v.bit_length() < 1024 else math.inf, node)
            return sympy.Integer(v), float(v)
        if isinstance(v, float):
            if not math.isfinite(v):
                raise _Refuse(f"the number {self.seg(node)} is too large (beyond "
                              f"{_fmt_limit(self.limits.max_magnitude)})")
            self.check_size(v, node)
            literal = ast.get_source_segment(self.text, node) or repr(v)
            return (sympy.Rational(literal) if self.rational else sympy.Float(literal)), v
        raise _Refuse(f"{self.seg(node)} is not a real number literal")

    def binop(self, node, d):
        op = node.op
        if isinstance(op, ast.BitAnd | ast.BitOr) and "And" in self.functions:
            a, b = self.build(node.left, d)[0], self.build(node.right, d)[0]
            return (sympy.And if isinstance(op, ast.BitAnd) else sympy.Or)(a, b), None
        if not isinstance(op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
            raise _Refuse(f"the operator in {self.seg(node)} is not allowed (use + - * / **)")
        # a + b + c + ... nests to the left: a chain of one family adds no depth
        same = isinstance(node.left, ast.BinOp) and (
            isinstance(op, ast.Add | ast.Sub) and isinstance(node.left.op, ast.Add | ast.Sub)
            or isinstance(op, ast.Mult | ast.Div) and isinstance(node.left.op, ast.Mult | ast.Div))
        a, va = self.build(node.left, d - 1 if same else d)
        b, vb = self.build(node.right, d)
        for side in (a, b):
            if not isinstance(side, sympy.Expr):
                raise _Refuse(f"cannot do arithmetic with {self.seg(node)}")
        if isinstance(op, ast.Pow):
            if vb is not None:
                try:
                    eb = abs(complex(vb))
                except OverflowError:
                    eb = math.inf
                if eb > self.limits.max_exponent:
                    raise _Refuse(f"the exponent {self.seg(node.right)} is larger than "
                                  f"{_fmt_limit(self.limits.max_exponent)} in absolute value")
            elif b.is_number:  # a constant exponent not estimated: refuse to be safe
                raise _Refuse(f"the exponent {self.seg(node.right)} cannot be bounded; "
                              "give a plain number")
        value = None
        if va is not None and vb is not None:
            try:
                with_complex = complex(va), complex(vb)
                if isinstance(op, ast.Add):
                    value = with_complex[0] + with_complex[1]
                elif isinstance(op, ast.Sub):
                    value = with_complex[0] - with_complex[1]
                elif isinstance(op, ast.Mult):
                    value = with_complex[0] * with_complex[1]
                elif isinstance(op, ast.Div):
                    value = None if with_complex[1] == 0 else with_complex[0] / with_complex[1]
                elif with_complex[0] == 0:
                    value = None
                else:  # through logarithms: complex ** overflows to nan silently
                    log_value = with_complex[1] * cmath.log(with_complex[0])
                    if log_value.real > math.log(self.limits.max_magnitude) + 1e-9:
                        value = math.inf
                    elif log_value.real < -math.log(self.limits.max_magnitude) - 1e-9:
                        raise _Refuse(f"the constant {self.seg(node)} is too small: below "
                                      f"{_fmt_limit(1 / self.limits.max_magnitude)} (about "
                                      f"10**{log_value.real / math.log(10):.0f})")
                    else:
                        value = cmath.exp(log_value)
            except OverflowError:
                value = math.inf
            except ZeroDivisionError:
                value = None
            value = self.check_size(value, node)
        try:
            if isinstance(op, ast.Add):
                return a + b, value
            if isinstance(op, ast.Sub):
                return a - b, value
            if isinstance(op, ast.Mult):
                return a * b, value
            if isinstance(op, ast.Div):
                return a / b, value
            return a**b, value
        except (TypeError, ValueError, ZeroDivisionError) as err:
            raise _Refuse(f"{self.seg(node)}: {err}") from None

    def call(self, node, d):
        if not isinstance(node.func, ast.Name):
            raise _Refuse(f"{self.seg(node.func)!r} is not a function name")
        name = node.func.id
        if name not in self.functions:
            allowed = ", ".join(sorted(k for k in self.functions if k[0].isalpha()))
            raise _Refuse(f"unknown function(s) {name}; allowed functions: {allowed}")
        if node.keywords:
            raise _Refuse(f"{name}(...) takes no keyword arguments here")
        fn, estimate = self.functions[name]
        built = [self.build(a, d) for a in node.args]
        args = [b[0] for b in built]
        value = None
        if estimate is not None and built and all(b[1] is not None for b in built):
            try:
                value = estimate(*[b[1] for b in built])
            except OverflowError:
                value = math.inf
            except (ValueError, ZeroDivisionError, TypeError):
                value = None
        if name == "Rational" and len(built) in (1, 2) and all(b[1] is not None for b in built):
            value = built[0][1] if len(built) == 1 else (
                None if built[1][1] == 0 else complex(built[0][1]) / complex(built[1][1]))
        value = self.check_size(value, node)
        try:
            return fn(*args), value
        except (TypeError, ValueError, ZeroDivisionError, AttributeError) as err:
            raise _Refuse(f"{self.seg(node)}: {type(err).__name__}: {err}") from None


def read_formula(text: str, *, variables: dict | None = None, functions: dict | None = None,
                 rational: bool = False, limits: FormulaLimits | None = None,
                 error=InvalidInputError, what: str = "", explain=None):
    """Parse ``text`` into a sympy object after vetting its syntax tree (see the module doc).

    ``variables`` maps names to sympy symbols; ``functions`` maps allowed names to
    ``(sympy function, float estimate or None)`` (:data:`ENTRY_FUNCTIONS`,
    :data:`ACTIVATION_FUNCTIONS`); ``rational`` reads decimals exactly (``0.5`` -> ``1/2``).
    ``^`` means power. Raises ``error`` (an :class:`InvalidInputError` subclass) with the
    message ``"{what} 'text': why"``, or ``explain(why)`` when ``explain`` is given.
    """
    variables = variables or {}
    functions = ENTRY_FUNCTIONS if functions is None else functions
    limits = limits or FormulaLimits()
    shown = short_text(text)
    label = f"{what} {shown!r}" if what else repr(shown)
    source = text.strip()
    try:
        if not source:
            raise _Refuse("empty formula")
        if len(source) > limits.max_length:
            raise _Refuse(f"longer than {limits.max_length} characters")
        if "__" in source or not source.isascii() or any(c in source for c in "[]{};:'\"\\@`$"):
            raise _Refuse("only names, numbers, operators, parentheses and commas may appear")
        source = source.replace("^", "**")
        try:
            tree = ast.parse(source, mode="eval")
        except (SyntaxError, ValueError) as err:
            raise _Refuse(f"cannot be parsed ({getattr(err, 'msg', err)})") from None
        except (RecursionError, MemoryError):
            raise _Refuse(f"nested deeper than {limits.max_depth} levels") from None
        builder = _Builder(source, variables, functions, rational, limits)
        try:
            expr, _ = builder.build(tree.body, 0)
        except RecursionError:
            raise _Refuse(f"nested deeper than {limits.max_depth} levels") from None
        except (OverflowError, MemoryError) as err:
            raise _Refuse(f"too large to build ({type(err).__name__})") from None
    except _Refuse as why:
        if explain is not None:
            raise explain(str(why)) from None
        raise error(f"{label}: {why}") from None
    if isinstance(expr, tuple):
        raise error(f"{label}: a tuple is not a formula")
    return expr


def _capped_comb(n: int, k: int, cap: int) -> int:
    """``min(comb(n, k), cap + 1)`` without computing huge binomials."""
    if k < 0 or k > n:
        return 0
    if math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) > math.log(cap) + 1:
        return cap + 1
    return min(math.comb(n, k), cap + 1)


def expansion_size(expr, cap: int = 10**6) -> int:
    """An upper estimate of the number of terms ``sympy.expand`` (and ``radsimp``) produce for
    ``expr`` or any function argument inside it, capped at ``cap + 1``.

    A small formula can expand to millions of terms: ``(sqrt(2)+sqrt(3)+sqrt(5)+sqrt(7))**256``
    has 2.8 million. Integer powers of a sum of ``s`` terms count ``comb(n + s - 1, s - 1)``
    monomials, negative ones also ``s * 2**r`` for the ``r`` radicals that rationalising the
    denominator multiplies in (a measured cost rather than a count: 1 over a sum of 7 square
    roots takes 4 s).

    >>> from sympy import sqrt, Symbol
    >>> expansion_size((1 + sqrt(2))**8), expansion_size((sqrt(2) + sqrt(3) + sqrt(5))**256)
    (9, 33153)
    """
    worst = 0

    def size(e) -> int:
        nonlocal worst
        if not e.args:
            return 1
        if e.is_Add:
            return min(cap + 1, sum(size(a) for a in e.args))
        if e.is_Mul:
            p = 1
            for a in e.args:
                p = min(cap + 1, p * size(a))
            return p
        if e.is_Pow:
            s = size(e.base)
            x = e.exp
            if x.is_Integer and s > 1:
                n = abs(int(x)) if abs(x) <= cap else cap
                t = _capped_comb(n + s - 1, s - 1, cap)
                if x < 0:
                    radicals = sum(1 for a in e.base.atoms(sympy.Pow) if not a.exp.is_Integer)
                    t = min(cap + 1, t * s * 2 ** min(radicals, 40))
                return t
            worst = max(worst, s, size(x))
            return 1
        for a in e.args:  # functions, Piecewise, relations: arguments expand separately
            worst = max(worst, size(a))
        return 1

    return min(cap + 1, max(size(sympy.sympify(expr)), worst))
