"""``analyze_activation(spec)``: one entry point for every way of naming an activation.

* a catalogue name, with parameters: ``"relu"``, ``"leaky_relu(0.2)"``, ``"LeakyReLU(0.2)"``,
  ``"threshold(0.5, 0.1)"``, ``"affine(2, 1)"`` (``2x + 1``) -> catalogue;
* any other string -> a sympy expression in ``x`` (``"x*(2 + sin(2*pi*log(Abs(x), 2)))"``);
* a sympy expression -> symbolic analysis;
* a ``torch.nn`` activation module or ``torch.nn.functional`` function (also a
  ``functools.partial`` of one) -> the catalogue entry with the module's parameters;
* any other callable -> black-box numerical analysis.

>>> analyze_activation("LeakyReLU(0.2)").name
'leaky_relu(0.2)'
>>> analyze_activation("x**3 + x").T.label
'{±1}'
>>> import math
>>> analyze_activation(math.atan).T.label
'{±1}'
"""

from __future__ import annotations

import dataclasses
import functools
import sys

import sympy

from equiact.activations.entries import (
    FAMILIES,
    catalogue_profile,
    parse_catalogue_name,
)
from equiact.activations.numerical import NumericalOptions, analyze_numerically, wrap_callable
from equiact.activations.profile import ActivationProfile
from equiact.activations.symbolic import analyze_expression
from equiact.errors import ActivationError, InvalidInputError

__all__ = ["analyze_activation"]

# torch.nn module class name -> (family, {param: attribute})
_MODULES = {
    "ReLU": ("relu", {}), "LeakyReLU": ("leaky_relu", {"negative_slope": "negative_slope"}),
    "ELU": ("elu", {"alpha": "alpha"}), "SELU": ("selu", {}), "CELU": ("celu", {"alpha": "alpha"}),
    "GELU": ("gelu", {"approximate": "approximate"}), "SiLU": ("silu", {}), "Mish": ("mish", {}),
    "Softplus": ("softplus", {"beta": "beta", "threshold": "threshold"}),
    "Softsign": ("softsign", {}), "Tanh": ("tanh", {}), "Sigmoid": ("sigmoid", {}),
    "Hardtanh": ("hardtanh", {"min_val": "min_val", "max_val": "max_val"}),
    "Hardsigmoid": ("hardsigmoid", {}), "Hardswish": ("hardswish", {}), "ReLU6": ("relu6", {}),
    "Tanhshrink": ("tanhshrink", {}), "Softshrink": ("softshrink", {"lambd": "lambd"}),
    "Hardshrink": ("hardshrink", {"lambd": "lambd"}), "LogSigmoid": ("logsigmoid", {}),
    "Threshold": ("threshold", {"threshold": "threshold", "value": "value"}),
    "Identity": ("identity", {}),
}
_NOT_POINTWISE = ("Softmax", "Softmin", "LogSoftmax", "Softmax2d", "GLU", "MultiheadAttention",
                  "AdaptiveLogSoftmaxWithLoss")
# torch.nn.functional / torch function name -> family
_FUNCTIONS = {
    "relu": "relu", "relu_": "relu", "leaky_relu": "leaky_relu", "leaky_relu_": "leaky_relu",
    "elu": "elu", "elu_": "elu", "selu": "selu", "selu_": "selu", "celu": "celu",
    "celu_": "celu", "gelu": "gelu", "silu": "silu", "mish": "mish", "softplus": "softplus",
    "softsign": "softsign", "tanh": "tanh", "sigmoid": "sigmoid", "hardtanh": "hardtanh",
    "hardtanh_": "hardtanh", "hardsigmoid": "hardsigmoid", "hardswish": "hardswish",
    "relu6": "relu6", "tanhshrink": "tanhshrink", "softshrink": "softshrink",
    "hardshrink": "hardshrink", "logsigmoid": "logsigmoid", "threshold": "threshold",
    "threshold_": "threshold", "abs": "abs", "sin": "sin", "sign": "sign",
}


def _options(options, seed, n_points, rtol, max_base) -> NumericalOptions:
    if options is not None:
        return options
    kw = {k: v for k, v in dict(seed=seed, n_points=n_points, rtol=rtol,
                                max_base=max_base).items() if v is not None}
    return NumericalOptions(**kw)


def _torch_function_family(fn):
    """The catalogue family of a torch function object (or None), found by identity."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    import torch.nn.functional as F

    for name, fam in _FUNCTIONS.items():
        for owner in (F, torch):
            obj = getattr(owner, name, None)
            if obj is not None and obj is fn:
                return fam
    if fn is getattr(F, "prelu", None) or fn is getattr(torch, "prelu", None):
        raise ActivationError(
            "torch prelu needs its weight; pass torch.nn.PReLU() or 'prelu(0.25)' instead")
    return None


def _from_torch_module(m):
    import torch

    cls = type(m)
    name = cls.__name__
    if cls is getattr(torch.nn, name, None):
        if name in _NOT_POINTWISE:
            raise ActivationError(
                f"torch.nn.{name} is not a point-wise activation: each output depends on several "
                "inputs; point-wise activations need one scalar function")
        if name == "PReLU":
            w = m.weight.detach().reshape(-1)
            if w.numel() != 1:
                raise ActivationError(
                    f"torch.nn.PReLU with num_parameters={w.numel()} applies a different slope per "
                    "channel; point-wise activations need one scalar function: use "
                    "PReLU(num_parameters=1)")
            prof = catalogue_profile("prelu", {"weight": float(w.item())})
            return dataclasses.replace(prof, torch_factory=lambda: m)
        if name == "RReLU":
            if m.training:
                raise ActivationError(
                    "torch.nn.RReLU in training mode draws a random slope per element, so it is "
                    "not one scalar function; call .eval() (then it is a leaky ReLU with slope "
                    "(lower + upper) / 2)")
            prof = catalogue_profile("leaky_relu",
                                     {"negative_slope": (m.lower + m.upper) / 2})
            return dataclasses.replace(prof, torch_factory=lambda: m)
        if name in _MODULES:
            fam, attrs = _MODULES[name]
            params = {p: getattr(m, a) for p, a in attrs.items()}
            prof = catalogue_profile(fam, params)
            return dataclasses.replace(prof, torch_factory=lambda: m)
    return None


def _from_partial(p):
    fam = _torch_function_family(p.func)
    if fam is None:
        return None
    names = [n for n, _ in FAMILIES[fam].params]
    params = dict(zip(names, p.args))
    for k, v in p.keywords.items():
        if k == "inplace":
            continue
        if k not in names:
            raise InvalidInputError(f"{fam} has no parameter {k!r} (parameters: "
                                    f"{', '.join(names) or 'none'})")
        params[k] = v
    return catalogue_profile(fam, params)


def analyze_activation(spec, *, name: str | None = None, seed: int | None = None,
                       n_points: int | None = None, rtol: float | None = None,
                       max_base: float | None = None,
                       options: NumericalOptions | None = None) -> ActivationProfile:
    """The :class:`ActivationProfile` of ``spec`` (see the module docstring for the forms).

    ``seed``, ``n_points``, ``rtol``, ``max_base`` (or ``options``) tune the numerical analysis
    used for expressions and callables; the defaults are deterministic.
    Raises :class:`~equiact.errors.UnknownNameError` for strings that are neither catalogue
    names nor expressions in x, :class:`~equiact.errors.ActivationError` for callables that
    cannot be evaluated point-wise.

    >>> analyze_activation("relux")
    Traceback (most recent call last):
    ...
    equiact.errors.UnknownNameError: unknown activation 'relux'; did you mean ... 'relu' ...
    """
    if isinstance(spec, ActivationProfile):
        return spec
    opts = _options(options, seed, n_points, rtol, max_base)
    if isinstance(spec, str):
        if not spec.strip():
            raise InvalidInputError("the activation name is empty; try 'relu' or 'tanh'")
        parsed = parse_catalogue_name(spec)
        if parsed is not None:
            return catalogue_profile(*parsed)
        return analyze_expression(spec, name=name, options=opts)
    if isinstance(spec, sympy.Basic):
        return analyze_expression(spec, name=name, options=opts)
    if "torch" in sys.modules:
        import torch

        if isinstance(spec, torch.nn.Module):
            prof = _from_torch_module(spec)
            if prof is not None:
                return prof
        elif isinstance(spec, functools.partial):
            prof = _from_partial(spec)
            if prof is not None:
                return prof
        else:
            fam = _torch_function_family(spec)
            if fam is not None:
                return catalogue_profile(fam)
    if not callable(spec):
        raise InvalidInputError(
            f"cannot read {spec!r} ({type(spec).__name__}) as an activation: give a catalogue "
            "name, an expression in x, a torch activation, or a callable")
    label = name or getattr(spec, "__name__", None) or type(spec).__name__
    numpy_fn, mode = wrap_callable(spec, label)
    num = analyze_numerically(numpy_fn, label, opts)
    factory = None
    if mode == "torch":
        def factory():
            from equiact.activations._torch import lambda_module

            return lambda_module(spec, label)

    return ActivationProfile(
        name=label, numpy_fn=numpy_fn, f_at_zero=num.f_at_zero, zero_at_origin=num.zero_at_origin,
        is_affine=num.is_affine, is_linear=num.is_linear, odd_f0=num.odd, T=num.T,
        how="numerical", evidence="; ".join(num.evidence), expr=None, torch_factory=factory)


