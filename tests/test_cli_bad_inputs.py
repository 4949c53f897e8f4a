"""Hostile input to ``equiact check`` and ``equiact activations``: exit 2, one line, no traceback.

All cases run in one child process (``equiact.cli.main.main(argv)`` in-process there, each under
a SIGALRM guard and a 4 GB address-space limit), so a case that hangs or explodes shows up as
``timeout`` / ``exception`` for that case only; the child itself has a generous
``subprocess.run(timeout=...)``. No timed assertions: the guard only catches runaways.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GUARD_S = 20  # per case; every case takes well under a second

_CHILD = r"""
import contextlib, io, json, resource, signal, sys, time, traceback
try:
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
except (ValueError, OSError):  # not supported here: the alarm still guards each case
    pass
from equiact.cli.main import main

class Timeout(BaseException):
    pass

def on_alarm(*_):
    raise Timeout

signal.signal(signal.SIGALRM, on_alarm)
guard, cases = json.loads(sys.stdin.read())
out = {}
for key, argv in cases.items():
    err, std = io.StringIO(), io.StringIO()
    t0 = time.process_time()
    signal.alarm(guard)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
            rc = main(argv)
    except Timeout:
        rc = "timeout"
    except SystemExit as e:
        rc = e.code
    except BaseException:
        rc = "exception"
        err.write(traceback.format_exc())
    finally:
        signal.alarm(0)
    out[key] = {"rc": rc, "stderr": err.getvalue(), "cpu": time.process_time() - t0}
print(json.dumps(out))
"""

ROT = ["--group", "C4", "--rep", "rotation"]

# activation strings: (id, spec, expected fragment of the message)
ACTIVATIONS = [
    ("factorial", "factorial(10**9)", r"unknown function\(s\) factorial"),
    ("huge-power", "x*2**(10**10)", "exponent 10\\*\\*10 is larger than 1000"),
    ("product", "Product(x,(x,1,10**9))", r"unknown function\(s\) Product"),
    ("sum", "Sum(1/x**2,(x,1,10**12))", r"unknown function\(s\) Sum"),
    ("tower", "x+10**10**10", "exponent 10\\*\\*10 is larger"),
    ("fibonacci", "fibonacci(10**9)*x", r"unknown function\(s\) fibonacci"),
    ("binomial", "binomial(10**9, 10**8)*x", r"unknown function\(s\) binomial"),
    ("deep-sin", "sin(" * 200 + "x" + ")" * 200, "nested deeper than 32 levels"),
    ("exp-tower-const", "exp(exp(exp(exp(10))))*x", "is too large"),
    ("exp-tower-x", "exp(exp(exp(exp(x+10))))", "returned inf at the finite input"),
    ("x-huge-exponent", "x**(10**10)", "exponent .* is larger than 1000"),
    ("int-400-digits", "x + " + "9" * 400, "too large"),
    ("float-overflow", "x*1e400", "too large"),
    ("too-long", "+".join(["x"] * 1500), "longer than 2000 characters"),
    ("import", "__import__('os').system('true')", "only names, numbers"),
    ("attribute", "x.__class__", "only names, numbers"),
    ("lambda", "lambda: x", "only names, numbers"),
    ("walrus", "(y := 2)*x", "only names, numbers"),
    ("bitwise-xor-number", "x ^ 10**10", "exponent .* is larger than 1000"),
    ("list-comp", "[x for x in y]", "only names, numbers"),
    ("keyword", "Max(x, 0, evaluate=False)", "no keyword arguments"),
    ("other-symbol", "x + y", r"unknown symbol\(s\) y"),
    ("unknown-fn", "foo(x) + 1", r"unknown function\(s\) foo"),
    ("typo", "relux", "did you mean"),
    ("empty", " ", "empty"),
    ("pole", "1/x", "no limit at 0"),
    ("complex", "sqrt(x)", "returned nan"),
    ("affine-nan", "affine(nan, 1)", "a must be a finite number, got nan"),
    ("affine-inf", "affine(1, inf)", "c must be a finite number, got inf"),
    ("leaky-nan", "leaky_relu(nan)", "must be a finite number, got nan"),
    ("threshold-nan", "threshold(nan, 0)", "must be a finite number"),
    ("hardtanh-inf", "hardtanh(-inf, 1)", "not a finite number"),
    ("param-tower", "leaky_relu(10**10**10)", "exponent .* is larger than 1000"),
    ("param-overflow", "leaky_relu(1e308*10)", "magnitude at most 1e300"),
    ("param-word", "leaky_relu(abc)", "must be a number"),
    ("gelu-word", "gelu(fast)", "approximate must be"),
    ("param-deep-unary", "leaky_relu(" + "-" * 1900 + "1)", "nested too deeply"),
    ("param-long", "leaky_relu(" + "+".join(["1"] * 2000) + ")", "longer than 2000 characters"),
    ("param-chain", "leaky_relu(" + "+".join(["1"] * 500) + ")", "nested too deeply"),
    ("celu-zero", "celu(0)", "alpha must be nonzero"),
]

_Z = "sqrt(3+2*sqrt(2)) - sqrt(2) - 1"  # exactly 0; its float64 copy is 6e-123
# matrices files: (id, JSON text, extra argv, expected fragment)
FILES = [
    ("entry-factorial", '{"generators": [[["factorial(10**9)", 0], [0, 1]]]}', [],
     "unknown name 'factorial'"),
    ("entry-exp-tower", '{"generators": [[["exp(exp(exp(exp(10))))", 0], [0, 1]]]}', [],
     "too large"),
    ("entry-power", '{"generators": [[["2**(10**10)", 0], [0, 1]]]}', [], "exponent"),
    ("entry-tiny-power", '{"generators": [[["(((1/2)**256)**256)**256", 0], [0, 1]]]}', [],
     "too small"),
    ("entry-deep", '{"generators": [[["' + "sin(" * 200 + "1" + ")" * 200 + '", 0], [0, 1]]]}',
     [], "at most 300 characters"),
    ("entry-nested", '{"generators": [[["' + "sin(" * 30 + "1" + ")" * 30 + '", 1], [0, 1]]]}',
     [], "nested deeper than 24 levels"),
    ("entry-expansion", '{"generators": [[["(sqrt(2)+sqrt(3)+sqrt(5)+sqrt(7))**256", 0], '
     '[0, 1]]]}', [], "expands to more than 2000 terms"),
    ("entry-radsimp", '{"generators": [[["1/(sqrt(2)+sqrt(3)+sqrt(5)+sqrt(7)+sqrt(11)+sqrt(13)'
     '+sqrt(17))", 0], [0, 1]]]}', [], "expands to more than 2000 terms"),
    ("json-int-400", '{"generators": [[[' + "9" * 400 + ", 0], [0, 1]]]}", [],
     "integer with 400 digits, beyond 10\\*\\*300"),
    ("json-int-5000", '{"generators": [[[' + "9" * 5000 + ", 0], [0, 1]]]}", [],
     "cannot be read"),
    ("json-deep", '{"generators": ' + "[" * 100000 + "]" * 100000 + "}", [],
     "nested too deeply"),
    ("json-nan", '{"generators": [[[NaN, 0], [0, 1]]]}', [], "is NaN"),
    ("json-inf", '{"generators": [[[Infinity, 0], [0, 1]]]}', [], "is inf"),
    ("string-nan", '{"generators": [[["nan", 0], [0, 1]]]}', [], "unknown name 'nan'"),
    ("string-1e400", '{"generators": [[["1e400", 0], [0, 1]]]}', [], "exponent larger"),
    ("disguised-zero-singular", '{"generators": [[["' + _Z + '", 0], [0, 1]]]}', [],
     "singular"),
    ("disguised-zero-rank", '{"generators": [[[1, 1], [1, "1 + ' + _Z + '"]]]}', [],
     r"singular \(exact rank 1 < 2\)"),
    ("sqrt-minus-one", '{"generators": [[["sqrt(-1)", 0], [0, 1]]]}', [], "not a real number"),
    ("symbol", '{"generators": [[["x", 0], [0, 1]]]}', [], "unknown name 'x'"),
    ("not-json", "generators: [[1]]", [], "not valid JSON"),
    ("not-object", "[[[1]]]", [], "must hold a JSON object"),
    ("empty", '{"generators": []}', [], "has no matrices"),
    ("unknown-key", '{"gens": [[[1]]]}', [], "unknown keys"),
    ("not-square", '{"generators": [[[1, 2, 3], [4, 5, 6]]]}', [], "must be square"),
    ("max-dim", json.dumps({"generators": [[[int(i == j) for j in range(6)] for i in range(6)]]}),
     ["--max-dim", "4"], "6x6, larger than --max-dim 4"),
    ("max-entries", json.dumps({"generators": [[[int(i == j) for j in range(4)]
                                                for i in range(4)]] * 9}),
     ["--max-dim", "4"], "144 matrix entries in all, more than 128"),
    ("max-bytes", json.dumps({"generators": [[[1]]], "name": "a" * 2000}), ["--max-dim", "2"],
     "bytes, more than 1024"),
    ("max-dim-zero", '{"generators": [[[1]]]}', ["--max-dim", "0"], "positive integer"),
    ("float-rotation-2pi-sign",
     '{"generators": [[[1.0, 2.4492935982947064e-16], [-2.4492935982947064e-16, 1.0]]]}',
     ["--activation", "sign"], "depends on the tolerance.*sign jumps at x = 0"),
    ("float-singular", '{"generators": [[[1.0, 2.0], [2.0, 4.0]]]}', [], "singular"),
]

OTHER = [
    ("no-rep", ["check", "--activation", "relu"], "no representation given"),
    ("both-reps", ["check", *ROT, "--matrices", "m.json", "--activation", "relu"],
     "either --matrices or --group/--rep"),
    ("missing-file", ["check", "--matrices", "/nonexistent/m.json", "--activation", "relu"],
     "cannot read matrices file"),
    ("bad-tol", ["check", *ROT, "--activation", "relu", "--tol", "2"],
     "tolerance .* in \\(0, 1\\)"),
    ("bad-tol-nan", ["check", *ROT, "--activation", "relu", "--tol", "nan"], "tolerance"),
    ("unknown-group", ["check", "--group", "Z9x", "--rep", "natural", "--activation", "relu"],
     "unknown group"),
]


def _cases(tmp: Path) -> tuple[dict, dict]:
    cases, expect = {}, {}
    for key, spec, frag in ACTIVATIONS:
        cases[f"check-{key}"] = ["check", *ROT, "--activation", spec]
        expect[f"check-{key}"] = frag
        cases[f"activations-{key}"] = ["activations", spec]
        expect[f"activations-{key}"] = frag
    for key, text, extra, frag in FILES:
        path = tmp / f"{key}.json"
        path.write_text(text)
        act = [] if "--activation" in extra else ["--activation", "relu"]
        cases[f"file-{key}"] = ["check", "--matrices", str(path), *act, *extra]
        expect[f"file-{key}"] = frag
    for key, argv, frag in OTHER:
        cases[f"other-{key}"] = argv
        expect[f"other-{key}"] = frag
    return cases, expect


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    cases, expect = _cases(tmp)
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD], input=json.dumps([GUARD_S, cases]), text=True,
        capture_output=True, timeout=GUARD_S * len(cases) + 60, env=env, cwd=tmp,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), expect


def _keys():
    keys = []
    for key, *_ in ACTIVATIONS:
        keys += [f"check-{key}", f"activations-{key}"]
    keys += [f"file-{key}" for key, *_ in FILES]
    keys += [f"other-{key}" for key, *_ in OTHER]
    return keys


@pytest.mark.parametrize("key", _keys())
def test_bad_input_exits_2_with_one_line(results, key):
    import re

    out, expect = results
    r = out[key]
    assert r["rc"] == 2, (key, r)
    err = r["stderr"]
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("equiact: error: "), err
    assert re.search(expect[key], lines[0]), (expect[key], lines[0])
    assert len(lines[0]) < 800, lines[0]


def test_argparse_errors_exit_2(tmp_path):
    """``--max-dim abc`` is refused by argparse (usage + one error line), exit 2."""
    from equiact.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["check", "--matrices", "m.json", "--activation", "relu", "--max-dim", "abc"])
    assert exc.value.code == 2
