"""e3nn interop: verdicts for Irreps agree with sampled rotations and with e3nn.nn.Activation."""

import numpy as np
import pytest
import scipy.linalg

e3nn = pytest.importorskip("e3nn.o3", reason="e3nn not installed: pip install e3nn==0.6.0",
                           exc_type=ImportError)
torch = pytest.importorskip("torch")

from e3nn import o3  # noqa: E402
from e3nn.nn import Activation  # noqa: E402

from equiact.errors import InvalidInputError  # noqa: E402
from equiact.interop import (  # noqa: E402
    decide_e3nn,
    from_e3nn,
    sampled_equivariance_error,
    split_admissible,
)

ACTIVATIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softsign": torch.nn.functional.softsign,
    "x**3": lambda x: x**3,
    "tanh(x) + 1": lambda x: torch.tanh(x) + 1,
    "abs(x)": torch.abs,
}
IRREPS = ["0e", "0o", "1o", "1e", "2e", "3o"]


def _e3nn_accepts_pointwise(irrep: str, fn) -> bool:
    """e3nn.nn.Activation accepts ``fn`` on ``irrep`` and keeps the irreps (point-wise)."""
    try:
        act = Activation(irrep, [fn])
    except ValueError:
        return False
    return act.irreps_out == o3.Irreps(irrep)


@pytest.mark.parametrize("irrep", IRREPS)
def test_verdict_matches_sampling_and_e3nn_activation(irrep):
    for name, fn in ACTIVATIONS.items():
        verdict = decide_e3nn(irrep, name)
        # the same verdict from the inversion and three sampled rotations (float64)
        assert decide_e3nn(irrep, name, samples=3).admissible == verdict.admissible
        err = sampled_equivariance_error(irrep, name, samples=8, batch=16, seed=1)
        if verdict.admissible:
            assert err < 1e-12, (irrep, name, err)
        else:
            assert err > 1e-3, (irrep, name, err)
        assert verdict.admissible == _e3nn_accepts_pointwise(irrep, fn), (irrep, name)


def test_theorem_consequence_for_irreps():
    # non-scalar irreps admit no non-linear point-wise activation; 0o exactly the odd ones
    for irrep in ["1o", "1e", "2o", "2e", "3o", "4e"]:
        for name in ["relu", "tanh", "x**3", "sin(x)", "gelu"]:
            assert not decide_e3nn(irrep, name).admissible, (irrep, name)
        assert decide_e3nn(irrep, "3*x").admissible  # linear maps commute with everything
    for name in ["tanh", "sin(x)", "x**3", "softsign"]:
        assert decide_e3nn("0o", name).admissible
    for name in ["relu", "gelu", "sigmoid", "x**2", "tanh(x) + 1"]:
        assert not decide_e3nn("0o", name).admissible
    good, bad = split_admissible("2x0e + 1x0o + 1x1o + 3x0o + 1x2e", "tanh")
    assert (str(good), str(bad)) == ("2x0e+1x0o+3x0o", "1x1o+1x2e")
    good, bad = split_admissible("2x0e + 1x0o + 1x1o", "relu")
    assert (str(good), str(bad)) == ("2x0e", "1x0o+1x1o")


def test_generators_reproduce_e3nn_matrices():
    rng = np.random.default_rng(5)
    irreps = o3.Irreps("2x0e + 1x0o + 1x1o + 1x2e + 1x3o")
    rep = from_e3nn(irreps)
    assert rep.dim == irreps.dim and len(rep.generators) == 1 and len(rep.lie_algebra) == 3
    assert rep.exact  # entries are small rationals and square roots up to l = 3
    L1 = from_e3nn("1o").numeric_lie_algebra()
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for _ in range(3):
            c = rng.standard_normal(3)
            R = scipy.linalg.expm(sum(ci * L for ci, L in zip(c, L1)))
            X = sum(ci * L for ci, L in zip(c, rep.numeric_lie_algebra()))
            D = irreps.D_from_matrix(torch.as_tensor(R)).numpy()
            assert np.allclose(scipy.linalg.expm(X), D, atol=1e-9)
        P = irreps.D_from_matrix(-torch.eye(3)).numpy()
    finally:
        torch.set_default_dtype(old)
    assert np.allclose(rep.numeric_generators()[0], P)
    assert np.allclose(np.diag(P), [1, 1, -1, -1, -1, -1, 1, 1, 1, 1, 1] + [-1] * 7)


def test_bad_irreps_are_named():
    with pytest.raises(InvalidInputError, match="'1x1q' is not an e3nn Irreps"):
        decide_e3nn("1x1q", "relu")
    with pytest.raises(InvalidInputError, match="irreps is empty"):
        from_e3nn("")
    with pytest.raises(InvalidInputError, match="samples = 0"):
        sampled_equivariance_error("0e", "relu", samples=0)
    with pytest.raises(InvalidInputError, match="samples = -2"):
        decide_e3nn("0e", "relu", samples=-2)


def test_docs_e3nn_example_runs():
    import pathlib
    import re

    text = (pathlib.Path(__file__).parent.parent / "docs" / "interop.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "decide_e3nn" in b]
    assert len(blocks) == 1
    exec(compile(blocks[0], "docs/interop.md", "exec"), {})


@pytest.mark.parametrize("irreps", ["100000x0e", "1000x10e"])
def test_huge_irreps_are_refused_before_allocating(irreps):
    # 100000x0e used to try a 75 GiB allocation (MemoryError), 1000x10e ran for minutes
    with pytest.raises(InvalidInputError, match=r"have dimension \d+, above the limit 1024"):
        decide_e3nn(irreps, "relu")
