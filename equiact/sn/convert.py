"""Your graphs as training samples: networkx, graph6, edge lists, PyTorch Geometric, files.

Every converter returns :class:`~equiact.sn.data.GraphSample` objects (a ``(C, n, n)`` tensor:
the adjacency, then node features on the diagonal, then edge features off it; and a target).
Targets: an ``int`` (or an integer tensor) is a class label (classification), a float or a
sequence of floats a regression target.

* :func:`graph_sample` / :func:`samples_from_graphs`: anything :func:`equiact.graphs.as_graph`
  reads (networkx graph, graph6 string, adjacency matrix, list of edges), plus numeric
  networkx node/edge attributes as feature channels;
* :func:`from_pyg` / :func:`to_pyg`: PyTorch Geometric ``Data``/``Batch`` (optional extra,
  ``pip install torch_geometric==2.8.1``);
* :func:`as_samples`: a mixed list of the above (what ``train(TrainConfig(dataset=[...]))``
  takes);
* :func:`read_dataset_file`: the text format of ``equiact train --dataset FILE``, one graph per
  line with its targets::

      # task: classification          (optional; otherwise inferred, see below)
      graph6  target  [target ...]    (separated by tabs, commas or spaces)

  An optional header line whose first field is ``graph`` names the target columns. The graph
  field is a graph6 string or, if it contains ``.`` or ``/`` (characters graph6 never uses),
  the path of an edge-list file (``u v`` per line) or a one-graph ``.g6``/``.graph6``/``.npy``
  file (:func:`equiact.graphs.read_graphs`), relative to the data set file. Without a
  ``# task:`` line the task is *classification* when there is one target column and every
  target is a non-negative integer written without a decimal point (``0``, ``1``, ``7``), and
  *regression* otherwise (write ``1.0`` to force regression, or add
  ``# task: regression``). Lines starting with ``#`` are comments.

>>> import networkx as nx
>>> s = graph_sample(nx.cycle_graph(4), 2)
>>> s.x.shape, s.y.dtype, s.y.item()
(torch.Size([1, 4, 4]), torch.int64, 2)
>>> graph_sample("Bg", [0.5, 1.0]).y.tolist()     # graph6 for the path on 3 nodes
[0.5, 1.0]
>>> samples, task, out_dim, names = parse_dataset_text("Bg 1\\nBw 0\\n")
>>> len(samples), task, out_dim, names
(2, 'classification', 2, ['target'])
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import torch

from equiact.errors import InvalidInputError
from equiact.sn.data import GraphSample, default_target_names

__all__ = [
    "MAX_CLASSES",
    "PYG_PIN",
    "graph_sample",
    "samples_from_graphs",
    "from_pyg",
    "to_pyg",
    "as_samples",
    "infer_task",
    "parse_dataset_text",
    "read_dataset_file",
]

#: The torch_geometric version the conversions are tested with (optional extra ``pyg``).
PYG_PIN = "torch_geometric==2.8.1"

_INT = re.compile(r"^\+?\d+$")


def _target(y, where: str) -> torch.Tensor:
    """A class label (int -> int64 scalar) or a regression target (float32 vector)."""
    if isinstance(y, torch.Tensor):
        t = y.detach().cpu()
        if t.dtype in (torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8):
            if t.numel() != 1:
                raise InvalidInputError(
                    f"{where}: integer target has {t.numel()} values; a class label is one "
                    "integer (use floats for regression targets)")
            return t.reshape(()).to(torch.int64)
        if t.dtype == torch.bool:
            return t.reshape(-1).to(torch.float32)
        t = t.reshape(-1).to(torch.float32)
    elif isinstance(y, (bool, np.bool_)):
        t = torch.tensor([float(y)])
    elif isinstance(y, (int, np.integer)):
        if not -(2**63) <= int(y) < 2**63:
            raise InvalidInputError(
                f"{where}: class label {y} does not fit in 64 bits; labels are 0, 1, 2, ... "
                "(use a float for a regression target)")
        return torch.tensor(int(y), dtype=torch.int64)
    else:
        try:
            t = torch.as_tensor(np.asarray(y, dtype=np.float64), dtype=torch.float32).reshape(-1)
        except (TypeError, ValueError) as err:
            raise InvalidInputError(
                f"{where}: target {y!r} is not a number or a sequence of numbers") from err
    if not torch.isfinite(t).all():
        raise InvalidInputError(f"{where}: target {t.tolist()} is not finite")
    return t


def _check_label(y: torch.Tensor, where: str) -> None:
    if y.dtype == torch.int64 and int(y) < 0:
        raise InvalidInputError(f"{where}: class label {int(y)} is negative; use 0, 1, 2, ...")


def graph_sample(graph, y=None, node_attrs=(), edge_attrs=(), name: str = "") -> GraphSample:
    """One sample from a graph (networkx, graph6, adjacency, edge list) and its target.

    ``node_attrs``/``edge_attrs``: names of numeric networkx attributes that become node
    feature channels (on the diagonal) and edge feature channels (off it). ``y=None`` makes an
    unlabelled sample (for prediction).

    >>> import networkx as nx
    >>> g = nx.path_graph(3)
    >>> nx.set_node_attributes(g, {0: 1.0, 1: 2.0, 2: 3.0}, "w")
    >>> graph_sample(g, 1.5, node_attrs=["w"]).x[1].diagonal().tolist()
    [1.0, 2.0, 3.0]
    """
    from equiact.graphs import _node_order, as_graph, to_adjacency
    from equiact.sn.models import graph_tensor

    where = name or "graph"
    orig = graph
    g = as_graph(graph, where)
    n = g.number_of_nodes()
    adj = to_adjacency(g, np.float32)
    nodes = edges = None
    if node_attrs or edge_attrs:
        import networkx as nx

        if not isinstance(orig, nx.Graph):
            raise InvalidInputError(f"{where}: node_attrs/edge_attrs need a networkx graph")
        index = {v: i for i, v in enumerate(_node_order(orig))}
        if node_attrs:
            nodes = np.zeros((n, len(node_attrs)), dtype=np.float32)
            for v, data in orig.nodes(data=True):
                for c, a in enumerate(node_attrs):
                    nodes[index[v], c] = _attr(data, a, f"{where}: node {v!r}")
        if edge_attrs:
            edges = np.zeros((n, n, len(edge_attrs)), dtype=np.float32)
            for u, v, data in orig.edges(data=True):
                for c, a in enumerate(edge_attrs):
                    val = _attr(data, a, f"{where}: edge {(u, v)!r}")
                    edges[index[u], index[v], c] = edges[index[v], index[u], c] = val
    x = graph_tensor(adj, node_features=nodes, edge_features=edges)
    yt = torch.zeros(0) if y is None else _target(y, where)
    _check_label(yt, where)
    return GraphSample(x, yt, name=name, node_channels=len(node_attrs or ()))


def _attr(data: dict, key: str, where: str) -> float:
    if key not in data:
        raise InvalidInputError(f"{where} has no attribute {key!r}")
    try:
        val = float(data[key])
    except (TypeError, ValueError) as err:
        raise InvalidInputError(
            f"{where}: attribute {key!r} = {data[key]!r} is not a number") from err
    if not math.isfinite(val):
        raise InvalidInputError(f"{where}: attribute {key!r} = {val} is not finite")
    return val


def samples_from_graphs(graphs, targets, names=None) -> list[GraphSample]:
    """Samples from parallel sequences of graphs and targets (``targets=None``: unlabelled).

    >>> [s.y.item() for s in samples_from_graphs(["Bg", "Bw"], [0, 1])]
    [0, 1]
    """
    graphs = list(graphs)
    targets = [None] * len(graphs) if targets is None else list(targets)
    if len(targets) != len(graphs):
        raise InvalidInputError(
            f"{len(graphs)} graphs but {len(targets)} targets; give one target per graph")
    names = [f"graph {i}" for i in range(len(graphs))] if names is None else list(names)
    return [graph_sample(g, y, name=str(nm)) for g, y, nm in zip(graphs, targets, names)]


def _need_pyg():
    try:
        import torch_geometric  # noqa: F401
        from torch_geometric.data import Data
    except ImportError as err:
        raise InvalidInputError(
            f"PyTorch Geometric is not installed; install it with `pip install {PYG_PIN}` "
            "(or `pip install -e '.[pyg]'`)") from err
    return Data


def _is_pyg(obj) -> bool:
    return hasattr(obj, "edge_index") and hasattr(obj, "num_nodes") and \
        type(obj).__module__.startswith("torch_geometric")


def from_pyg(data) -> list[GraphSample]:
    """Samples from a PyG ``Data`` (one graph) or ``Batch`` (several).

    ``edge_index`` becomes the adjacency channel (as given: list both directions for an
    undirected graph), ``x`` (n, F) node channels, ``edge_attr`` (E, D) edge channels, ``y``
    the target (an integer tensor with one value is a class label).
    """
    _need_pyg()
    if hasattr(data, "to_data_list") and getattr(data, "batch", None) is not None:
        return [s for d in data.to_data_list() for s in from_pyg(d)]
    if not _is_pyg(data):
        raise InvalidInputError(
            f"expected a torch_geometric Data or Batch, got {type(data).__name__}")
    n = int(data.num_nodes or 0)
    ei = data.edge_index
    if ei is None:
        ei = torch.zeros(2, 0, dtype=torch.int64)
    if ei.dim() != 2 or ei.shape[0] != 2:
        raise InvalidInputError(f"edge_index has shape {tuple(ei.shape)}; expected (2, E)")
    if ei.numel() and (int(ei.min()) < 0 or int(ei.max()) >= n):
        raise InvalidInputError(
            f"edge_index uses node {int(ei.max())} (or a negative one) but num_nodes = {n}")
    from equiact.graphs import _check_nodes

    _check_nodes(n, "PyG graph")
    chans = [torch.zeros(n, n)]
    chans[0][ei[0], ei[1]] = 1.0
    f = 0
    if getattr(data, "x", None) is not None:
        xf = data.x.detach().to(torch.float32).reshape(n, -1)
        f = xf.shape[1]
        chans.extend(torch.diag_embed(xf.T))
    ea = getattr(data, "edge_attr", None)
    if ea is not None:
        ea = ea.detach().to(torch.float32).reshape(ei.shape[1], -1)
        e = torch.zeros(ea.shape[1], n, n)
        e[:, ei[0], ei[1]] = ea.T
        chans.extend(e)
    y = getattr(data, "y", None)
    yt = torch.zeros(0) if y is None else _target(y, "PyG graph")
    _check_label(yt, "PyG graph")
    return [GraphSample(torch.stack(chans), yt, name=str(getattr(data, "name", "") or ""),
                        node_channels=f)]


def to_pyg(samples):
    """PyG ``Data`` objects from samples (the inverse of :func:`from_pyg`).

    Node channels (``sample.node_channels`` after the adjacency) become ``x``; the remaining
    channels become ``edge_attr``, read at the edges of the adjacency channel.
    """
    Data = _need_pyg()
    if isinstance(samples, GraphSample):
        samples = [samples]
    out = []
    for s in samples:
        adj = s.x[0]
        ei = adj.nonzero().T.contiguous()
        kw = {"edge_index": ei, "num_nodes": s.n}
        f = s.node_channels
        if f:
            kw["x"] = torch.diagonal(s.x[1:1 + f], dim1=1, dim2=2).T.contiguous()
        if s.x.shape[0] > 1 + f:
            kw["edge_attr"] = s.x[1 + f:, ei[0], ei[1]].T.contiguous()
        if s.y.numel():
            kw["y"] = s.y.reshape(1) if s.y.dtype == torch.int64 else s.y.reshape(1, -1)
        out.append(Data(**kw))
    return out


def as_samples(items) -> list[GraphSample]:
    """A list of samples from ``GraphSample``s, PyG ``Data``/``Batch`` objects and
    ``(graph, target)`` pairs (graph: anything :func:`graph_sample` takes)."""
    if isinstance(items, GraphSample) or _is_pyg(items):
        items = [items]
    try:
        items = list(items)
    except TypeError:
        raise InvalidInputError(
            f"data set: a {type(items).__name__} is not a data set; give a built-in name, a "
            "file path, or a list of samples") from None
    out = []
    for i, it in enumerate(items):
        if isinstance(it, GraphSample):
            out.append(it)
        elif _is_pyg(it):
            out.extend(from_pyg(it))
        elif isinstance(it, tuple) and len(it) == 2:
            out.append(graph_sample(it[0], it[1], name=f"graph {i}"))
        else:
            raise InvalidInputError(
                f"item {i} is a {type(it).__name__}; give GraphSample objects, PyG Data, or "
                "(graph, target) pairs")
    if not out:
        raise InvalidInputError("the data set is empty; give at least 2 graphs")
    return out


#: Class labels are 0 .. MAX_CLASSES - 1 (the model has one output per class).
MAX_CLASSES = 10_000


def _check_classes(largest: int, where: str) -> int:
    """The number of classes for a largest label, refused above :data:`MAX_CLASSES`."""
    if largest >= MAX_CLASSES:
        raise InvalidInputError(
            f"{where}: class label {largest} would need {largest + 1} outputs, more than "
            f"MAX_CLASSES = {MAX_CLASSES}; number the classes 0, 1, 2, ... or, for a numeric "
            "target, use task 'regression' (--task regression)")
    return largest + 1


def infer_task(samples, task: str = "auto"):
    """``(task, out_dim)`` of labelled samples: integer labels -> classification.

    >>> infer_task(samples_from_graphs(["Bg", "Bw"], [0, 2]))
    ('classification', 3)
    """
    if task not in ("auto", "classification", "regression"):
        raise InvalidInputError(
            f"task {task!r} unknown; use 'auto', 'classification' or 'regression'")
    if not samples:
        raise InvalidInputError("the data set is empty")
    ints = [s.y.dtype == torch.int64 for s in samples]
    if task == "auto":
        task = "classification" if all(ints) else "regression"
    chans = {s.x.shape[0] for s in samples}
    if len(chans) > 1:
        raise InvalidInputError(f"samples have different channel counts {sorted(chans)}; "
                                "every graph needs the same node/edge features")
    if task == "classification":
        labels = []
        for i, s in enumerate(samples):
            v = s.y.reshape(-1)
            if v.numel() != 1 or float(v) != int(v) or int(v) < 0:
                raise InvalidInputError(
                    f"sample {i} ({s.name or 'unnamed'}): target {v.tolist()} is not a class "
                    "label (one non-negative integer); use task 'regression'")
            labels.append(int(v))
            s.y = torch.tensor(int(v), dtype=torch.int64)
        return task, _check_classes(max(labels), "data set")
    dims = {s.y.numel() for s in samples}
    if len(dims) > 1 or 0 in dims:
        raise InvalidInputError(
            f"targets have {sorted(dims)} values per graph; every graph needs the same number "
            "(>= 1)")
    for s in samples:
        s.y = s.y.reshape(-1).to(torch.float32)
    return task, dims.pop()


def _split_fields(line: str) -> list[str]:
    return [f for f in re.split(r"[\t,]|\s+", line.strip()) if f]


def parse_dataset_text(text: str, where: str = "data set", base: Path | None = None,
                       require_targets: bool = True, task: str = "auto"):
    """``(samples, task, out_dim, target_names)`` from the text of a data set file."""
    from equiact.graphs import parse_graph6, read_graphs

    declared = None
    names = None
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            m = re.match(r"#\s*task\s*[:=]\s*(\S+)", s)
            if m:
                declared = m.group(1).lower()
                if declared not in ("classification", "regression"):
                    raise InvalidInputError(
                        f"{where}: line {lineno}: task {declared!r} unknown; write "
                        "'# task: classification' or '# task: regression'")
            continue
        fields = _split_fields(s)
        if names is None and not rows and fields[0].lower() == "graph":
            names = fields[1:]
            continue
        rows.append((lineno, fields))
    if not rows:
        raise InvalidInputError(f"{where} holds no graphs (one line per graph: 'graph6 target')")
    widths = {len(f) - 1 for _, f in rows}
    if len(widths) > 1:
        ln, f = next((ln, f) for ln, f in rows if len(f) - 1 != len(rows[0][1]) - 1)
        raise InvalidInputError(
            f"{where}: line {ln} has {len(f) - 1} targets but line {rows[0][0]} has "
            f"{len(rows[0][1]) - 1}; every line needs the same number")
    width = widths.pop()
    if require_targets and width == 0:
        raise InvalidInputError(
            f"{where}: no target column; write one graph per line as 'graph6<TAB>target'")
    if names is not None and width and len(names) != width:
        raise InvalidInputError(
            f"{where}: the header names {len(names)} targets but the lines have {width}")
    if task == "auto" and declared:
        task = declared
    if task == "auto" and width:
        task = "classification" if width == 1 and all(
            _INT.match(f[1]) for _, f in rows) else "regression"
    samples = []
    for lineno, fields in rows:
        here = f"{where}: line {lineno}"
        g = fields[0]
        if "." in g or "/" in g:
            p = Path(g) if base is None or Path(g).is_absolute() else base / g
            gs = read_graphs(p)
            if len(gs) != 1:
                raise InvalidInputError(f"{here}: {str(p)!r} holds {len(gs)} graphs; one "
                                        "line per graph")
            graph = gs[0]
        else:
            graph = parse_graph6(g, here)
        vals = []
        for f in fields[1:]:
            try:
                v = float(f)
            except ValueError:
                raise InvalidInputError(f"{here}: target {f!r} is not a number") from None
            if not math.isfinite(v):
                raise InvalidInputError(f"{here}: target {f!r} is not finite")
            vals.append(v)
        if task == "classification":
            if not (vals[0] >= 0 and vals[0] == int(vals[0])):
                raise InvalidInputError(
                    f"{here}: class label {fields[1]!r} is not a non-negative integer")
            y = int(vals[0])
        else:
            y = vals if vals else None
        samples.append(graph_sample(graph, y, name=f"line {lineno}"))
    if not width:
        return samples, None, None, []
    if task == "classification":
        out_dim = _check_classes(max(int(s.y) for s in samples), where)
    else:
        out_dim = width
    if names is None:
        names = default_target_names(width)
    return samples, task, out_dim, names


def read_dataset_file(path, require_targets: bool = True, task: str = "auto"):
    """Read a data set file (format in the module docstring); a ``.g6``/``.graph6``/``.npy``
    file of bare graphs is read as unlabelled graphs (for prediction)."""
    p = Path(path)
    if p.suffix in (".g6", ".graph6", ".npy") and not require_targets:
        from equiact.graphs import read_graph6

        return samples_from_graphs(read_graph6(p), None), None, None, []
    try:
        text = p.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInputError(f"cannot read data set file {str(p)!r}: {err}") from None
    return parse_dataset_text(text, where=str(p), base=p.parent,
                              require_targets=require_targets, task=task)
