"""Every ```python block of docs/sn_layers.md runs (each in a fresh namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "sn_layers.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)


def test_doc_has_python_blocks():
    assert len(BLOCKS) >= 2


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_doc_python_block_runs(index):
    code = compile(BLOCKS[index], f"{DOC.name}[python block {index}]", "exec")
    exec(code, {"__name__": f"doc_block_{index}"})
