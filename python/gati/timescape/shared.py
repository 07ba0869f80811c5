"""``SharedTimescape``: the operator's Timescape decisions shared by every worker through Redis.

``tag``, ``deprecate``, ``decommission``, ``mark_unhealthy`` and ``mark_healthy`` are decisions
someone takes at run time (an admin endpoint, a deploy script) and every worker must follow:
a version decommissioned in one worker and still served by the others is not decommissioned.
With ``Timescape(shared="redis://…")`` each such call applies at once in the calling worker,
then is written to a Redis hash (the latest decision per tag, version or route version, so a
worker starting later loads them all) and published on a channel, which every other worker
listens to and applies. Decisions are idempotent records, so applying one twice, or a record
arriving after the worker loaded the hash, changes nothing.

What stays per worker, by design: the automatic 5xx window of version health (each worker
judges the traffic it serves; a version failing everywhere fails in every worker's window) and
usage counts (``usage()`` reports this worker's). Calls made while the app is not running
(configuration at import time) are not published: every worker runs them itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Callable
from typing import Any, Final

import orjson

__all__ = ["SharedTimescape"]

DEFAULT_KEY: Final = "gati:timescape"
_log = logging.getLogger("gati.timescape")

Record = dict[str, Any]


def record_id(record: Record) -> str:
    """The hash field a decision overwrites: one per tag, per version, per route version."""
    op = record["op"]
    if op == "tag":
        return f"tag|{record['name']}"
    if op == "mark":
        return f"mark|{record['method']}|{record['path']}|{record['version']}"
    return f"{op}|{record['version']}"  # deprecate, decommission


class SharedTimescape:
    """Decisions kept in the Redis hash ``<key>`` and announced on the channel ``<key>:changes``
    (``url`` as for ``redis.asyncio.from_url``; ``timeout`` bounds each Redis call)."""

    def __init__(
        self, url: str, *, key: str = DEFAULT_KEY, timeout: float = 2.0, client: Any = None
    ) -> None:
        try:
            import redis.asyncio as aioredis
        except ImportError:  # pragma: no cover - the dev extra installs redis
            raise ImportError(
                "a shared Timescape needs redis-py: pip install 'gati[redis]'"
            ) from None
        if not timeout > 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.url = url
        self.key = key
        self.channel = key + ":changes"
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.client = client or aioredis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self._apply: Callable[[Record], None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.running = False

    async def start(self, apply: Callable[[Record], None]) -> None:
        """Subscribe, then apply every decision already taken (a later one arrives by the
        channel); ``apply`` takes one record and must not publish it again."""
        self._apply = apply
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.channel)
        for raw in (await self.client.hgetall(self.key)).values():
            self._receive(raw)
        self._listener = asyncio.create_task(self._listen(pubsub), name="gati.timescape.shared")
        self.running = True

    async def _listen(self, pubsub: Any) -> None:
        try:
            while True:
                try:
                    message = await pubsub.get_message(timeout=1.0)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # Redis went away: keep trying, never crash the app
                    _log.warning("shared Timescape: listening failed (%s); retrying", exc)
                    await asyncio.sleep(1.0)
                    with contextlib.suppress(Exception):
                        await pubsub.subscribe(self.channel)
                    continue
                if message is None or message.get("type") != "message":
                    continue
                self._receive(message["data"])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    def _receive(self, raw: Any) -> None:
        """Apply one stored or announced decision (not this worker's own announcement); one
        this worker cannot apply (a route or version it does not have) is logged."""
        try:
            record = orjson.loads(raw)
            if record.pop("origin", None) != self.origin and self._apply is not None:
                self._apply(record)
        except Exception:
            _log.exception("shared Timescape: a decision could not be applied here")

    def publish(self, record: Record) -> None:
        """Share a decision this worker just applied (from the running app; before start-up
        every worker configures itself, so nothing is sent)."""
        if not self.running:
            return
        task = asyncio.get_running_loop().create_task(self._send(record))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send(self, record: Record) -> None:
        data = orjson.dumps(record)
        message = orjson.dumps({**record, "origin": self.origin})
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.hset(self.key, record_id(record), data)
                pipe.publish(self.channel, message)
                await pipe.execute()
        except Exception as exc:
            _log.error("shared Timescape: %s was applied here only (%s)", record["op"], exc)

    async def flush(self) -> None:
        """Wait until every decision this worker took is in Redis."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def close(self) -> None:
        """Stop listening and close the connection (at shutdown)."""
        self.running = False
        await self.flush()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        await self.client.aclose()

    def __repr__(self) -> str:
        kwargs = self.client.connection_pool.connection_kwargs
        return f"SharedTimescape({kwargs.get('host', '?')}:{kwargs.get('port', '?')})"
