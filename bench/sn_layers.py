"""Benchmark: structured S_n layers vs stored maps, the dense orbit-gather layer and a floor.

Forward + backward in float32 on CPU. Every comparison is measured in the same process:

* ``2->2`` at B=32, n=32, C=64: :class:`equiact.sn.SnLinear` against
  (a) a stored-15-maps layer (the 15 orbit matrices of size n^2 x n^2 kept in memory, as in the
  original IGN code: mix channels per map, then one matmul per map),
  (b) the dense orbit-gather :class:`equiact.nn.EquivariantLinear` at the largest n whose dense
  weight, its gradient and the gather fit in 4 GiB (the structured layer is re-timed at that n),
  and the floor: one copy of the input into an output-sized tensor plus the unavoidable channel
  mixing, plain matmuls ``(B*n*n, C) x (C, C)`` -- two for 2->2 (identity and transpose), six for
  3->3, one for 2-subsets -- all with their backward.
* ``3->3`` (B=8, n=16, C=32) and ``2-subsets -> 2-subsets`` (B=32, n=32, C=64) against their floors
  (3->3 also against the dense layer at a small n).

The last line printed is one JSON object with the ratios. Usage::

    python bench/sn_layers.py [--quick] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import torch

from equiact.cli.threads import add_threads_argument, apply_threads
from equiact.sn import SnLinear, SnSet


def timeit(fn, reps: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def compare(fns: dict, reps: int) -> dict:
    """Best time of each function over ``reps`` interleaved rounds (fair on a shared CPU)."""
    for fn in fns.values():
        fn()
    best = {k: float("inf") for k in fns}
    for _ in range(reps):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def fwd_bwd(module_fn, x, grad):
    def run():
        if x.grad is not None:
            x.grad = None
        y = module_fn(x)
        y.backward(grad)
    return run


def floor_fn(x, weights, grads):
    """Copy of the input plus len(weights) plain channel matmuls, forward and backward."""
    b, c = x.shape[:2]

    def run():
        if x.grad is not None:
            x.grad = None
        copy = x.clone()
        xf = x.reshape(b, c, -1)
        outs = [copy] + [torch.matmul(w, xf) for w in weights]
        torch.autograd.backward(outs, grads)
    return run


def make_floor(x, c_out, count):
    b, c = x.shape[:2]
    ws = [torch.randn(c_out, c, requires_grad=True) for _ in range(count)]
    m = x[0, 0].numel()
    grads = [torch.randn_like(x)] + [torch.randn(b, c_out, m) for _ in range(count)]
    return floor_fn(x, ws, grads)


class StoredMaps(torch.nn.Module):
    """The equivariant 2->2 layer with its basis stored as dense (P, n^2, n^2) maps."""

    def __init__(self, basis: torch.Tensor, c_in: int, c_out: int):
        super().__init__()
        self.register_buffer("basis", basis)  # (P, |Y|, |X|)
        p = basis.shape[0]
        self.weight = torch.nn.Parameter(torch.randn(p, c_out, c_in) / (c_in * p) ** 0.5)

    def forward(self, x):
        b, c = x.shape[:2]
        xf = x.reshape(b, c, -1)
        t = torch.einsum("bcx,pdc->pbdx", xf, self.weight)  # mix channels per map
        t = t.reshape(self.basis.shape[0], -1, xf.shape[-1])
        y = torch.bmm(t, self.basis.transpose(1, 2)).sum(0)  # one matmul per map
        return y.reshape((b, -1) + x.shape[2:])


def dense_layer_n(c: int, k: int, budget: int = 4 << 30) -> int:
    """Largest n whose dense gathered weight, its grad and the gather temp fit in ``budget``."""
    n = 2
    while 3 * 4 * c * c * (n + 1) ** (2 * k) + 8 * (n + 1) ** (2 * k) <= budget:
        n += 1
    return n


def bench_dense(src: SnSet, dst: SnSet, n: int, b: int, c: int, reps: int):
    """(dense orbit-gather time, structured time) at the same n; structured timed first."""
    from equiact.nn.linear import EquivariantLinear

    ours = SnLinear(src, dst, c, c)
    x = torch.randn((b, c) + (n,) * src.order, requires_grad=True)
    g = torch.randn((b, c) + (n,) * dst.order)
    t_ours = timeit(fwd_bwd(ours, x, g), 2 * reps + 3)
    dense = EquivariantLinear(src.reference_space(n), dst.reference_space(n), c, c, mode="dense")
    xf = x.detach().reshape(b, c, -1).requires_grad_()
    t_dense = timeit(fwd_bwd(dense, xf, g.reshape(b, c, -1)), reps, warmup=0)
    del dense
    return t_dense, t_ours


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions")
    add_threads_argument(ap)
    args = ap.parse_args(argv)
    apply_threads(args)
    torch.manual_seed(0)
    reps = 2 if args.quick else 5
    res: dict = {"machine": f"{platform.machine()} {torch.get_num_threads()} threads",
                 "torch": torch.__version__}

    # ---------------------------------------------------------------- 2 -> 2
    b, n, c = (8, 24, 32) if args.quick else (32, 32, 64)
    t2 = SnSet.tensor(2)
    layer = SnLinear(t2, t2, c, c)
    x = torch.randn(b, c, n, n, requires_grad=True)
    g = torch.randn(b, c, n, n)
    best = compare({"ours": fwd_bwd(layer, x, g), "floor": make_floor(x, c, 2)}, reps + 5)
    t_ours, t_floor = best["ours"], best["floor"]
    from equiact.orbit_basis import hom_orbits

    basis = torch.as_tensor(hom_orbits(t2.reference_space(n), t2.reference_space(n)).dense(),
                            dtype=torch.float32)
    stored = StoredMaps(basis, c, c)
    t_stored = timeit(fwd_bwd(stored, x, g), max(1, reps // 2))
    del stored, basis
    nd = 10 if args.quick else dense_layer_n(c, 2)
    t_dense, t_ours_nd = bench_dense(t2, t2, nd, b, c, max(1, reps // 2))
    print(f"2->2 B={b} n={n} C={c}: structured {t_ours * 1e3:.1f} ms, floor "
          f"{t_floor * 1e3:.1f} ms, stored-15-maps {t_stored * 1e3:.1f} ms")
    print(f"2->2 B={b} n={nd} C={c}: dense orbit-gather {t_dense * 1e3:.1f} ms, structured "
          f"{t_ours_nd * 1e3:.1f} ms")
    res["2to2"] = {"B": b, "n": n, "C": c, "structured_ms": t_ours * 1e3,
                   "floor_ms": t_floor * 1e3, "stored_maps_ms": t_stored * 1e3,
                   "speedup_vs_stored": t_stored / t_ours, "ratio_to_floor": t_ours / t_floor,
                   "dense_n": nd, "dense_ms": t_dense * 1e3, "structured_at_dense_n_ms":
                   t_ours_nd * 1e3, "speedup_vs_dense": t_dense / t_ours_nd}

    # ---------------------------------------------------------------- 3 -> 3
    b3, n3, c3 = (4, 10, 16) if args.quick else (8, 16, 32)
    t3 = SnSet.tensor(3)
    layer3 = SnLinear(t3, t3, c3, c3)
    x3 = torch.randn(b3, c3, n3, n3, n3, requires_grad=True)
    g3 = torch.randn(b3, c3, n3, n3, n3)
    best = compare({"ours": fwd_bwd(layer3, x3, g3), "floor": make_floor(x3, c3, 6)}, reps + 3)
    t3_ours, t3_floor = best["ours"], best["floor"]
    nd3 = 6
    t3_dense, t3_ours_nd = bench_dense(t3, t3, nd3, b3, c3, max(1, reps // 2))
    print(f"3->3 B={b3} n={n3} C={c3}: structured {t3_ours * 1e3:.1f} ms, floor "
          f"{t3_floor * 1e3:.1f} ms; at n={nd3}: dense {t3_dense * 1e3:.1f} ms, structured "
          f"{t3_ours_nd * 1e3:.1f} ms")
    res["3to3"] = {"B": b3, "n": n3, "C": c3, "structured_ms": t3_ours * 1e3,
                   "floor_ms": t3_floor * 1e3, "ratio_to_floor": t3_ours / t3_floor,
                   "dense_n": nd3, "dense_ms": t3_dense * 1e3,
                   "speedup_vs_dense": t3_dense / t3_ours_nd}

    # ---------------------------------------------------------------- 2-subsets
    s2 = SnSet.subsets(2)
    layer_s = SnLinear(s2, s2, c, c)
    xs = (torch.randn(b, c, n, n) * s2.support_mask(n)).requires_grad_()
    best = compare({"ours": fwd_bwd(layer_s, xs, g), "floor": make_floor(xs, c, 1)}, reps + 5)
    t_s, t_s_floor = best["ours"], best["floor"]
    print(f"2-subsets B={b} n={n} C={c}: structured {t_s * 1e3:.1f} ms, floor "
          f"{t_s_floor * 1e3:.1f} ms")
    res["subsets2"] = {"B": b, "n": n, "C": c, "structured_ms": t_s * 1e3,
                       "floor_ms": t_s_floor * 1e3, "ratio_to_floor": t_s / t_s_floor}
    res["targets_met"] = {"2to2_10x_vs_stored": res["2to2"]["speedup_vs_stored"] >= 10,
                          "2to2_within_3x_floor": res["2to2"]["ratio_to_floor"] <= 3}
    print(json.dumps(res, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
