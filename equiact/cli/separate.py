"""``equiact separate``: which graph pairs a model separates, beside 1-WL and 2-FWL.

Examples::

    equiact separate --dataset csl --model 3-ign
    equiact separate --dataset brec-nocfi --model 2-ign,3-ign --seeds 3 --json
    equiact separate --dataset my_graphs.g6 --pairs consecutive --model tuples --plot sep.png

Prints one table per model (rows: categories; columns: pairs, the oracles' separations, the
model's separated / not separated / undecided counts) and lists the undecided pairs. A
progress bar goes to stderr (``--no-progress`` turns it off). Exit code 0; bad input (unknown
data set, model or oracle, a file that is not graph6, a pair of graphs of different sizes)
exits 2.
"""

from __future__ import annotations

import argparse
import json

from equiact.cli.threads import add_threads_argument, apply_threads

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "separate",
        help="which graph pairs a model separates, beside 1-WL / 2-FWL",
        description="Test which graph pairs an S_n-equivariant model separates with random "
        "weights (noise floors from relabelled copies, several seeds), beside the exact "
        "1-WL and 2-FWL oracles. See docs/separation.md.",
    )
    p.add_argument("--dataset", required=True, metavar="NAME|FILE",
                   help="atlas | csl | sr25 | rook-shrikhande | brec | brec-nocfi | "
                   "brec-CATEGORY (basic, regular, extension, cfi, 4vtx, dr, str), several "
                   "joined by commas, or a graph6 file (.g6 / .npy)")
    p.add_argument("--pairs", default="all", choices=("all", "consecutive"),
                   help="for a file: all pairs of equal-size graphs (default) or graphs "
                   "2k, 2k+1")
    p.add_argument("--model", default="2-ign",
                   help="preset(s), comma-separated: 2-ign | 3-ign | mixed | tuples "
                   "(default 2-ign)")
    p.add_argument("--norm", default="none", help="none | orbit (GraphModel norm)")
    p.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    p.add_argument("--seeds", type=int, default=3, help="random weight draws (default 3)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--hidden", type=int, default=16, help="channels per hidden summand")
    p.add_argument("--layers", type=int, default=2, help="hidden layers")
    p.add_argument("--copies", type=int, default=3,
                   help="relabelled copies per graph for the noise floor (default 3)")
    p.add_argument("--margin", type=float, default=10.0,
                   help="separated when gap > margin x floor (default 10)")
    p.add_argument("--oracles", default="1-wl,2-fwl",
                   help="comma-separated oracles: 1-wl, 2-fwl, or 'none'")
    p.add_argument("--protocol", default="random", choices=("random", "brec"),
                   help="random weights (default) or the published BREC protocol with "
                   "training (equiact.separation.brec)")
    p.add_argument("--max-memory", type=float, default=4.0, metavar="GB",
                   help="refuse a forward pass estimated above this (default 4 GB)")
    add_threads_argument(p)
    p.add_argument("--json", action="store_true", help="print the results as one JSON object")
    p.add_argument("--all-pairs", action="store_true",
                   help="with --json: every pair's gaps, floors, verdict and oracle answers")
    p.add_argument("--plot", default=None, metavar="FILE",
                   help="bar chart of the fractions separated (needs matplotlib)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(run=run)
    return p


def _models(text: str) -> list:
    from equiact.errors import unknown_name
    from equiact.sn.models import PRESETS

    names = [s.strip() for s in str(text).split(",") if s.strip()]
    for s in names:
        if s not in PRESETS:
            raise unknown_name("model preset", s, PRESETS)
    if not names:
        raise unknown_name("model preset", text, PRESETS)
    return names


def _oracles(text: str) -> tuple:
    from equiact.errors import unknown_name
    from equiact.separation.oracles import ORACLES

    if str(text).strip().lower() == "none":
        return ()
    names = tuple(s.strip().lower() for s in str(text).split(",") if s.strip())
    for s in names:
        if s not in ORACLES:
            raise unknown_name("oracle", s, ORACLES)
    return names


def run(args) -> int:
    apply_threads(args)
    from equiact.errors import InvalidInputError
    from equiact.separation.pairs import load_pairs
    from equiact.separation.protocol import separate
    from equiact.separation.report import format_pairs, format_table, plot_results

    models = _models(args.model)
    oracles = _oracles(args.oracles)
    if not args.max_memory > 0:
        raise InvalidInputError(f"--max-memory {args.max_memory!r}; give a positive number")
    ds = load_pairs(args.dataset, mode=args.pairs)
    results = []
    for i, m in enumerate(models):
        res = separate(ds, m, seeds=args.seeds, seed=args.seed, dtype=args.dtype,
                       norm=args.norm, hidden=args.hidden, layers=args.layers,
                       copies=args.copies, margin=args.margin,
                       oracles=oracles if i == 0 else (), protocol=args.protocol,
                       max_bytes=int(args.max_memory * 2**30),
                       progress=not args.no_progress)
        if i and results:
            res.oracles = results[0].oracles
        results.append(res)
    if args.plot:
        plot_results(results, args.plot)
    if args.json:
        out = {"dataset": ds.title, "results": [r.to_dict(pairs=args.all_pairs)
                                                for r in results]}
        print(json.dumps(out, sort_keys=True))
        return 0
    for r in results:
        print(format_table(r))
        t = r.timings
        if "model_cpu_s" in t:
            extra = ", ".join(f"{k[:-6]} {v:.2f} s" for k, v in t.items()
                              if k.endswith("_cpu_s") and k != "model_cpu_s")
            print(f"CPU time: model {t['model_cpu_s']:.2f} s "
                  f"({1e3 * t['model_cpu_s_per_graph']:.2f} ms per forward graph)"
                  + (f", oracles: {extra}" if extra else ""))
        text = format_pairs(r, "undecided")
        if text:
            print(text)
        print()
    if args.plot:
        print(f"plot written to {args.plot}")
    return 0
