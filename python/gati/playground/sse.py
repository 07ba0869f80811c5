"""``Broadcaster``: the Playground's live feed as Server-Sent Events.

Each ``GET /_gati/api/events`` subscribes a bounded queue; ``publish`` puts one event on every
queue without waiting (a client too slow to keep up loses events rather than slowing requests
down). A comment line keeps idle connections open (``: ping`` every ``PING_EVERY`` seconds).
``close`` ends every open stream (the server is shutting down, ``playground.shutdown``): a
stream never ends by itself, and a server draining its connections would wait for it forever.
A stream given ``stopped`` also ends once that says the server is stopping (off the main
thread, where no signal tells the Playground).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson

from gati.playground.shutdown import POLL

__all__ = ["PING_EVERY", "Broadcaster"]

PING_EVERY = 15.0
_QUEUE = 1000  # events a subscriber may fall behind by before losing some
_END = b""  # put on a queue by ``close``: the stream ends


class Broadcaster:
    """Fans events out to the open event streams."""

    def __init__(self, ping_every: float = PING_EVERY) -> None:
        self.ping_every = ping_every
        self.closed = False
        self._queues: set[asyncio.Queue[bytes]] = set()
        # whether any stream is open (callers skip building events otherwise), and who is
        # told when that changes
        self.listening = False
        self.on_listening: Callable[[bool], Any] | None = None

    def publish(self, event: str, data: Any) -> None:
        """Send ``event`` with ``data`` (JSON) to every open stream."""
        if not self._queues:
            return
        message = b"event: %s\ndata: %s\n\n" % (event.encode("ascii"), orjson.dumps(data))
        for queue in self._queues:
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)

    def open(self) -> None:
        """Take streams again (the app starts, maybe after an earlier shutdown)."""
        self.closed = False

    def close(self) -> None:
        """End every open stream now, and each one opened until ``open``."""
        self.closed = True
        for queue in self._queues:
            if queue.full():  # the end matters more than the oldest event
                queue.get_nowait()
            queue.put_nowait(_END)

    async def stream(self, stopped: Callable[[], bool] | None = None) -> AsyncIterator[bytes]:
        """One client's stream: events as they come, a ping while idle, until ``close`` (or
        until ``stopped()``, tested every ``POLL`` seconds while idle)."""
        queue: asyncio.Queue[bytes] = asyncio.Queue(_QUEUE)
        self._queues.add(queue)
        self._listening(True)
        wait = self.ping_every if stopped is None else min(self.ping_every, POLL)
        try:
            yield b": connected\n\n"
            idle = 0.0
            while not self.closed:
                try:
                    message = await asyncio.wait_for(queue.get(), wait)
                except TimeoutError:
                    if stopped is not None and stopped():
                        return
                    idle += wait
                    if idle < self.ping_every:
                        continue
                    message = b": ping\n\n"
                if message is _END:
                    return
                idle = 0.0
                yield message
        finally:
            self._queues.discard(queue)
            self._listening(bool(self._queues))

    def _listening(self, now: bool) -> None:
        if now != self.listening:
            self.listening = now
            if self.on_listening is not None:
                self.on_listening(now)
