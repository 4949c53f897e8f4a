"""Benchmark: cost per graph of the separation test (model presets and oracles) against n.

For every model preset (2-ign, 3-ign, tuples, mixed; hidden 16, 2 layers, random weights,
invariant features) and every n: CPU time (``time.process_time``, best of ``--reps``) of one
graph's forward pass (batch of 1, a random 4-regular graph) and its peak memory (the rise of
the peak resident set size over the RSS before the pass, each measurement in a fresh
process). For the oracles: 1-WL and 2-FWL on a pair of random 4-regular graphs (CPU time and
peak memory per pair, rounds until stable), and 2-FWL on the largest BREC CFI pair if the data
are there.

Usage::

    python bench/separation.py [--quick] [--dtype float64|float32] [--threads N]
        [--presets 2-ign,3-ign] [--sizes 10,20,41] [--no-models] [--no-oracles]

Prints one line per measurement, then one JSON object with all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

SIZES = {"2-ign": (10, 25, 41, 63, 100, 200), "tuples": (10, 25, 41, 63, 100, 200),
         "mixed": (10, 25, 41, 63), "3-ign": (10, 25, 41, 63, 100)}
QUICK = {"2-ign": (10, 41), "tuples": (10, 41), "mixed": (10, 41), "3-ign": (10, 41)}
ORACLE_SIZES = (25, 50, 100, 200)


def _rss_kb() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _regular(n: int, seed: int = 0):
    import networkx as nx

    from equiact.graphs import to_adjacency

    return to_adjacency(nx.random_regular_graph(4, n, seed=seed))


def one_model(preset: str, n: int, dtype: str, reps: int) -> dict:
    from equiact.separation.protocol import model_embedder

    embed = model_embedder(preset, seed=0, dtype=dtype, max_bytes=64 * 2**30)
    a = _regular(n)
    small = _regular(8)
    embed([small])  # warm-up at a small n (allocator, lazy imports)
    before = _rss_kb()
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        embed([a])
        best = min(best, time.process_time() - t0)
    return {"what": preset, "n": n, "dtype": dtype, "cpu_s": best,
            "peak_mb": max(0, _peak_kb() - before) / 1024}


def one_oracle(which: str, n: int) -> dict:
    import numpy as np

    from equiact.separation.oracles import fwl2_colours, wl_colours

    if which == "cfi":
        from equiact.separation.pairs import brec_pairs

        ds = brec_pairs("cfi")
        p = int(np.argmax([ds.graphs[i].shape[0] for i, _ in ds.index]))
        graphs = list(ds.pair(p))
        n = graphs[0].shape[0]
    else:
        graphs = [_regular(n, 0), _regular(n, 1)]
    fn = wl_colours if which == "1-wl" else fwl2_colours
    before = _rss_kb()
    t0 = time.process_time()
    fn(graphs)
    cpu = time.process_time() - t0
    return {"what": "2-fwl (brec cfi)" if which == "cfi" else which, "n": n,
            "cpu_s_per_pair": cpu, "peak_mb": max(0, _peak_kb() - before) / 1024}


def _child(child_args, threads: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    cmd = [sys.executable, __file__, "--threads", str(threads), "--child", *child_args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed",
                "args": child_args}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--presets", default="2-ign,tuples,mixed,3-ign")
    ap.add_argument("--sizes", default=None, help="comma-separated n for every preset")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--no-oracles", action="store_true")
    ap.add_argument("--no-models", action="store_true")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    if args.child:
        kind = args.child[0]
        if kind == "model":
            res = one_model(args.child[1], int(args.child[2]), args.child[3], int(args.child[4]))
        else:
            res = one_oracle(args.child[1], int(args.child[2]))
        print(json.dumps(res))
        return
    rows = []
    table = QUICK if args.quick else SIZES
    for preset in ([] if args.no_models else args.presets.split(",")):
        sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
                 else table.get(preset, (10, 41)))
        for n in sizes:
            r = _child(["model", preset, str(n), args.dtype, str(args.reps)], args.threads)
            rows.append(r)
            print(json.dumps(r), flush=True)
    if not args.no_oracles:
        sizes = (25, 100) if args.quick else ORACLE_SIZES
        for which in ("1-wl", "2-fwl"):
            for n in sizes:
                r = _child(["oracle", which, str(n)], args.threads)
                rows.append(r)
                print(json.dumps(r), flush=True)
        if not args.quick:
            r = _child(["oracle", "cfi", "0"], args.threads)
            rows.append(r)
            print(json.dumps(r), flush=True)
    print(json.dumps({"machine": platform.processor() or platform.machine(),
                      "torch": torch.__version__, "threads": args.threads,
                      "dtype": args.dtype, "rows": rows}))


if __name__ == "__main__":
    main()
