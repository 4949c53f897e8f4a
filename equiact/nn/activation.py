"""``PointwiseActivation``: a point-wise non-linearity that refuses inadmissible spaces.

At construction the space's generators (signed permutation matrices) are handed to
:func:`equiact.decision.decide`; a negative verdict raises
:class:`~equiact.errors.InadmissibleError` carrying the verdict, its reason and witness
(e.g. ReLU on a signed space: ``relu(-x) != -relu(x)``).

For spaces larger than ``FULL_CHECK_LIMIT`` points the decision runs on an equivalent small
representation: one 1x1 generator per generator, ``[-1]`` if that generator flips some sign and
``[1]`` otherwise. For monomial +-1 matrices the verdict depends only on which entries occur
(T(M) and unit row sums, THEORY.md section 2), so it is the same; the error message then also
names a point whose sign the generator flips.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from equiact.errors import InadmissibleError
from equiact.spaces import as_space

__all__ = ["PointwiseActivation", "activation_verdict", "FULL_CHECK_LIMIT"]

#: Spaces up to this many points are decided on their full generator matrices.
FULL_CHECK_LIMIT = 256


def activation_verdict(space, activation):
    """The :class:`~equiact.decision.Verdict` of ``activation`` on a (signed) permutation space.

    >>> from equiact.spaces import PermutationSpace
    >>> signed = PermutationSpace([[1, 0]], signs=[[1, -1]])
    >>> activation_verdict(signed, "tanh").admissible, activation_verdict(signed, "relu").admissible
    (True, False)
    """
    from equiact.decision import decide
    from equiact.representation import Representation

    space = as_space(space)
    if space.size <= FULL_CHECK_LIMIT:
        mats = [m.astype(np.float64) for m in space.to_matrices()]
        name = space.name or f"space of {space.size} points"
    else:
        signs = space.signs_or_ones()
        mats = [np.array([[-1.0 if (signs[i] < 0).any() else 1.0]])
                for i in range(space.num_generators)]
        name = f"sign pattern of {space.name or f'a space of {space.size} points'}"
    if not mats:  # no generators: the trivial group
        mats = [np.eye(1)]
    rep = Representation.from_matrices(mats, name=name)
    return decide(rep, activation)


class PointwiseActivation(nn.Module):
    """Applies ``activation`` element-wise after checking that it is admissible for ``space``.

    ``activation``: a catalogue name (``"tanh"``, ``"leaky_relu(0.2)"``), a sympy expression,
    a ``torch.nn`` module or a torch function. Raises ``InadmissibleError`` when the verdict is
    negative; ``self.verdict`` keeps the positive one.

    >>> from equiact.spaces import PermutationSpace
    >>> signed = PermutationSpace([[1, 0]], signs=[[1, -1]])
    >>> PointwiseActivation(signed, "tanh").verdict.admissible
    True
    >>> PointwiseActivation(signed, "relu")
    Traceback (most recent call last):
    ...
    equiact.errors.InadmissibleError: relu is not admissible on ...
    """

    def __init__(self, space, activation="tanh"):
        super().__init__()
        from equiact.activations import ActivationProfile, analyze_activation

        space = as_space(space)
        profile = (
            activation if isinstance(activation, ActivationProfile)
            else analyze_activation(activation)
        )
        verdict = activation_verdict(space, profile)
        if not verdict.admissible:
            raise InadmissibleError(_refusal(space, profile, verdict), verdict=verdict)
        self.space = space
        self.verdict = verdict
        self.activation_name = profile.name
        if isinstance(activation, nn.Module):
            self.fn = activation
        elif callable(activation) and not isinstance(activation, ActivationProfile):
            self.fn = _FunctionModule(activation)
        else:
            self.fn = profile.to_module()

    def forward(self, x):
        return self.fn(x)

    def extra_repr(self) -> str:
        return f"{self.activation_name}, space={self.space.name or self.space.size}"


class _FunctionModule(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self._fn = fn

    def forward(self, x):
        return self._fn(x)


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
