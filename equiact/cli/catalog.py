"""``equiact catalog``: transitive (signed) G-sets of a finite group and hom dimensions."""

from __future__ import annotations

import json

# the library's defaults (kept equal by tests/test_catalog.py), without importing GAP here
MAX_CATALOG_ORDER = 6_000
MAX_CLASSES = 1_000
MAX_HOM_PAIRS = 2_000


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
                   help="S<n>, A<n>, C<n>, D<n> (order 2n), Q8, K4 (= V4), T, O, I, "
                   "SmallGroup(order,id): the names of `equiact check`, same groups and "
                   "generators")
    p.add_argument("--max-dim", type=int, default=None, metavar="D",
                   help="only G-sets of dimension (index) at most D")
    p.add_argument("--signed", action="store_true", help="include sign-twisted G-sets")
    p.add_argument("--homs", action="store_true", help="print the hom-dimension matrix")
    p.add_argument("--hom-method", choices=("double_cosets", "characters"),
                   default="double_cosets",
                   help="double cosets in GAP (checked against characters), or characters only")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    lim = p.add_argument_group(
        "limits (checked before the work starts; above a limit the command stops at once with "
        "exit status 2 and names the flag to raise it)")
    lim.add_argument("--max-order", type=int, default=MAX_CATALOG_ORDER, metavar="N",
                     help="largest group order for which all subgroup classes are listed "
                     f"(default {MAX_CATALOG_ORDER}; larger groups need --max-dim)")
    lim.add_argument("--max-classes", type=int, default=MAX_CLASSES, metavar="N",
                     help=f"largest number of conjugacy classes (default {MAX_CLASSES})")
    lim.add_argument("--max-hom-pairs", type=int, default=MAX_HOM_PAIRS, metavar="N",
                     help="largest number of sign-twisted pairs counted by double cosets with "
                     f"--homs (default {MAX_HOM_PAIRS}; --hom-method characters has no limit)")
    p.set_defaults(run=run)


def run(args) -> int:
    from equiact.catalog import build_catalog
    from equiact.limits import positive_int

    for flag in ("max_order", "max_classes", "max_hom_pairs"):
        positive_int("--" + flag.replace("_", "-"), getattr(args, flag))
    if args.max_dim is not None:
        positive_int("--max-dim", args.max_dim)
    cat = build_catalog(args.group, signed=args.signed, max_dim=args.max_dim, structure=False,
                        max_order=args.max_order, max_classes=args.max_classes)
    if args.homs and args.hom_method == "double_cosets":
        cat.check_hom_limit(args.max_hom_pairs)  # refuse before the slow parts
    cat.add_structure()
    kw = dict(homs=args.homs, method=args.hom_method, max_pairs=args.max_hom_pairs)
    if args.json:
        print(json.dumps(cat.to_json(**kw), indent=2))
    else:
        print(cat.format_table(**kw))
    return 0
