"""``PointwiseActivation``: a point-wise non-linearity that refuses inadmissible spaces.

At construction :func:`activation_verdict` decides admissibility with
:func:`equiact.decision.decide`; a negative verdict raises
:class:`~equiact.errors.InadmissibleError` carrying the verdict, its reason and witness
(e.g. ReLU on a signed space: ``relu(-x) != -relu(x)``).

The decision needs only the generators. For small spaces with small groups (at most
``FULL_CHECK_LIMIT`` points and ``size * |G| <= FULL_CHECK_WORK``) it runs on the full
(exact, integer) generator matrices. Otherwise it runs on an equivalent small representation:
one 1x1 generator per generator, ``[-1]`` if that generator flips some sign and ``[1]``
otherwise. For monomial +-1 matrices the verdict depends only on which entries occur (T(M) and
unit row sums, THEORY.md section 2), so it is the same, and its cost does not grow with the
space; the error message then also names a point whose sign the generator flips, and the
verdict reports the order of the group acting on the space
(:meth:`~equiact.spaces.PermutationSpace.group_order`, computed only while
``size * ORDER_LIMIT <= ORDER_WORK_LIMIT``).

The module is picklable (``torch.save(model)``, ``copy.deepcopy``), scriptable
(``torch.jit.script``) and exportable (``torch.export.export``): it stores the profile's own
module (``ActivationProfile.to_module()``, :mod:`equiact.activations.torch_modules`), so
catalogue activations become ``torch.nn`` modules or :class:`ScalarFunction`; sympy
expressions become :class:`SympyFunction` (picklable and exportable, but TorchScript cannot
compile code generated from an expression: scripting raises
:class:`~equiact.errors.InvalidInputError` saying so);
torch functions and other callables are wrapped as they are (picklable when the function is
importable by name, scriptable when TorchScript can compile it).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from torch import nn

from equiact.activations import ActivationProfile
from equiact.activations.torch_modules import FunctionModule, ScalarFunction, SympyFunction
from equiact.decision import ORDER_LIMIT
from equiact.errors import ClosureLimitError, InadmissibleError
from equiact.spaces import as_space

__all__ = [
    "PointwiseActivation", "activation_verdict", "ScalarFunction", "SympyFunction",
    "FULL_CHECK_LIMIT", "FULL_CHECK_WORK", "ORDER_LIMIT", "ORDER_WORK_LIMIT",
]

#: Spaces up to this many points may be decided on their full generator matrices ...
FULL_CHECK_LIMIT = 256
#: ... when ``size * |G|`` is at most this (``decide`` closes the group on the matrices).
FULL_CHECK_WORK = 20_000
#: The verdict reports the order of the group acting on the space up to ``ORDER_LIMIT`` (the
#: limit of :func:`equiact.decide`) elements when ``size * ORDER_LIMIT`` is at most this (work
#: and memory of the closure).
ORDER_WORK_LIMIT = ORDER_LIMIT * 2048


def activation_verdict(space, activation):
    """The :class:`~equiact.decision.Verdict` of ``activation`` on a (signed) permutation space.

    >>> from equiact.spaces import PermutationSpace
    >>> signed = PermutationSpace([[1, 0]], signs=[[1, -1]])
    >>> activation_verdict(signed, "tanh").admissible, activation_verdict(signed, "relu").admissible
    (True, False)
    >>> from equiact.spaces import sn_tensor_space
    >>> activation_verdict(sn_tensor_space(16, 2), "relu").group_order_note    # 256 points, fast
    'the group acting on S16 on (R^16)^2 has more than 5000 elements (order not computed beyond)'
    """
    from equiact.decision import decide
    from equiact.representation import Representation

    space = as_space(space)
    order, order_note = _space_order(space)
    full = (space.size <= FULL_CHECK_LIMIT and order is not None
            and space.size * order <= FULL_CHECK_WORK)
    if full:
        mats = space.to_matrices()  # exact integers: decide closes them as permutations
        rep = Representation.from_matrices(mats, name=space.name or f"space of {space.size} points")
        return decide(rep, activation)
    signs = space.signs_or_ones()
    mats = [np.array([[-1 if (signs[i] < 0).any() else 1]], dtype=np.int64)
            for i in range(space.num_generators)]
    if not mats:  # no generators: the trivial group
        mats = [np.eye(1, dtype=np.int64)]
    where = space.name or f"a space of {space.size} points"
    rep = Representation.from_matrices(mats, name=f"sign pattern of {where}")
    verdict = decide(rep, activation)
    return dataclasses.replace(verdict, group_order=order, group_order_note=order_note)


def _space_order(space) -> tuple[int | None, str]:
    where = space.name or f"a space of {space.size} points"
    if space.size * ORDER_LIMIT > ORDER_WORK_LIMIT:
        return None, (f"the order of the group acting on {where} was not computed (more than "
                      f"{ORDER_WORK_LIMIT // ORDER_LIMIT} points); call space.group_order(limit)")
    try:
        order = space.group_order(limit=ORDER_LIMIT)
    except ClosureLimitError:
        return None, (f"the group acting on {where} has more than {ORDER_LIMIT} elements "
                      "(order not computed beyond)")
    return order, f"the group acting on {where} has order {order}"


class PointwiseActivation(nn.Module):
    """Applies ``activation`` element-wise after checking that it is admissible for ``space``.

    ``activation``: a catalogue name (``"tanh"``, ``"leaky_relu(0.2)"``), a sympy expression,
    a ``torch.nn`` module or a torch function. Raises ``InadmissibleError`` when the verdict is
    negative; ``self.verdict`` keeps the positive one (recomputed on first access after
    unpickling, since a verdict holds unpicklable analysis functions).

    >>> from equiact.spaces import PermutationSpace
    >>> signed = PermutationSpace([[1, 0]], signs=[[1, -1]])
    >>> PointwiseActivation(signed, "tanh").verdict.admissible
    True
    >>> PointwiseActivation(signed, "relu")
    Traceback (most recent call last):
    ...
    equiact.errors.InadmissibleError: relu is not admissible on ...
    """

    __jit_unused_properties__ = ["verdict"]

    def __init__(self, space, activation="tanh"):
        super().__init__()
        from equiact.activations import analyze_activation

        space = as_space(space)
        profile = analyze_activation(activation)  # a profile is returned as it is
        verdict = activation_verdict(space, profile)
        if not verdict.admissible:
            raise InadmissibleError(_refusal(space, profile, verdict), verdict=verdict)
        self.space = space
        self._verdict = verdict
        self.activation_name = profile.name
        self.fn = _torch_module(activation, profile)
        # what to re-analyse for the verdict after unpickling (None: self.fn itself)
        self._spec = profile.name if profile.how in ("catalogue", "symbolic") else None

    @property
    def verdict(self):
        """The (positive) :class:`~equiact.decision.Verdict`."""
        if self._verdict is None:
            spec = self._spec
            if spec is None:
                spec = self.fn.fn if isinstance(self.fn, FunctionModule) else self.fn
            self._verdict = activation_verdict(self.space, spec)
        return self._verdict

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_verdict"] = None
        return state

    def forward(self, x):
        return self.fn(x)

    def extra_repr(self) -> str:
        return f"{self.activation_name}, space={self.space.name or self.space.size}"


def _torch_module(activation, profile) -> nn.Module:
    """The module computing the activation: a ``torch.nn`` module as given, a callable wrapped
    (:class:`FunctionModule`), anything else the profile's own (picklable) module."""
    if isinstance(activation, nn.Module):
        return activation
    if callable(activation) and not isinstance(activation, ActivationProfile):
        return FunctionModule(activation, profile.name)
    return profile.to_module()


def _refusal(space, profile, verdict) -> str:
    where = space.name or f"the space of {space.size} points"
    msg = f"{profile.name} is not admissible on {where}: {verdict.reason.rstrip()}"
    if not msg.endswith("."):
        msg += "."
    if space.is_signed:
        i, x = (int(v) for v in np.argwhere(space.signs < 0)[0])
        msg += f" In this space generator {i} sends e_{x} to -e_{int(space.perms[i, x])}."
    w = verdict.witness
    if w is not None:
        msg += (
            f" Witness: generator {w.generator}, x = {_vec(w.x)}, f~(M x) = {_vec(w.lhs)}, "
            f"M f~(x) = {_vec(w.rhs)}."
        )
    msg += (
        " Use an activation these matrices admit (an odd one such as tanh on a signed space) "
        "or an unsigned space."
    )
    return msg


def _vec(v, limit: int = 6) -> str:
    items = [f"{float(a):.4g}" for a in np.asarray(v).ravel()[:limit]]
    return "[" + ", ".join(items) + (", ...]" if np.asarray(v).size > limit else "]")
