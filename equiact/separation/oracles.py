"""Exact Weisfeiler-Leman oracles: 1-WL colour refinement and 2-FWL (folklore, = 3-WL).

Both refine colourings of *all* given graphs jointly, so colour names are shared and the
colour histograms of any two of the graphs can be compared. Refinement is exact:

* 1-WL: the new colour of node v is the row ``(c(v), sorted neighbour colours)``;
* 2-FWL: the new colour of a pair ``(u, v)`` is ``(c(u, v), sorted_w (c(u, w), c(w, v)))``
  (initial colour: equal / adjacent / not adjacent);

and rows are renamed to consecutive integers by :func:`relabel_rows`, which groups rows by a
64-bit hash for speed and then checks that every row equals its group's representative,
falling back to an exact lexicographic sort if a hash collision merged different rows. So
equal rows always get equal colours (no false separations) and different rows always get
different ones (no false merges). Refinement stops when the number of colours of the joint
colouring stops growing; two graphs are separated iff their colour histograms differ.

Cost: 1-WL ``O(N d log d)`` per round for ``N`` nodes of maximal degree ``d``; 2-FWL
``O(n^3 log n)`` time and ``8 n^3`` bytes per graph and round (n = 198: ~60 MB per graph).

>>> import networkx as nx
>>> from equiact.graphs import to_adjacency
>>> c6 = to_adjacency(nx.cycle_graph(6))
>>> two_triangles = to_adjacency(nx.disjoint_union(nx.cycle_graph(3), nx.cycle_graph(3)))
>>> wl_histograms([c6, two_triangles])[0] == wl_histograms([c6, two_triangles])[1]
True
>>> h = fwl2_histograms([c6, two_triangles])
>>> h[0] == h[1]
False
"""

from __future__ import annotations

import numpy as np

from equiact.errors import InvalidInputError, unknown_name

__all__ = [
    "ORACLES",
    "FWL2_MAX_BYTES",
    "fwl2_bytes",
    "fwl2_colours",
    "fwl2_histograms",
    "oracle_separates",
    "rounds_to_separate",
    "relabel_rows",
    "wl_colours",
    "wl_histograms",
]

#: oracle key -> display name
ORACLES = {"1-wl": "1-WL", "2-fwl": "2-FWL"}

# 2-FWL on graphs of one size is coloured jointly while the group's round arrays fit here
_JOINT_BYTES = 256 * 2**20
#: Default memory limit of one 2-FWL refinement round (bytes); raise it with ``max_bytes``.
FWL2_MAX_BYTES = 4 * 2**30


def fwl2_bytes(n: int, graphs: int = 2) -> int:
    """Estimated peak bytes of one 2-FWL round on ``graphs`` graphs with ``n`` nodes.

    >>> fwl2_bytes(200) // 2**20
    366
    """
    return 3 * 8 * graphs * n ** 3


def _hash_rows(rows: np.ndarray) -> np.ndarray:
    """A 64-bit hash per row (a random linear form mod 2^64, then a shift-xor)."""
    rng = np.random.default_rng(0x5EED)
    mult = rng.integers(1, 2**63, size=rows.shape[1], dtype=np.uint64) | np.uint64(1)
    h = (rows.view(np.uint64) * mult).sum(axis=1, dtype=np.uint64)  # wraps mod 2^64
    return h ^ (h >> np.uint64(29))


def relabel_rows(rows: np.ndarray) -> np.ndarray:
    """Consecutive integer names of the distinct rows of an int64 matrix (exact).

    Equal rows get equal names, different rows different names.

    >>> relabel_rows(np.array([[1, 2], [0, 5], [1, 2]])).tolist()
    [0, 1, 0]
    """
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    if rows.ndim != 2:
        raise InvalidInputError(f"rows must be a 2-d array, got shape {rows.shape}")
    if rows.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    h = _hash_rows(rows)
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if np.array_equal(rows, rows[first[inverse]]):
        return inverse.astype(np.int64)
    _, inverse = np.unique(rows, axis=0, return_inverse=True)  # a collision: exact sort
    return inverse.reshape(-1).astype(np.int64)


def _check(adjs) -> list:
    out = []
    for i, a in enumerate(adjs):
        a = np.asarray(a)
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise InvalidInputError(f"graph {i}: adjacency has shape {a.shape}; expected (n, n)")
        out.append(a != 0)
    return out


def wl_colours(adjacencies, max_rounds: int | None = None) -> list:
    """Stable 1-WL colours of every node of every graph (colour names shared across graphs).

    >>> import networkx as nx
    >>> c = wl_colours([nx.to_numpy_array(nx.path_graph(3))])[0]
    >>> bool(c[0] == c[2] != c[1])
    True
    """
    adjs = _check(adjacencies)
    sizes = [a.shape[0] for a in adjs]
    total = sum(sizes)
    if total == 0:
        return [np.zeros(0, dtype=np.int64) for _ in adjs]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    src, dst = [], []
    for a, off in zip(adjs, offsets):
        u, v = np.nonzero(a)
        src.append(u + off)
        dst.append(v + off)
    src, dst = np.concatenate(src), np.concatenate(dst)
    deg = np.bincount(src, minlength=total)
    dmax = int(deg.max()) if len(deg) else 0
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    start = np.concatenate([[0], np.cumsum(deg)])[:-1]
    slot = np.arange(len(src)) - start[src]
    colours = np.zeros(total, dtype=np.int64)
    k = 1
    rounds = total if max_rounds is None else max_rounds
    for _ in range(rounds):
        nb = colours[dst]
        o = np.lexsort((nb, src))  # sort each node's neighbour colours
        rows = np.full((total, 1 + dmax), -1, dtype=np.int64)
        rows[:, 0] = colours
        rows[src[o], 1 + slot] = nb[o]
        new = relabel_rows(rows)
        k_new = int(new.max()) + 1
        colours = new
        if k_new == k:
            break
        k = k_new
    return [colours[offsets[i]:offsets[i + 1]] for i in range(len(adjs))]


def _histogram(colours: np.ndarray) -> tuple:
    vals, counts = np.unique(colours, return_counts=True)
    return tuple(zip(vals.tolist(), counts.tolist()))


def wl_histograms(adjacencies) -> list:
    """Per graph the stable 1-WL colour histogram ``((colour, count), ...)`` (comparable)."""
    return [_histogram(c) for c in wl_colours(adjacencies)]


def fwl2_colours(adjacencies, max_rounds: int | None = None,
                 max_bytes: int = FWL2_MAX_BYTES) -> list:
    """Stable 2-FWL colours ``(n, n)`` of every graph; all graphs must have the same n.

    >>> import networkx as nx
    >>> c = fwl2_colours([nx.to_numpy_array(nx.path_graph(3))])[0]
    >>> bool(c[0, 2] != c[0, 1]), bool(c[0, 1] == c[2, 1]), bool(c[0, 0] == c[2, 2] != c[1, 1])
    (True, True, True)
    """
    adjs = _check(adjacencies)
    if not adjs:
        return []
    n = adjs[0].shape[0]
    for i, a in enumerate(adjs):
        if a.shape[0] != n:
            raise InvalidInputError(
                f"fwl2_colours: graph {i} has {a.shape[0]} nodes, graph 0 has {n}; colour "
                "graphs of one size together")
    g = len(adjs)
    if n == 0:
        return [np.zeros((0, 0), dtype=np.int64) for _ in adjs]
    need = fwl2_bytes(n, g)
    if need > max_bytes:
        raise InvalidInputError(
            f"2-FWL on {g} graph(s) with n = {n} needs about {need / 2**30:.1f} GiB per round, "
            f"above the limit of {max_bytes / 2**30:.1f} GiB; raise it with max_bytes (CLI: "
            "--max-memory GB) or leave out the 2-fwl oracle")
    eye = np.eye(n, dtype=bool)
    c = np.stack([np.where(eye, 0, np.where(a, 1, 2)) for a in adjs]).astype(np.int64)
    c = relabel_rows(c.reshape(-1, 1)).reshape(g, n, n)
    k = int(c.max()) + 1
    rounds = n * n if max_rounds is None else max_rounds
    for _ in range(rounds):
        # codes[g, u, v, w] = c[g, u, w] * k + c[g, w, v]; sorted over w
        codes = c[:, :, None, :] * k + np.swapaxes(c, 1, 2)[:, None, :, :]
        codes.sort(axis=-1)
        rows = np.concatenate([c[..., None], codes], axis=-1).reshape(g * n * n, n + 1)
        del codes
        new = relabel_rows(rows).reshape(g, n, n)
        k_new = int(new.max()) + 1
        c = new
        if k_new == k:
            break
        k = k_new
    return list(c)


def fwl2_histograms(adjacencies) -> list:
    """Per graph the stable 2-FWL histogram of pair colours (graphs of one size, comparable)."""
    return [_histogram(c.reshape(-1)) for c in fwl2_colours(adjacencies)]


def _signatures(graphs, which: str, rounds=None, max_bytes: int = FWL2_MAX_BYTES) -> list:
    if which == "1-wl":
        return [_histogram(c) for c in wl_colours(graphs, max_rounds=rounds)]
    return [_histogram(c.reshape(-1))
            for c in fwl2_colours(graphs, max_rounds=rounds, max_bytes=max_bytes)]


def oracle_separates(dataset, which: str = "1-wl", rounds: int | None = None,
                     max_bytes: int = FWL2_MAX_BYTES) -> np.ndarray:
    """Boolean ``(P,)``: does the oracle separate each pair of a PairDataset?

    Graphs of different sizes are separated. 1-WL colours all graphs jointly; 2-FWL colours
    each group of equal-size graphs jointly when it fits in 256 MB per round, else pair by
    pair. ``rounds``: stop after that many refinement rounds (default: until stable).
    ``max_bytes``: a 2-FWL round estimated above it (:func:`fwl2_bytes`) is refused.

    >>> from equiact.separation.pairs import load_pairs
    >>> ds = load_pairs("rook-shrikhande")
    >>> oracle_separates(ds, "1-wl").tolist(), oracle_separates(ds, "2-fwl").tolist()
    ([False], [False])
    """
    key = str(which).lower()
    if key not in ORACLES:
        raise unknown_name("oracle", which, ORACLES)
    if rounds is not None and (isinstance(rounds, bool) or not isinstance(rounds, int)
                               or rounds < 0):
        raise InvalidInputError(f"rounds = {rounds!r}; give a non-negative integer or None")
    index = np.asarray(dataset.index)
    out = np.zeros(len(index), dtype=bool)
    if not len(index):
        return out
    sizes = np.array([g.shape[0] for g in dataset.graphs])
    diff = sizes[index[:, 0]] != sizes[index[:, 1]]
    out[diff] = True
    same = np.nonzero(~diff)[0]
    if key == "1-wl":
        used = np.unique(index[same])
        sig = dict(zip(used.tolist(), _signatures([dataset.graphs[i] for i in used], key, rounds)))
        for p in same:
            out[p] = sig[index[p, 0]] != sig[index[p, 1]]
        return out
    by_n: dict = {}
    for p in same:
        by_n.setdefault(int(sizes[index[p, 0]]), []).append(p)
    for n, plist in by_n.items():
        used = np.unique(index[plist])
        if fwl2_bytes(n, len(used)) <= min(_JOINT_BYTES, max_bytes):
            graphs = [dataset.graphs[i] for i in used]
            sig = dict(zip(used.tolist(), _signatures(graphs, key, rounds, max_bytes)))
            for p in plist:
                out[p] = sig[index[p, 0]] != sig[index[p, 1]]
        else:
            for p in plist:
                i, j = index[p]
                h = _signatures([dataset.graphs[i], dataset.graphs[j]], key, rounds, max_bytes)
                out[p] = h[0] != h[1]
    return out


def rounds_to_separate(dataset, which: str = "1-wl", max_rounds: int = 64) -> np.ndarray:
    """Per pair the first refinement round whose histograms differ (0: different sizes or
    initial colours), -1 if the oracle never separates the pair, ``max_rounds + 1`` if it
    does only after more than ``max_rounds`` rounds.

    A network simulates roughly one refinement round per layer, so this is the depth a
    model needs (THEORY.md section 6: depth helps up to a finite threshold).

    >>> from equiact.separation.pairs import load_pairs
    >>> rounds_to_separate(load_pairs("csl").subset([0, 44]), "2-fwl").tolist()
    [1, 2]
    """
    final = oracle_separates(dataset, which)
    out = np.where(final, -2, -1)
    for t in range(max_rounds + 1):
        todo = out == -2
        if not todo.any():
            break
        sep = oracle_separates(dataset.subset(np.nonzero(todo)[0]), which, rounds=t)
        idx = np.nonzero(todo)[0][sep]
        out[idx] = t
    out[out == -2] = max_rounds + 1
    return out
