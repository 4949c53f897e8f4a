"""escnn interop: verdicts agree with escnn's 'pointwise' tag and with equiact's built-ins, and
the admissible fixes are accepted by escnn's point-wise modules and equivariant in float64."""

import numpy as np
import pytest
import scipy.linalg

# exc_type=ImportError: also skip when escnn is installed but broken (lie_learn's PyPI wheel,
# built for numpy 1, fails to import under numpy 2)
escnn = pytest.importorskip(
    "escnn.group", reason="escnn not installed: bash scripts/install_escnn.sh (needs gfortran "
    "for py3nj and rebuilds lie_learn for numpy 2; see docs/interop.md)", exc_type=ImportError)
torch = pytest.importorskip("torch")

from escnn import group as gr  # noqa: E402
from escnn import gspaces, nn  # noqa: E402

from equiact.decision import decide  # noqa: E402
from equiact.errors import InadmissibleError, InvalidInputError  # noqa: E402
from equiact.groups import named_representation  # noqa: E402
from equiact.interop import (  # noqa: E402
    decide_escnn,
    from_escnn,
    group_structure,
    pointwise_module,
    to_escnn_admissible,
)

FINITE = [gr.cyclic_group(2), gr.cyclic_group(4), gr.cyclic_group(6), gr.dihedral_group(3),
          gr.dihedral_group(4)]


def _reps_of(G):
    reps = list(G.irreps()) + [G.regular_representation]
    for sub in ([2] if G.order() % 2 == 0 and isinstance(G, gr.CyclicGroup) else []):
        reps.append(G.quotient_representation(sub))
    return reps


def _equivariance_error(module, field_type, elements, rng, batch=7):
    x = nn.GeometricTensor(torch.as_tensor(rng.standard_normal((batch, field_type.size))),
                           field_type)
    err = 0.0
    for g in elements:
        a = module(x.transform(g)).tensor
        b = module(x).transform(g).tensor
        err = max(err, float((a - b).abs().max()))
    return err


def _forced_pointwise(rep, label):
    """The same representation tagged 'pointwise' without any check (a negative control)."""
    G = rep.group
    name = f"{rep.name}|forced|{label}"
    if name in G.representations:
        return G.representations[name]
    return gr.change_basis(rep, np.eye(rep.size), name, supported_nonlinearities=["pointwise"])


@pytest.mark.parametrize("G", FINITE, ids=lambda G: G.name)
def test_relu_verdict_agrees_with_escnn_pointwise_tag(G):
    # escnn tags exactly its (quasi-)regular representations 'pointwise'; among irreps, regular
    # and quotient representations, relu is admissible in escnn's basis exactly for those
    for rep in _reps_of(G):
        verdict = decide_escnn(rep, "relu")
        assert verdict.admissible == ("pointwise" in rep.supported_nonlinearities), rep.name
        if not verdict.admissible:
            w = verdict.witness
            assert w is not None and w.error > 1e-3


@pytest.mark.parametrize("n", [3, 4, 5, 8])
def test_cyclic_irrep_matches_builtin_rotation(n):
    ours = from_escnn(gr.cyclic_group(n).irrep(1))
    builtin = named_representation(f"C{n}", "rotation")
    # exact when the entries are small rationals or square roots of them (not for n = 5)
    assert ours.exact == (n != 5)
    a, b = ours.numeric_generators()[0], builtin.numeric_generators()[0]
    assert np.allclose(a, b, atol=1e-12) or np.allclose(a, b.T, atol=1e-12)
    for act in ("relu", "tanh"):
        assert decide(ours, act).admissible == decide(builtin, act).admissible, (n, act)


def test_exact_true_refuses_unrecognised_matrices():
    with pytest.raises(InvalidInputError, match="not all small rationals"):
        from_escnn(gr.cyclic_group(5).irrep(1), exact=True)
    with pytest.raises(InvalidInputError, match="exact = 'yes'"):
        from_escnn(gr.cyclic_group(5).irrep(1), exact="yes")
    G = gr.cyclic_group(8)
    big = nn.FieldType(gspaces.no_base_space(G), 9 * [G.regular_representation])
    assert big.size == 72 and not from_escnn(big).exact  # above MAX_EXACT_DIM: float64
    with pytest.raises(InvalidInputError, match="dimension 72 > 64"):
        from_escnn(big, exact=True)
    small = nn.FieldType(big.gspace, 8 * [G.regular_representation])
    assert from_escnn(small).exact
    assert decide_escnn(big, "relu").admissible and decide_escnn(small, "relu").admissible


def test_bad_input_is_named():
    with pytest.raises(InvalidInputError, match="got str"):
        from_escnn("C4")
    with pytest.raises(InvalidInputError, match="escnn has point-wise modules for"):
        G = gr.cyclic_group(4)
        pointwise_module(nn.FieldType(gspaces.no_base_space(G), [G.regular_representation]),
                         "gelu")


@pytest.mark.parametrize("G", [gr.so2_group(3), gr.o2_group(3), gr.so3_group(2),
                               gr.o3_group(2)], ids=lambda G: G.name)
def test_continuous_groups_admit_only_invariant_fields(G):
    rng = np.random.default_rng(1)
    st = group_structure(G)
    assert not st.finite and len(st.lie_curves) in (1, 3)
    for rep in G.irreps():
        ours = from_escnn(rep)
        # the Lie algebra generators reproduce escnn's matrices at random angles
        for X, curve in zip(ours.numeric_lie_algebra(), st.lie_curves):
            s = float(rng.uniform(-3, 3))
            assert np.allclose(scipy.linalg.expm(s * X), rep(curve(s)), atol=1e-9)
        trivial_on_identity = all(np.max(np.abs(X)) < 1e-9 for X in ours.numeric_lie_algebra())
        comps = [rep(g) for g in st.generators]
        for act, T in (("relu", (1.0,)), ("tanh", (1.0, -1.0))):
            expected = trivial_on_identity and all(
                rep.size == 1 and any(abs(M[0, 0] - t) < 1e-9 for t in T) for M in comps)
            assert decide_escnn(rep, act).admissible == expected, (rep.name, act)
    with pytest.raises(InadmissibleError, match="no escnn representation containing"):
        to_escnn_admissible(G.irreps()[-1], "relu")
    if isinstance(G, gr.O2):  # det: trivial on SO(2); the extension is not built for O(2)
        with pytest.raises(InvalidInputError, match="finite groups only"):
            to_escnn_admissible(G.irrep(1, 0), "relu")


def test_fix_field_type_cyclic_extension_is_equivariant():
    rng = np.random.default_rng(2)
    G = gr.cyclic_group(8)
    ft = nn.FieldType(gspaces.no_base_space(G),
                      [G.irrep(1), G.irrep(2), G.trivial_representation, G.irrep(1)])
    expected_dim = {"relu": 8 + 4 + 1 + 8, "tanh": 4 + 2 + 1 + 4}  # docs/coordinates.md
    for act in ("relu", "tanh"):
        with pytest.raises(AssertionError, match="pointwise"):
            pointwise_module(ft, act)  # escnn itself refuses the irreps
        fix = to_escnn_admissible(ft, act)
        assert fix.field_type.size == expected_dim[act]
        assert "extension" in fix.methods and fix.methods[2] == "as is"
        assert decide_escnn(fix.field_type, act).admissible
        E = fix.embedding
        assert np.linalg.matrix_rank(E) == ft.size
        for g in G.elements:
            assert np.allclose(fix.field_type.representation(g) @ E,
                               E @ ft.representation(g), atol=1e-10)
        module = pointwise_module(fix.field_type, act)
        assert _equivariance_error(module, fix.field_type, G.elements, rng) < 1e-12
        # composing with the embedding: old features -> new features, equivariantly
        x = nn.GeometricTensor(torch.as_tensor(rng.standard_normal((3, ft.size))), ft)
        for g in G.elements[1:4]:
            a = module(fix.embed(x.transform(g))).tensor
            b = module(fix.embed(x)).transform(g).tensor
            assert float((a - b).abs().max()) < 1e-12
    # negative control: relu on the irreps, forced through escnn's tag, is not equivariant
    forced = nn.FieldType(ft.gspace, [_forced_pointwise(G.irrep(1), "c8")])
    assert _equivariance_error(nn.ReLU(forced), forced, G.elements, rng) > 1e-2


def test_fix_change_of_basis_of_a_rotated_regular_representation():
    rng = np.random.default_rng(3)
    G = gr.dihedral_group(3)
    Q = np.linalg.qr(rng.standard_normal((6, 6)))[0]
    rotated = gr.change_basis(G.regular_representation, Q, "D3-regular-rotated-test")
    verdict = decide_escnn(rotated, "relu")
    assert not verdict.admissible and not from_escnn(rotated).exact
    fix = to_escnn_admissible(nn.FieldType(gspaces.no_base_space(G), [rotated]), "relu")
    assert fix.methods == ["change of basis"] and fix.embedding.shape == (6, 6)
    for g in G.elements:
        M = fix.representation(g)
        assert np.allclose(M, np.round(M), atol=1e-8) and np.all(np.round(M) >= 0)
    module = pointwise_module(fix.field_type, "elu")
    assert _equivariance_error(module, fix.field_type, G.elements, rng) < 1e-10
    forced = nn.FieldType(fix.field_type.gspace, [_forced_pointwise(rotated, "d3")])
    assert _equivariance_error(nn.ELU(forced), forced, G.elements, rng) > 1e-2


def test_fix_octahedral_vector_with_tanh_and_relu():
    rng = np.random.default_rng(4)
    G = gr.octa_group()
    vec = G.standard_representation
    st = group_structure(G)
    assert st.finite and len(escnn_elements(G, st.generators)) == 24
    assert not decide_escnn(vec, "relu").admissible
    fix = to_escnn_admissible(vec, "tanh")
    assert fix.methods[0] in ("as is", "change of basis") and fix.target == "signed permutation"
    ft = nn.FieldType(gspaces.no_base_space(G), [fix.representation])
    module = pointwise_module(ft, "tanh")
    assert _equivariance_error(module, ft, G.elements, rng) < 1e-10
    relu_fix = to_escnn_admissible(vec, "relu")
    assert relu_fix.methods == ["extension"]
    # rank-3 embedding into a permutation representation; dimension 6 (the six face centres)
    assert relu_fix.embedding.shape == (6, 3)
    ft = nn.FieldType(gspaces.no_base_space(G), [relu_fix.representation])
    assert _equivariance_error(nn.ReLU(ft), ft, G.elements, rng) < 1e-10


def escnn_elements(G, gens):
    from equiact.interop.escnn import _images

    gens = list(gens)
    return list(_images(G, gens, [np.eye(1)] * len(gens)))  # breadth first, identity first


def _doc_blocks(word):
    import pathlib
    import re

    text = (pathlib.Path(__file__).parent.parent / "docs" / "interop.md").read_text()
    return [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if f"import {word}" in b
            or f"from {word}" in b]


def test_docs_escnn_example_runs():
    blocks = _doc_blocks("escnn")
    assert len(blocks) == 1
    exec(compile(blocks[0], "docs/interop.md", "exec"), {})


def test_huge_field_type_is_refused_before_escnn_builds_it():
    # 2000 regular C8 fields (dimension 16000) ran for minutes and took > 6 GB
    from escnn import gspaces
    from escnn import nn as enn

    gs = gspaces.rot2dOnR2(N=8)
    with pytest.raises(InvalidInputError, match=r"dimension 16000, above the limit 1024"):
        decide_escnn(enn.FieldType(gs, [gs.regular_repr] * 2000), "relu")
    assert decide_escnn(enn.FieldType(gs, [gs.regular_repr] * 4), "relu").admissible
