"""``equiact check``: is a point-wise activation equivariant for a representation?

Exit status 0 when admissible, 1 when not, 2 on bad input.
"""

from __future__ import annotations

import json

from equiact.cli.common import add_representation_arguments, load_representation


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "check",
        help="decide whether a point-wise activation is equivariant for a representation",
        description=(
            "Decide whether the point-wise activation commutes with every matrix of the "
            "representation, with a reason and (if not) a re-verified witness input. "
            "Exit status: 0 admissible, 1 not admissible, 2 bad input."
        ),
    )
    add_representation_arguments(p)
    p.add_argument(
        "--activation",
        required=True,
        metavar="ACT",
        help="catalogue name (relu, tanh, leaky_relu(0.2), ...; see `equiact activations`) "
        "or a sympy expression in x, e.g. 'x*(2+sin(2*pi*log(Abs(x),2)))'",
    )
    p.add_argument("--tol", type=float, default=1e-9, help="tolerance for float matrices")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(args) -> int:
    from equiact.decision import decide

    rep = load_representation(args)
    verdict = decide(rep, args.activation, tol=args.tol)
    if args.json:
        print(json.dumps(verdict.to_json(), indent=2, default=str))
    else:
        print(verdict.report())
    return 0 if verdict.admissible else 1
