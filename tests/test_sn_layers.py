"""Structured S_n layers: spans equal the orbit basis (n = 2..6), exact equivariance, masks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from equiact.errors import ClosureLimitError, InvalidInputError
from equiact.orbit_basis import hom_orbits  # the layers issue's orbit basis: the reference
from equiact.sn import SnDirectSumLinear, SnLinear, SnSet, bell_number, set_partitions, stirling2
from equiact.sn.ops import apply_permutation
from equiact.sn.partitions import count_partitions_at_most

pytestmark = pytest.mark.usefixtures("one_torch_thread")


SPACES = [
    SnSet.tensor(0), SnSet.tensor(1), SnSet.tensor(2), SnSet.tensor(3),
    SnSet.tuples(2), SnSet.tuples(3), SnSet.subsets(2), SnSet.subsets(3), SnSet.sign(),
]


def _orbit_dense(X, Y) -> np.ndarray:
    """Dense orbit basis (dim, |Y|, |X|) of equivariant maps R^X -> R^Y (equiact.orbit_basis)."""
    return np.asarray(hom_orbits(X, Y).dense(), dtype=np.float64)


def _probe(size_x: int, size_y: int) -> np.ndarray:
    """Columns the maps are applied to: the identity for small |X|, else a generic sketch.

    M -> M R is injective on the (at most 406-dimensional) spans compared here for a Gaussian
    R with |Y| * r well above that, so ranks of stacked bases are preserved.
    """
    r = max(4, -(-1000 // size_y))  # |Y| * r >= 1000 > 2 * Bell(6)
    if size_x <= max(64, r):
        return np.eye(size_x)
    return np.random.default_rng(size_x).standard_normal((size_x, r))


def _structured_dense(src: SnSet, dst: SnSet, n: int) -> np.ndarray:
    """One (|Y|, r) matrix M R per structured map (R = _probe), all maps in one forward.

    A layer with one input channel and one output channel per map, whose weights select
    exactly one map for each output channel.
    """
    total = SnLinear(src, dst, 1, 1, bias=False)
    num = sum(p.numel() for p in total.parameters())
    layer = SnLinear(src, dst, 1, num, bias=False).double()
    idx = 0
    with torch.no_grad():
        for name, p in layer.named_parameters():
            p.zero_()
            if name.startswith("weights."):
                variants = p.shape[1]
                for q in range(p.shape[0] // num):
                    for v in range(variants):
                        p[q * num + idx, v] = 1.0
                        idx += 1
            else:  # sign_weight (cnt, C_out, C_in)
                for c in range(p.shape[0]):
                    p[c, idx, 0] = 1.0
                    idx += 1
    assert idx == num
    size_x = src.size(n)
    probe = torch.from_numpy(_probe(size_x, dst.size(n)).T.copy())
    x = src.from_flat(probe.reshape(probe.shape[0], 1, size_x), n)
    with torch.no_grad():
        y = dst.to_flat(layer(x, n=n), n)  # (r, num, |Y|)
    return y.permute(1, 2, 0).numpy()


def _rank(m: np.ndarray) -> int:
    # torch's LAPACK shares torch's thread pool (numpy's BLAS threads would fight it)
    m = torch.from_numpy(np.ascontiguousarray(m.reshape(m.shape[0], -1)))
    return int(torch.linalg.matrix_rank(m, atol=1e-8, rtol=0.0)) if m.numel() else 0


def _valid(space: SnSet, n: int) -> bool:
    return space.kind in ("tensor", "sign") or space.order <= n


PAIRS = [(a, b) for a in SPACES for b in SPACES]


@pytest.mark.parametrize("src,dst", PAIRS, ids=[f"{a.label}->{b.label}" for a, b in PAIRS])
def test_span_equals_orbit_basis(src, dst):
    """Rank of stacked bases: structured span == orbit-basis span, for n = 2..6."""
    for n in range(2, 7):
        if not (_valid(src, n) and _valid(dst, n)):
            continue
        mats = _structured_dense(src, dst, n)
        ref = _orbit_dense(src.reference_space(n), dst.reference_space(n))
        ref = ref @ _probe(src.size(n), dst.size(n))
        r_ref, r_str = ref.shape[0], _rank(mats)  # orbit indicators are independent
        r_both = _rank(np.concatenate([ref, mats]))
        assert (r_str, r_both) == (r_ref, r_ref), (n, r_str, r_both, r_ref)
        if src.kind == dst.kind == "tensor":
            assert r_ref == count_partitions_at_most(src.order + dst.order, n)


@pytest.mark.parametrize("src,dst", PAIRS, ids=[f"{a.label}->{b.label}" for a, b in PAIRS])
def test_bias_spans_invariants(src, dst):
    n = 4
    layer = SnLinear(src, dst, 1, 1).double()
    with torch.no_grad():
        for p in layer.parameters():
            p.zero_()
    vecs = []
    x = src.from_flat(torch.zeros(1, 1, src.size(n), dtype=torch.float64), n)
    with torch.no_grad():
        for j in range(layer.num_biases):
            layer.bias[j, 0] = 1.0
            vecs.append(dst.to_flat(layer(x, n=n)[0, 0], n).numpy())
            layer.bias[j, 0] = 0.0
    triv = dst.reference_space(n)
    from equiact.spaces import PermutationSpace

    one = PermutationSpace(np.zeros((triv.num_generators, 1), dtype=np.int64))
    ref = _orbit_dense(one, triv)[:, :, 0]
    assert _rank(np.array(vecs)) == _rank(ref) == _rank(np.concatenate([ref, np.array(vecs)]))


def _act(space: SnSet, perm, x):
    if space.kind == "sign":
        odd = _parity(perm)
        return x.flip(-1) if odd else x
    return apply_permutation(x, perm, space.order)


def _parity(perm) -> int:
    perm = list(perm)
    inv = sum(1 for i, j in itertools.combinations(range(len(perm)), 2) if perm[i] > perm[j])
    return inv % 2


def _random_input(space: SnSet, n, b, c, gen):
    v = torch.randn(b, c, space.size(n), generator=gen, dtype=torch.float64)
    return space.from_flat(v, n)


@pytest.mark.parametrize("normalize", [False, True])
def test_equivariance_random_permutations(normalize):
    gen = torch.Generator().manual_seed(0)
    for src, dst in PAIRS:
        for n in (3, 5):
            if not (_valid(src, n) and _valid(dst, n)):
                continue
            layer = SnLinear(src, dst, 2, 3, normalize=normalize).double()
            with torch.no_grad():
                for p in layer.parameters():
                    p.normal_(generator=gen)
            x = _random_input(src, n, 4, 2, gen)
            perm = torch.randperm(n, generator=gen).tolist()
            lhs = layer(_act(src, perm, x), n=n)
            rhs = _act(dst, perm, layer(x, n=n))
            torch.testing.assert_close(lhs, rhs, rtol=1e-12, atol=1e-12)


def test_variable_size_batch_matches_one_by_one():
    gen = torch.Generator().manual_seed(1)
    sizes = [3, 5, 2, 6]
    nmax = max(sizes)
    for src, dst in PAIRS:
        if src.kind == "sign" and dst.kind == "sign":
            continue
        for normalize in (False, True):
            layer = SnLinear(src, dst, 2, 2, normalize=normalize).double()
            with torch.no_grad():
                for p in layer.parameters():
                    p.normal_(generator=gen)
            singles, xs = [], []
            for n in sizes:
                if src.kind == "sign":
                    x = torch.randn(1, 2, 2, generator=gen, dtype=torch.float64)
                    pad = x
                else:
                    x = torch.randn((1, 2) + (n,) * src.order, generator=gen, dtype=torch.float64)
                    mask = src.support_mask(n, None, dtype=x.dtype)
                    x = x if mask is None else x * mask
                    pad = torch.zeros((1, 2) + (nmax,) * src.order, dtype=torch.float64)
                    pad[(slice(None), slice(None)) + (slice(0, n),) * src.order] = x
                singles.append(layer(x, n=n))
                xs.append(pad)
            out = layer(torch.cat(xs), sizes=torch.tensor(sizes), n=nmax)
            for b, n in enumerate(sizes):
                sl = (b, slice(None)) + ((slice(0, n),) * dst.order if dst.kind != "sign" else ())
                torch.testing.assert_close(out[sl], singles[b][0], rtol=1e-12, atol=1e-12)
                if dst.kind != "sign" and dst.order:
                    rest = out[b].clone()
                    rest[(slice(None),) + (slice(0, n),) * dst.order] = 0
                    assert float(rest.detach().abs().max()) == 0.0


def test_bell_and_stirling_counts():
    assert [bell_number(m) for m in range(9)] == [1, 1, 2, 5, 15, 52, 203, 877, 4140]
    for m in range(7):
        parts = set_partitions(m)
        assert len(parts) == bell_number(m) == len(set(parts))
        for b in range(m + 1):
            assert sum(1 for p in parts if len(p) == b) == stirling2(m, b)
    for k in range(4):
        for ell in range(4):
            assert SnLinear(SnSet.tensor(k), SnSet.tensor(ell), 1, 1).num_maps == bell_number(
                k + ell
            )
    with pytest.raises(ClosureLimitError, match="MAX_PARTITION_SIZE"):
        set_partitions(11)


def test_tensor_decomposes_into_injective_tuples():
    # (R^n)^{(x)k} = sum_t S(k,t) R^{S_n/S_{n-t}}: point counts agree
    for n in range(1, 7):
        for k in range(4):
            total = sum(stirling2(k, t) * SnSet.tuples(t).size(n) for t in range(k + 1)
                        if t <= n)
            assert total == n**k


def test_direct_sum_block_structure():
    gen = torch.Generator().manual_seed(3)
    ins = [SnSet.tensor(1), SnSet.subsets(2)]
    outs = [SnSet.tensor(0), SnSet.tuples(2)]
    lin = SnDirectSumLinear(ins, outs, [2, 3], [4, 5]).double()
    x1 = torch.randn(2, 2, 5, generator=gen, dtype=torch.float64)
    x2 = SnSet.subsets(2).from_flat(torch.randn(2, 3, 10, generator=gen, dtype=torch.float64), 5)
    y = lin([x1, x2])
    assert [tuple(t.shape) for t in y] == [(2, 4), (2, 5, 5, 5)]
    # the block matrix: output 1 is the sum of the two blocks into it
    torch.testing.assert_close(y[1], lin.blocks[2](x1) + lin.blocks[3](x2))
    perm = [2, 0, 4, 1, 3]
    y2 = lin([apply_permutation(x1, perm, 1), apply_permutation(x2, perm, 2)])
    torch.testing.assert_close(y2[0], y[0], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(y2[1], apply_permutation(y[1], perm, 2), rtol=1e-12, atol=1e-12)


def test_bad_inputs():
    with pytest.raises(InvalidInputError, match="MAX_ORDER"):
        SnSet.tensor(4)
    with pytest.raises(InvalidInputError, match="kind 'graph' unknown"):
        SnSet("graph", 1)
    with pytest.raises(InvalidInputError, match="in_channels = 0"):
        SnLinear(SnSet.tensor(1), SnSet.tensor(1), 0, 1)
    with pytest.raises(InvalidInputError, match="in_space is str"):
        SnLinear("2-tensors", SnSet.tensor(1), 1, 1)
    lin = SnLinear(SnSet.tensor(2), SnSet.tensor(2), 3, 1)
    with pytest.raises(InvalidInputError, match=r"expected \(batch, 3\)"):
        lin(torch.randn(2, 2, 4, 4))
    with pytest.raises(InvalidInputError, match="differ"):
        lin(torch.randn(2, 3, 4, 5))
    with pytest.raises(InvalidInputError, match="sizes must lie in 0..4"):
        lin(torch.randn(2, 3, 4, 4), sizes=torch.tensor([2, 5]))
    with pytest.raises(InvalidInputError, match="pass n="):
        SnLinear(SnSet.tensor(0), SnSet.tensor(1), 1, 1)(torch.randn(2, 1))
