"""Finite (signed) permutation spaces: the feature spaces of exactly equivariant networks.

A :class:`PermutationSpace` is a finite set ``X = {0, ..., size-1}`` on which the group acts
through its generators: generator ``i`` sends the basis vector ``e_x`` to
``signs[i, x] * e_{perms[i, x]}``.  As a matrix, ``rho(g_i)[perms[i, x], x] = signs[i, x]``.
Channels (multiplicities) are not part of a space; layers carry them separately.

>>> X = sn_tensor_space(3, 2)          # S_3 on (R^3)^{(x)2}, row-major pairs (i, j)
>>> X.size, X.num_generators, X.is_signed
(9, 2, False)
>>> sn_sign_space(4).perms.tolist()    # (0 1) is odd, the 4-cycle is odd too
[[1, 0], [1, 0]]
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from equiact.errors import ClosureLimitError, InvalidInputError

__all__ = [
    "PermutationSpace",
    "as_space",
    "direct_sum",
    "permutation_sign",
    "sn_generators",
    "sn_tensor_space",
    "sn_injective_tuple_space",
    "sn_subset_space",
    "sn_sign_space",
    "cyclic_regular_space",
    "dihedral_regular_space",
    "dihedral_polygon_space",
    "MAX_SPACE_SIZE",
]

#: Largest number of points a built-in space constructor will enumerate.
MAX_SPACE_SIZE = 5_000_000


class PermutationSpace:
    """A finite set with the group acting by (signed) permutations of its points.

    Parameters
    ----------
    perms : array-like of shape (num_generators, size)
        Row ``i`` is the permutation of ``range(size)`` by which generator ``i`` moves points.
    signs : array-like of shape (num_generators, size) with entries +-1, optional
        ``signs[i, x]`` multiplies ``e_x`` when generator ``i`` moves it; ``None`` means all +1
        (and an all-+1 array is stored as ``None``).
    name : str, optional

    >>> X = PermutationSpace([[1, 2, 0]], name="C3")
    >>> X.size, X.num_generators, X.signs is None
    (3, 1, True)
    >>> X.to_matrices()[0].tolist()
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    >>> PermutationSpace([[0, 0]])
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidInputError: perms row 0 is not a permutation of range(2): ...
    """

    def __init__(self, perms, signs=None, name: str | None = None, offsets=None):
        arr = np.asarray(perms)
        if arr.ndim == 1 and arr.size == 0:
            raise InvalidInputError("perms is empty; give an array of shape (num_generators, size)")
        if arr.ndim != 2:
            raise InvalidInputError(
                f"perms has shape {arr.shape}; expected (num_generators, size), one row per "
                "generator"
            )
        if arr.shape[1] == 0:
            raise InvalidInputError("a space needs at least one point; perms has 0 columns")
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            as_int = np.rint(arr.astype(float)) if np.issubdtype(arr.dtype, np.number) else None
            if as_int is None or not np.array_equal(as_int, arr):
                raise InvalidInputError(f"perms must hold integers; got dtype {arr.dtype}")
            arr = as_int
        arr = arr.astype(np.int64)
        g, n = arr.shape
        for i in range(g):
            row = arr[i]
            if row.min() < 0 or row.max() >= n or np.unique(row).size != n:
                raise InvalidInputError(
                    f"perms row {i} is not a permutation of range({n}): {_short(row)}; each "
                    "generator must move every point to a distinct point"
                )
        self.perms = arr
        self.perms.setflags(write=False)
        s = None
        if signs is not None:
            s = np.asarray(signs)
            if s.shape != arr.shape:
                raise InvalidInputError(
                    f"signs has shape {s.shape}; it must match perms {arr.shape}"
                )
            bad = ~np.isin(s, (1, -1))
            if bad.any():
                i, x = (int(v) for v in np.argwhere(bad)[0])
                raise InvalidInputError(
                    f"signs[{i}, {x}] = {s[i, x].item()!r}; signs must be +1 or -1"
                )
            s = s.astype(np.int8)
            if (s == 1).all():
                s = None
            else:
                s.setflags(write=False)
        self.signs = s
        self.name = name
        self.offsets = None if offsets is None else tuple(int(o) for o in offsets)

    # ------------------------------------------------------------------ basic properties
    @property
    def size(self) -> int:
        """Number of points |X|."""
        return int(self.perms.shape[1])

    @property
    def num_generators(self) -> int:
        """Number of group generators acting."""
        return int(self.perms.shape[0])

    @property
    def is_signed(self) -> bool:
        """Whether some generator multiplies some point by -1."""
        return self.signs is not None

    def signs_or_ones(self) -> np.ndarray:
        """The signs as an int8 array, all ones for an unsigned space."""
        if self.signs is None:
            return np.ones(self.perms.shape, dtype=np.int8)
        return self.signs

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        kind = "signed " if self.is_signed else ""
        return (
            f"<{kind}PermutationSpace{label}: {self.size} points, "
            f"{self.num_generators} generators>"
        )

    def __eq__(self, other) -> bool:
        if not isinstance(other, PermutationSpace):
            return NotImplemented
        return np.array_equal(self.perms, other.perms) and np.array_equal(
            self.signs_or_ones(), other.signs_or_ones()
        )

    def __hash__(self) -> int:
        return hash((self.perms.tobytes(), self.signs_or_ones().tobytes(), self.perms.shape))

    def group_order(self, limit: int = 5000) -> int:
        """Order of the group of (signed) permutations that the generators generate.

        This is the order of the group acting on the space (the image of the abstract group),
        found by a breadth-first search over (signed) permutation arrays: work and memory
        ``O(order * size)``. Raises :class:`~equiact.errors.ClosureLimitError` as soon as
        more than ``limit`` elements are found.

        >>> sn_tensor_space(4, 2).group_order(), sn_sign_space(5).group_order()
        (24, 2)
        >>> PermutationSpace([[1, 0]], signs=[[1, -1]]).group_order()    # [[0,-1],[1,0]]: C4
        4
        >>> sn_tensor_space(8, 1).group_order(limit=1000)
        Traceback (most recent call last):
        ...
        equiact.errors.ClosureLimitError: the group acting on S8 on (R^8)^1 has more than 1000 ...
        """
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise InvalidInputError(f"limit = {limit!r}; give a positive integer")
        n = self.size
        gens_p = self.perms.astype(np.int32)
        gens_s = self.signs_or_ones() if self.is_signed else None
        ident = np.arange(n, dtype=np.int32)[None, :]
        frontier_p = ident
        frontier_s = np.ones((1, n), dtype=np.int8) if self.is_signed else None

        def keys(p, s):
            rows = p if s is None else np.concatenate([p.view(np.int8), s], axis=1)
            rows = np.ascontiguousarray(rows)
            return [r.tobytes() for r in rows]

        seen = set(keys(frontier_p, frontier_s))
        while frontier_p.shape[0]:
            new_p, new_s = [], []
            for i in range(self.num_generators):
                # g_i after (p, s): e_x -> s[x] e_{p[x]} -> s[x] s_i[p[x]] e_{p_i[p[x]]}
                cand_p = gens_p[i][frontier_p]
                cand_s = None if gens_s is None else frontier_s * gens_s[i][frontier_p]
                for j, k in enumerate(keys(cand_p, cand_s)):
                    if k in seen:
                        continue
                    seen.add(k)
                    if len(seen) > limit:
                        where = self.name or f"a space of {n} points"
                        raise ClosureLimitError(
                            f"the group acting on {where} has more than {limit} elements; "
                            f"pass limit=... to allow more (work and memory grow as "
                            f"limit * size = {limit * n})"
                        )
                    new_p.append(cand_p[j])
                    if cand_s is not None:
                        new_s.append(cand_s[j])
            if not new_p:
                break
            frontier_p = np.stack(new_p)
            frontier_s = np.stack(new_s) if gens_s is not None else None
        return len(seen)

    # ------------------------------------------------------------------ conversions
    def to_matrices(self) -> list[np.ndarray]:
        """The generators as (signed) permutation matrices (int64), ``M[perms[i,x], x] = s``.

        >>> sn_sign_space(3).to_matrices()[1].tolist()   # the 3-cycle is even
        [[1, 0], [0, 1]]
        """
        n = self.size
        signs = self.signs_or_ones()
        out = []
        for i in range(self.num_generators):
            m = np.zeros((n, n), dtype=np.int64)
            m[self.perms[i], np.arange(n)] = signs[i]
            out.append(m)
        return out

    def to_representation(self, name: str | None = None):
        """The :class:`~equiact.representation.Representation` given by :meth:`to_matrices`."""
        from equiact.representation import Representation

        return Representation.from_matrices(self.to_matrices(), name=name or self.name)

    def act(self, word, v, axis: int = -1):
        """Apply ``rho(g_{w_1} ... g_{w_k})`` along ``axis`` of ``v`` (numpy or torch).

        The rightmost letter acts first, as for matrices.

        >>> X = PermutationSpace([[1, 2, 0]])
        >>> X.act([0], np.array([10., 20., 30.])).tolist()
        [30.0, 10.0, 20.0]
        """
        if isinstance(word, (int, np.integer)):
            word = [int(word)]
        for i in reversed(list(word)):
            i = int(i)
            if not 0 <= i < self.num_generators:
                raise InvalidInputError(
                    f"generator index {i} out of range; the space has {self.num_generators}"
                )
            v = _apply_generator(self, i, v, axis)
        return v

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_representation(cls, rep, tol: float = 1e-9, name: str | None = None):
        """Read a space off a representation whose generators are (signed) permutation matrices.

        ``rep`` is a :class:`~equiact.representation.Representation` or a sequence of square
        matrices (numpy, sympy or nested lists). Exact entries are compared exactly, floats
        within ``tol``.

        >>> X = PermutationSpace.from_representation([[[0, -1], [1, 0]]])
        >>> X.perms.tolist(), X.signs.tolist()
        ([[1, 0]], [[1, -1]])
        >>> PermutationSpace.from_representation([[[0.6, -0.8], [0.8, 0.6]]])
        Traceback (most recent call last):
        ...
        equiact.errors.InvalidInputError: generator 0 is not a signed permutation matrix: ...
        """
        if hasattr(rep, "generators"):
            mats = list(rep.generators)
            name = name or getattr(rep, "name", None)
        else:
            mats = list(rep)
        perms, signs = [], []
        size = None
        for gi, m in enumerate(mats):
            a = _to_numeric(m, gi)
            if a.ndim != 2 or a.shape[0] != a.shape[1]:
                raise InvalidInputError(
                    f"generator {gi} has shape {a.shape}; generators must be square matrices"
                )
            if size is None:
                size = a.shape[0]
            elif a.shape[0] != size:
                raise InvalidInputError(
                    f"generator {gi} is {a.shape[0]}x{a.shape[0]} but generator 0 is "
                    f"{size}x{size}; all generators must act on the same space"
                )
            p, s = _read_signed_permutation(a, gi, tol)
            perms.append(p)
            signs.append(s)
        if size is None:
            raise InvalidInputError("the representation has no generators")
        return cls(np.array(perms), np.array(signs), name=name)

    @classmethod
    def from_coset_action(cls, generator_perms, signs=None, name: str | None = None):
        """Space of a transitive action given by the generators' permutations of the cosets.

        ``generator_perms[i][c]`` is the coset that generator ``i`` sends coset ``c`` to (for
        ``Ind_H^G(eps)`` also give the signs). Validation as in the constructor.

        >>> X = PermutationSpace.from_coset_action([[1, 0, 2], [1, 2, 0]], name="S3/C2")
        >>> X.size
        3
        """
        return cls(np.asarray(generator_perms), signs, name=name)

    @classmethod
    def from_group_closure(cls, group, name: str | None = None):
        """The regular space of a :class:`~equiact.representation.FiniteMatrixGroup`.

        Uses ``group.generator_permutations`` (left multiplication on the elements).
        """
        perms = np.array([np.asarray(p) for p in group.generator_permutations], dtype=np.int64)
        return cls(perms, name=name or "regular")

    @classmethod
    def direct_sum(cls, *spaces, name: str | None = None):
        """Disjoint union of spaces of the same generators; ``offsets`` marks the blocks.

        >>> S = PermutationSpace.direct_sum(sn_tensor_space(3, 1), sn_sign_space(3))
        >>> S.size, S.offsets
        (5, (0, 3, 5))
        """
        return direct_sum(*spaces, name=name)

    def block(self, j: int) -> slice:
        """The slice of points of summand ``j`` of a direct sum."""
        if self.offsets is None:
            if j == 0:
                return slice(0, self.size)
            raise InvalidInputError(f"block {j} requested but the space is not a direct sum")
        if not 0 <= j < len(self.offsets) - 1:
            raise InvalidInputError(
                f"block {j} out of range; the sum has {len(self.offsets) - 1} summands"
            )
        return slice(self.offsets[j], self.offsets[j + 1])


def direct_sum(*spaces: PermutationSpace, name: str | None = None) -> PermutationSpace:
    """Disjoint union ``X_1 + ... + X_m`` of spaces acted on by the same generators.

    The result's ``offsets`` are the block boundaries ``(0, |X_1|, |X_1|+|X_2|, ...)``.

    >>> direct_sum(cyclic_regular_space(2), cyclic_regular_space(3)).perms.tolist()
    [[1, 0, 3, 4, 2]]
    """
    if len(spaces) == 1 and not isinstance(spaces[0], PermutationSpace):
        spaces = tuple(spaces[0])
    if not spaces:
        raise InvalidInputError("direct_sum needs at least one space")
    for j, s in enumerate(spaces):
        if not isinstance(s, PermutationSpace):
            raise InvalidInputError(
                f"summand {j} is {type(s).__name__}, not a PermutationSpace"
            )
    g = spaces[0].num_generators
    for j, s in enumerate(spaces):
        if s.num_generators != g:
            raise InvalidInputError(
                f"summand {j} has {s.num_generators} generators but summand 0 has {g}; the "
                "summands must be spaces of the same group with the same generators"
            )
    offsets = np.concatenate([[0], np.cumsum([s.size for s in spaces])]).astype(np.int64)
    perms = np.concatenate([s.perms + offsets[j] for j, s in enumerate(spaces)], axis=1)
    signed = any(s.is_signed for s in spaces)
    signs = (
        np.concatenate([s.signs_or_ones() for s in spaces], axis=1) if signed else None
    )
    if name is None:
        name = " + ".join(s.name or f"X{j}" for j, s in enumerate(spaces))
    return PermutationSpace(perms, signs, name=name, offsets=offsets)


def as_space(obj, what: str = "space") -> PermutationSpace:
    """``obj`` itself if it is a space, else :meth:`PermutationSpace.from_representation`.

    >>> as_space([[[0, 1], [1, 0]]]).perms.tolist()
    [[1, 0]]
    """
    if isinstance(obj, PermutationSpace):
        return obj
    if hasattr(obj, "generators") or isinstance(obj, (list, tuple)):
        return PermutationSpace.from_representation(obj)
    raise InvalidInputError(
        f"{what} is {type(obj).__name__}; give a PermutationSpace or a representation whose "
        "generators are (signed) permutation matrices"
    )


# ---------------------------------------------------------------------- S_n spaces
def sn_generators(n: int) -> np.ndarray:
    """Generators of S_n as permutations of ``range(n)``: the transposition (0 1), the n-cycle.

    The n-cycle sends ``x`` to ``x + 1 mod n``. For n = 1 both are the identity.

    >>> sn_generators(4).tolist()
    [[1, 0, 2, 3], [1, 2, 3, 0]]
    """
    n = _check_n(n)
    t = np.arange(n, dtype=np.int64)
    if n >= 2:
        t[0], t[1] = 1, 0
    c = (np.arange(n, dtype=np.int64) + 1) % n
    return np.stack([t, c])


def sn_tensor_space(n: int, k: int) -> PermutationSpace:
    """S_n on ``(R^n)^{(x)k}``: points are k-tuples ``(i_1..i_k)`` in row-major order.

    >>> sn_tensor_space(2, 2).perms.tolist()
    [[3, 2, 1, 0], [3, 2, 1, 0]]
    """
    n, k = _check_n(n), _check_k(k, "k")
    _check_size(n**k, f"sn_tensor_space({n}, {k})")
    gens = sn_generators(n)
    if k == 0:
        return PermutationSpace(np.zeros((2, 1), dtype=np.int64), name=f"S{n} on (R^{n})^0")
    grids = np.indices((n,) * k).reshape(k, -1)  # (k, n^k), row-major
    weights = n ** np.arange(k - 1, -1, -1, dtype=np.int64)
    perms = np.stack([(g[grids] * weights[:, None]).sum(0) for g in gens])
    return PermutationSpace(perms, name=f"S{n} on (R^{n})^{k}")


def sn_injective_tuple_space(n: int, t: int) -> PermutationSpace:
    """S_n on injective t-tuples (``S_n/S_{n-t}``), in ``itertools.permutations`` order.

    >>> X = sn_injective_tuple_space(3, 2)
    >>> X.size, X.perms[1].tolist()      # 3-cycle: (0,1)->(1,2) ...
    (6, [3, 2, 5, 4, 0, 1])
    """
    n, t = _check_n(n), _check_k(t, "t")
    if t > n:
        raise InvalidInputError(f"t = {t} > n = {n}: there are no injective {t}-tuples")
    _check_size(math.perm(n, t), f"sn_injective_tuple_space({n}, {t})")
    rows = list(itertools.permutations(range(n), t))
    tuples = np.array(rows, dtype=np.int64).reshape(len(rows), t)
    return PermutationSpace(
        _tuple_action(tuples, n, sort=False), name=f"S{n} on injective {t}-tuples"
    )


def sn_subset_space(n: int, t: int) -> PermutationSpace:
    """S_n on t-subsets of ``range(n)`` (``S_n/(S_t x S_{n-t})``), in combinations order.

    >>> sn_subset_space(4, 2).size
    6
    """
    n, t = _check_n(n), _check_k(t, "t")
    if t > n:
        raise InvalidInputError(f"t = {t} > n = {n}: there are no {t}-subsets of {n} points")
    _check_size(math.comb(n, t), f"sn_subset_space({n}, {t})")
    rows = list(itertools.combinations(range(n), t))
    subsets = np.array(rows, dtype=np.int64).reshape(len(rows), t)
    return PermutationSpace(_tuple_action(subsets, n, sort=True), name=f"S{n} on {t}-subsets")


def sn_sign_space(n: int) -> PermutationSpace:
    """``R^{S_n/A_n}``: two points, swapped by the odd generators of :func:`sn_generators`.

    >>> sn_sign_space(2).perms.tolist()
    [[1, 0], [1, 0]]
    """
    n = _check_n(n)
    if n < 2:
        raise InvalidInputError("S_1 = A_1: the sign space needs n >= 2")
    rows = []
    for g in sn_generators(n):
        odd = _parity(g)
        rows.append([1, 0] if odd else [0, 1])
    return PermutationSpace(np.array(rows), name=f"S{n}/A{n}")


# ---------------------------------------------------------------------- other spaces
def cyclic_regular_space(n: int) -> PermutationSpace:
    """C_n acting on itself: one generator ``x -> x + 1 mod n``.

    >>> cyclic_regular_space(4).perms.tolist()
    [[1, 2, 3, 0]]
    """
    n = _check_n(n)
    _check_size(n, f"cyclic_regular_space({n})")
    return PermutationSpace(((np.arange(n) + 1) % n)[None, :], name=f"C{n} regular")


def dihedral_regular_space(n: int) -> PermutationSpace:
    """D_n (order 2n) acting on itself by left multiplication; generators r (rotation), s.

    Element ``r^a s^b`` is point ``a + n*b``.

    >>> dihedral_regular_space(3).perms.tolist()
    [[1, 2, 0, 4, 5, 3], [3, 5, 4, 0, 2, 1]]
    """
    n = _check_n(n)
    _check_size(2 * n, f"dihedral_regular_space({n})")
    a = np.tile(np.arange(n), 2)
    b = np.repeat(np.arange(2), n)
    r = (a + 1) % n + n * b
    s = (-a) % n + n * (1 - b)
    return PermutationSpace(np.stack([r, s]), name=f"D{n} regular")


def dihedral_polygon_space(n: int) -> PermutationSpace:
    """D_n on the n vertices of a regular polygon: ``x -> x + 1`` and ``x -> -x (mod n)``.

    >>> dihedral_polygon_space(4).perms.tolist()
    [[1, 2, 3, 0], [0, 3, 2, 1]]
    """
    n = _check_n(n)
    _check_size(n, f"dihedral_polygon_space({n})")
    x = np.arange(n)
    return PermutationSpace(np.stack([(x + 1) % n, (-x) % n]), name=f"D{n} on {n}-gon")


# ---------------------------------------------------------------------- helpers
def _short(row, k: int = 12) -> str:
    vals = [int(v) for v in row[:k]]
    return str(vals) if len(row) <= k else str(vals)[:-1] + ", ...]"


def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InvalidInputError(f"n = {n!r}; give a positive integer number of points")
    return int(n)


def _check_k(k, what: str) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise InvalidInputError(f"{what} = {k!r}; give a non-negative integer")
    return int(k)


def _check_size(size: int, what: str) -> None:
    if size > MAX_SPACE_SIZE:
        raise ClosureLimitError(
            f"{what} has {size} points, above the limit MAX_SPACE_SIZE = {MAX_SPACE_SIZE}; "
            "use a smaller n or the structured S_n layers"
        )


def permutation_sign(perm) -> int:
    """The sign (+1 even, -1 odd) of a permutation of range(n), via its cycle count.

    >>> permutation_sign([1, 0, 2]), permutation_sign([1, 2, 0])
    (-1, 1)
    """
    return -1 if _parity(perm) else 1


def _parity(perm) -> int:
    """Parity (0 even, 1 odd) of a permutation array, via its cycle count."""
    n = len(perm)
    seen = np.zeros(n, dtype=bool)
    cycles = 0
    for start in range(n):
        if not seen[start]:
            cycles += 1
            x = start
            while not seen[x]:
                seen[x] = True
                x = int(perm[x])
    return (n - cycles) % 2


def _tuple_action(tuples: np.ndarray, n: int, sort: bool) -> np.ndarray:
    """Generator actions on the rows of ``tuples`` (lexicographically sorted rows)."""
    k = tuples.shape[1]
    weights = n ** np.arange(k - 1, -1, -1, dtype=np.int64)
    codes = tuples @ weights
    perms = []
    for g in sn_generators(n):
        img = g[tuples]
        if sort:
            img = np.sort(img, axis=1)
        perms.append(np.searchsorted(codes, img @ weights))
    return np.stack(perms).astype(np.int64)


def _to_numeric(m, gi: int) -> np.ndarray:
    """Matrix to an ndarray: exact entries stay Python/sympy objects, floats stay float64."""
    if hasattr(m, "tolist") and not isinstance(m, np.ndarray):
        m = m.tolist()
    a = np.asarray(m)
    if a.dtype == object or a.dtype.kind in "US":
        try:
            import sympy

            a = np.array(
                [[sympy.nsimplify(e) if isinstance(e, str) else sympy.sympify(e) for e in row]
                 for row in np.asarray(m, dtype=object).tolist()],
                dtype=object,
            )
        except (TypeError, ValueError, Exception) as err:  # noqa: BLE001 - reported below
            raise InvalidInputError(f"generator {gi}: cannot read its entries ({err})") from err
    return a


def _read_signed_permutation(a: np.ndarray, gi: int, tol: float):
    n = a.shape[0]
    exact = a.dtype == object or np.issubdtype(a.dtype, np.integer)
    hint = (
        "; the space needs (signed) permutation generators — run `equiact coords` to find a "
        "basis in which the representation is a (signed) permutation representation"
    )
    if exact:
        nz = np.array([[e != 0 for e in row] for row in a.tolist()], dtype=bool)
    else:
        if not np.all(np.isfinite(a)):
            i, j = (int(v) for v in np.argwhere(~np.isfinite(a))[0])
            raise InvalidInputError(f"generator {gi} has entry ({i}, {j}) = {a[i, j]}{hint}")
        nz = np.abs(a) > tol
    counts = nz.sum(axis=0)
    bad_cols = np.nonzero(counts != 1)[0]
    if bad_cols.size:
        j = int(bad_cols[0])
        rows = np.nonzero(nz[:, j])[0].tolist()
        raise InvalidInputError(
            f"generator {gi} is not a signed permutation matrix: column {j} has "
            f"{int(counts[j])} nonzero entries (rows {rows[:6]}){hint}"
        )
    perm = np.argmax(nz, axis=0)
    if np.unique(perm).size != n:
        row_counts = nz.sum(axis=1)
        i = int(np.nonzero(row_counts != 1)[0][0])
        raise InvalidInputError(
            f"generator {gi} is not a signed permutation matrix: row {i} has "
            f"{int(row_counts[i])} nonzero entries{hint}"
        )
    vals = a[perm, np.arange(n)]
    signs = np.zeros(n, dtype=np.int8)
    for j, v in enumerate(vals.tolist()):
        if exact:
            ok_pos, ok_neg = v == 1, v == -1
        else:
            ok_pos, ok_neg = abs(v - 1) <= tol, abs(v + 1) <= tol
        if ok_pos:
            signs[j] = 1
        elif ok_neg:
            signs[j] = -1
        else:
            raise InvalidInputError(
                f"generator {gi} is not a signed permutation matrix: entry ({int(perm[j])}, "
                f"{j}) = {v}, not +1 or -1{hint}"
            )
    return perm.astype(np.int64), signs


def _apply_generator(space: PermutationSpace, i: int, v, axis: int):
    """``rho(g_i) v`` along ``axis``: ``out[perm[x]] = sign[x] v[x]``."""
    perm = space.perms[i]
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    is_torch = type(v).__module__.startswith("torch")
    if is_torch:
        import torch

        idx = torch.as_tensor(inv, device=v.device)
        out = torch.index_select(v, axis, idx)
        if space.signs is not None:
            s = torch.as_tensor(space.signs[i][inv], dtype=v.dtype, device=v.device)
            shape = [1] * v.dim()
            shape[axis] = -1
            out = out * s.reshape(shape)
        return out
    v = np.asarray(v)
    out = np.take(v, inv, axis=axis)
    if space.signs is not None:
        shape = [1] * v.ndim
        shape[axis] = -1
        out = out * space.signs[i][inv].reshape(shape)
    return out

