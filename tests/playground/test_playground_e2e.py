"""End to end through a real uvicorn server: requests appear live on the event stream, a gate
pauses a request, its state is edited and it resumes with the edit."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gati.testing import live_server

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


async def next_event(lines: AsyncIterator[str], kind: str) -> dict[str, Any]:
    """The data of the next ``kind`` event on the stream (others skipped)."""
    event = None
    async for line in lines:
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == kind:
            return dict(json.loads(line[6:]))
    raise AssertionError(f"the stream ended before a {kind} event")


async def scenario(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        async with client.stream("GET", "/_gati/api/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert await anext(lines) == ": connected"
            response = await client.get("/items/5", headers={"gati-version": "2025-01-01"})
            summary = await asyncio.wait_for(next_event(lines, "request"), 30)
            assert summary["path"] == "/items/5" and summary["version"] == "2025-01-01"
            assert summary["request_id"] == response.headers["x-request-id"]

            gate = {"route": "GET /state", "hook": "tag_user", "when": "after"}
            assert (await client.post("/_gati/api/gates", json=gate)).status_code == 201
            pending = asyncio.create_task(client.get("/state", headers={"x-user": "ann"}))
            paused = await asyncio.wait_for(next_event(lines, "paused"), 30)
            assert paused["state"] == {"user": "ann"}
            url = f"/_gati/api/paused/{paused['pause_id']}"
            assert (await client.put(f"{url}/state", json={"user": "eve"})).status_code == 200
            assert (await client.post(f"{url}/resume")).status_code == 200
            resumed = await asyncio.wait_for(next_event(lines, "resumed"), 30)
            assert resumed == {"pause_id": paused["pause_id"]}
            assert (await pending).json() == {"user": "eve"}
            done = await asyncio.wait_for(next_event(lines, "request"), 30)
            assert done["path"] == "/state"
        record = (await client.get(f"/_gati/api/requests/{done['id']}")).json()
        assert "after:gati.playground.gate" in [s["boundary"] for s in record["snapshots"]]


def test_a_real_server_streams_requests_and_pauses_at_a_gate() -> None:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    command = [sys.executable, "-m", "uvicorn", "tests.playground.e2e_app:app", "--port", "{port}"]
    with live_server(command, cwd=ROOT, env=env, probe="/state") as live:
        asyncio.run(scenario(live.url))
