"""The README's ``$ equiact ...`` commands: every one parses with the real CLI (no unknown
flag or value), and the quick ones (check, coords, catalog on small groups) run as written
from the repository root with exit status 0 or 1 (1 = a negative answer, not an error)."""

import os
import re
import shlex
from pathlib import Path

import pytest

from equiact.cli.main import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
LINES = [m.group(1) for m in re.finditer(r"^\$ (?:torchrun .*?-m equiact\.cli\.main|equiact)"
                                          r" (.*?)(?:\s+#.*)?$",
                                          (ROOT / "README.md").read_text(), flags=re.M)]
QUICK = ("check", "coords", "catalog --group S4")


def test_readme_has_commands():
    assert len(LINES) >= 15


@pytest.mark.parametrize("line", LINES)
def test_readme_command_parses(line):
    build_parser().parse_args(shlex.split(line))


@pytest.mark.parametrize("line", [x for x in LINES if x.startswith(QUICK)])
def test_quick_readme_command_runs(line, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setitem(os.environ, "EQUIACT_PROGRESS", "0")
    assert main(shlex.split(line)) in (0, 1)
    assert capsys.readouterr().out.strip()
