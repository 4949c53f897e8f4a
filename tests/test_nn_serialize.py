"""Every equiact.nn module survives torch.save/pickle, copy.deepcopy, state_dict round trips,
torch.jit.script and torch.export.export with identical outputs (sympy activations: script
refuses with a clear error, see SympyFunction)."""

from __future__ import annotations

import copy
import io
import pickle

import pytest
import torch
from _equiv_helpers import q8_space

from equiact.errors import InvalidInputError
from equiact.nn import (
    EquivariantLinear,
    EquivariantNetwork,
    InvariantPooling,
    PointwiseActivation,
)
from equiact.nn.activation import ScalarFunction, SympyFunction
from equiact.spaces import direct_sum, sn_tensor_space

X1, X2 = sn_tensor_space(4, 1), sn_tensor_space(4, 2)
Q = direct_sum(q8_space(), q8_space())

#: (name, builder, input shape); builders are called twice (original and fresh copy).
MODELS = {
    "linear_dense": (lambda: EquivariantLinear(X2, X1, 3, 4, mode="dense"), (5, 3, 16)),
    "linear_sparse": (lambda: EquivariantLinear(X2, X1, 3, 4, mode="sparse"), (5, 3, 16)),
    "linear_signed_no_bias": (lambda: EquivariantLinear(Q, Q, 2, 2, bias=False), (3, 2, 8)),
    "pooling": (lambda: InvariantPooling(X2, "sum"), (5, 3, 16)),
    "network_relu": (lambda: EquivariantNetwork([X2, X2, X1], [3, 6, 5], "relu", pool="mean",
                                                out_features=2), (5, 3, 16)),
    "network_signed_tanh": (lambda: EquivariantNetwork([Q, Q, Q], [2, 4, 3], "tanh",
                                                       final_activation=True), (3, 2, 8)),
    "network_sparse_cube": (lambda: EquivariantNetwork([X2, X2], [3, 4], "cube", mode="sparse",
                                                       final_activation=True), (5, 3, 16)),
}
ACTIVATIONS = ["tanh", "leaky_relu(0.2)", "abs", "sin", "sign", "cube", "affine(2, 1)",
               "hardtanh(0.5, 0.5)", torch.sin, torch.nn.GELU(), "x*tanh(x)"]
for act in ACTIVATIONS:
    MODELS[f"act_{act}"] = ((lambda a=act: PointwiseActivation(X2, a)), (5, 3, 16))


def build(name, seed=0):
    make, shape = MODELS[name]
    torch.manual_seed(seed)
    model = make()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_()  # biases are zero-initialised: make them count
    torch.manual_seed(100)
    return model, torch.randn(*shape)


def scriptable(name):
    return "x*tanh(x)" not in name


@pytest.mark.parametrize("name", sorted(MODELS))
def test_save_load_pickle_deepcopy_state_dict(name):
    model, x = build(name)
    y = model(x)
    buf = io.BytesIO()
    torch.save(model, buf)
    buf.seek(0)
    loaded = torch.load(buf, weights_only=False)
    assert torch.equal(loaded(x), y)
    assert torch.equal(pickle.loads(pickle.dumps(model))(x), y)
    clone = copy.deepcopy(model)
    assert torch.equal(clone(x), y)
    other, _ = build(name, seed=1)
    if any(True for _ in model.parameters()):
        assert not torch.equal(other(x), y)
    other.load_state_dict(model.state_dict())
    assert torch.equal(other(x), y)
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    buf.seek(0)
    other, _ = build(name, seed=2)
    other.load_state_dict(torch.load(buf, weights_only=True))
    assert torch.equal(other(x), y)


@pytest.mark.parametrize("name", sorted(n for n in MODELS if scriptable(n)))
def test_torch_jit_script_and_save(name):
    model, x = build(name)
    y = model(x)
    scripted = torch.jit.script(model)
    assert torch.allclose(scripted(x), y, rtol=1e-6, atol=1e-6)
    buf = io.BytesIO()
    torch.jit.save(scripted, buf)
    buf.seek(0)
    assert torch.allclose(torch.jit.load(buf)(x), y, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_torch_export(name):
    model, x = build(name)
    y = model(x)
    program = torch.export.export(model, (x,))
    # export applies sparse operators as gather + index_add: same sums, possibly reordered
    assert torch.allclose(program.module()(x), y, rtol=1e-6, atol=1e-6)


def test_export_with_dynamic_batch_and_eval_mode():
    model, x = build("network_relu")
    model.eval()
    with torch.no_grad():
        y = model(x)
    batch = torch.export.Dim("batch", min=2)
    program = torch.export.export(model, (x,), dynamic_shapes=({0: batch},))
    x2 = torch.randn(9, *x.shape[1:])
    with torch.no_grad():
        assert torch.allclose(program.module()(x), y, rtol=1e-6, atol=1e-6)
        assert torch.allclose(program.module()(x2), model(x2), rtol=1e-6, atol=1e-6)


def test_scripted_layer_still_validates_input():
    scripted = torch.jit.script(EquivariantLinear(X2, X1, 3, 4))
    with pytest.raises(Exception, match=r"input has shape \(5, 2, 16\); expected"):
        scripted(torch.randn(5, 2, 16))


def test_sympy_activation_refuses_script_with_reason_but_pickles():
    act = PointwiseActivation(X2, "x*tanh(x)")
    assert isinstance(act.fn, SympyFunction)
    with pytest.raises(InvalidInputError, match=r"torch.jit.script cannot compile the "
                       r"activation 'x\*tanh\(x\)'.*sympy expression.*torch.export"):
        torch.jit.script(act)
    with pytest.raises(InvalidInputError, match="cannot compile"):
        torch.jit.script(torch.nn.Sequential(EquivariantLinear(X2, X2, 1, 1), act))
    x = torch.randn(3, 16, dtype=torch.float64)
    loaded = pickle.loads(pickle.dumps(act))
    assert loaded.fn.__dict__["_built"] is None  # generated code is rebuilt, not pickled
    assert torch.equal(loaded(x), x * torch.tanh(x))


def test_scalar_functions_match_catalogue_modules():
    from equiact.activations import analyze_activation

    x = torch.linspace(-3, 3, 61, dtype=torch.float64)
    for spec, op in [("abs", "abs"), ("sin", "sin"), ("sign", "sign"), ("cube", "cube"),
                     ("affine(2, 1)", "affine"), ("hardtanh(0.5, 0.5)", "clamp")]:
        act = PointwiseActivation(X2, spec)
        assert isinstance(act.fn, ScalarFunction) and act.fn.op == op
        assert torch.equal(act(x), analyze_activation(spec).to_module()(x))
    with pytest.raises(InvalidInputError, match="op = 'cos'; use one of abs, sin"):
        ScalarFunction("cos")


def test_verdict_recomputed_after_loading():
    for spec in ["relu", "x*tanh(x)", torch.nn.GELU(), torch.sin]:
        act = PointwiseActivation(X2, spec)
        loaded = pickle.loads(pickle.dumps(act))
        assert loaded.__dict__["_verdict"] is None
        assert loaded.verdict.admissible
        assert loaded.verdict.reason == act.verdict.reason
        assert loaded.verdict.group_order == act.verdict.group_order == 24


def test_lambda_activation_deepcopies_but_does_not_pickle():
    act = PointwiseActivation(X2, lambda t: torch.tanh(t) * 2)
    x = torch.randn(2, 16)
    assert torch.equal(copy.deepcopy(act)(x), act(x))
    with pytest.raises((pickle.PicklingError, AttributeError), match="lambda"):
        pickle.dumps(act)
