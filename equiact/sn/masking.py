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

__all__ = ["pad_tensors", "masked_pool", "orbit_normalize", "POOLINGS", "DEFAULT_REL_EPS",
           "orbit_type_count"]

POOLINGS = ("sum", "mean", "max")

#: Default relative floor of :func:`orbit_normalize` per dtype (a few thousand roundings).
DEFAULT_REL_EPS = {torch.float64: 1e-9, torch.float32: 1e-3, torch.float16: 1e-1,
                   torch.bfloat16: 1e-1}


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


def orbit_normalize(x: torch.Tensor, space: SnSet, sizes=None, eps: float = 1e-5,
                    rel_eps: float | None = None, return_stats: bool = False):
    """Centre each orbit type and scale to unit RMS, per graph and channel (S_n-equivariant).

    For every graph and channel the mean over each orbit type of the valid entries (for
    k-tensors: the entries with one equality pattern of their k indices, e.g. the diagonal and
    the off-diagonal of a 2-tensor; for tuples and subsets: all valid entries) is subtracted,
    then the result is divided by ``sqrt(mean square + eps + (rel_eps * rms(x))**2)`` over the
    valid entries. These statistics are invariant, so the map commutes with every permutation;
    padding stays zero. Orders 0 and ``S_n/A_n`` are returned unchanged.

    ``return_stats=True`` also returns the invariant statistics that the normalisation removes,
    ``(B, C, T + 1)`` on the scale of ``x``: the mean of each of the ``T`` orbit types
    (:func:`orbit_type_count`) and the divisor (the RMS of the centred part with the floors; for
    order 0: ``x`` itself; for
    ``S_n/A_n``: the sum of its two entries). Two graphs with equal statistics are transformed
    by the same affine map, so a model that also reads these statistics loses no separation.

    Numerics: the statistics are accumulated in float64 (whatever the dtype of ``x``), after
    dividing by each channel's largest magnitude, so large inputs (1e30 in float32, 1e300 in
    float64) neither overflow nor vanish, and a channel that is constant on each orbit type
    centres to exactly 0. ``rel_eps`` (default ``DEFAULT_REL_EPS[dtype]``: 1e-3 for float32
    and lower precisions, 1e-9 for float64) bounds the amplification of rounding noise: a
    channel whose centred part is below ``rel_eps`` times its RMS (for instance the rounding
    residue of a feature that is constant in exact arithmetic, which differs between
    relabellings of one graph) is scaled down, not blown up to unit RMS.

    >>> x = torch.tensor([[[[1., 2.], [4., 3.]]]])
    >>> orbit_normalize(x, SnSet.tensor(2), eps=0.0, rel_eps=0.0).tolist()   # diagonal 1, 3
    [[[[-1.0, -1.0], [1.0, 1.0]]]]
    >>> big = torch.tensor([[[1e30, 3e30, 2e30]]])   # float32; squares would overflow
    >>> orbit_normalize(big, SnSet.tensor(1), rel_eps=0.0).mul(1e4).round().tolist()
    [[[-12247.0, 12247.0, 0.0]]]
    """
    if x.dim() != 2 + space.axes:
        raise InvalidInputError(
            f"features have shape {tuple(x.shape)}; {space.label} needs (batch, channels) + "
            f"{space.axes} trailing axes"
        )
    if space.kind == "sign" or space.order == 0:
        if not return_stats:
            return x
        st = x.sum(-1, keepdim=True) if space.kind == "sign" else x.unsqueeze(-1)
        return x, st
    if rel_eps is None:
        rel_eps = DEFAULT_REL_EPS.get(x.dtype, DEFAULT_REL_EPS[torch.float32])
    for name, v in (("eps", eps), ("rel_eps", rel_eps)):
        if not float(v) >= 0.0:
            raise InvalidInputError(f"{name} = {v!r}; give a number >= 0")
    n = x.shape[-1]
    dims = tuple(range(2, x.dim()))
    work = torch.float64
    full = space.support_mask(n, sizes if sizes is None else
                              check_sizes(sizes, x.shape[0], n, device=x.device),
                              dtype=work, device=x.device)
    xd = x.to(work)
    if full is not None:
        full = full.reshape((1,) * (x.dim() - full.dim()) + full.shape)
        xd = xd * full
    # scale by the largest magnitude first: no overflow in the squares, exact zeros stay zero
    top = xd.abs().amax(dim=dims, keepdim=True)
    top = torch.where(torch.isfinite(top) & (top > 0), top, torch.ones_like(top))
    xs = xd / top
    out = xs
    means = []
    for m in _orbit_type_masks(space, n, work, x.device):
        m = m.reshape((1, 1) + m.shape)
        if full is not None:
            m = m * full
        count = m.sum(dim=dims, keepdim=True).clamp(min=1)
        mean = (xs * m).sum(dim=dims, keepdim=True) / count
        means.append(mean)
        out = out - mean * m
    if full is None:
        count = float(n ** space.order)
    else:
        count = full.expand((x.shape[0], 1) + full.shape[2:]).sum(dim=dims, keepdim=True)
        count = count.clamp(min=1)
    ms = (out * out).sum(dim=dims, keepdim=True) / count
    raw_ms = (xs * xs).sum(dim=dims, keepdim=True) / count
    denom = torch.sqrt(ms + eps / top**2 + rel_eps**2 * raw_ms)
    res = (out / denom).to(x.dtype)
    if not return_stats:
        return res
    flat = [t.reshape(t.shape[:2]) for t in means + [denom]]
    st = (torch.stack(flat, dim=-1) * top.reshape(top.shape[:2] + (1,))).to(x.dtype)
    return res, st


def orbit_type_count(space: SnSet) -> int:
    """Number of orbit types :func:`orbit_normalize` centres separately (Bell(k) for k-tensors).

    >>> [orbit_type_count(s) for s in (SnSet.tensor(3), SnSet.subsets(2), SnSet.sign())]
    [5, 1, 0]
    """
    if space.kind == "sign" or space.order == 0:
        return 0
    return len(set_partitions(space.order)) if space.kind == "tensor" else 1
