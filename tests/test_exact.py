"""Parsing and validation of matrix entries (equiact.exact)."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from equiact.errors import InvalidMatrixError
from equiact.exact import (
    canonical,
    check_invertible,
    exact_equal,
    exact_inverse,
    exact_rank,
    is_exact_zero,
    parse_entry,
    parse_matrices,
    parse_matrix,
    to_float_array,
)
from equiact.representation import Representation

# ---------------------------------------------------------------------- entry kinds


@pytest.mark.parametrize(
    "value, expected",
    [
        (3, sp.Integer(3)),
        (-7, sp.Integer(-7)),
        (np.int64(5), sp.Integer(5)),
        (np.int8(-2), sp.Integer(-2)),
        (Fraction(2, 6), sp.Rational(1, 3)),
        (sp.Rational(-3, 4), sp.Rational(-3, 4)),
        (sp.sqrt(3) / 2, sp.sqrt(3) / 2),
        (sp.cos(sp.pi / 5), (1 + sp.sqrt(5)) / 4),
        ("1/2", sp.Rational(1, 2)),
        (" -3/9 ", sp.Rational(-1, 3)),
        ("0.125", sp.Rational(1, 8)),
        ("sqrt(3)/2", sp.sqrt(3) / 2),
        ("-cos(pi/5)", -(1 + sp.sqrt(5)) / 4),
        ("2^-1", sp.Rational(1, 2)),
        ("GoldenRatio", sp.GoldenRatio),
        ("1.5e3", sp.Integer(1500)),
        ("2E-2", sp.Rational(1, 50)),
        ("(10**16)**16", sp.Integer(10) ** 256),
    ],
)
def test_exact_entries(value, expected):
    got = parse_entry(value)
    assert isinstance(got, sp.Expr)
    assert is_exact_zero(got - expected)


@pytest.mark.parametrize("value", [0.5, np.float64(-1.25), np.float32(2.0), sp.Float(0.75)])
def test_float_entries_are_numeric(value):
    got = parse_entry(value)
    assert isinstance(got, float)
    assert got == float(value)


def test_exact_matrix_from_mixed_exact_kinds():
    m = parse_matrix([[1, Fraction(1, 2)], ["sqrt(2)", sp.Rational(3, 2)]])
    assert isinstance(m, sp.ImmutableMatrix)
    assert m[0, 1] == sp.Rational(1, 2) and m[1, 0] == sp.sqrt(2)


def test_numpy_integer_array_is_exact():
    m = parse_matrix(np.array([[0, 1], [1, 0]], dtype=np.int32))
    assert isinstance(m, sp.ImmutableMatrix)
    assert m == sp.ImmutableMatrix([[0, 1], [1, 0]])


def test_numpy_float_array_and_mixed_list_are_numeric():
    a = parse_matrix(np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert isinstance(a, np.ndarray) and a.dtype == np.float64
    b = parse_matrix([[0, "1/2"], [0.25, 0]])  # one float makes the matrix numeric
    assert isinstance(b, np.ndarray)
    np.testing.assert_array_equal(b, [[0, 0.5], [0.25, 0]])


def test_mixed_generators_make_all_numeric():
    ms, exact = parse_matrices([[[0, 1], [1, 0]], [[1.0, 0], [0, -1]]])
    assert not exact
    assert all(isinstance(m, np.ndarray) and m.dtype == np.float64 for m in ms)


def test_canonical_forms_coincide():
    assert canonical(1 / (1 + sp.sqrt(2))) == canonical(sp.sqrt(2) - 1)
    a = sp.ImmutableMatrix([[sp.sqrt(8), 0], [0, 1]])
    b = parse_matrix([["2*sqrt(2)", 0], [0, "1"]])
    assert exact_equal(a, b)
    assert not exact_equal(a, sp.ImmutableMatrix([[sp.sqrt(8), 0], [0, 2]]))


def test_to_float_array_values():
    f = to_float_array(parse_matrix([["sqrt(2)", "1/3"], [0, "-cos(pi/5)"]]))
    np.testing.assert_allclose(f, [[2**0.5, 1 / 3], [0, -np.cos(np.pi / 5)]], rtol=1e-15)


def test_exact_inverse_and_rank():
    m = parse_matrix([["sqrt(2)/2", "-sqrt(2)/2"], ["sqrt(2)/2", "sqrt(2)/2"]])
    inv = exact_inverse(m)
    assert exact_equal(inv, m.T)
    assert exact_rank(sp.ImmutableMatrix([[1, 2, 3], [2, 4, 6], [0, 0, 1]])) == 2


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "matrix, fragment",
    [
        ([[1, 2, 3], [4, 5, 6]], r"shape \(2, 3\)"),
        ([1, 2, 3], r"shape \(3,\)"),
        (np.zeros((2, 2, 2)), r"shape \(2, 2, 2\)"),
        (np.zeros((2, 3), dtype=int), r"shape \(2, 3\)"),
        ([[1, 2], [3]], r"rows of different lengths \[2, 1\]"),
        ([], r"shape \(0, 0\)"),
        ([[1, [2]], [3, 4]], "more than 2 dimensions"),
        ("[[1]]", "not a matrix"),
    ],
)
def test_bad_shapes(matrix, fragment):
    with pytest.raises(InvalidMatrixError, match=fragment):
        parse_matrix(matrix, "generator 0")


@pytest.mark.parametrize(
    "matrix, fragment",
    [
        ([[1, float("nan")], [0, 1]], r"entry \(0, 1\) is NaN"),
        (np.array([[1.0, 0.0], [np.inf, 1.0]]), r"entry \(1, 0\) is inf"),
        ([[1, 0], [0, -float("inf")]], r"entry \(1, 1\) is -inf"),
        ([[1, "nan"], [0, 1]], r"entry \(0, 1\) 'nan'"),
        ([[1, "x"], [0, 1]], r"entry \(0, 1\) 'x' is not a number: unknown name 'x'"),
        ([[1, sp.Symbol("y")], [0, 1]], r"entry \(0, 1\) y is not a number: it has the free"),
        ([["sqrt(-1)", 0], [0, 1]], r"entry \(0, 0\) 'sqrt\(-1\)' is not a real number"),
        ([["1/0", 0], [0, 1]], r"entry \(0, 0\) '1/0' is infinite"),
        ([["oo", 0], [0, 1]], r"entry \(0, 0\) 'oo' is not a number: unknown name 'oo'"),
        ([["1/", 0], [0, 1]], r"entry \(0, 0\) '1/'.* cannot be parsed"),
        ([["", 0], [0, 1]], r"entry \(0, 0\) is an empty string"),
        ([["__import__('os')", 0], [0, 1]], r"entry \(0, 0\) .* cannot be parsed"),
        ([["10**10**10", 0], [0, 1]],
         r"entry \(0, 0\) .10\*\*10\*\*10.: the exponent 10\*\*10 is larger than 256"),
        ([["((10**-99)**9)**9", 0], [0, 1]],
         r"entry \(0, 0\) .*: the constant \(10\*\*-99\)\*\*9 is too small: below 1e-300"),
        ([["1e-999", 0], [0, 1]], r"entry \(0, 0\) '1e-999' has an exponent larger"),
        ([["(9**256)*(9**256)", 0], [0, 1]],
         r"entry \(0, 0\) .*: the constant \(9\*\*256\)\*\(9\*\*256\) is too large"),
        ([["3e", 0], [0, 1]], r"entry \(0, 0\) '3e' is not a number: unknown name 'e'"),
        ([[{"a": 1}, 0], [0, 1]], r"entry \(0, 0\) \{'a': 1\} of type dict is not a number"),
        ([[1 + 2j, 0], [0, 1]], r"entry \(0, 0\) \(1\+2j\) is not a real number"),
        ([[sp.I, 0], [0, 1]], r"entry \(0, 0\) I is not a real number"),
    ],
)
def test_bad_entries_name_position_and_value(matrix, fragment):
    with pytest.raises(InvalidMatrixError, match="generator 3 " + fragment):
        parse_matrix(matrix, "generator 3")


def test_mismatched_sizes_name_both():
    with pytest.raises(InvalidMatrixError, match="generator 2 is 3x3 but generator 0 is 2x2"):
        parse_matrices([np.eye(2), np.eye(2), np.eye(3)])


def test_lie_algebra_size_must_match_group_generators():
    with pytest.raises(
        InvalidMatrixError,
        match="lie_algebra generator 0 is 3x3 but the group generators are 2x2",
    ):
        Representation.from_matrices([[[0, 1], [1, 0]]], lie_algebra=[np.zeros((3, 3))])


def test_singular_exact():
    with pytest.raises(InvalidMatrixError, match="generator 1 is singular .*exact rank 1 < 2.*"
                       "a representation must consist of invertible matrices"):
        Representation.from_matrices([np.eye(2, dtype=int), [[1, 2], ["1/2", 1]]])


def test_singular_exact_algebraic():
    # det = sqrt(2)*sqrt(8) - 4 = 0 exactly; the float copy is singular only up to rounding
    with pytest.raises(InvalidMatrixError, match="singular"):
        check_invertible(parse_matrix([["sqrt(2)", 2], [2, "sqrt(8)"]]), "generator 0")
    check_invertible(parse_matrix([["sqrt(2)", 2], [2, "sqrt(8) + 1/10**12"]]))


def test_singular_float_uses_condition_number():
    with pytest.raises(InvalidMatrixError, match=r"generator 0 is singular in floating point "
                       r"\(smallest singular value .*condition number .*exceeds 1e\+12\)"):
        Representation.from_matrices([[[1.0, 1.0], [1.0, 1.0 + 1e-14]]])
    # well-conditioned float matrices pass
    Representation.from_matrices([[[1.0, 1.0], [1.0, 1.0 + 1e-6]]])


def test_lie_algebra_may_be_singular_but_must_be_finite():
    rep = Representation.from_matrices(lie_algebra=[[[0, -1], [1, 0]], [[0, 0], [0, 0]]])
    assert rep.dim == 2 and len(rep.lie_algebra) == 2
    with pytest.raises(InvalidMatrixError, match=r"lie_algebra generator 1 entry \(1, 1\) is NaN"):
        Representation.from_matrices(lie_algebra=[np.zeros((2, 2)), [[0, 0], [0, float("nan")]]])


def test_single_matrix_instead_of_list():
    with pytest.raises(InvalidMatrixError, match="single 2x2 array; give a list of matrices"):
        Representation.from_matrices(np.eye(2))
    with pytest.raises(InvalidMatrixError, match=r"shape \(2,\): it is a vector"):
        Representation.from_matrices([[0, 1], [1, 0]])


def test_no_matrices():
    with pytest.raises(InvalidMatrixError, match="no matrices given"):
        Representation.from_matrices([], [])
