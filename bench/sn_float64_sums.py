"""Cost of accumulating the contraction sums of float32 S_n layers in float64.

    python bench/sn_float64_sums.py [--threads 1]

Times forward + backward of a 3-tensor -> 3-tensor ``SnLinear`` (float32) with the sums
accumulated in float64 (the library's behaviour) and in float32 (the sums patched back to
``Tensor.sum``), interleaved rounds in one process, CPU time, best of rounds; and reports the
rounding error of both against float64 on an input with a large offset (as after a
layer without centring).
"""

from __future__ import annotations

import argparse
import time

import torch


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--n", type=int, default=24)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    from equiact.sn import layers as L

    torch.manual_seed(0)
    layer = L.SnLinear(L.SnSet.tensor(3), L.SnSet.tensor(3), 8, 8)
    x = 100.0 + torch.randn(4, 8, args.n, args.n, args.n)  # an offset: sums cancel in the output
    exact = L.SnLinear(L.SnSet.tensor(3), L.SnSet.tensor(3), 8, 8)
    exact.load_state_dict(layer.state_dict())
    ref = exact.double()(x.double()).detach()
    wide = L._sum

    def plain(t, dim):
        return t.sum(dim=dim)

    def run():
        t0 = time.process_time()
        y = layer(x.clone().requires_grad_())
        y.square().mean().backward()
        return time.process_time() - t0, y.detach()

    best = {"float64 sums": float("inf"), "float32 sums": float("inf")}
    err = {}
    for _ in range(args.rounds):
        for name, fn in (("float64 sums", wide), ("float32 sums", plain)):
            L._sum = fn
            t, y = run()
            best[name] = min(best[name], t)
            err[name] = float((y.double() - ref).abs().max() / ref.abs().max())
    L._sum = wide
    for name in best:
        print(f"{name}: {1e3 * best[name]:.1f} ms, max error vs float64 {err[name]:.1e}")
    print(f"ratio: {best['float64 sums'] / best['float32 sums']:.2f}")


if __name__ == "__main__":
    main()
