"""``equiact coords``: a basis in which a point-wise activation is equivariant, or why not.

Exit status 0 when a basis exists, 1 when not (the smallest admissible extension is shown),
2 on bad input.
"""

from __future__ import annotations

import json
import textwrap

from equiact.cli.common import add_representation_arguments, load_representation

#: Bases up to this dimension are printed; larger ones go to --json / --save.
MAX_PRINTED_DIM = 16
# the defaults, without importing GAP or sympy-heavy modules at parser construction
MAX_ORDER = 20_000
MAX_CLASSES = 1_000
MAX_INDEX = 1_000


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "coords",
        help="find coordinates making a point-wise activation equivariant (or the smallest "
        "admissible extension)",
        description=(
            "Find a basis in which the representation acts by matrices the point-wise "
            "activation commutes with: permutation (non-odd f), signed permutation (odd f), "
            "unit row sums (affine f with f(0) != 0), anything (linear f). If none exists, "
            "say why and give the smallest admissible representation containing it with an "
            "equivariant embedding. Exit status: 0 basis found, 1 none exists, 2 bad input."
        ),
    )
    add_representation_arguments(p)
    p.add_argument("--activation", required=True, metavar="ACT",
                   help="catalogue name (relu, tanh, ...) or a sympy expression in x")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--save", metavar="FILE.npz",
                   help="save basis, generators_in_basis, perms, signs (and the extension's "
                   "embedding) as float64/int arrays in an .npz file")
    p.add_argument("--tol", type=float, default=1e-9, help="tolerance for float matrices")
    lim = p.add_argument_group(
        "limits (checked before the work starts; above a limit the command stops at once with "
        "exit status 2 and names the flag to raise it)")
    lim.add_argument("--max-order", "--closure-limit", dest="max_order", type=int,
                     default=MAX_ORDER, metavar="N",
                     help=f"largest order of a group enumerated as matrices and handed to GAP "
                     f"(default {MAX_ORDER}); named S<n>/A<n> representations are not "
                     "enumerated")
    lim.add_argument("--max-classes", type=int, default=MAX_CLASSES, metavar="N",
                     help=f"largest number of conjugacy classes (character table size; default "
                     f"{MAX_CLASSES})")
    lim.add_argument("--max-index", type=int, default=MAX_INDEX, metavar="N",
                     help=f"largest subgroup index (G-set dimension) searched for the smallest "
                     f"admissible extension (default {MAX_INDEX})")
    p.add_argument("--seed", type=int, default=0, help="seed of the random intertwiner (>= 0)")
    p.set_defaults(run=run)


def _fmt(m) -> str:
    import numpy as np
    import sympy as sp

    if isinstance(m, np.ndarray):
        rows = [" ".join(f"{x:10.6g}" for x in row) for row in m.tolist()]
    else:
        rows = [" ".join(f"{str(sp.sympify(x)):>10}" for x in m.row(i)) for i in range(m.rows)]
    return "\n".join("    " + r for r in rows)


def run(args) -> int:
    from equiact.coordinates import admissible_coordinates
    from equiact.limits import positive_int

    seed = positive_int("--seed", args.seed, allow_zero=True)
    for flag in ("max_order", "max_classes", "max_index"):
        positive_int("--" + flag.replace("_", "-"), getattr(args, flag))
    if args.save:
        _check_save_path(args.save)
    rep = load_representation(args)
    res = admissible_coordinates(rep, args.activation, closure_limit=args.max_order,
                                 tol=args.tol, seed=seed, max_classes=args.max_classes,
                                 max_index=args.max_index)
    if args.save:
        _save(args.save, res)
    if args.json:
        print(json.dumps(res.to_json(), indent=2, default=str))
        return 0 if res.exists else 1
    head = "BASIS EXISTS" if res.exists else "NO ADMISSIBLE BASIS"
    order = f", group of order {res.group_order}" if res.group_order else ""
    title = " ".join(p for p in (rep.group_name, rep.name) if p) or "the representation"
    print(f"{head}: {res.activation} needs a {res.target} basis for {title} "
          f"(dim {rep.dim}{order})")
    print()
    print(textwrap.fill("Reason: " + res.reason, width=100, break_on_hyphens=False,
                        break_long_words=False))
    if res.exists and res.basis is not None and res.method not in ("identity",):
        print()
        print(f"Basis T (columns are the new basis vectors; method: {res.method}, "
              f"residual {res.residual:.3g}):")
        if rep.dim <= MAX_PRINTED_DIM:
            print(_fmt(res.basis))
        else:
            print(f"    ({rep.dim} x {rep.dim}: not printed above dimension {MAX_PRINTED_DIM}; "
                  "use --json or --save)")
        if res.decomposition:
            print("Transitive pieces:")
        for k, s in enumerate(res.decomposition):
            if k == MAX_PRINTED_DIM:
                print(f"  ... {len(res.decomposition) - k} more (--json)")
                break
            eps = " with a sign character" if s.signed else ""
            coords = s.coordinates if len(s.coordinates) <= 12 else \
                "[" + ", ".join(str(c) for c in s.coordinates[:6]) + ", ...]"
            structure = f" ({s.structure})" if s.structure else ""
            print(f"  orbit of size {s.dimension}: coordinates {coords}, stabiliser of "
                  f"order {s.stabilizer_order}{structure}{eps}")
    ext = res.minimal_extension
    if ext is not None:
        print()
        if ext.dimension is None:
            print("Smallest admissible extension: none")
        else:
            print(f"Smallest admissible extension: dimension {ext.dimension} "
                  "(the embedding E: --json or --save)")
        for d in ext.decomposition:
            eps = " with a sign character" if d.get("signed") else ""
            times = f"{d['multiplicity']} x " if d.get("multiplicity", 1) != 1 else ""
            stab = ""
            if "stabilizer_order" in d:
                structure = d.get("stabilizer_structure")
                stab = f", stabiliser of order {d['stabilizer_order']}" + \
                    (f" ({structure})" if structure else "")
            print(f"  {times}{d['label']}: dimension {d['dimension']}{stab}{eps}")
        if ext.note:
            print("  " + ext.note)
    return 0 if res.exists else 1


def _check_save_path(path: str) -> None:
    """Refuse a --save path numpy would silently change, before any work is done."""
    import os

    from equiact.errors import InvalidInputError

    if os.path.isdir(path):
        raise InvalidInputError(f"--save {path!r} is a directory; give a file name ending "
                                "in .npz")
    if not path.endswith(".npz"):
        raise InvalidInputError(f"--save {path!r}: the file name must end in .npz (numpy "
                                f"would write {path + '.npz'!r} instead)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise InvalidInputError(f"--save {path!r}: folder {folder!r} does not exist or is not "
                                "writable")


def _save(path, res) -> None:
    import numpy as np

    from equiact.errors import InvalidInputError
    from equiact.exact import to_float_array

    arrays = {"exists": np.array(res.exists)}
    if res.basis is not None:
        arrays["basis"] = to_float_array(res.basis) if not isinstance(res.basis, np.ndarray) \
            else res.basis
    if res.generators_in_basis is not None:
        arrays["generators_in_basis"] = np.stack([
            np.asarray(m, dtype=float) if isinstance(m, np.ndarray) else to_float_array(m)
            for m in res.generators_in_basis])
    if res.perms is not None:
        arrays["perms"], arrays["signs"] = res.perms, res.signs
    ext = res.minimal_extension
    if ext is not None and ext.embedding is not None:
        emb = ext.embedding
        arrays["extension_embedding"] = emb if isinstance(emb, np.ndarray) else \
            to_float_array(emb)
        if ext.perms is not None:
            arrays["extension_perms"], arrays["extension_signs"] = ext.perms, ext.signs
    try:
        np.savez(path, **arrays)
    except OSError as err:
        raise InvalidInputError(f"cannot write {path!r}: {err.strerror}") from err
