"""escnn interop: verdicts for escnn representations and field types, and admissible fixes.

escnn (https://github.com/QUVA-Lab/escnn) marks a representation as accepting point-wise
non-linearities with the tag ``'pointwise'`` in ``Representation.supported_nonlinearities``
(regular and quotient representations); ``escnn.nn.ReLU``, ``ELU`` and
``PointwiseNonLinearity`` refuse a :class:`~escnn.nn.FieldType` with any other representation.
This module turns an escnn representation into an equiact
:class:`~equiact.representation.Representation` (:func:`from_escnn`), decides a given
activation on it (:func:`decide_escnn`), and, when the activation is not equivariant in escnn's
basis, builds an escnn representation on which it is (:func:`to_escnn_admissible`): the same
representation in admissible coordinates (``escnn.group.change_basis``), or the smallest
admissible representation containing it (``escnn.group.build_from_discrete_group_representation``
of a (signed) permutation representation) together with the embedding.

escnn is optional: ``bash scripts/install_escnn.sh`` (see docs/interop.md). escnn is imported
only when a function here is called.

Group structure, matching :mod:`equiact.groups`:

* finite groups (``CyclicGroup``, ``DihedralGroup``, ``Octahedral``, ``Icosahedral``, direct
  products of them): the matrices of ``group.generators`` (checked to generate the group);
* ``SO2``, ``O2``, ``SO3``, ``O3`` (and direct products involving them): Lie algebra
  generators ``X = log(rho(exp(t L))) / t`` (``t = 1e-3``, checked against ``rho(exp(s L))`` at
  two larger ``s``) for ``L`` the rotation generator(s), plus the component generators (the
  O(2) flip ``(1, 0)``, the O(3) inversion). Any non-zero ``X`` means the only point-wise
  non-linear networks are invariant under the identity component (THEORY.md section 2).

escnn's matrices are float64. ``exact="auto"`` reads them as exact numbers when every entry is
within 1e-10 of a small rational or of the square root of one, and only for a finite group
whose exact closure reproduces escnn's matrices on every group element (dimension at most
``MAX_EXACT_DIM = 64``, order at most 2000); otherwise the verdict uses float64 with equiact's
tolerance.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from equiact.errors import (
    ClosureLimitError,
    GroupTheoryError,
    InadmissibleError,
    InvalidInputError,
)
from equiact.interop._common import recognize_exact, require

__all__ = [
    "EscnnAdmissible",
    "decide_escnn",
    "from_escnn",
    "group_structure",
    "pointwise_module",
    "to_escnn_admissible",
]

#: Largest finite group whose exact closure is compared with escnn's matrices.
MAX_EXACT_CHECK_ORDER = 2000
#: Largest dimension read as exact (larger representations stay float64).
MAX_EXACT_DIM = 64
#: Largest finite group enumerated to build an extension or to check the generators.
MAX_ENUMERATED_ORDER = 20000

_LIE_STEP = 1e-3
_LIE_CHECK = (0.61, 2.3)
_LIE_TOL = 1e-7


# ---------------------------------------------------------------------- inputs
def _check_size(size: int, what: str) -> None:
    """Refuse before escnn builds (and equiact reads) dense ``size x size`` matrices."""
    from equiact.groups import MAX_BUILTIN_DIM

    if size > MAX_BUILTIN_DIM:
        raise InvalidInputError(
            f"escnn {what} has dimension {size}, above the limit {MAX_BUILTIN_DIM} (dense "
            "matrices); decide each distinct field type on its own, e.g. "
            "[decide_escnn(r, act) for r in set(field_type.representations)] (repeating a "
            "field does not change the verdict)")


def _split(obj, check_size: bool = False):
    """``(escnn Representation, FieldType or None)`` from a Representation or FieldType."""
    group = require("escnn.group")
    if isinstance(obj, group.Representation):
        if check_size:
            _check_size(obj.size, obj.name)
        return obj, None
    try:
        nn = require("escnn.nn")
    except InvalidInputError:  # pragma: no cover - escnn.nn needs torch, which equiact has
        nn = None
    if nn is not None and isinstance(obj, nn.FieldType):
        if check_size:
            _check_size(obj.size, f"field type with {len(obj.representations)} fields")
        return obj.representation, obj
    raise InvalidInputError(
        f"expected an escnn.group.Representation or escnn.nn.FieldType, got "
        f"{type(obj).__name__}; e.g. escnn.group.cyclic_group(4).irrep(1) or "
        "escnn.nn.FieldType(escnn.gspaces.no_base_space(G), [rep])")


@dataclass(frozen=True)
class GroupStructure:
    """What equiact reads from an escnn group: component generators and Lie algebra curves.

    ``generators`` are escnn group elements; ``lie_curves[k](t)`` is the element
    ``exp(t L_k)``; ``finite`` is true for finite groups.
    """

    generators: tuple
    lie_curves: tuple
    finite: bool
    description: str


def _finite_generators(G):
    try:
        gens = list(G.generators)
    except (ValueError, NotImplementedError, AttributeError):
        gens = None
    order = G.order()
    if order > MAX_ENUMERATED_ORDER:
        raise InvalidInputError(
            f"escnn group {G.name} has order {order} > {MAX_ENUMERATED_ORDER}; equiact reads "
            "finite escnn groups of at most that order")
    if gens is None or len(_images(G, gens, [np.eye(1)] * len(gens))) != order:
        gens = [g for g in G.elements if g != G.identity]
    return gens


def group_structure(G) -> GroupStructure:
    """Generators (and Lie algebra curves) of an escnn group; see the module docstring.

    Raises :class:`InvalidInputError` for continuous groups other than SO(2), O(2), SO(3),
    O(3) and direct products involving them.
    """
    groups = require("escnn.group")
    if not G.continuous:
        gens = _finite_generators(G)
        return GroupStructure(tuple(gens), (), True,
                              f"finite group {G.name} of order {G.order()}, "
                              f"{len(gens)} generator(s)")
    zero3 = np.zeros(3)
    axes = [np.eye(3)[a] for a in range(3)]
    if isinstance(G, groups.SO2):
        return GroupStructure((), (lambda t: G.element(float(t), "radians"),), False,
                              "SO(2): one Lie algebra generator (rotation)")
    if isinstance(G, groups.O2):
        return GroupStructure((G.element((1, 0.0), "radians"),),
                              (lambda t: G.element((0, float(t)), "radians"),), False,
                              "O(2): one Lie algebra generator (rotation) and the flip")
    if isinstance(G, groups.SO3):
        return GroupStructure((), tuple((lambda t, a=a: G.element(t * a, "EV")) for a in axes),
                              False, "SO(3): three Lie algebra generators (rotations about "
                              "x, y, z)")
    if isinstance(G, groups.O3):
        return GroupStructure((G.element((1, zero3), "EV"),),
                              tuple((lambda t, a=a: G.element((0, t * a), "EV")) for a in axes),
                              False, "O(3): three Lie algebra generators (rotations about x, y, "
                              "z) and the inversion")
    if isinstance(G, groups.DirectProductGroup):
        s1, s2 = group_structure(G.G1), group_structure(G.G2)
        gens = [G.inclusion1(g) for g in s1.generators] + [G.inclusion2(g) for g in s2.generators]
        curves = [(lambda t, c=c: G.inclusion1(c(t))) for c in s1.lie_curves]
        curves += [(lambda t, c=c: G.inclusion2(c(t))) for c in s2.lie_curves]
        return GroupStructure(tuple(gens), tuple(curves), s1.finite and s2.finite,
                              f"{G.name} = {G.G1.name} x {G.G2.name}")
    raise InvalidInputError(
        f"escnn group {G.name} ({type(G).__name__}) is continuous and not one of SO2, O2, SO3, "
        "O3 or a direct product of supported groups; restrict the representation to one of "
        "those (escnn: rep.restrict(subgroup_id))")


def _images(G, gens, mats) -> dict:
    """``{g: M(g)}`` for all g, from generator matrices (``M(s h) = M(s) M(h)``), float64."""
    n = mats[0].shape[0] if mats else 1
    out = {G.identity: np.eye(n)}
    frontier = [G.identity]
    while frontier:
        new = []
        for h in frontier:
            for s, m in zip(gens, mats):
                g = s @ h
                if g not in out:
                    out[g] = m @ out[h]
                    new.append(g)
        frontier = new
    return out


def _lie_generator(rep, curve, index: int) -> np.ndarray:
    R = np.asarray(rep(curve(_LIE_STEP)), dtype=np.float64)
    X = scipy.linalg.logm(R)
    if np.iscomplexobj(X):
        if np.max(np.abs(X.imag), initial=0.0) > 1e-9:
            raise GroupTheoryError(
                f"the logarithm of rho(exp({_LIE_STEP} L_{index})) of escnn representation "
                f"{rep.name} is not real; frequencies above {np.pi / _LIE_STEP:.0f} are not "
                "supported")
        X = X.real
    X = X / _LIE_STEP
    X[np.abs(X) < 1e-9] = 0.0
    for s in _LIE_CHECK:
        err = float(np.max(np.abs(scipy.linalg.expm(s * X) - rep(curve(s))), initial=0.0))
        if err > _LIE_TOL:
            raise GroupTheoryError(
                f"Lie algebra generator {index} of escnn representation {rep.name} does not "
                f"reproduce rho(exp({s} L_{index})) (error {err:.2e}); frequencies above "
                f"{np.pi / _LIE_STEP:.0f} are not supported")
    return X


def _matrix_set_match(elements, floats, tol=1e-8) -> bool:
    """Every matrix of ``elements`` (exact closure) is one of ``floats`` and vice versa."""
    if len(elements) != len(floats):
        return False
    used = [False] * len(floats)
    for e in elements:
        a = np.array(np.asarray(e, dtype=float), dtype=np.float64)
        for k, f in enumerate(floats):
            if not used[k] and np.max(np.abs(a - f), initial=0.0) <= tol:
                used[k] = True
                break
        else:
            return False
    return True


def from_escnn(obj, *, exact="auto", name=None):
    """The equiact :class:`~equiact.representation.Representation` of an escnn representation.

    ``obj``: an ``escnn.group.Representation`` or an ``escnn.nn.FieldType`` (its whole fibre
    representation, the direct sum of its fields). ``exact``: ``"auto"`` (exact when recognised
    and verified, see the module docstring), ``True`` (raise :class:`InvalidInputError` when
    not), or ``False`` (float64).
    """
    from equiact.representation import Representation

    if exact not in ("auto", True, False):
        raise InvalidInputError(f"exact = {exact!r}: use 'auto', True or False")
    rep, _ = _split(obj, check_size=True)
    G = rep.group
    st = group_structure(G)
    gens = [np.asarray(rep(g), dtype=np.float64) for g in st.generators]
    lie = [_lie_generator(rep, c, k) for k, c in enumerate(st.lie_curves)]
    if not gens and not lie:  # the trivial group
        gens = [np.eye(rep.size)]
    label = name or rep.name
    if exact is True and rep.size > MAX_EXACT_DIM:
        raise InvalidInputError(
            f"exact=True: {rep.name} has dimension {rep.size} > {MAX_EXACT_DIM} (MAX_EXACT_DIM); "
            "use exact='auto' (float64 above that size) or decide the fields one by one")
    if exact is not False and rep.size <= MAX_EXACT_DIM:
        ex_g = [recognize_exact(m) for m in gens]
        ex_l = [recognize_exact(x) for x in lie]
        ok = all(m is not None for m in ex_g + ex_l)
        if ok and st.finite:
            ok = False
            if G.order() <= MAX_EXACT_CHECK_ORDER:
                cand = Representation.from_matrices(ex_g)
                try:
                    closure = cand.closure(limit=G.order())
                except ClosureLimitError:
                    closure = None
                if closure is not None:
                    floats = []
                    for g in G.elements:
                        m = np.asarray(rep(g), dtype=np.float64)
                        if not any(np.max(np.abs(m - f)) <= 1e-8 for f in floats):
                            floats.append(m)
                    ok = _matrix_set_match(closure.elements, floats)
        if ok:
            return Representation.from_matrices(ex_g, ex_l, name=label, group_name=G.name)
        if exact is True:
            raise InvalidInputError(
                f"escnn representation {rep.name} of {G.name}: its matrices are not all small "
                "rationals or square roots of them (or the exact closure does not reproduce "
                "escnn's matrices); use exact='auto' or False")
    return Representation.from_matrices(gens, lie, name=label, group_name=G.name)


def decide_escnn(obj, activation, **options):
    """:func:`equiact.decide` on an escnn representation or field type (see :func:`from_escnn`).

    ``options`` go to :func:`equiact.decide` (``tol``, ``seed``); ``exact`` to
    :func:`from_escnn`.
    """
    from equiact.decision import decide

    exact = options.pop("exact", "auto")
    return decide(from_escnn(obj, exact=exact), activation, **options)


# ---------------------------------------------------------------------- the fix
@dataclass
class EscnnAdmissible:
    """An escnn representation on which the point-wise activation is equivariant.

    ``representation``: the escnn ``Representation`` (for a field type, the direct sum of the
    new fields), tagged ``'pointwise'`` so that escnn's point-wise non-linearities accept it;
    ``field_type``: the new ``FieldType`` (same gspace, one new field per old field) or
    ``None``; ``embedding``: ``E`` (``N x n``, float64) with ``new(g) E = E old(g)``, so that
    ``x -> E x`` maps features of the old type into the new one (square and invertible unless
    some field was extended); ``methods``: one of ``"as is"``, ``"change of basis"``,
    ``"extension"`` per field; ``target``: ``"permutation"`` or ``"signed permutation"`` (the
    latter only for odd activations: escnn's tag does not distinguish them, so use an odd
    non-linearity such as ``PointwiseNonLinearity(..., 'p_tanh')`` there); ``reasons``: why, per
    field.
    """

    representation: object
    field_type: object
    embedding: np.ndarray
    methods: list
    target: str
    activation: str
    reasons: list = field(default_factory=list)

    def embed(self, x):
        """Map a tensor of the old type into the new type: ``x -> E x`` on the channel axis.

        ``x``: an ``escnn.nn.GeometricTensor`` (returns one of :attr:`field_type`) or a torch
        tensor ``(batch, n, ...)``.
        """
        torch = require("torch")
        E = torch.as_tensor(self.embedding)
        nn = require("escnn.nn")
        if isinstance(x, nn.GeometricTensor):
            if self.field_type is None:
                raise InvalidInputError("embed(GeometricTensor) needs a result built from a "
                                        "FieldType; pass the tensor's .tensor instead")
            t = x.tensor
            y = torch.einsum("ij,bj...->bi...", E.to(t.dtype).to(t.device), t)
            return nn.GeometricTensor(y, self.field_type, getattr(x, "coords", None))
        t = torch.as_tensor(x)
        if t.dim() < 2 or t.shape[1] != self.embedding.shape[1]:
            raise InvalidInputError(
                f"embed expects a tensor of shape (batch, {self.embedding.shape[1]}, ...), got "
                f"{tuple(t.shape)}")
        return torch.einsum("ij,bj...->bi...", E.to(t.dtype).to(t.device), t)


def _unique_name(G, base: str) -> str:
    if base not in G.representations:
        return base
    for k in itertools.count(2):
        if f"{base}#{k}" not in G.representations:
            return f"{base}#{k}"
    raise AssertionError  # pragma: no cover


def _fix_one(rep, profile, seed: int, cache: dict):
    """(new escnn rep, E, method, reason, target) for one escnn representation."""
    from equiact.coordinates import admissible_coordinates, target_class
    from equiact.decision import decide

    group = require("escnn.group")
    key = rep.name
    if key in cache:
        return cache[key]
    G = rep.group
    ours = from_escnn(rep)
    target = target_class(profile)
    tag = f"equiact[{profile.name}]"
    verdict = decide(ours, profile)
    if verdict.admissible:
        if "pointwise" in rep.supported_nonlinearities:
            new = rep
        else:
            new = group.change_basis(rep, np.eye(rep.size), _unique_name(G, f"{rep.name}|{tag}"),
                                     supported_nonlinearities=["pointwise"])
        out = (new, np.eye(rep.size), "as is", verdict.reason, target)
        cache[key] = out
        return out
    res = admissible_coordinates(ours, profile, seed=seed)
    if res.exists:
        T = np.array(np.asarray(res.basis, dtype=float), dtype=np.float64)
        Q = np.linalg.inv(T)  # escnn: new(g) = Q rep(g) Q^-1 = T^-1 rep(g) T
        new = group.change_basis(rep, Q, _unique_name(G, f"{rep.name}|{tag}"),
                                 supported_nonlinearities=["pointwise"])
        out = (new, Q, "change of basis", res.reason, target)
    else:
        ext = res.minimal_extension
        if ext is None or ext.dimension is None:
            note = "" if ext is None else f" {ext.note}"
            raise InadmissibleError(
                f"no escnn representation containing {rep.name} of {G.name} admits "
                f"{profile.name} point-wise: {res.reason}{note}", verdict)
        if G.continuous:
            raise InvalidInputError(
                f"{rep.name} of the continuous group {G.name} acts through its component group "
                f"and needs an extension to admit {profile.name}; building it as an escnn "
                "representation is supported for finite groups only (escnn's "
                "quotient_representation of the identity component gives one)")
        st = group_structure(G)
        mats = [np.asarray(m, dtype=np.float64) for m in ext.generators]
        images = _images(G, list(st.generators), mats)
        if len(images) != G.order():  # pragma: no cover - generators were checked
            raise GroupTheoryError(f"the generators of {G.name} reached {len(images)} of "
                                   f"{G.order()} elements")
        name = _unique_name(G, f"{rep.name}|{tag}|ext{ext.dimension}")
        from escnn.group.representation import build_from_discrete_group_representation
        new = build_from_discrete_group_representation(images, name, G, ["pointwise"])
        E = np.array(np.asarray(ext.embedding, dtype=float), dtype=np.float64)
        out = (new, E, "extension",
               f"{res.reason} Smallest admissible extension: dimension {ext.dimension}.", target)
    if hasattr(out[0], "attributes"):
        out[0].attributes["equiact_target"] = target
    cache[key] = out
    return out


def to_escnn_admissible(obj, activation, *, seed: int = 0) -> EscnnAdmissible:
    """An escnn representation (or field type) on which ``activation`` is point-wise equivariant.

    Per field (escnn applies point-wise non-linearities field by field): kept as is if already
    admissible (tagged ``'pointwise'``), else the admissible coordinates of
    :func:`equiact.admissible_coordinates` (``escnn.group.change_basis``), else the smallest
    admissible extension (:func:`equiact.minimal_extension`) built with
    ``escnn.group.build_from_discrete_group_representation``. Raises
    :class:`~equiact.errors.InadmissibleError` when none exists (a continuous group acting
    non-trivially). See :class:`EscnnAdmissible`.
    """
    from equiact.activations import analyze_activation

    rep, ft = _split(obj)
    profile = analyze_activation(activation)  # a profile is returned as it is
    cache: dict = {}
    fields = list(ft.representations) if ft is not None else [rep]
    parts = [_fix_one(r, profile, seed, cache) for r in fields]
    E = scipy.linalg.block_diag(*[p[1] for p in parts])
    methods = [p[2] for p in parts]
    reasons = [p[3] for p in parts]
    target = parts[0][4]
    if ft is not None:
        nn = require("escnn.nn")
        new_ft = nn.FieldType(ft.gspace, [p[0] for p in parts])
        new_rep = new_ft.representation
    else:
        new_ft, new_rep = None, parts[0][0]
    return EscnnAdmissible(new_rep, new_ft, E, methods, target, profile.name, reasons)


_ESCNN_POINTWISE = {"relu": "ReLU", "elu": "ELU"}
_ESCNN_FUNCTIONS = {"tanh": "p_tanh", "sigmoid": "p_sigmoid", "relu": "p_relu", "elu": "p_elu"}


def pointwise_module(field_type, activation: str):
    """escnn's own point-wise module for ``activation`` on ``field_type``.

    ``relu`` / ``elu``: ``escnn.nn.ReLU`` / ``ELU``; ``tanh`` / ``sigmoid``:
    ``escnn.nn.PointwiseNonLinearity(field_type, 'p_tanh' / 'p_sigmoid')``. escnn checks the
    ``'pointwise'`` tag of every field.
    """
    nn = require("escnn.nn")
    key = str(activation).strip().lower()
    if key in _ESCNN_POINTWISE:
        return getattr(nn, _ESCNN_POINTWISE[key])(field_type)
    if key in _ESCNN_FUNCTIONS:
        return nn.PointwiseNonLinearity(field_type, _ESCNN_FUNCTIONS[key])
    raise InvalidInputError(
        f"activation {activation!r}: escnn has point-wise modules for "
        f"{sorted(set(_ESCNN_POINTWISE) | set(_ESCNN_FUNCTIONS))}")
