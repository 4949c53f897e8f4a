"""Set partitions, Bell and Stirling numbers: the index sets of S_n-equivariant tensor maps.

A set partition of ``range(m)`` is a tuple of blocks; each block is a sorted tuple and the
blocks are ordered by their smallest element (a canonical form, so partitions compare and
hash by value).

>>> set_partitions(3)
[((0, 1, 2),), ((0,), (1, 2)), ((0, 1), (2,)), ((0, 2), (1,)), ((0,), (1,), (2,))]
>>> [bell_number(m) for m in range(7)]
[1, 1, 2, 5, 15, 52, 203]
"""

from __future__ import annotations

from functools import cache

from equiact.errors import ClosureLimitError, InvalidInputError

__all__ = [
    "MAX_PARTITION_SIZE",
    "bell_number",
    "stirling2",
    "set_partitions",
    "canonical_partition",
    "count_partitions_at_most",
]

#: Largest ground set whose partitions :func:`set_partitions` enumerates (Bell(10) = 115975).
MAX_PARTITION_SIZE = 10


def _check_m(m, what: str = "m") -> int:
    if isinstance(m, bool) or not isinstance(m, int) or m < 0:
        raise InvalidInputError(f"{what} = {m!r}; give a non-negative integer")
    return m


@cache
def stirling2(m: int, b: int) -> int:
    """Stirling number of the second kind: partitions of ``m`` items into ``b`` blocks.

    >>> [stirling2(4, b) for b in range(5)]
    [0, 1, 7, 6, 1]
    """
    m, b = _check_m(m), _check_m(b, "b")
    if m == 0 and b == 0:
        return 1
    if m == 0 or b == 0 or b > m:
        return 0
    row = [1] + [0] * b  # S(0, j)
    for i in range(1, m + 1):
        new = [0] * (b + 1)
        for j in range(1, min(i, b) + 1):
            new[j] = j * row[j] + row[j - 1]
        row = new
    return row[b]


def bell_number(m: int) -> int:
    """Bell number: the number of set partitions of an ``m``-element set (exact integer).

    >>> bell_number(4), bell_number(6)
    (15, 203)
    """
    m = _check_m(m)
    return sum(stirling2(m, b) for b in range(m + 1))


def count_partitions_at_most(m: int, n: int) -> int:
    """Partitions of ``m`` items into at most ``n`` blocks: ``dim Hom_{S_n}`` for ``m = k + l``.

    >>> count_partitions_at_most(4, 2), count_partitions_at_most(4, 4)
    (8, 15)
    """
    m, n = _check_m(m), _check_m(n, "n")
    return sum(stirling2(m, b) for b in range(min(m, n) + 1))


def canonical_partition(blocks) -> tuple[tuple[int, ...], ...]:
    """Canonical form of a partition given as an iterable of iterables.

    >>> canonical_partition([[2, 0], [1]])
    ((0, 2), (1,))
    >>> canonical_partition([[0], [0, 1]])
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidInputError: element 0 appears in two blocks of [[0], [0, 1]]; ...
    """
    out = []
    seen: set[int] = set()
    for blk in blocks:
        b = tuple(sorted(int(v) for v in blk))
        if not b:
            raise InvalidInputError(f"partition {blocks!r} has an empty block; remove it")
        for v in b:
            if v in seen:
                raise InvalidInputError(
                    f"element {v} appears in two blocks of {blocks!r}; blocks must be disjoint"
                )
            seen.add(v)
        out.append(b)
    return tuple(sorted(out))


def set_partitions(m: int) -> list[tuple[tuple[int, ...], ...]]:
    """All set partitions of ``range(m)`` in canonical form (restricted growth order).

    Raises :class:`~equiact.errors.ClosureLimitError` for ``m > MAX_PARTITION_SIZE``.

    >>> len(set_partitions(4)), set_partitions(0)
    (15, [()])
    """
    m = _check_m(m)
    if m > MAX_PARTITION_SIZE:
        raise ClosureLimitError(
            f"set_partitions({m}) would list Bell({m}) = {bell_number(m)} partitions, above "
            f"MAX_PARTITION_SIZE = {MAX_PARTITION_SIZE}; use a smaller m"
        )
    return list(_partitions(m))


@cache
def _partitions(m: int) -> tuple:
    # restricted growth strings a_0 = 0, a_i <= 1 + max(a_0..a_{i-1}); block order by minimum.
    out = []

    def rec(i: int, labels: list[int], top: int) -> None:
        if i == m:
            blocks: list[list[int]] = [[] for _ in range(top + 1)]
            for pos, lab in enumerate(labels):
                blocks[lab].append(pos)
            out.append(tuple(tuple(b) for b in blocks))
            return
        for lab in range(top + 2):
            labels.append(lab)
            rec(i + 1, labels, max(top, lab))
            labels.pop()

    if m == 0:
        return ((),)
    rec(0, [], -1)
    # sort by number of blocks, then lexicographically: a stable, readable order.
    return tuple(sorted(out, key=lambda p: (len(p), p)))
