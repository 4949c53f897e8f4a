"""Structured S_n layers (k-tensors, tuples, subsets, S_n/A_n), graph models, data, training.

PyTorch-only package (imports torch at top level).

>>> from equiact.sn import SnLinear, SnSet, bell_number
>>> bell_number(4), SnLinear(SnSet.tensor(2), SnSet.tensor(2), 1, 1).num_maps
(15, 15)
"""

from equiact.sn.checkpoint import load_checkpoint, save_checkpoint
from equiact.sn.convert import (
    as_samples,
    from_pyg,
    graph_sample,
    read_dataset_file,
    samples_from_graphs,
    to_pyg,
)
from equiact.sn.data import (
    CSL_SKIPS,
    DATASETS,
    GraphSample,
    atlas_dataset,
    collate_graphs,
    csl_dataset,
    load_dataset,
    load_dataset_info,
    molecule_dataset,
)
from equiact.sn.layers import MAX_ORDER, SnDirectSumLinear, SnLinear, SnSet
from equiact.sn.masking import masked_pool, pad_tensors
from equiact.sn.memory import estimate_training_memory
from equiact.sn.models import PRESETS, GraphModel, build_model, graph_tensor
from equiact.sn.partitions import (
    bell_number,
    canonical_partition,
    count_partitions_at_most,
    set_partitions,
    stirling2,
)
from equiact.sn.train import TrainConfig, build_from_checkpoint, evaluate, predict, train

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
    "as_samples",
    "atlas_dataset",
    "bell_number",
    "build_from_checkpoint",
    "build_model",
    "canonical_partition",
    "collate_graphs",
    "count_partitions_at_most",
    "csl_dataset",
    "estimate_training_memory",
    "evaluate",
    "from_pyg",
    "graph_sample",
    "graph_tensor",
    "load_checkpoint",
    "load_dataset",
    "load_dataset_info",
    "masked_pool",
    "molecule_dataset",
    "pad_tensors",
    "predict",
    "read_dataset_file",
    "samples_from_graphs",
    "save_checkpoint",
    "set_partitions",
    "stirling2",
    "to_pyg",
    "train",
]
