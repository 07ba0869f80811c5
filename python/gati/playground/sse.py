"""``Broadcaster``: the Playground's live feed as Server-Sent Events.

Each ``GET /_gati/api/events`` subscribes a bounded queue; ``publish`` puts one event on every
queue without waiting (a client too slow to keep up loses events rather than slowing requests
down). A comment line keeps idle connections open (``: ping`` every ``PING_EVERY`` seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson

__all__ = ["PING_EVERY", "Broadcaster"]

PING_EVERY = 15.0
_QUEUE = 1000  # events a subscriber may fall behind by before losing some


class Broadcaster:
    """Fans events out to the open event streams."""

    def __init__(self, ping_every: float = PING_EVERY) -> None:
        self.ping_every = ping_every
        self._queues: set[asyncio.Queue[bytes]] = set()

    @property
    def listening(self) -> bool:
        """Whether any stream is open (callers skip building events otherwise)."""
        return bool(self._queues)

    def publish(self, event: str, data: Any) -> None:
        """Send ``event`` with ``data`` (JSON) to every open stream."""
        if not self._queues:
            return
        message = b"event: %s\ndata: %s\n\n" % (event.encode("ascii"), orjson.dumps(data))
        for queue in self._queues:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)

    async def stream(self) -> AsyncIterator[bytes]:
        """One client's stream: events as they come, a ping while idle."""
        queue: asyncio.Queue[bytes] = asyncio.Queue(_QUEUE)
        self._queues.add(queue)
        try:
            yield b": connected\n\n"
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), self.ping_every)
                except TimeoutError:
                    yield b": ping\n\n"
        finally:
            self._queues.discard(queue)
