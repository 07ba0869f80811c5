"""Mounted gati apps run their lifespan: ``app.lifespan()`` for any parent, and a gati parent
starts and stops its gati children itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Mount

from gati import App
from gati.testing import TestClient


def child_app(events: list[str], name: str = "child") -> App:
    child = App()

    @child.on_startup
    def up() -> None:
        events.append(f"{name} up")

    @child.on_shutdown
    def down() -> None:
        events.append(f"{name} down")

    @child.get("/ping")
    async def ping(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"pong": name}

    return child


def test_a_gati_parent_starts_and_stops_its_mounted_gati_children() -> None:
    events: list[str] = []
    parent = child_app(events, "parent")
    child = child_app(events, "child")
    parent.mount("/child", child)
    with TestClient(parent) as client:
        assert client.get("/child/readyz").json()["lifespan"] == "running"
        assert client.get("/child/ping").json() == {"pong": "child"}
    assert events == ["parent up", "child up", "child down", "parent down"]
    assert child.lifespan_state == "stopped"


def test_fastapi_runs_a_mounted_gati_app_through_its_lifespan_argument() -> None:
    events: list[str] = []
    child = child_app(events)
    api = FastAPI(lifespan=child.lifespan)
    api.mount("/gati", child)
    with TestClient(api) as client:
        assert client.get("/gati/readyz").json()["lifespan"] == "running"
    assert events == ["child up", "child down"]


def test_starlette_runs_it_inside_its_own_lifespan() -> None:
    events: list[str] = []
    child = child_app(events)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("starlette up")
        async with child.lifespan():
            yield
        events.append("starlette down")

    parent = Starlette(routes=[Mount("/gati", app=child)], lifespan=lifespan)
    with TestClient(parent) as client:
        assert client.get("/gati/ping").json() == {"pong": "child"}
    assert events == ["starlette up", "child up", "child down", "starlette down"]


async def test_a_failing_start_up_marks_the_app_failed_and_raises() -> None:
    app = App()

    @app.on_startup
    def boom() -> None:
        raise RuntimeError("no database")

    with pytest.raises(Exception, match="no database"):
        async with app.lifespan():
            pass
    assert app.lifespan_state == "failed"
