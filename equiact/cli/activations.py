"""``equiact activations``: the activation catalogue with each class, or analyse given activations.

    equiact activations                      # table of the catalogue
    equiact activations --json               # the same as JSON
    equiact activations "leaky_relu(0.2)" "x*(2 + sin(2*pi*log(Abs(x), 2)))"
"""

from __future__ import annotations

import argparse
import json

__all__ = ["add_parser", "run", "format_table"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "activations",
        help="list the activation catalogue with each class T, or analyse given activations",
        description=(
            "Without arguments: every catalogue activation with its parameters, f(0), its group "
            "T = {t : f0(t x) = t f0(x)}, the matrices it admits and how that is known. With "
            "arguments: analyse each (catalogue names with parameters such as 'leaky_relu(0.2)', "
            "or sympy expressions in x)."),
    )
    parser.add_argument("specs", nargs="*", metavar="ACTIVATION",
                        help="catalogue name (e.g. 'hardtanh(-2, 2)') or expression in x")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the numerical analysis of expressions (default 0)")
    parser.set_defaults(run=run)
    return parser


def _f0_text(p) -> str:
    return "0" if p.zero_at_origin else f"{p.f_at_zero:.4g}"


def format_table(profiles) -> str:
    """A fixed-width text table: name, parameters, f(0), T, admitted matrices, how."""
    header = ("name", "parameters", "f(0)", "T", "admitted matrices", "how")
    rows = []
    for p in profiles:
        matrices = p.matrix_class + ("" if p.zero_at_origin else " *")
        rows.append((p.name, p.params_text, _f0_text(p), p.T.label, matrices, p.how))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if any(not p.zero_at_origin for p in profiles):
        lines.append("* f(0) != 0: the matrices must also have unit row sums "
                     "(e.g. permutation matrices)")
    return "\n".join(lines)


def run(args) -> int:
    from equiact.activations import analyze_activation, catalogue

    if not args.specs:
        profiles = catalogue()
        if args.json:
            print(json.dumps({"activations": [p.to_json() for p in profiles]}, indent=2,
                             ensure_ascii=False))
        else:
            print(format_table(profiles))
        return 0
    profiles = [analyze_activation(s, seed=args.seed) for s in args.specs]
    if args.json:
        print(json.dumps({"activations": [p.to_json() for p in profiles]}, indent=2,
                         ensure_ascii=False))
    else:
        print("\n\n".join(p.summary() for p in profiles))
    return 0
