"""Interoperability with escnn and e3nn (both optional; imported only when a function is called).

* :mod:`equiact.interop.escnn`: :func:`from_escnn`, :func:`decide_escnn`,
  :func:`to_escnn_admissible`, :func:`pointwise_module`.
* :mod:`equiact.interop.e3nn`: :func:`from_e3nn`, :func:`decide_e3nn`,
  :func:`sampled_equivariance_error`.
"""

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
    "decide_escnn",
    "from_escnn",
    "group_structure",
    "pointwise_module",
    "to_escnn_admissible",
]
