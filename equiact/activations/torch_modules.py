"""PyTorch modules computing activations, all picklable (module-level classes, no closures).

:meth:`ActivationProfile.to_module <equiact.activations.ActivationProfile.to_module>` returns
``torch.nn`` modules for catalogue entries that have one, :class:`ScalarFunction` for the
others (scriptable), :class:`SympyFunction` for sympy expressions and :class:`FunctionModule`
for user callables. This module imports torch; ``equiact.activations`` loads it on first use.
"""

from __future__ import annotations

import torch
from torch import nn

from equiact.errors import InvalidInputError

__all__ = ["FunctionModule", "ScalarFunction", "SympyFunction"]


class ScalarFunction(nn.Module):
    """A catalogue activation without a ``torch.nn`` module, as a picklable, scriptable module.

    ``op``: ``"abs"``, ``"sin"``, ``"sign"``, ``"cube"`` (``x ** 3``), ``"affine"``
    (``a x + b``) or ``"clamp"`` (to ``[a, b]``).

    >>> ScalarFunction("affine", 2.0, 1.0)(torch.tensor([0.0, 1.0]))
    tensor([1., 3.])
    """

    OPS = ("abs", "sin", "sign", "cube", "affine", "clamp")

    def __init__(self, op: str, a: float = 0.0, b: float = 0.0):
        super().__init__()
        if op not in self.OPS:
            raise InvalidInputError(f"op = {op!r}; use one of {', '.join(self.OPS)}")
        self.op, self.a, self.b = op, float(a), float(b)

    def forward(self, x):
        if self.op == "abs":
            return torch.abs(x)
        if self.op == "sin":
            return torch.sin(x)
        if self.op == "sign":
            return torch.sign(x)
        if self.op == "cube":
            return x**3
        if self.op == "affine":
            return self.a * x + self.b
        return torch.clamp(x, self.a, self.b)

    def extra_repr(self) -> str:
        return f"{self.op!r}, a={self.a}, b={self.b}" if self.op in ("affine", "clamp") \
            else repr(self.op)


class SympyFunction(nn.Module):
    """A sympy expression in ``x`` evaluated with torch functions (picklable, exportable).

    The torch code is generated from the expression (``at_zero`` replaces the value at 0, a
    continuous extension); it is not pickled but rebuilt on first use after loading.
    ``torch.jit.script`` refuses it with a clear error: TorchScript cannot compile code
    generated from an expression (use ``torch.export.export``, or pass a torch function or
    module instead).

    >>> import sympy
    >>> f = SympyFunction(sympy.sympify("x*tanh(x)"))
    >>> f(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7616])
    """

    def __init__(self, expr, name: str | None = None, symbol=None, at_zero: float | None = None):
        super().__init__()
        import sympy

        self.expr = sympy.sympify(expr)
        free = sorted(self.expr.free_symbols, key=str)
        self.symbol = symbol if symbol is not None else (free[0] if free else sympy.Symbol("x"))
        self.name = name or str(expr)
        self.at_zero = at_zero
        self.__dict__["_built"] = None
        self._module()  # refuse an expression torch cannot evaluate now, not at first use

    def _module(self):
        built = self.__dict__.get("_built")
        if built is None:
            from equiact.activations._torch import sympy_forward

            built = sympy_forward(self.expr, self.symbol, self.name, self.at_zero)
            self.__dict__["_built"] = built
        return built

    def forward(self, x):
        return self._module()(x)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_built"] = None
        return state

    def __prepare_scriptable__(self):
        raise InvalidInputError(
            f"torch.jit.script cannot compile the activation {self.name!r}: its torch code is "
            "generated from a sympy expression (TorchScript compiles only source it can "
            "parse); use torch.export.export, or pass a scriptable torch function or module "
            "as the activation"
        )

    def extra_repr(self) -> str:
        return self.name


class FunctionModule(nn.Module):
    """Applies a function of one tensor (picklable when the function is importable by name).

    >>> FunctionModule(torch.tanh, "tanh")(torch.zeros(2))
    tensor([0., 0.])
    """

    def __init__(self, fn, name: str = ""):
        super().__init__()
        self.fn = fn
        self.name = name or getattr(fn, "__name__", type(fn).__name__)

    def forward(self, x):
        return self.fn(x)

    def extra_repr(self) -> str:
        return self.name
