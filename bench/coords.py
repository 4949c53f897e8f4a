"""Benchmark of admissible coordinates and the catalogue (issue 3 speed targets).

Run: ``python bench/coords.py`` (add ``--repeat N``). Targets: coordinates for S5 on 2-subsets
(dim 10) and for a group of order ~1000 as float matrices in a random orthonormal basis under
5 s each; ``equiact catalog --group S6 --homs`` under 10 s. The baseline of each coordinates
case is the enumeration of the same group (``Representation.closure``) in the same process.
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
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from equiact.catalog import build_catalog
    from equiact.coordinates import admissible_coordinates
    from equiact.gap import libgap
    from equiact.groups import named_representation
    from equiact.representation import Representation

    t = time.perf_counter()
    libgap()
    print(f"GAP start-up: {time.perf_counter() - t:.2f} s (once per process)")
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
