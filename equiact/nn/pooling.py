"""``InvariantPooling``: project a feature map onto the invariant subspace, orbit by orbit.

Input ``(..., channels, |X|)``, output ``(..., channels, dim)`` where ``dim`` is the number of
orbits of X that carry an invariant (all orbits for unsigned spaces; for signed spaces the
orbits not forced to zero). Coordinate ``d`` is ``sum_{x in orbit d} sign(x) v[x]`` (``"sum"``)
or that sum divided by the orbit size (``"mean"``); both are invariant.

>>> import torch
>>> from equiact.spaces import sn_tensor_space
>>> pool = InvariantPooling(sn_tensor_space(3, 2), "sum")   # orbits: diagonal, off-diagonal
>>> pool(torch.arange(9.).reshape(1, 1, 9))
tensor([[[12., 24.]]])
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from equiact.errors import InvalidInputError
from equiact.nn._sparse import spmm
from equiact.orbit_basis import invariant_orbits
from equiact.spaces import as_space

__all__ = ["InvariantPooling"]


class InvariantPooling(nn.Module):
    """Sum or mean over each orbit of a (signed) permutation space."""

    def __init__(self, space, reduce: str = "mean"):
        super().__init__()
        if reduce not in ("sum", "mean"):
            raise InvalidInputError(f"reduce = {reduce!r}; use 'sum' or 'mean'")
        space = as_space(space)
        basis = invariant_orbits(space)
        self.space, self.reduce, self.dim = space, reduce, basis.dim
        self._npoints = int(space.size)
        keep = np.nonzero(basis.labels >= 0)[0]
        # P: sparse (dim, |X|) signed orbit indicators; out = x P^T, divided by orbit sizes
        # for "mean" (integers: exact in any dtype). A sparse mm rather than index_add, which
        # the inductor CPU backend of torch 2.13 fails to compile.
        ind = torch.as_tensor(np.stack([basis.labels[keep], keep]))
        val = torch.as_tensor(basis.signs[keep], dtype=torch.get_default_dtype())
        op = torch.sparse_coo_tensor(ind, val, (basis.dim, space.size),
                                     check_invariants=True).coalesce()
        self.register_buffer("_op", op, persistent=False)
        self.register_buffer("_size", torch.as_tensor(basis.orbit_sizes()), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = self._npoints
        if x.shape[-1] != n:
            shape = ", ".join([str(d) for d in x.shape])
            raise InvalidInputError(
                f"input has shape ({shape}); its last axis must be |X| = {n}"
            )
        lead = list(x.shape[:-1])
        if self.dim == 0:
            return x.new_zeros(lead + [0])
        flat = x.reshape(-1, n)
        out = spmm(self._op, flat.t()).t()
        if self.reduce == "mean":
            out = out / self._size.to(x.dtype)
        return out.reshape(lead + [self.dim])

    def extra_repr(self) -> str:
        return f"space={self.space.name or self.space.size}, reduce={self.reduce!r}, dim={self.dim}"
