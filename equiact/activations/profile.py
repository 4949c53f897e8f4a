"""The :class:`ActivationProfile`: what the theory needs to know about a scalar activation.

For an activation ``f`` with ``f0 = f - f(0)`` the profile records ``f(0)``, whether ``f`` is
affine or linear, whether ``f0`` is odd, and the closed subgroup of R*
``T = {t != 0 : f0(t x) = t f0(x) for all x}`` (THEORY.md section 3), together with how each
fact was established.

>>> from equiact.activations import analyze_activation
>>> p = analyze_activation("sigmoid")
>>> p.T.label, p.f_at_zero, p.odd_f0, p.how
('{±1}', 0.5, True, 'catalogue')
>>> p.f0([-1.0, 1.0]).round(4).tolist()
[-0.2311, 0.2311]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy

from equiact.errors import InvalidInputError
from equiact.scalar_group import ScalarGroup

__all__ = ["ActivationProfile", "HOW_VALUES"]

HOW_VALUES = ("catalogue", "symbolic", "numerical")


def _fmt_number(v) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, (int, np.integer, Fraction, sympy.Basic)):
        return str(v)
    return f"{float(v):.10g}"


@dataclass(frozen=True, eq=False)
class ActivationProfile:
    """Facts about a scalar activation ``f`` that decide which matrices it commutes with.

    ``T`` is the group ``{t != 0 : f0(t x) = t f0(x)}`` with ``f0 = f - f(0)``; ``odd_f0`` is
    ``-1 in T``. ``how`` is ``"catalogue"``, ``"symbolic"`` or ``"numerical"``; ``evidence`` says
    what established the facts (proofs, tolerance, number of points). ``params`` lists the
    parameters as ``(name, value)`` pairs (catalogue entries), ``family`` the catalogue key.
    """

    name: str
    numpy_fn: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    f_at_zero: float
    zero_at_origin: bool
    is_affine: bool
    is_linear: bool
    odd_f0: bool
    T: ScalarGroup
    how: str
    evidence: str
    expr: sympy.Expr | None = None
    params: tuple = ()
    family: str | None = None
    torch_factory: Callable | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.how not in HOW_VALUES:
            raise InvalidInputError(f"how must be one of {HOW_VALUES}, got {self.how!r}")

    # ------------------------------------------------------------------ evaluation
    def __call__(self, x) -> np.ndarray:
        """Evaluate ``f`` element-wise in float64."""
        return np.asarray(self.numpy_fn(np.asarray(x, dtype=np.float64)), dtype=np.float64)

    def f0(self, x) -> np.ndarray:
        """Evaluate ``f0 = f - f(0)`` element-wise in float64."""
        return self(x) - self.f_at_zero

    # ------------------------------------------------------------------ derived facts
    @property
    def matrix_class(self) -> str:
        """The matrices T governs (with ``f(0) != 0`` they also need unit row sums)."""
        return self.T.matrix_class

    @property
    def activation_class(self) -> str:
        return self.T.activation_class

    @property
    def params_text(self) -> str:
        """The parameters as ``name=value`` text, ``-`` when there are none."""
        if not self.params:
            return "-"
        return ", ".join(f"{k}={_fmt_number(v)}" for k, v in self.params)

    def to_module(self):
        """A ``torch.nn.Module`` computing ``f`` (imports torch).

        Catalogue entries give the matching ``torch.nn`` module, sympy expressions a module built
        from the expression, torch-accepting callables a wrapper around them.
        """
        if self.torch_factory is None:
            raise InvalidInputError(
                f"activation {self.name!r} has no PyTorch implementation; pass a torch.nn module, "
                "a catalogue name, a sympy expression, or a callable that accepts torch tensors"
            )
        return self.torch_factory()

    def to_json(self) -> dict:
        """A JSON-serialisable summary.

        >>> from equiact.activations import analyze_activation
        >>> d = analyze_activation("leaky_relu(0.2)").to_json()
        >>> d["T"]["label"], d["params"], d["how"]
        ('R>0', {'negative_slope': '0.2'}, 'catalogue')
        """
        return {
            "name": self.name,
            "family": self.family,
            "params": {k: _fmt_number(v) for k, v in self.params},
            "f_at_zero": self.f_at_zero,
            "zero_at_origin": self.zero_at_origin,
            "is_affine": self.is_affine,
            "is_linear": self.is_linear,
            "odd_f0": self.odd_f0,
            "T": self.T.to_json(),
            "activation_class": self.activation_class,
            "matrix_class": self.matrix_class,
            "how": self.how,
            "evidence": self.evidence,
            "expr": None if self.expr is None else str(self.expr),
        }

    def summary(self) -> str:
        """A few readable lines: name, class, f(0), matrices, evidence."""
        lines = [
            f"activation {self.name}: T = {self.T.label} ({self.activation_class})",
            f"  f(0) = {_fmt_number(self.f_at_zero)}"
            + ("" if self.zero_at_origin else " != 0: only matrices with unit row sums"),
            f"  affine: {'yes' if self.is_affine else 'no'}, linear: "
            f"{'yes' if self.is_linear else 'no'}, f0 odd: {'yes' if self.odd_f0 else 'no'}",
            f"  admitted matrices: {self.matrix_class}",
            f"  established by {self.how}: {self.evidence}",
        ]
        if self.expr is not None:
            lines.insert(1, f"  f(x) = {self.expr}")
        return "\n".join(lines)
