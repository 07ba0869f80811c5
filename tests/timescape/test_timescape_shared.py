"""Several workers (a real ``redis-server``, real uvicorn processes): a tag, a deprecation, a
decommission or a health mark taken in one worker is followed by the others, and by a worker
that starts later; the per-worker parts stay per worker."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from gati import App
from gati.testing import LiveServer, live_server
from gati.timescape import SharedTimescape, Timescape
from tests.redis_server import RedisServer

V1, V2, V3 = "2025-01-01", "2025-03-01", "2025-06-01"  # as in shared_app.py

ROOT = Path(__file__).resolve().parent.parent.parent


def servers(stack: ExitStack, redis_url: str, n: int) -> list[LiveServer]:
    env = {
        **os.environ,
        "GATI_REDIS_URL": redis_url,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "uvicorn", "tests.timescape.shared_app:app", "--host",
               "127.0.0.1", "--port", "{port}", "--log-level", "warning"]  # fmt: skip
    return [
        stack.enter_context(live_server(command, cwd=ROOT, env=env, probe="/ping"))
        for _ in range(n)
    ]


def eventually(check: Callable[[], bool]) -> None:
    """Pub/sub delivery is asynchronous: wait (bounded) until ``check`` holds."""
    deadline = time.monotonic() + 15
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the other worker never followed the decision")
        time.sleep(0.05)


def get(server: LiveServer, version: str | None = None) -> httpx.Response:
    headers = {} if version is None else {"Gati-Version": version}
    return httpx.get(server.url + "/things", headers=headers, timeout=10)


@pytest.fixture
def two(redis_server: RedisServer) -> Iterator[tuple[list[LiveServer], ExitStack]]:
    redis_server.flush()
    with ExitStack() as stack:
        yield servers(stack, redis_server.url, 2), stack


@pytest.mark.e2e
def test_decisions_taken_in_one_worker_reach_every_worker(
    two: tuple[list[LiveServer], ExitStack], redis_server: RedisServer
) -> None:
    (a, b), stack = two
    pids = {httpx.get(s.url + "/ping").json() for s in (a, b)}
    assert len(pids) == 2
    assert get(b).json()["impl"] == V3 and get(b, V1).status_code == 200

    def admin(op: str, **query: str) -> None:
        assert httpx.post(a.url + f"/admin/{op}", params=query).status_code == 204

    admin("tag", name="stable", version=V2)
    eventually(lambda: get(b).json()["impl"] == V2)
    admin("deprecate", version=V2, sunset="2999-01-01")
    eventually(lambda: "deprecation" in get(b).headers)
    assert get(b).headers["deprecation"] == get(a).headers["deprecation"]  # one instant
    admin("decommission", version=V1)
    eventually(lambda: get(b, V1).status_code == 410)
    assert get(b, V1).headers["gati-version"] == V1
    admin("unhealthy", version=V3)
    eventually(lambda: get(b, V3).status_code == 503)

    # a worker started after the decisions loads them all
    (c,) = servers(stack, redis_server.url, 1)
    assert get(c).json()["impl"] == V2
    assert get(c, V1).status_code == 410
    assert get(c, V3).status_code == 503
    assert "deprecation" in get(c).headers


async def test_without_a_running_app_nothing_is_published(redis_server: RedisServer) -> None:
    """Configuration at import time runs in every worker: it is applied, not published."""
    redis_server.flush()
    shared = SharedTimescape(redis_server.url)
    app = App(timescape=Timescape(shared=shared))

    @app.get("/x", version=V1)
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    app.timescape.tag("stable", V1)
    async with app.lifespan():
        assert shared.running
        assert await shared.client.hgetall(shared.key) == {}
        app.timescape.decommission(V1)
        await app.timescape.flush()
        stored = await shared.client.hgetall(shared.key)
        assert list(stored) == [f"decommission|{V1}".encode()]
    assert not shared.running


async def test_a_decision_this_worker_cannot_apply_is_logged_not_fatal(
    redis_server: RedisServer, caplog: Any
) -> None:
    redis_server.flush()
    shared = SharedTimescape(redis_server.url)
    await shared.client.hset(
        shared.key, "mark|GET|/gone|2025-01-01",
        b'{"op":"mark","method":"GET","path":"/gone","version":"2025-01-01","healthy":false}',
    )  # fmt: skip
    app = App(timescape=Timescape(shared=shared))

    @app.get("/x", version=V1)
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    async with app.lifespan():
        assert shared.running
    assert "could not be applied" in caplog.text


async def test_an_unreachable_redis_at_start_up_stops_the_app_starting() -> None:
    """Without Redis a worker cannot know the decisions taken (a version decommissioned
    elsewhere would be served here): start-up fails, promptly, instead."""
    app = App(timescape=Timescape(shared=SharedTimescape("redis://127.0.0.1:1", timeout=0.5)))

    @app.get("/x", version=V1)
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    with pytest.raises(Exception, match=r"(?i)connect"):
        async with app.lifespan():
            pass
