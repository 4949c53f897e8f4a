"""CPU time of refusing hostile input, in one process (after one warm-up call).

    OMP_NUM_THREADS=1 python bench/hostile_input.py

Each case runs ``equiact.cli.main.main(argv)`` in-process and prints the exit status and the CPU
time (``time.process_time``) of the refusal; the subprocess start-up (about 0.5 s) is excluded.
Also times the exact zero test of a disguised zero and the exact rank of a singular 128x128
matrix over QQ(sqrt 2), against sympy's generic elimination on a 40x40 one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
import time

import sympy as sp

from equiact.cli.main import main

ROT = ["--group", "C4", "--rep", "rotation"]
ACTIVATIONS = [
    "factorial(10**9)", "x*2**(10**10)", "Product(x,(x,1,10**9))", "Sum(1/x**2,(x,1,10**12))",
    "x+10**10**10", "fibonacci(10**9)*x", "binomial(10**9,10**8)*x", "sin(" * 200 + "x" + ")" * 200,
    "exp(exp(exp(exp(10))))*x", "exp(exp(exp(exp(x+10))))", "affine(nan, 1)",
]
ZERO = "sqrt(3+2*sqrt(2)) - sqrt(2) - 1"
FILES = {
    "entry exp(exp(exp(exp(10))))": {"generators": [[["exp(exp(exp(exp(10))))", 0], [0, 1]]]},
    "JSON integer 10**400": {"generators": [[[10**400, 0], [0, 1]]]},
    "disguised zero (singular)": {"generators": [[[ZERO, 0], [0, 1]]]},
}


def run(argv) -> tuple[int, float]:
    t0 = time.process_time()
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, time.process_time() - t0


def main_bench() -> None:
    run(["check", *ROT, "--activation", "relu"])  # warm-up (imports)
    print(f"{'case':48s} exit  cpu (ms)")
    for spec in ACTIVATIONS:
        code, t = run(["check", *ROT, "--activation", spec])
        print(f"{'check --activation ' + spec[:29]:48s} {code:4d}  {1000 * t:8.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, data in FILES.items():
            path = os.path.join(tmp, "m.json")
            with open(path, "w") as fh:
                json.dump(data, fh)
            code, t = run(["check", "--matrices", path, "--activation", "relu"])
            print(f"{'check --matrices: ' + label:48s} {code:4d}  {1000 * t:8.1f}")
        big = os.path.join(tmp, "big.json")
        with open(big, "w") as fh:
            fh.write('{"generators": [[' + ",".join(["[0]"] * 300000) + "]]}")
        code, t = run(["check", "--matrices", big, "--activation", "relu", "--max-dim", "32"])
        print(f"{'check --matrices: 1.5 MB file, --max-dim 32':48s} {code:4d}  {1000 * t:8.1f}")

    from equiact.exact import _exact_rank, _zero_cached, is_exact_zero

    _zero_cached.cache_clear()
    t0 = time.process_time()
    assert is_exact_zero(sp.sympify(ZERO))
    print(f"is_exact_zero({ZERO}): {1000 * (time.process_time() - t0):.1f} ms")
    for n, generic in ((128, False), (40, False), (40, True)):
        rows = [[sp.sqrt(2) * ((i * j) % 3) + ((i + j) % 5) for j in range(n)] for i in range(n)]
        rows[-1] = [a + sp.sqrt(2) * b for a, b in zip(rows[0], rows[1])]
        m = sp.ImmutableMatrix(rows)
        t0 = time.process_time()
        if generic:
            from equiact.exact import _entries_zero

            r = sp.Matrix(m).rank(iszerofunc=_entries_zero)
        else:
            r = _exact_rank(m)
        how = "sympy generic elimination" if generic else "number field QQ<sqrt(2)>"
        print(f"rank of a singular {n}x{n} matrix over Q(sqrt 2), {how}: rank {r}, "
              f"{time.process_time() - t0:.2f} s")


if __name__ == "__main__":
    sys.exit(main_bench())
