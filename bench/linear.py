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
    python bench/linear.py --forward    # only forward-only inference (eval, no grad), ~1 minute
    python bench/linear.py --build      # only construction of PointwiseActivation, seconds

``--forward`` times inference (``torch.no_grad``), interleaved, best of repeats, per call:
equiact in eval mode (cached expanded weight, applied as ``eval_mode`` says) and uncached
(training mode), the cache forced to a dense matrix and to the sparse path (``eval_mode``),
an escnn-style cached dense weight (``F.linear`` with the precomputed ``(C_out |Y|, C_in |X|)``
matrix and bias, what ``escnn.nn.Linear`` does in eval mode), a plain ``nn.Linear`` of the
same size, and, if ``escnn`` is importable, ``escnn.nn.Linear`` itself on the regular
representations of C_m and D_m (``pip install escnn==1.0.11``).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
import warnings
from functools import partial

import numpy as np
import torch

from equiact.nn import EquivariantLinear
from equiact.nn.linear import choose_mode
from equiact.spaces import cyclic_regular_space, dihedral_regular_space, sn_tensor_space

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
    parser.add_argument("--forward", action="store_true",
                        help="only forward-only inference timings (eval mode, no grad)")
    parser.add_argument("--no-escnn", action="store_true", help="skip escnn even if installed")
    parser.add_argument("--build", action="store_true",
                        help="only time building PointwiseActivation on 196/256-point spaces")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    if args.build:
        print(json.dumps(build_times()))
        return
    if args.forward:
        print(json.dumps(forward_only(args.batch if args.batch != 32 else 64, not args.no_escnn)))
        return
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


def build_times():
    """CPU time and peak memory of ``PointwiseActivation(S_n on 2-tensors, "relu")``."""
    import resource

    from equiact.nn import PointwiseActivation

    PointwiseActivation(sn_tensor_space(3, 1), "relu")  # imports
    out = {"bench": "activation_build"}
    for n in (14, 16):
        X = sn_tensor_space(n, 2)
        t0 = clock()
        act = PointwiseActivation(X, "relu")
        out[f"S{n}_2tensors_{X.size}_points_s"] = round(clock() - t0, 4)
        print(f"PointwiseActivation on {X.name} ({X.size} points): {clock() - t0:.3f} s CPU; "
              f"{act.verdict.group_order_note}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process: {rss:.0f} MiB")
    out["peak_rss_mib"] = round(rss)
    return out


def per_call(fns, repeats=7, min_time=0.02):
    """Best-of-``repeats`` CPU time per call of each function (no arguments), interleaved;
    each measurement loops ``k`` calls with ``k`` chosen so one loop takes ``>= min_time``."""
    ks = []
    for f in fns:
        for _ in range(3):
            f()
        k, t = 1, 0.0
        while True:
            t0 = clock()
            for _ in range(k):
                f()
            t = clock() - t0
            if t >= min_time or k >= 1 << 16:
                break
            k *= 2
        ks.append(k)
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for j, (f, k) in enumerate(zip(fns, ks)):
            t0 = clock()
            for _ in range(k):
                f()
            best[j] = min(best[j], (clock() - t0) / k)
    return best


def _escnn_linear(kind, m, c):
    """``escnn.nn.Linear`` on ``c`` copies of the regular representation of C_m or D_m, in
    eval mode, and a function building its input; None if escnn is not importable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from escnn import group, gspaces
            from escnn import nn as enn
    except ImportError:
        return None
    g = group.cyclic_group(m) if kind == "C" else group.dihedral_group(m)
    gs = gspaces.no_base_space(g)
    ftype = enn.FieldType(gs, c * [gs.regular_repr])
    layer = enn.Linear(ftype, ftype, bias=True).eval()
    return layer, (lambda x: enn.GeometricTensor(x, ftype))


def _escnn_call(layer, wrap, flat):
    return layer(wrap(flat)).tensor


def forward_only(batch, use_escnn=True):
    """Forward-only (inference) timings; returns the JSON summary."""
    configs = [("S_n 2-tensors", "S", 6, 16), ("S_n 2-tensors", "S", 10, 16),
               ("S_n 2-tensors", "S", 10, 32), ("C_m regular", "C", 16, 4),
               ("C_m regular", "C", 16, 16), ("C_m regular", "C", 64, 16),
               ("C_m regular", "C", 256, 4), ("D_m regular", "D", 8, 16),
               ("D_m regular", "D", 32, 8)]
    make = {"S": lambda n: sn_tensor_space(n, 2), "C": cyclic_regular_space,
            "D": dihedral_regular_space}
    cols = ["cached", "uncached", "c_dense", "c_sparse", "escnn_style", "nn_linear", "escnn"]
    print(f"forward only, batch {batch}, CPU time per call [ms] (best of 7, interleaved)")
    print(f"{'space':<14} {'m':>4} {'|X|':>4} {'C':>3} {'mode':>6} {'eval':>6} " +
          " ".join(f"{c:>11}" for c in cols) + f" {'cached/escnn_style':>18}")
    rows = []
    for fam, kind, m, C in configs:
        X = make[kind](m)
        torch.manual_seed(0)
        layer = EquivariantLinear(X, X, C, C)
        with torch.no_grad():
            layer.bias.normal_()
        x = torch.randn(batch, C, X.size)
        flat = x.reshape(batch, -1)
        with torch.no_grad():
            w = layer.dense_weight().reshape(C * X.size, C * X.size).contiguous()
            b = layer.dense_bias().reshape(-1).contiguous()
        lin = torch.nn.Linear(C * X.size, C * X.size)
        uncached = EquivariantLinear(X, X, C, C, mode=layer.mode)
        uncached.load_state_dict(layer.state_dict())
        uncached.train()  # training mode never uses the cache
        layer.eval()
        # the same map with the cache forced to a dense matrix / to the sparse path
        dense_m, sparse_m = copy.deepcopy(layer), copy.deepcopy(layer)
        dense_m.eval_mode, sparse_m.eval_mode = "dense", "sparse"
        fns = [partial(layer, x), partial(uncached, x), partial(dense_m, x),
               partial(sparse_m, x), partial(torch.nn.functional.linear, flat, w, b),
               partial(lin, flat)]
        esc = _escnn_linear(kind, m, C) if use_escnn and kind in "CD" else None
        if esc is not None:
            e_layer, wrap = esc
            fns.append(partial(_escnn_call, e_layer, wrap, flat))
        with torch.no_grad():
            ref = layer(x)
            err = float((uncached(x) - ref).abs().max())
            err = max(err, float((torch.nn.functional.linear(flat, w, b).reshape(ref.shape)
                                  - ref).abs().max()))
            times = per_call(fns)
        times += [float("nan")] * (len(cols) - len(times))
        row = dict(space=fam, m=m, size=X.size, C=C, mode=layer.mode,
                   eval_mode=layer.eval_mode, max_abs_diff=err,
                   **{c + "_ms": round(t * 1e3, 4) for c, t in zip(cols, times)})
        rows.append(row)
        print(f"{fam:<14} {m:4d} {X.size:4d} {C:3d} {layer.mode:>6} {layer.eval_mode:>6} " +
              " ".join(f"{t * 1e3:11.4f}" for t in times) + f" {times[0] / times[4]:18.2f}")
        if esc is not None:
            print(f"{'':<14} cached / escnn.nn.Linear = {times[0] / times[6]:.2f}, "
                  f"uncached / escnn.nn.Linear = {times[1] / times[6]:.2f}")
    return {"bench": "linear_forward", "batch": batch, "rows": rows}


if __name__ == "__main__":
    main()
