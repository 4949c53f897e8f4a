"""Tests of equiact.coordinates: rescaling, admissible bases, refusals, minimal extensions."""

from __future__ import annotations

import json
from itertools import product

import numpy as np
import pytest
import sympy as sp

from equiact.activations import analyze_activation
from equiact.catalog import build_catalog
from equiact.cli.main import main
from equiact.coordinates import (
    admissible_coordinates,
    minimal_extension,
    rescale_monomial,
    target_class,
)
from equiact.errors import (
    ClosureLimitError,
    GroupTheoryError,
    InvalidInputError,
    InvalidMatrixError,
    NotFiniteGroupError,
)
from equiact.groups import named_representation
from equiact.representation import Representation

RNG = np.random.default_rng(20240601)


def _orthogonal(n, rng):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _conjugate(rep, rng, noise=0.0):
    n = rep.dim
    Q = _orthogonal(n, rng)
    gens = [Q.T @ g @ Q + noise * rng.standard_normal((n, n)) for g in rep.numeric_generators()]
    return Representation.from_matrices(gens)


def _random_words(ngens, rng, count=6, length=7):
    return [rng.integers(ngens, size=rng.integers(1, length + 1)).tolist() for _ in range(count)]


def _check_commutes(res, rep, activation, rng):
    """f~ commutes with T^-1 rho(g) T (float64) for random group elements and inputs."""
    f = analyze_activation(activation)
    T = np.asarray(res.basis, dtype=float) if isinstance(res.basis, np.ndarray) else \
        np.array(res.basis.evalf(), dtype=float)
    Tinv = np.linalg.inv(T)
    gens = [Tinv @ g @ T for g in rep.numeric_generators()]
    for word in _random_words(len(gens), rng):
        M = np.eye(rep.dim)
        for i in word:
            M = M @ gens[i]
        x = rng.standard_normal((rep.dim, 5)) * 3
        assert np.allclose(f(M @ x), M @ f(x), atol=1e-8)


def _is_signed_perm(m, signed):
    m = np.asarray(m, dtype=np.int64)
    ok = (np.abs(m).sum(axis=0) == 1).all() and (np.abs(m).sum(axis=1) == 1).all()
    return ok and (signed or (m >= 0).all())


# ---------------------------------------------------------------------- rescaling
def test_paper_z2_rescaling_exact_and_float():
    d, mats = rescale_monomial([sp.ImmutableMatrix([[0, 2], [sp.Rational(1, 2), 0]])])
    assert d == [sp.sqrt(2), sp.sqrt(2) / 2]
    assert mats[0] == sp.ImmutableMatrix([[0, 1], [1, 0]])
    df, mf = rescale_monomial([np.array([[0, 2.0], [0.5, 0]])])
    assert np.allclose(df, [np.sqrt(2), 1 / np.sqrt(2)], atol=1e-14)
    assert np.allclose(mf[0], [[0, 1], [1, 0]], atol=1e-14)
    res = admissible_coordinates(Representation.from_matrices([[[0, 2], ["1/2", 0]]]), "gelu")
    assert res.exists and res.method == "rescaling" and res.residual == 0.0
    assert res.basis == sp.ImmutableMatrix(sp.diag(sp.sqrt(2), 1 / sp.sqrt(2)))
    assert res.generators_in_basis[0] == sp.ImmutableMatrix([[0, 1], [1, 0]])


def test_random_monomial_rescaling_exact():
    rng = np.random.default_rng(3)
    perms = [[1, 2, 0, 3, 4], [0, 1, 2, 4, 3], [1, 0, 2, 3, 4]]
    signs = [[1, -1, 1, 1, -1], [1, 1, 1, 1, 1], [-1, -1, 1, 1, 1]]
    D = [sp.Rational(int(rng.integers(1, 9)), int(rng.integers(1, 9))) for _ in range(5)]
    gens = []
    for p, s in zip(perms, signs):
        P = sp.zeros(5, 5)
        for j in range(5):
            P[p[j], j] = s[j]
        gens.append(sp.ImmutableMatrix(sp.diag(*D) * P * sp.diag(*D).inv()))
    d, mats = rescale_monomial(gens)
    for p, s, m in zip(perms, signs, mats):
        expect = sp.zeros(5, 5)
        for j in range(5):
            expect[p[j], j] = s[j]
        assert m == expect
    # the diagonal is D up to a positive factor on each orbit of coordinates
    ratios = [sp.nsimplify(d[j] / D[j]) for j in range(5)]
    assert ratios[0] == ratios[1] == ratios[2] and ratios[3] == ratios[4]


def test_unbounded_and_non_monomial_rescaling():
    with pytest.raises(NotFiniteGroupError, match="unbounded"):
        rescale_monomial([sp.ImmutableMatrix([[0, 2], [1, 0]])])
    with pytest.raises(InvalidInputError, match="is not monomial"):
        rescale_monomial([sp.ImmutableMatrix([[1, 1], [0, 1]])])
    rep = Representation.from_matrices([[[0, 2], [1, 0]], [[0, 1], [1, 0]]])
    with pytest.raises(NotFiniteGroupError, match="no positive rescaling"):
        admissible_coordinates(rep, "relu")
    with pytest.raises(NotFiniteGroupError):
        admissible_coordinates(Representation.from_matrices([[[2, 0], [0, "1/2"]]]), "tanh")


# ---------------------------------------------------------------------- round trips
def _signed_rep_from_catalog(name, picks, signed):
    cat = build_catalog(name, signed=signed, structure=False)
    perms, signs = [], []
    offset = 0
    for k in picks:
        p, s = cat.action(k)
        perms.append(p + offset)
        signs.append(s)
        offset += p.shape[1]
    perms, signs = np.concatenate(perms, axis=1), np.concatenate(signs, axis=1)
    mats = []
    for p, s in zip(perms, signs):
        m = np.zeros((offset, offset))
        m[p, np.arange(offset)] = s
        mats.append(m)
    return Representation.from_matrices(mats), cat


@pytest.mark.parametrize(
    "name,picks,signed,activation,noise",
    [
        ("S4", [1, 3, 4], False, "relu", 0.0),
        ("D4", [2, 5, 6], False, "gelu", 1e-12),
        ("A4", [1, 2], False, "sigmoid", 1e-12),
        ("S4", [2, 5, 9], True, "tanh", 0.0),
        ("Q8", [3, 7, 11], True, "tanh", 1e-12),
        ("C6", [1, 4], True, "sin", 1e-12),
    ],
)
def test_round_trip_random_orthogonal(name, picks, signed, activation, noise):
    rep0, cat = _signed_rep_from_catalog(name, picks, signed)
    if signed:
        assert any(cat.entries[k].signed for k in picks)
    rep = _conjugate(rep0, RNG, noise)
    res = admissible_coordinates(rep, activation)
    assert res.exists and res.method == "characters"
    assert res.target == ("signed permutation" if signed else "permutation")
    assert res.residual < 1e-9
    assert all(_is_signed_perm(m, signed) for m in res.generators_in_basis)
    T = np.asarray(res.basis)
    for g, pi in zip(rep.numeric_generators(), res.generators_in_basis):
        assert np.abs(np.linalg.solve(T, g @ T) - pi).max() < 1e-9
    assert sorted(s.dimension for s in res.decomposition) == \
        sorted(cat.entries[k].dimension for k in picks)
    _check_commutes(res, rep, activation, RNG)


def test_round_trip_exact_conjugation():
    rep0 = named_representation("S4", "natural").direct_sum(named_representation("S4", "sign"))
    P = sp.Matrix([[1, 2, 0, 0, 1], [0, 1, 3, 0, 0], [1, 0, 1, 1, 0], [0, 0, 2, 1, 1],
                   [1, 1, 0, 0, 2]])
    assert P.det() != 0
    rep = rep0.change_of_basis(P)
    assert rep.exact
    res = admissible_coordinates(rep, "tanh")
    assert res.exists and res.residual == 0.0
    T = res.basis
    for g, pi in zip(rep.generators, res.generators_in_basis):
        assert sp.simplify(T.inv() * g * T - pi) == sp.zeros(5, 5)
        assert _is_signed_perm(np.array(pi.tolist(), dtype=np.int64), True)
    # fewest orbits: 1 + 4 (sign, natural) or 2 + 3 (R^{S4/A4}, Ind_{D4}^{S4}(eps))
    assert sorted(s.dimension for s in res.decomposition) in ([1, 4], [2, 3])
    assert any(s.signed for s in res.decomposition)
    # relu: the sign summand has a negative character value
    res2 = admissible_coordinates(rep, "relu")
    assert not res2.exists and "negative" in res2.reason
    _check_commutes(res, rep, "tanh", RNG)


def test_exact_trigonometric_entries_fall_back_to_float():
    # cos(pi/7), sin(pi/7) are exact but have no normal form in sympy: T^-1 rho T did not reduce
    # to integers ("internal error: ... not integral") and exact zero tests blew up.
    c, s = sp.cos(sp.pi / 7), sp.sin(sp.pi / 7)
    R = sp.Matrix([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    swap = sp.Matrix([[0, 1, 0], [1, 0, 0], [0, 0, -1]])
    rep = Representation.from_matrices([R.T * swap * R])
    assert rep.exact
    for activation, signed in (("tanh", True), ("relu", False)):
        res = admissible_coordinates(rep, activation)
        assert res.exists == signed and not res.exact
        if signed:
            T = np.asarray(res.basis, dtype=float)
            g = rep.numeric_generators()[0]
            assert np.abs(np.linalg.solve(T, g @ T) - res.generators_in_basis[0]).max() < 1e-9
            _check_commutes(res, rep, activation, RNG)
        else:  # trace -1 on the generator; the extension is two regular representations
            ext = res.minimal_extension
            assert ext.dimension == 4
            E = np.asarray(ext.embedding, dtype=float)
            assert np.abs(ext.generators[0] @ E - E @ rep.numeric_generators()[0]).max() < 1e-9
    assert minimal_extension(rep).dimension == 4


def test_s4_standard_with_tanh_has_signed_permutation_basis():
    rep = named_representation("S4", "standard")
    res = admissible_coordinates(rep, "tanh")
    assert res.exists and res.target == "signed permutation"
    assert len(res.decomposition) == 1
    s = res.decomposition[0]
    assert s.dimension == 3 and s.stabilizer_order == 8 and s.signed
    for g, pi in zip(rep.generators, res.generators_in_basis):
        assert sp.simplify(res.basis.inv() * g * res.basis - pi) == sp.zeros(3, 3)
    # the stabiliser generators act on the first basis vector by their sign
    T = res.basis
    for h, eps in zip(s.stabilizer_generators, s.sign):
        assert sp.simplify(h * T[:, s.coordinates[0]] - eps * T[:, s.coordinates[0]]) == \
            sp.zeros(3, 1)
    _check_commutes(res, rep, "tanh", RNG)
    # float version with noise
    resf = admissible_coordinates(_conjugate(rep, RNG, 1e-12), "tanh")
    assert resf.exists and resf.residual < 1e-9


# ---------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    "group,rep,activation,fragment",
    [
        ("C5", "rotation", "relu", "is not an integer"),
        ("D4", "standard", "relu", "is negative"),
        ("S3", "standard", "tanh", "not a non-negative integer combination"),
        ("I", "vector", "tanh", "is not an integer"),
    ],
)
def test_refusals_with_reasons(group, rep, activation, fragment):
    res = admissible_coordinates(named_representation(group, rep), activation)
    assert not res.exists
    assert fragment in res.reason
    assert res.basis is None and res.generators_in_basis is None
    assert res.minimal_extension is not None and res.minimal_extension.dimension > 0


def _brute_min_dimension(rep, signed):
    """Smallest sum of catalogue dimensions whose multiplicities dominate rep's (brute force)."""
    from equiact.coordinates import _group_data

    data = _group_data(rep, 10_000, 1e-9, None)
    cat = build_catalog(data.G, signed=signed, structure=False)
    irr = data.G.irreducible_characters()
    sizes = np.array(data.sizes, dtype=float)
    chi = np.array([complex(sp.sympify(v).evalf(20)) for v in data.raw_char])
    need = np.rint(((irr.conj() * sizes) @ chi / data.order).real)
    mult = np.rint(((irr.conj() * sizes) @ cat.character_matrix().T).real / data.order)
    dims = [e.dimension for e in cat.entries]
    best = None
    for counts in product(range(3), repeat=len(dims)):
        d = sum(c * k for c, k in zip(counts, dims))
        if best is not None and d >= best:
            continue
        if (mult @ np.array(counts) >= need).all():
            best = d
    return best


@pytest.mark.parametrize(
    "group,rep,signed,dim",
    [("S3", "standard", False, 3), ("S3", "standard", True, 3), ("C8", "rotation", False, 8),
     ("C8", "rotation", True, 4), ("D4", "standard", False, 4), ("C5", "rotation", False, 5)],
)
def test_minimal_extension_dimension_and_embedding(group, rep, signed, dim):
    rho = named_representation(group, rep)
    ext = minimal_extension(rho, signed=signed)
    assert ext.dimension == dim
    assert _brute_min_dimension(rho, signed) == dim
    E = ext.embedding
    assert E.shape == (dim, rho.dim)
    assert sp.Matrix(E).rank() == rho.dim
    for g, P in zip(rho.generators, ext.generators):
        assert sp.simplify(sp.Matrix(P) * E - E * g) == sp.zeros(dim, rho.dim)
        assert _is_signed_perm(P, signed)


def test_extension_float_input_embeds():
    rho = _conjugate(named_representation("C8", "rotation"), RNG, 1e-12)
    res = admissible_coordinates(rho, "tanh")
    assert not res.exists and "not an integer" in res.reason
    ext = res.minimal_extension
    assert ext.dimension == 4 and ext.residual < 1e-9
    E = ext.embedding
    assert np.linalg.matrix_rank(E) == 2
    for g, P in zip(rho.numeric_generators(), ext.generators):
        assert np.abs(P @ E - E @ g).max() < 1e-9


# ---------------------------------------------------------------------- other classes
def test_targets_and_trivial_cases():
    assert [target_class(a) for a in ("identity", "x + 1", "tanh", "relu", "sigmoid", "gelu")] \
        == ["any", "unit row sums", "signed permutation", "permutation", "permutation",
            "permutation"]
    rep = named_representation("S3", "standard")
    res = admissible_coordinates(rep, "identity")
    assert res.exists and res.method == "identity"
    res = admissible_coordinates(named_representation("S3", "natural"), "x + 1")
    assert res.exists
    ones = sp.ones(3, 1)
    for m in res.generators_in_basis:
        assert m * ones == ones
    res = admissible_coordinates(rep, "x + 1")
    assert not res.exists and "fixes no non-zero vector" in res.reason
    assert res.minimal_extension.dimension == 3


def test_lie_algebra_identity_component():
    res = admissible_coordinates(named_representation("SO3", "vector"), "relu")
    assert not res.exists and "identity component" in res.reason
    res = admissible_coordinates(named_representation("O3", "pseudoscalar"), "tanh")
    assert res.exists and res.target == "signed permutation"
    res = admissible_coordinates(named_representation("O3", "pseudoscalar"), "relu")
    assert not res.exists and "negative" in res.reason


def test_bad_inputs():
    with pytest.raises(InvalidInputError, match="rep must be a Representation"):
        admissible_coordinates([[0, 1], [1, 0]], "relu")
    with pytest.raises(ClosureLimitError, match="more than 50 elements"):
        admissible_coordinates(
            Representation.from_matrices([[[-1, 0], [1, 1]], [[1, 0], [0, -1]]]), "relu",
            closure_limit=50)
    with pytest.raises(NotFiniteGroupError, match="trace 2 = the dimension"):
        admissible_coordinates(Representation.from_matrices([[[1, 1], [0, 1]]]), "relu")
    with pytest.raises(NotFiniteGroupError, match="infinite order.*no permutation basis exists"):
        admissible_coordinates(Representation.from_matrices([[[2, 1], [1, 1]]]), "relu")
    with pytest.raises(NotFiniteGroupError, match="determinant"):
        admissible_coordinates(Representation.from_matrices([[[2, 1], [0, 1]]]), "relu")
    with pytest.raises(InvalidMatrixError):
        Representation.from_matrices([[[1, 0], [0, 1]], [[1]]])


# ---------------------------------------------------------------------- CLI
def test_cli_coords(tmp_path, capsys):
    assert main(["coords", "--group", "S4", "--rep", "standard", "--activation", "tanh",
                 "--json", "--save", str(tmp_path / "b.npz")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exists"] and len(data["basis"]) == 3 and data["minimal_extension"] is None
    saved = np.load(tmp_path / "b.npz")
    T, gens = saved["basis"], saved["generators_in_basis"]
    rho = named_representation("S4", "standard").numeric_generators()
    for g, pi in zip(rho, gens):
        assert np.allclose(T @ pi, g @ T, atol=1e-12)
    assert main(["coords", "--group", "C8", "--rep", "rotation", "--activation", "relu",
                 "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert not data["exists"] and data["basis"] is None
    assert data["minimal_extension"]["dimension"] == 8
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"generators": [[[0, 2], ["1/2", 0]]]}))
    assert main(["coords", "--matrices", str(f), "--activation", "relu"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("BASIS EXISTS: relu needs a permutation basis") and "rescaling" in out
    assert main(["coords", "--group", "C8", "--rep", "rotation", "--activation", "tanh"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NO ADMISSIBLE BASIS") and "extension: dimension 4" in out
    f.write_text(json.dumps({"generators": [[[0, 2], [1, 0]]]}))
    assert main(["coords", "--matrices", str(f), "--activation", "relu"]) == 2
    assert "unbounded" in capsys.readouterr().err
    assert main(["coords", "--group", "S3", "--rep", "standard", "--activation", "nope"]) == 2
    f.write_text(json.dumps({"generators": [[[0, 1], [1, 0]], [[1]]]}))
    assert main(["coords", "--matrices", str(f), "--activation", "relu"]) == 2
    assert "equiact: error:" in capsys.readouterr().err
    assert main(["coords", "--group", "SO3", "--rep", "vector", "--activation", "relu"]) == 1
    assert "identity component" in capsys.readouterr().out


# ---------------------------------------------------------------------- permutation models
def _exact_zero(m) -> bool:
    return all(sp.simplify(x) == 0 for x in m)


@pytest.mark.parametrize("signed,activation", [(False, "relu"), (True, "tanh")])
def test_s8_standard_from_permutations_with_exact_embedding(signed, activation):
    rho = named_representation("S8", "standard")
    res = admissible_coordinates(rho, activation)
    assert not res.exists and res.group_order == 40320
    # relu: a fixed-point-free involution has trace -1; tanh: no signed G-set of dim <= 7 fits
    assert ("is negative" in res.reason) if not signed else ("not a non-negative" in res.reason)
    ext = res.minimal_extension
    assert ext.dimension == 8 and ext.target == ("signed permutation" if signed else
                                                 "permutation")
    E = sp.Matrix(ext.embedding)
    assert E.shape == (8, 7) and E.rank(simplify=True) == 7
    for g, P in zip(rho.generators, ext.generators):  # pi(g) E = E rho(g), exactly
        assert _exact_zero(sp.Matrix(P) * E - E * sp.Matrix(g))
        assert _is_signed_perm(P, signed)


def test_s12_standard_refused_without_enumeration():
    res = admissible_coordinates(named_representation("S12", "standard"), "relu")
    assert not res.exists and res.group_order == 479001600
    assert res.minimal_extension.dimension == 12


def test_model_character_matches_the_matrices():
    from equiact.coordinates import _group_data

    rho = named_representation("S5", "standard")
    data = _group_data(rho, 1000, 1e-9, None)
    assert type(data).__name__ == "_ModelData"
    assert sum(data.sizes) == 120
    for c, chi in zip(data.classes, data.raw_char):
        m = data.matrix_of_perm(data.module_perm(c.rep))
        assert sp.simplify(m.trace() - chi) == 0
        # the matrix is a product of the generators: it lies in the closure
        rho.closure().index_of(m)
    # and the multiset (class size, value) agrees with the enumerated group
    closure_data = _group_data(Representation.from_matrices(rho.generators), 1000, 1e-9, None)
    assert sorted(zip(data.sizes, map(int, data.raw_char))) == \
        sorted(zip(closure_data.sizes, [int(sp.nsimplify(v)) for v in closure_data.raw_char]))


def test_wrong_permutation_model_is_caught():
    from equiact.groups import PermutationModel

    rho = named_representation("S4", "standard")
    good = rho.permutation_model
    rho.permutation_model = PermutationModel(good.group_perms[::-1], good.A)
    with pytest.raises(GroupTheoryError, match="does not intertwine generator 0"):
        admissible_coordinates(rho, "tanh")


def test_model_basis_is_exact():
    rho = named_representation("A4", "standard")  # = T vector up to a change of basis
    res = admissible_coordinates(rho, "tanh")
    assert res.exists and res.method == "characters" and res.exact
    T = sp.Matrix(res.basis)
    for g, pi in zip(rho.generators, res.generators_in_basis):
        assert _exact_zero(sp.Matrix(g) * T - T * sp.Matrix(pi))
        assert _is_signed_perm(pi, True)
    assert T.rank(simplify=True) == 3
    s = res.decomposition[0]
    for h, eps in zip(s.stabilizer_generators, s.sign):
        assert _exact_zero(sp.Matrix(h) * T[:, 0] - eps * T[:, 0])


def test_large_permutation_representation_is_fast_and_exact():
    res = admissible_coordinates(named_representation("S6", "regular"), "relu")
    assert res.exists and res.method == "rescaling"
    assert [(s.dimension, s.stabilizer_order) for s in res.decomposition] == [(720, 1)]
    rho = named_representation("S5", "regular")
    res = admissible_coordinates(rho, "tanh")
    for g, pi in zip(rho.generators, res.generators_in_basis):
        assert g == pi
    res = admissible_coordinates(rho, "x + 1")
    ones = sp.ones(120, 1)
    T = res.basis
    v = T * ones  # the sum of the basis vectors is a fixed vector
    assert T.rank() == 120
    for g, pi in zip(rho.generators, res.generators_in_basis):
        assert pi * ones == ones and g * T == T * pi and g * v == v


# ---------------------------------------------------------------------- limits
def test_limits_refuse_up_front_and_raising_them_works():
    rho = named_representation("D12", "standard")
    with pytest.raises(ClosureLimitError, match=r"\(D12\) is 24, above the limit 10; raise the "
                       r"limit with --max-order 24 \(Python: closure_limit=24\)"):
        admissible_coordinates(rho, "relu", closure_limit=10)
    assert admissible_coordinates(rho, "relu", closure_limit=24).group_order == 24
    # matrices without a group name: the enumeration stops at the limit
    float_rho = _conjugate(rho, RNG)
    with pytest.raises(ClosureLimitError, match="--max-order 100"):
        admissible_coordinates(float_rho, "relu", closure_limit=10)
    with pytest.raises(ClosureLimitError, match="classes.*is 22, above the limit 10.*"
                       "--max-classes 22"):
        admissible_coordinates(named_representation("S8", "standard"), "relu", max_classes=10)
    # the extension search stops at max_index and says how to raise it
    rot = named_representation("C64", "rotation")  # needs the regular G-set, of index 64
    res = admissible_coordinates(rot, "relu", max_index=4)
    assert res.minimal_extension.dimension is None
    assert "index searched is 8, above the limit 4" in res.minimal_extension.note
    assert "--max-index 8" in res.minimal_extension.note
    assert admissible_coordinates(rot, "relu", max_index=8).minimal_extension.dimension == 64
    with pytest.raises(InvalidInputError, match="seed must be a non-negative integer, got -1"):
        admissible_coordinates(rot, "relu", seed=-1)
    with pytest.raises(InvalidInputError, match="max_index must be a positive integer"):
        minimal_extension(rot, max_index=0)


def test_cli_limits_and_seed(capsys):
    from equiact.cli import coords as cli_coords
    from equiact.coordinates import MAX_INDEX, MAX_ORDER
    from equiact.gap import MAX_CLASSES

    assert (cli_coords.MAX_ORDER, cli_coords.MAX_CLASSES, cli_coords.MAX_INDEX) == \
        (MAX_ORDER, MAX_CLASSES, MAX_INDEX)
    args = ["coords", "--group", "D12", "--rep", "standard", "--activation", "relu"]
    assert main(args + ["--max-order", "10"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is 24, above the limit 10" in err and "--max-order 24" in err
    assert main(args + ["--closure-limit", "24"]) == 1  # the old spelling still works
    capsys.readouterr()
    assert main(args + ["--seed", "-1"]) == 2
    assert "--seed must be a non-negative integer, got -1" in capsys.readouterr().err
    assert main(["coords", "--group", "S8", "--rep", "standard", "--activation", "relu"]) == 1
    out = capsys.readouterr().out
    assert "group of order 40320" in out and "extension: dimension 8" in out
    # the affine extension rho + trivial has no stabiliser to print
    assert main(["coords", "--group", "S3", "--rep", "standard", "--activation", "x + 1"]) == 1
    out = capsys.readouterr().out
    assert "  rho: dimension 2\n  trivial: dimension 1\n" in out


def test_readme_z2_example(monkeypatch, capsys):
    """README: `equiact coords --matrices examples/z2.json --activation relu`, run from the
    repository root exactly as written."""
    from pathlib import Path

    from equiact.cli.common import read_matrices_file

    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    assert main(["coords", "--matrices", "examples/z2.json", "--activation", "relu"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("BASIS EXISTS: relu needs a permutation basis for z2 (dim 2)")
    assert "sqrt(2)/2" in out
    res = admissible_coordinates(read_matrices_file("examples/z2.json"), "relu")
    assert res.method == "rescaling"
    assert res.basis == sp.ImmutableMatrix([[sp.sqrt(2), 0], [0, sp.sqrt(2) / 2]])
    assert res.generators_in_basis[0] == sp.ImmutableMatrix([[0, 1], [1, 0]])


def test_progress_bars_and_fast_refusal_of_huge_named_groups(monkeypatch, capsys):
    monkeypatch.setenv("EQUIACT_PROGRESS", "1")
    perm = np.eye(8)
    gens = [perm[:, p] for p in ([1, 0, 2, 3, 4, 5, 6, 7], [1, 2, 3, 0, 4, 5, 6, 7],
                                 [4, 5, 6, 7, 0, 1, 2, 3])]
    wreath = _conjugate(Representation.from_matrices(gens), RNG)  # S4 wr C2, order 1152
    res = admissible_coordinates(wreath, "relu")
    assert res.exists and res.group_order == 1152
    assert "enumerating the group" in capsys.readouterr().err
    monkeypatch.setenv("EQUIACT_PROGRESS", "0")
    admissible_coordinates(_conjugate(Representation.from_matrices(gens), RNG), "relu")
    assert capsys.readouterr().err == ""
    # S40 has p(40) = 37,338 classes: refused from the partition count (bench/coords.py
    # measures the latency), before GAP computes any class
    with pytest.raises(ClosureLimitError, match="is 37,338, above the limit 1,000"):
        admissible_coordinates(named_representation("S40", "standard"), "relu")


@pytest.mark.parametrize("name,why", [("out.txt", "must end in .npz"), ("", "is a directory"),
                                      ("missing/b.npz", "does not exist")])
def test_cli_coords_save_path_checked_first(tmp_path, capsys, monkeypatch, name, why):
    # numpy silently writes out.txt.npz, and a directory D becomes D.npz: refuse both up front
    import equiact.coordinates as coordinates

    def boom(*a, **k):
        raise AssertionError("computed before the --save path was checked")

    monkeypatch.setattr(coordinates, "admissible_coordinates", boom)
    path = str(tmp_path / name) if name else str(tmp_path)
    assert main(["coords", "--group", "S4", "--rep", "standard", "--activation", "tanh",
                 "--save", path]) == 2
    assert why in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.parent.iterdir() if p.name.startswith(
        tmp_path.name)) == [tmp_path.name]
    assert list(tmp_path.iterdir()) == []
