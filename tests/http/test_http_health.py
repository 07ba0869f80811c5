"""/healthz and /readyz: liveness from health checks, readiness from checks and lifespan."""

from __future__ import annotations

import asyncio
from typing import Any

from gati import App


async def test_healthy_app_is_live_and_ready(raw: Any) -> None:
    app = App()
    app.gctx.on_health("db", lambda: True)
    live = await raw(app, "GET", "/healthz")
    assert (live.status, live.json()) == (
        200,
        {"status": "healthy", "checks": {"db": {"status": "healthy"}}},
    )
    ready = await raw(app, "GET", "/readyz")
    assert ready.status == 200
    assert ready.json()["lifespan"] == "idle"


async def test_failing_critical_check_is_503_on_both(raw: Any) -> None:
    app = App()

    def broken() -> bool:
        raise ConnectionError("db down")

    app.gctx.on_health("db", broken)
    for path in ("/healthz", "/readyz"):
        out = await raw(app, "GET", path)
        assert out.status == 503
        assert out.json()["checks"]["db"] == {
            "status": "unhealthy",
            "error": "ConnectionError: db down",
        }


async def test_failing_optional_check_is_degraded_but_serving(raw: Any) -> None:
    app = App()
    app.gctx.on_health("cache", lambda: False, critical=False)
    for path in ("/healthz", "/readyz"):
        out = await raw(app, "GET", path)
        assert (out.status, out.json()["status"]) == (200, "degraded")


async def test_readiness_follows_the_lifespan(raw: Any) -> None:
    app = App()
    release = asyncio.Event()

    async def slow_start() -> None:
        await release.wait()

    app.on_startup(slow_start)
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan = asyncio.create_task(app({"type": "lifespan"}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    await asyncio.sleep(0)
    starting = await raw(app, "GET", "/readyz")
    assert (starting.status, starting.json()["lifespan"]) == (503, "starting")
    assert (await raw(app, "GET", "/healthz")).status == 200  # alive while starting

    release.set()
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    running = await raw(app, "GET", "/readyz")
    assert (running.status, running.json()["lifespan"]) == (200, "running")

    await inbox.put({"type": "lifespan.shutdown"})
    assert (await outbox.get())["type"] == "lifespan.shutdown.complete"
    await lifespan
    stopped = await raw(app, "GET", "/readyz")
    assert (stopped.status, stopped.json()["lifespan"]) == (503, "stopped")


async def test_failed_start_up_is_not_ready(raw: Any) -> None:
    app = App()

    def boom() -> None:
        raise RuntimeError("no config")

    app.on_startup(boom)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    assert sent[0]["type"] == "lifespan.startup.failed"
    out = await raw(app, "GET", "/readyz")
    assert (out.status, out.json()["lifespan"]) == (503, "failed")


async def test_health_paths_can_move_or_go(raw: Any) -> None:
    moved = App(health_paths=("/live", "/ready"))
    assert (await raw(moved, "GET", "/live")).status == 200
    assert (await raw(moved, "GET", "/healthz")).status == 404
    off = App(health_paths=None)
    assert (await raw(off, "GET", "/healthz")).status == 404
    assert (await raw(off, "GET", "/readyz")).status == 404
