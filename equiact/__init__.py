"""equiact: exact equivariance of point-wise activations.

Decide whether a point-wise layer is equivariant for a group representation, fix the
coordinates, enumerate admissible representations, and build exactly equivariant networks.
PyTorch lives in :mod:`equiact.nn` and :mod:`equiact.sn`; GAP is loaded only by the functions
that need it.

>>> import equiact
>>> rep = equiact.named_representation("C4", "rotation")
>>> equiact.decide(rep, "tanh").admissible, equiact.decide(rep, "relu").admissible
(True, False)
"""

from equiact.activations import ActivationProfile, NumericalOptions, analyze_activation, catalogue
from equiact.catalog import Catalog, CatalogEntry, build_catalog
from equiact.coordinates import (
    CoordinatesResult,
    MinimalExtension,
    Summand,
    admissible_coordinates,
    minimal_extension,
    rescale_monomial,
    target_class,
)
from equiact.decision import Verdict, Violation, Witness, commutation_error, decide
from equiact.errors import (
    ActivationError,
    ClosureLimitError,
    EquiactError,
    GroupTheoryError,
    InadmissibleError,
    InvalidInputError,
    InvalidMatrixError,
    NotFiniteGroupError,
    UnknownNameError,
)
from equiact.gap import GapGroup
from equiact.groups import available_representations, named_representation
from equiact.orbit_basis import OrbitBasis, hom_orbits, invariant_orbits
from equiact.representation import DEFAULT_CLOSURE_LIMIT, FiniteMatrixGroup, Representation
from equiact.scalar_group import ScalarGroup, ScalarGroupKind, classify_scalars
from equiact.spaces import (
    PermutationSpace,
    cyclic_regular_space,
    dihedral_polygon_space,
    dihedral_regular_space,
    direct_sum,
    sn_generators,
    sn_injective_tuple_space,
    sn_sign_space,
    sn_subset_space,
    sn_tensor_space,
)

__version__ = "0.1.0"

__all__ = [
    # activations
    "ActivationProfile",
    "NumericalOptions",
    "analyze_activation",
    "catalogue",
    # scalar groups
    "ScalarGroup",
    "ScalarGroupKind",
    "classify_scalars",
    # representations
    "DEFAULT_CLOSURE_LIMIT",
    "FiniteMatrixGroup",
    "Representation",
    "available_representations",
    "named_representation",
    # decision
    "Verdict",
    "Violation",
    "Witness",
    "commutation_error",
    "decide",
    # coordinates and catalogue
    "Catalog",
    "CatalogEntry",
    "CoordinatesResult",
    "GapGroup",
    "MinimalExtension",
    "Summand",
    "admissible_coordinates",
    "build_catalog",
    "minimal_extension",
    "rescale_monomial",
    "target_class",
    # spaces and orbit bases
    "OrbitBasis",
    "PermutationSpace",
    "cyclic_regular_space",
    "dihedral_polygon_space",
    "dihedral_regular_space",
    "direct_sum",
    "hom_orbits",
    "invariant_orbits",
    "sn_generators",
    "sn_injective_tuple_space",
    "sn_sign_space",
    "sn_subset_space",
    "sn_tensor_space",
    # errors
    "ActivationError",
    "ClosureLimitError",
    "EquiactError",
    "GroupTheoryError",
    "InadmissibleError",
    "InvalidInputError",
    "InvalidMatrixError",
    "NotFiniteGroupError",
    "UnknownNameError",
    "__version__",
]
