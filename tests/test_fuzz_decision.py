"""Fuzz: verdicts of ``decide`` against brute-force float64 commutation.

Random monomial, near-monomial and non-monomial matrices (exact entries, algebraic entries,
entries equal to 0 or 1 only after exact simplification, and the same matrices as floats with
sub-tolerance noise), against many activations. An admissible verdict must survive brute force
(random inputs with zeros, five scales); a negative one must carry a witness that an
independent reference implementation of the activation confirms. Float input whose positive
verdict needed the tolerance must be refused for activations with a jump.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equiact.activations import analyze_activation
from equiact.activations.entries import X
from equiact.decision import WITNESS_TOLERANCE, decide
from equiact.errors import InvalidInputError
from equiact.representation import Representation


def _expit(x):
    return 1 / (1 + np.exp(-x))


# activation -> independent float64 reference (numpy), written from the definitions
REFERENCE = {
    "relu": lambda x: np.where(x > 0, x, 0.0),
    "tanh": np.tanh,
    "sigmoid": _expit,
    "gelu": lambda x: x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))) / 2,
    "identity": lambda x: x,
    "leaky_relu(0.2)": lambda x: np.where(x > 0, x, 0.2 * x),
    "abs": np.abs,
    "cube": lambda x: x**3,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "sign": np.sign,
    "sin": np.sin,
    "relu6": lambda x: np.clip(x, 0, 6),
    "hardtanh(-1, 2)": lambda x: np.clip(x, -1, 2),
    "hardtanh": lambda x: np.clip(x, -1, 1),
    "softshrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
    "hardshrink": lambda x: np.where(np.abs(x) > 0.5, x, 0.0),
    "threshold(0.5, 0.1)": lambda x: np.where(x > 0.5, x, 0.1),
    "affine(2, 1)": lambda x: 2 * x + 1,
    "affine(-3)": lambda x: -3 * x,
    "silu": lambda x: x * _expit(x),
    "tanhshrink": lambda x: x - np.tanh(x),
    "logsigmoid": lambda x: np.log(_expit(x)),
}
EXPRESSIONS = [
    "x*(2 + sin(2*pi*log(Abs(x), 2)))",  # <±2>
    "Piecewise((x*(2 + sin(pi*log(x, 2))), x > 0), (x*(2 - sin(pi*log(-x, 2))), True))",  # <-2>
    "Piecewise((x*(2 + sin(2*pi*log(x, 2))), x > 0), (3*x*(2 + sin(2*pi*log(-x, 2))), True))",
    "x**3 + x",
    "Max(x, 0) + 1",
    "Abs(x) + 2*x",
]


def _math_reference(text):
    """The expression evaluated with Python's math, f(0) its limit at 0 (sympy)."""
    expr = sympy.sympify(text, locals={"x": X})
    f = sympy.lambdify(X, expr, "math")
    at_zero = float(sympy.limit(expr, X, 0))
    return np.vectorize(lambda v: at_zero if v == 0 else f(v), otypes=[float])


for _e in EXPRESSIONS:
    REFERENCE[_e] = _math_reference(_e)
ACTIVATIONS = sorted(REFERENCE)
_PROFILES: dict = {}


def profile(name):
    if name not in _PROFILES:
        _PROFILES[name] = analyze_activation(name)
    return _PROFILES[name]


# exactly 0 and exactly 1 after simplification only (their float64 copies are not 0 / 1)
ZERO = "(sqrt(3+2*sqrt(2)) - sqrt(2) - 1)"
ONE = "(sqrt(5+2*sqrt(6)) - sqrt(2) - sqrt(3) + 1)"
SCALARS = [1, -1, 2, Fraction(1, 2), -2, 3, "sqrt(2)", "-sqrt(2)/2", "2**(1/3)", ONE,
           "-" + ONE]


def _value(e) -> float:
    return float(sympy.sympify(str(e)).evalf(30))


@st.composite
def matrices(draw):
    """(kind, exact entries as strings/ints/Fractions) with kind monomial/near/non-monomial."""
    n = draw(st.integers(1, 4))
    perm = draw(st.permutations(list(range(n))))
    M = [[0] * n for _ in range(n)]
    for i, j in enumerate(perm):
        M[i][j] = draw(st.sampled_from(SCALARS))
    kind = draw(st.sampled_from(["monomial", "near", "non"])) if n >= 2 else "monomial"
    if kind == "near":  # one extra entry in some row: still invertible (triangular change)
        i = draw(st.integers(0, n - 1))
        k = (i + draw(st.integers(1, n - 1))) % n
        c = draw(st.sampled_from([1, -1, Fraction(1, 3), "sqrt(2)"]))
        M[i] = [f"({a}) + ({c})*({b})" for a, b in zip(M[i], M[k])]
    elif kind == "non":  # a random integer matrix, kept only when invertible
        A = draw(st.lists(st.lists(st.integers(-2, 2), min_size=n, max_size=n),
                          min_size=n, max_size=n))
        if round(abs(np.linalg.det(np.array(A, dtype=float)))) == 0:
            A = [[int(i == j) + int(j == i + 1) for j in range(n)] for i in range(n)]
        M = A
    # disguised zeros where the matrix is 0
    M = [[ZERO if (a == 0 and draw(st.integers(0, 3)) == 0) else a for a in row] for row in M]
    return kind, M


def brute_force_error(fn, mats, rng) -> float:
    worst = 0.0
    for M in mats:
        n = M.shape[0]
        for scale in (0.01, 0.3, 1.0, 3.0, 30.0):
            for _ in range(30):
                x = rng.normal(scale=scale, size=n)
                x[rng.random(n) < 0.3] = 0.0
                lhs, rhs = fn(M @ x), M @ fn(x)
                err = np.abs(lhs - rhs).max() / (1 + max(np.abs(lhs).max(), np.abs(rhs).max()))
                worst = max(worst, float(err))
    return worst


def check_verdict(verdict, act, mats, rng):
    ref = REFERENCE[act]
    if verdict.admissible:
        assert brute_force_error(ref, mats, rng) <= 1e-6, verdict.reason
        return
    w = verdict.witness
    assert w is not None, verdict.reason
    lhs, rhs = ref(w.matrix @ w.x), w.matrix @ ref(w.x)
    err = np.abs(lhs - rhs).max() / (1 + max(np.abs(lhs).max(), np.abs(rhs).max()))
    assert err > WITNESS_TOLERANCE, (verdict.reason, w.x)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gens=st.lists(matrices(), min_size=1, max_size=2), act=st.sampled_from(ACTIVATIONS),
       seed=st.integers(0, 2**16), same_n=st.booleans())
def test_exact_verdicts_agree_with_brute_force(gens, act, seed, same_n):
    n = len(gens[0][1])
    mats = [m for _, m in gens if len(m) == n]
    rep = Representation.from_matrices(mats)
    assert rep.exact
    verdict = decide(rep, profile(act))
    floats = [np.array([[_value(e) for e in row] for row in m]) for m in mats]
    check_verdict(verdict, act, floats, np.random.default_rng(seed))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gen=matrices(), act=st.sampled_from(ACTIVATIONS), seed=st.integers(0, 2**16),
       noise=st.sampled_from([0.0, 1e-13, -3e-12]))
def test_float_verdicts_agree_with_brute_force(gen, act, seed, noise):
    """The same matrices as floats, with noise on the zero entries below the tolerance."""
    _, m = gen
    exact = Representation.from_matrices([m])
    M = np.array([[_value(e) for e in row] for row in m])
    M = np.where(np.array(exact.generators[0].tolist()) == 0, noise, M)
    rep = Representation.from_matrices([M])
    prof = profile(act)
    rng = np.random.default_rng(seed)
    try:
        verdict = decide(rep, prof, tol=1e-9)
    except InvalidInputError as err:
        # refused: a positive verdict that needed the tolerance, for an activation with a jump
        assert "depends on the tolerance" in str(err)
        assert noise != 0.0 and prof.name in ("sign", "hardshrink", "threshold(0.5, 0.1)"), err
        assert decide(exact, prof).admissible
        return
    check_verdict(verdict, act, [M], rng)
    t = verdict.tolerance
    assert t["tol"] == 1e-9
    absorbed_zero = noise != 0.0 and any(e == 0 for e in exact.generators[0])
    if absorbed_zero:
        assert t["depends_on_tolerance"] and t["largest_absorbed"] >= abs(noise) * 0.99
    # the float verdict is the exact verdict up to rounding
    assert verdict.admissible == decide(exact, prof).admissible


@pytest.mark.parametrize("act", ["sign", "hardshrink", "threshold(0.5, 0.1)"])
def test_jump_activations_refuse_tolerance_dependent_float_verdicts(act):
    eps = 2.4492935982947064e-16  # sin(2 pi) in float64
    rot = Representation.from_matrices([np.array([[1.0, eps], [-eps, 1.0]])])
    with pytest.raises(InvalidInputError, match="depends on the tolerance.*jumps at x = "):
        decide(rot, act)
    clean = Representation.from_matrices([np.eye(2)])
    assert decide(clean, act).tolerance["depends_on_tolerance"] is False
