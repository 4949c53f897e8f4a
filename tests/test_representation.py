"""Representation constructions and closure (equiact.representation)."""

import itertools
import re

import numpy as np
import pytest
import sympy as sp

from equiact.errors import (
    ClosureLimitError,
    InvalidInputError,
    InvalidMatrixError,
    NotFiniteGroupError,
)
from equiact.exact import exact_equal, is_exact_zero
from equiact.groups import named_representation
from equiact.representation import DEFAULT_CLOSURE_LIMIT, FiniteMatrixGroup, Representation

SWAP = [[0, 1], [1, 0]]
ROT90 = [[0, -1], [1, 0]]


def _check_group_tables(G: FiniteMatrixGroup, rep: Representation, samples=30, seed=0):
    """generator_permutations, words and index_of agree with actual matrix products."""
    rng = np.random.default_rng(seed)
    gens = rep.generators if G.exact else rep.numeric_generators()
    if G.exact and "algebraic number field" in G.how:
        # entries such as cos(2 pi/7): sympy cannot normalise products quickly, so compare
        # with 50 significant digits (the closure itself is exact in the number field)
        def same(a, b):
            d = (sp.Matrix(a) - sp.Matrix(b)).evalf(50)
            return all(abs(x) < 1e-40 for x in d)
    else:
        same = exact_equal
    elems = G.elements
    assert G.order == len(elems)
    ident = sp.eye(G.dim) if G.exact else np.eye(G.dim)
    if G.exact:
        assert elems[0] == ident
    else:
        np.testing.assert_allclose(elems[0], ident, atol=1e-12)
    for _ in range(samples):
        j = int(rng.integers(G.order))
        for i, g in enumerate(gens):
            k = int(G.generator_permutations[i][j])
            if G.exact:
                assert same(sp.ImmutableMatrix(sp.Matrix(g) * elems[j]), elems[k])
            else:
                np.testing.assert_allclose(g @ elems[j], elems[k], atol=1e-8)
        word_product = ident
        for i in G.words[j]:
            word_product = sp.Matrix(word_product) * gens[i] if G.exact else word_product @ gens[i]
        if G.exact:
            assert same(sp.ImmutableMatrix(word_product), elems[j])
        else:
            np.testing.assert_allclose(word_product, elems[j], atol=1e-8)
        assert G.index_of(elems[j]) == j
    # BFS: word lengths are shortest, so one generator step changes the length by at most 1
    lengths = np.array([len(w) for w in G.words])
    assert np.all(np.diff(lengths) >= 0)
    for p in G.generator_permutations:
        assert sorted(p.tolist()) == list(range(G.order))  # a permutation of the elements
        assert np.all(lengths[p] <= lengths + 1)


# ---------------------------------------------------------------------- basics


def test_properties_exact_and_numeric():
    r = Representation.from_matrices([SWAP], lie_algebra=[[[0, 0], [0, 0]]], name="swap",
                                     group_name="C2")
    assert (r.dim, r.exact, r.name, r.group_name) == (2, True, "swap", "C2")
    assert isinstance(r.generators[0], sp.ImmutableMatrix)
    (g,) = r.numeric_generators()
    assert g.dtype == np.float64 and not g.flags.writeable
    np.testing.assert_array_equal(g, SWAP)
    np.testing.assert_array_equal(r.numeric_lie_algebra()[0], np.zeros((2, 2)))
    f = Representation.from_matrices([np.array(SWAP, dtype=float)])
    assert not f.exact and isinstance(f.generators[0], np.ndarray)


def test_equality_by_content_not_repr():
    a = Representation.from_matrices([SWAP], name="a")
    b = Representation.from_matrices([[["0", "2/2"], [Fraction(1), 0]]], name="b")
    c = Representation.from_matrices([[[0, "sqrt(4)/2"], [1, 0]]])
    assert a == b == c and repr(a) != repr(b)
    assert hash(a) == hash(b)
    assert a != Representation.from_matrices([ROT90])
    assert a != Representation.from_matrices([np.array(SWAP, dtype=float)])  # exact vs float
    r1 = Representation.from_matrices([[["sqrt(8)"]]])
    r2 = Representation.from_matrices([[["2*sqrt(2)"]]])
    assert r1 == r2


# ---------------------------------------------------------------------- constructions


def test_direct_sum_dims_blocks_exactness():
    a = Representation.from_matrices([SWAP], lie_algebra=[np.zeros((2, 2), dtype=int)], name="a")
    b = Representation.from_matrices([[[-1]]], lie_algebra=[[[0]]], name="b")
    s = a.direct_sum(b)
    assert s.dim == 3 and s.exact and s.name == "a + b"
    assert s.generators[0] == sp.ImmutableMatrix([[0, 1, 0], [1, 0, 0], [0, 0, -1]])
    assert s.lie_algebra[0] == sp.zeros(3, 3)
    mixed = a.direct_sum(Representation.from_matrices([[[-1.0]]], lie_algebra=[[[0.0]]]))
    assert not mixed.exact
    np.testing.assert_array_equal(mixed.generators[0], [[0, 1, 0], [1, 0, 0], [0, 0, -1]])
    triple = Representation.direct_sum_of([a, b, a])
    assert triple.dim == 5 and triple.closure().order == 2


def test_pairing_errors():
    one = Representation.from_matrices([SWAP])
    two = Representation.from_matrices([SWAP, SWAP])
    with pytest.raises(InvalidInputError, match="1 and 2 group generators; generators are paired"):
        one.direct_sum(two)
    with pytest.raises(InvalidInputError, match="tensor: the representations have 1 and 2"):
        one.tensor(two)
    lie = Representation.from_matrices([SWAP], lie_algebra=[np.zeros((2, 2))])
    with pytest.raises(InvalidInputError, match="0 and 1 Lie algebra generators"):
        one.direct_sum(lie)
    with pytest.raises(InvalidInputError, match="give at least one"):
        Representation.direct_sum_of([])
    with pytest.raises(InvalidInputError, match="expected a Representation, got list"):
        one.tensor([SWAP])


def test_tensor_is_kronecker_and_lie_rule():
    a = named_representation("S3", "natural")
    b = named_representation("S3", "standard")
    t = a.tensor(b)
    assert t.dim == 6 and t.exact and t.closure().order == 6
    for g, x, y in zip(t.generators, a.generators, b.generators):
        assert exact_equal(g, sp.ImmutableMatrix(sp.kronecker_product(sp.Matrix(x), sp.Matrix(y))))
    so3 = named_representation("SO3", "vector")
    tt = so3.tensor(so3)
    for X, L in zip(tt.numeric_lie_algebra(), so3.numeric_lie_algebra()):
        np.testing.assert_array_equal(X, np.kron(L, np.eye(3)) + np.kron(np.eye(3), L))
    # exp of the tensor Lie algebra element is the tensor square of the group element
    from scipy.linalg import expm

    A = 0.7 * so3.numeric_lie_algebra()[0] + 0.3 * so3.numeric_lie_algebra()[2]
    B = 0.7 * tt.numeric_lie_algebra()[0] + 0.3 * tt.numeric_lie_algebra()[2]
    np.testing.assert_allclose(expm(B), np.kron(expm(A), expm(A)), atol=1e-12)
    f = a.tensor(Representation.from_matrices([np.eye(1), -np.eye(1)]))
    assert not f.exact and f.dim == 3


def test_change_of_basis_exact_and_float():
    r = named_representation("S3", "natural")
    P = [[1, 1, 0], [1, -1, 1], [1, 0, -1]]
    c = r.change_of_basis(P)
    assert c.exact and c.dim == 3
    Pm = sp.Matrix(P)
    for g, h in zip(r.generators, c.generators):
        assert Pm * h == sp.Matrix(g) * Pm  # P^-1 g P, exactly
    assert c.closure().order == 6
    cf = r.change_of_basis(np.array(P, dtype=float))
    assert not cf.exact
    np.testing.assert_allclose(cf.numeric_generators()[1], c.numeric_generators()[1], atol=1e-14)
    # algebraic change of basis: the orthogonal Helmert basis gives back an orthogonal matrix
    H = sp.Matrix([[1 / sp.sqrt(3), 1 / sp.sqrt(2), 1 / sp.sqrt(6)],
                   [1 / sp.sqrt(3), -1 / sp.sqrt(2), 1 / sp.sqrt(6)],
                   [1 / sp.sqrt(3), 0, -2 / sp.sqrt(6)]])
    o = r.change_of_basis(H)
    assert o.exact
    for g in o.generators:
        assert sp.Matrix(g) * sp.Matrix(g).T == sp.eye(3)
        assert g[0, 0] == 1 and g[0, 1] == 0 and g[1, 0] == 0  # the trivial summand splits off
    with pytest.raises(InvalidMatrixError, match="change of basis P is singular"):
        r.change_of_basis([[1, 1, 0], [1, 1, 0], [0, 0, 1]])
    with pytest.raises(InvalidMatrixError, match="change of basis P is 2x2 but the representation "
                       "has dimension 3"):
        r.change_of_basis(np.eye(2))


def test_dual():
    r = Representation.from_matrices([[[0, 2], ["1/2", 0]]], lie_algebra=[[[1, 2], [3, 4]]])
    d = r.dual()
    assert d.generators[0] == sp.ImmutableMatrix([[0, 2], ["1/2", 0]]).inv().T
    assert d.lie_algebra[0] == -sp.ImmutableMatrix([[1, 2], [3, 4]]).T
    assert d.dual() == r
    f = Representation.from_matrices([[[0, 2.0], [0.5, 0]]]).dual()
    np.testing.assert_allclose(f.generators[0], [[0, 0.5], [2, 0]])  # inverse transpose


# ---------------------------------------------------------------------- closure


def test_closure_tables_exact_dense_monomial_and_float():
    for rep in [named_representation("I", "vector"),            # algebraic (golden ratio)
                named_representation("S4", "natural"),         # monomial
                named_representation("S4", "standard"),        # dense, sqrt entries
                named_representation("Q8", "quaternion"),      # signed permutations
                Representation.from_matrices([[[0, 2], ["1/2", 0]]]),  # rational monomial
                Representation.from_matrices([[[0, -1], [1, -1]], SWAP]),  # dense integer S3
                Representation.from_matrices(named_representation("I", "vector")
                                             .numeric_generators())]:
        G = rep.closure()
        _check_group_tables(G, rep, samples=12)


def test_icosahedral_exact_order_60():
    rep = named_representation("I", "vector")
    G = rep.closure()
    assert G.order == 60 and G.exact and "degree 2" in G.how
    # all elements orthogonal with det 1, entries in Q(sqrt 5)
    for m in G.elements:
        assert (sp.Matrix(m) * sp.Matrix(m).T).applyfunc(sp.expand) == sp.eye(3)
        assert sp.expand(sp.Matrix(m).det()) == 1
        assert all(x.free_symbols == set() and not x.has(sp.sqrt(2)) for x in m)
    # element orders of A5: 1 + 15 + 20 + 24
    orders = {}
    for j in range(G.order):
        k, p = 1, j
        while p != 0:
            p = G.product_index(j, p)
            k += 1
        orders[k] = orders.get(k, 0) + 1
    assert orders == {1: 1, 2: 15, 3: 20, 5: 24}


def test_rotation_by_2pi_over_5_with_differently_written_entries():
    # the same rotation written with cos/sin and with nested radicals: keys must coincide
    rot = [["cos(2*pi/5)", "-sin(2*pi/5)"], ["sin(2*pi/5)", "cos(2*pi/5)"]]
    inv = [["(sqrt(5)-1)/4", "sqrt(10+2*sqrt(5))/4"], ["-sqrt(10+2*sqrt(5))/4", "(sqrt(5)-1)/4"]]
    G = Representation.from_matrices([rot, inv]).closure()
    assert G.order == 5 and G.exact
    assert G.product_index(G.index_of(rot), G.index_of(inv)) == 0
    H = Representation.from_matrices([rot, [[1, 0], [0, -1]]]).closure()
    assert H.order == 10
    _check_group_tables(H, Representation.from_matrices([rot, [[1, 0], [0, -1]]]))


def test_permutation_group_720_exact_and_float():
    rep = named_representation("S6", "natural")
    G = rep.closure()
    assert G.order == 720 and G.exact
    Gf = Representation.from_matrices(rep.numeric_generators()).closure()
    assert Gf.order == 720 and not Gf.exact
    _check_group_tables(Gf, Representation.from_matrices(rep.numeric_generators()), samples=20)


def test_float_group_of_order_1000():
    rep = Representation.from_matrices(named_representation("D500", "standard")
                                       .numeric_generators())
    G = rep.closure()
    assert G.order == 1000
    _check_group_tables(G, rep, samples=20)


@pytest.mark.parametrize("group, rep, order", [("S4", "standard", 24), ("I", "vector", 60),
                                               ("D8", "standard", 16), ("Q8", "quaternion", 8),
                                               ("A5", "natural", 60)])
def test_float_input_with_noise_closes_to_the_right_order(group, rep, order):
    rng = np.random.default_rng(7)
    gens = [g + 1e-12 * rng.standard_normal(g.shape)
            for g in named_representation(group, rep).numeric_generators()]
    G = Representation.from_matrices(gens).closure()
    assert G.order == order


def test_exact_input_outside_small_number_fields_falls_back_to_float():
    r = named_representation("C17", "rotation")
    G = r.closure()
    assert G.order == 17 and not G.exact and "float64 although the input is exact" in G.how
    assert isinstance(G.elements[3], np.ndarray)


def test_closure_ignores_lie_algebra_o3_component_group():
    G = named_representation("O3", "vector").closure()
    assert G.order == 2
    assert {tuple(m) for m in G.elements} == {tuple(sp.eye(3)), tuple(-sp.eye(3))}
    assert named_representation("SO3", "vector").closure().order == 1


def test_limit_errors():
    with pytest.raises(ClosureLimitError, match=r"more than 100 elements \(or is infinite.*"
                       r"pass limit=\.\.\."):
        # two involutions whose product -[[1, 0], [-1, 1]] has infinite order
        Representation.from_matrices([[[-1, 0], [1, 1]], [[1, 0], [0, -1]]]).closure(limit=100)
    with pytest.raises(NotFiniteGroupError, match="trace 2 = the dimension but is not the"):
        Representation.from_matrices([[[1, 1], [0, 1]]]).closure()
    with pytest.raises(NotFiniteGroupError, match="the product of generators 0 and 1 has trace"):
        Representation.from_matrices([[[-1, 0], [1, 1]], [[-1, 0], [0, 1]]]).closure()
    with pytest.raises(ClosureLimitError, match="more than 23 elements"):
        named_representation("S4", "natural").closure(limit=23)
    assert named_representation("S4", "natural").closure(limit=24).order == 24
    with pytest.raises(ClosureLimitError, match="more than 50 elements"):
        Representation.from_matrices([[[1.0, 1.0], [0.0, 1.0]]]).closure(limit=50)
    assert DEFAULT_CLOSURE_LIMIT >= 100_000
    with pytest.raises(InvalidInputError, match="limit must be a positive integer, got 0"):
        named_representation("S3", "natural").closure(limit=0)
    with pytest.raises(InvalidInputError, match="limit must be a positive integer, got 'x'"):
        named_representation("S3", "natural").closure(limit="x")


def test_float_closure_that_overflows_is_refused():
    # |det| = 1e6 is not tested when cond * max entry is large; the powers overflow float64
    rep = Representation.from_matrices([[[1e6, 1.0], [0.0, 1.0]]])
    with pytest.raises(NotFiniteGroupError, match="overflows float64"):
        rep.closure()


def test_rational_elements_of_infinite_order_refused_at_once():
    # orthogonal with rational entries, so bounded, but of infinite order: the closure used to
    # multiply fractions with ever longer denominators up to the limit (minutes)
    rot = [["3/5", "-4/5"], ["4/5", "3/5"]]
    with pytest.raises(NotFiniteGroupError, match="characteristic polynomial coefficient -6/5"):
        Representation.from_matrices([rot]).closure()
    # two reflections of finite order whose product is that rotation
    reflections = [[[1, 0], [0, -1]], [["3/5", "4/5"], ["4/5", "-3/5"]]]
    with pytest.raises(NotFiniteGroupError, match="product of generators 0 and 1 has the char"):
        Representation.from_matrices(reflections).closure()


@pytest.mark.parametrize("matrix, fragment", [
    ([[1, 1], [-1, 1]], "generator 0 has determinant 2, and |det| != 1"),
    ([[0, 1], [1, 0]], None),
    ([[0, 2], ["1/2", 0]], None),
    ([[2, 1], [1, 1]], "eigenvalue of modulus 2.61803"),
    ([[1.5, 0.1], [0, 1]], "determinant 1.5,"),
    ([["sqrt(2)", 1], [0, 1]], "determinant 1.41421"),
    ([[2]], "monomial and the product of its entries along the cycle [0] is 2, not +-1"),
    ([[0, 2], ["1/3", 0]], "along the cycle [0, 1] is 0.666667, not +-1: it has an eigenvalue "
                           "of modulus 0.816497"),
    ([[0, 0, "sqrt(2)"], [1, 0, 0], [0, "sqrt(2)/4", 0]], "along the cycle [0, 1, 2] is 0.5"),
    ([[0, 0, 1.0], [1, 0, 0], [0, 1.001, 0]], "along the cycle [0, 1, 2] is 1.001"),
])
def test_obviously_infinite_generators_refused(matrix, fragment):
    rep = Representation.from_matrices([matrix])
    if fragment is None:
        assert rep.closure().order == 2
        return
    with pytest.raises(NotFiniteGroupError, match=re.escape(fragment)):
        rep.closure()


def test_index_of_non_element_and_float_lookup_in_exact_group():
    G = named_representation("S3", "natural").closure()
    with pytest.raises(InvalidInputError, match="not an element of the group"):
        G.index_of(np.eye(3, dtype=int) * 2)
    with pytest.raises(InvalidInputError, match="matrix is 2x2 but the group consists of 3x3"):
        G.index_of(np.eye(2))
    perm = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=float)
    j = G.index_of(perm)
    np.testing.assert_array_equal(np.array(G.element(j), dtype=float), perm)
    for a, b in itertools.product(range(6), repeat=2):
        assert G.element(G.product_index(a, b)) == G.element(a) * G.element(b)
    for a in range(6):
        assert G.product_index(a, G.inverse_index(a)) == 0


def test_random_element_is_uniform_enough():
    G = named_representation("S3", "natural").closure()
    rng = np.random.default_rng(3)
    counts = np.bincount([G.index_of(G.random_element(rng)) for _ in range(600)], minlength=6)
    assert counts.min() > 60  # expected 100 each


def test_traces_exact_for_standard_irrep():
    G = named_representation("S4", "standard").closure()
    traces = sorted(sp.nsimplify(sp.Matrix(m).trace()) for m in G.elements)
    # character of the standard irrep of S4 on classes e, (12), (12)(34), (123), (1234)
    expected = sorted([3] + [1] * 6 + [-1] * 3 + [0] * 8 + [-1] * 6)
    assert all(is_exact_zero(a - b) for a, b in zip(traces, expected))


from fractions import Fraction  # noqa: E402  (used in test_equality_by_content_not_repr)


def _signed_perm_matrix(perm, signs):
    n = len(perm)
    m = np.zeros((n, n), dtype=int)
    for j in range(n):
        m[perm[j], j] = signs[j]
    return m


def _as_permutation_of_2n_points(m):
    # e_j -> s e_p(j); point j is +e_j, point n + j is -e_j
    n = m.shape[0]
    image = [0] * (2 * n)
    for j in range(n):
        i = int(np.flatnonzero(m[:, j])[0])
        s = int(m[i, j])
        image[j] = i if s > 0 else n + i
        image[n + j] = n + i if s > 0 else i
    return image


def test_closure_orders_agree_with_sympy_permutation_groups():
    """Random signed permutation generators: order = order of the permutation group on the
    2n points +-e_j (sympy.combinatorics, an independent implementation)."""
    from sympy.combinatorics import Permutation, PermutationGroup

    rng = np.random.default_rng(11)
    for _ in range(25):
        n = int(rng.integers(2, 6))
        k = int(rng.integers(1, 3))
        mats = [_signed_perm_matrix(rng.permutation(n), rng.choice([-1, 1], size=n))
                for _ in range(k)]
        G = Representation.from_matrices(mats).closure()
        P = PermutationGroup([Permutation(_as_permutation_of_2n_points(m)) for m in mats])
        assert G.order == P.order()


def test_exact_and_float_closures_have_identical_tables():
    for group, rep in [("I", "vector"), ("S4", "standard"), ("Q8", "quaternion")]:
        r = named_representation(group, rep)
        G = r.closure()
        Gf = Representation.from_matrices(r.numeric_generators()).closure()
        assert G.exact and not Gf.exact
        assert G.words == Gf.words
        for p, q in zip(G.generator_permutations, Gf.generator_permutations):
            np.testing.assert_array_equal(p, q)
        np.testing.assert_allclose(G.numeric_elements(), Gf.numeric_elements(), atol=1e-12)


def test_big_integer_entries_use_exact_python_integers():
    # S3 on Z^2 conjugated by an integer matrix with huge entries: products exceed int64
    base = Representation.from_matrices([[[0, -1], [1, -1]], SWAP])
    big = 10**15
    r = base.change_of_basis([[1, big], [0, 1]])
    assert max(abs(int(x)) for g in r.generators for x in g.flat()) > 2**62
    G = r.closure()
    assert G.order == 6 and G.exact and "rationals" in G.how
    _check_group_tables(G, r, samples=10)
    r2 = base.change_of_basis([["1/3", 0], [0, 7]])  # rational entries
    assert r2.closure().order == 6


@pytest.mark.parametrize("group, rep, order, field", [
    ("C7", "rotation", 7, "algebraic number field of degree"),       # cos(2 pi/7): general field
    ("C5", "rotation", 5, "algebraic number field of degree"),       # nested radicals
    ("C12", "rotation", 12, "Q(sqrt(3)), degree 2"),                  # multi-quadratic
    ("S5", "standard", 120, "Q(sqrt(2), sqrt(3), sqrt(5)), degree 8"),
])
def test_arithmetic_used_and_tables(group, rep, order, field):
    r = named_representation(group, rep)
    G = r.closure()
    assert G.order == order and G.exact and field in G.how
    _check_group_tables(G, r, samples=8)
