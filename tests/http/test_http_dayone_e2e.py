"""End to end under uvicorn: the everyday web features over real HTTP and WebSocket."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from gati.testing import LiveServer, live_server

HERE = Path(__file__).parent
COMMAND = ["-m", "uvicorn", "dayone_app:app", "--host", "127.0.0.1", "--port", "{port}",
           "--log-level", "warning"]  # fmt: skip

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def markers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dayone")


@pytest.fixture(scope="module")
def server(markers: Path) -> Iterator[LiveServer]:
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env["GATI_E2E_MARKERS"] = str(markers)
    with live_server([sys.executable, *COMMAND], cwd=HERE, env=env, probe="/hello") as live:
        yield live


def wait_for(path: Path) -> str:
    """The marker's text once written (``write_text`` creates the file before it writes)."""
    deadline = time.monotonic() + 10
    while not (path.exists() and (text := path.read_text())):
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)
    return text


def test_json_cookies_cors_and_after_hooks_on_errors(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        r = client.get("/hello", headers={"Origin": "https://shop.example"})
        assert r.json() == {"hello": "world", "price": 9.99, "tags": ["a"]}
        assert r.headers["access-control-allow-origin"] == "https://shop.example"
        assert r.headers["server-timing"] == "app"
        r = client.get("/cookie", headers={"Cookie": "a=1"})
        assert r.json() == {"cookies": {"a": "1"}}
        assert r.headers["set-cookie"].startswith("session=s1; HttpOnly")
        r = client.get("/nope")
        assert (r.status_code, r.headers["server-timing"]) == (404, "app")
        r = client.get("/key")
        assert (r.status_code, r.json()) == (404, {"missing": "isbn"})
        r = client.get("/books/3")
        assert r.json() == {"id": 3, "self": "/books/1"}


def test_uploads_streams_and_files(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        r = client.post("/upload", data={"title": "Dune"}, files={"file": ("d.txt", b"x" * 3000)})
        assert r.json() == {"title": "Dune", "size": 3000, "name": "d.txt"}
        assert client.get("/stream").text == "part0;part1;part2;"
        r = client.get("/file", headers={"Range": "bytes=0-3"})
        assert (r.status_code, r.content) == (206, b"0123")


def test_sse_disconnect_closes_the_producer_and_runs_cleanup(
    server: LiveServer, markers: Path
) -> None:
    with (
        httpx.Client(base_url=server.url, timeout=10) as client,
        client.stream("GET", "/sse") as r,
    ):
        rid = r.headers["x-request-id"]
        lines = r.iter_lines()
        assert next(lines) == "event: tick"
        assert next(lines) == "id: 1"
        assert next(lines) == 'data: {"n":1}'
    assert wait_for(markers / f"sse-closed-{rid}") == "closed"
    assert wait_for(markers / f"sse-cleanup-{rid}") == "done"


def test_head_on_an_endless_stream_ends_and_the_connection_serves_on(
    server: LiveServer, markers: Path
) -> None:
    """HEAD /sse made the endless stream anyway: the keep-alive connection answered nothing
    more, the request's cleanup never ran and the server could not stop gracefully."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        r = client.head("/sse")
        assert (r.status_code, r.content) == (200, b"")
        assert r.headers["content-type"].startswith("text/event-stream")
        assert client.get("/hello").status_code == 200  # the same connection, kept alive
        rid = r.headers["x-request-id"]
    assert wait_for(markers / f"sse-cleanup-{rid}") == "done"


def test_a_sync_generator_streams_off_the_loop_and_stops_on_disconnect(
    server: LiveServer, markers: Path
) -> None:
    """An endless sync generator iterated on the event loop starved the server (no other
    request was answered) and ran on after the client left; it runs on a worker thread."""
    with (
        httpx.Client(base_url=server.url, timeout=10) as client,
        client.stream("GET", "/sync-stream") as r,
    ):
        rid = r.headers["x-request-id"]
        assert next(r.iter_lines()) == "line"
        assert client.get("/hello").status_code == 200
    assert wait_for(markers / f"sync-closed-{rid}") == "closed"
    assert wait_for(markers / f"sync-cleanup-{rid}") == "done"


def test_deferred_work_and_logs_with_the_request_id(server: LiveServer, markers: Path) -> None:
    r = httpx.post(f"{server.url}/defer", headers={"X-Request-ID": "e2e-defer-1"}, timeout=10)
    assert r.json() == {"accepted": True}
    assert wait_for(markers / "deferred-e2e-defer-1") == "ran"
    records = [json.loads(line) for line in (markers / "log.jsonl").read_text().splitlines()]
    mine = [rec for rec in records if rec.get("request_id") == "e2e-defer-1"]
    assert mine and mine[0]["message"] == "deferring work"


def test_a_mounted_gati_app_was_started(server: LiveServer, markers: Path) -> None:
    assert wait_for(markers / "child-started") == "yes"
    r = httpx.get(f"{server.url}/child/readyz", timeout=10)
    assert r.json()["lifespan"] == "running"


def test_websocket_route_over_a_real_connection(server: LiveServer) -> None:
    url = server.url.replace("http://", "ws://")

    async def talk() -> None:
        async with websockets.connect(f"{url}/ws/lobby?token=t") as ws:
            await ws.send("hi")
            reply = json.loads(await ws.recv())
            assert reply["room"] == "lobby" and reply["echo"] == "hi" and reply["rid"]
        with pytest.raises(websockets.exceptions.InvalidStatus) as info:
            async with websockets.connect(f"{url}/ws/lobby"):
                pass
        assert info.value.response.status_code == 403

    asyncio.run(talk())
