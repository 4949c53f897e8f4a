"""Stratified k-fold cross-validation on CSL (150 graphs, 10 classes).

Models:

* a preset of :func:`equiact.sn.models.build_model` (``3-ign``, ``mixed``, ``2-ign``,
  ``tuples``) with ``norm="orbit"``: the equivariant body keeps its random initial weights and
  the head (BatchNorm + MLP on the invariant features, :meth:`GraphModel.features`) is
  trained per fold. The body is exactly invariant, so every relabelled copy of a graph gets
  the same features (up to rounding); once the body separates the 10 classes (3-IGN and the
  subset model do, 2-IGN and tuples cannot: CSL is 1-WL-equivalent), fitting the head is easy.
  ``train_body=True`` trains all weights end to end instead (slower).
* ``"gin"``: a GIN from ``torch_geometric`` (``pip install torch_geometric==2.8.1``) trained
  end to end, the usual 1-WL-bounded baseline.

>>> res = csl_cross_validation("2-ign", folds=2, copies=2, hidden=2, layers=1, epochs=5)
>>> len(res.accuracies), 0.0 <= res.mean <= 1.0
(2, True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from equiact.cli.threads import set_torch_threads
from equiact.errors import InvalidInputError
from equiact.limits import progress as bar_for
from equiact.sn.models import refresh_batchnorm

__all__ = ["CVResult", "csl_cross_validation", "stratified_folds", "CSL_MODELS"]

CSL_MODELS = ("3-ign", "mixed", "2-ign", "tuples", "gin")


def stratified_folds(labels, folds: int, seed: int = 0) -> list:
    """Test indices of each fold: every class is spread evenly over the folds.

    >>> [sorted(f) for f in stratified_folds([0, 0, 1, 1], 2, seed=0)]
    [[0, 2], [1, 3]]
    """
    labels = np.asarray(labels)
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise InvalidInputError(f"folds = {folds!r}; give an integer >= 2")
    counts = np.bincount(labels)
    if counts[counts > 0].min() < folds:
        raise InvalidInputError(
            f"a class has {int(counts[counts > 0].min())} graphs, fewer than {folds} folds")
    rng = np.random.default_rng(seed)
    out: list = [[] for _ in range(folds)]
    for c in np.unique(labels):
        idx = rng.permutation(np.nonzero(labels == c)[0])
        for i, j in enumerate(idx):
            out[i % folds].append(int(j))
    return out


@dataclass
class CVResult:
    """Per-fold test accuracies (and train accuracies) of :func:`csl_cross_validation`."""

    model: str
    accuracies: list
    train_accuracies: list
    settings: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    @property
    def mean(self) -> float:
        return float(np.mean(self.accuracies))

    @property
    def std(self) -> float:
        return float(np.std(self.accuracies))

    def to_dict(self) -> dict:
        return {"model": self.model, "mean": self.mean, "std": self.std,
                "accuracies": self.accuracies, "train_accuracies": self.train_accuracies,
                "settings": self.settings, "timings": self.timings}


def _fit_head(head, feats, labels, train_idx, epochs: int, lr: float):
    import torch

    opt = torch.optim.Adam(head.parameters(), lr=lr)
    x, y = feats[train_idx], labels[train_idx]
    for _ in range(epochs):
        head.train()
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(head(x), y)
        loss.backward()
        opt.step()
    refresh_batchnorm(head, lambda: head(x))


def _accuracy(logits, y) -> float:
    return float((logits.argmax(1) == y).double().mean())


def csl_cross_validation(model: str = "3-ign", *, folds: int = 5, hidden: int = 8,
                         layers: int = 3, epochs: int = 300, lr: float = 1e-2,
                         dtype: str = "float32", seed: int = 0, copies: int = 15,
                         train_body: bool = False, batch_size: int = 10,
                         threads: int | None = None, progress: bool = False) -> CVResult:
    """Stratified ``folds``-fold cross-validation accuracy on CSL.

    ``epochs``: full-batch Adam steps of the head (frozen body), or epochs over mini-batches of
    ``batch_size`` graphs when the whole model is trained (``train_body=True``, and ``gin``).
    Every fold starts from the same initial weights (``seed``).
    """
    import torch

    from equiact.separation.protocol import _torch_dtype
    from equiact.sn.data import csl_dataset

    if model not in CSL_MODELS:
        from equiact.errors import unknown_name

        raise unknown_name("CSL model", model, CSL_MODELS)
    for name, v in (("epochs", epochs), ("hidden", hidden), ("layers", layers),
                    ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InvalidInputError(f"{name} = {v!r}; give a positive integer")
    tdtype = _torch_dtype(dtype)
    old_threads = set_torch_threads(threads)
    try:
        data = csl_dataset(copies=copies, seed=seed)
        labels = torch.tensor([int(s.y) for s in data])
        test_folds = stratified_folds(labels.numpy(), folds, seed=seed)
        settings = {"folds": folds, "hidden": hidden, "layers": layers, "epochs": epochs,
                    "lr": lr, "dtype": dtype, "seed": seed, "copies": copies,
                    "train_body": bool(train_body or model == "gin")}
        t0 = time.process_time()
        if model == "gin":
            accs, train_accs = _gin_cv(data, labels, test_folds, hidden, layers, epochs, lr,
                                       seed, batch_size, tdtype, progress)
        else:
            accs, train_accs = _sn_cv(model, data, labels, test_folds, hidden, layers, epochs,
                                      lr, seed, batch_size, tdtype, train_body, progress)
        timings = {"cpu_s": round(time.process_time() - t0, 2)}
    finally:
        torch.set_num_threads(old_threads)
    return CVResult(model, accs, train_accs, settings, timings)


def _train_fold(init, forward, labels, train, epochs, lr, seed, batch_size, bar):
    """A copy of ``init`` trained with Adam on the graphs ``train`` (``forward(model, batch)``
    gives the logits of a batch of indices); batches of one graph are skipped (BatchNorm)."""
    import copy

    import torch

    model = copy.deepcopy(init)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        model.train()
        order = rng.permutation(train)
        for i in range(0, len(order), batch_size):
            b = order[i:i + batch_size]
            if len(b) < 2:
                continue
            opt.zero_grad()
            torch.nn.functional.cross_entropy(forward(model, b), labels[b]).backward()
            opt.step()
        bar.update(1)
    return model


def _sn_cv(preset, data, labels, test_folds, hidden, layers, epochs, lr, seed, batch_size,
           tdtype, train_body, progress):
    import copy

    import torch

    from equiact.sn.models import build_model

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        init = build_model(preset, 1, 10, hidden=hidden, layers=layers, norm="orbit")
    init = init.to(tdtype)
    x = torch.stack([s.x for s in data]).to(tdtype)
    accs, train_accs = [], []
    everything = np.arange(len(data))
    if not train_body:
        bar = bar_for(len(data) // batch_size + len(test_folds), f"CSL {preset}", on=bool(progress))
        feats = []
        with torch.no_grad():
            init.eval()
            for i in range(0, len(data), batch_size):
                feats.append(init.features(x[i:i + batch_size]))
                bar.update(1)
        feats = torch.cat(feats)
        for test in test_folds:
            train = np.setdiff1d(everything, test)
            head = copy.deepcopy(init.head)
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                _fit_head(head, feats, labels, train, epochs, lr)
            with torch.no_grad():
                accs.append(_accuracy(head(feats[test]), labels[test]))
                train_accs.append(_accuracy(head(feats[train]), labels[train]))
            bar.update(1)
        bar.close()
        return accs, train_accs
    bar = bar_for(len(test_folds) * epochs, f"CSL {preset} (end to end)", on=bool(progress))
    for test in test_folds:
        train = np.setdiff1d(everything, test)
        model = _train_fold(init, lambda m, b: m(x[b]), labels, train, epochs, lr, seed,
                            batch_size, bar)
        refresh_batchnorm(model, lambda tr=train, m=model: [m(x[tr[i:i + batch_size]])
                                                      for i in range(0, len(tr), batch_size)])
        with torch.no_grad():
            accs.append(_accuracy(model(x[test]), labels[test]))
            train_accs.append(_accuracy(torch.cat([model(x[train[i:i + batch_size]])
                                                   for i in range(0, len(train), batch_size)]),
                                        labels[train]))
    bar.close()
    return accs, train_accs


def _gin_cv(data, labels, test_folds, hidden, layers, epochs, lr, seed, batch_size, tdtype,
            progress):

    import torch

    try:
        from torch_geometric.data import Batch, Data
        from torch_geometric.nn import GIN, global_add_pool
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise InvalidInputError(
            "the GIN baseline needs torch_geometric: pip install torch_geometric==2.8.1"
        ) from err

    class _GIN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.gin = GIN(1, hidden, layers, hidden)
            self.out = torch.nn.Linear(hidden, 10)

        def forward(self, batch):
            h = self.gin(batch.x, batch.edge_index)
            return self.out(global_add_pool(h, batch.batch))

    graphs = []
    for s in data:
        a = s.x[0]
        ei = torch.nonzero(a).T.contiguous()
        graphs.append(Data(x=torch.ones(a.shape[0], 1, dtype=tdtype), edge_index=ei))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        init = _GIN().to(tdtype)
    everything = np.arange(len(data))
    accs, train_accs = [], []
    bar = bar_for(len(test_folds) * epochs, "CSL gin", on=bool(progress))
    for test in test_folds:
        train = np.setdiff1d(everything, test)
        model = _train_fold(init, lambda m, b: m(Batch.from_data_list([graphs[j] for j in b])),
                            labels, train, epochs, lr, seed, batch_size, bar)
        model.eval()
        with torch.no_grad():
            accs.append(_accuracy(model(Batch.from_data_list([graphs[j] for j in test])),
                                  labels[test]))
            train_accs.append(_accuracy(model(Batch.from_data_list([graphs[j] for j in train])),
                                        labels[train]))
    bar.close()
    return accs, train_accs
