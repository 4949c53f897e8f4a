"""``EquivariantNetwork``: a stack of equivariant linear layers and admissible activations.

Built from a list of spaces ``[X_0, ..., X_L]`` and channel widths ``[C_0, ..., C_L]``:
``EquivariantLinear(X_j -> X_{j+1}, C_j -> C_{j+1})`` followed by a checked
``PointwiseActivation`` on ``X_{j+1}`` (not after the last layer unless
``final_activation=True``). With ``pool="sum"`` or ``"mean"`` the last feature map is pooled to
its invariants and, if ``out_features`` is given, mapped by an ordinary ``nn.Linear`` (any map
of invariants is invariant), giving an invariant model.

>>> import torch
>>> from equiact.spaces import sn_tensor_space
>>> X1, X2 = sn_tensor_space(4, 1), sn_tensor_space(4, 2)
>>> net = EquivariantNetwork([X2, X2, X1], [1, 8, 8], "relu", pool="mean", out_features=3)
>>> net(torch.randn(5, 1, 16)).shape
torch.Size([5, 3])
"""

from __future__ import annotations

import torch
from torch import nn

from equiact.errors import InvalidInputError
from equiact.nn.activation import PointwiseActivation
from equiact.nn.linear import EquivariantLinear
from equiact.nn.pooling import InvariantPooling
from equiact.spaces import as_space

__all__ = ["EquivariantNetwork"]


class EquivariantNetwork(nn.Module):
    """Equivariant (or, with pooling, invariant) network from spaces and widths.

    Input ``(batch, widths[0], |X_0|)``; output ``(batch, widths[-1], |X_L|)``, or
    ``(batch, widths[-1] * dim_inv)`` after pooling, or ``(batch, out_features)``.
    """

    def __init__(
        self,
        spaces,
        widths,
        activation="tanh",
        bias: bool = True,
        pool: str | None = None,
        out_features: int | None = None,
        final_activation: bool = False,
        mode: str = "auto",
    ):
        super().__init__()
        spaces = [as_space(s, f"spaces[{j}]") for j, s in enumerate(spaces)]
        widths = list(widths)
        if len(spaces) < 2:
            raise InvalidInputError(
                f"got {len(spaces)} space(s); give at least an input and an output space"
            )
        if len(widths) != len(spaces):
            raise InvalidInputError(
                f"got {len(spaces)} spaces but {len(widths)} widths; give one width per space"
            )
        if pool is None and out_features is not None:
            raise InvalidInputError("out_features needs pool='sum' or 'mean' (an invariant head)")
        self.spaces = spaces
        self.widths = widths
        layers: list[nn.Module] = []
        depth = len(spaces) - 1
        for j in range(depth):
            layers.append(EquivariantLinear(
                spaces[j], spaces[j + 1], widths[j], widths[j + 1], bias=bias, mode=mode,
            ))
            if j < depth - 1 or final_activation:
                layers.append(PointwiseActivation(spaces[j + 1], activation))
        self.body = nn.Sequential(*layers)
        self.pool = InvariantPooling(spaces[-1], pool) if pool is not None else None
        self.head = None
        if out_features is not None:
            if self.pool.dim == 0:
                raise InvalidInputError(
                    f"the last space {spaces[-1].name or spaces[-1].size} has no invariant "
                    "vectors (every orbit of its signed action is forced to zero), so pooling "
                    "gives 0 features and the head would output a constant; end with a space "
                    "that has invariants (e.g. an unsigned one)"
                )
            self.head = nn.Linear(widths[-1] * self.pool.dim, int(out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(x)
        if self.pool is None:
            return h
        h = self.pool(h).flatten(-2)
        return h if self.head is None else self.head(h)
