"""``equiact catalog``: transitive (signed) G-sets of a finite group and hom dimensions."""

from __future__ import annotations

import json


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "catalog",
        help="list the transitive (signed) G-sets of a finite group (GAP)",
        description=(
            "List the admissible transitive representations of a finite group: R^{G/H} for "
            "each conjugacy class of subgroups H, and with --signed the sign-twisted "
            "Ind_H^G(eps); with --homs also the dimensions of the equivariant linear maps "
            "between them (double cosets). Exit status 0, or 2 on bad input."
        ),
    )
    p.add_argument("--group", required=True,
                   help="S<n>, A<n>, C<n>, D<n> (order 2n), Q8, K4, T, O, I, SmallGroup(o,i)")
    p.add_argument("--max-dim", type=int, default=None, metavar="D",
                   help="only G-sets of dimension (index) at most D")
    p.add_argument("--signed", action="store_true", help="include sign-twisted G-sets")
    p.add_argument("--homs", action="store_true", help="print the hom-dimension matrix")
    p.add_argument("--hom-method", choices=("double_cosets", "characters"),
                   default="double_cosets",
                   help="double cosets in GAP (checked against characters), or characters only")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(args) -> int:
    from equiact.catalog import build_catalog

    cat = build_catalog(args.group, signed=args.signed, max_dim=args.max_dim)
    if args.json:
        print(json.dumps(cat.to_json(homs=args.homs, method=args.hom_method), indent=2))
    else:
        print(cat.format_table(homs=args.homs, method=args.hom_method))
    return 0
