"""The library's exception types.

Every user-facing error derives from :class:`EquiactError`; the CLI prints such errors
without a traceback and exits with status 2. Each subclass also derives from the matching
built-in type so that ``except ValueError`` keeps working.

>>> try:
...     raise InvalidMatrixError("generator 0 is 2x3; generators must be square")
... except EquiactError as err:
...     print(type(err).__name__, "-", err)
InvalidMatrixError - generator 0 is 2x3; generators must be square
"""

from __future__ import annotations

__all__ = [
    "EquiactError",
    "InvalidInputError",
    "InvalidMatrixError",
    "UnknownNameError",
    "ActivationError",
    "ClosureLimitError",
    "NotFiniteGroupError",
    "InadmissibleError",
    "GroupTheoryError",
    "unknown_name",
]


class EquiactError(Exception):
    """Base class of every error equiact raises on purpose."""


class InvalidInputError(EquiactError, ValueError):
    """An argument has the wrong form or value; the message names it and what to do."""


class InvalidMatrixError(InvalidInputError):
    """A matrix is malformed: not square, mismatched sizes, singular, NaN/inf, unparsable."""


class UnknownNameError(InvalidInputError, KeyError):
    """A name (activation, group, representation) is not in the catalogue.

    The message lists the closest known names.
    """

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class ActivationError(InvalidInputError):
    """An activation cannot be evaluated: it raises, or returns a bad shape or non-finite values."""


class ClosureLimitError(EquiactError, RuntimeError):
    """Enumerating a group or an orbit exceeded its explicit size limit."""


class NotFiniteGroupError(InvalidInputError):
    """A finite group was required but the input generates an infinite (or unbounded) one."""


class InadmissibleError(EquiactError, ValueError):
    """A point-wise activation is not equivariant for a representation (carries the verdict)."""

    def __init__(self, message: str, verdict=None):
        super().__init__(message)
        self.verdict = verdict


class GroupTheoryError(EquiactError, RuntimeError):
    """The group-theory backend (GAP) failed or is unavailable."""


def unknown_name(kind: str, name: str, known) -> UnknownNameError:
    """Build an :class:`UnknownNameError` that suggests the closest known names.

    >>> print(unknown_name("activation", "relux", ["relu", "relu6", "tanh"]))
    unknown activation 'relux'; did you mean 'relu' or 'relu6'? (known: relu, relu6, tanh)
    """
    import difflib

    known = sorted(known)
    lowered = [k.lower() for k in known]
    close = difflib.get_close_matches(str(name).lower(), lowered, n=3, cutoff=0.5)
    close = [k for k in known if k.lower() in close]
    hint = ""
    if close:
        hint = "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    listing = ", ".join(known) if len(known) <= 40 else ", ".join(known[:40]) + ", ..."
    return UnknownNameError(f"unknown {kind} {name!r}{hint} (known: {listing})")
