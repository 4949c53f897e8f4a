"""``equiact predict``: predictions of a trained model, in target units, as CSV.

Examples::

    equiact predict --checkpoint runs/atlas --dataset atlas --output pred.csv
    equiact predict --checkpoint runs/mine/last.pt --dataset new_graphs.g6

``--checkpoint`` is a run directory (its ``best.pt``, else ``last.pt``) or a ``.pt`` file.
``--dataset`` is a built-in name or a file: a data set file (``graph6<TAB>target`` lines; the
targets may be left out) or a ``.g6`` file of bare graphs. Regression predictions are in the
units of the training targets (the checkpoint stores the target scaling); classification gives
the predicted class and one probability column per class. Columns: ``index``, ``name``, the
predictions, then the true targets when the data has them. Without ``--output`` the CSV goes
to standard output.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys

from equiact.cli.threads import add_threads_argument, apply_threads

__all__ = ["add_parser", "run"]


def add_parser(subparsers) -> argparse.ArgumentParser:
    from equiact.cli.train import DefaultsHelpFormatter

    p = subparsers.add_parser(
        "predict",
        help="predict with a model trained by `equiact train` (CSV in target units)",
        description="Load a checkpoint of `equiact train` and predict on a data set; "
        "regression outputs are converted back to target units.",
        formatter_class=DefaultsHelpFormatter,
    )
    p.add_argument("--checkpoint", required=True, metavar="DIR|FILE",
                   help="run directory (best.pt, else last.pt) or checkpoint file")
    p.add_argument("--dataset", required=True, metavar="NAME|FILE",
                   help="csl | atlas | freesolv, a data set file, or a .g6 file of graphs")
    p.add_argument("--output", default=None, metavar="FILE.csv",
                   help="write the CSV here (default: standard output)")
    p.add_argument("--batch-size", type=int, default=64, help="graphs per forward pass")
    p.add_argument("--limit", type=int, default=None,
                   help="predict only the first N graphs (default: all)")
    add_threads_argument(p)
    p.set_defaults(run=run)
    return p


def run(args) -> int:
    apply_threads(args)
    from equiact.errors import InvalidInputError
    from equiact.sn.data import default_target_names, load_dataset_info
    from equiact.sn.train import build_from_checkpoint, predict

    if args.batch_size < 1:
        raise InvalidInputError(f"--batch-size = {args.batch_size}; give a positive integer")
    if args.limit is not None and args.limit < 1:
        raise InvalidInputError(f"--limit = {args.limit}; give a positive integer")
    model, state = build_from_checkpoint(args.checkpoint)
    task = state["task"]
    info = load_dataset_info(args.dataset, seed=state["config"].get("seed", 0), task=task,
                             require_targets=False)
    samples = info["samples"][: args.limit] if args.limit else info["samples"]
    pred = predict(model, state, samples, batch_size=args.batch_size)
    names = list(state.get("target_names") or [])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    labelled = bool(samples) and all(s.y.numel() for s in samples)
    if labelled and task == "regression" and {s.y.numel() for s in samples} != {pred.shape[1]}:
        raise InvalidInputError(
            f"{args.dataset}: the graphs have {sorted({s.y.numel() for s in samples})} targets "
            f"each but the model predicts {pred.shape[1]}; give data with the training targets "
            "or none")
    if task == "classification":
        head = ["predicted_class"] + [f"p_{c}" for c in range(pred.shape[1])]
        if labelled:
            head.append("true_class")
    else:
        if len(names) != pred.shape[1]:
            names = default_target_names(pred.shape[1])
        head = [f"predicted_{nm}" for nm in names]
        if labelled:
            head += [f"true_{nm}" for nm in names]
    w.writerow(["index", "name"] + head)
    for i, (s, row) in enumerate(zip(samples, pred.tolist())):
        if task == "classification":
            vals = [max(range(len(row)), key=row.__getitem__)] + [f"{v:.6g}" for v in row]
            if labelled:
                vals.append(int(s.y))
        else:
            vals = [f"{v:.6g}" for v in row]
            if labelled:
                vals += [f"{v:.6g}" for v in s.y.reshape(-1).tolist()]
        w.writerow([i, s.name] + vals)
    text = buf.getvalue()
    if args.output:
        try:
            with open(args.output, "w", newline="") as fh:
                fh.write(text)
        except OSError as err:
            raise InvalidInputError(
                f"cannot write {args.output!r}: {err.strerror or err}") from None
        print(f"wrote {len(samples)} predictions ({task}) from {state['path']} to "
              f"{args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
