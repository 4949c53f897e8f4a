"""Graph-pair data sets for separation tests: atlas, CSL, SR25, BREC, rook/Shrikhande, your own.

A :class:`PairDataset` holds a list of graphs (0/1 adjacency matrices) and the pairs to test
as index pairs into that list, each with a name and a category. Graphs shared by several
pairs (atlas, CSL, SR25) are stored once, so a model embeds each graph once.

Data sets (:data:`DATASETS`, :func:`load_pairs`):

* ``atlas``: every pair of graphs of ``networkx.graph_atlas_g()`` (all 1253 graphs with up to
  7 nodes, pairwise non-isomorphic) with the same number of nodes *and* edges: 55,770 pairs,
  category ``n=N``. (Pairs differing in n or m are told apart by counting; they are left out.)
* ``csl``: the 10 circular skip link graphs ``C_41(1, R)``, all 45 pairs.
* ``sr25``: the 15 strongly regular graphs SRG(25, 12, 5, 6), all 105 pairs.
* ``rook-shrikhande``: the 4x4 rook graph vs the Shrikhande graph (both SRG(16, 6, 2, 2)).
* ``brec-basic``, ``brec-regular``, ``brec-str``, ``brec-4vtx``, ``brec-dr``,
  ``brec-extension``, ``brec-cfi``: the BREC pairs (consecutive graphs, or rows of a
  ``(P, 2)`` array) from ``$EQUIACT_DATA/brec`` (default ``../shared/data/brec`` beside
  the checkout);
  ``brec`` is all seven categories, ``brec-nocfi`` all but CFI.
* several names joined by commas, e.g. ``csl,sr25``.

Your own graphs: :func:`pairs_from_graphs` (networkx graphs, graph6 strings, adjacency
matrices, edge lists) or :func:`load_pairs` with a file path (graph6 ``.g6``/``.npy``, or a
text file of graph6 lines).

>>> ds = load_pairs("csl")
>>> len(ds), ds.categories[0], ds.names[0], ds.pair(0)[0].shape
(45, 'csl', 'CSL(41,2) vs CSL(41,3)', (41, 41))
>>> rs = load_pairs("rook-shrikhande")
>>> [int(a.sum()) // 2 for a in rs.pair(0)]
[48, 48]
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from equiact.errors import InvalidInputError, unknown_name

__all__ = [
    "BREC_CATEGORIES",
    "DATASETS",
    "EDGE_LIST_SUFFIXES",
    "PairDataset",
    "atlas_pairs",
    "brec_pairs",
    "csl_pairs",
    "data_dir",
    "load_pairs",
    "pairs_from_graphs",
    "rook_shrikhande_pairs",
    "shrikhande_graph",
    "sr25_pairs",
]

#: BREC categories in the order of the BREC paper, with their files under ``brec/``.
BREC_CATEGORIES = ("basic", "regular", "extension", "cfi", "4vtx", "dr", "str")


def data_dir() -> Path:
    """The offline data folder (BREC, SR25): ``$EQUIACT_DATA`` if set, else ``shared/data``
    beside the source checkout (``<repo>/../shared/data``), else ``/work/shared/data``."""
    env = os.environ.get("EQUIACT_DATA")
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parents[3] / "shared" / "data"
    return beside if beside.is_dir() else Path("/work/shared/data")


@dataclass
class PairDataset:
    """Graphs and the pairs among them to test.

    ``graphs[i]`` is an ``(n_i, n_i)`` int8 0/1 adjacency matrix; ``index[p] = (i, j)`` is
    pair ``p``; ``names[p]`` and ``categories[p]`` label it. ``graph_names[i]`` labels graph i.
    """

    graphs: list
    index: np.ndarray
    names: list
    categories: list
    graph_names: list = field(default_factory=list)
    title: str = ""

    def __post_init__(self):
        self.index = np.asarray(self.index, dtype=np.int64).reshape(-1, 2)
        if not self.graph_names:
            self.graph_names = [f"G{i}" for i in range(len(self.graphs))]
        p = len(self.index)
        if len(self.names) != p or len(self.categories) != p:
            raise InvalidInputError(
                f"PairDataset: {p} pairs but {len(self.names)} names and "
                f"{len(self.categories)} categories")
        if p and (self.index.min() < 0 or self.index.max() >= len(self.graphs)):
            raise InvalidInputError("PairDataset: a pair index lies outside the graph list")

    def __len__(self) -> int:
        return len(self.index)

    def pair(self, p: int):
        """The two adjacency matrices of pair ``p``."""
        i, j = self.index[p]
        return self.graphs[i], self.graphs[j]

    def __iter__(self):
        """Yield ``(name, category, adj_a, adj_b)`` per pair."""
        for p in range(len(self)):
            a, b = self.pair(p)
            yield self.names[p], self.categories[p], a, b

    @property
    def category_names(self) -> list:
        """Categories in order of first appearance."""
        return list(dict.fromkeys(self.categories))

    def sizes(self) -> np.ndarray:
        """Number of nodes of every graph."""
        return np.array([g.shape[0] for g in self.graphs], dtype=np.int64)

    def subset(self, pairs) -> PairDataset:
        """A data set with only the given pair positions (graphs are kept)."""
        pairs = [int(p) for p in pairs]
        return PairDataset(self.graphs, self.index[pairs], [self.names[p] for p in pairs],
                           [self.categories[p] for p in pairs], self.graph_names, self.title)

    @staticmethod
    def concat(parts, title: str = "") -> PairDataset:
        """Join data sets (graph lists are concatenated, indices shifted)."""
        graphs, index, names, cats, gnames = [], [], [], [], []
        for d in parts:
            index.append(d.index + len(graphs))
            graphs.extend(d.graphs)
            names.extend(d.names)
            cats.extend(d.categories)
            gnames.extend(d.graph_names)
        idx = np.concatenate(index) if index else np.zeros((0, 2), dtype=np.int64)
        return PairDataset(graphs, idx, names, cats, gnames, title)


def _adj(graph) -> np.ndarray:
    from equiact.graphs import to_adjacency

    return to_adjacency(graph, dtype=np.int8)


def atlas_pairs() -> PairDataset:
    """All 55,770 pairs of atlas graphs with equal numbers of nodes and edges (n <= 7)."""
    import networkx as nx

    graphs = [_adj(g) for g in nx.graph_atlas_g()]
    groups: dict = {}
    for i, a in enumerate(graphs):
        groups.setdefault((a.shape[0], int(a.sum()) // 2), []).append(i)
    index, names, cats = [], [], []
    for (n, _m), members in sorted(groups.items()):
        for i, j in itertools.combinations(members, 2):
            index.append((i, j))
            names.append(f"G{i} vs G{j}")
            cats.append(f"n={n}")
    return PairDataset(graphs, index, names, cats, [f"G{i}" for i in range(len(graphs))],
                       "atlas")


def _all_pairs(graphs, gnames, category, title) -> PairDataset:
    index = list(itertools.combinations(range(len(graphs)), 2))
    names = [f"{gnames[i]} vs {gnames[j]}" for i, j in index]
    return PairDataset(graphs, index, names, [category] * len(index), gnames, title)


def csl_pairs() -> PairDataset:
    """The 45 pairs of the 10 CSL graphs ``C_41(1, R)`` (1-WL separates none)."""
    import networkx as nx

    from equiact.sn.data import CSL_SKIPS

    graphs = [_adj(nx.circulant_graph(41, [1, r])) for r in CSL_SKIPS]
    return _all_pairs(graphs, [f"CSL(41,{r})" for r in CSL_SKIPS], "csl", "csl")


def sr25_pairs() -> PairDataset:
    """The 105 pairs of the 15 SRG(25, 12, 5, 6) (2-FWL separates none)."""
    from equiact.graphs import read_graph6

    path = data_dir() / "sr25" / "sr251256.g6"
    graphs = [_adj(g) for g in read_graph6(path)]
    return _all_pairs(graphs, [f"SR25#{i}" for i in range(len(graphs))], "sr25", "sr25")


def shrikhande_graph():
    """The Shrikhande graph: Cayley graph of Z4 x Z4 with connection set +-(1,0), +-(0,1), +-(1,1).

    >>> g = shrikhande_graph()
    >>> g.number_of_nodes(), g.number_of_edges(), sorted({d for _, d in g.degree()})
    (16, 48, [6])
    """
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(16))
    steps = [(1, 0), (3, 0), (0, 1), (0, 3), (1, 1), (3, 3)]
    for x, y in itertools.product(range(4), repeat=2):
        for dx, dy in steps:
            g.add_edge(4 * x + y, 4 * ((x + dx) % 4) + (y + dy) % 4)
    return g


def rook_shrikhande_pairs() -> PairDataset:
    """The 4x4 rook graph vs the Shrikhande graph (both SRG(16, 6, 2, 2); 2-FWL cannot tell)."""
    import networkx as nx

    rook = nx.cartesian_product(nx.complete_graph(4), nx.complete_graph(4))
    rook = nx.convert_node_labels_to_integers(rook, ordering="sorted")
    graphs = [_adj(rook), _adj(shrikhande_graph())]
    return PairDataset(graphs, [(0, 1)], ["rook(4x4) vs Shrikhande"], ["rook-shrikhande"],
                       ["rook(4x4)", "Shrikhande"], "rook-shrikhande")


def brec_pairs(category: str) -> PairDataset:
    """The BREC pairs of one category (:data:`BREC_CATEGORIES`).

    The files are NumPy arrays of graph6 strings: 1-d (consecutive graphs form a pair) or
    ``(P, 2)`` (one pair per row).
    """
    from equiact.graphs import parse_graph6

    if category not in BREC_CATEGORIES:
        raise unknown_name("BREC category", category, BREC_CATEGORIES)
    path = data_dir() / "brec" / f"{category}.npy"
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise InvalidInputError(
            f"cannot read BREC file {str(path)!r}: {err}; set EQUIACT_DATA to the folder that "
            "holds brec/") from err
    if arr.dtype.kind not in "US" or arr.ndim not in (1, 2) or arr.size % 2:
        raise InvalidInputError(
            f"{str(path)!r} holds a {arr.dtype} array of shape {arr.shape}; expected graph6 "
            "strings, an even number of them")
    flat = arr.reshape(-1)
    graphs = [_adj(parse_graph6(v, f"{path}: entry {k}")) for k, v in enumerate(flat)]
    p = len(graphs) // 2
    index = [(2 * k, 2 * k + 1) for k in range(p)]
    cat = f"brec-{category}"
    names = [f"{cat}#{k}" for k in range(p)]
    gnames = [f"{cat}#{k // 2}{'ab'[k % 2]}" for k in range(len(graphs))]
    return PairDataset(graphs, index, names, [cat] * p, gnames, cat)


def pairs_from_graphs(graphs, mode: str = "all", names=None, category: str = "user",
                      title: str = "user") -> PairDataset:
    """Pairs among your graphs (anything :func:`equiact.graphs.as_graphs` reads, or a path).

    ``mode="all"``: every pair of graphs with the same number of nodes (graphs of different
    sizes are told apart by counting nodes; they are not paired). ``mode="consecutive"``:
    graphs ``2k`` and ``2k+1`` form pair ``k``; both must have the same number of nodes.

    >>> ds = pairs_from_graphs(["Bg", "Bw", "CF"])
    >>> len(ds), ds.names
    (1, ['graph 0 vs graph 1'])
    >>> pairs_from_graphs(["Bg", "CF"], mode="consecutive")
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidInputError: pair 0 (graph 0, graph 1) has graphs with 3 and 4 nodes; ...
    """
    from equiact.graphs import as_graphs

    if mode not in ("all", "consecutive"):
        raise InvalidInputError(f"pair mode {mode!r} unknown; use 'all' or 'consecutive'")
    gs = [_adj(g) for g in as_graphs(graphs)]
    if names is None:
        names = [f"graph {i}" for i in range(len(gs))]
    names = [str(s) for s in names]
    if len(names) != len(gs):
        raise InvalidInputError(f"{len(names)} names for {len(gs)} graphs")
    if len(gs) < 2:
        raise InvalidInputError(f"{len(gs)} graph(s) given; a separation test needs at least 2")
    if mode == "consecutive":
        if len(gs) % 2:
            raise InvalidInputError(
                f"{len(gs)} graphs given; consecutive pairs need an even number")
        index = []
        for k in range(len(gs) // 2):
            a, b = gs[2 * k], gs[2 * k + 1]
            if a.shape[0] != b.shape[0]:
                raise InvalidInputError(
                    f"pair {k} ({names[2 * k]}, {names[2 * k + 1]}) has graphs with "
                    f"{a.shape[0]} and {b.shape[0]} nodes; a pair needs one n (graphs of "
                    "different sizes are trivially told apart)")
            index.append((2 * k, 2 * k + 1))
    else:
        index = [(i, j) for i, j in itertools.combinations(range(len(gs)), 2)
                 if gs[i].shape[0] == gs[j].shape[0]]
        if not index:
            sizes = sorted({g.shape[0] for g in gs})
            raise InvalidInputError(
                f"no two of the {len(gs)} graphs have the same number of nodes (sizes "
                f"{sizes}); pairs need one n")
    pair_names = [f"{names[i]} vs {names[j]}" for i, j in index]
    return PairDataset(gs, index, pair_names, [category] * len(index), names, title)


#: name -> loader (no arguments)
DATASETS = {
    "atlas": atlas_pairs,
    "csl": csl_pairs,
    "sr25": sr25_pairs,
    "rook-shrikhande": rook_shrikhande_pairs,
    **{f"brec-{c}": (lambda c=c: brec_pairs(c)) for c in BREC_CATEGORIES},
    "brec": lambda: PairDataset.concat([brec_pairs(c) for c in BREC_CATEGORIES], "brec"),
    "brec-nocfi": lambda: PairDataset.concat(
        [brec_pairs(c) for c in BREC_CATEGORIES if c != "cfi"], "brec-nocfi"),
}


def load_pairs(name, mode: str = "all") -> PairDataset:
    """A named data set (:data:`DATASETS`, comma-separated for several), a file of graphs,
    or a :class:`PairDataset` (returned as is).

    Files: ``.g6``/``.graph6``/``.npy`` and other text files of graph6 lines are read as
    graph6 (``.npy`` of shape ``(P, 2)`` as pairs); files ending in :data:`EDGE_LIST_SUFFIXES`
    hold one graph as an edge list (``u v`` per line). Several files joined by commas give
    the graphs of all of them, in order. ``mode`` as in :func:`pairs_from_graphs`.

    >>> load_pairs("cls")
    Traceback (most recent call last):
    ...
    equiact.errors.UnknownNameError: unknown data set 'cls'; did you mean ... 'csl'? ...
    """
    if isinstance(name, PairDataset):
        return name
    if not isinstance(name, (str, os.PathLike)):
        return pairs_from_graphs(name, mode=mode)
    text = str(name)
    if isinstance(name, str) and name in DATASETS:
        return DATASETS[name]()
    path = Path(text)
    if path.exists():
        return _file_pairs(path, mode)
    parts = [s.strip() for s in text.split(",") if s.strip()]
    if len(parts) > 1 and all(s in DATASETS for s in parts):
        return PairDataset.concat([DATASETS[s]() for s in parts], text)
    if len(parts) > 1 and all(Path(s).is_file() for s in parts):
        graphs, names = [], []
        for s in parts:
            gs = _file_graphs(Path(s))
            graphs.extend(gs)
            names.extend([Path(s).name] if len(gs) == 1 else
                         [f"{Path(s).name}#{k}" for k in range(len(gs))])
        return pairs_from_graphs(graphs, mode=mode, names=names, title=text)
    for s in parts:
        if s not in DATASETS:
            if "/" in s or Path(s).suffix:
                raise InvalidInputError(f"graph file {s!r} does not exist")
            raise unknown_name("data set", s, DATASETS)
    raise InvalidInputError(f"no data set named in {text!r}")


#: File endings read as one graph in edge-list form (``u v`` per line, ``# n = N``).
EDGE_LIST_SUFFIXES = (".edges", ".edgelist", ".el")


def _file_graphs(path: Path) -> list:
    from equiact.graphs import read_edge_list, read_graph6

    if path.is_dir():
        raise InvalidInputError(f"{str(path)!r} is a folder; give a graph6 or edge-list file")
    if path.suffix in EDGE_LIST_SUFFIXES:
        return [read_edge_list(path)]
    return read_graph6(path)


def _file_pairs(path: Path, mode: str) -> PairDataset:
    from equiact.graphs import load_graph6_array, read_graph6

    if path.is_dir():
        raise InvalidInputError(f"{str(path)!r} is a folder; give a graph6 or edge-list file")
    if path.suffix == ".npy" and load_graph6_array(path).ndim == 2:
        return pairs_from_graphs(read_graph6(path), mode="consecutive", title=path.name,
                                 category=path.stem)
    graphs = _file_graphs(path)
    return pairs_from_graphs(graphs, mode=mode, title=path.name, category=path.stem)
