"""``equiact plethora``: separation power of point-wise networks on every ``R^{S_n/H}``."""

from __future__ import annotations

import json

from equiact.cli.threads import add_threads_argument, apply_threads


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "plethora",
        help="separated graph pairs for every hidden space R^{S_n/H} (all subgroup classes)",
        description=(
            "For every conjugacy class of subgroups H of S_n (GAP), build a random-weight "
            "point-wise network whose hidden space is R^{S_n/H} (input: the adjacency matrix), "
            "count the separated pairs among all graphs on n nodes (networkx atlas, n <= 7) "
            "with noise floors from relabelled copies, compare with 1-WL and 2-FWL, and check "
            "the hierarchy K <= H => R^{S_n/K} separates at least as much. Exit status 0, 1 "
            "if the hierarchy has exceptions, 2 on bad input."
        ),
    )
    p.add_argument("--n", type=int, required=True, help="number of nodes, 2..7")
    p.add_argument("--max-index", type=int, default=None, metavar="M",
                   help="only classes with |S_n/H| <= M (default: all)")
    p.add_argument("--classes", default=None, metavar="LIST",
                   help="comma-separated catalogue indices, aliases or structures "
                        "(default: all classes)")
    p.add_argument("--depth", type=int, default=2, help="hidden layers (default 2)")
    p.add_argument("--channels", type=int, default=2, help="channels per hidden layer (2)")
    p.add_argument("--seeds", type=int, default=3, help="random weight draws (default 3)")
    p.add_argument("--copies", type=int, default=None,
                   help="relabelled copies per graph for the noise floor (default: the "
                        "protocol's, 3)")
    p.add_argument("--activation", default="tanh", help="point-wise activation (tanh)")
    p.add_argument("--no-bias", action="store_true",
                   help="zero biases (an even activation then cannot tell a graph from its "
                        "complement)")
    p.add_argument("--no-recheck", action="store_true",
                   help="report hierarchy exceptions without re-measuring them")
    p.add_argument("--list", action="store_true",
                   help="only list the subgroup classes (index, structure, |H|, |S_n/H|)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--plot", default=None, metavar="FILE",
                   help="write the Hasse diagram coloured by separation (needs matplotlib)")
    p.add_argument("--progress", action="store_true", help="a progress bar on stderr")
    add_threads_argument(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from equiact.separation.plethora import plethora_sweep, sn_catalog, special_subgroups

    apply_threads(args)
    if args.list:
        from equiact.separation.plethora import _check_n

        n = _check_n(args.n, high=7)
        cat = sn_catalog(n)
        alias = {}
        for name, i in special_subgroups(n).items():
            alias.setdefault(i, []).append(name)
        rows = [{"index": i, "structure": e.structure, "order": e.stabilizer_order,
                 "points": e.dimension, "alias": ",".join(alias.get(i, []))}
                for i, e in enumerate(cat.entries)]
        if args.json:
            print(json.dumps({"n": n, "classes": rows}, indent=2))
        else:
            print(f"{'#':>3} {'H':<22} {'|H|':>5} {'|S_n/H|':>7}  alias")
            for r in rows:
                print(f"{r['index']:>3} {r['structure'][:22]:<22} {r['order']:>5} "
                      f"{r['points']:>7}  {r['alias']}")
        return 0
    classes = None
    if args.classes:
        classes = [c.strip() for c in args.classes.split(",") if c.strip()]
    res = plethora_sweep(args.n, max_index=args.max_index, depth=args.depth,
                         channels=args.channels, seeds=args.seeds, copies=args.copies,
                         activation=args.activation, classes=classes,
                         recheck=not args.no_recheck, progress=args.progress,
                         bias=not args.no_bias)
    if args.plot:
        res.plot(args.plot)
    if args.json:
        print(json.dumps(res.to_json(), indent=2))
    else:
        print(res.table())
        if args.plot:
            print(f"plot written to {args.plot}")
    return 1 if res.hierarchy_exceptions else 0
