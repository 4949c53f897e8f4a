"""Lazy PyTorch helpers: wrap a tensor function as a module (torch is imported on first use)."""

from __future__ import annotations

__all__ = ["lambda_module", "scalar_module", "sympy_forward", "sympy_module"]

def lambda_module(fn, name: str):
    """A ``torch.nn.Module`` whose forward is ``fn`` (a function of one tensor)."""
    from equiact.activations.torch_modules import FunctionModule

    return FunctionModule(fn, name)


def scalar_module(op: str, a: float = 0.0, b: float = 0.0):
    """A scriptable :class:`~equiact.activations.torch_modules.ScalarFunction`."""
    from equiact.activations.torch_modules import ScalarFunction

    return ScalarFunction(op, a, b)


def sympy_module(expr, symbol, name: str, at_zero: float | None = None):
    """A picklable :class:`~equiact.activations.torch_modules.SympyFunction` of ``expr``."""
    from equiact.activations.torch_modules import SympyFunction

    return SympyFunction(expr, name, symbol=symbol, at_zero=at_zero)


def sympy_forward(expr, symbol, name: str, at_zero: float | None = None):
    """A function of one tensor evaluating a sympy expression in ``symbol`` with torch.

    ``at_zero`` replaces the value at x = 0 (a continuous extension). Supports what sympy's
    numpy printer emits for elementary functions, ``Abs``, ``Max``/``Min``, ``sign``, ``erf``
    and ``Piecewise``; gradients flow through them.
    """
    import sympy
    import torch

    def tensor(a):
        return a if isinstance(a, torch.Tensor) else torch.tensor(a, dtype=torch.float64)

    def lift(fn):
        return lambda *args: fn(*[tensor(a) for a in args])

    def select(conds, values, default=float("nan")):
        out = tensor(default)
        for cond, val in reversed(list(zip(conds, values))):
            c = cond if isinstance(cond, torch.Tensor) else torch.tensor(bool(cond))
            out = torch.where(c, tensor(val), out)
        return out

    names = ["exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "erf", "sqrt", "abs",
             "sign", "arctan", "arcsinh", "log2", "log1p", "expm1", "maximum", "minimum",
             "greater", "less", "greater_equal", "less_equal", "equal", "logical_and",
             "logical_or", "logical_not", "floor", "ceil"]
    torch_names = {"arctan": "atan", "arcsinh": "asinh", "greater": "gt", "less": "lt",
                   "greater_equal": "ge", "less_equal": "le", "equal": "eq"}
    table = {n: lift(getattr(torch, torch_names.get(n, n))) for n in names}
    table.update(select=select, nan=float("nan"), pi=float(sympy.pi), e=float(sympy.E))
    fn = sympy.lambdify(symbol, expr, modules=[table, "numpy"])

    def forward(x):
        out = fn(x)
        if not isinstance(out, torch.Tensor):
            return torch.full_like(x, float(out))
        out = out.to(x.dtype).expand_as(x) if out.shape != x.shape else out.to(x.dtype)
        if at_zero is not None:
            out = torch.where(x == 0, torch.full_like(out, at_zero), out)
        return out

    try:
        forward(torch.linspace(-3.0, 3.0, 7, dtype=torch.float64))
    except Exception as err:  # noqa: BLE001 - lambdify output we cannot run in torch
        from equiact.errors import InvalidInputError

        raise InvalidInputError(
            f"cannot build a torch module for {name!r}: {type(err).__name__}: {err}; "
            "pass a torch callable instead") from err
    return forward
