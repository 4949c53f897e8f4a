import argparse

import pytest

from equiact.cli.threads import DEFAULT_THREADS, add_threads_argument, apply_threads
from equiact.errors import InvalidInputError


def test_threads_default_and_explicit(monkeypatch):
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    parser = argparse.ArgumentParser()
    add_threads_argument(parser)
    monkeypatch.delenv("EQUIACT_THREADS", raising=False)
    try:
        assert apply_threads(parser.parse_args([])) == DEFAULT_THREADS
        assert torch.get_num_threads() == DEFAULT_THREADS
        assert apply_threads(parser.parse_args(["--threads", "2"])) == 2
        monkeypatch.setenv("EQUIACT_THREADS", "2")
        assert apply_threads(parser.parse_args([])) == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("bad", ["0", "-1", "1.5", "two"])
def test_bad_thread_counts(bad):
    with pytest.raises(InvalidInputError, match="--threads must be a whole number >= 1"):
        apply_threads(bad)


def test_absurd_thread_count_is_refused_before_torch_sees_it(monkeypatch):
    import equiact.cli.threads as threads

    monkeypatch.setattr(threads, "_cpus", lambda: 2)
    assert threads.check_threads("8") == 8
    with pytest.raises(InvalidInputError, match=r"--threads 10000 is more than 4 x the 2 CPU"):
        apply_threads("10000")
