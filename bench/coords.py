"""Benchmark of admissible coordinates and the catalogue (issue 3 speed targets, issue 9 limits).

Run: ``python bench/coords.py`` (add ``--repeat N``). Times are CPU seconds
(``time.process_time``, one thread; GAP runs in the same process). Targets: coordinates for
S5 on 2-subsets (dim 10) and for a group of order ~1000 as float matrices in a random
orthonormal basis under 5 s each; ``equiact catalog --group S6 --homs`` under 10 s. The
baseline of each coordinates case is the enumeration of the same group
(``Representation.closure``) in the same process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np


def _rotated(rep, rng):
    from equiact.representation import Representation

    n = rep.dim
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return Representation.from_matrices([q.T @ g @ q for g in rep.numeric_generators()])


def _perm_matrix(p):
    n = len(p)
    m = np.zeros((n, n))
    m[p, np.arange(n)] = 1
    return m


def _best(fn, repeat):
    """Smallest CPU time (time.process_time) of ``repeat`` calls, and the last result."""
    times = []
    out = None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        times.append(time.process_time() - t)
    return min(times), out


def _refusal(fn):
    """CPU seconds until ``fn`` raises ClosureLimitError (the refusal latency), and the message."""
    from equiact.errors import ClosureLimitError

    t = time.process_time()
    try:
        fn()
    except ClosureLimitError as err:
        return time.process_time() - t, str(err)
    raise RuntimeError("expected a refusal")


def _permutation_model_cases(repeat):
    """Named S_n standard representations: answered from permutations and GAP's character
    table, never enumerated; S7 is also run through the enumeration (closure of 5040 exact
    matrices) for a same-process ratio."""
    from equiact.catalog import build_catalog
    from equiact.coordinates import admissible_coordinates
    from equiact.groups import named_representation
    from equiact.representation import Representation

    for group, act in (("S7", "relu"), ("S8", "relu"), ("S8", "tanh"), ("S12", "relu"),
                       ("S12", "tanh")):
        sec, res = _best(lambda g=group, a=act: admissible_coordinates(
            named_representation(g, "standard"), a), repeat)
        line = (f"{group} standard, exact, {act} (permutation model): {sec:.3f} s; "
                f"exists={res.exists}, extension dim {res.minimal_extension.dimension}")
        if group == "S7":
            plain = Representation.from_matrices(named_representation(group, "standard")
                                                  .generators)  # no model: enumerate
            base, res2 = _best(lambda p=plain, a=act: admissible_coordinates(p, a), 1)
            assert res2.minimal_extension.dimension == res.minimal_extension.dimension
            line += f" (enumerated: {base:.2f} s, ratio {base / sec:.0f})"
        print(line)
    sec, res = _best(lambda: admissible_coordinates(named_representation("S6", "regular"),
                                                    "relu"), repeat)
    print(f"S6 regular (dim 720), relu: {sec:.3f} s; exists={res.exists}")
    sec, msg = _refusal(lambda: admissible_coordinates(named_representation("C100000",
                                                                            "rotation"), "relu"))
    print(f"refusal latency, coords C100000 rotation: {sec:.4f} s ({msg[:60]}...)")
    rho64 = named_representation("S64", "standard")
    sec, msg = _refusal(lambda: admissible_coordinates(rho64, "relu"))
    print(f"refusal latency, coords S64 standard (p(64) classes > --max-classes): {sec:.3f} s")
    sec, msg = _refusal(lambda: build_catalog("S7", signed=True, structure=False)
                        .hom_matrix())
    print(f"refusal latency, catalog S7 --signed --homs (catalogue built, then refused): "
          f"{sec:.2f} s ({msg[:60]}...)")
    sec, msg = _refusal(lambda: build_catalog("S12"))
    print(f"refusal latency, catalog S12: {sec:.4f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from equiact.catalog import build_catalog
    from equiact.coordinates import admissible_coordinates
    from equiact.gap import libgap
    from equiact.groups import named_representation
    from equiact.representation import Representation

    t = time.process_time()
    libgap()
    print(f"GAP start-up: {time.process_time() - t:.2f} s (once per process)")
    rng = np.random.default_rng(0)
    wreath = Representation.from_matrices([  # S4 wr C2 on R^8, order 1152
        _perm_matrix([1, 0, 2, 3, 4, 5, 6, 7]),
        _perm_matrix([1, 2, 3, 0, 4, 5, 6, 7]),
        _perm_matrix([4, 5, 6, 7, 0, 1, 2, 3]),
    ])
    cases = [
        ("S5 on 2-subsets, dim 10, float rotated, relu",
         _rotated(named_representation("S5", "subsets:2"), rng), "relu"),
        ("S4 wr C2 (order 1152) on R^8, float rotated, relu", _rotated(wreath, rng), "relu"),
        ("S4 wr C2 (order 1152) on R^8, float rotated, tanh", _rotated(wreath, rng), "tanh"),
        ("S4 standard, exact, tanh", named_representation("S4", "standard"), "tanh"),
        ("C8 rotation, exact, relu (refusal + extension)",
         named_representation("C8", "rotation"), "relu"),
    ]
    for label, rep, act in cases:
        base, group = _best(lambda rep=rep: rep.closure(), args.repeat)
        sec, res = _best(lambda rep=rep, act=act: admissible_coordinates(rep, act), args.repeat)
        print(f"{label}: {sec:.3f} s (closure of order {group.order}: {base:.3f} s, ratio "
              f"{sec / base:.1f}); exists={res.exists}, residual={res.residual:.2g}")
    _permutation_model_cases(args.repeat)
    sec, cat = _best(lambda: build_catalog("S6"), 1)
    sec2, M = _best(lambda: cat.hom_matrix(), 1)
    sec3, _ = _best(lambda: cat.hom_matrix(method="characters"), 1)
    print(f"S6 catalogue ({len(cat)} entries): {sec:.2f} s; hom matrix by double cosets "
          f"{sec2:.2f} s, by characters {sec3:.4f} s")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "equiact", "catalog", "--group", "S6", "--homs"],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"`equiact catalog --group S6 --homs` (fresh process, wall): "
          f"{time.perf_counter() - t:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
