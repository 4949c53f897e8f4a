"""Every ```python block of every docs/*.md runs as written (each block in a fresh namespace).

docs/sn_layers.md has its own test (tests/test_docs_sn_layers.py, also its ```tsv blocks).
API sketches are fenced as ```text, not ```python. A block that needs an optional extra that is
not installed (escnn, e3nn, torch_geometric, matplotlib, rdkit) is skipped, never failed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
OPTIONAL = ("escnn", "e3nn", "torch_geometric", "matplotlib", "rdkit")
CASES = [
    (doc.name, i, block)
    for doc in sorted(DOCS.glob("*.md")) if doc.name != "sn_layers.md"
    for i, block in enumerate(re.findall(r"^```python\n(.*?)^```", doc.read_text(),
                                         flags=re.S | re.M))
]


def test_some_docs_have_python_blocks():
    assert len({name for name, _, _ in CASES}) >= 3


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("name,index,block", CASES, ids=[f"{n}[{i}]" for n, i, _ in CASES])
def test_docs_python_block_runs(name, index, block, tmp_path, monkeypatch):
    for mod in OPTIONAL:
        if re.search(rf"^\s*(from|import)\s+{mod}\b|equiact\.interop\.{mod}\b", block, re.M):
            pytest.importorskip(mod)
    monkeypatch.chdir(tmp_path)  # a block that writes files writes them here
    exec(compile(block, f"docs/{name}[python block {index}]", "exec"), {"__name__": "doc"})
