"""Interop: Starlette and plain ASGI apps mounted in gati; gati mounted in Starlette/FastAPI."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from gati import App, Router
from gati.testing import AsyncTestClient


def gati_app() -> App:
    app = App()

    @app.get("/hello")
    async def hello(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"from": "gati", "path": req.path}

    return app


async def plain_asgi(scope: Any, receive: Any, send: Any) -> None:
    body = f"{scope['root_path']}|{scope['path']}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def test_mount_starlette_and_plain_asgi_inside_gati() -> None:
    async def star(request: Any) -> JSONResponse:
        return JSONResponse({"from": "starlette", "id": request.path_params["id"]})

    app = gati_app()
    app.mount("/legacy", Starlette(routes=[Route("/items/{id}", star)]))
    app.mount("/raw", plain_asgi)
    async with AsyncTestClient(app) as client:
        assert (await client.get("/legacy/items/3")).json() == {"from": "starlette", "id": "3"}
        assert (await client.get("/raw/x/y")).text == "/raw|/raw/x/y"
        assert (await client.get("/rawx")).status_code == 404
        assert (await client.get("/hello")).json()["from"] == "gati"


async def test_gati_inside_starlette_and_fastapi() -> None:
    outer = Starlette(routes=[Mount("/api", app=gati_app())])
    async with AsyncTestClient(outer) as client:
        r = await client.get("/api/hello")
        assert r.json() == {"from": "gati", "path": "/api/hello"}
        assert r.headers["x-request-id"]
        assert (await client.get("/api/nope")).headers["content-type"] == "application/problem+json"
    fast = FastAPI()
    fast.mount("/g", gati_app())

    @fast.get("/native")
    async def native() -> dict[str, str]:
        return {"from": "fastapi"}

    async with AsyncTestClient(fast) as client:
        assert (await client.get("/g/hello")).json()["from"] == "gati"
        assert (await client.get("/native")).json() == {"from": "fastapi"}


def test_mount_and_include_of_the_wrong_type_are_refused() -> None:
    app = App()
    # each was an AttributeError from inside gati
    with pytest.raises(ValueError, match="mount prefix must start with '/'"):
        app.mount(5, App())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"app\.include\(\) takes a gati Router, not App"):
        app.include(App())  # type: ignore[arg-type]
    app.include(Router(prefix="/r"))  # an empty router is fine
