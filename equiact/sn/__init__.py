"""Structured S_n layers (k-tensors, tuples, subsets, S_n/A_n), graph models, data, training.

PyTorch-only package (imports torch at top level).

>>> from equiact.sn import SnLinear, SnSet, bell_number
>>> bell_number(4), SnLinear(SnSet.tensor(2), SnSet.tensor(2), 1, 1).num_maps
(15, 15)
"""

from equiact.sn.data import (
    CSL_SKIPS,
    DATASETS,
    GraphSample,
    atlas_dataset,
    collate_graphs,
    csl_dataset,
    load_dataset,
    molecule_dataset,
)
from equiact.sn.layers import MAX_ORDER, SnDirectSumLinear, SnLinear, SnSet
from equiact.sn.masking import masked_pool, pad_tensors
from equiact.sn.models import PRESETS, GraphModel, build_model, graph_tensor
from equiact.sn.partitions import (
    bell_number,
    canonical_partition,
    count_partitions_at_most,
    set_partitions,
    stirling2,
)
from equiact.sn.train import TrainConfig, evaluate, train

__all__ = [
    "CSL_SKIPS",
    "DATASETS",
    "MAX_ORDER",
    "PRESETS",
    "GraphModel",
    "GraphSample",
    "SnDirectSumLinear",
    "SnLinear",
    "SnSet",
    "TrainConfig",
    "atlas_dataset",
    "bell_number",
    "build_model",
    "canonical_partition",
    "collate_graphs",
    "count_partitions_at_most",
    "csl_dataset",
    "evaluate",
    "graph_tensor",
    "load_dataset",
    "masked_pool",
    "molecule_dataset",
    "pad_tensors",
    "set_partitions",
    "stirling2",
    "train",
]
