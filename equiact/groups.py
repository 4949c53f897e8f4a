"""Built-in named groups and representations (all exact unless stated).

>>> rho = named_representation("S4", "standard")
>>> rho.dim, rho.exact, rho.group_name, rho.closure().order
(3, True, 'S4', 24)
>>> named_representation("C5", "rotation").generators[0][0, 0]
-1/4 + sqrt(5)/4
>>> named_representation("D4", "stndard")
Traceback (most recent call last):
...
equiact.errors.UnknownNameError: unknown representation of D4 'stndard'; did you mean 'standard'?...

Conventions.

* A permutation ``s`` of ``{0, ..., n-1}`` acts by the matrix ``P`` with ``P e_j = e_{s(j)}``
  (``P[s[j], j] = 1``), so ``P_s P_t = P_{s o t}``.
* Generators (in this order): C_n: the rotation / n-cycle ``j -> j+1``. D_n: the rotation by
  2 pi/n (``j -> j+1`` on vertices) and the reflection ``diag(1, -1)`` (``j -> -j`` on
  vertices). S_n: the transposition (1 2) and the n-cycle (1 2 ... n). A_n: (1 2 3) and
  (1 2 ... n) for odd n, (2 3 ... n) for even n. Q8: left multiplication by i and by j.
  O: the 90 degree rotation about z and the cyclic permutation of the axes. I: the cyclic
  permutation of the axes and a rotation of order 5 with golden-ratio entries. T (rotations of
  the tetrahedron, = A4): the cyclic permutation of the axes and ``diag(1, -1, -1)``. K4: two
  commuting involutions. ``SmallGroup(order,id)``: GAP's generators (needs GAP).
* ``tensor:k``: basis ``e_{i1} (x) ... (x) e_{ik}`` at index ``i1 n^(k-1) + ... + ik``
  (row-major over (i1, ..., ik)). ``subsets:k``: the k-subsets in ``itertools.combinations``
  order. ``regular``: the group elements in the order of :meth:`Representation.closure` of the
  faithful representation listed first for the group (identity first), acting by left
  multiplication.
* ``standard`` of S_n / A_n: the (n-1)-dimensional irreducible summand of the natural
  representation in the orthonormal Helmert basis ``h_k = (1, ..., 1, -k, 0, ..., 0) /
  sqrt(k (k+1))`` (k ones), k = 1..n-1, so the matrices are orthogonal, exactly.
* Continuous groups have Lie algebra generators and component generators: SO2 ``[[0, -1],
  [1, 0]]``; O2 adds ``diag(1, -1)``; SO3 ``L_x, L_y, L_z`` (``(L_a)_{bc} = -eps_{abc}``); O3
  adds ``-I``.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import numpy as np
import sympy as sp

from equiact.errors import InvalidInputError, unknown_name
from equiact.representation import Representation
from equiact.spaces import permutation_sign

__all__ = ["MAX_BUILTIN_DIM", "PermutationModel", "named_representation",
           "available_representations", "parse_group_name", "group_display_name", "group_order",
           "group_permutations"]

#: Largest dimension of a built-in representation.
MAX_BUILTIN_DIM = 1024

_ZERO, _ONE = sp.S.Zero, sp.S.One


# ---------------------------------------------------------------------- helpers
def _perm_matrix(perm) -> sp.ImmutableMatrix:
    n = len(perm)
    try:  # sparse construction: O(n) instead of n^2 sympy objects
        from sympy.polys.matrices import DomainMatrix

        rows = {int(i): {j: sp.ZZ(1)} for j, i in enumerate(perm)}
        return sp.ImmutableMatrix._fromrep(DomainMatrix(rows, (n, n), sp.ZZ))
    except Exception:  # pragma: no cover - a sympy without DomainMatrix internals
        flat = [_ZERO] * (n * n)
        for j, i in enumerate(perm):
            flat[int(i) * n + j] = _ONE
        return sp.ImmutableMatrix(n, n, flat)


def _exact(rows) -> sp.ImmutableMatrix:
    from equiact.exact import canonical

    m = sp.Matrix(rows)
    return sp.ImmutableMatrix(m.shape[0], m.shape[1], [canonical(sp.sympify(x)) for x in m.flat()])


def _rotation(n: int, k: int = 1) -> sp.ImmutableMatrix:
    a = 2 * sp.pi * sp.Rational(k % n, n)
    c, s = sp.cos(a), sp.sin(a)
    return _exact([[c, -s], [s, c]])


def _rep(gens, lie=(), name=None, group=None) -> Representation:
    gens = [sp.ImmutableMatrix(g) for g in gens]
    lie = [sp.ImmutableMatrix(x) for x in lie]
    dim = (gens or lie)[0].shape[0]
    return Representation(gens, lie, True, dim, name=name, group_name=group)


def _check_dim(dim: int, group: str, rep: str) -> None:
    if dim > MAX_BUILTIN_DIM:
        raise InvalidInputError(
            f"representation {rep!r} of {group} has dimension {dim}, above the built-in limit "
            f"{MAX_BUILTIN_DIM}; choose a smaller group or k, or build the matrices yourself "
            "with Representation.from_matrices"
        )


def _perm_rep(perms, name, group) -> Representation:
    return _rep([_perm_matrix(p) for p in perms], name=name, group=group)


def _induced_perms(perms, points, act):
    """Permutations of ``points`` (a list) induced by ``act(perm, point)``."""
    index = {p: i for i, p in enumerate(points)}
    return [[index[act(perm, p)] for p in points] for perm in perms]


def _tensor_perms(perms, n, k):
    points = list(itertools.product(range(n), repeat=k))
    return _induced_perms(perms, points, lambda s, t: tuple(s[i] for i in t))


def _subset_perms(perms, n, k):
    points = list(itertools.combinations(range(n), k))
    return _induced_perms(perms, points, lambda s, t: tuple(sorted(s[i] for i in t)))


def _regular(faithful: Representation, name, group) -> Representation:
    G = faithful.closure()
    _check_dim(G.order, group, name)
    return _perm_rep([p.tolist() for p in G.generator_permutations], name, group)


def _trivial(ngens: int, name, group, nlie: int = 0) -> Representation:
    return _rep([sp.ImmutableMatrix([[1]])] * ngens, [sp.ImmutableMatrix([[0]])] * nlie,
                name=name, group=group)


def _helmert(n: int) -> sp.ImmutableMatrix:
    rows = []
    for k in range(1, n):
        c = 1 / sp.sqrt(k * (k + 1))
        rows.append([c] * k + [-k * c] + [0] * (n - k - 1))
    return _exact(rows)


@dataclass(frozen=True)
class PermutationModel:
    """A representation known as a piece of a permutation module, so that questions about it
    are answered from permutations instead of an enumeration of matrices.

    ``group_perms[i]`` (0-based permutations of a small set) generate the group ``P``; the
    representation factors through ``P`` (``g_i -> group_perms[i]``). ``module_perms[i]`` is
    the image of ``g_i`` on the ``N`` points of a permutation module (``None``: the same as
    ``group_perms``). ``A`` (``dim x N``, exact, orthonormal rows) is a surjective intertwiner,
    ``rho(g_i) A = A P_i`` and ``P_i A^T = A^T rho(g_i)``, so ``rho(g) = A P(g) A^T`` for every
    ``g`` and ``trace rho(g) = trace(P(g) A^T A)``. Attached as ``rep.permutation_model`` by
    :func:`named_representation`; :mod:`equiact.coordinates` verifies the identities exactly
    before using them.
    """

    group_perms: tuple
    A: sp.ImmutableMatrix
    module_perms: tuple | None = None

    @property
    def module(self) -> tuple:
        return self.module_perms if self.module_perms is not None else self.group_perms


def _standard_from_perms(perms, n, name, group) -> Representation:
    from equiact.exact import canonical

    H = sp.Matrix(_helmert(n))
    # H = diag(c_k) R with R integer (row k: k ones, then -k) and c_k = 1/sqrt(k (k+1)), so
    # (H P H^T)[a, b] = (R P R^T)[a, b] / sqrt(k (k+1) l (l+1)): integer products in numpy
    R = np.zeros((n - 1, n), dtype=np.int64)
    for k in range(1, n):
        R[k - 1, :k] = 1
        R[k - 1, k] = -k
    norms = [k * (k + 1) for k in range(1, n)]
    gens = []
    for p in perms:
        RP = R[:, list(p)]  # (R P) e_j = R e_p(j)
        M = RP @ R.T
        gens.append(sp.ImmutableMatrix(n - 1, n - 1, [
            canonical(sp.Integer(int(M[a, b])) / sp.sqrt(norms[a] * norms[b]))
            if M[a, b] else sp.S.Zero for a in range(n - 1) for b in range(n - 1)]))
    rep = _rep(gens, name=name, group=group)
    rep.permutation_model = PermutationModel(tuple(tuple(p) for p in perms),
                                             sp.ImmutableMatrix(H))
    return rep


# ---------------------------------------------------------------------- group parsing
_FAMILIES = {
    "C": "cyclic group C_n (order n)",
    "D": "dihedral group D_n (order 2n)",
    "S": "symmetric group S_n (order n!)",
    "A": "alternating group A_n (order n!/2)",
}
_LEAST = {"C": 1, "D": 1, "S": 2, "A": 3}
_SINGLE = ["Q8", "T", "O", "I", "K4", "V4", "SO2", "O2", "SO3", "O3"]
#: Orders of the finite single groups (T, O, I: rotations of the tetrahedron, cube, icosahedron).
_SINGLE_ORDERS = {"Q8": 8, "T": 12, "O": 24, "I": 60, "K4": 4}
#: Largest order of a ``SmallGroup(order,id)`` (GAP's small groups library).
MAX_SMALLGROUP_ORDER = 2000
#: Largest n of the families C<n>, D<n>, S<n>, A<n>.
MAX_FAMILY_N = 100_000


def parse_group_name(group: str) -> tuple[str, object]:
    """Normalise a group name: ``"S_4"``, ``"s4"`` -> ``("S", 4)``; ``"SO(3)"`` -> ``("SO3",
    None)``; ``"V4"`` -> ``("K4", None)``; ``"SmallGroup(8, 3)"`` -> ``("SmallGroup", (8, 3))``.

    This is the one grammar of group names: ``equiact check``/``coords`` (built-in
    representations) and ``equiact catalog`` (GAP, :meth:`equiact.gap.GapGroup.named`) both
    parse names here, so a name means the same group everywhere.

    >>> parse_group_name("D_6"), parse_group_name("so(3)"), parse_group_name("smallgroup(8,3)")
    (('D', 6), ('SO3', None), ('SmallGroup', (8, 3)))
    """
    if not isinstance(group, str):
        raise InvalidInputError(f"group name must be a string, got {type(group).__name__}")
    m = re.fullmatch(r"\s*smallgroup\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*", group, re.I)
    if m:
        order, idx = int(m.group(1)), int(m.group(2))
        if not 1 <= order <= MAX_SMALLGROUP_ORDER or idx < 1:
            raise InvalidInputError(
                f"group {group!r}: SmallGroup(order,id) needs 1 <= order <= "
                f"{MAX_SMALLGROUP_ORDER} and id >= 1 (GAP's small groups library)"
            )
        return "SmallGroup", (order, idx)
    g = re.sub(r"[\s_()]", "", group).upper()
    if g in _SINGLE:
        return ("K4" if g == "V4" else g), None
    m = re.fullmatch(r"([CDSA])(\d+)", g)
    if m:
        n = int(m.group(2))
        fam = m.group(1)
        least = _LEAST[fam]
        if n < least or n > MAX_FAMILY_N:
            raise InvalidInputError(
                f"group {group!r}: {_FAMILIES[fam]} needs {least} <= n <= {MAX_FAMILY_N}, "
                f"got n = {n}"
            )
        return fam, n
    raise unknown_name("group", group, ["C<n>", "D<n>", "S<n>", "A<n>"] + _SINGLE
                       + ["SmallGroup(order,id)"])


def group_display_name(group: str) -> str:
    """The canonical spelling of a group name (``"s_4"`` -> ``"S4"``, ``"v4"`` -> ``"K4"``).

    >>> group_display_name("smallgroup( 8,3)"), group_display_name("d_6")
    ('SmallGroup(8,3)', 'D6')
    """
    fam, n = parse_group_name(group)
    if fam == "SmallGroup":
        return f"SmallGroup({n[0]},{n[1]})"
    return f"{fam}{n}" if n is not None else fam


def group_order(group: str) -> int | None:
    """The order of a named finite group (None for the compact Lie groups), without GAP.

    >>> group_order("S8"), group_order("D5"), group_order("T"), group_order("SO3")
    (40320, 10, 12, None)
    """
    fam, n = parse_group_name(group)
    if fam == "SmallGroup":
        return n[0]
    if fam in _SINGLE_ORDERS:
        return _SINGLE_ORDERS[fam]
    return {"C": lambda: n, "D": lambda: 2 * n, "S": lambda: math.factorial(n),
            "A": lambda: math.factorial(n) // 2}.get(fam, lambda: None)()


def group_permutations(group: str) -> list[list[int]] | None:
    """Faithful 0-based permutations of a named finite group, one per generator of its built-in
    representations (the same generators, in the same order); None for the compact Lie groups
    and for ``SmallGroup`` (which only GAP knows).

    ``equiact.gap.GapGroup.named`` builds its GAP group from these, so catalogue actions and
    built-in representations share generators.

    >>> group_permutations("S3"), group_permutations("C4")
    ([[1, 0, 2], [1, 2, 0]], [[1, 2, 3, 0]])
    """
    fam, n = parse_group_name(group)
    if fam == "C":
        return [[(j + 1) % n for j in range(n)]]
    if fam == "D":
        if n == 1:  # rotation by 2 pi = identity, reflection: C2 on 2 points
            return [[0, 1], [1, 0]]
        if n == 2:  # rotation by pi and a reflection: K4 on 4 points (diag(-1,-1), diag(1,-1))
            return [[1, 0, 3, 2], [2, 3, 0, 1]]
        return [[(j + 1) % n for j in range(n)], [(-j) % n for j in range(n)]]
    if fam == "S":
        return _sn_generators(n)
    if fam == "A":
        return _an_generators(n)
    if fam in _SINGLE_ORDERS:
        G = _SINGLE_BUILDERS[fam].faithful(fam).closure()
        return [p.tolist() for p in G.generator_permutations]
    return None


def _sn_generators(n: int) -> list[list[int]]:
    return [[1, 0] + list(range(2, n)), [(j + 1) % n for j in range(n)]]


def _an_generators(n: int) -> list[list[int]]:
    three = [1, 2, 0] + list(range(3, n))
    if n % 2 == 1:
        other = [(j + 1) % n for j in range(n)]
    else:
        other = [0] + [j + 1 for j in range(1, n - 1)] + [1]
    return [three, other]


def available_representations() -> dict[str, list[str]]:
    """Group name patterns and their representation names (for CLI help).

    >>> available_representations()["S<n>"]
    ['natural', 'standard', 'sign', 'tensor:<k>', 'subsets:<k>', 'regular', 'trivial']
    """
    return {
        "C<n>": ["rotation", "rotation:<k>", "regular", "permutation", "trivial"],
        "D<n>": ["standard", "regular", "permutation", "trivial"],
        "S<n>": ["natural", "standard", "sign", "tensor:<k>", "subsets:<k>", "regular",
                 "trivial"],
        "A<n>": ["natural", "standard", "tensor:<k>", "subsets:<k>", "regular", "trivial"],
        "Q8": ["quaternion", "regular", "trivial"],
        "T": ["vector", "regular", "trivial"],
        "O": ["vector", "regular", "trivial"],
        "I": ["vector", "regular", "trivial"],
        "K4 (= V4)": ["regular", "diagonal", "trivial"],
        "SmallGroup(order,id)": ["regular", "trivial"],
        "SO2": ["vector", "trivial"],
        "O2": ["vector", "det", "trivial"],
        "SO3": ["vector", "trivial"],
        "O3": ["vector", "pseudoscalar", "trivial"],
    }


def _parse_rep(rep: str, params: dict, group: str, known: list[str]) -> tuple[str, int | None]:
    if not isinstance(rep, str):
        raise InvalidInputError(f"representation name must be a string, got {type(rep).__name__}")
    # "-" and "_" may separate words of the name ("pseudo-scalar"), never the sign of k
    m = re.fullmatch(r"([a-z_\-]+?)\s*(?::|\(|)\s*(-?\d+)?\)?", rep.strip().lower())
    if not m:
        raise unknown_name(f"representation of {group}", rep, known)
    base, k = m.group(1).replace("-", "").replace("_", ""), m.group(2)
    k = None if k is None else int(k)
    extra = dict(params)
    if "k" in extra:
        if k is not None and k != extra["k"]:
            raise InvalidInputError(f"representation {rep!r}: k given twice ({k} and "
                                    f"{extra['k']})")
        k = extra.pop("k")
        if not isinstance(k, int | np.integer):
            raise InvalidInputError(f"representation {rep!r}: k must be an integer, got {k!r}")
        k = int(k)
    if extra:
        raise InvalidInputError(
            f"representation {rep!r} of {group}: unknown parameter(s) "
            + ", ".join(sorted(extra)) + " (only k is accepted)"
        )
    plain = sorted({x.split(":")[0] for x in known})
    if base not in plain:
        raise unknown_name(f"representation of {group}", rep, plain)
    return base, k


def _need_k(base, k, group, allowed=True):
    if not allowed and k is not None:
        raise InvalidInputError(f"representation {base!r} of {group} takes no parameter k")


def _k_required(base, k, group, lo, hi):
    if k is None:
        raise InvalidInputError(
            f"representation {base!r} of {group} needs k, e.g. '{base}:2' (with {lo} <= k <= {hi})"
        )
    if not lo <= k <= hi:
        raise InvalidInputError(
            f"representation '{base}:{k}' of {group} needs {lo} <= k <= {hi}, got k = {k}"
        )


# ---------------------------------------------------------------------- entry point
def named_representation(group: str, rep: str, **params) -> Representation:
    """A built-in representation, e.g. ``("S4", "standard")``, ``("C6", "rotation:2")``,
    ``("S3", "tensor", k=2)``, ``("O3", "pseudoscalar")``. See :func:`available_representations`.

    >>> r = named_representation("S3", "tensor:2")
    >>> r.dim, r.name, r.closure().order
    (9, 'tensor:2', 6)
    >>> named_representation("O3", "vector").lie_algebra[2]
    Matrix([
    [0, -1, 0],
    [1,  0, 0],
    [0,  0, 0]])
    """
    fam, n = parse_group_name(group)
    gname = group_display_name(group)
    pattern = {"C": "C<n>", "D": "D<n>", "S": "S<n>", "A": "A<n>", "K4": "K4 (= V4)",
               "SmallGroup": "SmallGroup(order,id)"}.get(fam, fam)
    known = available_representations()[pattern]
    base, k = _parse_rep(rep, params, gname, known)
    name = base if k is None else f"{base}:{k}"
    builder = {"C": _cyclic, "D": _dihedral, "S": _symmetric, "A": _alternating,
               "SmallGroup": _small_group}.get(fam)
    if builder is not None:
        return builder(n, base, k, name, gname)
    return _SINGLE_BUILDERS[fam](base, k, name, gname)


def _cyclic(n, base, k, name, g):
    cycle = [(j + 1) % n for j in range(n)]
    if base == "rotation":
        if k is None:
            k = 1
            name = "rotation"
        return _rep([_rotation(n, k)], name=name, group=g)
    _need_k(base, k, g, allowed=False)
    if base in ("regular", "permutation"):
        _check_dim(n, g, name)
        return _perm_rep([cycle], name, g)
    return _trivial(1, name, g)


def _dihedral(n, base, k, name, g):
    _need_k(base, k, g, allowed=False)
    if base == "standard":
        return _rep([_rotation(n), sp.ImmutableMatrix([[1, 0], [0, -1]])], name=name, group=g)
    if base == "trivial":
        return _trivial(2, name, g)
    if base == "permutation":
        if n < 3:
            raise InvalidInputError(
                f"'permutation' of {g} acts on the n vertices of a polygon and needs n >= 3"
            )
        _check_dim(n, g, name)
        return _perm_rep([[(j + 1) % n for j in range(n)], [(-j) % n for j in range(n)]],
                         name, g)
    _check_dim(2 * n, g, name)
    if n >= 3:  # the action on the vertices is faithful and monomial (fast closure)
        faithful = _perm_rep([[(j + 1) % n for j in range(n)], [(-j) % n for j in range(n)]],
                             "permutation", g)
    else:  # D1, D2: the standard representation is faithful and rational
        faithful = _rep([_rotation(n), sp.ImmutableMatrix([[1, 0], [0, -1]])], group=g)
    return _regular(faithful, name, g)


def _sn_like(n, gens, base, k, name, g, has_sign):
    if base == "natural":
        _need_k(base, k, g, allowed=False)
        _check_dim(n, g, name)
        return _perm_rep(gens, name, g)
    if base == "standard":
        _need_k(base, k, g, allowed=False)
        _check_dim(n - 1, g, name)
        if n > 64:
            raise InvalidInputError(
                f"'standard' of {g}: exact Helmert-basis matrices are built for n <= 64 only"
            )
        return _standard_from_perms(gens, n, name, g)
    if base == "sign" and has_sign:
        _need_k(base, k, g, allowed=False)
        return _rep([sp.ImmutableMatrix([[permutation_sign(p)]]) for p in gens], name=name, group=g)
    if base == "trivial":
        _need_k(base, k, g, allowed=False)
        return _trivial(len(gens), name, g)
    if base == "tensor":
        _k_required(base, k, g, 1, 64)
        _check_dim(n ** k, g, name)
        return _perm_rep(_tensor_perms(gens, n, k), name, g)
    if base == "subsets":
        _k_required(base, k, g, 0, n)
        _check_dim(math.comb(n, k), g, name)
        return _perm_rep(_subset_perms(gens, n, k), name, g)
    if base == "regular":
        _need_k(base, k, g, allowed=False)
        order = math.factorial(n) // (1 if has_sign else 2)
        _check_dim(order, g, name)
        return _regular(_perm_rep(gens, "natural", g), name, g)
    raise unknown_name(f"representation of {g}", name, available_representations()[
        "S<n>" if has_sign else "A<n>"])


def _symmetric(n, base, k, name, g):
    return _sn_like(n, _sn_generators(n), base, k, name, g, has_sign=True)


def _alternating(n, base, k, name, g):
    return _sn_like(n, _an_generators(n), base, k, name, g, has_sign=False)


def _small_group(n, base, k, name, g):
    """``SmallGroup(order,id)``: only GAP knows the group, so only ``regular`` and ``trivial``
    (the left-multiplication action on GAP's list of elements)."""
    _need_k(base, k, g, allowed=False)
    from equiact.gap import GapGroup

    G = GapGroup.named(g)
    if base == "trivial":
        return _trivial(G.num_generators, name, g)
    _check_dim(G.order, g, name)
    return _perm_rep(G.regular_permutations(), name, g)


# ---------------------------------------------------------------------- single groups
def _q8_quaternion(g, name="quaternion"):
    # basis (1, i, j, k); columns are the images of the basis vectors
    Li = sp.ImmutableMatrix([[0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, -1], [0, 0, 1, 0]])
    Lj = sp.ImmutableMatrix([[0, 0, -1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, -1, 0, 0]])
    return _rep([Li, Lj], name=name, group=g)


def _o_vector(g, name="vector"):
    rz = sp.ImmutableMatrix([[0, -1, 0], [1, 0, 0], [0, 0, 1]])
    cyc = sp.ImmutableMatrix([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    return _rep([rz, cyc], name=name, group=g)


def _i_vector(g, name="vector"):
    phi = (1 + sp.sqrt(5)) / 2
    cyc = sp.ImmutableMatrix([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    five = _exact(sp.Rational(1, 2) * sp.Matrix(
        [[1, -phi, 1 / phi], [phi, 1 / phi, -1], [1 / phi, 1, phi]]))
    return _rep([cyc, five], name=name, group=g)


def _t_vector(g, name="vector"):
    # rotations of the tetrahedron with vertices (1,1,1), (1,-1,-1), (-1,1,-1), (-1,-1,1)
    cyc = sp.ImmutableMatrix([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    half_turn = sp.ImmutableMatrix([[1, 0, 0], [0, -1, 0], [0, 0, -1]])
    return _rep([cyc, half_turn], name=name, group=g)


def _k4_regular(g, name="regular"):
    return _perm_rep([[1, 0, 3, 2], [2, 3, 0, 1]], name, g)


_LX = sp.ImmutableMatrix([[0, 0, 0], [0, 0, -1], [0, 1, 0]])
_LY = sp.ImmutableMatrix([[0, 0, 1], [0, 0, 0], [-1, 0, 0]])
_LZ = sp.ImmutableMatrix([[0, -1, 0], [1, 0, 0], [0, 0, 0]])
_J2 = sp.ImmutableMatrix([[0, -1], [1, 0]])


def _finite_single(faithful, reps: dict):
    def build(base, k, name, g):
        _need_k(base, k, g, allowed=False)
        if base == "regular":
            return _regular(faithful(g), name, g)
        if base == "trivial":
            return _trivial(len(faithful(g).generators), name, g)
        return reps[base](g, name)

    build.faithful = faithful
    return build


def _continuous(table):
    def build(base, k, name, g):
        _need_k(base, k, g, allowed=False)
        gens, lie = table[base]
        return _rep(gens, lie, name=name, group=g)

    return build


_SINGLE_BUILDERS = {
    "Q8": _finite_single(_q8_quaternion, {"quaternion": _q8_quaternion}),
    "T": _finite_single(_t_vector, {"vector": _t_vector}),
    "O": _finite_single(_o_vector, {"vector": _o_vector}),
    "I": _finite_single(_i_vector, {"vector": _i_vector}),
    "K4": _finite_single(_k4_regular, {
        "diagonal": lambda g, name: _rep([sp.ImmutableMatrix([[-1, 0], [0, 1]]),
                                          sp.ImmutableMatrix([[1, 0], [0, -1]])],
                                         name=name, group=g)}),
    "SO2": _continuous({"vector": ([], [_J2]), "trivial": ([], [sp.ImmutableMatrix([[0]])])}),
    "O2": _continuous({
        "vector": ([sp.ImmutableMatrix([[1, 0], [0, -1]])], [_J2]),
        "det": ([sp.ImmutableMatrix([[-1]])], [sp.ImmutableMatrix([[0]])]),
        "trivial": ([sp.ImmutableMatrix([[1]])], [sp.ImmutableMatrix([[0]])]),
    }),
    "SO3": _continuous({"vector": ([], [_LX, _LY, _LZ]),
                        "trivial": ([], [sp.ImmutableMatrix([[0]])] * 3)}),
    "O3": _continuous({
        "vector": ([-sp.ImmutableMatrix(sp.eye(3))], [_LX, _LY, _LZ]),
        "pseudoscalar": ([sp.ImmutableMatrix([[-1]])], [sp.ImmutableMatrix([[0]])] * 3),
        "trivial": ([sp.ImmutableMatrix([[1]])], [sp.ImmutableMatrix([[0]])] * 3),
    }),
}
