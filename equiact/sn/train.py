"""Training loop for the graph models: metrics, progress bar, checkpoints, seed, DDP.

Run in one process, or under ``torchrun --nproc_per_node=P -m equiact.cli.main train ...``:
when ``WORLD_SIZE > 1`` the loop joins a gloo process group, wraps the model in
``DistributedDataParallel``, gives each rank an equal share of every epoch's batches and
all-reduces the metrics; rank 0 writes checkpoints and shows the progress bar.

>>> cfg = TrainConfig(dataset="atlas", preset="2-ign", hidden=4, layers=1, epochs=1,
...                   batch_size=32, limit=64, progress=False)
>>> result = train(cfg)
>>> sorted(result["history"][0])
['epoch', 'seconds', 'train_loss', 'train_mae', 'val_loss', 'val_mae']
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from equiact.errors import InvalidInputError
from equiact.sn.data import collate_graphs, load_dataset
from equiact.sn.models import build_model

__all__ = ["TrainConfig", "train", "evaluate"]


@dataclass
class TrainConfig:
    """Settings of one training run (also stored in every checkpoint)."""

    dataset: str = "csl"
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
        if self.resume and not self.checkpoint_dir:
            raise InvalidInputError("resume needs a checkpoint directory (--checkpoint DIR)")
        if self.checkpoint_dir and os.path.exists(self.checkpoint_dir) and not os.path.isdir(
            self.checkpoint_dir
        ):
            raise InvalidInputError(
                f"checkpoint path {self.checkpoint_dir!r} is a file; give a directory"
            )


#: Settings that fix the model and data; a resumed run must repeat them.
_MODEL_KEYS = ("dataset", "preset", "hidden", "layers", "pooling", "norm", "seed", "limit",
               "val_fraction")


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
    """Shuffled batches, the same for every rank, each rank taking every world-th batch."""
    idx = list(indices)
    order = rng.permutation(len(idx))
    idx = [idx[i] for i in order]
    batches = [idx[i:i + batch_size] for i in range(0, len(idx), batch_size)]
    usable = (len(batches) // world) * world or len(batches)
    return batches[:usable][rank::world] or batches[:1]


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
    return ys.mean(0), ys.std(0, unbiased=False).clamp(min=1e-6)


def _batchnorms(model):
    return [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]


@torch.no_grad()
def _refresh_batchnorm(model, samples, indices, batch_size: int) -> None:
    """Recompute BatchNorm running statistics over ``indices`` with the current weights.

    The running averages collected during an epoch lag the changing features; ``norm="orbit"``
    standardises invariant features whose class differences are tiny, so evaluation needs
    statistics of the final weights ("precise BatchNorm").
    """
    bns = _batchnorms(model)
    if not bns:
        return
    momenta = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the batches below
    model.train()
    for i in range(0, len(indices), batch_size):
        batch = indices[i:i + batch_size]
        if len(batch) > 1:
            x, sizes, _ = collate_graphs([samples[j] for j in batch])
            model(x, sizes)
    for m, mo in zip(bns, momenta):
        m.momentum = mo


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


def train(config: TrainConfig) -> dict:
    """Train a preset model on a data set; returns ``{"history": [...], "final": {...}}``.

    Deterministic for a given seed (single process). With ``checkpoint_dir`` the state after
    each epoch goes to ``last.pt`` (and the best validation loss to ``best.pt``); ``resume``
    continues from ``last.pt``.
    """
    config.validate()
    rank, world, created = _dist()
    try:
        return _train(config, rank, world)
    finally:
        if created:  # a live gloo group at interpreter exit aborts the process
            import torch.distributed as dist

            dist.destroy_process_group()


def _train(config: TrainConfig, rank: int, world: int) -> dict:
    torch.manual_seed(config.seed)
    samples, task, out_dim = load_dataset(config.dataset, seed=config.seed)
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
    model = build_model(config.preset, in_ch, out_dim, hidden=config.hidden,
                        layers=config.layers, pooling=config.pooling, norm=config.norm)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    start_epoch, history, best = 0, [], float("inf")
    ckpt_dir = config.checkpoint_dir
    if config.resume:
        path = os.path.join(ckpt_dir, "last.pt")
        if not os.path.exists(path):
            raise InvalidInputError(f"no checkpoint to resume at {path}; train without --resume")
        state = torch.load(path, map_location="cpu", weights_only=False)
        saved = state.get("config", {})
        defaults = asdict(TrainConfig())  # settings added later take their default value
        saved = {k: saved.get(k, defaults[k]) for k in _MODEL_KEYS}
        diff = {k: (saved[k], getattr(config, k)) for k in _MODEL_KEYS
                if saved[k] != getattr(config, k)}
        if diff:
            said = ", ".join(f"{k} {a!r} (now {b!r})" for k, (a, b) in diff.items())
            raise InvalidInputError(
                f"checkpoint {path} was trained with {said}; resume with the same settings "
                "or use another checkpoint directory"
            )
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        start_epoch, history = state["epoch"] + 1, state["history"]
        best = min((h["val_loss"] for h in history), default=float("inf"))
    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model)
    key = "acc" if task == "classification" else "mae"
    show = config.progress and rank == 0
    has_bn = bool(_batchnorms(model))
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
        for batch in batches:
            if len(batch) < 2 and has_bn:  # batch statistics need two graphs
                continue
            x, sizes, y = collate_graphs([samples[j] for j in batch])
            out = net(x, sizes)
            loss, m = _loss_and_metrics(out, y, task, scale)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sums += torch.tensor([float(loss.detach()) * len(y), m, len(y)], dtype=torch.float64)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{float(loss.detach()):.4f}")
        if bar is not None:
            bar.close()
        if world > 1:
            import torch.distributed as dist

            dist.all_reduce(sums)
        _refresh_batchnorm(model, samples, train_idx, 64)
        val = evaluate(model, samples, val_idx, task, scale=scale)
        rec = {"epoch": epoch + 1, "train_loss": float(sums[0] / sums[2]),
               f"train_{key}": float(sums[1] / sums[2]), "val_loss": val["loss"],
               f"val_{key}": val[key], "seconds": time.perf_counter() - t0}
        history.append(rec)
        if show:
            print(json.dumps(rec), flush=True)
        if ckpt_dir and rank == 0:
            os.makedirs(ckpt_dir, exist_ok=True)
            state = {"model": model.state_dict(), "optimizer": opt.state_dict(),
                     "epoch": epoch, "history": history, "config": asdict(config),
                     "target_scale": scale}
            torch.save(state, os.path.join(ckpt_dir, "last.pt"))
            if rec["val_loss"] < best or not math.isfinite(best):
                best = rec["val_loss"]
                torch.save(state, os.path.join(ckpt_dir, "best.pt"))
    final = history[-1] if history else {}
    result = {"history": history, "final": final, "rank": rank, "world_size": world,
              "model": model}
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
