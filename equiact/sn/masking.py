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

import itertools

import torch

from equiact.errors import InvalidInputError
from equiact.sn.layers import SnSet
from equiact.sn.ops import check_sizes
from equiact.sn.partitions import set_partitions

__all__ = ["pad_tensors", "masked_pool", "orbit_normalize", "POOLINGS"]

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
    if x.dim() != 2 + space.axes:
        raise InvalidInputError(
            f"features have shape {tuple(x.shape)}; {space.label} needs (batch, channels) + "
            f"{space.axes} trailing axes"
        )
    if space.kind == "sign":
        return {"sum": x.sum(-1), "mean": x.mean(-1), "max": x.amax(-1)}[how]
    if space.order == 0:
        return x
    n = x.shape[-1]
    if sizes is not None:
        sizes = check_sizes(sizes, x.shape[0], n, device=x.device)
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


def _orbit_type_masks(space: SnSet, n: int, dtype, device) -> list[torch.Tensor]:
    """Indicator ``(n,)*k`` of each S_n-orbit type of a k-tensor (one per equality pattern)."""
    k = space.order
    if space.kind != "tensor":
        return [space.support_mask(n, None, dtype=dtype, device=device)
                if k >= 2 else torch.ones((n,) * k, dtype=dtype, device=device)]
    ar = torch.arange(n, device=device)
    grids = torch.meshgrid(*([ar] * k), indexing="ij")
    masks = []
    for part in set_partitions(k):
        label = [0] * k
        for bi, blk in enumerate(part):
            for p in blk:
                label[p] = bi
        m = torch.ones((n,) * k, dtype=torch.bool, device=device)
        for a, b in itertools.combinations(range(k), 2):
            same = grids[a] == grids[b]
            m = m & (same if label[a] == label[b] else ~same)
        masks.append(m.to(dtype))
    return masks


def orbit_normalize(x: torch.Tensor, space: SnSet, sizes=None, eps: float = 1e-5):
    """Centre each orbit type and scale to unit RMS, per graph and channel (S_n-equivariant).

    For every graph and channel the mean over each orbit type of the valid entries (for
    k-tensors: the entries with one equality pattern of their k indices, e.g. the diagonal and
    the off-diagonal of a 2-tensor; for tuples and subsets: all valid entries) is subtracted,
    then the result is divided by ``sqrt(mean square + eps)`` over the valid entries. These
    statistics are invariant, so the map commutes with every permutation; padding stays zero.
    Orders 0 and ``S_n/A_n`` are returned unchanged.

    >>> x = torch.tensor([[[[1., 2.], [4., 3.]]]])
    >>> orbit_normalize(x, SnSet.tensor(2), eps=0.0).tolist()   # diagonal 1, 3; off 2, 4
    [[[[-1.0, -1.0], [1.0, 1.0]]]]
    """
    if x.dim() != 2 + space.axes:
        raise InvalidInputError(
            f"features have shape {tuple(x.shape)}; {space.label} needs (batch, channels) + "
            f"{space.axes} trailing axes"
        )
    if space.kind == "sign" or space.order == 0:
        return x
    n = x.shape[-1]
    dims = tuple(range(2, x.dim()))
    valid = None
    if sizes is not None:
        sizes = check_sizes(sizes, x.shape[0], n, device=x.device)
        valid = space.support_mask(n, sizes, dtype=x.dtype, device=x.device)
    out = x
    for m in _orbit_type_masks(space, n, x.dtype, x.device):
        m = m.reshape((1, 1) + m.shape)
        if valid is not None:
            m = m * valid
        count = m.sum(dim=dims, keepdim=True).clamp(min=1)
        out = out - (x * m).sum(dim=dims, keepdim=True) / count * m
    full = space.support_mask(n, sizes, dtype=x.dtype, device=x.device)
    if full is None:
        count = float(n ** space.order)
    else:
        full = full.reshape((1,) * (x.dim() - full.dim()) + full.shape)
        out = out * full
        count = full.expand((x.shape[0], 1) + full.shape[2:]).sum(dim=dims, keepdim=True)
        count = count.clamp(min=1)
    rms = torch.sqrt((out * out).sum(dim=dims, keepdim=True) / count + eps)
    return out / rms
