"""Entry point of the ``equiact`` command.

Each subcommand lives in its own module of this package and exposes
``add_parser(subparsers)`` and ``run(args) -> int``. Exit codes: 0 success / admissible,
1 negative answer (not admissible, no basis), 2 bad input (a library error, printed without
a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from equiact.errors import EquiactError

SUBCOMMANDS = ("check", "activations", "coords", "catalog", "train", "predict", "separate",
               "plethora")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="equiact",
        description="Exact equivariance of point-wise activations: decide, fix, enumerate, build.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"equiact.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"equiact.cli.{name}":
                continue  # subcommand not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except EquiactError as err:
        print(f"equiact: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("equiact: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `equiact activations --json | head`
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
