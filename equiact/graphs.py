"""Reading and converting simple graphs: graph6, edge lists, networkx, adjacency matrices.

Every graph is an undirected simple graph on nodes ``0..n-1``; every reader checks its input
and raises :class:`~equiact.errors.InvalidInputError` naming the file, line and value.

>>> g = parse_graph6("Bg")           # the path 0 - 1 - 2, in graph6
>>> g.number_of_nodes(), sorted(g.edges())
(3, [(0, 1), (1, 2)])
>>> to_adjacency(g).tolist()
[[0, 1, 0], [1, 0, 1], [0, 1, 0]]
>>> to_graph6(from_adjacency([[0, 1], [1, 0]]))
'A_'
>>> [h.number_of_edges() for h in as_graphs(["Bg", [(0, 1)]])]
[2, 1]
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np

from equiact.errors import InvalidInputError

__all__ = [
    "MAX_GRAPH_NODES",
    "parse_graph6",
    "to_graph6",
    "read_graph6",
    "load_graph6_array",
    "read_edge_list",
    "read_graphs",
    "to_adjacency",
    "from_adjacency",
    "from_edge_list",
    "as_graph",
    "as_graphs",
]

#: Largest number of nodes a reader accepts (dense n x n adjacency, and 2-FWL needs n^3).
MAX_GRAPH_NODES = 4096


def _check_nodes(n: int, where: str) -> None:
    if n > MAX_GRAPH_NODES:
        raise InvalidInputError(
            f"{where}: graph has {n} nodes, more than MAX_GRAPH_NODES = {MAX_GRAPH_NODES}; "
            "equiact works with dense adjacency tensors, so split or subsample the graph"
        )


def parse_graph6(text, where: str = "graph6 string") -> nx.Graph:
    """One graph from its graph6 string (an optional ``>>graph6<<`` header is allowed)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as err:
            raise InvalidInputError(f"{where}: not ASCII, so not graph6") from err
    if not isinstance(text, str):
        raise InvalidInputError(f"{where}: expected a graph6 string, got {type(text).__name__}")
    s = text.strip()
    if s.startswith(">>graph6<<"):
        s = s[len(">>graph6<<"):]
    if not s or any(not (63 <= ord(c) <= 126) for c in s):
        shown = s if len(s) <= 40 else s[:40] + "..."
        raise InvalidInputError(
            f"{where}: {shown!r} is not a graph6 string (characters must lie in '?'..'~'; "
            "sparse6 ':' and digraph6 '&' are not supported)"
        )
    try:
        graph = nx.from_graph6_bytes(s.encode("ascii"))
    except (nx.NetworkXError, ValueError, IndexError) as err:
        shown = s if len(s) <= 40 else s[:40] + "..."
        raise InvalidInputError(f"{where}: {shown!r} is not valid graph6 ({err})") from err
    _check_nodes(graph.number_of_nodes(), where)
    return graph


def to_graph6(graph) -> str:
    """The graph6 string of a graph (any input :func:`as_graph` accepts), without header."""
    g = as_graph(graph)
    return nx.to_graph6_bytes(g, header=False).decode("ascii").strip()


def load_graph6_array(path) -> np.ndarray:
    """A ``.npy`` array of graph6 strings, 1-d or ``(P, 2)`` (pairs), read without pickle."""
    path = Path(path)
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise InvalidInputError(
            f"cannot read {str(path)!r} as a NumPy array of graph6 strings: {err}") from err
    if arr.dtype.kind not in "US" or not (arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 2)):
        raise InvalidInputError(
            f"{str(path)!r} holds a {arr.dtype} array of shape {arr.shape}; expected a "
            "1-d or (P, 2) array of graph6 strings")
    return arr


def read_graph6(path) -> list[nx.Graph]:
    """All graphs of a graph6 file (one per non-empty line) or of a ``.npy`` array of strings.

    The ``.npy`` form is how BREC ships its pairs (``../shared/data/brec``); it is read with
    ``allow_pickle=False`` (:func:`load_graph6_array`; a ``(P, 2)`` array is read row by row).
    """
    path = Path(path)
    if path.suffix == ".npy":
        arr = load_graph6_array(path).reshape(-1)
        return [parse_graph6(str(v) if arr.dtype.kind == "U" else v, f"{path}: entry {i}")
                for i, v in enumerate(arr)]
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InvalidInputError(f"cannot read graph6 file {str(path)!r}: {err.strerror}") from err
    graphs = []
    for lineno, line in enumerate(raw.splitlines(), 1):
        if line.strip():
            graphs.append(parse_graph6(line, f"{path}: line {lineno}"))
    if not graphs:
        raise InvalidInputError(f"graph6 file {str(path)!r} holds no graphs")
    return graphs


def from_edge_list(edges, n: int | None = None, where: str = "edge list") -> nx.Graph:
    """A graph from pairs ``(u, v)`` of node indices ``0..n-1`` (``n`` defaults to max + 1)."""
    pairs = []
    for k, e in enumerate(edges):
        try:
            u, v = (int(t) for t in e)
        except (TypeError, ValueError) as err:
            raise InvalidInputError(
                f"{where}: edge {k} is {e!r}; expected two integer node indices") from err
        if u < 0 or v < 0:
            raise InvalidInputError(f"{where}: edge {k} = {e!r} has a negative node index")
        if u == v:
            raise InvalidInputError(
                f"{where}: edge {k} = {e!r} is a self-loop; graphs here are simple")
        pairs.append((u, v))
    top = max((max(p) for p in pairs), default=-1) + 1
    if n is None:
        n = top
    elif n < top:
        raise InvalidInputError(f"{where}: n = {n} but an edge uses node {top - 1}")
    _check_nodes(n, where)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(pairs)
    return graph


def read_edge_list(path, n: int | None = None) -> nx.Graph:
    """One graph from a text file with one edge ``u v`` per line (``#`` starts a comment).

    A line ``# n = N`` (or the argument ``n``) declares isolated nodes beyond the largest index.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidInputError(f"cannot read edge-list file {str(path)!r}: {err}") from err
    edges = []
    for lineno, line in enumerate(text.splitlines(), 1):
        body, _, comment = line.partition("#")
        head = comment.replace(" ", "")
        if n is None and head.startswith("n="):
            try:
                n = int(head[2:])
            except ValueError as err:
                raise InvalidInputError(f"{path}: line {lineno}: bad node count {line!r}") from err
        fields = body.replace(",", " ").split()
        if not fields:
            continue
        if len(fields) != 2:
            raise InvalidInputError(
                f"{path}: line {lineno} is {line.strip()!r}; expected two node indices 'u v'")
        edges.append(fields)
    return from_edge_list(edges, n=n, where=str(path))


def read_graphs(path) -> list[nx.Graph]:
    """Graphs from a file: ``.g6``/``.graph6``/``.npy`` are graph6, anything else an edge list."""
    path = Path(path)
    if path.suffix in (".g6", ".graph6", ".npy"):
        return read_graph6(path)
    return [read_edge_list(path)]


def to_adjacency(graph, dtype=np.int64) -> np.ndarray:
    """The ``(n, n)`` 0/1 adjacency matrix (nodes in sorted order for networkx graphs)."""
    g = as_graph(graph)
    return nx.to_numpy_array(g, nodelist=sorted(g.nodes()), dtype=dtype)


def from_adjacency(adj, where: str = "adjacency matrix") -> nx.Graph:
    """A graph from a symmetric 0/1 matrix with zero diagonal."""
    a = np.asarray(adj)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise InvalidInputError(f"{where}: shape {a.shape} is not square (n, n)")
    _check_nodes(a.shape[0], where)
    if not np.isin(a, (0, 1)).all():
        raise InvalidInputError(f"{where}: entries must be 0 or 1 (simple graphs)")
    if not (a == a.T).all():
        raise InvalidInputError(f"{where}: not symmetric; graphs here are undirected")
    if np.diagonal(a).any():
        raise InvalidInputError(f"{where}: non-zero diagonal (self-loops); graphs here are simple")
    graph = nx.Graph()
    graph.add_nodes_from(range(a.shape[0]))
    graph.add_edges_from(zip(*np.nonzero(np.triu(a)), strict=True))
    return graph


def _node_order(graph: nx.Graph) -> list:
    """The nodes of a networkx graph in sorted order (insertion order if they do not sort);
    node ``order[i]`` becomes node ``i`` in :func:`as_graph`."""
    try:
        return sorted(graph.nodes())
    except TypeError:
        return list(graph.nodes())


def as_graph(obj, where: str = "graph") -> nx.Graph:
    """Normalise one graph: a networkx graph (relabelled to ``0..n-1`` in sorted node order),
    a graph6 string, an adjacency matrix (NumPy or torch) or a list of edges."""
    if isinstance(obj, nx.Graph):
        if obj.is_directed() or obj.is_multigraph():
            raise InvalidInputError(f"{where}: directed graphs and multigraphs are not supported")
        if nx.number_of_selfloops(obj):
            raise InvalidInputError(f"{where}: has self-loops; graphs here are simple")
        _check_nodes(obj.number_of_nodes(), where)
        order = _node_order(obj)
        g = nx.Graph()
        g.add_nodes_from(range(len(order)))
        index = {v: i for i, v in enumerate(order)}
        g.add_edges_from((index[u], index[v]) for u, v in obj.edges())
        return g
    if isinstance(obj, (str, bytes)):
        return parse_graph6(obj, where)
    if hasattr(obj, "detach"):  # torch tensor
        obj = obj.detach().cpu().numpy()
    if isinstance(obj, np.ndarray):
        return from_adjacency(obj, where)
    if isinstance(obj, (list, tuple)):
        return from_edge_list(obj, where=where)
    raise InvalidInputError(
        f"{where}: cannot read a {type(obj).__name__} as a graph; give a networkx Graph, a "
        "graph6 string, an adjacency matrix or a list of edges")


def as_graphs(objs) -> list[nx.Graph]:
    """Normalise a collection of graphs, or read them from a file path (:func:`read_graphs`)."""
    if isinstance(objs, Path):
        return read_graphs(objs)
    if isinstance(objs, str):
        if Path(objs).exists() or "/" in objs or Path(objs).suffix:
            return read_graphs(objs)
        return [parse_graph6(objs)]
    if isinstance(objs, (nx.Graph, np.ndarray)):
        return [as_graph(objs)]
    try:
        items = list(objs)
    except TypeError as err:
        raise InvalidInputError(
            f"expected a collection of graphs or a file path, got {type(objs).__name__}"
        ) from err
    return [as_graph(o, f"graph {i}") for i, o in enumerate(items)]
