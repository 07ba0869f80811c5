"""Debug gates: pause before or after a hook or the handler, edit state, resume, abort, time
out; never a hung request."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from gati.testing import AsyncTestClient
from tests.playground.apps import make_app


async def paused_once(client: httpx.AsyncClient) -> dict[str, Any]:
    """Wait for the one paused request."""
    for _ in range(500):
        paused = (await client.get("/_gati/api/gates")).json()["paused"]
        if paused:
            return dict(paused[0])
        await asyncio.sleep(0.01)
    raise AssertionError("no request paused")


async def add_gate(client: httpx.AsyncClient, **spec: Any) -> dict[str, Any]:
    r = await client.post("/_gati/api/gates", json=spec)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_editing_state_at_a_gate_reaches_the_handler() -> None:
    async with AsyncTestClient(make_app()) as client:
        gate = await add_gate(client, route="GET /state", hook="tag_user", when="after")
        assert gate["remaining"] == 1 and gate["timeout"] == 60.0
        pending = asyncio.create_task(client.get("/state", headers={"x-user": "ann"}))
        paused = await paused_once(client)
        assert paused["state"] == {"user": "ann"}
        assert (paused["hook"], paused["when"], paused["gate_id"]) == (
            "tag_user",
            "after",
            gate["id"],
        )
        edited = await client.put(
            f"/_gati/api/paused/{paused['pause_id']}/state", json={"user": "bob", "n": [1, 2]}
        )
        assert edited.status_code == 200
        assert edited.json()["state"] == {"user": "bob", "n": [1, 2]}
        resumed = await client.post(f"/_gati/api/paused/{paused['pause_id']}/resume")
        assert resumed.status_code == 200
        response = await pending
        assert response.json() == {"user": "bob", "n": [1, 2]}
        listing = (await client.get("/_gati/api/gates")).json()
        assert listing == {"gates": [], "paused": [], "per_process": True}


async def test_a_state_edit_that_is_not_a_json_object_is_refused() -> None:
    async with AsyncTestClient(make_app()) as client:
        await add_gate(client, route="GET /state", hook="handler", when="before")
        pending = asyncio.create_task(client.get("/state"))
        paused = await paused_once(client)
        url = f"/_gati/api/paused/{paused['pause_id']}/state"
        for bad in (b"[1, 2]", b"not json", b'"text"', b"3"):
            r = await client.put(url, content=bad)
            assert r.status_code == 400, bad
            assert r.headers["content-type"] == "application/problem+json"
        await client.post(f"/_gati/api/paused/{paused['pause_id']}/resume")
        assert (await pending).json() == {"user": "anonymous"}
        r = await client.put(url, json={"late": True})
        assert r.status_code == 404


async def test_abort_answers_the_paused_request_with_503() -> None:
    async with AsyncTestClient(make_app()) as client:
        await add_gate(client, route="GET /items/{id:int}", hook="handler", when="after")
        pending = asyncio.create_task(client.get("/items/1"))
        paused = await paused_once(client)
        r = await client.post(f"/_gati/api/paused/{paused['pause_id']}/abort")
        assert r.status_code == 200
        response = await pending
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "aborted at a debug gate"
        again = await client.post(f"/_gati/api/paused/{paused['pause_id']}/resume")
        assert again.status_code == 404


async def test_an_open_gate_times_out_and_the_request_completes() -> None:
    async with AsyncTestClient(make_app()) as client:
        await add_gate(client, route="GET /state", hook="tag_user", when="before", timeout=0.05)
        response = await client.get("/state", headers={"x-user": "ann"})
        assert response.status_code == 200
        assert response.json() == {"user": "ann"}
        assert (await client.get("/_gati/api/gates")).json()["paused"] == []


async def test_a_gate_pauses_only_its_count_then_leaves_the_plans() -> None:
    app = make_app()
    before = [r.plan for _, _, r in app.routes.routes() if getattr(r, "pattern", "") == "/state"]
    async with AsyncTestClient(app) as client:
        await add_gate(
            client, route="GET /state", hook="tag_user", when="before", count=2, timeout=0.01
        )
        for _ in range(3):
            assert (await client.get("/state")).status_code == 200
        assert (await client.get("/_gati/api/gates")).json()["gates"] == []
    after = [r.plan for _, _, r in app.routes.routes() if getattr(r, "pattern", "") == "/state"]
    assert after == before


async def test_deleting_a_gate_resumes_its_paused_requests() -> None:
    async with AsyncTestClient(make_app()) as client:
        gate = await add_gate(client, route="GET /items/{id:int}", hook="tag_user", when="after")
        pending = asyncio.create_task(
            client.get("/items/2", headers={"gati-version": "2025-01-01"})
        )
        await paused_once(client)
        assert (await client.delete(f"/_gati/api/gates/{gate['id']}")).status_code == 204
        assert (await pending).json() == {"id": 2, "user": "anonymous"}
        assert (await client.delete(f"/_gati/api/gates/{gate['id']}")).status_code == 404


@pytest.mark.parametrize(
    "spec",
    [
        {"route": "GET /nowhere", "hook": "handler"},
        {"route": "/state", "hook": "handler"},
        {"route": "GET /state", "hook": "no_such_hook"},
        {"route": "GET /state", "hook": "handler", "when": "during"},
        {"route": "GET /state", "hook": "handler", "count": 0},
        {"route": "GET /state", "hook": "handler", "count": "2"},
        {"route": "GET /state", "hook": "handler", "timeout": -1},
        {"route": "GET /state", "hook": "handler", "timeout": True},
        ["not", "an", "object"],
    ],
)
async def test_a_bad_gate_is_a_400(spec: Any) -> None:
    async with AsyncTestClient(make_app()) as client:
        r = await client.post("/_gati/api/gates", json=spec)
        assert r.status_code == 400
        assert r.headers["content-type"] == "application/problem+json"
