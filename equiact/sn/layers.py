"""Structured S_n-equivariant linear layers with ``n`` free: contract -> mix channels -> broadcast.

Between k-tensors ``(R^n)^{(x)k}`` and l-tensors the equivariant maps are indexed by the set
partitions of the ``k + l`` indices (Bell(k+l) of them; fewer independent ones when
``n < k + l``). A partition splits into

* the partition of the input indices (a diagonal extraction) and the input blocks that are
  summed out (blocks without output indices) -- the *contraction*, giving a tensor with one
  axis per kept block;
* the matching of the kept input blocks with output blocks (an axis permutation), and
* the partition of the output indices (a diagonal embedding) with broadcasting along output
  blocks that meet no input block.

All maps whose contraction keeps ``m`` axes are evaluated together: the contracted tensors
(and their axis permutations) are stacked along the channel axis and mixed by one matmul, then
broadcast into their output diagonals. The cost is ``O(n^max(k,l) C_in C_out)`` per graph and no
``n^k x n^l`` matrix is ever formed.

Injective t-tuples are handled as off-diagonal t-tensors (only partitions whose blocks hold at
most one input and at most one output index survive), t-subsets as symmetric off-diagonal
t-tensors (contractions symmetrised, placements summed over the output positions), and
``R^{S_n/A_n}`` (two points; trivial plus sign) by the invariant maps plus, for the few ``n``
where the sign character occurs (``n <= order + 1``), alternating contractions.

>>> import torch
>>> layer = SnLinear(SnSet.tensor(2), SnSet.tensor(2), 3, 4)
>>> layer.num_maps, layer.num_biases
(15, 2)
>>> layer(torch.randn(5, 3, 6, 6)).shape
torch.Size([5, 4, 6, 6])
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch
from torch import nn

from equiact.errors import InvalidInputError
from equiact.sn.ops import (
    check_sizes,
    distinct_mask,
    flat_diagonal_index,
    generalized_diagonal,
    size_mask,
)
from equiact.sn.partitions import set_partitions
from equiact.spaces import permutation_sign

__all__ = ["SnSet", "SnLinear", "SnDirectSumLinear", "MAX_ORDER"]

#: Largest tensor / tuple / subset order the structured layers accept.
MAX_ORDER = 3

_KINDS = ("tensor", "tuple", "subset", "sign")


@dataclass(frozen=True)
class SnSet:
    """An S_n-set usable with ``n`` free: k-tensors, injective t-tuples, t-subsets, S_n/A_n.

    ``order`` is k (or t); it is 0 for ``S_n/A_n``. The feature layout is
    ``(batch, channels) + (n,) * order``, and ``(batch, channels, 2)`` for ``S_n/A_n``.

    >>> SnSet.subsets(2).label, SnSet.tuples(3).size(5), SnSet.sign().size(4)
    ('2-subsets', 60, 2)
    >>> SnSet.tensor(4)
    Traceback (most recent call last):
    ...
    equiact.errors.InvalidInputError: order 4 is above MAX_ORDER = 3; ...
    """

    kind: str
    order: int

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise InvalidInputError(f"kind {self.kind!r} unknown; use one of {_KINDS}")
        if isinstance(self.order, bool) or not isinstance(self.order, int) or self.order < 0:
            raise InvalidInputError(f"order = {self.order!r}; give a non-negative integer")
        if self.order > MAX_ORDER:
            raise InvalidInputError(
                f"order {self.order} is above MAX_ORDER = {MAX_ORDER}; the structured layers "
                "cover orders 0..3 (use EquivariantLinear with an explicit space otherwise)"
            )
        if self.kind == "sign" and self.order != 0:
            raise InvalidInputError("the S_n/A_n space has order 0; use SnSet.sign()")

    @classmethod
    def tensor(cls, k: int) -> SnSet:
        """k-tensors ``(R^n)^{(x)k}`` (k = 0: invariant scalars)."""
        return cls("tensor", k)

    @classmethod
    def tuples(cls, t: int) -> SnSet:
        """Injective t-tuples ``S_n/S_{n-t}``."""
        return cls("tuple", t)

    @classmethod
    def subsets(cls, t: int) -> SnSet:
        """t-subsets ``S_n/(S_t x S_{n-t})``."""
        return cls("subset", t)

    @classmethod
    def sign(cls) -> SnSet:
        """``R^{S_n/A_n}``: two points swapped by odd permutations."""
        return cls("sign", 0)

    @property
    def label(self) -> str:
        if self.kind == "sign":
            return "S_n/A_n"
        if self.kind == "tensor":
            return f"{self.order}-tensors"
        return f"{self.order}-{'subsets' if self.kind == 'subset' else 'tuples'}"

    @property
    def axes(self) -> int:
        """Number of trailing feature axes (1 for S_n/A_n, whose axis has length 2)."""
        return 1 if self.kind == "sign" else self.order

    def size(self, n: int) -> int:
        """Number of points for a given n."""
        if self.kind == "sign":
            return 2
        if self.kind == "tensor":
            return n**self.order
        if self.kind == "tuple":
            return math.perm(n, self.order)
        return math.comb(n, self.order)

    def feature_shape(self, n: int) -> tuple[int, ...]:
        return (2,) if self.kind == "sign" else (n,) * self.order

    def reference_space(self, n: int):
        """The :class:`~equiact.spaces.PermutationSpace` of this S_n-set (flat order)."""
        from equiact import spaces

        if self.kind == "tensor":
            return spaces.sn_tensor_space(n, self.order)
        if self.kind == "tuple":
            return spaces.sn_injective_tuple_space(n, self.order)
        if self.kind == "subset":
            return spaces.sn_subset_space(n, self.order)
        return spaces.sn_sign_space(n)

    def from_flat(self, v: torch.Tensor, n: int) -> torch.Tensor:
        """Flat vectors (last axis, order of :meth:`reference_space`) -> structured layout."""
        from equiact.sn import ops

        if self.kind == "tuple":
            return ops.tuples_to_tensor(v, n, self.order)
        if self.kind == "subset":
            return ops.subsets_to_tensor(v, n, self.order)
        return v.reshape(v.shape[:-1] + self.feature_shape(n))

    def to_flat(self, x: torch.Tensor, n: int) -> torch.Tensor:
        """Structured layout -> flat vectors in the order of :meth:`reference_space`."""
        from equiact.sn import ops

        if self.kind == "tuple":
            return ops.tensor_to_tuples(x, n, self.order)
        if self.kind == "subset":
            return ops.tensor_to_subsets(x, n, self.order)
        return x.reshape(x.shape[: x.dim() - self.axes] + (self.size(n),))

    def support_mask(self, n: int, sizes=None, dtype=torch.float32, device=None):
        """Mask of the valid entries (padding and, for tuples/subsets, the diagonals) or None."""
        if self.kind == "sign":
            return None
        m = None
        if sizes is not None:
            m = size_mask(sizes, n, self.order, dtype=dtype)
        if self.kind != "tensor" and self.order >= 2:
            d = distinct_mask(n, self.order, dtype=dtype, device=device)
            m = d if m is None else m * d
        return m


# ---------------------------------------------------------------------------- plans
def _in_patterns(space: SnSet):
    """(input partition, kept blocks) pairs; kept blocks ascending."""
    k = space.order
    out = []
    if space.kind == "tensor":
        for part in set_partitions(k):
            for r in range(len(part) + 1):
                for kept in itertools.combinations(range(len(part)), r):
                    out.append((part, kept))
    elif space.kind == "tuple":
        part = tuple((p,) for p in range(k))
        for r in range(k + 1):
            for kept in itertools.combinations(range(k), r):
                out.append((part, kept))
    else:  # subset: the contraction only depends on how many positions are kept
        part = tuple((p,) for p in range(k))
        for r in range(k + 1):
            out.append((part, tuple(range(r))))
    return out


def _out_patterns(space: SnSet):
    """Output patterns: list of placements (output partition, mixed blocks) sharing one u."""
    l_ = space.order
    out = []
    if space.kind == "tensor":
        for part in set_partitions(l_):
            for r in range(len(part) + 1):
                for mixed in itertools.combinations(range(len(part)), r):
                    out.append([(part, mixed)])
    elif space.kind == "tuple":
        part = tuple((p,) for p in range(l_))
        for r in range(l_ + 1):
            for mixed in itertools.combinations(range(l_), r):
                out.append([(part, mixed)])
    else:
        part = tuple((p,) for p in range(l_))
        for r in range(l_ + 1):
            out.append([(part, mixed) for mixed in itertools.combinations(range(l_), r)])
    return out


class _Plan:
    """Per-m groups: variants (in-pattern index, axis order or 'sym') and output patterns."""

    def __init__(self, src: SnSet, dst: SnSet):
        self.in_patterns = _in_patterns(src)
        self.out_patterns = _out_patterns(dst)
        self.groups = {}
        max_m = min(src.order, dst.order)
        for m in range(max_m + 1):
            variants = []
            for pi, (_part, kept) in enumerate(self.in_patterns):
                if len(kept) != m:
                    continue
                if src.kind == "subset" or m <= 1:
                    variants.append((pi, tuple(range(m))))
                elif dst.kind == "subset":
                    variants.append((pi, "sym"))
                else:
                    for order in itertools.permutations(range(m)):
                        variants.append((pi, order))
            outs = [q for q, pl in enumerate(self.out_patterns) if len(pl[0][1]) == m]
            if variants and outs:
                self.groups[m] = (variants, outs)
        self.num_maps = sum(len(v) * len(o) for v, o in self.groups.values())
        self.bias_patterns = [q for q, pl in enumerate(self.out_patterns) if not pl[0][1]]


# ---------------------------------------------------------------------------- sign helpers
def _alternating_vectors(space: SnSet, n: int) -> list[torch.Tensor]:
    """Sign-equivariant vectors c (c(g x) = sgn(g) c(x)) on the structured layout, float64.

    Nonzero only for ``n <= order + 1``; one candidate per partition of the positions with at
    least ``n - 1`` blocks (zero candidates are dropped).
    """
    k = space.order
    if space.kind == "sign" or n < 2 or n > k + 1:
        return []
    if space.kind == "tensor":
        parts = [p for p in set_partitions(k) if n - 1 <= len(p) <= n]
    else:
        parts = [tuple((p,) for p in range(k))] if n - 1 <= k <= n else []
    vecs = []
    for part in parts:
        b = len(part)
        c = torch.zeros((n,) * k, dtype=torch.float64)
        for vals in itertools.permutations(range(n), b):
            rest = [v for v in range(n) if v not in vals]
            sgn = permutation_sign(list(vals) + rest)
            idx = [0] * k
            for bi, blk in enumerate(part):
                for p in blk:
                    idx[p] = vals[bi]
            c[tuple(idx)] = sgn
        if space.kind == "subset":
            c = sum(c.permute(*q) for q in itertools.permutations(range(k)))
        if c.abs().sum() > 0:
            vecs.append(c)
    return vecs


# ---------------------------------------------------------------------------- the layer
class SnLinear(nn.Module):
    """Equivariant linear map between two :class:`SnSet` feature spaces, ``n`` free.

    Parameters
    ----------
    in_space, out_space : SnSet
    in_channels, out_channels : int
    bias : bool
        Invariant bias, one per orbit type of the output (Bell(l) for l-tensors).
    normalize : bool
        Divide each contraction that sums over ``s`` blocks by ``n**s`` (each graph's own
        ``n``): sums become means, so the same weights suit very different ``n``.

    ``forward(x, sizes=None)``: ``x`` has shape ``(B, C_in) + (n,)*k``; with ``sizes`` (a
    ``(B,)`` integer tensor of true sizes) graph ``b`` lives in the leading ``sizes[b]`` indices
    of every axis, the rest is padding; padding is ignored and returned as zeros.

    >>> import torch
    >>> lin = SnLinear(SnSet.subsets(2), SnSet.tuples(2), 1, 1)   # |intersection|, order
    >>> lin.num_maps, lin.num_biases
    (4, 1)
    """

    def __init__(self, in_space: SnSet, out_space: SnSet, in_channels: int,
                 out_channels: int, bias: bool = True, normalize: bool = False):
        super().__init__()
        for name, sp in (("in_space", in_space), ("out_space", out_space)):
            if not isinstance(sp, SnSet):
                raise InvalidInputError(
                    f"{name} is {type(sp).__name__}; give an SnSet such as SnSet.tensor(2)"
                )
        for name, c in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(c, bool) or not isinstance(c, int) or c < 1:
                raise InvalidInputError(f"{name} = {c!r}; give a positive integer")
        self.in_space, self.out_space = in_space, out_space
        self.in_channels, self.out_channels = in_channels, out_channels
        self.normalize = bool(normalize)
        src = SnSet.tensor(0) if in_space.kind == "sign" else in_space
        dst = SnSet.tensor(0) if out_space.kind == "sign" else out_space
        self._plan = _Plan(src, dst)
        self.weights = nn.ParameterDict()
        nvar = sum(len(v) for v, _ in self._plan.groups.values())
        std = 1.0 / math.sqrt(in_channels * max(1, nvar))
        for m, (variants, outs) in self._plan.groups.items():
            w = torch.randn(len(outs) * out_channels, len(variants) * in_channels) * std
            self.weights[f"m{m}"] = nn.Parameter(w)
        # S_n/A_n: the sign parts (identity/swap between two sign spaces; alternating maps).
        self.sign_weight = None
        if in_space.kind == "sign" or out_space.kind == "sign":
            cnt = 1 if (in_space.kind == "sign" and out_space.kind == "sign") else _max_alt(
                out_space if in_space.kind == "sign" else in_space
            )
            if cnt:
                self.sign_weight = nn.Parameter(torch.randn(cnt, out_channels, in_channels) * std)
        if bias:
            nb = len(self._plan.bias_patterns)
            self.bias = nn.Parameter(torch.zeros(nb, out_channels))
        else:
            self.register_parameter("bias", None)
        self._cache = {}

    # --------------------------------------------------------------- introspection
    @property
    def num_maps(self) -> int:
        """Number of structured maps (spanning set) per channel pair, for large n."""
        extra = 0
        if self.in_space.kind == "sign" and self.out_space.kind == "sign":
            extra = 1
        return self._plan.num_maps + extra

    @property
    def num_biases(self) -> int:
        return 0 if self.bias is None else self.bias.shape[0]

    def extra_repr(self) -> str:
        return (
            f"{self.in_space.label} -> {self.out_space.label}, {self.in_channels} -> "
            f"{self.out_channels}, maps={self.num_maps}, bias={self.bias is not None}, "
            f"normalize={self.normalize}"
        )

    # --------------------------------------------------------------- forward
    def forward(self, x: torch.Tensor, sizes: torch.Tensor | None = None,
                n: int | None = None) -> torch.Tensor:
        """Apply the layer; ``n`` is needed only when the input has no node axis."""
        ins, outs = self.in_space, self.out_space
        if x.dim() != 2 + ins.axes or x.shape[1] != self.in_channels:
            raise InvalidInputError(
                f"input has shape {tuple(x.shape)}; expected (batch, {self.in_channels})"
                f" + {ins.axes} axes for {ins.label}"
            )
        if ins.kind == "sign" and x.shape[-1] != 2:
            raise InvalidInputError(
                f"S_n/A_n features need a last axis of length 2; got shape {tuple(x.shape)}"
            )
        if sizes is not None:
            sizes = check_sizes(sizes, x.shape[0], None, device=x.device)
        if ins.kind != "sign" and ins.order:
            n = x.shape[-1]
            if any(s != n for s in x.shape[2:]):
                raise InvalidInputError(
                    f"input node axes {tuple(x.shape[2:])} differ; pad every axis to the same n"
                )
        elif n is None:
            if outs.kind != "sign" and outs.order:
                if sizes is None:
                    raise InvalidInputError(
                        f"{ins.label} input has no node axis; pass n= (or sizes=) to build "
                        f"{outs.label} output"
                    )
                n = int(sizes.max())
            else:
                n = 1 if sizes is None else int(sizes.max())
        if sizes is not None and (int(sizes.max()) > n or int(sizes.min()) < 0):
            raise InvalidInputError(
                f"sizes must lie in 0..{n} (the padded n); got {int(sizes.min())}.."
                f"{int(sizes.max())}"
            )
        if ins.kind == "sign":
            src = x.sum(-1)  # trivial part: one invariant scalar per channel
        else:
            mask = ins.support_mask(n, sizes, dtype=x.dtype, device=x.device)
            src = x if mask is None else x * mask
        y = self._tensor_part(src, n, sizes, x)
        if self.sign_weight is not None:
            y = y + self._sign_part(x, n, sizes, src)
        if outs.kind != "sign":
            mask = outs.support_mask(n, sizes, dtype=y.dtype, device=y.device)
            if mask is not None:
                y = y * mask
        return y

    def _scale(self, s: int, n: int, sizes, like: torch.Tensor, nd: int):
        if not self.normalize or s == 0:
            return None
        if sizes is None:
            return 1.0 / float(n) ** s
        f = sizes.to(like.dtype).clamp(min=1) ** (-s)
        return f.reshape((-1,) + (1,) * (nd - 1))

    def _contract(self, src: torch.Tensor, n, sizes):
        """Contracted tensors, one per input pattern (None where unused)."""
        plan = self._plan
        needed = {pi for variants, _ in plan.groups.values() for pi, _o in variants}
        memo: dict = {}
        res = {}
        src_sp = SnSet.tensor(0) if self.in_space.kind == "sign" else self.in_space

        def get(part, summed):
            key = (part, summed)
            if key in memo:
                return memo[key]
            if not summed:
                t = generalized_diagonal(src, part) if src_sp.order else src
            else:
                last = max(summed)
                parent_summed = tuple(b for b in summed if b != last)
                parent = get(part, parent_summed)
                remaining = [b for b in range(len(part)) if b not in parent_summed]
                t = _sum(parent, 2 + remaining.index(last))
            memo[key] = t
            return t

        for pi in sorted(needed):
            part, kept = plan.in_patterns[pi]
            summed = tuple(b for b in range(len(part)) if b not in kept)
            z = get(part, summed)
            sc = self._scale(len(summed), n, sizes, z, z.dim())
            res[pi] = z if sc is None else z * sc
        return res

    def _tensor_part(self, src, n, sizes, x):
        plan = self._plan
        outs = self.out_space
        dst = SnSet.tensor(0) if outs.kind == "sign" else outs
        B = x.shape[0]
        Cout = self.out_channels
        zs = self._contract(src, n, sizes)
        us = {}  # output pattern index -> u of shape (B, Cout) + (n,)*m
        for m, (variants, qs) in plan.groups.items():
            parts = []
            for pi, order in variants:
                z = zs[pi]
                if order == "sym":
                    z = sum(z.permute(0, 1, *(2 + o for o in p))
                            for p in itertools.permutations(range(m)))
                elif order != tuple(range(m)):
                    z = z.permute(0, 1, *(2 + o for o in order))
                parts.append(z)
            Z = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
            W = self.weights[f"m{m}"]
            if m == 0:
                U = Z @ W.t()
            else:
                U = torch.matmul(W, Z.reshape(B, Z.shape[1], -1))
            U = U.reshape((B, len(qs), Cout) + (n,) * m) if m else U.reshape(B, len(qs), Cout)
            for q, u in zip(qs, U.unbind(1)):  # unbind: backward stacks, no zero-fill
                us[q] = u
        if self.bias is not None:
            for j, q in enumerate(plan.bias_patterns):
                b = self.bias[j].reshape(1, Cout)
                us[q] = us[q] + b if q in us else b.expand(B, Cout)
        ell = dst.order
        if ell == 0:
            y = sum(us.values()) if us else x.new_zeros(B, Cout)
            if outs.kind == "sign":
                y = y.unsqueeze(-1).expand(B, Cout, 2)
            return y
        # group placements by output partition
        full = tuple((p,) for p in range(ell))
        by_part: dict = {}
        for q, u in us.items():
            for part, mixed in plan.out_patterns[q]:
                by_part.setdefault(part, []).append((mixed, u))
        y = None
        diag_idx, diag_src = [], []
        for part in sorted(by_part, key=lambda p: p != full):
            nb = len(part)
            acc, owned = None, False
            # small broadcasts first: they stay small until the first full-size term; once the
            # accumulator is a full-size tensor we created, add in place (no new allocations;
            # safe for autograd since addition does not save its output)
            for mixed, u in sorted(by_part[part], key=lambda it: len(it[0])):
                uu = u.reshape([B, Cout] + [n if b in mixed else 1 for b in range(nb)])
                if acc is None:
                    acc = uu
                elif owned:
                    acc.add_(uu)
                else:
                    acc = acc + uu
                    owned = acc.dim() == 2 + nb and all(d == n for d in acc.shape[2:])
            acc = acc.expand([B, Cout] + [n] * nb)
            if part == full:
                y = acc.contiguous()
                continue
            diag_idx.append(self._diag_index(n, part, ell, x.device))
            diag_src.append(acc.reshape(B, Cout, -1))
        if y is None:
            y = x.new_zeros((B, Cout) + (n,) * ell)
        if diag_idx:  # all diagonal embeddings in one scatter-add
            idx = torch.cat(diag_idx) if len(diag_idx) > 1 else diag_idx[0]
            src_d = torch.cat(diag_src, dim=-1) if len(diag_src) > 1 else diag_src[0]
            y = y.reshape(B, Cout, -1).index_add(-1, idx, src_d).reshape((B, Cout) + (n,) * ell)
        return y

    def _diag_index(self, n, part, ell, device):
        key = ("diag", n, part, ell, str(device))
        if key not in self._cache:
            self._cache[key] = flat_diagonal_index(n, part, ell, device=device)
        return self._cache[key]

    def _sign_part(self, x, n, sizes, src):
        """Sign-character maps (identity/swap on S_n/A_n, alternating maps for small n)."""
        ins, outs = self.in_space, self.out_space
        W = self.sign_weight  # (cnt, Cout, Cin)
        if ins.kind == "sign" and outs.kind == "sign":
            a = x[..., 0] - x[..., 1]  # (B, Cin), sign part
            v = a @ W[0].t()
            return torch.stack([v, -v], dim=-1) * 0.5
        B = x.shape[0]
        sizes_l = [n] * B if sizes is None else [int(s) for s in sizes.tolist()]
        other = outs if ins.kind == "sign" else ins
        out_shape = (B, self.out_channels) + outs.feature_shape(n)
        res = x.new_zeros(out_shape)
        for nb in sorted(set(sizes_l)):
            vecs = _alternating_vectors(other, nb)
            if not vecs:
                continue
            rows = [b for b in range(B) if sizes_l[b] == nb]
            ridx = torch.tensor(rows, device=x.device)
            C = torch.stack(vecs).to(dtype=x.dtype, device=x.device)  # (P, nb^k)
            P = C.shape[0]
            sl = (slice(None), slice(None)) + (slice(0, nb),) * other.order
            if ins.kind == "sign":
                a = x.index_select(0, ridx)
                a = a[..., 0] - a[..., 1]  # (b, Cin)
                v = torch.einsum("bi,poi,p...->bo...", a, W[:P], C)
                full = x.new_zeros((len(rows), self.out_channels) + (n,) * other.order)
                full[sl] = v
                res = res.index_add(0, ridx, full)
            else:
                xs = src.index_select(0, ridx)[sl]
                s = torch.einsum("bi...,p...->bpi", xs, C)
                v = torch.einsum("bpi,poi->bo", s, W[:P])
                res = res.index_add(0, ridx, torch.stack([v, -v], dim=-1) * 0.5)
        return res


def _max_alt(space: SnSet) -> int:
    """Most alternating vectors any n gives for this set (sizes the sign weights)."""
    return max((len(_alternating_vectors(space, n)) for n in range(2, space.order + 2)),
               default=0)


class SnDirectSumLinear(nn.Module):
    """Equivariant linear map between direct sums of :class:`SnSet` spaces (a block matrix).

    Inputs and outputs are lists of tensors, one per summand, each with its own channels.

    >>> import torch
    >>> lin = SnDirectSumLinear([SnSet.tensor(1), SnSet.tensor(2)], [SnSet.tensor(0)], [2, 3], [4])
    >>> [t.shape for t in lin([torch.randn(5, 2, 6), torch.randn(5, 3, 6, 6)])]
    [torch.Size([5, 4])]
    """

    def __init__(self, in_spaces, out_spaces, in_channels, out_channels, bias: bool = True,
                 normalize: bool = False):
        super().__init__()
        in_spaces, out_spaces = list(in_spaces), list(out_spaces)
        in_channels, out_channels = list(in_channels), list(out_channels)
        if len(in_spaces) != len(in_channels) or len(out_spaces) != len(out_channels):
            raise InvalidInputError(
                f"{len(in_spaces)} input spaces with {len(in_channels)} channel counts, "
                f"{len(out_spaces)} output spaces with {len(out_channels)}; give one count "
                "per summand"
            )
        self.in_spaces, self.out_spaces = in_spaces, out_spaces
        self.blocks = nn.ModuleList()
        for j, so in enumerate(out_spaces):
            for i, si in enumerate(in_spaces):
                self.blocks.append(SnLinear(si, so, in_channels[i], out_channels[j],
                                            bias=bias and i == 0, normalize=normalize))

    def forward(self, xs, sizes=None, n: int | None = None):
        if len(xs) != len(self.in_spaces):
            raise InvalidInputError(f"got {len(xs)} inputs for {len(self.in_spaces)} summands")
        if n is None:
            for x, sp in zip(xs, self.in_spaces):
                if sp.kind != "sign" and sp.order:
                    n = x.shape[-1]
        outs = []
        ni = len(self.in_spaces)
        for j, _so in enumerate(self.out_spaces):
            acc = None
            for i in range(ni):
                blk = self.blocks[j * ni + i]
                y = blk(xs[i], sizes, n=n)
                acc = y if acc is None else acc + y
            outs.append(acc)
        return outs


def _sum(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sum along ``dim``, accumulated in float64 for lower precisions (rounded once)."""
    if t.dtype in (torch.float32, torch.float16, torch.bfloat16):
        return t.sum(dim=dim, dtype=torch.float64).to(t.dtype)
    return t.sum(dim=dim)
