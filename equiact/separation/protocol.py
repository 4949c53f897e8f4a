"""Separation with random weights: does a model give two graphs different invariant outputs?

For every seed a model with random weights embeds every graph of a :class:`PairDataset`
(``embed(adjacencies) -> (num_graphs, d)``) and ``copies`` randomly relabelled copies of it.

* gap of a pair ``(a, b)``: ``|e_a - e_b| / max(|e_a|, |e_b|)`` (Euclidean norms);
* noise floor of a graph: ``max_c |e_a - e_{pi_c a}| / |e_a|`` over its relabelled copies
  (the same weights; an exactly invariant model gives 0 up to rounding); the floor of a pair
  is the sum of its two graphs' floors (each of ``e_a``, ``e_b`` carries its own rounding
  error), at least the dtype's machine epsilon;
* verdict per seed: ``separated`` if gap > margin * floor (margin 10), ``not separated`` if
  gap <= floor, ``undecided`` in between;
* verdict over seeds: ``separated`` if some seed separates (generic weights reach the
  architecture's separation power, THEORY.md section 6), ``not separated`` if no seed is
  above its floor, else ``undecided``. Undecided pairs are reported, never hidden.

Any embedding can be plugged in: ``separate(ds, model=factory)`` with ``factory(seed) ->
embed``, or ``separate(ds, embed=[embed_0, embed_1])`` (one per seed). Presets of
:func:`equiact.sn.models.build_model` are wrapped by :func:`model_embedder` (float64 by
default; the invariant features are the input of the model's head, i.e. the invariant layer
plus pooling: an MLP on them separates whatever they separate).

>>> from equiact.separation.pairs import load_pairs
>>> res = separate(load_pairs("csl").subset(range(3)), "2-ign", seeds=1, hidden=4,
...                oracles=("1-wl",))
>>> res.verdicts, res.oracles["1-WL"].tolist()
(['not separated', 'not separated', 'not separated'], [False, False, False])
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from equiact.errors import InvalidInputError, unknown_name
from equiact.limits import progress as bar_for
from equiact.sn.data import _relabel as relabel

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DTYPES",
    "RANDOM_DEFAULTS",
    "VERDICTS",
    "SeparationResult",
    "estimate_bytes",
    "model_embedder",
    "pair_gaps",
    "separate",
    "verdict",
]

VERDICTS = ("separated", "not separated", "undecided")
DTYPES = ("float64", "float32")
#: Default memory budget of one model forward pass (bytes); raise it with ``max_bytes``.
DEFAULT_MAX_BYTES = 4 * 2**30
#: Graphs of one size are batched up to this estimated memory (bytes).
BATCH_BYTES = 512 * 2**20
# bytes of live activations per hidden entry and channel, from bench/separation.py
# (3-ign, n = 41 and 100, float64: peak RSS / (hidden * n^3 * 8) <= 16)
_BYTES_FACTOR = 16


def _torch_dtype(dtype):
    import torch

    if dtype in (torch.float64, torch.float32):
        return dtype
    if dtype not in DTYPES:
        raise InvalidInputError(f"dtype {dtype!r} unknown; use one of {DTYPES}")
    return torch.float64 if dtype == "float64" else torch.float32


def estimate_bytes(preset: str, n: int, hidden: int = 16, dtype="float64") -> int:
    """Rough peak memory of one graph's forward pass (activations), in bytes.

    >>> estimate_bytes("2-ign", 10, hidden=16) < estimate_bytes("3-ign", 10, hidden=16)
    True
    """
    from equiact.sn.models import PRESETS

    if preset not in PRESETS:
        raise unknown_name("model preset", preset, PRESETS)
    item = 8 if str(dtype).endswith("64") else 4
    entries = sum(math.prod(sp.feature_shape(n)) for sp in PRESETS[preset])  # dense layouts
    return _BYTES_FACTOR * hidden * max(entries, n * n) * item


def model_embedder(preset: str, seed: int = 0, dtype="float64", norm: str = "none",
                   hidden: int = 16, layers: int = 2, pooling: str = "mean",
                   max_bytes: int = DEFAULT_MAX_BYTES, features: str = "invariant", **kwargs):
    """``embed(adjacencies) -> ndarray (num_graphs, d)`` for a random-weight preset model.

    Weights come from ``torch.manual_seed(seed)`` (the global RNG state is restored); graphs
    are batched by size (:data:`BATCH_BYTES`); a graph whose forward pass is estimated above
    ``max_bytes`` is refused with an error naming its n. Further keyword arguments go to
    ``build_model`` (e.g. ``activation="tanh"`` where the installed models have it).
    ``features="invariant"``: the input of the model's head (the invariant features;
    ``model.features`` where the model has it); ``"output"``: the model's output
    (``out_dim=8``).

    >>> import numpy as np
    >>> embed = model_embedder("2-ign", seed=0, hidden=4)
    >>> embed([np.ones((3, 3)) - np.eye(3), np.zeros((3, 3))]).shape
    (2, 4)
    """
    import torch

    from equiact.sn.models import PRESETS, build_model

    if preset not in PRESETS:
        raise unknown_name("model preset", preset, PRESETS)
    if features not in ("invariant", "output"):
        raise InvalidInputError(f"features {features!r} unknown; use 'invariant' or 'output'")
    tdtype = _torch_dtype(dtype)
    import inspect

    accepted = inspect.signature(build_model).parameters
    for key in kwargs:
        if key not in accepted:
            raise InvalidInputError(
                f"build_model() of this installation takes no argument {key!r}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_model(preset, in_channels=1, out_dim=kwargs.pop("out_dim", 8),
                            hidden=hidden, layers=layers, pooling=pooling, norm=norm, **kwargs)
    model = model.to(tdtype).eval()
    captured = {}
    head = getattr(model, "head", None)
    use_features = features == "invariant" and callable(getattr(model, "features", None))
    if features == "invariant" and head is not None and not use_features:
        head.register_forward_pre_hook(lambda _m, inp: captured.__setitem__("x", inp[0]))
    dname = "float64" if tdtype == torch.float64 else "float32"

    def embed(adjacencies) -> np.ndarray:
        adjs = [np.asarray(a) for a in adjacencies]
        out: list = [None] * len(adjs)
        by_n: dict = {}
        for i, a in enumerate(adjs):
            by_n.setdefault(a.shape[0], []).append(i)
        for n, idx in by_n.items():
            per = estimate_bytes(preset, n, hidden, dname)
            if per > max_bytes:
                raise InvalidInputError(
                    f"{preset} on a graph with n = {n} needs about {per / 2**30:.1f} GiB "
                    f"(hidden {hidden}, {dname}), above the limit of {max_bytes / 2**30:.1f} "
                    "GiB; raise it with max_bytes (CLI: --max-memory GB) or use a smaller "
                    "model")
            step = max(1, int(min(max_bytes, BATCH_BYTES) // max(per, 1)))
            for s in range(0, len(idx), step):
                chunk = idx[s:s + step]
                x = torch.as_tensor(np.stack([adjs[i] for i in chunk]), dtype=tdtype)
                with torch.no_grad():
                    if use_features:
                        y = model.features(x.unsqueeze(1))
                    else:
                        y = model(x.unsqueeze(1))
                        if features == "invariant" and head is not None:
                            y = captured.pop("x")
                y = y.detach().to(torch.float64).numpy()
                for k, i in enumerate(chunk):
                    out[i] = y[k]
        return np.stack(out) if out else np.zeros((0, 0))

    embed.preset = preset
    embed.dtype = dname
    return embed


def _as_array(y, expected: int) -> np.ndarray:
    if hasattr(y, "detach"):
        y = y.detach().cpu().double().numpy()
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != expected:
        raise InvalidInputError(
            f"the embedding returned shape {y.shape}; expected ({expected}, d)")
    if not np.isfinite(y).all():
        raise InvalidInputError("the embedding returned NaN or inf values")
    return y


def pair_gaps(dataset, embed, copies: int = 3, rng=None, eps: float = 2.0**-52,
              chunk: int = 256, on_progress=None):
    """Relative gaps ``(P,)`` and noise floors ``(P,)`` of every pair under one embedding.

    ``embed`` is called on chunks of at most ``chunk`` graphs (originals, then relabelled
    copies); ``on_progress(k)`` is called after each chunk of ``k`` graphs.

    >>> from equiact.separation.pairs import load_pairs
    >>> gaps, floors = pair_gaps(load_pairs("rook-shrikhande"), model_embedder("2-ign"))
    >>> bool(gaps[0] <= floors[0])
    True
    """
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise InvalidInputError(f"copies = {copies!r}; give a positive integer")
    rng = np.random.default_rng(rng)
    used = np.unique(dataset.index)
    graphs = [dataset.graphs[i] for i in used]
    batch = list(graphs)
    for _ in range(copies):
        batch.extend(relabel(a, rng) for a in graphs)
    parts = []
    for start in range(0, len(batch), chunk):
        part = batch[start:start + chunk]
        parts.append(_as_array(embed(part), len(part)))
        if on_progress is not None:
            on_progress(len(part))
    if len({p.shape[1] for p in parts}) > 1:
        raise InvalidInputError("the embedding returned vectors of different lengths")
    y = np.concatenate(parts)
    g = len(graphs)
    base = y[:g]
    norm = np.linalg.norm(base, axis=1)
    tiny = np.finfo(np.float64).tiny
    floor = np.zeros(g)
    for c in range(copies):
        d = np.linalg.norm(base - y[g * (c + 1):g * (c + 2)], axis=1)
        floor = np.maximum(floor, d / np.maximum(norm, tiny))
    pos = np.full(len(dataset.graphs), -1)
    pos[used] = np.arange(g)
    ia, ib = pos[dataset.index[:, 0]], pos[dataset.index[:, 1]]
    gaps = np.linalg.norm(base[ia] - base[ib], axis=1) / np.maximum(
        np.maximum(norm[ia], norm[ib]), tiny)
    floors = np.maximum(floor[ia] + floor[ib], eps)
    return gaps, floors


def verdict(gaps, floors, margin: float = 10.0) -> list:
    """Per-pair verdicts over seeds from ``(P, S)`` gaps and floors.

    >>> verdict([[1e-3, 1e-16]], [[1e-15, 1e-15]]), verdict([[5e-15]], [[1e-15]])
    (['separated'], ['undecided'])
    """
    g = np.atleast_2d(np.asarray(gaps, dtype=np.float64))
    f = np.atleast_2d(np.asarray(floors, dtype=np.float64))
    sep = (g > margin * f).any(axis=1)
    below = (g <= f).all(axis=1)
    return ["separated" if s else "not separated" if b else "undecided"
            for s, b in zip(sep, below)]


@dataclass
class SeparationResult:
    """Per-pair gaps, floors, verdicts and oracle answers of one model on one data set."""

    dataset: object
    model: str
    gaps: np.ndarray            # (P, seeds)
    floors: np.ndarray          # (P, seeds)
    verdicts: list
    oracles: dict = field(default_factory=dict)   # oracle name -> bool (P,) separated
    settings: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    def counts(self, mask=None) -> dict:
        """Numbers of pairs per verdict (and oracle separations) over a boolean pair mask."""
        mask = np.ones(len(self.verdicts), bool) if mask is None else np.asarray(mask)
        v = np.asarray(self.verdicts, dtype=object)[mask]
        out = {"pairs": int(mask.sum())}
        for name, sep in self.oracles.items():
            out[name] = int(np.asarray(sep)[mask].sum())
        for k in VERDICTS:
            out[k] = int((v == k).sum())
        return out

    def table(self) -> list:
        """One row (dict) per category plus a ``total`` row."""
        cats = np.asarray(self.dataset.categories, dtype=object)
        rows = [{"category": c, **self.counts(cats == c)} for c in self.dataset.category_names]
        if len(rows) > 1:
            rows.append({"category": "total", **self.counts()})
        return rows

    def pairs_with(self, which: str) -> list:
        """``(name, category, max gap, floor)`` of the pairs with one verdict."""
        if which not in VERDICTS:
            raise unknown_name("verdict", which, VERDICTS)
        out = []
        for p, v in enumerate(self.verdicts):
            if v == which:
                s = int(np.argmax(self.gaps[p] / self.floors[p]))
                out.append((self.dataset.names[p], self.dataset.categories[p],
                            float(self.gaps[p, s]), float(self.floors[p, s])))
        return out

    def missed(self, oracle: str) -> list:
        """Names of pairs the oracle separates but the model does not (verdict not separated)."""
        sep = np.asarray(self.oracles[oracle])
        return [self.dataset.names[p] for p in np.nonzero(sep)[0]
                if self.verdicts[p] == "not separated"]

    def to_dict(self, pairs: bool = False) -> dict:
        """JSON-ready summary (with ``pairs=True`` every pair's gaps, floors and verdict)."""
        d = {"dataset": self.dataset.title, "model": self.model, "settings": self.settings,
             "timings": self.timings, "table": self.table(),
             "undecided": [{"pair": n, "category": c, "gap": g, "floor": f}
                           for n, c, g, f in self.pairs_with("undecided")]}
        if pairs:
            d["pairs"] = [
                {"pair": self.dataset.names[p], "category": self.dataset.categories[p],
                 "verdict": self.verdicts[p], "gaps": self.gaps[p].tolist(),
                 "floors": self.floors[p].tolist(),
                 **{k: bool(v[p]) for k, v in self.oracles.items()}}
                for p in range(len(self.verdicts))]
        return d


#: Defaults of the random-weight protocol (``None`` arguments of :func:`separate`).
RANDOM_DEFAULTS = {"seeds": 3, "dtype": "float64", "norm": "none", "hidden": 16, "layers": 2,
                   "pooling": "mean"}


def separate(dataset, model="2-ign", *, seeds: int | None = None, dtype: str | None = None,
             norm: str | None = None, hidden: int | None = None, layers: int | None = None,
             pooling: str | None = None, copies: int = 3, margin: float = 10.0,
             oracles=("1-wl", "2-fwl"), seed: int = 0,
             embed=None, max_bytes: int = DEFAULT_MAX_BYTES, protocol: str = "random",
             progress: bool = False, mode: str = "all", oracle_rounds: int | None = None,
             **kwargs) -> SeparationResult:
    """Which pairs of ``dataset`` does ``model`` separate (random weights), beside the oracles.

    ``dataset``: a :class:`~equiact.separation.pairs.PairDataset`, a data-set name or a graph
    file (:func:`~equiact.separation.pairs.load_pairs`). ``model``: a preset name of
    :func:`equiact.sn.models.build_model` or a callable ``factory(seed) -> embed``; or give
    ``embed`` (a callable or a list of them, one per seed). Seeds are ``seed .. seed+seeds-1``.
    ``protocol="brec"`` hands over to :mod:`equiact.separation.brec` (trained models).
    ``max_bytes`` limits one forward pass and one 2-FWL round. ``oracle_rounds``: run the
    oracles for that many refinement rounds only (columns named
    e.g. ``2-FWL(2)``), to compare with a model of limited depth. Options left at ``None``
    take the protocol's defaults (random: :data:`RANDOM_DEFAULTS`).
    """
    from equiact.separation.pairs import load_pairs

    ds = load_pairs(dataset, mode=mode)
    if protocol not in ("random", "brec"):
        raise unknown_name("separation protocol", protocol, ("random", "brec"))
    given = {k: v for k, v in (("seeds", seeds), ("dtype", dtype), ("norm", norm),
                               ("hidden", hidden), ("layers", layers), ("pooling", pooling))
             if v is not None}
    if protocol == "brec":
        if max_bytes != DEFAULT_MAX_BYTES:
            given["max_bytes"] = max_bytes
        return _brec(ds, model, oracles=oracles, seed=seed, progress=progress, **given,
                     **kwargs)
    opts = {**RANDOM_DEFAULTS, **given}
    seeds, dtype, norm = opts["seeds"], opts["dtype"], opts["norm"]
    hidden, layers, pooling = opts["hidden"], opts["layers"], opts["pooling"]
    for name, v in (("seeds", seeds), ("hidden", hidden), ("layers", layers),
                    ("copies", copies)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InvalidInputError(f"{name} = {v!r}; give a positive integer")
    if not margin > 1:
        raise InvalidInputError(f"margin = {margin!r}; give a number > 1")
    if dtype not in DTYPES:
        raise InvalidInputError(f"dtype {dtype!r} unknown; use one of {DTYPES}")
    eps = float(np.finfo(np.float64 if dtype == "float64" else np.float32).eps)
    from equiact.separation.oracles import ORACLES, oracle_separates

    if isinstance(oracles, str):
        oracles = [o for o in oracles.split(",") if o.strip()]
    oracles = [str(o).strip().lower() for o in oracles]
    for o in oracles:
        if o not in ORACLES:
            raise unknown_name("oracle", o, ORACLES)
    if embed is not None:
        embeds = list(embed) if isinstance(embed, (list, tuple)) else [embed]
        if not embeds or not all(callable(e) for e in embeds):
            raise InvalidInputError("embed must be a callable or a non-empty list of them")
        factory = None
        label = getattr(embeds[0], "preset", model if isinstance(model, str) else "custom")
        seeds = len(embeds)
    elif callable(model):
        factory, label = model, getattr(model, "__name__", "custom")
    else:
        from equiact.sn.models import PRESETS

        if model not in PRESETS:
            raise unknown_name("model preset", model, PRESETS)
        label = model

        def factory(s):
            return model_embedder(model, seed=s, dtype=dtype, norm=norm, hidden=hidden,
                                  layers=layers, pooling=pooling, max_bytes=max_bytes, **kwargs)

    n_graphs = len(np.unique(ds.index))
    bar = bar_for(seeds * n_graphs * (1 + copies), f"{label} on {ds.title or 'pairs'}",
                  on=progress, unit="graph")
    p = len(ds)
    gaps, floors = np.zeros((p, seeds)), np.zeros((p, seeds))
    t_model = 0.0
    for s in range(seeds):
        fn = embeds[s] if factory is None else factory(seed + s)
        t0 = time.process_time()
        gaps[:, s], floors[:, s] = pair_gaps(ds, fn, copies=copies, rng=[seed, s], eps=eps,
                                             on_progress=bar.update)
        t_model += time.process_time() - t0
    result_oracles, t_oracle = {}, {}
    if oracles:
        bar.set_description(f"{label}: oracles")
    for key in oracles:
        col = ORACLES[key] if oracle_rounds is None else f"{ORACLES[key]}({oracle_rounds})"
        t0 = time.process_time()
        result_oracles[col] = oracle_separates(ds, key, rounds=oracle_rounds,
                                               max_bytes=max_bytes)
        t_oracle[col] = time.process_time() - t0
    bar.close()
    settings = {"protocol": "random", "seeds": seeds, "seed": seed, "dtype": dtype,
                "norm": norm, "hidden": hidden, "layers": layers, "pooling": pooling,
                "copies": copies, "margin": margin, "oracle_rounds": oracle_rounds}
    timings = {"model_cpu_s": t_model, "graphs": n_graphs,
               "model_cpu_s_per_graph": t_model / max(1, n_graphs * seeds * (1 + copies)),
               **{f"{k}_cpu_s": v for k, v in t_oracle.items()}}
    return SeparationResult(ds, label, gaps, floors, verdict(gaps, floors, margin),
                            result_oracles, settings, timings)


def _brec(ds, model, **kwargs):
    import importlib

    try:
        brec = importlib.import_module("equiact.separation.brec")
    except ModuleNotFoundError as err:
        if err.name != "equiact.separation.brec":
            raise
        raise InvalidInputError(
            "--protocol brec needs equiact.separation.brec (the published BREC protocol with "
            "training), which this installation does not have; use --protocol random") from err
    fn = getattr(brec, "separate", None)
    if fn is None:
        raise InvalidInputError("equiact.separation.brec has no separate() function")
    return fn(ds, model, **kwargs)
