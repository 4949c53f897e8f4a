"""Benchmark: EquivariantLinear dense (gathered weight) vs sparse (segment) application.

Forward+backward CPU time (``time.process_time``, all threads; robust to other jobs on a
shared machine), float32, batch 32, for spaces with much weight sharing (S_n on
2-tensors, 15 orbits) and little (C_m regular, m orbits), over channel widths. Prints the
ratio sparse/dense next to the flop estimates

    dense  = C_out C_in |Y| |X| (batch + 1)          (gather + one matmul)
    sparse = batch C_in nnz + batch C_out C_in dim |Y| (sparse mm + orbit contraction)

and kappa = (sparse time per flop) / (dense time per flop), and whether ``mode="auto"``
(:func:`equiact.nn.linear.choose_mode`) picked the faster mode. Last line: JSON.

    python bench/linear.py              # ~1 minute on a 2-core CPU
    python bench/linear.py --compile    # also time torch.compile (inductor), ~1 minute more
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from equiact.nn import EquivariantLinear
from equiact.nn.linear import choose_mode
from equiact.spaces import cyclic_regular_space, sn_tensor_space

#: CPU time of this process (all threads): other jobs on the shared 2-core machine inflate wall
#: times by up to 100x, CPU time much less.
clock = time.process_time


def fwd_bwd(modules, x, repeats=15):
    """Best-of-``repeats`` forward+backward time of each module, runs interleaved so that
    the modules see the same load on a shared machine."""
    for m in modules:
        for _ in range(3):
            m.zero_grad(set_to_none=True)
            m(x).square().mean().backward()
    best = [float("inf")] * len(modules)
    for _ in range(repeats):
        for k, m in enumerate(modules):
            m.zero_grad(set_to_none=True)
            t0 = clock()
            m(x).square().mean().backward()
            best[k] = min(best[k], clock() - t0)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--compile", action="store_true")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    B = args.batch
    families = [("S_n 2-tensors", lambda n: sn_tensor_space(n, 2), (4, 6, 9, 12)),
                ("C_m regular", cyclic_regular_space, (16, 64, 256))]
    warm = sn_tensor_space(4, 2)
    fwd_bwd([EquivariantLinear(warm, warm, 4, 4, mode=m) for m in ("dense", "sparse")],
            torch.randn(B, 4, warm.size), repeats=20)  # thread pools, allocator
    rows = []
    print(f"{'space':<16} {'|X|':>5} {'C':>3} {'dim':>5} {'|X||Y|C^2':>11} {'dense ms':>9} "
          f"{'sparse ms':>9} {'sparse/dense':>12} {'auto':>7}")
    for fam, make, sizes in families:
        for size in sizes:
            X = make(size)
            for C in (4, 16, 48):
                P = X.size * X.size * C * C
                if P > 1 << 25:
                    continue
                x = torch.randn(B, C, X.size)
                dense = EquivariantLinear(X, X, C, C, mode="dense")
                sparse = EquivariantLinear(X, X, C, C, mode="sparse")
                td, ts = fwd_bwd([dense, sparse], x)
                f_dense = C * C * X.size * X.size * (B + 1)
                f_sparse = B * C * sparse.nnz + B * C * C * sparse.dim * X.size
                auto = choose_mode(X.size, X.size, C, C, sparse.dim, sparse.nnz)
                rows.append(dict(space=fam, size=X.size, C=C, dim=sparse.dim, entries=P,
                                 dense_s=td, sparse_s=ts, f_dense=f_dense, f_sparse=f_sparse,
                                 auto=auto))
                print(f"{fam:<16} {X.size:5d} {C:3d} {sparse.dim:5d} {P:11d} {td * 1e3:9.2f} "
                      f"{ts * 1e3:9.2f} {ts / td:12.2f} {auto:>7}")
    kappas = [(r["sparse_s"] / r["f_sparse"]) / (r["dense_s"] / r["f_dense"]) for r in rows]
    kappa = float(np.median(kappas))
    print(f"kappa (sparse vs dense time per flop), median over rows: {kappa:.2f} "
          f"(range {min(kappas):.2f} .. {max(kappas):.2f})")
    agree = sum((r["auto"] == "sparse") == (r["sparse_s"] < r["dense_s"]) for r in rows)
    # time lost by auto's choice relative to the faster mode, per row
    loss = [max(r["sparse_s"] if r["auto"] == "sparse" else r["dense_s"], 1e-12)
            / min(r["sparse_s"], r["dense_s"]) for r in rows]
    print(f"mode='auto' picks the faster mode in {agree}/{len(rows)} rows; worst slowdown vs "
          f"the faster mode {max(loss):.2f}x")
    summary = {"bench": "linear", "batch": B, "kappa": round(kappa, 3),
               "auto_picks_faster": f"{agree}/{len(rows)}",
               "auto_worst_slowdown": round(max(loss), 3),
               "sparse_over_dense": [{"space": r["space"], "size": r["size"], "C": r["C"],
                                      "ratio": round(r["sparse_s"] / r["dense_s"], 3)}
                                     for r in rows]}
    if args.compile:
        X = sn_tensor_space(6, 2)
        x = torch.randn(B, 16, X.size)
        for mode in ("dense", "sparse"):
            layer = EquivariantLinear(X, X, 16, 16, mode=mode)
            t0 = time.perf_counter()
            comp = torch.compile(layer)
            err = float((comp(x) - layer(x)).abs().max().detach())
            t_first = time.perf_counter() - t0
            t_comp, t_eager = fwd_bwd([comp, layer], x)
            print(f"torch.compile {mode}: first call {t_first:.1f} s, max |compiled - eager| = "
                  f"{err:.1e}, fwd+bwd compiled/eager = {t_comp / t_eager:.2f}")
            summary[f"compile_{mode}"] = {"error": err, "compiled_over_eager":
                                          round(t_comp / t_eager, 3)}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
