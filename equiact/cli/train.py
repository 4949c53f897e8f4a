"""``equiact train``: train an S_n-equivariant graph model on an offline data set.

Examples::

    equiact train --dataset atlas --model 2-ign --epochs 20 --checkpoint runs/atlas
    equiact train --dataset csl --model 3-ign --hidden 8 --epochs 30 --seed 1
    torchrun --nproc_per_node=2 -m equiact.cli.main train --dataset atlas --epochs 5

Prints one JSON line per epoch and a progress bar (``--no-progress``: neither, only the
summary); with ``--json`` the final summary is one JSON object. Exit code 0; bad input
(unknown data set or model, invalid numbers, a checkpoint from other settings) exits 2.
"""

from __future__ import annotations

import argparse
import json

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "train",
        help="train an S_n-equivariant graph model (CSL, graph atlas, FreeSolv)",
        description="Train a structured S_n-equivariant graph model on an offline data set. "
        "Under torchrun (WORLD_SIZE > 1) it trains data-parallel over gloo.",
    )
    p.add_argument("--dataset", default="atlas", help="csl | atlas | freesolv (default atlas)")
    p.add_argument("--model", default="2-ign", help="2-ign | 3-ign | mixed | tuples")
    p.add_argument("--hidden", type=int, default=16, help="channels per hidden summand")
    p.add_argument("--layers", type=int, default=2, help="number of hidden layers")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--limit", type=int, default=None, help="use only this many graphs")
    p.add_argument("--pooling", default="mean", help="mean | sum | max (graph readout)")
    p.add_argument("--norm", default="none",
                   help="none | orbit (centre/scale each layer's input per orbit type, sums, "
                   "batch-normalised invariants; needed for 3-ign on csl)")
    p.add_argument("--checkpoint", default=None, metavar="DIR",
                   help="write last.pt / best.pt here after every epoch")
    p.add_argument("--resume", action="store_true", help="continue from DIR/last.pt")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar and no per-epoch lines (only the summary)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.set_defaults(run=run)
    return p


def run(args) -> int:
    from equiact.sn.train import TrainConfig, train

    cfg = TrainConfig(
        dataset=args.dataset, preset=args.model, hidden=args.hidden, layers=args.layers,
        epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
        val_fraction=args.val_fraction, limit=args.limit, pooling=args.pooling, norm=args.norm,
        checkpoint_dir=args.checkpoint, resume=args.resume, progress=not args.no_progress,
    )
    result = train(cfg)
    if result["rank"] != 0:
        return 0
    summary = {"dataset": cfg.dataset, "model": cfg.preset, "epochs": len(result["history"]),
               "world_size": result["world_size"], "final": result["final"],
               "checkpoint": cfg.checkpoint_dir}
    if "replica_max_diff" in result:
        summary["replica_max_diff"] = result["replica_max_diff"]
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        fin = result["final"]
        parts = ", ".join(f"{k} {v:.4g}" for k, v in fin.items() if k not in ("epoch",))
        print(f"trained {cfg.preset} on {cfg.dataset} for {len(result['history'])} epochs: "
              f"{parts}")
    return 0
