"""The catalogue of admissible representations of a finite group (THEORY.md section 4).

Transitive G-sets up to isomorphism are the coset spaces ``G/H``, one per conjugacy class of
subgroups ``H``; their permutation modules ``R^{G/H}`` are the admissible representations of
non-odd activations. Transitive *signed* G-sets are the monomial representations
``Ind_H^G(eps)`` with ``eps: H -> {+-1}`` a linear character, up to conjugation in G: the pairs
``(H, eps)`` and ``(gHg^-1, eps(g^-1 . g))`` give isomorphic signed G-sets, so we list one
``eps`` per orbit of the normaliser ``N_G(H)`` on the sign characters of ``H`` (equivalently on
the subgroups of index <= 2 of ``H``, the kernels). ``eps = 1`` gives back ``R^{G/H}``.

For two entries ``X = Ind_K^G(eps_K)``, ``Y = Ind_H^G(eps_H)`` the equivariant linear maps
``R^X -> R^Y`` have dimension the number of double cosets ``H x K`` that are sign-compatible
(``eps_H(h) = eps_K(x^-1 h x)`` on ``H ∩ x K x^-1``; Mackey); for permutation modules every
double coset counts. This is cross-checked against the character inner product.

>>> cat = build_catalog("S3")
>>> [(e.dimension, e.stabilizer_order) for e in cat.entries]
[(1, 6), (2, 3), (3, 2), (6, 1)]
>>> cat.hom_matrix().tolist()
[[1, 1, 1, 1], [1, 2, 1, 2], [1, 1, 2, 3], [1, 2, 3, 6]]
>>> len(build_catalog("S3", signed=True).entries)
6
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from equiact.errors import GroupTheoryError, InvalidInputError

__all__ = ["CatalogEntry", "Catalog", "build_catalog", "as_gap_group", "MAX_HOM_PAIRS"]

#: Largest number of sign-twisted catalogue pairs whose hom dimensions are counted by double
#: cosets (``--max-hom-pairs``); about 10 ms each for S6.
MAX_HOM_PAIRS = 2_000


@dataclass(frozen=True)
class CatalogEntry:
    """One transitive (signed) G-set ``Ind_H^G(eps)``.

    ``character`` holds its values on the group's conjugacy classes (GAP's order);
    ``stabilizer_generators`` are 0-based permutations (permutation groups) or element indices
    into the matrix group's ``elements`` (matrix groups); ``sign`` gives ``eps`` on them.
    """

    label: str
    subgroup: int
    dimension: int
    stabilizer_order: int
    kernel_order: int
    structure: str
    character: tuple
    stabilizer_generators: tuple
    sign: tuple
    gap_subgroup: object = field(repr=False, compare=False, default=None)
    gap_kernel: object = field(repr=False, compare=False, default=None)

    @property
    def signed(self) -> bool:
        """Whether the sign character is non-trivial."""
        return self.kernel_order != self.stabilizer_order

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "subgroup_class": self.subgroup,
            "dimension": self.dimension,
            "stabilizer_order": self.stabilizer_order,
            "stabilizer_structure": self.structure,
            "signed": self.signed,
            "sign_kernel_order": self.kernel_order,
            "character": list(self.character),
            "stabilizer_generators": [list(g) if isinstance(g, tuple) else g
                                      for g in self.stabilizer_generators],
            "sign": list(self.sign),
        }


def as_gap_group(group):
    """A :class:`~equiact.gap.GapGroup` from a name, permutations, a representation or a
    closure (``FiniteMatrixGroup``)."""
    from equiact.gap import GapGroup

    if isinstance(group, GapGroup):
        return group
    if isinstance(group, str):
        return GapGroup.named(group)
    if hasattr(group, "generator_permutations"):
        return GapGroup.from_matrix_group(group)
    if hasattr(group, "closure") and hasattr(group, "generators"):
        return GapGroup.from_matrix_group(group.closure(), name=getattr(group, "name", None))
    if isinstance(group, (list, tuple, np.ndarray)):
        return GapGroup.from_permutations(group)
    raise InvalidInputError(
        f"cannot build a group from {type(group).__name__}; give a group name (e.g. 'S4'), "
        "a list of 0-based permutations, a Representation or a FiniteMatrixGroup"
    )


class Catalog:
    """Transitive (signed) G-sets of a finite group with characters and hom dimensions.

    Build with :func:`build_catalog`. ``entries`` are sorted by dimension; ``class_sizes`` and
    ``class_orders`` describe the conjugacy classes the characters are evaluated on.
    """

    def __init__(self, group, entries, signed: bool, max_dim):
        self.group = group
        self.entries = list(entries)
        self.signed = signed
        self.max_dim = max_dim
        classes = group.conjugacy_classes()
        self.class_sizes = [c.size for c in classes]
        self.class_orders = [c.order for c in classes]
        self._homs = {}

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        kind = "signed G-sets" if self.signed else "G-sets"
        return f"<Catalog of {len(self.entries)} transitive {kind} of a group of order " \
               f"{self.group.order}>"

    # ------------------------------------------------------------------ characters
    def character_matrix(self) -> np.ndarray:
        """Integer array ``(num_entries, num_classes)`` of the entries' characters."""
        return np.array([e.character for e in self.entries], dtype=np.int64).reshape(
            len(self.entries), len(self.class_sizes))

    def inner_products(self) -> np.ndarray:
        """``<chi_i, chi_j>`` for all pairs (exact integer arithmetic)."""
        X = [[int(v) for v in e.character] for e in self.entries]
        sizes = self.class_sizes
        n = len(X)
        out = np.zeros((n, n), dtype=np.int64)
        for i in range(n):
            for j in range(i, n):
                s = sum(c * a * b for c, a, b in zip(sizes, X[i], X[j]))
                q, r = divmod(s, self.group.order)
                if r:
                    raise GroupTheoryError(
                        f"internal error: <chi_{i}, chi_{j}> = {s}/{self.group.order} is not "
                        "an integer"
                    )
                out[i, j] = out[j, i] = q
        return out

    # ------------------------------------------------------------------ homs
    def hom_dimension(self, i: int, j: int) -> int:
        """dim Hom_G(R^{entries[i]}, R^{entries[j]}) by (sign-compatible) double cosets."""
        n = len(self.entries)
        for k in (i, j):
            if not 0 <= k < n:
                raise InvalidInputError(f"catalogue index {k} is out of range 0..{n - 1}")
        key = (min(i, j), max(i, j))
        if key not in self._homs:
            a, b = self.entries[j], self.entries[i]
            self._homs[key] = self.group.hom_dimension(
                a.gap_subgroup, a.gap_kernel, b.gap_subgroup, b.gap_kernel)
        return self._homs[key]

    def add_structure(self) -> Catalog:
        """Fill in GAP's StructureDescription of every stabiliser (``build_catalog(...,
        structure=False)`` leaves them empty); returns ``self``."""
        import dataclasses

        from equiact.gap import libgap

        lg = libgap()
        cache = {}
        for k, e in enumerate(self.entries):
            if not e.structure:
                if e.subgroup not in cache:
                    cache[e.subgroup] = str(lg.StructureDescription(e.gap_subgroup))
                self.entries[k] = dataclasses.replace(e, structure=cache[e.subgroup])
        return self

    def check_hom_limit(self, max_pairs: int = None) -> int:
        """Raise ClosureLimitError when the double-coset hom matrix needs more than
        ``max_pairs`` Mackey counts (:meth:`sign_pairs`); returns that number."""
        from equiact.limits import check_limit

        pairs = self.sign_pairs()
        check_limit(
            "the number of catalogue pairs with a sign-twisted entry, each needing a count of "
            "sign-compatible double cosets", pairs, MAX_HOM_PAIRS if max_pairs is None else
            max_pairs, flag="--max-hom-pairs", kwarg="max_pairs",
            hint="or use --hom-method characters (Python: method='characters'): the same "
            "dimensions from exact character inner products, at once")
        return pairs

    def sign_pairs(self) -> int:
        """Number of entry pairs ``i <= j`` with a twisted entry: each costs one Mackey count of
        sign-compatible double cosets with ``method="double_cosets"``."""
        signed = sum(e.signed for e in self.entries)
        n = len(self.entries)
        plain = n - signed
        return n * (n + 1) // 2 - plain * (plain + 1) // 2

    def hom_matrix(self, method: str = "double_cosets",
                   max_pairs: int = MAX_HOM_PAIRS) -> np.ndarray:
        """Matrix of hom dimensions, entry ``[j, i]`` = dim Hom(R^{X_i}, R^{X_j}) (symmetric).

        ``method="double_cosets"`` counts double cosets ``H\\G/K`` in GAP (as orbits of ``K`` on
        the cosets of ``H``; for twisted entries the sign-compatible double cosets of
        :meth:`hom_dimension`) and checks the result against the character inner products;
        ``"characters"`` uses the inner products only (exact integers as well, and instant).
        Twisted pairs cost one GAP double-coset computation each (about 10 ms for S6); more
        than ``max_pairs`` of them (:meth:`sign_pairs`) raise ClosureLimitError at once.
        """
        if method not in ("double_cosets", "characters"):
            raise InvalidInputError(
                f"unknown method {method!r}; use 'double_cosets' or 'characters'"
            )
        inner = self.inner_products()
        if method == "characters":
            return inner
        from equiact.limits import progress

        pairs = self.check_hom_limit(max_pairs)
        n = len(self.entries)
        out = np.zeros((n, n), dtype=np.int64)
        plain = sorted({e.subgroup for e in self.entries if not e.signed})
        where = {s: k for k, s in enumerate(plain)}
        subs = {e.subgroup: e.gap_subgroup for e in self.entries}
        counts = self.group.double_coset_counts([subs[s] for s in plain])
        with progress(pairs, "sign-compatible double cosets") as bar:
            for i in range(n):
                for j in range(i, n):
                    a, b = self.entries[i], self.entries[j]
                    if not a.signed and not b.signed:
                        out[i, j] = out[j, i] = counts[where[b.subgroup], where[a.subgroup]]
                    else:
                        out[i, j] = out[j, i] = self.hom_dimension(i, j)
                        bar.update(1)
        bad = np.argwhere(out != inner)
        if bad.size:
            i, j = bad[0]
            raise GroupTheoryError(
                f"internal error: double cosets give {out[i, j]} maps between entries {i} and "
                f"{j} but the characters give {inner[i, j]}"
            )
        return out

    # ------------------------------------------------------------------ actions
    def action(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """The explicit signed permutation action ``(perms, signs)`` of the generators on
        ``entries[i]`` (point 0 is the coset of H; ``signs`` all +1 for unsigned entries)."""
        e = self.entries[i]
        kernel = e.gap_kernel if e.signed else None
        return self.group.coset_action(e.gap_subgroup, kernel)

    def space(self, i: int):
        """``entries[i]`` as an :class:`equiact.spaces.PermutationSpace`."""
        from equiact.spaces import PermutationSpace

        perms, signs = self.action(i)
        return PermutationSpace(perms, signs if self.entries[i].signed else None,
                                name=self.entries[i].label)

    def find(self, subgroup_generators, kernel_generators=None) -> int:
        """Index of the entry isomorphic to ``Ind_H^G(eps)`` for the subgroup generated by the
        given 0-based permutations (and the sign character with the given kernel; default
        trivial). Only for groups built from permutations or names."""
        from equiact.gap import libgap

        lg = libgap()
        H = self.group.subgroup_from_permutations(subgroup_generators)
        if kernel_generators is None:
            K = H
        else:
            K = self.group.subgroup_from_permutations(kernel_generators) if kernel_generators \
                else lg.TrivialSubgroup(H)
            if not lg.IsSubgroup(H, K) or int(lg.Index(H, K)) > 2:
                raise InvalidInputError("the kernel must be a subgroup of index <= 2 of H")
        for idx, e in enumerate(self.entries):
            if e.stabilizer_order != int(H.Size()) or e.kernel_order != int(K.Size()):
                continue
            x = lg.RepresentativeAction(self.group.gap, H, e.gap_subgroup)
            if x == lg.eval("fail"):
                continue
            if e.kernel_order == e.stabilizer_order:
                return idx
            N = lg.Normalizer(self.group.gap, e.gap_subgroup)
            Kx = lg.OnPoints(K, x)
            if lg.RepresentativeAction(N, Kx, e.gap_kernel) != lg.eval("fail"):
                return idx
        raise InvalidInputError("no catalogue entry matches (is max_dim too small?)")

    # ------------------------------------------------------------------ output
    def to_json(self, homs: bool = False, method: str = "double_cosets",
                max_pairs: int = MAX_HOM_PAIRS) -> dict:
        data = {
            "group": self.group.name,
            "order": self.group.order,
            "signed": self.signed,
            "max_dim": self.max_dim,
            "class_sizes": self.class_sizes,
            "class_orders": self.class_orders,
            "entries": [e.to_json() for e in self.entries],
        }
        if homs:
            data["homs"] = self.hom_matrix(method, max_pairs).tolist()
        return data

    def format_table(self, homs: bool = False, method: str = "double_cosets",
                     max_pairs: int = MAX_HOM_PAIRS) -> str:
        """A human-readable table (and hom matrix)."""
        lines = [
            f"group {self.group.name or ''} of order {self.group.order}: "
            f"{len(self.entries)} transitive {'signed ' if self.signed else ''}G-sets"
            + (f" of dimension <= {self.max_dim}" if self.max_dim else ""),
            "classes (order:size): " + " ".join(
                f"{o}:{s}" for o, s in zip(self.class_orders, self.class_sizes)),
            f"{'#':>3} {'label':<12} {'dim':>5} {'|H|':>5} {'H':<18} {'eps':<8} character",
        ]
        for k, e in enumerate(self.entries):
            eps = f"ker {e.kernel_order}" if e.signed else "1"
            lines.append(
                f"{k:>3} {e.label:<12} {e.dimension:>5} {e.stabilizer_order:>5} "
                f"{e.structure[:18]:<18} {eps:<8} {' '.join(str(v) for v in e.character)}"
            )
        if homs:
            M = self.hom_matrix(method, max_pairs)
            lines.append("hom dimensions (row j, column i: dim Hom(X_i, X_j)):")
            width = max(3, len(str(int(M.max()))) + 1) if M.size else 3
            lines.append("    " + "".join(f"{k:>{width}}" for k in range(len(M))))
            for k, row in enumerate(M):
                lines.append(f"{k:>3} " + "".join(f"{int(v):>{width}}" for v in row))
        return "\n".join(lines)


def build_catalog(group, signed: bool = False, max_dim: int | None = None,
                  structure: bool = True, *, max_order: int | None = None,
                  max_classes: int | None = None) -> Catalog:
    """All transitive G-sets (``signed=True``: signed G-sets) up to isomorphism.

    ``group``: a name (``"S4"``), 0-based permutations, a ``Representation`` or a
    ``FiniteMatrixGroup``, or a :class:`~equiact.gap.GapGroup`. ``max_dim`` keeps entries of
    dimension at most ``max_dim`` (computed with GAP's low-index subgroups, so large groups
    stay cheap). ``structure`` adds GAP's StructureDescription of each stabiliser.
    Limits (ClosureLimitError before the work starts): without ``max_dim`` the group order must
    be at most ``max_order`` (default :data:`equiact.gap.MAX_CATALOG_ORDER`); the number of
    conjugacy classes at most ``max_classes`` (default :data:`equiact.gap.MAX_CLASSES`).

    >>> [len(build_catalog(n)) for n in ("C6", "Q8", "A4")]
    [4, 6, 5]
    >>> len(build_catalog("S4", max_dim=4))
    4
    """
    from equiact.gap import libgap

    lg = libgap()
    if max_dim is not None:
        if not isinstance(max_dim, (int, np.integer)) or max_dim < 1:
            raise InvalidInputError(f"max_dim must be a positive integer, got {max_dim!r}")
        max_dim = int(max_dim)
    from equiact.gap import MAX_CATALOG_ORDER
    from equiact.limits import positive_int

    max_order = MAX_CATALOG_ORDER if max_order is None else positive_int("max_order", max_order)
    G = as_gap_group(group)
    if max_classes is not None:
        G.max_classes = positive_int("max_classes", max_classes)
    G.conjugacy_classes()
    subgroups = G.subgroup_classes(max_index=max_dim, max_order=max_order)
    from_matrices = G._back is not None
    degree = None if from_matrices else max(1, int(lg.LargestMovedPoint(G.gap)))

    def describe(elements):
        if from_matrices:
            return tuple(G.element_index(x) for x in elements)
        return tuple(tuple(G.element_permutation(x, degree)) for x in elements)

    entries = []
    for s_idx, H in enumerate(subgroups):
        order = int(H.Size())
        dim = G.order // order
        gens = list(H.GeneratorsOfGroup())
        perm_char = G.permutation_character(H)
        desc = str(lg.StructureDescription(H)) if structure else ""
        kernels = G.sign_kernels(H) if signed else [H]
        for k_idx, K in enumerate(kernels):
            korder = int(K.Size())
            if korder == order:
                char = tuple(perm_char)
                sign = tuple(1 for _ in gens)
                label = f"G/H{s_idx}"
            else:
                kchar = G.permutation_character(K)
                char = tuple(a - b for a, b in zip(kchar, perm_char))
                sign = tuple(1 if lg.IsSubset(K, [g]) else -1 for g in gens)
                label = f"G/H{s_idx}~{k_idx}"
            entries.append(CatalogEntry(label, s_idx, dim, order, korder, desc, char,
                                        describe(gens), sign, H, K))
    entries.sort(key=lambda e: (e.dimension, e.subgroup, e.kernel_order != e.stabilizer_order))
    return Catalog(G, entries, signed, max_dim)
