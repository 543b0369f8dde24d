"""A real `peakhealth serve` (uvicorn over TCP) on a free port, shared by a module's tests."""

from collections.abc import Iterator

import pytest

from tests.support.servers import peakhealth_serve


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with peakhealth_serve() as base:
        yield base
