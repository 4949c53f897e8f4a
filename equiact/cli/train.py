"""``equiact train``: train an S_n-equivariant graph model on a built-in or your own data set.

Examples::

    equiact train --dataset atlas --model 2-ign --epochs 20 --checkpoint runs/atlas
    equiact train --dataset graphs.tsv --model mixed --epochs 30 --plot curves.png
    torchrun --nproc_per_node=2 -m equiact.cli.main train --dataset atlas --epochs 5

``--dataset FILE``: one graph per line, ``graph6<TAB>target[<TAB>target ...]`` (see
:mod:`equiact.sn.convert`). Prints one JSON line per epoch and a progress bar
(``--no-progress``: neither, only the summary); the summary gives the last and the best epoch
and the total time; with ``--json`` it is one JSON object. With ``--checkpoint DIR``: ``last.pt``,
``best.pt``, ``metrics.csv`` and ``metrics.jsonl`` in DIR. Exit code 0; bad input (unknown
data set or model, invalid numbers, an unwritable or already used checkpoint directory, a
damaged or unsafe checkpoint, a model too large for ``--max-memory-gb``) exits 2.
"""

from __future__ import annotations

import argparse
import json

from equiact.cli.threads import add_threads_argument, apply_threads

__all__ = ["DefaultsHelpFormatter", "add_parser", "run"]


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Append ``(default: X)`` to an option's help unless X is None/False or already said."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if ("(default" in text or default is None or default is False
                or default is argparse.SUPPRESS or not action.option_strings):
            return text
        return f"{text} (default: %(default)s)"


#: Default of ``--max-memory-gb`` (= ``equiact.sn.memory.DEFAULT_MAX_MEMORY_GB``; repeated here
#: because building the parser must not import torch).
DEFAULT_MAX_MEMORY_GB = 8.0


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "train",
        help="train an S_n-equivariant graph model (CSL, graph atlas, FreeSolv, your file)",
        description="Train a structured S_n-equivariant graph model on an offline data set. "
        "Under torchrun (WORLD_SIZE > 1) it trains data-parallel over gloo.",
        formatter_class=DefaultsHelpFormatter,
    )
    p.add_argument("--dataset", default="atlas",
                   help="csl | atlas | freesolv, or a file with one 'graph6<TAB>target' line "
                   "per graph (docs/sn_layers.md, 'Your own data')")
    p.add_argument("--task", default="auto", choices=("auto", "classification", "regression"),
                   help="for a data set file: auto = classification when every target is one "
                   "non-negative integer without a decimal point")
    p.add_argument("--model", default="2-ign", help="2-ign | 3-ign | mixed | tuples")
    p.add_argument("--hidden", type=int, default=16, help="channels per hidden summand")
    p.add_argument("--layers", type=int, default=2, help="number of hidden layers")
    p.add_argument("--epochs", type=int, default=10, help="total epochs (also with --resume)")
    p.add_argument("--batch-size", type=int, default=16, help="graphs per batch")
    p.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    p.add_argument("--seed", type=int, default=0, help="seed of split, shuffling and weights")
    p.add_argument("--val-fraction", type=float, default=0.2,
                   help="share of graphs held out for validation; 0 = no validation (best.pt "
                   "is then the last epoch)")
    p.add_argument("--limit", type=int, default=None,
                   help="use only this many graphs (default: all)")
    p.add_argument("--pooling", default="mean", help="mean | sum | max (graph readout)")
    p.add_argument("--norm", default="none",
                   help="none | orbit (centre/scale each layer's input per orbit type, sums, "
                   "batch-normalised invariants; needed for 3-ign on csl)")
    p.add_argument("--checkpoint", default=None, metavar="DIR",
                   help="write last.pt, best.pt, metrics.csv and metrics.jsonl here after every "
                   "epoch (created and write-tested before training; default: none, nothing is "
                   "written)")
    p.add_argument("--resume", action="store_true", help="continue the run in DIR (last.pt)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace a run already in DIR (without this or --resume it is refused)")
    p.add_argument("--max-memory-gb", type=float, default=DEFAULT_MAX_MEMORY_GB,
                   help="refuse to start when one training step is estimated to need more")
    p.add_argument("--plot", default=None, metavar="FILE",
                   help="save learning curves to FILE (.png, .pdf, .svg; needs matplotlib)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar and no per-epoch lines (only the summary)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    add_threads_argument(p)
    p.set_defaults(run=run)
    return p


def _fmt(rec: dict) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in rec.items() if k not in ("epoch",))


def run(args) -> int:
    apply_threads(args)
    from equiact.sn.train import TrainConfig, train

    cfg = TrainConfig(
        dataset=args.dataset, preset=args.model, hidden=args.hidden, layers=args.layers,
        epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
        val_fraction=args.val_fraction, limit=args.limit, pooling=args.pooling, norm=args.norm,
        checkpoint_dir=args.checkpoint, resume=args.resume, progress=not args.no_progress,
        task=args.task, overwrite=args.overwrite, max_memory_gb=args.max_memory_gb,
        plot=args.plot,
    )
    result = train(cfg)
    if result["rank"] != 0:
        return 0
    summary = {"dataset": cfg.dataset, "model": cfg.preset, "task": result["task"],
               "epochs": len(result["history"]), "world_size": result["world_size"],
               "final": result["final"], "best_epoch": result["best_epoch"],
               "best": result["best"], "total_seconds": result["total_seconds"],
               "checkpoint": cfg.checkpoint_dir, "plot": cfg.plot,
               "warnings": result["warnings"]}
    if "replica_max_diff" in result:
        summary["replica_max_diff"] = result["replica_max_diff"]
    if args.json:
        print(json.dumps(summary, sort_keys=True))
        return 0
    n = len(result["history"])
    print(f"trained {cfg.preset} on {cfg.dataset} for {n} epochs in "
          f"{result['total_seconds']:.1f} s")
    if result["final"]:
        print(f"  last epoch {result['final']['epoch']}: {_fmt(result['final'])}")
        best = result["best"]
        which = "lowest validation loss" if "val_loss" in best else "no validation: the last"
        print(f"  best epoch {best['epoch']} ({which}): {_fmt(best)}")
    if cfg.checkpoint_dir:
        print(f"  checkpoints and metrics.csv in {cfg.checkpoint_dir}")
    if cfg.plot:
        print(f"  learning curves in {cfg.plot}")
    return 0
