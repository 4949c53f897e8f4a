"""Built-in named groups and representations (equiact.groups)."""

import itertools
import math

import numpy as np
import pytest
import sympy as sp

from equiact.errors import InvalidInputError, UnknownNameError
from equiact.groups import (
    MAX_BUILTIN_DIM,
    available_representations,
    named_representation,
    parse_group_name,
)
from equiact.representation import Representation


def _cases():
    cases = []
    for n in (1, 2, 5, 12):
        for rep in ("rotation", "regular", "permutation"):
            cases.append((f"C{n}", rep, n))
    cases.append(("C6", "rotation:2", 3))  # frequency 2 of C6 has kernel of order 2
    cases.append(("C6", "rotation:5", 6))
    cases.append(("C7", "trivial", 1))
    for n in (3, 4, 6):
        for rep in ("standard", "regular", "permutation"):
            cases.append((f"D{n}", rep, 2 * n))
    cases += [("D1", "standard", 2), ("D2", "standard", 4), ("D2", "regular", 4)]
    for n in (2, 3, 4, 5):
        for rep in ("natural", "standard", "tensor:2", "subsets:2", "regular"):
            if rep == "regular" and n == 5:
                continue
            order = 1 if (n, rep) == (2, "subsets:2") else math.factorial(n)  # one 2-subset
            cases.append((f"S{n}", rep, order))
        cases.append((f"S{n}", "sign", 2))
    cases += [("S4", "subsets:1", 24), ("S4", "tensor:3", 24), ("S3", "tensor:1", 6)]
    for n in (3, 4, 5, 6):
        cases.append((f"A{n}", "natural", math.factorial(n) // 2))
    cases += [("A4", "standard", 12), ("A5", "standard", 60), ("A4", "tensor:2", 12),
              ("A5", "subsets:2", 60), ("A4", "regular", 12)]
    cases += [("Q8", "quaternion", 8), ("Q8", "regular", 8), ("O", "vector", 24),
              ("O", "regular", 24), ("I", "vector", 60), ("K4", "regular", 4),
              ("K4", "diagonal", 4), ("V4", "regular", 4), ("O3", "vector", 2),
              ("O3", "pseudoscalar", 2), ("O2", "vector", 2), ("O2", "det", 2),
              ("SO3", "vector", 1), ("SO2", "vector", 1)]
    return cases


@pytest.mark.parametrize("group, rep, order", _cases())
def test_closure_orders(group, rep, order):
    r = named_representation(group, rep)
    assert r.exact and r.group_name and r.name
    G = r.closure()
    assert G.order == order


def test_every_listed_representation_builds():
    samples = {"C<n>": "C4", "D<n>": "D4", "S<n>": "S4", "A<n>": "A4", "K4 (= V4)": "K4",
               "SmallGroup(order,id)": "SmallGroup(8,3)"}
    for pattern, reps in available_representations().items():
        group = samples.get(pattern, pattern)
        for rep in reps:
            r = named_representation(group, rep.replace("<k>", "2"))
            fam, n = parse_group_name(group)
            assert r.group_name == (group if fam == "SmallGroup" else fam + (str(n) if n else ""))
            assert r.name == rep.replace("<k>", "2")
            assert r.exact


def test_dimensions():
    assert named_representation("S4", "tensor:3").dim == 64
    assert named_representation("S5", "subsets:2").dim == 10
    assert named_representation("S4", "regular").dim == 24
    assert named_representation("D5", "regular").dim == 10
    assert named_representation("S6", "standard").dim == 5
    assert named_representation("A5", "regular").dim == 60


@pytest.mark.parametrize("n", [3, 4, 5])
def test_natural_character_counts_fixed_points(n):
    G = named_representation(f"S{n}", "natural").closure()
    rng = np.random.default_rng(n)
    v = np.arange(n, dtype=float)
    for _ in range(20):
        m = np.array(G.random_element(rng), dtype=float)
        fixed = int(np.sum(m @ v == v))  # points j with sigma(j) = j
        assert float(np.trace(m)) == fixed


@pytest.mark.parametrize("group", ["S3", "S4", "A5"])
def test_standard_irrep_orthonormal_exactly(group):
    G = named_representation(group, "standard").closure()
    n = G.dim
    for m in G.elements:
        prod = (sp.Matrix(m) * sp.Matrix(m).T).applyfunc(sp.expand)
        assert prod == sp.eye(n)


def test_standard_irrep_s6_generators_orthonormal_exactly():
    r = named_representation("S6", "standard")
    for g in r.generators:
        assert (sp.Matrix(g) * sp.Matrix(g).T).applyfunc(sp.expand) == sp.eye(5)


@pytest.mark.parametrize("group", ["S3", "S4", "A4"])
def test_standard_plus_trivial_equivalent_to_natural(group):
    nat = named_representation(group, "natural")
    std_triv = named_representation(group, "standard").direct_sum(
        named_representation(group, "trivial"))
    both = nat.direct_sum(std_triv)  # generators paired: each element is diag(nat(g), rest(g))
    G = both.closure()
    assert G.order == nat.closure().order
    n = nat.dim
    for m in G.elements:
        m = sp.Matrix(m)
        chi_nat = m[:n, :n].trace()
        chi_rest = sp.expand(m[n:, n:].trace())
        assert chi_nat == chi_rest


def test_sign_is_parity():
    G = named_representation("S4", "natural").closure()
    s = named_representation("S4", "sign")
    for j, word in enumerate(G.words):
        value = 1
        for i in word:
            value *= int(s.generators[i][0, 0])
        assert value == int(sp.Matrix(G.element(j)).det())


def test_tensor_index_convention_row_major():
    nat = named_representation("S3", "natural")
    t = named_representation("S3", "tensor:2")
    for g, h in zip(nat.generators, t.generators):
        assert h == sp.ImmutableMatrix(sp.kronecker_product(sp.Matrix(g), sp.Matrix(g)))
    # same with the k parameter
    assert named_representation("S3", "tensor", k=2) == t


def test_subsets_index_convention_combinations_order():
    r = named_representation("S4", "subsets:2")
    subsets = list(itertools.combinations(range(4), 2))
    nat = named_representation("S4", "natural")
    for g, h in zip(nat.generators, r.generators):
        perm = [int(np.argmax(np.array(g, dtype=int)[:, j])) for j in range(4)]
        for c, S in enumerate(subsets):
            image = tuple(sorted(perm[x] for x in S))
            assert h[subsets.index(image), c] == 1


def test_generators_of_symmetric_and_alternating():
    def perms(rep):
        return [[int(np.argmax(np.array(g, dtype=int)[:, j])) for j in range(g.shape[0])]
                for g in rep.generators]

    assert perms(named_representation("S5", "natural")) == [[1, 0, 2, 3, 4], [1, 2, 3, 4, 0]]
    assert perms(named_representation("A5", "natural")) == [[1, 2, 0, 3, 4], [1, 2, 3, 4, 0]]
    assert perms(named_representation("A6", "natural")) == [[1, 2, 0, 3, 4, 5],
                                                            [0, 2, 3, 4, 5, 1]]


def test_quaternion_relations():
    Li, Lj = (sp.Matrix(g) for g in named_representation("Q8", "quaternion").generators)
    minus = -sp.eye(4)
    assert Li**2 == minus and Lj**2 == minus and (Li * Lj) ** 2 == minus
    assert Li * Lj != Lj * Li
    for g in (Li, Lj):  # signed permutation matrices
        assert all(sum(1 for x in g.row(r) if x != 0) == 1 for r in range(4))


def test_octahedral_and_icosahedral_are_rotations():
    Go = named_representation("O", "vector").closure()
    for m in Go.elements:
        m = sp.Matrix(m)
        assert m * m.T == sp.eye(3) and m.det() == 1
        assert all(x in (-1, 0, 1) for x in m)
    Gi = named_representation("I", "vector").closure()
    for m in Gi.numeric_elements():
        np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-12)
        assert abs(np.linalg.det(m) - 1) < 1e-12
    assert named_representation("I", "vector").generators[1].has(sp.sqrt(5))


def test_klein_four_diagonal():
    r = named_representation("V4", "diagonal")
    assert r.generators == (sp.ImmutableMatrix([[-1, 0], [0, 1]]),
                            sp.ImmutableMatrix([[1, 0], [0, -1]]))
    assert r.group_name == "K4"


def test_continuous_groups():
    so2 = named_representation("SO2", "vector")
    assert so2.generators == () and so2.lie_algebra == (sp.ImmutableMatrix([[0, -1], [1, 0]]),)
    o2 = named_representation("O2", "vector")
    assert o2.generators == (sp.ImmutableMatrix([[1, 0], [0, -1]]),)
    assert named_representation("O2", "det").generators == (sp.ImmutableMatrix([[-1]]),)
    Lx, Ly, Lz = (sp.Matrix(x) for x in named_representation("SO3", "vector").lie_algebra)
    assert Lx * Ly - Ly * Lx == Lz and Ly * Lz - Lz * Ly == Lx and Lz * Lx - Lx * Lz == Ly
    from scipy.linalg import expm

    R = expm(0.3 * np.array(Lx, dtype=float) + 1.1 * np.array(Lz, dtype=float))
    np.testing.assert_allclose(R @ R.T, np.eye(3), atol=1e-12)
    o3 = named_representation("O3", "vector")
    assert o3.generators == (-sp.ImmutableMatrix(sp.eye(3)),) and len(o3.lie_algebra) == 3
    ps = named_representation("O3", "pseudoscalar")
    assert ps.generators == (sp.ImmutableMatrix([[-1]]),)
    assert ps.lie_algebra == (sp.ImmutableMatrix([[0]]),) * 3
    t = named_representation("SO3", "trivial")
    assert t.dim == 1 and len(t.lie_algebra) == 3
    # paired Lie algebras: vector (x) pseudoscalar is the 3-d pseudovector with the same Lie algebra
    pv = o3.tensor(ps)
    assert pv.generators == (sp.ImmutableMatrix(sp.eye(3)),)
    assert pv.lie_algebra == o3.lie_algebra


def test_rotation_frequency_k():
    r1 = named_representation("C8", "rotation")
    r3 = named_representation("C8", "rotation:3")
    g1, g3 = sp.Matrix(r1.generators[0]), sp.Matrix(r3.generators[0])
    assert (g1**3).applyfunc(sp.expand) == g3
    assert isinstance(r1, Representation) and r3.name == "rotation:3"
    assert named_representation("C8", "rotation", k=3) == r3


def test_name_normalisation():
    assert named_representation("O3", "pseudo-scalar").name == "pseudoscalar"
    clockwise = named_representation("C4", "rotation:-1")
    assert clockwise.name == "rotation:-1" and clockwise.generators[0][0, 1] == 1
    assert parse_group_name("S_4") == ("S", 4)
    assert parse_group_name("so(3)") == ("SO3", None)
    assert parse_group_name("v4") == ("K4", None)
    assert named_representation("d_4", "Standard").group_name == "D4"


@pytest.mark.parametrize("group, rep, exc, fragment", [
    ("Z5", "regular", UnknownNameError, "unknown group 'Z5'"),
    ("SO4", "vector", UnknownNameError, r"unknown group 'SO4'; did you mean .*'SO2' or 'SO3'"),
    ("D4", "stndard", UnknownNameError,
     "unknown representation of D4 'stndard'; did you mean 'standard'"),
    ("A4", "sign", UnknownNameError, "unknown representation of A4 'sign'"),
    ("S4", "tensor", InvalidInputError, "'tensor' of S4 needs k, e.g. 'tensor:2'"),
    ("S4", "tensor:0", InvalidInputError, "needs 1 <= k <= 64, got k = 0"),
    ("S4", "subsets:5", InvalidInputError, "needs 0 <= k <= 4, got k = 5"),
    # the sign of k is kept (it used to be stripped: 'tensor:-1' built tensor:1)
    ("S4", "tensor:-1", InvalidInputError, "needs 1 <= k <= 64, got k = -1"),
    ("S4", "subsets:-2", InvalidInputError, "needs 0 <= k <= 4, got k = -2"),
    ("S7", "regular", InvalidInputError, f"dimension 5040, above the built-in limit "
                                         f"{MAX_BUILTIN_DIM}"),
    ("S4", "tensor:6", InvalidInputError, "dimension 4096"),
    ("C0", "regular", InvalidInputError, r"needs 1 <= n <= 100000, got n = 0"),
    ("S1", "natural", InvalidInputError, "needs 2 <= n"),
    ("D2", "permutation", InvalidInputError, "needs n >= 3"),
    ("S4", "natural:2", InvalidInputError, "'natural' of S4 takes no parameter k"),
    ("Q8", 3, InvalidInputError, "representation name must be a string, got int"),
])
def test_bad_names(group, rep, exc, fragment):
    with pytest.raises(exc, match=fragment):
        named_representation(group, rep)


def test_bad_parameters():
    with pytest.raises(InvalidInputError, match=r"unknown parameter\(s\) frequency"):
        named_representation("C4", "rotation", frequency=2)
    with pytest.raises(InvalidInputError, match="k given twice"):
        named_representation("S3", "tensor:2", k=3)
    with pytest.raises(InvalidInputError, match="k must be an integer, got '2'"):
        named_representation("S3", "tensor", k="2")


def test_tetrahedral_group_and_small_groups():
    from equiact.groups import group_order, group_permutations

    T = named_representation("T", "vector")
    G = T.closure()
    assert G.order == 12 == group_order("T")
    for m in G.elements:  # rotations (det 1) that are signed permutation matrices
        a = np.array(m.tolist(), dtype=np.int64)
        assert round(np.linalg.det(a)) == 1 and (np.abs(a).sum(axis=0) == 1).all()
    r = named_representation("smallgroup(8, 3)", "regular")
    assert r.group_name == "SmallGroup(8,3)" and r.closure().order == 8 == r.dim
    assert named_representation("SmallGroup(8,3)", "trivial").dim == 1
    with pytest.raises(UnknownNameError, match="unknown representation of SmallGroup"):
        named_representation("SmallGroup(8,3)", "vector")
    assert parse_group_name("SmallGroup( 12 , 3 )") == ("SmallGroup", (12, 3))
    # faithful permutations with the built-in generators, for every finite family
    for name in ("C5", "D1", "D2", "D6", "S5", "A4", "A5", "Q8", "T", "O", "I", "K4"):
        perms = group_permutations(name)
        P = Representation.from_matrices(
            [[[1 if p[j] == i else 0 for j in range(len(p))] for i in range(len(p))]
             for p in perms])
        assert P.closure().order == group_order(name), name
        assert len(perms) == len(named_representation(name, "regular").generators)
    assert group_order("SO3") is None and group_permutations("SO3") is None


def test_check_accepts_the_catalogue_names(capsys):
    from equiact.cli.main import main

    assert main(["check", "--group", "T", "--rep", "vector", "--activation", "tanh"]) == 0
    assert main(["check", "--group", "T", "--rep", "vector", "--activation", "relu"]) == 1
    assert main(["check", "--group", "SmallGroup(8,3)", "--rep", "regular",
                 "--activation", "relu"]) == 0
    assert main(["catalog", "--group", "T"]) == 0
    assert "group T of order 12: 5 transitive G-sets" in capsys.readouterr().out
