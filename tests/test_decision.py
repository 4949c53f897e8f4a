"""The decision engine against THEORY.md sections 2-3, the paper's examples, and brute force."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equiact.activations import analyze_activation
from equiact.decision import WITNESS_TOLERANCE, commutation_error, decide
from equiact.representation import Representation
from equiact.scalar_group import ScalarGroupKind

K = ScalarGroupKind

# THEORY.md's example functions, as sympy expressions in x.
LOG2_PERIODIC_ODD = "x*(2 + sin(2*pi*log(Abs(x), 2)))"  # <±2>
LOG2_PERIODIC = (  # <2>
    "Piecewise((x*(2 + sin(2*pi*log(x, 2))), x > 0), (3*x*(2 + sin(2*pi*log(-x, 2))), True))"
)
ALTERNATING = (  # <-2>
    "Piecewise((x*(2 + sin(pi*log(x, 2))), x > 0), (x*(2 - sin(pi*log(-x, 2))), True))"
)


def rep(*gens, lie=()):
    return Representation.from_matrices(list(gens), lie_algebra=list(lie))


def verify_witness(verdict):
    """Recompute the witness independently of the engine."""
    w = verdict.witness
    assert w is not None, verdict.reason
    fn = verdict.activation.numpy_fn
    M = w.matrix
    lhs = fn(M @ w.x)
    rhs = M @ fn(w.x)
    scale = 1 + max(np.abs(lhs).max(), np.abs(rhs).max())
    assert np.abs(lhs - rhs).max() / scale > WITNESS_TOLERANCE
    np.testing.assert_allclose(lhs, w.lhs)
    np.testing.assert_allclose(rhs, w.rhs)


# One admissible and one inadmissible case per row of THEORY.md's table.
TABLE = [
    # T_f = {1}: every function; permutation matrices
    ("gelu", [[0, 1], [1, 0]], True),
    ("gelu", [[0, -1], [1, 0]], False),
    # {±1}: odd; signed permutation matrices
    ("tanh", [[0, -1], [1, 0]], True),
    ("tanh", [[0, 2], ["1/2", 0]], False),
    # <2>: 2-multiplicative, not odd
    (LOG2_PERIODIC, [[2, 0], [0, "1/4"]], True),
    (LOG2_PERIODIC, [[-1, 0], [0, 1]], False),
    # <±2>: odd and 2-multiplicative
    (LOG2_PERIODIC_ODD, [[0, -2], ["1/2", 0]], True),
    (LOG2_PERIODIC_ODD, [[3, 0], [0, 1]], False),
    # <-2>: f(-2x) = -2 f(x), neither odd nor 2-multiplicative
    (ALTERNATING, [[-2, 0], [0, 4]], True),
    (ALTERNATING, [[2, 0], [0, 1]], False),
    (ALTERNATING, [[-1, 0], [0, 1]], False),
    # R>0: semilinear; non-negative monomial
    ("relu", [[0, 2], ["1/2", 0]], True),
    ("leaky_relu(0.2)", [[-1, 0], [0, 1]], False),
    # R*: linear; every invertible matrix
    ("identity", [["1/2", "-sqrt(3)/2"], ["sqrt(3)/2", "1/2"]], True),
    ("affine(2, 1)", [["1/2", "-sqrt(3)/2"], ["sqrt(3)/2", "1/2"]], False),  # f(0) != 0
]


@pytest.mark.parametrize("activation, matrix, expected", TABLE)
def test_theory_table(activation, matrix, expected):
    verdict = decide(rep(matrix), activation)
    assert verdict.admissible is expected, verdict.reason
    if expected:
        assert verdict.witness is None
        assert verdict.check["max_error"] < 1e-9
    else:
        verify_witness(verdict)


def test_paper_z2_example():
    swap = rep([[0, 2], ["1/2", 0]])
    assert decide(swap, "relu").admissible
    assert decide(swap, LOG2_PERIODIC_ODD).admissible
    refused = decide(swap, "tanh")
    assert not refused.admissible
    assert refused.violations[0].kind == "entry"
    assert refused.T.kind is K.DISCRETE and refused.T.b == 2
    verify_witness(refused)


def test_paper_rotation_example():
    rot = rep([[0, -1], [1, 0]])
    assert decide(rot, "tanh").admissible
    refused = decide(rot, "relu")
    assert not refused.admissible and refused.T.kind is K.SIGN
    verify_witness(refused)
    # ReLU(-x) != -ReLU(x): the witness moves a positive coordinate through the -1 entry
    assert "-1" in refused.violations[0].value


def test_sigmoid_signed_permutation_refused_for_f0():
    verdict = decide(rep([[0, -1], [1, 0]]), "sigmoid")
    assert not verdict.admissible
    assert {v.kind for v in verdict.violations} == {"row_sum"}
    verify_witness(verdict)
    # but a plain permutation is fine
    assert decide(rep([[0, 1], [1, 0]]), "sigmoid").admissible


def test_non_monomial_needs_affine():
    rot60 = rep([["1/2", "-sqrt(3)/2"], ["sqrt(3)/2", "1/2"]])
    verdict = decide(rot60, "tanh")
    assert not verdict.admissible and verdict.violations[0].kind == "row"
    assert not verdict.monomial
    verify_witness(verdict)
    assert "linear" in verdict.admitted_activations
    # an affine f with f(0) != 0 is fine when every row sums to 1
    stochastic = rep([["1/2", "1/2"], [0, 1]])
    assert decide(stochastic, "affine(3, 1)").admissible
    assert not decide(stochastic, "relu").admissible


def test_exact_T_of_matrices_and_bias():
    verdict = decide(rep([[0, 0, 1], [1, 0, 0], [0, 1, 0]]), "relu")
    assert verdict.admissible and verdict.T.kind is K.TRIVIAL
    assert verdict.bias_basis.shape == (3, 1)
    np.testing.assert_allclose(verdict.bias_basis[:, 0] / verdict.bias_basis[0, 0], [1, 1, 1])
    signed = decide(rep([[0, -1], [1, 0]]), "tanh")
    assert signed.bias_basis.shape == (2, 0)


def test_float_input_with_noise():
    M = np.array([[0.0, -1.0], [1.0, 0.0]]) + 1e-12
    assert decide(rep(M), "tanh").admissible
    assert not decide(rep(M), "relu").admissible


def test_float_entries_below_tolerance_are_not_dropped():
    # a row's only entry is never noise (the matrix is invertible), however small
    for M, act in (([[1e-10, 0.0], [0.0, 1.0]], "tanh"), ([[0.0, -1e-10], [1e10, 0.0]], "relu")):
        verdict = decide(rep(M), act)
        assert not verdict.admissible, verdict.reason
        assert verdict.monomial
        verify_witness(verdict)
    # noise next to a real entry is still dropped
    assert decide(rep(np.array([[1e-12, 1.0], [1.0, 0.0]])), "relu").admissible


def test_scalings_beyond_the_analysis_search_are_checked_by_the_decision():
    # the activation analysis searches bases up to 16; base 20 is found by the decision itself
    expr = "x*(2 + sin(2*pi*log(Abs(x), 20)))"
    verdict = decide(rep([[0, -20], ["1/20", 0]]), expr)
    assert verdict.admissible, verdict.reason
    assert verdict.activation.T.label == "<±20>" and verdict.activation.how == "symbolic"
    assert "sympy proved f0(-20 x)" in verdict.activation.evidence

    def black_box(x):
        return x * (2 + np.sin(2 * np.pi * np.log(np.abs(x) + 1e-300) / np.log(20)))

    verdict = decide(rep([[20, 0], [0, 1]]), black_box)
    assert verdict.admissible and verdict.activation.T.label == "<±20>"
    assert verdict.activation.how == "numerical"
    # scalings that are no symmetry are still refused, with a witness
    verdict = decide(rep([[20, 0], [0, 3]]), black_box)
    assert not verdict.admissible and "entry (1, 1)" in verdict.reason
    verify_witness(verdict)
    # a catalogue class is exact: nothing is added
    assert not decide(rep([[20]]), "tanh").admissible


def test_lie_algebra_T_of_connected_part():
    # exp(sX) for a non-diagonal X has entries s X_ij + O(s^2) of both signs: T(M) = R*
    for X in ([[0, -1], [1, 0]], [[0, 1], [0, 0]], [[1, -1], [2, -2]]):
        verdict = decide(rep(lie=[X]), "tanh")
        assert verdict.T.kind is K.ALL and not verdict.monomial
    assert decide(rep([[-1, 0], [0, 1]], lie=[[[0, -1], [1, 0]]]), "relu").T.kind is K.ALL
    # diagonal X: positive rescalings, R>0
    assert decide(rep(lie=[[[1, 0], [0, -2]]]), "relu").T.kind is K.POSITIVE


def test_lie_algebra():
    so2 = rep(lie=[[[0, -1], [1, 0]]])
    for act in ("tanh", "relu", "sigmoid"):
        verdict = decide(so2, act)
        assert not verdict.admissible and verdict.violations[0].kind == "lie"
        assert "invariant" in verdict.reason
        verify_witness(verdict)
    assert decide(so2, "identity").admissible
    # positive rescalings exp(sX) with X diagonal are fine for ReLU (not only X = 0)
    scaling = rep(lie=[[[1, 0], [0, 0]]])
    assert decide(scaling, "relu").admissible
    assert not decide(scaling, "tanh").admissible
    # O(3) pseudo-scalar: the identity component acts trivially, -1 survives for odd f
    pseudo = rep([[-1]], lie=[[[0]], [[0]], [[0]]])
    assert decide(pseudo, "tanh").admissible
    assert not decide(pseudo, "relu").admissible


ENTRIES = [1, -1, 2, Fraction(1, 2), -2, 3]
ACTIVATIONS = ["relu", "tanh", "gelu", "identity", "sigmoid", "leaky_relu(0.2)", "abs", "cube",
               "softsign", "elu"]


@st.composite
def matrices(draw):
    """Random monomial matrices, half of them made non-monomial by adding one row to another."""
    n = draw(st.integers(min_value=1, max_value=4))
    perm = draw(st.permutations(list(range(n))))
    M = [[Fraction(0)] * n for _ in range(n)]
    for i, j in enumerate(perm):
        M[i][j] = Fraction(draw(st.sampled_from(ENTRIES)))
    if n >= 2 and draw(st.booleans()):
        i = draw(st.integers(min_value=0, max_value=n - 1))
        k = (i + draw(st.integers(min_value=1, max_value=n - 1))) % n
        M[i] = [a + b for a, b in zip(M[i], M[k])]  # still invertible
    return M


def brute_force_commutes(fn, M, rng) -> bool:
    M = np.array(M, dtype=float)
    n = M.shape[0]
    for scale in (0.01, 0.3, 1.0, 3.0, 30.0):
        for _ in range(40):
            x = rng.normal(scale=scale, size=n)
            x[rng.random(n) < 0.3] = 0.0
            if commutation_error(fn, M, x)[0] > 1e-6:
                return False
    return True


@settings(max_examples=80, deadline=None)
@given(M=matrices(), act=st.sampled_from(ACTIVATIONS), seed=st.integers(0, 2**16))
def test_verdict_agrees_with_brute_force(M, act, seed):
    profile = analyze_activation(act)
    verdict = decide(rep(M), profile)
    assert verdict.admissible == brute_force_commutes(profile.numpy_fn, M,
                                                      np.random.default_rng(seed))
    if not verdict.admissible:
        verify_witness(verdict)


def test_verdict_json_fields():
    data = decide(rep([[0, 2], ["1/2", 0]]), "tanh").to_json()
    assert data["admissible"] is False
    assert data["T"]["label"] == "<2>"
    assert data["activation"]["T"]["label"] == "{±1}"
    assert set(data["witness"]) >= {"generator", "x", "lhs", "rhs"}
    assert isinstance(data["reason"], str) and "T_f" in data["reason"]


def test_group_order_of_dense_exact_matrices_uses_floats():
    # exact closure in a number field took 5 s for S24's standard representation, minutes for
    # S64's; the order alone is computed in float64 (or not at all for large dense matrices)
    from equiact.groups import named_representation

    verdict = decide(named_representation("A5", "standard"), "tanh")
    assert verdict.group_order == 60 and "float64 closure" in verdict.group_order_note
    assert decide(named_representation("S4", "natural"), "relu").group_order == 24
    v = np.ones(130) / np.sqrt(130)
    reflection = np.eye(130) - 2 * np.outer(v, v)
    big = decide(rep(reflection), "identity")
    assert big.group_order is None and "not computed" in big.group_order_note


def test_group_order_reported():
    unbounded = decide(rep(np.array([[1e6, 1.0], [0.0, 1.0]])), "relu")
    assert unbounded.group_order is None and "infinite" in unbounded.group_order_note
    assert decide(rep([[0, -1], [1, 0]]), "tanh").group_order == 4
    assert decide(rep([[0, 2], ["1/2", 0]]), "relu").group_order == 2
    infinite = decide(rep([[2]]), "relu")
    assert infinite.group_order is None and "infinite" in infinite.group_order_note
    assert decide(rep(lie=[[[0, -1], [1, 0]]]), "identity").group_order is None


def test_group_order_survives_float_overflow():
    """Entries from 1e-300 to 2 in one non-monomial matrix: the float closure overflows."""
    M = [[-1e-12, "1/2", 1e-09], [1e-09, 1e-300, 0], [1e-09, 2, "sqrt(2)"]]
    verdict = decide(rep(M), "identity")
    assert verdict.admissible and verdict.group_order is None
    assert "order" in verdict.group_order_note
