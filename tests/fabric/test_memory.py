"""MemoryFabric specifics the contract cannot share with Redis: priorities."""

from __future__ import annotations

import asyncio
from typing import Any

from gati.fabric import MemoryFabric, Message
from tests.fabric.conftest import until


async def test_higher_priority_is_delivered_first_then_publish_order() -> None:
    fabric = MemoryFabric()
    seen: list[Any] = []
    release = asyncio.Event()

    async def handle(message: Message) -> None:
        seen.append(message.payload)
        await release.wait()

    await fabric.subscribe("jobs", handle, group="g")
    await fabric.publish("jobs", "first")
    await until(lambda: seen == ["first"])
    for name, priority in [("low-1", 0), ("high-1", 5), ("low-2", 0), ("high-2", 5), ("mid", 1)]:
        await fabric.publish("jobs", name, priority=priority)
    release.set()
    await until(lambda: len(seen) == 6)
    assert seen == ["first", "high-1", "high-2", "mid", "low-1", "low-2"]
    await fabric.close()


async def test_drop_oldest_drops_the_oldest_across_priorities() -> None:
    fabric = MemoryFabric()
    fabric.topic("d", maxlen=2, policy="drop_oldest")
    seen: list[Any] = []
    release = asyncio.Event()

    async def handle(message: Message) -> None:
        seen.append(message.payload)
        await release.wait()

    await fabric.subscribe("d", handle, group="g")
    await fabric.publish("d", "held")
    await until(lambda: seen == ["held"])
    await fabric.publish("d", "old-high", priority=9)
    await fabric.publish("d", "new-low")
    await fabric.publish("d", "newest-low")
    release.set()
    await until(lambda: len(seen) == 3)
    assert seen == ["held", "new-low", "newest-low"]
    await fabric.close()
