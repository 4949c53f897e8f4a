"""Admissible coordinates, rescaling, and the smallest admissible extension (THEORY.md 4).

Given a representation ``rho`` (generators in any basis) and an activation ``f``,
:func:`admissible_coordinates` decides whether some basis makes the point-wise layer
``x -> f~(x)`` equivariant, and builds it:

* linear ``f``: every basis works (the identity is returned);
* affine ``f`` with ``f(0) != 0``: the matrices need unit row sums, i.e. a basis whose all-ones
  vector is a common fixed vector; it exists iff ``rho`` fixes a non-zero vector;
* odd ``f`` with ``f(0) = 0``: a basis in which ``rho`` acts by signed permutation matrices;
* every other ``f``: a basis in which ``rho`` acts by permutation matrices.

For the last two the group must be finite after discarding a trivially acting identity
component. Monomial input is first rescaled by a positive diagonal (the paper's Theorem 2,
:func:`rescale_monomial`); otherwise characters decide: ``rho`` is (signed) permutation in some
basis iff its character is a non-negative integer combination of permutation characters
``1_H^G`` (induced sign characters ``Ind_H^G(eps)``). The basis ``T`` (columns) is then an
intertwiner ``rho(g) T = T pi(g)`` built from ``eps``-fixed vectors of the stabilisers
(Frobenius reciprocity), verified exactly for exact input. If no basis exists,
:func:`minimal_extension` finds the smallest admissible ``pi`` containing ``rho`` and an
injective ``E`` with ``pi(g) E = E rho(g)``.

>>> from equiact.representation import Representation
>>> rho = Representation.from_matrices([[[0, 2], ["1/2", 0]]])
>>> res = admissible_coordinates(rho, "relu")
>>> res.exists, res.method, res.basis.tolist()
(True, 'rescaling', [[sqrt(2), 0], [0, sqrt(2)/2]])
>>> res.generators_in_basis[0].tolist()
[[0, 1], [1, 0]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from equiact.errors import (
    ClosureLimitError,
    EquiactError,
    GroupTheoryError,
    InvalidInputError,
    NotFiniteGroupError,
)
from equiact.exact import is_exact_zero
from equiact.limits import check_limit, positive_int, progress

__all__ = [
    "CoordinatesResult",
    "MinimalExtension",
    "Summand",
    "admissible_coordinates",
    "minimal_extension",
    "rescale_monomial",
    "target_class",
    "TARGETS",
    "MAX_EXTENSION_DIM",
    "MAX_ORDER",
    "MAX_INDEX",
]

#: Matrix classes a basis can be asked to achieve.
TARGETS = ("any", "unit row sums", "permutation", "signed permutation")
#: Largest dimension of a (signed) permutation representation built explicitly.
MAX_EXTENSION_DIM = 20_000
#: Largest order of a group enumerated as matrices (closure) and handed to GAP through its
#: regular action (``--max-order``); equal to :data:`equiact.gap.MAX_REGULAR_DEGREE`.
MAX_ORDER = 20_000
#: Largest subgroup index (dimension of a transitive G-set) searched for the smallest
#: admissible extension (``--max-index``).
MAX_INDEX = 1_000
#: Float tolerance used to read integers (characters, entries) from float data.
FLOAT_TOL = 1e-6


# ====================================================================== results
@dataclass
class Summand:
    """One transitive (signed) G-set ``Ind_H^G(eps)`` inside the found basis.

    ``coordinates`` are the basis indices it occupies; ``stabilizer_generators`` generate the
    stabiliser ``H`` of the first of them, as matrices in the *original* coordinates; ``sign``
    holds ``eps`` on those generators (all +1 for permutation summands).
    """

    coordinates: list
    stabilizer_order: int
    stabilizer_generators: list
    sign: list
    structure: str = ""

    @property
    def dimension(self) -> int:
        return len(self.coordinates)

    @property
    def signed(self) -> bool:
        return any(s < 0 for s in self.sign)

    def to_json(self) -> dict:
        return {
            "dimension": self.dimension,
            "coordinates": [int(c) for c in self.coordinates],
            "stabilizer_order": self.stabilizer_order,
            "stabilizer_structure": self.structure,
            "stabilizer_generators": [_matrix_json(m) for m in self.stabilizer_generators],
            "sign": [int(s) for s in self.sign],
            "signed": self.signed,
        }


@dataclass
class MinimalExtension:
    """The smallest admissible representation ``pi`` containing ``rho``.

    ``pi`` acts on ``R^dimension`` by ``perms``/``signs`` (generator ``i``:
    ``e_x -> signs[i, x] e_{perms[i, x]}``); ``embedding`` is ``E`` (``dimension x n``, full
    column rank) with ``pi(g) E = E rho(g)``: ``x -> E x`` maps ``rho`` into ``pi``.
    ``decomposition`` lists ``(label, dimension, stabiliser order, signed, multiplicity)``.
    ``dimension`` is ``None`` when no admissible representation contains ``rho`` (a
    non-trivial identity component) or the search exceeded a limit; ``note`` says which.
    """

    dimension: int | None
    target: str
    decomposition: list
    perms: np.ndarray | None = None
    signs: np.ndarray | None = None
    embedding: object = None
    residual: float = 0.0
    note: str = ""

    @property
    def generators(self) -> list:
        """``pi(g_i)`` as integer matrices."""
        if self.perms is None:
            return []
        return [_signed_perm_matrix(p, s) for p, s in zip(self.perms, self.signs)]

    def to_json(self) -> dict:
        return {
            "dimension": self.dimension,
            "target": self.target,
            "decomposition": self.decomposition,
            "perms": None if self.perms is None else self.perms.tolist(),
            "signs": None if self.signs is None else self.signs.tolist(),
            "embedding": None if self.embedding is None else _matrix_json(self.embedding),
            "residual": self.residual,
            "note": self.note,
        }


@dataclass
class CoordinatesResult:
    """Outcome of :func:`admissible_coordinates`.

    ``basis`` is ``T`` (columns = new basis vectors in old coordinates), so that
    ``generators_in_basis[i] = T^-1 rho(g_i) T``; exact sympy when the input is exact, else
    float64 with ``residual`` the largest entry of ``T^-1 rho(g_i) T - pi(g_i)`` (0 for exact).
    """

    exists: bool
    target: str
    activation: str
    reason: str
    method: str = ""
    basis: object = None
    generators_in_basis: list | None = None
    perms: np.ndarray | None = None
    signs: np.ndarray | None = None
    decomposition: list = field(default_factory=list)
    residual: float = 0.0
    exact: bool = False
    group_order: int | None = None
    character: list | None = None
    minimal_extension: MinimalExtension | None = None

    def to_json(self) -> dict:
        return {
            "exists": self.exists,
            "target": self.target,
            "activation": self.activation,
            "reason": self.reason,
            "method": self.method,
            "exact": self.exact,
            "group_order": self.group_order,
            "character": self.character,
            "basis": None if self.basis is None else _columns_json(self.basis),
            "generators_in_basis": None if self.generators_in_basis is None else
            [_matrix_json(m) for m in self.generators_in_basis],
            "residual": self.residual,
            "decomposition": [s.to_json() for s in self.decomposition],
            "minimal_extension": None if self.minimal_extension is None else
            self.minimal_extension.to_json(),
        }


def _entry_json(x):
    if isinstance(x, sp.Basic):
        return int(x) if x.is_Integer else str(x)
    v = float(x)
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def _matrix_json(m) -> list:
    if isinstance(m, np.ndarray):
        return [[_entry_json(x) for x in row] for row in m.tolist()]
    return [[_entry_json(m[i, j]) for j in range(m.shape[1])] for i in range(m.shape[0])]


def _columns_json(m) -> list:
    rows = _matrix_json(m)
    return [list(col) for col in zip(*rows)] if rows else []


def _signed_perm_matrix(perm, sign) -> np.ndarray:
    m = len(perm)
    out = np.zeros((m, m), dtype=np.int64)
    out[np.asarray(perm), np.arange(m)] = np.asarray(sign)
    return out


# ====================================================================== targets
def target_class(activation) -> str:
    """The matrix class a basis must achieve for ``activation`` (bounded groups).

    >>> [target_class(a) for a in ("identity", "x + 1", "tanh", "relu", "sigmoid")]
    ['any', 'unit row sums', 'signed permutation', 'permutation', 'permutation']
    """
    from equiact.activations import analyze_activation

    p = analyze_activation(activation)  # a profile is returned as it is
    if p.is_linear:
        return "any"
    if p.is_affine:
        return "unit row sums"
    if p.zero_at_origin and p.odd_f0:
        return "signed permutation"
    return "permutation"


# ====================================================================== exact/float helpers
def _simplify_matrix(m) -> sp.ImmutableMatrix:
    from equiact.exact import canonical_matrix

    return canonical_matrix(sp.Matrix(m))


def _exact_nullspace(m: sp.Matrix) -> list:
    """Basis of the null space of an exact matrix (QQ fast path)."""
    if m.rows == 0:
        return [sp.Matrix(sp.eye(m.cols))[:, k] for k in range(m.cols)]
    if all(x.is_Rational for x in m):
        from sympy.polys.matrices import DomainMatrix

        dm = DomainMatrix.from_Matrix(m).convert_to(sp.QQ)
        ns = dm.nullspace().to_Matrix()
        return [ns[k, :].T for k in range(ns.rows)]
    from equiact.exact import is_exact_zero as _entries_zero

    return [sp.Matrix(v) for v in sp.Matrix(m).nullspace(iszerofunc=_entries_zero, simplify=True)]


def _float_nullspace(m: np.ndarray, tol: float) -> np.ndarray:
    """Columns spanning the numerical null space (singular values <= tol * scale)."""
    n = m.shape[1]
    if m.shape[0] == 0:
        return np.eye(n)
    _, s, vt = np.linalg.svd(m)
    scale = max(1.0, float(s[0]) if s.size else 1.0)
    s_full = np.zeros(n)
    s_full[: s.size] = s
    return vt[s_full <= tol * scale].T


def _exact_rank(m) -> int:
    from equiact.exact import exact_rank as rank

    return rank(sp.ImmutableMatrix(m))


# ====================================================================== rescaling
def _sparse_entries(m):
    """``{(i, j): value}`` of the non-zero entries of an exact matrix that sympy holds over ZZ
    or QQ (read from its sparse internal form in O(non-zeros)); None for other matrices."""
    rep = getattr(m, "_rep", None)
    try:
        if rep is None or not (rep.domain.is_ZZ or rep.domain.is_QQ):
            return None
        sdm = rep.to_sdm()
        conv = sp.Integer if rep.domain.is_ZZ else (lambda v: sp.Rational(v.numerator,
                                                                         v.denominator))
        return {(i, j): conv(v) for i, row in sdm.items() for j, v in row.items()}
    except Exception:  # pragma: no cover - a sympy without DomainMatrix internals
        return None


def _int_matrix(arr) -> sp.ImmutableMatrix:
    """An exact integer matrix from a (sparse) numpy integer array, built in O(non-zeros)."""
    arr = np.asarray(arr, dtype=np.int64)
    try:
        from sympy.polys.matrices import DomainMatrix

        rows = {}
        for i, j in zip(*np.nonzero(arr)):
            rows.setdefault(int(i), {})[int(j)] = sp.ZZ(int(arr[i, j]))
        return sp.ImmutableMatrix._fromrep(DomainMatrix(rows, arr.shape, sp.ZZ))
    except Exception:  # pragma: no cover - a sympy without DomainMatrix internals
        return sp.ImmutableMatrix(arr.tolist())


def _maybe_monomial(m: np.ndarray) -> bool:
    """False when some column of the float matrix has two clearly non-zero entries (then the
    exact matrix is not monomial either); True otherwise."""
    if m.size == 0:
        return True
    big = np.abs(m) > 1e-6 * max(1e-300, float(np.abs(m).max()))
    return bool((big.sum(axis=0) <= 1).all())


def _monomial_pattern(m, exact: bool, tol: float):
    """``(perm, entries)`` with ``m[perm[j], j] = entries[j]`` if ``m`` is monomial, else None."""
    n = m.shape[0]
    if exact:
        nz = _sparse_entries(m)
        if nz is not None:  # rational matrix: O(non-zeros)
            if len(nz) != n:
                return None
            perm = [None] * n
            entries = [None] * n
            for (i, j), v in nz.items():
                if perm[j] is not None:
                    return None
                perm[j], entries[j] = i, v
            if sorted(perm) != list(range(n)):
                return None
            return perm, entries
    perm, entries = [], []
    if exact:
        nz = [[not is_exact_zero(m[i, j]) for i in range(n)] for j in range(n)]
    else:
        scale = max(1e-300, float(np.abs(m).max()))
        nz = [[abs(m[i, j]) > tol * scale for i in range(n)] for j in range(n)]
    for j in range(n):
        rows = [i for i in range(n) if nz[j][i]]
        if len(rows) != 1:
            return None
        perm.append(rows[0])
        entries.append(m[rows[0], j])
    if sorted(perm) != list(range(n)):
        return None
    return perm, entries


def rescale_monomial(generators, tol: float = 1e-9):
    """Positive diagonal ``D`` with every ``D^-1 M D`` a signed permutation (Theorem 2).

    ``generators``: monomial matrices (exact sympy or float) of a bounded group. Returns
    ``(d, matrices)`` with ``d`` the diagonal of ``D`` (exact when the input is exact) and the
    rescaled generators. Normalisation: on each orbit of coordinates the product of the ``d_j``
    is 1. The paper writes the same change of basis as ``B M B^-1`` with ``B = D^-1``.
    Raises :class:`NotFiniteGroupError` for an unbounded group (a cycle of coordinates whose
    entries multiply to a number of modulus != 1) and :class:`InvalidInputError` for
    non-monomial input.

    >>> d, ms = rescale_monomial([sp.ImmutableMatrix([[0, 2], [sp.Rational(1, 2), 0]])])
    >>> d, ms[0].tolist()
    ([sqrt(2), sqrt(2)/2], [[0, 1], [1, 0]])
    >>> rescale_monomial([sp.ImmutableMatrix([[0, 2], [1, 0]])])
    Traceback (most recent call last):
    ...
    equiact.errors.NotFiniteGroupError: the monomial group is unbounded: ...
    """
    gens = list(generators)
    if not gens:
        raise InvalidInputError("rescale_monomial needs at least one generator")
    exact = not isinstance(gens[0], np.ndarray)
    n = gens[0].shape[0]
    patterns = []
    for k, m in enumerate(gens):
        if m.shape != (n, n):
            raise InvalidInputError(f"generator {k} has shape {m.shape}, expected {(n, n)}")
        pat = _monomial_pattern(m, exact, tol)
        if pat is None:
            raise InvalidInputError(
                f"generator {k} is not monomial (each row and column needs exactly one non-zero "
                "entry); rescaling applies to monomial matrices only"
            )
        patterns.append(pat)
    absval = (lambda x: _simplify_abs(x)) if exact else (lambda x: abs(float(x)))
    inverses = []
    for perm, _ in patterns:
        inv = [0] * n
        for j, i in enumerate(perm):
            inv[i] = j
        inverses.append(inv)
    d = [None] * n
    for root in range(n):
        if d[root] is not None:
            continue
        d[root] = sp.S.One if exact else 1.0
        stack, orbit = [root], [root]
        while stack:
            j = stack.pop()
            for perm, entries in patterns:
                # forward edge j -> perm[j]: d[perm[j]] = |c| d[j]
                i, c = perm[j], absval(entries[j])
                if d[i] is None:
                    d[i] = d[j] if c == 1 else _canon(c * d[j]) if exact else c * d[j]
                    stack.append(i)
                    orbit.append(i)
            for (_perm, entries), inv in zip(patterns, inverses):  # backward edges into j
                src = inv[j]
                if d[src] is None:
                    c = absval(entries[src])
                    d[src] = d[j] if c == 1 else _canon(d[j] / c) if exact else d[j] / c
                    stack.append(src)
                    orbit.append(src)
        # normalise: product over the orbit is 1
        if exact and all(d[j] == 1 for j in orbit):
            pass
        elif exact:
            prod = _canon(sp.Mul(*[d[j] for j in orbit]))
            gm = _canon(sp.root(prod, len(orbit))) if prod != 1 else sp.S.One
            for j in orbit:
                d[j] = _canon(d[j] / gm)
        else:
            gm = math.exp(sum(math.log(d[j]) for j in orbit) / len(orbit))
            for j in orbit:
                d[j] = d[j] / gm
    # verify every edge: |c| d[j] = d[perm[j]]
    for k, (perm, entries) in enumerate(patterns):
        for j in range(n):
            c = absval(entries[j])
            i = perm[j]
            if exact and c == 1 and d[j] == d[i]:
                continue
            ratio = _canon(c * d[j] / d[i]) if exact else c * d[j] / d[i]
            ok = (ratio == 1 or is_exact_zero(ratio - 1)) if exact else abs(ratio - 1) <= 1e3 * tol
            if not ok:
                raise NotFiniteGroupError(
                    f"the monomial group is unbounded: following generator {k} from coordinate "
                    f"{j} to {i} multiplies by |{entries[j]}| but the other path between these "
                    f"coordinates gives a different scale (ratio {ratio}); a cycle of entries "
                    "with product of modulus != 1 generates unbounded powers, so no positive "
                    "rescaling, and no (signed) permutation basis, can exist"
                )
    if exact:
        # D^-1 M D has the entry c_j d_j / d_perm(j) = sign(c_j) at (perm(j), j) (verified above)
        mats = []
        for perm, entries in patterns:
            arr = np.zeros((n, n), dtype=np.int64)
            for j in range(n):
                arr[perm[j], j] = 1 if _is_positive(entries[j]) else -1
            mats.append(_int_matrix(arr))
    else:
        darr = np.array(d, dtype=float)
        mats = [m * darr[None, :] / darr[:, None] for m in gens]
    return d, mats


def _is_positive(x) -> bool:
    x = sp.sympify(x)
    if x.is_Rational:
        return bool(x > 0)
    return float(x.evalf(30)) > 0


def _canon(x):
    from equiact.exact import canonical

    return canonical(sp.nsimplify(x) if isinstance(x, float) else sp.sympify(x))


def _simplify_abs(x):
    x = sp.sympify(x)
    if x.is_Rational:
        return abs(x)
    val = complex(x.evalf(30))
    if abs(val.imag) > 1e-20:
        raise InvalidInputError(f"entry {x} is not real")
    return _canon(x if val.real > 0 else -x)


def _transcendental_form(rep) -> bool:
    """Whether exact generators contain function values or constants such as ``cos(pi/7)``.

    Such entries are algebraic numbers sympy cannot put in a normal form: products of them do
    not cancel (``sin(a)**2 + cos(a)**2``), expressions grow with every multiplication and exact
    zero tests need ``simplify``, so the character computations run in float64 instead.
    """
    return any(x.atoms(sp.Function, sp.NumberSymbol)
               for m in (*rep.generators, *rep.lie_algebra) for x in m)


def _as_float(rep):
    from equiact.representation import Representation

    return Representation.from_matrices(rep.numeric_generators(), rep.numeric_lie_algebra(),
                                        name=rep.name)


# ====================================================================== group data
class _GroupData:
    """The finite group generated by rho's generators, in GAP, with character values."""

    def __init__(self, rep, closure, max_classes: int):
        from equiact.gap import GapGroup

        self.rep = rep
        self.exact = rep.exact
        self.closure = closure
        self.order = self.closure.order
        self.G = GapGroup.from_matrix_group(self.closure, name=rep.name,
                                            max_order=max(closure.order, 1))
        self.G.max_classes = max_classes
        self.classes = self.G.conjugacy_classes()
        self.sizes = [c.size for c in self.classes]
        self.raw_char = []
        for c in self.classes:
            m = self.closure.element(c.element)
            self.raw_char.append(sp.Matrix(m).trace() if self.exact else float(np.trace(m)))

    def describe_class(self, k: int) -> str:
        c = self.classes[k]
        word = self.closure.words[c.element]
        w = "*".join(f"g{i}" for i in word) if word else "identity"
        return f"the class of {w} (elements of order {c.order}, {c.size} of them)"

    def integer_character(self, allow_negative: bool):
        """``(values, None)`` or ``(None, reason)``."""
        values = []
        for k, v in enumerate(self.raw_char):
            if self.exact:
                num = complex(sp.sympify(v).evalf(30))
                near = round(num.real)
                ok = abs(num - near) < 1e-20 and is_exact_zero(sp.sympify(v) - near)
                shown = f"{sp.nsimplify(v)} = {num.real:.6g}"
            else:
                near = round(v)
                ok = abs(v - near) <= FLOAT_TOL * max(1, self.rep.dim)
                shown = f"{v:.6g}"
            if not ok:
                return None, (
                    f"the character value trace rho(g) = {shown} on {self.describe_class(k)} "
                    "is not an integer; in a (signed) permutation basis every trace is an "
                    "integer (a signed count of fixed points), so no such basis exists"
                )
            if near < 0 and not allow_negative:
                return None, (
                    f"the character value trace rho(g) = {near} on {self.describe_class(k)} "
                    "is negative; a permutation matrix's trace counts its fixed points, so no "
                    "permutation basis exists (signed permutations, for odd activations, may "
                    "still exist)"
                )
            values.append(int(near))
        return values, None

    def matrix(self, gap_element):
        return self.closure.element(self.G.element_index(gap_element))


class _ModelData(_GroupData):
    """The group of a representation with a :class:`~equiact.groups.PermutationModel`:
    a GAP permutation group (never enumerated), GAP's conjugacy classes, and the character
    ``trace rho(g) = trace(P(g) A^T A)`` read off the module permutation of each class
    representative. The model's identities are verified exactly first."""

    def __init__(self, rep, model, max_classes: int):
        from equiact.gap import GapGroup

        self.rep = rep
        self.exact = True
        self.model = model
        self.A = sp.Matrix(model.A)
        self.N = len(model.module[0])
        self.G = GapGroup.from_permutations([list(p) for p in model.group_perms],
                                            name=rep.group_name)
        self.G.max_classes = max_classes
        self.order = self.G.order
        self.classes = self.G.conjugacy_classes()  # checks the class limit first
        _verify_model(rep, model, self.A)
        self.sizes = [c.size for c in self.classes]
        M = _simplify_matrix(self.A.T * self.A)
        self.M = M
        self._hom = None
        self.raw_char = []
        for c in self.classes:
            q = self.module_perm(c.rep)
            self.raw_char.append(_canon(sp.Add(*[M[k, q[k]] for k in range(self.N)])))

    def module_perm(self, gap_element) -> list:
        """The permutation of the module's N points by a GAP element of the group."""
        from equiact.gap import libgap

        lg = libgap()
        if self.model.module_perms is None:
            return self.G.element_permutation(gap_element, self.N)
        if self._hom is None:
            gens = [lg.PermList([v + 1 for v in p]) for p in self.model.module_perms]
            Q = lg.GroupWithGenerators(gens, lg.eval("()"))
            self._hom = lg.GroupHomomorphismByImagesNC(self.G.gap, Q, self.G.generators, gens)
        img = lg.Image(self._hom, gap_element)
        return [v - 1 for v in [int(x) for x in lg.ListPerm(img, self.N).sage()]]

    def describe_class(self, k: int) -> str:
        c = self.classes[k]
        perm = str(c.rep).replace(" ", "")
        return (f"the class of the permutation {perm} (elements of order {c.order}, {c.size} "
                "of them)")

    def matrix_of_perm(self, q) -> sp.ImmutableMatrix:
        """``rho(g) = A P(g) A^T`` for the module permutation ``q`` of ``g`` (exact)."""
        Aq = sp.zeros(self.A.rows, self.N)
        for k in range(self.N):
            Aq[:, k] = self.A[:, q[k]]
        return _simplify_matrix(Aq * self.A.T)


def _verify_model(rep, model, A) -> None:
    """Exactly: ``A A^T = I``, ``rho(g_i) A = A P_i`` and ``rho(g_i)^T A = A P_i^T``."""
    from equiact.exact import is_exact_zero as zero

    n, N = A.shape
    if n != rep.dim or len(model.module) != len(rep.generators):
        raise GroupTheoryError("internal error: the permutation model does not fit the "
                               "representation (dimension or number of generators)")
    if not all(zero(x) for x in (A * A.T - sp.eye(n))):
        raise GroupTheoryError("internal error: the permutation model's A has no orthonormal rows")
    for i, (g, q) in enumerate(zip(rep.generators, model.module)):
        g = sp.Matrix(g)
        AP = sp.zeros(n, N)   # A P_i e_k = A e_q(k)
        APt = sp.zeros(n, N)  # A P_i^T e_q(k) = A e_k
        for k in range(N):
            AP[:, k] = A[:, q[k]]
            APt[:, q[k]] = A[:, k]
        if not all(zero(x) for x in (g * A - AP)) or not all(zero(x) for x in (g.T * A - APt)):
            raise GroupTheoryError(f"internal error: the permutation model does not intertwine "
                                   f"generator {i}")


def _signed_orbit_basis(N, gens_perms, eps) -> list:
    """Integer basis of {v in R^N : v[q(j)] = e v[j] for every (q, e)} (union-find with parity:
    one +-1 vector per orbit of points without a sign conflict)."""
    parent = list(range(N))
    parity = [0] * N  # parity of the path to the parent

    def find(a):
        p = 0
        root = a
        while parent[root] != root:
            p ^= parity[root]
            root = parent[root]
        # path compression
        b, pb = a, p
        while parent[b] != b:
            nxt, par = parent[b], parity[b]
            parent[b], parity[b] = root, pb
            pb ^= par
            b = nxt
        return root, p

    bad = set()
    for q, e in zip(gens_perms, eps):
        flip = 0 if e > 0 else 1
        for j in range(N):
            ra, pa = find(j)
            rb, pb = find(q[j])
            if ra == rb:
                if pa ^ pb != flip:
                    bad.add(ra)
            else:
                parent[rb] = ra
                parity[rb] = pa ^ pb ^ flip
                if rb in bad:
                    bad.add(ra)
    comps = {}
    for j in range(N):
        r, p = find(j)
        comps.setdefault(r, []).append((j, p))
    bad = {find(b)[0] for b in bad}
    out = []
    for r, members in comps.items():
        if r in bad:
            continue
        v = np.zeros(N, dtype=np.int64)
        for j, p in members:
            v[j] = -1 if p else 1
        out.append(v)
    return out


def _model_intertwiner(data: _ModelData, perms, signs, blocks, seed: int):
    """Integer S (N x D) with P(g_i) S = S pi(g_i): columns along each block from an
    eps-fixed vector of the module (Frobenius reciprocity in the permutation module)."""
    from equiact.gap import libgap

    lg = libgap()
    rng = np.random.default_rng(seed)
    N = data.N
    qs = [np.asarray(q, dtype=np.int64) for q in data.model.module]
    cols = []
    spaces = {}
    for entry, offset, size in blocks:
        key = id(entry)
        if key not in spaces:
            hs = list(entry.gap_subgroup.GeneratorsOfGroup())
            eps = [1 if lg.IsSubset(entry.gap_kernel, [h]) else -1 for h in hs]
            spaces[key] = _signed_orbit_basis(N, [data.module_perm(h) for h in hs], eps)
        basis = spaces[key]
        if not basis:
            raise GroupTheoryError(
                f"internal error: no eps-fixed vector for the stabiliser of order "
                f"{entry.stabilizer_order}; the decomposition does not match rho")
        coeffs = rng.integers(-3, 4, size=len(basis))
        if not coeffs.any():
            coeffs[0] = 1
        v = sum(int(c) * b for c, b in zip(coeffs, basis))
        block = [None] * size
        block[0] = v
        queue = [0]
        for x in queue:
            for i, q in enumerate(qs):
                y = int(perms[i, offset + x]) - offset
                if block[y] is None:
                    w = np.empty(N, dtype=np.int64)
                    w[q] = block[x]  # (P_i c)[q(k)] = c[k]
                    block[y] = int(signs[i, offset + x]) * w
                    queue.append(y)
        if any(c is None for c in block):
            raise GroupTheoryError("internal error: a coset block is not transitive")
        cols.extend(block)
    S = np.column_stack(cols)
    # exact check (integers): P_i S = S pi_i
    for i, q in enumerate(qs):
        PS = np.empty_like(S)
        PS[q] = S
        Spi = S[:, perms[i]] * signs[i][None, :]  # (S pi_i) e_x = s_x S e_{p(x)}
        if not np.array_equal(PS, Spi):
            raise GroupTheoryError("internal error: the module intertwiner is not equivariant")
    return S


def _model_rank(data: _ModelData, S) -> int:
    """rank(A S) = rank(A^T A S) (A has orthonormal rows), exactly."""
    MS = data.M * sp.Matrix(S.tolist())
    if all(x.is_Rational for x in MS):
        return _exact_rank(MS)
    return _exact_rank(_simplify_matrix(data.A * sp.Matrix(S.tolist())))


def _finish_model(data: _ModelData, chosen, base, seed) -> CoordinatesResult:
    """Basis T = A S from the module intertwiner; T^-1 rho(g_i) T = pi(g_i) follows exactly
    from rho(g_i) A = A P_i (verified) and P_i S = S pi_i (verified in integers)."""
    rep = data.rep
    n = rep.dim
    perms, signs, blocks = _blocks_action(data.G, chosen)
    for attempt in range(5):
        S = _model_intertwiner(data, perms, signs, blocks, seed + attempt)
        if _model_rank(data, S) == n:
            break
    else:
        raise GroupTheoryError("could not find an invertible intertwiner in 5 random tries")
    T = _simplify_matrix(data.A * sp.Matrix(S.tolist()))
    from equiact.gap import libgap

    lg = libgap()
    decomposition = []
    for entry, offset, size in blocks:
        hs = list(entry.gap_subgroup.GeneratorsOfGroup())
        mats = [data.matrix_of_perm(data.module_perm(h)) for h in hs]
        sign = [1 if lg.IsSubset(entry.gap_kernel, [h]) else -1 for h in hs]
        structure = _structure(entry.gap_subgroup)
        decomposition.append(Summand(list(range(offset, offset + size)), entry.stabilizer_order,
                                     mats, sign, structure))
    in_basis = [_int_matrix(_signed_perm_matrix(p, s)) for p, s in zip(perms, signs)]
    return CoordinatesResult(True, reason=_found_reason(base, "characters", decomposition),
                             method="characters", basis=T, generators_in_basis=in_basis,
                             perms=perms, signs=signs, decomposition=decomposition,
                             residual=0.0, **base)


# ====================================================================== solving
def _milp(c, A_eq=None, b_eq=None, A_ub=None, b_ub=None, upper=None, time_limit=20.0):
    """Small integer program min c.a, a >= 0 integer; returns the solution or None."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    c = np.asarray(c, dtype=float)
    cons = []
    if A_eq is not None and len(A_eq):
        cons.append(LinearConstraint(np.asarray(A_eq, float), b_eq, b_eq))
    if A_ub is not None and len(A_ub):
        cons.append(LinearConstraint(np.asarray(A_ub, float), -np.inf, b_ub))
    ub = np.full(c.size, np.inf) if upper is None else np.asarray(upper, float)
    res = milp(c, constraints=cons, integrality=np.ones(c.size), bounds=Bounds(0, ub),
               options={"time_limit": time_limit, "mip_rel_gap": 0.0})
    if res.status == 1:
        raise GroupTheoryError(
            f"the integer program over {c.size} candidates hit its time limit of {time_limit} s"
        )
    if res.x is None or res.status != 0:
        return None
    return np.rint(res.x).astype(np.int64)


def _blocks_action(G, chosen):
    """Direct sum of the coset actions of (entry, multiplicity) pairs."""
    perms, signs, blocks = [], [], []
    offset = 0
    for entry, mult in chosen:
        kernel = entry.gap_kernel if entry.signed else None
        p, s = G.coset_action(entry.gap_subgroup, kernel)
        for _ in range(mult):
            perms.append(p + offset)
            signs.append(s)
            blocks.append((entry, offset, p.shape[1]))
            offset += p.shape[1]
    return np.concatenate(perms, axis=1), np.concatenate(signs, axis=1), blocks


def _eps_space(data: _GroupData, entry, left: bool, tol: float):
    """Basis of {v : rho(h) v = eps(h) v} (left=False) or {w : w rho(h) = eps(h) w} (rows)."""
    n = data.rep.dim
    gens = list(entry.gap_subgroup.GeneratorsOfGroup())
    from equiact.gap import libgap

    lg = libgap()
    rows = []
    for h in gens:
        m = data.matrix(h)
        eps = 1 if lg.IsSubset(entry.gap_kernel, [h]) else -1
        if data.exact:
            mm = sp.Matrix(m) - eps * sp.eye(n)
            rows.append(mm.T if left else mm)
        else:
            mm = np.asarray(m) - eps * np.eye(n)
            rows.append(mm.T if left else mm)
    if data.exact:
        stacked = sp.Matrix.vstack(*rows) if rows else sp.zeros(0, n)
        return _exact_nullspace(stacked)
    stacked = np.vstack(rows) if rows else np.zeros((0, n))
    ns = _float_nullspace(stacked, 1e-7)
    return [ns[:, k] for k in range(ns.shape[1])]


def _orbit_columns(gens, perms, signs, offset, size, v, exact):
    """Columns c_x (x in the block) with c_0 = v and c_{perm(x)} = sign * g c_x."""
    cols = [None] * size
    cols[0] = v
    queue = [0]
    for x in queue:
        for i, g in enumerate(gens):
            y = int(perms[i, offset + x]) - offset
            if cols[y] is None:
                s = int(signs[i, offset + x])
                cols[y] = _simplify_matrix(s * (g * cols[x])) if exact else s * (g @ cols[x])
                queue.append(y)
    if any(c is None for c in cols):
        raise GroupTheoryError("internal error: a coset block is not transitive")
    return cols


def _random_combination(basis, rng, exact):
    if exact:
        coeffs = [int(rng.integers(-3, 4)) for _ in basis]
        if all(c == 0 for c in coeffs):
            coeffs[0] = 1
        return _simplify_matrix(sum((c * b for c, b in zip(coeffs, basis)),
                                    sp.zeros(basis[0].rows, 1)))
    coeffs = rng.standard_normal(len(basis))
    return sum(c * b for c, b in zip(coeffs, basis))


def _intertwiner(data: _GroupData, perms, signs, blocks, left: bool, seed: int, tol: float):
    """T (n x N, rho(g) T = T pi(g)) or, with left=True, E (N x n, pi(g) E = E rho(g))."""
    rng = np.random.default_rng(seed)
    exact = data.exact
    rep = data.rep
    if left:
        from equiact.exact import exact_inverse

        if exact:
            gens = [exact_inverse(sp.Matrix(g)).T for g in rep.generators]
        else:
            gens = [np.linalg.inv(g).T for g in rep.numeric_generators()]
    else:
        gens = [sp.Matrix(g) for g in rep.generators] if exact else rep.numeric_generators()
    spaces = {}
    cols = []
    for entry, offset, size in blocks:
        key = id(entry)
        if key not in spaces:
            spaces[key] = _eps_space(data, entry, left, tol)
        basis = spaces[key]
        if not basis:
            raise GroupTheoryError(
                f"internal error: no eps-fixed vector for the stabiliser of order "
                f"{entry.stabilizer_order}; the decomposition does not match rho"
            )
        v = _random_combination(basis, rng, exact)
        cols.extend(_orbit_columns(gens, perms, signs, offset, size, v, exact))
    if exact:
        M = sp.Matrix.hstack(*cols)
    else:
        M = np.column_stack(cols)
    return M.T if left else M


# ====================================================================== main entry
def _check_named_order(rep, limit: int) -> None:
    """Refuse at once when a built-in group's order (known without enumeration) is too big."""
    from equiact.groups import group_order

    if not rep.group_name:
        return
    try:
        order = group_order(rep.group_name)
    except EquiactError:  # a group_name that is not a built-in name
        return
    if order is not None:
        check_limit(f"the order of the group to enumerate as matrices ({rep.group_name})",
                    order, limit, flag="--max-order", kwarg="closure_limit")


def _closure(rep, limit: int, tol: float):
    """``rep.closure`` under the order limit, with the estimate checked first for named groups
    and a progress bar when the limit allows a long enumeration."""
    what = "the order of the group to enumerate as matrices"
    _check_named_order(rep, limit)
    with progress(limit, "enumerating the group") as bar:
        last = [0]

        def step(k):
            bar.update(k - last[0])
            last[0] = k

        try:
            return rep.closure(limit=limit, tol=tol, progress=step)
        except ClosureLimitError as err:
            raise ClosureLimitError(
                f"{what} is not known in advance and the group generated has more than {limit} "
                "elements (or is infinite: an element of infinite order generates an infinite "
                f"group); raise the limit with --max-order {10 * limit} (Python: "
                f"closure_limit={10 * limit})") from err


def _group_data(rep, closure_limit: int, tol: float, max_classes):
    """Group data for the character computations: a known permutation model (named S_n, A_n
    representations: nothing enumerated), else the closure of the generators in GAP."""
    from equiact.gap import MAX_CLASSES

    max_classes = MAX_CLASSES if max_classes is None else positive_int("max_classes",
                                                                        max_classes)
    closure_limit = positive_int("closure_limit", closure_limit)
    model = getattr(rep, "permutation_model", None)
    if model is not None and rep.exact:
        return _ModelData(rep, model, max_classes)
    _check_named_order(rep, closure_limit)
    try:
        if rep.exact and (_transcendental_form(rep) or
                          not _closure(rep, closure_limit, tol).exact):
            # The entries need a number field beyond the exact closure, or are written with
            # functions (cos(pi/7)) whose identities sympy cannot decide in reasonable time:
            # continue in float64.
            rep = _as_float(rep)
        return _GroupData(rep, _closure(rep, closure_limit, tol), max_classes)
    except NotFiniteGroupError:
        raise


def admissible_coordinates(rep, activation, *, closure_limit: int = MAX_ORDER,
                           tol: float = 1e-9, seed: int = 0, extension: bool = True,
                           max_classes: int | None = None,
                           max_index: int = MAX_INDEX) -> CoordinatesResult:
    """Find a basis in which the point-wise ``activation`` is equivariant for ``rep``.

    Returns a :class:`CoordinatesResult`; when ``exists`` is false, ``reason`` says why and
    (``extension=True``) ``minimal_extension`` holds the smallest admissible representation
    containing ``rep``. Raises :class:`NotFiniteGroupError` for unbounded groups and
    :class:`ClosureLimitError`, before the long computation starts, when an estimate exceeds a
    limit: ``closure_limit`` (the order of a group enumerated as matrices and handed to GAP;
    named S_n / A_n representations are not enumerated), ``max_classes`` (size of the
    character table, :data:`equiact.gap.MAX_CLASSES`), ``max_index`` (largest subgroup index
    searched for the smallest extension; the extension then carries a note instead).

    >>> from equiact.groups import named_representation
    >>> r = admissible_coordinates(named_representation("S3", "standard"), "relu")
    >>> r.exists, r.minimal_extension.dimension
    (False, 3)
    >>> print(r.reason[:60])
    the character value trace rho(g) = -1 on the class of the pe
    """
    from equiact.representation import Representation

    if not isinstance(rep, Representation):
        raise InvalidInputError(
            f"rep must be a Representation, got {type(rep).__name__}; build one with "
            "Representation.from_matrices(...) or equiact.groups.named_representation(...)"
        )
    seed = positive_int("seed", seed, allow_zero=True)
    closure_limit = positive_int("closure_limit", closure_limit)
    max_index = positive_int("max_index", max_index)
    from equiact.activations import analyze_activation

    profile = analyze_activation(activation)
    target = target_class(profile)
    base = dict(target=target, activation=profile.name, exact=rep.exact)
    n = rep.dim
    if target == "any":
        ident = sp.ImmutableMatrix(sp.eye(n)) if rep.exact else np.eye(n)
        return CoordinatesResult(
            True, reason="a linear activation commutes with every invertible matrix, so any "
            "basis works (the identity is returned)", method="identity", basis=ident,
            generators_in_basis=list(rep.generators), **base)
    if target == "unit row sums":
        return _fixed_ones(rep, profile, base, tol)
    signed = target == "signed permutation"
    # identity component
    lie = rep.lie_algebra
    nonzero = [k for k, x in enumerate(lie) if not _matrix_is_zero(x, rep.exact, tol)]
    if nonzero:
        return CoordinatesResult(
            False, reason=(
                f"Lie algebra generator {nonzero[0]} acts non-trivially, so the identity "
                "component of the group acts non-trivially; a connected group inside the finite "
                f"group of {target} matrices is trivial, so no {target} basis exists (a "
                "rotation-equivariant point-wise network is rotation-invariant)"),
            method="lie algebra", minimal_extension=MinimalExtension(
                dimension=None, target=target, decomposition=[],
                note="no admissible representation contains rho: any (signed) permutation "
                "representation is trivial on the identity component, so only the trivial "
                "part of rho can be embedded"),
            **base)
    gens = list(rep.generators)
    if not gens:  # only a (zero) Lie algebra: trivial group
        gens = [sp.ImmutableMatrix(sp.eye(n)) if rep.exact else np.eye(n)]
        rep = Representation.from_matrices(gens, name=rep.name)
    # monomial fast path (Theorem 2); a float look first rules out clearly non-monomial input
    if all(_maybe_monomial(m) for m in rep.numeric_generators()) and \
            all(_monomial_pattern(m, rep.exact, tol) is not None for m in gens):
        d, mats = rescale_monomial(gens, tol=tol)
        negative = any(_has_negative(m, rep.exact) for m in mats)
        if signed or not negative:
            if rep.exact:
                return _finish_rescaling(rep, d, mats, base)
            T = np.diag(np.asarray(d, float))
            return _finish_from_pi(rep, T, mats, "rescaling", base, tol)
    # characters
    try:
        data = _group_data(rep, closure_limit, tol, max_classes)
    except NotFiniteGroupError as err:
        raise NotFiniteGroupError(
            f"{err}. In a (signed) permutation basis every group element would be a (signed) "
            f"permutation matrix, so the group would be finite: no {target} basis exists for "
            f"{profile.name}"
        ) from err
    rep = data.rep
    base["exact"] = data.exact
    chi, reason = data.integer_character(allow_negative=signed)
    base["group_order"] = data.order
    if chi is None:
        return _refuse(data, reason, signed, base, seed, extension, max_index)
    base["character"] = chi
    from equiact.catalog import build_catalog

    cat = build_catalog(data.G, signed=signed, max_dim=n, structure=False)
    X = cat.character_matrix()
    sol = None
    if len(cat.entries):
        sol = _milp(np.ones(len(cat.entries)), A_eq=X.T, b_eq=np.asarray(chi, float),
                    upper=np.full(len(cat.entries), n))
    if sol is None or not np.array_equal(X.T @ sol, np.asarray(chi)):
        kind = "induced sign characters Ind_H^G(eps)" if signed else \
            "permutation characters 1_H^G"
        reason = (
            f"the character {chi} (on the {len(chi)} conjugacy classes) is an integer class "
            f"function but not a non-negative integer combination of the {len(cat.entries)} "
            f"{kind} of degree <= {n}, so no {target} basis exists"
        )
        return _refuse(data, reason, signed, base, seed, extension, max_index)
    chosen = [(cat.entries[k], int(a)) for k, a in enumerate(sol) if a > 0]
    if isinstance(data, _ModelData):
        return _finish_model(data, chosen, base, seed)
    perms, signs, blocks = _blocks_action(data.G, chosen)
    for attempt in range(5):
        T = _intertwiner(data, perms, signs, blocks, left=False, seed=seed + attempt, tol=tol)
        if rep.exact:
            if _exact_rank(T) == n:
                break
        elif np.linalg.matrix_rank(T, tol=1e-8 * max(1, np.abs(T).max())) == n:
            break
    else:
        raise GroupTheoryError("could not find an invertible intertwiner in 5 random tries")
    if rep.exact:
        T = sp.ImmutableMatrix(T)
    pis = [_signed_perm_matrix(p, s) for p, s in zip(perms, signs)]
    return _finish_from_pi(rep, T, pis, "characters", base, tol, perms=perms, signs=signs)


def _matrix_is_zero(x, exact, tol) -> bool:
    if exact:
        return all(is_exact_zero(v) for v in x)
    return float(np.abs(x).max()) <= tol


def _has_negative(m, exact) -> bool:
    if exact:
        nz = _sparse_entries(m)
        if nz is not None:
            return any(v < 0 for v in nz.values())
        return any((v.is_negative is True) or (v.is_number and float(v) < 0) for v in m)
    return bool((m < -0.5).any())


def _finish_rescaling(rep, d, mats, base) -> CoordinatesResult:
    """Exact rescaling result: ``T = diag(d)``, ``T^-1 rho(g_i) T = mats[i]`` (verified edge by
    edge in :func:`rescale_monomial`); everything in O(non-zeros)."""
    n = rep.dim
    perms_, signs_ = [], []
    for m in mats:
        perm, entries = _monomial_pattern(m, True, 0.5)
        perms_.append(perm)
        signs_.append([int(e) for e in entries])
    perms_ = np.array(perms_, dtype=np.int64).reshape(len(mats), n)
    signs_ = np.array(signs_, dtype=np.int64).reshape(len(mats), n)
    if base["target"] == "permutation" and (signs_ < 0).any():
        raise GroupTheoryError("internal error: a permutation basis has negative entries")
    unit = all(x == 1 for x in d)
    T = _int_matrix(np.eye(n, dtype=np.int64)) if unit else sp.ImmutableMatrix(sp.diag(*d))

    def to_original(P):
        if unit:
            return _int_matrix(P)
        entries = {(int(i), int(j)): _canon(int(P[i, j]) * d[i] / d[j])
                   for i, j in zip(*np.nonzero(P))}
        return sp.ImmutableMatrix(sp.SparseMatrix(n, n, entries))

    decomposition = _describe_orbits(rep, to_original, perms_, signs_)
    return CoordinatesResult(True, reason=_found_reason(base, "rescaling", decomposition),
                             method="rescaling", basis=T, generators_in_basis=list(mats),
                             perms=perms_, signs=signs_, decomposition=decomposition,
                             residual=0.0, **base)


def _found_reason(base, method, decomposition) -> str:
    sizes = ", ".join(str(s.dimension) for s in decomposition)
    if len(decomposition) > 12:
        counts = {}
        for s in decomposition:
            counts[s.dimension] = counts.get(s.dimension, 0) + 1
        sizes = ", ".join(f"{k} x {v}" if k > 1 else str(v) for v, k in sorted(
            (v, k) for v, k in counts.items()))
    return (
        f"a {base['target']} basis exists ({method}): rho is the sum of {len(decomposition)} "
        f"transitive {'signed ' if base['target'] == 'signed permutation' else ''}G-sets of "
        f"sizes {sizes}"
    )


def _finish_from_pi(rep, T, pis, method, base, tol, perms=None, signs=None):
    """Verify T^-1 rho T = pi, derive perms/signs and the orbit decomposition."""
    from equiact.exact import exact_inverse

    n = rep.dim
    if rep.exact:
        T = sp.ImmutableMatrix(T)
        Tinv = exact_inverse(T)
        conj = [_simplify_matrix(Tinv * sp.Matrix(g) * T) for g in rep.generators]
        ints = []
        for k, m in enumerate(conj):
            vals = [_exact_integer(x) for x in m]
            if any(v is None for v in vals):
                raise GroupTheoryError(f"internal error: T^-1 rho(g{k}) T is not integral: {m}")
            ints.append(np.array(vals, dtype=np.int64).reshape(n, n))
        if pis is not None and any(not np.array_equal(a, np.asarray(b, dtype=np.int64))
                                   for a, b in zip(ints, [np.array(p).astype(np.int64)
                                                          for p in _as_int_list(pis)])):
            raise GroupTheoryError("internal error: T^-1 rho T differs from pi")
        residual = 0.0
        in_basis = [sp.ImmutableMatrix(m.tolist()) for m in ints]
    else:
        T = np.asarray(T, dtype=float)
        Tinv = np.linalg.inv(T)
        conj = [Tinv @ g @ T for g in rep.numeric_generators()]
        ints = [np.rint(m).astype(np.int64) for m in conj]
        residual = float(max(np.abs(m - i).max() for m, i in zip(conj, ints)))
        scale = max(1.0, float(np.abs(T).max() * np.abs(Tinv).max()))
        if residual > 1e-6 * scale:
            raise GroupTheoryError(
                f"numerical basis has residual {residual:.3g}: T^-1 rho(g) T is not close to a "
                "(signed) permutation matrix; the input may be too noisy (tolerance 1e-6)"
            )
        in_basis = ints
    perms_, signs_ = [], []
    for k, m in enumerate(ints):
        pat = _monomial_pattern(m, False, 0.5)
        if pat is None or any(abs(int(e)) != 1 for e in pat[1]):
            raise GroupTheoryError(f"internal error: T^-1 rho(g{k}) T is not a signed permutation")
        perms_.append(pat[0])
        signs_.append([int(e) for e in pat[1]])
    perms_ = np.array(perms_, dtype=np.int64)
    signs_ = np.array(signs_, dtype=np.int64)
    if base["target"] == "permutation" and (signs_ < 0).any():
        raise GroupTheoryError("internal error: a permutation basis has negative entries")
    if rep.exact:
        def to_original(P):
            return _simplify_matrix(sp.Matrix(T) * sp.Matrix(P) * sp.Matrix(Tinv))
    else:
        def to_original(P):
            return T @ P @ Tinv
    decomposition = _describe_orbits(rep, to_original, perms_, signs_)
    reason = _found_reason(base, method, decomposition)
    return CoordinatesResult(True, reason=reason, method=method, basis=T,
                             generators_in_basis=in_basis, perms=perms_, signs=signs_,
                             decomposition=decomposition, residual=residual, **base)


def _exact_integer(x) -> int | None:
    """The integer an exact entry equals (proved exactly), or None.

    Canonical forms need not reduce identities such as ``sin(a)**2 + cos(a)**2`` to 1, so a
    non-literal entry is compared with its nearest integer by an exact zero test.
    """
    if x.is_Integer:
        return int(x)
    try:
        val = complex(sp.sympify(x).evalf(30))
    except (TypeError, ValueError):
        return None
    near = round(val.real)
    if abs(val - near) > 1e-12 or not is_exact_zero(sp.sympify(x) - near):
        return None
    return int(near)


def _as_int_list(pis):
    return [np.asarray(p) if isinstance(p, np.ndarray) else
            np.array([[int(x) for x in p.row(i)] for i in range(p.rows)]) for p in pis]


def _structure(H) -> str:
    """GAP's StructureDescription for groups of order <= 2000; ``S<k>`` / ``A<k>`` for natural
    symmetric and alternating groups of any order (read off at once); else empty."""
    from equiact.gap import libgap

    lg = libgap()
    if int(H.Size()) <= 2000:
        return str(lg.StructureDescription(H))
    if bool(lg.IsNaturalSymmetricGroup(H)):
        return f"S{int(lg.NrMovedPoints(H))}"
    if bool(lg.IsNaturalAlternatingGroup(H)):
        return f"A{int(lg.NrMovedPoints(H))}"
    return ""


def _describe_orbits(rep, to_original, perms, signs) -> list:
    """Orbits of the signed permutation action with stabilisers (GAP on 2n signed points);
    ``to_original(P)`` maps an integer matrix in the new basis to the original coordinates."""
    from equiact.gap import GapGroup, libgap

    lg = libgap()
    n = perms.shape[1]
    signed_points = []
    for p, s in zip(perms, signs):
        row = [int(p[x]) + (n if s[x] < 0 else 0) for x in range(n)]
        row += [(int(p[x]) + (0 if s[x] < 0 else n)) for x in range(n)]
        signed_points.append(row)
    G = GapGroup.from_permutations(signed_points)
    # orbits of coordinates via union-find
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for p in perms:
        for x in range(n):
            a, b = find(x), find(int(p[x]))
            if a != b:
                parent[max(a, b)] = min(a, b)
    orbits = {}
    for x in range(n):
        orbits.setdefault(find(x), []).append(x)
    out = []
    for root, coords in sorted(orbits.items()):
        H = lg.Stabilizer(G.gap, lg.Set([root + 1, root + n + 1]), lg.OnSets)
        gens = list(H.GeneratorsOfGroup())
        mats, sign = [], []
        for h in gens:
            sp_perm = G.element_permutation(h, 2 * n)
            P = np.zeros((n, n), dtype=np.int64)
            for x in range(n):
                y = sp_perm[x]
                P[y % n, x] = -1 if y >= n else 1
            sign.append(int(P[root, root]))
            mats.append(to_original(P))
        out.append(Summand(coords, int(H.Size()), mats, sign, _structure(H)))
    return out


def _rational_dm(m):
    """A sparse DomainMatrix over QQ of an exact matrix that sympy holds over ZZ or QQ, or
    None (read from its internal form, as :func:`_sparse_entries` does)."""
    rep = getattr(m, "_rep", None)
    try:
        if rep is None or not (rep.domain.is_ZZ or rep.domain.is_QQ):
            return None
        return rep.to_sparse().convert_to(sp.QQ)
    except Exception:  # pragma: no cover - a sympy without DomainMatrix internals
        return None


def _fixed_ones_rational(rep):
    """``(T, in_basis)`` for rational generators, in sparse QQ arithmetic; None when no fixed
    vector exists; NotImplemented for non-rational matrices."""
    from sympy.polys.matrices import DomainMatrix

    n = rep.dim
    mats = [_rational_dm(g) for g in rep.generators] + [_rational_dm(x) for x in rep.lie_algebra]
    if not mats or any(m is None for m in mats):
        return NotImplemented
    eye = DomainMatrix.eye(n, sp.QQ).to_sparse()
    k = len(rep.generators)
    rows = [m - eye for m in mats[:k]] + mats[k:]
    stacked = DomainMatrix.vstack(*rows) if len(rows) > 1 else rows[0]
    ns = stacked.nullspace()
    if ns.shape[0] == 0:
        return None
    v = ns.to_Matrix()[0, :]
    p = next(i for i in range(n) if v[i] != 0)
    cols = {}
    for i in range(n):
        val = sp.QQ(v[i].p, v[i].q) - (0 if i == p else 1)
        if val:
            cols.setdefault(i, {})[p] = val
    for j in range(n):
        if j != p:
            cols.setdefault(j, {})[j] = sp.QQ(1)
    T = DomainMatrix(cols, (n, n), sp.QQ)
    Tinv = T.inv()
    in_basis = [sp.ImmutableMatrix._fromrep((Tinv * m * T).to_sparse()) for m in mats[:k]]
    return sp.ImmutableMatrix._fromrep(T.to_sparse()), in_basis


def _fixed_ones(rep, profile, base, tol) -> CoordinatesResult:
    n = rep.dim
    fast = _fixed_ones_rational(rep) if rep.exact else NotImplemented
    if fast is not NotImplemented and fast is not None:
        T, in_basis = fast
        return CoordinatesResult(
            True, reason=(
                f"an affine activation with f(0) = {profile.f_at_zero:g} != 0 needs unit row "
                "sums; rho fixes a non-zero vector v, and the returned basis has sum of its "
                "vectors = v, so every matrix fixes the all-ones vector"), method="fixed vector",
            basis=T, generators_in_basis=in_basis, residual=0.0, **base)
    if rep.exact and fast is None:
        rows = []
        ns = []
    elif rep.exact:
        rows = [sp.Matrix(g) - sp.eye(n) for g in rep.generators] + \
            [sp.Matrix(x) for x in rep.lie_algebra]
        ns = _exact_nullspace(sp.Matrix.vstack(*rows)) if rows else \
            [sp.eye(n)[:, k] for k in range(n)]
    else:
        rows = [g - np.eye(n) for g in rep.numeric_generators()] + list(rep.numeric_lie_algebra())
        mat = _float_nullspace(np.vstack(rows), 1e-8) if rows else np.eye(n)
        ns = [mat[:, k] for k in range(mat.shape[1])]
    if not ns:
        ident = sp.ImmutableMatrix(sp.eye(n)) if rep.exact else np.eye(n)
        zero = sp.zeros(1, n) if rep.exact else np.zeros((1, n))
        emb = sp.ImmutableMatrix(sp.Matrix.vstack(sp.Matrix(ident), zero)) if rep.exact else \
            np.vstack([ident, zero])
        ext = MinimalExtension(
            dimension=n + 1, target=base["target"],
            decomposition=[{"label": "rho", "dimension": n, "multiplicity": 1},
                           {"label": "trivial", "dimension": 1, "multiplicity": 1}],
            embedding=emb,
            note="rho + trivial: the added trivial summand supplies the fixed all-ones vector; "
                 "embedding x -> (x, 0)")
        return CoordinatesResult(
            False, reason=(
                f"an affine activation with f(0) = {profile.f_at_zero:g} != 0 needs unit row "
                "sums (M 1 = 1), i.e. a basis whose all-ones vector is fixed by the group; "
                "rho fixes no non-zero vector"), method="fixed vector",
            minimal_extension=ext, **base)
    v = ns[0]
    if rep.exact:
        v = sp.Matrix(v)
        p = next(i for i in range(n) if not is_exact_zero(v[i]))
        others = [k for k in range(n) if k != p]
        first = v - sum((sp.eye(n)[:, k] for k in others), sp.zeros(n, 1))
        T = sp.ImmutableMatrix(sp.Matrix.hstack(first, *[sp.eye(n)[:, k] for k in others]))
        from equiact.exact import exact_inverse

        Tinv = exact_inverse(T)
        in_basis = [_simplify_matrix(Tinv * sp.Matrix(g) * T) for g in rep.generators]
        residual = 0.0
    else:
        v = np.asarray(v, dtype=float)
        v = v / np.abs(v).max()
        p = int(np.argmax(np.abs(v)))
        others = [k for k in range(n) if k != p]
        E = np.eye(n)
        T = np.column_stack([v - E[:, others].sum(axis=1)] + [E[:, k] for k in others])
        Tinv = np.linalg.inv(T)
        in_basis = [Tinv @ g @ T for g in rep.numeric_generators()]
        residual = float(max((np.abs(m.sum(axis=1) - 1).max() for m in in_basis), default=0.0))
    return CoordinatesResult(
        True, reason=(
            f"an affine activation with f(0) = {profile.f_at_zero:g} != 0 needs unit row sums; "
            "rho fixes a non-zero vector v, and the returned basis has sum of its vectors = v, "
            "so every matrix fixes the all-ones vector"), method="fixed vector", basis=T,
        generators_in_basis=in_basis, residual=residual, **base)


# ====================================================================== extension
def _refuse(data, reason, signed, base, seed, extension, max_index) -> CoordinatesResult:
    ext = None
    if extension:
        try:
            ext = _extension_from_data(data, signed, seed, max_index)
        except ClosureLimitError as err:
            ext = MinimalExtension(
                dimension=None, target="signed permutation" if signed else "permutation",
                decomposition=[], note=f"smallest extension not computed: {err}")
    return CoordinatesResult(False, reason=reason, method="characters",
                             minimal_extension=ext, **base)


def minimal_extension(rep, signed: bool = False, *, closure_limit: int = MAX_ORDER,
                      tol: float = 1e-9, seed: int = 0, max_classes: int | None = None,
                      max_index: int = MAX_INDEX) -> MinimalExtension:
    """The smallest (signed) permutation representation containing ``rep`` and an embedding.

    Minimises the dimension over sums of transitive (signed) G-sets whose irreducible
    multiplicities are at least those of ``rep`` (an integer program over GAP's character
    table), then builds ``E`` with ``pi(g) E = E rho(g)``. Only G-sets of dimension (subgroup
    index) up to a bound are listed: the bound starts at ``dim rho`` (or the degree of a known
    permutation model), doubles until the program is feasible, and is raised once to the
    optimum found, which makes the optimum exact; beyond ``max_index`` it stops
    (:class:`ClosureLimitError`). Limits as in :func:`admissible_coordinates`.

    >>> from equiact.groups import named_representation
    >>> ext = minimal_extension(named_representation("C8", "rotation"))
    >>> ext.dimension, minimal_extension(named_representation("C8", "rotation"), True).dimension
    (8, 4)
    """
    seed = positive_int("seed", seed, allow_zero=True)
    max_index = positive_int("max_index", max_index)
    data = _group_data(rep, closure_limit, tol, max_classes)
    return _extension_from_data(data, signed, seed, max_index)


def _bounded_catalog(data, signed: bool, need_int, irr, max_index: int):
    """``(catalog, solution)`` of the minimal-dimension program over G-sets of bounded index."""
    from equiact.catalog import build_catalog
    from equiact.gap import MAX_CATALOG_ORDER

    sizes = np.asarray(data.sizes, dtype=float)
    order = data.order
    bound = max(2, data.rep.dim, getattr(data, "N", 0))
    cap = int(max(1, need_int.max()))
    while True:
        full = bound >= order or (order <= MAX_CATALOG_ORDER and 4 * bound >= order)
        if not full:
            check_limit(
                f"the search for the smallest extension must list the transitive G-sets of "
                f"dimension up to {bound}: the largest subgroup index searched", bound,
                max_index, flag="--max-index",
                kwarg="max_index")
        cat = build_catalog(data.G, signed=signed, max_dim=None if full else bound,
                            structure=False)
        X = cat.character_matrix().astype(float)
        mult = np.rint(((irr.conj() * sizes[None, :]) @ X.T).real / order).astype(np.int64)
        dims = np.array([e.dimension for e in cat.entries], dtype=float)
        sol = _milp(dims, A_ub=-mult, b_ub=-need_int, upper=np.full(len(dims), cap)) \
            if len(dims) else None
        if sol is not None:
            if ((mult @ sol) < need_int).any():
                raise GroupTheoryError("internal error: the integer program's solution is "
                                       "infeasible")
            best = int(dims @ sol)
            if full or best <= bound:
                return cat, sol
            bound = best  # every optimal G-set has dimension <= best: one more round is exact
        elif full:
            raise GroupTheoryError("internal error: the regular representation should contain "
                                   "rho")
        else:
            bound = min(2 * bound, order)


def _extension_from_data(data: _GroupData, signed: bool, seed: int,
                         max_index: int = None) -> MinimalExtension:

    max_index = MAX_INDEX if max_index is None else max_index
    target = "signed permutation" if signed else "permutation"
    irr = data.G.irreducible_characters()
    sizes = np.asarray(data.sizes, dtype=float)
    chi = np.array([complex(sp.sympify(v).evalf(30)) if data.exact else v
                    for v in data.raw_char], dtype=complex)
    need = (irr.conj() * sizes[None, :]) @ chi / data.order
    need_int = np.rint(need.real).astype(np.int64)
    if np.abs(need - need_int).max() > 1e-6:
        raise GroupTheoryError(
            "the character of rho is not a character of the group (multiplicities "
            f"{np.round(need, 6).tolist()}): the generators may not define a representation of "
            "the enumerated group"
        )
    cat, sol = _bounded_catalog(data, signed, need_int, irr, max_index)
    dims = np.array([e.dimension for e in cat.entries], dtype=np.int64)
    dimension = int(dims @ sol)
    decomposition = []
    chosen = []
    for k, a in enumerate(sol):
        if a > 0:
            e = cat.entries[k]
            chosen.append((e, int(a)))
            structure = _structure(e.gap_subgroup)
            decomposition.append({
                "label": e.label, "dimension": e.dimension,
                "stabilizer_order": e.stabilizer_order, "stabilizer_structure": structure,
                "signed": e.signed, "multiplicity": int(a)})
    if dimension > MAX_EXTENSION_DIM:
        return MinimalExtension(dimension=dimension, target=target, decomposition=decomposition,
                                note=f"dimension > {MAX_EXTENSION_DIM}: embedding not built")
    perms, signs, blocks = _blocks_action(data.G, chosen)
    n = data.rep.dim
    if isinstance(data, _ModelData):
        for attempt in range(5):
            S = _model_intertwiner(data, perms, signs, blocks, seed + attempt)
            if _model_rank(data, S) == n:
                break
        else:
            raise GroupTheoryError("could not find an injective embedding in 5 random tries")
        # E = (A S)^T: pi(g) E = E rho(g) follows from P_i S = S pi_i (checked in integers)
        # and rho(g_i)^T A = A P_i^T (checked exactly with the model)
        E = _simplify_matrix((data.A * sp.Matrix(S.tolist())).T)
        return MinimalExtension(dimension=dimension, target=target, decomposition=decomposition,
                                perms=perms, signs=signs, embedding=E, residual=0.0,
                                note="E maps R^n into R^dimension with pi(g) E = E rho(g)")
    for attempt in range(5):
        E = _intertwiner(data, perms, signs, blocks, left=True, seed=seed + attempt, tol=1e-9)
        rank = _exact_rank(E) if data.exact else np.linalg.matrix_rank(E, tol=1e-8)
        if rank == n:
            break
    else:
        raise GroupTheoryError("could not find an injective embedding in 5 random tries")
    residual = _check_embedding(data, E, perms, signs)
    if data.exact:
        E = sp.ImmutableMatrix(E)
    return MinimalExtension(dimension=dimension, target=target, decomposition=decomposition,
                            perms=perms, signs=signs, embedding=E, residual=residual,
                            note="E maps R^n into R^dimension with pi(g) E = E rho(g)")


def _check_embedding(data, E, perms, signs) -> float:
    residual = 0.0
    for k, (p, s) in enumerate(zip(perms, signs)):
        P = _signed_perm_matrix(p, s)
        if data.exact:
            diff = sp.Matrix(P) * E - E * sp.Matrix(data.rep.generators[k])
            if not all(is_exact_zero(x) for x in diff):
                raise GroupTheoryError("internal error: the embedding is not equivariant")
        else:
            g = data.rep.numeric_generators()[k]
            residual = max(residual, float(np.abs(P @ E - E @ g).max()))
    if data.exact:
        return 0.0  # verified exactly above
    if residual > 1e-6 * max(1.0, float(np.abs(E).max())):
        raise GroupTheoryError(f"numerical embedding has residual {residual:.3g}")
    return residual
