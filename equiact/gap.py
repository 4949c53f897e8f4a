"""The only door to GAP: finite groups as GAP permutation groups, answers as plain Python data.

GAP (through ``passagemath-gap``) is imported lazily, on the first call that needs it; if it is
missing, :class:`~equiact.errors.GroupTheoryError` says so. A :class:`GapGroup` wraps a GAP
permutation group together with an ordered list of generators that correspond one to one to the
generators the caller gave (permutations, a matrix group, or a built-in name), so that every
action computed here (cosets, signed cosets) comes back as arrays indexed by *those* generators.

Conventions. Permutations are 0-based arrays ``p`` with ``p[x]`` the image of point ``x``.
A (signed) action on ``m`` points is a pair of integer arrays ``perms, signs`` of shape
``(num_generators, m)``: generator ``i`` sends ``e_x`` to ``signs[i, x] * e_{perms[i, x]}``
(the convention of :mod:`equiact.spaces`). These matrices form a representation (a
homomorphism), not an anti-homomorphism.

>>> G = GapGroup.from_permutations([[1, 2, 0], [1, 0, 2]], name="S3")
>>> G.order, G.num_generators
(6, 2)
>>> [c.size for c in G.conjugacy_classes()]
[1, 3, 2]
>>> perms, signs = G.coset_action(G.subgroup_from_permutations([[1, 0, 2]]))
>>> perms.shape, sorted(set(signs.ravel().tolist()))
((2, 3), [1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from equiact.errors import ClosureLimitError, GroupTheoryError, InvalidInputError

__all__ = [
    "GapGroup",
    "ClassInfo",
    "libgap",
    "named_group_names",
    "MAX_REGULAR_DEGREE",
    "MAX_CATALOG_ORDER",
    "MAX_SIGN_RANK",
    "MAX_CLASSES",
]

#: Largest group order converted to GAP through its regular action on its own elements.
MAX_REGULAR_DEGREE = 20_000
#: Largest group order for which all conjugacy classes of subgroups are computed.
MAX_CATALOG_ORDER = 6_000
#: Largest number of conjugacy classes for which the character table is computed.
MAX_CLASSES = 1_000
#: Largest rank r of H/(H'H^2) for which the 2^r sign characters of a subgroup H are listed.
MAX_SIGN_RANK = 10

_LIBGAP = None

_GAP_CODE = r"""
SetInfoLevel(InfoPerformance, 0);

EquiactSignedCosetAction := function(G, H, K, gens)
  local t, n, perms, signs, g, p, s, j, y, jj;
  t := RightTransversal(G, H);
  n := Length(t);
  perms := []; signs := [];
  for g in gens do
    p := []; s := [];
    for j in [1..n] do
      y := t[j] * g;
      jj := PositionCanonical(t, y);
      Add(p, jj - 1);
      if K = fail or (y * t[jj]^-1) in K then Add(s, 1); else Add(s, -1); fi;
    od;
    Add(perms, p); Add(signs, s);
  od;
  return [perms, signs, PositionCanonical(t, One(G)) - 1];
end;

EquiactSignKernels := function(G, H, maxrank)
  local D, E, hom, Q, kers, N, orbs;
  if Size(H) = 1 then return [H]; fi;
  D := DerivedSubgroup(H);
  E := ClosureGroup(D, List(GeneratorsOfGroup(H), x -> x^2));
  if Index(H, E) = 1 then return [H]; fi;
  if Index(H, E) > 2^maxrank then return fail; fi;
  hom := NaturalHomomorphismByNormalSubgroup(H, E);
  Q := Image(hom);
  kers := List(MaximalSubgroups(Q), M -> PreImage(hom, M));
  N := Normalizer(G, H);
  orbs := Orbits(N, kers, OnPoints);
  return Concatenation([H], List(orbs, o -> o[1]));
end;

EquiactHomDim := function(G, H, KH, K, KK)
  local count, r, x, I;
  if KH = H and KK = K then
    return Length(DoubleCosetRepsAndSizes(G, H, K));
  fi;
  count := 0;
  for r in DoubleCosetRepsAndSizes(G, H, K) do
    x := r[1];
    I := Intersection(H, K^(x^-1));
    if ForAll(GeneratorsOfGroup(I), h -> (h in KH) = ((x^-1 * h * x) in KK)) then
      count := count + 1;
    fi;
  od;
  return count;
end;

EquiactDoubleCosetCounts := function(G, subs)
  local out, H, hom, row, K, n;
  out := [];
  for H in subs do
    hom := FactorCosetAction(G, H);
    n := Index(G, H);
    row := [];
    for K in subs do
      Add(row, Length(Orbits(Image(hom, K), [1..n])));
    od;
    Add(out, row);
  od;
  return out;
end;

EquiactPermChar := function(G, H, reps)
  local n, hom;
  n := Index(G, H);
  if n = 1 then return List(reps, g -> 1); fi;
  hom := FactorCosetAction(G, H);
  return List(reps, g -> n - NrMovedPoints(Image(hom, g)));
end;

EquiactCycToList := function(x)
  local n;
  n := Conductor(x);
  return [n, CoeffsCyc(x, n)];
end;

EquiactIrrValues := function(T)
  local irr;
  irr := List(Irr(T), ValuesOfClassFunction);
  if ForAll(irr, r -> ForAll(r, IsInt)) then return [true, irr]; fi;
  return [false, List(irr, r -> List(r, EquiactCycToList))];
end;
"""


def libgap():
    """The ``libgap`` interface, imported on first use (GroupTheoryError if unavailable)."""
    global _LIBGAP
    if _LIBGAP is None:
        try:
            import sage.all__sagemath_gap  # noqa: F401
            from sage.libs.gap.libgap import libgap as lg
        except Exception as err:  # ImportError, or a broken installation
            raise GroupTheoryError(
                "GAP is unavailable (install passagemath-gap: pip install passagemath-gap); "
                f"import failed with {type(err).__name__}: {err}"
            ) from err
        try:
            for block in _GAP_CODE.strip().split("\n\n"):
                lg.eval(block)
        except Exception as err:  # pragma: no cover - GAP itself is broken
            raise GroupTheoryError(f"GAP failed to load equiact's helper functions: {err}") from err
        _LIBGAP = lg
    return _LIBGAP


def _gap_call(what: str, fn, *args):
    """Call a GAP function, turning GAP's errors into GroupTheoryError naming ``what``."""
    try:
        return fn(*args)
    except (GroupTheoryError, InvalidInputError, ClosureLimitError):
        raise
    except Exception as err:
        raise GroupTheoryError(f"GAP failed while computing {what}: {err}") from err


def _to_int_list(obj) -> list:
    return [int(v) for v in obj.sage()] if hasattr(obj, "sage") else [int(v) for v in obj]


def _check_permutations(perms, what: str = "generators") -> list[list[int]]:
    """Validate 0-based permutations of one common degree; return them as lists."""
    try:
        rows = [np.asarray(p) for p in perms]
    except Exception as err:
        raise InvalidInputError(f"{what} must be a list of permutations (0-based arrays)") from err
    if not rows:
        raise InvalidInputError(f"{what} is empty; give at least one permutation")
    degree = rows[0].size
    out = []
    for i, p in enumerate(rows):
        if p.ndim != 1 or p.size != degree:
            raise InvalidInputError(
                f"{what}[{i}] has shape {p.shape}; every permutation must be a 1-d array of "
                f"length {degree}"
            )
        if p.size and not np.issubdtype(p.dtype, np.integer):
            raise InvalidInputError(f"{what}[{i}] must hold integers, got dtype {p.dtype}")
        if sorted(p.tolist()) != list(range(degree)):
            raise InvalidInputError(
                f"{what}[{i}] = {p.tolist()} is not a permutation of range({degree})"
            )
        out.append([int(v) for v in p])
    return out


@dataclass(frozen=True)
class ClassInfo:
    """A conjugacy class: its size, the order of its elements, and a representative.

    ``rep`` is a GAP element (internal); ``element`` is the index of the representative in the
    matrix group the :class:`GapGroup` came from (``None`` for permutation input).
    """

    size: int
    order: int
    rep: object
    element: int | None = None


def named_group_names() -> list[str]:
    """Patterns of the group names :meth:`GapGroup.named` understands: the same grammar as the
    built-in representations (:func:`equiact.groups.parse_group_name`).

    >>> named_group_names()[:4]
    ['C<n>', 'D<n>', 'S<n>', 'A<n>']
    """
    return ["C<n>", "D<n>", "S<n>", "A<n>", "Q8", "T", "O", "I", "K4", "V4",
            "SmallGroup(order,id)"]


class GapGroup:
    """A finite group in GAP whose generators match the caller's generators one to one.

    Build one with :meth:`from_permutations`, :meth:`from_matrix_group` or :meth:`named`.
    ``order`` and ``num_generators`` are plain ints; methods return numpy arrays and ints.

    >>> G = GapGroup.named("D4")
    >>> G.order, len(G.conjugacy_classes())
    (8, 5)
    """

    def __init__(self, gap_group, generators, name=None, _back=None, _id_index=None):
        self.gap = gap_group
        self.generators = list(generators)
        self.name = name
        self.order = int(gap_group.Size())
        self.num_generators = len(self.generators)
        self._back = _back  # GAP hom from this group to the regular permutation group
        self._id_index = _id_index
        self._classes = None
        self._table = None
        self._nclasses = None
        self.max_classes = MAX_CLASSES

    def __repr__(self) -> str:
        return f"GapGroup({self.name or 'unnamed'}, order={self.order})"

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_permutations(cls, perms, name: str | None = None) -> GapGroup:
        """The group generated by 0-based permutations (validated).

        >>> GapGroup.from_permutations([[1, 2, 3, 0]]).order
        4
        >>> GapGroup.from_permutations([[0, 0, 1]])
        Traceback (most recent call last):
        ...
        equiact.errors.InvalidInputError: generators[0] = [0, 0, 1] is not a permutation of range(3)
        """
        rows = _check_permutations(perms)
        lg = libgap()
        gens = [lg.PermList([v + 1 for v in row]) for row in rows]
        group = _gap_call("a permutation group", lg.GroupWithGenerators, gens, lg.eval("()"))
        # Let GAP recognise natural S_n / A_n at once (its conjugacy classes, character tables
        # and subgroup searches then use partitions instead of generic algorithms).
        lg.IsNaturalSymmetricGroup(group)
        lg.IsNaturalAlternatingGroup(group)
        return cls(group, gens, name=name)

    @classmethod
    def from_matrix_group(
        cls, finite_group, name: str | None = None, max_order: int = MAX_REGULAR_DEGREE
    ) -> GapGroup:
        """A matrix group (``Representation.closure()``) through its regular action.

        ``finite_group.generator_permutations[i][j]`` is the index of ``g_i * element_j``; GAP
        gets these permutations (reduced to a smaller degree when GAP finds one), and every GAP
        element can be mapped back to its index in ``finite_group.elements`` with
        :meth:`element_index`.
        """
        order = int(finite_group.order)
        if order > max_order:
            raise ClosureLimitError(
                f"the group has order {order} > max_order={max_order}; its regular action is too "
                "large to hand to GAP (raise max_order if you really mean it)"
            )
        perms = [np.asarray(p) for p in finite_group.generator_permutations]
        if not perms:
            perms = [np.arange(order)]
        rows = _check_permutations(perms, "generator_permutations")
        lg = libgap()
        reg_gens = [lg.PermList([v + 1 for v in row]) for row in rows]
        reg = _gap_call("the regular permutation group", lg.GroupWithGenerators, reg_gens,
                        lg.eval("()"))
        if int(reg.Size()) != order:
            raise GroupTheoryError(
                f"the regular action has order {int(reg.Size())}, expected {order}: the closure's "
                "generator_permutations are inconsistent"
            )
        id_index = _identity_index(finite_group)
        hom = _gap_call("a smaller-degree permutation representation",
                        lg.SmallerDegreePermutationRepresentation, reg)
        small = hom.Image()
        gens = [lg.Image(hom, g) for g in reg_gens]
        group = lg.GroupWithGenerators(gens, small.Identity())
        inverse = lg.InverseGeneralMapping(hom)
        return cls(group, gens, name=name, _back=inverse, _id_index=id_index)

    @classmethod
    def named(cls, name: str) -> GapGroup:
        """A named finite group, parsed by :func:`equiact.groups.parse_group_name` (the grammar
        of ``equiact check``): ``C<n>``, ``D<n>`` (order 2n), ``S<n>``, ``A<n>``, ``Q8``,
        ``T`` (= A4), ``O`` (= S4), ``I`` (= A5), ``K4`` (= ``V4``), ``SmallGroup(order,id)``.
        The generators are those of the built-in representations
        (:func:`equiact.groups.group_permutations`), in the same order.

        >>> GapGroup.named("Q8").order, GapGroup.named("S5").order, GapGroup.named("T").order
        (8, 120, 12)
        """
        from equiact.groups import group_display_name, group_permutations, parse_group_name

        fam, _ = parse_group_name(name)
        text = group_display_name(name)
        if fam in ("SO2", "O2", "SO3", "O3"):
            from equiact.errors import NotFiniteGroupError

            raise NotFiniteGroupError(
                f"group {str(name)!r} is a compact Lie group, not a finite group; the catalogue "
                "and GAP need a finite group (its admissible representations factor through the "
                "component group, e.g. C2 for O2 and O3)"
            )
        lg = libgap()
        if fam == "SmallGroup":
            order, idx = _
            count = int(_gap_call(f"the number of groups of order {order}",
                                  lg.NumberSmallGroups, order))
            if idx > count:
                raise InvalidInputError(
                    f"group {str(name)!r}: there are {count} groups of order {order} in GAP's "
                    f"small groups library; give an id in 1..{count}"
                )
            group = _gap_call(f"group {text}", lg.eval,
                              f"Image(IsomorphismPermGroup(SmallGroup({order},{idx})))")
            gens = list(group.GeneratorsOfGroup()) or [group.Identity()]
            return cls(lg.GroupWithGenerators(gens, group.Identity()), gens, name=text)
        G = cls.from_permutations(group_permutations(name), name=text)
        return G

    def regular_permutations(self) -> list[list[int]]:
        """The generators acting by left multiplication on the group's elements (0-based, in
        GAP's ``AsSSortedList`` order, identity first)."""
        lg = libgap()
        elements = list(lg.AsSSortedList(self.gap))
        index = {str(x): k for k, x in enumerate(elements)}
        return [[index[str(g * x)] for x in elements] for g in self.generators]

    # ------------------------------------------------------------------ structure
    def number_of_classes(self) -> int:
        """The number of conjugacy classes (GAP; cheap for natural S_n and A_n)."""
        if self._nclasses is None:
            self._nclasses = int(_gap_call("the number of conjugacy classes",
                                           libgap().NrConjugacyClasses, self.gap))
        return self._nclasses

    def class_estimate(self) -> int:
        """An upper bound of the number of conjugacy classes known without computing them:
        p(n) for natural S_n and A_n (GAP's NrPartitions), else :meth:`number_of_classes`."""
        lg = libgap()
        if self._nclasses is None and (bool(lg.IsNaturalSymmetricGroup(self.gap)) or
                                       bool(lg.IsNaturalAlternatingGroup(self.gap))):
            bound = int(lg.NrPartitions(lg.NrMovedPoints(self.gap)))
            if bound > self.max_classes:
                return bound
        return self.number_of_classes()

    def conjugacy_classes(self) -> list[ClassInfo]:
        """Conjugacy classes in the order of GAP's character table of this group.

        The character table costs about (number of classes)^2 (C1000: 5 s); above
        ``self.max_classes`` (default :data:`MAX_CLASSES`) this raises ClosureLimitError.
        """
        if self._classes is None:
            lg = libgap()
            from equiact.limits import check_limit

            check_limit("the number of conjugacy classes (the size of the character table)",
                        self.class_estimate(), self.max_classes, flag="--max-classes",
                        kwarg="max_classes")
            table = self.character_table()
            classes = lg.ConjugacyClasses(table)
            out = []
            for c in classes:
                rep = c.Representative()
                elem = self.element_index(rep) if self._back is not None else None
                out.append(ClassInfo(int(c.Size()), int(rep.Order()), rep, elem))
            self._classes = out
        return self._classes

    def character_table(self):
        """GAP's ordinary character table (internal object)."""
        if self._table is None:
            self._table = _gap_call("the character table", libgap().CharacterTable, self.gap)
        return self._table

    def element_index(self, element) -> int:
        """Index in the original matrix group's ``elements`` of a GAP element of this group."""
        if self._back is None:
            raise GroupTheoryError("this group was not built from a matrix group")
        lg = libgap()
        reg = lg.Image(self._back, element)
        return int(lg.OnPoints(self._id_index + 1, reg)) - 1

    def subgroup_from_permutations(self, perms):
        """The subgroup generated by 0-based permutations (of this group's degree)."""
        lg = libgap()
        rows = _check_permutations(perms, "subgroup generators")
        gens = [lg.PermList([v + 1 for v in row]) for row in rows]
        for i, g in enumerate(gens):
            if not self.gap.IsSubset([g]):
                raise InvalidInputError(f"subgroup generator {i} is not an element of the group")
        return lg.Subgroup(self.gap, gens)

    def element_permutation(self, element, degree: int | None = None) -> list[int]:
        """A GAP element as a 0-based permutation list."""
        lg = libgap()
        n = degree if degree is not None else int(lg.LargestMovedPoint(self.gap))
        return [v - 1 for v in _to_int_list(lg.ListPerm(element, max(n, 1)))]

    def subgroup_generators(self, subgroup) -> list:
        """GAP generators of a subgroup (internal objects)."""
        return list(subgroup.GeneratorsOfGroup())

    # ------------------------------------------------------------------ actions
    def coset_action(self, subgroup, kernel=None) -> tuple[np.ndarray, np.ndarray]:
        """The action of the generators on the cosets of ``subgroup``, twisted by the sign
        character whose kernel is ``kernel`` (``None``: untwisted).

        Returns ``perms, signs`` (each of shape ``(num_generators, index)``), reordered so that
        point 0 is the coset of the subgroup itself: its stabiliser is ``subgroup``, which acts
        on ``e_0`` by the sign character.
        """
        lg = libgap()
        res = _gap_call(
            "a coset action", lg.EquiactSignedCosetAction, self.gap, subgroup,
            kernel if kernel is not None else lg.eval("fail"), self.generators,
        )
        perms = np.array(res[0].sage(), dtype=np.int64).reshape(self.num_generators, -1)
        signs = np.array(res[1].sage(), dtype=np.int64).reshape(self.num_generators, -1)
        root = int(res[2])
        m = perms.shape[1]
        if root != 0:  # relabel points so that the root coset is point 0
            order = np.array([root] + [j for j in range(m) if j != root])
            new_of_old = np.empty(m, dtype=np.int64)
            new_of_old[order] = np.arange(m)
            perms = new_of_old[perms[:, order]]
            signs = signs[:, order]
        return perms, signs

    def sign_kernels(self, subgroup, max_rank: int = MAX_SIGN_RANK) -> list:
        """Kernels of the sign characters of ``subgroup``, one per N_G(H)-orbit; the first is
        the subgroup itself (the trivial character)."""
        lg = libgap()
        res = _gap_call("sign characters", lg.EquiactSignKernels, self.gap, subgroup, max_rank)
        if res == lg.eval("fail"):
            raise ClosureLimitError(
                f"a subgroup of order {int(subgroup.Size())} has more than 2^{max_rank} sign "
                "characters; raise max_rank to list them"
            )
        return list(res)

    def hom_dimension(self, h, kh, k, kk) -> int:
        """Number of sign-compatible double cosets H x K (Mackey): dim Hom_G between
        Ind_K^G(eps_K) and Ind_H^G(eps_H), each character given by its kernel."""
        lg = libgap()
        return int(_gap_call("double cosets", lg.EquiactHomDim, self.gap, h, kh, k, kk))

    def double_coset_counts(self, subgroups) -> np.ndarray:
        """``out[a, b] = |H_a \\ G / H_b|``, counted as the orbits of ``H_b`` on the right
        cosets of ``H_a`` (GAP's FactorCosetAction); one GAP call for all pairs."""
        lg = libgap()
        if not subgroups:
            return np.zeros((0, 0), dtype=np.int64)
        res = _gap_call("double cosets", lg.EquiactDoubleCosetCounts, self.gap, list(subgroups))
        return np.array(res.sage(), dtype=np.int64).reshape(len(subgroups), len(subgroups))

    def permutation_character(self, subgroup) -> list[int]:
        """Values of 1_H^G on :meth:`conjugacy_classes`."""
        lg = libgap()
        reps = [c.rep for c in self.conjugacy_classes()]
        # fixed points of each class representative on the cosets of H (GAP's
        # PermutationCharacter fuses the classes of H instead: about 10x slower here)
        return _to_int_list(_gap_call("a permutation character", lg.EquiactPermChar, self.gap,
                                      subgroup, reps))

    def irreducible_characters(self) -> np.ndarray:
        """Complex values of the irreducible characters, shape ``(num_irr, num_classes)``."""
        lg = libgap()
        integral, values = _gap_call("irreducible characters", lg.EquiactIrrValues,
                                     self.character_table())
        if bool(integral.sage()):  # rational table (S_n, ...): one conversion
            return np.array(values.sage(), dtype=np.int64).astype(complex)
        rows = []
        for chi in values.sage():
            row = []
            for n, coeffs in chi:
                n = int(n)
                row.append(sum(complex(float(c)) * np.exp(2j * np.pi * k / n)
                               for k, c in enumerate(coeffs) if c != 0))
            rows.append(row)
        return np.array(rows, dtype=complex)

    def subgroup_classes(self, max_index: int | None = None, max_order: int = MAX_CATALOG_ORDER):
        """Representatives of the conjugacy classes of subgroups (GAP objects), by index.

        With ``max_index`` only those of index at most ``max_index`` (GAP's
        LowIndexSubgroups); otherwise all of them, for groups of order at most ``max_order``.
        """
        lg = libgap()
        if max_index is not None and max_index < self.order:
            reps = _gap_call("low-index subgroups", lg.LowIndexSubgroups, self.gap, max_index)
            reps = list(reps)
        else:
            from equiact.limits import check_limit

            check_limit(
                "the order of a group whose conjugacy classes of subgroups are all listed",
                self.order, max_order, flag="--max-order", kwarg="max_order",
                hint="or list only the G-sets of dimension <= D with --max-dim D (Python: "
                "max_dim=D), which GAP's LowIndexSubgroups finds without the full list")
            ccs = _gap_call("conjugacy classes of subgroups", lg.ConjugacyClassesSubgroups,
                            self.gap)
            reps = [c.Representative() for c in ccs]
        reps.sort(key=lambda H: -int(H.Size()))
        return reps


def _identity_index(finite_group) -> int:
    """Element 0 of a closure is the identity (FiniteMatrixGroup contract)."""
    return 0
