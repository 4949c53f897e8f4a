"""Memory estimate of one training step, computed before anything large is allocated.

Parameters: a preset's parameter count is a quadratic polynomial in ``hidden``; it is fitted
exactly from models of width 1, 2 and 3 (the large model is never built). Activations: the
bytes autograd saves in one forward pass are a polynomial of degree <= 3 in n (tensor shapes
are products of n), quadratic in the width (the saved weights) and affine in the batch size;
they are measured on tiny graphs (n = 5..8, widths 1, 2, 3, batches 2 and 3) and
extrapolated to the real n, width and batch (exact: tested against the bytes autograd saves).

The estimate is ``4 x saved activations`` (the saved tensors, their gradients and the
temporaries of the backward pass; calibrated against the peak RSS of forward + backward for
2-ign, 3-ign, mixed and tuples at n = 30..100, where the peak was 3.2-4.9 times the saved
bytes) ``+ 4 x parameter bytes`` (weights, gradients, two Adam moments).

>>> est = estimate_training_memory("2-ign", in_channels=1, out_dim=3, hidden=16, layers=2,
...                                batch_size=16, n=41)
>>> 1e6 < est["total_bytes"] < 1e9, est["parameters"]
(True, 4995)
"""

from __future__ import annotations

import numpy as np
import torch

from equiact.errors import InvalidInputError

__all__ = ["DEFAULT_MAX_MEMORY_GB", "estimate_training_memory", "check_training_memory"]

#: Default limit of :func:`check_training_memory` (``equiact train --max-memory-gb``).
DEFAULT_MAX_MEMORY_GB = 8.0

_NS = (5, 6, 7, 8)


def _build(preset, in_channels, out_dim, hidden, layers, pooling, norm):
    from equiact.sn.models import build_model

    return build_model(preset, in_channels, out_dim, hidden=hidden, layers=layers,
                       pooling=pooling, norm=norm)


def _param_count(preset, in_channels, out_dim, hidden, layers, pooling, norm) -> int:
    counts = [sum(p.numel() for p in _build(preset, in_channels, out_dim, h, layers, pooling,
                                            norm).parameters()) for h in (1, 2, 3)]
    # p(h) = a h^2 + b h + c through (1, p1), (2, p2), (3, p3), in exact integers
    p1, p2, p3 = counts
    a2 = p3 - 2 * p2 + p1  # = 2a
    b = (p2 - p1) - 3 * a2 // 2
    c = p1 - a2 // 2 - b
    return (a2 * hidden * hidden) // 2 + b * hidden + c


def _saved_bytes(model, in_channels: int, n: int, batch: int) -> int:
    total = 0

    def pack(t):
        nonlocal total
        total += t.numel() * t.element_size()
        return t

    model.train()
    x = torch.rand(batch, in_channels, n, n)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(x, torch.full((batch,), n))
    return total


def estimate_training_memory(preset: str, in_channels: int, out_dim: int, hidden: int,
                             layers: int, batch_size: int, n: int, pooling: str = "mean",
                             norm: str = "none") -> dict:
    """Estimated bytes of one training step: ``{"parameters", "parameter_bytes",
    "activation_bytes", "total_bytes"}`` (see the module docstring)."""
    params = _param_count(preset, in_channels, out_dim, hidden, layers, pooling, norm)
    at = {}  # (width, batch) -> saved bytes extrapolated to n
    with torch.random.fork_rng():
        torch.manual_seed(0)
        for h in (1, 2, 3):
            model = _build(preset, in_channels, out_dim, h, layers, pooling, norm)
            for b in (2, 3):  # batch 1 would hit BatchNorm's one-sample error (norm="orbit")
                ys = [_saved_bytes(model, in_channels, m, b) for m in _NS]
                coef = np.polyfit(np.array(_NS, dtype=float), np.array(ys, dtype=float), 3)
                at[h, b] = float(np.polyval(coef, float(max(n, 1))))
    # quadratic in the width (saved weights), affine in the batch
    per_batch = [np.polyval(np.polyfit([1.0, 2.0, 3.0], [at[h, b] for h in (1, 2, 3)], 2),
                            float(hidden)) for b in (2, 3)]
    saved = max(per_batch[0] + (batch_size - 2) * (per_batch[1] - per_batch[0]), 0.0)
    param_bytes = 4 * params
    total = 4 * saved + 4 * param_bytes
    return {"parameters": int(params), "parameter_bytes": int(param_bytes),
            "activation_bytes": int(round(saved)), "total_bytes": int(total)}


def check_training_memory(max_gb: float, **kw) -> dict:
    """:func:`estimate_training_memory`, raising ``InvalidInputError`` above ``max_gb`` GiB."""
    est = estimate_training_memory(**kw)
    gib = est["total_bytes"] / 2**30
    if gib > max_gb:
        raise InvalidInputError(
            f"model {kw['preset']!r} with hidden {kw['hidden']}, {kw['layers']} layers, batch "
            f"{kw['batch_size']} at n = {kw['n']} needs about {gib:.3g} GiB "
            f"({est['parameters']:,} parameters, {est['activation_bytes'] / 2**30:.3g} GiB of "
            f"activations per step), more than the limit of {max_gb:g} GiB; lower --hidden, "
            "--layers or --batch-size, or raise the limit with --max-memory-gb")
    return est
