"""An endless server-sent-event stream, served by the day-one app under uvicorn (which imports
this folder's modules by their bare names) and by the in-process streaming tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from gati import ServerSentEvent


async def ticks(period: float, on_close: Callable[[], object]) -> AsyncIterator[ServerSentEvent]:
    """``tick`` events numbered from 1, one every ``period`` seconds, until the stream is
    closed; then ``on_close()`` runs."""
    try:
        n = 0
        while True:
            n += 1
            yield ServerSentEvent({"n": n}, event="tick", id=str(n))
            await asyncio.sleep(period)
    finally:
        on_close()
