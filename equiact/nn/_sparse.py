"""Sparse-times-dense products that also trace under ``torch.export`` (with dynamic shapes)."""

from __future__ import annotations

import torch

__all__ = ["spmm"]


def spmm(op: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """``op @ m`` for a sparse ``op`` (CSR, or a coalesced COO buffer) and a dense ``m``.

    While ``torch.export`` traces, the product of a COO buffer is written as a gather and an
    ``index_add`` over its entries: export has no sparse kernels for symbolic (dynamic) shapes.

    >>> op = torch.sparse_coo_tensor([[0, 1], [1, 0]], [2.0, 3.0], (2, 2), check_invariants=True)
    >>> spmm(op, torch.eye(2))
    tensor([[0., 2.],
            [3., 0.]])
    """
    if not torch.jit.is_scripting():
        if torch.compiler.is_exporting():
            ind = op._indices()
            vals = op._values().to(m.dtype)
            out = m.new_zeros(op.shape[0], m.shape[1])
            return out.index_add(0, ind[0], m[ind[1]] * vals[:, None])
    if op.dtype != m.dtype:
        op = op.to(m.dtype)
    return op @ m
