"""Equivariant linear maps and invariant biases from orbits (union-find over generators).

For (signed) permutation spaces X, Y a matrix W: R^X -> R^Y is equivariant iff
``W[p(y), p(x)] = s_y(y) s_x(x) W[y, x]`` for every generator ``(p, s)``, i.e. W is constant
up to sign on the orbits of the group on ``Y x X``. The orbits come from a vectorised
union-find over the generators' actions (root hooking + pointer jumping until stable),
``O(#generators * |X| * |Y|)`` per sweep; no group element is listed, nothing recurses and no
linear system is solved. Signs are handled by doubling the nodes (``+W[y,x]`` and ``-W[y,x]``):
an orbit that links an entry to its own negative is forced to zero.

>>> from equiact.spaces import sn_tensor_space
>>> hom_orbits(sn_tensor_space(5, 2), sn_tensor_space(5, 2)).dim     # Bell(4)
15
>>> invariant_orbits(sn_tensor_space(5, 2)).dim                       # diagonal, off-diagonal
2
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from equiact.errors import ClosureLimitError, InvalidInputError
from equiact.spaces import PermutationSpace

__all__ = ["OrbitBasis", "hom_orbits", "invariant_orbits", "orbit_labels", "MAX_PAIRS"]

#: Largest number of entries |Y| * |X| for which :func:`hom_orbits` runs.
MAX_PAIRS = 50_000_000


@dataclass(frozen=True)
class OrbitBasis:
    """Orbit decomposition of the entries of a map (or of a vector, for biases).

    ``labels[idx]`` is the orbit id in ``range(dim)`` or -1 where the entry is forced to zero;
    ``signs[idx]`` in {-1, 0, +1} is the sign of the entry relative to the orbit's parameter
    (+1 at the first entry of each orbit in row-major order, 0 where forced zero). Orbits are
    numbered by first appearance in row-major order.

    >>> from equiact.spaces import PermutationSpace
    >>> B = invariant_orbits(PermutationSpace([[1, 0, 2]], signs=[[1, 1, -1]]))
    >>> B.labels.tolist(), B.signs.tolist(), B.dim
    ([0, 0, -1], [1, 1, 0], 1)
    """

    labels: np.ndarray
    signs: np.ndarray
    dim: int

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.labels.shape)

    @property
    def nnz(self) -> int:
        """Number of entries that are not forced to zero."""
        return int((self.labels >= 0).sum())

    def orbit_sizes(self) -> np.ndarray:
        """Number of entries in each orbit, shape ``(dim,)``."""
        return np.bincount(self.labels[self.labels >= 0].ravel(), minlength=self.dim)

    def dense(self) -> np.ndarray:
        """The basis as a ``(dim, *shape)`` float64 array of signed orbit indicators.

        >>> from equiact.spaces import cyclic_regular_space
        >>> hom_orbits(cyclic_regular_space(3), cyclic_regular_space(3)).dense()[1]
        array([[0., 0., 1.],
               [1., 0., 0.],
               [0., 1., 0.]])
        """
        out = np.zeros((self.dim, self.labels.size), dtype=np.float64)
        flat = self.labels.ravel()
        keep = np.nonzero(flat >= 0)[0]
        out[flat[keep], keep] = self.signs.ravel()[keep]
        return out.reshape((self.dim, *self.labels.shape))

    def combine(self, coefficients) -> np.ndarray:
        """``sum_d coefficients[d] * basis[d]`` without building the dense basis."""
        c = np.asarray(coefficients, dtype=np.float64)
        if c.shape != (self.dim,):
            raise InvalidInputError(f"coefficients have shape {c.shape}; expected ({self.dim},)")
        padded = np.concatenate([c, [0.0]])
        return padded[self.labels] * self.signs


def hom_orbits(in_space: PermutationSpace, out_space: PermutationSpace) -> OrbitBasis:
    """Orbit basis of the equivariant maps ``R^X -> R^Y`` (labels of shape ``(|Y|, |X|)``).

    >>> from equiact.spaces import sn_tensor_space
    >>> hom_orbits(sn_tensor_space(2, 2), sn_tensor_space(2, 2)).dim    # n < k + l
    8
    """
    _check_space(in_space, "in_space")
    _check_space(out_space, "out_space")
    if in_space.num_generators != out_space.num_generators:
        raise InvalidInputError(
            f"in_space has {in_space.num_generators} generators but out_space has "
            f"{out_space.num_generators}; both must be spaces of the same generators"
        )
    nx, ny = in_space.size, out_space.size
    if nx * ny > MAX_PAIRS:
        raise ClosureLimitError(
            f"|Y| * |X| = {ny} * {nx} = {nx * ny} entries exceeds MAX_PAIRS = {MAX_PAIRS}; "
            "use a structured layer (equiact.sn) or smaller spaces"
        )
    images, parities = [], []
    signed = in_space.is_signed or out_space.is_signed
    for i in range(in_space.num_generators):
        img = (out_space.perms[i][:, None] * nx + in_space.perms[i][None, :]).ravel()
        images.append(img)
        if signed:
            sy = out_space.signs_or_ones()[i].astype(np.int8)
            sx = in_space.signs_or_ones()[i].astype(np.int8)
            parities.append((sy[:, None] * sx[None, :] < 0).ravel())
    labels, signs, dim = orbit_labels(nx * ny, images, parities if signed else None)
    return OrbitBasis(labels.reshape(ny, nx), signs.reshape(ny, nx), dim)


def invariant_orbits(space: PermutationSpace) -> OrbitBasis:
    """Orbit basis of the invariant vectors of ``R^Y`` (invariant biases), labels ``(|Y|,)``.

    >>> from equiact.spaces import sn_subset_space
    >>> invariant_orbits(sn_subset_space(5, 2)).dim
    1
    """
    _check_space(space, "space")
    parities = None
    if space.is_signed:
        parities = [(s < 0) for s in space.signs]
    labels, signs, dim = orbit_labels(space.size, list(space.perms), parities)
    return OrbitBasis(labels, signs, dim)


def orbit_labels(num_nodes: int, images, parities=None):
    """Signed orbits of ``range(num_nodes)`` under maps ``u -> images[i][u]``.

    ``parities[i][u]`` (bool) says that the generator maps entry u to *minus* entry
    ``images[i][u]``. Returns ``(labels, signs, dim)`` as in :class:`OrbitBasis`.

    >>> orbit_labels(4, [np.array([1, 0, 3, 2])], [np.array([0, 0, 1, 0], dtype=bool)])
    (array([ 0,  0, -1, -1]), array([1, 1, 0, 0], dtype=int8), 1)
    """
    n = int(num_nodes)
    if parities is None:
        u = np.arange(n, dtype=np.int64)
        edges = [(u, np.asarray(img, dtype=np.int64)) for img in images]
        roots = _components(n, edges)
        uniq, labels = np.unique(roots, return_inverse=True)
        return labels.astype(np.int64), np.ones(n, dtype=np.int8), int(uniq.size)
    # doubled graph: node u is +x_u, node u + n is -x_u
    u = np.arange(n, dtype=np.int64)
    edges = []
    for img, par in zip(images, parities):
        img = np.asarray(img, dtype=np.int64)
        par = np.asarray(par, dtype=bool)
        plus = img + n * par  # +x_u ~ (sign) x_img
        minus = img + n * (~par)
        edges.append((np.concatenate([u, u + n]), np.concatenate([plus, minus])))
    roots = _components(2 * n, edges)
    rp, rm = roots[:n], roots[n:]
    zero = rp == rm
    canon = np.minimum(rp, rm)
    signs = np.where(rp < rm, 1, -1).astype(np.int8)
    signs[zero] = 0
    labels = np.full(n, -1, dtype=np.int64)
    if (~zero).any():
        uniq, inv = np.unique(canon[~zero], return_inverse=True)
        labels[~zero] = inv
        dim = int(uniq.size)
    else:
        dim = 0
    return labels, signs, dim


def _components(n: int, edges) -> np.ndarray:
    """Connected components of a graph on ``range(n)``; returns the minimal node of each one.

    Vectorised union-find: hook the larger root of each edge under the smaller (``minimum.at``),
    then pointer-jump until every node points at its root; repeat until no edge joins two roots.
    """
    parent = np.arange(n, dtype=np.int64)
    if n == 0 or not edges:
        return parent
    src = np.concatenate([e[0] for e in edges])
    dst = np.concatenate([e[1] for e in edges])
    while True:
        ru = parent[src]
        rv = parent[dst]
        differ = ru != rv
        if not differ.any():
            return parent
        ru, rv = ru[differ], rv[differ]
        src, dst = src[differ], dst[differ]  # edges inside one component stay so forever
        lo = np.minimum(ru, rv)
        hi = np.maximum(ru, rv)
        np.minimum.at(parent, hi, lo)
        while True:  # pointer jumping: parent[x] <= x, so this reaches the roots
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def _check_space(space, what: str) -> None:
    if not isinstance(space, PermutationSpace):
        raise InvalidInputError(
            f"{what} is {type(space).__name__}; give an equiact.spaces.PermutationSpace "
            "(e.g. PermutationSpace.from_representation(rep))"
        )
