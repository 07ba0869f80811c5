"""The fabric inside an app: ``app.topic``, ``gctx.publish``/``subscribe``, and backpressure in
a request (graceful cancellation, cleanup, 503 with Retry-After)."""

from __future__ import annotations

import asyncio
from typing import Any

from gati import App, gt
from gati.fabric import Message
from gati.fabric.redis import RedisFabric
from gati.testing import AsyncTestClient
from tests.fabric.conftest import until
from tests.redis_server import RedisServer


async def test_backpressure_in_a_request_is_a_503_with_retry_after_after_cleanup() -> None:
    """Property 43: a full queue ends the request gracefully with 503 + Retry-After."""
    app = App()
    app.topic("emails", maxlen=1, policy="reject")
    held = asyncio.Event()
    cleaned: list[str] = []
    errors: list[str] = []

    async def slow(message: Message) -> None:
        await held.wait()

    @app.on_startup
    async def listen() -> None:
        await app.gctx.subscribe("emails", slow, group="senders")

    @app.post("/send")
    async def send(req: Any, res: Any, lctx: Any, gctx: Any) -> dict[str, Any]:
        lctx.on_cleanup(lambda: cleaned.append(lctx.meta.request_id))
        lctx.on_error(lambda exc: errors.append(type(exc).__name__))
        await gctx.publish("emails", await req.json())
        return {"queued": True}

    async with AsyncTestClient(app) as client:
        statuses = [(await client.post("/send", json={"to": i})).status_code for i in range(3)]
        refused = await client.post("/send", json={"to": "x"})
        held.set()
    assert statuses[0] == 200 and 503 in statuses
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert "emails" in refused.json()["detail"]
    assert len(cleaned) == 4  # cleanup ran for every request, refused ones included
    assert errors.count("BackpressureError") == statuses.count(503) + 1


async def test_a_topic_schema_applies_to_gctx_publish() -> None:
    app = App()
    app.topic("typed", schema=gt.object({"n": gt.integer()}))
    got: list[Any] = []

    @app.post("/p")
    async def publish(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        await gctx.publish("typed", await req.json())

    async with AsyncTestClient(app) as client:
        await app.gctx.subscribe("typed", lambda m: got.append(m.payload))
        assert (await client.post("/p", json={"n": 1})).status_code == 200
        assert (await client.post("/p", json={"n": "one"})).status_code == 500
        await until(lambda: got == [{"n": 1}])


async def test_lctx_publish_stays_request_scoped() -> None:
    app = App()
    fabric_seen: list[Any] = []
    local_seen: list[Any] = []

    @app.get("/")
    async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        lctx.subscribe("t", local_seen.append)
        lctx.publish("t", "local")

    async with AsyncTestClient(app) as client:
        await app.gctx.subscribe("t", lambda m: fabric_seen.append(m.payload))
        await client.get("/")
        await asyncio.sleep(0.02)
    assert local_seen == ["local"] and fabric_seen == []


async def test_a_redis_backed_app_shares_work_between_two_apps(redis_server: RedisServer) -> None:
    seen: dict[str, list[int]] = {"a": [], "b": []}
    apps = [App(fabric=RedisFabric(redis_server.url, block_ms=20)) for _ in range(2)]
    for name, app in zip("ab", apps, strict=True):
        await app.gctx.startup()
        await app.gctx.subscribe("work", lambda m, n=name: seen[n].append(m.payload), group="w")
    for i in range(30):
        await apps[i % 2].gctx.publish("work", i)
    await until(lambda: len(seen["a"]) + len(seen["b"]) == 30)
    assert sorted(seen["a"] + seen["b"]) == list(range(30))
    assert (await apps[0].gctx.health())["status"] == "healthy"
    for app in apps:
        await app.gctx.shutdown()


async def test_a_redis_subscriber_rides_out_a_redis_restart(redis_server: RedisServer) -> None:
    from gati.fabric.redis import RedisFabric

    fabric = RedisFabric(redis_server.url, block_ms=20)
    seen: list[int] = []
    await fabric.subscribe("restart", lambda m: seen.append(m.payload), group="g")
    await fabric.publish("restart", 1)
    await until(lambda: seen == [1])
    redis_server.stop()
    assert await fabric.health() == "unhealthy"
    redis_server.start()
    for _ in range(400):  # the consumer recreates its group once Redis answers again
        if await fabric.redis.exists(fabric.key("restart")):
            break
        await asyncio.sleep(0.01)
    await fabric.publish("restart", 2)
    await until(lambda: seen == [1, 2])
    await fabric.close()
