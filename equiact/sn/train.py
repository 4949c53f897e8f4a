"""Training loop for the graph models: metrics, progress bar, checkpoints, seed, DDP.

Run in one process, or under ``torchrun --nproc_per_node=P -m equiact.cli.main train ...``:
when ``WORLD_SIZE > 1`` the loop joins a gloo process group, wraps the model in
``DistributedDataParallel``, gives each rank an equal share of every epoch's batches and
all-reduces the metrics; rank 0 writes checkpoints and shows the progress bar.

``dataset`` is a built-in name (:data:`~equiact.sn.data.DATASETS`), the path of a data set
file, or a list of samples (:func:`equiact.sn.convert.as_samples`: ``GraphSample``, PyG
``Data``, ``(graph, target)`` pairs). Before training, the checkpoint directory is created and
write-tested and the memory of one step is estimated (:mod:`equiact.sn.memory`).

>>> cfg = TrainConfig(dataset="atlas", preset="2-ign", hidden=4, layers=1, epochs=1,
...                   batch_size=32, limit=64, progress=False)
>>> result = train(cfg)
>>> sorted(result["history"][0])
['epoch', 'seconds', 'train_loss', 'train_mae', 'val_loss', 'val_mae']
>>> result["best"]["epoch"], result["task"]
(1, 'regression')
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from equiact.errors import InvalidInputError
from equiact.sn.checkpoint import load_checkpoint, prepare_run_dir, save_checkpoint
from equiact.sn.data import collate_graphs, load_dataset_info
from equiact.sn.memory import DEFAULT_MAX_MEMORY_GB, check_training_memory
from equiact.sn.models import build_model, refresh_batchnorm
from equiact.sn.records import best_record, plot_history, require_matplotlib, write_metrics

__all__ = ["TrainConfig", "train", "evaluate", "build_from_checkpoint", "predict",
           "wl_conflicts"]

#: Presets whose power is bounded by 1-WL colour refinement (THEORY section 6).
WL1_BOUNDED = ("2-ign", "tuples")

#: An epoch estimated longer than this (seconds) after its first batch gets a note on stderr.
SLOW_EPOCH_SECONDS = 60.0


@dataclass
class TrainConfig:
    """Settings of one training run (also stored in every checkpoint).

    ``val_fraction = 0`` trains without validation: the records have no ``val_*`` values and
    the best epoch (``best.pt``) is the last one.
    """

    dataset: object = "csl"
    preset: str = "2-ign"
    hidden: int = 16
    layers: int = 2
    epochs: int = 10
    batch_size: int = 16
    lr: float = 3e-3
    weight_decay: float = 0.0
    seed: int = 0
    val_fraction: float = 0.2
    limit: int | None = None
    pooling: str = "mean"
    norm: str = "none"
    checkpoint_dir: str | None = None
    resume: bool = False
    progress: bool = True
    task: str = "auto"
    overwrite: bool = False
    max_memory_gb: float = DEFAULT_MAX_MEMORY_GB
    plot: str | None = None
    extra: dict = field(default_factory=dict)

    def validate(self) -> None:
        for name in ("hidden", "layers", "epochs", "batch_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InvalidInputError(f"{name} = {v!r}; give a positive integer")
        if not 0.0 <= self.val_fraction < 1.0:
            raise InvalidInputError(f"val_fraction = {self.val_fraction}; give a value in [0, 1)")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise InvalidInputError(f"lr = {self.lr}; give a positive learning rate")
        if self.limit is not None and self.limit < 2:
            raise InvalidInputError(f"limit = {self.limit}; keep at least 2 graphs")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidInputError(f"seed = {self.seed!r}; give a non-negative integer")
        if self.task not in ("auto", "classification", "regression"):
            raise InvalidInputError(
                f"task {self.task!r} unknown; use 'auto', 'classification' or 'regression'")
        if not (self.max_memory_gb > 0):
            raise InvalidInputError(f"max_memory_gb = {self.max_memory_gb}; give a positive "
                                    "number of GiB")
        if self.resume and not self.checkpoint_dir:
            raise InvalidInputError("resume needs a checkpoint directory (--checkpoint DIR)")
        if self.resume and self.overwrite:
            raise InvalidInputError("give either --resume or --overwrite, not both")
        if self.checkpoint_dir and os.path.exists(self.checkpoint_dir) and not os.path.isdir(
            self.checkpoint_dir
        ):
            raise InvalidInputError(
                f"checkpoint path {self.checkpoint_dir!r} is a file; give a directory"
            )

    def describe_dataset(self) -> str:
        """The data set as stored in checkpoints: its name or path, or a description."""
        if isinstance(self.dataset, (str, os.PathLike)):
            return os.fspath(self.dataset)
        return "<in-memory list>"


#: Settings that fix the model and data; a resumed run must repeat them.
_MODEL_KEYS = ("dataset", "preset", "hidden", "layers", "pooling", "norm", "seed", "limit",
               "val_fraction", "task")


def _plain_config(config: TrainConfig) -> dict:
    """The config as plain data (what ``weights_only`` loading accepts)."""
    d = asdict(config) if isinstance(config.dataset, str) else {
        **asdict(TrainConfig(**{**config.__dict__, "dataset": ""})),
        "dataset": config.describe_dataset()}
    return json.loads(json.dumps(d, default=str))


def _dist():
    """(rank, world_size, created): join a gloo group when torchrun set WORLD_SIZE > 1."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1, False
    import torch.distributed as dist

    created = False
    if not dist.is_initialized():
        dist.init_process_group("gloo")
        created = True
    return dist.get_rank(), dist.get_world_size(), created


def _split(n: int, val_fraction: float, seed: int):
    perm = np.random.default_rng(seed).permutation(n)
    n_val = int(round(n * val_fraction))
    if val_fraction > 0 and n_val == 0:
        n_val = 1
    return perm[n_val:].tolist(), perm[:n_val].tolist()


def _batches(indices, batch_size: int, rng, rank: int, world: int):
    """``[(batch, counted)]``: shuffled batches, the same order on every rank, each rank taking
    every world-th batch. With fewer batches than ranks a rank without its own batch repeats
    the first one (DDP needs every rank in every step) with ``counted = False``, so the
    all-reduced metrics count each graph once."""
    idx = list(indices)
    order = rng.permutation(len(idx))
    idx = [idx[i] for i in order]
    batches = [idx[i:i + batch_size] for i in range(0, len(idx), batch_size)]
    usable = (len(batches) // world) * world
    if usable:
        return [(b, True) for b in batches[:usable][rank::world]]
    return [(batches[rank], True)] if rank < len(batches) else [(batches[0], False)]


def _loss_and_metrics(out, y, task, scale=None):
    """Loss and the summed metric; regression targets are standardised by ``scale``."""
    if task == "classification":
        loss = F.cross_entropy(out, y)
        correct = (out.argmax(1) == y).sum()
        return loss, float(correct)
    y = y.reshape(out.shape).to(out.dtype)
    mean, std = scale if scale is not None else (0.0, 1.0)
    loss = F.mse_loss(out, (y - mean) / std)
    pred = out.detach() * std + mean
    return loss, float((pred - y).abs().mean(1).sum())


def _target_scale(samples, indices, task):
    if task == "classification" or not indices:
        return None
    ys = torch.stack([samples[i].y.reshape(-1).float() for i in indices])
    mean, std = ys.mean(0), ys.std(0, unbiased=False)
    # A target constant on the training graphs (std 0 up to rounding) is only centred: dividing
    # by a clamped tiny std would blow its loss up by ~1e12 and drown the other targets.
    constant = ~(std > 1e-6 * (mean.abs() + std))
    return mean, torch.where(constant, torch.ones_like(std), std)


def _scale_record(scale):
    if scale is None:
        return None
    return {"mean": scale[0].tolist(), "std": scale[1].tolist(),
            "meaning": "the model outputs (y - mean) / std per target; a prediction in target "
                       "units is output * std + mean"}


def _refresh_batchnorm(model, samples, indices, batch_size: int) -> None:
    """:func:`~equiact.sn.models.refresh_batchnorm` over ``samples[indices]`` (batches of one
    graph are skipped: BatchNorm needs two)."""
    def run():
        for i in range(0, len(indices), batch_size):
            batch = indices[i:i + batch_size]
            if len(batch) > 1:
                x, sizes, _ = collate_graphs([samples[j] for j in batch])
                model(x, sizes)

    refresh_batchnorm(model, run)


@torch.no_grad()
def evaluate(model, samples, indices, task: str, batch_size: int = 64, scale=None):
    """Mean loss and accuracy (classification) or MAE (regression) on ``samples[indices]``."""
    model.eval()
    total, count, extra = 0.0, 0, 0.0
    for i in range(0, len(indices), batch_size):
        x, sizes, y = collate_graphs([samples[j] for j in indices[i:i + batch_size]])
        out = model(x, sizes)
        loss, m = _loss_and_metrics(out, y, task, scale)
        total += float(loss) * len(y)
        count += len(y)
        extra += m
    key = "acc" if task == "classification" else "mae"
    if count == 0:
        return {"loss": float("nan"), key: float("nan")}
    return {"loss": total / count, key: extra / count}


def _fingerprint(samples) -> str:
    h = hashlib.sha256()
    for s in samples:
        h.update(str((tuple(s.x.shape), str(s.y.dtype), tuple(s.y.shape))).encode())
        h.update(s.x.detach().contiguous().numpy().tobytes())
        h.update(s.y.detach().contiguous().numpy().tobytes())
    return h.hexdigest()


def wl_conflicts(samples, indices=None):
    """Graphs that 1-WL colour refinement cannot tell from a graph of another class.

    Returns ``(count, classes)``: how many of ``samples[indices]`` share their stable 1-WL
    colour histogram (refined jointly over all graphs, so colours are comparable) with a graph
    of another label, and the sorted labels involved. Only the adjacency channel is used;
    a 1-WL bounded model (2-IGN, 2-tuples) gives such graphs identical outputs.

    >>> from equiact.sn.data import csl_dataset
    >>> wl_conflicts(csl_dataset(copies=1))      # all CSL graphs are 4-regular on 41 nodes
    (10, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """
    idx = list(range(len(samples))) if indices is None else list(indices)
    nbrs = []
    for i in idx:
        a = samples[i].x[0]
        nbrs.append([torch.nonzero(a[v]).reshape(-1).tolist() for v in range(a.shape[0])])
    colours = [[0] * len(nb) for nb in nbrs]
    classes = 1
    while True:
        table: dict = {}
        new = [[table.setdefault((c[v], tuple(sorted(c[u] for u in nb[v]))), len(table))
                for v in range(len(nb))] for c, nb in zip(colours, nbrs)]
        if len(table) == classes:  # refinement only splits: same count = stable partition
            break
        classes, colours = len(table), new
    groups: dict = {}
    for i, c in zip(idx, colours):
        groups.setdefault(tuple(sorted(Counter(c).items())), []).append(int(samples[i].y))
    count, involved = 0, set()
    for labels in groups.values():
        if len(set(labels)) > 1:
            count += len(labels)
            involved.update(labels)
    return count, sorted(involved)


def _expressivity_warning(preset, samples, indices, task):
    if task != "classification" or preset not in WL1_BOUNDED:
        return None
    if any(samples[i].x.shape[0] != 1 for i in indices):
        return None  # features may separate what the adjacency alone does not
    if sum(samples[i].n for i in indices) > 200_000:
        return None
    count, classes = wl_conflicts(samples, indices)
    if not count:
        return None
    shown = ", ".join(map(str, classes[:12])) + (", ..." if len(classes) > 12 else "")
    return (f"model {preset!r} cannot distinguish graphs that 1-WL colour refinement cannot "
            f"(THEORY section 6), and {count} of {len(indices)} training graphs share their "
            f"1-WL colours with a graph of another class (classes {shown}); it cannot fit "
            "them and will stay near chance there. Use a model beyond 1-WL, e.g. --model 3-ign "
            "--norm orbit --layers 3 (docs/sn_layers.md, 'Small runs')")


def _note(msg: str) -> None:
    print(f"equiact: {msg}", file=sys.stderr, flush=True)


def train(config: TrainConfig) -> dict:
    """Train a preset model on a data set.

    Returns ``{"history", "final", "best", "best_epoch", "total_seconds", "task",
    "target_names", "memory", "warnings", "rank", "world_size", "model"}``; ``final`` is the
    last epoch's record, ``best`` the one with the lowest validation loss (the last without
    validation), ``total_seconds`` the sum of all epochs (resumed runs included).

    Deterministic for a given seed (single process). With ``checkpoint_dir`` the state after
    each epoch goes to ``last.pt``, the best epoch to ``best.pt`` and the records to
    ``metrics.csv``/``metrics.jsonl`` (all written atomically); ``resume`` continues from
    ``last.pt``; a directory that already holds a run needs ``resume`` or ``overwrite``.
    """
    config.validate()
    if config.plot:
        require_matplotlib()
        pdir = os.path.dirname(os.path.abspath(config.plot))
        if not os.path.isdir(pdir):
            raise InvalidInputError(f"--plot {config.plot!r}: folder {pdir!r} does not exist")
    if config.checkpoint_dir:
        prepare_run_dir(config.checkpoint_dir, resume=config.resume,
                        overwrite=config.overwrite)
    resume_state = None
    if config.resume:  # read (and refuse) a damaged or unsafe checkpoint before any work
        resume_state = load_checkpoint(os.path.join(config.checkpoint_dir, "last.pt"))
    rank, world, created = _dist()
    try:
        return _train(config, rank, world, resume_state)
    finally:
        if created:  # a live gloo group at interpreter exit aborts the process
            import torch.distributed as dist

            dist.destroy_process_group()


def _resume_state(config, state, path, model, opt, fingerprint):
    saved = state["config"]
    defaults = asdict(TrainConfig())  # settings added later take their default value
    saved = {k: saved.get(k, defaults[k]) for k in _MODEL_KEYS}
    now = {k: getattr(config, k) for k in _MODEL_KEYS}
    now["dataset"] = config.describe_dataset()
    diff = {k: (saved[k], now[k]) for k in _MODEL_KEYS if saved[k] != now[k]}
    if diff:
        said = ", ".join(f"{k} {a!r} (now {b!r})" for k, (a, b) in diff.items())
        raise InvalidInputError(
            f"checkpoint {path} was trained with {said}; resume with the same settings "
            "or use another checkpoint directory"
        )
    if state.get("data_sha256", fingerprint) != fingerprint:
        raise InvalidInputError(
            f"checkpoint {path} was trained on different data (the graphs or targets of "
            f"{config.describe_dataset()!r} changed); resume with the same data or start a new "
            "run with --overwrite")
    try:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
    except (RuntimeError, ValueError, KeyError, TypeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InvalidInputError(
            f"checkpoint {path} does not fit this model ({first}); it is damaged or from "
            "another version") from None
    return state


def _train(config: TrainConfig, rank: int, world: int, resume_state=None) -> dict:
    t_call = time.perf_counter()
    torch.manual_seed(config.seed)
    info = load_dataset_info(config.dataset, seed=config.seed, task=config.task)
    samples, task, out_dim = info["samples"], info["task"], info["out_dim"]
    if len(samples) < 2:
        raise InvalidInputError(f"the data set has {len(samples)} graph(s); give at least 2")
    if config.limit is not None:
        pick = np.random.default_rng(config.seed + 1).permutation(len(samples))[: config.limit]
        samples = [samples[i] for i in sorted(pick.tolist())]
    train_idx, val_idx = _split(len(samples), config.val_fraction, config.seed)
    if not train_idx:
        raise InvalidInputError(
            f"no training graphs: {len(samples)} graphs with val_fraction = "
            f"{config.val_fraction} leave none; lower the validation fraction or raise the limit"
        )
    scale = _target_scale(samples, train_idx, task)
    in_ch = samples[0].x.shape[0]
    memory = check_training_memory(
        config.max_memory_gb, preset=config.preset, in_channels=in_ch, out_dim=out_dim,
        hidden=config.hidden, layers=config.layers, pooling=config.pooling, norm=config.norm,
        batch_size=min(config.batch_size, len(train_idx)), n=max(s.n for s in samples))
    warnings = []
    msg = _expressivity_warning(config.preset, samples, train_idx, task)
    if msg:
        warnings.append(msg)
        if rank == 0:
            _note(f"warning: {msg}")
    model = build_model(config.preset, in_ch, out_dim, hidden=config.hidden,
                        layers=config.layers, pooling=config.pooling, norm=config.norm)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    fingerprint = _fingerprint(samples)
    start_epoch, history = 0, []
    ckpt_dir = config.checkpoint_dir
    if config.resume:
        state = _resume_state(config, resume_state, os.path.join(ckpt_dir, "last.pt"), model,
                              opt, fingerprint)
        start_epoch, history = state["epoch"] + 1, list(state["history"])
    has_val = bool(val_idx)
    best = best_record(history) if has_val else None
    best_loss = best["val_loss"] if best and "val_loss" in best else float("inf")
    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model)
    key = "acc" if task == "classification" else "mae"
    show = config.progress and rank == 0
    has_bn = any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules())
    plain_cfg = _plain_config(config)
    for epoch in range(start_epoch, config.epochs):
        t0 = time.perf_counter()
        net.train()
        rng = np.random.default_rng(config.seed * 100003 + epoch)
        batches = _batches(train_idx, config.batch_size, rng, rank, world)
        sums = torch.zeros(3, dtype=torch.float64)  # loss * count, metric sum, count
        bar = None
        if show:
            from tqdm import tqdm

            bar = tqdm(total=len(batches), desc=f"epoch {epoch + 1}/{config.epochs}",
                       leave=False, dynamic_ncols=True)
        for b, (batch, counted) in enumerate(batches):
            if len(batch) < 2 and has_bn:  # batch statistics need two graphs
                continue
            tb = time.perf_counter()
            x, sizes, y = collate_graphs([samples[j] for j in batch])
            out = net(x, sizes)
            loss, m = _loss_and_metrics(out, y, task, scale)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if counted:
                sums += torch.tensor([float(loss.detach()) * len(y), m, len(y)],
                                     dtype=torch.float64)
            if b == 0 and epoch == start_epoch and rank == 0 and len(batches) > 1:
                est = (time.perf_counter() - tb) * len(batches)
                if est > SLOW_EPOCH_SECONDS:
                    _note(f"note: one epoch will take about {est:.0f} s ({len(batches)} "
                          f"batches; the first took {time.perf_counter() - tb:.1f} s)")
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{float(loss.detach()):.4f}")
        if bar is not None:
            bar.close()
        if world > 1:
            import torch.distributed as dist

            dist.all_reduce(sums)
        _refresh_batchnorm(model, samples, train_idx, 64)
        rec = {"epoch": epoch + 1, "train_loss": float(sums[0] / sums[2]),
               f"train_{key}": float(sums[1] / sums[2])}
        if has_val:
            val = evaluate(model, samples, val_idx, task, scale=scale)
            rec.update({"val_loss": val["loss"], f"val_{key}": val[key]})
        rec["seconds"] = time.perf_counter() - t0
        history.append(rec)
        improved = not has_val or rec["val_loss"] < best_loss or best is None
        if improved:
            best = rec
            best_loss = rec.get("val_loss", float("inf"))
        if show:
            print(json.dumps(rec), flush=True)
        if ckpt_dir and rank == 0:
            state = {"model": model.state_dict(), "optimizer": opt.state_dict(),
                     "epoch": epoch, "history": history, "config": plain_cfg,
                     "task": task, "in_channels": in_ch, "out_dim": out_dim,
                     "target_names": list(info["target_names"]),
                     "target_scale": _scale_record(scale), "data_sha256": fingerprint,
                     "best_epoch": best["epoch"], "format": "equiact-train-1"}
            save_checkpoint(state, os.path.join(ckpt_dir, "last.pt"))
            if improved:
                save_checkpoint(state, os.path.join(ckpt_dir, "best.pt"))
            write_metrics(ckpt_dir, history)
    if best is None and history:
        best = best_record(history)
    final = history[-1] if history else {}
    result = {"history": history, "final": final, "best": best,
              "best_epoch": best["epoch"] if best else None,
              "total_seconds": float(sum(h.get("seconds", 0.0) for h in history)),
              "call_seconds": time.perf_counter() - t_call, "task": task,
              "target_names": list(info["target_names"]), "memory": memory,
              "warnings": warnings, "rank": rank, "world_size": world, "model": model}
    if config.plot and rank == 0 and history:
        plot_history(history, config.plot,
                     title=f"{config.preset} on {config.describe_dataset()}")
    if world > 1:
        import torch.distributed as dist

        # DDP keeps replicas identical; verify it (max parameter difference across ranks)
        flat = torch.cat([p.detach().reshape(-1).double() for p in model.parameters()])
        lo, hi = flat.clone(), flat.clone()
        dist.all_reduce(lo, op=dist.ReduceOp.MIN)
        dist.all_reduce(hi, op=dist.ReduceOp.MAX)
        result["replica_max_diff"] = float((hi - lo).abs().max())
        del net  # release the DDP reducer (and its threads) before the group goes away
        import gc

        gc.collect()
        dist.barrier()
    return result


def _check_checkpoint_size(path: str, state: dict) -> None:
    """Refuse a config that describes a bigger model than the weights stored with it (a crafted
    ``hidden = 10**6`` would otherwise allocate terabytes before ``load_state_dict`` fails)."""
    from equiact.sn.memory import _param_count

    cfg = state["config"]
    tensors = [t for t in state["model"].values() if isinstance(t, torch.Tensor)]
    stored = sum(t.numel() for t in tensors)
    sizes = {"hidden": cfg.get("hidden"), "layers": cfg.get("layers"),
             "in_channels": state.get("in_channels"), "out_dim": state.get("out_dim")}
    bad = [k for k, v in sizes.items()
           if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= max(stored, 1)
           or (k == "layers" and v > len(tensors))]
    need = None
    if not bad:
        try:
            need = _param_count(cfg.get("preset"), sizes["in_channels"], sizes["out_dim"],
                                sizes["hidden"], sizes["layers"], cfg.get("pooling", "mean"),
                                cfg.get("norm", "none"))
        except Exception:  # noqa: BLE001 -- an unknown preset etc. is reported below
            need = None
    if bad or (need is not None and need > stored):
        what = ", ".join(f"{k} = {sizes[k]!r}" for k in (bad or sizes))
        raise InvalidInputError(
            f"checkpoint {path!r} does not describe a model this version can build ({what} "
            f"do not match the {stored} stored weights); use a checkpoint written by equiact "
            "train")


def build_from_checkpoint(path: str):
    """``(model, state)``: the model of a training checkpoint (a file, or a run directory:
    its ``best.pt``, else ``last.pt``), weights loaded, in eval mode."""
    if os.path.isdir(path):
        for name in ("best.pt", "last.pt"):
            if os.path.isfile(os.path.join(path, name)):
                path = os.path.join(path, name)
                break
        else:
            raise InvalidInputError(f"checkpoint directory {path!r} has no best.pt or last.pt")
    state = load_checkpoint(path)
    for key in ("task", "in_channels", "out_dim"):
        if key not in state:
            raise InvalidInputError(
                f"checkpoint {path!r} has no {key!r}; it was written by an older equiact "
                "train; retrain to predict from it")
    cfg = state["config"]
    _check_checkpoint_size(path, state)
    try:
        model = build_model(cfg["preset"], state["in_channels"], state["out_dim"],
                            hidden=cfg["hidden"], layers=cfg["layers"],
                            pooling=cfg.get("pooling", "mean"), norm=cfg.get("norm", "none"))
        model.load_state_dict(state["model"])
    except (RuntimeError, KeyError, TypeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InvalidInputError(
            f"checkpoint {path!r} does not describe a model this version can build ({first})"
        ) from None
    model.eval()
    state["path"] = path
    return model, state


@torch.no_grad()
def predict(model, state: dict, samples, batch_size: int = 64) -> torch.Tensor:
    """Predictions in target units: class probabilities ``(N, classes)`` for classification,
    ``output * std + mean`` ``(N, targets)`` for regression (scale stored in the checkpoint).
    """
    from equiact.sn.masking import pad_tensors

    if not samples:
        raise InvalidInputError("no graphs to predict")
    chans = {s.x.shape[0] for s in samples}
    if chans != {state["in_channels"]}:
        raise InvalidInputError(
            f"the graphs have {sorted(chans)} channels but the checkpoint's model takes "
            f"{state['in_channels']} (adjacency plus node/edge features); predict on data with "
            "the same features as the training data")
    model.eval()
    outs = []
    for i in range(0, len(samples), batch_size):
        x, sizes = pad_tensors([s.x for s in samples[i:i + batch_size]], order=2)
        outs.append(model(x, sizes))
    out = torch.cat(outs)
    if state["task"] == "classification":
        return torch.softmax(out, dim=1)
    sc = state.get("target_scale")
    if sc:
        out = out * torch.tensor(sc["std"]) + torch.tensor(sc["mean"])
    return out
