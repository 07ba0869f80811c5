"""A large JSON body is validated off the event loop: while its validation runs, the same
worker answers other requests (``/healthz``). Deterministic: the body's custom validator waits
until ``/healthz`` has been answered (up to 10 s), which on the loop itself could never happen."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx

from gati import App, gt
from gati.http.route import OFFLOAD_BODY_BYTES


def app_waiting_for(answered: threading.Event, started: threading.Event) -> App:
    def wait_for_healthz(value: Any) -> bool:
        started.set()
        return answered.wait(timeout=10)  # False (a validation error) if /healthz never came

    app = App()

    @app.post("/big", request=gt.object({"s": gt.string(validators=[wait_for_healthz])}))
    async def big(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"length": len(req.data["s"])}

    return app


async def post_and_ping(body_size: int) -> tuple[int, int]:
    answered, started = threading.Event(), threading.Event()
    app = app_waiting_for(answered, started)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        post = asyncio.create_task(client.post("/big", json={"s": "x" * body_size}))
        while not started.is_set() and not post.done():
            await asyncio.sleep(0.005)
        health = await client.get("/healthz")
        answered.set()
        return (await post).status_code, health.status_code


async def test_healthz_is_answered_while_a_large_body_is_validated() -> None:
    assert await post_and_ping(OFFLOAD_BODY_BYTES + 1) == (200, 200)
