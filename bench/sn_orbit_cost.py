"""CPU time of one forward pass of a preset with and without ``norm="orbit"``.

    python bench/sn_orbit_cost.py [--preset 3-ign] [--n 41] [--threads 1]

One graph (the circulant C_n(1, 3)), hidden 16, 4 layers; best of 3 forward passes per
setting (float32 without norm, float32 and float64 with ``norm="orbit"``), and the peak RSS
of the process (includes torch itself).
"""

from __future__ import annotations

import argparse
import resource
import time

import torch


def main() -> None:
    import networkx as nx

    from equiact.sn.models import build_model, graph_tensor

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="3-ign")
    p.add_argument("--n", type=int, default=41)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    a = nx.to_numpy_array(nx.circulant_graph(args.n, [1, 3]))
    for norm, dtype in (("none", torch.float32), ("orbit", torch.float32),
                        ("orbit", torch.float64)):
        torch.manual_seed(0)
        model = build_model(args.preset, 1, 8, hidden=16, layers=4, norm=norm).to(dtype).eval()
        x = graph_tensor(a, dtype=dtype)[None]
        with torch.no_grad():
            model(x)
            best = float("inf")
            for _ in range(3):
                t0 = time.process_time()
                model(x)
                best = min(best, time.process_time() - t0)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{args.preset} n={args.n} norm={norm} {str(dtype)[6:]}: {best:.3f} s, "
              f"peak RSS so far {rss:.0f} MB")


if __name__ == "__main__":
    main()
