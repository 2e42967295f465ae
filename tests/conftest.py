"""Shared by all end-to-end tests: loading this file puts `tests/` on the
import path (pytest's default import mode), so tests import the kernel
harness with `from harness import ...`."""

from __future__ import annotations

import pytest

from harness import Kernel, nn_kernel, start_kernel


@pytest.fixture(scope="module")
def kernel() -> Kernel:
    """A started `rust-nn` kernel, shared by one test module."""
    k = start_kernel()
    yield k
    k.shutdown()


def pytest_sessionfinish(session, exitstatus) -> None:
    # Kernels start a standby for the next launch; do not leave one behind.
    try:
        nn_kernel("standby", "stop")
    except Exception:
        pass
