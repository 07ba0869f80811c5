"""Crash test on real Redis: a consumer process killed with SIGKILL mid-message; the message is
redelivered to another consumer of the group and no acknowledged message is lost."""

from __future__ import annotations

import asyncio
import sys

from gati.fabric import Message
from gati.fabric.redis import RedisFabric
from tests.fabric.conftest import until
from tests.redis_server import RedisServer


async def test_a_consumer_killed_mid_message_loses_nothing(redis_server: RedisServer) -> None:
    fabric = RedisFabric(redis_server.url, visibility_timeout=0.5, block_ms=20)
    await fabric.redis.xgroup_create(fabric.key("work"), "workers", id="$", mkstream=True)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fabric.crash_consumer",
        redis_server.url,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    try:
        assert await child.stdout.readline() == b"ready\n"
        for i in range(5):
            await fabric.publish("work", f"m{i}")
        for _ in range(500):
            if await fabric.redis.llen("done") == 5:
                break
            await asyncio.sleep(0.01)
        await fabric.publish("work", "hang")
        for i in range(5, 8):
            await fabric.publish("work", f"m{i}")
        assert await child.stdout.readline() == b"hanging\n"
        child.kill()  # SIGKILL: no cleanup, no ack
        await child.wait()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    acked_by_child = [v.decode() for v in await fabric.redis.lrange("done", 0, -1)]
    assert acked_by_child == [f"m{i}:1" for i in range(5)]

    taken: list[Message] = []
    await fabric.subscribe("work", taken.append, group="workers")
    await until(lambda: len(taken) >= 4)
    assert {m.payload for m in taken} == {"hang", "m5", "m6", "m7"}
    assert next(m for m in taken if m.payload == "hang").attempt == 2
    pending = await fabric.redis.xpending(fabric.key("work"), "workers")
    for _ in range(500):
        if pending["pending"] == 0:
            break
        await asyncio.sleep(0.01)
        pending = await fabric.redis.xpending(fabric.key("work"), "workers")
    assert pending["pending"] == 0
    assert await fabric.dead_letters("work") == []
    await fabric.close()
