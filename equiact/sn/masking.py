"""Batches of graphs of different sizes: padding, masks and masked pooling.

A batch is padded to the largest ``n``; ``sizes[b]`` is graph ``b``'s true number of nodes.
Sums ignore padding, means divide by each graph's own count, max pooling masks with ``-inf``.

>>> import torch
>>> x, sizes = pad_tensors([torch.ones(1, 2, 2), torch.ones(1, 3, 3)], order=2)
>>> x.shape, sizes.tolist()
(torch.Size([2, 1, 3, 3]), [2, 3])
>>> masked_pool(x, SnSet.tensor(2), sizes, "mean").tolist()
[[1.0], [1.0]]
"""

from __future__ import annotations

import torch

from equiact.errors import InvalidInputError
from equiact.sn.layers import SnSet

__all__ = ["pad_tensors", "masked_pool", "POOLINGS"]

POOLINGS = ("sum", "mean", "max")


def pad_tensors(tensors, order: int, n: int | None = None):
    """Zero-pad per-graph tensors ``(C,) + (n_b,)*order`` into ``(B, C) + (n,)*order``.

    Returns ``(batch, sizes)``; ``n`` defaults to the largest ``n_b``.

    >>> pad_tensors([torch.ones(1, 2)], order=1, n=3)[0].tolist()
    [[[1.0, 1.0, 0.0]]]
    """
    tensors = list(tensors)
    if not tensors:
        raise InvalidInputError("pad_tensors needs at least one tensor")
    sizes = []
    for i, t in enumerate(tensors):
        if t.dim() != 1 + order or (order and any(s != t.shape[1] for s in t.shape[1:])):
            raise InvalidInputError(
                f"tensor {i} has shape {tuple(t.shape)}; expected (channels,) + (n,) * {order}"
            )
        sizes.append(t.shape[1] if order else 0)
    nmax = max(1, max(sizes)) if n is None else int(n)
    if max(sizes) > nmax:
        raise InvalidInputError(f"a graph has {max(sizes)} nodes but n = {nmax}")
    c = tensors[0].shape[0]
    out = tensors[0].new_zeros((len(tensors), c) + (nmax,) * order)
    for b, t in enumerate(tensors):
        if t.shape[0] != c:
            raise InvalidInputError(f"tensor {b} has {t.shape[0]} channels, tensor 0 has {c}")
        out[(b, slice(None)) + (slice(0, sizes[b]),) * order] = t
    return out, torch.tensor(sizes, dtype=torch.long)


def masked_pool(x: torch.Tensor, space: SnSet, sizes=None, how: str = "sum") -> torch.Tensor:
    """Pool the node axes of ``x`` (layout of ``space``) to ``(B, C)``, ignoring padding.

    ``mean`` divides by the number of valid entries of each graph (``n_b**k`` for tensors,
    ``n_b (n_b-1)...`` for tuples and subsets, whose ``C(n_b, t)`` points are stored ``t!``
    times); ``max`` takes the maximum over the valid entries only (0 for a graph without any).

    >>> x = torch.tensor([[[1., 5.], [2., 0.]]])      # (B=1, C=2, n=2) nodes; n_1 = 1
    >>> masked_pool(x, SnSet.tensor(1), torch.tensor([1]), "max").tolist()
    [[1.0, 2.0]]
    """
    if how not in POOLINGS:
        raise InvalidInputError(f"pooling {how!r} unknown; use one of {POOLINGS}")
    if space.kind == "sign":
        return {"sum": x.sum(-1), "mean": x.mean(-1), "max": x.amax(-1)}[how]
    if space.order == 0:
        return x
    n = x.shape[-1]
    dims = tuple(range(2, 2 + space.order))
    mask = space.support_mask(n, sizes, dtype=x.dtype, device=x.device)
    if mask is not None and mask.dim() != x.dim():  # (n,)*k distinct mask: add batch axes
        mask = mask.reshape((1, 1) + mask.shape)
    if how == "max":
        if mask is None:
            return x.amax(dim=dims)
        out = x.masked_fill(mask == 0, float("-inf")).amax(dim=dims)
        empty = mask.expand((x.shape[0], 1) + mask.shape[2:]).sum(dim=dims) == 0
        return out.masked_fill(empty, 0.0)  # a graph with no valid entry pools to 0
    xs = x if mask is None else x * mask
    total = xs.sum(dim=dims)
    if how == "sum":
        return total
    if mask is None:
        count = torch.full((x.shape[0], 1), float(space.size(n) if space.kind == "tensor"
                                                  else _entries(space, n)), dtype=x.dtype)
    else:
        count = mask.expand((x.shape[0], 1) + mask.shape[2:]).sum(dim=dims)
    return total / count.clamp(min=1).to(x.device)


def _entries(space: SnSet, n: int) -> int:
    size = 1
    for i in range(space.order):
        size *= n - i
    return size
