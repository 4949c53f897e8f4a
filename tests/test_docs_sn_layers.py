"""Every ```python block of docs/sn_layers.md runs (each in a fresh namespace); every ```tsv
block is a valid data set file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "sn_layers.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)
TSV = re.findall(r"^```tsv\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)


def test_doc_has_python_blocks():
    assert len(BLOCKS) >= 2


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_doc_python_block_runs(index):
    code = compile(BLOCKS[index], f"{DOC.name}[python block {index}]", "exec")
    exec(code, {"__name__": f"doc_block_{index}"})


@pytest.mark.parametrize("index", range(len(TSV)))
def test_doc_dataset_file_parses(index):
    import torch

    from equiact.sn.convert import parse_dataset_text

    samples, task, out_dim, names = parse_dataset_text(TSV[index], where="doc")
    assert len(samples) >= 2 and task in ("classification", "regression")
    assert out_dim >= 1 and names
    if names == ["triangles"]:  # the numbers in the example are true
        for s in samples:
            a = s.x[0].double()
            assert round(float(torch.trace(a @ a @ a)) / 6) == float(s.y)


def test_doc_has_a_dataset_file():
    assert TSV
