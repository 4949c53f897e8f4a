"""``--threads``: how many CPU threads a compute command lets torch use.

torch's default (one thread per core) oversubscribes a small shared CPU: on the 2-core
development machine a 2-IGN training epoch took 6.9 s with the default and 1.1 s with one
thread (identical metrics). Compute commands therefore default to one thread.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> add_threads_argument(parser)
>>> check_threads(parser.parse_args(["--threads", "2"]).threads)
2
"""

from __future__ import annotations

import argparse
import os

from equiact.errors import InvalidInputError

__all__ = [
    "DEFAULT_THREADS",
    "add_threads_argument",
    "apply_threads",
    "check_threads",
    "set_torch_threads",
]

#: Default number of torch threads for compute commands (override with ``--threads`` or the
#: environment variable ``EQUIACT_THREADS``).
DEFAULT_THREADS = 1


#: ``--threads`` above this many times the CPUs available is refused (it only slows torch down).
OVERSUBSCRIPTION = 4


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def check_threads(value) -> int:
    """Validate a thread count: a whole number >= 1 and at most 4x the CPUs available."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = None
    if n is None or str(value).strip() != str(n) or n < 1:
        raise InvalidInputError(f"--threads must be a whole number >= 1, got {value!r}")
    cpus = _cpus()
    if n > OVERSUBSCRIPTION * cpus:
        raise InvalidInputError(
            f"--threads {n} is more than {OVERSUBSCRIPTION} x the {cpus} CPU(s) available here; "
            f"torch would only slow down; give at most {OVERSUBSCRIPTION * cpus} (1 is "
            "usually fastest on a small shared machine)")
    return n


def _default() -> int:
    env = os.environ.get("EQUIACT_THREADS")
    return check_threads(env) if env else DEFAULT_THREADS


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--threads N`` (default ``$EQUIACT_THREADS`` or :data:`DEFAULT_THREADS`)."""
    parser.add_argument(
        "--threads", type=str, default=None, metavar="N",
        help=f"CPU threads for torch (default: $EQUIACT_THREADS or {DEFAULT_THREADS}; more "
        "threads oversubscribe a small shared CPU)",
    )


def apply_threads(args_or_n) -> int:
    """Set torch's intra-op threads from ``args.threads`` (or an int); returns the count used.

    Imports torch only when called; call it at the start of a command's ``run``.
    """
    value = getattr(args_or_n, "threads", args_or_n)
    n = _default() if value is None else check_threads(value)
    import torch

    torch.set_num_threads(n)
    return n


def set_torch_threads(n) -> int:
    """For library functions with a ``threads=`` keyword: set torch's threads to ``n`` (an int
    >= 1; ``None`` leaves them) and return the previous count, to restore in a ``finally``."""
    import torch

    old = torch.get_num_threads()
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidInputError(f"threads = {n!r}; give a positive integer")
        torch.set_num_threads(n)
    return old
