"""``equiact separate``: which graph pairs a model separates, beside 1-WL and 2-FWL.

Examples::

    equiact separate --dataset csl --model 3-ign
    equiact separate --dataset brec-nocfi --model 2-ign,3-ign --seeds 3 --json
    equiact separate --dataset my_graphs.g6 --pairs consecutive --model tuples --plot sep.png
    equiact separate --dataset a.edges,b.edges --model 3-ign

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
                   "joined by commas, a graph6 file (.g6 / .npy / text), or edge-list files "
                   "(.edges, one graph each) joined by commas")
    p.add_argument("--pairs", default="all", choices=("all", "consecutive"),
                   help="for a file: all pairs of equal-size graphs (default) or graphs "
                   "2k, 2k+1")
    p.add_argument("--model", default="2-ign",
                   help="preset(s), comma-separated: 2-ign | 3-ign | mixed | tuples, or "
                   "coset:H, a random point-wise network on R^{S_n/H} (H a catalogue index, an "
                   "alias such as nodes, edges, triangles, regular, or a structure "
                   "description; graphs of one size n <= 8; see equiact plethora --list) "
                   "(default 2-ign)")
    p.add_argument("--norm", default=None,
                   help="none | orbit (GraphModel norm; default: none, or the protocol's)")
    p.add_argument("--activation", default=None,
                   help="point-wise activation of the hidden layers, passed to build_model "
                   "(where the installed models take one, e.g. relu | tanh | silu)")
    p.add_argument("--dtype", default=None, choices=("float64", "float32"),
                   help="default float64 (or the protocol's)")
    p.add_argument("--seeds", type=int, default=None,
                   help="random weight draws (default 3, or the protocol's)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--hidden", type=int, default=None,
                   help="channels per hidden summand (default 16, or the protocol's)")
    p.add_argument("--layers", type=int, default=None,
                   help="hidden layers (default 2, or the protocol's)")
    p.add_argument("--copies", type=int, default=3,
                   help="relabelled copies per graph for the noise floor (default 3)")
    p.add_argument("--margin", type=float, default=10.0,
                   help="separated when gap > margin x floor (default 10)")
    p.add_argument("--oracles", default="1-wl,2-fwl",
                   help="comma-separated oracles: 1-wl, 2-fwl, or 'none'")
    p.add_argument("--oracle-rounds", type=int, default=None, metavar="R",
                   help="run the oracles for R refinement rounds only (default: until "
                   "stable), to compare with a model of limited depth")
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
        if s not in PRESETS and not s.lower().startswith("coset:"):
            raise unknown_name("model preset", s, PRESETS)
    if not names:
        raise unknown_name("model preset", text, PRESETS)
    return names


#: Channels of a ``coset:H`` model unless --hidden says otherwise (width does not change what
#: a network separates; docs/plethora.md measures 1, 2 and 4).
COSET_CHANNELS = 2


def _coset_factory(spec: str, ds, args):
    """``factory(seed)`` for ``--model coset:H``; ``--layers``/``--hidden`` set its depth/width."""
    from equiact.separation.plethora import coset_model_factory

    options = {"channels": COSET_CHANNELS if args.hidden is None else args.hidden}
    if args.layers is not None:
        options["depth"] = args.layers
    if args.activation is not None:
        options["activation"] = args.activation
    if args.dtype == "float32":
        import torch

        options["dtype"] = torch.float32
    factory = coset_model_factory(spec, ds, **options)
    factory.channels = options["channels"]
    index = factory.__name__.partition(":")[2]
    if spec.partition(":")[2].strip() != index:
        factory.__name__ = f"{spec} (#{index})"
    return factory


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
        hidden = args.hidden
        if m.lower().startswith("coset:"):
            m = _coset_factory(m, ds, args)
            hidden = m.channels
        res = separate(ds, m, seeds=args.seeds, seed=args.seed, dtype=args.dtype,
                       norm=args.norm, hidden=hidden, layers=args.layers,
                       copies=args.copies, margin=args.margin,
                       oracles=oracles if i == 0 else (), protocol=args.protocol,
                       max_bytes=int(args.max_memory * 2**30),
                       oracle_rounds=args.oracle_rounds,
                       **({} if args.activation is None else {"activation": args.activation}),
                       progress=not args.no_progress)
        if i and results:
            res.oracles = results[0].oracles
        results.append(res)
    from equiact.separation.protocol import SeparationResult

    if not all(isinstance(r, SeparationResult) for r in results):  # another protocol's answer
        print(json.dumps([r.to_dict() if hasattr(r, "to_dict") else r for r in results],
                         sort_keys=True, default=str))
        return 0
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
