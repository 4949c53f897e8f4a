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
           "orbit_type_count", "mean_square",
           "orbit_normalize_sum"]

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


def _centre(x: torch.Tensor, space: SnSet, sizes):
    """Float64 centring per channel and orbit type, on the scale of the largest magnitude.

    Returns ``(centred, top, means, sq, raw)``: ``centred = (x - orbit means) / top``, ``top``
    ``(B,)`` the largest magnitude of each graph (1 where it is 0 or not finite), ``means`` a
    list of ``(B, C)`` orbit-type means of ``x / top``, ``sq`` and ``raw`` ``(B, C)`` the mean
    squares of the centred and of the raw entries of ``x / top``, over the valid entries.
    """
    n = x.shape[-1]
    dims = tuple(range(2, x.dim()))
    work = torch.float64
    if sizes is not None:
        sizes = check_sizes(sizes, x.shape[0], n, device=x.device)
    full = space.support_mask(n, sizes, dtype=work, device=x.device)
    xd = x.to(work)
    if full is not None:
        full = full.reshape((1,) * (x.dim() - full.dim()) + full.shape)
        xd = xd * full
    # scale by the largest magnitude first: no overflow in the squares, exact zeros stay zero
    top = xd.abs().amax(dim=(1,) + dims)
    top = torch.where(torch.isfinite(top) & (top > 0), top, torch.ones_like(top))
    top = torch.exp2(torch.ceil(torch.log2(top)))  # a power of two: the division is exact
    xs = xd / top.reshape((-1,) + (1,) * (x.dim() - 1))
    out = xs
    means = []
    for m in _orbit_type_masks(space, n, work, x.device):
        m = m.reshape((1, 1) + m.shape)
        if full is not None:
            m = m * full
        count = m.sum(dim=dims, keepdim=True).clamp(min=1)
        mean = (xs * m).sum(dim=dims, keepdim=True) / count
        means.append(mean.reshape(mean.shape[:2]))
        out = out - mean * m
    if full is None:
        count = float(n ** space.order)
    else:
        count = full.expand((x.shape[0], 1) + full.shape[2:]).sum(dim=dims).clamp(min=1)
    sq = (out * out).sum(dim=dims) / count
    raw = (xs * xs).sum(dim=dims) / count
    return out, top, means, sq, raw


def _stats(x, top, means, sq):
    # clamped: sqrt has an infinite derivative at 0, and a channel that is constant on its
    # orbit types (node features of a regular graph) has sq == 0 exactly -> NaN gradients
    rms = torch.sqrt(sq.clamp_min(1e-24))
    st = torch.stack(means + [rms], dim=-1) * top.reshape(-1, 1, 1)
    return st.to(x.dtype)


def _check_eps(eps, rel_eps, batch: int, dim: int):
    if not float(rel_eps) >= 0.0:
        raise InvalidInputError(f"rel_eps = {rel_eps!r}; give a number >= 0")
    if torch.is_tensor(eps):
        if eps.shape != (batch,) or not bool((eps >= 0).all()):
            raise InvalidInputError(
                f"eps has shape {tuple(eps.shape)}; give a number >= 0 or one per graph "
                f"(shape ({batch},)) >= 0")
        return eps.to(torch.float64)
    if not float(eps) >= 0.0:
        raise InvalidInputError(f"eps = {eps!r}; give a number >= 0")
    return torch.full((batch,), float(eps), dtype=torch.float64)


def orbit_normalize(x: torch.Tensor, space: SnSet, sizes=None, eps=1e-5,
                    rel_eps: float | None = None, per_channel: bool = False,
                    return_stats: bool = False):
    """Centre each orbit type per channel, then scale to unit RMS per graph (S_n-equivariant).

    For every graph and channel the mean over each orbit type of the valid entries (for
    k-tensors: the entries with one equality pattern of their k indices, e.g. the diagonal and
    the off-diagonal of a 2-tensor; for tuples and subsets: all valid entries) is subtracted.
    Then every graph is divided by ``sqrt(ms + eps + rel_eps**2 * raw_ms)`` (``eps`` a number
    or a ``(B,)`` tensor: one floor per graph), where ``ms`` is the mean square of the centred
    entries and ``raw_ms`` that of the input, both over the valid entries of all channels
    (``per_channel=True``: of each channel separately). These statistics are invariant, so the
    map commutes with every permutation; padding stays zero. Orders 0 and ``S_n/A_n`` are
    returned unchanged. :func:`orbit_normalize_sum` normalises a direct sum with one divisor.

    ``return_stats=True`` also returns the invariant statistics that the normalisation removes,
    ``(B, C, T + 1)`` on the scale of ``x``: per channel the mean of each of the ``T`` orbit
    types (:func:`orbit_type_count`) and the RMS of the centred part (for order 0: ``x``
    itself; for ``S_n/A_n``: the sum of its two entries). Two graphs with equal statistics are
    transformed by the same affine map, so a model that also reads them loses no separation.

    Numerics: the statistics are accumulated in float64 whatever the dtype of ``x``, after
    dividing by the largest magnitude, so large inputs (1e30 in float32, 1e300 in float64)
    neither overflow nor vanish, and a float32 channel that is constant on each orbit type
    centres to exactly 0 (its values, divided by a power of two, sum exactly in float64). One
    divisor for all channels (the default) never amplifies a channel's rounding noise more than
    the whole layer's (per channel, a channel that is constant in exact
    arithmetic would have its rounding residue blown up to unit RMS, differently for each
    relabelling); ``rel_eps`` (default :data:`DEFAULT_REL_EPS` of the dtype) bounds that
    amplification by ``1 / rel_eps``.

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
    if rel_eps is None:
        rel_eps = DEFAULT_REL_EPS.get(x.dtype, DEFAULT_REL_EPS[torch.float32])
    eps = _check_eps(eps, rel_eps, x.shape[0], x.dim())
    if space.kind == "sign" or space.order == 0:
        if not return_stats:
            return x
        st = x.sum(-1, keepdim=True) if space.kind == "sign" else x.unsqueeze(-1)
        return x, st
    out, top, means, sq, raw = _centre(x, space, sizes)
    if per_channel:
        ms, raw_ms = sq, raw
        shape = sq.shape + (1,) * space.order
    else:
        ms, raw_ms = sq.mean(1), raw.mean(1)
        shape = (-1,) + (1,) * (x.dim() - 1)
    t2 = (top**2).reshape(top.shape + (1,) * (ms.dim() - 1))
    e2 = eps.reshape(eps.shape + (1,) * (ms.dim() - 1))
    denom = torch.sqrt(ms + e2 / t2 + rel_eps**2 * raw_ms).reshape(shape)
    res = (out / denom).to(x.dtype)
    if not return_stats:
        return res
    return res, _stats(x, top, means, sq)


def orbit_normalize_sum(xs, spaces, sizes=None, eps=1e-5, rel_eps: float | None = None,
                        return_stats: bool = False):
    """:func:`orbit_normalize` of a direct sum: every summand centred, one divisor per graph.

    The divisor is ``sqrt(ms + eps + rel_eps**2 * raw_ms)`` with ``ms`` and ``raw_ms`` the
    means over the summands of their (centred, raw) mean squares, so a summand that is zero in
    exact arithmetic (e.g. the node features of a regular graph) keeps its rounding residue
    small instead of having it scaled up at every layer. Summands of order 0 and ``S_n/A_n``
    pass unchanged. With ``return_stats`` also the list of every summand's statistics.

    >>> ys = orbit_normalize_sum([torch.ones(1, 1, 3), torch.eye(3)[None, None]],
    ...                          [SnSet.tensor(1), SnSet.tensor(2)], eps=0.0)
    >>> [float(y.abs().max()) for y in ys]             # constant on orbit types: exactly 0
    [0.0, 0.0]
    """
    xs, spaces = list(xs), list(spaces)
    if len(xs) != len(spaces) or not xs:
        raise InvalidInputError(f"{len(xs)} feature tensors for {len(spaces)} spaces")
    for x, sp in zip(xs, spaces):
        if x.dim() != 2 + sp.axes:
            raise InvalidInputError(
                f"features have shape {tuple(x.shape)}; {sp.label} needs (batch, channels) + "
                f"{sp.axes} trailing axes")
    dtype = xs[0].dtype
    if rel_eps is None:
        rel_eps = DEFAULT_REL_EPS.get(dtype, DEFAULT_REL_EPS[torch.float32])
    batch = xs[0].shape[0]
    eps = _check_eps(eps, rel_eps, batch, 0)
    parts = [None if (sp.kind == "sign" or sp.order == 0) else _centre(x, sp, sizes)
             for x, sp in zip(xs, spaces)]
    live = [p for p in parts if p is not None]
    if live:
        big = torch.stack([p[1] for p in live]).amax(0)            # (B,) common scale
        ms = sum(p[3].mean(1) * (p[1] / big) ** 2 for p in live) / len(live)
        raw_ms = sum(p[4].mean(1) * (p[1] / big) ** 2 for p in live) / len(live)
        denom = torch.sqrt(ms + eps / big**2 + rel_eps**2 * raw_ms)    # on the scale of big
    outs, stats = [], []
    for x, sp, p in zip(xs, spaces, parts):
        if p is None:
            outs.append(x)
            stats.append(x.sum(-1, keepdim=True) if sp.kind == "sign" else x.unsqueeze(-1))
            continue
        out, top, means, sq, _raw = p
        f = (top / big / denom).reshape((-1,) + (1,) * (x.dim() - 1))
        outs.append((out * f).to(x.dtype))
        stats.append(_stats(x, top, means, sq))
    return (outs, stats) if return_stats else outs


def mean_square(x: torch.Tensor, space: SnSet, sizes=None) -> torch.Tensor:
    """Mean square ``(B,)`` (float64) of the valid entries of all channels, overflow-safe.

    >>> mean_square(torch.tensor([[[3e30, 4e30]]]), SnSet.tensor(1)).tolist()
    [1.25e+61]
    """
    if space.kind == "sign" or space.order == 0:
        xd = x.to(torch.float64).flatten(1)
        top = xd.abs().amax(1).clamp(min=1e-300)
        return (xd / top[:, None]).pow(2).mean(1) * top**2
    n = x.shape[-1]
    if sizes is not None:
        sizes = check_sizes(sizes, x.shape[0], n, device=x.device)
    full = space.support_mask(n, sizes, dtype=torch.float64, device=x.device)
    xd = x.to(torch.float64)
    dims = tuple(range(1, x.dim()))
    if full is None:
        count = float(x.shape[1] * n ** space.order)
    else:
        full = full.reshape((1,) * (x.dim() - full.dim()) + full.shape)
        xd = xd * full
        count = full.expand((x.shape[0], 1) + full.shape[2:]).sum(dim=dims) * x.shape[1]
        count = count.clamp(min=1)
    top = xd.abs().amax(dim=dims)
    top = torch.where(top > 0, top, torch.ones_like(top))
    scaled = xd / top.reshape((-1,) + (1,) * (x.dim() - 1))
    return scaled.pow(2).sum(dim=dims) / count * top**2


def orbit_type_count(space: SnSet) -> int:
    """Number of orbit types :func:`orbit_normalize` centres separately (Bell(k) for k-tensors).

    >>> [orbit_type_count(s) for s in (SnSet.tensor(3), SnSet.subsets(2), SnSet.sign())]
    [5, 1, 0]
    """
    if space.kind == "sign" or space.order == 0:
        return 0
    return len(set_partitions(space.order)) if space.kind == "tensor" else 1
