"""Size limits checked before a long computation starts, and progress bars for allowed ones.

Every potentially long computation of the group-theory commands (``coords``, ``catalog``)
estimates its size up front and compares it with a documented limit. Above the limit it
refuses at once with a :class:`~equiact.errors.ClosureLimitError` that names the estimate,
the limit, the CLI flag and the keyword argument that raise it (the CLI prints it in one line
and exits 2). Below the limit a computation that may run long shows a tqdm progress bar on
stderr (only when stderr is a terminal; ``EQUIACT_PROGRESS=0`` turns bars off, ``=1`` forces
them).

>>> check_limit("the group order", 40320, 20000, flag="--max-order", kwarg="max_order")
Traceback (most recent call last):
...
equiact.errors.ClosureLimitError: the group order is 40,320, above the limit 20,000; raise the limit
with --max-order 40320 (Python: max_order=40320)
>>> check_limit("the group order", 120, 20000, flag="--max-order", kwarg="max_order")
>>> positive_int("seed", -1, allow_zero=True)
Traceback (most recent call last):
...
equiact.errors.InvalidInputError: seed must be a non-negative integer, got -1
"""

from __future__ import annotations

import os

import numpy as np

from equiact.errors import ClosureLimitError, InvalidInputError

__all__ = ["check_limit", "positive_int", "progress"]

#: Work items above which a progress bar is shown (when stderr is a terminal).
PROGRESS_THRESHOLD = 2_000


def check_limit(what: str, estimate: int, limit: int, *, flag: str | None = None,
                kwarg: str | None = None, hint: str = "") -> None:
    """Raise :class:`ClosureLimitError` when ``estimate > limit``, naming how to raise it."""
    if estimate <= limit:
        return
    how = []
    if flag:
        how.append(f"{flag} {estimate}")
    if kwarg:
        how.append(f"(Python: {kwarg}={estimate})")
    raise ClosureLimitError(
        f"{what} is {estimate:,}, above the limit {limit:,}"
        + (f"; raise the limit with {' '.join(how)}" if how else "")
        + (f"; {hint}" if hint else "")
    )


def positive_int(name: str, value, allow_zero: bool = False) -> int:
    """``value`` as an int, or :class:`InvalidInputError` naming ``name``."""
    kind = "non-negative" if allow_zero else "positive"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidInputError(f"{name} must be a {kind} integer, got {value!r}")
    value = int(value)
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInputError(f"{name} must be a {kind} integer, got {value}")
    return value


def _enabled(total: int) -> bool | None:
    flag = os.environ.get("EQUIACT_PROGRESS", "")
    if flag == "0":
        return False
    if flag == "1":
        return True
    return None if total >= PROGRESS_THRESHOLD else False


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_description(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def progress(total: int, desc: str, on: bool | None = None, unit: str = "it"):
    """A tqdm bar on stderr for ``total`` work items (a no-op object when bars are off).

    Use as a context manager or call ``close()``; call ``update(k)``. With ``on=None`` bars
    appear for ``total >=`` :data:`PROGRESS_THRESHOLD` when stderr is a terminal, or always with
    ``EQUIACT_PROGRESS=1``; ``on=True``/``False`` (a command's ``--no-progress``) decides.
    """
    enabled = _enabled(total) if on is None else bool(on)
    if enabled is False:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return _NoBar()
    # disable=None: tqdm turns itself off when stderr is not a terminal
    return tqdm(total=total, desc=desc, unit=unit, leave=False,
                disable=None if enabled is None else False, mininterval=0.5)
