"""Activation symmetries (THEORY.md section 3): ``analyze_activation(spec) -> ActivationProfile``.

>>> from equiact.activations import analyze_activation
>>> [analyze_activation(n).T.label for n in ("relu", "tanh", "gelu", "identity")]
['R>0', '{±1}', '{1}', 'R*']
"""

from equiact.activations.analyze import analyze_activation
from equiact.activations.entries import (
    catalogue,
    catalogue_names,
    catalogue_profile,
    parse_catalogue_name,
)
from equiact.activations.numerical import (
    NumericalOptions,
    analyze_numerically,
    random_elements,
    relation_holds,
    wrap_callable,
)
from equiact.activations.profile import ActivationProfile
from equiact.activations.symbolic import analyze_expression, parse_expression, prove_zero

__all__ = [
    "ActivationProfile",
    "NumericalOptions",
    "analyze_activation",
    "analyze_expression",
    "analyze_numerically",
    "catalogue",
    "catalogue_names",
    "catalogue_profile",
    "parse_catalogue_name",
    "parse_expression",
    "prove_zero",
    "random_elements",
    "relation_holds",
    "wrap_callable",
]
