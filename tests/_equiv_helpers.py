"""Shared reference helpers for the spaces / orbit-basis / nn tests (brute force, small groups)."""

from __future__ import annotations

import numpy as np

from equiact.spaces import PermutationSpace, direct_sum


def random_word(rng, num_generators: int, length: int = 25) -> list[int]:
    return [int(i) for i in rng.integers(0, num_generators, size=length)]


def group_elements(space: PermutationSpace, limit: int = 5000):
    """All group elements as (perm, signs) pairs acting on ``space`` (BFS closure)."""
    n = space.size
    gens = [(space.perms[i], space.signs_or_ones()[i].astype(np.int64))
            for i in range(space.num_generators)]
    ident = (np.arange(n), np.ones(n, dtype=np.int64))
    key = lambda e: (e[0].tobytes(), e[1].tobytes())  # noqa: E731
    seen = {key(ident): ident}
    frontier = [ident]
    while frontier:
        nxt = []
        for p, s in frontier:
            for gp, gs in gens:
                # (g h): e_x -> s_h(x) e_{h(x)} -> s_h(x) s_g(h(x)) e_{g(h(x))}
                e = (gp[p], s * gs[p])
                k = key(e)
                if k not in seen:
                    seen[k] = e
                    nxt.append(e)
                    if len(seen) > limit:
                        raise RuntimeError("group too large for the brute-force reference")
        frontier = nxt
    return list(seen.values())


def character_dim(in_space: PermutationSpace, out_space: PermutationSpace) -> int:
    """dim Hom_G(R^X, R^Y) = (1/|G|) sum_g chi_X(g) chi_Y(g) (real representations)."""
    both = direct_sum(in_space, out_space)
    nx = in_space.size
    total = 0
    elems = group_elements(both)
    for p, s in elems:
        fixed = p == np.arange(both.size)
        chi_x = int(s[:nx][fixed[:nx]].sum())
        chi_y = int(s[nx:][fixed[nx:]].sum())
        total += chi_x * chi_y
    assert total % len(elems) == 0
    return total // len(elems)


def invariant_dim(space: PermutationSpace) -> int:
    elems = group_elements(space)
    total = sum(int(s[p == np.arange(space.size)].sum()) for p, s in elems)
    return total // len(elems)


def nullspace_rank(in_space: PermutationSpace, out_space: PermutationSpace) -> int:
    """dim of {W : rho_Y(g) W = W rho_X(g)} by a dense SVD of the stacked constraints."""
    nx, ny = in_space.size, out_space.size
    blocks = []
    for mx, my in zip(in_space.to_matrices(), out_space.to_matrices()):
        # row-major vec(A W B) = (A kron B^T) vec(W)
        blocks.append(np.kron(my, np.eye(nx)) - np.kron(np.eye(ny), mx.T))
    a = np.vstack(blocks).astype(np.float64)
    s = np.linalg.svd(a, compute_uv=False)
    rank = int((s > 1e-9 * max(1.0, s[0])).sum())
    return nx * ny - rank


def signed_space_from_matrices(mats, name=None) -> PermutationSpace:
    return PermutationSpace.from_representation([np.asarray(m) for m in mats], name=name)


def q8_space() -> PermutationSpace:
    """Q8 on the quaternions {1, i, j, k} (left multiplication by i, j), from equiact.groups."""
    from equiact.groups import named_representation

    return PermutationSpace.from_representation(named_representation("Q8", "quaternion"),
                                                name="Q8 on H")


def octahedral_space() -> PermutationSpace:
    """Octahedral rotations on R^3 (signed permutation matrices), from equiact.groups."""
    from equiact.groups import named_representation

    return PermutationSpace.from_representation(named_representation("O", "vector"),
                                                name="O on R^3")


# Explicit matrices (independent of equiact.groups) for cross-checks.
# Q8 acting on the quaternions {1, i, j, k} by left multiplication by i and by j.
Q8_LEFT_I = [[0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, -1], [0, 0, 1, 0]]
Q8_LEFT_J = [[0, 0, -1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, -1, 0, 0]]
# Octahedral rotations (order 24): 90 degrees about z and the 3-cycle of the axes.
OCT_ROT_Z = [[0, -1, 0], [1, 0, 0], [0, 0, 1]]
OCT_CYCLE = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]


def s4_elements():
    import itertools

    return [tuple(p) for p in itertools.permutations(range(4))]


def coset_space(subgroup_generators, name=None) -> PermutationSpace:
    """S4 (generators (0 1), (0 1 2 3)) acting on the left cosets of H = <subgroup_generators>."""
    from equiact.spaces import sn_generators

    def mul(a, b):  # (a b)(x) = a(b(x))
        return tuple(a[b[x]] for x in range(4))

    ident = (0, 1, 2, 3)
    H = {ident}
    frontier = [ident]
    while frontier:
        nxt = []
        for h in frontier:
            for g in subgroup_generators:
                e = mul(tuple(g), h)
                if e not in H:
                    H.add(e)
                    nxt.append(e)
        frontier = nxt
    cosets, index = [], {}
    for g in s4_elements():
        if g in index:
            continue
        c = frozenset(mul(g, h) for h in H)
        for e in c:
            index[e] = len(cosets)
        cosets.append(min(c))
    perms = [[index[mul(tuple(s), rep)] for rep in cosets] for s in sn_generators(4)]
    return PermutationSpace.from_coset_action(perms, name=name or f"S4/H(|H|={len(H)})")


#: Generators (as permutations of range(4)) of some subgroups of S4, for coset spaces S4/H.
S4_SUBGROUP_GENERATORS = {
    "D4": [(1, 0, 3, 2), (1, 2, 3, 0)],  # <(01)(23), (0123)>, order 8
    "C3": [(1, 2, 0, 3)],
    "V4": [(1, 0, 3, 2), (2, 3, 0, 1)],
    "S3": [(1, 0, 2, 3), (1, 2, 0, 3)],
    "C2": [(1, 0, 2, 3)],
}
