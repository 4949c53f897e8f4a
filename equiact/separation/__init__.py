"""Separation power: which graph pairs a model tells apart, beside the 1-WL / 2-FWL oracles.

* :mod:`~equiact.separation.oracles`: exact 1-WL and 2-FWL (= 3-WL) colour refinement;
* :mod:`~equiact.separation.pairs`: pair data sets (atlas, CSL, SR25, BREC, rook/Shrikhande,
  your own graphs);
* :mod:`~equiact.separation.protocol`: the random-weight protocol with noise floors and
  per-pair verdicts (``separate``);
* :mod:`~equiact.separation.brec`: BREC's published protocol (training, Hotelling T^2);
* :mod:`~equiact.separation.csl`: CSL cross-validation;
* :mod:`~equiact.separation.plethora`: networks on every ``R^{S_n/H}`` and the sweep.

>>> from equiact.separation import load_pairs, oracle_separates
>>> int(oracle_separates(load_pairs("csl"), "2-fwl").sum())
45
"""

from equiact.separation.oracles import (
    ORACLES,
    fwl2_colours,
    fwl2_histograms,
    oracle_separates,
    relabel_rows,
    rounds_to_separate,
    wl_colours,
    wl_histograms,
)
from equiact.separation.pairs import (
    BREC_CATEGORIES,
    DATASETS,
    PairDataset,
    load_pairs,
    pairs_from_graphs,
)
from equiact.separation.protocol import (
    VERDICTS,
    SeparationResult,
    model_embedder,
    pair_gaps,
    separate,
    verdict,
)

__all__ = [
    "BREC_CATEGORIES",
    "DATASETS",
    "ORACLES",
    "VERDICTS",
    "PairDataset",
    "SeparationResult",
    "fwl2_colours",
    "fwl2_histograms",
    "load_pairs",
    "model_embedder",
    "oracle_separates",
    "pair_gaps",
    "pairs_from_graphs",
    "relabel_rows",
    "rounds_to_separate",
    "separate",
    "verdict",
    "wl_colours",
    "wl_histograms",
]

from equiact.separation.plethora import (  # noqa: E402
    coset_model_embedder,
    coset_model_factory,
    plethora_sweep,
)

__all__ += ["coset_model_embedder", "coset_model_factory", "plethora_sweep"]

from equiact.separation.brec import run_brec  # noqa: E402
from equiact.separation.csl import csl_cross_validation  # noqa: E402

__all__ += ["run_brec", "csl_cross_validation"]
