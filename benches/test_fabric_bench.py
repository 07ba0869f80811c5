"""Fabric benchmarks: MemoryFabric throughput with 1 and 4 subscribers, and RedisFabric against
raw redis-py doing the same work (XADD each message, XREADGROUP in batches, XACK per batch) on
a real redis-server. Each round publishes ``N`` messages and waits until every subscriber got
them all; msg/s and the publish→handler p99 are in the extra columns.

Run: ``.venv/bin/python -m pytest benches/test_fabric_bench.py --benchmark-only``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.redis_server import RedisServer

from gati.fabric import Fabric, MemoryFabric, Message
from gati.fabric.redis import RedisFabric

N_MEMORY = 20_000
N_REDIS = 1_000


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.close()


async def _pump(
    fabric: Fabric, topic: str, n: int, subscribers: int, group: str | None = None
) -> list[float]:
    """Publish ``n`` messages; return each delivery's publish→handler latency. Without
    ``group`` every subscriber gets every message; with one, they share them."""
    latencies: list[float] = []
    done = asyncio.Event()
    target = n * subscribers if group is None else n

    def handle(message: Message) -> None:
        latencies.append(time.time() - message.published_at)
        if len(latencies) == target:
            done.set()

    subs = [await fabric.subscribe(topic, handle, group=group) for _ in range(subscribers)]
    for i in range(n):
        await fabric.publish(topic, i)
    await done.wait()
    for sub in subs:
        await sub.close()
    return latencies


def _record(benchmark: Any, n: int, latencies: list[float]) -> None:
    latencies.sort()
    if benchmark.stats is not None:  # None under --benchmark-disable: one untimed run
        benchmark.extra_info["msg/s"] = round(n / benchmark.stats.stats.median)
    benchmark.extra_info["p99"] = latencies[int(len(latencies) * 0.99)]


@pytest.mark.parametrize(
    ("subscribers", "group"), [(1, None), (4, None), (4, "shared")], ids=["1", "4", "4-in-a-group"]
)
@pytest.mark.benchmark(group=f"fabric: memory, {N_MEMORY} messages")
def test_memory_throughput(
    benchmark: Any, loop: asyncio.AbstractEventLoop, subscribers: int, group: str | None
) -> None:
    how = "each gets all" if group is None else "one group"
    benchmark.extra_info["impl"] = f"MemoryFabric, {subscribers} subscriber(s), {how}"
    fabric = MemoryFabric()
    fabric.topic("bench", maxlen=N_MEMORY)
    latencies: list[float] = []

    def run() -> None:
        latencies[:] = loop.run_until_complete(_pump(fabric, "bench", N_MEMORY, subscribers, group))

    benchmark.pedantic(run, rounds=3)
    _record(benchmark, N_MEMORY, latencies)


@pytest.mark.parametrize("policy", ["block", "drop_oldest"])
@pytest.mark.benchmark(group=f"fabric: redis, {N_REDIS} messages, 1 group")
def test_redis_fabric(
    benchmark: Any, loop: asyncio.AbstractEventLoop, redis: RedisServer, policy: str
) -> None:
    benchmark.extra_info["impl"] = f"RedisFabric ({policy})"
    fabric = RedisFabric(redis.url, block_ms=100)
    fabric.topic("bench", maxlen=100_000, policy=policy)  # type: ignore[arg-type]
    latencies: list[float] = []

    def run() -> None:
        redis.flush()
        latencies[:] = loop.run_until_complete(_pump(fabric, "bench", N_REDIS, 1))

    benchmark.pedantic(run, rounds=3)
    loop.run_until_complete(fabric.close())
    _record(benchmark, N_REDIS, latencies)


@pytest.mark.benchmark(group=f"fabric: redis, {N_REDIS} messages, 1 group")
def test_raw_redis_py(benchmark: Any, loop: asyncio.AbstractEventLoop, redis: RedisServer) -> None:
    """The baseline: the same work written directly against redis-py."""
    import orjson
    import redis.asyncio as aioredis

    benchmark.extra_info["impl"] = "raw redis-py XADD/XREADGROUP/XACK"
    client = aioredis.Redis.from_url(redis.url)
    latencies: list[float] = []

    async def pump() -> None:
        latencies.clear()
        await client.xgroup_create("raw", "g", id="$", mkstream=True)

        async def consume() -> None:
            while len(latencies) < N_REDIS:
                reply = await client.xreadgroup("g", "c", {"raw": ">"}, count=32, block=100)
                if not reply:
                    continue
                ids = []
                for mid, fields in reply[0][1]:
                    latencies.append(time.time() - orjson.loads(fields[b"m"])[1])
                    ids.append(mid)
                await client.xack("raw", "g", *ids)

        consumer = asyncio.ensure_future(consume())
        for i in range(N_REDIS):
            await client.xadd("raw", {b"m": orjson.dumps((i, time.time()))})
        await consumer

    def run() -> None:
        redis.flush()
        loop.run_until_complete(pump())

    benchmark.pedantic(run, rounds=3)
    loop.run_until_complete(client.aclose())
    _record(benchmark, N_REDIS, latencies)
