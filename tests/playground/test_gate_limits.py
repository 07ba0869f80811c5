"""The open gates are bounded, per route and in total: one more is a 409 problem naming the
bound, and removing a gate (or its count running out) makes room again."""

from __future__ import annotations

from typing import Any

from gati import App
from gati.playground.gates import MAX_GATES, MAX_GATES_PER_ROUTE
from gati.testing import AsyncTestClient
from tests.playground.apps import make_app
from tests.playground.test_gates import add_gate


async def test_a_route_takes_at_most_max_gates_per_route() -> None:
    async with AsyncTestClient(make_app()) as client:
        gates = [
            await add_gate(client, route="GET /state", hook="tag_user")
            for _ in range(MAX_GATES_PER_ROUTE)
        ]
        r = await client.post("/_gati/api/gates", json={"route": "GET /state", "hook": "handler"})
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["limit"] == MAX_GATES_PER_ROUTE
        assert f"at most {MAX_GATES_PER_ROUTE} gates" in r.json()["detail"]
        # another route still takes one
        await add_gate(client, route="POST /echo", hook="tag_user")
        assert (await client.delete(f"/_gati/api/gates/{gates[0]['id']}")).status_code == 204
        await add_gate(client, route="GET /state", hook="handler")
        listed = (await client.get("/_gati/api/gates")).json()["gates"]
        assert len(listed) == MAX_GATES_PER_ROUTE + 1


def _many_routes() -> App:
    app = make_app()
    for i in range(MAX_GATES // MAX_GATES_PER_ROUTE + 1):

        @app.get(f"/r{i}")
        async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
            return {}

    return app


async def test_the_process_takes_at_most_max_gates() -> None:
    async with AsyncTestClient(_many_routes()) as client:
        for n in range(MAX_GATES):
            route = f"GET /r{n // MAX_GATES_PER_ROUTE}"
            await add_gate(client, route=route, hook="handler")
        spare = f"GET /r{MAX_GATES // MAX_GATES_PER_ROUTE}"
        r = await client.post("/_gati/api/gates", json={"route": spare, "hook": "handler"})
        assert r.status_code == 409
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["limit"] == MAX_GATES
        assert len((await client.get("/_gati/api/gates")).json()["gates"]) == MAX_GATES


async def test_a_used_up_gate_makes_room() -> None:
    async with AsyncTestClient(make_app()) as client:
        for _ in range(MAX_GATES_PER_ROUTE):
            await add_gate(client, route="GET /state", hook="tag_user", timeout=0.01)
        assert (await client.get("/state")).status_code == 200  # the gates time out in turn
        assert (await client.get("/_gati/api/gates")).json()["gates"] == []
        await add_gate(client, route="GET /state", hook="tag_user")
