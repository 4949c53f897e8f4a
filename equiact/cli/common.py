"""Arguments and loaders shared by the subcommands that take a representation."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from equiact.errors import InvalidInputError

__all__ = ["add_representation_arguments", "load_representation", "read_matrices_file"]


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


def read_matrices_file(path: str | Path):
    """Read a JSON matrices file into a :class:`~equiact.representation.Representation`."""
    from equiact.representation import Representation

    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise InvalidInputError(f"cannot read matrices file {str(path)!r}: {err.strerror}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInputError(
            f"matrices file {str(path)!r} is not valid JSON (line {err.lineno}: {err.msg})"
        ) from err
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
    return Representation.from_matrices(
        generators, lie_algebra=lie_algebra, name=name or path.stem
    )


def load_representation(args: argparse.Namespace):
    """The representation named by ``--group/--rep`` or read from ``--matrices``."""
    if args.matrices:
        if args.group or args.rep:
            raise InvalidInputError("give either --matrices or --group/--rep, not both")
        return read_matrices_file(args.matrices)
    if not (args.group and args.rep):
        raise InvalidInputError(
            "no representation given: use --group NAME --rep NAME (e.g. --group S4 --rep "
            "natural) or --matrices FILE"
        )
    from equiact.groups import named_representation

    return named_representation(args.group, args.rep)
