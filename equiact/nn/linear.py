"""``EquivariantLinear``: the general equivariant linear layer between (signed) permutation spaces.

Layout: inputs are ``(..., in_channels, |X|)``, outputs ``(..., out_channels, |Y|)``; the
channel axis comes before the space axis (like ``(batch, channels, length)`` for ``Conv1d``).

The weight is ``(out_channels, in_channels, dim)`` with ``dim`` the number of orbits of the
group on ``Y x X`` (:func:`equiact.orbit_basis.hom_orbits`); the bias is
``(out_channels, bias_dim)`` over the orbits on Y (:func:`equiact.orbit_basis.invariant_orbits`).

Two ways to apply the map, chosen by ``mode``:

* ``"dense"``: build the full matrix ``(out_channels |Y|, in_channels |X|)`` as ``S @ weight^T``
  with ``S`` the sparse (CSR) ``(|Y||X|, dim)`` orbit-indicator matrix, then one matmul, like
  ``nn.Linear``.
* ``"sparse"``: never materialise it: a sparse (CSR) ``(dim |Y|, |X|)`` matrix of signed orbit
  indicators applied to the input (``nnz * batch * in_channels``), then one GEMM contracting
  orbits and channels with the weight (``batch * out_channels * in_channels * dim * |Y|``).
* ``"auto"`` (default, :func:`choose_mode`): dense for tiny maps
  (``P = |X| |Y| C_in C_out <= DENSE_LIMIT``), sparse when ``P > SPARSE_LIMIT``, otherwise
  sparse iff its flops per sample ``C_in nnz + C_out C_in dim |Y|`` are below
  ``SPARSE_FLOP_FACTOR`` times the dense ``C_out C_in |Y| |X|``: sparse for spaces with much
  weight sharing (S_n tensors), dense for regular representations with few channels. Timings:
  ``bench/linear.py`` and docs/layers.md.

>>> import torch
>>> from equiact.spaces import sn_tensor_space
>>> layer = EquivariantLinear(sn_tensor_space(4, 2), sn_tensor_space(4, 1), 3, 5)
>>> layer.weight.shape, layer.bias.shape         # 2 -> 1 tensors: Bell(3) = 5 orbits
(torch.Size([5, 3, 5]), torch.Size([5, 1]))
>>> layer(torch.randn(7, 3, 16)).shape
torch.Size([7, 5, 4])
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch
from torch import nn

from equiact.errors import InvalidInputError
from equiact.nn._sparse import spmm
from equiact.orbit_basis import hom_orbits, invariant_orbits
from equiact.spaces import as_space

__all__ = [
    "EquivariantLinear", "DENSE_LIMIT", "SPARSE_LIMIT", "SPARSE_FLOP_FACTOR", "choose_mode",
    "EVAL_DENSE_LIMIT", "EVAL_FLOP_FACTOR", "choose_eval_mode",
]

#: ``mode="auto"`` uses the dense weight up to this ``|X| |Y| C_in C_out`` (both modes take well
#: under a millisecond there).
DENSE_LIMIT = 1 << 12
#: ``mode="auto"`` never materialises the dense weight beyond this ``|X| |Y| C_in C_out``.
SPARSE_LIMIT = 1 << 26
#: Sparse is chosen when its flops are below this factor times the dense flops (fitted on
#: ``bench/linear.py``: the sparse path's kernels are about as efficient per flop).
SPARSE_FLOP_FACTOR = 1.05


# torch warns once per process that CSR support is in beta; consume that warning here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.sparse_csr_tensor(torch.tensor([0, 1]), torch.tensor([0]), torch.tensor([1.0]), (1, 1),
                            check_invariants=False)


#: The eval-mode cache of a ``"sparse"`` layer keeps a dense matrix instead while it has at most
#: this many entries ``|X| |Y| C_in C_out`` (64 MiB in float32) ...
EVAL_DENSE_LIMIT = 1 << 24
#: ... and its flops are at most this factor times the sparse path's (fitted on
#: ``python bench/linear.py --forward``: without the weight build, a cached dense matmul was
#: about 5x faster per flop than the sparse path at batch 64).
EVAL_FLOP_FACTOR = 5.0


def choose_eval_mode(nx: int, ny: int, c_in: int, c_out: int, dim: int, nnz: int) -> str:
    """How the eval-mode cache of a ``"sparse"`` layer applies the map.

    Dense (a cached ``(C_out |Y|, C_in |X|)`` matrix, one ``F.linear``) while it has at most
    ``EVAL_DENSE_LIMIT`` entries and ``C_out C_in |Y| |X| <= EVAL_FLOP_FACTOR (C_in nnz +
    C_out C_in dim |Y|)``; otherwise sparse.

    >>> choose_eval_mode(36, 36, 16, 16, 15, 1296)        # S_6 on 2-tensors
    'dense'
    >>> choose_eval_mode(400, 400, 64, 64, 15, 160_000)   # S_20 on 2-tensors: 2.6e9 entries
    'sparse'
    """
    size = nx * ny * c_in * c_out
    if size > EVAL_DENSE_LIMIT:
        return "sparse"
    sparse = c_in * nnz + c_out * c_in * dim * ny
    return "dense" if size <= EVAL_FLOP_FACTOR * sparse else "sparse"


def choose_mode(nx: int, ny: int, c_in: int, c_out: int, dim: int, nnz: int) -> str:
    """The application ``mode="auto"`` uses for a map with ``dim`` orbits and ``nnz`` entries.

    Flops per sample: dense ``C_out C_in |Y| |X|``; sparse ``C_in nnz + C_out C_in dim |Y|``.

    >>> choose_mode(100, 100, 32, 32, 15, 10_000)     # S_10 on 2-tensors: much sharing
    'sparse'
    >>> choose_mode(256, 256, 4, 4, 256, 65536)       # C_256 regular, few channels
    'dense'
    """
    size = nx * ny * c_in * c_out
    if size <= DENSE_LIMIT:
        return "dense"
    if size > SPARSE_LIMIT:
        return "sparse"
    sparse = c_in * nnz + c_out * c_in * dim * ny
    return "sparse" if sparse < SPARSE_FLOP_FACTOR * c_out * c_in * ny * nx else "dense"


class EquivariantLinear(nn.Module):
    """Equivariant linear map ``R^{C_in} (x) R^X -> R^{C_out} (x) R^Y`` plus invariant bias.

    Parameters
    ----------
    in_space, out_space : PermutationSpace (or a Representation of (signed) permutation matrices)
    in_channels, out_channels : int
    bias : bool
        Add a learnable invariant bias (zero-initialised).
    mode : "auto" | "dense" | "sparse"
    init_gain : float
        The weight is normal with std ``init_gain / sqrt(in_channels * r)`` where ``r`` is the
        mean number of nonzero entries per row of the map, so a generic unit-variance input gives
        unit-variance outputs (for ``init_gain = 1``).
    """

    def __init__(
        self,
        in_space,
        out_space,
        in_channels: int,
        out_channels: int,
        bias: bool = True,
        mode: str = "auto",
        init_gain: float = 1.0,
        dtype=None,
        device=None,
    ):
        super().__init__()
        in_space = as_space(in_space, "in_space")
        out_space = as_space(out_space, "out_space")
        in_channels = _check_channels(in_channels, "in_channels")
        out_channels = _check_channels(out_channels, "out_channels")
        if mode not in ("auto", "dense", "sparse"):
            raise InvalidInputError(f"mode = {mode!r}; use 'auto', 'dense' or 'sparse'")
        self.in_space, self.out_space = in_space, out_space
        self.in_channels, self.out_channels = in_channels, out_channels
        nx, ny = in_space.size, out_space.size
        basis = hom_orbits(in_space, out_space)
        self.dim = basis.dim
        self.nnz = basis.nnz
        if mode == "auto":
            mode = choose_mode(nx, ny, in_channels, out_channels, self.dim, self.nnz)
        self.mode = mode
        #: How the eval-mode cache applies the map (:func:`choose_eval_mode`); may be set.
        self.eval_mode = mode if mode == "dense" else choose_eval_mode(
            nx, ny, in_channels, out_channels, self.dim, self.nnz)
        self.signed = bool(in_space.is_signed or out_space.is_signed)
        factory = {"dtype": dtype, "device": device}
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, self.dim, **factory))
        self.init_gain = float(init_gain)

        labels = basis.labels
        signs = basis.signs.astype(np.float64)
        ys, xs = np.nonzero(labels >= 0)
        if mode == "dense":
            # S: (|Y||X|, dim) signed orbit indicators; W = S @ weight^T, gradient S^T @ grad
            ind = torch.as_tensor(np.stack([ys * nx + xs, labels[ys, xs]]), device=device)
            shape = (ny * nx, self.dim)
        else:
            # S: (dim |Y|, |X|); U = S @ x^T, then contract orbits and channels with the weight
            ind = torch.as_tensor(np.stack([labels[ys, xs] * ny + ys, xs]), device=device)
            shape = (self.dim * ny, nx)
        val = torch.as_tensor(signs[ys, xs], dtype=self.weight.dtype, device=device)
        op = torch.sparse_coo_tensor(ind, val, shape, check_invariants=True).coalesce()
        # Kept as a (coalesced, row-major) COO buffer: it pickles, deep-copies, moves with
        # .to() and is what torch.export can trace. Eager, torch.compile and TorchScript apply
        # it as CSR (its matmul with a dense matrix is several times faster than COO's on CPU),
        # converted in O(nnz) per call (or once, in the eval-mode cache).
        self._op_shape = [int(shape[0]), int(shape[1])]
        self.register_buffer("_op", op, persistent=False)
        self._nx, self._ny = int(nx), int(ny)
        self._dense = mode == "dense"
        self._out_signed = bool(out_space.is_signed)

        if bias:
            binv = invariant_orbits(out_space)
            self.bias_dim = binv.dim
            self.bias = nn.Parameter(torch.empty(out_channels, binv.dim, **factory))
            bidx = np.where(binv.labels >= 0, binv.labels, 0)
            self.register_buffer("_bias_index", torch.as_tensor(bidx, device=device),
                                 persistent=False)
            self.register_buffer(
                "_bias_sign",
                torch.as_tensor(binv.signs.astype(np.float64), dtype=self.weight.dtype,
                                device=device),
                persistent=False,
            )
        else:
            self.bias_dim = 0
            self.register_parameter("bias", None)
        self.fan_in = in_channels * (self.nnz / ny)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Normal weights with variance ``gain^2 / fan_in``; zero bias."""
        std = self.init_gain / math.sqrt(self.fan_in) if self.fan_in > 0 else 0.0
        with torch.no_grad():
            self.weight.normal_(0.0, std)
            if self.bias is not None:
                self.bias.zero_()

    # ------------------------------------------------------------------ dense views
    def dense_weight(self) -> torch.Tensor:
        """The full weight as a ``(C_out, |Y|, C_in, |X|)`` tensor (differentiable)."""
        c_out, c_in = self.out_channels, self.in_channels
        ny, nx = self._ny, self._nx
        w = self.weight
        if self.dim == 0:
            return w.new_zeros(c_out, ny, c_in, nx)
        if self._dense:
            flat = spmm(self._operator(), w.reshape(c_out * c_in, self.dim).t())
            return flat.reshape(ny, nx, c_out, c_in).permute(2, 0, 3, 1)
        # entries (d |Y| + y, x, s) of the operator: W[o, y, i, x] = sum_d s w[o, i, d]
        ind, val = self._op._indices(), self._op._values()
        vals = w.reshape(c_out * c_in, self.dim)[:, ind[0] // ny] * val
        flat = w.new_zeros(c_out * c_in, ny * nx).index_add(1, (ind[0] % ny) * nx + ind[1], vals)
        return flat.reshape(c_out, c_in, ny, nx).permute(0, 2, 1, 3)

    def _operator(self) -> torch.Tensor:
        """The sparse orbit-indicator matrix (see ``mode``): CSR, or the COO buffer itself
        while ``torch.export`` traces (it cannot trace sparse tensors built in forward)."""
        if not torch.jit.is_scripting():
            if torch.compiler.is_exporting():
                return self._op
        ind = self._op._indices()
        crow = torch._convert_indices_from_coo_to_csr(ind[0], self._op_shape[0])
        if torch.jit.is_scripting():  # TorchScript's signature has no check_invariants
            return torch.sparse_csr_tensor(crow, ind[1], self._op._values(), self._op_shape)
        else:
            return torch.sparse_csr_tensor(crow, ind[1], self._op._values(), self._op_shape,
                                           check_invariants=False)

    def dense_bias(self) -> torch.Tensor | None:
        """The bias as a ``(C_out, |Y|)`` tensor, or None."""
        bias = self.bias
        if bias is None:
            return None
        if self.bias_dim == 0:
            return bias.new_zeros(self.out_channels, self._ny)
        b = bias[:, self._bias_index]
        return b * self._bias_sign if self._out_signed else b

    # ------------------------------------------------------------------ forward
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c_in, nx = self.in_channels, self._nx
        if x.dim() < 2 or x.shape[-2] != c_in or x.shape[-1] != nx:
            shape = ", ".join([str(d) for d in x.shape])
            raise InvalidInputError(
                f"input has shape ({shape}); expected (..., in_channels={c_in}, |X|={nx})"
            )
        if not torch.jit.is_scripting():
            if self._cache_usable():
                op, w, b = self._cached_expansion()
                if self.eval_mode == "dense":  # the common inference case, kept short
                    out = nn.functional.linear(x.reshape(-1, c_in * nx), w, b)
                    return out.reshape(x.shape[:-2] + (self.out_channels, self._ny))
                return self._run(x, op, w, b, False)
        op, w, b = self._expand(self._dense)
        return self._run(x, op, w, b, self._dense)

    def _expand(self, dense: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """``(operator, weight, bias)`` as :meth:`_run` applies them: for ``"dense"`` the full
        ``(C_out |Y|, C_in |X|)`` matrix and the flat bias; for ``"sparse"`` the CSR operator,
        the weight as ``(C_out, dim C_in)`` and the ``(C_out, |Y|)`` bias."""
        c_in, c_out, nx, ny = self.in_channels, self.out_channels, self._nx, self._ny
        b = self.dense_bias()
        if dense:
            w = self.dense_weight().reshape(c_out * ny, c_in * nx)
            return w, w, None if b is None else b.reshape(-1)
        w = self.weight.permute(0, 2, 1).reshape(c_out, self.dim * c_in)
        return self._operator(), w, b

    def _run(self, x: torch.Tensor, op: torch.Tensor, w: torch.Tensor,
             b: torch.Tensor | None, dense: bool) -> torch.Tensor:
        c_in, c_out, nx, ny = self.in_channels, self.out_channels, self._nx, self._ny
        lead = list(x.shape[:-2])
        if dense:
            out = nn.functional.linear(x.reshape(-1, c_in * nx), w, b)
            return out.reshape(lead + [c_out, ny])
        dim = self.dim
        xt = x.reshape(-1, nx).t()  # (|X|, B C_in)
        batch = xt.shape[1] // c_in
        u = spmm(op, xt)  # (dim |Y|, B C_in)
        # one GEMM over (orbit, channel): (C_out, dim C_in) @ (dim C_in, B |Y|)
        u = u.reshape(dim, ny, batch, c_in).permute(0, 3, 2, 1).reshape(dim * c_in, batch * ny)
        out = (w @ u).reshape(c_out, batch, ny).transpose(0, 1)
        if b is not None:
            out = out + b
        return out.reshape(lead + [c_out, ny])

    # ------------------------------------------------------------------ eval-mode cache
    @torch.jit.unused
    def _cache_usable(self) -> bool:
        """The expansion is cached only in eval mode without grad, outside compile/export."""
        return (not self.training and not torch.is_grad_enabled()
                and not torch.compiler.is_compiling())

    @torch.jit.unused
    def _cache_key(self) -> tuple:
        # the operator buffer is compared by identity; a new dtype or device means new storage
        # (inference tensors, e.g. a layer built under inference_mode, have no version counter)
        w, b = self.weight, self.bias
        wv = None if w.is_inference() else w._version
        if b is None:
            return (self.eval_mode, self._op, w.dtype, w.data_ptr(), wv)
        bv = None if b.is_inference() else b._version
        return (self.eval_mode, self._op, w.dtype, w.data_ptr(), wv, b.dtype, b.data_ptr(), bv)

    @torch.jit.unused
    def _cached_expansion(self):
        """:meth:`_expand`, reused while the parameters are unchanged.

        Valid while the key (``eval_mode``, the operator buffer object, and dtype, data
        pointer and version counter of the weight and the bias) is the same *and* the
        weight and bias equal the snapshot taken when it was built: writes through ``.data``
        and fused optimizers do not bump version counters, so the values are compared too
        (``O(C_out C_in dim)``, much less than the expansion).
        """
        key = self._cache_key()
        cache = self.__dict__.get("_cache")
        if cache is not None and len(cache[0]) == len(key) and all(
            a is b if j == 1 else a == b for j, (a, b) in enumerate(zip(cache[0], key))
        ) and all(torch.equal(a, p) for a, p in zip(cache[1], self._params_now())):
            return cache[2]
        self.__dict__.pop("_cache", None)  # free the old expansion before building
        expanded = self._expand(self.eval_mode == "dense")
        snapshot = tuple(p.detach().clone() for p in self._params_now())
        self.__dict__["_cache"] = (key, snapshot, expanded)
        return expanded

    @torch.jit.unused
    def _params_now(self) -> tuple:
        return (self.weight,) if self.bias is None else (self.weight, self.bias)

    @torch.jit.unused
    def clear_cache(self) -> None:
        """Drop the cached expansion (it is rebuilt on the next eval-mode no-grad call)."""
        self.__dict__.pop("_cache", None)

    def _apply(self, fn, *args, **kwargs):
        # .to(), .double(), .cuda(), ...: the cached expansion would be stale; free it now
        self.clear_cache()
        return super()._apply(fn, *args, **kwargs)

    def train(self, mode: bool = True):
        """As ``nn.Module.train``; switching to training mode also drops the cache."""
        if mode:
            self.clear_cache()
        return super().train(mode)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_cache", None)
        return state

    def extra_repr(self) -> str:
        return (
            f"in_space={self.in_space.name or self.in_space.size}, "
            f"out_space={self.out_space.name or self.out_space.size}, "
            f"in_channels={self.in_channels}, out_channels={self.out_channels}, "
            f"dim={self.dim}, bias_dim={self.bias_dim if self.bias is not None else None}, "
            f"mode={self.mode!r}"
        )


def _check_channels(c, what: str) -> int:
    if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 1:
        raise InvalidInputError(f"{what} = {c!r}; give a positive integer")
    return int(c)
