"""e3nn interop: verdicts for ``e3nn.o3.Irreps`` (representations of O(3)).

The theorem's consequence for e3nn (THEORY.md section 2): a point-wise activation ``f`` is
equivariant for a representation of O(3) only if every Lie algebra generator acts by an
admitted diagonal rescaling; the generators of a compact group are skew, so the rotations must
act trivially. Hence

* every irrep with ``l >= 1`` (``1o``, ``1e``, ``2e``, ...) admits **no** non-linear point-wise
  activation, in any basis;
* ``0e`` (scalars) admits every activation;
* ``0o`` (pseudoscalars, sign under the inversion) admits exactly the activations with
  ``f(-x) = -f(x)`` (odd, so ``f(0) = 0``): ``tanh``, ``sin``, ``softsign`` yes; ``relu``,
  ``gelu``, ``sigmoid``, ``tanh(x) + 1`` no.

This is what ``e3nn.nn.Activation`` enforces for scalar inputs (it also accepts an even
activation on ``0o``, whose output is then ``0e``: equivariant, but not point-wise with the same
representation). :func:`from_e3nn` builds the equiact representation (Lie algebra generators
``e3nn.o3.so3_generators(l)`` block by block, checked against ``Irreps.D_from_matrix`` in
float64, plus the inversion ``D(-I)``); :func:`decide_e3nn` decides it;
:func:`split_admissible` separates the parts of an ``Irreps`` that admit the activation;
:func:`sampled_equivariance_error` measures ``|f(D(g) x) - D(g) f(x)|`` on sampled elements
of O(3), an independent numerical check of the verdict.

e3nn is optional: ``pip install e3nn==0.6.0``; it is imported only when a function is called.
"""

from __future__ import annotations

import contextlib

import numpy as np
import scipy.linalg

from equiact.errors import GroupTheoryError, InvalidInputError
from equiact.interop._common import recognize_exact, require

__all__ = ["decide_e3nn", "from_e3nn", "sampled_equivariance_error", "sampled_representation",
           "split_admissible"]

_CHECK_ANGLES = (0.37, 1.9)
_CHECK_TOL = 1e-9


def _irreps(irreps, max_dim: int | None = None):
    """``o3.Irreps(irreps)``, refused above ``max_dim`` (default ``MAX_BUILTIN_DIM`` = 1024):
    every generator is a dense ``dim x dim`` float64 matrix (100000x0e would need 75 GiB)."""
    from equiact.groups import MAX_BUILTIN_DIM

    o3 = require("e3nn.o3")
    try:
        ir = o3.Irreps(irreps)
    except (ValueError, TypeError, AssertionError) as err:
        raise InvalidInputError(
            f"irreps = {irreps!r} is not an e3nn Irreps ({err}); e.g. '2x0e + 1x0o + 1x1o'"
        ) from None
    limit = MAX_BUILTIN_DIM if max_dim is None else max_dim
    if ir.dim > limit:
        raise InvalidInputError(
            f"irreps {str(ir)[:80]!r} have dimension {ir.dim}, above the limit {limit} (each "
            "generator is a dense dim x dim matrix); decide each irrep type separately "
            "(multiplicities do not change the verdict)")
    return ir


@contextlib.contextmanager
def _float64():
    """e3nn builds its generators (and so every D matrix) in torch's default dtype."""
    torch = require("torch")
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def _so3_generators(l: int) -> np.ndarray:
    o3 = require("e3nn.o3")
    with _float64():
        X = o3.so3_generators(l)
    return X.detach().cpu().numpy().astype(np.float64)


def _D(ir, R) -> np.ndarray:
    with _float64():
        return ir.D_from_matrix(R).detach().cpu().numpy().astype(np.float64)


def _matrices(ir):
    """float64 (inversion matrix, [L_x, L_y, L_z]) of an e3nn Irreps."""
    torch = require("torch")
    blocks = []
    for mul, irrep in ir:
        blocks += [(irrep.l, irrep.p)] * mul
    if not blocks:
        raise InvalidInputError("irreps is empty (dimension 0); give at least one irrep")
    lie = [scipy.linalg.block_diag(*[_so3_generators(l)[a] for l, _ in blocks])
           for a in range(3)]
    inversion = _D(ir, -torch.eye(3, dtype=torch.float64))
    # check the convention: D(exp(s L^1_a)) = exp(s L_a) for the vector generators L^1_a
    L1 = _so3_generators(1)
    for a in range(3):
        for s in _CHECK_ANGLES:
            R = torch.as_tensor(scipy.linalg.expm(s * L1[a]))
            err = float(np.max(np.abs(_D(ir, R)
                                      - scipy.linalg.expm(s * lie[a]))))
            if err > _CHECK_TOL:  # pragma: no cover - e3nn convention change
                raise GroupTheoryError(
                    f"e3nn's so3_generators do not reproduce Irreps.D_from_matrix (error "
                    f"{err:.2e} for axis {a}, angle {s}); this e3nn version is not supported")
    return inversion, lie


def from_e3nn(irreps, *, exact="auto", name=None):
    """The equiact :class:`~equiact.representation.Representation` of an e3nn ``Irreps``.

    Group generator: the inversion ``D(-I)``; Lie algebra: three generators (block diagonal
    ``so3_generators(l)``). ``exact="auto"`` reads the entries as exact numbers when all are
    small rationals or square roots of them (true for ``l <= 4``); ``False`` keeps float64.
    Example: ``from_e3nn("2x0e + 1x1o")`` has dimension 5, one group generator and three Lie
    algebra generators (runnable examples: docs/interop.md).
    """
    from equiact.representation import Representation

    if exact not in ("auto", True, False):
        raise InvalidInputError(f"exact = {exact!r}: use 'auto', True or False")
    ir = _irreps(irreps)
    inversion, lie = _matrices(ir)
    label = name or str(ir)
    if exact is not False:
        ex = [recognize_exact(m) for m in [inversion, *lie]]
        if all(m is not None for m in ex):
            return Representation.from_matrices([ex[0]], ex[1:], name=label, group_name="O3")
        if exact is True:
            raise InvalidInputError(
                f"irreps {ir}: the generator entries are not all small rationals or square "
                "roots of them; use exact='auto' or False")
    return Representation.from_matrices([inversion], lie, name=label, group_name="O3")


def _random_rotations(count: int, seed: int):
    torch = require("torch")
    o3 = require("e3nn.o3")
    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(count):
        q = torch.randn(4, generator=gen, dtype=torch.float64)
        out.append(o3.quaternion_to_matrix(q / q.norm()))
    return out


def sampled_representation(irreps, samples: int = 4, *, seed: int = 0, name=None):
    """The float64 representation generated by ``D(-I)`` and ``D(R_k)`` for ``samples`` random
    rotations ``R_k`` (no Lie algebra).

    Two generic rotations already generate a dense subgroup of SO(3), so a point-wise
    activation commutes with all these matrices exactly when it does with all of O(3): the
    verdict agrees with the Lie algebra one of :func:`from_e3nn` (the tests check it).
    """
    from equiact.representation import Representation

    torch = require("torch")
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise InvalidInputError(f"samples = {samples!r}: give a number of rotations >= 1")
    ir = _irreps(irreps)
    if ir.dim == 0:
        raise InvalidInputError("irreps is empty (dimension 0); give at least one irrep")
    mats = [_D(ir, -torch.eye(3, dtype=torch.float64))]
    mats += [_D(ir, R) for R in _random_rotations(samples, seed)]
    return Representation.from_matrices(mats, name=name or f"{ir} (sampled)", group_name="O3")


def decide_e3nn(irreps, activation, *, samples: int = 0, **options):
    """:func:`equiact.decide` for an e3nn ``Irreps``.

    ``samples = 0``: the representation of :func:`from_e3nn` (inversion and Lie algebra);
    ``samples = k > 0``: :func:`sampled_representation` (inversion and ``k`` random
    rotations, float64). ``options`` go to :func:`equiact.decide` (``tol``, ``seed``);
    ``exact`` to :func:`from_e3nn`.
    """
    from equiact.decision import decide

    exact = options.pop("exact", "auto")
    if samples:
        rep = sampled_representation(irreps, samples, seed=options.get("seed", 0))
    else:
        rep = from_e3nn(irreps, exact=exact)
    return decide(rep, activation, **options)


def split_admissible(irreps, activation):
    """``(admissible, rest)``: the ``Irreps`` parts (in order) on which the point-wise
    ``activation`` is equivariant, and the others (decided irrep by irrep).

    By the theorem ``admissible`` holds only ``0e`` and, for odd activations, ``0o``.
    """
    from equiact.activations import analyze_activation
    from equiact.decision import decide

    o3 = require("e3nn.o3")
    ir = _irreps(irreps)
    profile = analyze_activation(activation)  # a profile is returned as it is
    cache: dict = {}
    good, bad = [], []
    for mul, irrep in ir:
        key = (irrep.l, irrep.p)
        if key not in cache:
            cache[key] = decide(from_e3nn(o3.Irreps([(1, irrep)])), profile).admissible
        (good if cache[key] else bad).append((mul, irrep))
    return o3.Irreps(good), o3.Irreps(bad)


def sampled_equivariance_error(irreps, activation, *, samples: int = 16, batch: int = 32,
                               parity: bool = True, seed: int = 0) -> float:
    """``max |f(D(g) x) - D(g) f(x)| / max(1, |f(x)|)`` over ``samples`` random elements ``g``
    of O(3) (SO(3) with ``parity=False``) and ``batch`` standard normal inputs ``x``, float64.

    Near machine precision when :func:`decide_e3nn` admits the activation; of order one
    otherwise (a numerical check of the verdict, never a proof).
    """
    from equiact.activations import analyze_activation

    if samples < 1 or batch < 1:
        raise InvalidInputError(f"samples = {samples}, batch = {batch}: both must be >= 1")
    ir = _irreps(irreps)
    profile = analyze_activation(activation)  # a profile is returned as it is
    f = profile.numpy_fn
    rng = np.random.default_rng(seed)
    worst = 0.0
    for R in _random_rotations(samples, seed):
        if parity and rng.integers(2):
            R = -R
        D = _D(ir, R)
        x = rng.standard_normal((batch, ir.dim))
        lhs = f(x @ D.T)
        rhs = f(x) @ D.T
        scale = max(1.0, float(np.max(np.abs(f(x)))))
        worst = max(worst, float(np.max(np.abs(lhs - rhs))) / scale)
    return worst
