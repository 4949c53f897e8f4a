"""Interoperability with escnn and e3nn (both optional; imported only when a function is called).

* :mod:`equiact.interop.escnn`: :func:`from_escnn`, :func:`decide_escnn`,
  :func:`to_escnn_admissible`, :func:`pointwise_module`.
* :mod:`equiact.interop.e3nn`: :func:`from_e3nn`, :func:`decide_e3nn`,
  :func:`split_admissible`, :func:`sampled_representation`,
  :func:`sampled_equivariance_error`.
"""

from equiact.interop.e3nn import (
    decide_e3nn,
    from_e3nn,
    sampled_equivariance_error,
    sampled_representation,
    split_admissible,
)
from equiact.interop.escnn import (
    EscnnAdmissible,
    decide_escnn,
    from_escnn,
    group_structure,
    pointwise_module,
    to_escnn_admissible,
)

__all__ = [
    "EscnnAdmissible",
    "decide_e3nn",
    "decide_escnn",
    "from_e3nn",
    "from_escnn",
    "group_structure",
    "pointwise_module",
    "sampled_equivariance_error",
    "sampled_representation",
    "split_admissible",
    "to_escnn_admissible",
]
