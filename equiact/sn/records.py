"""Per-epoch records of a training run: ``metrics.csv``, ``metrics.jsonl``, learning curves.

>>> hist = [{"epoch": 1, "train_loss": 2.0, "train_acc": 0.1, "val_loss": 2.1, "val_acc": 0.1,
...          "seconds": 0.5},
...         {"epoch": 2, "train_loss": 1.0, "train_acc": 0.6, "seconds": 0.4}]
>>> print(metrics_csv(hist), end="")
epoch,train_loss,train_acc,val_loss,val_acc,seconds
1,2.0,0.1,2.1,0.1,0.5
2,1.0,0.6,,,0.4
>>> best_record(hist)["epoch"]        # by validation loss; epochs without one do not count
1
"""

from __future__ import annotations

import csv
import io
import json
import math
import os

from equiact.errors import InvalidInputError

__all__ = ["MATPLOTLIB_PIN", "metrics_csv", "write_metrics", "best_record", "plot_history",
           "require_matplotlib"]

#: The matplotlib version ``--plot`` is tested with (optional extra ``plot``).
MATPLOTLIB_PIN = "matplotlib==3.11.2"


def _columns(history) -> list[str]:
    cols: list[str] = []
    for rec in history:
        for k in rec:
            if k not in cols:
                cols.append(k)
    order = ["epoch", "train_loss", "train_acc", "train_mae", "val_loss", "val_acc", "val_mae",
             "seconds"]
    return [c for c in order if c in cols] + [c for c in cols if c not in order]


def metrics_csv(history) -> str:
    """The history as CSV text, one row per epoch (missing values empty)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=_columns(history), lineterminator="\n")
    w.writeheader()
    for rec in history:
        w.writerow(rec)
    return buf.getvalue()


def write_metrics(directory: str, history) -> None:
    """(Re)write ``metrics.csv`` and ``metrics.jsonl`` in ``directory`` atomically."""
    from equiact.sn.checkpoint import atomic_write_text

    atomic_write_text(os.path.join(directory, "metrics.csv"), metrics_csv(history))
    atomic_write_text(os.path.join(directory, "metrics.jsonl"),
                      "".join(json.dumps(rec, sort_keys=True) + "\n" for rec in history))


def best_record(history):
    """The epoch with the lowest finite validation loss; the last epoch when none has one."""
    scored = [r for r in history if isinstance(r.get("val_loss"), float)
              and math.isfinite(r["val_loss"])]
    if not scored:
        return history[-1] if history else None
    return min(scored, key=lambda r: (r["val_loss"], r["epoch"]))


def require_matplotlib():
    """Import matplotlib with the non-interactive Agg backend, or say how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise InvalidInputError(
            f"--plot needs matplotlib; install it with `pip install {MATPLOTLIB_PIN}` (or "
            "`pip install -e '.[plot]'`)") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def plot_history(history, path: str, title: str = "") -> None:
    """Learning curves (loss, and accuracy or MAE; train and validation) to an image file."""
    plt = require_matplotlib()
    from matplotlib.ticker import MaxNLocator

    if not history:
        raise InvalidInputError("no epochs to plot")
    key = "acc" if any("train_acc" in r for r in history) else "mae"
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, metric in zip(axes, ("loss", key)):
        for split, style in (("train", "-"), ("val", "--")):
            pts = [(r["epoch"], r[f"{split}_{metric}"]) for r in history
                   if r.get(f"{split}_{metric}") is not None]
            if pts:
                ax.plot(*zip(*pts), style, marker="o", markersize=3, label=split)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel({"loss": "loss", "acc": "accuracy", "mae": "MAE (target units)"}[metric])
        ax.legend()
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    try:
        fig.savefig(path)
    except (OSError, ValueError) as err:
        raise InvalidInputError(f"cannot write the plot to {path!r}: {err}") from None
    finally:
        plt.close(fig)
