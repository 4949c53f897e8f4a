"""Benchmark: one `equiact train` epoch with 1 vs 2 torch threads, in one process.

The same epoch (same model initialisation, same batches) is run alternately with
``torch.set_num_threads(1)`` and ``(2)``, ``--rounds`` times each; reported per thread count:
median wall seconds and median CPU seconds (``time.process_time``, all threads of the process)
and the epoch's summed training loss, which must agree between thread counts (reduction order
may differ in the last bits). The last line printed is one JSON object. Usage::

    python bench/train_threads.py [--dataset atlas] [--model 2-ign] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np
import torch

from equiact.sn.data import collate_graphs, load_dataset
from equiact.sn.models import build_model


def epoch(samples, task, out_dim, args) -> float:
    torch.manual_seed(0)
    model = build_model(args.model, samples[0].x.shape[0], out_dim, hidden=args.hidden,
                        layers=args.layers)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    idx = np.random.default_rng(0).permutation(len(samples)).tolist()
    total = 0.0
    for i in range(0, len(idx), args.batch_size):
        x, sizes, y = collate_graphs([samples[j] for j in idx[i:i + args.batch_size]])
        out = model(x, sizes)
        if task == "classification":
            loss = torch.nn.functional.cross_entropy(out, y)
        else:
            loss = torch.nn.functional.mse_loss(out, y.reshape(out.shape))
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += float(loss.detach())
    return total


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="atlas")
    p.add_argument("--model", default="2-ign")
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    samples, task, out_dim = load_dataset(args.dataset)
    res = {t: {"wall": [], "cpu": [], "loss": None} for t in (1, 2)}
    for _ in range(args.rounds):
        for t in (1, 2):
            torch.set_num_threads(t)
            w0, c0 = time.perf_counter(), time.process_time()
            loss = epoch(samples, task, out_dim, args)
            res[t]["wall"].append(time.perf_counter() - w0)
            res[t]["cpu"].append(time.process_time() - c0)
            res[t]["loss"] = loss
    for t in (1, 2):
        print(f"threads {t}: wall {statistics.median(res[t]['wall']):.2f} s, cpu "
              f"{statistics.median(res[t]['cpu']):.2f} s (median of {args.rounds}), summed "
              f"train loss {res[t]['loss']:.6f}")
    print(json.dumps({
        "dataset": args.dataset, "model": args.model, "hidden": args.hidden,
        "layers": args.layers, "batch_size": args.batch_size, "rounds": args.rounds,
        "torch": torch.__version__, "machine": platform.machine(),
        **{f"threads{t}_{k}_s": round(statistics.median(res[t][k]), 3)
           for t in (1, 2) for k in ("wall", "cpu")},
        "wall_ratio_2_over_1": round(statistics.median(res[2]["wall"])
                                     / statistics.median(res[1]["wall"]), 2),
        "loss_rel_diff": abs(res[1]["loss"] - res[2]["loss"]) / abs(res[1]["loss"]),
    }))


if __name__ == "__main__":
    main()
