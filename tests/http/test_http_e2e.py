"""End to end: real servers (uvicorn, hypercorn, granian) as subprocesses on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from gati.testing import LiveServer, live_server

HERE = Path(__file__).parent
SERVERS = {
    "uvicorn": ["-m", "uvicorn", "e2e_app:app", "--host", "127.0.0.1", "--port", "{port}",
                "--log-level", "warning", "--timeout-graceful-shutdown", "10"],
    "hypercorn": ["-m", "hypercorn", "e2e_app:app", "--bind", "127.0.0.1:{port}",
                  "--graceful-timeout", "10"],
    "granian": ["-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", "{port}",
                "--workers", "1", "--log-level", "warning", "e2e_app:app"],
}  # fmt: skip


class Server:
    def __init__(self, live: LiveServer, markers: Path) -> None:
        self.proc = live.proc
        self.url = live.url
        self.markers = markers


@pytest.fixture(params=sorted(SERVERS))
def server(request: Any, tmp_path: Path) -> Iterator[Server]:
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env["GATI_E2E_MARKERS"] = str(tmp_path)
    command = [sys.executable, *SERVERS[request.param]]
    with live_server(command, cwd=HERE, env=env, probe="/hello") as live:
        yield Server(live, tmp_path)


@pytest.mark.e2e
def test_requests_and_bad_input_over_http(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        r = client.get("/hello")
        assert (r.status_code, r.json()) == (200, {"hello": "world"})
        ids = {client.get("/hello").headers["x-request-id"] for _ in range(20)}
        assert len(ids) == 20
        r = client.post("/items", json={"name": "pen", "qty": 2})
        assert (r.status_code, r.json()) == (201, {"name": "pen", "qty": 2})
        as_json = {"content-type": "application/json"}
        problems = [
            client.post("/items", json={"name": "", "qty": -1}),
            client.post("/items", content=b"{oops", headers=as_json),
            client.post("/items", content=b"name=pen", headers={"content-type": "text/plain"}),
            client.post("/items", content=b"[" * 10_000 + b"]" * 10_000, headers=as_json),
            client.post("/items", content=b"x" * 100_000, headers=as_json),
            client.get("/nope"),
            client.get("/%zz/%E0%A4%A"),
            client.request("PURGE", "/hello"),
            client.delete("/hello"),
        ]
        assert [p.status_code for p in problems] == [400, 400, 415, 400, 413, 404, 404, 405, 405]
        for p in problems:
            assert p.headers["content-type"] == "application/problem+json"
            assert p.json()["request_id"] == p.headers["x-request-id"]
    # Header limits belong to the server: each either answers with a 4xx or drops the
    # connection before gati sees the request. gati itself must not fail on what passes.
    with httpx.Client(base_url=server.url, timeout=10) as client:
        r = client.get("/hello", headers={"x-big": "a" * 4_000})
        assert r.status_code == 200
        try:
            status = client.get("/hello", headers={"x-huge": "a" * 60_000}).status_code
        except httpx.RemoteProtocolError:
            status = None
        assert status in (None, 200, 400, 413, 431)


@pytest.mark.e2e
def test_streamed_oversize_body_is_413(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(256):
            yield b"x" * 1024

    with httpx.Client(base_url=server.url, timeout=10) as client:
        r = client.post("/items", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


@pytest.mark.e2e
def test_sigterm_lets_a_slow_request_finish_and_runs_shutdown(server: Server) -> None:
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(httpx.get, f"{server.url}/slow", timeout=20)
        deadline = time.monotonic() + 10
        while not (server.markers / "slow-started").exists():
            assert time.monotonic() < deadline, "the slow request never started"
            time.sleep(0.02)
        server.proc.send_signal(signal.SIGTERM)
        r = slow.result(timeout=20)
    assert (r.status_code, r.json()) == (200, {"slow": "done"})
    server.proc.wait(timeout=20)
    assert (server.markers / "shutdown-ran").read_text() == "yes"
