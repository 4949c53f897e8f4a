"""Arguments and loaders shared by the subcommands that take a representation."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from equiact.errors import InvalidInputError

__all__ = [
    "DEFAULT_MAX_DIM",
    "add_representation_arguments",
    "load_representation",
    "read_matrices_file",
]

#: ``--matrices`` files: matrices at most this many rows, at most ``8 * max_dim**2`` entries in
#: all, and at most ``_BYTES_PER_ENTRY`` bytes per allowed entry on disk (parsing takes about
#: 5 us and 0.4 kB per entry: the defaults bound a file at about 10 s and 1 GB).
DEFAULT_MAX_DIM = 512
_ENTRIES_PER_DIM2 = 8
_BYTES_PER_ENTRY = 32


def add_representation_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--group/--rep`` (built-in) and ``--matrices FILE`` (JSON) to ``parser``."""
    src = parser.add_argument_group("representation (give --group and --rep, or --matrices)")
    src.add_argument("--group", help="built-in group, e.g. C4, D4, S4, A5, Q8, O, I, K4, SO3, O3")
    src.add_argument("--rep", help="representation of the built-in group, e.g. natural, standard")
    src.add_argument(
        "--matrices",
        metavar="FILE",
        help='JSON file {"generators": [[[..]], ...], "lie_algebra": [[[..]], ...]}; entries '
        'are numbers or strings that sympy parses ("1/2", "sqrt(3)/2")',
    )
    src.add_argument(
        "--max-dim",
        type=int,
        default=DEFAULT_MAX_DIM,
        metavar="N",
        help=f"refuse a --matrices file with matrices larger than NxN, more than 8 N^2 entries "
        f"in all, or more than 256 N^2 bytes, before parsing it (default {DEFAULT_MAX_DIM})",
    )


def _count_entries(matrices, key: str, where: str, max_dim: int) -> int:
    """Entries of a list of (nested-list) matrices, refusing one with more than max_dim rows or
    columns before anything is parsed."""
    total = 0
    for k, m in enumerate(matrices):
        if not isinstance(m, list):
            continue  # the parser explains
        rows = len(m)
        cols = max((len(r) for r in m if isinstance(r, list)), default=1)
        if rows > max_dim or cols > max_dim:
            raise InvalidInputError(
                f"{where}: {key} {k} is {rows}x{cols}, larger than --max-dim {max_dim}; "
                f"raise --max-dim to read it (parsing takes about 5 us and 0.4 kB per entry)")
        total += rows * cols
    return total


def read_matrices_file(path: str | Path, max_dim: int = DEFAULT_MAX_DIM):
    """Read a JSON matrices file into a :class:`~equiact.representation.Representation`.

    Files larger than ``256 * max_dim**2`` bytes, matrices larger than ``max_dim`` and more
    than ``8 * max_dim**2`` entries in all are refused before parsing.
    """
    from equiact.limits import positive_int
    from equiact.representation import Representation

    max_dim = positive_int("--max-dim", max_dim)
    path = Path(path)
    max_entries = _ENTRIES_PER_DIM2 * max_dim**2
    max_bytes = _BYTES_PER_ENTRY * max_entries
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InvalidInputError(
                f"matrices file {str(path)!r} has {size} bytes, more than {max_bytes} "
                f"(256 * --max-dim^2 with --max-dim {max_dim}); raise --max-dim to read it")
        text = path.read_text()
    except OSError as err:
        raise InvalidInputError(f"cannot read matrices file {str(path)!r}: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise InvalidInputError(
            f"matrices file {str(path)!r} is not UTF-8 text ({err.reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInputError(
            f"matrices file {str(path)!r} is not valid JSON (line {err.lineno}: {err.msg})"
        ) from err
    except RecursionError:
        raise InvalidInputError(
            f"matrices file {str(path)!r} is nested too deeply; give lists of matrices "
            "(lists of rows)") from None
    except ValueError as err:  # e.g. an integer with more than 4300 digits
        raise InvalidInputError(
            f"matrices file {str(path)!r} cannot be read: {str(err)[:100]}") from None
    if not isinstance(data, dict):
        raise InvalidInputError(
            f"matrices file {str(path)!r} must hold a JSON object with keys "
            '"generators" and/or "lie_algebra"'
        )
    unknown = set(data) - {"generators", "lie_algebra", "name"}
    if unknown:
        raise InvalidInputError(
            f"matrices file {str(path)!r} has unknown keys {sorted(unknown)}; "
            'expected "generators" and/or "lie_algebra"'
        )
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidInputError(
            f"matrices file {str(path)!r}: \"name\" must be a string, got {name!r}")
    generators = data.get("generators") or []
    lie_algebra = data.get("lie_algebra") or []
    if not isinstance(generators, list) or not isinstance(lie_algebra, list):
        raise InvalidInputError('"generators" and "lie_algebra" must be lists of matrices')
    if not generators and not lie_algebra:
        raise InvalidInputError(
            f"matrices file {str(path)!r} has no matrices: give a non-empty \"generators\" "
            'or "lie_algebra" list'
        )
    where = f"matrices file {str(path)!r}"
    total = _count_entries(generators, "generator", where, max_dim)
    total += _count_entries(lie_algebra, "lie_algebra generator", where, max_dim)
    if total > max_entries:
        raise InvalidInputError(
            f"{where} has {total} matrix entries in all, more than {max_entries} "
            f"(8 * --max-dim^2 with --max-dim {max_dim}); raise --max-dim to read it")
    return Representation.from_matrices(
        generators, lie_algebra=lie_algebra, name=name or path.stem
    )


def load_representation(args: argparse.Namespace):
    """The representation named by ``--group/--rep`` or read from ``--matrices``."""
    if args.matrices:
        if args.group or args.rep:
            raise InvalidInputError("give either --matrices or --group/--rep, not both")
        return read_matrices_file(args.matrices,
                                  max_dim=getattr(args, "max_dim", DEFAULT_MAX_DIM))
    if not (args.group and args.rep):
        raise InvalidInputError(
            "no representation given: use --group NAME --rep NAME (e.g. --group S4 --rep "
            "natural) or --matrices FILE"
        )
    from equiact.groups import named_representation

    return named_representation(args.group, args.rep)
