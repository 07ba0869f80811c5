"""The fabric backends every contract test runs against: memory, and Redis Streams on a real
``redis-server``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from gati.fabric import Fabric, MemoryFabric, Message
from gati.fabric.redis import RedisFabric


@pytest.fixture(params=["memory", "redis"])
async def fabric(request: pytest.FixtureRequest) -> AsyncIterator[Fabric]:
    made: Fabric
    if request.param == "memory":
        made = MemoryFabric()
    else:
        server = request.getfixturevalue("redis_server")
        made = RedisFabric(server.url, visibility_timeout=0.5, block_ms=20)
    made.retry_backoff = type(made.retry_backoff)(base=0.001, factor=2.0, cap=0.01)
    yield made
    await made.close()


class Gate:
    """A handler that records payloads and holds each call until released."""

    def __init__(self) -> None:
        self.seen: list[Any] = []
        self.open = asyncio.Event()

    async def __call__(self, message: Message) -> None:
        self.seen.append(message.payload)
        await self.open.wait()


async def held_gate(fabric: Fabric, topic: str, first: Any) -> Gate:
    """A ``Gate`` consuming ``topic`` in the group ``g``, already holding the message ``first``
    (so what is published next waits in the group's backlog)."""
    gate = Gate()
    await fabric.subscribe(topic, gate, group="g")
    await fabric.publish(topic, first)
    await until(lambda: gate.seen == [first])
    return gate


async def until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait until ``check()`` holds (the deadline only guards against a hang)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.005)


async def dead_letters(fabric: Fabric, topic: str, count: int = 1) -> list[Message]:
    """``topic``'s dead letters once there are ``count`` of them."""
    for _ in range(3000):
        dead = await fabric.dead_letters(topic)
        if len(dead) >= count:
            return dead
        await asyncio.sleep(0.005)
    raise AssertionError(f"{topic} never had {count} dead letters")
