"""Tensor operations behind the structured S_n layers: diagonals, embeddings, masks, formats.

Feature maps on an S_n-set of order ``k`` are tensors of shape ``(batch, channels, n, ..., n)``
with ``k`` trailing axes of length ``n`` (``n`` is the padded size of the batch). Injective
``t``-tuples are off-diagonal ``t``-tensors, ``t``-subsets are symmetric off-diagonal
``t``-tensors; :func:`tuples_to_tensor` / :func:`subsets_to_tensor` and their inverses convert
from the flat orders of :mod:`equiact.spaces` (``itertools.permutations`` /
``itertools.combinations`` of ``range(n)``).

>>> import torch
>>> x = torch.arange(9.).reshape(1, 1, 3, 3)
>>> generalized_diagonal(x, ((0, 1),)).tolist()
[[[0.0, 4.0, 8.0]]]
>>> flat_diagonal_index(3, ((0, 1),), 2).tolist()
[0, 4, 8]
"""

from __future__ import annotations

import itertools

import torch

from equiact.errors import InvalidInputError

__all__ = [
    "generalized_diagonal",
    "flat_diagonal_index",
    "check_sizes",
    "size_mask",
    "distinct_mask",
    "tuples_to_tensor",
    "tensor_to_tuples",
    "subsets_to_tensor",
    "tensor_to_subsets",
    "apply_permutation",
]


def generalized_diagonal(x: torch.Tensor, partition, lead: int = 2) -> torch.Tensor:
    """View of ``x`` on the diagonal of ``partition``: one axis per block, in block order.

    ``x`` has ``lead`` leading axes and one trailing axis per element of the partitioned set;
    the elements of a block are identified (``x[..., i, i, j]`` for ``((0, 1), (2,))``).

    >>> x = torch.arange(8.).reshape(1, 2, 2, 2)
    >>> generalized_diagonal(x, ((0, 2), (1,)), lead=1).tolist()   # y[a, b] = x[a, b, a]
    [[[0.0, 2.0], [5.0, 7.0]]]
    """
    labels = [None] * sum(len(b) for b in partition)
    for bi, blk in enumerate(partition):
        for p in blk:
            labels[p] = bi
    if len(labels) != x.dim() - lead:
        raise InvalidInputError(
            f"partition {partition} has {len(labels)} elements but the tensor has "
            f"{x.dim() - lead} trailing axes"
        )
    cur = list(labels)  # block label of each current trailing axis
    for bi in range(len(partition)):
        while cur.count(bi) >= 2:
            a = cur.index(bi)
            b = cur.index(bi, a + 1)
            x = x.diagonal(dim1=lead + a, dim2=lead + b)
            cur = [c for i, c in enumerate(cur) if i not in (a, b)] + [bi]
    order = [cur.index(bi) for bi in range(len(partition))]
    if order != list(range(len(order))):
        x = x.permute(*range(lead), *(lead + o for o in order))
    return x


def flat_diagonal_index(n: int, partition, length: int, device=None) -> torch.Tensor:
    """Row-major flat indices (into ``n**length``) of the diagonal of ``partition``.

    Entry ``r`` (row-major over one index per block) is the flat position whose indices are
    equal within each block.

    >>> flat_diagonal_index(2, ((0,), (1, 2)), 3).tolist()
    [0, 3, 4, 7]
    """
    nb = len(partition)
    grids = torch.arange(n ** nb, device=device)
    digits = []
    for b in range(nb):
        digits.append((grids // n ** (nb - 1 - b)) % n)
    idx = torch.zeros_like(grids)
    for bi, blk in enumerate(partition):
        for p in blk:
            idx = idx + digits[bi] * n ** (length - 1 - p)
    return idx


def check_sizes(sizes, batch: int, n: int | None, device=None) -> torch.Tensor:
    """``sizes`` (any integer sequence or tensor) as a ``(batch,)`` long tensor in ``0..n``.

    ``n = None`` skips the range check.

    >>> check_sizes([2, 3], 2, 3).tolist()
    [2, 3]
    >>> check_sizes([2.5], 1, 3)
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidInputError: sizes must be whole node counts; got [2.5]
    """
    t = torch.as_tensor(sizes, device=device)
    if t.shape != (batch,):
        raise InvalidInputError(f"sizes has shape {tuple(t.shape)}; expected ({batch},)")
    if t.dtype == torch.bool or t.is_complex() or (
        t.is_floating_point() and not bool((t == t.round()).all())
    ):
        raise InvalidInputError(f"sizes must be whole node counts; got {t.tolist()}")
    t = t.long()
    if n is not None and batch and (int(t.max()) > n or int(t.min()) < 0):
        raise InvalidInputError(
            f"sizes must lie in 0..{n} (the padded n); got {int(t.min())}..{int(t.max())}"
        )
    return t


def size_mask(sizes: torch.Tensor, n: int, order: int, dtype=torch.float32) -> torch.Tensor:
    """Mask ``(batch, 1, n, ..., n)``: 1 where every index is below that graph's size.

    >>> size_mask(torch.tensor([1, 2]), 2, 2)[:, 0].tolist()
    [[[1.0, 0.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]]
    """
    valid = (torch.arange(n, device=sizes.device)[None, :] < sizes[:, None]).to(dtype)
    m = torch.ones((sizes.shape[0],) + (1,) * order, dtype=dtype, device=sizes.device)
    for a in range(order):
        shape = [sizes.shape[0]] + [1] * order
        shape[1 + a] = n
        m = m * valid.reshape(shape)
    return m.unsqueeze(1)


def distinct_mask(n: int, order: int, dtype=torch.float32, device=None) -> torch.Tensor:
    """Mask ``(n,)*order``: 1 where all indices are pairwise distinct.

    >>> distinct_mask(3, 2).tolist()
    [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    """
    ar = torch.arange(n, device=device)
    m = torch.ones((n,) * order, dtype=torch.bool, device=device)
    for a, b in itertools.combinations(range(order), 2):
        sa = [1] * order
        sb = [1] * order
        sa[a] = n
        sb[b] = n
        m = m & (ar.reshape(sa) != ar.reshape(sb))
    return m.to(dtype)


def _flat_codes(rows, n: int, t: int) -> torch.Tensor:
    w = torch.tensor([n ** (t - 1 - p) for p in range(t)], dtype=torch.long)
    return (torch.tensor(rows, dtype=torch.long).reshape(-1, t) * w).sum(1)


def _check_last(v: torch.Tensor, expected: int, what: str) -> None:
    if v.shape[-1] != expected:
        raise InvalidInputError(
            f"last axis has length {v.shape[-1]}; {what} needs {expected} entries"
        )


def tuples_to_tensor(v: torch.Tensor, n: int, t: int) -> torch.Tensor:
    """Injective ``t``-tuples (``itertools.permutations`` order, last axis) -> off-diagonal tensor.

    >>> tuples_to_tensor(torch.tensor([1., 2., 3., 4., 5., 6.]), 3, 2).tolist()
    [[0.0, 1.0, 2.0], [3.0, 0.0, 4.0], [5.0, 6.0, 0.0]]
    """
    rows = list(itertools.permutations(range(n), t))
    _check_last(v, len(rows), f"injective {t}-tuples of {n} points")
    out = v.new_zeros(v.shape[:-1] + (n**t,))
    out[..., _flat_codes(rows, n, t).to(v.device)] = v
    return out.reshape(v.shape[:-1] + (n,) * t)


def tensor_to_tuples(x: torch.Tensor, n: int, t: int) -> torch.Tensor:
    """Inverse of :func:`tuples_to_tensor`: read the injective tuples off the last ``t`` axes.

    >>> x = tuples_to_tensor(torch.arange(6.), 3, 2)
    >>> tensor_to_tuples(x, 3, 2).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    """
    rows = list(itertools.permutations(range(n), t))
    flat = x.reshape(x.shape[: x.dim() - t] + (n**t,))
    return flat[..., _flat_codes(rows, n, t).to(x.device)]


def subsets_to_tensor(v: torch.Tensor, n: int, t: int) -> torch.Tensor:
    """``t``-subsets (``itertools.combinations`` order) -> symmetric off-diagonal tensor.

    >>> subsets_to_tensor(torch.tensor([1., 2., 3.]), 3, 2).tolist()
    [[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]]
    """
    combos = list(itertools.combinations(range(n), t))
    _check_last(v, len(combos), f"{t}-subsets of {n} points")
    out = v.new_zeros(v.shape[:-1] + (n**t,))
    for perm in itertools.permutations(range(t)):
        rows = [tuple(c[p] for p in perm) for c in combos]
        out[..., _flat_codes(rows, n, t).to(v.device)] = v
    return out.reshape(v.shape[:-1] + (n,) * t)


def tensor_to_subsets(x: torch.Tensor, n: int, t: int) -> torch.Tensor:
    """Inverse of :func:`subsets_to_tensor`: entries at strictly increasing indices.

    >>> tensor_to_subsets(subsets_to_tensor(torch.tensor([1., 2., 3.]), 3, 2), 3, 2).tolist()
    [1.0, 2.0, 3.0]
    """
    combos = list(itertools.combinations(range(n), t))
    flat = x.reshape(x.shape[: x.dim() - t] + (n**t,))
    return flat[..., _flat_codes(combos, n, t).to(x.device)]


def apply_permutation(x: torch.Tensor, perm, order: int) -> torch.Tensor:
    """Act by the permutation ``perm`` of ``range(n)`` on the last ``order`` axes of ``x``.

    ``(g x)[g(i_1), ..., g(i_k)] = x[i_1, ..., i_k]``, matching :mod:`equiact.spaces`.

    >>> apply_permutation(torch.tensor([10., 20., 30.]), [1, 2, 0], 1).tolist()
    [30.0, 10.0, 20.0]
    """
    perm = torch.as_tensor(perm, dtype=torch.long, device=x.device)
    n = perm.numel()
    if sorted(perm.tolist()) != list(range(n)):
        raise InvalidInputError(f"perm = {perm.tolist()} is not a permutation of range({n})")
    inv = torch.empty_like(perm)
    inv[perm] = torch.arange(n, device=x.device)
    for a in range(order):
        x = x.index_select(x.dim() - order + a, inv)
    return x
