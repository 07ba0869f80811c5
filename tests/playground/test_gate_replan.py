"""A debug gate survives every re-plan of its route: a global hook or a built-in step added
after the gate was set, a version's tag changing, a new transformer; and once used up or
removed it leaves the plans however often they were made again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from gati import App
from gati.lifecycle.hooks import Hook
from gati.playground.gates import GATE_ID
from gati.testing import AsyncTestClient
from tests.playground.apps import V1, V2, make_app
from tests.playground.test_gates import add_gate, paused_once


def _late_hook(app: App) -> None:
    @app.hook("before", id="late")
    async def late(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        lctx.state.set("late", True)


def _late_step(app: App) -> None:
    async def step(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        return None

    app.add_step(Hook(step, id="late.step", level="global"))


def _retag(app: App) -> None:
    app.timescape.tag("stable", V1)


REPLANS: dict[str, Callable[[App], None]] = {
    "global hook": _late_hook,
    "built-in step": _late_step,
    "tag": _retag,
}


def _gate_hooks(app: App, pattern: str) -> list[Hook]:
    """The gate hooks in every plan serving ``pattern`` (versions' served plans too)."""
    found = []
    for _, p, entry in app.routes.routes():
        if p != pattern:
            continue
        plans = (
            [entry.plan]
            if not hasattr(entry, "impls")
            else [
                *(r.plan for r in entry.impls.values()),
                *(s.plan for s in entry.plans if hasattr(s, "plan")),
            ]
        )
        for plan in plans:
            found.extend(h for h in (*plan.before, *plan.after, *plan.catch) if h.id == GATE_ID)
    return found


async def _pauses_after(replan: Callable[[App], None], route: str, path: str) -> None:
    app = make_app()
    async with AsyncTestClient(app) as client:
        await add_gate(client, route=route, hook="tag_user", when="after")
        replan(app)
        pending = asyncio.create_task(client.get(path, headers={"x-user": "ann"}))
        paused = await paused_once(client)
        assert paused["state"]["user"] == "ann"
        await client.post(f"/_gati/api/paused/{paused['pause_id']}/resume")
        assert (await pending).status_code == 200
        assert _gate_hooks(app, route.split(" ", 1)[1]) == []  # used up: out of the plans
        replan(app) if replan is _retag else None
        assert _gate_hooks(app, route.split(" ", 1)[1]) == []


async def test_a_gate_survives_a_global_hook_registered_after_it() -> None:
    await _pauses_after(_late_hook, "GET /state", "/state")


async def test_a_gate_survives_a_built_in_step_added_after_it() -> None:
    await _pauses_after(_late_step, "GET /state", "/state")


async def test_a_gate_on_a_versioned_route_survives_re_plans() -> None:
    for replan in REPLANS.values():
        await _pauses_after(replan, "GET /items/{id:int}", "/items/3")


async def test_a_gate_survives_a_new_transformer() -> None:
    app = make_app()
    async with AsyncTestClient(app) as client:
        await add_gate(client, route="GET /items/{id:int}", hook="handler", when="before")

        @app.transformer("/items/{id:int}", from_="2024-01-01", to=V1)
        class Same:
            def request(self, req: Any, lctx: Any) -> None: ...

            def response(self, res: Any, lctx: Any) -> None: ...

        pending = asyncio.create_task(
            client.get("/items/4", headers={"gati-version": "2024-01-01"})
        )
        paused = await paused_once(client)
        await client.post(f"/_gati/api/paused/{paused['pause_id']}/resume")
        assert (await pending).status_code == 200


async def test_a_removed_gate_stays_out_of_later_plans() -> None:
    app = make_app()
    async with AsyncTestClient(app) as client:
        gate = await add_gate(client, route="GET /items/{id:int}", hook="tag_user")
        assert _gate_hooks(app, "/items/{id:int}")
        assert (await client.delete(f"/_gati/api/gates/{gate['id']}")).status_code == 204
        _late_hook(app)
        assert _gate_hooks(app, "/items/{id:int}") == []
        r = await client.get("/items/5", headers={"gati-version": V2})
        assert r.json() == {"id": 5, "name": "item 5"}


async def test_the_new_global_hook_runs_at_its_place_next_to_the_gate() -> None:
    app = make_app()
    async with AsyncTestClient(app) as client:
        await add_gate(client, route="GET /state", hook="tag_user", when="after")
        _late_hook(app)
        pending = asyncio.create_task(client.get("/state"))
        paused = await paused_once(client)
        assert paused["state"] == {"user": "anonymous"}  # "late" runs after the gate
        await client.post(f"/_gati/api/paused/{paused['pause_id']}/resume")
        assert (await pending).json() == {"user": "anonymous", "late": True}


async def test_a_gate_reaches_a_version_implemented_after_it() -> None:
    app = make_app()
    v3 = "2025-09-01"
    async with AsyncTestClient(app) as client:
        await add_gate(client, route="GET /items/{id:int}", hook="handler", when="before", count=2)

        @app.get("/items/{id:int}", version=v3)
        async def item_v3(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
            return {"id": req.path_params["id"], "v": 3}

        assert len(_gate_hooks(app, "/items/{id:int}")) >= 3  # every implementation's plan
        for version, body in ((v3, {"id": 6, "v": 3}), (V1, {"id": 6, "user": "anonymous"})):
            pending = asyncio.create_task(client.get("/items/6", headers={"gati-version": version}))
            paused = await paused_once(client)
            assert paused["hook"] == "handler"
            await client.post(f"/_gati/api/paused/{paused['pause_id']}/resume")
            assert (await pending).json() == body
        assert _gate_hooks(app, "/items/{id:int}") == []  # used up: out of every plan, v3's too
