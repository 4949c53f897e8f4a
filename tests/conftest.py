"""Shared fixtures."""

import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """Run a module's torch work on one thread (restored after): the CI machine has 2 cores and
    small tensors lose more to thread hand-offs than they gain."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
