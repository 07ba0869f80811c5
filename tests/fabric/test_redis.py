"""RedisFabric specifics the contract cannot see: stream bounds, stream layout, pending entries."""

from __future__ import annotations

import asyncio

import pytest

from gati.fabric import Message
from gati.fabric.redis import RedisFabric
from tests.fabric.conftest import until
from tests.redis_server import RedisServer


@pytest.mark.parametrize("policy", ["block", "reject", "drop_oldest"])
async def test_a_consumed_stream_stays_bounded_property_43(
    redis_server: RedisServer, policy: str
) -> None:
    """Property 43: what every group acknowledged is trimmed; the stream stays near maxlen."""
    fabric = RedisFabric(redis_server.url, block_ms=20)
    fabric.topic("bounded", maxlen=50, policy=policy)  # type: ignore[arg-type]
    seen: list[Message] = []
    await fabric.subscribe("bounded", seen.append, group="g")
    for i in range(400):
        await fabric.publish("bounded", i)
        if i % 40 == 39:  # let the consumer keep up
            await until(lambda n=i: len(seen) == n + 1)
    await until(lambda: len(seen) == 400)
    length = await fabric.redis.xlen(fabric.key("bounded"))
    assert length <= 50 + 100  # MAXLEN ~ trims whole stream nodes (100 entries)
    await fabric.close()


async def test_priority_is_refused_rather_than_ignored(redis_server: RedisServer) -> None:
    fabric = RedisFabric(redis_server.url)
    with pytest.raises(ValueError, match="priority"):
        await fabric.publish("p", 1, priority=5)
    await fabric.close()


async def test_a_payload_that_is_not_json_is_a_clear_error(redis_server: RedisServer) -> None:
    fabric = RedisFabric(redis_server.url)
    with pytest.raises(TypeError, match="not JSON"):
        await fabric.publish("p", {1, 2})
    await fabric.close()


async def test_a_consumer_stopped_mid_batch_acknowledges_what_it_handled(
    redis_server: RedisServer,
) -> None:
    """One read fetches two entries; the first is handled, the consumer is stopped during the
    second. The first stays handled (as on memory); only the second is pending, to redeliver."""
    fabric = RedisFabric(redis_server.url, block_ms=20)
    key = fabric.key("batch")
    await fabric.redis.xgroup_create(key, "g", id="$", mkstream=True)
    await fabric.publish("batch", "first")
    second = await fabric.publish("batch", "second")
    seen: list[str] = []
    hold = asyncio.Event()

    async def handle(message: Message) -> None:
        seen.append(message.payload)
        if message.payload == "second":
            await hold.wait()

    sub = await fabric.subscribe("batch", handle, group="g")  # reads both entries at once
    await until(lambda: seen == ["first", "second"])
    await sub.close(timeout=0)
    pending = await fabric.redis.xpending_range(key, "g", "-", "+", 10)
    assert [p["message_id"].decode() for p in pending] == [second]
    await fabric.close()
