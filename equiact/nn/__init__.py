"""PyTorch modules for exactly equivariant networks on (signed) permutation spaces.

Layout everywhere: ``(batch, channels, |X|)``.
"""

from equiact.nn.activation import (
    PointwiseActivation,
    ScalarFunction,
    SympyFunction,
    activation_verdict,
)
from equiact.nn.linear import (
    DENSE_LIMIT,
    EVAL_DENSE_LIMIT,
    SPARSE_LIMIT,
    EquivariantLinear,
    choose_eval_mode,
    choose_mode,
)
from equiact.nn.network import EquivariantNetwork
from equiact.nn.pooling import InvariantPooling

__all__ = [
    "DENSE_LIMIT",
    "EVAL_DENSE_LIMIT",
    "SPARSE_LIMIT",
    "EquivariantLinear",
    "EquivariantNetwork",
    "InvariantPooling",
    "PointwiseActivation",
    "ScalarFunction",
    "SympyFunction",
    "activation_verdict",
    "choose_eval_mode",
    "choose_mode",
]
