"""Graph models built from structured S_n layers: k-IGNs and models on subsets and tuples.

The input is a 2-tensor ``(B, C, n, n)``: the adjacency matrix as one channel, plus optional
node features on the diagonal and edge features off it (see :func:`graph_tensor`). Hidden
layers map between direct sums of S_n-sets (:class:`~equiact.sn.layers.SnSet`), with a
point-wise ReLU between them (admissible: every hidden space is a permutation space).

Readouts: ``"graph"`` (invariant: an equivariant map to scalars, i.e. orbit-type means, plus
optional masked max pooling, then an MLP), ``"node"`` (equivariant, to 1-tensors) or ``"edge"``
(equivariant, to 2-tensors).

>>> import torch
>>> model = build_model("2-ign", in_channels=1, out_dim=3, hidden=4, layers=2)
>>> model(torch.rand(5, 1, 6, 6)).shape
torch.Size([5, 3])
>>> sorted(PRESETS)
['2-ign', '3-ign', 'mixed', 'tuples']
"""

from __future__ import annotations

import torch
from torch import nn

from equiact.errors import InvalidInputError, unknown_name
from equiact.sn.layers import SnDirectSumLinear, SnSet
from equiact.sn.masking import (
    POOLINGS,
    masked_pool,
    orbit_normalize_sum,
    orbit_type_count,
)
from equiact.sn.ops import check_sizes

__all__ = ["ACTIVATIONS", "GraphModel", "NORMS", "PRESETS", "READOUTS", "build_model",
           "graph_tensor", "refresh_batchnorm"]

#: Hidden spaces of the preset models.
PRESETS = {
    "2-ign": (SnSet.tensor(2),),
    "3-ign": (SnSet.tensor(3),),
    "mixed": (SnSet.tensor(1), SnSet.subsets(2), SnSet.subsets(3)),
    "tuples": (SnSet.tensor(1), SnSet.tuples(2)),
}
READOUTS = ("graph", "node", "edge")
NORMS = ("none", "orbit")
#: Point-wise activations between the hidden layers (all admissible on permutation spaces).
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "silu": nn.SiLU}


def graph_tensor(adj, node_features=None, edge_features=None, dtype=torch.float32):
    """Stack a graph into a ``(C, n, n)`` tensor: adjacency, then node and edge features.

    Node features ``(n, F)`` go on the diagonal of their channels, edge features
    ``(n, n, E)`` off it.

    >>> graph_tensor([[0, 1], [1, 0]], node_features=[[2.], [3.]]).tolist()
    [[[0.0, 1.0], [1.0, 0.0]], [[2.0, 0.0], [0.0, 3.0]]]
    """
    a = torch.as_tensor(adj, dtype=dtype)
    if a.dim() != 2 or a.shape[0] != a.shape[1]:
        raise InvalidInputError(f"adjacency has shape {tuple(a.shape)}; expected (n, n)")
    n = a.shape[0]
    chans = [a]
    if node_features is not None:
        f = torch.as_tensor(node_features, dtype=dtype)
        if f.dim() not in (1, 2) or f.shape[0] != n:
            raise InvalidInputError(
                f"node features have shape {tuple(f.shape)}; expected ({n}, F) for {n} nodes"
            )
        f = f.reshape(n, -1)
        chans.extend(torch.diag_embed(f.T))
    if edge_features is not None:
        e = torch.as_tensor(edge_features, dtype=dtype)
        if e.dim() == 2:
            e = e.unsqueeze(-1)
        if e.shape[:2] != (n, n):
            raise InvalidInputError(
                f"edge features have shape {tuple(e.shape)}; expected ({n}, {n}, E)"
            )
        chans.extend(e.permute(2, 0, 1))
    return torch.stack(chans)


class GraphModel(nn.Module):
    """Equivariant network ``input -> hidden^layers -> readout`` on direct sums of S_n-sets.

    Parameters
    ----------
    in_channels : int
        Channels of the input 2-tensor.
    hidden_spaces : sequence of SnSet
        The S_n-sets of every hidden layer (a direct sum), e.g. ``PRESETS["mixed"]``.
    hidden : int
        Channels per hidden summand.
    layers : int
        Number of hidden layers (>= 1).
    out_dim : int
    readout : "graph" | "node" | "edge"
    pooling : extra masked pooling for the graph readout ("mean" adds nothing beyond the
        orbit-type means; "max" or "sum" are concatenated to them).
    normalize : bool
        Means instead of sums inside the layers (recommended when n varies).
    norm : "none" | "orbit"
        ``"orbit"``: the input of every layer is centred per orbit type and channel and the
        whole direct sum divided by one RMS per graph
        (:func:`~equiact.sn.masking.orbit_normalize_sum`), the hidden layers sum
        (``normalize`` is ignored), and the head reads the statistics every normalisation
        removed plus ``n`` (:meth:`features`) through a ``BatchNorm1d``. Exactly equivariant;
        the preset that reaches the 1-WL / 2-FWL bounds with random weights, in float32 and
        float64 (docs/separation_models.md).
    activation : "relu" | "tanh" | "silu" | None
        Point-wise activation; None: ``"tanh"`` with ``norm="orbit"`` (analytic, so one
        random draw is generic), ``"relu"`` otherwise.
    """

    def __init__(self, in_channels: int, hidden_spaces, hidden: int, layers: int, out_dim: int,
                 readout: str = "graph", pooling: str = "mean", normalize: bool = True,
                 input_space: SnSet | None = None, norm: str = "none",
                 activation: str | None = None):
        super().__init__()
        if readout not in READOUTS:
            raise InvalidInputError(f"readout {readout!r} unknown; use one of {READOUTS}")
        if pooling not in POOLINGS:
            raise InvalidInputError(f"pooling {pooling!r} unknown; use one of {POOLINGS}")
        if norm not in NORMS:
            raise InvalidInputError(f"norm {norm!r} unknown; use one of {NORMS}")
        if activation is None:
            activation = "tanh" if norm == "orbit" else "relu"
        if activation not in ACTIVATIONS:
            raise InvalidInputError(
                f"activation {activation!r} unknown; use one of {tuple(ACTIVATIONS)}"
            )
        self.norm = norm
        self.activation = activation
        if norm == "orbit":
            normalize = False
        for name, v in (("hidden", hidden), ("layers", layers), ("out_dim", out_dim),
                        ("in_channels", in_channels)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InvalidInputError(f"{name} = {v!r}; give a positive integer")
        self.hidden_spaces = tuple(hidden_spaces)
        input_space = SnSet.tensor(2) if input_space is None else input_space
        self.input_space = input_space
        self.readout, self.pooling = readout, pooling
        hs = list(self.hidden_spaces)
        k = len(hs)
        self.blocks = nn.ModuleList()
        self.blocks.append(SnDirectSumLinear([input_space], hs, [in_channels], [hidden] * k,
                                             normalize=normalize))
        for _ in range(layers - 1):
            self.blocks.append(SnDirectSumLinear(hs, hs, [hidden] * k, [hidden] * k,
                                                 normalize=normalize))
        self.act = ACTIVATIONS[activation]()
        if readout == "graph":
            extra = 0 if pooling == "mean" else hidden * k
            if norm == "orbit":
                # the statistics every orbit normalisation removes, and n (see features())
                width = in_channels * (orbit_type_count(input_space) + 1) + 1
                width += layers * sum(hidden * (orbit_type_count(sp) + 1) for sp in hs)
            else:
                self.to_scalar = SnDirectSumLinear(hs, [SnSet.tensor(0)], [hidden] * k,
                                                   [hidden], normalize=True)
                width = hidden
            head = [nn.Linear(width + extra, hidden), nn.ReLU(), nn.Linear(hidden, out_dim)]
            if norm == "orbit":
                head.insert(0, nn.BatchNorm1d(width + extra, eps=1e-8))
            self.head = nn.Sequential(*head)
            self.num_features = width + extra
        else:
            target = SnSet.tensor(1 if readout == "node" else 2)
            self.to_out = SnDirectSumLinear(hs, [target], [hidden] * k, [out_dim],
                                            normalize=normalize)

    def _body(self, x: torch.Tensor, sizes, stats: list | None = None):
        if x.dim() != 2 + self.input_space.order:
            raise InvalidInputError(
                f"input has shape {tuple(x.shape)}; expected (batch, channels) + "
                f"{self.input_space.order} node axes"
            )
        n = x.shape[-1]
        hs, spaces = [x], [self.input_space]
        for blk in self.blocks:
            if self.norm == "orbit":
                hs = self._normalize(hs, spaces, sizes, stats)
            hs = [self.act(h) for h in blk(hs, sizes, n=n)]
            spaces = self.hidden_spaces
        return hs, n

    @staticmethod
    def _normalize(hs, spaces, sizes, stats):
        """Orbit-normalise the direct sum (one divisor per graph), collecting the statistics."""
        if stats is None:
            return orbit_normalize_sum(hs, spaces, sizes)
        out, st = orbit_normalize_sum(hs, spaces, sizes, return_stats=True)
        stats.extend(t.flatten(1) for t in st)
        return out

    def features(self, x: torch.Tensor, sizes: torch.Tensor | None = None) -> torch.Tensor:
        """The invariant features ``(B, num_features)`` that the head of a graph readout gets.

        Without a norm: the equivariant map of the last hidden layer to scalars (orbit-type
        means); with ``norm="orbit"``: the statistics every orbit normalisation removed (the
        mean of every orbit type and the RMS of the centred part, per channel, at every layer's
        input and after the last layer) and the number of nodes ``n``. Pooling "sum"/"max" adds
        one pooled value per hidden channel.

        >>> m = build_model("2-ign", 1, 3, hidden=4, layers=1, pooling="max")
        >>> m.features(torch.rand(2, 1, 5, 5)).shape      # 4 orbit-type means + 4 maxima
        torch.Size([2, 8])
        >>> build_model("2-ign", 1, 3, hidden=4, layers=2, norm="orbit").num_features
        28
        """
        if self.readout != "graph":
            raise InvalidInputError(
                f"features() needs readout='graph'; this model has readout={self.readout!r}"
            )
        if self.norm == "orbit":
            stats: list = []
            hs, n = self._body(x, sizes, stats)
            self._normalize(hs, self.hidden_spaces, sizes, stats)
            if sizes is None:
                count = x.new_full((x.shape[0], 1), float(n))
            else:
                count = check_sizes(sizes, x.shape[0], n, device=x.device).to(x.dtype)
                count = count.reshape(-1, 1)
            feats = stats + [count]
        else:
            hs, n = self._body(x, sizes)
            feats = [self.to_scalar(hs, sizes, n=n)[0]]
        if self.pooling != "mean":
            feats += [masked_pool(h, sp, sizes, self.pooling)
                      for h, sp in zip(hs, self.hidden_spaces)]
        return torch.cat(feats, dim=1)

    def forward(self, x: torch.Tensor, sizes: torch.Tensor | None = None) -> torch.Tensor:
        """``x``: ``(B, C, n, n)`` (zero padded); ``sizes``: ``(B,)`` true node counts."""
        if self.readout == "graph":
            return self.head(self.features(x, sizes))
        hs, n = self._body(x, sizes)
        return self.to_out(hs, sizes, n=n)[0]


def build_model(preset: str, in_channels: int, out_dim: int, hidden: int = 16, layers: int = 2,
                readout: str = "graph", pooling: str = "mean",
                normalize: bool = True, norm: str = "none",
                activation: str | None = None) -> GraphModel:
    """A :class:`GraphModel` with the hidden spaces of ``preset`` (see :data:`PRESETS`).

    >>> build_model("mixed", 1, 2, hidden=3, layers=1).hidden_spaces[2].label
    '3-subsets'
    >>> build_model("4-ign", 1, 1)
    Traceback (most recent call last):
    ...
    equiact.errors.UnknownNameError: unknown model preset '4-ign'; did you mean ...
    """
    if preset not in PRESETS:
        raise unknown_name("model preset", preset, PRESETS)
    return GraphModel(in_channels, PRESETS[preset], hidden, layers, out_dim, readout=readout,
                      pooling=pooling, normalize=normalize, norm=norm,
                      activation=activation)


@torch.no_grad()
def refresh_batchnorm(model: nn.Module, run) -> None:
    """Recompute the BatchNorm running statistics of ``model`` with its current weights
    ("precise BatchNorm"): reset them, call ``run()`` (forward passes over the data) in train
    mode with a cumulative average, restore the momenta and leave ``model`` in eval mode.

    The running averages collected during training lag the changing features; the
    ``norm="orbit"`` head standardises invariant features whose class differences are tiny, so
    evaluation needs the statistics of the final weights. A model without BatchNorm is left as
    it is.
    """
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    momenta = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the passes of run()
    model.train()
    run()
    for m, mo in zip(bns, momenta):
        m.momentum = mo
    model.eval()
