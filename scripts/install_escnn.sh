#!/usr/bin/env bash
# Install the optional escnn extra (escnn 1.0.11) into .venv next to numpy 2.x and torch 2.13.0.
#
# escnn's dependencies need two workarounds:
# - py3nj 0.2.1 is a source package with Fortran code: it needs a Fortran compiler
#   (Debian/Ubuntu: `apt-get install gfortran`).
# - lie_learn 0.0.2 (the newest on PyPI) ships a wheel compiled against numpy 1.x and declares
#   numpy<2. Its wheel contains the Cython sources (.pyx), so we rebuild it against the installed
#   numpy with Cython, after a two-line fix for numpy 2 (`np.int` / `np.int_t` -> int64, the
#   same type on 64-bit Linux). Nothing else in lie_learn is changed.
# Usage: bash scripts/install_escnn.sh [PYTHON]   (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
if ! command -v gfortran >/dev/null 2>&1; then
    echo "install_escnn.sh: escnn needs py3nj, which needs a Fortran compiler;" >&2
    echo "  install one first (Debian/Ubuntu: apt-get install -y gfortran)" >&2
    exit 1
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# torch pinned in every command so that pip never replaces the CPU build
"$PY" -m pip install --quiet "torch==2.13.0" "Cython==3.3.1" "setuptools>=68"
"$PY" -m pip download --quiet --no-deps -d "$WORK" "lie_learn==0.0.2"
mkdir "$WORK/src"
"$PY" - "$WORK" <<'EOF'
import glob, sys, zipfile
work = sys.argv[1]
(wheel,) = glob.glob(f"{work}/lie_learn-0.0.2-*.whl")
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("lie_learn/") and not name.endswith((".so", ".c")):
            z.extract(name, f"{work}/src")
pyx = f"{work}/src/lie_learn/representations/SO3/pinchon_hoggan/pinchon_hoggan.pyx"
text = open(pyx).read()
for old, new in [("INT_TYPE = np.int\n", "INT_TYPE = np.int64\n"),
                 ("ctypedef np.int_t INT_TYPE_t", "ctypedef np.int64_t INT_TYPE_t")]:
    assert text.count(old) == 1, old
    text = text.replace(old, new)
open(pyx, "w").write(text)
open(f"{work}/src/setup.py", "w").write('''
import glob
import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, find_packages, setup
files = glob.glob("lie_learn/**/*.pyx", recursive=True)
ext = [Extension(f[:-4].replace("/", "."), [f]) for f in files]
setup(name="lie_learn", version="0.0.2", packages=find_packages(),
      package_data={"lie_learn.representations.SO3.pinchon_hoggan": ["*.npy"]},
      ext_modules=cythonize(ext, compiler_directives={"language_level": "2"}, quiet=True),
      include_dirs=[np.get_include()], install_requires=["numpy", "scipy", "requests"])
''')
EOF
"$PY" -m pip install --quiet --no-deps --no-build-isolation "$WORK/src"
"$PY" -m pip install --quiet "torch==2.13.0" "py3nj==0.2.1"
"$PY" -m pip install --quiet --no-deps "escnn==1.0.11" "pymanopt==2.2.1" "autograd==1.9.1" \
    "joblib==1.6.0" "cloudpickle==3.1.3"
"$PY" -c "import escnn.group, numpy, torch; print('escnn ok: numpy', numpy.__version__, 'torch', torch.__version__)"
