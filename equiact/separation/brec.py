"""The BREC protocol as published: Reliable Paired Comparisons with trained models.

Wang & Zhang, "Towards Better Evaluation of GNN Expressiveness with BREC Dataset" (code:
GraphPKU/BREC, ``test_BREC.py``). For every pair ``(G, H)``:

1. the model (output dimension :data:`OUTPUT_DIM` = 16) is re-initialised and trained as a
   Siamese network on :data:`NUM_RELABEL` = 32 relabelled copies ``(pi_i G, sigma_i H)``:
   ``CosineEmbeddingLoss(margin=0)`` with target -1 (push the two outputs apart), Adam (lr
   1e-4, weight decay 1e-4), batches of 16 graphs (8 pairs), at most :data:`EPOCHS` = 20 epochs,
   ``ReduceLROnPlateau`` on the epoch loss, early stop when the loss is below
   :data:`LOSS_THRESHOLD`;
2. Hotelling's T^2 of the 32 output differences ``d_i = f(pi_i G) - f(sigma_i H)``:
   ``T2 = mean(d)^T pinv(cov(d)) mean(d)`` (exactly BREC's ``T2_calculation``: no factor 32),
   (plus ``1e-7 I``, BREC's ``EPSILON_MATRIX``, see :func:`t2_statistic`)
   compared with :data:`THRESHOLD` = 72.34, the F-distribution bound
   ``(m-1) d / (m-d) F_{d, m-d}(0.95)`` for ``m = 32`` samples of dimension ``d = 16``
   (:func:`t2_threshold`);
3. the reliability check: the same T^2 on 32 pairs of relabelled copies of ``G`` alone (an
   isomorphic pair, which must *not* be separated).

A pair counts as separated when ``T2 > THRESHOLD`` and ``T2`` differs from the reliability
statistic (``atol`` :data:`EPSILON_CMP`), as in BREC; a reliability statistic at or above the
threshold is a reliability failure (reported per category). Published numbers of the same table
are in :data:`PUBLISHED`.

>>> round(t2_threshold(), 2)
72.34
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from equiact.cli.threads import set_torch_threads
from equiact.errors import InvalidInputError
from equiact.limits import progress as bar_for

__all__ = [
    "BrecPair",
    "BrecResult",
    "EPOCHS",
    "LOSS_THRESHOLD",
    "NUM_RELABEL",
    "OUTPUT_DIM",
    "PUBLISHED",
    "THRESHOLD",
    "brec_model_factory",
    "run_brec",
    "separate",
    "t2_statistic",
    "t2_threshold",
]

NUM_RELABEL = 32
OUTPUT_DIM = 16
EPOCHS = 20
LEARNING_RATE = 1e-4
WEIGHT_DECAY = 1e-4
BATCH_PAIRS = 8
LOSS_THRESHOLD = 0.2
THRESHOLD = 72.34
EPSILON_CMP = 1e-6
EPSILON_MATRIX = 1e-7

#: Published BREC counts (pairs separated per category; totals over the 400 pairs). "regular"
#: here is BREC's Regular part (140 pairs: 50 simple regular, 50 strongly regular, 20
#: 4-vertex-condition, 20 distance-regular).
PUBLISHED = {
    "3-WL": {"basic": 60, "regular": 50, "extension": 100, "cfi": 60, "total": 270},
    "PPGN": {"basic": 60, "regular": 50, "extension": 100, "cfi": 23, "total": 233},
}
#: Pairs per category in BREC (our file names; "regular" 50 + str 50 + 4vtx 20 + dr 20 = 140).
BREC_SIZES = {"basic": 60, "regular": 50, "str": 50, "4vtx": 20, "dr": 20, "extension": 100,
              "cfi": 100}


def t2_threshold(alpha: float = 0.05, dim: int = OUTPUT_DIM, samples: int = NUM_RELABEL):
    """``(m-1) d / (m-d) * F_{d, m-d}(1 - alpha)`` (needs scipy); BREC's 72.34 for the defaults.

    >>> t2_threshold(alpha=0.01) > t2_threshold()
    True
    """
    from scipy.stats import f

    if not (0 < alpha < 1) or dim < 1 or samples <= dim:
        raise InvalidInputError(
            f"alpha = {alpha!r}, dim = {dim!r}, samples = {samples!r}; need 0 < alpha < 1 and "
            "samples > dim >= 1")
    return (samples - 1) * dim / (samples - dim) * float(f.ppf(1 - alpha, dim, samples - dim))


def t2_statistic(x, y, eps_matrix: float = EPSILON_MATRIX) -> float:
    """BREC's Hotelling statistic of paired outputs ``x, y`` of shape ``(m, d)`` (float64).

    ``D = x - y``; ``mean(D)^T pinv(cov(D) + eps_matrix I) mean(D)`` (``cov`` with ``m - 1``).
    ``eps_matrix`` is BREC's ``EPSILON_MATRIX`` (1e-7): for an exactly invariant model all 32
    differences are equal, ``cov(D) = 0`` and ``pinv`` alone would give ``T2 = 0`` for every
    pair; with it ``T2 = |mean(D)|^2 / 1e-7`` in that limit.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(32, 16))
    >>> t2_statistic(x + 5.0, x + rng.normal(size=(32, 16))) > THRESHOLD
    True
    """
    import torch

    x = torch.as_tensor(np.asarray(x, dtype=np.float64))
    y = torch.as_tensor(np.asarray(y, dtype=np.float64))
    if not (torch.isfinite(x).all() and torch.isfinite(y).all()):
        raise InvalidInputError("t2_statistic got NaN or inf outputs")
    if x.shape != y.shape or x.dim() != 2 or x.shape[0] < 2:
        raise InvalidInputError(
            f"t2_statistic needs two (m, d) arrays of one shape with m >= 2; got "
            f"{tuple(x.shape)} and {tuple(y.shape)}")
    d = (x - y).T
    mean = d.mean(dim=1, keepdim=True)
    s = torch.cov(d).reshape(d.shape[0], d.shape[0])
    s = s + float(eps_matrix) * torch.eye(d.shape[0], dtype=s.dtype)
    return float(mean.T @ torch.linalg.pinv(s) @ mean)


@dataclass
class BrecPair:
    """One pair's outcome."""

    name: str
    category: str
    t2: float
    t2_reliability: float
    separated: bool
    reliable: bool
    epochs: int
    loss: float
    cpu_s: float
    skipped: str = ""


@dataclass
class BrecResult:
    """Per-pair outcomes and per-category counts of :func:`run_brec`."""

    pairs: list
    settings: dict = field(default_factory=dict)

    def table(self) -> list:
        """One row per category (and ``total``): pairs, separated, reliability failures."""
        cats = list(dict.fromkeys(p.category for p in self.pairs))
        rows = []
        for c in cats + (["total"] if len(cats) > 1 else []):
            ps = [p for p in self.pairs if c == "total" or p.category == c]
            rows.append({"category": c, "pairs": len(ps),
                         "separated": sum(p.separated for p in ps),
                         "reliability failures": sum(not p.reliable for p in ps if
                                                     not p.skipped),
                         "skipped": sum(bool(p.skipped) for p in ps),
                         "cpu_s": round(sum(p.cpu_s for p in ps), 2)})
        return rows


def brec_model_factory(preset: str, hidden: int = 16, layers: int = 4, norm: str = "orbit",
                       dtype: str = "float32", **kwargs):
    """``factory(seed) -> model`` for a preset of :func:`equiact.sn.models.build_model`.

    The model maps ``(B, 1, n, n)`` adjacency batches (and ``sizes``) to ``(B, 16)``.

    >>> import torch
    >>> m = brec_model_factory("2-ign", hidden=4, layers=2)(0)
    >>> m(torch.zeros(3, 1, 5, 5)).shape
    torch.Size([3, 16])
    """
    import torch

    from equiact.separation.protocol import _torch_dtype
    from equiact.sn.models import build_model

    tdtype = _torch_dtype(dtype)

    def factory(seed: int):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = build_model(preset, 1, OUTPUT_DIM, hidden=hidden, layers=layers, norm=norm,
                                **kwargs)
        return model.to(tdtype)

    factory.preset = preset
    factory.dtype = tdtype
    return factory


def _relabelled(a: np.ndarray, rng, count: int) -> list:
    from equiact.sn.data import _relabel

    return [_relabel(a, rng) for _ in range(count)]


def _forward(model, graphs, dtype):
    import torch

    from equiact.sn.masking import pad_tensors

    x, sizes = pad_tensors([torch.as_tensor(g, dtype=dtype).unsqueeze(0) for g in graphs],
                           order=2)
    return model(x, sizes)


def _outputs(model, graphs, dtype, batch: int) -> np.ndarray:
    import torch

    with torch.no_grad():
        return np.concatenate([
            _forward(model, graphs[i:i + batch], dtype).double().numpy()
            for i in range(0, len(graphs), batch)])


def _one_pair(model, a, b, rng, *, epochs, lr, weight_decay, loss_threshold, dtype):
    import torch

    ga, gb = _relabelled(a, rng, NUM_RELABEL), _relabelled(b, rng, NUM_RELABEL)
    train = [g for pair in zip(ga, gb) for g in pair]          # G_1, H_1, G_2, H_2, ...
    ra, rb = _relabelled(a, rng, NUM_RELABEL), _relabelled(a, rng, NUM_RELABEL)
    reliability = [g for pair in zip(ra, rb) for g in pair]
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)
    loss_fn = torch.nn.CosineEmbeddingLoss(margin=0.0)
    done, loss_all = 0, float("nan")
    step = 2 * BATCH_PAIRS
    for _ in range(epochs):
        model.train()
        loss_all = 0.0
        for i in range(0, len(train), step):
            chunk = train[i:i + step]
            opt.zero_grad()
            out = _forward(model, chunk, dtype)
            target = torch.full((len(chunk) // 2,), -1.0, dtype=out.dtype)
            loss = loss_fn(out[0::2], out[1::2], target)
            loss.backward()
            opt.step()
            loss_all += len(chunk) / 2 * float(loss.detach())
        loss_all /= NUM_RELABEL
        done += 1
        if loss_all < loss_threshold:
            break
        sched.step(loss_all)
    from equiact.sn.models import refresh_batchnorm

    refresh_batchnorm(model, lambda: _forward(model, train, dtype))
    model.eval()
    out = _outputs(model, train, dtype, step)
    rel = _outputs(model, reliability, dtype, step)
    if not (np.isfinite(out).all() and np.isfinite(rel).all()):
        return math.nan, math.nan, done, loss_all
    t2 = t2_statistic(out[0::2], out[1::2])
    t2_rel = t2_statistic(rel[0::2], rel[1::2])
    return t2, t2_rel, done, loss_all


def run_brec(dataset, model_factory, *, seed: int = 0, epochs: int = EPOCHS,
             lr: float = LEARNING_RATE, weight_decay: float = WEIGHT_DECAY,
             loss_threshold: float = LOSS_THRESHOLD, threshold: float = THRESHOLD,
             threads: int | None = None, progress: bool = False, max_n: int | None = None,
             max_bytes_per_graph=None) -> BrecResult:
    """Run the BREC protocol on every pair of a :class:`~equiact.separation.pairs.PairDataset`.

    ``model_factory(seed) -> torch.nn.Module`` builds a fresh model (output ``(B, 16)``) for
    every pair (pair ``p`` uses ``seed + p``). Pairs with more than ``max_n`` nodes, or whose
    ``max_bytes_per_graph(n)`` (an estimate) is None, are skipped and counted as such.

    >>> from equiact.separation.pairs import load_pairs
    >>> ds = load_pairs("rook-shrikhande")
    >>> res = run_brec(ds, brec_model_factory("2-ign", hidden=4, layers=2), epochs=1)
    >>> res.table()[0]["separated"], res.pairs[0].reliable     # 1-WL cannot: both SRG(16,6,2,2)
    (0, True)
    """
    import torch

    from equiact.separation.pairs import PairDataset, load_pairs

    if not isinstance(dataset, PairDataset):
        dataset = load_pairs(dataset)
    for name, v in (("epochs", epochs), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InvalidInputError(f"{name} = {v!r}; give a non-negative integer")
    if not threshold > 0:
        raise InvalidInputError(f"threshold = {threshold!r}; give a positive number")
    old_threads = set_torch_threads(threads)
    bar = bar_for(len(dataset), "BREC", on=bool(progress), unit="pair")
    pairs = []
    try:
        for p, (name, cat, a, b) in enumerate(dataset):
            n = max(a.shape[0], b.shape[0])
            why = ""
            if max_n is not None and n > max_n:
                why = f"n = {n} > max_n = {max_n}"
            elif max_bytes_per_graph is not None and max_bytes_per_graph(n) is not None:
                why = max_bytes_per_graph(n)
            if why:
                pairs.append(BrecPair(name, cat, math.nan, math.nan, False, True, 0, math.nan,
                                      0.0, skipped=why))
            else:
                t0 = time.process_time()
                model = model_factory(seed + p)
                dtype = next(model.parameters()).dtype
                rng = np.random.default_rng([seed, p])
                t2, t2_rel, done, loss = _one_pair(
                    model, np.asarray(a), np.asarray(b), rng, epochs=epochs, lr=lr,
                    weight_decay=weight_decay, loss_threshold=loss_threshold, dtype=dtype)
                if math.isnan(t2):  # training diverged: reported, never counted
                    pairs.append(BrecPair(name, cat, t2, t2_rel, False, False, done, loss,
                                          time.process_time() - t0,
                                          skipped="non-finite outputs after training"))
                else:
                    sep = bool(t2 > threshold and not math.isclose(
                        t2, t2_rel, rel_tol=0.0, abs_tol=EPSILON_CMP))
                    pairs.append(BrecPair(name, cat, t2, t2_rel, sep, bool(t2_rel < threshold),
                                          done, loss, time.process_time() - t0))
            bar.update(1)
    finally:
        bar.close()
        torch.set_num_threads(old_threads)
    settings = {"protocol": "brec", "seed": seed, "epochs": epochs, "lr": lr,
                "weight_decay": weight_decay, "loss_threshold": loss_threshold,
                "threshold": threshold, "num_relabel": NUM_RELABEL, "output_dim": OUTPUT_DIM}
    return BrecResult(pairs, settings)


def separate(dataset, model="3-ign", *, seeds: int = 1, dtype: str = "float32",
             norm: str = "orbit", hidden: int = 16, layers: int = 4, oracles=(),
             seed: int = 0, progress: bool = False, pooling: str = "mean",
             epochs: int = EPOCHS, max_bytes=None, **kwargs):
    """``equiact separate --protocol brec``: :func:`run_brec` as a ``SeparationResult``.

    ``gaps`` holds each pair's T^2 and ``floors`` the threshold; verdicts are "separated",
    "not separated", or "undecided" for pairs skipped as too large. ``settings`` carries the
    per-category reliability failures.
    """
    from equiact.errors import unknown_name
    from equiact.separation.protocol import (
        DEFAULT_MAX_BYTES,
        SeparationResult,
        estimate_bytes,
    )
    from equiact.sn.models import PRESETS

    if callable(model):
        factory, label = model, getattr(model, "__name__", "custom")
        limit = None
    else:
        if model not in PRESETS:
            raise unknown_name("model preset", model, PRESETS)
        factory = brec_model_factory(model, hidden=hidden, layers=layers, norm=norm,
                                     dtype=dtype, pooling=pooling)
        label = model
        budget = DEFAULT_MAX_BYTES if max_bytes is None else int(max_bytes)

        def limit(n):
            # training keeps the activations of a batch of 16 graphs for the backward pass
            need = 2 * BATCH_PAIRS * estimate_bytes(model, n, hidden, dtype)
            if need > budget:
                return (f"n = {n}: a training batch needs about {need / 2**30:.1f} GiB, above "
                        f"{budget / 2**30:.1f} GiB (raise --max-memory)")
            return None
    t0 = time.process_time()
    res = run_brec(dataset, factory, seed=seed, epochs=epochs, progress=progress,
                   max_bytes_per_graph=limit)
    t_model = time.process_time() - t0
    from equiact.separation.oracles import ORACLES, oracle_separates
    from equiact.separation.pairs import PairDataset, load_pairs

    ds = dataset if isinstance(dataset, PairDataset) else load_pairs(dataset)
    found = {}
    for o in oracles:
        key = str(o).lower()
        if key not in ORACLES:
            raise unknown_name("oracle", o, ORACLES)
        found[ORACLES[key]] = oracle_separates(ds, key)
    gaps = np.array([[p.t2] for p in res.pairs])
    floors = np.full_like(gaps, THRESHOLD)
    verdicts = ["undecided" if p.skipped else "separated" if p.separated else "not separated"
                for p in res.pairs]
    settings = {**res.settings, "dtype": dtype, "norm": norm, "hidden": hidden,
                "layers": layers, "pooling": pooling,
                "reliability_failures": {r["category"]: r["reliability failures"]
                                         for r in res.table()}}
    timings = {"model_cpu_s": t_model, "graphs": 2 * len(res.pairs),
               "model_cpu_s_per_graph": t_model / max(1, len(res.pairs) * 4 * NUM_RELABEL)}
    return SeparationResult(ds, label, gaps, floors, verdicts, found, settings, timings)
