"""Fixtures the benchmark suites share."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh event loop a benchmark drives with ``run_until_complete``, closed afterwards."""
    lp = asyncio.new_event_loop()
    yield lp
    lp.close()
