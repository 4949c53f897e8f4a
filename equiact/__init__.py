"""equiact: exact equivariance of point-wise activations.

Decide whether a point-wise layer is equivariant for a group representation, fix the
coordinates, enumerate admissible representations, and build exactly equivariant networks.
"""

from equiact.errors import (
    ActivationError,
    ClosureLimitError,
    EquiactError,
    GroupTheoryError,
    InadmissibleError,
    InvalidInputError,
    InvalidMatrixError,
    NotFiniteGroupError,
    UnknownNameError,
)

__version__ = "0.1.0"

__all__ = [
    "ActivationError",
    "ClosureLimitError",
    "EquiactError",
    "GroupTheoryError",
    "InadmissibleError",
    "InvalidInputError",
    "InvalidMatrixError",
    "NotFiniteGroupError",
    "UnknownNameError",
    "__version__",
]
