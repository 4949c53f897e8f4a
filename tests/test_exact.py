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


# ---------------------------------------------------------------------- disguised zeros
DISGUISED_ZEROS = [
    "sqrt(3+2*sqrt(2)) - sqrt(2) - 1",
    "sqrt(5+2*sqrt(6)) - sqrt(2) - sqrt(3)",
    "sqrt(7+4*sqrt(3)) - 2 - sqrt(3)",
    "sqrt(11+6*sqrt(2)) - 3 - sqrt(2)",
    "cos(pi/7) + cos(3*pi/7) + cos(5*pi/7) - 1/2",
    "cos(pi/5) - (1+sqrt(5))/4",
    "2*cos(2*pi/5) - (sqrt(5)-1)/2",
    "sin(pi/12) - (sqrt(6)-sqrt(2))/4",
    "tan(pi/8) - sqrt(2) + 1",
    "(sqrt(2)+1)**8 - 577 - 408*sqrt(2)",
    "(1+sqrt(3))**2/2 - 2 - sqrt(3)",
    "sqrt(2)*sqrt(3) - sqrt(6)",
    "log(8) - 3*log(2)",
]


@pytest.mark.parametrize("z", DISGUISED_ZEROS)
def test_disguised_zeros_are_zero(z):
    assert is_exact_zero(sp.sympify(z))
    m = parse_matrix([[z, 1], [1, 0]])
    assert m[0, 0] == 0  # stored as the integer 0
    with pytest.raises(InvalidMatrixError, match="generator 0 is singular"):
        parse_matrices([[[z, 0], [0, 1]]])
    with pytest.raises(InvalidMatrixError, match=r"singular \(exact rank 1 < 2\)"):
        parse_matrices([[[1, 1], [1, f"1 + ({z})"]]])


@pytest.mark.parametrize("e", ["sqrt(2) - 1414213562373095/10**15", "2**(-200)",
                               "sqrt(3+2*sqrt(2)) - sqrt(2) - 1 + 10**-40",
                               "cbrt(2) - 1259921049894873/10**15"])
def test_tiny_nonzero_numbers_are_nonzero(e):
    assert not is_exact_zero(sp.sympify(e))
    assert parse_matrix([[e]])[0, 0] != 0


def test_tiny_transcendental_numbers_are_decided():
    assert not is_exact_zero(sp.exp(-100))  # 3.7e-44, proved nonzero by strict evaluation
    assert not is_exact_zero(sp.exp(sp.pi * sp.sqrt(163)) - 262537412640768744)  # -7.5e-13
    assert is_exact_zero(sp.log(8) - 3 * sp.log(2))


def test_undecidable_zero_is_refused():
    """Machin's formula is 0, but no step proves it: refused, not guessed (either way)."""
    machin = "4*atan(1/5) - atan(1/239) - pi/4"
    with pytest.raises(InvalidMatrixError, match="cannot decide whether the exact number"):
        is_exact_zero(sp.sympify(machin))
    with pytest.raises(InvalidMatrixError, match=r"generator 1 entry \(0, 0\): cannot decide"):
        parse_matrix([[machin, 1], [1, 0]], "generator 1")


def test_exact_rank_in_a_number_field():
    n = 40
    rows = [[sp.sqrt(2) * ((i * j) % 3) + ((i + j) % 5) for j in range(n)] for i in range(n)]
    rows[-1] = [a + sp.sqrt(2) * b for a, b in zip(rows[0], rows[1])]  # dependent row
    m = sp.ImmutableMatrix(rows)
    assert exact_rank(m) == np.linalg.matrix_rank(np.array(m.evalf(), dtype=float), tol=1e-9)
    assert exact_rank(m) < n
    # transcendental entries: no field is assumed (log 6 = log 2 + log 3)
    lg = sp.ImmutableMatrix([[sp.log(2), sp.log(3)], [sp.log(2), sp.log(6) - sp.log(2)]])
    assert exact_rank(lg) == 1


def test_huge_integers_are_refused():
    with pytest.raises(InvalidMatrixError, match=r"entry \(0, 0\) is an integer with 401 digits"):
        parse_matrix([[10**400]], "generator 0")
    with pytest.raises(InvalidMatrixError, match="beyond 10\\*\\*300"):
        parse_matrix([[Fraction(1, 10**301)]])
    with pytest.raises(InvalidMatrixError, match="integer with 401 digits"):
        parse_matrix([[sp.Integer(10)**400]])
    assert parse_matrix([[10**300]])[0, 0] == 10**300


@pytest.mark.parametrize("text, value", [
    ("1/2", sp.Rational(1, 2)), ("sqrt(3)/2", sp.sqrt(3) / 2), ("cos(pi/7)", sp.cos(sp.pi / 7)),
    ("2**(1/3)", sp.cbrt(2)), ("2^(1/3)", sp.cbrt(2)), ("-0.125", sp.Rational(-1, 8)),
    ("1.5e3", sp.Integer(1500)), ("GoldenRatio - 1", sp.GoldenRatio - 1),
    ("Rational(2, 6)", sp.Rational(1, 3)), ("root(8, 3)", sp.Integer(2)),
    ("-cos(pi/5)", -sp.cos(sp.pi / 5)), ("(1+sqrt(2))**8", 577 + 408 * sp.sqrt(2)),
])
def test_usual_strings_still_parse(text, value):
    assert is_exact_zero(parse_entry(text) - value)


def test_user_built_sympy_entries_get_the_string_bounds():
    # an unevaluated 2**(10**10) used to escape as OverflowError; an exp tower is still read
    # without evalf (which took 9 s and raised decimal.InvalidOperation)
    with pytest.raises(InvalidMatrixError, match="exponent larger than 256"):
        parse_entry(sp.Pow(2, 10**10, evaluate=False))
    with pytest.raises(InvalidMatrixError, match="expands to more than 2000 terms"):
        parse_entry(sp.Add(*[sp.sqrt(k) for k in range(2, 60)]) ** 4)
    tower = sp.exp(sp.exp(sp.exp(10, evaluate=False), evaluate=False), evaluate=False)
    assert parse_entry(tower) == tower
    assert parse_entry(sp.cos(2 * sp.pi / 5)) == (sp.sqrt(5) - 1) / 4
